package localapi

// The cluster_config_entries table: a cluster's namespace and RBAC entries.

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"github.com/terraform-palette/terraform-provider-palette/internal/wire"
)

// Kinds of cluster_config_entries rows.
const (
	kindNamespaces = "namespaces"
	kindRbacs      = "rbacs"
)

// configEntry is one stored namespace or RBAC entry.
type configEntry struct {
	UID, Name           string
	Labels, Annotations map[string]string
	// Spec is the entry's spec as JSON (a v1ClusterNamespaceSpec or a
	// v1ClusterRbacSpec, as validated and normalised by the handler).
	Spec string
	// Errors are what the agent last reported for the entry.
	Errors            []wire.ClusterResourceError
	Created, Modified time.Time
}

// loadConfigEntries reads a cluster's entries of a kind, in list order.
func loadConfigEntries(ctx context.Context, q queryer, clusterUID, kind string) ([]configEntry, error) {
	rows, err := q.QueryContext(ctx, `SELECT uid, name, labels, annotations, spec, errors, created, modified
		FROM cluster_config_entries WHERE cluster_uid = ? AND kind = ? ORDER BY position`, clusterUID, kind)
	if err != nil {
		return nil, fmt.Errorf("loading %s: %w", kind, err)
	}
	defer rows.Close()
	out := []configEntry{}
	for rows.Next() {
		var (
			e                         configEntry
			labels, annotations, errs string
			created, modified         int64
		)
		if err := rows.Scan(&e.UID, &e.Name, &labels, &annotations, &e.Spec, &errs, &created, &modified); err != nil {
			return nil, fmt.Errorf("loading %s: %w", kind, err)
		}
		if err := unmarshalColumns([]string{labels, annotations, errs}, []any{&e.Labels, &e.Annotations, &e.Errors}); err != nil {
			return nil, err
		}
		e.Created, e.Modified = fromNanos(created), fromNanos(modified)
		out = append(out, e)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("loading %s: %w", kind, err)
	}
	return out, nil
}

// replaceConfigEntries makes entries, in their order, the cluster's whole
// list of a kind.
func replaceConfigEntries(ctx context.Context, tx *sql.Tx, clusterUID, kind string, entries []configEntry) error {
	if _, err := tx.ExecContext(ctx, `DELETE FROM cluster_config_entries WHERE cluster_uid = ? AND kind = ?`, clusterUID, kind); err != nil {
		return fmt.Errorf("replacing %s: %w", kind, err)
	}
	for i, e := range entries {
		labels, annotations, errs := e.Labels, e.Annotations, e.Errors
		if labels == nil {
			labels = map[string]string{}
		}
		if annotations == nil {
			annotations = map[string]string{}
		}
		if errs == nil {
			errs = []wire.ClusterResourceError{}
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO cluster_config_entries
			(uid, cluster_uid, kind, position, name, labels, annotations, spec, errors, created, modified)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			e.UID, clusterUID, kind, i, e.Name, mustJSON(labels), mustJSON(annotations), e.Spec, mustJSON(errs),
			e.Created.UnixNano(), e.Modified.UnixNano()); err != nil {
			return fmt.Errorf("storing %s entry %s: %w", kind, e.UID, err)
		}
	}
	return nil
}

// setConfigErrors replaces the errors of a cluster's entries of a kind:
// the entries in errs get theirs, every other entry none. A UID that is not
// one of the cluster's entries of the kind is ignored.
func setConfigErrors(ctx context.Context, tx *sql.Tx, clusterUID, kind string, errs map[string][]wire.ClusterResourceError) error {
	if _, err := tx.ExecContext(ctx, `UPDATE cluster_config_entries SET errors = '[]' WHERE cluster_uid = ? AND kind = ?`, clusterUID, kind); err != nil {
		return fmt.Errorf("clearing the errors of %s: %w", kind, err)
	}
	for uid, list := range errs {
		if _, err := tx.ExecContext(ctx, `UPDATE cluster_config_entries SET errors = ? WHERE cluster_uid = ? AND kind = ? AND uid = ?`,
			mustJSON(list), clusterUID, kind, uid); err != nil {
			return fmt.Errorf("storing the errors of %s entry %s: %w", kind, uid, err)
		}
	}
	return nil
}
