package provider

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework-timeouts/resource/timeouts"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	apierrors "k8s.io/apimachinery/pkg/api/errors"

	"github.com/terraform-palette/terraform-provider-palette/internal/kube"
	"github.com/terraform-palette/terraform-provider-palette/internal/manifest"
	"github.com/terraform-palette/terraform-provider-palette/internal/palette"
)

// Delete deregisters the cluster (unless deletion_policy = "abandon") and
// removes or checks what is left of its agent.
func (r *importedClusterResource) Delete(ctx context.Context, req resource.DeleteRequest, resp *resource.DeleteResponse) {
	state, ok := getModel[importedClusterResourceModel](ctx, req.State, &resp.Diagnostics)
	if !ok {
		return
	}
	ctx, cancel := withTimeout(ctx, state.Timeouts, timeouts.Value.Delete, defaultDeleteTimeout, &resp.Diagnostics)
	defer cancel()
	uid := state.ID.ValueString()
	defer r.data.clusterCache().invalidate(uid)
	c := r.data.client
	policy := state.DeletionPolicy.ValueString()
	access := stateAccess(ctx, state.Kubernetes, req.Private, &resp.Diagnostics)

	if policy == deletionPolicyAbandon {
		resp.Diagnostics.AddWarning("Imported cluster abandoned",
			fmt.Sprintf("deletion_policy = \"abandon\": cluster %s stays imported in Palette and its agent stays in the cluster; "+
				"Terraform only forgets it.", uid))
		return
	}

	cl, err := findClusterByID(ctx, c, uid)
	if errors.Is(err, palette.ErrNotFound) {
		r.cleanupAfterDelete(ctx, uid, access, policy == deletionPolicyForce, &resp.Diagnostics)
		return
	}
	if err != nil {
		resp.Diagnostics.AddError("Error deleting imported cluster", fmt.Sprintf("Cluster %s: %s", uid, err))
		return
	}

	// No agent ever registered: nobody would remove anything, so a plain
	// deregistration would wait forever; the provider removes what is left.
	force := policy == deletionPolicyForce || agentNeverRegistered(cl)
	if err := c.DeleteCluster(ctx, uid, force); err != nil && !errors.Is(err, palette.ErrNotFound) {
		resp.Diagnostics.AddError("Error deleting imported cluster", fmt.Sprintf("Cluster %s: %s", uid, err))
		return
	}
	if err := waitClusterDeleted(ctx, c, uid); err != nil {
		resp.Diagnostics.AddError("Error deleting imported cluster",
			fmt.Sprintf("Cluster %s: %s.\nThe agent removes itself and then tells Palette; if the agent cannot run any more, "+
				"set deletion_policy = \"force\", apply (run `terraform untaint` on the resource first if it is tainted), "+
				"then destroy.", uid, err))
		return
	}
	r.cleanupAfterDelete(ctx, uid, access, force, &resp.Diagnostics)
}

// cleanupAfterDelete removes (force) or verifies the absence of (deregister)
// the agent's objects when the cluster can be reached with stored access;
// otherwise it warns with what is left to check. The objects are found by
// the names the import manifest gives them (manifest.AllObjects), as a real
// Palette manifest carries none of our labels.
func (r *importedClusterResource) cleanupAfterDelete(ctx context.Context, uid string, access kube.Access, remove bool, diags *diag.Diagnostics) {
	ids, err := manifest.AllObjects(uid)
	if err != nil {
		diags.AddWarning("Agent objects not checked", fmt.Sprintf("Cluster %s: %s", uid, err))
		return
	}
	manual := manualRemoval(ids)
	if !storedAccess(access) {
		what := "Palette removed the cluster's link; the agent removes its own objects."
		if remove {
			what = "Palette forgot the cluster at once (deletion_policy = \"force\", or no agent had registered), so the agent's objects may still be in the cluster."
		}
		diags.AddWarning("Agent objects not checked",
			fmt.Sprintf("%s The provider has no stored access to the cluster (kubernetes.config_path, or kubernetes.exec without env_wo) "+
				"and did not check. The agent's objects are the namespace %s and what is in it, and the cluster-scoped "+
				"objects of the import manifest; to remove what is left: %s", what, manifest.AgentNamespace(uid), manual))
		return
	}
	kc, err := r.data.newKube(access)
	if err == nil {
		err = removeAgentObjects(ctx, kc, uid, ids, remove)
	}
	if err != nil {
		diags.AddWarning("Agent objects may remain in the cluster",
			fmt.Sprintf("Cluster %s was removed from Palette, but the provider could not confirm that the agent's objects are gone: %s\n"+
				"To remove what is left: %s", uid, err, manual))
	}
}

