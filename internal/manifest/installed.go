package manifest

import (
	"context"
	"fmt"
	"sort"

	"github.com/terraform-palette/terraform-provider-palette/internal/wire"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/fields"
	"k8s.io/apimachinery/pkg/runtime/schema"
)

// Reader is the read access to a cluster the lookup needs. internal/kube's
// Client implements it.
type Reader interface {
	// ListObjects returns the objects of one kind in namespace (every
	// namespace when empty; cluster-scoped kinds ignore it) that match the
	// label and field selectors of opts. A kind the server does not serve
	// has no objects.
	ListObjects(ctx context.Context, gvk schema.GroupVersionKind, namespace string, opts metav1.ListOptions) ([]unstructured.Unstructured, error)
	// GetObject reads one object; when it (or its kind) does not exist the
	// error is one for which apierrors.IsNotFound is true.
	GetObject(ctx context.Context, gvk schema.GroupVersionKind, namespace, name string) (*unstructured.Unstructured, error)
}

var (
	gvkNamespace          = schema.GroupVersionKind{Version: "v1", Kind: "Namespace"}
	gvkDeployment         = schema.GroupVersionKind{Group: "apps", Version: "v1", Kind: "Deployment"}
	gvkClusterRoleBinding = schema.GroupVersionKind{Group: "rbac.authorization.k8s.io", Version: "v1", Kind: "ClusterRoleBinding"}
)

// Install is an agent install found in a cluster.
type Install struct {
	ClusterUID string
	Namespace  string
	// ImportMode is palette.ImportModeFullPermission when the Full
	// Permission objects are there (the Deployment
	// palette-lite-controller-manager, or the binding
	// palette-lite-cluster-admin-binding to the install's namespace), else
	// palette.ImportModeReadOnly.
	ImportMode string
	// Terminating is true when the namespace or the agent Deployment is
	// being deleted.
	Terminating bool
	// Missing are the objects of CoreObjects that are absent.
	Missing []ObjectID
}

// Complete reports whether the install is not being deleted and has every
// object the agent needs to run.
func (in Install) Complete() bool { return !in.Terminating && len(in.Missing) == 0 }

// CoreObjects are the objects without which the agent cannot run: its
// namespace, service account, cluster-info ConfigMap, credential Secret and
// Deployment.
func CoreObjects(clusterUID string) []ObjectID {
	ns := AgentNamespace(clusterUID)
	return []ObjectID{
		{APIVersion: "v1", Kind: "Namespace", Name: ns},
		{APIVersion: "v1", Kind: "ServiceAccount", Namespace: ns, Name: AgentServiceAccount},
		{APIVersion: "v1", Kind: "ConfigMap", Namespace: ns, Name: AgentClusterInfoConfigMap},
		{APIVersion: "v1", Kind: "Secret", Namespace: ns, Name: AgentCredentialSecret},
		{APIVersion: "apps/v1", Kind: "Deployment", Namespace: ns, Name: AgentDeployment},
	}
}

// Installed looks for the agent of one cluster: the namespace cluster-<uid>
// holding the Deployment cluster-management-agent-lite. It returns nil when
// there is none. Only names are used, never labels, so that an install made
// by a real Palette manifest is found.
func Installed(ctx context.Context, r Reader, clusterUID string) (*Install, error) {
	ns := AgentNamespace(clusterUID)
	nsObj, err := get(ctx, r, gvkNamespace, "", ns)
	if err != nil || nsObj == nil {
		return nil, err
	}
	dep, err := get(ctx, r, gvkDeployment, ns, AgentDeployment)
	if err != nil || dep == nil {
		return nil, err
	}
	return inspect(ctx, r, clusterUID, nsObj, dep)
}

// FindInstalled returns the agent installs of the cluster that are not being
// deleted, sorted by namespace: every Deployment cluster-management-agent-lite
// in a namespace cluster-<uid>.
func FindInstalled(ctx context.Context, r Reader) ([]Install, error) {
	all, err := FindAllInstalled(ctx, r)
	if err != nil {
		return nil, err
	}
	var live []Install
	for _, in := range all {
		if !in.Terminating {
			live = append(live, in)
		}
	}
	return live, nil
}

