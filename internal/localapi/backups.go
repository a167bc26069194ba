package localapi

// Backup locations (/v1/users/assets/locations/s3 and …/minio, with
// …/{uid}; DELETE /v1/users/assets/locations/{uid}), a cluster's backup
// schedule (/v1/spectroclusters/{uid}/features/backup), its on-demand
// backups (…/backup/onDemand, deleted by …/backup/{backupName}/request/{requestUid})
// and the restores (…/features/restore, …/restore/onDemand), which the
// cluster's agent runs (GET …/agent/backups, PATCH …/agent/backups/status:
// extras.go).
//
// Locations are the tenant's; their secret key is kept for the agents and
// never shown again (an update without one keeps it). Backups and restores
// need Full Permission, for the cluster and for a restore's destination.

import (
	"context"
	"crypto/x509"
	"database/sql"
	"encoding/pem"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"k8s.io/apimachinery/pkg/util/validation"

	"github.com/terraform-palette/terraform-provider-palette/internal/backup"
	"github.com/terraform-palette/terraform-provider-palette/internal/wire"
)

// Actors of a backup request (v1ClusterFeatureActor.actorType).
const (
	actorOnDemand = "onDemand"
	actorSchedule = "schedule"
)

// maxBackupMsg bounds the message an agent reports for a backup or restore.
const maxBackupMsg = 4096

// POST /v1/users/assets/locations/{s3,minio}.
func (s *Server) createBackupLocation(locationType string) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request, c *call) error {
		var req wire.UserAssetsLocationS3
		if err := decodeBody(r, &req, true); err != nil {
			return err
		}
		if err := checkLocation(locationType, &req, nil); err != nil {
			return err
		}
		now := s.now().UTC()
		l := &locationRow{UID: newUID(), Name: req.Metadata.Name, Type: locationType, Config: *req.Spec.Config,
			IsDefault: req.Spec.IsDefault, Created: now, Modified: now}
		if err := s.st.write(r.Context(), func(tx *sql.Tx) error {
			if err := locationNameFree(r.Context(), tx, l.Name, ""); err != nil {
				return err
			}
			return storeBackupLocation(r.Context(), tx, l)
		}); err != nil {
			return err
		}
		writeJSON(w, http.StatusCreated, wire.UIDResponse{UID: l.UID})
		return nil
	}
}

// GET /v1/users/assets/locations/{s3,minio}/{uid}: without the secret key.
func (s *Server) getBackupLocation(locationType string) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request, c *call) error {
		l, err := findLocation(r.Context(), s.st.db, locationType, r.PathValue("uid"))
		if err != nil {
			return err
		}
		cfg := l.Config
		cfg.Credentials = &wire.AwsCloudAccount{AccessKey: l.Config.Credentials.AccessKey, CredentialType: "secret"}
		writeJSON(w, http.StatusOK, wire.UserAssetsLocationS3{
			Metadata: wire.ObjectMetaInputEntity{Name: l.Name},
			Spec:     &wire.UserAssetsLocationS3Spec{Config: &cfg, IsDefault: l.IsDefault, Type: l.Type},
		})
		return nil
	}
}

// PUT /v1/users/assets/locations/{s3,minio}/{uid}: a body without a secret
// key keeps the stored one.
func (s *Server) putBackupLocation(locationType string) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request, c *call) error {
		var req wire.UserAssetsLocationS3
		if err := decodeBody(r, &req, true); err != nil {
			return err
		}
		err := s.st.write(r.Context(), func(tx *sql.Tx) error {
			l, err := findLocation(r.Context(), tx, locationType, r.PathValue("uid"))
			if err != nil {
				return err
			}
			if err := checkLocation(locationType, &req, l); err != nil {
				return err
			}
			if err := locationNameFree(r.Context(), tx, req.Metadata.Name, l.UID); err != nil {
				return err
			}
			secret := l.Config.Credentials.SecretKey
			l.Name, l.Config, l.IsDefault, l.Modified = req.Metadata.Name, *req.Spec.Config, req.Spec.IsDefault, s.now().UTC()
			if l.Config.Credentials.SecretKey == "" {
				l.Config.Credentials.SecretKey = secret
			}
			return storeBackupLocation(r.Context(), tx, l)
		})
		if err != nil {
			return err
		}
		w.WriteHeader(http.StatusNoContent)
		return nil
	}
}

