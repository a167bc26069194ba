package agent_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/terraform-palette/terraform-provider-palette/internal/acctest/kubelocal"
	"github.com/terraform-palette/terraform-provider-palette/internal/manifest"
	"github.com/terraform-palette/terraform-provider-palette/internal/wire"
)

func (e *env) putNamespaces(uid string, entries ...wire.ClusterNamespaceResourceInputEntity) {
	e.t.Helper()
	if entries == nil {
		entries = []wire.ClusterNamespaceResourceInputEntity{}
	}
	if err := e.pc.Do(e.ctx, http.MethodPut, "/v1/spectroclusters/"+uid+"/config/namespaces",
		wire.ClusterNamespaceResourcesUpdateEntity{Namespaces: entries}, nil); err != nil {
		e.t.Fatalf("PUT namespaces: %v", err)
	}
}

func (e *env) putRbacs(uid string, entries ...wire.ClusterRbacInputEntity) {
	e.t.Helper()
	if entries == nil {
		entries = []wire.ClusterRbacInputEntity{}
	}
	if err := e.pc.Do(e.ctx, http.MethodPut, "/v1/spectroclusters/"+uid+"/config/rbacs",
		wire.ClusterRbacResourcesUpdateEntity{Rbacs: entries}, nil); err != nil {
		e.t.Fatalf("PUT rbacs: %v", err)
	}
}

func (e *env) getNamespaces(uid string) []wire.ClusterNamespaceResource {
	e.t.Helper()
	var out wire.ClusterNamespaceResources
	if err := e.pc.Do(e.ctx, http.MethodGet, "/v1/spectroclusters/"+uid+"/config/namespaces", nil, &out); err != nil {
		e.t.Fatalf("GET namespaces: %v", err)
	}
	return out.Items
}

func (e *env) getRbacs(uid string) []wire.ClusterRbac {
	e.t.Helper()
	var out wire.ClusterRbacs
	if err := e.pc.Do(e.ctx, http.MethodGet, "/v1/spectroclusters/"+uid+"/config/rbacs", nil, &out); err != nil {
		e.t.Fatalf("GET rbacs: %v", err)
	}
	return out.Items
}

// rbacEntry finds an RBAC entry by name ("" finds the one without a name).
func rbacEntry(items []wire.ClusterRbac, name string) wire.ClusterRbac {
	for _, it := range items {
		if it.Metadata.Name == name {
			return it
		}
	}
	return wire.ClusterRbac{}
}

func nsEntry(uid, name, spec string) wire.ClusterNamespaceResourceInputEntity {
	e := wire.ClusterNamespaceResourceInputEntity{Metadata: wire.ObjectMetaUpdateEntity{UID: uid, Name: name}}
	if spec != "" {
		e.Spec = json.RawMessage(spec)
	}
	return e
}

func rbacEntryInput(uid, name, spec string) wire.ClusterRbacInputEntity {
	return wire.ClusterRbacInputEntity{Metadata: wire.ObjectMetaUpdateEntity{UID: uid, Name: name}, Spec: json.RawMessage(spec)}
}

// namespaceLive is the namespace when it exists and is not terminating.
func (e *env) namespaceLive(name string) (*corev1.Namespace, error) {
	ns, err := e.kc.CoreV1().Namespaces().Get(e.ctx, name, metav1.GetOptions{})
	if err != nil {
		return nil, err
	}
	if ns.DeletionTimestamp != nil {
		return nil, fmt.Errorf("namespace %s is terminating", name)
	}
	return ns, nil
}

func sameLabels(got, want map[string]string) error {
	for k, v := range want {
		if got[k] != v {
			return fmt.Errorf("labels %v, want %v among them", got, want)
		}
	}
	return nil
}

func appliedByAgent(mf []metav1.ManagedFieldsEntry) bool {
	return slices.ContainsFunc(mf, func(f metav1.ManagedFieldsEntry) bool {
		return f.Manager == manifest.FieldManagerAgent && f.Operation == metav1.ManagedFieldsOperationApply
	})
}

func wantQuota(q *corev1.ResourceQuota, want map[string]string) error {
	if len(q.Spec.Hard) != len(want) {
		return fmt.Errorf("quota %s/%s hard %v, want %v", q.Namespace, q.Name, q.Spec.Hard, want)
	}
	for k, v := range want {
		got, ok := q.Spec.Hard[corev1.ResourceName(k)]
		if !ok || got.String() != v {
			return fmt.Errorf("quota %s/%s hard %v, want %v", q.Namespace, q.Name, q.Spec.Hard, want)
		}
	}
	return nil
}

