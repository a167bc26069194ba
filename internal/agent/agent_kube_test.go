package agent_test

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/client-go/kubernetes"
	"sigs.k8s.io/yaml"

	"github.com/terraform-palette/terraform-provider-palette/internal/acctest/kubelocal"
	"github.com/terraform-palette/terraform-provider-palette/internal/acctest/kubetest"
	"github.com/terraform-palette/terraform-provider-palette/internal/acctest/localtest"
	"github.com/terraform-palette/terraform-provider-palette/internal/agent"
	"github.com/terraform-palette/terraform-provider-palette/internal/kube"
	"github.com/terraform-palette/terraform-provider-palette/internal/manifest"
	"github.com/terraform-palette/terraform-provider-palette/internal/palette"
	"github.com/terraform-palette/terraform-provider-palette/internal/wire"
)

func skipUnlessKube(t *testing.T) {
	t.Helper()
	if !kubetest.Enabled() {
		t.Skip("set KUBE_TESTS=1 or TF_ACC=1")
	}
}

// env is one local API, one local cluster and a running Runner.
type env struct {
	t       *testing.T
	ctx     context.Context
	inst    *localtest.Instance
	cluster *kubetest.Cluster
	admin   *kube.Client
	kc      kubernetes.Interface
	pc      *palette.Client
	runner  *agent.Runner
}

// testLogWriter sends the runner's logs to t.Log until the test ends.
type testLogWriter struct {
	mu   sync.Mutex
	t    *testing.T
	done bool
}

func (w *testLogWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if !w.done {
		w.t.Log(strings.TrimRight(string(p), "\n"))
	}
	return len(p), nil
}

func newEnv(t *testing.T, flavor kubelocal.Flavor) *env {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 6*time.Minute)
	t.Cleanup(cancel)
	inst := localtest.Start(t, localtest.WithHeartbeatInterval(time.Second), localtest.WithoutRateLimit())
	cluster := kubetest.Start(t, kubetest.Options{Flavor: flavor, Nodes: 2})
	admin, err := kube.NewClientFromConfig(cluster.RESTConfig())
	if err != nil {
		t.Fatal(err)
	}
	pc, err := palette.NewClient(palette.Config{Host: inst.URL, APIKey: inst.APIKey, ProjectUID: inst.ProjectUID})
	if err != nil {
		t.Fatal(err)
	}
	w := &testLogWriter{t: t}
	runner := agent.NewRunner(cluster.RESTConfig(), slog.New(slog.NewTextHandler(w, &slog.HandlerOptions{Level: slog.LevelInfo})))
	runner.PollInterval = 200 * time.Millisecond
	runner.ConfigResync = 2 * time.Second
	runner.Version = "test"
	rctx, stop := context.WithCancel(ctx)
	done := make(chan error, 1)
	go func() { done <- runner.Run(rctx) }()
	t.Cleanup(func() {
		stop()
		if err := <-done; err != nil {
			t.Errorf("runner: %v", err)
		}
		w.mu.Lock()
		w.done = true
		w.mu.Unlock()
	})
	return &env{t: t, ctx: ctx, inst: inst, cluster: cluster, admin: admin, kc: admin.Kubernetes(), pc: pc, runner: runner}
}

// eventually polls cond every 200ms until it returns nil or the deadline passes.
func (e *env) eventually(what string, timeout time.Duration, cond func() error) {
	e.t.Helper()
	deadline := time.Now().Add(timeout)
	tick := time.NewTicker(200 * time.Millisecond)
	defer tick.Stop()
	for {
		err := cond()
		if err == nil {
			return
		}
		if time.Now().After(deadline) {
			e.t.Fatalf("%s: not reached within %s: %v", what, timeout, err)
		}
		select {
		case <-e.ctx.Done():
			e.t.Fatalf("%s: %v (last: %v)", what, e.ctx.Err(), err)
		case <-tick.C:
		}
	}
}

