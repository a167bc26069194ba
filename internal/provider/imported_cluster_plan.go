package provider

import (
	"context"
	"errors"
	"fmt"

	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/terraform-palette/terraform-provider-palette/internal/kube"
	"github.com/terraform-palette/terraform-provider-palette/internal/manifest"
	"github.com/terraform-palette/terraform-provider-palette/internal/palette"
	"github.com/terraform-palette/terraform-provider-palette/internal/wire"
)

// palette_imported_cluster at plan time: ValidateConfig (the rules that need
// only the configuration) and ModifyPlan with its steps (the rules that need
// the API or the target cluster). The rules themselves, one function each,
// are in imported_cluster_rules.go.

// ValidateConfig holds the rules that need only the configuration.
func (r *importedClusterResource) ValidateConfig(ctx context.Context, req resource.ValidateConfigRequest, resp *resource.ValidateConfigResponse) {
	var cfg importedClusterResourceModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &cfg)...)
	if resp.Diagnostics.HasError() {
		return
	}
	if v := proxyRule(cfg.ImportMode, cfg.Proxy); v != nil {
		v.addTo(&resp.Diagnostics)
	}
	if known(cfg.ProxyPasswordWO) && !proxyNamesUser(ctx, cfg.Proxy, &resp.Diagnostics) {
		proxyPasswordWithoutUser().addTo(&resp.Diagnostics)
	}
	if !cfg.Kubernetes.IsNull() && !cfg.Kubernetes.IsUnknown() {
		var k kubernetesAccessModel
		resp.Diagnostics.Append(cfg.Kubernetes.As(ctx, &k, objectAsOptions)...)
		if resp.Diagnostics.HasError() {
			return
		}
		for _, v := range accessRules(k) {
			v.addTo(&resp.Diagnostics)
		}
	}
}

// ModifyPlan holds the rules that need the API or the target cluster: they
// run when the cluster access is known at plan time. A step that returns
// false has reported why the plan has nothing more to check.
func (r *importedClusterResource) ModifyPlan(ctx context.Context, req resource.ModifyPlanRequest, resp *resource.ModifyPlanResponse) {
	if r.data == nil {
		return // the provider is not configured yet
	}
	r.noteStateCluster(ctx, req)
	if req.Plan.Raw.IsNull() {
		return // destroy
	}
	if !req.State.Raw.IsNull() {
		planExecEnvWOFlag(ctx, req, resp)
	}
	if !req.State.Raw.IsNull() && !r.planNeedsRules(ctx, req) {
		keepComputedForSettings(ctx, req, resp)
		return
	}
	p, ok := r.readPlan(ctx, req, &resp.Diagnostics)
	if !ok {
		return
	}
	if p.creating && known(p.plan.Name) {
		// Two creates of one name in one configuration: the second would
		// fail at apply, after the first registered its cluster.
		name := p.plan.Name.ValueString()
		if _, conflict := r.data.ownership().claim(phasePlan, nameClaimKey(name), ""); conflict {
			nameRegisteredTwice(name).addAtPlanTo(&resp.Diagnostics)
			return
		}
	}
	if !p.accessKnown || p.access.IsZero() {
		if p.creating {
			// Without access, or with access known only at apply (then the
			// target cluster, part of the fingerprint, is unknown too).
			r.planName(ctx, &p.plan, "", p.accessKnown, p.access, &resp.Diagnostics)
		}
		return
	}
	if !p.creating {
		r.planAgentReinstall(ctx, p, resp)
		if !p.upgrading {
			return // the target cluster's rules are for creates and migrations
		}
	}
	if p.plan.CloudType.IsUnknown() || p.plan.ImportMode.IsUnknown() {
		return
	}
	kc, err := r.data.newKube(p.access)
	var fileErr *kube.FileError
	switch {
	case errors.As(err, &fileErr):
		accessFileUnread(p.access, err).addTo(&resp.Diagnostics)
		return
	case err != nil:
		resp.Diagnostics.AddAttributeError(accessAttr(p.access), "Invalid cluster access", err.Error())
		return
	}
	// A plan never waits longer than a request to Palette may on the
	// target cluster (an exec credential plugin that never exits, say).
	ctx, cancel := context.WithTimeout(ctx, r.data.client.RequestTimeout())
	defer cancel()
	if !r.pingTarget(ctx, kc, p, &resp.Diagnostics) || !checkInstallRights(ctx, kc, p, &resp.Diagnostics) || !p.creating {
		return
	}
	if r.claimPlannedTarget(ctx, kc, p, &resp.Diagnostics) && r.checkExistingAgents(ctx, kc, p, &resp.Diagnostics) {
		checkCloudType(ctx, kc, p, &resp.Diagnostics)
	}
}

