package provider

import (
	"context"
	"errors"
	"fmt"

	"github.com/hashicorp/terraform-plugin-framework-validators/resourcevalidator"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/terraform-palette/terraform-provider-palette/internal/palette"
	"github.com/terraform-palette/terraform-provider-palette/internal/wire"
)

var (
	_ resource.ResourceWithConfigure        = &clusterComplianceScanScheduleResource{}
	_ resource.ResourceWithImportState      = &clusterComplianceScanScheduleResource{}
	_ resource.ResourceWithModifyPlan       = &clusterComplianceScanScheduleResource{}
	_ resource.ResourceWithConfigValidators = &clusterComplianceScanScheduleResource{}
	_ resource.ResourceWithIdentity         = &clusterComplianceScanScheduleResource{}
)

// featureScans names compliance scans in the cluster rules' diagnostics.
var featureScans = clusterFeature{"Compliance scans", "compliance scans", "schedule or run the scans", "Scans can be scheduled"}

// NewClusterComplianceScanScheduleResource returns the
// palette_cluster_compliance_scan_schedule resource.
func NewClusterComplianceScanScheduleResource() resource.Resource {
	return &clusterComplianceScanScheduleResource{}
}

type clusterComplianceScanScheduleResource struct {
	data *providerData
}

type clusterComplianceScanScheduleModel struct {
	ID         types.String `tfsdk:"id"`
	ClusterID  types.String `tfsdk:"cluster_id"`
	KubeBench  types.String `tfsdk:"kube_bench"`
	KubeHunter types.String `tfsdk:"kube_hunter"`
	Sonobuoy   types.String `tfsdk:"sonobuoy"`
}

func (r *clusterComplianceScanScheduleResource) Metadata(_ context.Context, req resource.MetadataRequest, resp *resource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_cluster_compliance_scan_schedule"
}

func (r *clusterComplianceScanScheduleResource) Configure(_ context.Context, req resource.ConfigureRequest, resp *resource.ConfigureResponse) {
	if pd := providerDataFrom(req.ProviderData, &resp.Diagnostics, "Resource"); pd != nil {
		r.data = pd
	}
}

func (r *clusterComplianceScanScheduleResource) Schema(_ context.Context, _ resource.SchemaRequest, resp *resource.SchemaResponse) {
	cronAttr := func(tool string) schema.StringAttribute {
		return schema.StringAttribute{
			MarkdownDescription: "When " + tool + " runs: a standard cron expression of five fields (minute hour day-of-month " +
				"month day-of-week), e.g. `\"0 3 * * 0\"` for Sundays at 03:00. Unset: " + tool + " is not scheduled.",
			Optional:   true,
			Validators: []validator.String{cronRule},
		}
	}
	resp.Schema = schema.Schema{
		MarkdownDescription: "The compliance scan schedule of an imported cluster: when Palette's agent runs each scan driver " +
			"(the cluster's **Settings → Scan Policies**; `…/features/complianceScan` in Palette's API). The cluster must be " +
			"imported in Full Permission mode. Destroying the resource removes the schedule (scan reports stay).\n\n" +
			"Run a scan now with the `palette_cluster_compliance_scan` action, and read the reports with the " +
			"`palette_cluster_compliance_scan_report` data source.\n\n" +
			"Import with the cluster's UID, or (Terraform 1.12 or later) an `import` block with `identity = { cluster_id }`.",
		Attributes: map[string]schema.Attribute{
			"id": schema.StringAttribute{
				MarkdownDescription: "The cluster's UID.",
				Computed:            true,
				PlanModifiers:       []planmodifier.String{stringplanmodifier.UseStateForUnknown()},
			},
			"cluster_id": schema.StringAttribute{
				MarkdownDescription: "UID of the imported cluster (e.g. `palette_imported_cluster.x.id`). Changing it replaces the schedule.",
				Required:            true,
				Validators:          []validator.String{paletteUIDValidator()},
				PlanModifiers:       []planmodifier.String{stringplanmodifier.RequiresReplace()},
			},
			"kube_bench":  cronAttr("kube-bench (the CIS Kubernetes Benchmark)"),
			"kube_hunter": cronAttr("kube-hunter (penetration tests)"),
			"sonobuoy":    cronAttr("Sonobuoy (conformance tests)"),
		},
	}
}

