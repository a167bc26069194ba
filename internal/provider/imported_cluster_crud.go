package provider

import (
	"context"
	"fmt"
	"time"

	"github.com/hashicorp/terraform-plugin-framework-timeouts/resource/timeouts"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/terraform-palette/terraform-provider-palette/internal/kube"
	"github.com/terraform-palette/terraform-provider-palette/internal/manifest"
	"github.com/terraform-palette/terraform-provider-palette/internal/palette"
	"github.com/terraform-palette/terraform-provider-palette/internal/wire"
)

// The operations of palette_imported_cluster: Read and Update here, Create
// (with the takeover of an interrupted import) in imported_cluster_create.go,
// Delete (with the removal of the agent's objects) in
// imported_cluster_delete.go: together they would pass 600 lines.

const (
	defaultCreateTimeout = 20 * time.Minute
	defaultUpdateTimeout = 20 * time.Minute
	defaultDeleteTimeout = 15 * time.Minute
)

// startApply is how a create or an update begins: it reads the plan and
// the configuration, bounds ctx by the operation's timeout and reads the
// cluster access the configuration gives. When diags holds an error after
// the reading (also one from before the call), it stops there with a cancel
// that does nothing. The caller defers cancel and returns when diags holds
// an error.
func startApply(ctx context.Context, plan tfsdk.Plan, config tfsdk.Config, timeout operationTimeout, def time.Duration, diags *diag.Diagnostics) (context.Context, context.CancelFunc, importedClusterResourceModel, configuredAccess) {
	m, _ := getModel[importedClusterResourceModel](ctx, plan, diags)
	cfg, _ := getModel[importedClusterResourceModel](ctx, config, diags)
	if diags.HasError() {
		return ctx, func() {}, m, configuredAccess{}
	}
	ctx, cancel := withTimeout(ctx, m.Timeouts, timeout, def, diags)
	access, _ := clusterAccess(ctx, cfg.Kubernetes, cfg.KubeconfigWO, diags)
	ca := configuredAccess{access: access, execEnvWO: execEnvWO(ctx, cfg.Kubernetes, diags), proxyPassword: cfg.ProxyPasswordWO.ValueString()}
	return ctx, cancel, m, ca
}

// configuredAccess is what an apply reads from the configuration alone:
// the cluster access, whether its exec plugin has write-only variables,
// and the write-only proxy password.
type configuredAccess struct {
	access        kube.Access
	execEnvWO     bool
	proxyPassword string
}

// refreshed is the access as a refresh will rebuild it from state
// (stateAccess): without an exec plugin that has write-only variables.
func (c configuredAccess) refreshed() kube.Access {
	a := c.access
	if c.execEnvWO {
		a.Exec = nil
	}
	return a
}

func (r *importedClusterResource) Read(ctx context.Context, req resource.ReadRequest, resp *resource.ReadResponse) {
	state, ok := getModel[importedClusterResourceModel](ctx, req.State, &resp.Diagnostics)
	if !ok {
		return
	}
	// Also when the cluster turns out gone: the framework wants an identity
	// after every Read that does not fail.
	setClusterIdentity(ctx, resp.Identity, state.ID.ValueString(), &resp.Diagnostics)
	// A refresh of many resources is answered by one paged search, held by
	// the provider (cluster_cache.go); GET is the fallback.
	prior := state
	if v, ok := r.data.cachedCluster(ctx, &state); ok {
		access := stateAccess(ctx, state.Kubernetes, req.Private, &resp.Diagnostics)
		flattenCluster(ctx, &state, v, &resp.Diagnostics)
		r.checkAgentObjects(ctx, &state, access)
		if resp.Diagnostics.HasError() {
			return
		}
		resp.Diagnostics.Append(setIfChanged(ctx, &resp.State, &prior, &state)...)
		return
	}
	cl, err := r.data.client.GetCluster(ctx, state.ID.ValueString())
	if isGone(cl, err) {
		resp.Diagnostics.AddWarning("Imported cluster is gone",
			fmt.Sprintf("Palette no longer has cluster %s (%s); it is removed from the state and will be imported again on the next apply.",
				state.ID.ValueString(), state.Name.ValueString()))
		resp.State.RemoveResource(ctx)
		return
	}
	if err != nil {
		resp.Diagnostics.AddError("Error reading imported cluster", fmt.Sprintf("Cluster %s: %s", state.ID.ValueString(), err))
		return
	}
	access := stateAccess(ctx, state.Kubernetes, req.Private, &resp.Diagnostics)
	r.flattenWithOverview(ctx, &state, cl, &resp.Diagnostics)
	r.checkAgentObjects(ctx, &state, access)
	if resp.Diagnostics.HasError() {
		return
	}
	resp.Diagnostics.Append(setIfChanged(ctx, &resp.State, &prior, &state)...)
}

