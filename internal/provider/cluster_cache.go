package provider

import (
	"context"
	"os"
	"sync"
	"time"

	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/terraform-palette/terraform-provider-palette/internal/palette"
	"github.com/terraform-palette/terraform-provider-palette/internal/wire"
)

// clusterCacheTTL is how long one paged search of the project's clusters
// answers refreshes. A refresh of a thousand resources fits well inside it;
// a longer one searches again.
const clusterCacheTTL = 30 * time.Second

// clusterCache answers the refresh of imported clusters and attachments from
// Palette's two batched endpoints instead of several requests per resource:
// the paged cluster search (POST /v1/dashboard/spectroclusters/search, 50
// summaries a page: state, health, import link, labels, node count, the
// attached profiles with their packs' values) and the metadata search (POST
// /v1/dashboard/spectroclusters/metadata/search, one answer: import mode and
// region). It is filled at most once per freshness window, by the first Read
// that needs it, while concurrent Reads wait for that fill (singleflight).
// For clusters it does not hold or that the provider wrote to since the fill,
// callers fall back to per-cluster reads.
type clusterCache struct {
	client   *palette.Client
	ttl      time.Duration
	now      func() time.Time
	pageSize int

	mu          sync.Mutex
	items       map[string]*wire.SpectroClusterSummary
	metas       map[string]*wire.SpectroClusterMetaSummary
	filledAt    time.Time // start of the last successful fill; zero: none
	failedAt    time.Time // end of the last failed fill
	unsupported bool      // turned off (PALETTE_REFRESH_CACHE=off)
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

// clusterCache returns the provider's cluster cache, one per configured
// provider (providerData is made once per Configure, that is once per
// Terraform graph walk).
func (pd *providerData) clusterCache() *clusterCache {
	pd.clustersOnce.Do(func() { pd.clusters = newClusterCache(pd.client) })
	return pd.clusters
}

// lookup returns the search summary and metadata item of a cluster when the
// cache can answer for it. ok is false when the caller must ask the API
// itself: the cache is off, the fill failed, the cluster was written to since
// the fill, or the searches did not list it (deleted, or created after the
// fill).
func (c *clusterCache) lookup(ctx context.Context, uid string) (*wire.SpectroClusterSummary, *wire.SpectroClusterMetaSummary, bool) {
	c.mu.Lock()
	for {
		now := c.now()
		switch {
		case c.unsupported:
			c.mu.Unlock()
			return nil, nil, false
		case !c.filledAt.IsZero() && now.Sub(c.filledAt) < c.ttl:
			return c.answer(uid)
		case !c.failedAt.IsZero() && now.Sub(c.failedAt) < c.ttl:
			c.mu.Unlock()
			return nil, nil, false
		case c.inflight != nil:
			f := c.inflight
			c.mu.Unlock()
			select {
			case <-f.done:
			case <-ctx.Done():
				return nil, nil, false
			}
			if f.err != nil {
				return nil, nil, false
			}
			// The fill this lookup waited for answers it, even if it took
			// longer than the freshness window (a slow, large project).
			c.mu.Lock()
			return c.answer(uid)
		}
		f := &cacheFill{done: make(chan struct{})}
		c.inflight = f
		c.mu.Unlock()
		// The fill serves every waiting Read: one Read's cancellation must
		// not fail the others.
		fctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), cacheFillTimeout)
		f.err = c.fill(fctx, now)
		cancel()
		close(f.done)
		c.mu.Lock()
		if f.err == nil {
			return c.answer(uid)
		}
	}
}

// all returns every cluster of a fresh fill (made now when the last one is
// not fresh, or waited for when one is under way), by UID: what the list
// resources of one query share. ok is false when the cache cannot answer
// (turned off, or the fill failed): the caller searches itself.
func (c *clusterCache) all(ctx context.Context) (map[string]*wire.SpectroClusterSummary, map[string]*wire.SpectroClusterMetaSummary, bool) {
	c.lookup(ctx, "") // fills the cache; no cluster has the UID ""
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.unsupported || c.filledAt.IsZero() || !c.failedAt.IsZero() || c.now().Sub(c.filledAt) >= c.ttl {
		return nil, nil, false
	}
	return c.items, c.metas, true
}

// cacheFillTimeout bounds one fill of the cache.
const cacheFillTimeout = 10 * time.Minute

// answer returns the cache's items of a cluster; it is called with mu held
// and unlocks it. A cluster written to since the fill, or Deleted (the
// per-cluster read tells a deleted cluster from a live one), is a miss.
func (c *clusterCache) answer(uid string) (*wire.SpectroClusterSummary, *wire.SpectroClusterMetaSummary, bool) {
	it, meta := c.items[uid], c.metas[uid]
	if t, ok := c.stale[uid]; ok && !t.Before(c.filledAt) {
		it = nil
	}
	c.mu.Unlock()
	if it == nil || meta == nil || it.Status.State == wire.StateDeleted || meta.Status.State == wire.StateDeleted {
		return nil, nil, false
	}
	return it, meta, true
}