// manualRemoval is the kubectl command that deletes the objects ids, by
// name (namespaced ones go with their namespace).
func manualRemoval(ids []manifest.ObjectID) string {
	var kinds []string
	names := map[string][]string{}
	for _, id := range ids {
		if id.Namespace != "" {
			continue
		}
		k := strings.ToLower(id.Kind)
		if _, ok := names[k]; !ok {
			kinds = append(kinds, k)
		}
		names[k] = append(names[k], id.Name)
	}
	cmds := make([]string, 0, len(kinds))
	for _, k := range kinds {
		cmds = append(cmds, fmt.Sprintf("kubectl delete %s %s --ignore-not-found", k, strings.Join(names[k], " ")))
	}
	return strings.Join(cmds, "; ")
}

// removeAgentObjects deletes (when remove) and then waits until none of the
// manifest's objects ids of cluster uid is left, nor any add-on object its
// agent deployed (those carry our labels: only the local agent deploys
// them). Cluster-scoped objects another install could share (the same
// names) are left alone when the cluster runs another agent, and so is a
// binding that binds no subject in this install's namespace.
func removeAgentObjects(ctx context.Context, kc *kube.Client, uid string, ids []manifest.ObjectID, remove bool) error {
	refs, err := ownedObjects(ctx, kc, uid, ids)
	if err != nil {
		return err
	}
	packs, err := kc.ListByLabel(ctx, manifest.PacksSelector(uid))
	if err != nil {
		return err
	}
	refs = append(refs, packs...)
	if len(refs) == 0 {
		return nil
	}
	if remove {
		if err := kc.Delete(ctx, refs, kube.DeleteOptions{}); err != nil {
			return err
		}
	}
	if err := kc.WaitGone(ctx, refs); err != nil {
		names := make([]string, 0, len(refs))
		for _, ref := range refs {
			names = append(names, ref.String())
		}
		return fmt.Errorf("%w (objects: %s)", err, strings.Join(names, ", "))
	}
	return nil
}

// ownedObjects returns the refs of the objects of ids that exist and belong
// to the install of uid.
func ownedObjects(ctx context.Context, kc *kube.Client, uid string, ids []manifest.ObjectID) ([]kube.ObjectRef, error) {
	others, err := manifest.FindInstalled(ctx, kc)
	if err != nil {
		return nil, err
	}
	shared := slices.ContainsFunc(others, func(in manifest.Install) bool { return in.ClusterUID != uid })
	ns := manifest.AgentNamespace(uid)
	var out []kube.ObjectRef
	for i, ref := range objectRefs(ids) {
		o, err := kc.Get(ctx, ref)
		switch {
		case apierrors.IsNotFound(err):
			continue
		case err != nil:
			return nil, err
		}
		if ids[i].Namespace == "" && ids[i].Name != ns {
			if strings.HasSuffix(ids[i].Kind, "Binding") && !manifest.BindsNamespace(o, ns) {
				continue
			}
			if shared && !strings.HasSuffix(ids[i].Kind, "Binding") {
				continue
			}
		}
		out = append(out, ref)
	}
	return out, nil
}

// objectRefs turns manifest object names into kube refs.
func objectRefs(ids []manifest.ObjectID) []kube.ObjectRef {
	refs := make([]kube.ObjectRef, len(ids))
	for i, id := range ids {
		gvk := id.GroupVersionKind()
		refs[i] = kube.ObjectRef{Group: gvk.Group, Version: gvk.Version, Kind: gvk.Kind, Namespace: id.Namespace, Name: id.Name}
	}
	return refs
}
