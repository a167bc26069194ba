package kube

import (
	"context"
	"fmt"
	"sort"

	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
)

// ListObjects returns the objects of one kind in namespace (every namespace
// when empty; cluster-scoped kinds ignore it) that match the label and field
// selectors of opts, sorted by namespace and name. A kind the server does
// not serve has no objects.
func (c *Client) ListObjects(ctx context.Context, gvk schema.GroupVersionKind, namespace string, opts metav1.ListOptions) ([]unstructured.Unstructured, error) {
	m, err := c.mapping(gvk)
	if err != nil {
		if meta.IsNoMatchError(err) {
			return nil, nil
		}
		return nil, fmt.Errorf("kube: list %s: %w", gvkString(gvk), err)
	}
	ri := c.dyn.Resource(m.Resource)
	var list *unstructured.UnstructuredList
	if m.Scope.Name() == meta.RESTScopeNameNamespace {
		list, err = ri.Namespace(namespace).List(ctx, opts)
	} else {
		list, err = ri.List(ctx, opts)
	}
	if err != nil {
		return nil, fmt.Errorf("kube: list %s: %w", m.Resource.GroupResource(), Classify(err))
	}
	items := list.Items
	sort.Slice(items, func(i, j int) bool {
		if items[i].GetNamespace() != items[j].GetNamespace() {
			return items[i].GetNamespace() < items[j].GetNamespace()
		}
		return items[i].GetName() < items[j].GetName()
	})
	return items, nil
}

// GetObject reads one object by kind, namespace ("" for cluster-scoped
// kinds) and name. When it, or its kind, does not exist the error is one for
// which apierrors.IsNotFound is true.
func (c *Client) GetObject(ctx context.Context, gvk schema.GroupVersionKind, namespace, name string) (*unstructured.Unstructured, error) {
	return c.Get(ctx, ObjectRef{Group: gvk.Group, Version: gvk.Version, Kind: gvk.Kind, Namespace: namespace, Name: name})
}
