package localapi

// The profiles and attachments tables: their columns and how a row is read.

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
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
	variables                                  []wire.Variable
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
			a.variables = []wire.Variable{}
		}
		out = append(out, a)
	}
	return out, rows.Err()
}
