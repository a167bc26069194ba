package provider

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/terraform-palette/terraform-provider-palette/internal/palette"
	"github.com/terraform-palette/terraform-provider-palette/internal/wire"
)

var _ datasource.DataSourceWithConfigure = &clusterComplianceScanReportDataSource{}

// NewClusterComplianceScanReportDataSource returns the
// palette_cluster_compliance_scan_report data source.
func NewClusterComplianceScanReportDataSource() datasource.DataSource {
	return &clusterComplianceScanReportDataSource{}
}

type clusterComplianceScanReportDataSource struct {
	data *providerData
}

type scanReportModel struct {
	ClusterID  types.String    `tfsdk:"cluster_id"`
	KubeBench  *kubeBenchRunTF `tfsdk:"kube_bench"`
	KubeHunter *scanRunTF      `tfsdk:"kube_hunter"`
	Sonobuoy   *scanRunTF      `tfsdk:"sonobuoy"`
	Syft       *scanRunTF      `tfsdk:"syft"`
}

type scanRunTF struct {
	RunID      types.String `tfsdk:"run_id"`
	RequestUID types.String `tfsdk:"request_uid"`
	Actor      types.String `tfsdk:"actor"`
	State      types.String `tfsdk:"state"`
	Message    types.String `tfsdk:"message"`
	StartTime  types.String `tfsdk:"start_time"`
	EndTime    types.String `tfsdk:"end_time"`
}

type failedCheckTF struct {
	Target      types.String `tfsdk:"target"`
	ID          types.String `tfsdk:"id"`
	Description types.String `tfsdk:"description"`
	Remediation types.String `tfsdk:"remediation"`
}

type kubeBenchRunTF struct {
	scanRunTF
	Pass         types.Int64     `tfsdk:"pass"`
	Fail         types.Int64     `tfsdk:"fail"`
	Warn         types.Int64     `tfsdk:"warn"`
	Info         types.Int64     `tfsdk:"info"`
	FailedChecks []failedCheckTF `tfsdk:"failed_checks"`
}

func (d *clusterComplianceScanReportDataSource) Metadata(_ context.Context, req datasource.MetadataRequest, resp *datasource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_cluster_compliance_scan_report"
}

func (d *clusterComplianceScanReportDataSource) Configure(_ context.Context, req datasource.ConfigureRequest, resp *datasource.ConfigureResponse) {
	if pd := providerDataFrom(req.ProviderData, &resp.Diagnostics, "Data Source"); pd != nil {
		d.data = pd
	}
}

func runAttributes() map[string]schema.Attribute {
	s := func(desc string) schema.StringAttribute {
		return schema.StringAttribute{MarkdownDescription: desc, Computed: true}
	}
	return map[string]schema.Attribute{
		"run_id":      s("UID of the run (its log in Palette)."),
		"request_uid": s("UID of the scan request the run belongs to (an on-demand scan's, or the scheduler's)."),
		"actor":       s("Who started it: `user` (on demand) or `schedule`."),
		"state":       s("`Initiated`, `InProgress`, `Completed` or `Failed`."),
		"message":     s("The agent's summary, or why the run failed (a driver the cluster cannot run is `unavailable: <reason>`)."),
		"start_time":  s("When the run started (RFC 3339); null until it does."),
		"end_time":    s("When the run ended (RFC 3339); null until it does."),
	}
}

