package provider

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"runtime"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-go/tftypes"

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

// objWith is an object value of type t: the given attributes, null elsewhere.
func objWith(t *testing.T, typ tftypes.Type, vals map[string]tftypes.Value) tftypes.Value {
	t.Helper()
	ot, ok := typ.(tftypes.Object)
	if !ok {
		t.Fatalf("%s is not an object type", typ)
	}
	m := map[string]tftypes.Value{}
	for k, at := range ot.AttributeTypes {
		if v, ok := vals[k]; ok {
			m[k] = v
		} else {
			m[k] = tftypes.NewValue(at, nil)
		}
	}
	return tftypes.NewValue(ot, m)
}

// TestImportedClusterRead_fromCache drives the provider server as Terraform
// does (ConfigureProvider, then ReadResource ten at a time): 480 refreshes of
// 120 clusters cost one fill of three search pages and no GET, return what
// the API holds, and leave no goroutine behind.
func TestImportedClusterRead_fromCache(t *testing.T) {
	inst, _, uids := cacheEnv(t, 120)
	ctx := context.Background()
	srv := NewProtocol6Server("test")()
	sch, err := srv.GetProviderSchema(ctx, &tfprotov6.GetProviderSchemaRequest{})
	if err != nil {
		t.Fatal(err)
	}
	pt := sch.Provider.ValueType()
	cfg, err := tfprotov6.NewDynamicValue(pt, objWith(t, pt, map[string]tftypes.Value{
		"host": tftypes.NewValue(tftypes.String, inst.URL), "api_key": tftypes.NewValue(tftypes.String, inst.APIKey),
		"project_uid": tftypes.NewValue(tftypes.String, inst.ProjectUID)}))
	if err != nil {
		t.Fatal(err)
	}
	if cr, err := srv.ConfigureProvider(ctx, &tfprotov6.ConfigureProviderRequest{Config: &cfg}); err != nil || len(cr.Diagnostics) > 0 {
		t.Fatalf("configure: %v %+v", err, cr)
	}
	rt := sch.ResourceSchemas["palette_imported_cluster"].ValueType()
	names := map[string]string{}
	for i, uid := range uids {
		names[uid] = fmt.Sprintf("cache-%03d", i)
	}
	read := func(uid string) error {
		st, err := tfprotov6.NewDynamicValue(rt, objWith(t, rt, map[string]tftypes.Value{
			"id": tftypes.NewValue(tftypes.String, uid), "name": tftypes.NewValue(tftypes.String, "stale"),
			"cloud_config_uid": tftypes.NewValue(tftypes.String, "cc"), "import_command": tftypes.NewValue(tftypes.String, "kubectl"),
		}))
		if err != nil {
			return err
		}
		resp, err := srv.ReadResource(ctx, &tfprotov6.ReadResourceRequest{TypeName: "palette_imported_cluster", CurrentState: &st})
		if err != nil {
			return err
		}
		if len(resp.Diagnostics) > 0 {
			return fmt.Errorf("%s: %s", resp.Diagnostics[0].Summary, resp.Diagnostics[0].Detail)
		}
		v, err := resp.NewState.Unmarshal(rt)
		if err != nil {
			return err
		}
		var attrs map[string]tftypes.Value
		if err := v.As(&attrs); err != nil {
			return err
		}
		var name, state string
		if err := attrs["name"].As(&name); err != nil {
			return err
		}
		if err := attrs["state"].As(&state); err != nil {
			return err
		}
		if name != names[uid] || state != palette.StateRunning {
			return fmt.Errorf("cluster %s read as %q/%q, want %q/Running", uid, name, state, names[uid])
		}
		return nil
	}
	before := runtime.NumGoroutine()
	var wg sync.WaitGroup
	work := make(chan string)
	errs := make(chan error, 1)
	for range 10 {
		wg.Go(func() {
			for uid := range work {
				if err := read(uid); err != nil {
					select {
					case errs <- err:
					default:
					}
				}
			}
		})
	}
	for range 4 {
		for _, uid := range uids {
			work <- uid
		}
	}
	close(work)
	wg.Wait()
	select {
	case err := <-errs:
		t.Fatal(err)
	default:
	}
	reqs := inst.Server.Requests()
	if reqs[searchOK] != 3 || reqs["GET /v1/spectroclusters/{uid} 200"] != 0 || reqs["GET /v1/dashboard/spectroclusters/{uid}/overview 200"] != 0 {
		t.Fatalf("480 refreshes cost %v; want 3 search pages and no GET", reqs)
	}
	// Idle HTTP connections may keep a goroutine or two.
	if after := runtime.NumGoroutine(); after > before+4 {
		t.Fatalf("goroutines: %d before, %d after 480 refreshes", before, after)
	}
}
