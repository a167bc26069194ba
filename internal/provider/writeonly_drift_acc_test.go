package provider

import (
	"fmt"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfversion"

	"github.com/terraform-palette/terraform-provider-palette/internal/manifest"
)

// TestAccImportedCluster_writeOnlyAgentDrift: with write-only access the
// refresh has no credentials, so an agent deleted out of band used to show
// only as health → UnHealthy and then "No changes". The plan reads the
// write-only kubeconfig from the configuration, finds the agent gone, and
// plans its reinstall with a warning; one apply puts it back; the plan
// after that is empty.
func TestAccImportedCluster_writeOnlyAgentDrift(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t, testEnvOptions{flavor: "generic"})
	var uid string
	config := testAccImportedClusterConfig_writeOnly(env, "wo-drift")
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		TerraformVersionChecks:   []tfversion.TerraformVersionCheck{tfversion.SkipBelow(tfversion.Version1_11_0)},
		CheckDestroy:             env.testAccCheckImportedClusterDestroy,
		Steps: []resource.TestStep{{
			Config: config,
			Check: resource.ComposeTestCheckFunc(
				stateID(testResource, &uid),
				func(*terraform.State) error { return env.removeAgentByHand(t, uid) }, // somebody removes the agent by hand
			),
			ExpectNonEmptyPlan: true,
		}, {
			Config:   config,
			PlanOnly: true,
			ConfigPlanChecks: resource.ConfigPlanChecks{
				PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectResourceAction(testResource, plancheck.ResourceActionUpdate)},
			},
			ExpectNonEmptyPlan: true,
		}, {
			Config: config,
			ConfigPlanChecks: resource.ConfigPlanChecks{
				PreApply: []plancheck.PlanCheck{plancheck.ExpectResourceAction(testResource, plancheck.ResourceActionUpdate)},
			},
			Check: func(*terraform.State) error {
				if !hasObject(env.agentObjects(t, uid), "Deployment", manifest.AgentDeployment) {
					return fmt.Errorf("the agent was not reinstalled")
				}
				return nil
			},
		}, {
			// Back in place: nothing more to do.
			Config:   config,
			PlanOnly: true,
		}},
	})
}
