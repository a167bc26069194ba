// Package localtest starts the local import API server for tests, over real
// HTTP on 127.0.0.1 and a real SQLite file in a temporary directory.
package localtest

import (
	"context"
	"database/sql"
	"errors"
	"net"
	"net/http"
	"net/url"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/terraform-palette/terraform-provider-palette/internal/localapi"
)

// Instance is a running local import API.
type Instance struct {
	// URL is the base URL (http://127.0.0.1:PORT).
	URL string
	// APIKey is the tenant admin key.
	APIKey string
	// ProjectUID is the UID of the project Default.
	ProjectUID string
	// DataDir holds the database.
	DataDir string
	// Server is the running server.
	Server *localapi.Server
	// CACertificatePEM is the generated CA of a TLS instance (WithTLS), also
	// written to CAFile; "" without TLS.
	CACertificatePEM string
	// CAFile is DataDir/ca.crt for a TLS instance; "" without TLS.
	CAFile string

	cfg  localapi.Config
	addr string
	done chan error
}

// Option changes the configuration of Start.
type Option func(*localapi.Config)

// WithHeartbeatInterval sets the heartbeat interval (health turns UnHealthy
// after three intervals without a heartbeat).
func WithHeartbeatInterval(d time.Duration) Option {
	return func(c *localapi.Config) { c.HeartbeatInterval = d }
}

// WithFaults sets the fault spec and seed.
func WithFaults(spec string, seed int64) Option {
	return func(c *localapi.Config) { c.Faults, c.FaultSeed = spec, seed }
}

// WithSimulateAgents makes imports Running and Healthy at once.
func WithSimulateAgents() Option {
	return func(c *localapi.Config) { c.SimulateAgents = true }
}

// WithoutRateLimit turns the per-key rate limits off.
func WithoutRateLimit() Option {
	return func(c *localapi.Config) { c.DisableRateLimit = true }
}

// WithDeletedRetention sets how long Deleted clusters answer before 404.
func WithDeletedRetention(d time.Duration) Option {
	return func(c *localapi.Config) { c.DeletedRetention = d }
}

// WithTLS serves HTTPS (https://127.0.0.1:PORT) with a self-signed CA
// generated in the data dir, as palette-local --tls does; the CA is in
// Instance.CACertificatePEM and Instance.CAFile.
func WithTLS() Option {
	return func(c *localapi.Config) { c.TLS.Enabled = true }
}

// WithConfig edits the whole configuration.
func WithConfig(f func(*localapi.Config)) Option { return f }

// Start starts a server on 127.0.0.1:0 with a temporary data dir; it is
// stopped in t.Cleanup.
func Start(t testing.TB, opts ...Option) *Instance {
	t.Helper()
	cfg := localapi.Config{DataDir: t.TempDir()}
	for _, o := range opts {
		o(&cfg)
	}
	inst := &Instance{DataDir: cfg.DataDir, cfg: cfg}
	inst.start(t, "127.0.0.1:0")
	t.Cleanup(func() { inst.stop(t) })
	return inst
}

func (i *Instance) start(t testing.TB, addr string) {
	t.Helper()
	srv, err := localapi.Open(i.cfg)
	if err != nil {
		t.Fatalf("opening local API: %v", err)
	}
	var l net.Listener
	deadline := time.Now().Add(5 * time.Second)
	for {
		l, err = (&net.ListenConfig{}).Listen(context.Background(), "tcp", addr)
		if err == nil || time.Now().After(deadline) {
			break
		}
		time.Sleep(20 * time.Millisecond) // the old listener's port is being released.
	}
	if err != nil {
		_ = srv.Close()
		t.Fatalf("listening on %s: %v", addr, err)
	}
	i.addr = l.Addr().String()
	scheme := "http"
	if srv.TLSEnabled() {
		scheme = "https"
	}
	i.URL = scheme + "://" + i.addr
	if i.cfg.AdvertiseURL == "" {
		srv.SetAdvertiseURL(i.URL)
	}
	i.Server = srv
	i.CACertificatePEM, i.CAFile = srv.CACertificatePEM(), ""
	if i.CACertificatePEM != "" {
		i.CAFile = filepath.Join(i.DataDir, localapi.CACertFile)
	}
	if k := srv.BootstrapKey(); k != "" {
		i.APIKey = k
	}
	i.ProjectUID = srv.DefaultProjectUID()
	i.done = make(chan error, 1)
	go func() { i.done <- srv.Serve(l) }()
}

func (i *Instance) stop(t testing.TB) {
	t.Helper()
	if i.Server == nil {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := i.Server.Shutdown(ctx); err != nil && !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("shutting the local API down: %v", err)
	}
	if err := <-i.done; err != nil && !errors.Is(err, http.ErrServerClosed) {
		t.Errorf("local API stopped: %v", err)
	}
	i.Server = nil
}

// Restart closes the server and reopens the same data dir on the same port.
func (i *Instance) Restart(t testing.TB) {
	t.Helper()
	i.stop(t)
	i.start(t, i.addr)
}

// CreateProfileFromFile creates and publishes the profile of a YAML file in
// the project Default and returns its UID.
func (i *Instance) CreateProfileFromFile(t testing.TB, path string) string {
	t.Helper()
	p, err := localapi.LoadProfileFile(path)
	if err != nil {
		t.Fatal(err)
	}
	uid, err := i.Server.CreateProfile(context.Background(), p, i.ProjectUID)
	if err != nil {
		t.Fatal(err)
	}
	return uid
}

// ClusterState returns the stored state of a cluster ("" if there is none),
// read from the database.
func (i *Instance) ClusterState(t testing.TB, uid string) string {
	t.Helper()
	state, err := i.Server.ClusterState(context.Background(), uid)
	if errors.Is(err, sql.ErrNoRows) {
		return ""
	}
	if err != nil {
		t.Fatalf("reading the state of cluster %s: %v", uid, err)
	}
	return state
}

// IsExtra reports whether a request is one of localapi.Extras,
// palette-local's additions to the spec, which the conformance checks exempt:
// its method and path and, for an entry with "?param=", that query parameter.
func IsExtra(method, path string, query url.Values) bool {
	for _, e := range localapi.Extras {
		m, p, _ := strings.Cut(e.Route, " ")
		p, q, _ := strings.Cut(p, "?")
		if m != method || !matchTemplate(p, path) {
			continue
		}
		if name, _, _ := strings.Cut(q, "="); name == "" || query.Has(name) {
			return true
		}
	}
	return false
}

// matchTemplate matches a path against a template with {name} segments.
func matchTemplate(tmpl, path string) bool {
	ts, ps := strings.Split(tmpl, "/"), strings.Split(path, "/")
	if len(ts) != len(ps) {
		return false
	}
	for i := range ts {
		if strings.HasPrefix(ts[i], "{") || ts[i] == ps[i] {
			continue
		}
		return false
	}
	return true
}
