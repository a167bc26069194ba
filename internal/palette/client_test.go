package palette

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-log/tflogtest"
	"github.com/terraform-palette/terraform-provider-palette/internal/wire"
)

const (
	testAPIKey     = "k3y-SECRET-0123456789abcdef"
	testAgentToken = "agent-T0KEN-fedcba9876543210"
)

// sleepRecorder replaces the client's sleep: it records the requested
// durations and returns at once (or with ctx's error).
type sleepRecorder struct {
	mu    sync.Mutex
	waits []time.Duration
}

func (s *sleepRecorder) sleep(ctx context.Context, d time.Duration) error {
	s.mu.Lock()
	s.waits = append(s.waits, d)
	s.mu.Unlock()
	return ctx.Err()
}

func (s *sleepRecorder) get() []time.Duration {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]time.Duration(nil), s.waits...)
}

// newTestClient starts h on a loopback server and returns a client with a
// recorded sleep and no jitter.
func newTestClient(t *testing.T, h http.Handler, mutate ...func(*Config)) (*Client, *sleepRecorder) {
	t.Helper()
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	cfg := Config{Host: srv.URL, APIKey: testAPIKey, ProjectUID: "proj1", MaxRetries: 4}
	for _, m := range mutate {
		m(&cfg)
	}
	c, err := NewClient(cfg)
	if err != nil {
		t.Fatalf("NewClient: %v", err)
	}
	rec := &sleepRecorder{}
	c.sleep = rec.sleep
	c.jitter = func(time.Duration) time.Duration { return 0 }
	return c, rec
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

func writeErr(w http.ResponseWriter, status int, code string) {
	writeJSON(w, status, wire.Error{Code: code, Message: "msg for " + code, Ref: "ref" + code})
}

// hangUp closes the connection without an answer (a lost answer).
func hangUp(t *testing.T, w http.ResponseWriter) {
	hj, ok := w.(http.Hijacker)
	if !ok {
		t.Error("response writer cannot hijack")
		return
	}
	conn, _, err := hj.Hijack()
	if err != nil {
		t.Errorf("hijack: %v", err)
		return
	}
	if tc, ok := conn.(*net.TCPConn); ok {
		_ = tc.SetLinger(0) // reset rather than FIN
	}
	_ = conn.Close()
}

func TestParseHost(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in, want string
		wantErr  bool
	}{
		{"", "https://api.spectrocloud.com", false},
		{"api.spectrocloud.com", "https://api.spectrocloud.com", false},
		{"127.0.0.1:8080", "https://127.0.0.1:8080", false},
		{"http://127.0.0.1:8080/", "http://127.0.0.1:8080", false},
		{"https://palette.example.com/base/", "https://palette.example.com/base", false},
		{"ftp://x", "", true},
		{"https://", "", true},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			t.Parallel()
			c, err := NewClient(Config{Host: tt.in})
			if tt.wantErr {
				if err == nil {
					t.Fatalf("NewClient(%q) = %s, want an error", tt.in, c.BaseURL())
				}
				return
			}
			if err != nil {
				t.Fatalf("NewClient(%q): %v", tt.in, err)
			}
			if got := c.BaseURL(); got != tt.want {
				t.Errorf("BaseURL() = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestRequestHeaders(t *testing.T) {
	t.Parallel()
	var mu sync.Mutex
	var got []http.Header
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		got = append(got, r.Header.Clone())
		mu.Unlock()
		w.WriteHeader(http.StatusNoContent)
	})
	c, _ := newTestClient(t, h, func(cfg *Config) { cfg.UserAgent = "tpp/1.2.3" })
	ctx := context.Background()
	if err := c.ValidateClusterName(ctx, "a"); err != nil {
		t.Fatal(err)
	}
	if err := c.WithProject("proj2").ValidateClusterName(ctx, "a"); err != nil {
		t.Fatal(err)
	}
	if c.ProjectUID() != "proj1" {
		t.Errorf("WithProject changed the original's scope to %q", c.ProjectUID())
	}
	agent, _ := newTestClient(t, h, func(cfg *Config) { cfg.APIKey = ""; cfg.AgentToken = testAgentToken })
	if err := agent.ReportImported(ctx, "u1"); err != nil {
		t.Fatal(err)
	}
	if len(got) != 3 {
		t.Fatalf("server saw %d requests, want 3", len(got))
	}
	checks := []struct {
		i            int
		apiKey, auth string
		project, ua  string
	}{
		{0, testAPIKey, "", "proj1", "tpp/1.2.3"},
		{1, testAPIKey, "", "proj2", "tpp/1.2.3"},
		{2, "", "Bearer " + testAgentToken, "proj1", DefaultUserAgent},
	}
	for _, ch := range checks {
		hd := got[ch.i]
		if hd.Get(wire.HeaderAPIKey) != ch.apiKey || hd.Get("Authorization") != ch.auth ||
			hd.Get(wire.HeaderProjectUID) != ch.project || hd.Get("User-Agent") != ch.ua {
			t.Errorf("request %d headers: ApiKey=%q Authorization=%q ProjectUid=%q User-Agent=%q; want %q %q %q %q",
				ch.i, hd.Get(wire.HeaderAPIKey), hd.Get("Authorization"), hd.Get(wire.HeaderProjectUID), hd.Get("User-Agent"),
				ch.apiKey, ch.auth, ch.project, ch.ua)
		}
	}
}

func TestRetryOnStatus(t *testing.T) {
	t.Parallel()
	for _, status := range []int{429, 502, 503, 504} {
		for _, method := range []string{http.MethodGet, http.MethodPut, http.MethodDelete} {
			t.Run(fmt.Sprintf("%d_%s", status, method), func(t *testing.T) {
				t.Parallel()
				var calls atomic.Int32
				h := http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
					if calls.Add(1) <= 2 {
						writeErr(w, status, "Transient")
						return
					}
					writeJSON(w, http.StatusOK, map[string]string{"uid": "abc"})
				})
				c, rec := newTestClient(t, h)
				var out wire.UIDResponse
				if err := c.Do(context.Background(), method, "/v1/x", nil, &out); err != nil {
					t.Fatalf("Do: %v", err)
				}
				if out.UID != "abc" {
					t.Errorf("uid = %q, want abc", out.UID)
				}
				if n := calls.Load(); n != 3 {
					t.Errorf("server saw %d requests, want 3", n)
				}
				if n := len(rec.get()); n != 2 {
					t.Errorf("client slept %d times, want 2", n)
				}
			})
		}
	}
}

