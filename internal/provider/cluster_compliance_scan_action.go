package provider

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework-validators/setvalidator"
	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/action"
	"github.com/hashicorp/terraform-plugin-framework/action/schema"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/terraform-palette/terraform-provider-palette/internal/wire"
)

var (
	_ action.ActionWithConfigure  = &clusterComplianceScanAction{}
	_ action.ActionWithModifyPlan = &clusterComplianceScanAction{}
)

// NewClusterComplianceScanAction returns the palette_cluster_compliance_scan action.
func NewClusterComplianceScanAction() action.Action {
	return &clusterComplianceScanAction{}
}

type clusterComplianceScanAction struct {
	actionBase
}

type clusterComplianceScanActionModel struct {
	ClusterID         types.String `tfsdk:"cluster_id"`
	Drivers           types.Set    `tfsdk:"drivers"`
	SyftFormat        types.String `tfsdk:"syft_format"`
	SyftScope         types.String `tfsdk:"syft_scope"`
	SyftNamespace     types.String `tfsdk:"syft_namespace"`
	SyftLabelSelector types.String `tfsdk:"syft_label_selector"`
	SyftPodName       types.String `tfsdk:"syft_pod_name"`
	AllowFailedChecks types.Bool   `tfsdk:"allow_failed_checks"`
	Timeout           types.String `tfsdk:"timeout"`
}

func (a *clusterComplianceScanAction) Metadata(_ context.Context, req action.MetadataRequest, resp *action.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_cluster_compliance_scan"
}

func (a *clusterComplianceScanAction) Schema(_ context.Context, _ action.SchemaRequest, resp *action.SchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "Runs a compliance scan of an imported cluster now (`…/features/complianceScan/onDemand` in " +
			"Palette's API) and waits for its end, telling the progress of each driver. It fails when a driver's run fails, " +
			"and, unless `allow_failed_checks` is true, when kube-bench reports failing checks: the diagnostic lists them with " +
			"their remediation. The cluster must be imported in Full Permission mode and Running.\n\n" +
			"Needs Terraform 1.14 or later (`action` blocks; run it with `terraform apply -invoke=action.palette_cluster_compliance_scan.<name>` " +
			"or from a resource's `action_trigger`). OpenTofu has no actions.",
		Attributes: map[string]schema.Attribute{
			"cluster_id": schema.StringAttribute{
				MarkdownDescription: "UID of the imported cluster.",
				Required:            true,
				Validators:          []validator.String{paletteUIDValidator()},
			},
			"drivers": schema.SetAttribute{
				MarkdownDescription: "The drivers to run: `kube_bench` (the CIS Kubernetes Benchmark), `kube_hunter`, `sonobuoy`, " +
					"`syft` (an SBOM of the cluster's images). Default: `[\"kube_bench\"]`.",
				ElementType: types.StringType,
				Optional:    true,
				Validators: []validator.Set{
					setvalidator.SizeAtLeast(1),
					setvalidator.ValueStringsAre(stringvalidator.OneOf("kube_bench", "kube_hunter", "sonobuoy", "syft")),
				},
			},
			"syft_format": schema.StringAttribute{
				MarkdownDescription: "The SBOM's format when `drivers` has `syft`: `cyclonedx-json`, `github-json`, `spdx-json` or `syft-json`.",
				Optional:            true,
				Validators:          []validator.String{stringvalidator.OneOf("cyclonedx-json", "github-json", "spdx-json", "syft-json")},
			},
			"syft_scope": schema.StringAttribute{
				MarkdownDescription: "What syft scans: `cluster` (default), `namespace` (needs `syft_namespace`), `label-selector` " +
					"(needs `syft_label_selector`) or `pod` (needs `syft_namespace` and `syft_pod_name`).",
				Optional:   true,
				Validators: []validator.String{stringvalidator.OneOf("cluster", "namespace", "label-selector", "pod")},
			},
			"syft_namespace":      schema.StringAttribute{MarkdownDescription: "The namespace syft scans (scopes `namespace` and `pod`).", Optional: true},
			"syft_label_selector": schema.StringAttribute{MarkdownDescription: "The pods syft scans (scope `label-selector`).", Optional: true},
			"syft_pod_name":       schema.StringAttribute{MarkdownDescription: "The pod syft scans (scope `pod`).", Optional: true},
			"allow_failed_checks": schema.BoolAttribute{
				MarkdownDescription: "When true, failing kube-bench checks do not fail the action (they are reported as a warning). Default false.",
				Optional:            true,
			},
			"timeout": actionTimeout,
		},
	}
}

