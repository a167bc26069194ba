package provider

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"
	"github.com/hashicorp/terraform-plugin-testing/tfversion"

	"github.com/terraform-palette/terraform-provider-palette/internal/acctest/localtest"
	"github.com/terraform-palette/terraform-provider-palette/internal/manifest"
	"github.com/terraform-palette/terraform-provider-palette/internal/wire"
)

const testResource = "palette_imported_cluster.test"

// importVerifyIgnore are the attributes that cannot come back from an
// import: cluster access and write-only values, and what only the apply knew.
var importVerifyIgnore = []string{
	"kubernetes", "kubeconfig_wo", "kubeconfig_wo_version", "wait_for", "deletion_policy", "timeouts",
	"manifest_sha256", "agent_installed",
}

func testAccImportedClusterConfig(env *testEnv, name, mode, extra string) string {
	access := ""
	if env.Kube != nil {
		access = env.kubeAccess()
	}
	return env.providerConfig() + fmt.Sprintf(`
resource "palette_imported_cluster" "test" {
  name        = %q
  import_mode = %q
%s
%s
}
`, name, mode, access, extra)
}

// testAccImportedClusterConfig_writeOnly is a read-only cluster reached
// through the write-only kubeconfig_wo alone (no kubernetes block).
func testAccImportedClusterConfig_writeOnly(env *testEnv, name string) string {
	return env.providerConfig() + fmt.Sprintf(`
resource "palette_imported_cluster" "test" {
  name                  = %q
  import_mode           = "read_only"
  kubeconfig_wo         = file(%q)
  kubeconfig_wo_version = 1
  deletion_policy       = "force"
}
`, name, env.Kube.Kubeconfig)
}

func TestAccImportedCluster_basic(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t, testEnvOptions{flavor: "generic", nodes: 2})
	var uid string
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		CheckDestroy:             env.testAccCheckImportedClusterDestroy,
		Steps: []resource.TestStep{
			{
				Config: testAccImportedClusterConfig(env, "basic", "read_only", `  labels = { env = "test" }
  description = "acceptance"`),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(testResource, tfjsonpath.New("state"), knownvalue.StringExact("Running")),
					statecheck.ExpectKnownValue(testResource, tfjsonpath.New("health"), knownvalue.StringExact("Healthy")),
					statecheck.ExpectKnownValue(testResource, tfjsonpath.New("cloud_type"), knownvalue.StringExact("generic")),
					statecheck.ExpectKnownValue(testResource, tfjsonpath.New("import_mode"), knownvalue.StringExact("read_only")),
					statecheck.ExpectKnownValue(testResource, tfjsonpath.New("region"), knownvalue.NotNull()),
					statecheck.ExpectKnownValue(testResource, tfjsonpath.New("instance_types"), knownvalue.ListSizeExact(1)),
					// Palette shows a generic cluster's region and instance type only.
					statecheck.ExpectKnownValue(testResource, tfjsonpath.New("kubernetes_version"), knownvalue.StringExact("")),
					statecheck.ExpectKnownValue(testResource, tfjsonpath.New("node_count"), knownvalue.Int64Exact(0)),
					statecheck.ExpectKnownValue(testResource, tfjsonpath.New("agent_installed"), knownvalue.Bool(true)),
					statecheck.ExpectKnownValue(testResource, tfjsonpath.New("labels"), knownvalue.MapExact(map[string]knownvalue.Check{"env": knownvalue.StringExact("test")})),
					statecheck.ExpectSensitiveValue(testResource, tfjsonpath.New("import_command")),
				},
				Check: resource.ComposeTestCheckFunc(
					env.testAccCheckImportedClusterExists(testResource, &uid),
					resource.TestMatchResourceAttr(testResource, "manifest_sha256", regexp.MustCompile(`^[0-9a-f]{64}$`)),
					resource.TestMatchResourceAttr(testResource, "id", regexp.MustCompile(`^[0-9a-f]{24}$`)),
					func(s *terraform.State) error {
						refs := env.agentObjects(t, uid)
						for _, want := range [][2]string{
							{"Namespace", manifest.AgentNamespace(uid)},
							{"Deployment", manifest.AgentDeployment},
							{"ClusterRole", manifest.ReadOnlyClusterRole},
							{"ClusterRoleBinding", manifest.ReadOnlyClusterRoleBinding},
						} {
							if !hasObject(refs, want[0], want[1]) {
								return fmt.Errorf("agent object %s %s missing from the cluster; have %v", want[0], want[1], refs)
							}
						}
						if hasObject(refs, "Deployment", manifest.ManagerDeployment) {
							return fmt.Errorf("read-only import installed the full permission %s", manifest.ManagerDeployment)
						}
						// Region and instance types come from the nodes' labels.
						facts, err := env.kubeClient(t).NodeFacts(testCtx(t))
						if err != nil {
							return err
						}
						return resource.ComposeTestCheckFunc(
							resource.TestCheckResourceAttr(testResource, "region", facts.Region),
							resource.TestCheckResourceAttr(testResource, "instance_types.0", facts.InstanceTypes[0]),
						)(s)
					},
				),
			},
			{
				ResourceName:            testResource,
				ImportState:             true,
				ImportStateVerify:       true,
				ImportStateVerifyIgnore: importVerifyIgnore,
			},
			{
				// An import block by UID plans no change when the
				// configuration holds only what Palette knows (cluster
				// access is not recoverable from Palette).
				Config: env.providerConfig() + `
resource "palette_imported_cluster" "test" {
  name        = "basic"
  import_mode = "read_only"
  labels      = { env = "test" }
  description = "acceptance"
}
`,
				ResourceName:    testResource,
				ImportState:     true,
				ImportStateKind: resource.ImportBlockWithID,
				// terraform-plugin-testing runs `init` for this step in a new
				// directory, where OpenTofu looks the dev provider up in its
				// registry (no network here): import blocks are tested with
				// Terraform only.
				SkipFunc: func() (bool, error) { return usingOpenTofu(), nil },
			},
			{
				// Labels and description change in place.
				Config: testAccImportedClusterConfig(env, "basic", "read_only", `  labels = { env = "prod" }`),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{plancheck.ExpectResourceAction(testResource, plancheck.ResourceActionUpdate)},
				},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(testResource, tfjsonpath.New("labels"), knownvalue.MapExact(map[string]knownvalue.Check{"env": knownvalue.StringExact("prod")})),
					statecheck.ExpectKnownValue(testResource, tfjsonpath.New("description"), knownvalue.Null()),
				},
			},
		},
	})
}

