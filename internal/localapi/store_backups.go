package localapi

// The backup_locations, backup_requests and restore_requests tables, and a
// cluster's backup schedule (its cluster_extras row of kind 'backup').

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/terraform-palette/terraform-provider-palette/internal/wire"
)

// extraBackupSchedule is the cluster_extras kind of a backup schedule.
const extraBackupSchedule = "backup"

// locationRow is one stored backup location, secret key included.
type locationRow struct {
	UID, Name, Type   string
	Config            wire.S3StorageConfig
	IsDefault         bool
	Created, Modified time.Time
}

const locationColumns = `uid, name, type, config, is_default, created, modified`

func scanLocation(sc scanner) (*locationRow, error) {
	var (
		l                 locationRow
		config            string
		created, modified int64
	)
	if err := sc.Scan(&l.UID, &l.Name, &l.Type, &config, &l.IsDefault, &created, &modified); err != nil {
		return nil, err
	}
	if err := json.Unmarshal([]byte(config), &l.Config); err != nil {
		return nil, fmt.Errorf("decoding location %s: %w", l.UID, err)
	}
	l.Created, l.Modified = fromNanos(created), fromNanos(modified)
	return &l, nil
}

// loadBackupLocation reads a location (errNotFound when there is none).
func loadBackupLocation(ctx context.Context, q queryer, uid string) (*locationRow, error) {
	l, err := scanLocation(q.QueryRowContext(ctx, `SELECT `+locationColumns+` FROM backup_locations WHERE uid = ?`, uid))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, errNotFound
	}
	return l, err
}

// loadBackupLocations reads every location, by name.
func loadBackupLocations(ctx context.Context, q queryer) ([]locationRow, error) {
	return queryRows(ctx, q, "locations", scanLocation, `SELECT `+locationColumns+` FROM backup_locations ORDER BY name`)
}

// queryRows runs a query and scans each row (what names the rows in errors).
func queryRows[T any](ctx context.Context, q queryer, what string, scan func(scanner) (*T, error), query string, args ...any) ([]T, error) {
	rows, err := q.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, fmt.Errorf("loading %s: %w", what, err)
	}
	defer rows.Close()
	var out []T
	for rows.Next() {
		v, err := scan(rows)
		if err != nil {
			return nil, fmt.Errorf("loading %s: %w", what, err)
		}
		out = append(out, *v)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("loading %s: %w", what, err)
	}
	return out, nil
}

// storeBackupLocation inserts or replaces a location.
func storeBackupLocation(ctx context.Context, tx *sql.Tx, l *locationRow) error {
	_, err := tx.ExecContext(ctx, `INSERT INTO backup_locations(`+locationColumns+`) VALUES (?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT(uid) DO UPDATE SET name = excluded.name, config = excluded.config,
		is_default = excluded.is_default, modified = excluded.modified`,
		l.UID, l.Name, l.Type, mustJSON(l.Config), l.IsDefault, l.Created.UnixNano(), l.Modified.UnixNano())
	if err != nil {
		return fmt.Errorf("storing location %s: %w", l.UID, err)
	}
	if l.IsDefault {
		if _, err := tx.ExecContext(ctx, `UPDATE backup_locations SET is_default = 0 WHERE uid <> ?`, l.UID); err != nil {
			return fmt.Errorf("storing location %s: %w", l.UID, err)
		}
	}
	return nil
}

// backupRow is one backup request of a cluster.
type backupRow struct {
	UID, ClusterUID, BackupName, Actor, LocationUID string
	Config                                          wire.ClusterBackupConfig
	State, Msg                                      string
	BackupTime, Expiry                              *time.Time
	Namespaces                                      []string
	DeleteState                                     string
	Created                                         time.Time
}

const backupColumns = `uid, cluster_uid, backup_name, actor, location_uid, config, state, msg,
	backup_time, expiry, namespaces, delete_state, created`

func nullTime(v sql.NullInt64) *time.Time {
	if !v.Valid {
		return nil
	}
	t := fromNanos(v.Int64)
	return &t
}

func nanosOrNull(t *time.Time) any {
	if t == nil {
		return nil
	}
	return t.UnixNano()
}

func scanBackup(sc scanner) (*backupRow, error) {
	var (
		b                  backupRow
		config, namespaces string
		backupTime, expiry sql.NullInt64
		created            int64
	)
	if err := sc.Scan(&b.UID, &b.ClusterUID, &b.BackupName, &b.Actor, &b.LocationUID, &config, &b.State, &b.Msg,
		&backupTime, &expiry, &namespaces, &b.DeleteState, &created); err != nil {
		return nil, err
	}
	if err := unmarshalColumns([]string{config, namespaces}, []any{&b.Config, &b.Namespaces}); err != nil {
		return nil, err
	}
	b.BackupTime, b.Expiry, b.Created = nullTime(backupTime), nullTime(expiry), fromNanos(created)
	return &b, nil
}

// loadBackups reads a cluster's backups, oldest first (all of them with
// pendingOnly false, else those the agent still has to run or delete).
func loadBackups(ctx context.Context, q queryer, clusterUID string, pendingOnly bool) ([]backupRow, error) {
	query := `SELECT ` + backupColumns + ` FROM backup_requests WHERE cluster_uid = ?`
	if pendingOnly {
		query += ` AND (state = '` + wire.BackupStateInProgress + `' OR delete_state <> '')`
	}
	return queryRows(ctx, q, "backups", scanBackup, query+` ORDER BY created, uid`, clusterUID)
}

