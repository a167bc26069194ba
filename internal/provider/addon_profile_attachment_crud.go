package provider

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/hashicorp/terraform-plugin-framework-timeouts/resource/timeouts"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/terraform-palette/terraform-provider-palette/internal/palette"
	"github.com/terraform-palette/terraform-provider-palette/internal/wire"
)

const (
	defaultAttachCreateTimeout = 15 * time.Minute
	defaultAttachUpdateTimeout = 15 * time.Minute
	defaultAttachDeleteTimeout = 10 * time.Minute
)

// patch sends one attachment entry; the API's rejections become the
// diagnostics of the rules they enforce.
func (r *addonProfileAttachmentResource) patch(ctx context.Context, clusterUID string, entry wire.SpectroClusterProfileEntity, diags *diag.Diagnostics) bool {
	c := r.data.client
	err := c.PatchClusterProfiles(ctx, clusterUID, wire.SpectroClusterProfiles{Profiles: []wire.SpectroClusterProfileEntity{entry}})
	if err == nil {
		return true
	}
	profileMissing := false
	if errors.Is(err, palette.ErrNotFound) {
		_, perr := c.GetProfile(ctx, entry.UID)
		profileMissing = errors.Is(perr, palette.ErrNotFound)
	}
	if v := attachRejection(err, clusterUID, entry.UID, profileMissing); v != nil {
		v.addTo(diags)
		return false
	}
	diags.AddError("Error attaching add-on profile", fmt.Sprintf("Profile %s to cluster %s: %s", entry.UID, clusterUID, err))
	return false
}

// attachmentResponse is the part of a Create or Update response that send
// writes to.
type attachmentResponse struct {
	state    *tfsdk.State
	private  privateStateSetter
	identity *tfsdk.ResourceIdentity
}

// send patches the attachment entry unless diags already hold an error,
// then records it: what it sent goes to private state, and the ID to state
// at once, so that a failed wait leaves a tainted resource, never an
// attachment Terraform does not know of. It returns the digests sent, and
// false after an error.
func (r *addonProfileAttachmentResource) send(ctx context.Context, plan *addonProfileAttachmentResourceModel, clusterUID, profileUID string,
	prof *wire.ClusterProfile, entry wire.SpectroClusterProfileEntity, resp attachmentResponse, diags *diag.Diagnostics,
) (map[string]string, bool) {
	if diags.HasError() || !r.patch(ctx, clusterUID, entry, diags) {
		return nil, false
	}
	sent := sentDigests(prof, entry)
	storeSentDigests(ctx, resp.private, sent, diags)
	plan.ID = types.StringValue(attachmentID(clusterUID, profileUID))
	plan.Packs = flattenPackStatuses(nil)
	diags.Append(resp.state.Set(ctx, plan)...)
	setAttachmentIdentity(ctx, resp.identity, clusterUID, profileUID, diags)
	return sent, !diags.HasError()
}