func TestRetryOnConnectionReset(t *testing.T) {
	t.Parallel()
	var calls atomic.Int32
	h := http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		if calls.Add(1) == 1 {
			hangUp(t, w)
			return
		}
		writeJSON(w, http.StatusOK, wire.SpectroCluster{Metadata: wire.ObjectMeta{UID: "u1", Name: "n"}})
	})
	c, rec := newTestClient(t, h)
	cl, err := c.GetCluster(context.Background(), "u1")
	if err != nil {
		t.Fatalf("GetCluster: %v", err)
	}
	if cl.Metadata.Name != "n" || calls.Load() != 2 || len(rec.get()) != 1 {
		t.Errorf("name=%q calls=%d sleeps=%d; want n, 2, 1", cl.Metadata.Name, calls.Load(), len(rec.get()))
	}
}

// postOnce sends a non-idempotent POST (as ImportCluster does, and as a
// profile is created), which the client never repeats once it was sent.
func postOnce(ctx context.Context, c *Client) error {
	_, err := c.call(ctx, &request{
		method: http.MethodPost, path: "/v1/clusterprofiles", nonIdempotent: true,
		in: wire.ClusterProfileEntity{Metadata: wire.ObjectMeta{Name: "p"}, Spec: wire.ClusterProfileEntitySpec{Version: "1.0.0"}},
	}, nil)
	return err
}

