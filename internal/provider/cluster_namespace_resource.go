package provider

import (
	"context"

	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
)

var (
	_ resource.ResourceWithConfigure        = &clusterNamespaceResource{}
	_ resource.ResourceWithImportState      = &clusterNamespaceResource{}
	_ resource.ResourceWithModifyPlan       = &clusterNamespaceResource{}
	_ resource.ResourceWithConfigValidators = &clusterNamespaceResource{}
	_ resource.ResourceWithIdentity         = &clusterNamespaceResource{}
)

// NewClusterNamespaceResource returns the palette_cluster_namespace resource.
func NewClusterNamespaceResource() resource.Resource {
	return &clusterNamespaceResource{}
}

type clusterNamespaceResource struct {
	data *providerData
}

func (r *clusterNamespaceResource) Metadata(_ context.Context, req resource.MetadataRequest, resp *resource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_cluster_namespace"
}

func (r *clusterNamespaceResource) Configure(_ context.Context, req resource.ConfigureRequest, resp *resource.ConfigureResponse) {
	if pd := providerDataFrom(req.ProviderData, &resp.Diagnostics, "Resource"); pd != nil {
		r.data = pd
	}
}

// ImportState takes `<cluster_uid>:<namespace>` or the identity
// { cluster_id, name }.
func (r *clusterNamespaceResource) ImportState(ctx context.Context, req resource.ImportStateRequest, resp *resource.ImportStateResponse) {
	clusterUID, name, ok := importConfigEntry(ctx, req, resp, "namespace")
	if !ok {
		return
	}
	resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("id"), configEntryID(clusterUID, name))...)
	resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("cluster_id"), clusterUID)...)
	resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("name"), name)...)
}

func (r *clusterNamespaceResource) IdentitySchema(_ context.Context, _ resource.IdentitySchemaRequest, resp *resource.IdentitySchemaResponse) {
	resp.IdentitySchema = identitySchema(map[string]string{
		"cluster_id": "UID of the imported cluster.",
		"name":       "Name of the namespace.",
	})
}
