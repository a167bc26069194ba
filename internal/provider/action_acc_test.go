package provider

import (
	"context"
	"encoding/json"
	"fmt"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/terraform-palette/terraform-provider-palette/internal/wire"
)

// Actions (Terraform 1.14 or later) are invoked with `terraform apply
// -invoke=action.<type>.<name>`, which terraform-plugin-testing 1.16 has no
// step for: these tests drive the CLI themselves, with the provider built as
// a binary and found through dev_overrides (reliability_cli_test.go).

// invokeAction runs `terraform apply -invoke=<address> -auto-approve` in
// workdir with env added to the test's CLI environment, and returns the
// CLI's output; the error is non-nil (and names the exit code) when the CLI
// failed.
func invokeAction(t *testing.T, workdir string, address string, env []string) (string, error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	out, err := tfCommand(ctx, t, workdir, env, "apply", "-invoke="+address, "-auto-approve", "-no-color").CombinedOutput()
	if err != nil {
		return string(out), fmt.Errorf("terraform apply -invoke=%s: %w", address, err)
	}
	return string(out), nil
}

// actionCLI skips a test unless the suite's Terraform has actions (1.14 or
// later; OpenTofu has none).
func actionCLI(t *testing.T) {
	t.Helper()
	identityCLI(t)
	if usingOpenTofu() {
		t.Skip("OpenTofu has no actions")
	}
	if major, minor := cliVersion(t); major == 1 && minor < 14 {
		t.Skipf("actions need Terraform 1.14 or later (have 1.%d)", minor)
	}
}

// TestAccClusterComplianceScanAction_onDemand: the action runs kube-bench
// through the agent against the local control plane and waits for it,
// telling the progress; it succeeds with allow_failed_checks, and without
// it fails listing the failing checks (the local control plane has real
// ones); a driver the cluster cannot run fails the action with the reason.
// The report data source then shows the run, and a check block asserting
// "no CIS failures" fails on it.
func TestAccClusterComplianceScanAction_onDemand(t *testing.T) {
	actionCLI(t)
	env := newTestEnv(t, testEnvOptions{flavor: "generic"})
	dir := cliWorkDir(t)
	resources := fmt.Sprintf(`resource "palette_imported_cluster" "c" {
  name            = "scan-action"
  deletion_policy = "force"
  kubernetes = {
    config_path = %q
  }
}

output "cluster_id" {
  value = palette_imported_cluster.c.id
}

action "palette_cluster_compliance_scan" "lenient" {
  config {
    cluster_id          = palette_imported_cluster.c.id
    allow_failed_checks = true
    timeout             = "5m"
  }
}

action "palette_cluster_compliance_scan" "strict" {
  config {
    cluster_id = palette_imported_cluster.c.id
  }
}

action "palette_cluster_compliance_scan" "hunter" {
  config {
    cluster_id = palette_imported_cluster.c.id
    drivers    = ["kube_hunter"]
  }
}
`, env.Kube.Kubeconfig)
	writeCLIConfig(t, dir, env.API.URL, env.API.ProjectUID, resources)
	tfEnv := []string{"PALETTE_API_KEY=" + env.API.APIKey}
	tfMust(t, dir, tfEnv, nil, "apply", "-auto-approve")
	t.Cleanup(func() { tfMust(t, dir, tfEnv, nil, "destroy", "-auto-approve") })
	var outputs struct {
		ClusterID struct{ Value string } `json:"cluster_id"`
	}
	if err := json.Unmarshal([]byte(tfMust(t, dir, tfEnv, nil, "output", "-json")), &outputs); err != nil {
		t.Fatal(err)
	}
	cid := outputs.ClusterID.Value

	out, err := invokeAction(t, dir, "action.palette_cluster_compliance_scan.lenient", tfEnv)
	if err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	for _, want := range []string{"kubeBench: Completed", `kubeBench: \d+ passed, [1-9]\d* failed, \d+ warnings`, `Compliance scan has failing checks`} {
		if !regexp.MustCompile(want).MatchString(out) {
			t.Errorf("the lenient scan's output does not match %q:\n%s", want, out)
		}
	}
	logs, err := env.Client.GetComplianceScanLogs(testCtx(t), cid)
	if err != nil {
		t.Fatal(err)
	}
	if len(logs.KubeBenchLogs) != 1 || logs.KubeBenchLogs[0].Status.State != wire.ScanCompleted ||
		logs.KubeBenchLogs[0].Status.Reports["master"].Fail == 0 || logs.KubeBenchLogs[0].Status.Reports["master"].Pass == 0 {
		t.Fatalf("the kube-bench run in Palette: %+v", logs.KubeBenchLogs)
	}

	out, err = invokeAction(t, dir, "action.palette_cluster_compliance_scan.strict", tfEnv)
	if err == nil {
		t.Fatalf("the strict scan succeeded on a control plane with failing checks:\n%s", out)
	}
	for _, want := range []string{`Compliance scan has failing checks: kube-bench found \d+ failing checks`,
		`\[etcd\] 2\.1 Ensure that the --cert-file and --key-file arguments are set`, `remediation: Follow the etcd service documentation`} {
		if !regexp.MustCompile(want).MatchString(out) {
			t.Errorf("the strict scan's output does not match %q:\n%s", want, out)
		}
	}

	out, err = invokeAction(t, dir, "action.palette_cluster_compliance_scan.hunter", tfEnv)
	if err == nil || !regexp.MustCompile(`(?s)Error: Compliance scan failed.*unavailable: kube-hunter`).MatchString(out) {
		t.Fatalf("kube-hunter: %v, want the action to fail as unavailable:\n%s", err, out)
	}

	// The report of the latest runs, and a check block that asserts no CIS
	// failures: it fails (Terraform reports a failed check as a warning).
	writeCLIConfig(t, dir, env.API.URL, env.API.ProjectUID, resources+`
data "palette_cluster_compliance_scan_report" "r" {
  cluster_id = palette_imported_cluster.c.id
}

check "no_cis_failures" {
  assert {
    condition     = data.palette_cluster_compliance_scan_report.r.kube_bench.fail == 0
    error_message = "CIS failures: ${join(", ", [for c in data.palette_cluster_compliance_scan_report.r.kube_bench.failed_checks : c.id])}"
  }
}

output "report" {
  value = data.palette_cluster_compliance_scan_report.r
}
`)
	out = tfMust(t, dir, tfEnv, nil, "apply", "-auto-approve")
	if !regexp.MustCompile(`(?s)Warning: Check block assertion failed.*CIS failures: .*1\.3\.2`).MatchString(out) {
		t.Errorf("the check block did not fail on the failing checks:\n%s", out)
	}
	var reportOutput struct {
		Report struct {
			Value json.RawMessage
		}
	}
	if err := json.Unmarshal([]byte(tfMust(t, dir, tfEnv, nil, "output", "-json")), &reportOutput); err != nil {
		t.Fatal(err)
	}
	var report struct {
		KubeBench struct {
			State        string `json:"state"`
			Actor        string `json:"actor"`
			EndTime      string `json:"end_time"`
			Pass, Fail   int
			FailedChecks []struct{ Target, ID, Remediation string } `json:"failed_checks"`
		} `json:"kube_bench"`
		KubeHunter struct {
			State, Message string
		} `json:"kube_hunter"`
		Sonobuoy *struct{} `json:"sonobuoy"`
	}
	if err := json.Unmarshal(reportOutput.Report.Value, &report); err != nil {
		t.Fatal(err)
	}
	kb := report.KubeBench
	// The latest kube-bench run is the strict one's: it failed checks.
	if kb.State != wire.ScanCompleted || kb.Actor != "user" || kb.EndTime == "" || kb.Pass == 0 || kb.Fail == 0 || len(kb.FailedChecks) != kb.Fail {
		t.Errorf("kube_bench report: %+v", kb)
	}
	for _, c := range kb.FailedChecks {
		if c.Target == "" || c.ID == "" || c.Remediation == "" {
			t.Errorf("failed check without target, ID or remediation: %+v", c)
		}
	}
	if report.KubeHunter.State != wire.ScanFailed || !strings.HasPrefix(report.KubeHunter.Message, "unavailable: ") || report.Sonobuoy != nil {
		t.Errorf("kube_hunter %+v, sonobuoy %+v: want Failed as unavailable, and no sonobuoy run", report.KubeHunter, report.Sonobuoy)
	}
}

