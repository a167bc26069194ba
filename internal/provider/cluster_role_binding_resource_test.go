package provider

import (
	"context"
	"encoding/json"
	"fmt"
	"regexp"
	"sort"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"
	rbacv1 "k8s.io/api/rbac/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/terraform-palette/terraform-provider-palette/internal/wire"
)

const testBinding = "palette_cluster_role_binding.test"

// subjectsOf renders subjects "Kind:namespace/name" sorted, for comparison.
func subjectsOf(subjects []rbacv1.Subject) string {
	out := make([]string, 0, len(subjects))
	for _, s := range subjects {
		out = append(out, s.Kind+":"+s.Namespace+"/"+s.Name)
	}
	sort.Strings(out)
	return strings.Join(out, ",")
}

// expectKubeBinding waits until the cluster has the RoleBinding (namespace
// given) or ClusterRoleBinding name of role with subjects ("": the binding
// must be gone).
func (e *testEnv) expectKubeBinding(namespace, name, role, subjects string) func(*terraform.State) error {
	return func(*terraform.State) error {
		rb := e.Kube.Clientset().RbacV1()
		return eventually("binding "+name+" in the cluster", func() error {
			ctx := context.Background()
			var ref rbacv1.RoleRef
			var subs []rbacv1.Subject
			var err error
			if namespace != "" {
				var b *rbacv1.RoleBinding
				if b, err = rb.RoleBindings(namespace).Get(ctx, name, metav1.GetOptions{}); err == nil {
					ref, subs = b.RoleRef, b.Subjects
				}
			} else {
				var b *rbacv1.ClusterRoleBinding
				if b, err = rb.ClusterRoleBindings().Get(ctx, name, metav1.GetOptions{}); err == nil {
					ref, subs = b.RoleRef, b.Subjects
				}
			}
			switch {
			case role == "" && apierrors.IsNotFound(err):
				return nil
			case role == "" && err == nil:
				return fmt.Errorf("binding %s/%s is still in the cluster", namespace, name)
			case err != nil:
				return err
			case ref.Kind+"/"+ref.Name != role || subjectsOf(subs) != subjects:
				return fmt.Errorf("binding %s/%s grants %s/%s to %s; want %s to %s", namespace, name, ref.Kind, ref.Name, subjectsOf(subs), role, subjects)
			}
			return nil
		})
	}
}

func TestAccClusterRoleBinding_basic(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t, testEnvOptions{flavor: "generic"})
	var cid string
	base := testAccImportedClusterConfig(env, "rb-basic", "full_permission", `deletion_policy = "force"`) +
		testAccClusterNamespaceBlock("test", "team-a", "")
	binding := func(subjects string) string {
		return fmt.Sprintf(`
resource "palette_cluster_role_binding" "test" {
  cluster_id = palette_imported_cluster.test.id
  name       = "team-a-viewers"
  type       = "RoleBinding"
  namespace  = palette_cluster_namespace.test.name
  role       = { kind = "ClusterRole", name = "view" }
  subjects   = [%s]
}

resource "palette_cluster_role_binding" "ops" {
  cluster_id = palette_imported_cluster.test.id
  name       = "ops-admins"
  type       = "ClusterRoleBinding"
  role       = { kind = "ClusterRole", name = "cluster-admin" }
  subjects   = [{ kind = "Group", name = "ops" }]
}
`, subjects)
	}
	two := `{ kind = "Group", name = "team-a" }, { kind = "ServiceAccount", name = "ci", namespace = "team-a" }`
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{
				Config: base + binding(two),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(testBinding, tfjsonpath.New("id"), knownvalue.StringRegexp(regexp.MustCompile(`^[0-9a-f]{24}:team-a-viewers$`))),
					statecheck.ExpectKnownValue("palette_cluster_role_binding.ops", tfjsonpath.New("namespace"), knownvalue.Null()),
				},
				Check: resource.ComposeTestCheckFunc(
					stateID(testResource, &cid),
					env.expectKubeBinding("team-a", "team-a-viewers", "ClusterRole/view", "Group:/team-a,ServiceAccount:team-a/ci"),
					env.expectKubeBinding("", "ops-admins", "ClusterRole/cluster-admin", "Group:/ops"),
				),
			},
			{
				Config: base + binding(two+`, { kind = "User", name = "alice@example.com" }`),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{
						plancheck.ExpectResourceAction(testBinding, plancheck.ResourceActionUpdate),
						plancheck.ExpectResourceAction("palette_cluster_role_binding.ops", plancheck.ResourceActionNoop),
					},
				},
				Check: env.expectKubeBinding("team-a", "team-a-viewers", "ClusterRole/view",
					"Group:/team-a,ServiceAccount:team-a/ci,User:/alice@example.com"),
			},
			{
				ResourceName:            testBinding,
				ImportState:             true,
				ImportStateVerify:       true,
				ImportStateVerifyIgnore: []string{"timeouts"},
			},
			{
				Config: base,
				Check: resource.ComposeTestCheckFunc(
					env.expectKubeBinding("team-a", "team-a-viewers", "", ""),
					env.expectKubeBinding("", "ops-admins", "", ""),
					func(*terraform.State) error {
						list, err := env.Client.GetClusterRbacs(context.Background(), cid)
						if err != nil {
							return err
						}
						if len(list) != 0 {
							return fmt.Errorf("Palette still lists RBAC entries: %+v", list)
						}
						return nil
					},
				),
			},
		},
	})
}