func (d *clusterComplianceScanReportDataSource) Schema(_ context.Context, _ datasource.SchemaRequest, resp *datasource.SchemaResponse) {
	kb := runAttributes()
	n := func(desc string) schema.Int64Attribute {
		return schema.Int64Attribute{MarkdownDescription: desc, Computed: true}
	}
	kb["pass"], kb["fail"], kb["warn"], kb["info"] = n("Checks passed."), n("Checks failed."), n("Checks to review by hand (warnings)."), n("Informational checks.")
	kb["failed_checks"] = schema.ListNestedAttribute{
		MarkdownDescription: "The failing checks, by target and ID.",
		Computed:            true,
		NestedObject: schema.NestedAttributeObject{Attributes: map[string]schema.Attribute{
			"target":      schema.StringAttribute{MarkdownDescription: "The benchmark's target: `master`, `etcd`, `controlplane`, ….", Computed: true},
			"id":          schema.StringAttribute{MarkdownDescription: "The check's ID in the CIS benchmark, e.g. `1.2.15`.", Computed: true},
			"description": schema.StringAttribute{MarkdownDescription: "What the check wants.", Computed: true},
			"remediation": schema.StringAttribute{MarkdownDescription: "How to fix it.", Computed: true},
		}},
	}
	other := func(tool string) schema.SingleNestedAttribute {
		return schema.SingleNestedAttribute{
			MarkdownDescription: "The latest " + tool + " run; null when it never ran.",
			Computed:            true,
			Attributes:          runAttributes(),
		}
	}
	resp.Schema = schema.Schema{
		MarkdownDescription: "The latest compliance scan run of each driver of an imported cluster " +
			"(`…/features/complianceScan/logs` in Palette's API): when it ran, its state, and for kube-bench the counts of " +
			"passed, failed and warning checks and the failing checks with their remediation — for a `check` block that asserts " +
			"no CIS failures.",
		Attributes: map[string]schema.Attribute{
			"cluster_id": schema.StringAttribute{
				MarkdownDescription: "UID of the imported cluster.",
				Required:            true,
				Validators:          []validator.String{paletteUIDValidator()},
			},
			"kube_bench": schema.SingleNestedAttribute{
				MarkdownDescription: "The latest kube-bench (CIS Kubernetes Benchmark) run; null when it never ran.",
				Computed:            true,
				Attributes:          kb,
			},
			"kube_hunter": other("kube-hunter"),
			"sonobuoy":    other("Sonobuoy"),
			"syft":        other("syft"),
		},
	}
}

func timeString(t *time.Time) types.String {
	if t == nil {
		return types.StringNull()
	}
	return types.StringValue(t.UTC().Format(time.RFC3339))
}

func runTF(r scanRun) scanRunTF {
	return scanRunTF{
		RunID: types.StringValue(r.UID), RequestUID: types.StringValue(r.RequestUID), Actor: types.StringValue(r.Actor),
		State: types.StringValue(r.State), Message: types.StringValue(r.Message), StartTime: timeString(r.Start), EndTime: timeString(r.End),
	}
}

func (d *clusterComplianceScanReportDataSource) Read(ctx context.Context, req datasource.ReadRequest, resp *datasource.ReadResponse) {
	var m scanReportModel
	resp.Diagnostics.Append(req.Config.GetAttribute(ctx, path.Root("cluster_id"), &m.ClusterID)...)
	if resp.Diagnostics.HasError() {
		return
	}
	cid := m.ClusterID.ValueString()
	const summary = "Error reading compliance scan reports"
	logs, err := d.data.client.GetComplianceScanLogs(ctx, cid)
	if errors.Is(err, palette.ErrNotFound) {
		resp.Diagnostics.AddAttributeError(path.Root("cluster_id"), "Imported cluster not found",
			fmt.Sprintf("Palette has no cluster %s in this project (or it is deleted).", cid))
		return
	}
	if err != nil {
		resp.Diagnostics.AddError(summary, fmt.Sprintf("Cluster %s: %s", cid, err))
		return
	}
	latest := latestScanRuns(logs)
	for driver, dst := range map[string]**scanRunTF{wire.DriverKubeHunter: &m.KubeHunter, wire.DriverSonobuoy: &m.Sonobuoy, wire.DriverSyft: &m.Syft} {
		if r, ok := latest[driver]; ok {
			v := runTF(r)
			*dst = &v
		}
	}
	if r, ok := latest[wire.DriverKubeBench]; ok {
		kb, err := d.data.client.GetKubeBenchLog(ctx, cid, r.UID)
		if err != nil {
			resp.Diagnostics.AddError(summary, fmt.Sprintf("Reading the kube-bench run %s of cluster %s: %s", r.UID, cid, err))
			return
		}
		out := kubeBenchRunTF{scanRunTF: runTF(r), FailedChecks: []failedCheckTF{}}
		var pass, fail, warn, info int64
		for _, rep := range kb.Status.Reports {
			pass, fail, warn, info = pass+int64(rep.Pass), fail+int64(rep.Fail), warn+int64(rep.Warn), info+int64(rep.Info)
		}
		out.Pass, out.Fail, out.Warn, out.Info = types.Int64Value(pass), types.Int64Value(fail), types.Int64Value(warn), types.Int64Value(info)
		for _, c := range failingChecks(kb) {
			out.FailedChecks = append(out.FailedChecks, failedCheckTF{Target: types.StringValue(c.Target), ID: types.StringValue(c.ID),
				Description: types.StringValue(c.Description), Remediation: types.StringValue(c.Remediation)})
		}
		m.KubeBench = &out
	}
	resp.Diagnostics.Append(resp.State.Set(ctx, &m)...)
}
