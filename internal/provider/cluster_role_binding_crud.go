package provider

import (
	"context"
	"fmt"

	"github.com/hashicorp/terraform-plugin-framework-timeouts/resource/timeouts"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"

	"github.com/terraform-palette/terraform-provider-palette/internal/palette"
	"github.com/terraform-palette/terraform-provider-palette/internal/wire"
)

func (r *clusterRoleBindingResource) Create(ctx context.Context, req resource.CreateRequest, resp *resource.CreateResponse) {
	plan, ok := getModel[clusterRoleBindingResourceModel](ctx, req.Plan, &resp.Diagnostics)
	if !ok {
		return
	}
	ctx, cancel := withTimeout(ctx, plan.Timeouts, timeouts.Value.Create, defaultConfigEntryTimeout, &resp.Diagnostics)
	defer cancel()
	cid, name := plan.ClusterID.ValueString(), plan.Name.ValueString()
	const summary = "Error configuring role binding"
	if !applyConfigCluster(ctx, r.data, cid, featureRoleBindings, false, summary, &resp.Diagnostics) {
		return
	}
	if !r.data.claimEntry(bindingRules, cid, name, &resp.Diagnostics) {
		return
	}
	want := plan.binding(ctx, &resp.Diagnostics)
	if resp.Diagnostics.HasError() {
		return
	}
	e, exists, err := r.data.rbacList().createEntry(ctx, r.data.client, cid, name,
		func() (wire.ClusterRbacInputEntity, error) { return plan.input(ctx, nil, &resp.Diagnostics) },
		func(e *wire.ClusterRbac) bool {
			return len(e.Spec.Bindings) == 1 && sameBinding(e.Spec.Bindings[0], want)
		})
	switch {
	case exists != nil:
		bindingExists(cid, name, exists.Metadata.UID).addTo(&resp.Diagnostics)
		return
	case palette.IsCode(err, wire.CodeRbacsRequireFullPermission):
		v := clusterReadOnly(featureRoleBindings, cid, cid)
		v.detail += " (Palette: " + err.Error() + ")"
		v.addTo(&resp.Diagnostics)
		return
	case err != nil:
		resp.Diagnostics.AddError(summary, fmt.Sprintf("Role binding %q of cluster %s: %s", name, cid, err))
		return // Palette does not hold it: nothing to record
	}
	r.saveEntry(ctx, &plan, cid, e, &resp.State, &resp.Diagnostics)
	setConfigEntryIdentity(ctx, resp.Identity, cid, name, &resp.Diagnostics)
}

// saveEntry writes Palette's entry to the state.
func (r *clusterRoleBindingResource) saveEntry(ctx context.Context, m *clusterRoleBindingResourceModel, cid string, e *wire.ClusterRbac, state *tfsdk.State, diags *diag.Diagnostics) {
	m.flatten(ctx, cid, e, diags)
	warnEntryErrors("role binding", e.Metadata.Name, e.StatusErrors(), diags)
	diags.Append(state.Set(ctx, m)...)
}

func (r *clusterRoleBindingResource) Read(ctx context.Context, req resource.ReadRequest, resp *resource.ReadResponse) {
	state, ok := getModel[clusterRoleBindingResourceModel](ctx, req.State, &resp.Diagnostics)
	if !ok {
		return
	}
	cid, name := state.ClusterID.ValueString(), state.Name.ValueString()
	setConfigEntryIdentity(ctx, resp.Identity, cid, name, &resp.Diagnostics)
	e, err := findClusterRoleBinding(ctx, r.data, cid, state.UID.ValueString(), name)
	if goneEntry(err) {
		resp.Diagnostics.AddWarning("Role binding is gone",
			fmt.Sprintf("Palette no longer lists role binding %q of cluster %s (%s): it is removed from the state, and the "+
				"next apply configures it again.", name, cid, err))
		resp.State.RemoveResource(ctx)
		return
	}
	if err == nil {
		err = oneBinding(e)
	}
	if err != nil {
		resp.Diagnostics.AddError("Error reading role binding", fmt.Sprintf("Role binding %q of cluster %s: %s", name, cid, err))
		return
	}
	prior := state
	state.flatten(ctx, cid, e, &resp.Diagnostics)
	warnEntryErrors("role binding", name, e.StatusErrors(), &resp.Diagnostics)
	resp.Diagnostics.Append(setIfChanged(ctx, &resp.State, &prior, &state)...)
}