// GET /v1/users/assets/locations.
func (s *Server) listBackupLocations(w http.ResponseWriter, r *http.Request, c *call) error {
	rows, err := loadBackupLocations(r.Context(), s.st.db)
	if err != nil {
		return err
	}
	out := wire.UserAssetsLocations{Items: make([]wire.UserAssetsLocation, 0, len(rows))}
	for _, l := range rows {
		created, modified := l.Created, l.Modified
		out.Items = append(out.Items, wire.UserAssetsLocation{
			Metadata: wire.ObjectMeta{UID: l.UID, Name: l.Name, CreationTimestamp: &created, LastModifiedTimestamp: &modified},
			Spec:     wire.UserAssetsLocationSpec{IsDefault: l.IsDefault, Storage: l.Type, Type: l.Type},
		})
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

// DELETE /v1/users/assets/locations/{uid} and …/s3/{uid}: 409 while a
// cluster's schedule uses it.
func (s *Server) deleteBackupLocation(locationType string) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request, c *call) error {
		err := s.st.write(r.Context(), func(tx *sql.Tx) error {
			l, err := findLocation(r.Context(), tx, locationType, r.PathValue("uid"))
			if err != nil {
				return err
			}
			var cluster string
			err = tx.QueryRowContext(r.Context(), `SELECT cluster_uid FROM cluster_extras WHERE kind = ?
				AND json_extract(body, '$.config.backupLocationUid') = ? LIMIT 1`, extraBackupSchedule, l.UID).Scan(&cluster)
			switch {
			case err == nil:
				return errf(http.StatusConflict, wire.CodeConflict, "location '%s' is used by the backup schedule of cluster '%s'", l.UID, cluster)
			case !errors.Is(err, sql.ErrNoRows):
				return fmt.Errorf("looking for schedules of location %s: %w", l.UID, err)
			}
			_, err = tx.ExecContext(r.Context(), `DELETE FROM backup_locations WHERE uid = ?`, l.UID)
			return err
		})
		if err != nil {
			return err
		}
		w.WriteHeader(http.StatusNoContent)
		return nil
	}
}

// findLocation reads a location of the type ("" for any), or answers 404.
func findLocation(ctx context.Context, q queryer, locationType, uid string) (*locationRow, error) {
	l, err := loadBackupLocation(ctx, q, uid)
	if errors.Is(err, errNotFound) || (err == nil && locationType != "" && l.Type != locationType) {
		return nil, notFound("location '%s' is not found", uid)
	}
	return l, err
}

func locationNameFree(ctx context.Context, q queryer, name, self string) error {
	var uid string
	err := q.QueryRowContext(ctx, `SELECT uid FROM backup_locations WHERE name = ?`, name).Scan(&uid)
	switch {
	case errors.Is(err, sql.ErrNoRows) || (err == nil && uid == self):
		return nil
	case err != nil:
		return fmt.Errorf("looking up location %q: %w", name, err)
	}
	return errf(http.StatusConflict, wire.CodeConflict, "a location named '%s' exists (%s)", name, uid)
}

// checkLocation validates a location as created (old nil) or updated.
func checkLocation(locationType string, req *wire.UserAssetsLocationS3, old *locationRow) error {
	if req.Metadata.Name == "" {
		return badRequest("metadata.name is required")
	}
	if req.Spec == nil || req.Spec.Config == nil {
		return badRequest("spec.config is required")
	}
	if t := req.Spec.Type; t != "" && t != locationType {
		return badRequest("spec.type '%s' is not the location type of the path, '%s'", t, locationType)
	}
	cfg := req.Spec.Config
	if err := backup.CheckBucketName(cfg.BucketName); err != nil {
		return badRequest("spec.config.bucketName: %v", err)
	}
	if cfg.Region == "" {
		return badRequest("spec.config.region is required")
	}
	if cfg.Credentials == nil || cfg.Credentials.AccessKey == "" {
		return badRequest("spec.config.credentials.accessKey is required")
	}
	if cfg.Credentials.SecretKey == "" && old == nil {
		return badRequest("spec.config.credentials.secretKey is required")
	}
	if t := cfg.Credentials.CredentialType; t != "" && t != "secret" {
		return badRequest("spec.config.credentials.credentialType '%s': palette-local takes access keys only ('secret')", t)
	}
	if cfg.S3URL == "" && locationType == wire.LocationTypeMinio {
		return badRequest("spec.config.s3Url is required for a MinIO location")
	}
	if cfg.S3URL != "" {
		u, err := url.Parse(cfg.S3URL)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return badRequest("spec.config.s3Url '%s' is not an http or https URL", cfg.S3URL)
		}
	}
	if cfg.CaCert != "" {
		if err := checkCACert(cfg.CaCert); err != nil {
			return badRequest("spec.config.caCert: %v", err)
		}
	}
	return nil
}

