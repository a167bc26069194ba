package manifest

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/terraform-palette/terraform-provider-palette/internal/wire"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/fields"
	"k8s.io/apimachinery/pkg/runtime/schema"
)

// fakeCluster is a Reader over a set of objects.
type fakeCluster struct {
	objs []*unstructured.Unstructured
}

func (f *fakeCluster) add(apiVersion, kind, ns, name string) *unstructured.Unstructured {
	u := &unstructured.Unstructured{}
	u.SetAPIVersion(apiVersion)
	u.SetKind(kind)
	u.SetNamespace(ns)
	u.SetName(name)
	f.objs = append(f.objs, u)
	return u
}

// addBare adds every object of ids with only its kind and name: no labels,
// no data, as a manifest other than ours could create them.
func (f *fakeCluster) addBare(ids []ObjectID) {
	for _, id := range ids {
		f.add(id.APIVersion, id.Kind, id.Namespace, id.Name)
	}
}

func (f *fakeCluster) remove(kind, name string) {
	f.objs = slices.DeleteFunc(f.objs, func(u *unstructured.Unstructured) bool { return u.GetKind() == kind && u.GetName() == name })
}

func (f *fakeCluster) find(kind, name string) *unstructured.Unstructured {
	for _, u := range f.objs {
		if u.GetKind() == kind && u.GetName() == name {
			return u
		}
	}
	return nil
}

func (f *fakeCluster) ListObjects(_ context.Context, gvk schema.GroupVersionKind, ns string, opts metav1.ListOptions) ([]unstructured.Unstructured, error) {
	if opts.LabelSelector != "" {
		return nil, fmt.Errorf("the lookup used the label selector %q", opts.LabelSelector)
	}
	sel, err := fields.ParseSelector(opts.FieldSelector)
	if err != nil {
		return nil, err
	}
	var out []unstructured.Unstructured
	for _, u := range f.objs {
		if u.GroupVersionKind() != gvk || (ns != "" && u.GetNamespace() != ns) {
			continue
		}
		if !sel.Matches(fields.Set{"metadata.name": u.GetName(), "metadata.namespace": u.GetNamespace()}) {
			continue
		}
		out = append(out, *u.DeepCopy())
	}
	return out, nil
}

func (f *fakeCluster) GetObject(_ context.Context, gvk schema.GroupVersionKind, ns, name string) (*unstructured.Unstructured, error) {
	for _, u := range f.objs {
		if u.GroupVersionKind() == gvk && u.GetNamespace() == ns && u.GetName() == name {
			return u.DeepCopy(), nil
		}
	}
	return nil, apierrors.NewNotFound(schema.GroupResource{Group: gvk.Group, Resource: strings.ToLower(gvk.Kind)}, name)
}

const otherUID = "0123456789abcdef01234567"

// bareInstall is a cluster holding the objects of a manifest of mode for
// testUID with only their real names.
func bareInstall(t *testing.T, mode string) *fakeCluster {
	t.Helper()
	ids, err := ExpectedObjects(testUID, mode)
	if err != nil {
		t.Fatal(err)
	}
	f := &fakeCluster{}
	f.addBare(ids)
	return f
}

func installed(t *testing.T, f *fakeCluster) *Install {
	t.Helper()
	in, err := Installed(context.Background(), f, testUID)
	if err != nil {
		t.Fatal(err)
	}
	all, err := FindAllInstalled(context.Background(), f)
	if err != nil {
		t.Fatal(err)
	}
	switch {
	case in == nil && len(all) != 0:
		t.Fatalf("Installed found nothing, FindAllInstalled %+v", all)
	case in != nil && (len(all) != 1 || fmt.Sprint(all[0]) != fmt.Sprint(*in)):
		t.Fatalf("Installed %+v, FindAllInstalled %+v", *in, all)
	}
	return in
}

