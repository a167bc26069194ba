package provider

import (
	"context"
	"encoding/json"
	"fmt"
	"regexp"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	k8sresource "k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/terraform-palette/terraform-provider-palette/internal/wire"
)

const testNamespace = "palette_cluster_namespace.test"

// testAccClusterNamespaceBlock is a namespace of palette_imported_cluster.test.
func testAccClusterNamespaceBlock(label, name, extra string) string {
	return fmt.Sprintf(`
resource "palette_cluster_namespace" %q {
  cluster_id = palette_imported_cluster.test.id
  name       = %q
%s
}
`, label, name, extra)
}

// outsideNamespace is an entry made through the API, outside Terraform.
var outsideNamespace = wire.ClusterNamespaceResourceInputEntity{
	Metadata: wire.ObjectMetaUpdateEntity{Name: "made-in-ui"},
	Spec:     json.RawMessage(`{"isRegex":false,"resourceAllocation":{"cpuCores":3,"memoryMiB":3072}}`),
}

// putOutsideNamespace adds outsideNamespace to the cluster's list.
func (e *testEnv) putOutsideNamespace(t *testing.T, cid string) {
	t.Helper()
	ctx := testCtx(t)
	list, err := e.Client.GetClusterNamespaces(ctx, cid)
	if err != nil {
		t.Fatal(err)
	}
	in := make([]wire.ClusterNamespaceResourceInputEntity, 0, len(list)+1)
	for i := range list {
		in = append(in, list[i].Input())
	}
	if err := e.Client.PutClusterNamespaces(ctx, cid, append(in, outsideNamespace)); err != nil {
		t.Fatal(err)
	}
}

// paletteNamespace returns namespace name of cluster cid as Palette holds it
// (nil when it has none of that name).
func (e *testEnv) paletteNamespace(cid, name string) (*wire.ClusterNamespaceResource, error) {
	list, err := e.Client.GetClusterNamespaces(context.Background(), cid)
	if err != nil {
		return nil, err
	}
	for i := range list {
		if list[i].Metadata.Name == name {
			return &list[i], nil
		}
	}
	return nil, nil
}

// expectPaletteNamespace checks Palette's entry: its CPU and memory
// (cpu 0: the entry must be absent).
func (e *testEnv) expectPaletteNamespace(cid *string, name string, cpu, memMiB float64) func(*terraform.State) error {
	return func(*terraform.State) error {
		got, err := e.paletteNamespace(*cid, name)
		switch {
		case err != nil:
			return err
		case cpu == 0 && got != nil:
			return fmt.Errorf("Palette still lists namespace %q: %+v", name, got)
		case cpu == 0:
			return nil
		case got == nil:
			return fmt.Errorf("Palette does not list namespace %q", name)
		case got.Spec.ResourceAllocation == nil || got.Spec.ResourceAllocation.CPUCores != cpu || got.Spec.ResourceAllocation.MemoryMiB != memMiB:
			return fmt.Errorf("namespace %q in Palette has allocation %+v, want %v cores, %v MiB", name, got.Spec.ResourceAllocation, cpu, memMiB)
		}
		return nil
	}
}

// expectNamespaceQuota waits until the cluster has namespace name with a
// ResourceQuota of cpu and memory (cpu "": the namespace must be gone).
func (e *testEnv) expectNamespaceQuota(t *testing.T, name, cpu, memory string) func(*terraform.State) error {
	return func(*terraform.State) error {
		cs := e.Kube.Clientset()
		return eventually("namespace "+name+" in the cluster", func() error {
			ctx := context.Background()
			ns, err := cs.CoreV1().Namespaces().Get(ctx, name, metav1.GetOptions{})
			if cpu == "" {
				if apierrors.IsNotFound(err) || (err == nil && ns.DeletionTimestamp != nil) {
					return nil
				}
				return fmt.Errorf("namespace %s is still in the cluster (%w)", name, err)
			}
			if err != nil {
				return err
			}
			quotas, err := cs.CoreV1().ResourceQuotas(name).List(ctx, metav1.ListOptions{})
			if err != nil {
				return err
			}
			for _, q := range quotas.Items {
				if quotaHas(q, corev1.ResourceLimitsCPU, cpu) && quotaHas(q, corev1.ResourceLimitsMemory, memory) {
					return nil
				}
			}
			return fmt.Errorf("namespace %s has no ResourceQuota of %s CPU and %s memory: %+v", name, cpu, memory, quotas.Items)
		})
	}
}

func quotaHas(q corev1.ResourceQuota, name corev1.ResourceName, want string) bool {
	got, ok := q.Spec.Hard[name]
	return ok && got.Cmp(k8sresource.MustParse(want)) == 0
}