func TestAccImportedCluster_fullPermission(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t, testEnvOptions{flavor: "aws", nodes: 3})
	var uid string
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		CheckDestroy:             env.testAccCheckImportedClusterDestroy,
		Steps: []resource.TestStep{{
			Config: testAccImportedClusterConfig(env, "full", "full_permission", `  cloud_type = "aws"
  proxy = {
    https_proxy = "http://proxy.internal:3128"
    no_proxy    = "10.0.0.0/8"
  }`),
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue(testResource, tfjsonpath.New("state"), knownvalue.StringExact("Running")),
				statecheck.ExpectKnownValue(testResource, tfjsonpath.New("health"), knownvalue.StringExact("Healthy")),
				// A cloud-specific cluster shows all of its metadata.
				statecheck.ExpectKnownValue(testResource, tfjsonpath.New("node_count"), knownvalue.Int64Exact(3)),
				statecheck.ExpectKnownValue(testResource, tfjsonpath.New("kubernetes_version"), knownvalue.StringRegexp(regexp.MustCompile(`^v1\.`))),
				statecheck.ExpectKnownValue(testResource, tfjsonpath.New("cloud_config_uid"), knownvalue.StringRegexp(regexp.MustCompile(`^[0-9a-f]{24}$`))),
				statecheck.ExpectKnownValue(testResource, tfjsonpath.New("proxy").AtMapKey("https_proxy"), knownvalue.StringExact("http://proxy.internal:3128")),
			},
			Check: resource.ComposeTestCheckFunc(
				env.testAccCheckImportedClusterExists(testResource, &uid),
				func(*terraform.State) error {
					refs := env.agentObjects(t, uid)
					for _, want := range [][2]string{
						{"Deployment", manifest.ManagerDeployment},
						{"ServiceAccount", manifest.ManagerServiceAccount},
						{"ClusterRoleBinding", manifest.ManagerClusterRoleBinding},
					} {
						if !hasObject(refs, want[0], want[1]) {
							return fmt.Errorf("full permission object %s %s missing; have %v", want[0], want[1], refs)
						}
					}
					return nil
				},
			),
		}, {
			ResourceName:      testResource,
			ImportState:       true,
			ImportStateVerify: true,
			// Palette does not show a cluster's proxy again (no read model
			// of the spec has it): an import cannot recover it.
			ImportStateVerifyIgnore: append(append([]string{}, importVerifyIgnore...), "proxy"),
		}},
	})
}

