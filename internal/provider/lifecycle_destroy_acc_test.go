package provider

import (
	"context"
	"errors"
	"fmt"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"

	"github.com/terraform-palette/terraform-provider-palette/internal/manifest"
	"github.com/terraform-palette/terraform-provider-palette/internal/palette"
	"github.com/terraform-palette/terraform-provider-palette/internal/wire"
)

// TestAccImportedCluster_lifecycleDestroyFalse: Terraform 1.16's
// `lifecycle { destroy = false }` makes a destroy forget the resource
// instead of deleting it. The provider's delete is never called, so with
// each deletion_policy — even "force", which would remove the agent's
// objects itself — the cluster stays imported (Running) in Palette and its
// agent stays in the cluster: destroy = false wins, and deletion_policy
// only matters once the lifecycle rule is gone.
//
// OpenTofu (1.12 and later) forgets it too, but its destroy then exits with
// "Destroy was successful but left behind forgotten instances" unless given
// -suppress-forget-errors, which terraform-plugin-testing's post-test
// destroy cannot pass: the test runs on Terraform only.
func TestAccImportedCluster_lifecycleDestroyFalse(t *testing.T) {
	t.Parallel()
	testAccPreCheck(t)
	if usingOpenTofu() {
		t.Skip("OpenTofu's destroy fails on forgotten instances without -suppress-forget-errors, which terraform-plugin-testing cannot pass")
	}
	if major, minor := cliVersion(t); major == 1 && minor < 16 {
		t.Skipf("lifecycle { destroy = false } needs Terraform 1.16 or later (have %d.%d)", major, minor)
	}
	for _, policy := range []string{deletionPolicyDeregister, deletionPolicyForce, deletionPolicyAbandon} {
		t.Run(policy, func(t *testing.T) {
			env := newTestEnv(t, testEnvOptions{flavor: "generic", leavesClusters: true})
			var uid string
			resource.Test(t, resource.TestCase{
				ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
				CheckDestroy: func(*terraform.State) error {
					c, err := env.Client.GetCluster(context.Background(), uid)
					if err != nil || c.Status.State != wire.StateRunning {
						return fmt.Errorf("destroy = false with deletion_policy = %q must leave the cluster imported: %v %w", policy, c, err)
					}
					if !hasObject(env.agentObjects(t, uid), "Deployment", manifest.AgentDeployment) {
						return fmt.Errorf("destroy = false with deletion_policy = %q must leave the agent in place", policy)
					}
					return nil
				},
				Steps: []resource.TestStep{{
					Config: testAccImportedClusterConfig(env, "forget-"+policy, "read_only", fmt.Sprintf(`  deletion_policy = %q
  lifecycle {
    destroy = false
  }`, policy)),
					Check: stateID(testResource, &uid),
				}},
			})
		})
	}
}

// TestAccImportedCluster_lifecycleDestroyFalseBlockRemoved: Terraform keeps
// `destroy = false` in the configuration only, not in state. Deleting the
// resource block deletes the rule with it: the plan destroys the cluster,
// and deletion_policy (kept in state) decides what that does — here
// "deregister", so the cluster leaves Palette. The docs tell users to write
// a removed block with destroy = false instead.
func TestAccImportedCluster_lifecycleDestroyFalseBlockRemoved(t *testing.T) {
	t.Parallel()
	testAccPreCheck(t)
	if usingOpenTofu() {
		t.Skip("OpenTofu's destroy fails on forgotten instances without -suppress-forget-errors, which terraform-plugin-testing cannot pass")
	}
	if major, minor := cliVersion(t); major == 1 && minor < 16 {
		t.Skipf("lifecycle { destroy = false } needs Terraform 1.16 or later (have %d.%d)", major, minor)
	}
	env := newTestEnv(t, testEnvOptions{flavor: "generic"})
	var uid string
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		CheckDestroy: func(*terraform.State) error {
			_, err := findClusterByID(context.Background(), env.Client, uid)
			switch {
			case err == nil:
				return fmt.Errorf("cluster %s is still in Palette: removing its block (and destroy = false with it) must deregister it", uid)
			case !errors.Is(err, palette.ErrNotFound):
				return err
			}
			return nil
		},
		Steps: []resource.TestStep{
			{
				Config: testAccImportedClusterConfig(env, "forget-removed", "read_only", `  lifecycle {
    destroy = false
  }`),
				Check: stateID(testResource, &uid),
			},
			{
				Config: env.providerConfig(),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{plancheck.ExpectResourceAction(testResource, plancheck.ResourceActionDestroy)},
				},
			},
		},
	})
}
