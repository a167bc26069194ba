package provider

import (
	"fmt"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"

	"github.com/terraform-palette/terraform-provider-palette/internal/wire"
)

var _ = registerTrap("deleted_in_palette", trapDeletedInPalette)

// trapDeletedInPalette: the cluster is deleted in Palette (through the
// API, at once) while its agent stays in the cluster. Once, the plan said
// "will be imported again" and the apply then failed "already imported …
// terraform import", an import that itself failed ("non-existent remote
// object"). Now that agent is stale (its Palette cluster is gone): the plan
// warns, and one apply removes its objects and imports the cluster anew.
func trapDeletedInPalette(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t, testEnvOptions{flavor: "generic", nodes: 1})
	config := env.providerConfig() + fmt.Sprintf(`
resource "palette_imported_cluster" "test" {
  name        = "trap-deleted-in-palette"
  cloud_type  = "generic"
  import_mode = "read_only"
  wait_for    = "running"
%s
}
`, env.kubeAccess())
	var first, second string
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		CheckDestroy:             env.testAccCheckImportedClusterDestroy,
		Steps: []resource.TestStep{
			{
				Config: config,
				Check:  stateID("palette_imported_cluster.test", &first),
			},
			{
				PreConfig: func() {
					if err := env.Client.DeleteCluster(testCtx(t), first, true); err != nil {
						t.Fatal(err)
					}
					if len(env.agentObjects(t, first)) == 0 {
						t.Fatal("the agent left with its cluster: no trap to walk into")
					}
				},
				Config: config,
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{plancheck.ExpectResourceAction("palette_imported_cluster.test", plancheck.ResourceActionCreate)},
				},
				Check: resource.ComposeTestCheckFunc(
					stateID("palette_imported_cluster.test", &second),
					resource.TestCheckResourceAttr("palette_imported_cluster.test", "state", wire.StateRunning),
					func(*terraform.State) error {
						if second == first {
							return fmt.Errorf("the cluster was not imported anew (%s)", first)
						}
						if refs := env.agentObjects(t, first); len(refs) > 0 {
							return fmt.Errorf("%d objects of the stale agent %s are left, e.g. %s", len(refs), first, refs[0])
						}
						if len(env.agentObjects(t, second)) == 0 {
							return fmt.Errorf("the new agent of %s is not installed", second)
						}
						return nil
					},
				),
			},
		},
	})
}
