package agent

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/types"

	"github.com/terraform-palette/terraform-provider-palette/internal/kube"
	"github.com/terraform-palette/terraform-provider-palette/internal/manifest"
	"github.com/terraform-palette/terraform-provider-palette/internal/palette"
	"github.com/terraform-palette/terraform-provider-palette/internal/wire"
)

// removeSelf removes exactly what the import manifest and its packs created
// (after a delete in Palette), finding the manifest's objects by the names the manifest
// package gives them (a real manifest carries none of our labels), in an
// order that works under the read-only RBAC, where the agent's own
// ClusterRole and binding carry the very permission to delete them:
//
//  1. pack objects, then the objects of the namespace and RBAC entries
//     (delete, wait until gone; these carry our labels: the agent put them
//     there; a Namespace the agent did not create is not among them);
//  2. the Full Permission extras (manager Deployment, Job, ServiceAccount,
//     ConfigMap, PriorityClass and CRDs, then the cluster-admin binding,
//     which also ends the agent's admin rights);
//  3. the agent's cluster-scoped objects (ClusterRole, binding,
//     PriorityClass) are handed to the garbage collector with an owner
//     reference to the agent Namespace;
//  4. the Namespace is deleted (the namespace controller removes what is in
//     it; the garbage collector then removes the cluster-scoped objects);
//  5. the API is told (status/agentRemoved).
//
// Cluster-scoped objects are left alone when they are not this install's:
// a binding without a subject in the agent namespace, and, when another
// agent runs in the cluster, the objects installs share by name.
//
// Every step is idempotent, so a failed removal is retried on the next poll.
func (a *Agent) removeSelf(ctx context.Context) error {
	if !a.removing.Swap(true) {
		a.log.Info("cluster is being deleted; removing the agent and its packs")
	}
	uid, ns := a.info.ClusterUID, a.cfg.Namespace

	// 1. Pack objects.
	refs, err := a.ops.ListByLabel(ctx, manifest.PacksSelector(uid))
	if err != nil {
		return fmt.Errorf("listing pack objects: %w", err)
	}
	if err := a.deleteAndWait(ctx, refs, "pack objects"); err != nil {
		return err
	}

	// 1b. The objects of the namespace and RBAC entries (the agent still
	// has Full Permission's rights: they go before the admin binding).
	if err := a.removeConfig(ctx); err != nil {
		return err
	}

	shared, err := a.sharedCluster(ctx)
	if err != nil {
		return err
	}

	// 2. Full Permission extras. Each is looked up first: under the
	// read-only role a delete of something absent is Forbidden, not NotFound.
	extras, err := manifest.FullPermissionExtras(uid)
	if err != nil {
		return fmt.Errorf("agent: %w", err)
	}
	var first, last []kube.ObjectRef
	for _, id := range extras {
		ref, o, err := a.lookup(ctx, id)
		if err != nil {
			return err
		}
		if o == nil || !a.owns(id, o, shared) {
			continue
		}
		if id.Kind == "ClusterRoleBinding" && id.Name == manifest.ManagerClusterRoleBinding {
			last = append(last, ref)
		} else {
			first = append(first, ref)
		}
	}
	for _, batch := range [][]kube.ObjectRef{first, last} {
		if len(batch) == 0 {
			continue
		}
		for _, r := range batch {
			a.log.Info("deleting", "kind", r.Kind, "name", r.Name)
		}
		if err := a.ops.Delete(ctx, batch, kube.DeleteOptions{}); err != nil {
			return fmt.Errorf("deleting the Full Permission objects: %w", err)
		}
	}

	// 3. Hand the cluster-scoped objects to the garbage collector.
	nsObj, err := a.kc.CoreV1().Namespaces().Get(ctx, ns, metav1.GetOptions{})
	switch {
	case isGone(err):
		nsObj = nil
	case err != nil:
		return fmt.Errorf("reading namespace %s: %w", ns, err)
	}
	if nsObj != nil && !namespaceTerminating(nsObj) {
		if err := a.handOver(ctx, nsObj, shared); err != nil {
			return err
		}
		// 4. Delete the Namespace.
		a.log.Info("deleting the agent namespace")
		if err := a.kc.CoreV1().Namespaces().Delete(ctx, ns, backgroundDelete()); err != nil && !isGone(err) {
			return fmt.Errorf("deleting namespace %s: %w", ns, err)
		}
	}

	// 5. Tell the API. The namespace is going, and the runner (or kubelet)
	// may stop the agent any moment now, so this call does not depend on ctx
	// staying alive beyond a bounded time.
	rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), time.Minute)
	defer cancel()
	if err := a.retry(rctx, "report agent removal", func(ctx context.Context, c *palette.Client) error {
		return c.ReportAgentRemoved(ctx, uid)
	}); err != nil {
		return fmt.Errorf("reporting agent removal: %w", err)
	}
	a.removed.Store(true)
	a.log.Info("agent removed itself")
	return nil
}

func backgroundDelete() metav1.DeleteOptions {
	p := metav1.DeletePropagationBackground
	return metav1.DeleteOptions{PropagationPolicy: &p}
}