// saveReadBack reads the cluster back into m after a create or an update,
// and saves m in state unless that failed.
func (r *importedClusterResource) saveReadBack(ctx context.Context, m *importedClusterResourceModel, access kube.Access, state *tfsdk.State, diags *diag.Diagnostics) {
	r.readInto(ctx, m, access, diags)
	if diags.HasError() {
		return
	}
	diags.Append(state.Set(ctx, m)...)
}

// readInto reads the cluster back after create or update.
func (r *importedClusterResource) readInto(ctx context.Context, m *importedClusterResourceModel, access kube.Access, diags *diag.Diagnostics) {
	cl, err := findClusterByID(ctx, r.data.client, m.ID.ValueString())
	if err != nil {
		diags.AddError("Error reading imported cluster", fmt.Sprintf("Cluster %s: %s", m.ID.ValueString(), err))
		return
	}
	r.flattenWithOverview(ctx, m, cl, diags)
	r.checkAgentObjects(ctx, m, access)
}

func (r *importedClusterResource) flattenWithOverview(ctx context.Context, m *importedClusterResourceModel, cl *wire.SpectroCluster, diags *diag.Diagnostics) {
	v, err := readClusterView(ctx, r.data.client, cl)
	if err != nil {
		diags.AddError("Error reading imported cluster", err.Error())
		return
	}
	flattenCluster(ctx, m, v, diags)
}

// checkAgentObjects sets agent_installed when the cluster can be reached with
// access stored in state; it leaves it unchanged otherwise.
func (r *importedClusterResource) checkAgentObjects(ctx context.Context, m *importedClusterResourceModel, access kube.Access) {
	if !storedAccess(access) {
		return
	}
	kc, err := r.data.newKube(access)
	if err != nil {
		tflog.Warn(ctx, "cannot build cluster access to check the agent", map[string]any{"error": err.Error()})
		return
	}
	// The agent is installed when its namespace holds its Deployment and
	// every object it needs to run (manifest.CoreObjects), found by name.
	ctx, cancel := context.WithTimeout(ctx, r.data.client.RequestTimeout())
	defer cancel()
	in, err := manifest.Installed(ctx, kc, m.ID.ValueString())
	if err != nil {
		tflog.Warn(ctx, "cannot check the agent's objects", map[string]any{"error": err.Error()})
		return
	}
	m.AgentInstalled = types.BoolValue(in != nil && in.Complete())
}

