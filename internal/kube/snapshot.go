package kube

// Export and Restore: the objects of namespaces (and cluster-scoped ones)
// as a backup takes them, and their re-creation, with client-go's dynamic
// client. This is what palette-local's agent does where Palette runs
// Velero (which needs a pod and a node agent: docs/palette-api.md).

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sort"
	"sync"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
)

// Cluster resource modes of ExportOptions and RestoreOptions (Palette's
// includeClusterResourceMode, Velero's --include-cluster-resources).
const (
	ClusterResourcesAlways = "Always"
	ClusterResourcesAuto   = "Auto"
	ClusterResourcesNever  = "Never"
)

// ExportOptions select what Export takes.
type ExportOptions struct {
	// Namespaces to take (their Namespace objects included); none is every
	// namespace but Exclude.
	Namespaces []string
	// Exclude are namespaces never taken (the agent's own).
	Exclude []string
	// ClusterResources is Always (every cluster-scoped object), Auto (the
	// PersistentVolumes bound to the namespaces' claims) or Never.
	ClusterResources string
}

// Resources an export never takes: what the cluster makes itself and
// would make again (events, endpoints, leases, node facts, reviews).
var exportSkip = map[schema.GroupResource]bool{
	{Resource: "events"}:                                                             true,
	{Group: "events.k8s.io", Resource: "events"}:                                     true,
	{Resource: "endpoints"}:                                                          true,
	{Group: "discovery.k8s.io", Resource: "endpointslices"}:                          true,
	{Group: "coordination.k8s.io", Resource: "leases"}:                               true,
	{Resource: "nodes"}:                                                              true,
	{Group: "metrics.k8s.io", Resource: "pods"}:                                      true,
	{Group: "metrics.k8s.io", Resource: "nodes"}:                                     true,
	{Group: "apiregistration.k8s.io", Resource: "apiservices"}:                       true,
	{Group: "certificates.k8s.io", Resource: "certificatesigningrequests"}:           true,
	{Group: "flowcontrol.apiserver.k8s.io", Resource: "flowschemas"}:                 true,
	{Group: "flowcontrol.apiserver.k8s.io", Resource: "prioritylevelconfigurations"}: true,
}

// Export lists the objects a backup takes, ready to be created again: the
// Namespace objects of the namespaces, their namespaced objects and the
// cluster-scoped ones of the mode, without server-set fields and status.
// Objects another object owns (a Deployment's ReplicaSets and Pods) are
// left out: their owner makes them again. So are what every namespace gets
// by itself (the default ServiceAccount, the kube-root-ca.crt ConfigMap)
// and service account tokens. It returns the namespaces taken.
func (c *Client) Export(ctx context.Context, opts ExportOptions) ([]unstructured.Unstructured, []string, error) {
	types, err := c.resourceTypes("list", "create")
	if err != nil {
		return nil, nil, err
	}
	namespaces, err := c.exportNamespaces(ctx, opts)
	if err != nil {
		return nil, nil, err
	}
	in := map[string]bool{}
	for _, ns := range namespaces {
		in[ns] = true
	}
	var (
		mu   sync.Mutex
		out  []unstructured.Unstructured
		errs []error
		wg   sync.WaitGroup
		sem  = make(chan struct{}, 8)
	)
	for _, t := range types {
		if exportSkip[t.gvr.GroupResource()] {
			continue
		}
		if !t.namespaced && t.gvr.Resource != "namespaces" && opts.ClusterResources == ClusterResourcesNever {
			continue
		}
		if !t.namespaced && t.gvr.Resource != "namespaces" && opts.ClusterResources != ClusterResourcesAlways &&
			(t.gvr.Group != "" || t.gvr.Resource != "persistentvolumes") {
			continue
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			sem <- struct{}{}
			defer func() { <-sem }()
			list, err := c.quietDyn.Resource(t.gvr).List(ctx, metav1.ListOptions{})
			mu.Lock()
			defer mu.Unlock()
			if err != nil {
				if !apierrors.IsNotFound(err) && !apierrors.IsMethodNotSupported(err) {
					errs = append(errs, fmt.Errorf("list %s: %w", t.gvr.GroupResource(), Classify(err)))
				}
				return
			}
			for _, item := range list.Items {
				if !exportTakes(t, &item, in, opts.ClusterResources) {
					continue
				}
				out = append(out, cleanForRestore(item))
			}
		}()
	}
	wg.Wait()
	if len(errs) > 0 {
		return nil, nil, fmt.Errorf("kube: export: %w", errors.Join(errs...))
	}
	sort.Slice(out, func(i, j int) bool { return objectKey(&out[i]) < objectKey(&out[j]) })
	return out, namespaces, nil
}

// exportNamespaces are the namespaces an export takes: those asked for
// that exist, or every one but the excluded.
func (c *Client) exportNamespaces(ctx context.Context, opts ExportOptions) ([]string, error) {
	list, err := c.kube.CoreV1().Namespaces().List(ctx, metav1.ListOptions{})
	if err != nil {
		return nil, fmt.Errorf("kube: list namespaces: %w", Classify(err))
	}
	var out []string
	for _, ns := range list.Items {
		if slices.Contains(opts.Exclude, ns.Name) || ns.DeletionTimestamp != nil {
			continue
		}
		if len(opts.Namespaces) == 0 || slices.Contains(opts.Namespaces, ns.Name) {
			out = append(out, ns.Name)
		}
	}
	sort.Strings(out)
	return out, nil
}

