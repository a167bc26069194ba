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
	row.Created, row.Modified = fromNanos(created), fromNanos(modified)
	if deletedAt.Valid {
		t := fromNanos(deletedAt.Int64)
		row.DeletedAt = &t
	}
	if lastHeartbeat.Valid {
		t := fromNanos(lastHeartbeat.Int64)
		row.LastHeartbeat = &t
	}
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
