package provider

import (
	"context"
	"fmt"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/identityschema"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-framework/types"
)

// Resource identity (Terraform 1.12 or later): what names a resource's
// remote object, so that an `import` block can give its parts instead of a
// joined ID string. Older CLIs send no identity (the framework's Identity
// fields are nil) and everything below is skipped.
//
//	palette_imported_cluster:         { id }                     — the cluster's UID
//	palette_addon_profile_attachment: { cluster_id, profile_id }

var (
	_ resource.ResourceWithIdentity = (*importedClusterResource)(nil)
	_ resource.ResourceWithIdentity = (*addonProfileAttachmentResource)(nil)
)

func (r *importedClusterResource) IdentitySchema(_ context.Context, _ resource.IdentitySchemaRequest, resp *resource.IdentitySchemaResponse) {
	resp.IdentitySchema = identitySchema(map[string]string{
		"id": "UID of the imported cluster in Palette.",
	})
}

func (r *addonProfileAttachmentResource) IdentitySchema(_ context.Context, _ resource.IdentitySchemaRequest, resp *resource.IdentitySchemaResponse) {
	resp.IdentitySchema = identitySchema(map[string]string{
		"cluster_id": "UID of the imported cluster the profile is attached to.",
		"profile_id": "UID of the attached add-on profile.",
	})
}

// identitySchema is an identity of string attributes, each required for
// import, from their descriptions by name.
func identitySchema(descriptions map[string]string) identityschema.Schema {
	attrs := make(map[string]identityschema.Attribute, len(descriptions))
	for name, d := range descriptions {
		attrs[name] = identityschema.StringAttribute{RequiredForImport: true, Description: d}
	}
	return identityschema.Schema{Attributes: attrs}
}

// setIdentity writes the identity's attributes, when the CLI supports
// identity and a value differs (a refresh of unchanged resources writes
// nothing).
func setIdentity(ctx context.Context, id *tfsdk.ResourceIdentity, diags *diag.Diagnostics, attrs map[string]string) {
	if id == nil {
		return
	}
	for name, want := range attrs {
		if want == "" {
			return // not known yet
		}
		var have types.String
		if d := id.GetAttribute(ctx, path.Root(name), &have); d.HasError() || have.ValueString() != want {
			diags.Append(id.SetAttribute(ctx, path.Root(name), want)...)
		}
	}
}

func setClusterIdentity(ctx context.Context, id *tfsdk.ResourceIdentity, uid string, diags *diag.Diagnostics) {
	setIdentity(ctx, id, diags, map[string]string{"id": uid})
}

func setAttachmentIdentity(ctx context.Context, id *tfsdk.ResourceIdentity, clusterUID, profileUID string, diags *diag.Diagnostics) {
	setIdentity(ctx, id, diags, map[string]string{"cluster_id": clusterUID, "profile_id": profileUID})
}

// identityString reads one attribute of the identity an import gives.
func identityString(ctx context.Context, id *tfsdk.ResourceIdentity, name string, diags *diag.Diagnostics) string {
	if id == nil {
		diags.AddError("Missing import ID", "Give the import an ID, or (Terraform 1.12 or later) an identity.")
		return ""
	}
	var v types.String
	diags.Append(id.GetAttribute(ctx, path.Root(name), &v)...)
	if v.ValueString() == "" {
		diags.AddError("Incomplete import identity", fmt.Sprintf("The identity has no %s.", name))
	}
	return v.ValueString()
}

// clusterScopedID is the ID of an object of one cluster:
// <cluster_uid>:<part> (an attachment's profile UID, a Day-2 entry's name).
func clusterScopedID(clusterUID, part string) string { return clusterUID + ":" + part }

// splitClusterScopedID splits <cluster_uid>:<part>; ok is false unless the
// first part is a Palette UID.
func splitClusterScopedID(id string) (clusterUID, part string, ok bool) {
	c, p, found := strings.Cut(id, ":")
	return c, p, found && uidRegexp.MatchString(c)
}