func TestRetryOnConnectionRefused(t *testing.T) {
	t.Parallel()
	ln, err := (&net.ListenConfig{}).Listen(context.Background(), "tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	_ = ln.Close()
	c, err := NewClient(Config{Host: "http://" + addr, MaxRetries: 2})
	if err != nil {
		t.Fatal(err)
	}
	rec := &sleepRecorder{}
	c.sleep = rec.sleep
	// Refused before sending: even a non-idempotent POST is retried.
	err = postOnce(context.Background(), c)
	if err == nil {
		t.Fatal("a POST to a closed port succeeded")
	}
	if errors.Is(err, ErrOutcomeUnknown) {
		t.Errorf("refused connection reported as unknown outcome: %v", err)
	}
	if n := len(rec.get()); n != 2 {
		t.Errorf("client slept %d times, want 2 (MaxRetries)", n)
	}
}

func TestRetryAfterHonoured(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 11, 24, 10, 0, 0, 0, time.UTC)
	tests := []struct {
		name   string
		status int
		header string
		want   time.Duration
	}{
		{"seconds_429", 429, "7", 7 * time.Second},
		{"seconds_503", 503, "3", 3 * time.Second},
		{"date_429", 429, now.Add(30 * time.Second).Format(http.TimeFormat), 30 * time.Second},
		{"past_date", 429, now.Add(-time.Minute).Format(http.TimeFormat), 0},
		{"huge_capped", 429, "999999", maxRetryAfter},
		{"garbage_falls_back", 429, "soon", DefaultRetryWaitMin / 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var calls atomic.Int32
			h := http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
				if calls.Add(1) == 1 {
					w.Header().Set(wire.HeaderRetryAfter, tt.header)
					writeErr(w, tt.status, wire.CodeTooManyRequests)
					return
				}
				w.WriteHeader(http.StatusNoContent)
			})
			c, rec := newTestClient(t, h)
			c.now = func() time.Time { return now }
			if err := c.ValidateClusterName(context.Background(), "a"); err != nil {
				t.Fatal(err)
			}
			waits := rec.get()
			if len(waits) != 1 || waits[0] != tt.want {
				t.Errorf("waits = %v, want [%v]", waits, tt.want)
			}
		})
	}
}

func TestBackoffExponentialWithJitter(t *testing.T) {
	t.Parallel()
	c, err := NewClient(Config{RetryWaitMin: 100 * time.Millisecond, RetryWaitMax: 2 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	var asked []time.Duration
	for _, pick := range []string{"low", "high"} {
		c.jitter = func(n time.Duration) time.Duration {
			asked = append(asked, n)
			if pick == "low" {
				return 0
			}
			return n - 1
		}
		// Exponential base 100ms·2^n capped at 2s; the wait is base/2 + jitter in [0, base/2].
		for retry, base := range []time.Duration{100, 200, 400, 800, 1600, 2000, 2000} {
			base *= time.Millisecond
			got := c.backoff(retry, nil)
			want := base / 2
			if pick == "high" {
				want = base
			}
			if got != want {
				t.Errorf("%s jitter: backoff(%d) = %v, want %v", pick, retry, got, want)
			}
		}
	}
	if len(asked) == 0 || asked[0] <= 0 {
		t.Errorf("jitter not used: %v", asked)
	}
	// The real jitter stays within the bounds.
	c.jitter = randomJitter
	for range 200 {
		if d := c.backoff(3, nil); d < 400*time.Millisecond || d > 800*time.Millisecond {
			t.Fatalf("backoff(3) = %v, outside [400ms, 800ms]", d)
		}
	}
}

func TestMaxRetriesBound(t *testing.T) {
	t.Parallel()
	var calls atomic.Int32
	h := http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		calls.Add(1)
		writeErr(w, http.StatusServiceUnavailable, wire.CodeServiceUnavailable)
	})
	c, rec := newTestClient(t, h, func(cfg *Config) { cfg.MaxRetries = 3 })
	_, err := c.GetCluster(context.Background(), "u1")
	if !errors.Is(err, ErrServer) || !IsCode(err, wire.CodeServiceUnavailable) {
		t.Errorf("err = %v, want ErrServer with code %s", err, wire.CodeServiceUnavailable)
	}
	if n := calls.Load(); n != 4 {
		t.Errorf("server saw %d requests, want 4 (1 + MaxRetries)", n)
	}
	if n := len(rec.get()); n != 3 {
		t.Errorf("client slept %d times, want 3", n)
	}
}

