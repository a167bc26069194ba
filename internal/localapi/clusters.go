package localapi

import (
	"context"
	"crypto/subtle"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"net/http"
	"regexp"
	"slices"
	"strconv"
	"time"

	"github.com/terraform-palette/terraform-provider-palette/internal/wire"
)

const clusterCols = `uid, scope, name, cloud_type, state, import_mode, labels, annotations, proxy,
	cloud_config_uid, manifest_token, created, modified, deleted_at, last_heartbeat,
	agent_version, agent_metadata, packs`

// clusterRow is a stored cluster.
type clusterRow struct {
	UID, Scope, Name, CloudType, State, ImportMode string
	Labels, Annotations                            map[string]string
	Proxy                                          wire.Proxy
	CloudConfigUID, ManifestToken                  string
	Created, Modified                              time.Time
	DeletedAt, LastHeartbeat                       *time.Time
	AgentVersion                                   string
	AgentMetadata                                  wire.AgentMetadata
	Packs                                          []wire.PackStatus
}

type scanner interface{ Scan(dest ...any) error }

func fromNanos(n int64) time.Time { return time.Unix(0, n).UTC() }

func scanCluster(sc scanner) (*clusterRow, error) {
	var (
		row                                     clusterRow
		labels, annotations, proxy, meta, packs string
		created, modified                       int64
		deletedAt, lastHeartbeat                sql.NullInt64
	)
	if err := sc.Scan(&row.UID, &row.Scope, &row.Name, &row.CloudType, &row.State, &row.ImportMode,
		&labels, &annotations, &proxy, &row.CloudConfigUID, &row.ManifestToken, &created, &modified,
		&deletedAt, &lastHeartbeat, &row.AgentVersion, &meta, &packs); err != nil {
		return nil, err
	}
	row.Created, row.Modified = fromNanos(created), fromNanos(modified)
	if deletedAt.Valid {
		t := fromNanos(deletedAt.Int64)
		row.DeletedAt = &t
	}
	if lastHeartbeat.Valid {
		t := fromNanos(lastHeartbeat.Int64)
		row.LastHeartbeat = &t
	}
	if err := unmarshalColumns([]string{labels, annotations, meta, packs},
		[]any{&row.Labels, &row.Annotations, &row.AgentMetadata, &row.Packs}); err != nil {
		return nil, err
	}
	if proxy != "" {
		if err := json.Unmarshal([]byte(proxy), &row.Proxy); err != nil {
			return nil, fmt.Errorf("decoding proxy: %w", err)
		}
	}
	return &row, nil
}

func unmarshalColumns(raws []string, dsts []any) error {
	for i, raw := range raws {
		if raw == "" {
			continue
		}
		if err := json.Unmarshal([]byte(raw), dsts[i]); err != nil {
			return fmt.Errorf("decoding stored column: %w", err)
		}
	}
	return nil
}

func mustJSON(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		panic(fmt.Sprintf("encoding %T: %v", v, err))
	}
	return string(b)
}

func (s *Server) expired(row *clusterRow) bool {
	return row.State == wire.StateDeleted && row.DeletedAt != nil &&
		s.now().Sub(*row.DeletedAt) > s.cfg.DeletedRetention
}

func clusterNotFound(c *call, uid string) *apiError {
	return notFound("Cluster '%s' is not found in the %s", uid, c.scopeName)
}

// findCluster loads a cluster visible to the call, or answers 404.
func (s *Server) findCluster(ctx context.Context, q queryer, c *call, uid string) (*clusterRow, error) {
	row, err := scanCluster(q.QueryRowContext(ctx, `SELECT `+clusterCols+` FROM clusters WHERE uid = ?`, uid))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, clusterNotFound(c, uid)
	}
	if err != nil {
		return nil, fmt.Errorf("loading cluster: %w", err)
	}
	if row.Scope != c.scope || s.expired(row) {
		return nil, clusterNotFound(c, uid)
	}
	s.simulate(row)
	return row, nil
}

