package provider

import (
	"encoding/json"
	"fmt"
	"os"
	"testing"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/terraform-palette/terraform-provider-palette/internal/kube"
)

func kubeDeleteOptions() kube.DeleteOptions { return kube.DeleteOptions{} }

// removeAgentByHand deletes the agent's objects of cluster uid from the
// test's cluster, as somebody with kubectl would, and waits until they are
// gone.
func (e *testEnv) removeAgentByHand(t *testing.T, uid string) error {
	t.Helper()
	ctx := testCtx(t)
	kc := e.kubeClient(t)
	refs := e.agentObjects(t, uid)
	if err := kc.Delete(ctx, refs, kubeDeleteOptions()); err != nil {
		return err
	}
	return kc.WaitGone(ctx, refs)
}

// viewOnlyCredentials makes a service account bound to the built-in view
// role and returns the host, CA and a token of it.
func (e *testEnv) viewOnlyCredentials(t *testing.T) (host, ca, token string) {
	return e.serviceAccountCredentials(t, "viewer", "view")
}

// serviceAccountCredentials makes a service account bound to a cluster
// role and returns the host, CA and a token of it.
func (e *testEnv) serviceAccountCredentials(t *testing.T, name, clusterRole string) (host, ca, token string) {
	t.Helper()
	ctx := testCtx(t)
	kc := e.kubeClient(t)
	cs := kc.Kubernetes()
	if _, err := cs.CoreV1().ServiceAccounts("default").Create(ctx, &corev1.ServiceAccount{
		ObjectMeta: metav1.ObjectMeta{Name: name}}, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	if _, err := cs.RbacV1().ClusterRoleBindings().Create(ctx, &rbacv1.ClusterRoleBinding{
		ObjectMeta: metav1.ObjectMeta{Name: name + "-" + clusterRole},
		RoleRef:    rbacv1.RoleRef{APIGroup: "rbac.authorization.k8s.io", Kind: "ClusterRole", Name: clusterRole},
		Subjects:   []rbacv1.Subject{{Kind: "ServiceAccount", Name: name, Namespace: "default"}},
	}, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	tok, err := kc.ServiceAccountToken(ctx, "default", name, time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	cfg := e.Kube.RESTConfig()
	caData := cfg.CAData
	if len(caData) == 0 && cfg.CAFile != "" {
		if caData, err = os.ReadFile(cfg.CAFile); err != nil {
			t.Fatal(err)
		}
	}
	return cfg.Host, string(caData), tok
}

// canary is a workload that is not the agent's: imports and deletes must
// leave it exactly as it was. The Deployment's status belongs to the
// controller-manager, so its spec, labels and generation are compared.
type canary struct {
	nsVersion, cmVersion string
	deployGeneration     int64
	deploySpec           string
}

func (e *testEnv) createCanary(t *testing.T) canary {
	t.Helper()
	ctx := testCtx(t)
	cs := e.kubeClient(t).Kubernetes()
	ns, err := cs.CoreV1().Namespaces().Create(ctx, &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: "canary"}}, metav1.CreateOptions{})
	if err != nil {
		t.Fatal(err)
	}
	cm, err := cs.CoreV1().ConfigMaps("canary").Create(ctx, &corev1.ConfigMap{
		ObjectMeta: metav1.ObjectMeta{Name: "canary", Labels: map[string]string{"app.kubernetes.io/managed-by": "someone-else"}},
		Data:       map[string]string{"keep": "me"},
	}, metav1.CreateOptions{})
	if err != nil {
		t.Fatal(err)
	}
	one := int32(1)
	labels := map[string]string{"app": "canary"}
	d, err := cs.AppsV1().Deployments("canary").Create(ctx, &appsv1.Deployment{
		ObjectMeta: metav1.ObjectMeta{Name: "canary"},
		Spec: appsv1.DeploymentSpec{
			Replicas: &one,
			Selector: &metav1.LabelSelector{MatchLabels: labels},
			Template: corev1.PodTemplateSpec{
				ObjectMeta: metav1.ObjectMeta{Labels: labels},
				Spec:       corev1.PodSpec{Containers: []corev1.Container{{Name: "c", Image: "busybox"}}},
			},
		},
	}, metav1.CreateOptions{})
	if err != nil {
		t.Fatal(err)
	}
	return canary{nsVersion: ns.ResourceVersion, cmVersion: cm.ResourceVersion, deployGeneration: d.Generation, deploySpec: mustJSON(t, d.Spec)}
}

// checkCanary fails when anything of the canary changed or disappeared.
func (e *testEnv) checkCanary(t *testing.T, c canary) error {
	ctx := testCtx(t)
	cs := e.kubeClient(t).Kubernetes()
	ns, err := cs.CoreV1().Namespaces().Get(ctx, "canary", metav1.GetOptions{})
	if err != nil {
		return fmt.Errorf("canary namespace: %w", err)
	}
	if ns.ResourceVersion != c.nsVersion || ns.DeletionTimestamp != nil {
		return fmt.Errorf("canary namespace changed")
	}
	cm, err := cs.CoreV1().ConfigMaps("canary").Get(ctx, "canary", metav1.GetOptions{})
	if err != nil {
		return fmt.Errorf("canary config map: %w", err)
	}
	if cm.ResourceVersion != c.cmVersion || cm.Data["keep"] != "me" {
		return fmt.Errorf("canary config map changed")
	}
	d, err := cs.AppsV1().Deployments("canary").Get(ctx, "canary", metav1.GetOptions{})
	if err != nil {
		return fmt.Errorf("canary deployment: %w", err)
	}
	if d.Generation != c.deployGeneration || mustJSON(t, d.Spec) != c.deploySpec {
		return fmt.Errorf("canary deployment changed")
	}
	return nil
}

func mustJSON(t *testing.T, v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}