// importAndApply imports a cluster, fetches its manifest and applies it to
// the local cluster as an admin would with kubectl.
func (e *env) importAndApply(name, cloudType, mode string) string {
	e.t.Helper()
	uid, _, err := e.pc.ImportCluster(e.ctx, cloudType, wire.ImportRequest{
		Metadata: wire.ObjectMetaInputEntity{Name: name},
		Spec:     wire.ImportRequestSpec{ClusterConfig: wire.ImportClusterConfig{ImportMode: mode}},
	})
	if err != nil {
		e.t.Fatalf("import: %v", err)
	}
	m, err := e.pc.GetImportManifest(e.ctx, uid)
	if err != nil {
		e.t.Fatalf("manifest: %v", err)
	}
	if _, err := e.admin.Apply(e.ctx, m, kube.ApplyOptions{FieldManager: "kubectl"}); err != nil {
		e.t.Fatalf("applying the import manifest: %v", err)
	}
	return uid
}

// importAndApplyUnlabelled is importAndApply with every label of ours
// stripped from the manifest's objects (and their pod templates), as a real
// Palette manifest has none of them.
func (e *env) importAndApplyUnlabelled(name, cloudType, mode string) string {
	e.t.Helper()
	uid, _, err := e.pc.ImportCluster(e.ctx, cloudType, wire.ImportRequest{
		Metadata: wire.ObjectMetaInputEntity{Name: name},
		Spec:     wire.ImportRequestSpec{ClusterConfig: wire.ImportClusterConfig{ImportMode: mode}},
	})
	if err != nil {
		e.t.Fatalf("import: %v", err)
	}
	m, err := e.pc.GetImportManifest(e.ctx, uid)
	if err != nil {
		e.t.Fatalf("manifest: %v", err)
	}
	objs, err := kube.Decode(m)
	if err != nil {
		e.t.Fatal(err)
	}
	for _, o := range objs {
		o.SetLabels(nil)
		if tl, found, _ := unstructured.NestedStringMap(o.Object, "spec", "template", "metadata", "labels"); found {
			keep := map[string]any{}
			if v, ok := tl[manifest.LabelAppName]; ok {
				keep[manifest.LabelAppName] = v
			}
			if err := unstructured.SetNestedMap(o.Object, keep, "spec", "template", "metadata", "labels"); err != nil {
				e.t.Fatal(err)
			}
		}
	}
	if _, err := e.admin.ApplyObjects(e.ctx, objs, kube.ApplyOptions{FieldManager: "kubectl"}); err != nil {
		e.t.Fatalf("applying the unlabelled import manifest: %v", err)
	}
	return uid
}

func (e *env) waitState(uid, want string) {
	e.t.Helper()
	e.eventually("cluster state "+want, 90*time.Second, func() error {
		c, err := e.pc.GetCluster(e.ctx, uid)
		if err != nil {
			if want == wire.StateDeleted && errors.Is(err, palette.ErrNotFound) {
				return nil
			}
			return err
		}
		if c.Status.State != want {
			return fmt.Errorf("state %s", c.Status.State)
		}
		return nil
	})
}

func (e *env) packStatus(uid string) map[string]wire.ClusterCondition {
	e.t.Helper()
	c, err := e.pc.GetCluster(e.ctx, uid)
	if err != nil {
		e.t.Fatal(err)
	}
	out := map[string]wire.ClusterCondition{}
	for _, p := range c.Status.Packs {
		out[p.ProfileUID+"/"+p.Name] = p.Condition
	}
	return out
}

// canary is a namespace, ConfigMap and Deployment that have nothing to do
// with Palette; the agent must leave them exactly as they are.
type canary struct {
	nsRV, cmRV, depRV string
	cmData            map[string]string
	depSpec           appsv1.DeploymentSpec
}

