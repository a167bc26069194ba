package agent

// The cluster's namespace and RBAC entries (GET …/config/namespaces and
// …/config/rbacs, in the desired state of Full Permission clusters): for
// each namespace entry a Namespace (unless one existed before the entry)
// and, with a resource allocation, a ResourceQuota; for each binding of an
// RBAC entry a RoleBinding or ClusterRoleBinding. Every object carries the
// labels of manifest.NamespaceLabels or manifest.RbacLabels, which is how
// the agent finds what it created and removes exactly that: an entry that
// goes takes its objects with it, never a Namespace the agent did not
// create. What fails is reported per entry (status.errors).

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"reflect"
	"sort"
	"strconv"
	"time"

	corev1 "k8s.io/api/core/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"

	"github.com/terraform-palette/terraform-provider-palette/internal/kube"
	"github.com/terraform-palette/terraform-provider-palette/internal/manifest"
	"github.com/terraform-palette/terraform-provider-palette/internal/palette"
	"github.com/terraform-palette/terraform-provider-palette/internal/wire"
)

// DefaultConfigResync is how often, by default, the agent applies the
// namespace and RBAC entries again when they did not change (an object
// deleted out of band comes back within it).
const DefaultConfigResync = 30 * time.Second

// The kinds of the objects of namespace and RBAC entries.
var (
	gvkNamespace          = schema.GroupVersionKind{Version: "v1", Kind: "Namespace"}
	gvkResourceQuota      = schema.GroupVersionKind{Version: "v1", Kind: "ResourceQuota"}
	gvkRoleBinding        = rbacv1.SchemeGroupVersion.WithKind("RoleBinding")
	gvkClusterRoleBinding = rbacv1.SchemeGroupVersion.WithKind("ClusterRoleBinding")
)

// Resource names of a namespace entry's ResourceQuota.
const (
	quotaGPU corev1.ResourceName = "requests.nvidia.com/gpu"
)

// configState is what the agent remembers of the entries between polls.
type configState struct {
	// hash is of the entries last applied; nextRun is when they are
	// applied again even if unchanged.
	hash    string
	nextRun time.Time
	// pending is the report of the last application, until the API takes
	// it (or it equals the last one it took).
	pending *wire.ConfigStatusRequest
	// lastReported is the last report the API took, at reportedAt.
	lastReported wire.ConfigStatusRequest
	reportedAt   time.Time
	reportedOnce bool
}

// objectKey names one object of an entry.
type objectKey struct {
	kind, namespace, name string
}

// configRun is one application of the entries.
type configRun struct {
	// keep are the objects the entries want.
	keep map[objectKey]bool
	// soon is set when something waits for a namespace being terminated.
	soon bool
}

// reconcileConfig applies the namespace and RBAC entries when they changed
// or the resync is due, removes the objects of entries that went, and
// reports the entries that failed. A report the API did not take is sent
// again on the next poll, without applying the entries again.
func (a *Agent) reconcileConfig(ctx context.Context, namespaces []wire.ClusterNamespaceResource, rbacs []wire.ClusterRbac) error {
	now := time.Now()
	sig, err := configSignature(namespaces, rbacs)
	if err != nil {
		return err
	}
	st := &a.config
	none := len(namespaces)+len(rbacs) == 0
	var errs []error
	// Without entries a resync has nothing to restore: what they created
	// went when the list changed (or, after a restart, on the first run).
	if sig != st.hash || (!none && !now.Before(st.nextRun)) {
		report, err := a.applyConfig(ctx, now, sig, namespaces, rbacs)
		if ctx.Err() != nil {
			return fmt.Errorf("agent: %w", ctx.Err())
		}
		if err != nil {
			errs = append(errs, err)
		}
		st.pending = nil
		if !none { // a cluster without entries has nothing to report (their errors went with them)
			st.pending = &report
		}
	}
	if p := st.pending; p != nil {
		if !st.reportedOnce || !reflect.DeepEqual(*p, st.lastReported) || now.Sub(st.reportedAt) > statusResync {
			if err := a.call(ctx, func(ctx context.Context, c *palette.Client) error {
				return c.ReportConfigStatus(ctx, a.info.ClusterUID, *p)
			}); err != nil {
				return errors.Join(append(errs, fmt.Errorf("reporting the namespace and RBAC status: %w", err))...)
			}
			st.reportedOnce, st.lastReported, st.reportedAt = true, *p, now
		}
		st.pending = nil
	}
	return errors.Join(errs...)
}