func (r *addonProfileAttachmentResource) Create(ctx context.Context, req resource.CreateRequest, resp *resource.CreateResponse) {
	var plan addonProfileAttachmentResourceModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	if resp.Diagnostics.HasError() {
		return
	}
	ctx, cancel := withTimeout(ctx, plan.Timeouts, timeouts.Value.Create, defaultAttachCreateTimeout, &resp.Diagnostics)
	defer cancel()
	cid, pid := plan.ClusterID.ValueString(), plan.ProfileID.ValueString()
	defer r.data.clusterCache().invalidate(cid)
	c := r.data.client

	claimAttachment(r.data, phaseApply, cid, pid, &resp.Diagnostics)
	if resp.Diagnostics.HasError() {
		return
	}
	prof := r.checkRules(ctx, cid, pid, &resp.Diagnostics)
	if prof == nil {
		return
	}
	checkValuesPacks(plan.Values, prof, &resp.Diagnostics)
	if resp.Diagnostics.HasError() {
		return
	}
	attached, err := c.GetClusterProfiles(ctx, cid)
	if err != nil {
		resp.Diagnostics.AddError("Error attaching add-on profile", fmt.Sprintf("Listing the profiles of cluster %s: %s", cid, err))
		return
	}
	if findAttached(attached, pid) != nil {
		if !plan.AdoptExisting.ValueBool() {
			resp.Diagnostics.AddAttributeError(path.Root("profile_id"), "Profile already attached",
				fmt.Sprintf("Profile %q (%s) is already attached to cluster %s, outside this configuration. Terraform does not "+
					"take it over silently. Bring it under Terraform with\n\n  terraform import palette_addon_profile_attachment.<name> %s\n\n"+
					"or set adopt_existing = true to adopt it (its values and variables become the configured ones).",
					prof.Metadata.Name, pid, cid, attachmentID(cid, pid)))
			return
		}
		tflog.Info(ctx, "adopting an existing attachment", map[string]any{"cluster_uid": cid, "profile_uid": pid})
	}

	entry := expandAttachment(ctx, &plan, prof, "", &resp.Diagnostics)
	sent, ok := r.send(ctx, &plan, cid, pid, prof, entry, attachmentResponse{&resp.State, resp.Private, resp.Identity}, &resp.Diagnostics)
	if !ok {
		return
	}
	if err := waitPacksReady(ctx, c, cid, pid, profilePackNames(prof)); err != nil {
		resp.Diagnostics.AddError("Error deploying add-on profile",
			fmt.Sprintf("Profile %q (%s) was attached to cluster %s, but its packs did not become Ready: %s", prof.Metadata.Name, pid, cid, err))
		return
	}
	r.readInto(ctx, &plan, sent, &resp.Diagnostics)
	if resp.Diagnostics.HasError() {
		return
	}
	resp.Diagnostics.Append(resp.State.Set(ctx, &plan)...)
}

func (r *addonProfileAttachmentResource) Read(ctx context.Context, req resource.ReadRequest, resp *resource.ReadResponse) {
	var state addonProfileAttachmentResourceModel
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	// Also when the attachment turns out gone: the framework wants an
	// identity after every Read that does not fail.
	setAttachmentIdentity(ctx, resp.Identity, state.ClusterID.ValueString(), state.ProfileID.ValueString(), &resp.Diagnostics)
	prior := state
	sent := loadSentDigests(ctx, req.Private, &resp.Diagnostics)
	gone, err := r.readCached(ctx, &state, sent)
	if gone != "" {
		resp.Diagnostics.AddWarning("Add-on profile attachment is gone",
			fmt.Sprintf("%s; the attachment %s is removed from the state and will be created again on the next apply.", gone, state.ID.ValueString()))
		resp.State.RemoveResource(ctx)
		return
	}
	if err != nil {
		resp.Diagnostics.AddError("Error reading add-on profile attachment", fmt.Sprintf("Attachment %s: %s", state.ID.ValueString(), err))
		return
	}
	resp.Diagnostics.Append(setIfChanged(ctx, &resp.State, &prior, &state)...)
}

// read refreshes the model from Palette. gone is non-empty (the reason)
// when the cluster is gone or the profile is no longer attached.
func (r *addonProfileAttachmentResource) read(ctx context.Context, m *addonProfileAttachmentResourceModel, sent map[string]string) (gone string, err error) {
	c := r.data.client
	cid, pid := m.ClusterID.ValueString(), m.ProfileID.ValueString()
	cl, err := c.GetCluster(ctx, cid)
	if isGone(cl, err) {
		return fmt.Sprintf("Palette no longer has cluster %s", cid), nil
	}
	if err != nil {
		return "", err
	}
	list, err := c.GetClusterProfiles(ctx, cid)
	if errors.Is(err, palette.ErrNotFound) {
		return fmt.Sprintf("Palette no longer has cluster %s", cid), nil
	}
	if err != nil {
		return "", err
	}
	ap := findAttached(list, pid)
	if ap == nil {
		return fmt.Sprintf("Profile %s is no longer attached to cluster %s (it was detached outside Terraform)", pid, cid), nil
	}
	prof, err := r.data.profile(ctx, pid)
	if err != nil && !errors.Is(err, palette.ErrNotFound) {
		return "", err
	}
	vars, err := c.GetClusterVariables(ctx, cid)
	if err != nil && !errors.Is(err, palette.ErrNotFound) {
		return "", err
	}
	m.ID = types.StringValue(attachmentID(cid, pid))
	flattenAttachment(m, ap.PackValues(), prof, sent)
	flattenVariables(m, vars, pid)
	m.Packs = flattenPackStatuses(profilePackStatuses(cl, pid))
	if m.AdoptExisting.IsNull() || m.AdoptExisting.IsUnknown() {
		m.AdoptExisting = types.BoolValue(false)
	}
	return "", nil
}

