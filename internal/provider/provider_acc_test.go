package provider

import (
	"fmt"
	"regexp"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"
)

// A missing API key is an error on api_key that names the variables to set.
func TestAccProvider_missingAPIKey(t *testing.T) {
	env := newTestEnv(t, testEnvOptions{})
	t.Setenv("PALETTE_API_KEY", "")
	t.Setenv("SPECTROCLOUD_APIKEY", "")
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{{
			Config: fmt.Sprintf(`
provider "palette" {
  host = %q
}
resource "palette_imported_cluster" "test" {
  name = "no-key"
}
`, env.API.URL),
			PlanOnly:    true,
			ExpectError: regexp.MustCompile(`(?s)Missing Palette API key.*PALETTE_API_KEY`),
		}},
	})
	env.expectNoClusters(t)
}

// The project can be given by name, and the key, host and project can come
// from the environment.
func TestAccProvider_projectNameFromEnvironment(t *testing.T) {
	env := newTestEnv(t, testEnvOptions{})
	t.Setenv("PALETTE_HOST", env.API.URL)
	t.Setenv("PALETTE_API_KEY", env.API.APIKey)
	t.Setenv("PALETTE_PROJECT_NAME", "Default")
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		CheckDestroy:             env.testAccCheckImportedClusterDestroy,
		Steps: []resource.TestStep{{
			Config: `
provider "palette" {}
resource "palette_imported_cluster" "test" {
  name        = "from-env"
  import_mode = "read_only"
  wait_for    = "none"
}
`,
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue(testResource, tfjsonpath.New("state"), knownvalue.StringExact("Pending")),
			},
			Check: func(*terraform.State) error {
				// The cluster landed in the Default project.
				env.expectClusterCount(t, 1)
				return nil
			},
		}},
	})
}

// An unknown project name is an error on project_name.
func TestAccProvider_unknownProjectName(t *testing.T) {
	env := newTestEnv(t, testEnvOptions{})
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{{
			Config: fmt.Sprintf(`
provider "palette" {
  host         = %q
  api_key      = %q
  project_name = "no-such-project"
}
resource "palette_imported_cluster" "test" {
  name = "nowhere"
}
`, env.API.URL, env.API.APIKey),
			PlanOnly:    true,
			ExpectError: regexp.MustCompile(`Error resolving the Palette project`),
		}},
	})
}
