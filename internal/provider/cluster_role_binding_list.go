package provider

import (
	"context"
	"fmt"

	"github.com/hashicorp/terraform-plugin-framework/list"
	"github.com/hashicorp/terraform-plugin-framework/resource"
)

var _ list.ListResourceWithConfigure = &clusterRoleBindingListResource{}

// NewClusterRoleBindingListResource returns the palette_cluster_role_binding
// list resource (`terraform query`, Terraform 1.14 or later).
func NewClusterRoleBindingListResource() list.ListResource {
	return &clusterRoleBindingListResource{}
}

type clusterRoleBindingListResource struct {
	listBase
}

func (l *clusterRoleBindingListResource) Metadata(_ context.Context, req resource.MetadataRequest, resp *resource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_cluster_role_binding"
}

func (l *clusterRoleBindingListResource) ListResourceConfigSchema(_ context.Context, _ list.ListResourceSchemaRequest, resp *list.ListResourceSchemaResponse) {
	resp.Schema = clusterEntriesListSchema("RBAC entries (role bindings)", "GET /v1/spectroclusters/{uid}/config/rbacs")
}

func (l *clusterRoleBindingListResource) List(ctx context.Context, req list.ListRequest, stream *list.ListResultsStream) {
	var cfg clusterEntriesListModel
	if d := req.Config.Get(ctx, &cfg); d.HasError() {
		stream.Results = list.ListResultsStreamDiagnostics(d)
		return
	}
	cid := cfg.ClusterID.ValueString()
	entries, err := l.data.rbacList().read(ctx, l.data.client, cid)
	if err != nil {
		stream.Results = streamResults(ctx, req, listError("Error listing role bindings", fmt.Sprintf("Cluster %s: %s", cid, err)))
		return
	}
	outcomes := make([]listOutcome, 0, len(entries))
	for i := range entries {
		e := &entries[i]
		if err := oneBinding(e); err != nil {
			// The resource cannot manage it: an import would fail.
			outcomes = append(outcomes, listWarning("Role binding left out", fmt.Sprintf("Cluster %s: %s.", cid, err)))
			continue
		}
		o := listOutcome{display: e.Metadata.Name, identity: map[string]string{"cluster_id": cid, "name": e.Metadata.Name}}
		if req.IncludeResource {
			if m := importedModel[clusterRoleBindingResourceModel](ctx, req, &o.diags); m != nil {
				m.flatten(ctx, cid, e, &o.diags) // as the Read after an import
				o.model = m
			}
		}
		outcomes = append(outcomes, o)
	}
	stream.Results = streamResults(ctx, req, outcomes)
}
