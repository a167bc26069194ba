package provider

import (
	"fmt"
	"regexp"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/terraform-palette/terraform-provider-palette/internal/wire"
)

func TestAccImportedClusterDataSource_basic(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t, testEnvOptions{})
	uid := env.importClusterDirect(t, "lookup", wire.CloudTypeGeneric, wire.ImportModeReadOnly, map[string]string{"env": "test"})
	checks := func(addr string) []statecheck.StateCheck {
		return []statecheck.StateCheck{
			statecheck.ExpectKnownValue(addr, tfjsonpath.New("id"), knownvalue.StringExact(uid)),
			statecheck.ExpectKnownValue(addr, tfjsonpath.New("name"), knownvalue.StringExact("lookup")),
			statecheck.ExpectKnownValue(addr, tfjsonpath.New("cloud_type"), knownvalue.StringExact("generic")),
			statecheck.ExpectKnownValue(addr, tfjsonpath.New("import_mode"), knownvalue.StringExact("read_only")),
			statecheck.ExpectKnownValue(addr, tfjsonpath.New("state"), knownvalue.StringExact("Pending")),
			statecheck.ExpectKnownValue(addr, tfjsonpath.New("health"), knownvalue.StringExact("Unknown")),
			statecheck.ExpectKnownValue(addr, tfjsonpath.New("labels"), knownvalue.MapExact(map[string]knownvalue.Check{"env": knownvalue.StringExact("test")})),
			statecheck.ExpectKnownValue(addr, tfjsonpath.New("proxy"), knownvalue.Null()),
		}
	}
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{
				Config: env.providerConfig() + fmt.Sprintf(`
data "palette_imported_cluster" "by_name" { name = "lookup" }
data "palette_imported_cluster" "by_id" { id = %q }
`, uid),
				ConfigStateChecks: append(checks("data.palette_imported_cluster.by_name"), checks("data.palette_imported_cluster.by_id")...),
				Check: resource.ComposeTestCheckFunc(
					// Nothing secret: no import command (it carries a token), no kubeconfig.
					resource.TestCheckNoResourceAttr("data.palette_imported_cluster.by_id", "import_command"),
					resource.TestCheckNoResourceAttr("data.palette_imported_cluster.by_id", "kubeconfig_wo"),
				),
			},
			{
				Config:      env.providerConfig() + `data "palette_imported_cluster" "x" { name = "no-such-cluster" }`,
				ExpectError: regexp.MustCompile(`(?s)Imported\s+cluster\s+not\s+found.*no-such-cluster`),
			},
			{
				Config:      env.providerConfig() + `data "palette_imported_cluster" "x" { id = "aaaaaaaaaaaaaaaaaaaaaaaa" }`,
				ExpectError: regexp.MustCompile(`Imported\s+cluster\s+not\s+found`),
			},
			{
				Config:      env.providerConfig() + `data "palette_imported_cluster" "x" {}`,
				ExpectError: regexp.MustCompile(`Exactly\s+one\s+of\s+these\s+attributes\s+must\s+be\s+configured`),
			},
			// A valid last configuration, for the destroy that ends the test.
			{Config: env.providerConfig()},
		},
	})
}