func TestAccClusterNamespace_basic(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t, testEnvOptions{flavor: "generic"})
	var cid string
	cluster := testAccImportedClusterConfig(env, "ns-basic", "full_permission", `deletion_policy = "force"`)
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{
				Config: cluster + testAccClusterNamespaceBlock("test", "team-a", "cpu_cores = 1\nmemory_mib = 512"),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(testNamespace, tfjsonpath.New("uid"), knownvalue.StringRegexp(regexp.MustCompile(`^[0-9a-f]{24}$`))),
					statecheck.ExpectKnownValue(testNamespace, tfjsonpath.New("gpu_limit"), knownvalue.Null()),
				},
				Check: resource.ComposeTestCheckFunc(
					stateID(testResource, &cid),
					resource.TestMatchResourceAttr(testNamespace, "id", regexp.MustCompile(`^[0-9a-f]{24}:team-a$`)),
					env.expectPaletteNamespace(&cid, "team-a", 1, 512),
					env.expectNamespaceQuota(t, "team-a", "1", "512Mi"),
				),
			},
			{
				// An update changes the entry in place, and the quota follows.
				Config: cluster + testAccClusterNamespaceBlock("test", "team-a", "cpu_cores = 1.5\nmemory_mib = 2048\ngpu_limit = 1"),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{plancheck.ExpectResourceAction(testNamespace, plancheck.ResourceActionUpdate)},
				},
				Check: resource.ComposeTestCheckFunc(
					env.expectPaletteNamespace(&cid, "team-a", 1.5, 2048),
					env.expectNamespaceQuota(t, "team-a", "1500m", "2Gi"),
				),
			},
			{
				ResourceName:            testNamespace,
				ImportState:             true,
				ImportStateVerify:       true,
				ImportStateVerifyIgnore: []string{"timeouts"},
			},
			{
				// Removing the resource removes the namespace from Palette and the cluster.
				Config: cluster,
				Check: resource.ComposeTestCheckFunc(
					env.expectPaletteNamespace(&cid, "team-a", 0, 0),
					env.expectNamespaceQuota(t, "team-a", "", ""),
				),
			},
		},
	})
}

// TestAccClusterNamespace_othersKept: an entry made outside Terraform (in
// Palette's UI) survives the create, update and destroy of this resource's
// own entry; so do those of two modules writing the same cluster at once.
func TestAccClusterNamespace_othersKept(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t, testEnvOptions{})
	cid := env.importClusterDirect(t, "ns-others", wire.CloudTypeGeneric, "", nil)
	env.putOutsideNamespace(t, cid)
	cluster := env.providerConfig() + fmt.Sprintf(`
locals {
  cluster_id = %q
}
`, cid)
	block := func(label, name, cpu string) string {
		return fmt.Sprintf(`
resource "palette_cluster_namespace" %q {
  cluster_id = local.cluster_id
  name       = %q
  cpu_cores  = %s
  memory_mib = 1024
}
`, label, name, cpu)
	}
	outsideKept := env.expectPaletteNamespace(&cid, "made-in-ui", 3, 3072)
	var many string
	for i := range 6 {
		many += block(fmt.Sprintf("team%d", i), fmt.Sprintf("team-%d", i), "1")
	}
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		CheckDestroy:             outsideKept,
		Steps: []resource.TestStep{
			{
				// Six resources write the one list at once (Terraform runs
				// them in parallel): each keeps the others' entries.
				Config: cluster + block("test", "team-a", "1") + many,
				Check: resource.ComposeTestCheckFunc(
					outsideKept,
					env.expectPaletteNamespace(&cid, "team-a", 1, 1024),
					env.expectPaletteNamespace(&cid, "team-0", 1, 1024),
					env.expectPaletteNamespace(&cid, "team-5", 1, 1024),
				),
			},
			{
				Config: cluster + block("test", "team-a", "2") + many,
				Check: resource.ComposeTestCheckFunc(
					outsideKept,
					env.expectPaletteNamespace(&cid, "team-a", 2, 1024),
					env.expectPaletteNamespace(&cid, "team-3", 1, 1024),
				),
			},
			{
				// Half of them go: only their entries leave the list.
				Config: cluster + block("test", "team-a", "2") + block("team0", "team-0", "1") + block("team1", "team-1", "1"),
				Check: resource.ComposeTestCheckFunc(
					outsideKept,
					env.expectPaletteNamespace(&cid, "team-a", 2, 1024),
					env.expectPaletteNamespace(&cid, "team-1", 1, 1024),
					env.expectPaletteNamespace(&cid, "team-2", 0, 0),
				),
			},
		},
	})
}

