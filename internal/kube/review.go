package kube

import (
	"context"
	"fmt"
	"strings"

	authorizationv1 "k8s.io/api/authorization/v1"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
)

// Denied is one permission the caller lacks to apply an object.
type Denied struct {
	Object ObjectRef
	Verb   string
	// Reason says what was reviewed and, when the server gave one, why.
	Reason string
}

func (d Denied) String() string { return d.Object.String() + ": " + d.Verb + ": " + d.Reason }

// CheckCanApply asks the server (SelfSubjectAccessReview) whether the
// client's credentials may apply objs: create and patch of each object (in
// its namespace; a namespaced object without one is reviewed in "default";
// a namespace that does not exist yet is fine), bind of the role a
// (Cluster)RoleBinding references and escalate of each (Cluster)Role —
// bind and escalate are also satisfied by holding every permission ("*" on
// "*"), the simple form of RBAC's escalation rule. Kinds defined by a CRD
// among objs are resolved from that CRD. It returns what is denied; an
// empty result means everything was allowed.
func (c *Client) CheckCanApply(ctx context.Context, objs []*unstructured.Unstructured) ([]Denied, error) {
	fromCRDs := crdResources(objs)
	cache := map[authorizationv1.ResourceAttributes]*authorizationv1.SubjectAccessReviewStatus{}
	review := func(attrs authorizationv1.ResourceAttributes) (*authorizationv1.SubjectAccessReviewStatus, error) {
		if st, ok := cache[attrs]; ok {
			return st, nil
		}
		a := attrs
		res, err := c.kube.AuthorizationV1().SelfSubjectAccessReviews().Create(ctx, &authorizationv1.SelfSubjectAccessReview{
			Spec: authorizationv1.SelfSubjectAccessReviewSpec{ResourceAttributes: &a},
		}, metav1.CreateOptions{})
		if err != nil {
			return nil, fmt.Errorf("kube: access review (%s): %w", attrsString(attrs), Classify(err))
		}
		cache[attrs] = &res.Status
		return &res.Status, nil
	}
	var all *authorizationv1.SubjectAccessReviewStatus
	holdsAll := func() (bool, error) {
		if all == nil {
			st, err := review(authorizationv1.ResourceAttributes{Verb: "*", Group: "*", Resource: "*"})
			if err != nil {
				return false, err
			}
			all = st
		}
		return all.Allowed, nil
	}

	var denied []Denied
	for _, o := range objs {
		ref := RefOf(o)
		gvk := o.GroupVersionKind()
		resource, namespaced, err := c.resourceOf(gvk, fromCRDs)
		if err != nil {
			return nil, fmt.Errorf("kube: check %s: %w", ref, err)
		}
		ref.Resource = resource
		if namespaced {
			if ref.Namespace == "" {
				ref.Namespace = metav1.NamespaceDefault
			}
		} else {
			ref.Namespace = ""
		}
		for _, verb := range []string{"create", "patch"} {
			attrs := authorizationv1.ResourceAttributes{
				Namespace: ref.Namespace, Verb: verb, Group: gvk.Group, Resource: resource,
			}
			if verb != "create" {
				attrs.Name = ref.Name
			}
			st, err := review(attrs)
			if err != nil {
				return nil, err
			}
			if !st.Allowed {
				denied = append(denied, Denied{Object: ref, Verb: verb, Reason: deniedReason(attrs, st)})
			}
		}

		var extra *authorizationv1.ResourceAttributes
		switch {
		case gvk.Group == "rbac.authorization.k8s.io" && (gvk.Kind == "ClusterRoleBinding" || gvk.Kind == "RoleBinding"):
			kind, _, _ := unstructured.NestedString(o.Object, "roleRef", "kind")
			name, _, _ := unstructured.NestedString(o.Object, "roleRef", "name")
			a := authorizationv1.ResourceAttributes{Verb: "bind", Group: "rbac.authorization.k8s.io", Resource: "clusterroles", Name: name}
			if kind == "Role" {
				a.Resource, a.Namespace = "roles", ref.Namespace
			}
			extra = &a
		case gvk.Group == "rbac.authorization.k8s.io" && (gvk.Kind == "ClusterRole" || gvk.Kind == "Role"):
			a := authorizationv1.ResourceAttributes{Verb: "escalate", Group: "rbac.authorization.k8s.io", Resource: resource, Name: ref.Name, Namespace: ref.Namespace}
			extra = &a
		}
		if extra != nil {
			st, err := review(*extra)
			if err != nil {
				return nil, err
			}
			if !st.Allowed {
				ok, err := holdsAll()
				if err != nil {
					return nil, err
				}
				if !ok {
					denied = append(denied, Denied{Object: ref, Verb: extra.Verb,
						Reason: deniedReason(*extra, st) + ", nor may it do everything (\"*\" on \"*\")"})
				}
			}
		}
	}
	return denied, nil
}

type crdResource struct {
	plural     string
	namespaced bool
}

func crdResources(objs []*unstructured.Unstructured) map[schema.GroupKind]crdResource {
	out := map[schema.GroupKind]crdResource{}
	for _, o := range objs {
		if !isCRD(o) {
			continue
		}
		gk, ok := crdGroupKind(o)
		if !ok {
			continue
		}
		plural, _, _ := unstructured.NestedString(o.Object, "spec", "names", "plural")
		scope, _, _ := unstructured.NestedString(o.Object, "spec", "scope")
		out[gk] = crdResource{plural: plural, namespaced: scope != "Cluster"}
	}
	return out
}

// resourceOf finds gvk's plural resource and scope: from the server, else
// from a CRD among the objects being applied.
func (c *Client) resourceOf(gvk schema.GroupVersionKind, fromCRDs map[schema.GroupKind]crdResource) (string, bool, error) {
	if r, ok := fromCRDs[gvk.GroupKind()]; ok && r.plural != "" {
		return r.plural, r.namespaced, nil
	}
	m, err := c.mapping(gvk)
	if err != nil {
		return "", false, err
	}
	return m.Resource.Resource, m.Scope.Name() == meta.RESTScopeNameNamespace, nil
}

func attrsString(a authorizationv1.ResourceAttributes) string {
	res := a.Resource
	if a.Group != "" {
		res = a.Resource + "." + a.Group
	}
	s := a.Verb + " " + res
	if a.Name != "" {
		s += "/" + a.Name
	}
	if a.Namespace != "" {
		s += " in namespace " + a.Namespace
	} else {
		s += " (cluster-wide)"
	}
	return s
}

func deniedReason(a authorizationv1.ResourceAttributes, st *authorizationv1.SubjectAccessReviewStatus) string {
	s := "may not " + attrsString(a)
	var why []string
	if st.Reason != "" {
		why = append(why, st.Reason)
	}
	if st.EvaluationError != "" {
		why = append(why, st.EvaluationError)
	}
	if len(why) > 0 {
		s += " (" + strings.Join(why, "; ") + ")"
	}
	return s
}