// simulate refreshes the heartbeat of a Running cluster in SimulateAgents mode.
func (s *Server) simulate(row *clusterRow) {
	if s.cfg.SimulateAgents && (row.State == wire.StateRunning || row.State == wire.StateDeleting) {
		now := s.now().UTC()
		row.LastHeartbeat = &now
		if row.AgentVersion == "" {
			row.AgentVersion = "simulated"
		}
	}
}

var dns1123Label = regexp.MustCompile(`^[a-z0-9]([-a-z0-9]*[a-z0-9])?$`)

func validClusterName(name string) bool {
	return len(name) <= 63 && dns1123Label.MatchString(name)
}

func cloudConfigKind(cloudType string) string {
	switch cloudType {
	case wire.CloudTypeGeneric:
		return "GenericCloudConfig"
	case wire.CloudTypeAWS:
		return "AwsCloudConfig"
	case wire.CloudTypeAzure:
		return "AzureCloudConfig"
	case wire.CloudTypeGCP:
		return "GcpCloudConfig"
	case wire.CloudTypeVSphere:
		return "VsphereCloudConfig"
	case wire.CloudTypeOpenShift:
		return "OpenShiftCloudConfig"
	case wire.CloudTypeEKSAnywhere:
		return "EksAnywhereCloudConfig"
	case wire.CloudTypeMAAS:
		return "MaasCloudConfig"
	case wire.CloudTypeEdgeNative:
		return "EdgeNativeCloudConfig"
	case wire.CloudTypeApacheCloudStack:
		return "CloudStackCloudConfig"
	}
	return "CloudConfig"
}

func (s *Server) importLink(row *clusterRow) string {
	return fmt.Sprintf("kubectl apply -f %s/v1/spectroclusters/%s/import/manifest?token=%s", s.AdvertiseURL(), row.UID, row.ManifestToken)
}

func scopeAnnotation(scope string) string {
	if scope == "" {
		return "tenant"
	}
	return "project"
}

func (s *Server) objectMeta(row *clusterRow) wire.ObjectMeta {
	created, modified := row.Created, row.Modified
	ann := make(map[string]string, len(row.Annotations)+1)
	for k, v := range row.Annotations {
		ann[k] = v
	}
	ann["scope"] = scopeAnnotation(row.Scope)
	labels := make(map[string]string, len(row.Labels))
	for k, v := range row.Labels {
		labels[k] = v
	}
	return wire.ObjectMeta{
		UID: row.UID, Name: row.Name, Labels: labels, Annotations: ann,
		CreationTimestamp: &created, LastModifiedTimestamp: &modified,
	}
}

func importState(state string) string {
	switch state {
	case wire.StatePending, wire.StateImporting, wire.StateError:
		return state
	}
	return "Imported"
}

// clusterJSON builds the wire cluster (v1SpectroCluster; never null where
// Spectro's own clients dereference).
func (s *Server) clusterJSON(ctx context.Context, q queryer, row *clusterRow) (*wire.Cluster, error) {
	atts, err := loadAttachments(ctx, q, row.UID)
	if err != nil {
		return nil, err
	}
	templates := make([]wire.ClusterProfileTemplate, 0, len(atts))
	for _, a := range atts {
		templates = append(templates, attachedTemplate(a))
	}
	packs := row.Packs
	if packs == nil {
		packs = []wire.PackStatus{}
	}
	cl := &wire.Cluster{
		Metadata: s.objectMeta(row),
		Spec: wire.ClusterSpec{
			CloudType:               row.CloudType,
			CloudConfigRef:          &wire.ObjectRef{Kind: cloudConfigKind(row.CloudType), UID: row.CloudConfigUID},
			ClusterConfig:           wire.ClusterConfig{},
			ClusterProfileTemplates: templates,
		},
		Status: wire.ClusterStatus{
			State:         row.State,
			ClusterImport: &wire.ClusterImport{ImportLink: s.importLink(row), IsBrownfield: true, State: importState(row.State)},
			Packs:         packs,
			Conditions:    []wire.Condition{},
		},
	}
	if cl.Status.Location, err = loadLocation(ctx, q, row.UID); err != nil {
		return nil, err
	}
	if row.State == wire.StateRunning {
		cl.Status.SpcApply = &wire.SpcApply{ActionType: "DownloadAndInstall", CanBeApplied: row.ImportMode != wire.ImportModeReadOnly}
	}
	return cl, nil
}

