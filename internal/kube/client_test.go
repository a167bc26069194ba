package kube

import (
	"context"
	"errors"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

func versionServer(t *testing.T, status int, tls bool) (*httptest.Server, *atomic.Value) {
	t.Helper()
	var seen atomic.Value
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		seen.Store(r.Header.Get("User-Agent") + "|" + r.Header.Get("Authorization"))
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(status)
		if status == http.StatusOK {
			_, _ = w.Write([]byte(`{"major":"1","minor":"33","gitVersion":"v1.33.13"}`))
			return
		}
		_, _ = w.Write([]byte(`{"kind":"Status","apiVersion":"v1","status":"Failure","message":"denied","reason":"Unauthorized","code":` +
			map[int]string{401: "401", 403: "403"}[status] + `}`))
	})
	var s *httptest.Server
	if tls {
		s = httptest.NewTLSServer(h)
	} else {
		s = httptest.NewServer(h)
	}
	t.Cleanup(s.Close)
	return s, &seen
}

func closedAddr(t *testing.T) string {
	t.Helper()
	l, err := (&net.ListenConfig{}).Listen(context.Background(), "tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	if err := l.Close(); err != nil {
		t.Fatal(err)
	}
	return addr
}

func TestPing(t *testing.T) {
	t.Parallel()
	ok, seen := versionServer(t, http.StatusOK, false)
	unauth, _ := versionServer(t, http.StatusUnauthorized, false)
	forbidden, _ := versionServer(t, http.StatusForbidden, false)
	tlsSrv, _ := versionServer(t, http.StatusOK, true)

	c, err := NewClient(Access{Host: ok.URL, Token: testToken}, "test-agent/1")
	if err != nil {
		t.Fatal(err)
	}
	v, err := c.Ping(context.Background())
	if err != nil || v != "v1.33.13" {
		t.Fatalf("Ping = %q, %v", v, err)
	}
	if got, _ := seen.Load().(string); got != "test-agent/1|Bearer "+testToken {
		t.Errorf("request headers = %q", got)
	}

	tests := []struct {
		name   string
		access Access
		want   error
	}{
		{"401", Access{Host: unauth.URL, Token: testToken}, ErrUnauthorized},
		{"403", Access{Host: forbidden.URL, Token: testToken}, ErrUnauthorized},
		{"connection refused", Access{Host: "http://" + closedAddr(t), Token: testToken}, ErrUnreachable},
		{"unknown CA", Access{Host: tlsSrv.URL, Token: testToken}, ErrUnreachable},
		{"dns", Access{Host: "https://does-not-exist.invalid:6443", Token: testToken}, ErrUnreachable},
		{"exec plugin fails", Access{Host: ok.URL, Exec: &ExecConfig{Command: "/nonexistent/get-token"}}, ErrUnauthorized},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c, err := NewClient(tt.access, "")
			if err != nil {
				t.Fatal(err)
			}
			ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
			defer cancel()
			_, err = c.Ping(ctx)
			if !errors.Is(err, tt.want) {
				t.Fatalf("Ping error = %v, want errors.Is %v", err, tt.want)
			}
			other := ErrUnauthorized
			if errors.Is(tt.want, ErrUnauthorized) {
				other = ErrUnreachable
			}
			if errors.Is(err, other) {
				t.Errorf("error is both: %v", err)
			}
			if strings.Contains(err.Error(), testToken) {
				t.Errorf("error leaks the token: %v", err)
			}
		})
	}
}

func TestNewClientIsLazy(t *testing.T) {
	t.Parallel()
	var hits atomic.Int32
	s := httptest.NewServer(http.HandlerFunc(func(http.ResponseWriter, *http.Request) { hits.Add(1) }))
	defer s.Close()
	c, err := NewClient(Access{Host: s.URL}, "")
	if err != nil {
		t.Fatal(err)
	}
	if n := hits.Load(); n != 0 {
		t.Errorf("NewClient made %d requests", n)
	}
	if c.RESTConfig().UserAgent != DefaultUserAgent || c.RESTConfig().QPS != 50 {
		t.Errorf("config = %+v", c.RESTConfig())
	}
}

// blockingTransport ignores the request's context, as client-go's exec
// credential plugin does while the plugin runs.
type blockingTransport struct{ release chan struct{} }

func (b blockingTransport) RoundTrip(*http.Request) (*http.Response, error) {
	<-b.release
	return nil, errors.New("released")
}

// A request answers when its context ends, even when the transport under
// it does not; one without a deadline is passed on as it is.
func TestContextBound(t *testing.T) {
	t.Parallel()
	b := blockingTransport{release: make(chan struct{})}
	defer close(b.release)
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, "https://127.0.0.1/version", nil)
	if err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	_, err = contextBound{b}.RoundTrip(req) //nolint:bodyclose // no response.
	if !errors.Is(err, context.DeadlineExceeded) || time.Since(start) > 5*time.Second {
		t.Fatalf("err = %v after %s, want the deadline at once", err, time.Since(start))
	}
	ok := contextBound{roundTripFunc(func(*http.Request) (*http.Response, error) { return nil, errors.New("passed on") })}
	if _, err := ok.RoundTrip(req.WithContext(context.Background())); err == nil || err.Error() != "passed on" { //nolint:bodyclose // no response.
		t.Fatalf("err = %v, want the transport's own", err)
	}
}

type roundTripFunc func(*http.Request) (*http.Response, error)

func (f roundTripFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }
