package localapi

// A cluster's compliance scans (/v1/spectroclusters/{uid}/features/complianceScan…):
// the schedule per driver (POST creates it, PUT replaces it; a PUT that
// schedules nothing removes it), on-demand runs (POST …/onDemand answers
// the run's request UID and creates one log per driver, Initiated), and
// the logs. The agent learns of both through its desired state, runs the
// drivers and reports each run on the spec's …/logs/drivers/{driver}
// (with its bearer credential and a message: extras.go); a report with a
// request UID palette-local did not issue is a scheduled run. Imported
// clusters need Full Permission to be scanned.

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"time"

	"github.com/robfig/cron/v3"

	"github.com/terraform-palette/terraform-provider-palette/internal/wire"
)

// Actors of a scan run (status.actor.actorType).
const (
	scanActorUser     = "user"
	scanActorSchedule = "schedule"
)

// maxScanLogsPerDriver bounds the runs kept per cluster and driver: the
// oldest finished ones go.
const maxScanLogsPerDriver = 20

// scheduledDrivers are the drivers v1ClusterComplianceScheduleConfig has.
var scheduledDrivers = []string{wire.DriverKubeBench, wire.DriverKubeHunter, wire.DriverSonobuoy}

// scheduleByDriver returns the non-empty cron expressions of cfg by driver.
func scheduleByDriver(cfg wire.ClusterComplianceScheduleConfig) map[string]string {
	out := map[string]string{}
	for d, c := range map[string]*wire.ClusterComplianceScanDriverScheduleConfig{
		wire.DriverKubeBench: cfg.KubeBench, wire.DriverKubeHunter: cfg.KubeHunter, wire.DriverSonobuoy: cfg.Sonobuoy,
	} {
		if c != nil && c.Schedule != nil && c.Schedule.ScheduledRunTime != "" {
			out[d] = c.Schedule.ScheduledRunTime
		}
	}
	return out
}

// checkSchedule answers 400 unless every cron expression parses as a
// standard (five-field) cron expression.
func checkSchedule(sched map[string]string) error {
	for _, d := range scheduledDrivers {
		if expr, ok := sched[d]; ok {
			if _, err := cron.ParseStandard(expr); err != nil {
				return badRequest("%s.schedule.scheduledRunTime %q is not a cron expression: %v", d, expr, err)
			}
		}
	}
	return nil
}

// scannableCluster loads the cluster of the path, refusing one that cannot
// be scanned: Deleted (404), read-only (400) or being deleted (409).
func (s *Server) scannableCluster(r *http.Request, tx *sql.Tx, c *call) (*clusterRow, error) {
	row, err := s.findCluster(r.Context(), tx, c, r.PathValue("uid"))
	switch {
	case err != nil:
		return nil, err
	case row.State == wire.StateDeleted:
		return nil, clusterNotFound(c, row.UID)
	case row.ImportMode == wire.ImportModeReadOnly:
		return nil, errf(http.StatusBadRequest, wire.CodeComplianceScanRequiresFullPermission,
			"cluster '%s' was imported read-only: compliance scans require Full Permission", row.UID)
	case row.State == wire.StateDeleting:
		return nil, errf(http.StatusConflict, wire.CodeConflict, "cluster '%s' is %s", row.UID, row.State)
	}
	return row, nil
}