func (e *env) createCanary() canary {
	e.t.Helper()
	ctx := e.ctx
	ns := "canary"
	if _, err := e.kc.CoreV1().Namespaces().Create(ctx, &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: ns}}, metav1.CreateOptions{}); err != nil {
		e.t.Fatal(err)
	}
	if _, err := e.kc.CoreV1().ConfigMaps(ns).Create(ctx, &corev1.ConfigMap{
		ObjectMeta: metav1.ObjectMeta{Name: "canary", Labels: map[string]string{"app": "canary"}},
		Data:       map[string]string{"keep": "me"},
	}, metav1.CreateOptions{}); err != nil {
		e.t.Fatal(err)
	}
	zero := int32(0)
	if _, err := e.kc.AppsV1().Deployments(ns).Create(ctx, &appsv1.Deployment{
		ObjectMeta: metav1.ObjectMeta{Name: "canary"},
		Spec: appsv1.DeploymentSpec{
			Replicas: &zero,
			Selector: &metav1.LabelSelector{MatchLabels: map[string]string{"app": "canary"}},
			Template: corev1.PodTemplateSpec{
				ObjectMeta: metav1.ObjectMeta{Labels: map[string]string{"app": "canary"}},
				Spec:       corev1.PodSpec{Containers: []corev1.Container{{Name: "c", Image: "busybox:1.36"}}},
			},
		},
	}, metav1.CreateOptions{}); err != nil {
		e.t.Fatal(err)
	}
	// Let the deployment controller settle the status, so that the
	// resourceVersion only changes if somebody touches the object.
	e.eventually("canary deployment settled", time.Minute, func() error {
		d, err := e.kc.AppsV1().Deployments(ns).Get(ctx, "canary", metav1.GetOptions{})
		if err != nil {
			return err
		}
		for _, c := range d.Status.Conditions {
			if c.Type == appsv1.DeploymentProgressing && c.Reason == "NewReplicaSetAvailable" && d.Status.ObservedGeneration == d.Generation {
				return nil
			}
		}
		return fmt.Errorf("status %+v", d.Status)
	})
	return e.readCanary()
}

func (e *env) readCanary() canary {
	e.t.Helper()
	n, err := e.kc.CoreV1().Namespaces().Get(e.ctx, "canary", metav1.GetOptions{})
	if err != nil {
		e.t.Fatalf("canary namespace: %v", err)
	}
	cm, err := e.kc.CoreV1().ConfigMaps("canary").Get(e.ctx, "canary", metav1.GetOptions{})
	if err != nil {
		e.t.Fatalf("canary config map: %v", err)
	}
	d, err := e.kc.AppsV1().Deployments("canary").Get(e.ctx, "canary", metav1.GetOptions{})
	if err != nil {
		e.t.Fatalf("canary deployment: %v", err)
	}
	return canary{nsRV: n.ResourceVersion, cmRV: cm.ResourceVersion, depRV: d.ResourceVersion, cmData: cm.Data, depSpec: d.Spec}
}

// deleteAndVerify deletes the cluster in the API and checks that the agent
// removed every object it and its packs created, and nothing else.
func (e *env) deleteAndVerify(uid string, before canary) {
	e.t.Helper()
	if err := e.pc.DeleteCluster(e.ctx, uid, false); err != nil {
		e.t.Fatalf("delete: %v", err)
	}
	e.waitState(uid, wire.StateDeleted)
	sel := manifest.LabelClusterUID + "=" + uid
	e.eventually("every agent and pack object gone", 2*time.Minute, func() error {
		left, err := e.admin.ListByLabel(e.ctx, sel)
		if err != nil {
			return err
		}
		if len(left) > 0 {
			return fmt.Errorf("left: %v", left)
		}
		return nil
	})
	// Every object of the manifest, by name (a real manifest carries none of
	// our labels), is gone: the cluster-scoped ones by GC after the namespace.
	ids, err := manifest.AllObjects(uid)
	if err != nil {
		e.t.Fatal(err)
	}
	var refs []kube.ObjectRef
	for _, id := range ids {
		gvk := id.GroupVersionKind()
		refs = append(refs, kube.ObjectRef{Group: gvk.Group, Version: gvk.Version, Kind: gvk.Kind, Namespace: id.Namespace, Name: id.Name})
	}
	e.eventually("every object of the manifest gone, by name", 2*time.Minute, func() error {
		missing, err := e.admin.Missing(e.ctx, refs)
		if err != nil {
			return err
		}
		if len(missing) != len(refs) {
			return fmt.Errorf("%d of %d objects left", len(refs)-len(missing), len(refs))
		}
		return nil
	})
	// The fixed-name cluster-scoped objects are gone too (GC after the namespace).
	for _, name := range []string{manifest.ReadOnlyClusterRole} {
		if _, err := e.kc.RbacV1().ClusterRoles().Get(e.ctx, name, metav1.GetOptions{}); !apierrors.IsNotFound(err) {
			e.t.Errorf("cluster role %s: %v, want NotFound", name, err)
		}
	}
	for _, name := range []string{manifest.ReadOnlyClusterRoleBinding, manifest.ManagerClusterRoleBinding} {
		if _, err := e.kc.RbacV1().ClusterRoleBindings().Get(e.ctx, name, metav1.GetOptions{}); !apierrors.IsNotFound(err) {
			e.t.Errorf("cluster role binding %s: %v, want NotFound", name, err)
		}
	}
	if _, err := e.kc.SchedulingV1().PriorityClasses().Get(e.ctx, manifest.AgentPriorityClass, metav1.GetOptions{}); !apierrors.IsNotFound(err) {
		e.t.Errorf("priority class: %v, want NotFound", err)
	}
	after := e.readCanary()
	if !reflect.DeepEqual(before, after) {
		e.t.Errorf("canary changed:\nbefore %+v\nafter  %+v", before, after)
	}
	e.eventually("runner stopped the agent", 30*time.Second, func() error {
		if r := e.runner.Running(); len(r) > 0 {
			return fmt.Errorf("running: %v", r)
		}
		return nil
	})
}

