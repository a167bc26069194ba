// Package localapi is a local implementation of Palette's API for imported
// clusters, in the shapes of Palette's published spec (docs/palette-api.md),
// over net/http and SQLite, so that the provider, the agent and existing
// Palette clients can be run and tested on one machine. What it serves
// beyond the spec is listed in extras.go.
package localapi

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/terraform-palette/terraform-provider-palette/internal/wire"
)

// DefaultReadTimeout is how long a client may take to send a request.
const DefaultReadTimeout = 10 * time.Second

// TLSConfig says whether and how the server serves HTTPS.
type TLSConfig struct {
	// Enabled turns HTTPS on.
	Enabled bool
	// CertFile and KeyFile name a serving certificate and key (PEM). When both
	// are empty, a self-signed CA and a serving certificate for 127.0.0.1,
	// ::1, localhost and the host name are generated in the data dir, and the
	// CA is written to DataDir/ca.crt.
	CertFile string
	KeyFile  string
}

// Config configures a Server.
type Config struct {
	// DataDir holds the SQLite database, the bootstrap key and TLS material.
	DataDir string
	// Wrap, when set, wraps the whole handler (tests: the conformance
	// recorder sees every request and answer).
	Wrap func(http.Handler) http.Handler
	// AdvertiseURL is the base URL put in importLink and in the manifest's
	// cluster-info; if empty, it is derived from the listener.
	AdvertiseURL string
	// HeartbeatInterval is what the agent is told; health turns UnHealthy
	// after three intervals without a heartbeat. Default 10s.
	HeartbeatInterval time.Duration
	// DeletedRetention is how long a Deleted cluster still answers before it
	// is 404. Default 60s.
	DeletedRetention time.Duration
	// DisableRateLimit turns the per-key rate limits off (they are on by
	// default: 50/s, bursts of 250, on /v1/spectroclusters; 10/s, bursts of
	// 50, on /v1/dashboard).
	DisableRateLimit bool
	// Faults is a fault spec such as "429=0.1,503=0.05,reset=0.05,latency=200ms@0.1,lostresponse=0.1".
	Faults string
	// FaultSeed seeds the fault injector.
	FaultSeed int64
	// SimulateAgents makes every import Running and Healthy at once, packs
	// Ready at once and deletes immediate (benchmarks only).
	SimulateAgents bool
	// ReadTimeout bounds the reading of a whole request, headers and body: a
	// client that sends its body slower is cut off with 408 RequestTimeout.
	// Default DefaultReadTimeout.
	ReadTimeout time.Duration
	// MaxStorePages caps the SQLite database at this many pages (PRAGMA
	// max_page_count; 0: no cap). A write past it fails as on a full disk.
	MaxStorePages int
	// AgentImage is the image the manifest names; empty means the
	// manifest's default (manifest.DefaultAgentImage at its version).
	AgentImage string
	// Logger receives request and error logs; default discards.
	Logger *slog.Logger
	// TLS configures HTTPS.
	TLS TLSConfig
	// Now is the clock (tests); default time.Now.
	Now func() time.Time
}

// Server is the local import API.
type Server struct {
	cfg   Config
	st    *store
	log   *slog.Logger
	now   func() time.Time
	mux   *http.ServeMux
	hsrv  *http.Server
	limit *limiters
	// authFail is each client's budget of failed authentications.
	authFail *authFailures
	// patterns is the route table, as registered (Routes).
	patterns []string

	advertise atomic.Pointer[string]
	// listen is the address Serve listens on ("" before Serve).
	listen atomic.Pointer[string]
	faults *faultInjector

	keyCache     sync.Map // key hash -> keyInfo
	projectNames sync.Map // project uid -> name

	reqMu    sync.Mutex
	reqs     map[string]int
	reqTotal int
	injected int

	bootstrapKey   string
	keyCreated     bool
	defaultProject string

	tlsConf *tls.Config
	caPEM   string

	closeOnce sync.Once
}

