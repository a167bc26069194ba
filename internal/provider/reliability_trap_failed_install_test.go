package provider

import (
	"context"
	"fmt"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/terraform-palette/terraform-provider-palette/internal/kube"
	"github.com/terraform-palette/terraform-provider-palette/internal/manifest"
	"github.com/terraform-palette/terraform-provider-palette/internal/palette"
	"github.com/terraform-palette/terraform-provider-palette/internal/wire"
)

var _ = registerTrap("failed_install", trapFailedInstall)

// denyAgentPolicy makes the apiserver refuse the agent's Deployment (a
// ValidatingAdmissionPolicy: an admission rule of the cluster the provider
// cannot see at plan time), after the namespace, service accounts, RBAC and
// the credential secret were applied.
const denyAgentPolicy = `apiVersion: admissionregistration.k8s.io/v1
kind: ValidatingAdmissionPolicy
metadata:
  name: deny-palette-agent
spec:
  failurePolicy: Fail
  matchConstraints:
    resourceRules:
    - apiGroups: ["apps"]
      apiVersions: ["v1"]
      operations: ["CREATE", "UPDATE"]
      resources: ["deployments"]
  validations:
  - expression: "object.metadata.name != '` + manifest.AgentDeployment + `'"
    message: "the Palette agent is not allowed in this cluster"
---
apiVersion: admissionregistration.k8s.io/v1
kind: ValidatingAdmissionPolicyBinding
metadata:
  name: deny-palette-agent
spec:
  policyName: deny-palette-agent
  validationActions: ["Deny"]
`

// trapFailedInstall: the apiserver refuses the agent's Deployment. Once,
// the namespace, service accounts, credential secret and RBAC stayed in the
// cluster, the tainted cluster sat in Deleting waiting for an agent that
// never ran, and the advice (deletion_policy = "force") could not be
// applied to a tainted resource. Now the failed create undoes itself: no
// cluster in Palette, no object in the cluster, no state; the way out is
// to remove the cause and apply once.
func trapFailedInstall(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t, testEnvOptions{flavor: "generic", nodes: 1})
	ctx := testCtx(t)
	kc := env.kubeClient(t)
	if _, err := kc.Apply(ctx, []byte(denyAgentPolicy), kube.ApplyOptions{}); err != nil {
		t.Fatal(err)
	}
	waitAgentDenied(t, kc, true)

	name := "trap-failed-install"
	config := env.providerConfig() + fmt.Sprintf(`
resource "palette_imported_cluster" "test" {
  name        = %q
  cloud_type  = "generic"
  import_mode = "read_only"
  wait_for    = "running"
%s
}
`, name, env.kubeAccess())
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		CheckDestroy:             env.testAccCheckImportedClusterDestroy,
		Steps: []resource.TestStep{
			{
				Config:      config,
				ExpectError: regexp.MustCompile(`(?s)not\s+allowed.*nothing\s+is\s+left\s+in\s+Palette\s+or\s+in\s+the\s+cluster`),
			},
			{
				// The user removes the cause and applies once: a plain
				// create (no tainted resource to destroy first).
				PreConfig: func() {
					expectNothingLeft(t, env, name)
					deleteAdmissionPolicy(t, kc, "deny-palette-agent")
					waitAgentDenied(t, kc, false)
				},
				Config: config,
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{plancheck.ExpectResourceAction("palette_imported_cluster.test", plancheck.ResourceActionCreate)},
				},
			},
		},
	})
}

// expectNothingLeft fails unless Palette has no live cluster of name and
// the test's cluster no object of any import.
func expectNothingLeft(t *testing.T, env *testEnv, name string) {
	t.Helper()
	if live := liveClusters(t, env.Client, name); len(live) != 0 {
		t.Fatalf("after the failed install: %d live clusters named %s (%s)", len(live), name, live[0].Status.State)
	}
	items, err := env.Client.SearchClusters(testCtx(t), wire.SearchFilterSummarySpec{}, palette.MaxSearchPageSize)
	if err != nil {
		t.Fatal(err)
	}
	for _, it := range items {
		if refs := env.agentObjects(t, it.Metadata.UID); len(refs) > 0 {
			t.Fatalf("after the failed install, %d objects of cluster %s are left, e.g. %s", len(refs), it.Metadata.UID, refs[0])
		}
	}
	nss, err := env.kubeClient(t).Kubernetes().CoreV1().Namespaces().List(testCtx(t), metav1.ListOptions{})
	if err != nil {
		t.Fatal(err)
	}
	for _, ns := range nss.Items {
		if strings.HasPrefix(ns.Name, manifest.NamespacePrefix) {
			t.Fatalf("after the failed install, namespace %s is left", ns.Name)
		}
	}
}

