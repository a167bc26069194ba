package kube

import (
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
)

// ObjectRef names one object of a cluster. Resource (the plural, e.g.
// "deployments") is filled in by the calls that talk to the server; calls that
// take an ObjectRef find it from Group/Version/Kind when it is empty.
type ObjectRef struct {
	Group     string
	Version   string
	Kind      string
	Resource  string
	Namespace string
	Name      string
}

// String is "apps/v1 Deployment ns/name", "v1 Namespace name" or
// "rbac.authorization.k8s.io/v1 ClusterRole name".
func (r ObjectRef) String() string {
	name := r.Name
	if r.Namespace != "" {
		name = r.Namespace + "/" + r.Name
	}
	return r.GroupVersionKind().GroupVersion().String() + " " + r.Kind + " " + name
}

// GroupVersionKind is the ref's GVK.
func (r ObjectRef) GroupVersionKind() schema.GroupVersionKind {
	return schema.GroupVersionKind{Group: r.Group, Version: r.Version, Kind: r.Kind}
}

// GroupVersionResource is the ref's GVR (Resource may be empty).
func (r ObjectRef) GroupVersionResource() schema.GroupVersionResource {
	return schema.GroupVersionResource{Group: r.Group, Version: r.Version, Resource: r.Resource}
}

// RefOf is the ref of an object as written (no Resource).
func RefOf(u *unstructured.Unstructured) ObjectRef {
	gvk := u.GroupVersionKind()
	return ObjectRef{Group: gvk.Group, Version: gvk.Version, Kind: gvk.Kind, Namespace: u.GetNamespace(), Name: u.GetName()}
}

func refsString(refs []ObjectRef) string {
	s := ""
	for i, r := range refs {
		if i > 0 {
			s += "; "
		}
		s += r.String()
	}
	return s
}
