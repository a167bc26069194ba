package provider

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"regexp"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/terraform-palette/terraform-provider-palette/internal/kube"
	"github.com/terraform-palette/terraform-provider-palette/internal/manifest"
	"github.com/terraform-palette/terraform-provider-palette/internal/wire"
)

func TestAccImportManifestDataSource_basic(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t, testEnvOptions{})
	uid := env.importClusterDirect(t, "gitops", wire.CloudTypeGeneric, wire.ImportModeReadOnly, nil)
	body, err := env.Client.GetImportManifest(context.Background(), uid)
	if err != nil {
		t.Fatal(err)
	}
	const addr = "data.palette_import_manifest.test"
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{
				Config: env.providerConfig() + fmt.Sprintf(`
data "palette_import_manifest" "test" {
  cluster_id = %q
}
`, uid),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("sha256"), knownvalue.StringRegexp(regexp.MustCompile(`^[0-9a-f]{64}$`))),
					statecheck.ExpectSensitiveValue(addr, tfjsonpath.New("manifest")),
				},
				Check: func(s *terraform.State) error {
					attrs := s.RootModule().Resources[addr].Primary.Attributes
					got := attrs["manifest"]
					sum := sha256.Sum256([]byte(got))
					if attrs["sha256"] != hex.EncodeToString(sum[:]) {
						return fmt.Errorf("sha256 %s is not the manifest's", attrs["sha256"])
					}
					// The cluster's credential is minted once: every download
					// is the same manifest.
					if got != string(body) {
						return fmt.Errorf("the manifest (%d bytes) is not the one the API serves (%d bytes)", len(got), len(body))
					}
					objs, err := kube.Decode([]byte(got))
					if err != nil {
						return err
					}
					for _, o := range objs {
						if o.GetKind() == "Namespace" && o.GetName() == manifest.AgentNamespace(uid) {
							return nil
						}
					}
					return fmt.Errorf("the manifest has no namespace %s", manifest.AgentNamespace(uid))
				},
			},
			{
				Config:      env.providerConfig() + `data "palette_import_manifest" "x" { cluster_id = "aaaaaaaaaaaaaaaaaaaaaaaa" }`,
				ExpectError: regexp.MustCompile(`Imported\s+cluster\s+not\s+found`),
			},
			// A valid last configuration, for the destroy that ends the test.
			{Config: env.providerConfig()},
		},
	})
}