// applyConfig applies the entries, prunes the objects of entries that went,
// schedules the next run and returns the report of the entries that failed.
func (a *Agent) applyConfig(ctx context.Context, now time.Time, sig string, namespaces []wire.ClusterNamespaceResource, rbacs []wire.ClusterRbac) (wire.ConfigStatusRequest, error) {
	st := &a.config
	run := &configRun{keep: map[objectKey]bool{}}
	report := wire.ConfigStatusRequest{Namespaces: []wire.ConfigEntryStatus{}, Rbacs: []wire.ConfigEntryStatus{}}
	for _, e := range namespaces {
		if errs := a.applyNamespaceEntry(ctx, run, e); len(errs) > 0 {
			report.Namespaces = append(report.Namespaces, wire.ConfigEntryStatus{UID: e.Metadata.UID, Errors: errs})
		}
	}
	for _, e := range rbacs {
		if errs := a.applyRbacEntry(ctx, run, e); len(errs) > 0 {
			report.Rbacs = append(report.Rbacs, wire.ConfigEntryStatus{UID: e.Metadata.UID, Errors: errs})
		}
	}
	if ctx.Err() != nil {
		return report, nil
	}
	pruneErr := a.pruneConfig(ctx, run.keep)
	failed := len(report.Namespaces)+len(report.Rbacs) > 0
	if sig != st.hash {
		a.log.Info("namespace and RBAC entries applied", "namespaces", len(namespaces), "rbacs", len(rbacs),
			"failed", len(report.Namespaces)+len(report.Rbacs))
	}
	next := a.cfg.ConfigResync
	if next <= 0 {
		next = DefaultConfigResync
	}
	switch {
	case run.soon || pruneErr != nil:
		next = min(next, terminatingRetry)
	case failed:
		next = min(next, applyRetry)
	}
	st.hash, st.nextRun = sig, now.Add(next)
	if pruneErr != nil {
		st.hash = "" // the prune failed: run again on the next poll
	}
	sortStatuses(report.Namespaces)
	sortStatuses(report.Rbacs)
	return report, pruneErr
}

// configSignature is a hash of the entries as the agent applies them.
func configSignature(namespaces []wire.ClusterNamespaceResource, rbacs []wire.ClusterRbac) (string, error) {
	b, err := json.Marshal(struct {
		N []wire.ClusterNamespaceResource
		R []wire.ClusterRbac
	}{namespaces, rbacs})
	if err != nil {
		return "", fmt.Errorf("agent: hashing the namespace and RBAC entries: %w", err)
	}
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:]), nil
}

func sortStatuses(s []wire.ConfigEntryStatus) {
	sort.Slice(s, func(i, j int) bool { return s[i].UID < s[j].UID })
}

// ownedBy reports whether an object's labels mark it as created by this
// cluster's agent for an entry (entryLabel is manifest.LabelNamespaceUID or
// manifest.LabelRbacUID).
func (a *Agent) ownedBy(labels map[string]string, entryLabel string) bool {
	return labels[manifest.LabelManagedBy] == manifest.LabelManagedByValue &&
		labels[manifest.LabelClusterUID] == a.info.ClusterUID && labels[entryLabel] != ""
}

// resourceError is one error of an entry.
func resourceError(kind, name string, err error) wire.ClusterResourceError {
	return wire.ClusterResourceError{ResourceType: kind, Name: name, Msg: err.Error()}
}

