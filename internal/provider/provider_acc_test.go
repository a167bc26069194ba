package provider

import (
	"fmt"
	"regexp"
	"strings"
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

// A wrong API key, or a project the key cannot use, fails `terraform plan`
// of a new resource (nothing in state yet) at configure, naming the host;
// a setting from the environment that does not parse fails on its attribute.
func TestAccProvider_failsAtPlan(t *testing.T) {
	env := newTestEnv(t, testEnvOptions{})
	host := regexp.QuoteMeta(strings.TrimPrefix(env.API.URL, "http://"))
	config := func(provider string) string {
		return provider + `
resource "palette_imported_cluster" "test" {
  name     = "never"
  wait_for = "none"
}
`
	}
	for _, tt := range []struct {
		name, provider string
		env            map[string]string
		want           *regexp.Regexp
	}{
		{"wrong API key", fmt.Sprintf("provider \"palette\" {\n  host = %q\n  api_key = \"not-a-key\"\n}\n", env.API.URL), nil,
			regexp.MustCompile(`(?s)Palette refused the API key.*` + host + `.*refused the API key`)},
		{"unknown project UID", fmt.Sprintf("provider \"palette\" {\n  host = %q\n  api_key = %q\n  project_uid = \"0123456789abcdef01234567\"\n}\n", env.API.URL, env.API.APIKey), nil,
			regexp.MustCompile(`(?s)Palette project not found.*` + host + ` has no project 0123456789abcdef01234567`)},
		{"request timeout from the environment", fmt.Sprintf("provider \"palette\" {\n  host = %q\n  api_key = %q\n}\n", env.API.URL, env.API.APIKey),
			map[string]string{"PALETTE_REQUEST_TIMEOUT": "soon"}, regexp.MustCompile(`(?s)Invalid request timeout.*PALETTE_REQUEST_TIMEOUT`)},
		{"retries from Spectro's variable", fmt.Sprintf("provider \"palette\" {\n  host = %q\n  api_key = %q\n}\n", env.API.URL, env.API.APIKey),
			map[string]string{"SPECTROCLOUD_RETRY_ATTEMPTS": "many"}, regexp.MustCompile(`(?s)Invalid max_retries.*SPECTROCLOUD_RETRY_ATTEMPTS`)},
		{"insecure from the environment", fmt.Sprintf("provider \"palette\" {\n  host = %q\n  api_key = %q\n}\n", env.API.URL, env.API.APIKey),
			map[string]string{"PALETTE_INSECURE": "perhaps"}, regexp.MustCompile(`(?s)Invalid insecure.*PALETTE_INSECURE`)},
	} {
		t.Run(strings.ReplaceAll(tt.name, " ", "_"), func(t *testing.T) {
			for k, v := range tt.env {
				t.Setenv(k, v)
			}
			resource.Test(t, resource.TestCase{
				ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
				Steps:                    []resource.TestStep{{Config: config(tt.provider), PlanOnly: true, ExpectError: tt.want}},
			})
		})
	}
	env.expectNoClusters(t)
}