func (r *clusterComplianceScanScheduleResource) ConfigValidators(context.Context) []resource.ConfigValidator {
	return []resource.ConfigValidator{
		resourcevalidator.AtLeastOneOf(path.MatchRoot("kube_bench"), path.MatchRoot("kube_hunter"), path.MatchRoot("sonobuoy")),
	}
}

func (r *clusterComplianceScanScheduleResource) IdentitySchema(_ context.Context, _ resource.IdentitySchemaRequest, resp *resource.IdentitySchemaResponse) {
	resp.IdentitySchema = identitySchema(map[string]string{"cluster_id": "UID of the imported cluster."})
}

// ImportState takes the cluster's UID, or the identity { cluster_id }.
func (r *clusterComplianceScanScheduleResource) ImportState(ctx context.Context, req resource.ImportStateRequest, resp *resource.ImportStateResponse) {
	id := req.ID
	if id == "" {
		id = identityString(ctx, req.Identity, "cluster_id", &resp.Diagnostics)
		if resp.Diagnostics.HasError() {
			return
		}
	}
	if !uidRegexp.MatchString(id) {
		resp.Diagnostics.AddError("Invalid import ID", fmt.Sprintf("%q is not a cluster UID (24 hexadecimal digits).", id))
		return
	}
	resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("id"), id)...)
	resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("cluster_id"), id)...)
	setIdentity(ctx, resp.Identity, &resp.Diagnostics, map[string]string{"cluster_id": id})
}

// ModifyPlan checks the cluster when it is known at plan time: it exists
// and was imported in Full Permission mode.
func (r *clusterComplianceScanScheduleResource) ModifyPlan(ctx context.Context, req resource.ModifyPlanRequest, resp *resource.ModifyPlanResponse) {
	if req.Plan.Raw.IsNull() || r.data == nil {
		return
	}
	if !req.State.Raw.IsNull() && sameArguments(ctx, req, []string{"cluster_id", "kube_bench", "kube_hunter", "sonobuoy"}) {
		return
	}
	var cid types.String
	resp.Diagnostics.Append(req.Plan.GetAttribute(ctx, path.Root("cluster_id"), &cid)...)
	if cid.IsUnknown() || cid.IsNull() || resp.Diagnostics.HasError() {
		return
	}
	planConfigCluster(ctx, r.data, cid.ValueString(), featureScans, req.State.Raw.IsNull(), &resp.Diagnostics)
}

// expand is the schedule as Palette takes it.
func (m clusterComplianceScanScheduleModel) expand() wire.ClusterComplianceScheduleConfig {
	at := func(v types.String) *wire.ClusterComplianceScanDriverScheduleConfig {
		if v.IsNull() || v.IsUnknown() {
			return nil
		}
		return &wire.ClusterComplianceScanDriverScheduleConfig{Schedule: &wire.ClusterFeatureSchedule{ScheduledRunTime: v.ValueString()}}
	}
	return wire.ClusterComplianceScheduleConfig{KubeBench: at(m.KubeBench), KubeHunter: at(m.KubeHunter), Sonobuoy: at(m.Sonobuoy)}
}

// flatten sets the model's crons from Palette's schedule.
func (m *clusterComplianceScanScheduleModel) flatten(scan *wire.ClusterComplianceScan) {
	get := func(driver string) types.String {
		d, ok := scan.Spec.DriverSpec[driver]
		if !ok || d.Config == nil || d.Config.Schedule == nil || d.Config.Schedule.ScheduledRunTime == "" {
			return types.StringNull()
		}
		return types.StringValue(d.Config.Schedule.ScheduledRunTime)
	}
	m.KubeBench, m.KubeHunter, m.Sonobuoy = get(wire.DriverKubeBench), get(wire.DriverKubeHunter), get(wire.DriverSonobuoy)
}

// read reads the schedule into m; false when the cluster has none.
func (r *clusterComplianceScanScheduleResource) read(ctx context.Context, m *clusterComplianceScanScheduleModel, diags *diag.Diagnostics) bool {
	scan, err := r.data.client.GetComplianceScan(ctx, m.ClusterID.ValueString())
	if errors.Is(err, palette.ErrNotFound) {
		return false
	}
	if err != nil {
		diags.AddError("Error reading compliance scan schedule", fmt.Sprintf("Cluster %s: %s", m.ClusterID.ValueString(), err))
		return false
	}
	m.flatten(scan)
	m.ID = m.ClusterID
	return len(scan.Spec.DriverSpec) > 0
}