// loadBackup reads one backup request (errNotFound when there is none).
func loadBackup(ctx context.Context, q queryer, uid string) (*backupRow, error) {
	b, err := scanBackup(q.QueryRowContext(ctx, `SELECT `+backupColumns+` FROM backup_requests WHERE uid = ?`, uid))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, errNotFound
	}
	return b, err
}

// storeBackup inserts or replaces a backup request.
func storeBackup(ctx context.Context, tx *sql.Tx, b *backupRow) error {
	ns := b.Namespaces
	if ns == nil {
		ns = []string{}
	}
	_, err := tx.ExecContext(ctx, `INSERT OR REPLACE INTO backup_requests(`+backupColumns+`)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		b.UID, b.ClusterUID, b.BackupName, b.Actor, b.LocationUID, mustJSON(b.Config), b.State, b.Msg,
		nanosOrNull(b.BackupTime), nanosOrNull(b.Expiry), mustJSON(ns), b.DeleteState, b.Created.UnixNano())
	if err != nil {
		return fmt.Errorf("storing backup %s: %w", b.UID, err)
	}
	return nil
}

// restoreRow is one restore into a cluster.
type restoreRow struct {
	UID, ClusterUID, SourceClusterUID, BackupRequestUID, BackupName string
	Config                                                          wire.ClusterRestoreConfig
	State, Msg                                                      string
	RestoreTime                                                     *time.Time
	Created                                                         time.Time
}

const restoreColumns = `uid, cluster_uid, source_cluster_uid, backup_request_uid, backup_name, config, state, msg, restore_time, created`

func scanRestore(sc scanner) (*restoreRow, error) {
	var (
		r           restoreRow
		config      string
		restoreTime sql.NullInt64
		created     int64
	)
	if err := sc.Scan(&r.UID, &r.ClusterUID, &r.SourceClusterUID, &r.BackupRequestUID, &r.BackupName, &config,
		&r.State, &r.Msg, &restoreTime, &created); err != nil {
		return nil, err
	}
	if err := json.Unmarshal([]byte(config), &r.Config); err != nil {
		return nil, fmt.Errorf("decoding restore %s: %w", r.UID, err)
	}
	r.RestoreTime, r.Created = nullTime(restoreTime), fromNanos(created)
	return &r, nil
}

// loadRestores reads the restores into a cluster, oldest first (those still
// to run with pendingOnly), or those of the backup request backupUID.
func loadRestores(ctx context.Context, q queryer, where string, arg string, pendingOnly bool) ([]restoreRow, error) {
	query := `SELECT ` + restoreColumns + ` FROM restore_requests WHERE ` + where + ` = ?`
	if pendingOnly {
		query += ` AND state = '` + wire.BackupStateInProgress + `'`
	}
	return queryRows(ctx, q, "restores", scanRestore, query+` ORDER BY created, uid`, arg)
}

// storeRestore inserts or replaces a restore.
func storeRestore(ctx context.Context, tx *sql.Tx, r *restoreRow) error {
	_, err := tx.ExecContext(ctx, `INSERT OR REPLACE INTO restore_requests(`+restoreColumns+`)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		r.UID, r.ClusterUID, r.SourceClusterUID, r.BackupRequestUID, r.BackupName, mustJSON(r.Config),
		r.State, r.Msg, nanosOrNull(r.RestoreTime), r.Created.UnixNano())
	if err != nil {
		return fmt.Errorf("storing restore %s: %w", r.UID, err)
	}
	return nil
}

// backupSchedule is a cluster's stored backup schedule.
type backupSchedule struct {
	Config wire.ClusterBackupConfig `json:"config"`
	// Since is when it was set; its first run is the first time after.
	Since time.Time `json:"since"`
}

// loadBackupSchedule reads a cluster's backup schedule (nil when none).
func loadBackupSchedule(ctx context.Context, q queryer, clusterUID string) (*backupSchedule, error) {
	body, err := loadExtra(ctx, q, clusterUID, extraBackupSchedule)
	if err != nil || body == "" {
		return nil, err
	}
	var sch backupSchedule
	if err := json.Unmarshal([]byte(body), &sch); err != nil {
		return nil, fmt.Errorf("decoding the backup schedule of %s: %w", clusterUID, err)
	}
	return &sch, nil
}

// storeBackupSchedule sets a cluster's backup schedule.
func storeBackupSchedule(ctx context.Context, tx *sql.Tx, clusterUID string, sch backupSchedule) error {
	return storeExtra(ctx, tx, clusterUID, extraBackupSchedule, mustJSON(sch))
}

// deleteBackupSchedule removes a cluster's backup schedule.
func deleteBackupSchedule(ctx context.Context, tx *sql.Tx, clusterUID string) error {
	_, err := tx.ExecContext(ctx, `DELETE FROM cluster_extras WHERE cluster_uid = ? AND kind = ?`, clusterUID, extraBackupSchedule)
	if err != nil {
		return fmt.Errorf("removing the backup schedule of %s: %w", clusterUID, err)
	}
	return nil
}