// plannedCluster is what the steps of ModifyPlan read: the configuration,
// the plan, the prior state (zero when creating) and the cluster access.
type plannedCluster struct {
	cfg, plan, state    importedClusterResourceModel
	creating, upgrading bool
	access              kube.Access
	accessKnown         bool
}

// noteStateCluster records the cluster of the prior state, if any, as one
// of this configuration's, kept unless the plan destroys it. A create of
// the same name planned next is a kept resource's replacement, not somebody
// else's holder of the name.
func (r *importedClusterResource) noteStateCluster(ctx context.Context, req resource.ModifyPlanRequest) {
	var stateID types.String
	if !req.State.Raw.IsNull() && !req.State.GetAttribute(ctx, path.Root("id"), &stateID).HasError() {
		r.data.noteStateCluster(stateID.ValueString(), !req.Plan.Raw.IsNull())
	}
}

// readPlan reads the models and the cluster access of a plan.
func (r *importedClusterResource) readPlan(ctx context.Context, req resource.ModifyPlanRequest, diags *diag.Diagnostics) (*plannedCluster, bool) {
	p := &plannedCluster{creating: req.State.Raw.IsNull()}
	diags.Append(req.Config.Get(ctx, &p.cfg)...)
	diags.Append(req.Plan.Get(ctx, &p.plan)...)
	if diags.HasError() {
		return nil, false
	}
	if !p.creating {
		diags.Append(req.State.Get(ctx, &p.state)...)
		if diags.HasError() {
			return nil, false
		}
	}
	p.upgrading = !p.creating && isUpgrade(p.state.ImportMode, p.plan.ImportMode)
	p.access, p.accessKnown = clusterAccess(ctx, p.cfg.Kubernetes, p.cfg.KubeconfigWO, diags)
	return p, !diags.HasError()
}

// planExecEnvWOFlag plans an update when kubernetes.exec.env_wo is added or
// removed and nothing else changes: write-only values make no diff, and
// only an apply records, in private state, whether refresh and destroy may
// run the plugin (stateAccess). agent_installed, which the refresh then
// checks or not, is known after apply.
func planExecEnvWOFlag(ctx context.Context, req resource.ModifyPlanRequest, resp *resource.ModifyPlanResponse) {
	var k8s types.Object
	if req.Config.GetAttribute(ctx, path.Root("kubernetes"), &k8s).HasError() || k8s.IsUnknown() {
		return
	}
	want := execEnvWO(ctx, k8s, &resp.Diagnostics)
	flag, d := req.Private.GetKey(ctx, privateExecEnvWO)
	if d.HasError() || want == (string(flag) == "true") {
		return
	}
	resp.Diagnostics.Append(resp.Plan.SetAttribute(ctx, path.Root("agent_installed"), types.BoolUnknown())...)
}

// planAgentReinstall plans, for a cluster that exists, the reinstall of an
// agent whose objects are gone.
func (r *importedClusterResource) planAgentReinstall(ctx context.Context, p *plannedCluster, resp *resource.ModifyPlanResponse) {
	// An agent whose objects are gone is reinstalled in place.
	if !p.state.AgentInstalled.IsNull() && !p.state.AgentInstalled.ValueBool() {
		resp.Diagnostics.Append(resp.Plan.SetAttribute(ctx, path.Root("agent_installed"), types.BoolValue(true))...)
		planReinstall(ctx, resp)
	}
	// With write-only access the state cannot tell (agent_installed is
	// null, the refresh had no credentials): the plan looks with the
	// configured ones, and plans the reinstall itself.
	if !p.upgrading && (!storedAccess(p.access) || execEnvWO(ctx, p.cfg.Kubernetes, &resp.Diagnostics)) && p.state.AgentInstalled.IsNull() {
		uid := p.state.ID.ValueString()
		if why := r.agentMissing(ctx, uid, p.access); why != "" {
			resp.Diagnostics.AddWarning("The Palette agent will be reinstalled",
				fmt.Sprintf("Cluster %s: %s. This plan installs it again with the configured write-only credentials.", uid, why))
			planReinstall(ctx, resp)
			resp.Diagnostics.Append(resp.Private.SetKey(ctx, privateReinstall, []byte(`true`))...)
		}
	}
}

