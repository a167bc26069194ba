package palette

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"strconv"

	"github.com/terraform-palette/terraform-provider-palette/internal/wire"
)

// Profile, cluster-profile attachment and project methods (docs/palette-api.md,
// 3.5, 4).

func profilePath(uid string) string { return "/v1/clusterprofiles/" + escape(uid) }

// GetProfile returns a cluster profile (GET /v1/clusterprofiles/{uid}).
func (c *Client) GetProfile(ctx context.Context, uid string) (*wire.ClusterProfile, error) {
	var out wire.ClusterProfile
	if _, err := c.call(ctx, &request{method: http.MethodGet, path: profilePath(uid)}, &out); err != nil {
		return nil, err
	}
	return &out, nil
}

// GetProfileVariables returns the variables a profile defines
// (GET /v1/clusterprofiles/{uid}/variables).
func (c *Client) GetProfileVariables(ctx context.Context, uid string) ([]wire.Variable, error) {
	var out wire.Variables
	if _, err := c.call(ctx, &request{method: http.MethodGet, path: profilePath(uid) + "/variables"}, &out); err != nil {
		return nil, err
	}
	return out.Variables, nil
}

// FindProfiles returns the profiles of that name and version (version empty:
// any), in full: POST /v1/dashboard/clusterprofiles with a
// v1ClusterProfilesFilterSpec on profileName and version, paged, then
// GET /v1/clusterprofiles/{uid} of each. No match is an empty slice, not an
// error.
func (c *Client) FindProfiles(ctx context.Context, name, version string) ([]wire.ClusterProfile, error) {
	body := wire.ClusterProfilesFilterSpec{Filter: wire.ClusterProfileFilterSpec{ProfileName: &wire.FilterString{Eq: name}}}
	if version != "" {
		body.Filter.Version = &wire.FilterVersionString{Eq: version}
	}
	var uids []string
	token := ""
	seen := map[string]bool{}
	for range maxPages {
		q := url.Values{"limit": {strconv.Itoa(MaxSearchPageSize)}}
		if token != "" {
			q.Set("continue", token)
		}
		var page wire.ClusterProfilesSummary
		if _, err := c.call(ctx, &request{method: http.MethodPost, path: "/v1/dashboard/clusterprofiles", query: q, in: body}, &page); err != nil {
			return nil, err
		}
		for _, it := range page.Items {
			if it.Metadata.UID != "" && (it.Metadata.Name == "" || it.Metadata.Name == name) {
				uids = append(uids, it.Metadata.UID)
			}
		}
		token = page.ListMeta.Continue
		if token == "" || seen[token] {
			break
		}
		seen[token] = true
	}
	profiles := make([]wire.ClusterProfile, 0, len(uids))
	for _, uid := range uids {
		p, err := c.GetProfile(ctx, uid)
		if errors.Is(err, ErrNotFound) {
			continue
		}
		if err != nil {
			return nil, err
		}
		profiles = append(profiles, *p)
	}
	return filterProfiles(profiles, name, version), nil
}

// filterProfiles keeps the profiles whose name (and version, when given and
// known) match, in case the server ignored the filter.
func filterProfiles(in []wire.ClusterProfile, name, version string) []wire.ClusterProfile {
	out := make([]wire.ClusterProfile, 0, len(in))
	for _, p := range in {
		if p.Metadata.Name != name {
			continue
		}
		if v := p.EffectiveVersion(); version != "" && v != "" && v != version {
			continue
		}
		out = append(out, p)
	}
	return out
}

// GetClusterProfiles returns the profiles attached to a cluster
// (GET /v1/spectroclusters/{uid}/profiles).
func (c *Client) GetClusterProfiles(ctx context.Context, uid string) (*wire.SpectroClusterProfileList, error) {
	var out wire.SpectroClusterProfileList
	if _, err := c.call(ctx, &request{method: http.MethodGet, path: clusterPath(uid) + "/profiles"}, &out); err != nil {
		return nil, err
	}
	return &out, nil
}

// PatchClusterProfiles adds or updates the listed profiles and keeps the
// rest (PATCH /v1/spectroclusters/{uid}/profiles).
func (c *Client) PatchClusterProfiles(ctx context.Context, uid string, req wire.SpectroClusterProfiles) error {
	_, err := c.call(ctx, &request{method: http.MethodPatch, path: clusterPath(uid) + "/profiles", in: req}, nil)
	return err
}

// DeleteClusterProfiles detaches profiles
// (DELETE /v1/spectroclusters/{uid}/profiles).
func (c *Client) DeleteClusterProfiles(ctx context.Context, uid string, profileUIDs []string) error {
	if profileUIDs == nil {
		profileUIDs = []string{}
	}
	_, err := c.call(ctx, &request{
		method: http.MethodDelete, path: clusterPath(uid) + "/profiles",
		in: wire.SpectroClusterProfilesDeleteEntity{ProfileUIDs: profileUIDs},
	}, nil)
	return err
}

// ListProjects returns the projects the key may see
// (GET /v1/dashboard/projects/metadata, always tenant-scoped).
func (c *Client) ListProjects(ctx context.Context) ([]wire.NameUID, error) {
	var out wire.ProjectsMetadata
	if _, err := c.WithProject("").call(ctx, &request{method: http.MethodGet, path: "/v1/dashboard/projects/metadata"}, &out); err != nil {
		return nil, err
	}
	projects := make([]wire.NameUID, 0, len(out.Items))
	for _, it := range out.Items {
		projects = append(projects, it.Metadata)
	}
	return projects, nil
}
