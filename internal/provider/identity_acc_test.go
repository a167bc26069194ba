package provider

import (
	"fmt"
	"os"
	"regexp"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"
	"github.com/hashicorp/terraform-plugin-testing/tfversion"

	"github.com/terraform-palette/terraform-provider-palette/internal/wire"
)

// identityCLI points the test at a Terraform that knows resource identity
// (1.12 or later): PALETTE_TEST_TERRAFORM_IDENTITY (make test sets it to
// the Terraform of scripts/build-terraform.sh, 1.16.4, also when
// TF_ACC_TERRAFORM_PATH names an older CLI), or the suite's own CLI when it
// is new enough. Without one the test is skipped (by the version check
// below).
func identityCLI(t *testing.T) {
	t.Helper()
	if p := os.Getenv("PALETTE_TEST_TERRAFORM_IDENTITY"); p != "" && !usingOpenTofu() {
		t.Setenv("TF_ACC_TERRAFORM_PATH", p)
	}
}

// TestAccResourceIdentity: both resources carry an identity — the cluster's
// UID; the attachment's cluster and profile UIDs — and an import block
// that gives only the identity (no ID string) brings each one back with no
// change planned.
func TestAccResourceIdentity(t *testing.T) {
	identityCLI(t)
	if major, minor := cliVersion(t); major == 1 && minor < 12 {
		t.Skipf("resource identity needs Terraform 1.12 or later (have 1.%d; set PALETTE_TEST_TERRAFORM_IDENTITY)", minor)
	}
	env := newTestEnv(t, testEnvOptions{flavor: "generic"})
	hello := env.createProfile(t, "hello-addon.yaml", false, nil)
	config := env.providerConfig() + fmt.Sprintf(`
resource "palette_imported_cluster" "test" {
  name            = "identity"
  deletion_policy = "force"
%s}

resource "palette_addon_profile_attachment" "test" {
  cluster_id = palette_imported_cluster.test.id
  profile_id = %q
}
`, env.kubeAccess(), hello)
	uidRE := regexp.MustCompile(`^[0-9a-f]{24}$`)
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		TerraformVersionChecks:   []tfversion.TerraformVersionCheck{tfversion.SkipBelow(tfversion.Version1_12_0)},
		CheckDestroy:             env.testAccCheckImportedClusterDestroy,
		Steps: []resource.TestStep{{
			Config: config,
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectIdentity(testResource, map[string]knownvalue.Check{"id": knownvalue.StringRegexp(uidRE)}),
				statecheck.ExpectIdentityValueMatchesState(testResource, tfjsonpath.New("id")),
				statecheck.ExpectIdentity(testAttachment, map[string]knownvalue.Check{
					"cluster_id": knownvalue.StringRegexp(uidRE),
					"profile_id": knownvalue.StringExact(hello),
				}),
				statecheck.ExpectIdentityValueMatchesState(testAttachment, tfjsonpath.New("cluster_id")),
			},
		}, {
			// Each import runs in a new directory: the configuration holds
			// only what Palette knows of the object (no cluster access).
			Config: env.providerConfig() + `
resource "palette_imported_cluster" "test" {
  name = "identity"
}
`,
			ResourceName:    testResource,
			ImportState:     true,
			ImportStateKind: resource.ImportBlockWithResourceIdentity,
		}, {
			Config: env.providerConfig() + fmt.Sprintf(`
data "palette_imported_cluster" "identity" {
  name = "identity"
}

resource "palette_addon_profile_attachment" "test" {
  cluster_id = data.palette_imported_cluster.identity.id
  profile_id = %q
}
`, hello),
			ResourceName:    testAttachment,
			ImportState:     true,
			ImportStateKind: resource.ImportBlockWithResourceIdentity,
		}},
	})
}

// TestAccResourceIdentity_day2: a namespace and a role binding carry the
// identity { cluster_id, name }, and an import block that gives only it
// brings each back with no change planned.
func TestAccResourceIdentity_day2(t *testing.T) {
	identityCLI(t)
	if major, minor := cliVersion(t); major == 1 && minor < 12 {
		t.Skipf("resource identity needs Terraform 1.12 or later (have 1.%d; set PALETTE_TEST_TERRAFORM_IDENTITY)", minor)
	}
	env := newTestEnv(t, testEnvOptions{})
	cid := env.importClusterDirect(t, "identity-day2", wire.CloudTypeGeneric, "", nil)
	namespace := env.providerConfig() + fmt.Sprintf(`
resource "palette_cluster_namespace" "test" {
  cluster_id = %q
  name       = "team-a"
  cpu_cores  = 1
  memory_mib = 256
}
`, cid)
	binding := fmt.Sprintf(`
resource "palette_cluster_role_binding" "test" {
  cluster_id = %q
  name       = "viewers"
  type       = "ClusterRoleBinding"
  role       = { kind = "ClusterRole", name = "view" }
  subjects   = [{ kind = "Group", name = "viewers" }]
}
`, cid)
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		TerraformVersionChecks:   []tfversion.TerraformVersionCheck{tfversion.SkipBelow(tfversion.Version1_12_0)},
		Steps: []resource.TestStep{{
			Config: namespace + binding,
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectIdentity(testNamespace, map[string]knownvalue.Check{
					"cluster_id": knownvalue.StringExact(cid), "name": knownvalue.StringExact("team-a"),
				}),
				statecheck.ExpectIdentity(testBinding, map[string]knownvalue.Check{
					"cluster_id": knownvalue.StringExact(cid), "name": knownvalue.StringExact("viewers"),
				}),
			},
		}, {
			Config:          namespace,
			ResourceName:    testNamespace,
			ImportState:     true,
			ImportStateKind: resource.ImportBlockWithResourceIdentity,
		}, {
			Config:          env.providerConfig() + binding,
			ResourceName:    testBinding,
			ImportState:     true,
			ImportStateKind: resource.ImportBlockWithResourceIdentity,
		}},
	})
}
