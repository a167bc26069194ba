// Package palettetest holds the calls of Palette's API that only tests make:
// the provider never creates or publishes a profile, replaces the whole set
// of a cluster's profiles, or sets variables on their own. They go through
// the client's generic request method (palette.Client.Do), with its
// retries, logging and error mapping, so that the conformance test still
// checks what they send against Palette's spec.
package palettetest

import (
	"context"
	"errors"
	"net/http"
	"net/url"

	"github.com/terraform-palette/terraform-provider-palette/internal/palette"
	"github.com/terraform-palette/terraform-provider-palette/internal/wire"
)

func profilePath(uid string) string { return "/v1/clusterprofiles/" + url.PathEscape(uid) }
func clusterPath(uid string) string { return "/v1/spectroclusters/" + url.PathEscape(uid) }

// CreateProfile creates a profile version (POST /v1/clusterprofiles) and
// returns its UID; publish it with PublishProfile. Unlike the client's
// import POST, a retried 5xx may repeat it: against palette-local, the
// repeat of a version already created is refused.
func CreateProfile(ctx context.Context, c *palette.Client, name, version string, tmpl wire.ProfileTemplate) (string, error) {
	if tmpl.Packs == nil {
		tmpl.Packs = []wire.Pack{}
	}
	body := wire.ClusterProfileEntity{
		Metadata: wire.ObjectMeta{Name: name},
		Spec:     wire.ClusterProfileEntitySpec{Version: version, Template: tmpl},
	}
	var out wire.UIDResponse
	if err := c.Do(ctx, http.MethodPost, "/v1/clusterprofiles", body, &out); err != nil {
		return "", err
	}
	if out.UID == "" {
		return "", errors.New("palettetest: POST /v1/clusterprofiles: answer carries no uid")
	}
	return out.UID, nil
}

// PublishProfile publishes a profile (PATCH /v1/clusterprofiles/{uid}/publish).
func PublishProfile(ctx context.Context, c *palette.Client, uid string) error {
	return c.Do(ctx, http.MethodPatch, profilePath(uid)+"/publish", nil, nil)
}

// PutClusterProfiles replaces the whole set of a cluster's profiles
// (PUT /v1/spectroclusters/{uid}/profiles).
func PutClusterProfiles(ctx context.Context, c *palette.Client, uid string, req wire.SpectroClusterProfiles) error {
	if req.Profiles == nil {
		req.Profiles = []wire.SpectroClusterProfileEntity{}
	}
	return c.Do(ctx, http.MethodPut, clusterPath(uid)+"/profiles", req, nil)
}

// PatchClusterVariables sets the variables of the listed profiles
// (PATCH /v1/spectroclusters/{uid}/variables).
func PatchClusterVariables(ctx context.Context, c *palette.Client, uid string, vars []wire.SpectroClusterVariables) error {
	if vars == nil {
		vars = []wire.SpectroClusterVariables{}
	}
	return c.Do(ctx, http.MethodPatch, clusterPath(uid)+"/variables", vars, nil)
}
