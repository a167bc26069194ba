package kube

import (
	"context"
	"errors"
	"fmt"
	"time"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/util/wait"
	"k8s.io/client-go/dynamic"
)

// DefaultFieldManager is the server-side apply field manager by default.
const DefaultFieldManager = "terraform-provider-palette"

// CRDEstablishTimeout bounds the wait for an applied CRD to be Established
// and served (the caller's context may end it sooner).
const CRDEstablishTimeout = 2 * time.Minute

var crdGVR = schema.GroupVersionResource{Group: "apiextensions.k8s.io", Version: "v1", Resource: "customresourcedefinitions"}

// ApplyOptions tune Apply.
type ApplyOptions struct {
	// FieldManager defaults to DefaultFieldManager.
	FieldManager string
	// Force takes over fields owned by other managers; nil means true.
	Force *bool
	// ExtraLabels are added to every object (they win over the manifest's).
	ExtraLabels map[string]string
	// Namespace is used for namespaced objects that have none; default "default".
	Namespace string
}

// ApplyError is the failure of one object.
type ApplyError struct {
	Object ObjectRef
	Err    error
}

func (e *ApplyError) Error() string { return fmt.Sprintf("kube: apply %s: %v", e.Object, e.Err) }

func (e *ApplyError) Unwrap() error { return e.Err }

// Apply decodes a multi-document manifest and applies it (see ApplyObjects).
func (c *Client) Apply(ctx context.Context, manifest []byte, opts ApplyOptions) ([]ObjectRef, error) {
	objs, err := Decode(manifest)
	if err != nil {
		return nil, err
	}
	return c.ApplyObjects(ctx, objs, opts)
}

// ApplyObjects server-side applies objects: Namespaces first, then
// CustomResourceDefinitions (each waited for until Established and served),
// then the rest in their given order. It stops at the first failure, an
// *ApplyError, and returns the refs applied so far. The objects given are
// not modified.
func (c *Client) ApplyObjects(ctx context.Context, objs []*unstructured.Unstructured, opts ApplyOptions) ([]ObjectRef, error) {
	if opts.FieldManager == "" {
		opts.FieldManager = DefaultFieldManager
	}
	force := true
	if opts.Force != nil {
		force = *opts.Force
	}
	if opts.Namespace == "" {
		opts.Namespace = metav1.NamespaceDefault
	}
	crdKinds := map[schema.GroupKind]bool{}
	for _, o := range objs {
		if isCRD(o) {
			if gk, ok := crdGroupKind(o); ok {
				crdKinds[gk] = true
			}
		}
	}
	var applied []ObjectRef
	for _, o := range applyOrder(objs) {
		obj := o.DeepCopy()
		if len(opts.ExtraLabels) > 0 {
			labels := obj.GetLabels()
			if labels == nil {
				labels = map[string]string{}
			}
			for k, v := range opts.ExtraLabels {
				labels[k] = v
			}
			obj.SetLabels(labels)
		}
		ref, err := c.applyOne(ctx, obj, opts, force, crdKinds[obj.GroupVersionKind().GroupKind()])
		if err != nil {
			return applied, &ApplyError{Object: ref, Err: err}
		}
		applied = append(applied, ref)
		if isCRD(obj) {
			if err := c.waitCRDServed(ctx, obj); err != nil {
				return applied, &ApplyError{Object: ref, Err: err}
			}
		}
	}
	return applied, nil
}

