package provider

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework-validators/int64validator"
	"github.com/hashicorp/terraform-plugin-framework-validators/setvalidator"
	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/booldefault"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringdefault"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"
	k8svalidation "k8s.io/apimachinery/pkg/util/validation"

	"github.com/terraform-palette/terraform-provider-palette/internal/palette"
	"github.com/terraform-palette/terraform-provider-palette/internal/wire"
)

var (
	_ resource.ResourceWithConfigure   = &clusterBackupPolicyResource{}
	_ resource.ResourceWithImportState = &clusterBackupPolicyResource{}
	_ resource.ResourceWithIdentity    = &clusterBackupPolicyResource{}
	_ resource.ResourceWithModifyPlan  = &clusterBackupPolicyResource{}
)

// featureBackups names backups in the cluster rules' diagnostics.
var featureBackups = clusterFeature{"Backups", "backups", "set the backup policy", "Backups can be scheduled"}

// NewClusterBackupPolicyResource returns the palette_cluster_backup_policy resource.
func NewClusterBackupPolicyResource() resource.Resource {
	return &clusterBackupPolicyResource{}
}

type clusterBackupPolicyResource struct {
	data *providerData
}

type clusterBackupPolicyResourceModel struct {
	ID                      types.String `tfsdk:"id"`
	ClusterID               types.String `tfsdk:"cluster_id"`
	LocationID              types.String `tfsdk:"location_id"`
	Schedule                types.String `tfsdk:"schedule"`
	ExpiryHours             types.Int64  `tfsdk:"expiry_hours"`
	Prefix                  types.String `tfsdk:"prefix"`
	Namespaces              types.Set    `tfsdk:"namespaces"`
	IncludeClusterResources types.String `tfsdk:"include_cluster_resources"`
	IncludeDisks            types.Bool   `tfsdk:"include_disks"`
}

func (r *clusterBackupPolicyResource) Metadata(_ context.Context, req resource.MetadataRequest, resp *resource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_cluster_backup_policy"
}

func (r *clusterBackupPolicyResource) Configure(_ context.Context, req resource.ConfigureRequest, resp *resource.ConfigureResponse) {
	if pd := providerDataFrom(req.ProviderData, &resp.Diagnostics, "Resource"); pd != nil {
		r.data = pd
	}
}

// includeModes maps include_cluster_resources to includeClusterResourceMode.
var includeModes = map[string]string{
	"always": wire.IncludeClusterResourcesAlways,
	"auto":   wire.IncludeClusterResourcesAuto,
	"never":  wire.IncludeClusterResourcesNever,
}

func (r *clusterBackupPolicyResource) Schema(_ context.Context, _ resource.SchemaRequest, resp *resource.SchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "The backup policy of an imported cluster (the cluster's **Backups → Settings**; " +
			"`/v1/spectroclusters/{uid}/features/backup` in Palette's API): a cron schedule, the backup location, how long " +
			"backups are kept, and what they take. Palette needs the cluster in Full Permission mode (a read-only import cannot " +
			"schedule backups). Each scheduled backup is named `<prefix>-<time>`; list them with the `palette_cluster_backups` " +
			"data source.\n\nImport with the cluster's UID, or an `import` block with `identity = { cluster_id }`.",
		Attributes: map[string]schema.Attribute{
			"id": schema.StringAttribute{
				MarkdownDescription: "The cluster's UID.",
				Computed:            true,
				PlanModifiers:       []planmodifier.String{stringplanmodifier.UseStateForUnknown()},
			},
			"cluster_id": schema.StringAttribute{
				MarkdownDescription: "UID of the imported cluster (Full Permission). Changing it replaces the policy.",
				Required:            true,
				Validators:          []validator.String{paletteUIDValidator()},
				PlanModifiers:       []planmodifier.String{stringplanmodifier.RequiresReplace()},
			},
			"location_id": schema.StringAttribute{
				MarkdownDescription: "UID of the backup location (`palette_backup_location.x.id`).",
				Required:            true,
				Validators:          []validator.String{paletteUIDValidator()},
			},
			"schedule": schema.StringAttribute{
				MarkdownDescription: "When backups are taken: a cron expression of five fields (minute hour day-of-month month " +
					"day-of-week, e.g. `0 2 * * *`) or a descriptor (`@daily`, `@every 6h`), in UTC.",
				Required:   true,
				Validators: []validator.String{cronRule},
			},
			"expiry_hours": schema.Int64Attribute{
				MarkdownDescription: "How long each backup is kept, in hours (Palette's `durationInHours`), at least 1.",
				Required:            true,
				Validators:          []validator.Int64{int64validator.AtLeast(1)},
			},
			"prefix": schema.StringAttribute{
				MarkdownDescription: "Prefix of the backups' names: a DNS-1123 label of at most 48 characters (the name adds " +
					"`-` and 14 digits of time).",
				Required:   true,
				Validators: []validator.String{backupPrefixRule},
			},
			"namespaces": schema.SetAttribute{
				MarkdownDescription: "Namespaces to back up (DNS-1123 labels); all of them when unset.",
				Optional:            true,
				ElementType:         types.StringType,
				Validators: []validator.Set{
					setvalidator.SizeAtLeast(1),
					setvalidator.ValueStringsAre(dns1123LabelValidator{}),
				},
			},
			"include_cluster_resources": schema.StringAttribute{
				MarkdownDescription: "Cluster-scoped objects to take: `auto` (the default: the persistent volumes of the " +
					"namespaces), `always` (all of them; such a backup restores only to its own cluster) or `never`.",
				Optional:   true,
				Computed:   true,
				Default:    stringdefault.StaticString("auto"),
				Validators: []validator.String{stringvalidator.OneOf("auto", "always", "never")},
			},
			"include_disks": schema.BoolAttribute{
				MarkdownDescription: "Back up the volumes' data too (Palette's `includeAllDisks`). Default `false`.",
				Optional:            true,
				Computed:            true,
				Default:             booldefault.StaticBool(false),
			},
		},
	}
}