// Open opens (and migrates) the database in cfg.DataDir and bootstraps it on
// first start: a tenant, the project Default and a tenant admin API key
// written to DataDir/apikey (mode 0600).
func Open(cfg Config) (*Server, error) {
	if cfg.DataDir == "" {
		return nil, errors.New("localapi: DataDir is required")
	}
	if cfg.HeartbeatInterval <= 0 {
		cfg.HeartbeatInterval = 10 * time.Second
	}
	if cfg.DeletedRetention <= 0 {
		cfg.DeletedRetention = 60 * time.Second
	}
	if cfg.ReadTimeout <= 0 {
		cfg.ReadTimeout = DefaultReadTimeout
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	faults, err := newFaultInjector(cfg.Faults, cfg.FaultSeed)
	if err != nil {
		return nil, err
	}
	st, err := openStore(cfg.DataDir, cfg.MaxStorePages)
	if err != nil {
		return nil, err
	}
	s := &Server{
		cfg:      cfg,
		st:       st,
		log:      cfg.Logger,
		now:      cfg.Now,
		faults:   faults,
		limit:    newLimiters(),
		authFail: newAuthFailures(),
		reqs:     map[string]int{},
	}
	adv := strings.TrimRight(cfg.AdvertiseURL, "/")
	s.advertise.Store(&adv)
	noListen := ""
	s.listen.Store(&noListen)
	ctx := context.Background()
	key, def, err := st.bootstrap(ctx)
	if err != nil {
		_ = st.close()
		return nil, err
	}
	s.defaultProject = def
	keyFile := filepath.Join(cfg.DataDir, "apikey")
	if key != "" {
		if err := os.WriteFile(keyFile, []byte(key+"\n"), 0o600); err != nil {
			_ = st.close()
			return nil, fmt.Errorf("writing %s: %w", keyFile, err)
		}
		s.bootstrapKey = key
		s.keyCreated = true
	} else if b, err := os.ReadFile(keyFile); err == nil {
		k := strings.TrimSpace(string(b))
		if _, err := st.lookupKey(ctx, hashSecret(k)); err == nil {
			s.bootstrapKey = k
		}
	}
	if cfg.TLS.Enabled {
		if err := s.setupTLS(); err != nil {
			_ = st.close()
			return nil, err
		}
	}
	s.routes()
	var handler http.Handler = s
	if cfg.Wrap != nil {
		handler = cfg.Wrap(s)
	}
	s.hsrv = &http.Server{
		Handler: handler,
		// The whole request, body included; once the body has been read
		// net/http lifts the deadline, so longer handlers are not cut off.
		ReadTimeout:       cfg.ReadTimeout,
		ReadHeaderTimeout: min(cfg.ReadTimeout, 10*time.Second),
		// HTTP/1.1 only: the reset fault hijacks connections.
		TLSNextProto: map[string]func(*http.Server, *tls.Conn, http.Handler){},
		ErrorLog:     slog.NewLogLogger(s.log.Handler(), slog.LevelDebug),
		// Each connection remembers the credential it authenticated with
		// (the failed-authentication budget: middleware.go).
		ConnContext: withConnAuth,
	}
	return s, nil
}

// Handler returns the HTTP handler of the API.
func (s *Server) Handler() http.Handler { return s }

// TLSEnabled reports whether Serve wraps the listener in TLS.
func (s *Server) TLSEnabled() bool { return s.tlsConf != nil }

// CACertificatePEM is the generated CA ("" unless TLS with a generated CA).
func (s *Server) CACertificatePEM() string { return s.caPEM }

// Serve answers on l until Shutdown or Close. Plain HTTP is refused on a
// non-loopback address. When no AdvertiseURL was configured, it is derived
// from l.
func (s *Server) Serve(l net.Listener) error {
	if s.tlsConf == nil {
		if tcp, ok := l.Addr().(*net.TCPAddr); ok && !tcp.IP.IsLoopback() {
			return fmt.Errorf("refusing plain HTTP on non-loopback address %s: serve HTTPS (TLS) or listen on 127.0.0.1", l.Addr())
		}
	}
	scheme := "http"
	if s.tlsConf != nil {
		scheme = "https"
		l = tls.NewListener(l, s.tlsConf)
	}
	addr := l.Addr().String()
	s.listen.Store(&addr)
	if *s.advertise.Load() == "" {
		u := scheme + "://" + addr
		s.advertise.Store(&u)
	}
	err := s.hsrv.Serve(l)
	if errors.Is(err, http.ErrServerClosed) {
		return nil
	}
	return err
}

// Shutdown stops serving gracefully and closes the database.
func (s *Server) Shutdown(ctx context.Context) error {
	err := s.hsrv.Shutdown(ctx)
	if cerr := s.closeStore(); err == nil {
		err = cerr
	}
	return err
}

// Close stops serving at once and closes the database.
func (s *Server) Close() error {
	err := s.hsrv.Close()
	if cerr := s.closeStore(); err == nil {
		err = cerr
	}
	return err
}

func (s *Server) closeStore() error {
	var err error
	s.closeOnce.Do(func() { err = s.st.close() })
	return err
}

// BootstrapKey is the tenant admin key created on first start, or read back
// from DataDir/apikey; "" when neither is available.
func (s *Server) BootstrapKey() string { return s.bootstrapKey }

// BootstrapKeyCreated reports whether BootstrapKey was created by this Open.
func (s *Server) BootstrapKeyCreated() bool { return s.keyCreated }

// DefaultProjectUID is the UID of the project Default.
func (s *Server) DefaultProjectUID() string { return s.defaultProject }

// AdvertiseURL is the base URL put in import links and manifests.
func (s *Server) AdvertiseURL() string { return *s.advertise.Load() }

// SetAdvertiseURL changes the base URL put in import links and manifests.
func (s *Server) SetAdvertiseURL(u string) {
	u = strings.TrimRight(u, "/")
	s.advertise.Store(&u)
}

// CreateProject creates a project and returns its UID.
func (s *Server) CreateProject(name string) (string, error) {
	return s.st.createProject(context.Background(), name)
}

// CreateAPIKey creates an API key limited to the named project, or a tenant
// admin key (usable in every project) when projectName is empty.
func (s *Server) CreateAPIKey(projectName string) (string, error) {
	return s.st.createAPIKey(context.Background(), projectName)
}

// ProjectUID returns the UID of the named project.
func (s *Server) ProjectUID(name string) (string, error) {
	return s.st.projectUIDByName(context.Background(), name)
}

// Requests returns the request counts of GET /debug/requests, keyed by
// "METHOD pattern status".
func (s *Server) Requests() map[string]int {
	s.reqMu.Lock()
	defer s.reqMu.Unlock()
	out := make(map[string]int, len(s.reqs))
	for k, v := range s.reqs {
		out[k] = v
	}
	return out
}

// SetFaults replaces the fault spec at run time ("" switches faults off).
func (s *Server) SetFaults(spec string, seed int64) error {
	return s.faults.set(spec, seed)
}

// FaultsInjected returns how many faults the fault injector has injected
// (a request with two faults, e.g. latency and a 503, counts twice). They
// are also listed in Requests as "fault KIND" (KIND: an HTTP status, reset,
// latency or lostresponse), which does not count in the total.
func (s *Server) FaultsInjected() int {
	s.reqMu.Lock()
	defer s.reqMu.Unlock()
	return s.injected
}

func (s *Server) recordFault(kind string) {
	s.reqMu.Lock()
	s.reqs["fault "+kind]++
	s.injected++
	s.reqMu.Unlock()
}

func (s *Server) record(key string) {
	s.reqMu.Lock()
	s.reqs[key]++
	s.reqTotal++
	s.reqMu.Unlock()
}

// ServeHTTP implements http.Handler: body limits, JSON 404/405 for unknown
// routes and method mismatches, and request counting.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	rec := &statusRecorder{ResponseWriter: w}
	defer func() {
		pattern := r.Pattern
		if pattern == "" {
			pattern = r.Method + " (unmatched)"
		}
		status := fmt.Sprint(rec.status)
		if rec.hijacked {
			status = "reset"
		} else if rec.status == 0 {
			status = "200"
		}
		s.record(pattern + " " + status)
	}()
	if r.ContentLength > maxBodyBytes {
		writeAPIError(rec, errf(http.StatusRequestEntityTooLarge, wire.CodeRequestTooLarge, "request body is larger than %d bytes", maxBodyBytes))
		return
	}
	r.Body = http.MaxBytesReader(rec, r.Body, maxBodyBytes)
	if _, pattern := s.mux.Handler(r); pattern == "" {
		probe := &probeWriter{h: http.Header{}}
		h, _ := s.mux.Handler(r)
		h.ServeHTTP(probe, r)
		switch probe.status {
		case http.StatusMethodNotAllowed:
			if allow := probe.h.Get("Allow"); allow != "" {
				rec.Header().Set("Allow", allow)
			}
			writeAPIError(rec, errf(http.StatusMethodNotAllowed, wire.CodeMethodNotAllowed, "method %s is not allowed on %s", r.Method, r.URL.Path))
		case http.StatusNotFound, 0:
			writeAPIError(rec, notFound("no resource at %s", r.URL.Path))
		default:
			for k, v := range probe.h {
				rec.Header()[k] = v
			}
			rec.WriteHeader(probe.status)
		}
		return
	}
	s.mux.ServeHTTP(rec, r)
}

