package kube

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"
	"sync"
	"time"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/apimachinery/pkg/util/wait"
	"k8s.io/client-go/discovery"
	"k8s.io/client-go/dynamic"
)

// errKindGone marks a ref whose kind the server no longer serves (its CRD
// was deleted): the object cannot exist.
var errKindGone = errors.New("kind not served")

// resource resolves ref to a resource interface, filling in Resource. A
// ref with a Namespace is namespaced; without one, cluster-scoped.
func (c *Client) resource(ref ObjectRef) (dynamic.ResourceInterface, ObjectRef, error) {
	if ref.Resource == "" {
		m, err := c.mapping(ref.GroupVersionKind())
		if err != nil {
			if meta.IsNoMatchError(err) {
				return nil, ref, fmt.Errorf("%w: %w", errKindGone, err)
			}
			return nil, ref, err
		}
		ref.Resource = m.Resource.Resource
		if m.Scope.Name() != meta.RESTScopeNameNamespace {
			ref.Namespace = ""
		}
	}
	nri := c.dyn.Resource(ref.GroupVersionResource())
	if ref.Namespace != "" {
		return nri.Namespace(ref.Namespace), ref, nil
	}
	return nri, ref, nil
}

// Get reads one object. A missing object is an error for which
// apierrors.IsNotFound is true.
func (c *Client) Get(ctx context.Context, ref ObjectRef) (*unstructured.Unstructured, error) {
	ri, ref, err := c.resource(ref)
	if err != nil {
		if errors.Is(err, errKindGone) {
			return nil, apierrors.NewNotFound(schema.GroupResource{Group: ref.Group, Resource: strings.ToLower(ref.Kind)}, ref.Name)
		}
		return nil, fmt.Errorf("kube: get %s: %w", ref, err)
	}
	u, err := ri.Get(ctx, ref.Name, metav1.GetOptions{})
	if err != nil {
		return nil, fmt.Errorf("kube: get %s: %w", ref, Classify(err))
	}
	return u, nil
}

// exists reports whether ref exists (a kind no longer served means no).
func (c *Client) exists(ctx context.Context, ref ObjectRef) (bool, error) {
	ri, ref, err := c.resource(ref)
	if err != nil {
		if errors.Is(err, errKindGone) {
			return false, nil
		}
		return false, fmt.Errorf("kube: get %s: %w", ref, err)
	}
	_, err = ri.Get(ctx, ref.Name, metav1.GetOptions{})
	switch {
	case err == nil:
		return true, nil
	case apierrors.IsNotFound(err):
		return false, nil
	default:
		return false, fmt.Errorf("kube: get %s: %w", ref, Classify(err))
	}
}

// Missing returns the refs that do not exist, in the given order.
func (c *Client) Missing(ctx context.Context, refs []ObjectRef) ([]ObjectRef, error) {
	var missing []ObjectRef
	for _, r := range refs {
		ok, err := c.exists(ctx, r)
		if err != nil {
			return nil, err
		}
		if !ok {
			missing = append(missing, r)
		}
	}
	return missing, nil
}

// ListByLabel finds every object matching the label selector, across every
// listable resource type that discovery reports (preferred versions,
// cluster-scoped and in all namespaces). Groups whose discovery fails (an
// unavailable aggregated API) are skipped; resource types that vanish while
// listing are skipped; other list failures (e.g. Forbidden) are returned
// with what was found. The result is sorted by String and has one entry per
// object, even when two API groups serve the same objects (events).
func (c *Client) ListByLabel(ctx context.Context, selector string) ([]ObjectRef, error) {
	if strings.TrimSpace(selector) == "" {
		return nil, errors.New("kube: ListByLabel needs a label selector (an empty one matches everything)")
	}
	if _, err := labels.Parse(selector); err != nil {
		return nil, fmt.Errorf("kube: label selector %q: %w", selector, err)
	}
	targets, err := c.resourceTypes("list")
	if err != nil {
		return nil, err
	}

	var (
		mu   sync.Mutex
		out  []ObjectRef
		seen = map[types.UID]bool{}
		errs []error
		wg   sync.WaitGroup
		sem  = make(chan struct{}, 8)
	)
	for _, t := range targets {
		wg.Add(1)
		go func() {
			defer wg.Done()
			sem <- struct{}{}
			defer func() { <-sem }()
			list, err := c.quietDyn.Resource(t.gvr).List(ctx, metav1.ListOptions{LabelSelector: selector})
			mu.Lock()
			defer mu.Unlock()
			if err != nil {
				if apierrors.IsNotFound(err) || apierrors.IsMethodNotSupported(err) {
					return
				}
				errs = append(errs, fmt.Errorf("list %s: %w", t.gvr.GroupResource(), Classify(err)))
				return
			}
			for _, item := range list.Items {
				if uid := item.GetUID(); uid != "" {
					if seen[uid] {
						continue
					}
					seen[uid] = true
				}
				out = append(out, ObjectRef{
					Group: t.gvr.Group, Version: t.gvr.Version, Kind: t.kind, Resource: t.gvr.Resource,
					Namespace: item.GetNamespace(), Name: item.GetName(),
				})
			}
		}()
	}
	wg.Wait()
	sort.Slice(out, func(i, j int) bool { return out[i].String() < out[j].String() })
	if len(errs) > 0 {
		return out, fmt.Errorf("kube: list objects labelled %q: %w", selector, errors.Join(errs...))
	}
	return out, nil
}