// GET /v1/spectroclusters/{uid}/features/complianceScan. A cluster with no
// schedule is a 404, as palette-sdk-go's GetClusterScanConfig expects.
func (s *Server) getComplianceScan(w http.ResponseWriter, r *http.Request, c *call) error {
	row, err := s.liveCluster(r.Context(), s.st.db, c, r.PathValue("uid"))
	if err != nil {
		return err
	}
	out := wire.ClusterComplianceScan{Spec: wire.ClusterComplianceScanSpec{
		ClusterUID: row.UID, DriverSpec: map[string]wire.ComplianceScanDriverSpec{},
	}}
	var uid, body string
	var created, modified int64
	err = s.st.db.QueryRowContext(r.Context(), `SELECT uid, schedule, created, modified FROM compliance_scans WHERE cluster_uid = ?`,
		row.UID).Scan(&uid, &body, &created, &modified)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return notFound("cluster '%s' has no compliance scan schedule", row.UID)
	case err != nil:
		return fmt.Errorf("loading the scan schedule: %w", err)
	default:
		var sched map[string]string
		if err := json.Unmarshal([]byte(body), &sched); err != nil {
			return fmt.Errorf("decoding the scan schedule: %w", err)
		}
		ct, mt := time.Unix(0, created).UTC(), time.Unix(0, modified).UTC()
		out.Metadata = wire.ObjectMeta{UID: uid, Name: row.Name, CreationTimestamp: &ct, LastModifiedTimestamp: &mt}
		for d, expr := range sched {
			out.Spec.DriverSpec[d] = wire.ComplianceScanDriverSpec{
				Config:          &wire.ComplianceScanConfig{Schedule: &wire.ClusterFeatureSchedule{ScheduledRunTime: expr}},
				IsClusterConfig: true,
			}
		}
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

// POST /v1/spectroclusters/{uid}/features/complianceScan: 409 when the
// cluster has a schedule already.
func (s *Server) createComplianceScan(w http.ResponseWriter, r *http.Request, c *call) error {
	return s.writeComplianceScan(w, r, c, true)
}

// PUT /v1/spectroclusters/{uid}/features/complianceScan.
func (s *Server) updateComplianceScan(w http.ResponseWriter, r *http.Request, c *call) error {
	return s.writeComplianceScan(w, r, c, false)
}

func (s *Server) writeComplianceScan(w http.ResponseWriter, r *http.Request, c *call, create bool) error {
	var req wire.ClusterComplianceScheduleConfig
	if err := decodeBody(r, &req, true); err != nil {
		return err
	}
	sched := scheduleByDriver(req)
	if err := checkSchedule(sched); err != nil {
		return err
	}
	if create && len(sched) == 0 {
		return badRequest("the schedule names no driver")
	}
	body, err := json.Marshal(sched)
	if err != nil {
		return fmt.Errorf("encoding the scan schedule: %w", err)
	}
	var uid string
	err = s.st.write(r.Context(), func(tx *sql.Tx) error {
		row, err := s.scannableCluster(r, tx, c)
		if err != nil {
			return err
		}
		now := s.now().UnixNano()
		err = tx.QueryRowContext(r.Context(), `SELECT uid FROM compliance_scans WHERE cluster_uid = ?`, row.UID).Scan(&uid)
		switch {
		case err == nil && create:
			return errf(http.StatusConflict, wire.CodeConflict, "cluster '%s' has a compliance scan schedule already", row.UID)
		case err == nil && len(sched) == 0:
			_, err = tx.ExecContext(r.Context(), `DELETE FROM compliance_scans WHERE cluster_uid = ?`, row.UID)
		case err == nil:
			_, err = tx.ExecContext(r.Context(), `UPDATE compliance_scans SET schedule = ?, modified = ? WHERE cluster_uid = ?`,
				string(body), now, row.UID)
		case errors.Is(err, sql.ErrNoRows) && len(sched) == 0:
			err = nil
		case errors.Is(err, sql.ErrNoRows):
			uid = newUID()
			_, err = tx.ExecContext(r.Context(), `INSERT INTO compliance_scans (cluster_uid, uid, schedule, created, modified)
				VALUES (?, ?, ?, ?, ?)`, row.UID, uid, string(body), now, now)
		}
		if err != nil {
			return fmt.Errorf("storing the scan schedule: %w", err)
		}
		return nil
	})
	if err != nil {
		return err
	}
	if create {
		writeJSON(w, http.StatusCreated, wire.UIDResponse{UID: uid})
		return nil
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// POST /v1/spectroclusters/{uid}/features/complianceScan/onDemand.
func (s *Server) runComplianceScan(w http.ResponseWriter, r *http.Request, c *call) error {
	var req wire.ClusterComplianceOnDemandConfig
	if err := decodeBody(r, &req, true); err != nil {
		return err
	}
	var drivers []string
	for d, rc := range map[string]*wire.ClusterComplianceScanRunConfig{
		wire.DriverKubeBench: req.KubeBench, wire.DriverKubeHunter: req.KubeHunter, wire.DriverSonobuoy: req.Sonobuoy,
	} {
		if rc != nil && rc.RunScan {
			drivers = append(drivers, d)
		}
	}
	syftConfig := ""
	if req.Syft != nil && req.Syft.RunScan {
		drivers = append(drivers, wire.DriverSyft)
		cfg := wire.ClusterComplianceScanSyftDriverConfig{}
		if req.Syft.Config != nil {
			cfg = *req.Syft.Config
		}
		if err := checkSyftConfig(cfg); err != nil {
			return err
		}
		b, err := json.Marshal(cfg)
		if err != nil {
			return fmt.Errorf("encoding syft's settings: %w", err)
		}
		syftConfig = string(b)
	}
	if len(drivers) == 0 {
		return badRequest("the scan runs no driver: set runScan of at least one")
	}
	slices.Sort(drivers)
	requestUID := newUID()
	err := s.st.write(r.Context(), func(tx *sql.Tx) error {
		row, err := s.scannableCluster(r, tx, c)
		if err != nil {
			return err
		}
		now := s.now().UnixNano()
		for _, d := range drivers {
			cfg := ""
			if d == wire.DriverSyft {
				cfg = syftConfig
			}
			if err := insertScanLog(r.Context(), tx, row.UID, d, requestUID, scanActorUser, cfg, now); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, wire.UIDResponse{UID: requestUID})
	return nil
}

// checkSyftConfig answers 400 unless syft's settings are the spec's enums
// with what their scope needs.
func checkSyftConfig(cfg wire.ClusterComplianceScanSyftDriverConfig) error {
	if cfg.Format != "" && !slices.Contains([]string{"cyclonedx-json", "github-json", "spdx-json", "syft-json"}, cfg.Format) {
		return badRequest("syft.config.format %q is not one of cyclonedx-json, github-json, spdx-json, syft-json", cfg.Format)
	}
	switch cfg.Scope {
	case "", "cluster":
	case "namespace":
		if cfg.Namespace == "" {
			return badRequest("syft.config.namespace is required with scope namespace")
		}
	case "label-selector":
		if cfg.LabelSelector == "" {
			return badRequest("syft.config.labelSelector is required with scope label-selector")
		}
	case "pod":
		if cfg.Namespace == "" || cfg.PodName == "" {
			return badRequest("syft.config.namespace and podName are required with scope pod")
		}
	default:
		return badRequest("syft.config.scope %q is not one of cluster, namespace, label-selector, pod", cfg.Scope)
	}
	return nil
}

// insertScanLog stores a new run of a driver, Initiated, and forgets the
// oldest finished runs of the driver beyond maxScanLogsPerDriver.
func insertScanLog(ctx context.Context, tx *sql.Tx, clusterUID, driver, requestUID, actor, syftConfig string, now int64) error {
	if _, err := tx.ExecContext(ctx, `INSERT INTO compliance_scan_logs (uid, cluster_uid, driver, request_uid, actor, state,
			syft_config, created, modified) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		newUID(), clusterUID, driver, requestUID, actor, wire.ScanInitiated, syftConfig, now, now); err != nil {
		return fmt.Errorf("storing a scan run: %w", err)
	}
	if _, err := tx.ExecContext(ctx, `DELETE FROM compliance_scan_logs WHERE uid IN (
			SELECT uid FROM compliance_scan_logs WHERE cluster_uid = ? AND driver = ? AND state IN (?, ?)
			ORDER BY created DESC LIMIT -1 OFFSET ?)`,
		clusterUID, driver, wire.ScanCompleted, wire.ScanFailed, maxScanLogsPerDriver); err != nil {
		return fmt.Errorf("forgetting old scan runs: %w", err)
	}
	return nil
}

// scanLogRow is one row of compliance_scan_logs.
type scanLogRow struct {
	UID, ClusterUID, Driver, RequestUID, Actor, State, Message, Reports, SyftConfig string
	Created, Modified                                                               int64
	Started, Ended                                                                  sql.NullInt64
}

const scanLogCols = `uid, cluster_uid, driver, request_uid, actor, state, message, reports, syft_config, created, modified, started, ended`

func loadScanLogs(ctx context.Context, q queryer, where string, args ...any) ([]scanLogRow, error) {
	rows, err := q.QueryContext(ctx, `SELECT `+scanLogCols+` FROM compliance_scan_logs WHERE `+where+` ORDER BY created, uid`, args...)
	if err != nil {
		return nil, fmt.Errorf("loading scan runs: %w", err)
	}
	defer rows.Close()
	var out []scanLogRow
	for rows.Next() {
		var l scanLogRow
		if err := rows.Scan(&l.UID, &l.ClusterUID, &l.Driver, &l.RequestUID, &l.Actor, &l.State, &l.Message, &l.Reports,
			&l.SyftConfig, &l.Created, &l.Modified, &l.Started, &l.Ended); err != nil {
			return nil, fmt.Errorf("loading scan runs: %w", err)
		}
		out = append(out, l)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("loading scan runs: %w", err)
	}
	return out, nil
}

func nanoTime(n int64) *time.Time {
	t := time.Unix(0, n).UTC()
	return &t
}

// meta, spec and status of a run as the logs show them.
func (l scanLogRow) parts() (wire.ObjectMeta, wire.ClusterComplianceScanLogSpec, wire.ClusterScanLogStatus) {
	st := wire.ClusterScanLogStatus{
		Actor:      &wire.ClusterFeatureActor{ActorType: l.Actor},
		Message:    l.Message,
		RequestUID: l.RequestUID,
		State:      l.State,
	}
	if l.Started.Valid {
		st.ScanTime = &wire.ClusterScanTime{StartTime: nanoTime(l.Started.Int64)}
		if l.Ended.Valid {
			st.ScanTime.EndTime = nanoTime(l.Ended.Int64)
		}
	}
	return wire.ObjectMeta{UID: l.UID, Name: l.Driver, CreationTimestamp: nanoTime(l.Created), LastModifiedTimestamp: nanoTime(l.Modified)},
		wire.ClusterComplianceScanLogSpec{ClusterUID: l.ClusterUID, DriverType: l.Driver}, st
}

func (l scanLogRow) kubeBench() (wire.ClusterScanLogKubeBench, error) {
	meta, spec, st := l.parts()
	out := wire.ClusterScanLogKubeBench{Metadata: meta, Spec: spec, Status: wire.ClusterKubeBenchLogStatus{
		Actor: st.Actor, Message: st.Message, RequestUID: st.RequestUID, ScanTime: st.ScanTime, State: st.State,
	}}
	if l.Reports != "" {
		if err := json.Unmarshal([]byte(l.Reports), &out.Status.Reports); err != nil {
			return out, fmt.Errorf("decoding the reports of scan run %s: %w", l.UID, err)
		}
	}
	return out, nil
}

// GET /v1/spectroclusters/{uid}/features/complianceScan/logs/drivers.
func (s *Server) getComplianceScanLogs(w http.ResponseWriter, r *http.Request, c *call) error {
	row, err := s.liveCluster(r.Context(), s.st.db, c, r.PathValue("uid"))
	if err != nil {
		return err
	}
	logs, err := loadScanLogs(r.Context(), s.st.db, `cluster_uid = ?`, row.UID)
	if err != nil {
		return err
	}
	out := wire.ClusterComplianceScanLogs{
		KubeBenchLogs: []wire.ClusterScanLogKubeBench{}, KubeHunterLogs: []wire.ClusterScanLog{},
		SonobuoyLogs: []wire.ClusterScanLog{}, SyftLogs: []wire.ClusterScanLog{},
	}
	for _, l := range logs {
		meta, spec, st := l.parts()
		other := wire.ClusterScanLog{Metadata: meta, Spec: spec, Status: st}
		switch l.Driver {
		case wire.DriverKubeBench:
			kb, err := l.kubeBench()
			if err != nil {
				return err
			}
			out.KubeBenchLogs = append(out.KubeBenchLogs, kb)
		case wire.DriverKubeHunter:
			out.KubeHunterLogs = append(out.KubeHunterLogs, other)
		case wire.DriverSonobuoy:
			out.SonobuoyLogs = append(out.SonobuoyLogs, other)
		case wire.DriverSyft:
			out.SyftLogs = append(out.SyftLogs, other)
		}
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

// scanLog finds a run of the cluster of the path by its UID and driver.
func (s *Server) scanLog(r *http.Request, c *call, driver string) (*scanLogRow, error) {
	row, err := s.liveCluster(r.Context(), s.st.db, c, r.PathValue("uid"))
	if err != nil {
		return nil, err
	}
	logs, err := loadScanLogs(r.Context(), s.st.db, `cluster_uid = ? AND uid = ? AND driver = ?`, row.UID, r.PathValue("logUid"), driver)
	if err != nil {
		return nil, err
	}
	if len(logs) == 0 {
		return nil, notFound("cluster '%s' has no %s scan run '%s'", row.UID, driver, r.PathValue("logUid"))
	}
	return &logs[0], nil
}

// GET /v1/spectroclusters/{uid}/features/complianceScan/logs/{logUid}/drivers/kubeBench.
func (s *Server) getKubeBenchLog(w http.ResponseWriter, r *http.Request, c *call) error {
	l, err := s.scanLog(r, c, wire.DriverKubeBench)
	if err != nil {
		return err
	}
	out, err := l.kubeBench()
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

// GET …/logs/{logUid}/drivers/{kubeHunter,sonobuoy,syft}: runs of the
// drivers palette-local's agent cannot run have no reports.
func (s *Server) getOtherScanLog(driver string) func(http.ResponseWriter, *http.Request, *call) error {
	return func(w http.ResponseWriter, r *http.Request, c *call) error {
		l, err := s.scanLog(r, c, driver)
		if err != nil {
			return err
		}
		meta, spec, st := l.parts()
		writeJSON(w, http.StatusOK, wire.ClusterScanLog{Metadata: meta, Spec: spec, Status: st})
		return nil
	}
}

// DELETE /v1/spectroclusters/{uid}/features/complianceScan/logs/{logUid}.
func (s *Server) deleteComplianceScanLog(w http.ResponseWriter, r *http.Request, c *call) error {
	return s.updateCluster(w, r, c, func(ctx context.Context, tx *sql.Tx, row *clusterRow) error {
		if row.State == wire.StateDeleted {
			return clusterNotFound(c, row.UID)
		}
		res, err := tx.ExecContext(ctx, `DELETE FROM compliance_scan_logs WHERE cluster_uid = ? AND uid = ?`, row.UID, r.PathValue("logUid"))
		if err != nil {
			return fmt.Errorf("deleting a scan run: %w", err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return notFound("cluster '%s' has no scan run '%s'", row.UID, r.PathValue("logUid"))
		}
		return nil
	})
}

// The agent's report of a run: PUT …/logs/drivers/{kubeBench,kubeHunter,sonobuoy}
// and PATCH …/logs/drivers/syft (extras.go: the agent's credential and a
// message). A run already finished cannot change; a request UID the
// cluster has no run of is a scheduled run of a scheduled driver.
func (s *Server) agentScanReport(driver string) func(http.ResponseWriter, *http.Request, *call) error {
	return func(w http.ResponseWriter, r *http.Request, c *call) error {
		var req wire.KubeBenchEntity
		var reports string
		switch driver {
		case wire.DriverKubeBench:
			if err := decodeBody(r, &req, true); err != nil {
				return err
			}
			if len(req.Reports) > 0 {
				b, err := json.Marshal(req.Reports)
				if err != nil {
					return fmt.Errorf("encoding the reports: %w", err)
				}
				reports = string(b)
			}
		case wire.DriverSyft:
			var e wire.SyftEntity
			if err := decodeBody(r, &e, true); err != nil {
				return err
			}
			req = wire.KubeBenchEntity{RequestUID: e.RequestUID, Status: e.Status, Message: e.Message}
		default:
			var e wire.ScanDriverEntity
			if err := decodeBody(r, &e, true); err != nil {
				return err
			}
			req = wire.KubeBenchEntity{RequestUID: e.RequestUID, Status: e.Status, Message: e.Message}
		}
		if req.RequestUID == "" {
			return badRequest("requestUid is required")
		}
		if !slices.Contains([]string{wire.ScanCompleted, wire.ScanInProgress, wire.ScanFailed, wire.ScanInitiated}, req.Status) {
			return badRequest("status %q is not one of Completed, InProgress, Failed, Initiated", req.Status)
		}
		if len(req.Message) > maxConfigErrorText {
			return badRequest("message is longer than %d bytes", maxConfigErrorText)
		}
		err := s.st.write(r.Context(), func(tx *sql.Tx) error {
			ctx := r.Context()
			now := s.now().UnixNano()
			logs, err := loadScanLogs(ctx, tx, `cluster_uid = ? AND driver = ? AND request_uid = ?`, c.agentCluster, driver, req.RequestUID)
			if err != nil {
				return err
			}
			if len(logs) == 0 {
				if !slices.Contains(scheduledDrivers, driver) {
					return notFound("cluster '%s' has no %s scan run with request '%s'", c.agentCluster, driver, req.RequestUID)
				}
				if err := insertScanLog(ctx, tx, c.agentCluster, driver, req.RequestUID, scanActorSchedule, "", now); err != nil {
					return err
				}
				if logs, err = loadScanLogs(ctx, tx, `cluster_uid = ? AND driver = ? AND request_uid = ?`, c.agentCluster, driver, req.RequestUID); err != nil {
					return err
				}
			}
			l := logs[0]
			if l.State == wire.ScanCompleted || l.State == wire.ScanFailed {
				return errf(http.StatusConflict, wire.CodeConflict, "the %s scan run '%s' has finished (%s)", driver, l.UID, l.State)
			}
			started := l.Started
			if !started.Valid && req.Status != wire.ScanInitiated {
				started = sql.NullInt64{Int64: now, Valid: true}
			}
			var ended sql.NullInt64
			if req.Status == wire.ScanCompleted || req.Status == wire.ScanFailed {
				ended = sql.NullInt64{Int64: now, Valid: true}
			}
			if _, err := tx.ExecContext(ctx, `UPDATE compliance_scan_logs SET state = ?, message = ?, reports = ?, modified = ?,
					started = ?, ended = ? WHERE uid = ?`, req.Status, req.Message, reports, now, started, ended, l.UID); err != nil {
				return fmt.Errorf("storing a scan report: %w", err)
			}
			return nil
		})
		if err != nil {
			return err
		}
		w.WriteHeader(http.StatusNoContent)
		return nil
	}
}

// desiredComplianceScan is the cluster's schedule and unfinished on-demand
// runs for its agent (nil when there is neither).
func desiredComplianceScan(ctx context.Context, q queryer, clusterUID string) (*wire.AgentComplianceScan, error) {
	out := &wire.AgentComplianceScan{}
	var body string
	err := q.QueryRowContext(ctx, `SELECT schedule FROM compliance_scans WHERE cluster_uid = ?`, clusterUID).Scan(&body)
	switch {
	case errors.Is(err, sql.ErrNoRows):
	case err != nil:
		return nil, fmt.Errorf("loading the scan schedule: %w", err)
	default:
		if err := json.Unmarshal([]byte(body), &out.Schedules); err != nil {
			return nil, fmt.Errorf("decoding the scan schedule: %w", err)
		}
	}
	logs, err := loadScanLogs(ctx, q, `cluster_uid = ? AND actor = ? AND state IN (?, ?)`,
		clusterUID, scanActorUser, wire.ScanInitiated, wire.ScanInProgress)
	if err != nil {
		return nil, err
	}
	byRequest := map[string]int{}
	for _, l := range logs {
		i, ok := byRequest[l.RequestUID]
		if !ok {
			i = len(out.Requests)
			byRequest[l.RequestUID] = i
			out.Requests = append(out.Requests, wire.AgentScanRequest{RequestUID: l.RequestUID})
		}
		out.Requests[i].Drivers = append(out.Requests[i].Drivers, l.Driver)
		if l.Driver == wire.DriverSyft && l.SyftConfig != "" {
			var cfg wire.ClusterComplianceScanSyftDriverConfig
			if err := json.Unmarshal([]byte(l.SyftConfig), &cfg); err != nil {
				return nil, fmt.Errorf("decoding syft's settings: %w", err)
			}
			out.Requests[i].Syft = &cfg
		}
	}
	if len(out.Schedules) == 0 && len(out.Requests) == 0 {
		return nil, nil
	}
	return out, nil
}