func TestContextBoundsRetries(t *testing.T) {
	t.Parallel()
	t.Run("deadline_before_retry_after", func(t *testing.T) {
		t.Parallel()
		var calls atomic.Int32
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
			calls.Add(1)
			w.Header().Set(wire.HeaderRetryAfter, "30")
			writeErr(w, http.StatusTooManyRequests, wire.CodeTooManyRequests)
		}))
		t.Cleanup(srv.Close)
		c, err := NewClient(Config{Host: srv.URL}) // real sleep
		if err != nil {
			t.Fatal(err)
		}
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		defer cancel()
		start := time.Now()
		_, err = c.GetCluster(ctx, "u1")
		elapsed := time.Since(start)
		if !errors.Is(err, context.DeadlineExceeded) {
			t.Errorf("err = %v, want context.DeadlineExceeded", err)
		}
		if !errors.Is(err, ErrRateLimited) {
			t.Errorf("err = %v, want it to carry the last 429", err)
		}
		if elapsed > time.Second {
			t.Errorf("returned after %v; want at once, not after the deadline", elapsed)
		}
		if calls.Load() != 1 {
			t.Errorf("server saw %d requests, want 1", calls.Load())
		}
	})
	t.Run("cancel_during_backoff", func(t *testing.T) {
		t.Parallel()
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		h := http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
			cancel()
			writeErr(w, http.StatusBadGateway, "BadGateway")
		})
		c, _ := newTestClient(t, h, func(cfg *Config) { cfg.RetryWaitMin = time.Hour; cfg.RetryWaitMax = time.Hour })
		c.sleep = sleepContext // real sleep: must return when ctx is cancelled
		done := make(chan error, 1)
		go func() { _, err := c.GetCluster(ctx, "u1"); done <- err }()
		select {
		case err := <-done:
			if !errors.Is(err, context.Canceled) {
				t.Errorf("err = %v, want context.Canceled", err)
			}
		case <-time.After(10 * time.Second):
			t.Fatal("GetCluster still waiting 10s after its context was cancelled")
		}
	})
	t.Run("host_that_never_answers_fails_within_request_timeout", func(t *testing.T) {
		t.Parallel()
		var calls atomic.Int32
		release := make(chan struct{})
		t.Cleanup(func() { close(release) })
		h := http.HandlerFunc(func(_ http.ResponseWriter, r *http.Request) {
			calls.Add(1)
			select { // stall until the client gives up on the attempt
			case <-r.Context().Done():
			case <-release:
			}
		})
		c, rec := newTestClient(t, h, func(cfg *Config) { cfg.RequestTimeout = 200 * time.Millisecond })
		_, err := c.GetCluster(context.Background(), "u1")
		if err == nil || !strings.Contains(err.Error(), "did not answer within request_timeout (200ms)") {
			t.Fatalf("GetCluster: %v, want an error naming request_timeout", err)
		}
		if calls.Load() != 1 || len(rec.get()) != 0 {
			t.Errorf("calls=%d sleeps=%d, want 1 and 0 (no retry of a host that never answers)", calls.Load(), len(rec.get()))
		}
	})
}

func TestNoRetryOnClientErrors(t *testing.T) {
	t.Parallel()
	for _, status := range []int{400, 401, 403, 404, 405, 409, 500, 501} {
		t.Run(fmt.Sprint(status), func(t *testing.T) {
			t.Parallel()
			var calls atomic.Int32
			h := http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
				calls.Add(1)
				writeErr(w, status, "X")
			})
			c, rec := newTestClient(t, h)
			if err := c.PatchClusterProfiles(context.Background(), "u1", wire.SpectroClusterProfiles{}); err == nil {
				t.Fatal("want an error")
			}
			if calls.Load() != 1 || len(rec.get()) != 0 {
				t.Errorf("calls=%d sleeps=%d, want 1 and 0", calls.Load(), len(rec.get()))
			}
		})
	}
}

