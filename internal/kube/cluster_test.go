package kube_test

// Tests against a real local kube-apiserver (internal/acctest/kubetest). They
// run only with KUBE_TESTS=1 or TF_ACC=1; the package shares one "aws"
// cluster with 3 nodes, and the platform test starts one cluster per other
// flavor.

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"sort"
	"strings"
	"testing"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	authenticationv1 "k8s.io/api/authentication/v1"
	corev1 "k8s.io/api/core/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime/schema"

	"github.com/terraform-palette/terraform-provider-palette/internal/acctest/kubelocal"
	"github.com/terraform-palette/terraform-provider-palette/internal/acctest/kubetest"
	"github.com/terraform-palette/terraform-provider-palette/internal/kube"
	"github.com/terraform-palette/terraform-provider-palette/internal/manifest"
	"github.com/terraform-palette/terraform-provider-palette/internal/wire"
)

var cluster *kubetest.Cluster

func TestMain(m *testing.M) {
	kubetest.Main(m, kubetest.Options{Flavor: kubelocal.FlavorAWS, Nodes: 3, Name: "kubepkg"}, &cluster)
}

func testContext(t *testing.T, d time.Duration) context.Context {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), d)
	t.Cleanup(cancel)
	return ctx
}

func randSuffix(t *testing.T) string {
	t.Helper()
	b := make([]byte, 4)
	if _, err := rand.Read(b); err != nil {
		t.Fatal(err)
	}
	return hex.EncodeToString(b)
}