// TestAccClusterNamespace_drift: a change made in Palette shows in the plan,
// and one apply puts the configuration back; an entry removed in Palette
// is configured again.
func TestAccClusterNamespace_drift(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t, testEnvOptions{})
	cid := env.importClusterDirect(t, "ns-drift", wire.CloudTypeGeneric, "", nil)
	config := env.providerConfig() + fmt.Sprintf(`
resource "palette_cluster_namespace" "test" {
  cluster_id = %q
  name       = "team-a"
  cpu_cores  = 1
  memory_mib = 512
}
`, cid)
	changeInPalette := func(edit func([]wire.ClusterNamespaceResource) []wire.ClusterNamespaceResourceInputEntity) func() {
		return func() {
			ctx := testCtx(t)
			list, err := env.Client.GetClusterNamespaces(ctx, cid)
			if err != nil {
				t.Fatal(err)
			}
			if err := env.Client.PutClusterNamespaces(ctx, cid, edit(list)); err != nil {
				t.Fatal(err)
			}
		}
	}
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{Config: config, Check: env.expectPaletteNamespace(&cid, "team-a", 1, 512)},
			{
				PreConfig: changeInPalette(func(list []wire.ClusterNamespaceResource) []wire.ClusterNamespaceResourceInputEntity {
					in := make([]wire.ClusterNamespaceResourceInputEntity, 0, len(list))
					for i := range list {
						e := list[i].Input()
						e.Spec = json.RawMessage(`{"isRegex":false,"resourceAllocation":{"cpuCores":4,"memoryMiB":512}}`)
						in = append(in, e)
					}
					return in
				}),
				Config: config,
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{
						plancheck.ExpectResourceAction(testNamespace, plancheck.ResourceActionUpdate),
						plancheck.ExpectKnownValue(testNamespace, tfjsonpath.New("cpu_cores"), knownvalue.Float64Exact(1)),
					},
				},
				Check: env.expectPaletteNamespace(&cid, "team-a", 1, 512),
			},
			{
				PreConfig: changeInPalette(func([]wire.ClusterNamespaceResource) []wire.ClusterNamespaceResourceInputEntity {
					return nil
				}),
				Config: config,
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{plancheck.ExpectResourceAction(testNamespace, plancheck.ResourceActionCreate)},
				},
				Check: env.expectPaletteNamespace(&cid, "team-a", 1, 512),
			},
			{Config: config, PlanOnly: true},
		},
	})
}

// TestAccClusterNamespace_rules: every plan-time rule fails `terraform
// plan` on its attribute, and nothing is written.
func TestAccClusterNamespace_rules(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t, testEnvOptions{})
	full := env.importClusterDirect(t, "ns-rules", wire.CloudTypeGeneric, "", nil)
	readOnly := env.importClusterDirect(t, "ns-rules-ro", wire.CloudTypeGeneric, wire.ImportModeReadOnly, nil)
	env.putOutsideNamespace(t, full)
	ns := func(cid, name, extra string) string {
		return env.providerConfig() + fmt.Sprintf(`
resource "palette_cluster_namespace" "test" {
  cluster_id = %q
  name       = %q
%s
}
`, cid, name, extra)
	}
	step := func(config, want string) resource.TestStep {
		return resource.TestStep{Config: config, PlanOnly: true, ExpectError: regexp.MustCompile(want)}
	}
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			step(ns(readOnly, "team-a", ""), `(?s)Namespaces\s+need\s+Full\s+Permission.*cluster_id`),
			step(ns("aaaaaaaaaaaaaaaaaaaaaaaa", "team-a", ""), `Imported\s+cluster\s+not\s+found`),
			step(ns(full, "kube-system", ""), `(?s)Invalid\s+namespace\s+name.*Kubernetes'\s+own`),
			step(ns(full, "default", ""), `Invalid\s+namespace\s+name`),
			step(ns(full, "cluster-"+full, ""), `(?s)Invalid\s+namespace\s+name.*namespace\s+of\s+Palette's\s+agent`),
			step(ns(full, "Team_A", ""), `(?s)Invalid\s+namespace\s+name.*not\s+a\s+Kubernetes\s+namespace\s+name`),
			step(ns(full, "team-a", "cpu_cores = 0\nmemory_mib = 10"), `(?s)cpu_cores.*at\s+least\s+0.001`),
			step(ns(full, "team-a", "cpu_cores = 1\nmemory_mib = 0"), `(?s)memory_mib.*at\s+least\s+1`),
			step(ns(full, "team-a", "cpu_cores = 1"), `(?s)memory_mib.*must\s+be\s+specified|(?s)Invalid\s+Attribute\s+Combination`),
			step(ns(full, "team-a", "gpu_limit = 1"), `Invalid\s+Attribute\s+Combination`),
			step(ns(full, "made-in-ui", ""), `(?s)Namespace\s+already\s+configured.*terraform\s+import`),
			step(ns(full, "team-a", "")+fmt.Sprintf(`
resource "palette_cluster_namespace" "twice" {
  cluster_id = %q
  name       = "team-a"
}
`, full), `Namespace\s+configured\s+twice`),
		},
	})
	for _, cid := range []string{full, readOnly} {
		list, err := env.Client.GetClusterNamespaces(context.Background(), cid)
		if err != nil {
			t.Fatal(err)
		}
		if len(list) > 1 || (len(list) == 1 && list[0].Metadata.Name != "made-in-ui") {
			t.Errorf("cluster %s: namespaces were written: %+v", cid, list)
		}
	}
}