// waitAgentDenied waits until the apiserver refuses (deny) or accepts an
// agent Deployment (a server-side dry run).
func waitAgentDenied(t *testing.T, kc *kube.Client, deny bool) {
	t.Helper()
	one := int32(1)
	labels := map[string]string{"app": "probe"}
	d := &appsv1.Deployment{
		ObjectMeta: metav1.ObjectMeta{Name: manifest.AgentDeployment, Namespace: metav1.NamespaceDefault},
		Spec: appsv1.DeploymentSpec{
			Replicas: &one, Selector: &metav1.LabelSelector{MatchLabels: labels},
			Template: corev1.PodTemplateSpec{ObjectMeta: metav1.ObjectMeta{Labels: labels},
				Spec: corev1.PodSpec{Containers: []corev1.Container{{Name: "c", Image: "busybox"}}}},
		},
	}
	waitAdmission(t, "not allowed in this cluster", deny, func(ctx context.Context) error {
		_, err := kc.Kubernetes().AppsV1().Deployments(metav1.NamespaceDefault).Create(ctx, d, metav1.CreateOptions{DryRun: []string{metav1.DryRunAll}})
		return err
	})
}

// waitAdmission waits until probe (a server-side dry run) is refused with
// message (deny) or accepted: admission policies take effect a moment after
// they are written or deleted.
func waitAdmission(t *testing.T, message string, deny bool, probe func(context.Context) error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	for {
		err := probe(ctx)
		denied := err != nil && strings.Contains(err.Error(), message)
		if denied == deny && (deny || err == nil) {
			return
		}
		select {
		case <-ctx.Done():
			t.Fatalf("the admission policy never took effect (deny = %v): %v", deny, err)
		case <-time.After(200 * time.Millisecond):
		}
	}
}

// deleteAdmissionPolicy deletes a ValidatingAdmissionPolicy and its binding
// of the same name.
func deleteAdmissionPolicy(t *testing.T, kc *kube.Client, name string) {
	t.Helper()
	for _, kind := range []string{"ValidatingAdmissionPolicyBinding", "ValidatingAdmissionPolicy"} {
		ref := kube.ObjectRef{Group: "admissionregistration.k8s.io", Version: "v1", Kind: kind, Name: name}
		if err := kc.Delete(testCtx(t), []kube.ObjectRef{ref}, kube.DeleteOptions{}); err != nil {
			t.Fatal(err)
		}
	}
}

var _ = registerTrap("unregistered_destroy", trapUnregisteredDestroy)

// trapUnregisteredDestroy: a cluster whose manifest was fetched but whose
// agent never registered (still Pending) (what a failed install leaves when
// undoing it fails too, or an agent installed by hand that never started).
// Once, its destroy asked Palette to deregister it and waited for an agent
// that would never come (15 min), leaving it Deleting with its name taken.
// Now the destroy forces the deregistration: one destroy converges.
func trapUnregisteredDestroy(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t, testEnvOptions{})
	config := env.providerConfig() + `
resource "palette_imported_cluster" "test" {
  name        = "trap-unregistered-destroy"
  cloud_type  = "generic"
  import_mode = "read_only"
  wait_for    = "none"
  timeouts = {
    delete = "1m"
  }
}
`
	var uid string
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		CheckDestroy:             env.testAccCheckImportedClusterDestroy,
		Steps: []resource.TestStep{
			{
				Config: config,
				Check: resource.ComposeTestCheckFunc(
					stateID("palette_imported_cluster.test", &uid),
					func(*terraform.State) error {
						// Somebody fetches the manifest; no agent follows.
						if _, err := env.Client.GetImportManifest(context.Background(), uid); err != nil {
							return err
						}
						cl, err := env.Client.GetCluster(context.Background(), uid)
						if err != nil {
							return err
						}
						// A fetch moves nothing on: Pending until an agent registers.
						if cl.Status.State != wire.StatePending {
							return fmt.Errorf("cluster %s is %s after the manifest fetch, want Pending (no agent registered)", uid, cl.Status.State)
						}
						return nil
					},
				),
			},
			{
				Config:  config,
				Destroy: true,
			},
		},
	})
	if live := liveClusters(t, env.Client, "trap-unregistered-destroy"); len(live) != 0 {
		t.Fatalf("after destroy: %s is %s", live[0].Metadata.UID, live[0].Status.State)
	}
}