// FindAllInstalled is FindInstalled including the installs being deleted.
func FindAllInstalled(ctx context.Context, r Reader) ([]Install, error) {
	deps, err := r.ListObjects(ctx, gvkDeployment, metav1.NamespaceAll, metav1.ListOptions{
		FieldSelector: fields.OneTermEqualSelector("metadata.name", AgentDeployment).String(),
	})
	if err != nil {
		return nil, fmt.Errorf("listing %s deployments: %w", AgentDeployment, err)
	}
	var out []Install
	for i := range deps {
		dep := &deps[i]
		uid, ok := ClusterUIDOf(dep.GetNamespace())
		if !ok || dep.GetName() != AgentDeployment {
			continue
		}
		nsObj, err := get(ctx, r, gvkNamespace, "", dep.GetNamespace())
		if err != nil {
			return nil, err
		}
		if nsObj == nil {
			// Listed a moment ago, gone now: its namespace went away.
			out = append(out, Install{ClusterUID: uid, Namespace: dep.GetNamespace(), ImportMode: wire.ImportModeReadOnly, Terminating: true})
			continue
		}
		in, err := inspect(ctx, r, uid, nsObj, dep)
		if err != nil {
			return nil, err
		}
		out = append(out, *in)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Namespace < out[j].Namespace })
	return out, nil
}

func inspect(ctx context.Context, r Reader, uid string, nsObj, dep *unstructured.Unstructured) (*Install, error) {
	ns := nsObj.GetName()
	phase, _, _ := unstructured.NestedString(nsObj.Object, "status", "phase")
	in := &Install{
		ClusterUID:  uid,
		Namespace:   ns,
		ImportMode:  wire.ImportModeReadOnly,
		Terminating: nsObj.GetDeletionTimestamp() != nil || phase == "Terminating" || dep.GetDeletionTimestamp() != nil,
	}
	for _, id := range CoreObjects(uid) {
		if id.Kind == "Namespace" || id.Kind == "Deployment" {
			continue // read above
		}
		o, err := get(ctx, r, id.GroupVersionKind(), id.Namespace, id.Name)
		if err != nil {
			return nil, err
		}
		if o == nil {
			in.Missing = append(in.Missing, id)
		}
	}
	full, err := fullPermission(ctx, r, ns)
	if err != nil {
		return nil, err
	}
	if full {
		in.ImportMode = wire.ImportModeFullPermission
	}
	return in, nil
}

// fullPermission reports whether the Full Permission objects of the install
// in ns are there: the manager Deployment, or the cluster-admin binding with
// a subject in ns.
func fullPermission(ctx context.Context, r Reader, ns string) (bool, error) {
	mgr, err := get(ctx, r, gvkDeployment, ns, ManagerDeployment)
	if err != nil {
		return false, err
	}
	if mgr != nil {
		return true, nil
	}
	b, err := get(ctx, r, gvkClusterRoleBinding, "", ManagerClusterRoleBinding)
	if err != nil || b == nil {
		return false, err
	}
	return BindsNamespace(b, ns), nil
}

// BindsNamespace reports whether a (cluster) role binding has a subject in
// namespace ns.
func BindsNamespace(binding *unstructured.Unstructured, ns string) bool {
	subjects, _, _ := unstructured.NestedSlice(binding.Object, "subjects")
	for _, s := range subjects {
		m, ok := s.(map[string]any)
		if ok && m["namespace"] == ns {
			return true
		}
	}
	return false
}

// get reads one object; nil without error when it does not exist.
func get(ctx context.Context, r Reader, gvk schema.GroupVersionKind, ns, name string) (*unstructured.Unstructured, error) {
	o, err := r.GetObject(ctx, gvk, ns, name)
	switch {
	case apierrors.IsNotFound(err):
		return nil, nil
	case err != nil:
		return nil, fmt.Errorf("reading %s %s: %w", gvk.Kind, nsName(ns, name), err)
	}
	return o, nil
}

func nsName(ns, name string) string {
	if ns == "" {
		return name
	}
	return ns + "/" + name
}
