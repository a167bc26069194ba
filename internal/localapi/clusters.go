package localapi

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"maps"
	"net/http"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"k8s.io/apimachinery/pkg/util/validation"

	"github.com/terraform-palette/terraform-provider-palette/internal/wire"
)

func (s *Server) expired(row *clusterRow) bool {
	return row.State == wire.StateDeleted && row.DeletedAt != nil &&
		s.now().Sub(*row.DeletedAt) > s.cfg.DeletedRetention
}

func clusterNotFound(c *call, uid string) *apiError {
	return notFound("Cluster '%s' is not found in the %s", uid, c.scopeName)
}

// findCluster loads a cluster visible to the call, or answers 404.
func (s *Server) findCluster(ctx context.Context, q queryer, c *call, uid string) (*clusterRow, error) {
	row, err := loadCluster(ctx, q, uid)
	if errors.Is(err, errNotFound) {
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

// checkClusterName answers 400 InvalidName unless name is a DNS-1123 label
// of at most 63 characters.
func checkClusterName(name string) error {
	if len(name) <= 63 && dns1123Label.MatchString(name) {
		return nil
	}
	return errf(http.StatusBadRequest, wire.CodeInvalidName, "cluster name '%s' must be a DNS-1123 label of at most 63 characters", name)
}

// checkLabels answers 400 BadRequest, naming the key, unless every label
// is one Kubernetes accepts: a qualified name as key ([prefix/]name, the
// prefix a DNS subdomain, the name at most 63 characters of alphanumerics,
// '-', '_' and '.'), and a value of at most 63 such characters (or empty).
// where names the labels in the message ("metadata.labels").
func checkLabels(where string, labels map[string]string) error {
	keys := slices.Sorted(maps.Keys(labels))
	for _, k := range keys {
		if msgs := validation.IsQualifiedName(k); len(msgs) > 0 {
			return badRequest("%s: label key %s is not a valid Kubernetes label key: %s", where, quoteShort(k), strings.Join(msgs, "; "))
		}
		if msgs := validation.IsValidLabelValue(labels[k]); len(msgs) > 0 {
			return badRequest("%s: the value of label %s is not a valid Kubernetes label value: %s", where, quoteShort(k), strings.Join(msgs, "; "))
		}
	}
	return nil
}

// quoteShort quotes s for a message, cut to its first 63 characters (with
// its length) when it is longer.
func quoteShort(s string) string {
	const keep = 63
	if r := []rune(s); len(r) > keep {
		return fmt.Sprintf("'%s…' (%d characters)", string(r[:keep]), len(r))
	}
	return "'" + s + "'"
}

// checkNameFree answers 409 ClusterNameAlreadyExists when a cluster of the
// call's scope that is not Deleted has the name.
func checkNameFree(ctx context.Context, q queryer, c *call, name string) error {
	taken, err := clusterNameTaken(ctx, q, c.scope, name)
	if err != nil {
		return err
	}
	if taken {
		return errf(http.StatusConflict, wire.CodeClusterNameAlreadyExists, "a cluster named '%s' already exists in the %s", name, c.scopeName)
	}
	return nil
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
func (s *Server) clusterJSON(ctx context.Context, q queryer, row *clusterRow) (*wire.SpectroCluster, error) {
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
		packs = []wire.ClusterPackStatus{}
	}
	cl := &wire.SpectroCluster{
		Metadata: s.objectMeta(row),
		Spec: wire.SpectroClusterSpec{
			CloudType:               row.CloudType,
			CloudConfigRef:          &wire.ObjectReference{Kind: cloudConfigKind(row.CloudType), UID: row.CloudConfigUID},
			ClusterConfig:           wire.ClusterConfig{},
			ClusterProfileTemplates: templates,
		},
		Status: wire.SpectroClusterStatus{
			State:         row.State,
			ClusterImport: &wire.ClusterImport{ImportLink: s.importLink(row), IsBrownfield: true, State: importState(row.State)},
			Packs:         packs,
			Conditions:    []wire.ClusterCondition{},
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
	if err := checkClusterName(name); err != nil {
		return err
	}
	if err := checkLabels("metadata.labels", req.Metadata.Labels); err != nil {
		return err
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
		if err := checkNameFree(r.Context(), tx, c, name); err != nil {
			return err
		}
		return insertCluster(r.Context(), tx, newCluster{
			UID: uid, Scope: c.scope, Name: name, CloudType: cloudType, State: state, ImportMode: mode,
			Labels: mustJSON(labels), Annotations: mustJSON(annotations), Proxy: proxy,
			Created: now, LastHeartbeat: heartbeat,
		})
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
	if err := checkClusterName(name); err != nil {
		return err
	}
	if err := checkNameFree(r.Context(), s.st.db, c, name); err != nil {
		return err
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
	return s.updateCluster(w, r, c, func(ctx context.Context, tx *sql.Tx, row *clusterRow) error {
		now := s.now().UnixNano()
		switch {
		case row.State == wire.StateDeleted:
			return nil
		case force || s.cfg.SimulateAgents || neverRegistered(row):
			return markClusterDeleted(ctx, tx, row.UID, now)
		case row.State == wire.StateDeleting:
			return nil
		default:
			return setClusterState(ctx, tx, row.UID, wire.StateDeleting, now)
		}
	})
}

// PATCH /v1/spectroclusters/{uid}/metadata.
func (s *Server) patchMetadata(w http.ResponseWriter, r *http.Request, c *call) error {
	var req wire.ObjectMetaInputEntitySchema
	if err := decodeBody(r, &req, true); err != nil {
		return err
	}
	if err := checkLabels("metadata.labels", req.Metadata.Labels); err != nil {
		return err
	}
	return s.updateCluster(w, r, c, func(ctx context.Context, tx *sql.Tx, row *clusterRow) error {
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
		return setClusterMetadata(ctx, tx, row.UID, mustJSON(labels), mustJSON(annotations), s.now().UnixNano())
	})
}

func gone(row *clusterRow) bool {
	return row.State == wire.StateDeleting || row.State == wire.StateDeleted
}

// PATCH /v1/spectroclusters/{uid}/import/upgrade.
func (s *Server) upgradeCluster(w http.ResponseWriter, r *http.Request, c *call) error {
	return s.updateCluster(w, r, c, func(ctx context.Context, tx *sql.Tx, row *clusterRow) error {
		if gone(row) {
			return errf(http.StatusConflict, wire.CodeConflict, "cluster '%s' is %s", row.UID, row.State)
		}
		if row.ImportMode != wire.ImportModeReadOnly {
			return errf(http.StatusConflict, wire.CodeAlreadyFullPermission, "cluster '%s' already has Full Permission", row.UID)
		}
		return setImportMode(ctx, tx, row.UID, wire.ImportModeFullPermission, s.now().UnixNano())
	})
}

// updateCluster runs fn in one write transaction with the cluster of the
// path, visible to the call (404 otherwise), and answers 204 No Content
// when fn succeeds.
func (s *Server) updateCluster(w http.ResponseWriter, r *http.Request, c *call, fn func(ctx context.Context, tx *sql.Tx, row *clusterRow) error) error {
	ctx := r.Context()
	err := s.st.write(ctx, func(tx *sql.Tx) error {
		row, err := s.findCluster(ctx, tx, c, r.PathValue("uid"))
		if err != nil {
			return err
		}
		return fn(ctx, tx, row)
	})
	if err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}
