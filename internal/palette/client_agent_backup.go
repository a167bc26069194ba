package palette

import (
	"context"
	"net/http"

	"github.com/terraform-palette/terraform-provider-palette/internal/wire"
)

// GetAgentBackupWork returns the agent's backup schedule and the backups,
// deletions and restores it must run (GET /v1/spectroclusters/{uid}/agent/backups).
func (c *Client) GetAgentBackupWork(ctx context.Context, uid string) (*wire.AgentBackupWork, error) {
	var out wire.AgentBackupWork
	if _, err := c.call(ctx, &request{method: http.MethodGet, path: agentPath(uid, "/agent/backups")}, &out); err != nil {
		return nil, err
	}
	return &out, nil
}

// ReportBackups reports the end of backups and restores
// (PATCH /v1/spectroclusters/{uid}/agent/backups/status).
func (c *Client) ReportBackups(ctx context.Context, uid string, rep wire.AgentBackupReport) error {
	if rep.Backups == nil {
		rep.Backups = []wire.AgentBackupResult{}
	}
	if rep.Restores == nil {
		rep.Restores = []wire.AgentRestoreResult{}
	}
	_, err := c.call(ctx, &request{method: http.MethodPatch, path: agentPath(uid, "/agent/backups/status"), in: rep}, nil)
	return err
}