func (r *importedClusterResource) Update(ctx context.Context, req resource.UpdateRequest, resp *resource.UpdateResponse) {
	state, _ := getModel[importedClusterResourceModel](ctx, req.State, &resp.Diagnostics)
	ctx, cancel, plan, ca := startApply(ctx, req.Plan, req.Config, timeouts.Value.Update, defaultUpdateTimeout, &resp.Diagnostics)
	defer cancel()
	if resp.Diagnostics.HasError() {
		return
	}
	c := r.data.client
	uid := state.ID.ValueString()
	plan.ID = state.ID
	setClusterIdentity(ctx, resp.Identity, uid, &resp.Diagnostics)
	if flag, _ := req.Private.GetKey(ctx, privateReinstall); string(flag) != "true" && req.Plan.Raw.IsFullyKnown() &&
		settingsOnly(ctx, req.Plan, req.State) && plan.AgentInstalled.Equal(state.AgentInstalled) {
		// Only provider settings change (keepComputedForSettings): they
		// go to state, and nothing is asked of Palette or the cluster.
		resp.Diagnostics.Append(resp.State.Set(ctx, &plan)...)
		return
	}
	defer r.data.clusterCache().invalidate(uid)

	if !plan.Labels.Equal(state.Labels) || !plan.Description.Equal(state.Description) {
		labels := map[string]string{}
		resp.Diagnostics.Append(plan.Labels.ElementsAs(ctx, &labels, false)...)
		// The PATCH replaces the annotations: the creation fingerprint
		// goes back with the description.
		cl, err := c.GetCluster(ctx, uid)
		if err != nil {
			resp.Diagnostics.AddError("Error updating imported cluster", fmt.Sprintf("Reading cluster %s: %s", uid, err))
			return
		}
		fingerprint := cl.Metadata.Annotations[creationFingerprintAnnotation]
		if err := c.UpdateClusterMetadata(ctx, uid, labels, clusterAnnotations(plan.Description, fingerprint)); err != nil {
			resp.Diagnostics.AddError("Error updating imported cluster", fmt.Sprintf("Metadata of cluster %s: %s", uid, err))
			return
		}
	}

	upgrade := isUpgrade(state.ImportMode, plan.ImportMode)
	reinstall := !state.AgentInstalled.IsNull() && !state.AgentInstalled.ValueBool() && plan.AgentInstalled.ValueBool()
	if flag, d := req.Private.GetKey(ctx, privateReinstall); !d.HasError() && string(flag) == "true" {
		reinstall = true // planned with write-only credentials (ModifyPlan)
	}
	plan.ManifestSHA256 = state.ManifestSHA256
	if upgrade {
		err := c.UpgradeToFullPermission(ctx, uid)
		if err != nil && !palette.IsCode(err, wire.CodeAlreadyFullPermission) {
			resp.Diagnostics.AddError("Error migrating cluster to Full Permission", fmt.Sprintf("Cluster %s: %s", uid, err))
			return
		}
	}
	if (upgrade || reinstall) && !ca.access.IsZero() {
		sum, err := r.installAgent(ctx, uid, ca.access)
		if err != nil {
			what := "Error reinstalling the Palette agent"
			if upgrade {
				what = "Error installing the Full Permission agent"
			}
			resp.Diagnostics.AddError(what, fmt.Sprintf("Cluster %s: %s", uid, err))
			return
		}
		recordInstall(&plan, sum, ca.refreshed())
	}
	if upgrade || reinstall {
		if err := waitFor(ctx, c, uid, plan.WaitFor.ValueString()); err != nil {
			resp.Diagnostics.AddError("Error waiting for the imported cluster", fmt.Sprintf("Cluster %s: %s", uid, err))
			return
		}
	}
	if plan.AgentInstalled.IsUnknown() {
		plan.AgentInstalled = state.AgentInstalled
		if ca.execEnvWO {
			// The refresh no longer runs the plugin: the plans check.
			plan.AgentInstalled = types.BoolNull()
		}
	}
	// From now on the state's proxy is the configured one.
	resp.Diagnostics.Append(resp.Private.SetKey(ctx, privateProxyUnread, nil)...)
	resp.Diagnostics.Append(resp.Private.SetKey(ctx, privateReinstall, nil)...)
	setExecEnvWO(ctx, resp.Private, ca.execEnvWO, &resp.Diagnostics)
	r.saveReadBack(ctx, &plan, ca.refreshed(), &resp.State, &resp.Diagnostics)
}
