package localapi

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"net/http"

	"github.com/terraform-palette/terraform-provider-palette/internal/wire"
)

// status.location of a cluster (v1ClusterLocation), set with
// PUT /v1/spectroclusters/{uid}/location: Spectro Cloud's SDK and provider
// read and write it.

// locationInput is v1SpectroClusterLocationInputEntity.
type locationInput struct {
	Location *wire.ClusterLocation `json:"location"`
}

// loadLocation is the stored location, or an empty one (never null: clients
// dereference it).
func loadLocation(ctx context.Context, q queryer, clusterUID string) (*wire.ClusterLocation, error) {
	loc := &wire.ClusterLocation{}
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
		loc.GeoLoc = &wire.GeolocationLatlong{}
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
		loc = &wire.ClusterLocation{}
	}
	if g := loc.GeoLoc; g != nil && (g.Latitude < -90 || g.Latitude > 90 || g.Longitude < -180 || g.Longitude > 180) {
		return badRequest("location.geoLoc must have a latitude in [-90, 90] and a longitude in [-180, 180]")
	}
	return s.updateCluster(w, r, c, func(ctx context.Context, tx *sql.Tx, row *clusterRow) error {
		return storeExtra(ctx, tx, row.UID, "location", mustJSON(loc))
	})
}