// sharedCluster reports whether another agent is installed in the cluster.
func (a *Agent) sharedCluster(ctx context.Context) (bool, error) {
	installs, err := manifest.FindInstalled(ctx, a.ops)
	if err != nil {
		return false, fmt.Errorf("looking for other agents: %w", err)
	}
	for _, in := range installs {
		if in.ClusterUID != a.info.ClusterUID {
			return true, nil
		}
	}
	return false, nil
}

// lookup reads one object of the manifest by name; o is nil when it does
// not exist.
func (a *Agent) lookup(ctx context.Context, id manifest.ObjectID) (kube.ObjectRef, *unstructured.Unstructured, error) {
	gvk := id.GroupVersionKind()
	ref := kube.ObjectRef{Group: gvk.Group, Version: gvk.Version, Kind: gvk.Kind, Namespace: id.Namespace, Name: id.Name}
	o, err := a.ops.Get(ctx, ref)
	switch {
	case isGone(err):
		return ref, nil, nil
	case err != nil:
		return ref, nil, fmt.Errorf("reading %s: %w", id, err)
	}
	return ref, o, nil
}

// owns reports whether an object of the manifest, found by name, is this
// install's: what is in the agent namespace is; a binding is when it binds
// a subject in that namespace; other cluster-scoped objects are unless
// another agent is installed in the cluster (shared), since installs share
// their names.
func (a *Agent) owns(id manifest.ObjectID, o *unstructured.Unstructured, shared bool) bool {
	ns := a.cfg.Namespace
	switch {
	case id.Namespace == ns:
		return true
	case id.Namespace != "":
		return false
	case strings.HasSuffix(id.Kind, "Binding"):
		if manifest.BindsNamespace(o, ns) {
			return true
		}
		a.log.Warn("not removing a binding without a subject in the agent namespace", "kind", id.Kind, "name", id.Name)
		return false
	case shared:
		a.log.Warn("not removing an object another agent in the cluster shares", "kind", id.Kind, "name", id.Name)
		return false
	}
	return true
}

// handOver patches an owner reference to the agent Namespace onto the
// agent's cluster-scoped objects of the read-only manifest (ClusterRole,
// ClusterRoleBinding, PriorityClass).
func (a *Agent) handOver(ctx context.Context, ns *corev1.Namespace, shared bool) error {
	owner := metav1.OwnerReference{APIVersion: "v1", Kind: "Namespace", Name: ns.Name, UID: ns.UID}
	ids, err := manifest.ExpectedObjects(a.info.ClusterUID, wire.ImportModeReadOnly)
	if err != nil {
		return fmt.Errorf("agent: %w", err)
	}
	for _, id := range ids {
		if id.Namespace != "" || id.Kind == "Namespace" {
			continue
		}
		_, o, err := a.lookup(ctx, id)
		if err != nil {
			return err
		}
		if o == nil || !a.owns(id, o, shared) {
			continue
		}
		refs := o.GetOwnerReferences()
		if slices.ContainsFunc(refs, func(r metav1.OwnerReference) bool { return r.UID == owner.UID }) {
			continue
		}
		refs = append(refs, owner)
		data, err := json.Marshal(map[string]any{"metadata": map[string]any{"ownerReferences": refs}})
		if err != nil {
			return fmt.Errorf("encoding owner references: %w", err)
		}
		if err := a.patch(ctx, id, data); err != nil && !isGone(err) {
			return fmt.Errorf("handing %s to the garbage collector: %w", id, err)
		}
		a.log.Info("handed to the garbage collector", "kind", id.Kind, "name", id.Name)
	}
	return nil
}

// patch merge-patches one cluster-scoped object of the read-only manifest
// (the agent's role allows patch on exactly these).
func (a *Agent) patch(ctx context.Context, id manifest.ObjectID, data []byte) error {
	var err error
	switch id.Kind {
	case "ClusterRole":
		_, err = a.kc.RbacV1().ClusterRoles().Patch(ctx, id.Name, types.MergePatchType, data, metav1.PatchOptions{})
	case "ClusterRoleBinding":
		_, err = a.kc.RbacV1().ClusterRoleBindings().Patch(ctx, id.Name, types.MergePatchType, data, metav1.PatchOptions{})
	case "PriorityClass":
		_, err = a.kc.SchedulingV1().PriorityClasses().Patch(ctx, id.Name, types.MergePatchType, data, metav1.PatchOptions{})
	default:
		return fmt.Errorf("no way to hand %s over", id)
	}
	return err //nolint:wrapcheck // the caller wraps it
}

// deleteAndWait deletes refs (what names them in logs and errors) and waits,
// at most removalWait, until they are gone.
func (a *Agent) deleteAndWait(ctx context.Context, refs []kube.ObjectRef, what string) error {
	if len(refs) == 0 {
		return nil
	}
	a.log.Info("deleting "+what, "objects", len(refs))
	if err := a.ops.Delete(ctx, refs, kube.DeleteOptions{}); err != nil {
		return fmt.Errorf("deleting %s: %w", what, err)
	}
	wctx, cancel := context.WithTimeout(ctx, removalWait)
	defer cancel()
	if err := a.ops.WaitGone(wctx, refs); err != nil {
		return fmt.Errorf("waiting for %s to go: %w", what, err)
	}
	return nil
}
