package provider

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/hashicorp/terraform-plugin-framework-validators/int64validator"
	"github.com/hashicorp/terraform-plugin-framework-validators/listvalidator"
	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/action"
	"github.com/hashicorp/terraform-plugin-framework/action/schema"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/terraform-palette/terraform-provider-palette/internal/wire"
)

var (
	_ action.ActionWithConfigure  = &clusterBackupAction{}
	_ action.ActionWithModifyPlan = &clusterBackupAction{}
)

// featureBackupActions names on-demand backups and restores in the
// cluster rules' diagnostics.
var featureBackupActions = clusterFeature{"Backups", "backups and restores", "invoke the action again", "Backups and restores can run"}

// defaultActionTimeout bounds an on-demand backup or restore.
const defaultActionTimeout = 10 * time.Minute

// NewClusterBackupAction returns the palette_cluster_backup action.
func NewClusterBackupAction() action.Action {
	return &clusterBackupAction{}
}

type clusterBackupAction struct {
	actionBase
}

// actionBase is what every action of the provider has: the provider's data.
type actionBase struct {
	data *providerData
}

// Configure takes the provider's data.
func (a *actionBase) Configure(_ context.Context, req action.ConfigureRequest, resp *action.ConfigureResponse) {
	if pd := providerDataFrom(req.ProviderData, &resp.Diagnostics, "Action"); pd != nil {
		a.data = pd
	}
}

type clusterBackupActionModel struct {
	ClusterID               types.String `tfsdk:"cluster_id"`
	LocationID              types.String `tfsdk:"location_id"`
	BackupName              types.String `tfsdk:"backup_name"`
	ExpiryHours             types.Int64  `tfsdk:"expiry_hours"`
	Namespaces              types.List   `tfsdk:"namespaces"`
	IncludeClusterResources types.String `tfsdk:"include_cluster_resources"`
	IncludeDisks            types.Bool   `tfsdk:"include_disks"`
	Timeout                 types.String `tfsdk:"timeout"`
}

func (a *clusterBackupAction) Metadata(_ context.Context, req action.MetadataRequest, resp *action.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_cluster_backup"
}

// actionClusterID is the cluster_id attribute of the actions.
func actionClusterID(what string) schema.StringAttribute {
	return schema.StringAttribute{
		MarkdownDescription: "UID of the imported cluster " + what + " (Full Permission).",
		Required:            true,
		Validators:          []validator.String{paletteUIDValidator()},
	}
}

// actionNamespaces is the namespaces attribute of the backup actions.
func actionNamespaces(what string) schema.ListAttribute {
	return schema.ListAttribute{
		MarkdownDescription: what + " (DNS-1123 labels); all of them when unset.",
		Optional:            true,
		ElementType:         types.StringType,
		Validators: []validator.List{
			listvalidator.SizeAtLeast(1), listvalidator.UniqueValues(),
			listvalidator.ValueStringsAre(dns1123LabelValidator{}),
		},
	}
}

// actionTimeout is the timeout attribute of the actions.
var actionTimeout = schema.StringAttribute{
	MarkdownDescription: "How long to wait for the end, as a Go duration (`30m`). Default `10m`.",
	Optional:            true,
	Validators:          []validator.String{durationValidator{}},
}

// actionIncludeClusterResources is the include_cluster_resources attribute of the actions.
var actionIncludeClusterResources = schema.StringAttribute{
	MarkdownDescription: "Cluster-scoped objects to take: `auto` (the default), `always` or `never`.",
	Optional:            true,
	Validators:          []validator.String{stringvalidator.OneOf("auto", "always", "never")},
}

func (a *clusterBackupAction) Schema(_ context.Context, _ action.SchemaRequest, resp *action.SchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "Takes a backup of an imported cluster now (Palette's on-demand backup, " +
			"`…/features/backup/onDemand`) and waits until it is completed, reporting its progress. Needs Terraform 1.14 or " +
			"later: `terraform apply -invoke=action.palette_cluster_backup.<name>`, or an `action_trigger` of a resource's " +
			"lifecycle. The cluster must be in Full Permission mode and Running.",
		Attributes: map[string]schema.Attribute{
			"cluster_id": actionClusterID("to back up"),
			"location_id": schema.StringAttribute{
				MarkdownDescription: "UID of the backup location (`palette_backup_location.x.id`).",
				Required:            true,
				Validators:          []validator.String{paletteUIDValidator()},
			},
			"backup_name": schema.StringAttribute{
				MarkdownDescription: "Name of the backup: a DNS-1123 label, unique among the cluster's backups.",
				Required:            true,
				Validators:          []validator.String{backupNameRule},
			},
			"expiry_hours": schema.Int64Attribute{
				MarkdownDescription: "How long the backup is kept, in hours, at least 1.",
				Required:            true,
				Validators:          []validator.Int64{int64validator.AtLeast(1)},
			},
			"namespaces":                actionNamespaces("Namespaces to back up"),
			"include_cluster_resources": actionIncludeClusterResources,
			"include_disks": schema.BoolAttribute{
				MarkdownDescription: "Back up the volumes' data too. Default `false`.",
				Optional:            true,
			},
			"timeout": actionTimeout,
		},
	}
}

