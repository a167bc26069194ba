package provider

import (
	"context"

	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
)

var (
	_ resource.ResourceWithConfigure      = &clusterRoleBindingResource{}
	_ resource.ResourceWithImportState    = &clusterRoleBindingResource{}
	_ resource.ResourceWithModifyPlan     = &clusterRoleBindingResource{}
	_ resource.ResourceWithValidateConfig = &clusterRoleBindingResource{}
	_ resource.ResourceWithIdentity       = &clusterRoleBindingResource{}
)

// NewClusterRoleBindingResource returns the palette_cluster_role_binding
// resource.
func NewClusterRoleBindingResource() resource.Resource {
	return &clusterRoleBindingResource{}
}

type clusterRoleBindingResource struct {
	data *providerData
}

func (r *clusterRoleBindingResource) Metadata(_ context.Context, req resource.MetadataRequest, resp *resource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_cluster_role_binding"
}

func (r *clusterRoleBindingResource) Configure(_ context.Context, req resource.ConfigureRequest, resp *resource.ConfigureResponse) {
	if pd := providerDataFrom(req.ProviderData, &resp.Diagnostics, "Resource"); pd != nil {
		r.data = pd
	}
}

// ImportState takes `<cluster_uid>:<name>` or the identity
// { cluster_id, name }.
func (r *clusterRoleBindingResource) ImportState(ctx context.Context, req resource.ImportStateRequest, resp *resource.ImportStateResponse) {
	clusterUID, name, ok := importConfigEntry(ctx, req, resp, "name")
	if !ok {
		return
	}
	resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("id"), configEntryID(clusterUID, name))...)
	resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("cluster_id"), clusterUID)...)
	resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("name"), name)...)
}

func (r *clusterRoleBindingResource) IdentitySchema(_ context.Context, _ resource.IdentitySchemaRequest, resp *resource.IdentitySchemaResponse) {
	resp.IdentitySchema = identitySchema(map[string]string{
		"cluster_id": "UID of the imported cluster.",
		"name":       "Name of the binding (of its entry in Palette).",
	})
}
