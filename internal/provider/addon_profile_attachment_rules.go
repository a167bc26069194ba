package provider

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/terraform-palette/terraform-provider-palette/internal/palette"
	"github.com/terraform-palette/terraform-provider-palette/internal/wire"
)

// The rules of palette_addon_profile_attachment, one function each, and the
// plan that checks them (ModifyPlan). The apply checks them again
// (checkRules: an ID may be unknown at plan time), and maps the API's
// refusals to the same diagnostics (attachRejection). The rules of the
// cluster it refers to are shared with the other Day-2 resources
// (cluster_rules.go).

// profileTypeNames names the profile types that cannot be attached.
var profileTypeNames = map[string]string{
	wire.ProfileTypeCluster: "a full cluster profile",
	wire.ProfileTypeInfra:   "an infrastructure profile",
	wire.ProfileTypeSystem:  "a system profile",
}

func profileNotFound(uid string) *ruleViolation {
	return &ruleViolation{path.Root("profile_id"), "Cluster profile not found",
		fmt.Sprintf("Palette has no cluster profile %s in this project or in the tenant.", uid)}
}

func profileNotAddon(uid, name, typ string) *ruleViolation {
	what := profileTypeNames[typ]
	if what == "" {
		what = "not an add-on profile"
	}
	return &ruleViolation{path.Root("profile_id"), "Only add-on profiles can be attached to imported clusters",
		fmt.Sprintf("Profile %q (%s) is of type %q: %s. You cannot use a full cluster profile on an imported cluster: "+
			"only add-on profiles may be attached to imported clusters.", name, uid, typ, what)}
}

// spectroProxyAdvice says why a profile with the Spectro Proxy pack cannot
// be attached, and what to do.
const spectroProxyAdvice = "Palette cannot deploy its Spectro Proxy pack on an imported cluster, in read-only or in Full " +
	"Permission mode. Attach a profile without the " + wire.PackSpectroProxy + " pack: a version of this profile without it, " +
	"or another add-on profile."

// profileWithSpectroProxy: the profile contains Palette's Spectro Proxy
// pack, which Palette's imported-clusters page lists as not deployable on
// imported clusters ("deploy the Spectro Proxy pack: Read-only no, Full
// Permission no").
func profileWithSpectroProxy(uid, name string) *ruleViolation {
	return &ruleViolation{path.Root("profile_id"), "The Spectro Proxy pack cannot be deployed on imported clusters",
		fmt.Sprintf("Profile %q (%s) contains the pack %q. %s", name, uid, wire.PackSpectroProxy, spectroProxyAdvice)}
}

// hasPack tells whether a profile has a pack of that name.
func hasPack(p *wire.ClusterProfile, name string) bool {
	return slices.ContainsFunc(profileTemplate(p).Packs, func(pk wire.PackRef) bool { return pk.Name == name })
}

// profileRule looks a profile up and checks that it may be attached.
func profileRule(ctx context.Context, c *palette.Client, uid string) (*wire.ClusterProfile, *ruleViolation, error) {
	p, err := c.GetProfile(ctx, uid)
	if errors.Is(err, palette.ErrNotFound) {
		return nil, profileNotFound(uid), nil
	}
	if err != nil {
		return nil, nil, err
	}
	if typ := profileType(p); typ != wire.ProfileTypeAddOn {
		return p, profileNotAddon(uid, p.Metadata.Name, typ), nil
	}
	if hasPack(p, wire.PackSpectroProxy) {
		return p, profileWithSpectroProxy(uid, p.Metadata.Name), nil
	}
	return p, nil, nil
}

