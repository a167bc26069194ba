package palette

import (
	"context"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/hashicorp/go-cleanhttp"

	"github.com/terraform-palette/terraform-provider-palette/internal/wire"
)

// TestFailFast: errors that retrying cannot fix end the request on its
// first attempt, with a message that says what to check.
func TestFailFast(t *testing.T) {
	t.Parallel()
	var calls atomic.Int32
	ok := http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		calls.Add(1)
		writeJSON(w, http.StatusOK, wire.SpectroCluster{Metadata: wire.ObjectMeta{UID: "u1"}})
	})
	plain := httptest.NewServer(ok)
	t.Cleanup(plain.Close)
	tlsSrv := httptest.NewTLSServer(ok)
	t.Cleanup(tlsSrv.Close)

	for _, tt := range []struct {
		name, host, want string
	}{
		{"https to a plain-HTTP port", strings.Replace(plain.URL, "http://", "https://", 1), "answers plain HTTP on that port"},
		{"plain HTTP to a TLS port", tlsSrv.URL[len("https://"):], "Client sent an HTTP request to an HTTPS server"},
		{"certificate of an unknown CA", tlsSrv.URL, "is not trusted (set ca_certificate"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			host := tt.host
			if tt.name == "plain HTTP to a TLS port" {
				host = "http://" + host
			}
			c, err := NewClient(Config{Host: host, APIKey: testAPIKey, MaxRetries: 8})
			if err != nil {
				t.Fatal(err)
			}
			rec := &sleepRecorder{}
			c.sleep = rec.sleep
			_, err = c.GetCluster(context.Background(), "u1")
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("err = %v, want it to contain %q", err, tt.want)
			}
			if n := len(rec.get()); n != 0 {
				t.Errorf("%d retries, want none", n)
			}
		})
	}
	if calls.Load() != 0 {
		t.Errorf("%d requests reached a handler, want 0", calls.Load())
	}
}

// TestPermanent_dnsNotFound: a name that does not resolve is not retried;
// a temporary resolver failure is.
func TestPermanent_dnsNotFound(t *testing.T) {
	t.Parallel()
	c, err := NewClient(Config{Host: "https://palette.example.invalid", APIKey: testAPIKey})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	if why := c.permanent(ctx, &net.OpError{Op: "dial", Err: &net.DNSError{Name: "palette.example.invalid", IsNotFound: true}}); !strings.Contains(why, `"palette.example.invalid" does not resolve`) {
		t.Errorf("not found: %q", why)
	}
	if why := c.permanent(ctx, &net.OpError{Op: "dial", Err: &net.DNSError{Name: "palette.example.invalid", IsTemporary: true}}); why != "" {
		t.Errorf("temporary resolver failure: %q, want retryable", why)
	}
	if why := c.permanent(ctx, &net.OpError{Op: "dial", Err: &net.AddrError{Err: "connection refused"}}); why != "" {
		t.Errorf("refused: %q, want retryable (a restarting API heals)", why)
	}
}

// TestGivingUpNamesTheBudget: when the retries run out, the error says how
// many attempts were made, over how long, and which settings bound them.
func TestGivingUpNamesTheBudget(t *testing.T) {
	t.Parallel()
	h := http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		writeErr(w, http.StatusServiceUnavailable, "Unavailable")
	})
	c, _ := newTestClient(t, h, func(cfg *Config) { cfg.MaxRetries = 2; cfg.RequestTimeout = 5 * time.Second })
	_, err := c.GetCluster(context.Background(), "u1")
	if err == nil || !strings.Contains(err.Error(), "giving up after 3 attempts in") ||
		!strings.Contains(err.Error(), "(max_retries = 2, request_timeout = 5s)") {
		t.Fatalf("err = %v", err)
	}
}

// TestAuthErrorsNameTheHost: 401 and 403 say which host refused, and what
// to check; neither is retried.
func TestAuthErrorsNameTheHost(t *testing.T) {
	t.Parallel()
	for status, want := range map[int]string{
		http.StatusUnauthorized: "refused the API key: check api_key (PALETTE_API_KEY) and host",
		http.StatusForbidden:    "denied this API key: check its rights and the project",
	} {
		h := http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { writeErr(w, status, "Denied") })
		c, rec := newTestClient(t, h)
		_, err := c.ListProjects(context.Background())
		if err == nil || !strings.Contains(err.Error(), c.baseURL.Host+" "+want) {
			t.Errorf("%d: err = %v, want the host and %q", status, err, want)
		}
		if len(rec.get()) != 0 {
			t.Errorf("%d: retried", status)
		}
	}
}

