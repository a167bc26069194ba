package localapi

// The clusters table: its columns and how a row is read.

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
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
	Proxy                                          wire.ClusterProxySpec
	CloudConfigUID, ManifestToken                  string
	Created, Modified                              time.Time
	DeletedAt, LastHeartbeat                       *time.Time
	AgentVersion                                   string
	AgentMetadata                                  wire.AgentMetadata
	Packs                                          []wire.ClusterPackStatus
}

type scanner interface{ Scan(dest ...any) error }

func fromNanos(n int64) time.Time { return time.Unix(0, n).UTC() }

// setTimes sets a row's times from their stored Unix nanoseconds.
func (row *clusterRow) setTimes(created, modified int64, deletedAt, lastHeartbeat sql.NullInt64) {
	row.Created, row.Modified = fromNanos(created), fromNanos(modified)
	if deletedAt.Valid {
		t := fromNanos(deletedAt.Int64)
		row.DeletedAt = &t
	}
	if lastHeartbeat.Valid {
		t := fromNanos(lastHeartbeat.Int64)
		row.LastHeartbeat = &t
	}
}

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
	row.setTimes(created, modified, deletedAt, lastHeartbeat)
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

// scanSearchRow reads the columns a search needs; labels, annotations, agent
// metadata and packs are returned raw and decoded only when needed.
func scanSearchRow(sc scanner) (row *clusterRow, labels, annotations, meta, packs string, err error) {
	var (
		created, modified        int64
		deletedAt, lastHeartbeat sql.NullInt64
	)
	row = &clusterRow{}
	if err := sc.Scan(&row.UID, &row.Name, &row.CloudType, &row.State, &row.ImportMode, &labels, &annotations,
		&created, &modified, &deletedAt, &lastHeartbeat, &row.AgentVersion, &meta, &packs,
		&row.CloudConfigUID, &row.ManifestToken); err != nil {
		return nil, "", "", "", "", err
	}
	row.setTimes(created, modified, deletedAt, lastHeartbeat)
	return row, labels, annotations, meta, packs, nil
}

func decodeMap(raw string, dst *map[string]string) error {
	if raw == "" || raw == "{}" || *dst != nil {
		return nil
	}
	if err := json.Unmarshal([]byte(raw), dst); err != nil {
		return fmt.Errorf("decoding stored map: %w", err)
	}
	return nil
}

// loadCluster reads one cluster, whatever its scope (errNotFound when there
// is none).
func loadCluster(ctx context.Context, q queryer, uid string) (*clusterRow, error) {
	row, err := scanCluster(q.QueryRowContext(ctx, `SELECT `+clusterCols+` FROM clusters WHERE uid = ?`, uid))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, errNotFound
	}
	return row, err
}

// clusterNameTaken reports whether a cluster that is not Deleted has the name
// in the scope.
func clusterNameTaken(ctx context.Context, q queryer, scope, name string) (bool, error) {
	var n int
	if err := q.QueryRowContext(ctx, `SELECT COUNT(*) FROM clusters WHERE scope = ? AND name = ? AND state <> ?`,
		scope, name, wire.StateDeleted).Scan(&n); err != nil {
		return false, err
	}
	return n > 0, nil
}

// newCluster is what an import stores of a new cluster.
type newCluster struct {
	UID, Scope, Name, CloudType, State, ImportMode string
	// Labels, Annotations and Proxy are JSON ("" for no proxy).
	Labels, Annotations, Proxy string
	// Created is also the modification time.
	Created int64
	// LastHeartbeat is nil or the Unix nanoseconds of the last heartbeat.
	LastHeartbeat any
}

