package localapi

// Projects as the API lists them.

import (
	"net/http"

	"github.com/terraform-palette/terraform-provider-palette/internal/wire"
)

// GET /v1/dashboard/projects/metadata.
func (s *Server) projectsMetadata(w http.ResponseWriter, r *http.Request, c *call) error {
	projects, err := s.st.listProjects(r.Context())
	if err != nil {
		return err
	}
	out := wire.ProjectsMetadata{Items: []wire.ProjectMetadataItem{}}
	for _, p := range projects {
		if c.key.project != "" && c.key.project != p.UID {
			continue
		}
		var it wire.ProjectMetadataItem
		it.Metadata.UID, it.Metadata.Name = p.UID, p.Name
		out.Items = append(out.Items, it)
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}