// TestAccClusterComplianceScanAction_rules: each rule fails the plan of the
// action on its attribute, and no scan starts.
func TestAccClusterComplianceScanAction_rules(t *testing.T) {
	actionCLI(t)
	env := newTestEnv(t, testEnvOptions{})
	ro := env.importClusterDirect(t, "scan-action-ro", wire.CloudTypeGeneric, wire.ImportModeReadOnly, nil)
	fp := env.importClusterDirect(t, "scan-action-fp", wire.CloudTypeGeneric, "", nil)
	tfEnv := []string{"PALETTE_API_KEY=" + env.API.APIKey}
	for _, tc := range []struct{ name, config, want string }{
		{"read_only", fmt.Sprintf("cluster_id = %q", ro), `(?s)Error: Compliance scans need Full Permission.*"scan-action-ro".*was\s+imported\s+in\s+read-only`},
		{"bad_driver", fmt.Sprintf("cluster_id = %q\ndrivers = [\"kube_bench\", \"trivy\"]", fp), `(?s)Invalid Attribute Value Match.*drivers.*trivy`},
		{"syft_scope", fmt.Sprintf("cluster_id = %q\ndrivers = [\"syft\"]\nsyft_scope = \"namespace\"", fp), `(?s)Invalid syft settings.*syft_namespace`},
		{"syft_without_syft", fmt.Sprintf("cluster_id = %q\nsyft_format = \"spdx-json\"", fp), `(?s)Invalid syft settings.*syft_format`},
		{"bad_timeout", fmt.Sprintf("cluster_id = %q\ntimeout = \"soon\"", fp), `(?s)Invalid duration.*timeout`},
	} {
		dir := cliWorkDir(t)
		writeCLIConfig(t, dir, env.API.URL, env.API.ProjectUID, fmt.Sprintf("action \"palette_cluster_compliance_scan\" %q {\n  config {\n%s\n  }\n}\n",
			tc.name, tc.config))
		out, code := tfRun(t, dir, tfEnv, "plan", "-invoke=action.palette_cluster_compliance_scan."+tc.name)
		if code != 1 || !regexp.MustCompile(tc.want).MatchString(out) {
			t.Errorf("%s: exit %d, want 1 and %q:\n%s", tc.name, code, tc.want, out)
		}
	}
	for _, cid := range []string{ro, fp} {
		logs, err := env.Client.GetComplianceScanLogs(testCtx(t), cid)
		if err != nil || len(logs.KubeBenchLogs)+len(logs.KubeHunterLogs)+len(logs.SonobuoyLogs)+len(logs.SyftLogs) != 0 {
			t.Errorf("cluster %s has scan runs after plans only: %+v, %v", cid, logs, err)
		}
	}
}
