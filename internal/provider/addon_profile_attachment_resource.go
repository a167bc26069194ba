package provider

import (
	"context"

	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
)

var (
	_ resource.ResourceWithConfigure   = &addonProfileAttachmentResource{}
	_ resource.ResourceWithImportState = &addonProfileAttachmentResource{}
	_ resource.ResourceWithModifyPlan  = &addonProfileAttachmentResource{}
)

// NewAddonProfileAttachmentResource returns the
// palette_addon_profile_attachment resource.
func NewAddonProfileAttachmentResource() resource.Resource {
	return &addonProfileAttachmentResource{}
}

type addonProfileAttachmentResource struct {
	data *providerData
}

func (r *addonProfileAttachmentResource) Metadata(_ context.Context, req resource.MetadataRequest, resp *resource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_addon_profile_attachment"
	// A move to another version of the same profile is an in-place update
	// that changes profile_id, and so the identity.
	resp.ResourceBehavior.MutableIdentity = true
}

func (r *addonProfileAttachmentResource) Configure(_ context.Context, req resource.ConfigureRequest, resp *resource.ConfigureResponse) {
	if pd := providerDataFrom(req.ProviderData, &resp.Diagnostics, "Resource"); pd != nil {
		r.data = pd
	}
}

func (r *addonProfileAttachmentResource) ImportState(ctx context.Context, req resource.ImportStateRequest, resp *resource.ImportStateResponse) {
	id := req.ID
	if id == "" { // an import block with an identity (Terraform 1.12+)
		c := identityString(ctx, req.Identity, "cluster_id", &resp.Diagnostics)
		p := identityString(ctx, req.Identity, "profile_id", &resp.Diagnostics)
		if resp.Diagnostics.HasError() {
			return
		}
		id = attachmentID(c, p)
	}
	clusterUID, profileUID, err := parseAttachmentID(id)
	if err != nil {
		resp.Diagnostics.AddError("Invalid import ID", err.Error()+".")
		return
	}
	setAttachmentIdentity(ctx, resp.Identity, clusterUID, profileUID, &resp.Diagnostics)
	resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("id"), id)...)
	resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("cluster_id"), clusterUID)...)
	resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("profile_id"), profileUID)...)
	resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("adopt_existing"), false)...)
}
