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
	str := func(desc string) schema.StringAttribute {
		return schema.StringAttribute{Computed: true, MarkdownDescription: desc}
	}
	sensitiveStr := func(desc string) schema.StringAttribute {
		return schema.StringAttribute{Computed: true, Sensitive: true, MarkdownDescription: desc}
	}
	resp.Schema = schema.Schema{
		MarkdownDescription: "Reads an imported cluster of the provider's project by `id` or `name`. It shows what Palette " +
			"knows of the cluster; it never shows the import command (it carries a token) and Palette offers no kubeconfig " +
			"for imported clusters.",
		Attributes: map[string]schema.Attribute{
			"id":          lookupIDAttribute("UID of the cluster. Set it, or `name`."),
			"name":        lookupNameAttribute("Name of the cluster. Set it, or `id`."),
			"cloud_type":  str("Infrastructure provider of the cluster, e.g. `generic` or `aws`."),
			"import_mode": str("`read_only` or `full_permission`."),
			"description": str("Description of the cluster."),
			"labels": schema.MapAttribute{
				Computed: true, ElementType: types.StringType, MarkdownDescription: "Labels (tags) of the cluster.",
			},
			"proxy": schema.SingleNestedAttribute{
				Computed:            true,
				MarkdownDescription: "HTTP proxy settings of the agent, if any.",
				Attributes: map[string]schema.Attribute{
					"http_proxy":              sensitiveStr("Value of `HTTP_PROXY` for the agent (sensitive: it may carry `user:password@`)."),
					"https_proxy":             sensitiveStr("Value of `HTTPS_PROXY` for the agent (sensitive: it may carry `user:password@`)."),
					"no_proxy":                str("Value of `NO_PROXY` for the agent."),
					"ca_host_path":            str("Path, on the nodes, of the proxy's CA certificate."),
					"ca_container_mount_path": str("Where the CA certificate is mounted in the agent's containers."),
				},
			},
			"state":              str("`Pending`, `Importing`, `Running`, `Deleting` or `Error`."),
			"health":             str("`Healthy`, `UnHealthy` or `Unknown`."),
			"agent_version":      str("Version of the agent running in the cluster."),
			"kubernetes_version": str("Kubernetes version the agent reported (cloud-specific clusters only)."),
			"region":             str("Region of the nodes."),
			"instance_types": schema.ListAttribute{
				Computed: true, ElementType: types.StringType, MarkdownDescription: "Instance types of the nodes.",
			},
			"node_count":       schema.Int64Attribute{Computed: true, MarkdownDescription: "Number of nodes (cloud-specific clusters only)."},
			"cloud_config_uid": str("UID of the cluster's cloud config in Palette (cloud-specific clusters)."),
		},
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