func (r *clusterRoleBindingResource) Update(ctx context.Context, req resource.UpdateRequest, resp *resource.UpdateResponse) {
	plan, ok := getModel[clusterRoleBindingResourceModel](ctx, req.Plan, &resp.Diagnostics)
	state, ok2 := getModel[clusterRoleBindingResourceModel](ctx, req.State, &resp.Diagnostics)
	if !ok || !ok2 {
		return
	}
	ctx, cancel := withTimeout(ctx, plan.Timeouts, timeouts.Value.Update, defaultConfigEntryTimeout, &resp.Diagnostics)
	defer cancel()
	cid, name := plan.ClusterID.ValueString(), plan.Name.ValueString()
	setConfigEntryIdentity(ctx, resp.Identity, cid, name, &resp.Diagnostics)
	const summary = "Error updating role binding"
	if !applyConfigCluster(ctx, r.data, cid, featureRoleBindings, false, summary, &resp.Diagnostics) {
		resp.Diagnostics.Append(resp.State.Set(ctx, &state)...)
		return
	}
	e, listed, err := r.data.rbacList().changeEntry(ctx, r.data.client, cid, state.UID.ValueString(), name,
		func(e *wire.ClusterRbac) (wire.ClusterRbacInputEntity, error) {
			return plan.input(ctx, e, &resp.Diagnostics)
		})
	if err != nil {
		resp.Diagnostics.AddError(summary, fmt.Sprintf("Role binding %q of cluster %s: %s", name, cid, err))
		stateAfterFailedChange(ctx, &resp.State, &state, e, listed, func(m *clusterRoleBindingResourceModel, e *wire.ClusterRbac) {
			m.flatten(ctx, cid, e, &resp.Diagnostics)
		}, &resp.Diagnostics)
		return
	}
	r.saveEntry(ctx, &plan, cid, e, &resp.State, &resp.Diagnostics)
}

func (r *clusterRoleBindingResource) Delete(ctx context.Context, req resource.DeleteRequest, resp *resource.DeleteResponse) {
	state, ok := getModel[clusterRoleBindingResourceModel](ctx, req.State, &resp.Diagnostics)
	if !ok {
		return
	}
	ctx, cancel := withTimeout(ctx, state.Timeouts, timeouts.Value.Delete, defaultConfigEntryTimeout, &resp.Diagnostics)
	defer cancel()
	cid, name := state.ClusterID.ValueString(), state.Name.ValueString()
	if err := r.data.rbacList().removeEntry(ctx, r.data.client, cid, state.UID.ValueString(), name); err != nil {
		resp.Diagnostics.AddAttributeError(path.Root("name"), "Error removing role binding",
			fmt.Sprintf("Role binding %q of cluster %s: %s", name, cid, err))
	}
}

// sameBinding compares two bindings, subjects in any order.
func sameBinding(a, b wire.ClusterRbacBinding) bool {
	if a.Type != b.Type || a.Namespace != b.Namespace || a.Role != b.Role || len(a.Subjects) != len(b.Subjects) {
		return false
	}
	count := map[wire.ClusterRbacSubjects]int{}
	for _, s := range a.Subjects {
		count[s]++
	}
	for _, s := range b.Subjects {
		count[s]--
	}
	for _, n := range count {
		if n != 0 {
			return false
		}
	}
	return true
}
