package provider

import (
	"context"
	"fmt"

	"github.com/hashicorp/terraform-plugin-framework-timeouts/resource/timeouts"
	"github.com/hashicorp/terraform-plugin-framework/resource"

	"github.com/terraform-palette/terraform-provider-palette/internal/palette"
	"github.com/terraform-palette/terraform-provider-palette/internal/wire"
)

func (r *clusterNamespaceResource) Create(ctx context.Context, req resource.CreateRequest, resp *resource.CreateResponse) {
	plan, ok := getModel[clusterNamespaceResourceModel](ctx, req.Plan, &resp.Diagnostics)
	if !ok {
		return
	}
	ctx, cancel := withTimeout(ctx, plan.Timeouts, timeouts.Value.Create, defaultConfigEntryTimeout, &resp.Diagnostics)
	defer cancel()
	cid, name := plan.ClusterID.ValueString(), plan.Name.ValueString()
	const summary = "Error configuring namespace"
	if !applyConfigCluster(ctx, r.data, cid, featureNamespaces, false, summary, &resp.Diagnostics) {
		return
	}
	if !r.data.claimEntry(namespaceRules, cid, name, &resp.Diagnostics) {
		return
	}
	e, exists, err := r.data.namespaceList().createEntry(ctx, r.data.client, cid, name,
		func() (wire.ClusterNamespaceResourceInputEntity, error) { return plan.input(nil) },
		func(e *wire.ClusterNamespaceResource) bool { return sameNamespaceSpec(e, &plan) })
	switch {
	case exists != nil:
		namespaceExists(cid, name, exists.Metadata.UID).addTo(&resp.Diagnostics)
		return
	case palette.IsCode(err, wire.CodeNamespacesRequireFullPermission):
		v := clusterReadOnly(featureNamespaces, cid, cid)
		v.detail += " (Palette: " + err.Error() + ")"
		v.addTo(&resp.Diagnostics)
		return
	case err != nil:
		resp.Diagnostics.AddError(summary, fmt.Sprintf("Namespace %q of cluster %s: %s", name, cid, err))
		return // Palette does not hold it: nothing to record
	}
	plan.flatten(cid, e)
	warnEntryErrors("namespace", name, e.StatusErrors(), &resp.Diagnostics)
	resp.Diagnostics.Append(resp.State.Set(ctx, &plan)...)
	setConfigEntryIdentity(ctx, resp.Identity, cid, name, &resp.Diagnostics)
}

func (r *clusterNamespaceResource) Read(ctx context.Context, req resource.ReadRequest, resp *resource.ReadResponse) {
	state, ok := getModel[clusterNamespaceResourceModel](ctx, req.State, &resp.Diagnostics)
	if !ok {
		return
	}
	cid, name := state.ClusterID.ValueString(), state.Name.ValueString()
	setConfigEntryIdentity(ctx, resp.Identity, cid, name, &resp.Diagnostics)
	e, err := findClusterNamespace(ctx, r.data, cid, state.UID.ValueString(), name)
	if goneEntry(err) {
		resp.Diagnostics.AddWarning("Namespace is gone",
			fmt.Sprintf("Palette no longer lists namespace %q of cluster %s (%s): it is removed from the state, and the next "+
				"apply configures it again.", name, cid, err))
		resp.State.RemoveResource(ctx)
		return
	}
	if err != nil {
		resp.Diagnostics.AddError("Error reading namespace", fmt.Sprintf("Namespace %q of cluster %s: %s", name, cid, err))
		return
	}
	prior := state
	state.flatten(cid, e)
	warnEntryErrors("namespace", name, e.StatusErrors(), &resp.Diagnostics)
	resp.Diagnostics.Append(setIfChanged(ctx, &resp.State, &prior, &state)...)
}

func (r *clusterNamespaceResource) Update(ctx context.Context, req resource.UpdateRequest, resp *resource.UpdateResponse) {
	plan, ok := getModel[clusterNamespaceResourceModel](ctx, req.Plan, &resp.Diagnostics)
	state, ok2 := getModel[clusterNamespaceResourceModel](ctx, req.State, &resp.Diagnostics)
	if !ok || !ok2 {
		return
	}
	ctx, cancel := withTimeout(ctx, plan.Timeouts, timeouts.Value.Update, defaultConfigEntryTimeout, &resp.Diagnostics)
	defer cancel()
	cid, name := plan.ClusterID.ValueString(), plan.Name.ValueString()
	setConfigEntryIdentity(ctx, resp.Identity, cid, name, &resp.Diagnostics)
	const summary = "Error updating namespace"
	if !applyConfigCluster(ctx, r.data, cid, featureNamespaces, false, summary, &resp.Diagnostics) {
		resp.Diagnostics.Append(resp.State.Set(ctx, &state)...)
		return
	}
	e, listed, err := r.data.namespaceList().changeEntry(ctx, r.data.client, cid, state.UID.ValueString(), name,
		func(e *wire.ClusterNamespaceResource) (wire.ClusterNamespaceResourceInputEntity, error) {
			return plan.input(e)
		})
	if err != nil {
		resp.Diagnostics.AddError(summary, fmt.Sprintf("Namespace %q of cluster %s: %s", name, cid, err))
		stateAfterFailedChange(ctx, &resp.State, &state, e, listed, func(m *clusterNamespaceResourceModel, e *wire.ClusterNamespaceResource) {
			m.flatten(cid, e)
		}, &resp.Diagnostics)
		return
	}
	plan.flatten(cid, e)
	warnEntryErrors("namespace", name, e.StatusErrors(), &resp.Diagnostics)
	resp.Diagnostics.Append(resp.State.Set(ctx, &plan)...)
}

func (r *clusterNamespaceResource) Delete(ctx context.Context, req resource.DeleteRequest, resp *resource.DeleteResponse) {
	state, ok := getModel[clusterNamespaceResourceModel](ctx, req.State, &resp.Diagnostics)
	if !ok {
		return
	}
	ctx, cancel := withTimeout(ctx, state.Timeouts, timeouts.Value.Delete, defaultConfigEntryTimeout, &resp.Diagnostics)
	defer cancel()
	cid, name := state.ClusterID.ValueString(), state.Name.ValueString()
	if err := r.data.namespaceList().removeEntry(ctx, r.data.client, cid, state.UID.ValueString(), name); err != nil {
		resp.Diagnostics.AddError("Error removing namespace", fmt.Sprintf("Namespace %q of cluster %s: %s", name, cid, err))
	}
}

// sameNamespaceSpec reports whether Palette's entry holds what m configures.
func sameNamespaceSpec(e *wire.ClusterNamespaceResource, m *clusterNamespaceResourceModel) bool {
	var got clusterNamespaceResourceModel
	got.flatten(m.ClusterID.ValueString(), e)
	return got.CPUCores.Equal(m.CPUCores) && got.MemoryMiB.Equal(m.MemoryMiB) && got.GPULimit.Equal(m.GPULimit)
}
