package provider

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"

	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/terraform-palette/terraform-provider-palette/internal/palette"
)

var _ datasource.DataSourceWithConfigure = &importManifestDataSource{}

// NewImportManifestDataSource returns the palette_import_manifest data source.
func NewImportManifestDataSource() datasource.DataSource {
	return &importManifestDataSource{}
}

type importManifestDataSource struct {
	data *providerData
}

type importManifestDataSourceModel struct {
	ClusterID types.String `tfsdk:"cluster_id"`
	Manifest  types.String `tfsdk:"manifest"`
	SHA256    types.String `tfsdk:"sha256"`
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

func (d *importManifestDataSource) Configure(_ context.Context, req datasource.ConfigureRequest, resp *datasource.ConfigureResponse) {
	if pd := providerDataFrom(req.ProviderData, &resp.Diagnostics, "Data Source"); pd != nil {
		d.data = pd
	}
}

func (d *importManifestDataSource) Read(ctx context.Context, req datasource.ReadRequest, resp *datasource.ReadResponse) {
	var m importManifestDataSourceModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &m)...)
	if resp.Diagnostics.HasError() {
		return
	}
	body, sum, ok := fetchImportManifest(ctx, d.data.client, m.ClusterID.ValueString(), &resp.Diagnostics)
	if !ok {
		return
	}
	m.Manifest = types.StringValue(body)
	m.SHA256 = types.StringValue(sum)
	resp.Diagnostics.Append(resp.State.Set(ctx, &m)...)
}

// fetchImportManifest reads a cluster's import manifest and its SHA-256
// (hex), for the data source and the ephemeral resource.
func fetchImportManifest(ctx context.Context, c *palette.Client, uid string, diags *diag.Diagnostics) (body, sum string, ok bool) {
	b, err := c.GetImportManifest(ctx, uid)
	if errors.Is(err, palette.ErrNotFound) {
		diags.AddAttributeError(path.Root("cluster_id"), "Imported cluster not found",
			fmt.Sprintf("Palette has no import manifest for cluster %s: the cluster does not exist in this project or is deleted.", uid))
		return "", "", false
	}
	if err != nil {
		diags.AddError("Error reading import manifest", fmt.Sprintf("Cluster %s: %s", uid, err))
		return "", "", false
	}
	h := sha256.Sum256(b)
	return string(b), hex.EncodeToString(h[:]), true
}
