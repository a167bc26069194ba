package provider

import (
	"context"
	"regexp"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/list"
	"github.com/hashicorp/terraform-plugin-framework/list/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/terraform-palette/terraform-provider-palette/internal/wire"
)

var _ list.ListResourceWithConfigure = &importedClusterListResource{}

// NewImportedClusterListResource returns the palette_imported_cluster list
// resource (`terraform query`, Terraform 1.14 or later).
func NewImportedClusterListResource() list.ListResource {
	return &importedClusterListResource{}
}

type importedClusterListResource struct {
	listBase
}

type importedClusterListModel struct {
	Name       types.String `tfsdk:"name"`
	NameRegex  types.String `tfsdk:"name_regex"`
	CloudType  types.String `tfsdk:"cloud_type"`
	ImportMode types.String `tfsdk:"import_mode"`
	Labels     types.Map    `tfsdk:"labels"`
	State      types.String `tfsdk:"state"`
}

func (l *importedClusterListResource) Metadata(_ context.Context, req resource.MetadataRequest, resp *resource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_imported_cluster"
}

func (l *importedClusterListResource) ListResourceConfigSchema(_ context.Context, _ list.ListResourceSchemaRequest, resp *list.ListResourceSchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "Lists the imported clusters of the provider's project that match every filter given (none: all of " +
			"them, except deleted ones), sorted by name, for `terraform query` (Terraform 1.14 or later; OpenTofu has no " +
			"`query`). The listing reads Palette's paged cluster search (50 clusters a request) and its metadata search " +
			"(one request), whatever the filters, once for all the list blocks of a query: about N/50 + 2 requests for N clusters. Terraform stops a list block at 100 results unless it is given a larger `limit`.\n\n" +
			"Each result carries the cluster's identity (`id`) and, with `include_resource = true` or " +
			"`terraform query -generate-config-out=FILE`, the resource as an import reads it, so that the generated " +
			"configuration, applied with the generated `import` blocks, imports the clusters and then plans no changes. " +
			"The searches carry no Kubernetes version and no instance types: a result of a cloud-specific cluster has " +
			"them empty (a generic cluster has neither), and the import reads them.",
		Attributes: map[string]schema.Attribute{
			"name": schema.StringAttribute{
				Optional: true, MarkdownDescription: "Only the cluster of exactly this name.",
				Validators: []validator.String{stringvalidator.LengthAtLeast(1)},
			},
			"name_regex": schema.StringAttribute{
				Optional: true,
				MarkdownDescription: "Only clusters whose name matches this regular expression (Go's RE2 syntax; unanchored: " +
					"use `^…$` for a whole name).",
				Validators: []validator.String{regexValidator()},
			},
			"cloud_type": schema.StringAttribute{
				Optional:            true,
				MarkdownDescription: "Only clusters of this cloud type: one of `" + strings.Join(wire.InfrastructureProviders, "`, `") + "`.",
				Validators:          []validator.String{stringvalidator.OneOf(wire.InfrastructureProviders...)},
			},
			"import_mode": schema.StringAttribute{
				Optional:            true,
				MarkdownDescription: "Only clusters imported in this mode: `read_only` or `full_permission`.",
				Validators:          []validator.String{stringvalidator.OneOf(importModeReadOnly, importModeFullPermission)},
			},
			"labels": schema.MapAttribute{
				Optional: true, ElementType: types.StringType,
				MarkdownDescription: "Only clusters that carry all of these labels (tags) with these values.",
				Validators:          labelsValidators(),
			},
			"state": schema.StringAttribute{
				Optional: true,
				MarkdownDescription: "Only clusters in this Palette state: `Pending`, `Importing`, `Running`, `Deleting` or " +
					"`Error`.",
				Validators: []validator.String{stringvalidator.OneOf(wire.StatePending, wire.StateImporting,
					wire.StateRunning, wire.StateDeleting, wire.StateError)},
			},
		},
	}
}

// clusterFilter is a list configuration's filters.
type clusterFilter struct {
	name, cloudType, state, importMode string
	nameRegex                          *regexp.Regexp
	labels                             map[string]string
}

func (m *importedClusterListModel) filter(ctx context.Context, diags *diag.Diagnostics) clusterFilter {
	f := clusterFilter{name: m.Name.ValueString(), cloudType: m.CloudType.ValueString(), state: m.State.ValueString(),
		importMode: m.ImportMode.ValueString(), labels: map[string]string{}}
	if !m.Labels.IsNull() && !m.Labels.IsUnknown() {
		diags.Append(m.Labels.ElementsAs(ctx, &f.labels, false)...)
	}
	if s := m.NameRegex.ValueString(); s != "" {
		re, err := regexp.Compile(s)
		if err != nil { // the validator refused it at validate time already
			diags.AddError("Invalid name_regex", err.Error())
		}
		f.nameRegex = re
	}
	return f
}

func (f clusterFilter) match(c listedCluster) bool {
	name := c.summary.Metadata.Name
	switch {
	case f.name != "" && name != f.name:
		return false
	case f.nameRegex != nil && !f.nameRegex.MatchString(name):
		return false
	}
	return matchCluster(c.meta, f.cloudType, f.state, f.importMode, f.labels)
}

func (l *importedClusterListResource) List(ctx context.Context, req list.ListRequest, stream *list.ListResultsStream) {
	var cfg importedClusterListModel
	var diags diag.Diagnostics
	diags.Append(req.Config.Get(ctx, &cfg)...)
	f := cfg.filter(ctx, &diags)
	if diags.HasError() {
		stream.Results = list.ListResultsStreamDiagnostics(diags)
		return
	}
	clusters, outcomes, err := listImportedClusters(ctx, l.data)
	if err != nil {
		stream.Results = streamResults(ctx, req, listError("Error listing imported clusters", err.Error()))
		return
	}
	for _, c := range clusters {
		if !f.match(c) {
			continue
		}
		o := listOutcome{display: c.summary.Metadata.Name, identity: map[string]string{"id": c.summary.Metadata.UID}}
		if req.IncludeResource {
			o.model = listedClusterModel(ctx, req, c, &o.diags)
		}
		outcomes = append(outcomes, o)
	}
	stream.Results = streamResults(ctx, req, outcomes)
}

// listedClusterModel is the resource as the Read after `terraform import`
// makes it, from the searches instead of the cluster's own endpoints. Its
// arguments — what `-generate-config-out` writes — are the same; of the
// computed facts, the searches carry no Kubernetes version and no instance
// types (empty here; a generic cluster has neither anyway), which the
// import's Read fills in.
func listedClusterModel(ctx context.Context, req list.ListRequest, c listedCluster, diags *diag.Diagnostics) *importedClusterResourceModel {
	m := importedModel[importedClusterResourceModel](ctx, req, diags)
	if m == nil {
		return nil
	}
	m.ID = types.StringValue(c.summary.Metadata.UID)
	flattenCluster(ctx, m, viewFromSearch(c.summary, c.meta), diags)
	return m
}
