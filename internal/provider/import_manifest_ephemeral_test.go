package provider

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"regexp"
	"testing"

	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-testing/echoprovider"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"
	"github.com/hashicorp/terraform-plugin-testing/tfversion"

	"github.com/terraform-palette/terraform-provider-palette/internal/wire"
)

// TestAccImportManifestEphemeral: the ephemeral palette_import_manifest
// opens the very manifest the API serves (the echo provider, a test
// provider that stores what it is given, shows it), our own state holds no
// manifest, and opening it leaves the cluster Pending.
func TestAccImportManifestEphemeral(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t, testEnvOptions{})
	ctx := context.Background()
	uid, _, err := env.Client.ImportCluster(ctx, wire.CloudTypeGeneric, wire.ImportRequest{
		Metadata: wire.ObjectMetaInputEntity{Name: "ephemeral-manifest"},
		Spec:     wire.ImportRequestSpec{ClusterConfig: wire.ImportClusterConfig{ImportMode: wire.ImportModeReadOnly}}})
	if err != nil {
		t.Fatal(err)
	}
	body, err := env.Client.GetImportManifest(ctx, uid)
	if err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256(body)
	factories := map[string]func() (tfprotov6.ProviderServer, error){"echo": echoprovider.NewProviderServer()}
	for k, v := range testAccProtoV6ProviderFactories {
		factories[k] = v
	}
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: factories,
		TerraformVersionChecks:   []tfversion.TerraformVersionCheck{tfversion.SkipBelow(tfversion.Version1_10_0)},
		Steps: []resource.TestStep{{
			Config: env.providerConfig() + fmt.Sprintf(`
ephemeral "palette_import_manifest" "m" {
  cluster_id = %q
}

provider "echo" {
  data = ephemeral.palette_import_manifest.m
}

resource "echo" "manifest" {}
`, uid),
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue("echo.manifest", tfjsonpath.New("data").AtMapKey("sha256"), knownvalue.StringExact(hex.EncodeToString(sum[:]))),
				statecheck.ExpectKnownValue("echo.manifest", tfjsonpath.New("data").AtMapKey("manifest"), knownvalue.StringExact(string(body))),
			},
			Check: func(s *terraform.State) error {
				for addr := range s.RootModule().Resources {
					if regexp.MustCompile(`^(data\.)?palette_`).MatchString(addr) {
						return fmt.Errorf("%s is in the state", addr)
					}
				}
				cl, err := env.Client.GetCluster(ctx, uid)
				if err != nil {
					return err
				}
				if cl.Status.State != wire.StatePending {
					return fmt.Errorf("cluster %s is %s after the manifest was opened, want Pending", uid, cl.Status.State)
				}
				return nil
			},
		}},
	})
}