// saClient is a client acting as the agent's own service account.
func (e *env) saClient(uid string) kubernetes.Interface {
	e.t.Helper()
	tok, err := e.admin.ServiceAccountToken(e.ctx, manifest.AgentNamespace(uid), manifest.AgentServiceAccount, 10*time.Minute)
	if err != nil {
		e.t.Fatal(err)
	}
	c, err := kube.NewClientFromConfig(kube.ConfigForToken(e.cluster.RESTConfig(), tok))
	if err != nil {
		e.t.Fatal(err)
	}
	return c.Kubernetes()
}

func TestRunner_readOnlyImportHealthAndRemoval(t *testing.T) {
	skipUnlessKube(t)
	e := newEnv(t, kubelocal.FlavorAWS)
	before := e.createCanary()

	uid := e.importAndApply("ro-aws", wire.CloudTypeAWS, wire.ImportModeReadOnly)
	ns := manifest.AgentNamespace(uid)
	e.waitState(uid, wire.StateRunning)
	e.eventually("Healthy with node facts", time.Minute, func() error {
		o, err := e.pc.GetClusterOverview(e.ctx, uid)
		if err != nil {
			return err
		}
		if o.Status.Health.State != wire.HealthHealthy || o.Spec.CloudConfig.NodeCount() != 2 || o.Status.Health.AgentVersion != "test" {
			return fmt.Errorf("health %+v cloud config %+v", o.Status.Health, o.Spec.CloudConfig)
		}
		// Region and instance types are in the cluster's cloud config.
		c, err := e.pc.GetCluster(e.ctx, uid)
		if err != nil {
			return err
		}
		if c.Spec.CloudConfigRef == nil {
			return fmt.Errorf("cluster has no cloudConfigRef: %+v", c.Spec)
		}
		cc, err := e.pc.GetCloudConfig(e.ctx, c.Spec.CloudType, c.Spec.CloudConfigRef.UID)
		if err != nil {
			return err
		}
		if cc.Region() != "us-east-1" || !slices.Contains(cc.InstanceTypes(), "m5.large") {
			return fmt.Errorf("cloud config region %q instance types %v", cc.Region(), cc.InstanceTypes())
		}
		return nil
	})
	if got := e.runner.Running(); !slices.Equal(got, []string{ns}) {
		t.Fatalf("Running() = %v, want [%s]", got, ns)
	}

	// The agent's identity may read but not write.
	sa := e.saClient(uid)
	if _, err := sa.CoreV1().Nodes().List(e.ctx, metav1.ListOptions{}); err != nil {
		t.Fatalf("read-only agent cannot list nodes: %v", err)
	}
	writes := map[string]error{}
	_, writes["create configmap in default"] = sa.CoreV1().ConfigMaps("default").Create(e.ctx,
		&corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Name: "nope"}}, metav1.CreateOptions{})
	writes["delete canary config map"] = sa.CoreV1().ConfigMaps("canary").Delete(e.ctx, "canary", metav1.DeleteOptions{})
	writes["delete canary namespace"] = sa.CoreV1().Namespaces().Delete(e.ctx, "canary", metav1.DeleteOptions{})
	writes["delete cluster-admin"] = sa.RbacV1().ClusterRoles().Delete(e.ctx, "cluster-admin", metav1.DeleteOptions{})
	_, writes["update own config map"] = sa.CoreV1().ConfigMaps(ns).Update(e.ctx,
		&corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Name: manifest.AgentClusterInfoConfigMap, Namespace: ns}}, metav1.UpdateOptions{})
	for what, err := range writes {
		if !apierrors.IsForbidden(err) {
			t.Errorf("%s as the read-only agent: err = %v, want Forbidden", what, err)
		}
	}

	e.deleteAndVerify(uid, before)
}