// pingTarget checks that the target cluster answers.
func (r *importedClusterResource) pingTarget(ctx context.Context, kc *kube.Client, p *plannedCluster, diags *diag.Diagnostics) bool {
	if _, err := kc.Ping(ctx); err != nil {
		diags.AddAttributeError(accessAttr(p.access), "Cannot reach the target cluster",
			fmt.Sprintf("The provider could not reach the cluster to import with the access given: %s%s", err,
				kubeDeadlineHint(ctx, r.data.client.RequestTimeout())))
		return false
	}
	return true
}

// checkInstallRights checks that the credentials can create what the
// mode's manifest needs.
func checkInstallRights(ctx context.Context, kc *kube.Client, p *plannedCluster, diags *diag.Diagnostics) bool {
	mode := p.plan.ImportMode.ValueString()
	objs, err := kube.Decode(modeManifest(mode))
	if err != nil {
		diags.AddError("Error rendering the import manifest", err.Error())
		return false
	}
	denied, err := kc.CheckCanApply(ctx, objs)
	if err != nil {
		diags.AddAttributeError(accessAttr(p.access), "Cannot review the cluster credentials", err.Error())
		return false
	}
	if len(denied) > 0 {
		credentialsCannotInstall(p.access, mode, denied).addAtPlanTo(diags)
		return false
	}
	return true
}

// claimPlannedTarget claims the target cluster for this resource (one
// physical cluster, one resource: the second resource of this configuration
// that reaches it is refused, naming the first), then checks the name
// against the clusters Palette has.
func (r *importedClusterResource) claimPlannedTarget(ctx context.Context, kc *kube.Client, p *plannedCluster, diags *diag.Diagnostics) bool {
	identity, err := kc.ClusterIdentity(ctx)
	if err != nil {
		targetUnidentified(p.access, err).addAtPlanTo(diags)
		return false
	}
	claimant := ""
	if known(p.plan.Name) {
		claimant = p.plan.Name.ValueString()
	}
	r.data.claimTarget(phasePlan, identity, claimant, p.access, diags)
	if diags.HasError() {
		return false
	}
	r.planName(ctx, &p.plan, identity, true, p.access, diags)
	return !diags.HasError()
}

// checkExistingAgents refuses a target cluster that runs the agent of
// another import; a stale agent (staleAgent) gets a warning instead, and
// the old half of a replacement is let be.
func (r *importedClusterResource) checkExistingAgents(ctx context.Context, kc *kube.Client, p *plannedCluster, diags *diag.Diagnostics) bool {
	installs, err := manifest.FindInstalled(ctx, kc)
	if err != nil {
		diags.AddAttributeError(accessAttr(p.access), "Cannot look for existing agents", err.Error())
		return false
	}
	for _, in := range installs {
		if in.Terminating || r.replacing(ctx, in.ClusterUID, p.plan.Name.ValueString()) {
			continue
		}
		if stale, err := r.staleAgent(ctx, kc, in); err == nil && stale {
			summary, detail := staleAgentWarning(in)
			diags.AddAttributeWarning(accessAttr(p.access), summary, detail)
			continue
		}
		alreadyImported(p.access, in).addAtPlanTo(diags)
		return false
	}
	return true
}

// checkCloudType checks the planned cloud type against what the target
// cluster shows.
func checkCloudType(ctx context.Context, kc *kube.Client, p *plannedCluster, diags *diag.Diagnostics) {
	platform, err := kc.DetectPlatform(ctx)
	if err != nil {
		diags.AddAttributeError(accessAttr(p.access), "Cannot inspect the target cluster", err.Error())
		return
	}
	if ok, reason := kube.CloudTypeFits(p.plan.CloudType.ValueString(), platform); !ok {
		cloudTypeMismatch(p.plan.CloudType.ValueString(), reason).addAtPlanTo(diags)
	}
}