func TestAccImportedCluster_migrateToFullPermission(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t, testEnvOptions{flavor: "generic"})
	var before, after string
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		CheckDestroy:             env.testAccCheckImportedClusterDestroy,
		Steps: []resource.TestStep{
			{
				Config: testAccImportedClusterConfig(env, "migrate", "read_only", ""),
				Check:  stateID(testResource, &before),
			},
			{
				Config: testAccImportedClusterConfig(env, "migrate", "full_permission", ""),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{plancheck.ExpectResourceAction(testResource, plancheck.ResourceActionUpdate)},
				},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(testResource, tfjsonpath.New("import_mode"), knownvalue.StringExact("full_permission")),
					statecheck.ExpectKnownValue(testResource, tfjsonpath.New("health"), knownvalue.StringExact("Healthy")),
				},
				Check: resource.ComposeTestCheckFunc(
					stateID(testResource, &after),
					func(*terraform.State) error {
						if before != after {
							return fmt.Errorf("migration replaced the cluster: %s → %s", before, after)
						}
						c, err := env.Client.GetCluster(context.Background(), after)
						if err != nil {
							return err
						}
						meta, err := env.Client.GetClusterMeta(context.Background(), after, c.Metadata.Name)
						if err != nil {
							return err
						}
						if meta.SpecSummary.ImportMode != wire.ImportModeFullPermission {
							return fmt.Errorf("Palette still shows import mode %q", meta.SpecSummary.ImportMode)
						}
						if !hasObject(env.agentObjects(t, after), "Deployment", manifest.ManagerDeployment) {
							return fmt.Errorf("the full permission manifest was not applied")
						}
						return nil
					},
				),
			},
		},
	})
}

func TestAccImportedCluster_fullToReadOnlyReplaces(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t, testEnvOptions{flavor: "generic"})
	var before, after string
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		CheckDestroy:             env.testAccCheckImportedClusterDestroy,
		Steps: []resource.TestStep{
			{
				Config: testAccImportedClusterConfig(env, "downgrade", "full_permission", ""),
				Check:  stateID(testResource, &before),
			},
			{
				Config: testAccImportedClusterConfig(env, "downgrade", "read_only", ""),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{plancheck.ExpectResourceAction(testResource, plancheck.ResourceActionDestroyBeforeCreate)},
				},
				Check: resource.ComposeTestCheckFunc(
					stateID(testResource, &after),
					resource.TestCheckResourceAttr(testResource, "import_mode", "read_only"),
					func(*terraform.State) error {
						if before == after {
							return fmt.Errorf("expected a new import, got the same UID %s", after)
						}
						if refs := env.agentObjects(t, before); len(refs) != 0 {
							return fmt.Errorf("objects of the old import remain: %v", refs)
						}
						return nil
					},
				),
			},
		},
	})
}

func TestAccImportedCluster_proxyReadOnlyRejected(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t, testEnvOptions{})
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{{
			Config:      testAccImportedClusterConfig(env, "proxy-ro", "read_only", `  proxy = { https_proxy = "http://proxy:3128" }`),
			PlanOnly:    true,
			ExpectError: regexp.MustCompile(`Proxy settings need Full\s+Permission mode`),
		}},
	})
	env.expectNoClusters(t)
}

