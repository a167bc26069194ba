package localapi

// The profiles and attachments tables: their columns and how a row is read.

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/terraform-palette/terraform-provider-palette/internal/wire"
)

// profileRow is a stored profile.
type profileRow struct {
	UID, Scope, Name, Version, Type, CloudType string
	Template                                   wire.ProfileTemplate
	Published                                  *wire.ProfileTemplate
	Created, Modified                          time.Time
}

const profileCols = `uid, scope, name, version, type, cloud_type, template, published, created, modified`

func scanProfile(sc scanner) (*profileRow, error) {
	var (
		p                 profileRow
		tmpl              string
		pub               sql.NullString
		created, modified int64
	)
	if err := sc.Scan(&p.UID, &p.Scope, &p.Name, &p.Version, &p.Type, &p.CloudType, &tmpl, &pub, &created, &modified); err != nil {
		return nil, err
	}
	p.Created, p.Modified = fromNanos(created), fromNanos(modified)
	if err := json.Unmarshal([]byte(tmpl), &p.Template); err != nil {
		return nil, fmt.Errorf("decoding stored template: %w", err)
	}
	if pub.Valid {
		p.Published = &wire.ProfileTemplate{}
		if err := json.Unmarshal([]byte(pub.String), p.Published); err != nil {
			return nil, fmt.Errorf("decoding stored published template: %w", err)
		}
	}
	return &p, nil
}

// attachment is a profile attached to a cluster, with the profile's published version.
type attachment struct {
	clusterUID, profileUID, name, typ, version string
	position                                   int
	published                                  wire.ProfileTemplate
	packValues                                 []wire.Pack
	variables                                  []wire.SpectroClusterVariable
}

func loadAttachments(ctx context.Context, q queryer, clusterUID string) ([]attachment, error) {
	rows, err := q.QueryContext(ctx, `SELECT `+attachmentCols+` FROM attachments a JOIN profiles p ON p.uid = a.profile_uid
		WHERE a.cluster_uid = ? ORDER BY a.position`, clusterUID)
	if err != nil {
		return nil, fmt.Errorf("loading attachments: %w", err)
	}
	return scanAttachments(rows)
}

// attachmentCols are the columns scanAttachments reads.
const attachmentCols = `a.cluster_uid, a.profile_uid, p.name, p.type, p.version, a.position, COALESCE(p.published, p.template), a.pack_values, a.variables`

// scanAttachments reads rows of attachmentCols; it closes rows.
func scanAttachments(rows *sql.Rows) ([]attachment, error) {
	defer rows.Close()
	var out []attachment
	for rows.Next() {
		var a attachment
		var pub, pv, vars string
		if err := rows.Scan(&a.clusterUID, &a.profileUID, &a.name, &a.typ, &a.version, &a.position, &pub, &pv, &vars); err != nil {
			return nil, err
		}
		if err := unmarshalColumns([]string{pub, pv, vars}, []any{&a.published, &a.packValues, &a.variables}); err != nil {
			return nil, err
		}
		if a.packValues == nil {
			a.packValues = []wire.Pack{}
		}
		if a.variables == nil {
			a.variables = []wire.SpectroClusterVariable{}
		}
		out = append(out, a)
	}
	return out, rows.Err()
}

// loadAttachmentsOf loads the attachments of several clusters in one query,
// ordered by cluster UID and position.
func loadAttachmentsOf(ctx context.Context, q queryer, clusterUIDs []string) ([]attachment, error) {
	args := make([]any, len(clusterUIDs))
	for i, uid := range clusterUIDs {
		args[i] = uid
	}
	query := `SELECT ` + attachmentCols + ` FROM attachments a JOIN profiles p ON p.uid = a.profile_uid
		WHERE a.cluster_uid IN (?` + strings.Repeat(",?", len(clusterUIDs)-1) + `) ORDER BY a.cluster_uid, a.position`
	res, err := q.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, fmt.Errorf("loading attachments of a search page: %w", err)
	}
	return scanAttachments(res)
}

