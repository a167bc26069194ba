package provider

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/terraform-palette/terraform-provider-palette/internal/palette"
	"github.com/terraform-palette/terraform-provider-palette/internal/wire"
)

// Finding and waiting for compliance scan runs, shared by the
// palette_cluster_compliance_scan action and the
// palette_cluster_compliance_scan_report data source.

// scanDriverNames maps the provider's driver names to the spec's.
var scanDriverNames = map[string]string{
	"kube_bench":  wire.DriverKubeBench,
	"kube_hunter": wire.DriverKubeHunter,
	"sonobuoy":    wire.DriverSonobuoy,
	"syft":        wire.DriverSyft,
}

// scanRun is one run of one driver, whatever the driver.
type scanRun struct {
	UID, Driver, RequestUID, State, Message, Actor string
	Created                                        time.Time
	Start, End                                     *time.Time
}

func (r scanRun) finished() bool { return r.State == wire.ScanCompleted || r.State == wire.ScanFailed }

func runOf(driver string, meta wire.ObjectMeta, st wire.ClusterScanLogStatus) scanRun {
	r := scanRun{UID: meta.UID, Driver: driver, RequestUID: st.RequestUID, State: st.State, Message: st.Message}
	if meta.CreationTimestamp != nil {
		r.Created = *meta.CreationTimestamp
	}
	if st.Actor != nil {
		r.Actor = st.Actor.ActorType
	}
	if st.ScanTime != nil {
		r.Start, r.End = st.ScanTime.StartTime, st.ScanTime.EndTime
	}
	return r
}

// scanRuns lists every run of the logs, oldest first.
func scanRuns(logs *wire.ClusterComplianceScanLogs) []scanRun {
	var out []scanRun
	for _, l := range logs.KubeBenchLogs {
		out = append(out, runOf(wire.DriverKubeBench, l.Metadata, wire.ClusterScanLogStatus{
			Actor: l.Status.Actor, Message: l.Status.Message, RequestUID: l.Status.RequestUID, ScanTime: l.Status.ScanTime, State: l.Status.State}))
	}
	for driver, list := range map[string][]wire.ClusterScanLog{
		wire.DriverKubeHunter: logs.KubeHunterLogs, wire.DriverSonobuoy: logs.SonobuoyLogs, wire.DriverSyft: logs.SyftLogs,
	} {
		for _, l := range list {
			out = append(out, runOf(driver, l.Metadata, l.Status))
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Created.Before(out[j].Created) })
	return out
}

// latestScanRuns is the latest run of each driver.
func latestScanRuns(logs *wire.ClusterComplianceScanLogs) map[string]scanRun {
	out := map[string]scanRun{}
	for _, r := range scanRuns(logs) {
		out[r.Driver] = r
	}
	return out
}

// waitScanRequest waits until every driver of an on-demand run has
// finished, telling progress of each change of state; it returns the runs
// by driver.
func waitScanRequest(ctx context.Context, c *palette.Client, cid, requestUID string, drivers []string, progress func(string)) (map[string]scanRun, error) {
	seen := map[string]string{}
	runs := map[string]scanRun{}
	err := poll(ctx, "the compliance scan "+requestUID+" to finish", func() (bool, error) {
		logs, err := c.GetComplianceScanLogs(ctx, cid)
		if err != nil {
			return false, fmt.Errorf("reading the scan logs of cluster %s: %w", cid, err)
		}
		for _, r := range scanRuns(logs) {
			if r.RequestUID == requestUID {
				runs[r.Driver] = r
			}
		}
		done := true
		for _, d := range drivers {
			r, ok := runs[d]
			state := "not started"
			if ok {
				state = r.State
			}
			if seen[d] != state {
				seen[d] = state
				progress(fmt.Sprintf("%s: %s", d, state))
			}
			done = done && ok && r.finished()
		}
		return done, nil
	})
	return runs, err
}

// failingChecks are the kube-bench checks of a run that failed, sorted by
// ID, each "<id> <text>" with its target and remediation.
type failingCheck struct{ Target, ID, Description, Remediation string }

func failingChecks(kb *wire.ClusterScanLogKubeBench) []failingCheck {
	var out []failingCheck
	for target, r := range kb.Status.Reports {
		for _, l := range r.Logs {
			if l.State == "FAIL" {
				out = append(out, failingCheck{Target: target, ID: l.TestID, Description: l.Description, Remediation: l.Remediation})
			}
		}
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Target != out[j].Target {
			return out[i].Target < out[j].Target
		}
		return out[i].ID < out[j].ID
	})
	return out
}

// describeFailingChecks lists failing checks for a diagnostic, the first
// max with their remediation.
func describeFailingChecks(checks []failingCheck, limit int) string {
	var b strings.Builder
	for i, c := range checks {
		if i == limit {
			fmt.Fprintf(&b, "… and %d more (palette_cluster_compliance_scan_report lists them all).\n", len(checks)-limit)
			break
		}
		fmt.Fprintf(&b, "[%s] %s %s\n", c.Target, c.ID, c.Description)
		if c.Remediation != "" {
			fmt.Fprintf(&b, "    remediation: %s\n", strings.ReplaceAll(strings.TrimSpace(c.Remediation), "\n", "\n    "))
		}
	}
	return b.String()
}
