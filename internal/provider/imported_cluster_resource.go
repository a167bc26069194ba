package provider

import (
	"context"
	"errors"
	"fmt"

	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/objectplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringplanmodifier"

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

// cloudTypeRequiresReplace plans a new import when the cloud type changes
// in Palette: openshift and eks-anywhere are imported as generic, so moving
// between them and generic (or bringing one in with terraform import, which
// reads generic) changes only the configured value.
func cloudTypeRequiresReplace() planmodifier.String {
	return stringplanmodifier.RequiresReplaceIf(
		func(_ context.Context, req planmodifier.StringRequest, resp *stringplanmodifier.RequiresReplaceIfFuncResponse) {
			resp.RequiresReplace = wire.ImportCloudType(req.StateValue.ValueString()) != wire.ImportCloudType(req.PlanValue.ValueString())
		},
		"Changing the cloud type imports the cluster again, unless Palette's type stays the same (openshift and eks-anywhere are imported as generic).",
		"Changing the cloud type imports the cluster again, unless Palette's type stays the same (`openshift` and `eks-anywhere` are imported as `generic`).",
	)
}

// privateProxyUnread marks, in private state, a cluster whose proxy the
// state does not know (it was brought in with terraform import).
const privateProxyUnread = "proxy_unread"

// proxyRequiresReplace plans a new import when the proxy changes, except
// right after `terraform import`, when the state cannot know the proxy the
// cluster was imported with: the configured one is then recorded as is.
func proxyRequiresReplace() planmodifier.Object {
	return objectplanmodifier.RequiresReplaceIf(
		func(ctx context.Context, req planmodifier.ObjectRequest, resp *objectplanmodifier.RequiresReplaceIfFuncResponse) {
			unread, d := req.Private.GetKey(ctx, privateProxyUnread)
			resp.Diagnostics.Append(d...)
			resp.RequiresReplace = len(unread) == 0
		},
		"Changing the proxy imports the cluster again (Palette does not change it in place). After terraform import, the configured proxy is recorded as it is.",
		"Changing the proxy imports the cluster again (Palette does not change it in place). After `terraform import`, the configured proxy is recorded as it is.",
	)
}

// importModeDowngradeRequiresReplace plans a replacement for full_permission →
// read_only: Palette has no way back.
func importModeDowngradeRequiresReplace() planmodifier.String {
	return stringplanmodifier.RequiresReplaceIf(
		func(_ context.Context, req planmodifier.StringRequest, resp *stringplanmodifier.RequiresReplaceIfFuncResponse) {
			resp.RequiresReplace = isDowngrade(req.StateValue, req.PlanValue)
		},
		"Palette cannot take a cluster from Full Permission back to read-only: going to read_only imports the cluster again.",
		"Palette cannot take a cluster from Full Permission back to read-only: going to `read_only` imports the cluster again.",
	)
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
func isGone(c *wire.Cluster, err error) bool {
	if errors.Is(err, palette.ErrNotFound) {
		return true
	}
	return err == nil && c != nil && c.Status.State == wire.StateDeleted
}