func TestAccImportedCluster_unknownCloudType(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t, testEnvOptions{})
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{{
			Config:      testAccImportedClusterConfig(env, "cloud", "read_only", `  cloud_type = "digitalocean"`),
			PlanOnly:    true,
			ExpectError: regexp.MustCompile(`(?s)cloud_type.*value must be one of`),
		}},
	})
	env.expectNoClusters(t)
}

func TestAccImportedCluster_cloudTypeMismatch(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t, testEnvOptions{flavor: "generic"})
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{{
			Config:      testAccImportedClusterConfig(env, "mismatch", "read_only", `  cloud_type = "aws"`),
			PlanOnly:    true,
			ExpectError: regexp.MustCompile(`Cloud type does not match the\s+cluster`),
		}},
	})
	env.expectNoClusters(t)
}

func TestAccImportedCluster_forbiddenCredentials(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t, testEnvOptions{flavor: "generic"})
	host, ca, token := env.viewOnlyCredentials(t)
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		TerraformVersionChecks:   []tfversion.TerraformVersionCheck{tfversion.SkipBelow(tfversion.Version1_11_0)},
		Steps: []resource.TestStep{{
			Config: env.providerConfig() + fmt.Sprintf(`
resource "palette_imported_cluster" "test" {
  name        = "forbidden"
  import_mode = "read_only"
  kubernetes = {
    host                   = %q
    cluster_ca_certificate = %q
    token_wo               = %q
  }
}
`, host, ca, token),
			PlanOnly:    true,
			ExpectError: regexp.MustCompile(`Cluster credentials cannot\s+install the agent`),
		}},
	})
	env.expectNoClusters(t)
}

func TestAccImportedCluster_writeOnlyKubeconfig(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t, testEnvOptions{flavor: "generic"})
	raw, err := os.ReadFile(env.Kube.Kubeconfig)
	if err != nil {
		t.Fatal(err)
	}
	secrets := kubeconfigSecrets(t, raw)
	noSecret := func(where, text string) error {
		for _, s := range secrets {
			if strings.Contains(text, s) {
				return fmt.Errorf("a cluster credential was found in %s", where)
			}
		}
		return nil
	}
	config := testAccImportedClusterConfig_writeOnly(env, "write-only")
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		TerraformVersionChecks:   []tfversion.TerraformVersionCheck{tfversion.SkipBelow(tfversion.Version1_11_0)},
		CheckDestroy:             env.testAccCheckImportedClusterDestroy,
		Steps: []resource.TestStep{{
			Config: config,
			ConfigPlanChecks: resource.ConfigPlanChecks{
				PreApply: []plancheck.PlanCheck{planJSONCheck(func(js string) error { return noSecret("the plan", js) })},
			},
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue(testResource, tfjsonpath.New("kubeconfig_wo"), knownvalue.Null()),
				statecheck.ExpectKnownValue(testResource, tfjsonpath.New("state"), knownvalue.StringExact("Running")),
			},
			Check: func(s *terraform.State) error {
				b, err := json.Marshal(s)
				if err != nil {
					return err
				}
				return noSecret("the state", string(b))
			},
		}},
	})
}

func TestAccImportedCluster_noClusterAccess(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t, testEnvOptions{})
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		CheckDestroy:             env.testAccCheckImportedClusterDestroy,
		Steps: []resource.TestStep{{
			Config: testAccImportedClusterConfig(env, "gitops", "read_only", `  wait_for = "none"`),
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue(testResource, tfjsonpath.New("state"), knownvalue.StringExact("Pending")),
				statecheck.ExpectKnownValue(testResource, tfjsonpath.New("import_command"),
					knownvalue.StringRegexp(regexp.MustCompile(`^kubectl apply -f https?://\S+/v1/spectroclusters/[0-9a-f]{24}/import/manifest\?token=\S+$`))),
				statecheck.ExpectKnownValue(testResource, tfjsonpath.New("manifest_sha256"), knownvalue.StringExact("")),
				statecheck.ExpectKnownValue(testResource, tfjsonpath.New("agent_installed"), knownvalue.Null()),
			},
		}},
	})
}

