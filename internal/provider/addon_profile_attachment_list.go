package provider

import (
	"context"
	"errors"
	"fmt"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/list"
	"github.com/hashicorp/terraform-plugin-framework/list/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/terraform-palette/terraform-provider-palette/internal/palette"
	"github.com/terraform-palette/terraform-provider-palette/internal/wire"
)

var _ list.ListResourceWithConfigure = &addonProfileAttachmentListResource{}

// NewAddonProfileAttachmentListResource returns the
// palette_addon_profile_attachment list resource (`terraform query`,
// Terraform 1.14 or later).
func NewAddonProfileAttachmentListResource() list.ListResource {
	return &addonProfileAttachmentListResource{}
}

type addonProfileAttachmentListResource struct {
	listBase
}

type addonProfileAttachmentListModel struct {
	ClusterID types.String `tfsdk:"cluster_id"`
	ProfileID types.String `tfsdk:"profile_id"`
}

func (l *addonProfileAttachmentListResource) Metadata(_ context.Context, req resource.MetadataRequest, resp *resource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_addon_profile_attachment"
}

func (l *addonProfileAttachmentListResource) ListResourceConfigSchema(_ context.Context, _ list.ListResourceSchemaRequest, resp *list.ListResourceSchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "Lists the add-on profiles attached to the project's imported clusters (or to one of them), " +
			"for `terraform query` (Terraform 1.14 or later; OpenTofu has no `query`). The listing reads Palette's paged " +
			"cluster search, which shows each cluster's attached profiles with their packs' values (50 clusters a request), " +
			"and the metadata search (once for all the list blocks of a query); with the resources, also each attached profile once (`GET /v1/clusterprofiles/{uid}` " +
			"and its variables) and, only for clusters whose profile defines variables, the cluster's variables. Terraform stops a list block at 100 results unless it is given a larger `limit`.\n\n" +
			"Each result carries the attachment's identity (`cluster_id`, `profile_id`) and, with `include_resource = true` " +
			"or `terraform query -generate-config-out=FILE`, the resource as an import reads it (`values` holds each pack's " +
			"whole values where they differ from the profile's), so that the generated configuration, applied with the " +
			"generated `import` blocks, imports the attachments and then plans no changes. `packs`, the agent's pack " +
			"status, is in no batched answer: it is null in results, and the import reads it.",
		Attributes: map[string]schema.Attribute{
			"cluster_id": schema.StringAttribute{
				Optional:            true,
				MarkdownDescription: "Only the attachments of this imported cluster (its UID). Without it: every imported cluster's.",
				Validators:          []validator.String{paletteUIDValidator()},
			},
			"profile_id": schema.StringAttribute{
				Optional:            true,
				MarkdownDescription: "Only the attachments of this add-on profile version (its UID).",
				Validators:          []validator.String{paletteUIDValidator()},
			},
		},
	}
}

func (l *addonProfileAttachmentListResource) List(ctx context.Context, req list.ListRequest, stream *list.ListResultsStream) {
	var cfg addonProfileAttachmentListModel
	if d := req.Config.Get(ctx, &cfg); d.HasError() {
		stream.Results = list.ListResultsStreamDiagnostics(d)
		return
	}
	clusters, outcomes, err := listImportedClusters(ctx, l.data)
	if err != nil {
		stream.Results = streamResults(ctx, req, listError("Error listing add-on profile attachments", err.Error()))
		return
	}
	reads := &attachmentReads{data: l.data, profiles: map[string]bool{}, clusters: map[string][]wire.SpectroClusterVariables{}}
	for _, c := range clusters {
		cid := c.summary.Metadata.UID
		if want := cfg.ClusterID.ValueString(); want != "" && cid != want {
			continue
		}
		for _, t := range c.summary.SpecSummary.ClusterProfileTemplates {
			if t.Type != wire.ProfileTypeAddOn || (cfg.ProfileID.ValueString() != "" && t.UID != cfg.ProfileID.ValueString()) {
				continue
			}
			o := listOutcome{
				display:  fmt.Sprintf("%s: %s v%d", c.summary.Metadata.Name, t.Name, t.Version),
				identity: map[string]string{"cluster_id": cid, "profile_id": t.UID},
			}
			if req.IncludeResource {
				o.model = reads.model(ctx, req, cid, t, &o.diags)
			}
			outcomes = append(outcomes, o)
		}
	}
	stream.Results = streamResults(ctx, req, outcomes)
}

