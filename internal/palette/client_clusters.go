package palette

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"github.com/terraform-palette/terraform-provider-palette/internal/wire"
)

// Provider methods on imported clusters (docs/palette-api.md).

// MaxSearchPageSize is the largest page the search endpoint serves.
const MaxSearchPageSize = 50

// adoptClockSkew is how much older than the start of ImportCluster a cluster
// found after a lost answer may be and still be taken for the one this call
// created.
const adoptClockSkew = 5 * time.Minute

func clusterPath(uid string) string { return "/v1/spectroclusters/" + escape(uid) }

// ValidateClusterName checks that name is free in the client's scope
// (GET /v1/spectroclusters/validate/name); a taken name matches ErrConflict.
func (c *Client) ValidateClusterName(ctx context.Context, name string) error {
	_, err := c.call(ctx, &request{
		method: http.MethodGet, path: "/v1/spectroclusters/validate/name",
		query: url.Values{"name": {name}},
	}, nil)
	return err
}

// ImportCluster creates an imported cluster (POST
// /v1/spectroclusters/{cloudType}/import) and returns its UID. The POST is
// never repeated blindly: a 429 is retried; when the answer is
// lost (connection reset, EOF or timeout after sending, or 502/503/504) the
// cluster is looked up by name in the same scope and adopted when found
// (adopted is true), else the POST is sent again, within MaxRetries. A
// cluster found by name is adopted only if it is not deleted, has the same
// import cloud type and was not created well before this call started (so that a
// lost 409 never adopts somebody else's cluster).
func (c *Client) ImportCluster(ctx context.Context, cloudType string, req wire.ImportRequest) (uid string, adopted bool, err error) {
	path := "/v1/spectroclusters/" + escape(wire.ImportCloudType(cloudType)) + "/import"
	name := req.Metadata.Name
	started := c.now()
	answerLost := false
	for attempt := 1; ; attempt++ {
		var out wire.UIDResponse
		_, err := c.call(ctx, &request{method: http.MethodPost, path: path, in: req, nonIdempotent: true}, &out)
		if err == nil {
			if out.UID == "" {
				return "", false, fmt.Errorf("palette: POST %s: answer carries no uid", path)
			}
			return out.UID, false, nil
		}
		conflictAfterLoss := answerLost && errors.Is(err, ErrConflict)
		if !errors.Is(err, ErrOutcomeUnknown) && !conflictAfterLoss {
			return "", false, err
		}
		answerLost = true
		item, ferr := c.findAdoptable(ctx, name, cloudType, started)
		switch {
		case ferr == nil:
			return item.Metadata.UID, true, nil
		case !errors.Is(ferr, ErrNotFound):
			return "", false, fmt.Errorf("palette: import of %q: answer lost (%w) and the lookup by name failed: %w", name, err, ferr)
		case conflictAfterLoss:
			// The name is taken, but not by a cluster this call may adopt.
			return "", false, err
		}
		if attempt > c.maxRetries {
			return "", false, fmt.Errorf("palette: import of %q: giving up after %d attempts: %w", name, attempt, err)
		}
		if werr := c.wait(ctx, c.backoff(attempt-1, nil)); werr != nil {
			return "", false, fmt.Errorf("palette: import of %q: %w (last error: %w)", name, werr, err)
		}
	}
}

// findAdoptable finds the cluster a lost import POST may have created.
func (c *Client) findAdoptable(ctx context.Context, name, cloudType string, started time.Time) (*wire.SpectroClusterSummary, error) {
	item, err := c.FindClusterByName(ctx, name)
	if err != nil {
		return nil, err
	}
	if ct := item.SpecSummary.CloudConfig.CloudType; ct != "" && ct != wire.ImportCloudType(cloudType) {
		return nil, fmt.Errorf("palette: cluster %q has cloud type %q, not %q: %w", name, ct, cloudType, ErrNotFound)
	}
	if ts := item.Metadata.CreationTimestamp; ts != nil && ts.Before(started.Add(-adoptClockSkew)) {
		return nil, fmt.Errorf("palette: cluster %q was created at %s, before this import: %w", name, ts.Format(time.RFC3339), ErrNotFound)
	}
	return item, nil
}

