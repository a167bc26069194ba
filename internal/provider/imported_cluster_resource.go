package provider

import (
	"context"
	"errors"
	"fmt"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/objectplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/terraform-palette/terraform-provider-palette/internal/kube"
	"github.com/terraform-palette/terraform-provider-palette/internal/manifest"
	"github.com/terraform-palette/terraform-provider-palette/internal/palette"
	"github.com/terraform-palette/terraform-provider-palette/internal/wire"
)

var (
	_ resource.ResourceWithConfigure      = &importedClusterResource{}
	_ resource.ResourceWithImportState    = &importedClusterResource{}
	_ resource.ResourceWithModifyPlan     = &importedClusterResource{}
	_ resource.ResourceWithValidateConfig = &importedClusterResource{}
)

// NewImportedClusterResource returns the palette_imported_cluster resource.
func NewImportedClusterResource() resource.Resource {
	return &importedClusterResource{}
}

type importedClusterResource struct {
	data *providerData
}

func (r *importedClusterResource) Metadata(_ context.Context, req resource.MetadataRequest, resp *resource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_imported_cluster"
}

func (r *importedClusterResource) Configure(_ context.Context, req resource.ConfigureRequest, resp *resource.ConfigureResponse) {
	if pd := providerDataFrom(req.ProviderData, &resp.Diagnostics, "Resource"); pd != nil {
		r.data = pd
	}
}

func (r *importedClusterResource) ImportState(ctx context.Context, req resource.ImportStateRequest, resp *resource.ImportStateResponse) {
	uid := req.ID
	if uid == "" { // an import block with an identity (Terraform 1.12+)
		if uid = identityString(ctx, req.Identity, "id", &resp.Diagnostics); resp.Diagnostics.HasError() {
			return
		}
	}
	if !uidRegexp.MatchString(uid) {
		resp.Diagnostics.AddError("Invalid import ID",
			fmt.Sprintf("Expected the UID of an imported cluster (24 lowercase hex characters), got %q.", uid))
		return
	}
	resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("id"), uid)...)
	setClusterIdentity(ctx, resp.Identity, uid, &resp.Diagnostics)
	// Palette does not show a cluster's proxy again: after an import the
	// state cannot know it, and the configuration's proxy is taken as it is
	// (proxyRequiresReplace) instead of planning a new import.
	resp.Diagnostics.Append(resp.Private.SetKey(ctx, privateProxyUnread, []byte(`true`))...)
}

// cloudTypeRequiresReplace plans a new import when the cloud type changes
// in Palette: openshift and eks-anywhere are imported as generic, so moving
// between them and generic (or bringing one in with terraform import, which
// reads generic) changes only the configured value.
func cloudTypeRequiresReplace() planmodifier.String {
	return stringplanmodifier.RequiresReplaceIf(
		func(_ context.Context, req planmodifier.StringRequest, resp *stringplanmodifier.RequiresReplaceIfFuncResponse) {
			resp.RequiresReplace = wire.ImportCloudType(req.StateValue.ValueString()) != wire.ImportCloudType(req.PlanValue.ValueString())
		},
		"Changing the cloud type imports the cluster again, unless Palette's type stays the same (openshift and eks-anywhere are imported as generic).",
		"Changing the cloud type imports the cluster again, unless Palette's type stays the same (`openshift` and `eks-anywhere` are imported as `generic`).",
	)
}

// privateProxyUnread marks, in private state, a cluster whose proxy the
// state does not know (it was brought in with terraform import).
const privateProxyUnread = "proxy_unread"

// proxyRequiresReplace plans a new import when the proxy changes, except
// right after `terraform import`, when the state cannot know the proxy the
// cluster was imported with: the configured one is then recorded as is.
func proxyRequiresReplace() planmodifier.Object {
	return objectplanmodifier.RequiresReplaceIf(
		func(ctx context.Context, req planmodifier.ObjectRequest, resp *objectplanmodifier.RequiresReplaceIfFuncResponse) {
			unread, d := req.Private.GetKey(ctx, privateProxyUnread)
			resp.Diagnostics.Append(d...)
			resp.RequiresReplace = len(unread) == 0
		},
		"Changing the proxy imports the cluster again (Palette does not change it in place). After terraform import, the configured proxy is recorded as it is.",
		"Changing the proxy imports the cluster again (Palette does not change it in place). After `terraform import`, the configured proxy is recorded as it is.",
	)
}

