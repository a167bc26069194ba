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

	"github.com/terraform-palette/terraform-provider-palette/internal/acctest/localtest"
	"github.com/terraform-palette/terraform-provider-palette/internal/palette"
	"github.com/terraform-palette/terraform-provider-palette/internal/wire"
)

// TestStatusCluster_sharedPerCluster: waiters of one cluster share one
// overview request; another cluster gets its own.
func TestStatusCluster_sharedPerCluster(t *testing.T) {
	t.Parallel()
	var calls atomic.Int32
	release := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		calls.Add(1)
		<-release
		w.Header().Set("Content-Type", "application/json")
		_, _ = fmt.Fprintf(w, `{"metadata":{"uid":"x"},"status":{"state":"Running","health":{"state":"Healthy"}}}`)
	}))
	t.Cleanup(srv.Close)
	c, err := palette.NewClient(palette.Config{Host: srv.URL, APIKey: "k", ProjectUID: "shared-test"})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	var wg sync.WaitGroup
	var ok atomic.Int32
	for range 20 {
		wg.Go(func() {
			state, health, err := statusCluster(ctx, c, "0123456789abcdef0123aaaa")
			if err == nil && state == wire.StateRunning && health == wire.HealthHealthy {
				ok.Add(1)
			}
		})
	}
	for calls.Load() == 0 {
		// wait for the first request to be in flight
		runtime.Gosched()
	}
	close(release)
	wg.Wait()
	if ok.Load() != 20 {
		t.Fatalf("%d of 20 waiters saw Running/Healthy", ok.Load())
	}
	if n := calls.Load(); n != 1 {
		t.Fatalf("20 concurrent waiters of one cluster sent %d overview requests, want 1", n)
	}
	if _, _, err := statusCluster(ctx, c, "0123456789abcdef0123bbbb"); err != nil {
		t.Fatal(err)
	}
	if n := calls.Load(); n != 2 {
		t.Fatalf("another cluster: %d requests in all, want 2", n)
	}
}

// TestClient_staysUnderDashboardLimit: 60 concurrent overview reads against
// palette-local with Palette's default rate limits (10/s, bursts of 50 on
// /v1/dashboard) all succeed without a single 429: the client paces itself.
func TestClient_staysUnderDashboardLimit(t *testing.T) {
	t.Parallel()
	inst, c, uids := cacheEnvLimited(t)
	ctx := context.Background()
	var wg sync.WaitGroup
	var failed atomic.Int32
	for i := range 60 {
		wg.Go(func() {
			if _, err := c.GetClusterOverview(ctx, uids[i%len(uids)]); err != nil {
				failed.Add(1)
			}
		})
	}
	wg.Wait()
	reqs := inst.Server.Requests()
	if failed.Load() != 0 || reqs["GET /v1/dashboard/spectroclusters/{uid}/overview 429"] != 0 ||
		reqs["GET /v1/dashboard/spectroclusters/{uid}/overview 200"] != 60 {
		t.Fatalf("%d failed; requests %v", failed.Load(), reqs)
	}
}

// cacheEnvLimited is a local API with the default rate limits and 4 clusters.
func cacheEnvLimited(t *testing.T) (*localtest.Instance, *palette.Client, []string) {
	t.Helper()
	inst := localtest.Start(t, localtest.WithSimulateAgents())
	c, err := palette.NewClient(palette.Config{Host: inst.URL, APIKey: inst.APIKey, ProjectUID: inst.ProjectUID})
	if err != nil {
		t.Fatal(err)
	}
	var uids []string
	for i := range 4 {
		uid, _, err := c.ImportCluster(context.Background(), wire.CloudTypeGeneric, wire.ImportRequest{
			Metadata: wire.ObjectMetaInputEntity{Name: fmt.Sprintf("limit-%d", i)}})
		if err != nil {
			t.Fatal(err)
		}
		uids = append(uids, uid)
	}
	return inst, c, uids
}