// GetCluster returns a cluster (GET /v1/spectroclusters/{uid}); 404 matches
// ErrNotFound. A cluster in state Deleted is returned as is.
func (c *Client) GetCluster(ctx context.Context, uid string) (*wire.SpectroCluster, error) {
	var out wire.SpectroCluster
	if _, err := c.call(ctx, &request{method: http.MethodGet, path: clusterPath(uid)}, &out); err != nil {
		return nil, err
	}
	return &out, nil
}

// GetClusterOverview returns health and agent facts
// (GET /v1/dashboard/spectroclusters/{uid}/overview).
func (c *Client) GetClusterOverview(ctx context.Context, uid string) (*wire.SpectroClusterUidSummary, error) {
	var out wire.SpectroClusterUidSummary
	path := "/v1/dashboard/spectroclusters/" + escape(uid) + "/overview"
	if _, err := c.call(ctx, &request{method: http.MethodGet, path: path}, &out); err != nil {
		return nil, err
	}
	return &out, nil
}

// GetImportManifest returns the raw multi-document YAML of the import
// manifest (GET /v1/spectroclusters/{uid}/import/manifest, served as
// application/octet-stream).
func (c *Client) GetImportManifest(ctx context.Context, uid string) ([]byte, error) {
	var out []byte
	_, err := c.call(ctx, &request{
		method: http.MethodGet, path: clusterPath(uid) + "/import/manifest",
		accept: "application/octet-stream, */*",
	}, &out)
	if err != nil {
		return nil, err
	}
	return out, nil
}

// UpdateClusterMetadata sets a cluster's labels and annotations
// (PATCH /v1/spectroclusters/{uid}/metadata); nil maps are sent as empty.
func (c *Client) UpdateClusterMetadata(ctx context.Context, uid string, labels, annotations map[string]string) error {
	if labels == nil {
		labels = map[string]string{}
	}
	if annotations == nil {
		annotations = map[string]string{}
	}
	_, err := c.call(ctx, &request{
		method: http.MethodPatch, path: clusterPath(uid) + "/metadata",
		in: wire.ObjectMetaInputEntitySchema{Metadata: wire.MetadataLabels{Labels: labels, Annotations: annotations}},
	}, nil)
	return err
}

// UpgradeToFullPermission migrates a read-only cluster to Full Permission
// (PATCH /v1/spectroclusters/{uid}/import/upgrade). A 409
// AlreadyFullPermission on a retry (the first answer was lost) is success.
func (c *Client) UpgradeToFullPermission(ctx context.Context, uid string) error {
	resp, err := c.call(ctx, &request{method: http.MethodPatch, path: clusterPath(uid) + "/import/upgrade"}, nil)
	if err != nil && resp != nil && resp.attempts > 1 && IsCode(err, wire.CodeAlreadyFullPermission) {
		return nil
	}
	return err
}

// DeleteCluster deletes a cluster (DELETE /v1/spectroclusters/{uid}?forceDelete=).
// A 404 matches ErrNotFound; callers treat it as success.
func (c *Client) DeleteCluster(ctx context.Context, uid string, force bool) error {
	_, err := c.call(ctx, &request{
		method: http.MethodDelete, path: clusterPath(uid),
		query: url.Values{"forceDelete": {strconv.FormatBool(force)}},
	}, nil)
	return err
}

// searchClustersPage returns one page of POST
// /v1/dashboard/spectroclusters/search; limit ≤ 0 leaves the server's
// default, larger than MaxSearchPageSize is capped.
func (c *Client) searchClustersPage(ctx context.Context, req wire.SearchFilterSummarySpec, limit int, continueToken string) (*wire.SpectroClustersSummary, error) {
	q := url.Values{}
	if limit > 0 {
		q.Set("limit", strconv.Itoa(min(limit, MaxSearchPageSize)))
	}
	if continueToken != "" {
		q.Set("continue", continueToken)
	}
	var out wire.SpectroClustersSummary
	if _, err := c.call(ctx, &request{
		method: http.MethodPost, path: "/v1/dashboard/spectroclusters/search", query: q, in: req,
	}, &out); err != nil {
		return nil, err
	}
	return &out, nil
}

// maxPages guards against a server that never ends a listing.
const maxPages = 10000