// readCached refreshes an attachment from the provider's cluster cache, or
// with r.read when the cache cannot answer. sent is what the resource last
// sent (private state). The summary has the attached
// profile and its packs' values but not the packs' status, which the state
// keeps until the next full read (create, update, import, or a refresh with
// the cache off); variables are read only when the attachment sets some.
func (r *addonProfileAttachmentResource) readCached(ctx context.Context, m *addonProfileAttachmentResourceModel, sent map[string]string) (gone string, err error) {
	cid, pid := m.ClusterID.ValueString(), m.ProfileID.ValueString()
	if m.Packs.IsNull() || m.Packs.IsUnknown() {
		return r.read(ctx, m, sent)
	}
	it, _, ok := r.data.clusterCache().lookup(ctx, cid)
	if !ok {
		return r.read(ctx, m, sent)
	}
	if it.SpecSummary.ClusterProfileTemplates == nil {
		// The summary does not list profiles: it cannot say the profile left.
		return r.read(ctx, m, sent)
	}
	t := it.Profile(pid)
	if t == nil {
		return fmt.Sprintf("Profile %s is no longer attached to cluster %s (it was detached outside Terraform)", pid, cid), nil
	}
	for _, p := range t.Packs {
		if p.Values == "" {
			// A summary without the packs' values cannot be compared.
			return r.read(ctx, m, sent)
		}
	}
	// What this resource sent decides without the profile; the profile is
	// read (once per run for all its attachments) only when that is unknown.
	var prof *wire.ClusterProfile
	if !coversPacks(sent, t.Packs) {
		if prof, err = r.data.profile(ctx, pid); err != nil && !errors.Is(err, palette.ErrNotFound) {
			return "", err
		}
	}
	m.ID = types.StringValue(attachmentID(cid, pid))
	flattenAttachment(m, t.PackValues(), prof, sent)
	if !m.Variables.IsNull() && len(m.Variables.Elements()) > 0 {
		vars, err := r.data.client.GetClusterVariables(ctx, cid)
		if err != nil {
			return "", err
		}
		flattenVariables(m, vars, pid)
	}
	if m.AdoptExisting.IsNull() || m.AdoptExisting.IsUnknown() {
		m.AdoptExisting = types.BoolValue(false)
	}
	return "", nil
}

// readInto reads the attachment back after create or update.
func (r *addonProfileAttachmentResource) readInto(ctx context.Context, m *addonProfileAttachmentResourceModel, sent map[string]string, diags *diag.Diagnostics) {
	gone, err := r.read(ctx, m, sent)
	switch {
	case gone != "":
		diags.AddError("Error reading add-on profile attachment", gone+".")
	case err != nil:
		diags.AddError("Error reading add-on profile attachment", fmt.Sprintf("Attachment %s: %s", m.ID.ValueString(), err))
	}
}

