package provider

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/terraform-palette/terraform-provider-palette/internal/localapi/localtest"
	"github.com/terraform-palette/terraform-provider-palette/internal/palette"
)

const searchOK = "POST /v1/dashboard/spectroclusters/search 200"

// fakeClock is a clock the test moves.
type fakeClock struct {
	mu sync.Mutex
	t  time.Time
}

func (f *fakeClock) now() time.Time { f.mu.Lock(); defer f.mu.Unlock(); return f.t }
func (f *fakeClock) add(d time.Duration) {
	f.mu.Lock()
	f.t = f.t.Add(d)
	f.mu.Unlock()
}

// cacheEnv is a local API holding n Running clusters (simulated agents).
func cacheEnv(t *testing.T, n int) (*localtest.Instance, *palette.Client, []string) {
	t.Helper()
	inst := localtest.Start(t, localtest.WithSimulateAgents(), localtest.WithoutRateLimit())
	c, err := palette.NewClient(palette.Config{Host: inst.URL, APIKey: inst.APIKey, ProjectUID: inst.ProjectUID})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	uids := make([]string, n)
	for i := range n {
		uid, _, err := c.ImportCluster(ctx, palette.CloudTypeAWS, palette.ImportRequest{Metadata: palette.ObjectMeta{
			Name: fmt.Sprintf("cache-%03d", i), Labels: map[string]string{"i": fmt.Sprint(i)},
		}})
		if err != nil {
			t.Fatal(err)
		}
		uids[i] = uid
	}
	return inst, c, uids
}

func TestClusterCache_singleflightFreshnessInvalidation(t *testing.T) {
	t.Parallel()
	inst, c, uids := cacheEnv(t, 120) // three pages of 50
	cache := newClusterCache(c)
	clock := &fakeClock{t: time.Now()}
	cache.now = clock.now
	ctx := context.Background()

	// 40 concurrent Reads: one fill of three pages.
	var wg sync.WaitGroup
	var hits atomic.Int32
	for i := range 40 {
		wg.Go(func() {
			it, ok := cache.lookup(ctx, uids[i*3])
			if ok && it.Metadata.UID == uids[i*3] && it.Metadata.Labels["i"] == fmt.Sprint(i*3) {
				hits.Add(1)
			}
		})
	}
	wg.Wait()
	if hits.Load() != 40 {
		t.Fatalf("%d of 40 concurrent lookups hit", hits.Load())
	}
	if got := inst.Server.Requests()[searchOK]; got != 3 {
		t.Fatalf("search requests after 40 concurrent lookups: %d, want 3 (one fill of 120 clusters)", got)
	}

	tests := []struct {
		name       string
		step       func()
		uid        string
		wantHit    bool
		wantSearch int
	}{
		{"fresh: no new search", func() { clock.add(clusterCacheTTL / 2) }, uids[5], true, 3},
		{"unknown uid misses without a search", func() {}, "0123456789abcdef01234567", false, 3},
		{"invalidated misses", func() { cache.invalidate(uids[7]) }, uids[7], false, 3},
		{"others still hit", func() {}, uids[8], true, 3},
		{"stale after the window: one new fill", func() { clock.add(clusterCacheTTL) }, uids[9], true, 6},
		{"invalidated before that fill: hits again", func() {}, uids[7], true, 6},
	}
	for _, tt := range tests {
		tt.step()
		it, ok := cache.lookup(ctx, tt.uid)
		if ok != tt.wantHit || (ok && it.Metadata.UID != tt.uid) {
			t.Errorf("%s: hit %v, want %v", tt.name, ok, tt.wantHit)
		}
		if got := inst.Server.Requests()[searchOK]; got != tt.wantSearch {
			t.Errorf("%s: %d search requests, want %d", tt.name, got, tt.wantSearch)
		}
	}
}