// SearchClusters returns every item of a search, following listmeta.continue
// until it comes back empty.
func (c *Client) SearchClusters(ctx context.Context, req wire.SearchFilterSummarySpec, pageSize int) ([]wire.SpectroClusterSummary, error) {
	if pageSize <= 0 {
		pageSize = MaxSearchPageSize
	}
	var items []wire.SpectroClusterSummary
	token := ""
	seen := map[string]bool{}
	for range maxPages {
		page, err := c.searchClustersPage(ctx, req, pageSize, token)
		if err != nil {
			return nil, err
		}
		items = append(items, page.Items...)
		token = page.ListMeta.Continue
		if token == "" {
			return items, nil
		}
		if seen[token] {
			return nil, fmt.Errorf("palette: cluster search returned continue token %q twice", token)
		}
		seen[token] = true
	}
	return nil, fmt.Errorf("palette: cluster search did not end after %d pages", maxPages)
}

// FindClusterByName returns the cluster of that name in the client's scope
// that is not deleted; none matches ErrNotFound.
func (c *Client) FindClusterByName(ctx context.Context, name string) (*wire.SpectroClusterSummary, error) {
	items, err := c.SearchClusters(ctx, wire.SearchFilterSummarySpec{
		Filter: wire.AndFilter(wire.StringFilter("clusterName", name)),
		Sort:   []wire.SearchFilterSortSpec{{Field: "clusterName", Order: "asc"}},
	}, MaxSearchPageSize)
	if err != nil {
		return nil, err
	}
	for i := range items {
		it := &items[i]
		if it.Metadata.Name == name && it.Status.State != wire.StateDeleted {
			return it, nil
		}
	}
	return nil, fmt.Errorf("palette: cluster %q: %w", name, ErrNotFound)
}

// SearchClusterMetadata returns every item of POST
// /v1/dashboard/spectroclusters/metadata/search (one answer, not paged): the
// only place Palette shows a cluster's import mode, with its state, health
// and region.
func (c *Client) SearchClusterMetadata(ctx context.Context, req wire.SearchFilterSummarySpec) ([]wire.SpectroClusterMetaSummary, error) {
	var out wire.SpectroClustersMetadataSearch
	if _, err := c.call(ctx, &request{
		method: http.MethodPost, path: "/v1/dashboard/spectroclusters/metadata/search", in: req,
	}, &out); err != nil {
		return nil, err
	}
	return out.Items, nil
}

// GetClusterMeta returns the metadata search item of the cluster of that
// UID and name; none matches ErrNotFound.
func (c *Client) GetClusterMeta(ctx context.Context, uid, name string) (*wire.SpectroClusterMetaSummary, error) {
	items, err := c.SearchClusterMetadata(ctx, wire.SearchFilterSummarySpec{Filter: wire.AndFilter(wire.StringFilter("clusterName", name))})
	if err != nil {
		return nil, err
	}
	for i := range items {
		if items[i].Metadata.UID == uid {
			return &items[i], nil
		}
	}
	return nil, fmt.Errorf("palette: cluster %s (%q) in the metadata search: %w", uid, name, ErrNotFound)
}

// cloudConfigPath returns the path of a cluster's cloud config: the IaaS
// type's (aws, gcp, azure for imported EKS, GKE and AKS), generic for
// openshift and eks-anywhere.
func cloudConfigPath(cloudType, configUID string) string {
	return "/v1/cloudconfigs/" + escape(wire.ImportCloudType(cloudType)) + "/" + escape(configUID)
}

// GetCloudConfig returns a cluster's cloud config
// (GET /v1/cloudconfigs/{cloudType}/{configUid}): region and instance types.
func (c *Client) GetCloudConfig(ctx context.Context, cloudType, configUID string) (*wire.CloudConfig, error) {
	var out wire.CloudConfig
	if _, err := c.call(ctx, &request{method: http.MethodGet, path: cloudConfigPath(cloudType, configUID)}, &out); err != nil {
		return nil, err
	}
	return &out, nil
}

// GetClusterVariables returns the variables of each attached profile
// (GET /v1/spectroclusters/{uid}/variables).
func (c *Client) GetClusterVariables(ctx context.Context, uid string) ([]wire.SpectroClusterVariables, error) {
	var out []wire.SpectroClusterVariables
	if _, err := c.call(ctx, &request{method: http.MethodGet, path: clusterPath(uid) + "/variables"}, &out); err != nil {
		return nil, err
	}
	return out, nil
}