// resourceType is a resource type the server serves.
type resourceType struct {
	gvr        schema.GroupVersionResource
	kind       string
	namespaced bool
}

// resourceTypes discovers (afresh) the preferred version of each resource
// type that has all the verbs. Groups whose discovery fails (an unavailable
// aggregated API) are skipped.
func (c *Client) resourceTypes(verbs ...string) ([]resourceType, error) {
	c.discovery.Invalidate()
	lists, err := c.discovery.ServerPreferredResources()
	if err != nil && !discovery.IsGroupDiscoveryFailedError(err) {
		return nil, fmt.Errorf("kube: discover resource types: %w", Classify(err))
	}
	var out []resourceType
	for _, l := range lists {
		gv, err := schema.ParseGroupVersion(l.GroupVersion)
		if err != nil {
			continue
		}
	resources:
		for _, r := range l.APIResources {
			if strings.Contains(r.Name, "/") || (gv.Group == "" && r.Name == "componentstatuses") { // synthesized, deprecated
				continue
			}
			for _, v := range verbs {
				if !hasVerb(r.Verbs, v) {
					continue resources
				}
			}
			out = append(out, resourceType{gvr: gv.WithResource(r.Name), kind: r.Kind, namespaced: r.Namespaced})
		}
	}
	return out, nil
}

func hasVerb(verbs []string, v string) bool {
	for _, x := range verbs {
		if x == v {
			return true
		}
	}
	return false
}

// DeleteOptions tune Delete.
type DeleteOptions struct {
	// Propagation defaults to Background.
	Propagation metav1.DeletionPropagation
}

// Delete deletes refs: namespaced objects first, then cluster-scoped ones,
// CRDs and Namespaces last. An object that is already gone (or whose kind is
// no longer served) counts as deleted. All refs are tried; the failures are
// returned together.
func (c *Client) Delete(ctx context.Context, refs []ObjectRef, opts DeleteOptions) error {
	prop := opts.Propagation
	if prop == "" {
		prop = metav1.DeletePropagationBackground
	}
	var errs []error
	for _, r := range deleteOrder(refs) {
		ri, ref, err := c.resource(r)
		if err != nil {
			if errors.Is(err, errKindGone) {
				continue
			}
			errs = append(errs, fmt.Errorf("delete %s: %w", r, err))
			continue
		}
		err = ri.Delete(ctx, ref.Name, metav1.DeleteOptions{PropagationPolicy: &prop})
		if err != nil && !apierrors.IsNotFound(err) {
			errs = append(errs, fmt.Errorf("delete %s: %w", ref, Classify(err)))
		}
	}
	if len(errs) > 0 {
		return fmt.Errorf("kube: %w", errors.Join(errs...))
	}
	return nil
}

func deleteOrder(refs []ObjectRef) []ObjectRef {
	rank := func(r ObjectRef) int {
		switch {
		case r.Group == "" && r.Kind == "Namespace":
			return 3
		case r.Group == "apiextensions.k8s.io" && r.Kind == "CustomResourceDefinition":
			return 2
		case r.Namespace == "":
			return 1
		}
		return 0
	}
	out := append([]ObjectRef(nil), refs...)
	sort.SliceStable(out, func(i, j int) bool { return rank(out[i]) < rank(out[j]) })
	return out
}

// WaitGone polls until none of refs exists, or ctx ends; then the error
// lists what remains.
func (c *Client) WaitGone(ctx context.Context, refs []ObjectRef) error {
	remaining := append([]ObjectRef(nil), refs...)
	var lastErr error
	err := wait.PollUntilContextCancel(ctx, 500*time.Millisecond, true, func(ctx context.Context) (bool, error) {
		left, err := c.Missing(ctx, remaining)
		if err != nil {
			lastErr = err
			return false, nil // transient: keep polling until ctx ends
		}
		lastErr = nil
		remaining = subtract(remaining, left)
		return len(remaining) == 0, nil
	})
	if err == nil {
		return nil
	}
	if ctxErr := ctx.Err(); ctxErr != nil {
		err = ctxErr
	}
	if lastErr != nil {
		return fmt.Errorf("kube: %d object(s) still present or unknown (%s); last error: %w: %w", len(remaining), refsString(remaining), lastErr, err)
	}
	return fmt.Errorf("kube: %d object(s) still present: %s: %w", len(remaining), refsString(remaining), err)
}

func subtract(all, gone []ObjectRef) []ObjectRef {
	g := map[ObjectRef]bool{}
	for _, r := range gone {
		g[r] = true
	}
	var out []ObjectRef
	for _, r := range all {
		if !g[r] {
			out = append(out, r)
		}
	}
	return out
}
