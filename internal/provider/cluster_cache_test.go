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

	"github.com/terraform-palette/terraform-provider-palette/internal/acctest/localtest"
	"github.com/terraform-palette/terraform-provider-palette/internal/palette"
	"github.com/terraform-palette/terraform-provider-palette/internal/wire"
)

const (
	searchOK     = "POST /v1/dashboard/spectroclusters/search 200"
	metaSearchOK = "POST /v1/dashboard/spectroclusters/metadata/search 200"
)

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
		uid, _, err := c.ImportCluster(ctx, wire.CloudTypeAWS, wire.ImportRequest{Metadata: wire.ObjectMetaInputEntity{
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
			it, meta, ok := cache.lookup(ctx, uids[i*3])
			if ok && it.Metadata.UID == uids[i*3] && it.Metadata.Labels["i"] == fmt.Sprint(i*3) && meta.Metadata.UID == uids[i*3] {
				hits.Add(1)
			}
		})
	}
	wg.Wait()
	if hits.Load() != 40 {
		t.Fatalf("%d of 40 concurrent lookups hit", hits.Load())
	}
	if got, meta := inst.Server.Requests()[searchOK], inst.Server.Requests()[metaSearchOK]; got != 3 || meta != 1 {
		t.Fatalf("search requests after 40 concurrent lookups: %d pages and %d metadata searches, want 3 and 1 (one fill of 120 clusters)", got, meta)
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
		it, _, ok := cache.lookup(ctx, tt.uid)
		if ok != tt.wantHit || (ok && it.Metadata.UID != tt.uid) {
			t.Errorf("%s: hit %v, want %v", tt.name, ok, tt.wantHit)
		}
		if got := inst.Server.Requests()[searchOK]; got != tt.wantSearch {
			t.Errorf("%s: %d search requests, want %d", tt.name, got, tt.wantSearch)
		}
	}
}

// TestClusterCache_viewMatchesFullRead: what a refresh reads from the two
// batched searches is what the per-cluster reads (GET cluster, metadata
// search, overview, cloud config) say, for every field both carry; and an
// attachment's values from the search summary are those of GET profiles.
func TestClusterCache_viewMatchesFullRead(t *testing.T) {
	t.Parallel()
	inst, c, uids := cacheEnv(t, 2)
	ctx := context.Background()
	pid := inst.CreateProfileFromFile(t, "../../examples/profiles/hello-addon.yaml")
	if err := c.PatchClusterProfiles(ctx, uids[0], wire.SpectroClusterProfiles{Profiles: []wire.SpectroClusterProfileEntity{
		{UID: pid, PackValues: []wire.Pack{{Name: "hello", Values: "message: bonjour\n"}}},
	}}); err != nil {
		t.Fatal(err)
	}
	pd := &providerData{client: c}
	it, meta, ok := pd.clusterCache().lookup(ctx, uids[0])
	if !ok {
		t.Fatal("cluster not served by the cache")
	}
	cached := viewFromSearch(it, meta)
	cl, err := c.GetCluster(ctx, uids[0])
	if err != nil {
		t.Fatal(err)
	}
	full, err := readClusterView(ctx, c, cl)
	if err != nil {
		t.Fatal(err)
	}
	if cached.facts || !full.facts {
		t.Errorf("facts: cached %v, full %v; want false, true", cached.facts, full.facts)
	}
	type cmp struct {
		name, cloudType, state, labels, mode, health, agent, region, link, cloudConfig string
		nodes                                                                          int
	}
	of := func(v *clusterView) cmp {
		cc := ""
		if v.cluster.Spec.CloudConfigRef != nil {
			cc = v.cluster.Spec.CloudConfigRef.UID
		}
		return cmp{v.cluster.Metadata.Name, v.cluster.Spec.CloudType, v.cluster.Status.State, fmt.Sprint(v.cluster.Metadata.Labels),
			v.importMode, v.health.State, v.health.AgentVersion, v.region, v.cluster.Status.ClusterImport.ImportLink, cc, v.nodeCount}
	}
	if a, b := of(cached), of(full); a != b {
		t.Errorf("view from the searches %+v\ndiffers from the full read %+v", a, b)
	}
	if full.health.State != wire.HealthHealthy || full.cluster.Status.State != wire.StateRunning {
		t.Errorf("full read %+v, want Running and Healthy (simulated agents)", of(full))
	}
	list, err := c.GetClusterProfiles(ctx, uids[0])
	if err != nil || len(list.Profiles) != 1 {
		t.Fatalf("profiles %+v, %v", list, err)
	}
	tmpl := it.Profile(pid)
	if tmpl == nil {
		t.Fatal("the summary does not list the attached profile")
	}
	if got, want := tmpl.PackValues(), list.Profiles[0].PackValues(); fmt.Sprint(got) != fmt.Sprint(want) || want["hello"] != "message: bonjour\n" {
		t.Errorf("pack values from the summary %v, from GET profiles %v", got, want)
	}
	if it2, _, ok := pd.clusterCache().lookup(ctx, uids[1]); !ok || it2.Profile(pid) != nil {
		t.Errorf("cluster without attachment: ok %v, profile listed %v", ok, ok && it2.Profile(pid) != nil)
	}
}