// fill runs the paged search and the metadata search and stores their
// items; it is called with mu unlocked and c.inflight set.
func (c *clusterCache) fill(ctx context.Context, started time.Time) error {
	items, metas, err := searchAllClusters(ctx, c.client, c.pageSize)
	c.mu.Lock()
	defer c.mu.Unlock()
	c.inflight = nil
	c.fills++
	if err != nil {
		c.failedAt = c.now()
		tflog.Debug(ctx, "cluster cache: search failed, refreshing cluster by cluster", map[string]any{"error": err.Error()})
		return err
	}
	m := make(map[string]*wire.SpectroClusterSummary, len(items))
	for i := range items {
		m[items[i].Metadata.UID] = &items[i]
	}
	mm := make(map[string]*wire.SpectroClusterMetaSummary, len(metas))
	for i := range metas {
		mm[metas[i].Metadata.UID] = &metas[i]
	}
	c.items, c.metas, c.filledAt, c.failedAt = m, mm, started, time.Time{}
	for uid, t := range c.stale {
		if t.Before(started) {
			delete(c.stale, uid)
		}
	}
	tflog.Debug(ctx, "cluster cache filled", map[string]any{"clusters": len(m)})
	return nil
}

// searchAllClusters runs the paged cluster search (pageSize summaries a
// request) and the metadata search (one request) over the whole project:
// ceil(N/pageSize) + 1 requests for N clusters.
func searchAllClusters(ctx context.Context, c *palette.Client, pageSize int) ([]wire.SpectroClusterSummary, []wire.SpectroClusterMetaSummary, error) {
	items, err := c.SearchClusters(ctx, wire.SearchFilterSummarySpec{
		Sort: []wire.SearchFilterSortSpec{{Field: "creationTimestamp", Order: "asc"}},
	}, pageSize)
	if err != nil {
		return nil, nil, err
	}
	metas, err := c.SearchClusterMetadata(ctx, wire.SearchFilterSummarySpec{})
	if err != nil {
		return nil, nil, err
	}
	return items, metas, nil
}

// invalidate makes lookups of a cluster miss until a fill that started after
// now; the provider calls it when it writes to the cluster or its profiles.
func (c *clusterCache) invalidate(uid string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.stale[uid] = c.now()
}

// cachedCluster returns the view of a Read from the cache. ok is false when
// the cache cannot answer or the state has never been read in full (e.g.
// right after `terraform import`).
func (pd *providerData) cachedCluster(ctx context.Context, m *importedClusterResourceModel) (*clusterView, bool) {
	if m.CloudConfigUID.IsNull() || m.CloudConfigUID.IsUnknown() || m.CloudConfigUID.ValueString() == "" ||
		m.ImportCommand.IsNull() || m.ImportCommand.IsUnknown() {
		return nil, false
	}
	it, meta, ok := pd.clusterCache().lookup(ctx, m.ID.ValueString())
	if !ok {
		return nil, false
	}
	return viewFromSearch(it, meta), true
}

// profileCache holds the profiles read in one provider run for
// profileCacheTTL: attachments of one profile to many clusters read it once.
type profileCache struct {
	mu      sync.Mutex
	entries map[string]*profileEntry
}

type profileEntry struct {
	done    chan struct{}
	at      time.Time
	profile *wire.ClusterProfile
	err     error
}

// profileCacheTTL is how long a profile read answers again.
const profileCacheTTL = 30 * time.Second

// profile returns a profile (GET /v1/clusterprofiles/{uid}), read once per
// provider run and freshness window.
func (pd *providerData) profile(ctx context.Context, uid string) (*wire.ClusterProfile, error) {
	pd.profilesOnce.Do(func() { pd.profiles = &profileCache{entries: map[string]*profileEntry{}} })
	pc := pd.profiles
	pc.mu.Lock()
	e := pc.entries[uid]
	if e != nil {
		select {
		case <-e.done:
			if e.err != nil || time.Since(e.at) > profileCacheTTL {
				e = nil
			}
		default:
		}
	}
	if e == nil {
		e = &profileEntry{done: make(chan struct{})}
		pc.entries[uid] = e
		pc.mu.Unlock()
		// Shared with other Reads: not cancelled by this one's context.
		fctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), pd.client.RequestBudget())
		e.profile, e.err = pd.client.GetProfile(fctx, uid)
		cancel()
		e.at = time.Now()
		close(e.done)
	} else {
		pc.mu.Unlock()
		select {
		case <-e.done:
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}
	return e.profile, e.err
}