// checkCACert reports why pemText is not one or more PEM certificates.
func checkCACert(pemText string) error {
	rest, n := []byte(pemText), 0
	for {
		var block *pem.Block
		block, rest = pem.Decode(rest)
		if block == nil {
			break
		}
		if _, err := x509.ParseCertificate(block.Bytes); err != nil {
			return fmt.Errorf("certificate %d does not parse: %w", n+1, err)
		}
		n++
	}
	if n == 0 || strings.TrimSpace(string(rest)) != "" {
		return errors.New("not a PEM certificate")
	}
	return nil
}

// GET /v1/spectroclusters/{uid}/features/backup[?backupRequestUid=].
func (s *Server) getClusterBackup(w http.ResponseWriter, r *http.Request, c *call) error {
	row, err := s.liveCluster(r.Context(), s.st.db, c, r.PathValue("uid"))
	if err != nil {
		return err
	}
	sch, err := loadBackupSchedule(r.Context(), s.st.db, row.UID)
	if err != nil {
		return err
	}
	backups, err := loadBackups(r.Context(), s.st.db, row.UID, false)
	if err != nil {
		return err
	}
	if sch == nil && len(backups) == 0 {
		// As Palette answers (palette-sdk-go's GetClusterBackupConfig reads
		// the code as "no schedule").
		return errf(http.StatusNotFound, wire.CodeBackupNotConfigured, "cluster '%s' has no backup configured", row.UID)
	}
	out := wire.ClusterBackup{
		Metadata: &wire.ObjectMeta{UID: row.UID, Name: row.Name},
		Spec:     &wire.ClusterBackupSpec{ClusterUID: row.UID},
		Status:   &wire.ClusterBackupStatus{ClusterBackupStatuses: []wire.ClusterBackupStatusMeta{}},
	}
	if sch != nil {
		out.Spec.Config = &sch.Config
	}
	want := r.URL.Query().Get("backupRequestUid")
	for _, b := range backups {
		if want != "" && b.UID != want {
			continue
		}
		meta, err := s.backupStatus(r.Context(), b)
		if err != nil {
			return err
		}
		out.Status.ClusterBackupStatuses = append(out.Status.ClusterBackupStatuses, meta)
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

// backupStatus is a backup request as GET …/features/backup shows it.
func (s *Server) backupStatus(ctx context.Context, b backupRow) (wire.ClusterBackupStatusMeta, error) {
	loc := &wire.BackupLocationConfig{UID: b.LocationUID, Type: b.Config.LocationType, Name: b.Config.BackupLocationName}
	mode := b.Config.IncludeClusterResourceMode
	meta := wire.ClusterBackupStatusMeta{
		Actor: &wire.ClusterFeatureActor{ActorType: b.Actor, UID: b.UID},
		BackupConfig: &wire.BackupStatusConfig{
			IncludeAllDisks: b.Config.IncludeAllDisks, IncludeClusterResourceMode: mode,
			IncludeClusterResources: mode == wire.IncludeClusterResourcesAlways, Namespaces: nonNil(b.Config.Namespaces),
		},
		BackupLocationConfig: loc,
		BackupRequestUID:     b.UID,
		State:                b.State,
		BackupStatusMeta: []wire.BackupStatusMeta{{
			BackupName:         b.BackupName,
			BackupState:        &wire.BackupState{BackupTime: b.BackupTime, DeleteState: b.DeleteState, Msg: b.Msg, State: b.State},
			BackupedNamespaces: nonNil(b.Namespaces),
			ExpiryDate:         b.Expiry,
		}},
		RestoreStatusMeta: []wire.BackupRestoreStatusMeta{},
	}
	restores, err := loadRestores(ctx, s.st.db, "backup_request_uid", b.UID, false)
	if err != nil {
		return meta, err
	}
	for _, rs := range restores {
		meta.RestoreStatusMeta = append(meta.RestoreStatusMeta, wire.BackupRestoreStatusMeta{
			BackupName: rs.BackupName, RestoreState: rs.State,
			DestinationClusterRef: &wire.ResourceReference{Kind: "spectrocluster", UID: rs.ClusterUID},
		})
	}
	return meta, nil
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

// POST /v1/spectroclusters/{uid}/features/backup: sets the schedule.
func (s *Server) postBackupSchedule(w http.ResponseWriter, r *http.Request, c *call) error {
	return s.setBackupSchedule(w, r, c, true)
}

// PUT /v1/spectroclusters/{uid}/features/backup: replaces (or sets) the
// schedule.
func (s *Server) putBackupSchedule(w http.ResponseWriter, r *http.Request, c *call) error {
	return s.setBackupSchedule(w, r, c, false)
}

func (s *Server) setBackupSchedule(w http.ResponseWriter, r *http.Request, c *call, create bool) error {
	var req wire.ClusterBackupConfig
	if err := decodeBody(r, &req, true); err != nil {
		return err
	}
	var clusterUID string
	err := s.st.write(r.Context(), func(tx *sql.Tx) error {
		row, err := s.backupCluster(r.Context(), tx, c, r.PathValue("uid"), "a backup schedule")
		if err != nil {
			return err
		}
		clusterUID = row.UID
		if err := s.checkBackupConfig(r.Context(), tx, &req, true); err != nil {
			return err
		}
		old, err := loadBackupSchedule(r.Context(), tx, row.UID)
		if err != nil {
			return err
		}
		// PUT sets a schedule when there is none: palette-sdk-go's
		// ApplyClusterBackupConfig sends a PUT to a cluster whose backups
		// exist without one.
		if create && old != nil {
			return errf(http.StatusConflict, wire.CodeConflict, "cluster '%s' has a backup schedule: PUT replaces it", row.UID)
		}
		return storeBackupSchedule(r.Context(), tx, row.UID, backupSchedule{Config: req, Since: s.now().UTC()})
	})
	if err != nil {
		return err
	}
	if create {
		writeJSON(w, http.StatusCreated, wire.UIDResponse{UID: clusterUID})
	} else {
		w.WriteHeader(http.StatusNoContent)
	}
	return nil
}

// DELETE /v1/spectroclusters/{uid}/features/backup: removes the schedule;
// its backups stay.
func (s *Server) deleteBackupSchedule(w http.ResponseWriter, r *http.Request, c *call) error {
	return s.updateCluster(w, r, c, func(ctx context.Context, tx *sql.Tx, row *clusterRow) error {
		if row.State == wire.StateDeleted {
			return clusterNotFound(c, row.UID)
		}
		return deleteBackupSchedule(ctx, tx, row.UID)
	})
}

// POST /v1/spectroclusters/{uid}/features/backup/onDemand.
func (s *Server) postBackupOnDemand(w http.ResponseWriter, r *http.Request, c *call) error {
	var req wire.ClusterBackupConfig
	if err := decodeBody(r, &req, true); err != nil {
		return err
	}
	b := &backupRow{UID: newUID(), Actor: actorOnDemand, State: wire.BackupStateInProgress, Created: s.now().UTC()}
	err := s.st.write(r.Context(), func(tx *sql.Tx) error {
		row, err := s.backupCluster(r.Context(), tx, c, r.PathValue("uid"), "backups")
		if err != nil {
			return err
		}
		if err := s.checkBackupConfig(r.Context(), tx, &req, false); err != nil {
			return err
		}
		var n int
		if err := tx.QueryRowContext(r.Context(), `SELECT COUNT(*) FROM backup_requests WHERE cluster_uid = ? AND backup_name = ?`,
			row.UID, req.BackupName).Scan(&n); err != nil {
			return err
		}
		if n > 0 {
			return errf(http.StatusConflict, wire.CodeConflict, "cluster '%s' has a backup named '%s'", row.UID, req.BackupName)
		}
		b.ClusterUID, b.BackupName, b.LocationUID, b.Config = row.UID, req.BackupName, req.BackupLocationUID, req
		return storeBackup(r.Context(), tx, b)
	})
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, wire.UIDResponse{UID: b.UID})
	return nil
}

// DELETE /v1/spectroclusters/{uid}/features/backup/{backupName}/request/{requestUid}:
// the agent removes the backup's objects, then it is gone.
func (s *Server) deleteBackup(w http.ResponseWriter, r *http.Request, c *call) error {
	return s.updateCluster(w, r, c, func(ctx context.Context, tx *sql.Tx, row *clusterRow) error {
		b, err := loadBackup(ctx, tx, r.PathValue("requestUid"))
		if errors.Is(err, errNotFound) || (err == nil && (b.ClusterUID != row.UID || b.BackupName != r.PathValue("backupName"))) {
			return notFound("cluster '%s' has no backup '%s' of request '%s'", row.UID, r.PathValue("backupName"), r.PathValue("requestUid"))
		}
		if err != nil {
			return err
		}
		if b.State == wire.BackupStateInProgress {
			return errf(http.StatusConflict, wire.CodeConflict, "backup '%s' is in progress", b.BackupName)
		}
		b.DeleteState = "Deleting"
		return storeBackup(ctx, tx, b)
	})
}

// backupCluster loads the cluster of a backup or restore: live, not being
// deleted, with Full Permission (what names what needs it).
func (s *Server) backupCluster(ctx context.Context, q queryer, c *call, uid, what string) (*clusterRow, error) {
	row, err := s.liveCluster(ctx, q, c, uid)
	if err != nil {
		return nil, err
	}
	switch {
	case row.ImportMode == wire.ImportModeReadOnly:
		return nil, errf(http.StatusBadRequest, wire.CodeBackupsRequireFullPermission,
			"cluster '%s' was imported read-only: %s require Full Permission", row.UID, what)
	case row.State == wire.StateDeleting:
		return nil, errf(http.StatusConflict, wire.CodeConflict, "cluster '%s' is %s", row.UID, row.State)
	}
	return row, nil
}

// checkBackupConfig validates a schedule (schedule true) or an on-demand
// backup, and fills in its location's name and type.
func (s *Server) checkBackupConfig(ctx context.Context, q queryer, cfg *wire.ClusterBackupConfig, schedule bool) error {
	if schedule {
		if cfg.Schedule == nil || cfg.Schedule.ScheduledRunTime == "" {
			return badRequest("schedule.scheduledRunTime is required")
		}
		if _, err := backup.ParseSchedule(cfg.Schedule.ScheduledRunTime); err != nil {
			return badRequest("schedule.scheduledRunTime: %v", err)
		}
		if msgs := validation.IsDNS1123Label(cfg.BackupPrefix); len(msgs) > 0 {
			return badRequest("backupPrefix '%s': %s", cfg.BackupPrefix, strings.Join(msgs, "; "))
		}
	} else if msgs := validation.IsDNS1123Label(cfg.BackupName); len(msgs) > 0 {
		return badRequest("backupName '%s': %s", cfg.BackupName, strings.Join(msgs, "; "))
	}
	if cfg.DurationInHours <= 0 {
		return badRequest("durationInHours must be more than 0 (the backup's lifetime)")
	}
	seen := map[string]bool{}
	for i, ns := range cfg.Namespaces {
		if msgs := validation.IsDNS1123Label(ns); len(msgs) > 0 {
			return badRequest("namespaces[%d] '%s': %s", i, ns, strings.Join(msgs, "; "))
		}
		if seen[ns] {
			return badRequest("namespaces[%d] '%s' is listed twice", i, ns)
		}
		seen[ns] = true
	}
	switch cfg.IncludeClusterResourceMode {
	case "":
		cfg.IncludeClusterResourceMode = wire.IncludeClusterResourcesAuto
		if cfg.IncludeClusterResources {
			cfg.IncludeClusterResourceMode = wire.IncludeClusterResourcesAlways
		}
	case wire.IncludeClusterResourcesAlways, wire.IncludeClusterResourcesAuto, wire.IncludeClusterResourcesNever:
	default:
		return badRequest("includeClusterResourceMode '%s' is not Always, Auto or Never", cfg.IncludeClusterResourceMode)
	}
	cfg.IncludeClusterResources = cfg.IncludeClusterResourceMode == wire.IncludeClusterResourcesAlways
	if cfg.BackupLocationUID == "" {
		return badRequest("backupLocationUid is required")
	}
	l, err := findLocation(ctx, q, "", cfg.BackupLocationUID)
	if err != nil {
		var ae *apiError
		if errors.As(err, &ae) && ae.status == http.StatusNotFound {
			return badRequest("backupLocationUid: %s", ae.message)
		}
		return err
	}
	if cfg.LocationType != "" && cfg.LocationType != l.Type {
		return badRequest("locationType '%s' is not the type of location '%s', '%s'", cfg.LocationType, l.UID, l.Type)
	}
	cfg.BackupLocationName, cfg.LocationType = l.Name, l.Type
	return nil
}

// POST /v1/spectroclusters/{uid}/features/restore/onDemand: restores a
// backup of the cluster of the path into destinationClusterUid.
func (s *Server) postRestoreOnDemand(w http.ResponseWriter, r *http.Request, c *call) error {
	var req wire.ClusterRestoreConfig
	if err := decodeBody(r, &req, true); err != nil {
		return err
	}
	rs := &restoreRow{UID: newUID(), State: wire.BackupStateInProgress, Created: s.now().UTC()}
	err := s.st.write(r.Context(), func(tx *sql.Tx) error {
		src, err := s.liveCluster(r.Context(), tx, c, r.PathValue("uid"))
		if err != nil {
			return err
		}
		if req.DestinationClusterUID == "" {
			return badRequest("destinationClusterUid is required")
		}
		dst, err := s.backupCluster(r.Context(), tx, c, req.DestinationClusterUID, "restores")
		if err != nil {
			var ae *apiError
			if errors.As(err, &ae) && ae.status == http.StatusNotFound {
				return badRequest("destinationClusterUid: %s", ae.message)
			}
			return err
		}
		b, err := loadBackup(r.Context(), tx, req.BackupRequestUID)
		if errors.Is(err, errNotFound) || (err == nil && (b.ClusterUID != src.UID || b.BackupName != req.BackupName)) {
			return badRequest("cluster '%s' has no backup '%s' of request '%s'", src.UID, req.BackupName, req.BackupRequestUID)
		}
		if err != nil {
			return err
		}
		if b.State != wire.BackupStateCompleted || b.DeleteState != "" {
			return errf(http.StatusConflict, wire.CodeConflict, "backup '%s' is %s: only a completed backup restores", b.BackupName, b.State)
		}
		for i, ns := range req.IncludeNamespaces {
			if msgs := validation.IsDNS1123Label(ns); len(msgs) > 0 {
				return badRequest("includeNamespaces[%d] '%s': %s", i, ns, strings.Join(msgs, "; "))
			}
			if len(b.Namespaces) > 0 && !slices.Contains(b.Namespaces, ns) {
				return badRequest("includeNamespaces[%d] '%s' is not in backup '%s' (%s)", i, ns, b.BackupName, strings.Join(b.Namespaces, ", "))
			}
		}
		switch req.IncludeClusterResourceMode {
		case "", wire.IncludeClusterResourcesAlways, wire.IncludeClusterResourcesAuto, wire.IncludeClusterResourcesNever:
		default:
			return badRequest("includeClusterResourceMode '%s' is not Always, Auto or Never", req.IncludeClusterResourceMode)
		}
		rs.ClusterUID, rs.SourceClusterUID, rs.BackupRequestUID, rs.BackupName, rs.Config = dst.UID, src.UID, b.UID, b.BackupName, req
		return storeRestore(r.Context(), tx, rs)
	})
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, wire.UIDResponse{UID: rs.UID})
	return nil
}

// GET /v1/spectroclusters/{uid}/features/restore[?restoreRequestUid=]: the
// restores into the cluster.
func (s *Server) getClusterRestore(w http.ResponseWriter, r *http.Request, c *call) error {
	row, err := s.liveCluster(r.Context(), s.st.db, c, r.PathValue("uid"))
	if err != nil {
		return err
	}
	restores, err := loadRestores(r.Context(), s.st.db, "cluster_uid", row.UID, false)
	if err != nil {
		return err
	}
	out := wire.ClusterRestore{
		Metadata: &wire.ObjectMeta{UID: row.UID, Name: row.Name},
		Spec:     &wire.ClusterRestoreSpec{ClusterUID: row.UID},
		Status:   &wire.ClusterRestoreStatus{ClusterRestoreStatuses: []wire.ClusterRestoreStatusMeta{}},
	}
	want := r.URL.Query().Get("restoreRequestUid")
	for _, rs := range restores {
		if want != "" && rs.UID != want {
			continue
		}
		out.Status.ClusterRestoreStatuses = append(out.Status.ClusterRestoreStatuses, wire.ClusterRestoreStatusMeta{
			Actor:             &wire.ClusterFeatureActor{ActorType: actorOnDemand, UID: rs.UID},
			BackupName:        rs.BackupName,
			BackupRequestUID:  rs.BackupRequestUID,
			RestoreRequestUID: rs.UID,
			RestoreStatusMeta: &wire.RestoreStatusMeta{
				IsSucceeded: rs.State == wire.BackupStateCompleted, Msg: rs.Msg, RestoreTime: rs.RestoreTime,
			},
			SourceClusterRef: &wire.ResourceReference{Kind: "spectrocluster", UID: rs.SourceClusterUID},
			State:            rs.State,
		})
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

// GET /v1/spectroclusters/{uid}/agent/backups (agent): the schedule and
// the pending work, with the locations' secret keys.
func (s *Server) agentBackups(w http.ResponseWriter, r *http.Request, c *call) error {
	ctx := r.Context()
	mode, _, err := clusterModeAndState(ctx, s.st.db, c.agentCluster)
	if err != nil {
		return err
	}
	out := wire.AgentBackupWork{Backups: []wire.AgentBackupTask{}, Restores: []wire.AgentRestoreTask{}}
	if mode == wire.ImportModeReadOnly {
		writeJSON(w, http.StatusOK, out)
		return nil
	}
	locations := map[string]*locationRow{}
	location := func(uid string) (wire.S3StorageConfig, error) {
		if l, ok := locations[uid]; ok {
			return l.Config, nil
		}
		l, err := loadBackupLocation(ctx, s.st.db, uid)
		if err != nil {
			return wire.S3StorageConfig{}, fmt.Errorf("location %s: %w", uid, err)
		}
		locations[uid] = l
		return l.Config, nil
	}
	sch, err := loadBackupSchedule(ctx, s.st.db, c.agentCluster)
	if err != nil {
		return err
	}
	if sch != nil {
		if loc, err := location(sch.Config.BackupLocationUID); err == nil {
			out.Schedule, out.ScheduleLocation, out.ScheduleSince = &sch.Config, &loc, &sch.Since
		}
		var last sql.NullInt64
		if err := s.st.db.QueryRowContext(ctx, `SELECT MAX(created) FROM backup_requests WHERE cluster_uid = ? AND actor = ?`,
			c.agentCluster, actorSchedule).Scan(&last); err != nil {
			return err
		}
		out.LastScheduledRun = nullTime(last)
	}
	backups, err := loadBackups(ctx, s.st.db, c.agentCluster, true)
	if err != nil {
		return err
	}
	for _, b := range backups {
		loc, err := location(b.LocationUID)
		if err != nil && b.DeleteState == "" {
			continue
		}
		out.Backups = append(out.Backups, wire.AgentBackupTask{RequestUID: b.UID, BackupName: b.BackupName, Config: b.Config,
			Location: loc, Delete: b.DeleteState != ""})
	}
	restores, err := loadRestores(ctx, s.st.db, "cluster_uid", c.agentCluster, true)
	if err != nil {
		return err
	}
	for _, rs := range restores {
		b, err := loadBackup(ctx, s.st.db, rs.BackupRequestUID)
		if err != nil {
			continue
		}
		loc, err := location(b.LocationUID)
		if err != nil {
			continue
		}
		out.Restores = append(out.Restores, wire.AgentRestoreTask{RestoreRequestUID: rs.UID, SourceClusterUID: rs.SourceClusterUID,
			Config: rs.Config, Location: loc})
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

// PATCH /v1/spectroclusters/{uid}/agent/backups/status (agent): the end of
// backups and restores. A scheduled run (no requestUid) creates its request.
func (s *Server) agentBackupsStatus(w http.ResponseWriter, r *http.Request, c *call) error {
	var req wire.AgentBackupReport
	if err := decodeBody(r, &req, true); err != nil {
		return err
	}
	ctx := r.Context()
	now := s.now().UTC()
	err := s.st.write(ctx, func(tx *sql.Tx) error {
		for i, res := range req.Backups {
			if err := checkAgentResult(fmt.Sprintf("backups[%d]", i), res.State, res.Msg); err != nil {
				return err
			}
			if err := s.applyBackupResult(ctx, tx, c.agentCluster, res, now); err != nil {
				return err
			}
		}
		for i, res := range req.Restores {
			if err := checkAgentResult(fmt.Sprintf("restores[%d]", i), res.State, res.Msg); err != nil {
				return err
			}
			rs, err := scanRestore(tx.QueryRowContext(ctx, `SELECT `+restoreColumns+` FROM restore_requests WHERE uid = ?`, res.RestoreRequestUID))
			if errors.Is(err, sql.ErrNoRows) || (err == nil && rs.ClusterUID != c.agentCluster) {
				continue
			}
			if err != nil {
				return err
			}
			rs.State, rs.Msg, rs.RestoreTime = res.State, res.Msg, res.RestoreTime
			if err := storeRestore(ctx, tx, rs); err != nil {
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

func checkAgentResult(where, state, msg string) error {
	if state != wire.BackupStateCompleted && state != wire.BackupStateFailed {
		return badRequest("%s.state '%s' is not Completed or Failed", where, state)
	}
	if len(msg) > maxBackupMsg {
		return badRequest("%s.msg is longer than %d bytes", where, maxBackupMsg)
	}
	return nil
}

// applyBackupResult stores the end of one backup task of the cluster.
func (s *Server) applyBackupResult(ctx context.Context, tx *sql.Tx, clusterUID string, res wire.AgentBackupResult, now time.Time) error {
	if res.RequestUID == "" {
		sch, err := loadBackupSchedule(ctx, tx, clusterUID)
		if err != nil || sch == nil {
			return err
		}
		b := &backupRow{UID: newUID(), ClusterUID: clusterUID, BackupName: res.BackupName, Actor: actorSchedule,
			LocationUID: sch.Config.BackupLocationUID, Config: sch.Config, Created: now}
		var n int
		if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM backup_requests WHERE cluster_uid = ? AND backup_name = ?`,
			clusterUID, res.BackupName).Scan(&n); err != nil || n > 0 {
			return err
		}
		return storeBackup(ctx, tx, finishBackup(b, res))
	}
	b, err := loadBackup(ctx, tx, res.RequestUID)
	if errors.Is(err, errNotFound) || (err == nil && b.ClusterUID != clusterUID) {
		return nil
	}
	if err != nil {
		return err
	}
	if res.Deleted && b.DeleteState != "" {
		_, err := tx.ExecContext(ctx, `DELETE FROM backup_requests WHERE uid = ?`, b.UID)
		return err
	}
	return storeBackup(ctx, tx, finishBackup(b, res))
}

// finishBackup records the agent's result on a backup; its expiry is its
// time plus durationInHours.
func finishBackup(b *backupRow, res wire.AgentBackupResult) *backupRow {
	b.State, b.Msg, b.BackupTime, b.Namespaces = res.State, res.Msg, res.BackupTime, res.Namespaces
	if res.BackupTime != nil && b.Config.DurationInHours > 0 {
		exp := res.BackupTime.Add(time.Duration(b.Config.DurationInHours) * time.Hour)
		b.Expiry = &exp
	}
	return b
}
