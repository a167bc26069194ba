package main

import (
	"context"
	"net/http"
	"strconv"
	"testing"
	"time"

	"github.com/terraform-palette/terraform-provider-palette/internal/localapi"
)

func TestRoundRatios(t *testing.T) {
	runs := func(walls ...time.Duration) []run {
		out := make([]run, len(walls))
		for i, w := range walls {
			out[i] = run{wall: w}
		}
		return out
	}
	// Round 3 is quick for both: the ratio of medians (3 s / 2 s = 1.5×)
	// would pass, but round 1's ratio is 2× and must fail the goal (see
	// TestWallGoal, where the second runs are the plugin floor's).
	r := roundRatios(runs(4*time.Second, 3*time.Second, 1500*time.Millisecond), runs(2*time.Second, 2*time.Second, time.Second))
	if len(r) != 3 || r[0] != 2 || r[1] != 1.5 || r[2] != 1.5 {
		t.Fatalf("ratios = %v, want [2 1.5 1.5]", r)
	}
	if got := r.median(); got != 1.5 {
		t.Errorf("median = %v, want 1.5", got)
	}
	if got := r.worst(); got != 2 {
		t.Errorf("worst = %v, want 2", got)
	}
	if got, want := r.String(), "1.50× (median of 3 rounds; 1.50–2.00×)"; got != want {
		t.Errorf("String = %q, want %q", got, want)
	}
	if got, want := (ratios{1.25}).String(), "1.25×"; got != want {
		t.Errorf("String of one round = %q, want %q", got, want)
	}
	// Unequal lengths pair only the rounds both ran.
	if got := roundRatios(runs(time.Second), runs(time.Second, time.Second)); len(got) != 1 {
		t.Errorf("len = %d, want 1", len(got))
	}
}

func TestWallGoal(t *testing.T) {
	runs := func(walls ...time.Duration) []run {
		out := make([]run, len(walls))
		for i, w := range walls {
			out[i] = run{wall: w}
		}
		return out
	}
	const s = time.Second
	for _, c := range []struct {
		name               string
		palette, plugin    []run
		want               bool
		wantMedian, wantWo float64
	}{
		{"every round within 1.5×", runs(3*s, 2*s, 1500*time.Millisecond), runs(2*s, 2*s, s), true, 1.5, 1.5},
		{"exactly 1.5× passes", runs(3 * s), runs(2 * s), true, 1.5, 1.5},
		// The medians (3 s over 2 s) are within 1.5×, but round 2 is not:
		// its plugin floor ran fast and the provider did not.
		{"one round over fails", runs(3*s, 4*s, 3*s), runs(2*s, 2*s, 2*s), false, 1.5, 2},
		{"a slow round for both passes", runs(3*s, 6*s, 3*s), runs(2*s, 4*s, 2*s), true, 1.5, 1.5},
		{"every round over fails", runs(4*s, 4*s), runs(2*s, 2*s), false, 2, 2},
		{"no round fails", nil, nil, false, 0, 0},
	} {
		t.Run(c.name, func(t *testing.T) {
			r, ok := wallGoal(c.palette, c.plugin)
			if ok != c.want {
				t.Errorf("wallGoal = %v (ratios %v), want %v", ok, r, c.want)
			}
			if len(r) == 0 {
				return
			}
			if got := r.median(); got != c.wantMedian {
				t.Errorf("median = %v, want %v", got, c.wantMedian)
			}
			if got := r.worst(); got != c.wantWo {
				t.Errorf("worst = %v, want %v", got, c.wantWo)
			}
		})
	}
}

func TestRequestsGoal(t *testing.T) {
	for _, c := range []struct {
		n, requests int
		wantGoal    string
		want        bool
	}{
		// At N = 1000 (2000 resources): at most 1000/25 + 10 = 50 in all.
		{1000, 50, "≤ 50 (N/25 + 10), ≤ 1 per resource", true},
		{1000, 51, "≤ 50 (N/25 + 10), ≤ 1 per resource", false},
		{1000, 20, "≤ 50 (N/25 + 10), ≤ 1 per resource", true},
		// Elsewhere: at most 1 per resource (2N).
		{100, 200, "≤ 1 per resource", true},
		{100, 201, "≤ 1 per resource", false},
		{300, 50, "≤ 1 per resource", true},
		{20, 41, "≤ 1 per resource", false},
		{0, 0, "≤ 1 per resource", true},
	} {
		goal, ok := requestsGoal(c.n, c.requests)
		if goal != c.wantGoal || ok != c.want {
			t.Errorf("requestsGoal(%d, %d) = %q, %v; want %q, %v", c.n, c.requests, goal, ok, c.wantGoal, c.want)
		}
	}
}

