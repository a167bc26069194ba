package provider

import (
	"context"
	"fmt"
	"os"
	"sync"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/terraform-palette/terraform-provider-palette/internal/palette"
)

// clusterCacheTTL is how long one paged search of the project's clusters
// answers refreshes. A refresh of a thousand resources fits well inside it;
// a longer one searches again.
const clusterCacheTTL = 30 * time.Second

// clusterCache answers the refresh of imported clusters and attachments from
// one paged search of the project's clusters (50 per page) instead of one
// GET (or two) per resource. It is filled at most once per freshness window,
// by the first Read that needs it, while concurrent Reads wait for that fill
// (singleflight). It answers only for servers whose search items carry the
// fields a refresh needs (palette.SearchItem.HasRefreshFields); otherwise,
// and for clusters it does not hold or that the provider wrote to since the
// fill, callers fall back to GET.
type clusterCache struct {
	client   *palette.Client
	ttl      time.Duration
	now      func() time.Time
	pageSize int

	mu          sync.Mutex
	items       map[string]*palette.SearchItem
	filledAt    time.Time // start of the last successful fill; zero: none
	failedAt    time.Time // end of the last failed fill
	unsupported bool      // the server's search lacks the refresh fields
	stale       map[string]time.Time
	inflight    *cacheFill
	fills       int
}

type cacheFill struct {
	done chan struct{}
	err  error
}

// envRefreshCache set to "off" turns the cache off (benchmarks compare both).
const envRefreshCache = "PALETTE_REFRESH_CACHE"

func newClusterCache(c *palette.Client) *clusterCache {
	return &clusterCache{
		client: c, ttl: clusterCacheTTL, now: time.Now, pageSize: palette.MaxSearchPageSize,
		stale:       map[string]time.Time{},
		unsupported: os.Getenv(envRefreshCache) == "off",
	}
}

// clusterCaches holds one cache per configured provider (providerData is made
// once per Configure, that is once per Terraform graph walk).
var clusterCaches sync.Map // *providerData -> *clusterCache

// clusterCache returns the provider's cluster cache.
func (pd *providerData) clusterCache() *clusterCache {
	if v, ok := clusterCaches.Load(pd); ok {
		return v.(*clusterCache) //nolint:forcetypeassert // only *clusterCache is stored.
	}
	v, _ := clusterCaches.LoadOrStore(pd, newClusterCache(pd.client))
	return v.(*clusterCache) //nolint:forcetypeassert // only *clusterCache is stored.
}

// lookup returns the search item of a cluster when the cache can answer for
// it. ok is false when the caller must ask the API itself: the server's
// search lacks the refresh fields, the fill failed, the cluster was written
// to since the fill, or the search did not list it (deleted, or created after
// the fill).
func (c *clusterCache) lookup(ctx context.Context, uid string) (*palette.SearchItem, bool) {
	c.mu.Lock()
	for {
		now := c.now()
		switch {
		case c.unsupported:
			c.mu.Unlock()
			return nil, false
		case !c.filledAt.IsZero() && now.Sub(c.filledAt) < c.ttl:
			it := c.items[uid]
			if t, ok := c.stale[uid]; ok && !t.Before(c.filledAt) {
				it = nil
			}
			c.mu.Unlock()
			return it, it != nil
		case !c.failedAt.IsZero() && now.Sub(c.failedAt) < c.ttl:
			c.mu.Unlock()
			return nil, false
		case c.inflight != nil:
			f := c.inflight
			c.mu.Unlock()
			select {
			case <-f.done:
			case <-ctx.Done():
				return nil, false
			}
			if f.err != nil {
				return nil, false
			}
			c.mu.Lock()
			continue
		}
		f := &cacheFill{done: make(chan struct{})}
		c.inflight = f
		c.mu.Unlock()
		f.err = c.fill(ctx, now)
		close(f.done)
		c.mu.Lock()
	}
}

// fill runs one paged search and stores its items; it is called with mu
// unlocked and c.inflight set.
func (c *clusterCache) fill(ctx context.Context, started time.Time) error {
	items, err := c.client.SearchClusters(ctx, palette.SearchRequest{
		Sort: []palette.SortSpec{{Field: "creationTimestamp", Order: "asc"}},
	}, c.pageSize)
	c.mu.Lock()
	defer c.mu.Unlock()
	c.inflight = nil
	c.fills++
	if err != nil {
		c.failedAt = c.now()
		tflog.Debug(ctx, "cluster cache: search failed, refreshing with GET", map[string]any{"error": err.Error()})
		return err
	}
	m := make(map[string]*palette.SearchItem, len(items))
	for i := range items {
		it := &items[i]
		if !it.HasRefreshFields() {
			c.unsupported = true
			tflog.Debug(ctx, "cluster cache: the search does not carry the refresh fields, refreshing with GET")
			return nil
		}
		m[it.Metadata.UID] = it
	}
	c.items, c.filledAt, c.failedAt = m, started, time.Time{}
	for uid, t := range c.stale {
		if t.Before(started) {
			delete(c.stale, uid)
		}
	}
	tflog.Debug(ctx, "cluster cache filled", map[string]any{"clusters": len(m)})
	return nil
}