// backupNameRule checks the name of a backup: a DNS-1123 label.
var backupNameRule = k8sRule("Invalid backup name", "DNS-1123 label", "must be a DNS-1123 label", k8svalidation.IsDNS1123Label)

// backupPrefixRule checks the prefix of scheduled backups' names.
var backupPrefixRule = stringRule{
	summary:     "Invalid backup prefix",
	description: "must be a DNS-1123 label of at most 48 characters",
	problem: func(s string) string {
		if errs := k8svalidation.IsDNS1123Label(s); len(errs) > 0 {
			return fmt.Sprintf("%q is not a DNS-1123 label: %s", s, strings.Join(errs, "; "))
		}
		if len(s) > 48 {
			return fmt.Sprintf("%q is %d characters: a backup's name adds 15 to it and may have 63", s, len(s))
		}
		return ""
	},
}

// ModifyPlan: the cluster exists and has Full Permission.
func (r *clusterBackupPolicyResource) ModifyPlan(ctx context.Context, req resource.ModifyPlanRequest, resp *resource.ModifyPlanResponse) {
	if req.Plan.Raw.IsNull() || r.data == nil {
		return
	}
	var cid types.String
	resp.Diagnostics.Append(req.Plan.GetAttribute(ctx, path.Root("cluster_id"), &cid)...)
	if !known(cid) {
		return
	}
	planConfigCluster(ctx, r.data, cid.ValueString(), featureBackups, req.State.Raw.IsNull(), &resp.Diagnostics)
}

// input is the policy as Palette takes it.
func (m *clusterBackupPolicyResourceModel) input(ctx context.Context) (wire.ClusterBackupConfig, error) {
	var namespaces []string
	if !m.Namespaces.IsNull() {
		if d := m.Namespaces.ElementsAs(ctx, &namespaces, false); d.HasError() {
			return wire.ClusterBackupConfig{}, errors.New("reading namespaces")
		}
	}
	mode := includeModes[m.IncludeClusterResources.ValueString()]
	return wire.ClusterBackupConfig{
		BackupLocationUID: m.LocationID.ValueString(), BackupPrefix: m.Prefix.ValueString(),
		DurationInHours: m.ExpiryHours.ValueInt64(), Namespaces: namespaces, IncludeAllDisks: m.IncludeDisks.ValueBool(),
		IncludeClusterResourceMode: mode, IncludeClusterResources: mode == wire.IncludeClusterResourcesAlways,
		Schedule: &wire.ClusterFeatureSchedule{ScheduledRunTime: m.Schedule.ValueString()},
	}, nil
}

// flatten sets the model from Palette's schedule.
func (m *clusterBackupPolicyResourceModel) flatten(cid string, c *wire.ClusterBackupConfig) {
	m.ID, m.ClusterID = types.StringValue(cid), types.StringValue(cid)
	m.LocationID, m.Prefix = types.StringValue(c.BackupLocationUID), types.StringValue(c.BackupPrefix)
	m.ExpiryHours, m.IncludeDisks = types.Int64Value(c.DurationInHours), types.BoolValue(c.IncludeAllDisks)
	if c.Schedule != nil {
		m.Schedule = types.StringValue(c.Schedule.ScheduledRunTime)
	}
	m.IncludeClusterResources = types.StringValue("auto")
	for k, v := range includeModes {
		if v == c.IncludeClusterResourceMode {
			m.IncludeClusterResources = types.StringValue(k)
		}
	}
	if len(c.Namespaces) == 0 {
		m.Namespaces = types.SetNull(types.StringType)
	} else {
		vals := make([]types.String, len(c.Namespaces))
		for i, ns := range c.Namespaces {
			vals[i] = types.StringValue(ns)
		}
		m.Namespaces, _ = types.SetValueFrom(context.Background(), types.StringType, vals)
	}
}

// findBackupPolicy reads a cluster's backup schedule; palette.ErrNotFound
// when it has none.
func findBackupPolicy(ctx context.Context, c *palette.Client, cid string) (*wire.ClusterBackupConfig, error) {
	b, err := c.GetClusterBackup(ctx, cid)
	if err != nil {
		return nil, err
	}
	if b.Spec == nil || b.Spec.Config == nil {
		return nil, fmt.Errorf("cluster %s has no backup schedule: %w", cid, palette.ErrNotFound)
	}
	return b.Spec.Config, nil
}

