package palette

import (
	"context"
	"net/http"

	"github.com/terraform-palette/terraform-provider-palette/internal/wire"
)

// A cluster's compliance scans (docs/palette-api.md): the schedule per
// driver, on-demand runs, and the logs of the runs with their reports.

func complianceScanPath(uid string) string { return clusterPath(uid) + "/features/complianceScan" }

// GetComplianceScan returns a cluster's scan schedule
// (GET /v1/spectroclusters/{uid}/features/complianceScan).
func (c *Client) GetComplianceScan(ctx context.Context, uid string) (*wire.ClusterComplianceScan, error) {
	var out wire.ClusterComplianceScan
	if _, err := c.call(ctx, &request{method: http.MethodGet, path: complianceScanPath(uid)}, &out); err != nil {
		return nil, err
	}
	return &out, nil
}

// CreateComplianceScan sets the scan schedule of a cluster that has none
// (POST /v1/spectroclusters/{uid}/features/complianceScan).
func (c *Client) CreateComplianceScan(ctx context.Context, uid string, cfg wire.ClusterComplianceScheduleConfig) error {
	_, err := c.call(ctx, &request{method: http.MethodPost, path: complianceScanPath(uid), in: cfg}, nil)
	return err
}

// UpdateComplianceScan replaces a cluster's scan schedule; a driver left out
// is no longer scheduled (PUT /v1/spectroclusters/{uid}/features/complianceScan).
func (c *Client) UpdateComplianceScan(ctx context.Context, uid string, cfg wire.ClusterComplianceScheduleConfig) error {
	_, err := c.call(ctx, &request{method: http.MethodPut, path: complianceScanPath(uid), in: cfg}, nil)
	return err
}

// RunComplianceScan starts an on-demand scan and returns its request UID,
// which the logs of its runs show as status.requestUid
// (POST /v1/spectroclusters/{uid}/features/complianceScan/onDemand).
func (c *Client) RunComplianceScan(ctx context.Context, uid string, cfg wire.ClusterComplianceOnDemandConfig) (string, error) {
	var out wire.UIDResponse
	if _, err := c.call(ctx, &request{method: http.MethodPost, path: complianceScanPath(uid) + "/onDemand", in: cfg}, &out); err != nil {
		return "", err
	}
	return out.UID, nil
}

// GetComplianceScanLogs returns every scan run of a cluster, per driver
// (GET /v1/spectroclusters/{uid}/features/complianceScan/logs/drivers).
func (c *Client) GetComplianceScanLogs(ctx context.Context, uid string) (*wire.ClusterComplianceScanLogs, error) {
	var out wire.ClusterComplianceScanLogs
	if _, err := c.call(ctx, &request{method: http.MethodGet, path: complianceScanPath(uid) + "/logs/drivers"}, &out); err != nil {
		return nil, err
	}
	return &out, nil
}

// GetKubeBenchLog returns one kube-bench run with its reports
// (GET /v1/spectroclusters/{uid}/features/complianceScan/logs/{logUid}/drivers/kubeBench).
func (c *Client) GetKubeBenchLog(ctx context.Context, uid, logUID string) (*wire.ClusterScanLogKubeBench, error) {
	var out wire.ClusterScanLogKubeBench
	if _, err := c.call(ctx, &request{method: http.MethodGet,
		path: complianceScanPath(uid) + "/logs/" + escape(logUID) + "/drivers/kubeBench"}, &out); err != nil {
		return nil, err
	}
	return &out, nil
}

// ReportScan is the agent's report of a run of a driver
// (PUT /v1/spectroclusters/{uid}/features/complianceScan/logs/drivers/{driver};
// PATCH for syft, as the spec has it). body is a wire.KubeBenchEntity,
// wire.ScanDriverEntity or wire.SyftEntity.
func (c *Client) ReportScan(ctx context.Context, uid, driver string, body any) error {
	method := http.MethodPut
	if driver == wire.DriverSyft {
		method = http.MethodPatch
	}
	_, err := c.call(ctx, &request{method: method, path: complianceScanPath(uid) + "/logs/drivers/" + escape(driver), in: body}, nil)
	return err
}