// loadProfile reads one profile, whatever its scope (errNotFound when there
// is none).
func loadProfile(ctx context.Context, q queryer, uid string) (*profileRow, error) {
	p, err := scanProfile(q.QueryRowContext(ctx, `SELECT `+profileCols+` FROM profiles WHERE uid = ?`, uid))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, errNotFound
	}
	return p, err
}

// listProfiles reads the profiles of a scope and of the tenant, by name,
// version and UID.
func listProfiles(ctx context.Context, q queryer, scope string) ([]*profileRow, error) {
	rows, err := q.QueryContext(ctx, `SELECT `+profileCols+` FROM profiles WHERE scope = ? OR scope = '' ORDER BY name, version, uid`, scope)
	if err != nil {
		return nil, fmt.Errorf("listing profiles: %w", err)
	}
	defer rows.Close()
	var out []*profileRow
	for rows.Next() {
		p, err := scanProfile(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, p)
	}
	return out, rows.Err()
}

// profileVersionExists reports whether a scope has a profile of that name
// and version.
func profileVersionExists(ctx context.Context, q queryer, scope, name, version string) (bool, error) {
	var n int
	if err := q.QueryRowContext(ctx, `SELECT COUNT(*) FROM profiles WHERE scope = ? AND name = ? AND version = ?`,
		scope, name, version).Scan(&n); err != nil {
		return false, err
	}
	return n > 0, nil
}

// insertProfileRow stores a new profile, published when published is the
// template's JSON (nil: a draft).
func insertProfileRow(ctx context.Context, q queryer, uid, scope string, in wire.ClusterProfileEntity, tmpl string, published any, now int64) error {
	_, err := q.ExecContext(ctx, `INSERT INTO profiles(uid, scope, name, version, type, cloud_type, template, published, created, modified)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		uid, scope, in.Metadata.Name, in.Spec.Version, in.Spec.Template.Type, in.Spec.Template.CloudType, tmpl, published, now, now)
	return err
}

// publishDraft makes a profile's template its published version.
func publishDraft(ctx context.Context, q queryer, uid string, now int64) error {
	_, err := q.ExecContext(ctx, `UPDATE profiles SET published = template, modified = ? WHERE uid = ?`, now, uid)
	return err
}

// attachedValues is one attachment as stored: the profile, and the cluster's
// pack values and variables for it.
type attachedValues struct {
	uid        string
	packValues []wire.Pack
	variables  []wire.SpectroClusterVariable
}

// replaceAttachments replaces a cluster's attachments with next, in order.
func replaceAttachments(ctx context.Context, tx *sql.Tx, clusterUID string, next []attachedValues) error {
	if _, err := tx.ExecContext(ctx, `DELETE FROM attachments WHERE cluster_uid = ?`, clusterUID); err != nil {
		return err
	}
	for i, sl := range next {
		pv, vars := sl.packValues, sl.variables
		if pv == nil {
			pv = []wire.Pack{}
		}
		if vars == nil {
			vars = []wire.SpectroClusterVariable{}
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO attachments(cluster_uid, profile_uid, position, pack_values, variables) VALUES (?, ?, ?, ?, ?)`,
			clusterUID, sl.uid, i, mustJSON(pv), mustJSON(vars)); err != nil {
			return err
		}
	}
	return nil
}

// detachProfile removes one attachment and reports whether there was one.
func detachProfile(ctx context.Context, q queryer, clusterUID, profileUID string) (bool, error) {
	res, err := q.ExecContext(ctx, `DELETE FROM attachments WHERE cluster_uid = ? AND profile_uid = ?`, clusterUID, profileUID)
	if err != nil {
		return false, err
	}
	n, err := res.RowsAffected()
	return err == nil && n > 0, nil
}

// setAttachmentVariables replaces the variables of one attachment.
func setAttachmentVariables(ctx context.Context, q queryer, clusterUID, profileUID string, vars []wire.SpectroClusterVariable) error {
	_, err := q.ExecContext(ctx, `UPDATE attachments SET variables = ? WHERE cluster_uid = ? AND profile_uid = ?`,
		mustJSON(vars), clusterUID, profileUID)
	return err
}