func (r *addonProfileAttachmentResource) Update(ctx context.Context, req resource.UpdateRequest, resp *resource.UpdateResponse) {
	var plan, state addonProfileAttachmentResourceModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	ctx, cancel := withTimeout(ctx, plan.Timeouts, timeouts.Value.Update, defaultAttachUpdateTimeout, &resp.Diagnostics)
	defer cancel()
	c := r.data.client
	cid := state.ClusterID.ValueString()
	oldPID, pid := state.ProfileID.ValueString(), plan.ProfileID.ValueString()
	defer r.data.clusterCache().invalidate(cid)
	swap := oldPID != pid

	setAttachmentIdentity(ctx, resp.Identity, cid, pid, &resp.Diagnostics)
	changed := swap || !plan.Values.Equal(state.Values) || !plan.Variables.Equal(state.Variables)
	if !changed {
		// Only adopt_existing or timeouts changed: nothing to send.
		plan.ID, plan.Packs = state.ID, state.Packs
		resp.Diagnostics.Append(resp.State.Set(ctx, &plan)...)
		return
	}
	prof := r.checkRules(ctx, cid, pid, &resp.Diagnostics)
	if prof == nil {
		return
	}
	checkValuesPacks(plan.Values, prof, &resp.Diagnostics)
	replaces := ""
	if swap {
		replaces = oldPID
	}
	entry := expandAttachment(ctx, &plan, prof, replaces, &resp.Diagnostics)
	sent, ok := r.send(ctx, &plan, cid, pid, prof, entry, attachmentResponse{&resp.State, resp.Private, resp.Identity}, &resp.Diagnostics)
	if !ok {
		return
	}
	if err := waitPacksReady(ctx, c, cid, pid, profilePackNames(prof)); err != nil {
		resp.Diagnostics.AddError("Error deploying add-on profile",
			fmt.Sprintf("Profile %q (%s) on cluster %s: its packs did not become Ready: %s", prof.Metadata.Name, pid, cid, err))
		return
	}
	if swap {
		if err := waitPacksRemoved(ctx, c, cid, oldPID); err != nil {
			resp.Diagnostics.AddError("Error removing the previous profile version",
				fmt.Sprintf("Profile %s replaced %s on cluster %s, but the objects of %s were not removed: %s", pid, oldPID, cid, oldPID, err))
			return
		}
	}
	r.readInto(ctx, &plan, sent, &resp.Diagnostics)
	if resp.Diagnostics.HasError() {
		return
	}
	resp.Diagnostics.Append(resp.State.Set(ctx, &plan)...)
}

func (r *addonProfileAttachmentResource) Delete(ctx context.Context, req resource.DeleteRequest, resp *resource.DeleteResponse) {
	var state addonProfileAttachmentResourceModel
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	ctx, cancel := withTimeout(ctx, state.Timeouts, timeouts.Value.Delete, defaultAttachDeleteTimeout, &resp.Diagnostics)
	defer cancel()
	c := r.data.client
	cid, pid := state.ClusterID.ValueString(), state.ProfileID.ValueString()
	defer r.data.clusterCache().invalidate(cid)

	err := c.DeleteClusterProfiles(ctx, cid, []string{pid})
	if errors.Is(err, palette.ErrNotFound) {
		return // the cluster is gone, and the attachment with it
	}
	if err != nil {
		resp.Diagnostics.AddError("Error detaching add-on profile", fmt.Sprintf("Profile %s from cluster %s: %s", pid, cid, err))
		return
	}
	if err := waitPacksRemoved(ctx, c, cid, pid); err != nil {
		resp.Diagnostics.AddError("Error detaching add-on profile",
			fmt.Sprintf("Profile %s was detached from cluster %s, but the agent did not confirm that its objects are gone: %s", pid, cid, err))
	}
}

// privateState is the part of the framework's private state used here.
type privateState interface {
	GetKey(ctx context.Context, key string) ([]byte, diag.Diagnostics)
}

type privateStateSetter interface {
	SetKey(ctx context.Context, key string, value []byte) diag.Diagnostics
}

// loadSentDigests reads what the attachment last sent (nil when unknown, as
// after terraform import).
func loadSentDigests(ctx context.Context, p privateState, diags *diag.Diagnostics) map[string]string {
	if p == nil {
		return nil
	}
	b, d := p.GetKey(ctx, privateSentValues)
	diags.Append(d...)
	if len(b) == 0 {
		return nil
	}
	var sent map[string]string
	if err := json.Unmarshal(b, &sent); err != nil {
		return nil
	}
	return sent
}

// storeSentDigests records what the attachment sent.
func storeSentDigests(ctx context.Context, p privateStateSetter, sent map[string]string, diags *diag.Diagnostics) {
	b, err := json.Marshal(sent)
	if err != nil {
		return
	}
	diags.Append(p.SetKey(ctx, privateSentValues, b)...)
}