// The namespace and RBAC entries of a Full Permission cluster become
// Namespaces, ResourceQuotas and bindings; what is deleted out of band comes
// back; an entry that goes takes exactly its objects (not a Namespace the
// user made); a failing entry shows in status.errors until it applies; and
// the delete of the cluster removes all of it.
func TestRunner_namespacesAndRbacs(t *testing.T) {
	skipUnlessKube(t)
	e := newEnv(t, kubelocal.FlavorGeneric)
	ctx := e.ctx
	before := e.createCanary()
	// A namespace the user made before any entry named it.
	userNS, err := e.kc.CoreV1().Namespaces().Create(ctx, &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{
		Name: "preexisting", Labels: map[string]string{"owner": "user"}}}, metav1.CreateOptions{})
	if err != nil {
		t.Fatal(err)
	}

	uid := e.importAndApply("cfg", wire.CloudTypeGeneric, wire.ImportModeFullPermission)
	e.waitState(uid, wire.StateRunning)
	e.putNamespaces(uid,
		nsEntry("", "team-a", `{"resourceAllocation":{"cpuCores":2,"memoryMiB":1024,"gpuConfig":{"limit":2,"provider":"nvidia"}}}`),
		nsEntry("", "team-b", ""),
		nsEntry("", "preexisting", `{"resourceAllocation":{"cpuCores":0.5}}`))
	e.putRbacs(uid,
		rbacEntryInput("", "viewers", `{"bindings":[{"type":"ClusterRoleBinding","role":{"kind":"ClusterRole","name":"view"},`+
			`"subjects":[{"type":"User","name":"alice"},{"type":"Group","name":"devs"},{"type":"ServiceAccount","name":"ci","namespace":"team-a"}]}]}`),
		rbacEntryInput("", "", `{"bindings":[{"type":"RoleBinding","namespace":"team-a","role":{"kind":"Role","name":"reader"},"subjects":[{"type":"User","name":"bob"}]},`+
			`{"type":"RoleBinding","namespace":"team-b","role":{"kind":"ClusterRole","name":"edit"},"subjects":[{"type":"Group","name":"devs"}]}]}`),
		rbacEntryInput("", "broken", `{"bindings":[{"type":"RoleBinding","namespace":"nowhere","role":{"kind":"ClusterRole","name":"view"},"subjects":[{"type":"User","name":"carol"}]}]}`))
	nsUIDs := map[string]string{}
	for _, it := range e.getNamespaces(uid) {
		nsUIDs[it.Metadata.Name] = it.Metadata.UID
	}
	rbacs := e.getRbacs(uid)
	unnamed, broken := rbacEntry(rbacs, ""), rbacEntry(rbacs, "broken")
	unnamed0 := manifest.RbacBindingName("", unnamed.Metadata.UID, 0, 2)
	unnamed1 := manifest.RbacBindingName("", unnamed.Metadata.UID, 1, 2)
	if unnamed0 != manifest.RbacNamePrefix+unnamed.Metadata.UID+"-0" {
		t.Fatalf("binding name %q", unnamed0)
	}

	e.eventually("namespaces, quotas and bindings applied", time.Minute, func() error {
		for _, name := range []string{"team-a", "team-b"} {
			ns, err := e.namespaceLive(name)
			if err != nil {
				return err
			}
			if err := sameLabels(ns.Labels, manifest.NamespaceLabels(uid, nsUIDs[name])); err != nil {
				return fmt.Errorf("namespace %s: %w", name, err)
			}
			if !appliedByAgent(ns.ManagedFields) {
				return fmt.Errorf("namespace %s not applied by %s: %v", name, manifest.FieldManagerAgent, ns.ManagedFields)
			}
		}
		q, err := e.kc.CoreV1().ResourceQuotas("team-a").Get(ctx, manifest.NamespaceQuota, metav1.GetOptions{})
		if err != nil {
			return err
		}
		if err := wantQuota(q, map[string]string{"requests.cpu": "2", "limits.cpu": "2", "requests.memory": "1Gi",
			"limits.memory": "1Gi", "requests.nvidia.com/gpu": "2"}); err != nil {
			return err
		}
		if err := sameLabels(q.Labels, manifest.NamespaceLabels(uid, nsUIDs["team-a"])); err != nil {
			return err
		}
		if _, err := e.kc.CoreV1().ResourceQuotas("team-b").Get(ctx, manifest.NamespaceQuota, metav1.GetOptions{}); !apierrors.IsNotFound(err) {
			return fmt.Errorf("team-b has no allocation, its quota: %w", err)
		}
		pq, err := e.kc.CoreV1().ResourceQuotas("preexisting").Get(ctx, manifest.NamespaceQuota, metav1.GetOptions{})
		if err != nil {
			return err
		}
		if err := wantQuota(pq, map[string]string{"requests.cpu": "500m", "limits.cpu": "500m"}); err != nil {
			return err
		}
		crb, err := e.kc.RbacV1().ClusterRoleBindings().Get(ctx, "viewers", metav1.GetOptions{})
		if err != nil {
			return err
		}
		wantSubjects := []rbacv1.Subject{
			{Kind: "User", APIGroup: rbacv1.GroupName, Name: "alice"},
			{Kind: "Group", APIGroup: rbacv1.GroupName, Name: "devs"},
			{Kind: "ServiceAccount", Name: "ci", Namespace: "team-a"},
		}
		if crb.RoleRef != (rbacv1.RoleRef{APIGroup: rbacv1.GroupName, Kind: "ClusterRole", Name: "view"}) || !slices.Equal(crb.Subjects, wantSubjects) {
			return fmt.Errorf("viewers: roleRef %+v subjects %+v", crb.RoleRef, crb.Subjects)
		}
		if err := sameLabels(crb.Labels, manifest.RbacLabels(uid, rbacEntry(rbacs, "viewers").Metadata.UID)); err != nil {
			return err
		}
		rb0, err := e.kc.RbacV1().RoleBindings("team-a").Get(ctx, unnamed0, metav1.GetOptions{})
		if err != nil {
			return err
		}
		if rb0.RoleRef != (rbacv1.RoleRef{APIGroup: rbacv1.GroupName, Kind: "Role", Name: "reader"}) ||
			!slices.Equal(rb0.Subjects, []rbacv1.Subject{{Kind: "User", APIGroup: rbacv1.GroupName, Name: "bob"}}) {
			return fmt.Errorf("%s: %+v %+v", unnamed0, rb0.RoleRef, rb0.Subjects)
		}
		if rb1, err := e.kc.RbacV1().RoleBindings("team-b").Get(ctx, unnamed1, metav1.GetOptions{}); err != nil || rb1.RoleRef.Name != "edit" {
			return fmt.Errorf("%s: %w", unnamed1, err)
		}
		// The bad entry shows why, the others show nothing.
		for _, it := range e.getRbacs(uid) {
			var errs []wire.ClusterResourceError
			if it.Status != nil {
				errs = it.Status.Errors
			}
			if it.Metadata.UID != broken.Metadata.UID {
				if len(errs) != 0 {
					return fmt.Errorf("entry %q has errors %+v", it.Metadata.Name, errs)
				}
				continue
			}
			if len(errs) != 1 || errs[0].ResourceType != "RoleBinding" || errs[0].Name != "broken" ||
				!strings.Contains(errs[0].Msg, "nowhere") || !strings.Contains(errs[0].Msg, "does not exist") {
				return fmt.Errorf("broken entry's errors %+v", errs)
			}
		}
		for _, it := range e.getNamespaces(uid) {
			if it.Status != nil && len(it.Status.Errors) != 0 {
				return fmt.Errorf("namespace %s has errors %+v", it.Metadata.Name, it.Status.Errors)
			}
		}
		return nil
	})
	// The user's namespace was left as it was: the quota went into it.
	if ns, err := e.kc.CoreV1().Namespaces().Get(ctx, "preexisting", metav1.GetOptions{}); err != nil ||
		ns.ResourceVersion != userNS.ResourceVersion || ns.Labels[manifest.LabelClusterUID] != "" {
		t.Fatalf("the user's namespace changed: %+v, %v", ns, err)
	}

	// Deleted with kubectl: they come back.
	oldTeamB, err := e.kc.CoreV1().Namespaces().Get(ctx, "team-b", metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if err := e.kc.CoreV1().ResourceQuotas("team-a").Delete(ctx, manifest.NamespaceQuota, metav1.DeleteOptions{}); err != nil {
		t.Fatal(err)
	}
	if err := e.kc.RbacV1().ClusterRoleBindings().Delete(ctx, "viewers", metav1.DeleteOptions{}); err != nil {
		t.Fatal(err)
	}
	if err := e.kc.CoreV1().Namespaces().Delete(ctx, "team-b", metav1.DeleteOptions{}); err != nil {
		t.Fatal(err)
	}
	e.eventually("objects deleted out of band recreated", 90*time.Second, func() error {
		if _, err := e.kc.CoreV1().ResourceQuotas("team-a").Get(ctx, manifest.NamespaceQuota, metav1.GetOptions{}); err != nil {
			return err
		}
		if _, err := e.kc.RbacV1().ClusterRoleBindings().Get(ctx, "viewers", metav1.GetOptions{}); err != nil {
			return err
		}
		ns, err := e.namespaceLive("team-b")
		if err != nil {
			return err
		}
		if ns.UID == oldTeamB.UID {
			return fmt.Errorf("namespace team-b is still the old one")
		}
		// The binding in it went with it, and came back too.
		_, err = e.kc.RbacV1().RoleBindings("team-b").Get(ctx, unnamed1, metav1.GetOptions{})
		return err
	})

	// The bad entry fixed: it applies and its errors clear.
	e.putRbacs(uid,
		rbacEntryInput(rbacEntry(rbacs, "viewers").Metadata.UID, "viewers", `{"bindings":[{"type":"ClusterRoleBinding","role":{"kind":"ClusterRole","name":"view"},"subjects":[{"type":"User","name":"alice"}]}]}`),
		rbacEntryInput(unnamed.Metadata.UID, "", `{"bindings":[{"type":"RoleBinding","namespace":"team-a","role":{"kind":"Role","name":"reader"},"subjects":[{"type":"User","name":"bob"}]},`+
			`{"type":"RoleBinding","namespace":"team-b","role":{"kind":"ClusterRole","name":"edit"},"subjects":[{"type":"Group","name":"devs"}]}]}`),
		rbacEntryInput(broken.Metadata.UID, "broken", `{"bindings":[{"type":"RoleBinding","namespace":"team-b","role":{"kind":"ClusterRole","name":"view"},"subjects":[{"type":"User","name":"carol"}]}]}`))
	e.eventually("the fixed entry applied, its errors cleared", time.Minute, func() error {
		if _, err := e.kc.RbacV1().RoleBindings("team-b").Get(ctx, "broken", metav1.GetOptions{}); err != nil {
			return err
		}
		if st := rbacEntry(e.getRbacs(uid), "broken").Status; st != nil && len(st.Errors) != 0 {
			return fmt.Errorf("errors %+v", st.Errors)
		}
		return nil
	})

	// Entries removed: their objects go, the user's namespace stays (its
	// quota goes), the rest stays.
	e.putNamespaces(uid, nsEntry(nsUIDs["team-b"], "team-b", ""))
	e.putRbacs(uid, rbacEntryInput(broken.Metadata.UID, "broken",
		`{"bindings":[{"type":"RoleBinding","namespace":"team-b","role":{"kind":"ClusterRole","name":"view"},"subjects":[{"type":"User","name":"carol"}]}]}`))
	e.eventually("the objects of removed entries removed", 90*time.Second, func() error {
		if _, err := e.kc.CoreV1().Namespaces().Get(ctx, "team-a", metav1.GetOptions{}); !apierrors.IsNotFound(err) {
			return fmt.Errorf("namespace team-a: %w, want NotFound", err)
		}
		if _, err := e.kc.CoreV1().ResourceQuotas("preexisting").Get(ctx, manifest.NamespaceQuota, metav1.GetOptions{}); !apierrors.IsNotFound(err) {
			return fmt.Errorf("the quota in the user's namespace: %w, want NotFound", err)
		}
		if _, err := e.kc.RbacV1().ClusterRoleBindings().Get(ctx, "viewers", metav1.GetOptions{}); !apierrors.IsNotFound(err) {
			return fmt.Errorf("viewers: %w, want NotFound", err)
		}
		if _, err := e.kc.RbacV1().RoleBindings("team-b").Get(ctx, unnamed1, metav1.GetOptions{}); !apierrors.IsNotFound(err) {
			return fmt.Errorf("%s: %w, want NotFound", unnamed1, err)
		}
		if _, err := e.namespaceLive("team-b"); err != nil {
			return err
		}
		_, err := e.kc.RbacV1().RoleBindings("team-b").Get(ctx, "broken", metav1.GetOptions{})
		return err
	})
	if _, err := e.namespaceLive("preexisting"); err != nil {
		t.Fatalf("the user's namespace: %v", err)
	}

	// The cluster deleted: every object of its entries goes with the agent
	// (deleteAndVerify checks that nothing labelled with the cluster is
	// left), and the user's namespace stays.
	e.deleteAndVerify(uid, before)
	for _, name := range []string{"team-b"} {
		if _, err := e.kc.CoreV1().Namespaces().Get(ctx, name, metav1.GetOptions{}); !apierrors.IsNotFound(err) {
			t.Errorf("namespace %s after the delete: %v, want NotFound", name, err)
		}
	}
	if ns, err := e.namespaceLive("preexisting"); err != nil || ns.UID != userNS.UID || ns.Labels["owner"] != "user" {
		t.Errorf("the user's namespace after the delete: %+v, %v", ns, err)
	}
}
