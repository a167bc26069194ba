package provider

import (
	"context"

	"github.com/hashicorp/terraform-plugin-framework/ephemeral"
	"github.com/hashicorp/terraform-plugin-framework/ephemeral/schema"
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
		Attributes: importManifestEphemeralAttributes(),
	}
}

func (e *importManifestEphemeral) Configure(_ context.Context, req ephemeral.ConfigureRequest, resp *ephemeral.ConfigureResponse) {
	if pd := providerDataFrom(req.ProviderData, &resp.Diagnostics, "Ephemeral Resource"); pd != nil {
		e.data = pd
	}
}

func (e *importManifestEphemeral) Open(ctx context.Context, req ephemeral.OpenRequest, resp *ephemeral.OpenResponse) {
	if m := readImportManifest(ctx, e.data.client, req.Config, &resp.Diagnostics); m != nil {
		resp.Diagnostics.Append(resp.Result.Set(ctx, m)...)
	}
}
