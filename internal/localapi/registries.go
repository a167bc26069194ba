package localapi

import (
	"net/http"
)

// palette-local has no pack registries of its own: the packs of its profiles
// carry their content. It answers the registry listing with one system
// registry, "Public Repo" (the registry Spectro Cloud's SDK and provider look
// up for manifest packs), and names it as the registry of every pack.

const publicRegistryName = "Public Repo"

var publicRegistryUID = derivedUID("registry", publicRegistryName)

// registryMetadata is v1RegistryMetadata.
type registryMetadata struct {
	IsDefault bool   `json:"isDefault"`
	IsPrivate bool   `json:"isPrivate"`
	Kind      string `json:"kind,omitempty"`
	Name      string `json:"name,omitempty"`
	Scope     string `json:"scope,omitempty"`
	UID       string `json:"uid,omitempty"`
}

// registriesMetadata is v1RegistriesMetadata.
type registriesMetadata struct {
	Items []registryMetadata `json:"items"`
}

// GET /v1/registries/metadata?scope=system|tenant|all (v1RegistriesMetadata).
func (s *Server) registriesMetadata(w http.ResponseWriter, r *http.Request, _ *call) error {
	scope := r.URL.Query().Get("scope")
	out := registriesMetadata{Items: []registryMetadata{}}
	switch scope {
	case "", "all", "system":
		out.Items = append(out.Items, registryMetadata{
			IsDefault: true, Kind: "pack", Name: publicRegistryName, Scope: "system", UID: publicRegistryUID,
		})
	case "tenant":
	default:
		return badRequest("scope must be 'system', 'tenant' or 'all', not '%s'", scope)
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}