// An install without any of our labels (only the real names) is run by the
// runner, found with its mode by the lookup, and removed entirely by name.
func TestRunner_unlabelledFullPermissionInstall(t *testing.T) {
	skipUnlessKube(t)
	e := newEnv(t, kubelocal.FlavorGeneric)
	before := e.createCanary()
	uid := e.importAndApplyUnlabelled("unlabelled", wire.CloudTypeGeneric, wire.ImportModeFullPermission)
	e.waitState(uid, wire.StateRunning)
	if left, err := e.admin.ListByLabel(e.ctx, manifest.LabelClusterUID+"="+uid); err != nil || len(left) != 0 {
		t.Fatalf("objects labelled with the cluster UID: %v, %v", left, err)
	}
	in, err := manifest.Installed(e.ctx, e.admin, uid)
	if err != nil {
		t.Fatal(err)
	}
	if in == nil || !in.Complete() || in.ImportMode != wire.ImportModeFullPermission {
		t.Fatalf("Installed = %+v, want a complete Full Permission install", in)
	}
	e.deleteAndVerify(uid, before)
}

func TestRunner_fullPermissionAddonLifecycle(t *testing.T) {
	skipUnlessKube(t)
	e := newEnv(t, kubelocal.FlavorGeneric)
	before := e.createCanary()
	dir := filepath.Join("..", "..", "examples", "profiles")
	hello := e.inst.CreateProfileFromFile(t, filepath.Join(dir, "hello-addon.yaml"))
	broken := e.inst.CreateProfileFromFile(t, filepath.Join(dir, "broken-addon.yaml"))

	uid := e.importAndApply("full-generic", wire.CloudTypeGeneric, wire.ImportModeFullPermission)
	e.waitState(uid, wire.StateRunning)
	if _, err := e.kc.RbacV1().ClusterRoleBindings().Get(e.ctx, manifest.ManagerClusterRoleBinding, metav1.GetOptions{}); err != nil {
		t.Fatalf("full permission binding: %v", err)
	}

	// Attach hello-addon with overridden values; they replace the pack's
	// whole values, so all of them are sent.
	if err := e.pc.PatchClusterProfiles(e.ctx, uid, wire.SpectroClusterProfiles{Profiles: []wire.SpectroClusterProfileEntity{{
		UID:        hello,
		PackValues: []wire.Pack{{Name: "hello", Tag: "1.0.0", Type: "manifest", Values: "message: bonjour\nreplicas: 2\nimage: busybox:1.36"}},
	}}}); err != nil {
		t.Fatalf("attach hello-addon: %v", err)
	}
	e.eventually("hello-addon deployed with overrides and Ready", time.Minute, func() error {
		cm, err := e.kc.CoreV1().ConfigMaps("hello-addon").Get(e.ctx, "hello", metav1.GetOptions{})
		if err != nil {
			return err
		}
		if cm.Data["message"] != "bonjour" {
			return fmt.Errorf("message %q", cm.Data["message"])
		}
		if cm.Labels[manifest.LabelProfileUID] != hello || cm.Labels[manifest.LabelPackName] != "hello" || cm.Labels[manifest.LabelClusterUID] != uid {
			return fmt.Errorf("labels %v", cm.Labels)
		}
		d, err := e.kc.AppsV1().Deployments("hello-addon").Get(e.ctx, "hello", metav1.GetOptions{})
		if err != nil {
			return err
		}
		if d.Spec.Replicas == nil || *d.Spec.Replicas != 2 {
			return fmt.Errorf("replicas %v", d.Spec.Replicas)
		}
		if mf := d.ManagedFields; len(mf) == 0 || !slices.ContainsFunc(mf, func(f metav1.ManagedFieldsEntry) bool {
			return f.Manager == manifest.FieldManagerAgent && f.Operation == metav1.ManagedFieldsOperationApply
		}) {
			return fmt.Errorf("not server-side applied by %s: %v", manifest.FieldManagerAgent, mf)
		}
		st := e.packStatus(uid)[hello+"/hello"]
		if st.Type != agent.ConditionReady || st.Status != "True" {
			return fmt.Errorf("status %+v", st)
		}
		return nil
	})

	// A broken add-on reports errors with messages; hello stays Ready.
	if err := e.pc.PatchClusterProfiles(e.ctx, uid, wire.SpectroClusterProfiles{Profiles: []wire.SpectroClusterProfileEntity{{UID: broken}}}); err != nil {
		t.Fatalf("attach broken-addon: %v", err)
	}
	e.eventually("broken packs report Error", time.Minute, func() error {
		st := e.packStatus(uid)
		mv, uk := st[broken+"/missing-value"], st[broken+"/unserved-kind"]
		if mv.Type != agent.ConditionError || mv.Status != "False" || !strings.Contains(mv.Message, `"greeting"`) {
			return fmt.Errorf("missing-value %+v", mv)
		}
		if uk.Type != agent.ConditionError || uk.Status != "False" || !strings.Contains(uk.Message, "Widget") {
			return fmt.Errorf("unserved-kind %+v", uk)
		}
		if h := st[hello+"/hello"]; h.Type != agent.ConditionReady {
			return fmt.Errorf("hello %+v", h)
		}
		if len(st) != 3 {
			return fmt.Errorf("statuses %v", st)
		}
		return nil
	})

	// Detaching hello-addon removes its objects and its status.
	if err := e.pc.DeleteClusterProfiles(e.ctx, uid, []string{hello}); err != nil {
		t.Fatalf("detach: %v", err)
	}
	e.eventually("hello-addon removed", time.Minute, func() error {
		if _, err := e.kc.CoreV1().Namespaces().Get(e.ctx, "hello-addon", metav1.GetOptions{}); !apierrors.IsNotFound(err) {
			return fmt.Errorf("namespace hello-addon: %w", err)
		}
		left, err := e.admin.ListByLabel(e.ctx, manifest.LabelProfileUID+"="+hello)
		if err != nil {
			return err
		}
		if len(left) > 0 {
			return fmt.Errorf("left %v", left)
		}
		if st := e.packStatus(uid); len(st) != 2 {
			return fmt.Errorf("statuses %v", st)
		}
		return nil
	})

	// Attach it again with its defaults, so that deleting the cluster has
	// pack objects to remove.
	if err := e.pc.PatchClusterProfiles(e.ctx, uid, wire.SpectroClusterProfiles{Profiles: []wire.SpectroClusterProfileEntity{{UID: hello}}}); err != nil {
		t.Fatalf("re-attach hello-addon: %v", err)
	}
	e.eventually("hello-addon deployed with defaults", time.Minute, func() error {
		cm, err := e.kc.CoreV1().ConfigMaps("hello-addon").Get(e.ctx, "hello", metav1.GetOptions{})
		if err != nil {
			return err
		}
		if cm.Data["message"] != "hello" {
			return fmt.Errorf("message %q", cm.Data["message"])
		}
		return nil
	})

	e.deleteAndVerify(uid, before)
	if _, err := e.kc.CoreV1().Namespaces().Get(e.ctx, "hello-addon", metav1.GetOptions{}); !apierrors.IsNotFound(err) {
		t.Errorf("namespace hello-addon after delete: %v, want NotFound", err)
	}
}

