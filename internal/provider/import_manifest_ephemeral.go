package provider

import (
	"context"

	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/ephemeral"
	"github.com/hashicorp/terraform-plugin-framework/ephemeral/schema"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"
)

var _ ephemeral.EphemeralResourceWithConfigure = &importManifestEphemeral{}

// NewImportManifestEphemeralResource returns the palette_import_manifest
// ephemeral resource: the manifest of the data source of the same name,
// without its credential ever reaching state or a plan file.
func NewImportManifestEphemeralResource() ephemeral.EphemeralResource {
	return &importManifestEphemeral{}
}

type importManifestEphemeral struct {
	data *providerData
}

func (e *importManifestEphemeral) Metadata(_ context.Context, req ephemeral.MetadataRequest, resp *ephemeral.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_import_manifest"
}

func (e *importManifestEphemeral) Schema(_ context.Context, _ ephemeral.SchemaRequest, resp *ephemeral.SchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "The import manifest of an imported cluster, as an ephemeral value (Terraform 1.10 or later): " +
			"the Kubernetes objects that install the Palette agent, with the agent's credential, for a GitOps repository " +
			"or a secret store written by another provider's write-only attribute. Unlike the `palette_import_manifest` " +
			"data source it is never written to state or plan files. Reading it changes nothing in Palette.",
		Attributes: map[string]schema.Attribute{
			"cluster_id": schema.StringAttribute{
				Required:            true,
				MarkdownDescription: "UID of the imported cluster.",
				Validators:          []validator.String{stringvalidator.RegexMatches(uidRegexp, "must be a Palette UID (24 lowercase hex characters)")},
			},
			"manifest": schema.StringAttribute{
				Computed: true, Sensitive: true,
				MarkdownDescription: "The multi-document YAML manifest (it carries the agent's credential).",
			},
			"sha256": schema.StringAttribute{Computed: true, MarkdownDescription: "SHA-256 of the manifest, in hex."},
		},
	}
}

func (e *importManifestEphemeral) Configure(_ context.Context, req ephemeral.ConfigureRequest, resp *ephemeral.ConfigureResponse) {
	if pd := providerDataFrom(req.ProviderData, &resp.Diagnostics, "Ephemeral Resource"); pd != nil {
		e.data = pd
	}
}

func (e *importManifestEphemeral) Open(ctx context.Context, req ephemeral.OpenRequest, resp *ephemeral.OpenResponse) {
	var m importManifestDataSourceModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &m)...)
	if resp.Diagnostics.HasError() {
		return
	}
	body, sum, ok := fetchImportManifest(ctx, e.data.client, m.ClusterID.ValueString(), &resp.Diagnostics)
	if !ok {
		return
	}
	m.Manifest = types.StringValue(body)
	m.SHA256 = types.StringValue(sum)
	resp.Diagnostics.Append(resp.Result.Set(ctx, &m)...)
}
