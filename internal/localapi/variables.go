package localapi

import (
	"context"
	"database/sql"
	"net/http"
	"regexp"
	"slices"

	"github.com/terraform-palette/terraform-provider-palette/internal/wire"
)

// Cluster profile variables, per attached profile, in the shapes of Palette's
// published API spec: GET answers an array of v1SpectroClusterVariables,
// PATCH takes an array of v1SpectroClusterVariableUpdateEntity. The values
// are the attachment's variables (the ones the agent substitutes into the
// pack manifests); the names a profile uses are also read from its packs'
// manifests and values ({{ .spectro.var.NAME }} or {{ .Variables.NAME }}), so
// that a variable that was never set is listed with an empty value.

// variableRef finds the variables a manifest or values document refers to.
var variableRef = regexp.MustCompile(`\.(?:spectro\.var|Variables)\.([A-Za-z_][A-Za-z0-9_]*)`)

// profileVariableNames are the variable names the packs refer to, in order
// of first appearance.
func profileVariableNames(packs []wire.Pack) []string {
	var names []string
	see := func(text string) {
		for _, m := range variableRef.FindAllStringSubmatch(text, -1) {
			if !slices.Contains(names, m[1]) {
				names = append(names, m[1])
			}
		}
	}
	for _, p := range packs {
		see(p.Values)
		for _, m := range p.Manifests {
			see(m.Content)
		}
	}
	return names
}

// profileVariable is v1Variable: the fields the spec marks x-omitempty:
// false are always present.
type profileVariable struct {
	DefaultValue string `json:"defaultValue"`
	Format       string `json:"format,omitempty"`
	Hidden       bool   `json:"hidden"`
	Immutable    bool   `json:"immutable"`
	InputType    string `json:"inputType,omitempty"`
	IsSensitive  bool   `json:"isSensitive"`
	Name         string `json:"name"`
	Required     bool   `json:"required"`
}

// profileVariables is v1Variables.
type profileVariables struct {
	Variables []profileVariable `json:"variables"`
}

// GET /v1/clusterprofiles/{uid}/variables (V1ClusterProfilesUidVariablesGet):
// the variables of a profile, those its packs refer to (palette-local keeps
// no other definition of them).
func (s *Server) getProfileVariables(w http.ResponseWriter, r *http.Request, c *call) error {
	p, err := s.findProfile(r.Context(), s.st.db, c, r.PathValue("uid"))
	if err != nil {
		return err
	}
	names := profileVariableNames(profilePacks(p))
	out := profileVariables{Variables: make([]profileVariable, 0, len(names))}
	for _, n := range names {
		out.Variables = append(out.Variables, profileVariable{Name: n, Format: "string", InputType: "text"})
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

// variableResponse is v1SpectroClusterVariableResponse: the fields the spec
// marks x-omitempty: false are always present.
type variableResponse struct {
	DefaultValue string `json:"defaultValue"`
	Format       string `json:"format,omitempty"`
	Hidden       bool   `json:"hidden"`
	Immutable    bool   `json:"immutable"`
	InputType    string `json:"inputType"`
	IsSensitive  bool   `json:"isSensitive"`
	Name         string `json:"name"`
	Options      []any  `json:"options"`
	Required     bool   `json:"required"`
	Value        string `json:"value"`
}

// clusterVariables is v1SpectroClusterVariables.
type clusterVariables struct {
	ProfileUID string             `json:"profileUid"`
	Variables  []variableResponse `json:"variables"`
}

// variableUpdate is v1SpectroClusterVariableUpdateEntity.
type variableUpdate struct {
	ProfileUID string                        `json:"profileUid"`
	Variables  []wire.SpectroClusterVariable `json:"variables"`
}

// GET /v1/spectroclusters/{uid}/variables (v1SpectroClustersUidVariablesGet).
func (s *Server) getVariables(w http.ResponseWriter, r *http.Request, c *call) error {
	atts, err := s.pathAttachments(r, c)
	if err != nil {
		return err
	}
	out := make([]clusterVariables, 0, len(atts))
	for _, a := range atts {
		names := profileVariableNames(a.published.Packs)
		for _, v := range a.variables {
			if !slices.Contains(names, v.Name) {
				names = append(names, v.Name)
			}
		}
		cv := clusterVariables{ProfileUID: a.profileUID, Variables: make([]variableResponse, 0, len(names))}
		for _, n := range names {
			vr := variableResponse{Name: n, Format: "string", InputType: "text", Options: []any{}}
			if i := slices.IndexFunc(a.variables, func(v wire.SpectroClusterVariable) bool { return v.Name == n }); i >= 0 {
				vr.Value = a.variables[i].Value
			}
			cv.Variables = append(cv.Variables, vr)
		}
		out = append(out, cv)
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

// PATCH /v1/spectroclusters/{uid}/variables (v1SpectroClustersUidVariablesPatch):
// sets the listed variables, by name, of each listed attached profile. A
// change redeploys the profile's packs (their status waits for the agent).
func (s *Server) patchVariables(w http.ResponseWriter, r *http.Request, c *call) error {
	var req []variableUpdate
	if err := decodeBody(r, &req, true); err != nil {
		return err
	}
	for i, u := range req {
		if u.ProfileUID == "" {
			return badRequest("[%d].profileUid is required", i)
		}
		for j, v := range u.Variables {
			if v.Name == "" {
				return badRequest("[%d].variables[%d].name is required", i, j)
			}
		}
	}
	return s.updateCluster(w, r, c, func(ctx context.Context, tx *sql.Tx, row *clusterRow) error {
		atts, err := loadAttachments(ctx, tx, row.UID)
		if err != nil {
			return err
		}
		changed := map[string]*profileRow{}
		for _, u := range req {
			i := slices.IndexFunc(atts, func(a attachment) bool { return a.profileUID == u.ProfileUID })
			if i < 0 {
				return notFound("ClusterProfile '%s' is not attached to cluster '%s'", u.ProfileUID, row.UID)
			}
			vars := atts[i].variables
			before := mustJSON(vars)
			for _, v := range u.Variables {
				if k := slices.IndexFunc(vars, func(x wire.SpectroClusterVariable) bool { return x.Name == v.Name }); k >= 0 {
					vars[k] = v
				} else {
					vars = append(vars, v)
				}
			}
			atts[i].variables = vars
			if mustJSON(vars) == before {
				continue
			}
			if err := setAttachmentVariables(ctx, tx, row.UID, u.ProfileUID, vars); err != nil {
				return err
			}
			p, err := s.findProfile(ctx, tx, c, u.ProfileUID)
			if err != nil {
				return err
			}
			if p.Published != nil {
				changed[p.UID] = p
			}
		}
		if len(changed) == 0 {
			return nil
		}
		return s.updatePackStatus(ctx, tx, row, changed, nil)
	})
}