// A change of provider settings only (wait_for, deletion_policy, as after
// terraform import into a configuration that sets them) is an update that
// keeps every computed attribute known in the plan and makes no API call.
func TestAccImportedCluster_providerSettingsOnly(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t, testEnvOptions{})
	var before map[string]int
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		CheckDestroy:             env.testAccCheckImportedClusterDestroy,
		Steps: []resource.TestStep{
			{Config: testAccImportedClusterConfig(env, "settings", "read_only", `  wait_for = "none"`)},
			{
				Config: testAccImportedClusterConfig(env, "settings", "read_only", `  wait_for = "running"
  deletion_policy = "force"`),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{
						plancheck.ExpectResourceAction(testResource, plancheck.ResourceActionUpdate),
						plancheck.ExpectKnownValue(testResource, tfjsonpath.New("state"), knownvalue.StringExact("Pending")),
						plancheck.ExpectKnownValue(testResource, tfjsonpath.New("health"), knownvalue.NotNull()),
						plancheck.ExpectKnownValue(testResource, tfjsonpath.New("manifest_sha256"), knownvalue.StringExact("")),
						plancheck.ExpectKnownValue(testResource, tfjsonpath.New("instance_types"), knownvalue.NotNull()),
						plancheck.ExpectKnownValue(testResource, tfjsonpath.New("node_count"), knownvalue.NotNull()),
						plancheck.ExpectKnownValue(testResource, tfjsonpath.New("import_command"), knownvalue.NotNull()),
						recordRequests(env, &before),
					},
				},
				Check: func(*terraform.State) error {
					// The saved plan's apply configures the provider (the
					// project list) and updates: nothing else is asked.
					for k, n := range env.API.Server.Requests() {
						if n != before[k] && !strings.Contains(k, "/projects") {
							return fmt.Errorf("the apply of a settings change called the API: %s (%d times)", k, n-before[k])
						}
					}
					return nil
				},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(testResource, tfjsonpath.New("wait_for"), knownvalue.StringExact("running")),
					statecheck.ExpectKnownValue(testResource, tfjsonpath.New("deletion_policy"), knownvalue.StringExact("force")),
				},
			},
		},
	})
}

// recordRequests is a plan check that records the local API's request
// counts, so that a Check can tell which requests the apply made.
func recordRequests(env *testEnv, out *map[string]int) plancheck.PlanCheck {
	return planCheckFunc(func(context.Context, plancheck.CheckPlanRequest, *plancheck.CheckPlanResponse) {
		*out = env.API.Server.Requests()
	})
}

type planCheckFunc func(context.Context, plancheck.CheckPlanRequest, *plancheck.CheckPlanResponse)

func (f planCheckFunc) CheckPlan(ctx context.Context, req plancheck.CheckPlanRequest, resp *plancheck.CheckPlanResponse) {
	f(ctx, req, resp)
}

func TestAccImportedCluster_disappears(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t, testEnvOptions{})
	var uid string
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		CheckDestroy:             env.testAccCheckImportedClusterDestroy,
		Steps: []resource.TestStep{{
			Config: testAccImportedClusterConfig(env, "disappears", "read_only", `  wait_for = "none"`),
			Check: resource.ComposeTestCheckFunc(
				stateID(testResource, &uid),
				func(*terraform.State) error {
					return env.Client.DeleteCluster(context.Background(), uid, true)
				},
			),
			ExpectNonEmptyPlan: true,
		}},
	})
}

func TestAccImportedCluster_agentRemoved(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t, testEnvOptions{flavor: "generic"})
	var uid string
	config := testAccImportedClusterConfig(env, "reinstall", "read_only", `  deletion_policy = "force"`)
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		CheckDestroy:             env.testAccCheckImportedClusterDestroy,
		Steps: []resource.TestStep{
			{
				Config: config,
				Check: resource.ComposeTestCheckFunc(
					stateID(testResource, &uid),
					func(*terraform.State) error { return env.removeAgentByHand(t, uid) }, // somebody removes the agent by hand
				),
				ExpectNonEmptyPlan: true,
			},
			{
				Config: config,
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{plancheck.ExpectResourceAction(testResource, plancheck.ResourceActionUpdate)},
				},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(testResource, tfjsonpath.New("agent_installed"), knownvalue.Bool(true)),
				},
				Check: func(*terraform.State) error {
					if !hasObject(env.agentObjects(t, uid), "Deployment", manifest.AgentDeployment) {
						return fmt.Errorf("the agent was not reinstalled")
					}
					return nil
				},
			},
		},
	})
}

