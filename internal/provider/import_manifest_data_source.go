package provider

import (
	"context"

	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/datasource/schema"
)

var _ datasource.DataSourceWithConfigure = &importManifestDataSource{}

// NewImportManifestDataSource returns the palette_import_manifest data source.
func NewImportManifestDataSource() datasource.DataSource {
	return &importManifestDataSource{}
}

type importManifestDataSource struct {
	dataSourceBase
}

func (d *importManifestDataSource) Metadata(_ context.Context, req datasource.MetadataRequest, resp *datasource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_import_manifest"
}

func (d *importManifestDataSource) Schema(_ context.Context, _ datasource.SchemaRequest, resp *datasource.SchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "The import manifest of an imported cluster: the Kubernetes objects that install the Palette agent, " +
			"for those who install it with GitOps tools (Argo CD, Flux) instead of letting `palette_imported_cluster` apply it. " +
			"The manifest carries the agent's credential: it is sensitive, and ends up in the state. " +
			"To keep it out of state, use the `palette_import_manifest` ephemeral resource (Terraform 1.10 or later).",
		Attributes: importManifestDataSourceAttributes(),
	}
}

func (d *importManifestDataSource) Read(ctx context.Context, req datasource.ReadRequest, resp *datasource.ReadResponse) {
	if m := readImportManifest(ctx, d.data.client, req.Config, &resp.Diagnostics); m != nil {
		resp.Diagnostics.Append(resp.State.Set(ctx, m)...)
	}
}
