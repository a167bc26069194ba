package provider

import (
	"context"
	"fmt"

	"github.com/hashicorp/terraform-plugin-framework/action"
	"github.com/hashicorp/terraform-plugin-framework/action/schema"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/terraform-palette/terraform-provider-palette/internal/wire"
)

var (
	_ action.ActionWithConfigure  = &clusterRestoreAction{}
	_ action.ActionWithModifyPlan = &clusterRestoreAction{}
)

// NewClusterRestoreAction returns the palette_cluster_restore action.
func NewClusterRestoreAction() action.Action {
	return &clusterRestoreAction{}
}

type clusterRestoreAction struct {
	actionBase
}

type clusterRestoreActionModel struct {
	ClusterID               types.String `tfsdk:"cluster_id"`
	BackupName              types.String `tfsdk:"backup_name"`
	BackupRequestUID        types.String `tfsdk:"backup_request_uid"`
	DestinationClusterID    types.String `tfsdk:"destination_cluster_id"`
	Namespaces              types.List   `tfsdk:"namespaces"`
	IncludeClusterResources types.String `tfsdk:"include_cluster_resources"`
	Timeout                 types.String `tfsdk:"timeout"`
}

func (a *clusterRestoreAction) Metadata(_ context.Context, req action.MetadataRequest, resp *action.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_cluster_restore"
}

func (a *clusterRestoreAction) Schema(_ context.Context, _ action.SchemaRequest, resp *action.SchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "Restores a backup of an imported cluster (Palette's on-demand restore, " +
			"`…/features/restore/onDemand`) into it or into another Full Permission cluster, and waits until it ends, " +
			"reporting its progress. Objects that exist are left alone. Needs Terraform 1.14 or later: " +
			"`terraform apply -invoke=action.palette_cluster_restore.<name>`. Find a backup's request UID with the " +
			"`palette_cluster_backups` data source.",
		Attributes: map[string]schema.Attribute{
			"cluster_id": actionClusterID("whose backup is restored"),
			"backup_name": schema.StringAttribute{
				MarkdownDescription: "Name of the backup.",
				Required:            true,
				Validators:          []validator.String{backupNameRule},
			},
			"backup_request_uid": schema.StringAttribute{
				MarkdownDescription: "UID of the backup's request (`request_uid` of `palette_cluster_backups`).",
				Required:            true,
				Validators:          []validator.String{paletteUIDValidator()},
			},
			"destination_cluster_id": schema.StringAttribute{
				MarkdownDescription: "UID of the cluster to restore into (Full Permission); `cluster_id` when unset.",
				Optional:            true,
				Validators:          []validator.String{paletteUIDValidator()},
			},
			"namespaces":                actionNamespaces("Namespaces of the backup to restore"),
			"include_cluster_resources": actionIncludeClusterResources,
			"timeout":                   actionTimeout,
		},
	}
}

// ModifyPlan: the source cluster exists and the destination (the source
// when unset) has Full Permission.
func (a *clusterRestoreAction) ModifyPlan(ctx context.Context, req action.ModifyPlanRequest, resp *action.ModifyPlanResponse) {
	var dst types.String
	resp.Diagnostics.Append(req.Config.GetAttribute(ctx, path.Root("destination_cluster_id"), &dst)...)
	if dst.IsNull() {
		planActionCluster(ctx, a.data, req.Config, "cluster_id", featureBackupActions, &resp.Diagnostics)
		return
	}
	planActionCluster(ctx, a.data, req.Config, "destination_cluster_id", featureBackupActions, &resp.Diagnostics)
}

func (a *clusterRestoreAction) Invoke(ctx context.Context, req action.InvokeRequest, resp *action.InvokeResponse) {
	m, ok := getModel[clusterRestoreActionModel](ctx, req.Config, &resp.Diagnostics)
	if !ok {
		return
	}
	ctx, cancel := actionContext(ctx, m.Timeout)
	defer cancel()
	src, name := m.ClusterID.ValueString(), m.BackupName.ValueString()
	dst := src
	if known(m.DestinationClusterID) {
		dst = m.DestinationClusterID.ValueString()
	}
	const summary = "Error restoring backup"
	if !applyConfigCluster(ctx, a.data, dst, featureBackupActions, true, summary, &resp.Diagnostics) {
		return
	}
	var namespaces []string
	if !m.Namespaces.IsNull() {
		resp.Diagnostics.Append(m.Namespaces.ElementsAs(ctx, &namespaces, false)...)
	}
	mode := includeModes[m.IncludeClusterResources.ValueString()]
	rsUID, err := a.data.client.CreateClusterRestoreOnDemand(ctx, src, wire.ClusterRestoreConfig{
		BackupName: name, BackupRequestUID: m.BackupRequestUID.ValueString(), DestinationClusterUID: dst,
		IncludeNamespaces: namespaces, IncludeClusterResourceMode: mode, IncludeClusterResources: mode == wire.IncludeClusterResourcesAlways,
	})
	if err != nil {
		resp.Diagnostics.AddError(summary, fmt.Sprintf("Backup %q of cluster %s into cluster %s: %s", name, src, dst, err))
		return
	}
	progress(ctx, resp.SendProgress, fmt.Sprintf("restore of backup %q into cluster %s started (request %s)", name, dst, rsUID))
	var last string
	err = poll(ctx, "the restore to end", func() (bool, error) {
		r, err := a.data.client.GetClusterRestore(ctx, dst, rsUID)
		if err != nil {
			return false, err
		}
		for _, s := range r.Status.ClusterRestoreStatuses {
			if s.RestoreRequestUID != rsUID {
				continue
			}
			if s.State != last {
				last = s.State
				progress(ctx, resp.SendProgress, fmt.Sprintf("restore of backup %q: %s", name, last))
			}
			msg := ""
			if s.RestoreStatusMeta != nil {
				msg = s.RestoreStatusMeta.Msg
			}
			switch s.State {
			case wire.BackupStateCompleted:
				progress(ctx, resp.SendProgress, fmt.Sprintf("restore of backup %q completed: %s", name, msg))
				return true, nil
			case wire.BackupStateFailed:
				return false, fmt.Errorf("the restore failed: %s", msg)
			}
		}
		return false, nil
	})
	if err != nil {
		resp.Diagnostics.AddError(summary, fmt.Sprintf("Backup %q of cluster %s into cluster %s (request %s): %s", name, src, dst, rsUID, err))
	}
}
