package provider

import (
	"context"
	"errors"
	"fmt"

	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"

	"github.com/terraform-palette/terraform-provider-palette/internal/palette"
	"github.com/terraform-palette/terraform-provider-palette/internal/wire"
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

// ValidateConfig holds the rules that need only the configuration.
func (r *importedClusterResource) ValidateConfig(ctx context.Context, req resource.ValidateConfigRequest, resp *resource.ValidateConfigResponse) {
	var cfg importedClusterResourceModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &cfg)...)
	if resp.Diagnostics.HasError() {
		return
	}
	if v := proxyRule(cfg.ImportMode, cfg.Proxy); v != nil {
		v.addTo(&resp.Diagnostics)
	}
	if !cfg.Kubernetes.IsNull() && !cfg.Kubernetes.IsUnknown() {
		var k kubernetesAccessModel
		resp.Diagnostics.Append(cfg.Kubernetes.As(ctx, &k, objectAsOptions)...)
		if resp.Diagnostics.HasError() {
			return
		}
		for _, v := range accessRules(k) {
			v.addTo(&resp.Diagnostics)
		}
	}
}

// isGone tells whether a cluster is gone from Palette (404, or Deleted).
func isGone(c *wire.SpectroCluster, err error) bool {
	if errors.Is(err, palette.ErrNotFound) {
		return true
	}
	return err == nil && c != nil && c.Status.State == wire.StateDeleted
}
