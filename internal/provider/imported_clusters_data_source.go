package provider

import (
	"context"
	"sort"

	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/terraform-palette/terraform-provider-palette/internal/wire"
)

var _ datasource.DataSourceWithConfigure = &importedClustersDataSource{}

// NewImportedClustersDataSource returns the palette_imported_clusters data source.
func NewImportedClustersDataSource() datasource.DataSource {
	return &importedClustersDataSource{}
}

type importedClustersDataSource struct {
	dataSourceBase
}

type importedClustersDataSourceModel struct {
	CloudType  types.String `tfsdk:"cloud_type"`
	State      types.String `tfsdk:"state"`
	ImportMode types.String `tfsdk:"import_mode"`
	Labels     types.Map    `tfsdk:"labels"`
	Clusters   types.List   `tfsdk:"clusters"`
}

var clusterSummaryAttrTypes = map[string]attr.Type{
	"id":          types.StringType,
	"name":        types.StringType,
	"cloud_type":  types.StringType,
	"import_mode": types.StringType,
	"state":       types.StringType,
	"health":      types.StringType,
	"labels":      types.MapType{ElemType: types.StringType},
}

func (d *importedClustersDataSource) Metadata(_ context.Context, req datasource.MetadataRequest, resp *datasource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_imported_clusters"
}

func (d *importedClustersDataSource) Schema(_ context.Context, _ datasource.SchemaRequest, resp *datasource.SchemaResponse) {
	str := func(desc string) schema.StringAttribute {
		return schema.StringAttribute{Computed: true, MarkdownDescription: desc}
	}
	resp.Schema = schema.Schema{
		MarkdownDescription: "Lists the clusters of the provider's project that match every filter given (none: all of them, " +
			"except deleted ones), sorted by name. It pages through Palette's cluster search.",
		Attributes: map[string]schema.Attribute{
			"cloud_type": schema.StringAttribute{
				Optional: true, MarkdownDescription: "Only clusters of this cloud type, e.g. `generic` or `aws`.",
				Validators: []validator.String{stringvalidator.LengthAtLeast(1)},
			},
			"state": schema.StringAttribute{
				Optional: true, MarkdownDescription: "Only clusters in this state: `Pending`, `Importing`, `Running`, `Deleting` or `Error`.",
				Validators: []validator.String{stringvalidator.OneOf(wire.StatePending, wire.StateImporting,
					wire.StateRunning, wire.StateDeleting, wire.StateError)},
			},
			"import_mode": schema.StringAttribute{
				Optional: true, MarkdownDescription: "Only clusters imported in this mode: `read_only` or `full_permission`.",
				Validators: []validator.String{stringvalidator.OneOf(importModeReadOnly, importModeFullPermission)},
			},
			"labels": schema.MapAttribute{
				Optional: true, ElementType: types.StringType,
				MarkdownDescription: "Only clusters that carry all of these labels (tags) with these values.",
			},
			"clusters": schema.ListNestedAttribute{
				Computed:            true,
				MarkdownDescription: "The matching clusters.",
				NestedObject: schema.NestedAttributeObject{Attributes: map[string]schema.Attribute{
					"id":          str("UID of the cluster."),
					"name":        str("Name of the cluster."),
					"cloud_type":  str("Cloud type."),
					"import_mode": str("`read_only` or `full_permission`."),
					"state":       str("Palette's state of the cluster."),
					"health":      str("`Healthy`, `UnHealthy` or `Unknown`."),
					"labels":      schema.MapAttribute{Computed: true, ElementType: types.StringType, MarkdownDescription: "Labels of the cluster."},
				}},
			},
		},
	}
}

// matchCluster applies every filter to a metadata search item. Palette's
// spec names no search filter properties, so the provider filters the
// answer itself.
func matchCluster(it *wire.SpectroClusterMetaSummary, cloudType, state, importMode string, labels map[string]string) bool {
	if it.Status.State == wire.StateDeleted {
		return false
	}
	if cloudType != "" && it.SpecSummary.CloudType != wire.ImportCloudType(cloudType) {
		return false
	}
	if state != "" && it.Status.State != state {
		return false
	}
	if importMode != "" && tfImportMode(it.SpecSummary.ImportMode) != importMode {
		return false
	}
	for k, v := range labels {
		if got, ok := it.Metadata.Labels[k]; !ok || got != v {
			return false
		}
	}
	return true
}

func (d *importedClustersDataSource) Read(ctx context.Context, req datasource.ReadRequest, resp *datasource.ReadResponse) {
	var m importedClustersDataSourceModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &m)...)
	if resp.Diagnostics.HasError() {
		return
	}
	labels := map[string]string{}
	if !m.Labels.IsNull() {
		resp.Diagnostics.Append(m.Labels.ElementsAs(ctx, &labels, false)...)
	}
	cloudType, state, mode := m.CloudType.ValueString(), m.State.ValueString(), m.ImportMode.ValueString()
	items, err := d.data.client.SearchClusterMetadata(ctx, wire.SearchFilterSummarySpec{
		Sort: []wire.SearchFilterSortSpec{{Field: "clusterName", Order: "asc"}},
	})
	if err != nil {
		resp.Diagnostics.AddError("Error searching imported clusters", err.Error())
		return
	}
	var matched []wire.SpectroClusterMetaSummary
	for i := range items {
		if matchCluster(&items[i], cloudType, state, mode, labels) {
			matched = append(matched, items[i])
		}
	}
	sort.SliceStable(matched, func(i, j int) bool { return matched[i].Metadata.Name < matched[j].Metadata.Name })
	elems := make([]attr.Value, 0, len(matched))
	for _, it := range matched {
		health := wire.HealthUnknown
		if it.Status.Health != nil && it.Status.Health.State != "" {
			health = it.Status.Health.State
		}
		lbl := map[string]attr.Value{}
		for k, v := range it.Metadata.Labels {
			lbl[k] = types.StringValue(v)
		}
		elems = append(elems, types.ObjectValueMust(clusterSummaryAttrTypes, map[string]attr.Value{
			"id":         types.StringValue(it.Metadata.UID),
			"name":       types.StringValue(it.Metadata.Name),
			"cloud_type": types.StringValue(it.SpecSummary.CloudType),

			"import_mode": types.StringValue(tfImportMode(it.SpecSummary.ImportMode)),
			"state":       types.StringValue(it.Status.State),
			"health":      types.StringValue(health),
			"labels":      types.MapValueMust(types.StringType, lbl),
		}))
	}
	list, diags := types.ListValue(types.ObjectType{AttrTypes: clusterSummaryAttrTypes}, elems)
	resp.Diagnostics.Append(diags...)
	if resp.Diagnostics.HasError() {
		return
	}
	m.Clusters = list
	resp.Diagnostics.Append(resp.State.Set(ctx, &m)...)
}
