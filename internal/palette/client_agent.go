package palette

import (
	"context"
	"net/http"

	"github.com/terraform-palette/terraform-provider-palette/internal/wire"
)

// Methods of palette-local's agent (endpoints palette-local adds to Palette's
// API: internal/localapi/extras.go). The agent's client is built
// with Config.AgentToken, sent as "Authorization: Bearer <token>".

func agentPath(uid, suffix string) string {
	return "/v1/spectroclusters/" + escape(uid) + suffix
}

// ReportImported tells the server the agent made first contact
// (PATCH /v1/spectroclusters/{uid}/status/imported).
func (c *Client) ReportImported(ctx context.Context, uid string) error {
	_, err := c.call(ctx, &request{method: http.MethodPatch, path: agentPath(uid, "/status/imported")}, nil)
	return err
}

// Heartbeat reports the agent's liveness and the cluster's facts
// (PUT /v1/spectroclusters/{uid}/heartbeat).
func (c *Client) Heartbeat(ctx context.Context, uid string, hb wire.Heartbeat) error {
	_, err := c.call(ctx, &request{method: http.MethodPut, path: agentPath(uid, "/heartbeat"), in: hb}, nil)
	return err
}

// GetAgentDesired returns what the agent must converge to
// (GET /v1/spectroclusters/{uid}/agent/desired).
func (c *Client) GetAgentDesired(ctx context.Context, uid string) (*wire.AgentDesired, error) {
	var out wire.AgentDesired
	if _, err := c.call(ctx, &request{method: http.MethodGet, path: agentPath(uid, "/agent/desired")}, &out); err != nil {
		return nil, err
	}
	return &out, nil
}

// ReportPacks reports the state of the deployed packs
// (PATCH /v1/spectroclusters/{uid}/packs/status).
func (c *Client) ReportPacks(ctx context.Context, uid string, packs []wire.ClusterPackStatus) error {
	if packs == nil {
		packs = []wire.ClusterPackStatus{}
	}
	_, err := c.call(ctx, &request{method: http.MethodPatch, path: agentPath(uid, "/packs/status"),
		in: wire.PacksStatusRequest{Packs: packs}}, nil)
	return err
}

// ReportConfigStatus reports the namespace and RBAC entries the agent could
// not apply, replacing the previous report
// (PATCH /v1/spectroclusters/{uid}/config/status).
func (c *Client) ReportConfigStatus(ctx context.Context, uid string, st wire.ConfigStatusRequest) error {
	if st.Namespaces == nil {
		st.Namespaces = []wire.ConfigEntryStatus{}
	}
	if st.Rbacs == nil {
		st.Rbacs = []wire.ConfigEntryStatus{}
	}
	_, err := c.call(ctx, &request{method: http.MethodPatch, path: agentPath(uid, "/config/status"), in: st}, nil)
	return err
}

// ReportAgentRemoved tells the server the agent removed itself
// (PATCH /v1/spectroclusters/{uid}/status/agentRemoved).
func (c *Client) ReportAgentRemoved(ctx context.Context, uid string) error {
	_, err := c.call(ctx, &request{method: http.MethodPatch, path: agentPath(uid, "/status/agentRemoved")}, nil)
	return err
}