func (c *Client) applyOne(ctx context.Context, obj *unstructured.Unstructured, opts ApplyOptions, force, kindFromBatch bool) (ObjectRef, error) {
	ref := RefOf(obj)
	m, err := c.mapping(obj.GroupVersionKind())
	if err != nil {
		return ref, err
	}
	ref.Resource = m.Resource.Resource
	var ri dynamic.ResourceInterface
	if m.Scope.Name() == meta.RESTScopeNameNamespace {
		if obj.GetNamespace() == "" {
			obj.SetNamespace(opts.Namespace)
		}
		ref.Namespace = obj.GetNamespace()
		ri = c.dyn.Resource(m.Resource).Namespace(obj.GetNamespace())
	} else {
		obj.SetNamespace("")
		ref.Namespace = ""
		ri = c.dyn.Resource(m.Resource)
	}
	obj.SetManagedFields(nil)
	obj.SetResourceVersion("")
	apply := func(ctx context.Context) error {
		_, err := ri.Apply(ctx, obj.GetName(), obj, metav1.ApplyOptions{FieldManager: opts.FieldManager, Force: force})
		return err
	}
	err = apply(ctx)
	if err != nil && kindFromBatch && (apierrors.IsNotFound(err) || apierrors.IsMethodNotSupported(err)) {
		// The CRD is established and discovered, but its handler may lag a
		// moment behind: retry for a short while.
		var last error
		pollErr := wait.PollUntilContextTimeout(ctx, 200*time.Millisecond, 15*time.Second, true, func(ctx context.Context) (bool, error) {
			last = apply(ctx)
			switch {
			case last == nil:
				return true, nil
			case apierrors.IsNotFound(last) || apierrors.IsMethodNotSupported(last):
				return false, nil
			default:
				return false, last
			}
		})
		err = last
		if last == nil {
			err = pollErr
		}
	}
	if err != nil {
		return ref, Classify(err)
	}
	return ref, nil
}

// waitCRDServed waits until the CRD is Established and its kind resolves in
// the (reset) mapper.
func (c *Client) waitCRDServed(ctx context.Context, crd *unstructured.Unstructured) error {
	gk, ok := crdGroupKind(crd)
	var lastState string
	err := wait.PollUntilContextTimeout(ctx, 250*time.Millisecond, CRDEstablishTimeout, true, func(ctx context.Context) (bool, error) {
		got, err := c.dyn.Resource(crdGVR).Get(ctx, crd.GetName(), metav1.GetOptions{})
		if err != nil {
			if apierrors.IsNotFound(err) {
				lastState = "not found"
				return false, nil
			}
			return false, err
		}
		if !crdEstablished(got) {
			lastState = "not Established"
			return false, nil
		}
		if !ok {
			return true, nil
		}
		c.mapper.Reset()
		if _, err := c.mapper.RESTMapping(gk); err != nil {
			if meta.IsNoMatchError(err) {
				lastState = "Established but not yet served"
				return false, nil
			}
			return false, err
		}
		return true, nil
	})
	if err != nil {
		if lastState != "" && (errors.Is(err, context.DeadlineExceeded) || wait.Interrupted(err)) {
			return fmt.Errorf("wait for CRD %s: %s: %w", crd.GetName(), lastState, err)
		}
		return fmt.Errorf("wait for CRD %s: %w", crd.GetName(), err)
	}
	return nil
}

func crdEstablished(u *unstructured.Unstructured) bool {
	conds, _, _ := unstructured.NestedSlice(u.Object, "status", "conditions")
	for _, c := range conds {
		m, ok := c.(map[string]any)
		if ok && m["type"] == "Established" && m["status"] == "True" {
			return true
		}
	}
	return false
}

func isCRD(u *unstructured.Unstructured) bool {
	gvk := u.GroupVersionKind()
	return gvk.Group == "apiextensions.k8s.io" && gvk.Kind == "CustomResourceDefinition"
}

func isNamespace(u *unstructured.Unstructured) bool {
	gvk := u.GroupVersionKind()
	return gvk.Group == "" && gvk.Kind == "Namespace"
}

func crdGroupKind(u *unstructured.Unstructured) (schema.GroupKind, bool) {
	group, _, _ := unstructured.NestedString(u.Object, "spec", "group")
	kind, _, _ := unstructured.NestedString(u.Object, "spec", "names", "kind")
	return schema.GroupKind{Group: group, Kind: kind}, group != "" && kind != ""
}

// applyOrder is Namespaces, then CRDs, then the rest, each group in its
// given order.
func applyOrder(objs []*unstructured.Unstructured) []*unstructured.Unstructured {
	out := make([]*unstructured.Unstructured, 0, len(objs))
	for _, o := range objs {
		if isNamespace(o) {
			out = append(out, o)
		}
	}
	for _, o := range objs {
		if isCRD(o) {
			out = append(out, o)
		}
	}
	for _, o := range objs {
		if !isNamespace(o) && !isCRD(o) {
			out = append(out, o)
		}
	}
	return out
}