func TestClusterCache_itemCarriesRefreshFields(t *testing.T) {
	t.Parallel()
	inst, c, uids := cacheEnv(t, 2)
	ctx := context.Background()
	pid := inst.CreateProfileFromFile(t, "../../examples/profiles/hello-addon.yaml")
	vars := []palette.Variable{{Name: "greeting", Value: "hi"}}
	if err := c.PatchClusterProfiles(ctx, uids[0], palette.ProfilesRequest{Profiles: []palette.ProfileAttachment{{UID: pid, Variables: vars}}}); err != nil {
		t.Fatal(err)
	}
	pd := &providerData{client: c}
	packs, ap, ok := pd.cachedAttachment(ctx, uids[0], pid)
	if !ok || ap == nil {
		t.Fatalf("attachment not served by the cache: ok %v, profile %+v", ok, ap)
	}
	if len(ap.Variables) != 1 || ap.Variables[0] != vars[0] {
		t.Errorf("variables %+v, want %+v", ap.Variables, vars)
	}
	if len(packs) == 0 {
		t.Errorf("no pack statuses for profile %s", pid)
	}
	for _, p := range packs {
		if packState(p.Condition) != packStateReady {
			t.Errorf("pack %s: %+v, want Ready (simulated agents)", p.Name, p.Condition)
		}
	}
	if _, ap, ok := pd.cachedAttachment(ctx, uids[1], pid); !ok || ap != nil {
		t.Errorf("cluster without attachment: ok %v, profile %+v; want ok and none", ok, ap)
	}
	it, ok := pd.clusterCache().lookup(ctx, uids[1])
	if !ok || it.Status.Health == nil || it.Status.Health.State != palette.HealthHealthy || it.Status.State != palette.StateRunning {
		t.Fatalf("item %+v", it)
	}
	// The cached Read says what GET cluster + GET overview say.
	full, err := c.GetCluster(ctx, uids[1])
	if err != nil {
		t.Fatal(err)
	}
	ov, err := c.GetClusterOverview(ctx, uids[1])
	if err != nil {
		t.Fatal(err)
	}
	cl, cov := clusterFromSearchItem(it, nil, full.Spec.CloudConfigRef.UID, full.Status.ClusterImport.ImportLink)
	if cl.Metadata.Name != full.Metadata.Name || cl.ImportMode() != full.ImportMode() || cl.Spec.CloudType != full.Spec.CloudType ||
		cl.Status.State != full.Status.State || fmt.Sprint(cl.Metadata.Labels) != fmt.Sprint(full.Metadata.Labels) {
		t.Errorf("cluster from search %+v\ndiffers from GET %+v", cl, full)
	}
	if fmt.Sprint(cov.Status.Metadata) != fmt.Sprint(ov.Status.Metadata) || cov.Status.Health.AgentVersion != ov.Status.Health.AgentVersion ||
		cov.Status.Health.State != ov.Status.Health.State {
		t.Errorf("overview from search %+v\ndiffers from GET %+v", cov.Status, ov.Status)
	}
}

// TestClusterCache_fallbacks: a search without the refresh fields (the real
// Palette) or a failing one makes lookups miss, and is not repeated at every
// lookup.
func TestClusterCache_fallbacks(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		status int
		body   string
	}{
		{"no refresh fields", http.StatusOK, `{"items":[{"metadata":{"uid":"0123456789abcdef01234567","name":"a"},` +
			`"specSummary":{"cloudType":"aws"},"status":{"state":"Running"}}],"listmeta":{"count":1}}`},
		{"search fails", http.StatusBadRequest, `{"code":"BadRequest","message":"no"}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var calls atomic.Int32
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
				calls.Add(1)
				w.Header().Set("Content-Type", "application/json")
				w.WriteHeader(tt.status)
				_, _ = w.Write([]byte(tt.body))
			}))
			t.Cleanup(srv.Close)
			c, err := palette.NewClient(palette.Config{Host: srv.URL, APIKey: "k", ProjectUID: "p", MaxRetries: -1})
			if err != nil {
				t.Fatal(err)
			}
			cache := newClusterCache(c)
			for range 5 {
				if it, ok := cache.lookup(context.Background(), "0123456789abcdef01234567"); ok {
					t.Fatalf("hit %+v, want a miss", it)
				}
			}
			if calls.Load() != 1 {
				t.Fatalf("%d searches, want 1", calls.Load())
			}
		})
	}
}
