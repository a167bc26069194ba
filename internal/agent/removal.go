package agent

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"

	"github.com/terraform-palette/terraform-provider-palette/internal/kube"
	"github.com/terraform-palette/terraform-provider-palette/internal/palette"
)

// removeSelf removes exactly what the import manifest and its packs created
// (contract 3.7), in an order that works under the read-only RBAC, where the
// agent's own ClusterRole and binding carry the very permission to delete
// them:
//
//  1. pack objects (delete, wait until gone);
//  2. the Full Permission extras (manager Deployment and ServiceAccount, then
//     the cluster-admin binding, which also ends the agent's admin rights);
//  3. the agent's cluster-scoped objects (ClusterRole, binding, PriorityClass)
//     are handed to the garbage collector with an owner reference to the
//     agent Namespace;
//  4. the Namespace is deleted (the namespace controller removes what is in
//     it; the garbage collector then removes the cluster-scoped objects);
//  5. the API is told (status/agentRemoved).
//
// Every step is idempotent, so a failed removal is retried on the next poll.
func (a *Agent) removeSelf(ctx context.Context) error {
	if !a.removing.Swap(true) {
		a.log.Info("cluster is being deleted; removing the agent and its packs")
	}
	uid, ns := a.info.ClusterUID, a.cfg.Namespace
	base := palette.LabelManagedBy + "=" + palette.LabelManagedByValue + "," + palette.LabelClusterUID + "=" + uid

	// 1. Pack objects.
	refs, err := a.ops.ListByLabel(ctx, base+","+palette.LabelProfileUID)
	if err != nil {
		return fmt.Errorf("listing pack objects: %w", err)
	}
	if len(refs) > 0 {
		a.log.Info("deleting pack objects", "objects", len(refs))
		if err := a.ops.Delete(ctx, refs, kube.DeleteOptions{}); err != nil {
			return fmt.Errorf("deleting pack objects: %w", err)
		}
		wctx, cancel := context.WithTimeout(ctx, removalWait)
		err := a.ops.WaitGone(wctx, refs)
		cancel()
		if err != nil {
			return fmt.Errorf("waiting for pack objects to go: %w", err)
		}
	}

	// 2. Full Permission extras. They are looked up first: under the
	// read-only role a delete of something absent is Forbidden, not NotFound.
	if err := a.deleteOwn(ctx, "Deployment", ns, palette.ManagerDeployment,
		func() (metav1.Object, error) {
			return a.kc.AppsV1().Deployments(ns).Get(ctx, palette.ManagerDeployment, metav1.GetOptions{})
		},
		func() error {
			return a.kc.AppsV1().Deployments(ns).Delete(ctx, palette.ManagerDeployment, backgroundDelete())
		}); err != nil {
		return err
	}
	if err := a.deleteOwn(ctx, "ServiceAccount", ns, palette.ManagerServiceAccount,
		func() (metav1.Object, error) {
			return a.kc.CoreV1().ServiceAccounts(ns).Get(ctx, palette.ManagerServiceAccount, metav1.GetOptions{})
		},
		func() error {
			return a.kc.CoreV1().ServiceAccounts(ns).Delete(ctx, palette.ManagerServiceAccount, backgroundDelete())
		}); err != nil {
		return err
	}
	if err := a.deleteOwn(ctx, "ClusterRoleBinding", "", palette.ManagerClusterRoleBinding,
		func() (metav1.Object, error) {
			return a.kc.RbacV1().ClusterRoleBindings().Get(ctx, palette.ManagerClusterRoleBinding, metav1.GetOptions{})
		},
		func() error {
			return a.kc.RbacV1().ClusterRoleBindings().Delete(ctx, palette.ManagerClusterRoleBinding, backgroundDelete())
		}); err != nil {
		return err
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
		if err := a.handOver(ctx, nsObj); err != nil {
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

// ownedBy reports whether an object carries this cluster's labels.
func (a *Agent) ownedBy(o metav1.Object) bool {
	l := o.GetLabels()
	return l[palette.LabelManagedBy] == palette.LabelManagedByValue && l[palette.LabelClusterUID] == a.info.ClusterUID
}

// deleteOwn deletes one named object if it exists and carries this
// cluster's labels.
func (a *Agent) deleteOwn(ctx context.Context, kind, ns, name string, get func() (metav1.Object, error), del func() error) error {
	o, err := get()
	if isGone(err) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("reading %s %s/%s: %w", kind, ns, name, err)
	}
	if !a.ownedBy(o) {
		a.log.Warn("not deleting an object without this cluster's labels", "kind", kind, "name", name)
		return nil
	}
	a.log.Info("deleting", "kind", kind, "name", name)
	if err := del(); err != nil && !isGone(err) {
		return fmt.Errorf("deleting %s %s/%s: %w", kind, ns, name, err)
	}
	return nil
}

// handOver patches an owner reference to the agent Namespace onto the
// agent's ClusterRole, ClusterRoleBinding and PriorityClass.
func (a *Agent) handOver(ctx context.Context, ns *corev1.Namespace) error {
	owner := metav1.OwnerReference{APIVersion: "v1", Kind: "Namespace", Name: ns.Name, UID: ns.UID}
	type target struct {
		kind, name string
		get        func() (metav1.Object, error)
		patch      func(data []byte) error
	}
	targets := []target{
		{"ClusterRole", palette.ReadOnlyClusterRole,
			func() (metav1.Object, error) {
				return a.kc.RbacV1().ClusterRoles().Get(ctx, palette.ReadOnlyClusterRole, metav1.GetOptions{})
			},
			func(d []byte) error {
				_, err := a.kc.RbacV1().ClusterRoles().Patch(ctx, palette.ReadOnlyClusterRole, types.MergePatchType, d, metav1.PatchOptions{})
				return err
			}},
		{"ClusterRoleBinding", palette.ReadOnlyClusterRoleBinding,
			func() (metav1.Object, error) {
				return a.kc.RbacV1().ClusterRoleBindings().Get(ctx, palette.ReadOnlyClusterRoleBinding, metav1.GetOptions{})
			},
			func(d []byte) error {
				_, err := a.kc.RbacV1().ClusterRoleBindings().Patch(ctx, palette.ReadOnlyClusterRoleBinding, types.MergePatchType, d, metav1.PatchOptions{})
				return err
			}},
		{"PriorityClass", palette.AgentPriorityClass,
			func() (metav1.Object, error) {
				return a.kc.SchedulingV1().PriorityClasses().Get(ctx, palette.AgentPriorityClass, metav1.GetOptions{})
			},
			func(d []byte) error {
				_, err := a.kc.SchedulingV1().PriorityClasses().Patch(ctx, palette.AgentPriorityClass, types.MergePatchType, d, metav1.PatchOptions{})
				return err
			}},
	}
	for _, t := range targets {
		o, err := t.get()
		if isGone(err) {
			continue
		}
		if err != nil {
			return fmt.Errorf("reading %s %s: %w", t.kind, t.name, err)
		}
		if !a.ownedBy(o) {
			a.log.Warn("not handing over an object without this cluster's labels", "kind", t.kind, "name", t.name)
			continue
		}
		refs := o.GetOwnerReferences()
		already := false
		for _, r := range refs {
			if r.UID == owner.UID {
				already = true
			}
		}
		if already {
			continue
		}
		refs = append(refs, owner)
		data, err := json.Marshal(map[string]any{"metadata": map[string]any{"ownerReferences": refs}})
		if err != nil {
			return fmt.Errorf("encoding owner references: %w", err)
		}
		if err := t.patch(data); err != nil && !isGone(err) {
			return fmt.Errorf("handing %s %s to the garbage collector: %w", t.kind, t.name, err)
		}
		a.log.Info("handed to the garbage collector", "kind", t.kind, "name", t.name)
	}
	return nil
}