// invalidate makes lookups of a cluster miss until a fill that started after
// now; the provider calls it when it writes to the cluster or its profiles.
func (c *clusterCache) invalidate(uid string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.stale[uid] = c.now()
}

// cachedCluster returns the cluster and overview of a Read from the cache,
// with what a search cannot carry (proxy, cloud config, import command: all
// immutable) taken from the prior state. ok is false when the cache cannot
// answer or the state has never been read in full (e.g. right after
// `terraform import`).
func (pd *providerData) cachedCluster(ctx context.Context, m *importedClusterResourceModel, diags *diag.Diagnostics) (*palette.Cluster, *palette.Overview, bool) {
	if m.CloudConfigUID.IsNull() || m.CloudConfigUID.IsUnknown() || m.CloudConfigUID.ValueString() == "" ||
		m.ImportCommand.IsNull() || m.ImportCommand.IsUnknown() {
		return nil, nil, false
	}
	it, ok := pd.clusterCache().lookup(ctx, m.ID.ValueString())
	if !ok {
		return nil, nil, false
	}
	cl, ov := clusterFromSearchItem(it, expandProxy(ctx, m.Proxy, diags), m.CloudConfigUID.ValueString(), m.ImportCommand.ValueString())
	return cl, ov, true
}

// clusterFromSearchItem rebuilds what GET cluster and GET overview would say
// from a search item with the refresh fields and the immutable attributes.
func clusterFromSearchItem(it *palette.SearchItem, proxy *palette.Proxy, cloudConfigUID, importLink string) (*palette.Cluster, *palette.Overview) {
	cl := &palette.Cluster{
		Metadata: it.Metadata,
		Spec: palette.ClusterSpec{
			CloudType:     it.SpecSummary.CloudType,
			ClusterConfig: palette.ClusterConfig{ImportMode: it.SpecSummary.ImportMode, Proxy: proxy},
		},
		Status: palette.ClusterStatus{State: it.Status.State, Packs: it.Status.Packs},
	}
	if cloudConfigUID != "" {
		cl.Spec.CloudConfigRef = &palette.ObjectRef{UID: cloudConfigUID}
	}
	if importLink != "" {
		cl.Status.ClusterImport = &palette.ClusterImport{ImportLink: importLink}
	}
	ov := &palette.Overview{Metadata: it.Metadata}
	if it.Status.Metadata != nil {
		ov.Status.Metadata = *it.Status.Metadata
	}
	if it.Status.Health != nil {
		ov.Status.Health = *it.Status.Health
	}
	return cl, ov
}

// cachedAttachment returns, from the cache, the cluster's pack statuses and
// the attached profile (nil when the profile is not attached). ok is false
// when the cache cannot answer for the cluster.
func (pd *providerData) cachedAttachment(ctx context.Context, clusterUID, profileUID string) (packs []palette.PackStatus, ap *palette.AttachedProfile, ok bool) {
	it, ok := pd.clusterCache().lookup(ctx, clusterUID)
	if !ok {
		return nil, nil, false
	}
	for i := range it.SpecSummary.Profiles {
		if it.SpecSummary.Profiles[i].Metadata.UID == profileUID {
			ap = &it.SpecSummary.Profiles[i]
		}
	}
	return profilePackStatuses(&palette.Cluster{Status: palette.ClusterStatus{Packs: it.Status.Packs}}, profileUID), ap, true
}

// readCached refreshes an attachment from the provider's cluster cache, or
// with r.read (GET cluster + GET profiles) when the cache cannot answer.
func (r *addonProfileAttachmentResource) readCached(ctx context.Context, m *addonProfileAttachmentResourceModel) (gone string, err error) {
	cid, pid := m.ClusterID.ValueString(), m.ProfileID.ValueString()
	packs, ap, ok := r.data.cachedAttachment(ctx, cid, pid)
	if !ok {
		return r.read(ctx, m)
	}
	if ap == nil {
		return fmt.Sprintf("Profile %s is no longer attached to cluster %s (it was detached outside Terraform)", pid, cid), nil
	}
	m.ID = types.StringValue(attachmentID(cid, pid))
	flattenAttachment(m, ap)
	m.Packs = flattenPackStatuses(packs)
	if m.AdoptExisting.IsNull() || m.AdoptExisting.IsUnknown() {
		m.AdoptExisting = types.BoolValue(false)
	}
	return "", nil
}