// drivers are the spec's names of the configured drivers (default kube-bench).
func (m clusterComplianceScanActionModel) drivers(ctx context.Context) ([]string, error) {
	if m.Drivers.IsNull() {
		return []string{wire.DriverKubeBench}, nil
	}
	var names []string
	if d := m.Drivers.ElementsAs(ctx, &names, false); d.HasError() {
		return nil, fmt.Errorf("reading drivers: %v", d)
	}
	out := make([]string, 0, len(names))
	for _, n := range names {
		out = append(out, scanDriverNames[n])
	}
	slices.Sort(out)
	return out, nil
}

// syftRule checks syft's settings against its scope; the problem's path
// ("" when there is none).
func (m clusterComplianceScanActionModel) syftRule(drivers []string) (path.Path, string) {
	set := func(v types.String) bool { return !v.IsNull() && v.ValueString() != "" }
	syft := slices.Contains(drivers, wire.DriverSyft)
	for _, attr := range []struct {
		name string
		v    types.String
	}{{"syft_format", m.SyftFormat}, {"syft_scope", m.SyftScope}, {"syft_namespace", m.SyftNamespace},
		{"syft_label_selector", m.SyftLabelSelector}, {"syft_pod_name", m.SyftPodName}} {
		if set(attr.v) && !syft {
			return path.Root(attr.name), attr.name + " is a setting of syft, which drivers does not name"
		}
	}
	switch m.SyftScope.ValueString() {
	case "namespace":
		if !set(m.SyftNamespace) {
			return path.Root("syft_namespace"), "syft_scope \"namespace\" needs syft_namespace"
		}
	case "label-selector":
		if !set(m.SyftLabelSelector) {
			return path.Root("syft_label_selector"), "syft_scope \"label-selector\" needs syft_label_selector"
		}
	case "pod":
		if !set(m.SyftNamespace) || !set(m.SyftPodName) {
			return path.Root("syft_pod_name"), "syft_scope \"pod\" needs syft_namespace and syft_pod_name"
		}
	}
	return path.Empty(), ""
}

// ModifyPlan checks at plan time what the configuration alone shows (syft's
// settings) and that the cluster exists and is Full Permission.
func (a *clusterComplianceScanAction) ModifyPlan(ctx context.Context, req action.ModifyPlanRequest, resp *action.ModifyPlanResponse) {
	var m clusterComplianceScanActionModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &m)...)
	if resp.Diagnostics.HasError() {
		return
	}
	if !m.Drivers.IsUnknown() {
		drivers, err := m.drivers(ctx)
		if err != nil {
			resp.Diagnostics.AddAttributeError(path.Root("drivers"), "Invalid drivers", err.Error())
			return
		}
		if p, problem := m.syftRule(drivers); problem != "" {
			resp.Diagnostics.AddAttributeError(p, "Invalid syft settings", problem+".")
		}
	}
	planActionCluster(ctx, a.data, req.Config, "cluster_id", featureScans, &resp.Diagnostics)
}