// An install without any of our labels is found by its names, and its mode
// is told by the Full Permission objects.
func TestInstalled_byNamesOnly(t *testing.T) {
	t.Parallel()
	ns := AgentNamespace(testUID)
	for _, tc := range []struct {
		name     string
		mode     string
		mutate   func(f *fakeCluster)
		wantMode string
	}{
		{name: "read-only", mode: wire.ImportModeReadOnly, wantMode: wire.ImportModeReadOnly},
		{name: "full permission", mode: wire.ImportModeFullPermission, wantMode: wire.ImportModeFullPermission},
		{
			name: "full permission told by the manager deployment alone", mode: wire.ImportModeFullPermission,
			mutate:   func(f *fakeCluster) { f.remove("ClusterRoleBinding", ManagerClusterRoleBinding) },
			wantMode: wire.ImportModeFullPermission,
		},
		{
			name: "full permission told by the cluster-admin binding alone", mode: wire.ImportModeReadOnly,
			mutate: func(f *fakeCluster) {
				b := f.add("rbac.authorization.k8s.io/v1", "ClusterRoleBinding", "", ManagerClusterRoleBinding)
				_ = unstructured.SetNestedSlice(b.Object, []any{map[string]any{"kind": "ServiceAccount", "name": ManagerServiceAccount, "namespace": ns}}, "subjects")
			},
			wantMode: wire.ImportModeFullPermission,
		},
		{
			name: "a cluster-admin binding of another namespace", mode: wire.ImportModeReadOnly,
			mutate: func(f *fakeCluster) {
				b := f.add("rbac.authorization.k8s.io/v1", "ClusterRoleBinding", "", ManagerClusterRoleBinding)
				_ = unstructured.SetNestedSlice(b.Object, []any{map[string]any{"kind": "ServiceAccount", "name": ManagerServiceAccount, "namespace": "elsewhere"}}, "subjects")
			},
			wantMode: wire.ImportModeReadOnly,
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			f := bareInstall(t, tc.mode)
			for _, u := range f.objs {
				if len(u.GetLabels()) != 0 {
					t.Fatalf("%s/%s has labels", u.GetKind(), u.GetName())
				}
			}
			if tc.mutate != nil {
				tc.mutate(f)
			}
			in := installed(t, f)
			if in == nil {
				t.Fatal("the install is not found")
			}
			if in.ClusterUID != testUID || in.Namespace != ns || in.ImportMode != tc.wantMode || in.Terminating || !in.Complete() {
				t.Fatalf("install %+v, want %s in %s, mode %q, complete", *in, testUID, ns, tc.wantMode)
			}
		})
	}
}

// Without the agent Deployment there is no install, whatever else is there;
// an agent Deployment outside a namespace cluster-<uid> is not one either.
func TestInstalled_notWithoutTheAgentDeployment(t *testing.T) {
	t.Parallel()
	f := bareInstall(t, wire.ImportModeFullPermission)
	f.remove("Deployment", AgentDeployment)
	if in := installed(t, f); in != nil {
		t.Fatalf("found %+v without the agent deployment", *in)
	}

	g := &fakeCluster{}
	for _, ns := range []string{"default", "cluster-notahexuid", "cluster-" + strings.ToUpper(otherUID), "x-cluster-" + otherUID} {
		g.add("v1", "Namespace", "", ns)
		g.add("apps/v1", "Deployment", ns, AgentDeployment)
		g.add("v1", "ConfigMap", ns, AgentClusterInfoConfigMap)
	}
	all, err := FindAllInstalled(context.Background(), g)
	if err != nil {
		t.Fatal(err)
	}
	if len(all) != 0 {
		t.Fatalf("found %+v", all)
	}
}