// statusRecorder remembers the status written through it.
type statusRecorder struct {
	http.ResponseWriter
	status   int
	hijacked bool
}

func (w *statusRecorder) WriteHeader(code int) {
	if w.status == 0 {
		w.status = code
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusRecorder) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	return w.ResponseWriter.Write(b)
}

// Unwrap lets http.ResponseController reach the connection.
func (w *statusRecorder) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// probeWriter captures what the mux would answer for an unmatched request.
type probeWriter struct {
	h      http.Header
	status int
}

func (p *probeWriter) Header() http.Header { return p.h }
func (p *probeWriter) WriteHeader(code int) {
	if p.status == 0 {
		p.status = code
	}
}
func (p *probeWriter) Write(b []byte) (int, error) {
	if p.status == 0 {
		p.status = http.StatusOK
	}
	return len(b), nil
}

func isLoopbackRemote(r *http.Request) bool {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return false
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// ClusterState returns the stored state of a cluster, whatever its scope
// (sql.ErrNoRows, wrapped, when there is none).
func (s *Server) ClusterState(ctx context.Context, uid string) (string, error) {
	state, err := clusterState(ctx, s.st.db, uid)
	if err != nil {
		return "", fmt.Errorf("cluster %s: %w", uid, err)
	}
	return state, nil
}