func (r *clusterBackupPolicyResource) Create(ctx context.Context, req resource.CreateRequest, resp *resource.CreateResponse) {
	plan, ok := getModel[clusterBackupPolicyResourceModel](ctx, req.Plan, &resp.Diagnostics)
	if !ok {
		return
	}
	cid := plan.ClusterID.ValueString()
	const summary = "Error setting backup policy"
	if !applyConfigCluster(ctx, r.data, cid, featureBackups, false, summary, &resp.Diagnostics) {
		return
	}
	in, err := plan.input(ctx)
	if err == nil {
		err = r.data.client.CreateClusterBackupSchedule(ctx, cid, in)
	}
	if err != nil {
		resp.Diagnostics.AddError(summary, fmt.Sprintf("Cluster %s: %s", cid, err))
		return
	}
	plan.ID = types.StringValue(cid)
	resp.Diagnostics.Append(resp.State.Set(ctx, &plan)...)
	setIdentity(ctx, resp.Identity, &resp.Diagnostics, map[string]string{"cluster_id": cid})
}

func (r *clusterBackupPolicyResource) Read(ctx context.Context, req resource.ReadRequest, resp *resource.ReadResponse) {
	state, ok := getModel[clusterBackupPolicyResourceModel](ctx, req.State, &resp.Diagnostics)
	if !ok {
		return
	}
	cid := state.ClusterID.ValueString()
	setIdentity(ctx, resp.Identity, &resp.Diagnostics, map[string]string{"cluster_id": cid})
	c, err := findBackupPolicy(ctx, r.data.client, cid)
	if errors.Is(err, palette.ErrNotFound) {
		resp.Diagnostics.AddWarning("Backup policy is gone",
			fmt.Sprintf("Cluster %s has no backup policy in Palette (%s): it is removed from the state, and the next apply sets it again.", cid, err))
		resp.State.RemoveResource(ctx)
		return
	}
	if err != nil {
		resp.Diagnostics.AddError("Error reading backup policy", fmt.Sprintf("Cluster %s: %s", cid, err))
		return
	}
	prior := state
	state.flatten(cid, c)
	resp.Diagnostics.Append(setIfChanged(ctx, &resp.State, &prior, &state)...)
}

func (r *clusterBackupPolicyResource) Update(ctx context.Context, req resource.UpdateRequest, resp *resource.UpdateResponse) {
	plan, ok := getModel[clusterBackupPolicyResourceModel](ctx, req.Plan, &resp.Diagnostics)
	if !ok {
		return
	}
	cid := plan.ClusterID.ValueString()
	const summary = "Error updating backup policy"
	if !applyConfigCluster(ctx, r.data, cid, featureBackups, false, summary, &resp.Diagnostics) {
		return
	}
	in, err := plan.input(ctx)
	if err == nil {
		err = r.data.client.UpdateClusterBackupSchedule(ctx, cid, in)
	}
	if err != nil {
		resp.Diagnostics.AddError(summary, fmt.Sprintf("Cluster %s: %s", cid, err))
		return // the state keeps the policy Palette had
	}
	plan.ID = types.StringValue(cid)
	resp.Diagnostics.Append(resp.State.Set(ctx, &plan)...)
}

func (r *clusterBackupPolicyResource) Delete(ctx context.Context, req resource.DeleteRequest, resp *resource.DeleteResponse) {
	state, ok := getModel[clusterBackupPolicyResourceModel](ctx, req.State, &resp.Diagnostics)
	if !ok {
		return
	}
	cid := state.ClusterID.ValueString()
	if err := r.data.client.DeleteClusterBackupSchedule(ctx, cid); err != nil && !errors.Is(err, palette.ErrNotFound) {
		resp.Diagnostics.AddError("Error removing backup policy", fmt.Sprintf("Cluster %s: %s", cid, err))
	}
}

// ImportState takes the cluster's UID or the identity { cluster_id }.
func (r *clusterBackupPolicyResource) ImportState(ctx context.Context, req resource.ImportStateRequest, resp *resource.ImportStateResponse) {
	cid := req.ID
	if cid == "" {
		cid = identityString(ctx, req.Identity, "cluster_id", &resp.Diagnostics)
	}
	if resp.Diagnostics.HasError() {
		return
	}
	if !uidRegexp.MatchString(cid) {
		resp.Diagnostics.AddError("Invalid import ID", fmt.Sprintf("%q is not a cluster UID (24 hexadecimal digits).", cid))
		return
	}
	resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("id"), cid)...)
	resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("cluster_id"), cid)...)
}

func (r *clusterBackupPolicyResource) IdentitySchema(_ context.Context, _ resource.IdentitySchemaRequest, resp *resource.IdentitySchemaResponse) {
	resp.IdentitySchema = identitySchema(map[string]string{"cluster_id": "UID of the imported cluster."})
}
