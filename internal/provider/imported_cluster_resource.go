package provider

import (
	"context"
	"fmt"

	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
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