// planActionCluster checks at plan time that the cluster at attr exists
// and has Full Permission.
func planActionCluster(ctx context.Context, pd *providerData, cfg tfsdk.Config, attr string, feature clusterFeature, diags *diag.Diagnostics) {
	if pd == nil {
		return
	}
	var cid types.String
	diags.Append(cfg.GetAttribute(ctx, path.Root(attr), &cid)...)
	if !known(cid) {
		return
	}
	v, err := planClusterRule(ctx, pd, cid.ValueString(), feature)
	switch {
	case err != nil:
		diags.AddAttributeError(path.Root(attr), "Error reading imported cluster", fmt.Sprintf("%s: cluster %s: %s", attr, cid.ValueString(), err))
	case v != nil:
		// Terraform shows an action's diagnostics on its config block:
		// the detail names the attribute.
		diags.AddAttributeError(path.Root(attr), v.summary, attr+": "+v.detail)
	}
}

func (a *clusterBackupAction) ModifyPlan(ctx context.Context, req action.ModifyPlanRequest, resp *action.ModifyPlanResponse) {
	planActionCluster(ctx, a.data, req.Config, "cluster_id", featureBackupActions, &resp.Diagnostics)
}

// actionContext bounds an action by its timeout attribute.
func actionContext(ctx context.Context, timeout types.String) (context.Context, context.CancelFunc) {
	d := defaultActionTimeout
	if known(timeout) {
		if v, err := time.ParseDuration(timeout.ValueString()); err == nil && v > 0 {
			d = v
		}
	}
	return context.WithTimeout(ctx, d)
}

func (a *clusterBackupAction) Invoke(ctx context.Context, req action.InvokeRequest, resp *action.InvokeResponse) {
	m, ok := getModel[clusterBackupActionModel](ctx, req.Config, &resp.Diagnostics)
	if !ok {
		return
	}
	ctx, cancel := actionContext(ctx, m.Timeout)
	defer cancel()
	cid, name := m.ClusterID.ValueString(), m.BackupName.ValueString()
	const summary = "Error backing up cluster"
	if !applyConfigCluster(ctx, a.data, cid, featureBackupActions, true, summary, &resp.Diagnostics) {
		return
	}
	var namespaces []string
	if !m.Namespaces.IsNull() {
		resp.Diagnostics.Append(m.Namespaces.ElementsAs(ctx, &namespaces, false)...)
	}
	mode := includeModes[m.IncludeClusterResources.ValueString()]
	reqUID, err := a.data.client.CreateClusterBackupOnDemand(ctx, cid, wire.ClusterBackupConfig{
		BackupName: name, BackupLocationUID: m.LocationID.ValueString(), DurationInHours: m.ExpiryHours.ValueInt64(),
		Namespaces: namespaces, IncludeClusterResourceMode: mode, IncludeClusterResources: mode == wire.IncludeClusterResourcesAlways,
		IncludeAllDisks: m.IncludeDisks.ValueBool(),
	})
	if err != nil {
		resp.Diagnostics.AddError(summary, fmt.Sprintf("Backup %q of cluster %s: %s", name, cid, err))
		return
	}
	progress(ctx, resp.SendProgress, fmt.Sprintf("backup %q of cluster %s started (request %s)", name, cid, reqUID))
	st, err := waitClusterBackupDone(ctx, a.data, cid, reqUID, func(state string) {
		progress(ctx, resp.SendProgress, fmt.Sprintf("backup %q: %s", name, state))
	})
	if err != nil {
		resp.Diagnostics.AddError(summary, fmt.Sprintf("Backup %q (request %s) of cluster %s: %s", name, reqUID, cid, err))
		return
	}
	progress(ctx, resp.SendProgress, fmt.Sprintf("backup %q completed: %s (request %s)", name, st.Msg, reqUID))
}

// progress sends an action's progress (shown by the CLI) and logs it at
// INFO.
func progress(ctx context.Context, send func(action.InvokeProgressEvent), msg string) {
	tflog.Info(ctx, msg)
	if send != nil {
		send(action.InvokeProgressEvent{Message: msg})
	}
}

// waitClusterBackupDone waits until a backup request ends; an error when it
// failed. changed is told each new state.
func waitClusterBackupDone(ctx context.Context, pd *providerData, cid, reqUID string, changed func(string)) (*wire.BackupState, error) {
	var (
		last  string
		state *wire.BackupState
	)
	err := poll(ctx, "the backup to complete", func() (bool, error) {
		b, err := pd.client.GetClusterBackup(ctx, cid)
		if err != nil {
			return false, err
		}
		for _, s := range b.Status.ClusterBackupStatuses {
			if s.BackupRequestUID != reqUID || len(s.BackupStatusMeta) == 0 || s.BackupStatusMeta[0].BackupState == nil {
				continue
			}
			state = s.BackupStatusMeta[0].BackupState
			if state.State != last {
				last = state.State
				changed(last)
			}
			switch state.State {
			case wire.BackupStateCompleted:
				return true, nil
			case wire.BackupStateFailed:
				return false, fmt.Errorf("the backup failed: %s", state.Msg)
			}
			return false, nil
		}
		return false, errors.New("the backup request is not listed")
	})
	return state, err
}