// attachRejection turns the API's rejection of an attachment into the
// diagnostic of the plan-time rule it enforces; nil when err is no such
// rejection. profileMissing tells a 404 of the profile from one of the
// cluster.
func attachRejection(err error, clusterUID, profileUID string, profileMissing bool) *ruleViolation {
	var apiErr *palette.APIError
	msg := err.Error()
	if errors.As(err, &apiErr) {
		msg = apiErr.Message
	}
	switch {
	case palette.IsCode(err, wire.CodeFullProfileNotAllowed):
		v := profileNotAddon(profileUID, profileUID, "")
		v.detail = fmt.Sprintf("Palette refused profile %s: %s. You cannot use a full cluster profile on an imported cluster: "+
			"only add-on profiles may be attached to imported clusters.", profileUID, msg)
		return v
	case palette.IsCode(err, wire.CodeSpectroProxyNotAllowed):
		v := profileWithSpectroProxy(profileUID, profileUID)
		v.detail = fmt.Sprintf("Palette refused profile %s: %s. %s", profileUID, msg, spectroProxyAdvice)
		return v
	case palette.IsCode(err, wire.CodeAddonProfilesRequireFullPermission):
		v := clusterReadOnly(featureAddons, clusterUID, clusterUID)
		v.detail += " (Palette: " + msg + ")"
		return v
	case palette.IsCode(err, wire.CodeClusterNotRunning):
		v := clusterNotRunning(featureAddons, clusterUID, "not Running")
		v.detail += " (Palette: " + msg + ")"
		return v
	case errors.Is(err, palette.ErrNotFound):
		if profileMissing {
			return profileNotFound(profileUID)
		}
		return clusterNotFound(clusterUID)
	}
	return nil
}

// ModifyPlan enforces Palette's rules for attachments when the IDs are known
// at plan time, and plans a replacement when profile_id moves to a profile
// of another name.
func (r *addonProfileAttachmentResource) ModifyPlan(ctx context.Context, req resource.ModifyPlanRequest, resp *resource.ModifyPlanResponse) {
	if req.Plan.Raw.IsNull() || r.data == nil {
		return // destroy, or the provider is not configured yet
	}
	// The framework marks packs unknown before the values plan modifier
	// turns a re-formatted YAML back into the state's: when nothing is left
	// to change, the plan keeps the state's packs and stays empty. The rules
	// held when the attachment was made and nothing of it changes, so a
	// refresh of many attachments costs no API call here, and (read
	// attribute by attribute) no reflection of whole models either.
	if !req.State.Raw.IsNull() && sameArguments(ctx, req, attachmentArguments) {
		for _, name := range []string{"packs", "id"} {
			var v attr.Value
			resp.Diagnostics.Append(req.State.GetAttribute(ctx, path.Root(name), &v)...)
			resp.Diagnostics.Append(resp.Plan.SetAttribute(ctx, path.Root(name), v)...)
		}
		return
	}
	var plan addonProfileAttachmentResourceModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	if resp.Diagnostics.HasError() {
		return
	}
	var state *addonProfileAttachmentResourceModel
	if !req.State.Raw.IsNull() {
		state = &addonProfileAttachmentResourceModel{}
		resp.Diagnostics.Append(req.State.Get(ctx, state)...)
		if resp.Diagnostics.HasError() {
			return
		}
	}
	c := r.data.client

	if known(plan.ProfileID) {
		pid := plan.ProfileID.ValueString()
		prof, v, err := profileRule(ctx, c, pid)
		switch {
		case err != nil:
			resp.Diagnostics.AddAttributeError(path.Root("profile_id"), "Error reading cluster profile",
				fmt.Sprintf("Profile %s: %s", pid, err))
		case v != nil:
			v.addAtPlanTo(&resp.Diagnostics)
		default:
			checkValuesPacks(plan.Values, prof, &resp.Diagnostics)
			checkVariables(ctx, c, pid, prof, plan.Variables, &resp.Diagnostics)
			if state != nil && keepImportedValues(ctx, req, resp, plan.Values, state.Values, prof) {
				return
			}
			if state != nil && known(state.ProfileID) && state.ProfileID.ValueString() != pid {
				r.planProfileChange(ctx, state.ProfileID.ValueString(), prof, resp)
			}
		}
	}
	if known(plan.ClusterID) {
		planConfigCluster(ctx, r.data, plan.ClusterID.ValueString(), featureAddons, state == nil, &resp.Diagnostics)
	}
	if resp.Diagnostics.HasError() {
		return
	}
	if known(plan.ClusterID) && known(plan.ProfileID) {
		cid, pid := plan.ClusterID.ValueString(), plan.ProfileID.ValueString()
		if state == nil {
			claimAttachment(r.data, phasePlan, cid, pid, &resp.Diagnostics)
		}
		resp.Diagnostics.Append(resp.Plan.SetAttribute(ctx, path.Root("id"), attachmentID(cid, pid))...)
	}
}