func TestErrorMapping(t *testing.T) {
	t.Parallel()
	sentinels := []error{ErrNotFound, ErrConflict, ErrValidation, ErrUnauthorized, ErrForbidden, ErrRateLimited, ErrServer}
	tests := []struct {
		status int
		code   string
		want   error
	}{
		{400, wire.CodeProxyNotSupportedInReadOnlyMode, ErrValidation},
		{401, wire.CodeUnauthorized, ErrUnauthorized},
		{403, wire.CodeForbidden, ErrForbidden},
		{404, wire.CodeResourceNotFound, ErrNotFound},
		{409, wire.CodeClusterNameAlreadyExists, ErrConflict},
		{429, wire.CodeTooManyRequests, ErrRateLimited},
		{500, wire.CodeInternal, ErrServer},
		{503, wire.CodeServiceUnavailable, ErrServer},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprint(tt.status), func(t *testing.T) {
			t.Parallel()
			h := http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
				writeJSON(w, tt.status, map[string]any{
					"code": tt.code, "message": "Cluster 'x' is not happy", "ref": "7401493d",
					"details": map[string]any{"field": "name"}, "extra": true,
				})
			})
			c, _ := newTestClient(t, h, func(cfg *Config) { cfg.MaxRetries = -1 })
			_, err := c.GetCluster(context.Background(), "u1")
			for _, s := range sentinels {
				if got := errors.Is(err, s); got != errors.Is(s, tt.want) {
					t.Errorf("errors.Is(err, %v) = %v", s, got)
				}
			}
			if !IsCode(err, tt.code) || IsCode(err, "Other") {
				t.Errorf("IsCode wrong for %v", err)
			}
			var apiErr *APIError
			if !errors.As(err, &apiErr) {
				t.Fatalf("err %T is no *APIError", err)
			}
			if apiErr.StatusCode != tt.status || apiErr.Message != "Cluster 'x' is not happy" || apiErr.Ref != "7401493d" ||
				apiErr.Details["field"] != "name" || apiErr.Method != http.MethodGet || apiErr.Path != "/v1/spectroclusters/u1" {
				t.Errorf("APIError = %+v", apiErr)
			}
			for _, part := range []string{fmt.Sprint(tt.status), tt.code, "is not happy", "7401493d"} {
				if !strings.Contains(err.Error(), part) {
					t.Errorf("Error() = %q lacks %q", err.Error(), part)
				}
			}
		})
	}
}

func TestNonJSONErrorBody(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, body, wantMsg string
		status              int
	}{
		{"html", "<html><body>Bad Gateway</body></html>\n", "<html><body>Bad Gateway</body></html>", 502},
		{"text", "upstream exploded", "upstream exploded", 500},
		{"empty", "", "Not Found", 404},
		{"json_without_code", `{"error":"nope"}`, `{"error":"nope"}`, 400},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			h := http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
				w.Header().Set("Content-Type", "text/html")
				w.WriteHeader(tt.status)
				_, _ = io.WriteString(w, tt.body)
			})
			c, _ := newTestClient(t, h, func(cfg *Config) { cfg.MaxRetries = -1 })
			_, err := c.GetCluster(context.Background(), "u1")
			var apiErr *APIError
			if !errors.As(err, &apiErr) {
				t.Fatalf("err = %v (%T), want *APIError", err, err)
			}
			if apiErr.StatusCode != tt.status || apiErr.Message != tt.wantMsg || apiErr.Code != "" {
				t.Errorf("APIError = %+v, want status %d message %q", apiErr, tt.status, tt.wantMsg)
			}
		})
	}
}

