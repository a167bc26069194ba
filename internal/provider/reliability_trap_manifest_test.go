package provider

import (
	"fmt"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/terraform-palette/terraform-provider-palette/internal/wire"
)

var _ = registerTrap("manifest_gitops", trapManifestGitOps)

// manifestGitOpsDestroyBudget is how long the destroy of a GitOps-only
// cluster may take: no agent ever registered, so there is nothing to wait
// for (the trap waited for the 15-minute delete timeout).
const manifestGitOpsDestroyBudget = time.Minute

// trapManifestGitOps: the GitOps flow of palette_import_manifest (the
// cluster imported with wait_for = "none" and no cluster access, its
// manifest read by the data source for a GitOps repository). Each read
// used to mint a new agent token (the data source changed on every plan)
// and to move the cluster to Importing, so that the destroy waited for an
// agent that never came, and the next one failed at refresh. Now three
// plans change nothing, the cluster stays Pending, and one destroy
// converges at once.
func trapManifestGitOps(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t, testEnvOptions{})
	const manifestAddr = "data.palette_import_manifest.gitops"
	config := testAccImportedClusterConfig(env, "gitops-trap", "read_only", `  wait_for = "none"`) + `
data "palette_import_manifest" "gitops" {
  cluster_id = palette_imported_cluster.test.id
}

# What a GitOps pipeline would commit: it changes when the manifest does.
resource "terraform_data" "gitops_commit" {
  input = data.palette_import_manifest.gitops.sha256
}
`
	var uid, sha string
	var destroyStart time.Time
	stillPending := func(s *terraform.State) error {
		if uid == "" {
			if err := stateID(testResource, &uid)(s); err != nil {
				return err
			}
		}
		if st := env.API.ClusterState(t, uid); st != wire.StatePending {
			return fmt.Errorf("cluster %s is %s after reading its manifest; want Pending (no agent registered)", uid, st)
		}
		got := s.RootModule().Resources[manifestAddr].Primary.Attributes["sha256"]
		if sha == "" {
			sha = got
		} else if got != sha {
			return fmt.Errorf("the manifest changed between reads (sha256 %s, then %s): its agent token is not stable", sha, got)
		}
		destroyStart = time.Now() // the destroy follows the last step to pass
		return nil
	}
	stable := resource.TestStep{
		Config: config,
		ConfigPlanChecks: resource.ConfigPlanChecks{
			PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
		},
		ConfigStateChecks: []statecheck.StateCheck{
			statecheck.ExpectKnownValue(testResource, tfjsonpath.New("state"), knownvalue.StringExact(wire.StatePending)),
		},
		Check: stillPending,
	}
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		CheckDestroy: func(s *terraform.State) error {
			if err := env.testAccCheckImportedClusterDestroy(s); err != nil {
				return err
			}
			if st := env.API.ClusterState(t, uid); st != wire.StateDeleted {
				return fmt.Errorf("cluster %s is %s after the destroy, want Deleted", uid, st)
			}
			if d := time.Since(destroyStart); !destroyStart.IsZero() && d > manifestGitOpsDestroyBudget {
				return fmt.Errorf("the destroy took %s (budget %s): it waited for an agent that never registered", d.Round(time.Second), manifestGitOpsDestroyBudget)
			}
			t.Logf("manifest_gitops: 4 steps (an apply, 3 no-change plans) read one manifest, the cluster stayed Pending, destroy in %s", time.Since(destroyStart).Round(10*time.Millisecond))
			return nil
		},
		Steps: []resource.TestStep{
			{
				Config: config,
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(testResource, tfjsonpath.New("state"), knownvalue.StringExact(wire.StatePending)),
					statecheck.ExpectSensitiveValue(manifestAddr, tfjsonpath.New("manifest")),
				},
				Check: stillPending,
			},
			// Three more plans (each step plans, applies nothing, refreshes
			// and plans again): the data source reads the same manifest.
			stable, stable, stable,
		},
	})
}
