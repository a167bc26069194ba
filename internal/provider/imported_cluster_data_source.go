package provider

import (
	"context"
	"errors"
	"fmt"

	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/terraform-palette/terraform-provider-palette/internal/palette"
)

var (
	_ datasource.DataSourceWithConfigure        = &importedClusterDataSource{}
	_ datasource.DataSourceWithConfigValidators = &importedClusterDataSource{}
)

// NewImportedClusterDataSource returns the palette_imported_cluster data source.
func NewImportedClusterDataSource() datasource.DataSource {
	return &importedClusterDataSource{}
}

type importedClusterDataSource struct {
	dataSourceBase
}

func (d *importedClusterDataSource) Metadata(_ context.Context, req datasource.MetadataRequest, resp *datasource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_imported_cluster"
}

func (d *importedClusterDataSource) Schema(_ context.Context, _ datasource.SchemaRequest, resp *datasource.SchemaResponse) {
	// What Palette knows of the cluster, as the resource shows it
	// (importedClusterPaletteAttributes); id and name are also the lookup.
	attrs := importedClusterDataSourceAttributes(map[string]string{
		"cloud_type": "As Palette has it, e.g. `generic` or `aws` (`openshift` and `eks-anywhere` clusters are imported as `generic`).",
		"proxy":      "Palette does not show a cluster's proxy again, so the data source always reads it as null.",
	})
	attrs["id"] = lookupIDAttribute(paletteDescription("id") + " Set it, or `name`.")
	attrs["name"] = lookupNameAttribute(paletteDescription("name") + " Set it, or `id`.")
	resp.Schema = schema.Schema{
		MarkdownDescription: "Reads an imported cluster of the provider's project by `id` or `name`. It shows what Palette " +
			"knows of the cluster; it never shows the import command (it carries a token) and Palette offers no kubeconfig " +
			"for imported clusters.",
		Attributes: attrs,
	}
}

func (d *importedClusterDataSource) ConfigValidators(context.Context) []datasource.ConfigValidator {
	return lookupConfigValidators()
}

func (d *importedClusterDataSource) Read(ctx context.Context, req datasource.ReadRequest, resp *datasource.ReadResponse) {
	var cfg importedClusterPaletteModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &cfg)...)
	if resp.Diagnostics.HasError() {
		return
	}
	c := d.data.client
	uid, attr := cfg.ID.ValueString(), path.Root("id")
	if !known(cfg.ID) {
		attr = path.Root("name")
		item, err := c.FindClusterByName(ctx, cfg.Name.ValueString())
		if errors.Is(err, palette.ErrNotFound) {
			resp.Diagnostics.AddAttributeError(attr, "Imported cluster not found",
				fmt.Sprintf("Palette has no cluster named %q in this project.", cfg.Name.ValueString()))
			return
		}
		if err != nil {
			resp.Diagnostics.AddError("Error looking up imported cluster", fmt.Sprintf("Cluster %q: %s", cfg.Name.ValueString(), err))
			return
		}
		uid = item.Metadata.UID
	}
	cl, err := findClusterByID(ctx, c, uid)
	if errors.Is(err, palette.ErrNotFound) {
		resp.Diagnostics.AddAttributeError(attr, "Imported cluster not found",
			fmt.Sprintf("Palette has no cluster %s in this project (or it is deleted).", uid))
		return
	}
	if err != nil {
		resp.Diagnostics.AddError("Error reading imported cluster", fmt.Sprintf("Cluster %s: %s", uid, err))
		return
	}
	v, err := readClusterView(ctx, c, cl)
	if err != nil {
		resp.Diagnostics.AddError("Error reading imported cluster", err.Error())
		return
	}
	full := importedClusterResourceModel{
		importedClusterPaletteModel: importedClusterPaletteModel{
			Labels: types.MapNull(types.StringType), Proxy: types.ObjectNull(proxyAttrTypes), Description: types.StringNull(),
		},
		ManifestSHA256: types.StringNull(), AgentInstalled: types.BoolNull(),
	}
	flattenCluster(ctx, &full, v, &resp.Diagnostics)
	if resp.Diagnostics.HasError() {
		return
	}
	m := full.importedClusterPaletteModel
	resp.Diagnostics.Append(resp.State.Set(ctx, &m)...)
}