// valuesDataProfile is a pack whose ConfigMap takes a variable and a value
// unquoted, where text splicing let them add keys and documents.
const valuesDataProfile = `name: values-data
version: 1.0.0
type: add-on
cloudType: all
packs:
  - name: data
    tag: 1.0.0
    type: manifest
    values: |
      image: busybox:1.36
    manifests:
      - name: config
        content: |
          apiVersion: v1
          kind: ConfigMap
          metadata:
            name: values-data
            namespace: default
          data:
            note: {{ .spectro.var.note }}
            image: {{ .Values.image }}
`

// Values and variables are data, against a real apiserver: an override or
// a variable that holds a document separator and a Namespace (the agent is
// cluster-admin) creates no Namespace and adds no key. Both packs are Ready
// and their objects hold the literal strings: the apiserver takes any string
// in a ConfigMap's data and in a pod template's image (it refuses an image
// with surrounding whitespace only in a Pod, so the Deployment's pods are
// refused, which its ReplicaFailure condition says). Ready is what the
// agent reports for a pack it applied; the value is the user's data.
// Before, the value was spliced into the manifest's text: both packs created
// the Namespace injected-ns, and the ConfigMap got a key "injected".
func TestRunner_valuesAreData(t *testing.T) {
	skipUnlessKube(t)
	e := newEnv(t, kubelocal.FlavorGeneric)
	before := e.createCanary()
	file := filepath.Join(t.TempDir(), "values-data.yaml")
	if err := os.WriteFile(file, []byte(valuesDataProfile), 0o600); err != nil {
		t.Fatal(err)
	}
	data := e.inst.CreateProfileFromFile(t, file)
	hello := e.inst.CreateProfileFromFile(t, filepath.Join("..", "..", "examples", "profiles", "hello-addon.yaml"))
	uid := e.importAndApply("values-data", wire.CloudTypeGeneric, wire.ImportModeFullPermission)
	e.waitState(uid, wire.StateRunning)

	// The rest of the template after the value would have become the
	// annotation's block scalar, so the injected text parsed.
	const injected = "busybox:1.36\n---\napiVersion: v1\nkind: Namespace\nmetadata:\n  name: injected-ns\n  annotations:\n    rest: |\n"
	// Indented as the data's keys are, so that splicing added a key.
	const note = "x\n  injected: key"
	override, err := yaml.Marshal(map[string]any{"message": "hi", "replicas": 1, "image": injected})
	if err != nil {
		t.Fatal(err)
	}
	if err := e.pc.PatchClusterProfiles(e.ctx, uid, wire.SpectroClusterProfiles{Profiles: []wire.SpectroClusterProfileEntity{
		{UID: data, PackValues: []wire.Pack{{Name: "data", Tag: "1.0.0", Type: "manifest", Values: string(yamlMap("image", injected))}},
			Variables: []wire.SpectroClusterVariable{{Name: "note", Value: note}}},
		{UID: hello, PackValues: []wire.Pack{{Name: "hello", Tag: "1.0.0", Type: "manifest", Values: string(override)}}},
	}}); err != nil {
		t.Fatalf("attach: %v", err)
	}
	e.eventually("both packs Ready", time.Minute, func() error {
		st := e.packStatus(uid)
		for _, k := range []string{data + "/data", hello + "/hello"} {
			if c := st[k]; c.Type != agent.ConditionReady || c.Status != "True" {
				return fmt.Errorf("%s %+v", k, c)
			}
		}
		return nil
	})
	cm, err := e.kc.CoreV1().ConfigMaps("default").Get(e.ctx, "values-data", metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if want := map[string]string{"note": note, "image": injected}; !reflect.DeepEqual(cm.Data, want) {
		t.Errorf("config map data %q, want %q", cm.Data, want)
	}
	d, err := e.kc.AppsV1().Deployments("hello-addon").Get(e.ctx, "hello", metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if got := d.Spec.Template.Spec.Containers[0].Image; got != injected {
		t.Errorf("deployment image %q, want %q", got, injected)
	}
	if _, err := e.kc.CoreV1().Namespaces().Get(e.ctx, "injected-ns", metav1.GetOptions{}); !apierrors.IsNotFound(err) {
		t.Errorf("namespace injected-ns: %v, want NotFound", err)
	}
	e.eventually("the deployment's pods refused for their image", time.Minute, func() error {
		d, err := e.kc.AppsV1().Deployments("hello-addon").Get(e.ctx, "hello", metav1.GetOptions{})
		if err != nil {
			return err
		}
		for _, c := range d.Status.Conditions {
			if c.Type == appsv1.DeploymentReplicaFailure && strings.Contains(c.Message, "whitespace") {
				return nil
			}
		}
		return fmt.Errorf("conditions %+v", d.Status.Conditions)
	})
	e.deleteAndVerify(uid, before)
	if _, err := e.kc.CoreV1().Namespaces().Get(e.ctx, "injected-ns", metav1.GetOptions{}); !apierrors.IsNotFound(err) {
		t.Errorf("namespace injected-ns after delete: %v, want NotFound", err)
	}
}

func yamlMap(k string, v any) []byte {
	b, err := yaml.Marshal(map[string]any{k: v})
	if err != nil {
		panic(err)
	}
	return b
}