func TestTolerantDecoding(t *testing.T) {
	t.Parallel()
	cluster := `{
	  "metadata": {"uid": "6491d4a94c39ad82d3cc30ae", "name": "edge-lab-1", "unknownMeta": 1,
	               "creationTimestamp": "2026-11-24T10:00:00Z"},
	  "spec": {"cloudType": "generic", "futureField": {"a": [1, 2]}, "clusterConfig": {"machineManagementConfig": {}}},
	  "status": {"state": "Running", "somethingNew": "x"},
	  "topLevelExtra": null
	}`
	// The import mode is only in the metadata search (v1SpectroClusterMetaSummary).
	meta := `{
	  "items": [{
	    "metadata": {"uid": "6491d4a94c39ad82d3cc30ae", "name": "edge-lab-1", "unknownMeta": 1},
	    "specSummary": {"cloudType": "generic", "importMode": "read-only", "cloudRegion": "", "futureField": [1]},
	    "status": {"state": "Running", "health": {"state": "Healthy", "isHeartBeatFailed": false, "new": 1}, "somethingNew": "x"}
	  }],
	  "topLevelExtra": null
	}`
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		if r.URL.Path == "/v1/dashboard/spectroclusters/metadata/search" {
			_, _ = io.WriteString(w, meta)
			return
		}
		_, _ = io.WriteString(w, cluster)
	})
	c, _ := newTestClient(t, h)
	cl, err := c.GetCluster(context.Background(), "6491d4a94c39ad82d3cc30ae")
	if err != nil {
		t.Fatalf("GetCluster: %v", err)
	}
	if cl.Metadata.Name != "edge-lab-1" || cl.Spec.CloudType != wire.CloudTypeGeneric || cl.Status.State != wire.StateRunning {
		t.Errorf("cluster = %+v", cl)
	}
	if cl.Status.ClusterImport != nil || cl.Status.Location != nil || cl.Spec.CloudConfigRef != nil || cl.Metadata.Labels != nil {
		t.Errorf("missing optional fields not left empty: %+v", cl)
	}
	if cl.Metadata.CreationTimestamp == nil || !cl.Metadata.CreationTimestamp.Equal(time.Date(2026, 11, 24, 10, 0, 0, 0, time.UTC)) {
		t.Errorf("creationTimestamp = %v", cl.Metadata.CreationTimestamp)
	}
	m, err := c.GetClusterMeta(context.Background(), cl.Metadata.UID, cl.Metadata.Name)
	if err != nil {
		t.Fatalf("GetClusterMeta: %v", err)
	}
	if m.SpecSummary.ImportMode != wire.ImportModeReadOnly {
		t.Errorf("import mode = %q, want read-only from the metadata search", m.SpecSummary.ImportMode)
	}
	if m.Status.State != wire.StateRunning || m.Status.Health == nil || m.Status.Health.State != wire.HealthHealthy {
		t.Errorf("meta status = %+v", m.Status)
	}
}

func TestLogsNeverCarryCredentials(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name string
		cfg  func(*Config)
	}{
		{"api_key", func(*Config) {}},
		{"agent_token", func(cfg *Config) { cfg.APIKey = ""; cfg.AgentToken = testAgentToken }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			var calls atomic.Int32
			h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				switch calls.Add(1) {
				case 1:
					hangUp(t, w)
				case 2:
					writeErr(w, http.StatusTooManyRequests, wire.CodeTooManyRequests)
				default:
					// A hostile server echoing the credential must not get it logged either.
					writeJSON(w, http.StatusUnauthorized, wire.Error{Code: wire.CodeUnauthorized,
						Message: "bad key " + r.Header.Get(wire.HeaderAPIKey) + r.Header.Get("Authorization")})
				}
			})
			c, _ := newTestClient(t, h, tc.cfg)
			var buf bytes.Buffer
			ctx := tflogtest.RootLogger(context.Background(), &buf)
			_, err := c.GetCluster(ctx, "u1")
			if !errors.Is(err, ErrUnauthorized) {
				t.Fatalf("err = %v, want ErrUnauthorized", err)
			}
			out := buf.String()
			if strings.Contains(out, testAPIKey) || strings.Contains(out, testAgentToken) {
				t.Errorf("log carries a credential:\n%s", out)
			}
			entries, err := tflogtest.MultilineJSONDecode(&buf)
			if err != nil {
				t.Fatal(err)
			}
			if len(entries) != 3 {
				t.Fatalf("got %d log entries, want 3 (one per attempt):\n%s", len(entries), out)
			}
			last := entries[2]
			if last["method"] != "GET" || last["path"] != "/v1/spectroclusters/u1" ||
				last["status"] != float64(401) || last["attempt"] != float64(3) || last["duration_ms"] == nil {
				t.Errorf("last entry = %v", last)
			}
			if entries[0]["error"] == nil {
				t.Errorf("first entry (hang-up) has no error field: %v", entries[0])
			}
		})
	}
}

func TestGetImportManifestRaw(t *testing.T) {
	t.Parallel()
	manifest := "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: cluster-u1\n---\napiVersion: v1\nkind: ServiceAccount\n"
	var accept string
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		accept = r.Header.Get("Accept")
		if r.URL.Path != "/v1/spectroclusters/u1/import/manifest" {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Content-Type", "application/octet-stream")
		_, _ = io.WriteString(w, manifest)
	})
	c, _ := newTestClient(t, h)
	got, err := c.GetImportManifest(context.Background(), "u1")
	if err != nil {
		t.Fatal(err)
	}
	if string(got) != manifest {
		t.Errorf("manifest = %q", got)
	}
	if !strings.Contains(accept, "application/octet-stream") {
		t.Errorf("Accept = %q", accept)
	}
}