// planName refuses, at plan time, a name that another cluster holds, unless
// that cluster provably is the one an interrupted apply of this resource
// left (interruptedImport). It costs one request (GET
// /v1/spectroclusters/validate/name), paid by creates only; a lookup that
// fails leaves the decision to the apply. identityKnown is false when the
// target cluster is not known yet: a holder can then still be refused
// (no fingerprint, being deleted), never taken over.
func (r *importedClusterResource) planName(ctx context.Context, plan *importedClusterResourceModel, identity string, identityKnown bool, access kube.Access, diags *diag.Diagnostics) {
	if !known(plan.Name) || !known(plan.CloudType) || !known(plan.ImportMode) {
		return
	}
	name := plan.Name.ValueString()
	err := r.data.client.ValidateClusterName(ctx, name)
	if err == nil {
		// Free in Palette: but another provider configuration (an alias
		// on this project, another process of this run) may plan it too.
		if fp, ok := planFingerprint(ctx, plan, "", diags); ok && siblingClaim(r.data.claimScope(), nameClaimKey(name), fp) {
			nameRegisteredByAlias(name).addAtPlanTo(diags)
		}
		return
	}
	if !errors.Is(err, palette.ErrConflict) {
		return
	}
	fingerprint := ""
	if identityKnown {
		fingerprint, _ = planFingerprint(ctx, plan, identity, diags)
	}
	uid, why, verdict := r.interruptedImport(ctx, name, plan.CloudType.ValueString(), wireImportMode(plan.ImportMode.ValueString()),
		fingerprint, access, true)
	switch {
	case verdict == takeoverRefused || verdict == takeoverNeedsConsent:
		nameInUse(name, uid, why, verdict == takeoverNeedsConsent, r.data.keptCluster(uid)).addTo(diags)
	case uid != "" && r.data.keptCluster(uid):
		// The create half of a replacement that keeps the name: the apply
		// plans it again in another process, which must know it too.
		r.data.noteReplaced(uid)
	}
}

// planReinstall marks what a reinstall of the agent changes: the framework
// only marks computed values unknown when the configuration changed.
func planReinstall(ctx context.Context, resp *resource.ModifyPlanResponse) {
	for _, name := range []string{"manifest_sha256", "state", "health", "agent_version", "kubernetes_version", "region"} {
		resp.Diagnostics.Append(resp.Plan.SetAttribute(ctx, path.Root(name), types.StringUnknown())...)
	}
	resp.Diagnostics.Append(resp.Plan.SetAttribute(ctx, path.Root("instance_types"), types.ListUnknown(types.StringType))...)
	resp.Diagnostics.Append(resp.Plan.SetAttribute(ctx, path.Root("node_count"), types.Int64Unknown())...)
}

// privateReinstall marks, in the planned private state, a reinstall that
// the plan decided with write-only credentials (the state has no flag for
// it: agent_installed stays null with write-only access).
const privateReinstall = "reinstall_agent"

// agentMissing tells why the cluster's agent is not (completely) installed
// in the target cluster, or "" when it is or the check cannot tell (a
// plan is never failed for it: the refresh warns instead).
func (r *importedClusterResource) agentMissing(ctx context.Context, uid string, access kube.Access) string {
	kc, err := r.data.newKube(access)
	if err != nil {
		return ""
	}
	ctx, cancel := context.WithTimeout(ctx, r.data.client.RequestTimeout())
	defer cancel()
	in, err := manifest.Installed(ctx, kc, uid)
	switch {
	case err != nil:
		tflog.Warn(ctx, "cannot check the agent's objects", map[string]any{"uid": uid, "error": err.Error()})
		return ""
	case in == nil:
		return "its agent is not in the target cluster (namespace " + manifest.AgentNamespace(uid) + " has no agent)"
	case in.Terminating:
		return "its agent's namespace is being deleted"
	case !in.Complete():
		return "objects of its agent are missing from the target cluster"
	}
	return ""
}