// Missing core objects are reported; a terminating install is found by
// FindAllInstalled only.
func TestInstalled_missingAndTerminating(t *testing.T) {
	t.Parallel()
	f := bareInstall(t, wire.ImportModeReadOnly)
	f.remove("Secret", AgentCredentialSecret)
	f.remove("ConfigMap", AgentClusterInfoConfigMap)
	in := installed(t, f)
	if in == nil || in.Complete() {
		t.Fatalf("install %+v, want found and incomplete", in)
	}
	var missing []string
	for _, id := range in.Missing {
		missing = append(missing, id.String())
	}
	ns := AgentNamespace(testUID)
	if want := []string{"ConfigMap/" + ns + "/" + AgentClusterInfoConfigMap, "Secret/" + ns + "/" + AgentCredentialSecret}; !slices.Equal(missing, want) {
		t.Fatalf("missing %v, want %v", missing, want)
	}

	// A second, live install next to a terminating one.
	g := bareInstall(t, wire.ImportModeReadOnly)
	ids, err := ExpectedObjects(otherUID, wire.ImportModeFullPermission)
	if err != nil {
		t.Fatal(err)
	}
	g.addBare(ids)
	now := metav1.Now()
	g.find("Namespace", ns).SetDeletionTimestamp(&now)
	live, err := FindInstalled(context.Background(), g)
	if err != nil {
		t.Fatal(err)
	}
	if len(live) != 1 || live[0].ClusterUID != otherUID || live[0].ImportMode != wire.ImportModeFullPermission {
		t.Fatalf("FindInstalled = %+v, want only %s (full permission)", live, otherUID)
	}
	all, err := FindAllInstalled(context.Background(), g)
	if err != nil {
		t.Fatal(err)
	}
	if len(all) != 2 || all[0].ClusterUID != otherUID || all[1].ClusterUID != testUID || !all[1].Terminating || all[0].Terminating {
		t.Fatalf("FindAllInstalled = %+v", all)
	}
}

func TestClusterUIDOf(t *testing.T) {
	t.Parallel()
	for ns, want := range map[string]string{
		"cluster-" + testUID:               testUID,
		"cluster-" + testUID + "0":         "",
		"cluster-6491D4A94C39AD82D3CC30AE": "",
		"cluster-":                         "",
		"kube-system":                      "",
	} {
		got, ok := ClusterUIDOf(ns)
		if got != want || ok != (want != "") {
			t.Errorf("ClusterUIDOf(%q) = %q, %v; want %q", ns, got, ok, want)
		}
	}
}

func TestVersionSuffix(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{
		"": DefaultAgentVersion, "4.6.0": "4.6.0", "v4.6.0-rc.1": "v4.6.0-rc.1", "1.0+Build_7": "1.0-build-7",
		"++": DefaultAgentVersion, strings.Repeat("a", 70): strings.Repeat("a", 63),
	} {
		if got := VersionSuffix(in); got != want {
			t.Errorf("VersionSuffix(%q) = %q, want %q", in, got, want)
		}
	}
}

// The removal list: every object of either mode, the Full Permission extras
// being exactly what the full manifest adds.
func TestAllObjectsAndExtras(t *testing.T) {
	t.Parallel()
	all, err := AllObjects(testUID)
	if err != nil {
		t.Fatal(err)
	}
	extras, err := FullPermissionExtras(testUID)
	if err != nil {
		t.Fatal(err)
	}
	ro, err := ExpectedObjects(testUID, wire.ImportModeReadOnly)
	if err != nil {
		t.Fatal(err)
	}
	if len(all) != len(ro)+len(extras) {
		t.Fatalf("%d objects, %d read-only + %d extras", len(all), len(ro), len(extras))
	}
	var names []string
	for _, id := range extras {
		names = append(names, id.Kind+"/"+id.Name)
	}
	want := []string{
		"PriorityClass/" + ManagerPriorityClass,
		"CustomResourceDefinition/spectroclusters.cluster.spectrocloud.com",
		"CustomResourceDefinition/clusterprofiles.cluster.spectrocloud.com",
		"ServiceAccount/" + ManagerServiceAccount,
		"ClusterRoleBinding/" + ManagerClusterRoleBinding,
		"ConfigMap/" + ManagerVersionInfoConfigMapPrefix + DefaultAgentVersion,
		"Job/" + PresetupJob,
		"Deployment/" + ManagerDeployment,
	}
	if !slices.Equal(names, want) {
		t.Fatalf("extras %v, want %v", names, want)
	}
}
