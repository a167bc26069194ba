package provider

import (
	"context"
	"fmt"

	"github.com/hashicorp/terraform-plugin-framework/list"
	"github.com/hashicorp/terraform-plugin-framework/list/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"
)

var _ list.ListResourceWithConfigure = &clusterNamespaceListResource{}

// NewClusterNamespaceListResource returns the palette_cluster_namespace list
// resource (`terraform query`, Terraform 1.14 or later).
func NewClusterNamespaceListResource() list.ListResource {
	return &clusterNamespaceListResource{}
}

type clusterNamespaceListResource struct {
	listBase
}

// clusterEntriesListModel is the configuration of the lists of a cluster's
// Day-2 entries.
type clusterEntriesListModel struct {
	ClusterID types.String `tfsdk:"cluster_id"`
}

func (l *clusterNamespaceListResource) Metadata(_ context.Context, req resource.MetadataRequest, resp *resource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_cluster_namespace"
}

func (l *clusterNamespaceListResource) ListResourceConfigSchema(_ context.Context, _ list.ListResourceSchemaRequest, resp *list.ListResourceSchemaResponse) {
	resp.Schema = clusterEntriesListSchema("namespaces", "GET /v1/spectroclusters/{uid}/config/namespaces")
}

// clusterEntriesListSchema is the schema of the list of a cluster's Day-2
// entries: the cluster, required.
func clusterEntriesListSchema(what, endpoint string) schema.Schema {
	return schema.Schema{
		MarkdownDescription: fmt.Sprintf("Lists the %s Palette configures on one imported cluster, from its list (`%s`, one request), "+
			"for `terraform query` (Terraform 1.14 or later; OpenTofu has no `query`). Each result carries the entry's identity "+
			"(`cluster_id`, `name`) and, with `include_resource = true` or `terraform query -generate-config-out=FILE`, the "+
			"resource as an import reads it: the generated configuration, applied with the generated `import` blocks, imports "+
			"the entries and then plans no changes.", what, endpoint),
		Attributes: map[string]schema.Attribute{
			"cluster_id": schema.StringAttribute{
				Required:            true,
				MarkdownDescription: "UID of the imported cluster.",
				Validators:          []validator.String{paletteUIDValidator()},
			},
		},
	}
}

func (l *clusterNamespaceListResource) List(ctx context.Context, req list.ListRequest, stream *list.ListResultsStream) {
	var cfg clusterEntriesListModel
	if d := req.Config.Get(ctx, &cfg); d.HasError() {
		stream.Results = list.ListResultsStreamDiagnostics(d)
		return
	}
	cid := cfg.ClusterID.ValueString()
	entries, err := l.data.namespaceList().read(ctx, l.data.client, cid)
	if err != nil {
		stream.Results = streamResults(ctx, req, listError("Error listing namespaces", fmt.Sprintf("Cluster %s: %s", cid, err)))
		return
	}
	outcomes := make([]listOutcome, 0, len(entries))
	for i := range entries {
		e := &entries[i]
		o := listOutcome{display: e.Metadata.Name, identity: map[string]string{"cluster_id": cid, "name": e.Metadata.Name}}
		if req.IncludeResource {
			if m := importedModel[clusterNamespaceResourceModel](ctx, req, &o.diags); m != nil {
				m.flatten(cid, e) // as the Read after an import
				o.model = m
			}
		}
		outcomes = append(outcomes, o)
	}
	stream.Results = streamResults(ctx, req, outcomes)
}
