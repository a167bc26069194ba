package provider

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"
	"github.com/hashicorp/terraform-plugin-testing/tfversion"
)

// TestAccImportedCluster_clientCertificate: a certificate-based cluster
// (kind, the local apiserver's admin) is reached with host, CA,
// client_certificate and the write-only client_key_wo — no whole
// kubeconfig — and the key is in neither the plan nor the state.
func TestAccImportedCluster_clientCertificate(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t, testEnvOptions{flavor: "generic"})
	rc := env.Kube.RESTConfig()
	pem := func(data []byte, file string) string {
		if len(data) > 0 {
			return string(data)
		}
		b, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		return string(b)
	}
	ca, cert, key := pem(rc.CAData, rc.CAFile), pem(rc.CertData, rc.CertFile), pem(rc.KeyData, rc.KeyFile)
	if !strings.Contains(key, "PRIVATE KEY") {
		t.Fatal("the local cluster's admin has no client key")
	}
	dir := t.TempDir()
	for name, content := range map[string]string{"ca.pem": ca, "cert.pem": cert, "key.pem": key} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	keyLine := strings.Split(strings.TrimSpace(key), "\n")[1] // a line of the key's body
	noKey := func(where, text string) error {
		if strings.Contains(text, keyLine) {
			return fmt.Errorf("the client key was found in %s", where)
		}
		return nil
	}
	config := env.providerConfig() + fmt.Sprintf(`
resource "palette_imported_cluster" "test" {
  name            = "client-cert"
  import_mode     = "read_only"
  deletion_policy = "force"

  kubernetes = {
    host                   = %q
    cluster_ca_certificate = file(%q)
    client_certificate     = file(%q)
    client_key_wo          = file(%q)
  }
}
`, rc.Host, filepath.Join(dir, "ca.pem"), filepath.Join(dir, "cert.pem"), filepath.Join(dir, "key.pem"))
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		TerraformVersionChecks:   []tfversion.TerraformVersionCheck{tfversion.SkipBelow(tfversion.Version1_11_0)},
		CheckDestroy:             env.testAccCheckImportedClusterDestroy,
		Steps: []resource.TestStep{{
			Config: config,
			ConfigPlanChecks: resource.ConfigPlanChecks{
				PreApply: []plancheck.PlanCheck{planJSONCheck(func(js string) error { return noKey("the plan", js) })},
			},
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue(testResource, tfjsonpath.New("state"), knownvalue.StringExact("Running")),
				statecheck.ExpectKnownValue(testResource, tfjsonpath.New("kubernetes").AtMapKey("client_key_wo"), knownvalue.Null()),
			},
			Check: func(s *terraform.State) error {
				b, err := json.Marshal(s)
				if err != nil {
					return err
				}
				return noKey("the state", string(b))
			},
		}, {
			Config:   config,
			PlanOnly: true,
		}},
	})
}
