package localapi

// A cluster's namespaces, RBAC bindings and upgrade settings: documents
// palette-local stores as given and answers back.

import (
	"context"
	"database/sql"
	"encoding/json"
	"net/http"
)

// getExtra answers a cluster's stored settings document of a kind
// (namespaces, rbacs, upgradeSettings), or def when none was stored.
func (s *Server) getExtra(kind, def string) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request, c *call) error {
		row, err := s.findCluster(r.Context(), s.st.db, c, r.PathValue("uid"))
		if err != nil {
			return err
		}
		body, err := loadExtra(r.Context(), s.st.db, row.UID, kind)
		if err != nil {
			return err
		}
		if body == "" {
			body = def
		}
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusOK)
		_, _ = w.Write([]byte(body))
		return nil
	}
}

// putExtra stores a cluster's settings document of a kind; its field must
// be present with the right type (an array, or for spectroComponents
// "lock"|"unlock").
func (s *Server) putExtra(kind, field string) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request, c *call) error {
		var doc map[string]json.RawMessage
		if err := decodeBody(r, &doc, true); err != nil {
			return err
		}
		raw, ok := doc[field]
		if !ok {
			return badRequest("request body must carry '%s'", field)
		}
		if field == "spectroComponents" {
			var v string
			if err := json.Unmarshal(raw, &v); err != nil || (v != "lock" && v != "unlock") {
				return badRequest("spectroComponents must be 'lock' or 'unlock'")
			}
		} else {
			var v []any
			if err := json.Unmarshal(raw, &v); err != nil {
				return badRequest("'%s' must be an array", field)
			}
			if v == nil {
				doc[field] = json.RawMessage("[]")
			}
		}
		return s.updateCluster(w, r, c, func(ctx context.Context, tx *sql.Tx, row *clusterRow) error {
			return storeExtra(ctx, tx, row.UID, kind, mustJSON(doc))
		})
	}
}