// planNeedsRules tells, for a resource that exists, whether ModifyPlan has
// anything to do: only a migration to Full Permission or a reinstall of a
// missing agent need it. It reads the three attributes that decide, not
// the whole model: a plan of a thousand unchanged clusters then skips the
// framework's reflection of three full models per resource.
func (r *importedClusterResource) planNeedsRules(ctx context.Context, req resource.ModifyPlanRequest) bool {
	var stateMode, planMode types.String
	var installed types.Bool
	var diags diag.Diagnostics
	diags.Append(req.State.GetAttribute(ctx, path.Root("import_mode"), &stateMode)...)
	diags.Append(req.Plan.GetAttribute(ctx, path.Root("import_mode"), &planMode)...)
	diags.Append(req.State.GetAttribute(ctx, path.Root("agent_installed"), &installed)...)
	if diags.HasError() {
		return true // let the full path report it
	}
	upgrading := isUpgrade(stateMode, planMode)
	reinstall := !installed.IsNull() && !installed.IsUnknown() && !installed.ValueBool()
	// Write-only access: only the plan can look for the agent.
	var kubeconfigWO, tokenWO types.String
	writeOnly := !req.Config.GetAttribute(ctx, path.Root("kubeconfig_wo"), &kubeconfigWO).HasError() && !kubeconfigWO.IsNull()
	for _, name := range []string{"token_wo", "client_key_wo"} {
		writeOnly = writeOnly || (!req.Config.GetAttribute(ctx, path.Root("kubernetes").AtName(name), &tokenWO).HasError() && !tokenWO.IsNull())
	}
	var envWO types.Map
	writeOnly = writeOnly || (!req.Config.GetAttribute(ctx, path.Root("kubernetes").AtName("exec").AtName("env_wo"), &envWO).HasError() && !envWO.IsNull())
	return upgrading || reinstall || planMode.IsUnknown() || (writeOnly && installed.IsNull())
}

// replacing tells whether an agent found in the cluster belongs to the
// cluster this plan replaces: Terraform plans the new object of a
// replacement with no prior state, while the old import is still installed.
// The old one has the same name; any other clash of names is caught when the
// name is checked at apply.
func (r *importedClusterResource) replacing(ctx context.Context, uid, name string) bool {
	cl, err := r.data.client.GetCluster(ctx, uid)
	return err == nil && cl.Metadata.Name == name && cl.Status.State != wire.StateDeleted
}

// modeManifest renders the manifest of a mode for a placeholder UID: the
// objects whose creation the credentials must allow. A rendering error shows
// up as a decoding error of the empty result.
func modeManifest(tfMode string) []byte {
	b, err := manifest.Render(manifest.Params{
		ClusterUID:  "000000000000000000000000",
		APIEndpoint: "https://127.0.0.1",
		ImportMode:  wireImportMode(tfMode),
		AgentToken:  "placeholder",
	})
	if err != nil {
		return []byte("!render-error: " + err.Error())
	}
	return b
}

// providerSettings are the arguments only the provider reads (what an
// apply waits for, what a destroy does, how long each may take): Palette
// and the target cluster never see them.
var providerSettings = []string{"wait_for", "deletion_policy", "timeouts"}

// clusterArguments are the other arguments, those Palette or the target
// cluster see (kubeconfig_wo, write-only, is always null in a plan).
var clusterArguments = []string{"name", "cloud_type", "import_mode", "description", "labels", "proxy", "kubernetes", "kubeconfig_wo_version"}

// clusterComputed are the attributes the provider computes.
func clusterComputed() []string {
	out := []string{"manifest_sha256", "import_command", "agent_installed"}
	for name, a := range importedClusterPaletteAttributes {
		if !a.argument {
			out = append(out, name)
		}
	}
	return out
}

// settingsOnly tells whether a plan of an existing cluster changes only
// provider settings: the update then writes them to state and calls no API.
func settingsOnly(ctx context.Context, plan tfsdk.Plan, state tfsdk.State) bool {
	return sameAttributes(ctx, plan, state, clusterArguments)
}

// keepComputedForSettings keeps, in a plan that changes only provider
// settings (wait_for = "none" after terraform import, say), every computed
// attribute as the state has it: the framework marks them unknown for any
// change of the configuration, and nothing Palette shows changes.
func keepComputedForSettings(ctx context.Context, req resource.ModifyPlanRequest, resp *resource.ModifyPlanResponse) {
	if !settingsOnly(ctx, req.Plan, req.State) || sameAttributes(ctx, req.Plan, req.State, providerSettings) {
		return
	}
	for _, name := range clusterComputed() {
		var v attr.Value
		resp.Diagnostics.Append(req.State.GetAttribute(ctx, path.Root(name), &v)...)
		resp.Diagnostics.Append(resp.Plan.SetAttribute(ctx, path.Root(name), v)...)
	}
}
