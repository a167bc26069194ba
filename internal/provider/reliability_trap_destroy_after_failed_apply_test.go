package provider

import (
	"fmt"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
)

var _ = registerTrap("destroy_after_failed_apply", trapDestroyAfterFailedApply)

// trapDestroyAfterFailedApply: an apply creates a read-only cluster and
// fails on the attachment that refers to it (add-on profiles need Full
// Permission; the cluster's ID, unknown at the first plan, hid the rule).
// `terraform destroy` first runs a normal plan (the pre-destroy refresh),
// which plans the attachment never made: once, the rule was an error there
// and the destroy could not start. Now a rule broken by a cluster of the
// same configuration is a warning at plan and an error at apply, and the
// one destroy converges.
func trapDestroyAfterFailedApply(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t, testEnvOptions{})
	hello := env.createProfile(t, "hello-addon.yaml", false, nil)
	config := env.providerConfig() + fmt.Sprintf(`
resource "palette_imported_cluster" "test" {
  name        = "trap-destroy-after-failed-apply"
  cloud_type  = "generic"
  import_mode = "read_only"
  wait_for    = "none"
}

resource "palette_addon_profile_attachment" "test" {
  cluster_id = palette_imported_cluster.test.id
  profile_id = %q
}
`, hello)
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		CheckDestroy:             env.testAccCheckImportedClusterDestroy,
		Steps: []resource.TestStep{
			{
				Config:      config,
				ExpectError: readOnlyRejected,
			},
			{
				// A normal plan still says what the apply will do: it
				// fails the same way (the rule holds at apply).
				Config:      config,
				ExpectError: readOnlyRejected,
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{plancheck.ExpectResourceAction("palette_addon_profile_attachment.test", plancheck.ResourceActionCreate)},
				},
			},
			{
				// terraform destroy: its pre-destroy refresh plans the
				// attachment never made, and must not fail on it.
				Config:  config,
				Destroy: true,
			},
		},
	})
}
