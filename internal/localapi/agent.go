package localapi

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"math"
	"net/http"
	"slices"

	"github.com/terraform-palette/terraform-provider-palette/internal/manifest"
	"github.com/terraform-palette/terraform-provider-palette/internal/wire"
)

// GET /v1/spectroclusters/{uid}/import/manifest. The cluster's agent
// credential is minted by the first fetch and stored, so every fetch serves
// the same manifest (a GitOps repository or palette_import_manifest stays
// stable) until the credentials are rotated (RotateCredentials). A fetch
// changes nothing else: the cluster stays Pending until its agent reports
// first contact. A cluster being deleted still serves its manifest (a read
// does not fail because of a delete; an agent installed from it sees the
// delete and removes itself).
func (s *Server) importManifest(w http.ResponseWriter, r *http.Request, c *call) error {
	uid := r.PathValue("uid")
	var body []byte
	err := s.st.write(r.Context(), func(tx *sql.Tx) error {
		row, err := s.findCluster(r.Context(), tx, c, uid)
		if err != nil {
			if c.tokenCluster != "" {
				return unauthorized("invalid manifest token")
			}
			return err
		}
		if row.State == wire.StateDeleted {
			return clusterNotFound(c, uid)
		}
		agentToken, err := agentCredential(r.Context(), tx, row.UID, s.now())
		if err != nil {
			return err
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

// RotateCredentials replaces a cluster's import link token and agent
// credential (palette-local cluster rotate-credentials): the old link and
// every agent credential issued so far stop working at once, and the next
// manifest fetch mints a new credential. An installed agent needs the new
// manifest applied. It returns the new import link (the kubectl command).
func (s *Server) RotateCredentials(ctx context.Context, clusterUID string) (string, error) {
	var link string
	err := s.st.write(ctx, func(tx *sql.Tx) error {
		row, err := loadCluster(ctx, tx, clusterUID)
		if errors.Is(err, errNotFound) || (err == nil && row.State == wire.StateDeleted) {
			return fmt.Errorf("cluster %s: %w", clusterUID, errNotFound)
		}
		if err != nil {
			return fmt.Errorf("loading cluster %s: %w", clusterUID, err)
		}
		row.ManifestToken = randHex(20)
		if err := replaceCredentials(ctx, tx, clusterUID, row.ManifestToken, s.now().UnixNano()); err != nil {
			return err
		}
		link = s.importLink(row)
		return nil
	})
	if err != nil {
		return "", fmt.Errorf("rotating the credentials of cluster %s: %w", clusterUID, err)
	}
	return link, nil
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
		state, err := clusterState(r.Context(), tx, c.agentCluster)
		if err != nil {
			return err
		}
		switch state {
		case wire.StatePending, wire.StateImporting, wire.StateError:
			return setClusterState(r.Context(), tx, c.agentCluster, wire.StateRunning, s.now().UnixNano())
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
	var hb wire.Heartbeat
	if err := decodeBody(r, &hb, false); err != nil {
		return err
	}
	err := s.st.write(r.Context(), func(tx *sql.Tx) error {
		return recordHeartbeat(r.Context(), tx, c.agentCluster, s.now().UnixNano(), hb.AgentVersion, hb.Metadata)
	})
	if err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// GET /v1/spectroclusters/{uid}/agent/desired.
func (s *Server) agentDesired(w http.ResponseWriter, r *http.Request, c *call) error {
	mode, state, err := clusterModeAndState(r.Context(), s.st.db, c.agentCluster)
	if err != nil {
		return err
	}
	atts, err := loadAttachments(r.Context(), s.st.db, c.agentCluster)
	if err != nil {
		return err
	}
	out := wire.AgentDesired{
		ImportMode:               mode,
		Deleting:                 state == wire.StateDeleting,
		Profiles:                 make([]wire.DesiredProfile, 0, len(atts)),
		HeartbeatIntervalSeconds: max(1, int(math.Ceil(s.cfg.HeartbeatInterval.Seconds()))),
	}
	for _, a := range atts {
		packs := a.published.Packs
		if packs == nil {
			packs = []wire.Pack{}
		}
		out.Profiles = append(out.Profiles, wire.DesiredProfile{
			UID: a.profileUID, Name: a.name, Packs: packs, PackValues: a.packValues, Variables: a.variables,
		})
	}
	if mode != wire.ImportModeReadOnly {
		if out.Namespaces, out.Rbacs, err = desiredConfig(r.Context(), s.st.db, c.agentCluster); err != nil {
			return err
		}
		if out.ComplianceScan, err = desiredComplianceScan(r.Context(), s.st.db, c.agentCluster); err != nil {
			return err
		}
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

// desiredConfig is the cluster's namespace and RBAC entries for its agent,
// without their status (the agent's own report).
func desiredConfig(ctx context.Context, q queryer, clusterUID string) ([]wire.ClusterNamespaceResource, []wire.ClusterRbac, error) {
	nsEntries, err := loadConfigEntries(ctx, q, clusterUID, kindNamespaces)
	if err != nil {
		return nil, nil, err
	}
	rbacEntries, err := loadConfigEntries(ctx, q, clusterUID, kindRbacs)
	if err != nil {
		return nil, nil, err
	}
	var namespaces []wire.ClusterNamespaceResource
	for _, e := range nsEntries {
		item, err := namespaceResource(e)
		if err != nil {
			return nil, nil, err
		}
		item.Status = nil
		namespaces = append(namespaces, item)
	}
	var rbacs []wire.ClusterRbac
	for _, e := range rbacEntries {
		item, err := rbacResource(e)
		if err != nil {
			return nil, nil, err
		}
		item.Status = nil
		rbacs = append(rbacs, item)
	}
	return namespaces, rbacs, nil
}

// maxConfigErrors bounds the errors stored for one entry, and
// maxConfigErrorText the length of each of their texts.
const (
	maxConfigErrors    = 20
	maxConfigErrorText = 4096
)

// PATCH /v1/spectroclusters/{uid}/config/status: replaces the errors of the
// cluster's namespace and RBAC entries (status.errors).
func (s *Server) agentConfigStatus(w http.ResponseWriter, r *http.Request, c *call) error {
	var req wire.ConfigStatusRequest
	if err := decodeBody(r, &req, true); err != nil {
		return err
	}
	byKind := map[string]map[string][]wire.ClusterResourceError{}
	for kind, list := range map[string][]wire.ConfigEntryStatus{kindNamespaces: req.Namespaces, kindRbacs: req.Rbacs} {
		m := map[string][]wire.ClusterResourceError{}
		for i, st := range list {
			if st.UID == "" {
				return badRequest("%s[%d].uid is required", kind, i)
			}
			if len(st.Errors) > maxConfigErrors {
				return badRequest("%s[%d] has %d errors, more than %d", kind, i, len(st.Errors), maxConfigErrors)
			}
			for _, e := range st.Errors {
				if len(e.Msg) > maxConfigErrorText || len(e.Name) > maxConfigErrorText || len(e.ResourceType) > maxConfigErrorText {
					return badRequest("%s[%d]: an error text is longer than %d bytes", kind, i, maxConfigErrorText)
				}
				// errors is a set (uniqueItems).
				if !slices.Contains(m[st.UID], e) {
					m[st.UID] = append(m[st.UID], e)
				}
			}
		}
		byKind[kind] = m
	}
	err := s.st.write(r.Context(), func(tx *sql.Tx) error {
		for kind, m := range byKind {
			if err := setConfigErrors(r.Context(), tx, c.agentCluster, kind, m); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// PATCH /v1/spectroclusters/{uid}/packs/status: replaces status.packs.
func (s *Server) agentPacksStatus(w http.ResponseWriter, r *http.Request, c *call) error {
	var req wire.PacksStatusRequest
	if err := decodeBody(r, &req, true); err != nil {
		return err
	}
	packs := req.Packs
	if packs == nil {
		packs = []wire.ClusterPackStatus{}
	}
	err := s.st.write(r.Context(), func(tx *sql.Tx) error {
		if err := onlyDesiredPacks(r.Context(), tx, c.agentCluster, packs); err != nil {
			return err
		}
		return setClusterPacks(r.Context(), tx, c.agentCluster, packs, s.now().UnixNano())
	})
	if err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// onlyDesiredPacks refuses a report on a pack that is not one of the packs
// of the profiles attached to the cluster: an agent reports exactly those,
// so anything else is forged (or raced a detach, and the agent's next poll
// reports the new set).
func onlyDesiredPacks(ctx context.Context, tx *sql.Tx, clusterUID string, packs []wire.ClusterPackStatus) error {
	if len(packs) == 0 {
		return nil
	}
	atts, err := loadAttachments(ctx, tx, clusterUID)
	if err != nil {
		return err
	}
	desired := map[[2]string]bool{}
	for _, a := range atts {
		for _, p := range a.published.Packs {
			desired[[2]string{a.profileUID, p.Name}] = true
		}
	}
	for _, p := range packs {
		if !desired[[2]string{p.ProfileUID, p.Name}] {
			return errf(http.StatusConflict, wire.CodeConflict,
				"pack '%s' of profile '%s' is not attached to cluster '%s': the agent may report only the packs it was asked to deploy",
				p.Name, p.ProfileUID, clusterUID)
		}
	}
	return nil
}

// PATCH /v1/spectroclusters/{uid}/status/agentRemoved: the cluster is
// Deleted. Only a cluster Palette was told to delete (state Deleting) may
// be: an agent credential cannot deregister a cluster by itself.
func (s *Server) agentRemoved(w http.ResponseWriter, r *http.Request, c *call) error {
	err := s.st.write(r.Context(), func(tx *sql.Tx) error {
		state, err := clusterState(r.Context(), tx, c.agentCluster)
		if err != nil {
			return err
		}
		if state != wire.StateDeleting {
			return errf(http.StatusConflict, wire.CodeConflict,
				"cluster '%s' is %s: Palette has not been asked to delete it, so its agent may not report that it removed itself", c.agentCluster, state)
		}
		now := s.now().UnixNano()
		return markClusterRemoved(r.Context(), tx, c.agentCluster, now)
	})
	if err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}