func TestAccImportedCluster_deletionPolicy(t *testing.T) {
	t.Parallel()
	for _, policy := range []string{deletionPolicyDeregister, deletionPolicyForce, deletionPolicyAbandon} {
		t.Run(policy, func(t *testing.T) {
			env := newTestEnv(t, testEnvOptions{flavor: "generic"})
			canary := env.createCanary(t)
			var uid string
			resource.Test(t, resource.TestCase{
				ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
				CheckDestroy: func(s *terraform.State) error {
					c, err := env.Client.GetCluster(context.Background(), uid)
					refs := env.agentObjects(t, uid)
					if policy == deletionPolicyAbandon {
						if err != nil || c.Status.State != wire.StateRunning {
							return fmt.Errorf("abandon must leave the cluster imported: %v %w", c, err)
						}
						if !hasObject(refs, "Deployment", manifest.AgentDeployment) {
							return fmt.Errorf("abandon must leave the agent in place")
						}
					} else {
						if err := env.testAccCheckImportedClusterDestroy(s); err != nil {
							return err
						}
						if len(refs) != 0 {
							return fmt.Errorf("deletion_policy %s left agent objects: %v", policy, refs)
						}
					}
					return env.checkCanary(t, canary)
				},
				Steps: []resource.TestStep{{
					Config: testAccImportedClusterConfig(env, "policy-"+policy, "full_permission", fmt.Sprintf("  deletion_policy = %q", policy)),
					Check:  stateID(testResource, &uid),
				}},
			})
		})
	}
}

func TestAccImportedCluster_lostCreateResponse(t *testing.T) {
	t.Parallel()
	// The import POST is committed, then the connection is reset without an
	// answer: the provider must adopt the cluster, not import it twice.
	env := newTestEnv(t, testEnvOptions{api: []localtest.Option{localtest.WithFaults("lostresponse=1", 1)}})
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		CheckDestroy:             env.testAccCheckImportedClusterDestroy,
		Steps: []resource.TestStep{{
			Config: testAccImportedClusterConfig(env, "lost", "read_only", `  wait_for = "none"`),
			Check: func(*terraform.State) error {
				items, err := env.Client.SearchClusters(context.Background(), wire.SearchFilterSummarySpec{
					Filter: wire.AndFilter(wire.StringFilter("clusterName", "lost")),
				}, 50)
				if err != nil {
					return err
				}
				if len(items) != 1 {
					return fmt.Errorf("want exactly one cluster named lost, got %d", len(items))
				}
				return nil
			},
		}},
	})
}

func TestAccImportedCluster_faults(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t, testEnvOptions{flavor: "generic", api: []localtest.Option{
		localtest.WithFaults("429=0.1,503=0.05,reset=0.05,latency=50ms@0.1", 7),
	}})
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		CheckDestroy:             env.testAccCheckImportedClusterDestroy,
		Steps: []resource.TestStep{{
			Config: testAccImportedClusterConfig(env, "faulty", "read_only", ""),
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue(testResource, tfjsonpath.New("health"), knownvalue.StringExact("Healthy")),
			},
		}},
	})
	env.expectClusterCount(t, 0)
}

// expectNoClusters checks that nothing was imported.
func (e *testEnv) expectNoClusters(t *testing.T) {
	t.Helper()
	e.expectClusterCount(t, 0)
}

// expectClusterCount counts the clusters that are not deleted.
func (e *testEnv) expectClusterCount(t *testing.T, want int) {
	t.Helper()
	items, err := e.Client.SearchClusters(context.Background(), wire.SearchFilterSummarySpec{}, 50)
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, it := range items {
		if it.Status.State != wire.StateDeleted {
			n++
		}
	}
	if n != want {
		t.Fatalf("want %d clusters in Palette, have %d", want, n)
	}
}

// planJSONCheck runs fn on the plan as JSON (what `terraform show -json` prints).
func planJSONCheck(fn func(string) error) plancheck.PlanCheck { return planJSON{fn} }