// keepImportedValues plans, for each pack whose configured override merged
// onto the profile's values of that pack equals (as YAML data) the state's
// value, the state's value: after terraform import the state holds a
// pack's whole values, and the override that produces them is no change.
// It reports whether nothing is left to change, the plan then keeping the
// state's packs and id.
func keepImportedValues(ctx context.Context, req resource.ModifyPlanRequest, resp *resource.ModifyPlanResponse, planned, prior types.Map, prof *wire.ClusterProfile) bool {
	if planned.IsNull() || planned.IsUnknown() || prior.IsNull() || prior.IsUnknown() {
		return false
	}
	defaults := map[string]string{}
	for _, p := range profileTemplate(prof).Packs {
		defaults[p.Name] = p.Values
	}
	priorElems := prior.Elements()
	out := make(map[string]attr.Value, len(planned.Elements()))
	changed := false
	for k, v := range planned.Elements() {
		out[k] = v
		pv, ok1 := v.(types.String)
		sv, ok2 := priorElems[k].(types.String)
		if !ok1 || !ok2 || !known(pv) || !known(sv) || pv.Equal(sv) {
			continue
		}
		if merged, err := mergeYAML(defaults[k], pv.ValueString()); err == nil && yamlSemanticEqual(merged, sv.ValueString()) {
			out[k] = sv
			changed = true
		}
	}
	if !changed {
		return false
	}
	values := types.MapValueMust(types.StringType, out)
	resp.Diagnostics.Append(resp.Plan.SetAttribute(ctx, path.Root("values"), values)...)
	if !values.Equal(prior) {
		return false
	}
	others := slices.DeleteFunc(slices.Clone(attachmentArguments), func(n string) bool { return n == "values" })
	if !sameAttributes(ctx, req.Plan, req.State, others) {
		return false
	}
	for _, name := range []string{"packs", "id"} {
		var v attr.Value
		resp.Diagnostics.Append(req.State.GetAttribute(ctx, path.Root(name), &v)...)
		resp.Diagnostics.Append(resp.Plan.SetAttribute(ctx, path.Root(name), v)...)
	}
	return true
}

// claimAttachment claims, in phase, the attachment of profile pid to
// cluster cid for the resource creating it: two attachments of one profile
// to one cluster would overwrite each other's values.
func claimAttachment(pd *providerData, phase, cid, pid string, diags *diag.Diagnostics) {
	if _, conflict := pd.ownership().claim(phase, attachmentClaimKey(cid, pid), ""); conflict {
		diags.AddAttributeError(path.Root("profile_id"), "Profile attached twice",
			fmt.Sprintf("Another palette_addon_profile_attachment of this configuration attaches profile %s to cluster %s. "+
				"A profile is attached to a cluster once: the second attachment would overwrite the first's values. "+
				"Keep one palette_addon_profile_attachment for this profile and cluster, with all its values.", pid, cid))
	}
}

// attachmentArguments are the configurable attributes of an attachment.
var attachmentArguments = []string{"cluster_id", "profile_id", "values", "variables", "adopt_existing", "timeouts"}

// planProfileChange plans a replacement when the new profile is not another
// version of the attached one (same name); a new version swaps in place.
func (r *addonProfileAttachmentResource) planProfileChange(ctx context.Context, oldUID string, next *wire.ClusterProfile, resp *resource.ModifyPlanResponse) {
	old, err := r.data.client.GetProfile(ctx, oldUID)
	switch {
	case errors.Is(err, palette.ErrNotFound):
		resp.RequiresReplace = append(resp.RequiresReplace, path.Root("profile_id"))
	case err != nil:
		resp.Diagnostics.AddAttributeError(path.Root("profile_id"), "Error reading cluster profile",
			fmt.Sprintf("The attached profile %s: %s", oldUID, err))
	case old.Metadata.Name != next.Metadata.Name:
		resp.RequiresReplace = append(resp.RequiresReplace, path.Root("profile_id"))
	}
}