// TestPermanent_dnsTimeout: a DNS server that never answers is not retried
// either: every attempt would wait as long again (nine attempts took 2 min
// 8 s). The request fails within one request_timeout, saying what to check,
// whether the resolver gives up first (its own timeout) or request_timeout
// ends the lookup.
func TestPermanent_dnsTimeout(t *testing.T) {
	t.Parallel()
	dns := silentDNS(t)
	for _, tt := range []struct {
		name string
		// resolverTimeout bounds each query (the resolver's own timeout).
		resolverTimeout, requestTimeout time.Duration
		want                            string
	}{
		{"the resolver gives up", 100 * time.Millisecond, 30 * time.Second, `the DNS lookup of "palette.unanswered.example" timed out`},
		{"request_timeout ends the lookup", time.Minute, time.Second, `the DNS lookup of "palette.unanswered.example" did not finish within request_timeout (1s)`},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var queries atomic.Int32
			resolver := &net.Resolver{PreferGo: true, Dial: func(ctx context.Context, network, _ string) (net.Conn, error) {
				queries.Add(1)
				var d net.Dialer
				conn, err := d.DialContext(ctx, network, dns)
				return shortDeadlineConn{conn, tt.resolverTimeout}, err
			}}
			tr := cleanhttp.DefaultPooledTransport()
			tr.DialContext = (&net.Dialer{Resolver: resolver}).DialContext
			c, err := NewClient(Config{Host: "https://palette.unanswered.example", APIKey: testAPIKey, MaxRetries: 8,
				RequestTimeout: tt.requestTimeout, HTTPClient: &http.Client{Transport: tr}})
			if err != nil {
				t.Fatal(err)
			}
			rec := &sleepRecorder{}
			c.sleep = rec.sleep
			_, err = c.GetCluster(context.Background(), "u1")
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("err = %v, want it to contain %q", err, tt.want)
			}
			if n := len(rec.get()); n != 0 {
				t.Errorf("%d retries, want none", n)
			}
			if queries.Load() == 0 {
				t.Error("the lookup never reached the silent DNS server")
			}
		})
	}
	// The classification itself, as the transport reports a lookup that
	// ran out of time.
	c, err := NewClient(Config{Host: "https://palette.example", APIKey: testAPIKey})
	if err != nil {
		t.Fatal(err)
	}
	timeout := &net.OpError{Op: "dial", Err: &net.DNSError{Name: "palette.example", Err: "i/o timeout", IsTimeout: true}}
	if why := c.permanent(context.Background(), timeout); !strings.Contains(why, `the DNS lookup of "palette.example" timed out`) {
		t.Errorf("timeout: %q", why)
	}
}

// silentDNS starts a DNS server that reads queries (UDP and TCP) and never
// answers; it returns its address.
func silentDNS(t *testing.T) string {
	t.Helper()
	var lc net.ListenConfig
	udp, err := lc.ListenPacket(context.Background(), "udp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = udp.Close() })
	go func() {
		buf := make([]byte, 512)
		for {
			if _, _, err := udp.ReadFrom(buf); err != nil {
				return
			}
		}
	}()
	tcp, err := lc.Listen(context.Background(), "tcp", udp.LocalAddr().String())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = tcp.Close() })
	go func() {
		for {
			conn, err := tcp.Accept()
			if err != nil {
				return
			}
			t.Cleanup(func() { _ = conn.Close() })
		}
	}()
	return udp.LocalAddr().String()
}

// shortDeadlineConn caps the deadlines the resolver sets on its queries:
// the resolver's own timeout, shorter than resolv.conf's.
type shortDeadlineConn struct {
	net.Conn
	max time.Duration
}

func (c shortDeadlineConn) SetDeadline(t time.Time) error {
	if limit := time.Now().Add(c.max); t.IsZero() || t.After(limit) {
		t = limit
	}
	return c.Conn.SetDeadline(t)
}