type planJSON struct{ fn func(string) error }

func (p planJSON) CheckPlan(_ context.Context, req plancheck.CheckPlanRequest, resp *plancheck.CheckPlanResponse) {
	b, err := json.Marshal(req.Plan)
	if err != nil {
		resp.Error = err
		return
	}
	resp.Error = p.fn(string(b))
}

// kubeconfigSecrets returns the credential strings of a kubeconfig: the
// client key and certificate data and any token.
func kubeconfigSecrets(t *testing.T, raw []byte) []string {
	t.Helper()
	var out []string
	for _, line := range strings.Split(string(raw), "\n") {
		line = strings.TrimSpace(line)
		for _, key := range []string{"client-key-data:", "client-certificate-data:", "token:"} {
			if v, ok := strings.CutPrefix(line, key); ok && len(strings.TrimSpace(v)) > 16 {
				out = append(out, strings.TrimSpace(v)[:32])
			}
		}
	}
	if len(out) == 0 {
		t.Fatal("the test kubeconfig has no credential to look for")
	}
	return out
}

// TestAccImportedCluster_openshiftThroughGeneric: Palette's API has no
// import path for OpenShift (nor EKS Anywhere): the cluster is imported
// through the generic one, keeps its plan-time platform check, and reads
// back as what the configuration says, with no diff on the next plan.
func TestAccImportedCluster_openshiftThroughGeneric(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t, testEnvOptions{flavor: "openshift", nodes: 2})
	var uid string
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		CheckDestroy:             env.testAccCheckImportedClusterDestroy,
		Steps: []resource.TestStep{
			{
				Config: testAccImportedClusterConfig(env, "ocp", "full_permission", `  cloud_type = "openshift"`),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(testResource, tfjsonpath.New("cloud_type"), knownvalue.StringExact("openshift")),
					statecheck.ExpectKnownValue(testResource, tfjsonpath.New("state"), knownvalue.StringExact("Running")),
				},
				Check: resource.ComposeTestCheckFunc(
					env.testAccCheckImportedClusterExists(testResource, &uid),
					func(*terraform.State) error {
						cl, err := env.Client.GetCluster(context.Background(), uid)
						if err != nil {
							return err
						}
						if cl.Spec.CloudType != wire.CloudTypeGeneric {
							return fmt.Errorf("Palette has cloud type %q, want generic (the import path the API offers)", cl.Spec.CloudType)
						}
						if n := env.API.Server.Requests()["POST /v1/spectroclusters/{cloudType}/import 201"]; n != 1 {
							return fmt.Errorf("%d imports", n)
						}
						return nil
					},
				),
			},
			{
				Config: testAccImportedClusterConfig(env, "ocp", "full_permission", `  cloud_type = "openshift"`),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
				},
			},
		},
	})
}