// importModeDowngradeRequiresReplace plans a replacement for full_permission →
// read_only: Palette has no way back.
func importModeDowngradeRequiresReplace() planmodifier.String {
	return stringplanmodifier.RequiresReplaceIf(
		func(_ context.Context, req planmodifier.StringRequest, resp *stringplanmodifier.RequiresReplaceIfFuncResponse) {
			resp.RequiresReplace = isDowngrade(req.StateValue, req.PlanValue)
		},
		"Palette cannot take a cluster from Full Permission back to read-only: going to read_only imports the cluster again.",
		"Palette cannot take a cluster from Full Permission back to read-only: going to `read_only` imports the cluster again.",
	)
}

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
// run when the cluster access is known at plan time.
func (r *importedClusterResource) ModifyPlan(ctx context.Context, req resource.ModifyPlanRequest, resp *resource.ModifyPlanResponse) {
	ctx = palette.MaskURLCredentials(ctx) // the proxy URLs may carry user:password@
	if r.data == nil {
		return // the provider is not configured yet
	}
	var stateID types.String
	if !req.State.Raw.IsNull() && !req.State.GetAttribute(ctx, path.Root("id"), &stateID).HasError() {
		r.data.noteManagedCluster(stateID.ValueString())
	}
	if req.Plan.Raw.IsNull() {
		return // destroy
	}
	if !req.State.Raw.IsNull() {
		// A create of the same name planned next is this resource's
		// replacement, not somebody else's holder of the name.
		r.data.ownership().hold(stateID.ValueString())
		if !r.planNeedsRules(ctx, req) {
			return
		}
	}
	var cfg, plan importedClusterResourceModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &cfg)...)
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	if resp.Diagnostics.HasError() {
		return
	}
	creating := req.State.Raw.IsNull()
	var state importedClusterResourceModel
	if !creating {
		resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
		if resp.Diagnostics.HasError() {
			return
		}
	}
	upgrading := !creating && isUpgrade(state.ImportMode, plan.ImportMode)

	access, accessKnown := clusterAccess(ctx, cfg.Kubernetes, cfg.KubeconfigWO, &resp.Diagnostics)
	if resp.Diagnostics.HasError() {
		return
	}
	if creating && (!accessKnown || access.IsZero()) {
		// Without access, or with access known only at apply (then the
		// target cluster, part of the fingerprint, is unknown too).
		r.planName(ctx, &plan, "", accessKnown, access, &resp.Diagnostics)
	}
	if !accessKnown || access.IsZero() {
		return
	}
	accessPath := accessAttr(access)

	// An agent whose objects are gone is reinstalled in place.
	if !creating && !state.AgentInstalled.IsNull() && !state.AgentInstalled.ValueBool() {
		resp.Diagnostics.Append(resp.Plan.SetAttribute(ctx, path.Root("agent_installed"), types.BoolValue(true))...)
		planReinstall(ctx, resp)
	}
	// With write-only access the state cannot tell (agent_installed is
	// null, the refresh had no credentials): the plan looks with the
	// configured ones, and plans the reinstall itself.
	if !creating && !upgrading && !storedAccess(access) && state.AgentInstalled.IsNull() {
		if why := r.agentMissing(ctx, state.ID.ValueString(), access); why != "" {
			resp.Diagnostics.AddWarning("The Palette agent will be reinstalled",
				fmt.Sprintf("Cluster %s: %s. This plan installs it again with the configured write-only credentials.", state.ID.ValueString(), why))
			planReinstall(ctx, resp)
			resp.Diagnostics.Append(resp.Private.SetKey(ctx, privateReinstall, []byte(`true`))...)
		}
	}
	if !creating && !upgrading {
		return
	}
	if plan.CloudType.IsUnknown() || plan.ImportMode.IsUnknown() {
		return
	}

	kc, err := r.data.newKube(access)
	if err != nil {
		resp.Diagnostics.AddAttributeError(accessPath, "Invalid cluster access", err.Error())
		return
	}
	// A plan never waits longer than a request to Palette may on the
	// target cluster (an exec credential plugin that never exits, say).
	ctx, cancel := context.WithTimeout(ctx, r.data.client.RequestTimeout())
	defer cancel()
	if _, err := kc.Ping(ctx); err != nil {
		resp.Diagnostics.AddAttributeError(accessPath, "Cannot reach the target cluster",
			fmt.Sprintf("The provider could not reach the cluster to import with the access given: %s%s", err,
				kubeDeadlineHint(ctx, r.data.client.RequestTimeout())))
		return
	}

	// The credentials must be able to create what the mode's manifest needs.
	objs, err := kube.Decode(modeManifest(plan.ImportMode.ValueString()))
	if err != nil {
		resp.Diagnostics.AddError("Error rendering the import manifest", err.Error())
		return
	}
	denied, err := kc.CheckCanApply(ctx, objs)
	if err != nil {
		resp.Diagnostics.AddAttributeError(accessPath, "Cannot review the cluster credentials", err.Error())
		return
	}
	if len(denied) > 0 {
		credentialsCannotInstall(access, plan.ImportMode.ValueString(), denied).addTo(&resp.Diagnostics)
		return
	}
	if !creating {
		return
	}

	// One physical cluster, one resource: the second resource of this
	// configuration that reaches it is refused, naming the first.
	identity, err := kc.ClusterIdentity(ctx)
	if err != nil {
		targetUnidentified(access, err).addTo(&resp.Diagnostics)
		return
	}
	claimant := ""
	if known(plan.Name) {
		claimant = plan.Name.ValueString()
	}
	r.data.claimTarget(phasePlan, identity, claimant, access, &resp.Diagnostics)
	if resp.Diagnostics.HasError() {
		return
	}
	r.planName(ctx, &plan, identity, true, access, &resp.Diagnostics)
	if resp.Diagnostics.HasError() {
		return
	}

	installs, err := manifest.FindInstalled(ctx, kc)
	if err != nil {
		resp.Diagnostics.AddAttributeError(accessPath, "Cannot look for existing agents", err.Error())
		return
	}
	for _, in := range installs {
		if in.Terminating || r.replacing(ctx, in.ClusterUID, plan.Name.ValueString()) {
			continue
		}
		if stale, err := r.staleAgent(ctx, kc, in); err == nil && stale {
			summary, detail := staleAgentWarning(in)
			resp.Diagnostics.AddAttributeWarning(accessPath, summary, detail)
			continue
		}
		alreadyImported(access, in).addTo(&resp.Diagnostics)
		return
	}

	platform, err := kc.DetectPlatform(ctx)
	if err != nil {
		resp.Diagnostics.AddAttributeError(accessPath, "Cannot inspect the target cluster", err.Error())
		return
	}
	if ok, reason := kube.CloudTypeFits(plan.CloudType.ValueString(), platform); !ok {
		cloudTypeMismatch(plan.CloudType.ValueString(), reason).addTo(&resp.Diagnostics)
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
	if err == nil || !errors.Is(err, palette.ErrConflict) {
		return
	}
	fingerprint := ""
	if identityKnown {
		fingerprint, _ = planFingerprint(ctx, plan, identity, diags)
	}
	uid, why, verdict := r.interruptedImport(ctx, name, plan.CloudType.ValueString(), wireImportMode(plan.ImportMode.ValueString()),
		fingerprint, access, true)
	if verdict == takeoverRefused {
		nameInUse(name, uid, why).addTo(diags)
	}
}

// planNeedsRules tells, for a resource that exists, whether ModifyPlan has
// anything to do: only a migration to Full Permission or a reinstall of a
// missing agent need it. It reads the three attributes that decide, not
// the whole model: a plan of a thousand unchanged clusters then skips the
// framework's reflection of three full models per resource.
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

// isGone tells whether a cluster is gone from Palette (404, or Deleted).
func isGone(c *wire.Cluster, err error) bool {
	if errors.Is(err, palette.ErrNotFound) {
		return true
	}
	return err == nil && c != nil && c.Status.State == wire.StateDeleted
}