// insertCluster stores a new cluster with a new cloud config UID and
// manifest token.
func insertCluster(ctx context.Context, q queryer, cl newCluster) error {
	_, err := q.ExecContext(ctx, `INSERT INTO clusters (uid, scope, name, cloud_type, state, import_mode, labels,
			annotations, proxy, cloud_config_uid, manifest_token, created, modified, last_heartbeat)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		cl.UID, cl.Scope, cl.Name, cl.CloudType, cl.State, cl.ImportMode, cl.Labels, cl.Annotations, cl.Proxy,
		newUID(), randHex(20), cl.Created, cl.Created, cl.LastHeartbeat)
	return err
}

// clusterState reads a cluster's state (sql.ErrNoRows when there is none).
func clusterState(ctx context.Context, q queryer, uid string) (string, error) {
	var state string
	err := q.QueryRowContext(ctx, `SELECT state FROM clusters WHERE uid = ?`, uid).Scan(&state)
	return state, err
}

// clusterModeAndState reads a cluster's import mode and state.
func clusterModeAndState(ctx context.Context, q queryer, uid string) (mode, state string, err error) {
	err = q.QueryRowContext(ctx, `SELECT import_mode, state FROM clusters WHERE uid = ?`, uid).Scan(&mode, &state)
	return mode, state, err
}

// setClusterState sets a cluster's state.
func setClusterState(ctx context.Context, q queryer, uid, state string, now int64) error {
	_, err := q.ExecContext(ctx, `UPDATE clusters SET state = ?, modified = ? WHERE uid = ?`, state, now, uid)
	return err
}

// markClusterDeleted makes a cluster Deleted now.
func markClusterDeleted(ctx context.Context, q queryer, uid string, now int64) error {
	_, err := q.ExecContext(ctx, `UPDATE clusters SET state = ?, deleted_at = ?, modified = ? WHERE uid = ?`,
		wire.StateDeleted, now, now, uid)
	return err
}

// markClusterRemoved makes a cluster Deleted now unless it already is (its
// deletion time stays the first one).
func markClusterRemoved(ctx context.Context, q queryer, uid string, now int64) error {
	_, err := q.ExecContext(ctx, `UPDATE clusters SET state = ?, deleted_at = ?, modified = ? WHERE uid = ? AND state <> ?`,
		wire.StateDeleted, now, now, uid, wire.StateDeleted)
	return err
}

// setClusterMetadata replaces a cluster's labels and annotations (JSON).
func setClusterMetadata(ctx context.Context, q queryer, uid, labels, annotations string, now int64) error {
	_, err := q.ExecContext(ctx, `UPDATE clusters SET labels = ?, annotations = ?, modified = ? WHERE uid = ?`,
		labels, annotations, now, uid)
	return err
}

// setImportMode sets a cluster's import mode.
func setImportMode(ctx context.Context, q queryer, uid, mode string, now int64) error {
	_, err := q.ExecContext(ctx, `UPDATE clusters SET import_mode = ?, modified = ? WHERE uid = ?`, mode, now, uid)
	return err
}

// setClusterPacks replaces a cluster's status.packs.
func setClusterPacks(ctx context.Context, q queryer, uid string, packs []wire.ClusterPackStatus, now int64) error {
	_, err := q.ExecContext(ctx, `UPDATE clusters SET packs = ?, modified = ? WHERE uid = ?`, mustJSON(packs), now, uid)
	return err
}

// recordHeartbeat stores an agent's heartbeat.
func recordHeartbeat(ctx context.Context, q queryer, uid string, now int64, agentVersion string, md wire.AgentMetadata) error {
	_, err := q.ExecContext(ctx, `UPDATE clusters SET last_heartbeat = ?, agent_version = ?, agent_metadata = ? WHERE uid = ?`,
		now, agentVersion, mustJSON(md), uid)
	return err
}

// clusterManifestToken reads a cluster's import link token and scope
// (errNotFound when there is no such cluster).
func clusterManifestToken(ctx context.Context, q queryer, uid string) (token, scope string, err error) {
	err = q.QueryRowContext(ctx, `SELECT manifest_token, scope FROM clusters WHERE uid = ?`, uid).Scan(&token, &scope)
	if errors.Is(err, sql.ErrNoRows) {
		return "", "", errNotFound
	}
	return token, scope, err
}

// agentTokenCluster reads the cluster of an agent token's hash and the
// cluster's state (errNotFound for an unknown token).
func agentTokenCluster(ctx context.Context, q queryer, hash string) (clusterUID, state string, err error) {
	err = q.QueryRowContext(ctx, `SELECT t.cluster_uid, c.state FROM agent_tokens t JOIN clusters c ON c.uid = t.cluster_uid WHERE t.hash = ?`,
		hash).Scan(&clusterUID, &state)
	if errors.Is(err, sql.ErrNoRows) {
		return "", "", errNotFound
	}
	return clusterUID, state, err
}

// agentCredential returns the cluster's agent credential, minting and
// storing it (with its hash among the agent tokens) the first time.
func agentCredential(ctx context.Context, tx *sql.Tx, clusterUID string, now time.Time) (string, error) {
	var tok string
	if err := tx.QueryRowContext(ctx, `SELECT agent_token FROM clusters WHERE uid = ?`, clusterUID).Scan(&tok); err != nil {
		return "", fmt.Errorf("loading the agent credential: %w", err)
	}
	if tok != "" {
		return tok, nil
	}
	tok = randHex(32)
	if _, err := tx.ExecContext(ctx, `UPDATE clusters SET agent_token = ? WHERE uid = ?`, tok, clusterUID); err != nil {
		return "", fmt.Errorf("storing the agent credential: %w", err)
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO agent_tokens(hash, cluster_uid, created) VALUES (?, ?, ?)`,
		hashSecret(tok), clusterUID, now.UnixNano()); err != nil {
		return "", fmt.Errorf("storing the agent credential: %w", err)
	}
	return tok, nil
}