func exportTakes(t resourceType, u *unstructured.Unstructured, in map[string]bool, mode string) bool {
	if len(u.GetOwnerReferences()) > 0 {
		return false
	}
	switch {
	case t.gvr.Group == "" && t.gvr.Resource == "namespaces":
		return in[u.GetName()]
	case t.namespaced:
		if !in[u.GetNamespace()] {
			return false
		}
	case t.gvr.Group == "" && t.gvr.Resource == "persistentvolumes" && mode == ClusterResourcesAuto:
		ns, _, _ := unstructured.NestedString(u.Object, "spec", "claimRef", "namespace")
		return in[ns]
	}
	switch {
	case t.gvr.Group == "" && t.gvr.Resource == "serviceaccounts" && u.GetName() == "default",
		t.gvr.Group == "" && t.gvr.Resource == "configmaps" && u.GetName() == "kube-root-ca.crt":
		return false
	case t.gvr.Group == "" && t.gvr.Resource == "secrets":
		typ, _, _ := unstructured.NestedString(u.Object, "type")
		return typ != "kubernetes.io/service-account-token"
	}
	return true
}

// cleanForRestore drops what the server sets (uid, resourceVersion, times,
// managed fields, status) and a Service's cluster IPs and node ports.
func cleanForRestore(u unstructured.Unstructured) unstructured.Unstructured {
	u = *u.DeepCopy()
	for _, f := range []string{"uid", "resourceVersion", "creationTimestamp", "managedFields", "generation", "selfLink", "deletionTimestamp", "deletionGracePeriodSeconds"} {
		unstructured.RemoveNestedField(u.Object, "metadata", f)
	}
	unstructured.RemoveNestedField(u.Object, "metadata", "annotations", "kubectl.kubernetes.io/last-applied-configuration")
	unstructured.RemoveNestedField(u.Object, "status")
	if u.GetAPIVersion() == "v1" && u.GetKind() == "Service" {
		if ip, _, _ := unstructured.NestedString(u.Object, "spec", "clusterIP"); ip != "None" {
			unstructured.RemoveNestedField(u.Object, "spec", "clusterIP")
			unstructured.RemoveNestedField(u.Object, "spec", "clusterIPs")
		}
		if ports, ok, _ := unstructured.NestedSlice(u.Object, "spec", "ports"); ok {
			for _, p := range ports {
				if m, ok := p.(map[string]any); ok {
					delete(m, "nodePort")
				}
			}
			_ = unstructured.SetNestedSlice(u.Object, ports, "spec", "ports")
		}
	}
	return u
}

func objectKey(u *unstructured.Unstructured) string {
	return restoreRank(u) + "/" + u.GetAPIVersion() + "/" + u.GetKind() + "/" + u.GetNamespace() + "/" + u.GetName()
}

// restoreRank orders objects as a restore creates them: definitions and
// namespaces first, then what pods use, then the rest.
func restoreRank(u *unstructured.Unstructured) string {
	switch u.GetKind() {
	case "CustomResourceDefinition":
		return "0"
	case "Namespace":
		return "1"
	case "ServiceAccount", "ConfigMap", "Secret", "PersistentVolume", "PersistentVolumeClaim", "ClusterRole", "Role", "LimitRange", "ResourceQuota":
		return "2"
	case "ClusterRoleBinding", "RoleBinding":
		return "3"
	}
	return "4"
}

// RestoreOptions select what Restore creates.
type RestoreOptions struct {
	// Namespaces to restore; none is every namespace of the backup.
	Namespaces []string
	// ClusterResources: Never restores no cluster-scoped object but the
	// namespaces; Auto and Always restore those of the backup.
	ClusterResources string
	// Labels are added to every object created.
	Labels map[string]string
}

// RestoreResult counts what a restore did.
type RestoreResult struct {
	// Created objects; Existing were there already and were left alone
	// (as Velero does).
	Created, Existing int
}

// Restore creates the objects of a backup in the order Export sorted them
// (definitions, namespaces, what pods use, the rest), leaving objects that
// exist alone. It stops at the first other failure.
func (c *Client) Restore(ctx context.Context, objs []unstructured.Unstructured, opts RestoreOptions) (RestoreResult, error) {
	var res RestoreResult
	sorted := slices.Clone(objs)
	sort.SliceStable(sorted, func(i, j int) bool { return restoreRank(&sorted[i]) < restoreRank(&sorted[j]) })
	for i := range sorted {
		u := sorted[i].DeepCopy()
		ns := u.GetNamespace()
		if u.GetKind() == "Namespace" && u.GetAPIVersion() == "v1" {
			ns = u.GetName()
		} else if ns == "" && opts.ClusterResources == ClusterResourcesNever {
			continue
		}
		if ns != "" && len(opts.Namespaces) > 0 && !slices.Contains(opts.Namespaces, ns) {
			continue
		}
		if len(opts.Labels) > 0 {
			l := u.GetLabels()
			if l == nil {
				l = map[string]string{}
			}
			for k, v := range opts.Labels {
				l[k] = v
			}
			u.SetLabels(l)
		}
		m, err := c.mapping(u.GroupVersionKind())
		if err != nil {
			return res, fmt.Errorf("kube: restore %s %s/%s: %w", u.GetKind(), u.GetNamespace(), u.GetName(), err)
		}
		ri := c.dyn.Resource(m.Resource)
		var createErr error
		if m.Scope.Name() == "namespace" {
			_, createErr = ri.Namespace(u.GetNamespace()).Create(ctx, u, metav1.CreateOptions{FieldManager: "palette-agent"})
		} else {
			_, createErr = ri.Create(ctx, u, metav1.CreateOptions{FieldManager: "palette-agent"})
		}
		switch {
		case createErr == nil:
			res.Created++
		case apierrors.IsAlreadyExists(createErr):
			res.Existing++
		default:
			return res, fmt.Errorf("kube: restore %s %s/%s: %w", u.GetKind(), u.GetNamespace(), u.GetName(), Classify(createErr))
		}
	}
	return res, nil
}
