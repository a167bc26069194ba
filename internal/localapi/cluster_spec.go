package localapi

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"net/http"

	"github.com/terraform-palette/terraform-provider-palette/internal/palette"
)

// Fields of v1SpectroCluster (GET /v1/spectroclusters/{uid}) that the
// contract's palette.Cluster does not carry, in the shapes of Palette's
// published API spec: status.location (v1ClusterLocation) and the full
// spec.clusterProfileTemplates[] (v1ClusterProfileTemplate with its packs as
// v1PackRef: type, layer, values, packUid, manifests...). Spectro Cloud's
// SDK and provider read them.

// geoLocation is v1GeolocationLatlong (latitude and longitude are never omitted).
type geoLocation struct {
	Latitude  float64 `json:"latitude"`
	Longitude float64 `json:"longitude"`
}

// clusterLocation is v1ClusterLocation.
type clusterLocation struct {
	CountryCode string       `json:"countryCode"`
	CountryName string       `json:"countryName"`
	GeoLoc      *geoLocation `json:"geoLoc"`
	RegionCode  string       `json:"regionCode"`
	RegionName  string       `json:"regionName"`
}

// locationInput is v1SpectroClusterLocationInputEntity.
type locationInput struct {
	Location *clusterLocation `json:"location"`
}

// packRef is v1PackRef.
type packRef struct {
	Layer       string            `json:"layer"`
	Manifests   []objectReference `json:"manifests"`
	Name        string            `json:"name"`
	PackUID     string            `json:"packUid,omitempty"`
	RegistryUID string            `json:"registryUid,omitempty"`
	Tag         string            `json:"tag,omitempty"`
	Type        string            `json:"type,omitempty"`
	Values      string            `json:"values"`
	Version     string            `json:"version,omitempty"`
}

// clusterProfileTemplate is v1ClusterProfileTemplate.
type clusterProfileTemplate struct {
	CloudType      string    `json:"cloudType,omitempty"`
	Name           string    `json:"name"`
	Packs          []packRef `json:"packs"`
	ProfileVersion string    `json:"profileVersion"`
	Type           string    `json:"type"`
	UID            string    `json:"uid"`
}

type specClusterSpec struct {
	palette.ClusterSpec
	ClusterProfileTemplates []clusterProfileTemplate `json:"clusterProfileTemplates"`
}

type specClusterStatus struct {
	palette.ClusterStatus
	Location *clusterLocation `json:"location"`
}

// specCluster is the cluster as GET /v1/spectroclusters/{uid} answers it:
// its spec and status fields shadow the embedded cluster's.
type specCluster struct {
	*palette.Cluster
	Spec   specClusterSpec   `json:"spec"`
	Status specClusterStatus `json:"status"`
}

// withSpecFields adds status.location and the full profile templates.
func (s *Server) withSpecFields(ctx context.Context, q queryer, row *clusterRow, cl *palette.Cluster) (*specCluster, error) {
	atts, err := loadAttachments(ctx, q, row.UID)
	if err != nil {
		return nil, err
	}
	templates := make([]clusterProfileTemplate, 0, len(atts))
	for _, a := range atts {
		packs := make([]packRef, 0, len(a.published.Packs))
		for _, p := range a.published.Packs {
			packs = append(packs, packRef{
				Layer:       packLayer(a.typ, p.Name),
				Manifests:   manifestRefs(a.profileUID, p),
				Name:        p.Name,
				PackUID:     packUID(p),
				RegistryUID: publicRegistryUID,
				Tag:         p.Tag,
				Type:        packType(p),
				Values:      p.Values,
				Version:     p.Tag,
			})
		}
		templates = append(templates, clusterProfileTemplate{
			CloudType: a.published.CloudType, Name: a.name, Packs: packs,
			ProfileVersion: a.version, Type: a.typ, UID: a.profileUID,
		})
	}
	loc, err := loadLocation(ctx, q, row.UID)
	if err != nil {
		return nil, err
	}
	return &specCluster{
		Cluster: cl,
		Spec:    specClusterSpec{ClusterSpec: cl.Spec, ClusterProfileTemplates: templates},
		Status:  specClusterStatus{ClusterStatus: cl.Status, Location: loc},
	}, nil
}

// loadLocation is the stored location, or an empty one (never null: clients
// dereference it).
func loadLocation(ctx context.Context, q queryer, clusterUID string) (*clusterLocation, error) {
	loc := &clusterLocation{}
	body, err := loadExtra(ctx, q, clusterUID, "location")
	if err != nil {
		return nil, err
	}
	if body != "" {
		if err := json.Unmarshal([]byte(body), loc); err != nil {
			return nil, fmt.Errorf("decoding stored location: %w", err)
		}
	}
	if loc.GeoLoc == nil {
		loc.GeoLoc = &geoLocation{}
	}
	return loc, nil
}

// PUT /v1/spectroclusters/{uid}/location (v1SpectroClustersUidLocationPut).
func (s *Server) putLocation(w http.ResponseWriter, r *http.Request, c *call) error {
	var req locationInput
	if err := decodeBody(r, &req, true); err != nil {
		return err
	}
	loc := req.Location
	if loc == nil {
		loc = &clusterLocation{}
	}
	if g := loc.GeoLoc; g != nil && (g.Latitude < -90 || g.Latitude > 90 || g.Longitude < -180 || g.Longitude > 180) {
		return badRequest("location.geoLoc must have a latitude in [-90, 90] and a longitude in [-180, 180]")
	}
	err := s.st.write(r.Context(), func(tx *sql.Tx) error {
		row, err := s.findCluster(r.Context(), tx, c, r.PathValue("uid"))
		if err != nil {
			return err
		}
		return storeExtra(r.Context(), tx, row.UID, "location", mustJSON(loc))
	})
	if err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}