// TestClusterCache_fallbacks: a failing search makes lookups miss, and is
// not repeated at every lookup.
func TestClusterCache_fallbacks(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		status int
		body   string
	}{
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
				if it, _, ok := cache.lookup(context.Background(), "0123456789abcdef01234567"); ok {
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
// 120 clusters cost one fill (three search pages and one metadata search)
// and no GET, return what the API holds, and leave no goroutine behind.
func TestImportedClusterRead_fromCache(t *testing.T) {
	inst, _, uids := cacheEnv(t, 120)
	ctx := context.Background()
	srv, sch := configuredServer(t, inst)
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
		if name != names[uid] || state != wire.StateRunning {
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
	if reqs[searchOK] != 3 || reqs[metaSearchOK] != 1 || reqs["GET /v1/spectroclusters/{uid} 200"] != 0 ||
		reqs["GET /v1/dashboard/spectroclusters/{uid}/overview 200"] != 0 {
		t.Fatalf("480 refreshes cost %v; want 3 search pages, 1 metadata search and no GET", reqs)
	}
	// Idle HTTP connections may keep a goroutine or two.
	if after := runtime.NumGoroutine(); after > before+4 {
		t.Fatalf("goroutines: %d before, %d after 480 refreshes", before, after)
	}
}

// slowTransport moves the cache's clock forward by d on every request, as if
// each took that long.
type slowTransport struct {
	clock *fakeClock
	d     time.Duration
}

func (s slowTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	s.clock.add(s.d)
	return http.DefaultTransport.RoundTrip(r)
}

// TestClusterCache_slowFillStillAnswers: a fill that takes longer than the
// freshness window (a large project, a slow link) answers the lookups that
// waited for it, instead of starting another fill (and another).
func TestClusterCache_slowFillStillAnswers(t *testing.T) {
	t.Parallel()
	inst, _, uids := cacheEnv(t, 3)
	clock := &fakeClock{t: time.Now()}
	c, err := palette.NewClient(palette.Config{Host: inst.URL, APIKey: inst.APIKey, ProjectUID: inst.ProjectUID,
		HTTPClient: &http.Client{Transport: slowTransport{clock: clock, d: clusterCacheTTL}}})
	if err != nil {
		t.Fatal(err)
	}
	cache := newClusterCache(c)
	cache.now = clock.now
	if _, _, ok := cache.lookup(context.Background(), uids[1]); !ok {
		t.Fatal("the lookup that filled the cache missed")
	}
	if fills := cache.fills; fills != 1 {
		t.Fatalf("%d fills, want 1", fills)
	}
}

// newServer is the provider's protocol server, not configured yet, and its
// schemas.
func newServer(t *testing.T) (tfprotov6.ProviderServer, *tfprotov6.GetProviderSchemaResponse) {
	t.Helper()
	srv := NewProtocol6Server("test")()
	sch, err := srv.GetProviderSchema(context.Background(), &tfprotov6.GetProviderSchemaRequest{})
	if err != nil {
		t.Fatal(err)
	}
	return srv, sch
}

// configureServer configures srv as Terraform does, with the given provider
// attributes (the others null).
func configureServer(t *testing.T, srv tfprotov6.ProviderServer, sch *tfprotov6.GetProviderSchemaResponse, vals map[string]tftypes.Value) *tfprotov6.ConfigureProviderResponse {
	t.Helper()
	pt := sch.Provider.ValueType()
	cfg, err := tfprotov6.NewDynamicValue(pt, objWith(t, pt, vals))
	if err != nil {
		t.Fatal(err)
	}
	cr, err := srv.ConfigureProvider(context.Background(), &tfprotov6.ConfigureProviderRequest{Config: &cfg})
	if err != nil {
		t.Fatal(err)
	}
	return cr
}

// configuredServer is the provider's protocol server, configured as
// Terraform does for the local API of inst, and its schemas.
func configuredServer(t *testing.T, inst *localtest.Instance) (tfprotov6.ProviderServer, *tfprotov6.GetProviderSchemaResponse) {
	t.Helper()
	srv, sch := newServer(t)
	if cr := configureServer(t, srv, sch, map[string]tftypes.Value{
		"host": tftypes.NewValue(tftypes.String, inst.URL), "api_key": tftypes.NewValue(tftypes.String, inst.APIKey),
		"project_uid": tftypes.NewValue(tftypes.String, inst.ProjectUID)}); len(cr.Diagnostics) > 0 {
		t.Fatalf("configure: %+v", cr.Diagnostics)
	}
	return srv, sch
}