func (r *clusterComplianceScanScheduleResource) Create(ctx context.Context, req resource.CreateRequest, resp *resource.CreateResponse) {
	r.write(ctx, req.Plan, &resp.State, resp.Identity, &resp.Diagnostics, true)
}

// write sets the planned schedule (POST when creating, else PUT), then
// reads it back into the state.
func (r *clusterComplianceScanScheduleResource) write(ctx context.Context, planned tfsdk.Plan, state *tfsdk.State,
	identity *tfsdk.ResourceIdentity, diags *diag.Diagnostics, create bool) {
	var plan clusterComplianceScanScheduleModel
	diags.Append(planned.Get(ctx, &plan)...)
	if diags.HasError() {
		return
	}
	cid := plan.ClusterID.ValueString()
	summary := "Error updating compliance scan schedule"
	if create {
		summary = "Error creating compliance scan schedule"
	}
	if !applyConfigCluster(ctx, r.data, cid, featureScans, false, summary, diags) {
		return
	}
	var err error
	if create {
		err = r.data.client.CreateComplianceScan(ctx, cid, plan.expand())
	} else {
		err = r.data.client.UpdateComplianceScan(ctx, cid, plan.expand())
	}
	if create && errors.Is(err, palette.ErrConflict) {
		diags.AddAttributeError(path.Root("cluster_id"), "Compliance scan schedule already exists",
			fmt.Sprintf("Cluster %s has a compliance scan schedule already, made outside this resource. Bring it under this "+
				"resource with `terraform import` of the ID %q (or an import block).", cid, cid))
		return
	}
	if err != nil {
		diags.AddError(summary, fmt.Sprintf("Cluster %s: %s", cid, err))
		return
	}
	plan.ID = plan.ClusterID
	if !r.read(ctx, &plan, diags) && !diags.HasError() {
		diags.AddError(summary, fmt.Sprintf("Cluster %s shows no schedule after it was set.", cid))
	}
	if diags.HasError() {
		return
	}
	diags.Append(state.Set(ctx, plan)...)
	setIdentity(ctx, identity, diags, map[string]string{"cluster_id": cid})
}

func (r *clusterComplianceScanScheduleResource) Read(ctx context.Context, req resource.ReadRequest, resp *resource.ReadResponse) {
	var state clusterComplianceScanScheduleModel
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	if !r.read(ctx, &state, &resp.Diagnostics) {
		if !resp.Diagnostics.HasError() {
			resp.Diagnostics.AddWarning("Compliance scan schedule not found",
				fmt.Sprintf("Cluster %s has no compliance scan schedule (or the cluster is gone); it is removed from the state.", state.ClusterID.ValueString()))
			resp.State.RemoveResource(ctx)
		}
		return
	}
	resp.Diagnostics.Append(resp.State.Set(ctx, state)...)
	setIdentity(ctx, resp.Identity, &resp.Diagnostics, map[string]string{"cluster_id": state.ClusterID.ValueString()})
}

func (r *clusterComplianceScanScheduleResource) Update(ctx context.Context, req resource.UpdateRequest, resp *resource.UpdateResponse) {
	r.write(ctx, req.Plan, &resp.State, resp.Identity, &resp.Diagnostics, false)
}

// Delete removes the schedule: a PUT that schedules nothing (the API has
// no DELETE for it).
func (r *clusterComplianceScanScheduleResource) Delete(ctx context.Context, req resource.DeleteRequest, resp *resource.DeleteResponse) {
	var state clusterComplianceScanScheduleModel
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	err := r.data.client.UpdateComplianceScan(ctx, state.ClusterID.ValueString(), wire.ClusterComplianceScheduleConfig{})
	if err != nil && !errors.Is(err, palette.ErrNotFound) {
		resp.Diagnostics.AddError("Error deleting compliance scan schedule", fmt.Sprintf("Cluster %s: %s", state.ClusterID.ValueString(), err))
	}
}
