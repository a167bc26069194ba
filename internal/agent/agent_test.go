package agent

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"slices"
	"sync"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/client-go/kubernetes/fake"

	"github.com/terraform-palette/terraform-provider-palette/internal/kube"
	"github.com/terraform-palette/terraform-provider-palette/internal/manifest"
	"github.com/terraform-palette/terraform-provider-palette/internal/wire"
)

const unitUID = "0123456789abcdef01234567"

// fakeOps records applies and lists nothing.
type fakeOps struct {
	mu      sync.Mutex
	applies []string
	// fail are the errors of the next applies, in order.
	fail []error
}

func (f *fakeOps) Apply(_ context.Context, m []byte, opts kube.ApplyOptions) ([]kube.ObjectRef, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.applies = append(f.applies, string(m))
	if len(f.fail) > 0 {
		err := f.fail[0]
		f.fail = f.fail[1:]
		return nil, err
	}
	return []kube.ObjectRef{{Version: "v1", Kind: "ConfigMap", Namespace: "default", Name: "x"}}, nil
}
func (f *fakeOps) ApplyObjects(context.Context, []*unstructured.Unstructured, kube.ApplyOptions) ([]kube.ObjectRef, error) {
	return nil, nil
}
func (f *fakeOps) ListByLabel(context.Context, string) ([]kube.ObjectRef, error)      { return nil, nil }
func (f *fakeOps) Delete(context.Context, []kube.ObjectRef, kube.DeleteOptions) error { return nil }
func (f *fakeOps) WaitGone(context.Context, []kube.ObjectRef) error                   { return nil }
func (f *fakeOps) Get(_ context.Context, ref kube.ObjectRef) (*unstructured.Unstructured, error) {
	return nil, apierrors.NewNotFound(schema.GroupResource{Group: ref.Group, Resource: ref.Kind}, ref.Name)
}
func (f *fakeOps) ListObjects(context.Context, schema.GroupVersionKind, string, metav1.ListOptions) ([]unstructured.Unstructured, error) {
	return nil, nil
}
func (f *fakeOps) GetObject(_ context.Context, gvk schema.GroupVersionKind, _, name string) (*unstructured.Unstructured, error) {
	return nil, apierrors.NewNotFound(schema.GroupResource{Group: gvk.Group, Resource: gvk.Kind}, name)
}
func (f *fakeOps) NodeFacts(context.Context) (*kube.NodeFacts, error) {
	return &kube.NodeFacts{Region: "r1", InstanceTypes: []string{"t1"}, NodeCount: 1}, nil
}

func (f *fakeOps) count() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return len(f.applies)
}

// fakePalette accepts one agent token and serves a settable desired state.
type fakePalette struct {
	mu       sync.Mutex
	token    string
	desired  wire.AgentDesired
	imported bool
	beats    int
	packs    []wire.ClusterPackStatus
	reports  int
	unauth   int
	polls    int
}

func (f *fakePalette) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if r.Header.Get("Authorization") != "Bearer "+f.token {
		f.unauth++
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusUnauthorized)
		_, _ = w.Write([]byte(`{"code":"Unauthorized","message":"bad token"}`))
		return
	}
	base := "/v1/spectroclusters/" + unitUID
	switch r.URL.Path {
	case base + "/status/imported":
		f.imported = true
	case base + "/heartbeat":
		f.beats++
	case base + "/agent/desired":
		f.polls++
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(f.desired)
		return
	case base + "/packs/status":
		var req wire.PacksStatusRequest
		_ = json.NewDecoder(r.Body).Decode(&req)
		f.packs, f.reports = req.Packs, f.reports+1
	default:
		w.WriteHeader(http.StatusNotFound)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

func (f *fakePalette) with(fn func(f *fakePalette)) {
	f.mu.Lock()
	defer f.mu.Unlock()
	fn(f)
}

func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("%s: not reached in time", what)
		}
		time.Sleep(10 * time.Millisecond) // polling a condition, not synchronising on time
	}
}

// unitAgent is an agent of unitUID reporting to the Palette at url with
// token, on a fake cluster that holds its cluster-info and credential.
func unitAgent(url, token string, ops *fakeOps) (*Agent, *fake.Clientset) {
	ns := manifest.AgentNamespace(unitUID)
	kc := fake.NewSimpleClientset(
		&corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Name: manifest.AgentClusterInfoConfigMap, Namespace: ns},
			Data: map[string]string{manifest.ClusterInfoKeyEndpoint: url, manifest.ClusterInfoKeyClusterUID: unitUID}},
		&corev1.Secret{ObjectMeta: metav1.ObjectMeta{Name: manifest.AgentCredentialSecret, Namespace: ns},
			Data: map[string][]byte{manifest.AgentCredentialSecretKey: []byte(token)}},
	)
	a := &Agent{
		cfg: Config{Namespace: ns, PollInterval: 20 * time.Millisecond, Version: "unit"},
		log: slog.New(slog.DiscardHandler), kc: kc, ops: ops,
		packs: map[packKey]*packState{}, newPalette: newPaletteClient,
	}
	a.hbEvery.Store(int64(time.Hour))
	return a, kc
}