// applyNamespaceEntry applies the Namespace of an entry (unless it existed
// before the entry: the agent does not take over a namespace it did not
// create) and its ResourceQuota, and returns what failed.
func (a *Agent) applyNamespaceEntry(ctx context.Context, run *configRun, e wire.ClusterNamespaceResource) []wire.ClusterResourceError {
	name, uid := e.Metadata.Name, e.Metadata.UID
	labels := manifest.NamespaceLabels(a.info.ClusterUID, uid)
	run.keep[objectKey{gvkNamespace.Kind, "", name}] = true
	quota := quotaOf(e.Spec.ResourceAllocation)
	if quota != nil {
		run.keep[objectKey{gvkResourceQuota.Kind, name, manifest.NamespaceQuota}] = true
	}

	existing, err := a.kc.CoreV1().Namespaces().Get(ctx, name, metav1.GetOptions{})
	switch {
	case isGone(err):
		existing = nil
	case err != nil:
		return []wire.ClusterResourceError{resourceError(gvkNamespace.Kind, name, fmt.Errorf("reading namespace %s: %w", name, err))}
	}
	switch {
	case existing != nil && namespaceTerminating(existing):
		// Deleted out of band: it is created again once it is gone.
		run.soon = true
		return nil
	case existing == nil || a.ownedBy(existing.Labels, manifest.LabelNamespaceUID):
		ns := &corev1.Namespace{
			TypeMeta:   metav1.TypeMeta{APIVersion: "v1", Kind: gvkNamespace.Kind},
			ObjectMeta: metav1.ObjectMeta{Name: name, Labels: labels},
		}
		if err := a.applyTyped(ctx, ns); err != nil {
			if refusedTerminating(err) {
				run.soon = true
				return nil
			}
			return []wire.ClusterResourceError{resourceError(gvkNamespace.Kind, name, fmt.Errorf("applying namespace %s: %w", name, err))}
		}
	}
	if quota == nil {
		return nil
	}

	q, err := a.kc.CoreV1().ResourceQuotas(name).Get(ctx, manifest.NamespaceQuota, metav1.GetOptions{})
	switch {
	case isGone(err):
	case err != nil:
		return []wire.ClusterResourceError{resourceError(gvkResourceQuota.Kind, manifest.NamespaceQuota, fmt.Errorf("reading resource quota %s/%s: %w", name, manifest.NamespaceQuota, err))}
	case !a.ownedBy(q.Labels, manifest.LabelNamespaceUID):
		return []wire.ClusterResourceError{resourceError(gvkResourceQuota.Kind, manifest.NamespaceQuota,
			fmt.Errorf("namespace %s has a ResourceQuota named %s that is not the agent's", name, manifest.NamespaceQuota))}
	}
	rq := &corev1.ResourceQuota{
		TypeMeta:   metav1.TypeMeta{APIVersion: "v1", Kind: gvkResourceQuota.Kind},
		ObjectMeta: metav1.ObjectMeta{Name: manifest.NamespaceQuota, Namespace: name, Labels: labels},
		Spec:       corev1.ResourceQuotaSpec{Hard: quota},
	}
	if err := a.applyTyped(ctx, rq); err != nil {
		if refusedTerminating(err) {
			run.soon = true
			return nil
		}
		return []wire.ClusterResourceError{resourceError(gvkResourceQuota.Kind, manifest.NamespaceQuota,
			fmt.Errorf("applying resource quota %s/%s: %w", name, manifest.NamespaceQuota, err))}
	}
	return nil
}

// quotaOf is the hard limits of a resource allocation: requests and
// limits of cpu from cpuCores and of memory from memoryMiB, and
// requests.nvidia.com/gpu from a GPU limit above 0; nil when it sets none.
func quotaOf(ra *wire.ClusterNamespaceResourceAllocation) corev1.ResourceList {
	if ra == nil {
		return nil
	}
	hard := corev1.ResourceList{}
	if ra.CPUCores > 0 {
		cpu := *resource.NewMilliQuantity(int64(math.Ceil(ra.CPUCores*1000)), resource.DecimalSI)
		hard[corev1.ResourceRequestsCPU], hard[corev1.ResourceLimitsCPU] = cpu, cpu
	}
	if ra.MemoryMiB > 0 {
		var mem resource.Quantity
		if ra.MemoryMiB == math.Trunc(ra.MemoryMiB) && ra.MemoryMiB < 1<<40 {
			mem = resource.MustParse(strconv.FormatInt(int64(ra.MemoryMiB), 10) + "Mi")
		} else {
			mem = *resource.NewQuantity(int64(math.Ceil(ra.MemoryMiB*(1<<20))), resource.BinarySI)
		}
		hard[corev1.ResourceRequestsMemory], hard[corev1.ResourceLimitsMemory] = mem, mem
	}
	if g := ra.GpuConfig; g != nil && g.Limit > 0 {
		hard[quotaGPU] = *resource.NewQuantity(int64(g.Limit), resource.DecimalSI)
	}
	if len(hard) == 0 {
		return nil
	}
	return hard
}