func TestDay2RequestsGoal(t *testing.T) {
	for _, c := range []struct {
		n, requests int
		want        bool
	}{
		// N = 300: 1,200 namespaces and bindings, at most 1,200 requests.
		{300, 607, true},
		{300, 1200, true},
		{300, 1201, false},
		{50, 200, true},
		{50, 201, false},
	} {
		goal, ok := day2RequestsGoal(c.n, c.requests)
		if ok != c.want {
			t.Errorf("day2RequestsGoal(%d, %d) = %v, want %v", c.n, c.requests, ok, c.want)
		}
		if want := "≤ 1 per namespace or binding: ≤ " + strconv.Itoa(4*c.n) + " (4N) in all"; goal != want {
			t.Errorf("goal = %q, want %q", goal, want)
		}
	}
}

func TestListReads(t *testing.T) {
	before := map[string]int{
		"GET /v1/spectroclusters/{uid}/config/namespaces 200": 10,
		"GET /v1/spectroclusters/{uid}/config/rbacs 200":      10,
	}
	after := map[string]int{
		"GET /v1/spectroclusters/{uid}/config/namespaces 200":                310,
		"GET /v1/spectroclusters/{uid}/config/rbacs 200":                     305,
		"GET /v1/spectroclusters/{uid}/config/rbacs 404":                     5,
		"GET /v1/spectroclusters/{uid}/config/rbacs/{rbacUid} 200":           7, // a single entry
		"PUT /v1/spectroclusters/{uid}/config/namespaces 204":                3, // a write
		"POST /v1/dashboard/spectroclusters/search 200":                      6,
		"GET /v1/spectroclusters/{uid}/config/namespaces/{namespaceUid} 200": 2,
	}
	if got := listReads(before, after); got != 600 {
		t.Errorf("listReads = %d, want 600", got)
	}
}

func TestFaultsSince(t *testing.T) {
	before := map[string]int{"fault latency": 3, "GET /v1/x 200": 3, "fault 503": 1}
	after := map[string]int{"fault latency": 10, "GET /v1/x 200": 10, "fault 503": 1}
	if lat, others := faultsSince(before, after); lat != 7 || others != "" {
		t.Errorf("faultsSince = %d, %q; want 7, \"\"", lat, others)
	}
	after["fault 503"], after["fault reset"] = 3, 1
	if lat, others := faultsSince(before, after); lat != 7 || others != "1 × reset, 2 × 503" {
		t.Errorf("faultsSince = %d, %q; want 7, \"1 × reset, 2 × 503\"", lat, others)
	}
}

// TestSaaSFaults checks the SaaS figure's fault spec against the local API:
// the latency on every provider request, and no other fault.
func TestSaaSFaults(t *testing.T) {
	s, err := startServer(localapi.Config{DataDir: t.TempDir(), DisableRateLimit: true}, "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = s.stop() }()
	if err := s.srv.SetFaults(saasFaults, 1); err != nil {
		t.Fatal(err)
	}
	snap := s.srv.Requests()
	before, _ := s.counts()
	const requests = 20
	for i := range requests {
		req, err := http.NewRequestWithContext(context.Background(), http.MethodGet, "http://"+s.addr+"/v1/spectroclusters/bench-"+strconv.Itoa(i), nil)
		if err != nil {
			t.Fatal(err)
		}
		req.Header.Set("ApiKey", s.srv.BootstrapKey())
		req.Header.Set("ProjectUid", s.srv.DefaultProjectUID())
		start := time.Now()
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		_ = resp.Body.Close()
		if d := time.Since(start); d < saasLatency {
			t.Errorf("request %d took %s, want at least %s", i, d, saasLatency)
		}
	}
	after, _ := s.counts()
	lat, others := faultsSince(snap, s.srv.Requests())
	if after-before != requests || lat != requests || others != "" {
		t.Errorf("%d requests, %d with latency, other faults %q; want %d, %d, none", after-before, lat, others, requests, requests)
	}
}