func (s *Server) health(row *clusterRow) wire.Health {
	h := wire.Health{State: wire.HealthUnknown, AgentVersion: row.AgentVersion, Conditions: []wire.HealthCondition{}}
	if row.LastHeartbeat != nil {
		t := *row.LastHeartbeat
		h.LastHeartBeatTimestamp = &t
		if s.now().Sub(t) <= 3*s.cfg.HeartbeatInterval {
			h.State = wire.HealthHealthy
		} else {
			h.State = wire.HealthUnhealthy
		}
	}
	return h
}

// POST /v1/spectroclusters/{cloudType}/import.
func (s *Server) importCluster(w http.ResponseWriter, r *http.Request, c *call) error {
	cloudType := r.PathValue("cloudType")
	if !slices.Contains(wire.ImportCloudTypes, cloudType) {
		return errf(http.StatusBadRequest, wire.CodeInvalidCloudType, "cloud type '%s' cannot be imported; use one of %v", cloudType, wire.ImportCloudTypes)
	}
	var req wire.ImportRequest
	if err := decodeBody(r, &req, true); err != nil {
		return err
	}
	name := req.Metadata.Name
	if !validClusterName(name) {
		return errf(http.StatusBadRequest, wire.CodeInvalidName, "cluster name '%s' must be a DNS-1123 label of at most 63 characters", name)
	}
	mode := req.Spec.ClusterConfig.ImportMode
	if mode != wire.ImportModeReadOnly && mode != wire.ImportModeFullPermission {
		return badRequest("importMode must be '%s' or empty (Full Permission), not '%s'", wire.ImportModeReadOnly, mode)
	}
	proxy := ""
	if !req.Spec.ClusterConfig.Proxy.IsZero() {
		if mode == wire.ImportModeReadOnly {
			return errf(http.StatusBadRequest, wire.CodeProxyNotSupportedInReadOnlyMode, "proxy settings are not supported in read-only import mode; import with Full Permission")
		}
		proxy = mustJSON(req.Spec.ClusterConfig.Proxy)
	}
	annotations := map[string]string{}
	for k, v := range req.Metadata.Annotations {
		if k != "scope" {
			annotations[k] = v
		}
	}
	labels := req.Metadata.Labels
	if labels == nil {
		labels = map[string]string{}
	}
	uid := newUID()
	now := s.now().UnixNano()
	state := wire.StatePending
	var heartbeat any
	if s.cfg.SimulateAgents {
		state = wire.StateRunning
		heartbeat = now
	}
	err := s.st.write(r.Context(), func(tx *sql.Tx) error {
		var n int
		if err := tx.QueryRowContext(r.Context(), `SELECT COUNT(*) FROM clusters WHERE scope = ? AND name = ? AND state <> ?`,
			c.scope, name, wire.StateDeleted).Scan(&n); err != nil {
			return err
		}
		if n > 0 {
			return errf(http.StatusConflict, wire.CodeClusterNameAlreadyExists, "a cluster named '%s' already exists in the %s", name, c.scopeName)
		}
		_, err := tx.ExecContext(r.Context(), `INSERT INTO clusters (uid, scope, name, cloud_type, state, import_mode, labels,
			annotations, proxy, cloud_config_uid, manifest_token, created, modified, last_heartbeat)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			uid, c.scope, name, cloudType, state, mode, mustJSON(labels), mustJSON(annotations), proxy,
			newUID(), randHex(20), now, now, heartbeat)
		return err
	})
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, wire.UIDResponse{UID: uid})
	return nil
}

// GET /v1/spectroclusters/validate/name?name=.
func (s *Server) validateName(w http.ResponseWriter, r *http.Request, c *call) error {
	name := r.URL.Query().Get("name")
	if !validClusterName(name) {
		return errf(http.StatusBadRequest, wire.CodeInvalidName, "cluster name '%s' must be a DNS-1123 label of at most 63 characters", name)
	}
	var n int
	if err := s.st.db.QueryRowContext(r.Context(), `SELECT COUNT(*) FROM clusters WHERE scope = ? AND name = ? AND state <> ?`,
		c.scope, name, wire.StateDeleted).Scan(&n); err != nil {
		return err
	}
	if n > 0 {
		return errf(http.StatusConflict, wire.CodeClusterNameAlreadyExists, "a cluster named '%s' already exists in the %s", name, c.scopeName)
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// GET /v1/spectroclusters/{uid}.
func (s *Server) getCluster(w http.ResponseWriter, r *http.Request, c *call) error {
	row, err := s.findCluster(r.Context(), s.st.db, c, r.PathValue("uid"))
	if err != nil {
		return err
	}
	cl, err := s.clusterJSON(r.Context(), s.st.db, row)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, cl)
	return nil
}

func parseBoolParam(r *http.Request, name string) (bool, error) {
	v := r.URL.Query().Get(name)
	if v == "" {
		return false, nil
	}
	b, err := strconv.ParseBool(v)
	if err != nil {
		return false, badRequest("query parameter %s must be true or false, not '%s'", name, v)
	}
	return b, nil
}

// neverRegistered reports whether no agent ever reported for the cluster
// (Pending, or Importing, which stores before migration 3 set on a manifest
// fetch, without a heartbeat): there is no agent to remove itself, so a
// delete completes at once.
func neverRegistered(row *clusterRow) bool {
	return row.State == wire.StatePending || (row.State == wire.StateImporting && row.LastHeartbeat == nil)
}

// DELETE /v1/spectroclusters/{uid}?forceDelete=.
func (s *Server) deleteCluster(w http.ResponseWriter, r *http.Request, c *call) error {
	force, err := parseBoolParam(r, "forceDelete")
	if err != nil {
		return err
	}
	err = s.st.write(r.Context(), func(tx *sql.Tx) error {
		row, err := s.findCluster(r.Context(), tx, c, r.PathValue("uid"))
		if err != nil {
			return err
		}
		now := s.now().UnixNano()
		switch {
		case row.State == wire.StateDeleted:
			return nil
		case force || s.cfg.SimulateAgents || neverRegistered(row):
			_, err = tx.ExecContext(r.Context(), `UPDATE clusters SET state = ?, deleted_at = ?, modified = ? WHERE uid = ?`,
				wire.StateDeleted, now, now, row.UID)
		case row.State == wire.StateDeleting:
			return nil
		default:
			_, err = tx.ExecContext(r.Context(), `UPDATE clusters SET state = ?, modified = ? WHERE uid = ?`,
				wire.StateDeleting, now, row.UID)
		}
		return err
	})
	if err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// PATCH /v1/spectroclusters/{uid}/metadata.
func (s *Server) patchMetadata(w http.ResponseWriter, r *http.Request, c *call) error {
	var req wire.MetadataUpdate
	if err := decodeBody(r, &req, true); err != nil {
		return err
	}
	err := s.st.write(r.Context(), func(tx *sql.Tx) error {
		row, err := s.findCluster(r.Context(), tx, c, r.PathValue("uid"))
		if err != nil {
			return err
		}
		labels, annotations := row.Labels, row.Annotations
		if req.Metadata.Labels != nil {
			labels = req.Metadata.Labels
		}
		if req.Metadata.Annotations != nil {
			annotations = map[string]string{}
			for k, v := range req.Metadata.Annotations {
				if k != "scope" {
					annotations[k] = v
				}
			}
		}
		if labels == nil {
			labels = map[string]string{}
		}
		if annotations == nil {
			annotations = map[string]string{}
		}
		_, err = tx.ExecContext(r.Context(), `UPDATE clusters SET labels = ?, annotations = ?, modified = ? WHERE uid = ?`,
			mustJSON(labels), mustJSON(annotations), s.now().UnixNano(), row.UID)
		return err
	})
	if err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func gone(row *clusterRow) bool {
	return row.State == wire.StateDeleting || row.State == wire.StateDeleted
}

// PATCH /v1/spectroclusters/{uid}/import/upgrade.
func (s *Server) upgradeCluster(w http.ResponseWriter, r *http.Request, c *call) error {
	err := s.st.write(r.Context(), func(tx *sql.Tx) error {
		row, err := s.findCluster(r.Context(), tx, c, r.PathValue("uid"))
		if err != nil {
			return err
		}
		if gone(row) {
			return errf(http.StatusConflict, wire.CodeConflict, "cluster '%s' is %s", row.UID, row.State)
		}
		if row.ImportMode != wire.ImportModeReadOnly {
			return errf(http.StatusConflict, wire.CodeAlreadyFullPermission, "cluster '%s' already has Full Permission", row.UID)
		}
		_, err = tx.ExecContext(r.Context(), `UPDATE clusters SET import_mode = ?, modified = ? WHERE uid = ?`,
			wire.ImportModeFullPermission, s.now().UnixNano(), row.UID)
		return err
	})
	if err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// GET /v1/dashboard/spectroclusters/{uid}/overview: v1SpectroClusterUidSummary.
func (s *Server) overview(w http.ResponseWriter, r *http.Request, c *call) error {
	row, err := s.findCluster(r.Context(), s.st.db, c, r.PathValue("uid"))
	if err != nil {
		return err
	}
	md := s.shownMetadata(row)
	packs := row.Packs
	if packs == nil {
		packs = []wire.PackStatus{}
	}
	writeJSON(w, http.StatusOK, wire.Overview{
		Metadata: s.objectMeta(row),
		Spec:     wire.OverviewSpec{CloudConfig: cloudConfigSummary(row, md)},
		Status: wire.OverviewStatus{
			State: row.State, Health: s.health(row),
			KubeMeta: &wire.KubeMeta{KubernetesVersion: md.KubernetesVersion},
			Packs:    packs,
		},
	})
	return nil
}

// shownMetadata is what Palette shows of the facts the agent reported: a
// generic cluster shows only its region and instance types (the seed's
// limitation), a cloud-specific one all of them.
func (s *Server) shownMetadata(row *clusterRow) wire.AgentMetadata {
	md := row.AgentMetadata
	if row.CloudType == wire.CloudTypeGeneric {
		md = wire.AgentMetadata{Region: md.Region, InstanceTypes: md.InstanceTypes}
	}
	return md
}

// cloudConfigSummary is the cloudConfig of an overview or a search summary:
// one machine pool of the reported node count.
func cloudConfigSummary(row *clusterRow, md wire.AgentMetadata) wire.CloudConfigSummary {
	pools := []wire.MachinePoolSummary{}
	if md.NodeCount > 0 {
		pools = append(pools, wire.MachinePoolSummary{Size: int32(min(md.NodeCount, math.MaxInt32))}) //nolint:gosec // bounded above.
	}
	return wire.CloudConfigSummary{CloudType: row.CloudType, UID: row.CloudConfigUID, MachinePools: pools}
}

// GET /v1/spectroclusters/{uid}/assets/kubeconfig: never offered (3.9).
func (s *Server) kubeconfigAsset(_ http.ResponseWriter, r *http.Request, c *call) error {
	uid := r.PathValue("uid")
	if _, err := s.findCluster(r.Context(), s.st.db, c, uid); err != nil {
		return err
	}
	return notFound("kubeconfig of cluster '%s' is not available: imported clusters do not offer kubeconfig downloads", uid)
}

// /v1/spectroclusters/{uid}/machinePools...: not for imported clusters (3.9).
func (s *Server) clusterMachinePools(_ http.ResponseWriter, r *http.Request, c *call) error {
	if _, err := s.findCluster(r.Context(), s.st.db, c, r.PathValue("uid")); err != nil {
		return err
	}
	return errf(http.StatusBadRequest, wire.CodeNotSupportedForImportedCluster, "node pools cannot be managed on imported clusters")
}

// managedToIaaS maps managed cloud types to the IaaS type imported clusters use (3.8).
var managedToIaaS = map[string]string{"eks": wire.CloudTypeAWS, "gke": wire.CloudTypeGCP, "aks": wire.CloudTypeAzure}

// findCloudConfig finds the cluster of a cloud config; sub is the rest of
// the request path after the config UID ("" or "/clusterConfig"), which the
// advice for a managed cloud type names.
func (s *Server) findCloudConfig(ctx context.Context, q queryer, c *call, cloudType, configUID, sub string) (*clusterRow, error) {
	if iaas, ok := managedToIaaS[cloudType]; ok {
		e := errf(http.StatusBadRequest, wire.CodeUseIaaSCloudConfig,
			"imported %s clusters use the IaaS endpoint: use /v1/cloudconfigs/%s/%s%s instead of /v1/cloudconfigs/%s/%s%s",
			cloudType, iaas, configUID, sub, cloudType, configUID, sub)
		e.details = map[string]any{"path": fmt.Sprintf("/v1/cloudconfigs/%s/%s%s", iaas, configUID, sub)}
		return nil, e
	}
	var uid string
	err := q.QueryRowContext(ctx, `SELECT uid FROM clusters WHERE cloud_config_uid = ? AND cloud_type = ? AND scope = ?`,
		configUID, cloudType, c.scope).Scan(&uid)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, notFound("CloudConfig '%s' is not found in the %s", configUID, c.scopeName)
	}
	if err != nil {
		return nil, err
	}
	row, err := s.findCluster(ctx, q, c, uid)
	var ae *apiError
	if errors.As(err, &ae) {
		return nil, notFound("CloudConfig '%s' is not found in the %s", configUID, c.scopeName)
	}
	return row, err
}

// GET /v1/cloudconfigs/{cloudType}/{configUid}: the cloud config with the
// region and the instance types the agent reported, in one machine pool.
func (s *Server) getCloudConfig(w http.ResponseWriter, r *http.Request, c *call) error {
	row, err := s.findCloudConfig(r.Context(), s.st.db, c, r.PathValue("cloudType"), r.PathValue("configUid"), "")
	if err != nil {
		return err
	}
	md := s.shownMetadata(row)
	pools := []wire.MachinePoolConfig{}
	for i, it := range md.InstanceTypes {
		size := int32(0)
		if i == 0 && md.NodeCount > 0 {
			size = int32(min(md.NodeCount, math.MaxInt32)) //nolint:gosec // bounded above.
		}
		pools = append(pools, wire.MachinePoolConfig{Name: fmt.Sprintf("pool-%d", i), InstanceType: json.RawMessage(strconv.Quote(it)), Size: size})
	}
	writeJSON(w, http.StatusOK, wire.CloudConfig{
		Metadata: wire.ObjectMeta{UID: row.CloudConfigUID, Name: row.Name},
		Spec: wire.CloudConfigSpec{
			ClusterConfig:     wire.CloudConfigClusterConfig{Region: md.Region},
			MachinePoolConfig: pools,
		},
	})
	return nil
}

// PUT /v1/cloudconfigs/{cloudType}/{configUid}/clusterConfig.
func (s *Server) putCloudConfig(w http.ResponseWriter, r *http.Request, c *call) error {
	if iaas, ok := managedToIaaS[r.PathValue("cloudType")]; ok {
		_ = iaas
		_, err := s.findCloudConfig(r.Context(), s.st.db, c, r.PathValue("cloudType"), r.PathValue("configUid"), "/clusterConfig")
		return err
	}
	var req map[string]any
	if err := decodeBody(r, &req, true); err != nil {
		return err
	}
	err := s.st.write(r.Context(), func(tx *sql.Tx) error {
		row, err := s.findCloudConfig(r.Context(), tx, c, r.PathValue("cloudType"), r.PathValue("configUid"), "/clusterConfig")
		if err != nil {
			return err
		}
		return storeExtra(r.Context(), tx, row.UID, "cloudConfig", mustJSON(req))
	})
	if err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// /v1/cloudconfigs/{cloudType}/{configUid}/machinePools...: not for imported clusters.
func (s *Server) cloudConfigMachinePools(_ http.ResponseWriter, r *http.Request, c *call) error {
	ct := r.PathValue("cloudType")
	if _, ok := managedToIaaS[ct]; !ok {
		if _, err := s.findCloudConfig(r.Context(), s.st.db, c, ct, r.PathValue("configUid"), ""); err != nil {
			return err
		}
	}
	return errf(http.StatusBadRequest, wire.CodeNotSupportedForImportedCluster, "node pools cannot be managed on imported clusters")
}

func loadExtra(ctx context.Context, q queryer, clusterUID, kind string) (string, error) {
	var body string
	err := q.QueryRowContext(ctx, `SELECT body FROM cluster_extras WHERE cluster_uid = ? AND kind = ?`, clusterUID, kind).Scan(&body)
	if errors.Is(err, sql.ErrNoRows) {
		return "", nil
	}
	if err != nil {
		return "", fmt.Errorf("loading %s: %w", kind, err)
	}
	return body, nil
}

func storeExtra(ctx context.Context, tx *sql.Tx, clusterUID, kind, body string) error {
	_, err := tx.ExecContext(ctx, `INSERT INTO cluster_extras(cluster_uid, kind, body) VALUES (?, ?, ?)
		ON CONFLICT(cluster_uid, kind) DO UPDATE SET body = excluded.body`, clusterUID, kind, body)
	if err != nil {
		return fmt.Errorf("storing %s: %w", kind, err)
	}
	return nil
}

// getExtra answers a stored section 4 document, or def.
func (s *Server) getExtra(kind, def string) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request, c *call) error {
		row, err := s.findCluster(r.Context(), s.st.db, c, r.PathValue("uid"))
		if err != nil {
			return err
		}
		body, err := loadExtra(r.Context(), s.st.db, row.UID, kind)
		if err != nil {
			return err
		}
		if body == "" {
			body = def
		}
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusOK)
		_, _ = w.Write([]byte(body))
		return nil
	}
}

// putExtra stores a section 4 document whose field must be present with the
// right type (an array, or for spectroComponents "lock"|"unlock").
func (s *Server) putExtra(kind, field string) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request, c *call) error {
		var doc map[string]json.RawMessage
		if err := decodeBody(r, &doc, true); err != nil {
			return err
		}
		raw, ok := doc[field]
		if !ok {
			return badRequest("request body must carry '%s'", field)
		}
		if field == "spectroComponents" {
			var v string
			if err := json.Unmarshal(raw, &v); err != nil || (v != "lock" && v != "unlock") {
				return badRequest("spectroComponents must be 'lock' or 'unlock'")
			}
		} else {
			var v []any
			if err := json.Unmarshal(raw, &v); err != nil {
				return badRequest("'%s' must be an array", field)
			}
			if v == nil {
				doc[field] = json.RawMessage("[]")
			}
		}
		err := s.st.write(r.Context(), func(tx *sql.Tx) error {
			row, err := s.findCluster(r.Context(), tx, c, r.PathValue("uid"))
			if err != nil {
				return err
			}
			return storeExtra(r.Context(), tx, row.UID, kind, mustJSON(doc))
		})
		if err != nil {
			return err
		}
		w.WriteHeader(http.StatusNoContent)
		return nil
	}
}

// GET /v1/dashboard/projects/metadata.
func (s *Server) projectsMetadata(w http.ResponseWriter, r *http.Request, c *call) error {
	rows, err := s.st.db.QueryContext(r.Context(), `SELECT uid, name FROM projects ORDER BY name`)
	if err != nil {
		return err
	}
	defer rows.Close()
	out := wire.ProjectsMetadata{Items: []wire.ProjectMetadataItem{}}
	for rows.Next() {
		var it wire.ProjectMetadataItem
		if err := rows.Scan(&it.Metadata.UID, &it.Metadata.Name); err != nil {
			return err
		}
		if c.key.project != "" && c.key.project != it.Metadata.UID {
			continue
		}
		out.Items = append(out.Items, it)
	}
	if err := rows.Err(); err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

func constantTimeEqual(a, b string) bool {
	return subtle.ConstantTimeCompare([]byte(a), []byte(b)) == 1
}