// runAgent runs a until the returned function is called.
func runAgent(t *testing.T, a *Agent) (stop func()) {
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- a.Run(ctx) }()
	return func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("Run: %v", err)
		}
	}
}

// The agent re-reads its credential after a 401, applies a pack once per
// content, and reports exactly the current packs.
func TestAgent_tokenRotationAndPackApply(t *testing.T) {
	t.Parallel()
	fp := &fakePalette{token: "new-token"}
	srv := httptest.NewServer(fp)
	defer srv.Close()

	ops := &fakeOps{}
	a, kc := unitAgent(srv.URL, "old-token", ops)
	ns := a.cfg.Namespace
	pack := wire.Pack{Name: "hello", Type: PackTypeManifest, Values: "m: a",
		Manifests: []wire.ManifestInputEntity{{Name: "cm", Content: "kind: ConfigMap\ndata: {m: {{ .Values.m }}}"}}}
	fp.with(func(f *fakePalette) {
		f.desired = wire.AgentDesired{Profiles: []wire.DesiredProfile{{UID: "prof1", Packs: []wire.Pack{pack}}}}
	})

	defer runAgent(t, a)()

	waitFor(t, "a refused call with the old token", func() bool {
		var n int
		fp.with(func(f *fakePalette) { n = f.unauth })
		return n > 0
	})
	// Rotate the credential, as a re-applied manifest does.
	if _, err := kc.CoreV1().Secrets(ns).Update(context.Background(), &corev1.Secret{
		ObjectMeta: metav1.ObjectMeta{Name: manifest.AgentCredentialSecret, Namespace: ns},
		Data:       map[string][]byte{manifest.AgentCredentialSecretKey: []byte("new-token")},
	}, metav1.UpdateOptions{}); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "first contact and Ready with the new token", func() bool {
		ok := false
		fp.with(func(f *fakePalette) {
			ok = f.imported && len(f.packs) == 1 && f.packs[0].Condition.Type == ConditionReady && f.packs[0].ProfileUID == "prof1"
		})
		return ok
	})
	// Many polls later the unchanged pack was applied once.
	var reports, polls int
	fp.with(func(f *fakePalette) { reports, polls = f.reports, f.polls })
	waitFor(t, "ten more polls", func() bool {
		n := 0
		fp.with(func(f *fakePalette) { n = f.polls })
		return n >= polls+10
	})
	if n := ops.count(); n != 1 {
		t.Fatalf("unchanged pack applied %d times, want 1", n)
	}
	fp.with(func(f *fakePalette) {
		if f.reports != reports {
			t.Errorf("unchanged status re-reported %d times within the resync period", f.reports-reports)
		}
	})

	// Changed values: applied again. Detached: reported as an empty list.
	fp.with(func(f *fakePalette) {
		f.desired.Profiles[0].PackValues = []wire.Pack{{Name: "hello", Values: "m: b"}}
	})
	waitFor(t, "re-apply on change", func() bool { return ops.count() == 2 })
	fp.with(func(f *fakePalette) { f.desired.Profiles = nil })
	waitFor(t, "empty pack list reported", func() bool {
		ok := false
		fp.with(func(f *fakePalette) { ok = f.packs != nil && len(f.packs) == 0 })
		return ok
	})
}

// A pack refused because its namespace is being terminated (a replaced
// attachment: the old pack's namespace is still going) is not a failure: the
// agent reports it Waiting and applies it again soon.
func TestAgent_packWaitsForTerminatingNamespace(t *testing.T) {
	t.Parallel()
	fp := &fakePalette{token: "tok"}
	srv := httptest.NewServer(fp)
	defer srv.Close()
	terminating := apierrors.NewForbidden(schema.GroupResource{Resource: "configmaps"}, "x",
		errors.New("unable to create new content in namespace hello because it is being terminated"))
	terminating.ErrStatus.Details.Causes = []metav1.StatusCause{{Type: corev1.NamespaceTerminatingCause, Field: "hello"}}
	ops := &fakeOps{fail: []error{&kube.ApplyError{Err: terminating}}}
	a, _ := unitAgent(srv.URL, "tok", ops)
	pack := wire.Pack{Name: "hello", Type: PackTypeManifest,
		Manifests: []wire.ManifestInputEntity{{Name: "cm", Content: "kind: ConfigMap\ndata: {m: a}"}}}
	fp.with(func(f *fakePalette) {
		f.desired = wire.AgentDesired{Profiles: []wire.DesiredProfile{{UID: "prof1", Packs: []wire.Pack{pack}}}}
	})
	defer runAgent(t, a)()
	var seen []string
	waitFor(t, "Ready after the namespace went", func() bool {
		ok := false
		fp.with(func(f *fakePalette) {
			if len(f.packs) == 1 {
				if c := f.packs[0].Condition.Type; len(seen) == 0 || seen[len(seen)-1] != c {
					seen = append(seen, c)
				}
				ok = f.packs[0].Condition.Type == ConditionReady
			}
		})
		return ok
	})
	if !slices.Equal(seen, []string{ConditionWaiting, ConditionReady}) {
		t.Fatalf("pack conditions reported: %v, want Waiting then Ready (never Error)", seen)
	}
	if n := ops.count(); n != 2 {
		t.Fatalf("%d applies, want 2", n)
	}
}