// attachmentReads are the reads that a listing's resource objects need
// beyond the cluster search, each made once: a profile (its packs' values,
// provider-wide cache) and whether it defines variables, for each profile;
// a cluster's variables, only for clusters with a profile that defines some.
type attachmentReads struct {
	data     *providerData
	profiles map[string]bool                           // profile UID → defines variables
	clusters map[string][]wire.SpectroClusterVariables // cluster UID → its variables
}

// model is the attachment as the Read after `terraform import` makes it,
// from the cluster search's attached profile (its packs' values) instead of
// the cluster's own endpoints. Its arguments — what -generate-config-out
// writes — are the same; packs (the agent's pack status, which no batched
// endpoint has) is null, and the import's Read fills it in.
func (r *attachmentReads) model(ctx context.Context, req list.ListRequest, cid string, t wire.ClusterProfileTemplateMeta, diags *diag.Diagnostics) *addonProfileAttachmentResourceModel {
	m := importedModel[addonProfileAttachmentResourceModel](ctx, req, diags)
	if m == nil {
		return nil
	}
	pid := t.UID
	m.ID, m.ClusterID, m.ProfileID = types.StringValue(attachmentID(cid, pid)), types.StringValue(cid), types.StringValue(pid)
	m.AdoptExisting = types.BoolValue(false)
	packValues, err := r.packValues(ctx, cid, t)
	if err != nil {
		diags.AddError("Error reading add-on profile attachment", fmt.Sprintf("Attachment %s: %s", m.ID.ValueString(), err))
		return nil
	}
	prof, err := r.data.profile(ctx, pid)
	if err != nil && !errors.Is(err, palette.ErrNotFound) {
		diags.AddError("Error reading add-on profile", fmt.Sprintf("Profile %s: %s", pid, err))
		return nil
	}
	flattenAttachment(m, packValues, prof, nil)
	vars, err := r.variables(ctx, cid, pid)
	if err != nil {
		diags.AddError("Error reading cluster variables", fmt.Sprintf("Cluster %s: %s", cid, err))
		return nil
	}
	flattenVariables(m, vars, pid)
	return m
}

// packValues are the attached profile's packs' values: from the search
// summary, or, when it lacks a pack's values, from the cluster's profiles.
func (r *attachmentReads) packValues(ctx context.Context, cid string, t wire.ClusterProfileTemplateMeta) (map[string]string, error) {
	complete := true
	for _, p := range t.Packs {
		complete = complete && p.Values != ""
	}
	if complete {
		return t.PackValues(), nil
	}
	attached, err := r.data.client.GetClusterProfiles(ctx, cid)
	if err != nil {
		return nil, err
	}
	ap := findAttached(attached, t.UID)
	if ap == nil {
		return nil, fmt.Errorf("profile %s is no longer attached", t.UID)
	}
	return ap.PackValues(), nil
}

// variables are the cluster's variables when the profile defines some
// (read once per profile), none otherwise: the Read after an import keeps
// only variables given a value, and a profile without variables has none.
func (r *attachmentReads) variables(ctx context.Context, cid, pid string) ([]wire.SpectroClusterVariables, error) {
	defines, ok := r.profiles[pid]
	if !ok {
		vars, err := r.data.client.GetProfileVariables(ctx, pid)
		if err != nil && !errors.Is(err, palette.ErrNotFound) {
			return nil, err
		}
		defines = len(vars) > 0
		r.profiles[pid] = defines
	}
	if !defines {
		return nil, nil
	}
	if vars, ok := r.clusters[cid]; ok {
		return vars, nil
	}
	vars, err := r.data.client.GetClusterVariables(ctx, cid)
	if err != nil && !errors.Is(err, palette.ErrNotFound) {
		return nil, err
	}
	r.clusters[cid] = vars
	return vars, nil
}