// TestAccClusterRoleBinding_othersKept: an RBAC entry made outside
// Terraform (with two bindings, as Palette's UI groups them) survives the
// create, update and destroy of this resource's entry, unchanged; a change
// made in Palette to the resource's own entry shows in the plan and one
// apply puts it back.
func TestAccClusterRoleBinding_othersKept(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t, testEnvOptions{})
	cid := env.importClusterDirect(t, "rb-others", wire.CloudTypeGeneric, "", nil)
	outside := wire.ClusterRbacInputEntity{
		Metadata: wire.ObjectMetaUpdateEntity{Name: "made-in-ui"},
		Spec: json.RawMessage(`{"bindings":[` +
			`{"type":"ClusterRoleBinding","role":{"kind":"ClusterRole","name":"view"},"subjects":[{"type":"Group","name":"auditors"}]},` +
			`{"type":"RoleBinding","namespace":"apps","role":{"kind":"Role","name":"deployer"},"subjects":[{"type":"User","name":"bob"}]}]}`),
	}
	if err := env.Client.PutClusterRbacs(testCtx(t), cid, []wire.ClusterRbacInputEntity{outside}); err != nil {
		t.Fatal(err)
	}
	outsideKept := func(*terraform.State) error {
		list, err := env.Client.GetClusterRbacs(context.Background(), cid)
		if err != nil {
			return err
		}
		for _, e := range list {
			if e.Metadata.Name == "made-in-ui" {
				if len(e.Spec.Bindings) != 2 || e.Spec.Bindings[1].Role.Name != "deployer" || e.Spec.Bindings[0].Subjects[0].Name != "auditors" {
					return fmt.Errorf("the entry made outside Terraform changed: %+v", e.Spec)
				}
				return nil
			}
		}
		return fmt.Errorf("the entry made outside Terraform is gone: %+v", list)
	}
	config := func(role string) string {
		return env.providerConfig() + fmt.Sprintf(`
resource "palette_cluster_role_binding" "test" {
  cluster_id = %q
  name       = "devs"
  type       = "ClusterRoleBinding"
  role       = { kind = "ClusterRole", name = %q }
  subjects   = [{ kind = "Group", name = "devs" }]
}
`, cid, role)
	}
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		CheckDestroy:             outsideKept,
		Steps: []resource.TestStep{
			{Config: config("view"), Check: outsideKept},
			{Config: config("edit"), Check: outsideKept},
			{
				// Changed in Palette: the plan shows it, the apply repairs it.
				PreConfig: func() {
					ctx := testCtx(t)
					list, err := env.Client.GetClusterRbacs(ctx, cid)
					if err != nil {
						t.Fatal(err)
					}
					for _, e := range list {
						if e.Metadata.Name == "devs" {
							in := e.Input()
							in.Spec = json.RawMessage(`{"bindings":[{"type":"ClusterRoleBinding","role":{"kind":"ClusterRole","name":"cluster-admin"},"subjects":[{"type":"Group","name":"devs"}]}]}`)
							if err := env.Client.PutClusterRbac(ctx, cid, in); err != nil {
								t.Fatal(err)
							}
						}
					}
				},
				Config: config("edit"),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{
						plancheck.ExpectResourceAction(testBinding, plancheck.ResourceActionUpdate),
						plancheck.ExpectKnownValue(testBinding, tfjsonpath.New("role").AtMapKey("name"), knownvalue.StringExact("edit")),
					},
				},
				Check: outsideKept,
			},
			{Config: config("edit"), PlanOnly: true},
		},
	})
}

