package provider

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"

	dsschema "github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	ephschema "github.com/hashicorp/terraform-plugin-framework/ephemeral/schema"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/terraform-palette/terraform-provider-palette/internal/palette"
)

// palette_import_manifest is both a data source and an ephemeral resource.
// The two are built with different framework schema packages; this file is
// the one home of what they share: the model, the attributes and the read.

type importManifestModel struct {
	ClusterID types.String `tfsdk:"cluster_id"`
	Manifest  types.String `tfsdk:"manifest"`
	SHA256    types.String `tfsdk:"sha256"`
}

// importManifestAttribute is one string attribute of palette_import_manifest:
// required (the input) or computed (the output).
type importManifestAttribute struct {
	required, sensitive bool
	description         string
	validators          []validator.String
}

// importManifestAttributes are the attributes of palette_import_manifest, by
// name, for both schemas.
var importManifestAttributes = map[string]importManifestAttribute{
	"cluster_id": {required: true, description: "UID of the imported cluster.", validators: []validator.String{paletteUIDValidator()}},
	"manifest":   {sensitive: true, description: "The multi-document YAML manifest (it carries the agent's credential)."},
	"sha256":     {description: "SHA-256 of the manifest, in hex."},
}

// importManifestDataSourceAttributes are importManifestAttributes in the
// data source's schema types.
func importManifestDataSourceAttributes() map[string]dsschema.Attribute {
	out := make(map[string]dsschema.Attribute, len(importManifestAttributes))
	for name, a := range importManifestAttributes {
		out[name] = dsschema.StringAttribute{
			Required: a.required, Computed: !a.required, Sensitive: a.sensitive,
			MarkdownDescription: a.description, Validators: a.validators,
		}
	}
	return out
}

// importManifestEphemeralAttributes are importManifestAttributes in the
// ephemeral resource's schema types.
func importManifestEphemeralAttributes() map[string]ephschema.Attribute {
	out := make(map[string]ephschema.Attribute, len(importManifestAttributes))
	for name, a := range importManifestAttributes {
		out[name] = ephschema.StringAttribute{
			Required: a.required, Computed: !a.required, Sensitive: a.sensitive,
			MarkdownDescription: a.description, Validators: a.validators,
		}
	}
	return out
}

// readImportManifest reads the configured cluster's import manifest and its
// SHA-256, for the data source's Read and the ephemeral resource's Open. It
// returns nil after adding a diagnostic.
func readImportManifest(ctx context.Context, c *palette.Client, config tfsdk.Config, diags *diag.Diagnostics) *importManifestModel {
	var m importManifestModel
	diags.Append(config.Get(ctx, &m)...)
	if diags.HasError() {
		return nil
	}
	uid := m.ClusterID.ValueString()
	b, err := c.GetImportManifest(ctx, uid)
	if errors.Is(err, palette.ErrNotFound) {
		diags.AddAttributeError(path.Root("cluster_id"), "Imported cluster not found",
			fmt.Sprintf("Palette has no import manifest for cluster %s: the cluster does not exist in this project or is deleted.", uid))
		return nil
	}
	if err != nil {
		diags.AddError("Error reading import manifest", fmt.Sprintf("Cluster %s: %s", uid, err))
		return nil
	}
	h := sha256.Sum256(b)
	m.Manifest = types.StringValue(string(b))
	m.SHA256 = types.StringValue(hex.EncodeToString(h[:]))
	return &m
}