// applyRbacEntry applies a RoleBinding or ClusterRoleBinding for each
// binding of an RBAC entry, and returns what failed.
func (a *Agent) applyRbacEntry(ctx context.Context, run *configRun, e wire.ClusterRbac) []wire.ClusterResourceError {
	uid := e.Metadata.UID
	labels := manifest.RbacLabels(a.info.ClusterUID, uid)
	var out []wire.ClusterResourceError
	n := len(e.Spec.Bindings)
	for i, b := range e.Spec.Bindings {
		name := manifest.RbacBindingName(e.Metadata.Name, uid, i, n)
		roleRef := rbacv1.RoleRef{APIGroup: rbacv1.GroupName, Kind: b.Role.Kind, Name: b.Role.Name}
		subjects := subjectsOf(b.Subjects)
		var (
			obj      runtime.Object
			existing metav1.Object
			err      error
		)
		switch b.Type {
		case wire.BindingTypeRoleBinding:
			run.keep[objectKey{gvkRoleBinding.Kind, b.Namespace, name}] = true
			ns, nerr := a.kc.CoreV1().Namespaces().Get(ctx, b.Namespace, metav1.GetOptions{})
			switch {
			case isGone(nerr):
				out = append(out, resourceError(gvkRoleBinding.Kind, name, fmt.Errorf("namespace %s of RoleBinding %s does not exist", b.Namespace, name)))
				continue
			case nerr != nil:
				out = append(out, resourceError(gvkRoleBinding.Kind, name, fmt.Errorf("reading namespace %s: %w", b.Namespace, nerr)))
				continue
			case namespaceTerminating(ns):
				run.soon = true
				continue
			}
			var rb *rbacv1.RoleBinding
			rb, err = a.kc.RbacV1().RoleBindings(b.Namespace).Get(ctx, name, metav1.GetOptions{})
			if err == nil {
				existing = rb
			}
			obj = &rbacv1.RoleBinding{
				TypeMeta:   metav1.TypeMeta{APIVersion: rbacv1.SchemeGroupVersion.String(), Kind: gvkRoleBinding.Kind},
				ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: b.Namespace, Labels: labels},
				RoleRef:    roleRef, Subjects: subjects,
			}
		case wire.BindingTypeClusterRoleBinding:
			run.keep[objectKey{gvkClusterRoleBinding.Kind, "", name}] = true
			var crb *rbacv1.ClusterRoleBinding
			crb, err = a.kc.RbacV1().ClusterRoleBindings().Get(ctx, name, metav1.GetOptions{})
			if err == nil {
				existing = crb
			}
			obj = &rbacv1.ClusterRoleBinding{
				TypeMeta:   metav1.TypeMeta{APIVersion: rbacv1.SchemeGroupVersion.String(), Kind: gvkClusterRoleBinding.Kind},
				ObjectMeta: metav1.ObjectMeta{Name: name, Labels: labels},
				RoleRef:    roleRef, Subjects: subjects,
			}
		default:
			out = append(out, resourceError(b.Type, name, fmt.Errorf("binding %d has the unknown type %q", i, b.Type)))
			continue
		}
		switch {
		case err != nil && !isGone(err):
			out = append(out, resourceError(b.Type, name, fmt.Errorf("reading %s %s: %w", b.Type, name, err)))
			continue
		case existing != nil && !a.ownedBy(existing.GetLabels(), manifest.LabelRbacUID):
			out = append(out, resourceError(b.Type, name, fmt.Errorf("a %s named %s exists and is not the agent's", b.Type, name)))
			continue
		}
		if err := a.applyTyped(ctx, obj); err != nil {
			if refusedTerminating(err) {
				run.soon = true
				continue
			}
			out = append(out, resourceError(b.Type, name, fmt.Errorf("applying %s %s: %w", b.Type, name, err)))
		}
	}
	return out
}