// replaceCredentials sets a cluster's import link token, forgets its agent
// credential and revokes every agent token issued for it.
func replaceCredentials(ctx context.Context, tx *sql.Tx, uid, manifestToken string, now int64) error {
	if _, err := tx.ExecContext(ctx, `UPDATE clusters SET manifest_token = ?, agent_token = '', modified = ? WHERE uid = ?`,
		manifestToken, now, uid); err != nil {
		return err
	}
	_, err := tx.ExecContext(ctx, `DELETE FROM agent_tokens WHERE cluster_uid = ?`, uid)
	return err
}

// clusterUIDByCloudConfig finds the cluster of a cloud config in a scope
// (errNotFound when there is none).
func clusterUIDByCloudConfig(ctx context.Context, q queryer, configUID, cloudType, scope string) (string, error) {
	var uid string
	err := q.QueryRowContext(ctx, `SELECT uid FROM clusters WHERE cloud_config_uid = ? AND cloud_type = ? AND scope = ?`,
		configUID, cloudType, scope).Scan(&uid)
	if errors.Is(err, sql.ErrNoRows) {
		return "", errNotFound
	}
	return uid, err
}

// eachClusterOf calls fn with every cluster of a scope, read by
// scanSearchRow (labels, annotations, agent metadata and packs raw, in that
// order), and stops at fn's first error.
func eachClusterOf(ctx context.Context, q queryer, scope string, fn func(row *clusterRow, raw [4]string) error) error {
	rows, err := q.QueryContext(ctx, `SELECT uid, name, cloud_type, state, import_mode, labels, annotations,
		created, modified, deleted_at, last_heartbeat, agent_version, agent_metadata, packs, cloud_config_uid, manifest_token
		FROM clusters WHERE scope = ?`, scope)
	if err != nil {
		return fmt.Errorf("listing clusters: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		row, labels, ann, meta, packs, err := scanSearchRow(rows)
		if err != nil {
			return err
		}
		if err := fn(row, [4]string{labels, ann, meta, packs}); err != nil {
			return err
		}
	}
	return rows.Err()
}