// TestAccImportedCluster_execEnvWriteOnly: an exec plugin that reads its
// token from a write-only variable (kubernetes.exec.env_wo) installs the
// agent, and the token is in neither the plan as JSON nor the state; the
// state keeps the plugin but not env_wo, so the refresh leaves the agent
// check to the plans, as with token_wo (agent_installed null), and the
// plans after the apply are empty.
func TestAccImportedCluster_execEnvWriteOnly(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t, testEnvOptions{flavor: "generic"})
	host, ca, token := env.serviceAccountCredentials(t, "exec-admin", "cluster-admin")
	registerSecret("exec env_wo token", token)
	// From a file, as a real configuration would have it: a literal would
	// be echoed in the configuration section of the plan as JSON.
	tokenFile := filepath.Join(t.TempDir(), "token")
	if err := os.WriteFile(tokenFile, []byte(token), 0o600); err != nil {
		t.Fatal(err)
	}
	noToken := func(where, text string) error {
		if strings.Contains(text, token) {
			return fmt.Errorf("the exec plugin's token was found in %s", where)
		}
		return nil
	}
	var uid string
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		TerraformVersionChecks:   []tfversion.TerraformVersionCheck{tfversion.SkipBelow(tfversion.Version1_11_0)},
		CheckDestroy:             env.testAccCheckImportedClusterDestroy,
		Steps: []resource.TestStep{{
			Config: env.providerConfig() + fmt.Sprintf(`
resource "palette_imported_cluster" "test" {
  name            = "exec-env-wo"
  import_mode     = "read_only"
  deletion_policy = "force"
  kubernetes = {
    host                   = %q
    cluster_ca_certificate = %q
    exec = {
      api_version = "client.authentication.k8s.io/v1"
      command     = "/bin/sh"
      args        = ["-c", "printf '{\"apiVersion\":\"client.authentication.k8s.io/v1\",\"kind\":\"ExecCredential\",\"status\":{\"token\":\"%%s\"}}' \"$SA_TOKEN\""]
      env         = { PLUGIN_MODE = "test" }
      env_wo      = { SA_TOKEN = file(%q) }
    }
  }
}
`, host, ca, tokenFile),
			ConfigPlanChecks: resource.ConfigPlanChecks{
				PreApply: []plancheck.PlanCheck{planJSONCheck(func(js string) error { return noToken("the plan", js) })},
			},
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue(testResource, tfjsonpath.New("kubernetes").AtMapKey("exec").AtMapKey("env_wo"), knownvalue.Null()),
				statecheck.ExpectKnownValue(testResource, tfjsonpath.New("state"), knownvalue.StringExact("Running")),
				statecheck.ExpectKnownValue(testResource, tfjsonpath.New("agent_installed"), knownvalue.Null()),
			},
			Check: resource.ComposeTestCheckFunc(
				env.testAccCheckImportedClusterExists(testResource, &uid),
				func(s *terraform.State) error {
					if len(env.agentObjects(t, uid)) == 0 {
						return fmt.Errorf("no agent object of cluster %s in the cluster", uid)
					}
					b, err := json.Marshal(s)
					if err != nil {
						return err
					}
					return noToken("the state", string(b))
				},
			),
		}},
	})
}

// TestAccImportedCluster_execEnvWriteOnlyAdded: env_wo added to an exec
// plugin that ran without it (write-only values make no diff) plans an
// update, whose apply records that refresh and destroy must not run the
// plugin without them: agent_installed is null after it, and the next plan
// is empty.
func TestAccImportedCluster_execEnvWriteOnlyAdded(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t, testEnvOptions{flavor: "generic"})
	host, ca, token := env.serviceAccountCredentials(t, "exec-added", "cluster-admin")
	tokenFile := filepath.Join(t.TempDir(), "token")
	if err := os.WriteFile(tokenFile, []byte(token), 0o600); err != nil {
		t.Fatal(err)
	}
	config := func(envWO string) string {
		return env.providerConfig() + fmt.Sprintf(`
resource "palette_imported_cluster" "test" {
  name            = "exec-env-wo-added"
  import_mode     = "read_only"
  deletion_policy = "force"
  kubernetes = {
    host                   = %q
    cluster_ca_certificate = %q
    exec = {
      api_version = "client.authentication.k8s.io/v1"
      command     = "/bin/sh"
      args        = ["-c", "printf '{\"apiVersion\":\"client.authentication.k8s.io/v1\",\"kind\":\"ExecCredential\",\"status\":{\"token\":\"%%s\"}}' \"$${SA_TOKEN:-$(cat %s)}\""]
%s    }
  }
}
`, host, ca, tokenFile, envWO)
	}
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		TerraformVersionChecks:   []tfversion.TerraformVersionCheck{tfversion.SkipBelow(tfversion.Version1_11_0)},
		CheckDestroy:             env.testAccCheckImportedClusterDestroy,
		Steps: []resource.TestStep{{
			Config: config(""),
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue(testResource, tfjsonpath.New("agent_installed"), knownvalue.Bool(true)),
			},
		}, {
			Config: config(fmt.Sprintf("      env_wo      = { SA_TOKEN = file(%q) }\n", tokenFile)),
			ConfigPlanChecks: resource.ConfigPlanChecks{
				PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(testResource, plancheck.ResourceActionUpdate),
					plancheck.ExpectUnknownValue(testResource, tfjsonpath.New("agent_installed")),
				},
			},
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue(testResource, tfjsonpath.New("agent_installed"), knownvalue.Null()),
			},
		}},
	})
}