// TestAccClusterRoleBinding_rules: every plan-time rule fails `terraform
// plan` on its attribute.
func TestAccClusterRoleBinding_rules(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t, testEnvOptions{})
	full := env.importClusterDirect(t, "rb-rules", wire.CloudTypeGeneric, "", nil)
	readOnly := env.importClusterDirect(t, "rb-rules-ro", wire.CloudTypeGeneric, wire.ImportModeReadOnly, nil)
	if err := env.Client.PutClusterRbacs(testCtx(t), full, []wire.ClusterRbacInputEntity{{
		Metadata: wire.ObjectMetaUpdateEntity{Name: "taken"},
		Spec:     json.RawMessage(`{"bindings":[{"type":"ClusterRoleBinding","role":{"kind":"ClusterRole","name":"view"},"subjects":[{"type":"Group","name":"x"}]}]}`),
	}}); err != nil {
		t.Fatal(err)
	}
	rb := func(cid, name, typ, ns, role, subjects string) string {
		nsLine := ""
		if ns != "" {
			nsLine = fmt.Sprintf("namespace = %q", ns)
		}
		return env.providerConfig() + fmt.Sprintf(`
resource "palette_cluster_role_binding" "test" {
  cluster_id = %q
  name       = %q
  type       = %q
  %s
  role       = %s
  subjects   = [%s]
}
`, cid, name, typ, nsLine, role, subjects)
	}
	view := `{ kind = "ClusterRole", name = "view" }`
	group := `{ kind = "Group", name = "g" }`
	step := func(config, want string) resource.TestStep {
		return resource.TestStep{Config: config, PlanOnly: true, ExpectError: regexp.MustCompile(want)}
	}
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			step(rb(readOnly, "b", "ClusterRoleBinding", "", view, group), `(?s)RBAC\s+bindings\s+need\s+Full\s+Permission`),
			step(rb(full, "b", "RoleBinding", "", view, group), `(?s)RoleBinding\s+without\s+a\s+namespace`),
			step(rb(full, "b", "ClusterRoleBinding", "apps", view, group), `(?s)ClusterRoleBinding\s+with\s+a\s+namespace`),
			step(rb(full, "b", "ClusterRoleBinding", "", `{ kind = "Role", name = "x" }`, group), `(?s)ClusterRoleBinding\s+of\s+a\s+Role`),
			step(rb(full, "b", "RoleBinding", "apps", view, `{ kind = "ServiceAccount", name = "ci" }`), `(?s)Service\s+account\s+without\s+a\s+namespace`),
			step(rb(full, "b", "RoleBinding", "apps", view, `{ kind = "User", name = "u", namespace = "apps" }`), `(?s)Namespace\s+of\s+a\s+User`),
			step(rb(full, "b", "RoleBinding", "apps", view, ""), `(?s)subjects.*at\s+least\s+1`),
			step(rb(full, "b", "Binding", "apps", view, group), `(?s)type.*value\s+must\s+be\s+one\s+of`),
			step(rb(full, "Bad_Name", "ClusterRoleBinding", "", view, group), `Invalid\s+binding\s+name`),
			step(rb(full, "b", "RoleBinding", "Apps", view, group), `Invalid\s+namespace`),
			step(rb(full, "taken", "ClusterRoleBinding", "", view, group), `(?s)Role\s+binding\s+already\s+configured.*terraform\s+import`),
			step(rb(full, "b", "ClusterRoleBinding", "", view, group)+strings.Replace(rb(full, "b", "ClusterRoleBinding", "", view, group),
				`"test"`, `"twice"`, 1)[len(env.providerConfig()):], `Role\s+binding\s+configured\s+twice`),
		},
	})
	list, err := env.Client.GetClusterRbacs(context.Background(), full)
	if err != nil {
		t.Fatal(err)
	}
	if len(list) != 1 {
		t.Errorf("RBAC entries were written: %+v", list)
	}
}
