package agent

// Compliance scans: the agent runs the on-demand runs its desired state
// lists and the drivers of the cluster's schedule when their cron
// expression comes due, and reports each run on the spec's
// …/complianceScan/logs/drivers/{driver}. kube-bench runs for real
// (kubebench.go); kube-hunter, sonobuoy and syft need what a local control
// plane without kubelets does not have, and are reported as failed with
// the reason.

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/robfig/cron/v3"

	"github.com/terraform-palette/terraform-provider-palette/internal/palette"
	"github.com/terraform-palette/terraform-provider-palette/internal/wire"
)

// unavailableDrivers says why a driver cannot run here.
var unavailableDrivers = map[string]string{
	wire.DriverKubeHunter: "unavailable: kube-hunter probes the cluster's nodes and pods (kubelet ports, pod network), and this cluster has no kubelet",
	wire.DriverSonobuoy:   "unavailable: sonobuoy runs its plugins as pods, and this cluster has no kubelet to run them",
	wire.DriverSyft:       "unavailable: syft reads the container images of running pods, and this cluster has no kubelet running any",
}

// scanState is the agent's memory of scans: the runs it is running or has
// reported, and the next time of each scheduled driver.
type scanState struct {
	mu       sync.Mutex
	running  map[string]bool // request UID
	reported map[string]bool // request UID
	schedule map[string]string
	next     map[string]time.Time
	wg       sync.WaitGroup
}

// reconcileScans starts the on-demand runs not started yet and the
// scheduled drivers that are due. Runs go on in the background.
func (a *Agent) reconcileScans(ctx context.Context, desired *wire.AgentComplianceScan) {
	st := &a.scans
	st.mu.Lock()
	defer st.mu.Unlock()
	if st.running == nil {
		st.running, st.reported, st.next = map[string]bool{}, map[string]bool{}, map[string]time.Time{}
	}
	if desired == nil {
		desired = &wire.AgentComplianceScan{}
	}
	for _, req := range desired.Requests {
		if st.running[req.RequestUID] || st.reported[req.RequestUID] {
			continue
		}
		st.running[req.RequestUID] = true
		a.startScan(ctx, req)
	}
	now := time.Now()
	for driver, expr := range desired.Schedules {
		if st.schedule[driver] != expr {
			delete(st.next, driver)
		}
		sched, err := cron.ParseStandard(expr)
		if err != nil {
			a.log.Warn("the scan schedule does not parse", "driver", driver, "schedule", expr, "error", err)
			continue
		}
		next, ok := st.next[driver]
		if !ok {
			st.next[driver] = sched.Next(now)
			continue
		}
		if now.Before(next) {
			continue
		}
		st.next[driver] = sched.Next(now)
		uid := newRequestUID()
		st.running[uid] = true
		a.log.Info("scheduled scan due", "driver", driver, "schedule", expr, "request_uid", uid)
		a.startScan(ctx, wire.AgentScanRequest{RequestUID: uid, Drivers: []string{driver}})
	}
	for driver := range st.next {
		if _, ok := desired.Schedules[driver]; !ok {
			delete(st.next, driver)
		}
	}
	st.schedule = desired.Schedules
}

func newRequestUID() string {
	b := make([]byte, 12)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

func (a *Agent) startScan(ctx context.Context, req wire.AgentScanRequest) {
	a.scans.wg.Add(1)
	go func() {
		defer a.scans.wg.Done()
		done := a.runScan(ctx, req)
		a.scans.mu.Lock()
		delete(a.scans.running, req.RequestUID)
		a.scans.reported[req.RequestUID] = done
		a.scans.mu.Unlock()
	}()
}

// runScan runs the drivers of one request and reports each; it returns
// whether every report was taken (otherwise the next poll starts it again).
func (a *Agent) runScan(ctx context.Context, req wire.AgentScanRequest) bool {
	ok := true
	for _, driver := range req.Drivers {
		if reason, unavailable := unavailableDrivers[driver]; unavailable {
			a.log.Info("scan driver unavailable", "driver", driver, "request_uid", req.RequestUID)
			ok = a.reportScan(ctx, driver, unavailableReport(driver, req.RequestUID, reason)) && ok
			continue
		}
		if driver != wire.DriverKubeBench {
			ok = a.reportScan(ctx, driver, unavailableReport(driver, req.RequestUID, "unknown driver "+driver)) && ok
			continue
		}
		if !a.reportScan(ctx, driver, wire.KubeBenchEntity{RequestUID: req.RequestUID, Status: wire.ScanInProgress,
			Reports: map[string]wire.KubeBenchReport{}}) {
			ok = false
			continue
		}
		began := time.Now()
		version := ""
		if facts, err := a.ops.NodeFacts(ctx); err == nil && facts != nil {
			version = facts.KubernetesVersion
		}
		reports, bench, err := runKubeBench(ctx, a.cfg.RESTConfig.Host, version)
		entity := wire.KubeBenchEntity{RequestUID: req.RequestUID, Status: wire.ScanCompleted, Reports: reports}
		if err != nil {
			entity = wire.KubeBenchEntity{RequestUID: req.RequestUID, Status: wire.ScanFailed,
				Reports: map[string]wire.KubeBenchReport{}, Message: truncate(err.Error(), 1000)}
			a.log.Warn("kube-bench failed", "request_uid", req.RequestUID, "error", err)
		} else {
			var pass, fail, warn int32
			for _, r := range reports {
				pass, fail, warn = pass+r.Pass, fail+r.Fail, warn+r.Warn
			}
			entity.Message = fmt.Sprintf("kube-bench %s: %d passed, %d failed, %d warnings", bench, pass, fail, warn)
			a.log.Info("kube-bench done", "request_uid", req.RequestUID, "benchmark", bench, "pass", pass, "fail", fail, "warn", warn,
				"took", time.Since(began).Round(time.Millisecond))
		}
		ok = a.reportScan(ctx, driver, entity) && ok
	}
	return ok
}

func unavailableReport(driver, requestUID, reason string) any {
	if driver == wire.DriverSyft {
		return wire.SyftEntity{RequestUID: requestUID, Status: wire.ScanFailed, Message: reason}
	}
	return wire.ScanDriverEntity{RequestUID: requestUID, Status: wire.ScanFailed, Reports: map[string]any{}, Message: reason}
}

// reportScan reports a run, retrying until the API takes it or refuses it
// for good (the run is gone or finished: 404, 409, 400) or ctx ends.
func (a *Agent) reportScan(ctx context.Context, driver string, body any) bool {
	var refused error
	err := a.retry(ctx, "reporting a "+driver+" scan", func(ctx context.Context, c *palette.Client) error {
		err := c.ReportScan(ctx, a.info.ClusterUID, driver, body)
		if errors.Is(err, palette.ErrNotFound) || errors.Is(err, palette.ErrConflict) || errors.Is(err, palette.ErrValidation) {
			refused = err
			return nil
		}
		return err
	})
	if refused != nil {
		a.log.Warn("the API refused a scan report", "driver", driver, "error", refused)
		return true
	}
	return err == nil
}