func (m clusterComplianceScanActionModel) request(drivers []string) wire.ClusterComplianceOnDemandConfig {
	run := func(d string) *wire.ClusterComplianceScanRunConfig {
		if slices.Contains(drivers, d) {
			return &wire.ClusterComplianceScanRunConfig{RunScan: true}
		}
		return nil
	}
	out := wire.ClusterComplianceOnDemandConfig{KubeBench: run(wire.DriverKubeBench), KubeHunter: run(wire.DriverKubeHunter), Sonobuoy: run(wire.DriverSonobuoy)}
	if slices.Contains(drivers, wire.DriverSyft) {
		out.Syft = &wire.ClusterComplianceScanSyftConfig{RunScan: true, Config: &wire.ClusterComplianceScanSyftDriverConfig{
			Format: m.SyftFormat.ValueString(), Scope: m.SyftScope.ValueString(), Namespace: m.SyftNamespace.ValueString(),
			LabelSelector: m.SyftLabelSelector.ValueString(), PodName: m.SyftPodName.ValueString(),
		}}
	}
	return out
}

func (a *clusterComplianceScanAction) Invoke(ctx context.Context, req action.InvokeRequest, resp *action.InvokeResponse) {
	var m clusterComplianceScanActionModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &m)...)
	if resp.Diagnostics.HasError() {
		return
	}
	const summary = "Error running compliance scan"
	cid := m.ClusterID.ValueString()
	drivers, err := m.drivers(ctx)
	if err != nil {
		resp.Diagnostics.AddAttributeError(path.Root("drivers"), summary, err.Error())
		return
	}
	if !applyConfigCluster(ctx, a.data, cid, featureScans, true, summary, &resp.Diagnostics) {
		return
	}
	tell := func(msg string) { progress(ctx, resp.SendProgress, msg) }
	requestUID, err := a.data.client.RunComplianceScan(ctx, cid, m.request(drivers))
	if err != nil {
		resp.Diagnostics.AddError(summary, fmt.Sprintf("Cluster %s: %s", cid, err))
		return
	}
	tell(fmt.Sprintf("compliance scan %s started on cluster %s: %s", requestUID, cid, strings.Join(drivers, ", ")))
	wctx, cancel := actionContext(ctx, m.Timeout)
	defer cancel()
	runs, err := waitScanRequest(wctx, a.data.client, cid, requestUID, drivers, tell)
	if err != nil {
		resp.Diagnostics.AddError(summary, fmt.Sprintf("Cluster %s, scan %s: %s", cid, requestUID, err))
		return
	}
	for _, d := range drivers {
		r := runs[d]
		if r.State == wire.ScanFailed {
			resp.Diagnostics.AddError("Compliance scan failed", fmt.Sprintf("The %s run of scan %s on cluster %s failed: %s", d, requestUID, cid, r.Message))
			continue
		}
		if d != wire.DriverKubeBench {
			tell(fmt.Sprintf("%s: %s %s", d, r.State, r.Message))
			continue
		}
		kb, err := a.data.client.GetKubeBenchLog(ctx, cid, r.UID)
		if err != nil {
			resp.Diagnostics.AddError(summary, fmt.Sprintf("Reading the kube-bench report %s of cluster %s: %s", r.UID, cid, err))
			continue
		}
		var pass, fail, warn int32
		for _, rep := range kb.Status.Reports {
			pass, fail, warn = pass+rep.Pass, fail+rep.Fail, warn+rep.Warn
		}
		tell(fmt.Sprintf("kubeBench: %d passed, %d failed, %d warnings", pass, fail, warn))
		checks := failingChecks(kb)
		if len(checks) == 0 {
			continue
		}
		detail := fmt.Sprintf("kube-bench found %d failing checks on cluster %s (scan %s):\n%s", len(checks), cid, requestUID, describeFailingChecks(checks, 20))
		if m.AllowFailedChecks.ValueBool() {
			resp.Diagnostics.AddWarning("Compliance scan has failing checks", detail)
		} else {
			resp.Diagnostics.AddError("Compliance scan has failing checks", detail)
		}
	}
}