// checkValuesPacks reports values for packs the profile does not have:
// one key on its element, several together on values, naming the first
// few (a map of 3,000 made 3,000 errors).
func checkValuesPacks(values types.Map, prof *wire.ClusterProfile, diags *diag.Diagnostics) {
	if values.IsNull() || values.IsUnknown() {
		return
	}
	have := map[string]bool{}
	var names []string
	for _, p := range profileTemplate(prof).Packs {
		have[p.Name] = true
		names = append(names, p.Name)
	}
	var unknown []string
	for k := range values.Elements() {
		if !have[k] {
			unknown = append(unknown, k)
		}
	}
	packs := strings.Join(names, ", ")
	if packs == "" {
		packs = "none"
	}
	switch len(unknown) {
	case 0:
	case 1:
		diags.AddAttributeError(path.Root("values").AtMapKey(unknown[0]), "Unknown pack",
			fmt.Sprintf("Profile %q has no pack %q; its packs: %s.", prof.Metadata.Name, unknown[0], packs))
	default:
		slices.Sort(unknown)
		diags.AddAttributeError(path.Root("values"), "Unknown packs",
			fmt.Sprintf("values names %d packs that profile %q does not have: %s; its packs: %s.",
				len(unknown), prof.Metadata.Name, listSome(unknown, maxListedElements), packs))
	}
}

// variablesUndefined: variables the profile does not define (names, sorted;
// defined, the profile's). Palette sets only the variables a profile
// defines: the others were dropped without a word.
func variablesUndefined(prof *wire.ClusterProfile, names, defined []string) *ruleViolation {
	have := "it defines none"
	if len(defined) > 0 {
		have = "its variables: " + strings.Join(defined, ", ")
	}
	if len(names) == 1 {
		return &ruleViolation{path.Root("variables").AtMapKey(names[0]), "Unknown variable",
			fmt.Sprintf("Profile %q does not define the variable %q (%s). Palette sets only the variables a profile defines.",
				prof.Metadata.Name, names[0], have)}
	}
	return &ruleViolation{path.Root("variables"), "Unknown variables",
		fmt.Sprintf("variables names %d variables that profile %q does not define: %s (%s). Palette sets only the variables "+
			"a profile defines.", len(names), prof.Metadata.Name, listSome(names, maxListedElements), have)}
}

// checkVariables reports variables the profile does not define. It costs
// one request, made only when variables are set; when Palette cannot list
// the profile's variables, the rule is left to Palette.
func checkVariables(ctx context.Context, c *palette.Client, uid string, prof *wire.ClusterProfile, variables types.Map, diags *diag.Diagnostics) {
	if variables.IsNull() || variables.IsUnknown() || len(variables.Elements()) == 0 {
		return
	}
	defs, err := c.GetProfileVariables(ctx, uid)
	if err != nil {
		tflog.Warn(ctx, "cannot list the profile's variables: not checked at plan time", map[string]any{"profile": uid, "error": err.Error()})
		return
	}
	defined := make([]string, 0, len(defs))
	known := make(map[string]bool, len(defs))
	for _, d := range defs {
		defined = append(defined, d.Name)
		known[d.Name] = true
	}
	var undefined []string
	for k := range variables.Elements() {
		if k != "" && !known[k] { // "" is refused by the schema
			undefined = append(undefined, k)
		}
	}
	if len(undefined) > 0 {
		slices.Sort(undefined)
		variablesUndefined(prof, undefined, defined).addTo(diags)
	}
}

// checkRules runs the plan-time rules at apply time (an ID may have been
// unknown at plan time). It returns the profile, or nil after adding a
// diagnostic.
func (r *addonProfileAttachmentResource) checkRules(ctx context.Context, clusterUID, profileUID string, diags *diag.Diagnostics) *wire.ClusterProfile {
	c := r.data.client
	prof, v, err := profileRule(ctx, c, profileUID)
	if err != nil {
		diags.AddError("Error attaching add-on profile", fmt.Sprintf("Reading profile %s: %s", profileUID, err))
		return nil
	}
	if v != nil {
		v.addTo(diags)
		return nil
	}
	if !applyConfigCluster(ctx, r.data, clusterUID, featureAddons, true, "Error attaching add-on profile", diags) {
		return nil
	}
	return prof
}