// subjectsOf turns an entry's subjects into a binding's: users and groups
// in the RBAC API group, service accounts with their namespace.
func subjectsOf(in []wire.ClusterRbacSubjects) []rbacv1.Subject {
	out := make([]rbacv1.Subject, 0, len(in))
	for _, s := range in {
		switch s.Type {
		case wire.SubjectServiceAccount:
			out = append(out, rbacv1.Subject{Kind: rbacv1.ServiceAccountKind, Name: s.Name, Namespace: s.Namespace})
		default:
			out = append(out, rbacv1.Subject{Kind: s.Type, APIGroup: rbacv1.GroupName, Name: s.Name})
		}
	}
	return out
}

// applyTyped server-side applies one typed object as the agent.
func (a *Agent) applyTyped(ctx context.Context, obj runtime.Object) error {
	m, err := runtime.DefaultUnstructuredConverter.ToUnstructured(obj)
	if err != nil {
		return fmt.Errorf("agent: converting %T: %w", obj, err)
	}
	u := &unstructured.Unstructured{Object: m}
	unstructured.RemoveNestedField(u.Object, "metadata", "creationTimestamp")
	unstructured.RemoveNestedField(u.Object, "status")
	_, err = a.ops.ApplyObjects(ctx, []*unstructured.Unstructured{u}, kube.ApplyOptions{FieldManager: manifest.FieldManagerAgent})
	return err //nolint:wrapcheck // the caller says what it applied
}

// configObjects lists every object the agent created for the cluster's
// namespace and RBAC entries.
func (a *Agent) configObjects(ctx context.Context) ([]unstructured.Unstructured, error) {
	uid := a.info.ClusterUID
	var out []unstructured.Unstructured
	for _, k := range []struct {
		gvk      schema.GroupVersionKind
		selector string
	}{
		{gvkRoleBinding, manifest.RbacsSelector(uid)},
		{gvkClusterRoleBinding, manifest.RbacsSelector(uid)},
		{gvkResourceQuota, manifest.NamespacesSelector(uid)},
		{gvkNamespace, manifest.NamespacesSelector(uid)},
	} {
		objs, err := a.ops.ListObjects(ctx, k.gvk, "", metav1.ListOptions{LabelSelector: k.selector})
		if err != nil {
			return nil, fmt.Errorf("listing the %ss of the namespace and RBAC entries: %w", k.gvk.Kind, err)
		}
		for _, o := range objs {
			o.SetAPIVersion(k.gvk.GroupVersion().String())
			o.SetKind(k.gvk.Kind)
			out = append(out, o)
		}
	}
	return out, nil
}

// pruneConfig deletes the objects the agent created for entries that are
// not in keep any more (an entry removed or renamed, an allocation
// removed).
func (a *Agent) pruneConfig(ctx context.Context, keep map[objectKey]bool) error {
	objs, err := a.configObjects(ctx)
	if err != nil {
		return err
	}
	var stray []kube.ObjectRef
	for i := range objs {
		o := &objs[i]
		if keep[objectKey{o.GetKind(), o.GetNamespace(), o.GetName()}] || o.GetDeletionTimestamp() != nil {
			continue
		}
		stray = append(stray, kube.RefOf(o))
	}
	if len(stray) == 0 {
		return nil
	}
	for _, r := range stray {
		a.log.Info("deleting an object of a namespace or RBAC entry that went", "kind", r.Kind, "namespace", r.Namespace, "name", r.Name)
	}
	if err := a.ops.Delete(ctx, stray, kube.DeleteOptions{}); err != nil {
		return fmt.Errorf("deleting the objects of namespace and RBAC entries that went: %w", err)
	}
	return nil
}

// removeConfig deletes every object the agent created for the cluster's
// namespace and RBAC entries and waits until they are gone (the cluster is
// being deleted).
func (a *Agent) removeConfig(ctx context.Context) error {
	objs, err := a.configObjects(ctx)
	if err != nil {
		return err
	}
	refs := make([]kube.ObjectRef, 0, len(objs))
	for i := range objs {
		refs = append(refs, kube.RefOf(&objs[i]))
	}
	return a.deleteAndWait(ctx, refs, "the objects of the namespace and RBAC entries")
}
