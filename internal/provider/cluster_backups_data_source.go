package provider

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/terraform-palette/terraform-provider-palette/internal/palette"
)

var _ datasource.DataSourceWithConfigure = &clusterBackupsDataSource{}

// NewClusterBackupsDataSource returns the palette_cluster_backups data source.
func NewClusterBackupsDataSource() datasource.DataSource {
	return &clusterBackupsDataSource{}
}

type clusterBackupsDataSource struct {
	dataSourceBase
}

type clusterBackupsModel struct {
	ClusterID types.String        `tfsdk:"cluster_id"`
	Backups   []clusterBackupItem `tfsdk:"backups"`
}

type clusterBackupItem struct {
	Name       types.String `tfsdk:"name"`
	RequestUID types.String `tfsdk:"request_uid"`
	Actor      types.String `tfsdk:"actor"`
	State      types.String `tfsdk:"state"`
	Message    types.String `tfsdk:"message"`
	BackupTime types.String `tfsdk:"backup_time"`
	ExpiryTime types.String `tfsdk:"expiry_time"`
	LocationID types.String `tfsdk:"location_id"`
	Namespaces []string     `tfsdk:"namespaces"`
}

func (d *clusterBackupsDataSource) Metadata(_ context.Context, req datasource.MetadataRequest, resp *datasource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_cluster_backups"
}

func (d *clusterBackupsDataSource) Schema(_ context.Context, _ datasource.SchemaRequest, resp *datasource.SchemaResponse) {
	str := func(d string) schema.StringAttribute {
		return schema.StringAttribute{MarkdownDescription: d, Computed: true}
	}
	resp.Schema = schema.Schema{
		MarkdownDescription: "The backups of an imported cluster (scheduled and on-demand; `…/features/backup` in Palette's API), " +
			"oldest first, with their state, time and expiry. A restore (`palette_cluster_restore`) names one by `name` and `request_uid`.",
		Attributes: map[string]schema.Attribute{
			"cluster_id": schema.StringAttribute{
				MarkdownDescription: "UID of the imported cluster.",
				Required:            true,
				Validators:          []validator.String{paletteUIDValidator()},
			},
			"backups": schema.ListNestedAttribute{
				MarkdownDescription: "The cluster's backups; empty when it has none.",
				Computed:            true,
				NestedObject: schema.NestedAttributeObject{Attributes: map[string]schema.Attribute{
					"name":        str("Name of the backup."),
					"request_uid": str("UID of the backup's request."),
					"actor":       str("`schedule` or `onDemand`."),
					"state":       str("`InProgress`, `Completed` or `Failed`."),
					"message":     str("What the backup took, or why it failed."),
					"backup_time": str("When it was taken (RFC 3339), null until then."),
					"expiry_time": str("When it expires (RFC 3339), null until it is taken."),
					"location_id": str("UID of its backup location."),
					"namespaces": schema.ListAttribute{MarkdownDescription: "The namespaces it holds.", Computed: true,
						ElementType: types.StringType},
				}},
			},
		},
	}
}

func rfc3339(t *time.Time) types.String {
	if t == nil {
		return types.StringNull()
	}
	return types.StringValue(t.UTC().Format(time.RFC3339))
}

func (d *clusterBackupsDataSource) Read(ctx context.Context, req datasource.ReadRequest, resp *datasource.ReadResponse) {
	m, ok := getModel[clusterBackupsModel](ctx, req.Config, &resp.Diagnostics)
	if !ok {
		return
	}
	cid := m.ClusterID.ValueString()
	m.Backups = []clusterBackupItem{}
	b, err := d.data.client.GetClusterBackup(ctx, cid)
	switch {
	case errors.Is(err, palette.ErrNotFound) && palette.IsCode(err, "BackupNotConfigured"):
		// no schedule and no backup
	case err != nil:
		resp.Diagnostics.AddError("Error reading backups", fmt.Sprintf("Cluster %s: %s", cid, err))
		return
	default:
		for _, s := range b.Status.ClusterBackupStatuses {
			for _, meta := range s.BackupStatusMeta {
				item := clusterBackupItem{
					Name: types.StringValue(meta.BackupName), RequestUID: types.StringValue(s.BackupRequestUID),
					State: types.StringValue(s.State), Message: types.StringNull(), BackupTime: types.StringNull(),
					ExpiryTime: rfc3339(meta.ExpiryDate), Actor: types.StringNull(), LocationID: types.StringNull(),
					Namespaces: append([]string{}, meta.BackupedNamespaces...),
				}
				if meta.BackupState != nil {
					item.Message, item.BackupTime = optionalString(meta.BackupState.Msg), rfc3339(meta.BackupState.BackupTime)
				}
				if s.Actor != nil {
					item.Actor = optionalString(s.Actor.ActorType)
				}
				if s.BackupLocationConfig != nil {
					item.LocationID = optionalString(s.BackupLocationConfig.UID)
				}
				m.Backups = append(m.Backups, item)
			}
		}
	}
	resp.Diagnostics.Append(resp.State.Set(ctx, &m)...)
}
