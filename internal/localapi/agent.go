package localapi

import (
	"database/sql"
	"fmt"
	"math"
	"net/http"

	"github.com/terraform-palette/terraform-provider-palette/internal/manifest"
	"github.com/terraform-palette/terraform-provider-palette/internal/palette"
)

// GET /v1/spectroclusters/{uid}/import/manifest (3.2): every fetch issues a
// fresh agent token; every token of a cluster stays valid until it is Deleted.
func (s *Server) importManifest(w http.ResponseWriter, r *http.Request, c *call) error {
	uid := r.PathValue("uid")
	agentToken := randHex(32)
	var body []byte
	err := s.st.write(r.Context(), func(tx *sql.Tx) error {
		row, err := s.findCluster(r.Context(), tx, c, uid)
		if err != nil {
			if c.tokenCluster != "" {
				return unauthorized("invalid manifest token")
			}
			return err
		}
		switch row.State {
		case palette.StateDeleted:
			return clusterNotFound(c, uid)
		case palette.StateDeleting:
			return errf(http.StatusConflict, palette.CodeConflict, "cluster '%s' is being deleted", uid)
		}
		p := manifest.Params{
			ClusterUID:    row.UID,
			APIEndpoint:   s.AdvertiseURL(),
			ImportMode:    row.ImportMode,
			AgentToken:    agentToken,
			AgentImage:    s.cfg.AgentImage,
			CACertificate: s.caPEM,
		}
		if !row.Proxy.IsZero() {
			proxy := row.Proxy
			p.Proxy = &proxy
		}
		body, err = renderManifest(p)
		if err != nil {
			return err
		}
		now := s.now().UnixNano()
		if _, err := tx.ExecContext(r.Context(), `INSERT INTO agent_tokens(hash, cluster_uid, created) VALUES (?, ?, ?)`,
			hashSecret(agentToken), row.UID, now); err != nil {
			return err
		}
		if row.State == palette.StatePending {
			_, err = tx.ExecContext(r.Context(), `UPDATE clusters SET state = ?, modified = ? WHERE uid = ?`,
				palette.StateImporting, now, row.UID)
		}
		return err
	})
	if err != nil {
		return err
	}
	w.Header().Set("Content-Type", "application/octet-stream")
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(body)
	return nil
}

// renderManifest calls manifest.Render and turns a panic into an error.
func renderManifest(p manifest.Params) (out []byte, err error) {
	defer func() {
		if rec := recover(); rec != nil {
			err = fmt.Errorf("rendering the import manifest: %v", rec)
		}
	}()
	out, err = manifest.Render(p)
	if err != nil {
		return nil, fmt.Errorf("rendering the import manifest: %w", err)
	}
	return out, nil
}

// PATCH /v1/spectroclusters/{uid}/status/imported: the agent's first contact.
func (s *Server) agentImported(w http.ResponseWriter, r *http.Request, c *call) error {
	err := s.st.write(r.Context(), func(tx *sql.Tx) error {
		var state string
		if err := tx.QueryRowContext(r.Context(), `SELECT state FROM clusters WHERE uid = ?`, c.agentCluster).Scan(&state); err != nil {
			return err
		}
		switch state {
		case palette.StatePending, palette.StateImporting, palette.StateError:
			_, err := tx.ExecContext(r.Context(), `UPDATE clusters SET state = ?, modified = ? WHERE uid = ?`,
				palette.StateRunning, s.now().UnixNano(), c.agentCluster)
			return err
		}
		return nil
	})
	if err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// PUT /v1/spectroclusters/{uid}/heartbeat.
func (s *Server) agentHeartbeat(w http.ResponseWriter, r *http.Request, c *call) error {
	var hb palette.Heartbeat
	if err := decodeBody(r, &hb, false); err != nil {
		return err
	}
	err := s.st.write(r.Context(), func(tx *sql.Tx) error {
		_, err := tx.ExecContext(r.Context(), `UPDATE clusters SET last_heartbeat = ?, agent_version = ?, agent_metadata = ? WHERE uid = ?`,
			s.now().UnixNano(), hb.AgentVersion, mustJSON(hb.Metadata), c.agentCluster)
		return err
	})
	if err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// GET /v1/spectroclusters/{uid}/agent/desired.
func (s *Server) agentDesired(w http.ResponseWriter, r *http.Request, c *call) error {
	var mode, state string
	if err := s.st.db.QueryRowContext(r.Context(), `SELECT import_mode, state FROM clusters WHERE uid = ?`, c.agentCluster).Scan(&mode, &state); err != nil {
		return err
	}
	atts, err := loadAttachments(r.Context(), s.st.db, c.agentCluster)
	if err != nil {
		return err
	}
	out := palette.AgentDesired{
		ImportMode:               mode,
		Deleting:                 state == palette.StateDeleting,
		Profiles:                 make([]palette.DesiredProfile, 0, len(atts)),
		HeartbeatIntervalSeconds: max(1, int(math.Ceil(s.cfg.HeartbeatInterval.Seconds()))),
	}
	for _, a := range atts {
		packs := a.published.Packs
		if packs == nil {
			packs = []palette.Pack{}
		}
		out.Profiles = append(out.Profiles, palette.DesiredProfile{
			UID: a.profileUID, Name: a.name, Packs: packs, PackValues: a.packValues, Variables: a.variables,
		})
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

// PATCH /v1/spectroclusters/{uid}/packs/status: replaces status.packs.
func (s *Server) agentPacksStatus(w http.ResponseWriter, r *http.Request, c *call) error {
	var req palette.PacksStatusRequest
	if err := decodeBody(r, &req, true); err != nil {
		return err
	}
	packs := req.Packs
	if packs == nil {
		packs = []palette.PackStatus{}
	}
	err := s.st.write(r.Context(), func(tx *sql.Tx) error {
		_, err := tx.ExecContext(r.Context(), `UPDATE clusters SET packs = ?, modified = ? WHERE uid = ?`,
			mustJSON(packs), s.now().UnixNano(), c.agentCluster)
		return err
	})
	if err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// PATCH /v1/spectroclusters/{uid}/status/agentRemoved: the cluster is Deleted.
func (s *Server) agentRemoved(w http.ResponseWriter, r *http.Request, c *call) error {
	err := s.st.write(r.Context(), func(tx *sql.Tx) error {
		now := s.now().UnixNano()
		_, err := tx.ExecContext(r.Context(), `UPDATE clusters SET state = ?, deleted_at = ?, modified = ? WHERE uid = ? AND state <> ?`,
			palette.StateDeleted, now, now, c.agentCluster, palette.StateDeleted)
		return err
	})
	if err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}
