package localapi

// Projects as the API lists them.

import (
	"net/http"

	"github.com/terraform-palette/terraform-provider-palette/internal/wire"
)

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