// adminClient is a kube.Client built the way the provider builds one: from
// an Access naming the cluster's kubeconfig file.
func adminClient(t *testing.T) *kube.Client {
	t.Helper()
	kubetest.SkipUnlessEnabled(t)
	c, err := kube.NewClient(kube.Access{ConfigPath: cluster.Kubeconfig}, "kube-test")
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func refStrings(refs []kube.ObjectRef) []string {
	var s []string
	for _, r := range refs {
		s = append(s, r.String())
	}
	sort.Strings(s)
	return s
}

func testManifest(ns, group string) string {
	// The custom object comes before its CRD and the Namespace comes last:
	// Apply must order them.
	return fmt.Sprintf(`# a test manifest
apiVersion: %[2]s/v1
kind: Widget
metadata:
  name: w1
  namespace: %[1]s
spec:
  size: 3
---
apiVersion: v1
kind: ConfigMap
metadata:
  name: cm1
  namespace: %[1]s
data:
  key: value
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: d1
  namespace: %[1]s
spec:
  replicas: 1
  selector:
    matchLabels: {app: d1}
  template:
    metadata:
      labels: {app: d1}
    spec:
      containers:
      - name: c
        image: registry.example/none:1
---
---
apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata:
  name: widgets.%[2]s
spec:
  group: %[2]s
  scope: Namespaced
  names: {plural: widgets, singular: widget, kind: Widget, listKind: WidgetList}
  versions:
  - name: v1
    served: true
    storage: true
    schema:
      openAPIV3Schema:
        type: object
        x-kubernetes-preserve-unknown-fields: true
---
apiVersion: v1
kind: Namespace
metadata:
  name: %[1]s
`, ns, group)
}

func TestClusterApplyListDeleteWait(t *testing.T) {
	c := adminClient(t)
	ctx := testContext(t, 3*time.Minute)
	id := randSuffix(t)
	ns, group := "apply-"+id, "t"+id+".kubetest.palette.io"
	selector := manifest.LabelClusterUID + "=" + id

	began := time.Now()
	refs, err := c.Apply(ctx, []byte(testManifest(ns, group)), kube.ApplyOptions{
		ExtraLabels: map[string]string{manifest.LabelClusterUID: id},
	})
	if err != nil {
		t.Fatalf("Apply: %v", err)
	}
	t.Logf("first apply of 5 objects (with a CRD wait) took %s", time.Since(began).Round(time.Millisecond))
	want := []string{
		"v1 Namespace " + ns,
		"apiextensions.k8s.io/v1 CustomResourceDefinition widgets." + group,
		group + "/v1 Widget " + ns + "/w1",
		"v1 ConfigMap " + ns + "/cm1",
		"apps/v1 Deployment " + ns + "/d1",
	}
	sort.Strings(want)
	if got := refStrings(refs); strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Fatalf("applied refs:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	if refs[0].Kind != "Namespace" || refs[1].Kind != "CustomResourceDefinition" {
		t.Errorf("apply order: %v", refs)
	}
	for _, r := range refs {
		if r.Resource == "" {
			t.Errorf("%s has no Resource", r)
		}
	}

	cmRef := kube.ObjectRef{Version: "v1", Kind: "ConfigMap", Namespace: ns, Name: "cm1"}
	cm, err := c.Get(ctx, cmRef)
	if err != nil {
		t.Fatal(err)
	}
	if cm.GetLabels()[manifest.LabelClusterUID] != id {
		t.Errorf("labels = %v, want the extra label", cm.GetLabels())
	}
	var managers []string
	for _, mf := range cm.GetManagedFields() {
		managers = append(managers, mf.Manager+":"+string(mf.Operation))
	}
	if strings.Join(managers, ",") != kube.DefaultFieldManager+":Apply" {
		t.Errorf("managed fields = %v, want only %s:Apply", managers, kube.DefaultFieldManager)
	}

	// Re-applying the same manifest changes nothing.
	rv := cm.GetResourceVersion()
	if _, err := c.Apply(ctx, []byte(testManifest(ns, group)), kube.ApplyOptions{
		ExtraLabels: map[string]string{manifest.LabelClusterUID: id},
	}); err != nil {
		t.Fatalf("re-Apply: %v", err)
	}
	cm, err = c.Get(ctx, cmRef)
	if err != nil {
		t.Fatal(err)
	}
	if cm.GetResourceVersion() != rv {
		t.Errorf("re-apply changed the ConfigMap: resourceVersion %s -> %s", rv, cm.GetResourceVersion())
	}

	ghost := kube.ObjectRef{Version: "v1", Kind: "ConfigMap", Namespace: ns, Name: "ghost"}
	missing, err := c.Missing(ctx, append(append([]kube.ObjectRef{}, refs...), ghost))
	if err != nil {
		t.Fatal(err)
	}
	if len(missing) != 1 || missing[0] != ghost {
		t.Errorf("Missing = %v, want only the ghost", missing)
	}
	if _, err := c.Get(ctx, ghost); !apierrors.IsNotFound(err) {
		t.Errorf("Get(ghost) = %v, want NotFound", err)
	}

	began = time.Now()
	listed, err := c.ListByLabel(ctx, selector)
	if err != nil {
		t.Fatalf("ListByLabel: %v", err)
	}
	t.Logf("ListByLabel over every resource type took %s", time.Since(began).Round(time.Millisecond))
	if got := refStrings(listed); strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("ListByLabel:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}

	began = time.Now()
	if err := c.Delete(ctx, listed, kube.DeleteOptions{}); err != nil {
		t.Fatalf("Delete: %v", err)
	}
	// Deleting again is fine: NotFound (and a kind no longer served) is success.
	if err := c.Delete(ctx, listed, kube.DeleteOptions{}); err != nil {
		t.Errorf("second Delete: %v", err)
	}
	// WaitGone with a context that is already done reports what remains.
	done, cancel := context.WithCancel(ctx)
	cancel()
	if err := c.WaitGone(done, []kube.ObjectRef{{Version: "v1", Kind: "Namespace", Name: "default"}}); err == nil ||
		!strings.Contains(err.Error(), "v1 Namespace default") || !errors.Is(err, context.Canceled) {
		t.Errorf("WaitGone(cancelled) = %v, want it to name the remaining Namespace", err)
	}
	if err := c.WaitGone(ctx, listed); err != nil {
		t.Fatalf("WaitGone: %v", err)
	}
	t.Logf("delete + wait gone (namespace finalization included) took %s", time.Since(began).Round(time.Millisecond))
	missing, err = c.Missing(ctx, listed)
	if err != nil {
		t.Fatal(err)
	}
	if len(missing) != len(listed) {
		t.Errorf("after WaitGone, Missing = %v, want all %d", missing, len(listed))
	}
}

func TestClusterApplyErrorNamesObject(t *testing.T) {
	c := adminClient(t)
	ctx := testContext(t, time.Minute)
	ns := "apply-err-" + randSuffix(t)
	manifest := fmt.Sprintf(`apiVersion: v1
kind: Namespace
metadata: {name: %[1]s}
---
apiVersion: v1
kind: ConfigMap
metadata: {name: ok, namespace: %[1]s}
---
apiVersion: v1
kind: Service
metadata: {name: bad, namespace: %[1]s}
spec:
  type: NoSuchType
  ports: [{port: 80}]
`, ns)
	refs, err := c.Apply(ctx, []byte(manifest), kube.ApplyOptions{})
	var ae *kube.ApplyError
	if !errors.As(err, &ae) {
		t.Fatalf("Apply error = %v, want *kube.ApplyError", err)
	}
	if ae.Object.String() != "v1 Service "+ns+"/bad" || !apierrors.IsInvalid(err) {
		t.Errorf("ApplyError = %v (object %s), want the Service, Invalid", err, ae.Object)
	}
	if len(refs) != 2 {
		t.Errorf("refs applied before the failure = %v, want 2", refs)
	}
	// An unknown kind is named too.
	_, err = c.Apply(ctx, []byte("apiVersion: nope.example/v1\nkind: Nothing\nmetadata: {name: x}\n"), kube.ApplyOptions{})
	if !errors.As(err, &ae) || ae.Object.Kind != "Nothing" {
		t.Errorf("Apply(unknown kind) = %v", err)
	}
	if err := c.Delete(ctx, []kube.ObjectRef{{Version: "v1", Kind: "Namespace", Name: ns}}, kube.DeleteOptions{}); err != nil {
		t.Error(err)
	}
}

func TestClusterNodeFacts(t *testing.T) {
	c := adminClient(t)
	ctx := testContext(t, time.Minute)
	f, err := c.NodeFacts(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if f.KubernetesVersion != kubelocal.KubernetesVersion || f.NodeCount != 3 || f.Region != "us-east-1" ||
		strings.Join(f.InstanceTypes, ",") != "m5.large" || len(f.ProviderIDs) != 3 {
		t.Fatalf("NodeFacts = %+v", f)
	}
	for _, id := range f.ProviderIDs {
		if !strings.HasPrefix(id, "aws:///us-east-1") {
			t.Errorf("providerID %q", id)
		}
	}
	v, err := c.Ping(ctx)
	if err != nil || v != kubelocal.KubernetesVersion {
		t.Errorf("Ping = %q, %v", v, err)
	}
}

func TestClusterDetectPlatform(t *testing.T) {
	c := adminClient(t)
	ctx := testContext(t, 5*time.Minute)
	check := func(t *testing.T, c *kube.Client, wantTypes string, fits, misfits []string) {
		t.Helper()
		p, err := c.DetectPlatform(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if got := strings.Join(p.CloudTypes, ","); got != wantTypes {
			t.Errorf("CloudTypes = %q, want %q (evidence %v)", got, wantTypes, p.Evidence)
		}
		for _, d := range fits {
			if ok, reason := kube.CloudTypeFits(d, p); !ok {
				t.Errorf("%s does not fit: %s", d, reason)
			}
		}
		for _, d := range misfits {
			if ok, reason := kube.CloudTypeFits(d, p); ok {
				t.Errorf("%s fits: %s", d, reason)
			}
		}
		t.Logf("evidence: %v", p.Evidence)
	}
	t.Run("aws", func(t *testing.T) {
		check(t, c, "aws", []string{"generic", "aws"}, []string{"azure", "gcp", "vsphere", "openshift", "eks-anywhere"})
	})
	for _, tc := range []struct {
		flavor       kubelocal.Flavor
		want         string
		fits, misfit []string
	}{
		{kubelocal.FlavorGeneric, "", []string{"generic"}, []string{"aws", "azure", "gcp", "vsphere", "openshift", "eks-anywhere"}},
		{kubelocal.FlavorOpenShift, "openshift,aws", []string{"generic", "openshift", "aws"}, []string{"azure", "vsphere", "eks-anywhere"}},
		{kubelocal.FlavorEKSAnywhere, "eks-anywhere,vsphere", []string{"generic", "eks-anywhere", "vsphere"}, []string{"aws", "openshift"}},
	} {
		t.Run(string(tc.flavor), func(t *testing.T) {
			kc := kubetest.Start(t, kubetest.Options{Flavor: tc.flavor, Nodes: 2, Name: "plat"})
			fc, err := kube.NewClientFromConfig(kc.RESTConfig())
			if err != nil {
				t.Fatal(err)
			}
			check(t, fc, tc.want, tc.fits, tc.misfit)
		})
	}
}

// viewerClient makes a ServiceAccount bound to the "view" ClusterRole and
// returns a client authenticated with its token.
func viewerClient(t *testing.T, ctx context.Context, admin *kube.Client) (*kube.Client, string) {
	t.Helper()
	ns := "viewer-" + randSuffix(t)
	cs := admin.Kubernetes()
	if _, err := cs.CoreV1().Namespaces().Create(ctx, &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: ns}}, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_ = cs.CoreV1().Namespaces().Delete(context.Background(), ns, metav1.DeleteOptions{})
		_ = cs.RbacV1().ClusterRoleBindings().Delete(context.Background(), ns, metav1.DeleteOptions{})
	})
	if _, err := cs.CoreV1().ServiceAccounts(ns).Create(ctx, &corev1.ServiceAccount{ObjectMeta: metav1.ObjectMeta{Name: "viewer"}}, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	if _, err := cs.RbacV1().ClusterRoleBindings().Create(ctx, &rbacv1.ClusterRoleBinding{
		ObjectMeta: metav1.ObjectMeta{Name: ns},
		RoleRef:    rbacv1.RoleRef{APIGroup: "rbac.authorization.k8s.io", Kind: "ClusterRole", Name: "view"},
		Subjects:   []rbacv1.Subject{{Kind: "ServiceAccount", Name: "viewer", Namespace: ns}},
	}, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	token, err := admin.ServiceAccountToken(ctx, ns, "viewer", 10*time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	vc, err := kube.NewClientFromConfig(kube.ConfigForToken(admin.RESTConfig(), token))
	if err != nil {
		t.Fatal(err)
	}
	return vc, ns
}

func TestClusterServiceAccountToken(t *testing.T) {
	admin := adminClient(t)
	ctx := testContext(t, time.Minute)
	vc, ns := viewerClient(t, ctx, admin)
	cs := vc.Kubernetes()
	token, err := admin.ServiceAccountToken(ctx, ns, "viewer", 10*time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	// The token authenticates as the ServiceAccount...
	review, err := cs.AuthenticationV1().SelfSubjectReviews().Create(ctx, &authenticationv1.SelfSubjectReview{}, metav1.CreateOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if want := "system:serviceaccount:" + ns + ":viewer"; review.Status.UserInfo.Username != want {
		t.Errorf("username = %q, want %q", review.Status.UserInfo.Username, want)
	}
	// ...which may read (view) but not write.
	if _, err := cs.CoreV1().ConfigMaps(ns).List(ctx, metav1.ListOptions{}); err != nil {
		t.Errorf("list ConfigMaps as viewer: %v", err)
	}
	_, err = cs.CoreV1().ConfigMaps(ns).Create(ctx, &corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Name: "x"}}, metav1.CreateOptions{})
	if !apierrors.IsForbidden(err) {
		t.Errorf("create ConfigMap as viewer = %v, want Forbidden", err)
	}
	// Through kube: Apply's error is Forbidden and classified as unauthorized.
	_, err = vc.Apply(ctx, []byte("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x, namespace: "+ns+"}\n"), kube.ApplyOptions{})
	if !apierrors.IsForbidden(err) || !errors.Is(err, kube.ErrUnauthorized) {
		t.Errorf("Apply as viewer = %v, want Forbidden / ErrUnauthorized", err)
	}
	// The same token through an exec credential plugin (with Env), and the
	// admin kubeconfig given as content, both authenticate.
	admCfg := admin.RESTConfig()
	ca := admCfg.CAData
	if len(ca) == 0 {
		if ca, err = os.ReadFile(admCfg.CAFile); err != nil {
			t.Fatal(err)
		}
	}
	execClient, err := kube.NewClient(kube.Access{
		Host: admCfg.Host, ClusterCACertificate: string(ca),
		Exec: &kube.ExecConfig{Command: "/bin/sh", Env: map[string]string{"SA_TOKEN": token}, Args: []string{"-c",
			`printf '{"apiVersion":"client.authentication.k8s.io/v1beta1","kind":"ExecCredential","status":{"token":"%s"}}' "$SA_TOKEN"`}},
	}, "kube-test")
	if err != nil {
		t.Fatal(err)
	}
	review, err = execClient.Kubernetes().AuthenticationV1().SelfSubjectReviews().Create(ctx, &authenticationv1.SelfSubjectReview{}, metav1.CreateOptions{})
	if err != nil {
		t.Fatalf("as exec plugin user: %v", err)
	}
	if want := "system:serviceaccount:" + ns + ":viewer"; review.Status.UserInfo.Username != want {
		t.Errorf("exec plugin username = %q, want %q", review.Status.UserInfo.Username, want)
	}
	content, err := os.ReadFile(cluster.Kubeconfig)
	if err != nil {
		t.Fatal(err)
	}
	contentClient, err := kube.NewClient(kube.Access{ConfigContent: string(content)}, "")
	if err != nil {
		t.Fatal(err)
	}
	if v, err := contentClient.Ping(ctx); err != nil || v != kubelocal.KubernetesVersion {
		t.Errorf("Ping via kubeconfig content = %q, %v", v, err)
	}

	// A bad token is refused.
	bad, err := kube.NewClientFromConfig(kube.ConfigForToken(admin.RESTConfig(), "not-a-token"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := bad.Ping(ctx); !errors.Is(err, kube.ErrUnauthorized) {
		t.Errorf("Ping with a bad token = %v, want ErrUnauthorized", err)
	}
}

func TestClusterCheckCanApply(t *testing.T) {
	admin := adminClient(t)
	ctx := testContext(t, time.Minute)
	vc, _ := viewerClient(t, ctx, admin)
	uid := "chk" + randSuffix(t)
	ns := manifest.AgentNamespace(uid)
	objs, err := kube.Decode([]byte(fmt.Sprintf(`apiVersion: v1
kind: Namespace
metadata: {name: %[1]s}
---
apiVersion: v1
kind: ServiceAccount
metadata: {name: %[2]s, namespace: %[1]s}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: %[3]s-%[4]s}
rules: [{apiGroups: [""], resources: [pods], verbs: [get]}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {name: %[3]s-%[4]s}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: %[3]s-%[4]s}
subjects: [{kind: ServiceAccount, name: %[2]s, namespace: %[1]s}]
---
apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata: {name: gadgets.%[4]s.example.com}
spec:
  group: %[4]s.example.com
  scope: Namespaced
  names: {plural: gadgets, kind: Gadget}
  versions: [{name: v1, served: true, storage: true, schema: {openAPIV3Schema: {type: object}}}]
---
apiVersion: %[4]s.example.com/v1
kind: Gadget
metadata: {name: g, namespace: %[1]s}
`, ns, manifest.AgentServiceAccount, manifest.ReadOnlyClusterRole, uid)))
	if err != nil {
		t.Fatal(err)
	}

	denied, err := admin.CheckCanApply(ctx, objs)
	if err != nil {
		t.Fatal(err)
	}
	if len(denied) != 0 {
		t.Errorf("admin denied: %v", denied)
	}

	denied, err = vc.CheckCanApply(ctx, objs)
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]bool{}
	for _, d := range denied {
		got[d.Object.Kind+":"+d.Verb] = true
		if d.Reason == "" || !strings.Contains(d.Reason, d.Verb) {
			t.Errorf("denied reason %q does not name the verb", d.Reason)
		}
	}
	for _, k := range []string{"Namespace", "ServiceAccount", "ClusterRole", "ClusterRoleBinding", "CustomResourceDefinition", "Gadget"} {
		for _, v := range []string{"create", "patch"} {
			if !got[k+":"+v] {
				t.Errorf("viewer not denied %s %s (denied: %v)", v, k, denied)
			}
		}
	}
	if !got["ClusterRole:escalate"] || !got["ClusterRoleBinding:bind"] {
		t.Errorf("viewer not denied escalate/bind: %v", denied)
	}
	if len(denied) != 14 {
		t.Errorf("%d denied, want 14: %v", len(denied), denied)
	}
}

// The lookup of installed agents (manifest.FindInstalled, built on the
// generic ListObjects and GetObject) against a real apiserver: objects with
// only the real names, none of our labels.
func TestClusterFindInstalled(t *testing.T) {
	admin := adminClient(t)
	ctx := testContext(t, time.Minute)
	cs := admin.Kubernetes()
	uid := func() string { return randSuffix(t) + randSuffix(t) + randSuffix(t) }
	live, dying, noAgent := uid(), uid(), uid()
	finalizer := "kubetest.palette.io/hold"
	mkNS := func(ns string) {
		t.Helper()
		if _, err := cs.CoreV1().Namespaces().Create(ctx, &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: ns}}, metav1.CreateOptions{}); err != nil && !apierrors.IsAlreadyExists(err) {
			t.Fatal(err)
		}
	}
	mkCM := func(ns, name string, finalizers []string) {
		t.Helper()
		mkNS(ns)
		if _, err := cs.CoreV1().ConfigMaps(ns).Create(ctx, &corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{
			Name: name, Finalizers: finalizers,
		}}, metav1.CreateOptions{}); err != nil {
			t.Fatal(err)
		}
	}
	mkDep := func(ns, name string) {
		t.Helper()
		mkNS(ns)
		zero := int32(0)
		sel := map[string]string{"app": name}
		if _, err := cs.AppsV1().Deployments(ns).Create(ctx, &appsv1.Deployment{
			ObjectMeta: metav1.ObjectMeta{Name: name},
			Spec: appsv1.DeploymentSpec{
				Replicas: &zero, Selector: &metav1.LabelSelector{MatchLabels: sel},
				Template: corev1.PodTemplateSpec{
					ObjectMeta: metav1.ObjectMeta{Labels: sel},
					Spec:       corev1.PodSpec{Containers: []corev1.Container{{Name: "c", Image: "busybox:1.36"}}},
				},
			},
		}, metav1.CreateOptions{}); err != nil {
			t.Fatal(err)
		}
	}
	liveNS, dyingNS, noAgentNS, otherNS := manifest.AgentNamespace(live), manifest.AgentNamespace(dying), manifest.AgentNamespace(noAgent), "other-"+live
	mkDep(liveNS, manifest.AgentDeployment)
	mkCM(liveNS, manifest.AgentClusterInfoConfigMap, nil)
	mkDep(dyingNS, manifest.AgentDeployment)
	mkCM(dyingNS, manifest.AgentClusterInfoConfigMap, []string{finalizer})
	mkCM(noAgentNS, manifest.AgentClusterInfoConfigMap, nil) // no agent deployment
	mkDep(otherNS, manifest.AgentDeployment)                 // not a cluster-<uid> namespace
	t.Cleanup(func() {
		bg := context.Background()
		if cm, err := cs.CoreV1().ConfigMaps(dyingNS).Get(bg, manifest.AgentClusterInfoConfigMap, metav1.GetOptions{}); err == nil {
			cm.Finalizers = nil
			_, _ = cs.CoreV1().ConfigMaps(dyingNS).Update(bg, cm, metav1.UpdateOptions{})
		}
		for _, ns := range []string{liveNS, dyingNS, noAgentNS, otherNS} {
			_ = cs.CoreV1().Namespaces().Delete(bg, ns, metav1.DeleteOptions{})
		}
	})
	if err := cs.CoreV1().Namespaces().Delete(ctx, dyingNS, metav1.DeleteOptions{}); err != nil {
		t.Fatal(err)
	}

	mine := func(in []manifest.Install) []string {
		var s []string
		for _, i := range in {
			if i.ClusterUID == live || i.ClusterUID == dying || i.ClusterUID == noAgent || strings.HasPrefix(i.Namespace, "other-"+live) {
				s = append(s, fmt.Sprintf("%s@%s terminating=%v", i.ClusterUID, i.Namespace, i.Terminating))
			}
		}
		sort.Strings(s)
		return s
	}
	found, err := manifest.FindInstalled(ctx, admin)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := strings.Join(mine(found), ";"), fmt.Sprintf("%s@%s terminating=false", live, liveNS); got != want {
		t.Errorf("FindInstalled = %q, want %q", got, want)
	}
	// The dying namespace is Terminating once the namespace controller has
	// seen it; until then its deletionTimestamp says so.
	all, err := manifest.FindAllInstalled(ctx, admin)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{fmt.Sprintf("%s@%s terminating=true", dying, dyingNS), fmt.Sprintf("%s@%s terminating=false", live, liveNS)}
	sort.Strings(want)
	if got := mine(all); strings.Join(got, ";") != strings.Join(want, ";") {
		t.Errorf("FindAllInstalled = %v, want %v", got, want)
	}
	in, err := manifest.Installed(ctx, admin, live)
	if err != nil {
		t.Fatal(err)
	}
	if in == nil || in.ImportMode != wire.ImportModeReadOnly || in.Terminating {
		t.Errorf("Installed(live) = %+v", in)
	}
	if in, err := manifest.Installed(ctx, admin, noAgent); err != nil || in != nil {
		t.Errorf("Installed(no agent) = %+v, %v; want nil", in, err)
	}

	// The generic reads: a kind the server does not serve has no objects,
	// and a missing object is NotFound.
	objs, err := admin.ListObjects(ctx, schema.GroupVersionKind{Group: "nothing.kubetest.palette.io", Version: "v1", Kind: "Nothing"}, "", metav1.ListOptions{})
	if err != nil || len(objs) != 0 {
		t.Errorf("ListObjects of an unserved kind = %v, %v", objs, err)
	}
	if _, err := admin.GetObject(ctx, schema.GroupVersionKind{Version: "v1", Kind: "ConfigMap"}, liveNS, "absent"); !apierrors.IsNotFound(err) {
		t.Errorf("GetObject of a missing object: %v, want NotFound", err)
	}
}

func TestClusterIdentity(t *testing.T) {
	ctx := testContext(t, time.Minute)
	byPath := adminClient(t)
	byConfig, err := kube.NewClientFromConfig(cluster.RESTConfig())
	if err != nil {
		t.Fatal(err)
	}
	a, err := byPath.ClusterIdentity(ctx)
	if err != nil {
		t.Fatal(err)
	}
	b, err := byConfig.ClusterIdentity(ctx)
	if err != nil {
		t.Fatal(err)
	}
	ns, err := byPath.Kubernetes().CoreV1().Namespaces().Get(ctx, "kube-system", metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if a == "" || a != b || a != string(ns.UID) {
		t.Errorf("ClusterIdentity = %q (kubeconfig) and %q (REST config), want the kube-system UID %q from both", a, b, ns.UID)
	}
}
