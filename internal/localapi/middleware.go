package localapi

import (
	"bufio"
	"bytes"
	"context"
	"crypto/subtle"
	"crypto/tls"
	"errors"
	"net"
	"net/http"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/terraform-palette/terraform-provider-palette/internal/wire"
	"golang.org/x/time/rate"
)

type routeKind int

const (
	// routeProvider: ApiKey auth, faults, rate limits.
	routeProvider routeKind = iota
	// routeManifest: ApiKey or the manifest token; faults.
	routeManifest
	// routeAgent: the agent's bearer token; no faults, no rate limits.
	routeAgent
	// routeDebug: loopback only, same-origin only, a tenant admin ApiKey;
	// no faults, no rate limits.
	routeDebug
)

// call is what the middleware learnt about a request.
type call struct {
	key keyInfo
	// scope is the project UID, or "" for a tenant-scoped call.
	scope string
	// scopeName names the scope in messages ("project Default", "tenant").
	scopeName string
	// tokenCluster is set when the manifest was authorised by its token.
	tokenCluster string
	// agentCluster is the cluster an agent token belongs to.
	agentCluster string
}

// limitKey names the rate-limit bucket of the call: its API key, or for an
// import link fetched by its token, the link's cluster.
func (c *call) limitKey() string {
	switch {
	case c.key.hash != "":
		return c.key.hash
	case c.tokenCluster != "":
		return "import link " + c.tokenCluster
	}
	return ""
}

type handlerFunc func(w http.ResponseWriter, r *http.Request, c *call) error

func (s *Server) handle(pattern string, kind routeKind, h handlerFunc) {
	s.mux.HandleFunc(pattern, s.wrap(pattern, kind, h))
	s.patterns = append(s.patterns, pattern)
}

// Routes lists the route table: each route's pattern ("METHOD /path", with
// {name} for path parameters), in the order they were registered.
func (s *Server) Routes() []string { return slices.Clone(s.patterns) }

func (s *Server) routes() {
	s.mux = http.NewServeMux()
	p, m, a := routeProvider, routeManifest, routeAgent

	// Clusters.
	s.handle("POST /v1/spectroclusters/{cloudType}/import", p, s.importCluster)
	s.handle("GET /v1/spectroclusters/validate/name", p, s.validateName)
	s.handle("GET /v1/spectroclusters/{uid}", p, s.getCluster)
	s.handle("DELETE /v1/spectroclusters/{uid}", p, s.deleteCluster)
	s.handle("PATCH /v1/spectroclusters/{uid}/metadata", p, s.patchMetadata)
	s.handle("PATCH /v1/spectroclusters/{uid}/import/upgrade", p, s.upgradeCluster)
	s.handle("GET /v1/spectroclusters/{uid}/assets/kubeconfig", p, s.kubeconfigAsset)
	s.handle("GET /v1/spectroclusters/{uid}/config/namespaces", p, s.getNamespaces)
	s.handle("PUT /v1/spectroclusters/{uid}/config/namespaces", p, s.putNamespaces)
	s.handle("GET /v1/spectroclusters/{uid}/config/namespaces/{namespaceUid}", p, s.getNamespace)
	s.handle("PUT /v1/spectroclusters/{uid}/config/namespaces/{namespaceUid}", p, s.putNamespace)
	s.handle("GET /v1/spectroclusters/{uid}/config/rbacs", p, s.getRbacs)
	s.handle("PUT /v1/spectroclusters/{uid}/config/rbacs", p, s.putRbacs)
	s.handle("GET /v1/spectroclusters/{uid}/config/rbacs/{rbacUid}", p, s.getRbac)
	s.handle("PUT /v1/spectroclusters/{uid}/config/rbacs/{rbacUid}", p, s.putRbac)
	s.handle("POST /v1/spectroclusters/{uid}/upgrade/settings", p, s.postUpgradeSettings)
	s.handle("GET /v1/spectroclusters/{uid}/variables", p, s.getVariables)
	s.handle("PATCH /v1/spectroclusters/{uid}/variables", p, s.patchVariables)
	s.handle("PUT /v1/spectroclusters/{uid}/location", p, s.putLocation)
	s.handle("GET /v1/users/assets/locations", p, s.listBackupLocations)
	for _, t := range []string{wire.LocationTypeS3, wire.LocationTypeMinio} {
		s.handle("POST /v1/users/assets/locations/"+t, p, s.createBackupLocation(t))
		s.handle("GET /v1/users/assets/locations/"+t+"/{uid}", p, s.getBackupLocation(t))
		s.handle("PUT /v1/users/assets/locations/"+t+"/{uid}", p, s.putBackupLocation(t))
	}
	s.handle("DELETE /v1/users/assets/locations/s3/{uid}", p, s.deleteBackupLocation(wire.LocationTypeS3))
	s.handle("DELETE /v1/users/assets/locations/{uid}", p, s.deleteBackupLocation(""))
	s.handle("GET /v1/spectroclusters/{uid}/features/backup", p, s.getClusterBackup)
	s.handle("POST /v1/spectroclusters/{uid}/features/backup", p, s.postBackupSchedule)
	s.handle("PUT /v1/spectroclusters/{uid}/features/backup", p, s.putBackupSchedule)
	s.handle("DELETE /v1/spectroclusters/{uid}/features/backup", p, s.deleteBackupSchedule)
	s.handle("POST /v1/spectroclusters/{uid}/features/backup/onDemand", p, s.postBackupOnDemand)
	s.handle("DELETE /v1/spectroclusters/{uid}/features/backup/{backupName}/request/{requestUid}", p, s.deleteBackup)
	s.handle("GET /v1/spectroclusters/{uid}/features/restore", p, s.getClusterRestore)
	s.handle("POST /v1/spectroclusters/{uid}/features/restore/onDemand", p, s.postRestoreOnDemand)
	s.handle("GET /v1/dashboard/spectroclusters/{uid}/overview", p, s.overview)
	s.handle("POST /v1/dashboard/spectroclusters/search", p, s.searchClusters)
	s.handle("POST /v1/dashboard/spectroclusters/metadata/search", p, s.searchClusterMetadata)
	s.handle("GET /v1/dashboard/projects/metadata", p, s.projectsMetadata)

	// Compliance scans (compliance_scan.go); the agent reports its runs.
	scan := "/v1/spectroclusters/{uid}/features/complianceScan"
	s.handle("GET "+scan, p, s.getComplianceScan)
	s.handle("POST "+scan, p, s.createComplianceScan)
	s.handle("PUT "+scan, p, s.updateComplianceScan)
	s.handle("POST "+scan+"/onDemand", p, s.runComplianceScan)
	s.handle("GET "+scan+"/logs/drivers", p, s.getComplianceScanLogs)
	s.handle("DELETE "+scan+"/logs/{logUid}", p, s.deleteComplianceScanLog)
	s.handle("GET "+scan+"/logs/{logUid}/drivers/kubeBench", p, s.getKubeBenchLog)
	for _, d := range []string{wire.DriverKubeHunter, wire.DriverSonobuoy, wire.DriverSyft} {
		s.handle("GET "+scan+"/logs/{logUid}/drivers/"+d, p, s.getOtherScanLog(d))
	}
	for _, d := range []string{wire.DriverKubeBench, wire.DriverKubeHunter, wire.DriverSonobuoy} {
		s.handle("PUT "+scan+"/logs/drivers/"+d, a, s.agentScanReport(d))
	}
	s.handle("PATCH "+scan+"/logs/drivers/"+wire.DriverSyft, a, s.agentScanReport(wire.DriverSyft))

	// The import manifest, and palette-local's own agent endpoints (extras.go).
	s.handle("GET /v1/spectroclusters/{uid}/import/manifest", m, s.importManifest)
	s.handle("PATCH /v1/spectroclusters/{uid}/status/imported", a, s.agentImported)
	s.handle("PUT /v1/spectroclusters/{uid}/heartbeat", a, s.agentHeartbeat)
	s.handle("GET /v1/spectroclusters/{uid}/agent/desired", a, s.agentDesired)
	s.handle("PATCH /v1/spectroclusters/{uid}/packs/status", a, s.agentPacksStatus)
	s.handle("PATCH /v1/spectroclusters/{uid}/config/status", a, s.agentConfigStatus)
	s.handle("PATCH /v1/spectroclusters/{uid}/status/agentRemoved", a, s.agentRemoved)
	s.handle("GET /v1/spectroclusters/{uid}/agent/backups", a, s.agentBackups)
	s.handle("PATCH /v1/spectroclusters/{uid}/agent/backups/status", a, s.agentBackupsStatus)

	// Cluster profiles, and the profiles attached to a cluster.
	s.handle("POST /v1/clusterprofiles", p, s.createProfileHandler)
	s.handle("GET /v1/clusterprofiles/{uid}", p, s.getProfile)
	s.handle("PATCH /v1/clusterprofiles/{uid}/publish", p, s.publishProfile)
	s.handle("GET /v1/clusterprofiles/{uid}/packs", p, s.getProfilePacks)
	s.handle("GET /v1/clusterprofiles/{uid}/variables", p, s.getProfileVariables)
	s.handle("GET /v1/clusterprofiles/{uid}/packs/{packName}/manifests", p, s.getProfilePackManifests)
	s.handle("GET /v1/registries/metadata", p, s.registriesMetadata)
	s.handle("POST /v1/dashboard/clusterprofiles", p, s.searchProfiles)
	s.handle("GET /v1/dashboard/clusterprofiles/metadata", p, s.profilesMetadata)
	s.handle("GET /v1/spectroclusters/{uid}/profiles", p, s.getClusterProfiles)
	s.handle("PATCH /v1/spectroclusters/{uid}/profiles", p, s.patchClusterProfiles)
	s.handle("PUT /v1/spectroclusters/{uid}/profiles", p, s.putClusterProfiles)
	s.handle("DELETE /v1/spectroclusters/{uid}/profiles", p, s.deleteClusterProfiles)

	// Cloud configs.
	s.handle("GET /v1/cloudconfigs/{cloudType}/{configUid}", p, s.getCloudConfig)
	s.handle("PUT /v1/cloudconfigs/{cloudType}/{configUid}/clusterConfig", p, s.putCloudConfig)
	// The spec's machine pool operations, refused for imported clusters.
	pools := "/v1/cloudconfigs/{cloudType}/{configUid}/machinePools"
	for _, route := range []string{
		"POST " + pools,
		"PUT " + pools + "/{machinePoolName}", "DELETE " + pools + "/{machinePoolName}",
		"GET " + pools + "/{machinePoolName}/machines", "POST " + pools + "/{machinePoolName}/machines",
		"GET " + pools + "/{machinePoolName}/machines/{machineUid}", "PUT " + pools + "/{machinePoolName}/machines/{machineUid}",
		"DELETE " + pools + "/{machinePoolName}/machines/{machineUid}",
		"PUT " + pools + "/{machinePoolName}/machines/{machineUid}/maintenance",
		"PUT " + pools + "/{machinePoolName}/machines/{machineUid}/maintenance/status",
	} {
		s.handle(route, p, s.cloudConfigMachinePools)
	}

	// Debug (loopback, same origin, tenant admin key: debug.go).
	s.handle("GET /debug/requests", routeDebug, s.debugRequests)
	s.handle("POST /debug/faults", routeDebug, s.debugFaults)
}

func limitClassOf(pattern string) string {
	_, path, _ := strings.Cut(pattern, " ")
	if path == "" {
		path = pattern
	}
	switch {
	case strings.HasPrefix(path, "/v1/spectroclusters"):
		return "spectroclusters"
	case strings.HasPrefix(path, "/v1/dashboard"):
		return "dashboard"
	}
	return ""
}

func (s *Server) wrap(pattern string, kind routeKind, h handlerFunc) http.HandlerFunc {
	class := limitClassOf(pattern)
	lossy := kind == routeProvider && strings.HasPrefix(pattern, "POST ") && strings.HasSuffix(pattern, "/import")
	return func(w http.ResponseWriter, r *http.Request) {
		c := &call{}
		lost := false
		switch kind {
		case routeDebug:
			if err := s.authDebug(r, c); err != nil {
				s.writeErr(w, r, err)
				return
			}
		case routeAgent:
			if err := s.authAgent(r, c); err != nil {
				s.writeErr(w, r, err)
				return
			}
		case routeProvider, routeManifest:
			var handled bool
			handled, lost = s.applyFaults(w, r, lossy)
			if handled {
				return
			}
			if err := s.authProvider(r, c, kind == routeManifest); err != nil {
				s.writeErr(w, r, err)
				return
			}
			if bucket := c.limitKey(); bucket != "" && class != "" && !s.cfg.DisableRateLimit {
				if ok, wait := s.limit.allow(bucket, class); !ok {
					writeAPIError(w, tooManyRequests(wait, "too many requests: retry after %d s", retryAfterSeconds(wait)))
					return
				}
			}
		}
		if err := checkJSONBody(r); err != nil {
			s.writeErr(w, r, err)
			return
		}
		if lost {
			bw := &bufferWriter{h: http.Header{}}
			if err := h(bw, r, c); err != nil {
				s.writeErr(w, r, err)
				return
			}
			if bw.status >= 200 && bw.status < 300 && resetConn(w) {
				return
			}
			bw.copyTo(w)
			return
		}
		if err := h(w, r, c); err != nil {
			s.writeErr(w, r, err)
		}
	}
}

func (s *Server) writeErr(w http.ResponseWriter, r *http.Request, err error) {
	var ae *apiError
	if errors.As(err, &ae) {
		writeAPIError(w, ae)
		return
	}
	var mbe *http.MaxBytesError
	if errors.As(err, &mbe) {
		writeAPIError(w, errf(http.StatusRequestEntityTooLarge, wire.CodeRequestTooLarge, "request body is larger than %d bytes", maxBodyBytes))
		return
	}
	if errors.Is(err, context.Canceled) {
		writeAPIError(w, errf(http.StatusServiceUnavailable, wire.CodeServiceUnavailable, "request canceled"))
		return
	}
	if isTimeout(err) {
		writeAPIError(w, errRequestTimeout)
		return
	}
	if storageFull(err) {
		s.log.Error("store out of disk space", "method", r.Method, "path", r.URL.Path, "db", s.st.path, "error", err)
		writeAPIError(w, errf(http.StatusInsufficientStorage, codeStorageFull, "palette-local's store is out of disk space (%s): free some space and retry", s.st.path))
		return
	}
	ref := randHex(16)
	s.log.Error("request failed", "method", r.Method, "path", r.URL.Path, "ref", ref, "error", err)
	writeJSON(w, http.StatusInternalServerError, wire.Error{Code: wire.CodeInternal, Message: "internal error", Ref: ref})
}

func unauthorized(format string, args ...any) *apiError {
	return errf(http.StatusUnauthorized, wire.CodeUnauthorized, format, args...)
}

func forbidden(format string, args ...any) *apiError {
	return errf(http.StatusForbidden, wire.CodeForbidden, format, args...)
}

// oneCredential refuses a request that carries more than one credential
// (two ApiKey headers, an ApiKey and an Authorization header, two link
// tokens, a key and a link token): which one would count is ambiguous, so
// none does. allowToken says whether the route takes the link's ?token=.
func oneCredential(r *http.Request, allowToken bool) error {
	keys, bearers := len(r.Header.Values(wire.HeaderAPIKey)), len(r.Header.Values("Authorization"))
	tokens := 0
	if allowToken {
		tokens = len(r.URL.Query()["token"])
	}
	if keys+bearers+tokens > 1 {
		return unauthorized("the request carries %d credentials (ApiKey headers: %d, Authorization headers: %d, link tokens: %d): send one credential", keys+bearers+tokens, keys, bearers, tokens)
	}
	return nil
}

// authProvider authenticates an ApiKey (or, for the manifest, its token)
// and resolves the scope. A wrong key or token costs the client one failure
// of its budget (authFailures); once the budget is spent, the client's
// credentials are not looked at (429) except on a connection that has
// already authenticated with the same one.
func (s *Server) authProvider(r *http.Request, c *call, manifest bool) error {
	if err := oneCredential(r, manifest); err != nil {
		return err
	}
	key := r.Header.Get(wire.HeaderAPIKey)
	if key == "" {
		if manifest {
			if tok := r.URL.Query().Get("token"); tok != "" {
				return s.authManifestToken(r, c, tok)
			}
			return unauthorized("an ApiKey header or the import link's token is required")
		}
		return unauthorized("missing ApiKey header")
	}
	hash := hashSecret(key)
	credential := "key " + hash
	if err := s.checkFailureBudget(r, credential); err != nil {
		return err
	}
	var ki keyInfo
	if v, ok := s.keyCache.Load(hash); ok {
		ki = v.(keyInfo) //nolint:forcetypeassert // only keyInfo is stored.
	} else {
		var err error
		ki, err = s.st.lookupKey(r.Context(), hash)
		if errors.Is(err, errNotFound) {
			s.authFail.fail(clientOf(r))
			return unauthorized("invalid API key")
		}
		if err != nil {
			return err
		}
		s.keyCache.Store(hash, ki)
	}
	connAuthenticated(r, credential)
	c.key = ki
	project := r.Header.Get(wire.HeaderProjectUID)
	if project == "" {
		if ki.project != "" {
			return forbidden("this API key may only be used in its project; set the ProjectUid header")
		}
		c.scope, c.scopeName = "", "tenant"
		return nil
	}
	if ki.project != "" && ki.project != project {
		return forbidden("this API key may not use project '%s'", project)
	}
	name, err := s.projectNameCached(r.Context(), project)
	if errors.Is(err, errNotFound) {
		return forbidden("project '%s' does not exist or may not be used with this key", project)
	}
	if err != nil {
		return err
	}
	c.scope, c.scopeName = project, "project "+name
	return nil
}

func (s *Server) projectNameCached(ctx context.Context, uid string) (string, error) {
	if v, ok := s.projectNames.Load(uid); ok {
		return v.(string), nil //nolint:forcetypeassert // only strings are stored.
	}
	name, err := s.st.projectName(ctx, uid)
	if err != nil {
		return "", err
	}
	s.projectNames.Store(uid, name)
	return name, nil
}

func (s *Server) authManifestToken(r *http.Request, c *call, tok string) error {
	uid := r.PathValue("uid")
	credential := "link " + uid + " " + hashSecret(tok)
	if err := s.checkFailureBudget(r, credential); err != nil {
		return err
	}
	stored, scope, err := clusterManifestToken(r.Context(), s.st.db, uid)
	if errors.Is(err, errNotFound) {
		s.authFail.fail(clientOf(r))
		return unauthorized("invalid manifest token")
	}
	if err != nil {
		return err
	}
	if !constantTimeEqual(stored, tok) {
		s.authFail.fail(clientOf(r))
		return unauthorized("invalid manifest token")
	}
	connAuthenticated(r, credential)
	c.tokenCluster = uid
	c.scope = scope
	c.scopeName = "tenant"
	if scope != "" {
		if name, err := s.projectNameCached(r.Context(), scope); err == nil {
			c.scopeName = "project " + name
		}
	}
	return nil
}

// authAgent checks the agent's bearer token against the cluster of the path.
func (s *Server) authAgent(r *http.Request, c *call) error {
	if err := oneCredential(r, false); err != nil {
		return err
	}
	h := r.Header.Get("Authorization")
	tok, ok := strings.CutPrefix(h, "Bearer ")
	tok = strings.TrimSpace(tok)
	if !ok || tok == "" {
		return unauthorized("missing agent bearer token")
	}
	clusterUID, state, err := agentTokenCluster(r.Context(), s.st.db, hashSecret(tok))
	if errors.Is(err, errNotFound) {
		return unauthorized("invalid agent token")
	}
	if err != nil {
		return err
	}
	if state == wire.StateDeleted {
		return unauthorized("the agent token's cluster was deleted")
	}
	if clusterUID != r.PathValue("uid") {
		return forbidden("this agent token belongs to another cluster")
	}
	c.agentCluster = clusterUID
	return nil
}

// The failed-authentication budget of a client (its remote IP): bursts of
// authFailureBurst wrong keys or link tokens, refilled at one every
// authFailureEvery (20 a minute). Enough for people and scripts that get a
// key wrong a few times, and for test suites that check refusals; a
// guesser gets 20 tries a minute instead of hundreds a second.
const (
	authFailureBurst = 20
	authFailureEvery = 3 * time.Second
	// authFailureClients bounds the buckets kept: past it, the buckets of
	// clients whose budget has refilled are dropped (and, if that is not
	// enough, any one).
	authFailureClients = 10000
)

// authFailures holds the failed-authentication budget of each client.
type authFailures struct {
	mu sync.Mutex
	m  map[string]*rate.Limiter
}

func newAuthFailures() *authFailures { return &authFailures{m: map[string]*rate.Limiter{}} }

// wait is how long the client must wait before its next failure is
// allowed (0 while its budget lasts).
func (a *authFailures) wait(client string) time.Duration {
	a.mu.Lock()
	lim := a.m[client]
	a.mu.Unlock()
	if lim == nil {
		return 0
	}
	tokens := lim.Tokens()
	if tokens >= 1 {
		return 0
	}
	return time.Duration((1 - tokens) * float64(authFailureEvery))
}

// fail spends one failure of the client's budget.
func (a *authFailures) fail(client string) {
	a.mu.Lock()
	lim := a.m[client]
	if lim == nil {
		if len(a.m) >= authFailureClients {
			for k, l := range a.m {
				if l.Tokens() >= authFailureBurst {
					delete(a.m, k)
				}
			}
			for k := range a.m { // still full: forget one (a random one)
				if len(a.m) < authFailureClients {
					break
				}
				delete(a.m, k)
			}
		}
		lim = rate.NewLimiter(rate.Every(authFailureEvery), authFailureBurst)
		a.m[client] = lim
	}
	a.mu.Unlock()
	lim.Allow()
}

// clientOf names the client of a request for the failure budget: its
// remote IP (every process on the loopback is one client).
func clientOf(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}

// checkFailureBudget answers 429 when the client has spent its budget of
// failed authentications, unless the request's connection has already
// authenticated with this credential: checking the credential would tell a
// guesser whether it is right, while a client that was working before
// keeps working on its open connections.
func (s *Server) checkFailureBudget(r *http.Request, credential string) error {
	wait := s.authFail.wait(clientOf(r))
	if wait <= 0 || connAuthenticatedWith(r, credential) {
		return nil
	}
	return tooManyRequests(wait, "too many failed authentications from this client: retry after %d s", retryAfterSeconds(wait))
}

// connAuthKey keys the connection's connAuth in a request's context.
type connAuthKey struct{}

// connAuth is what a connection has authenticated with: the last
// credential that succeeded on it ("key HASH" or "link UID HASH").
type connAuth struct {
	mu         sync.Mutex
	credential string
}

// withConnAuth gives a new connection its connAuth (http.Server.ConnContext).
func withConnAuth(ctx context.Context, _ net.Conn) context.Context {
	return context.WithValue(ctx, connAuthKey{}, &connAuth{})
}

func connAuthOf(r *http.Request) *connAuth {
	ca, _ := r.Context().Value(connAuthKey{}).(*connAuth)
	return ca
}

// connAuthenticated records that credential succeeded on the request's connection.
func connAuthenticated(r *http.Request, credential string) {
	if ca := connAuthOf(r); ca != nil {
		ca.mu.Lock()
		ca.credential = credential
		ca.mu.Unlock()
	}
}

// connAuthenticatedWith reports whether credential succeeded on the
// request's connection before.
func connAuthenticatedWith(r *http.Request, credential string) bool {
	ca := connAuthOf(r)
	if ca == nil {
		return false
	}
	ca.mu.Lock()
	defer ca.mu.Unlock()
	return ca.credential == credential
}

// limiters holds one token bucket per key and route class.
type limiters struct {
	mu sync.Mutex
	m  map[string]*rate.Limiter
}

func newLimiters() *limiters { return &limiters{m: map[string]*rate.Limiter{}} }

func (l *limiters) allow(keyHash, class string) (bool, time.Duration) {
	k := keyHash + "|" + class
	l.mu.Lock()
	lim, ok := l.m[k]
	if !ok {
		switch class {
		case "dashboard":
			lim = rate.NewLimiter(10, 50)
		default:
			lim = rate.NewLimiter(50, 250)
		}
		l.m[k] = lim
	}
	l.mu.Unlock()
	if lim.Allow() {
		return true, 0
	}
	res := lim.Reserve()
	d := res.Delay()
	res.Cancel()
	return false, d
}

// bufferWriter holds an answer back (the lostresponse fault).
type bufferWriter struct {
	h      http.Header
	status int
	buf    bytes.Buffer
}

func (b *bufferWriter) Header() http.Header { return b.h }
func (b *bufferWriter) WriteHeader(code int) {
	if b.status == 0 {
		b.status = code
	}
}
func (b *bufferWriter) Write(p []byte) (int, error) {
	if b.status == 0 {
		b.status = http.StatusOK
	}
	return b.buf.Write(p)
}

func (b *bufferWriter) copyTo(w http.ResponseWriter) {
	for k, v := range b.h {
		w.Header()[k] = v
	}
	if b.status == 0 {
		b.status = http.StatusOK
	}
	w.WriteHeader(b.status)
	_, _ = w.Write(b.buf.Bytes())
}

// Hijack lets the reset fault take the connection over.
func (w *statusRecorder) Hijack() (net.Conn, *bufio.ReadWriter, error) {
	conn, rw, err := http.NewResponseController(w.ResponseWriter).Hijack()
	if err == nil {
		w.hijacked = true
	}
	return conn, rw, err
}

// resetConn closes the request's connection without an answer (TCP RST where
// possible). It reports whether it could.
func resetConn(w http.ResponseWriter) bool {
	conn, _, err := http.NewResponseController(w).Hijack()
	if err != nil {
		return false
	}
	raw := conn
	if tc, ok := conn.(*tls.Conn); ok {
		raw = tc.NetConn()
	}
	if tcp, ok := raw.(*net.TCPConn); ok {
		_ = tcp.SetLinger(0)
	}
	_ = raw.Close()
	return true
}

func constantTimeEqual(a, b string) bool {
	return subtle.ConstantTimeCompare([]byte(a), []byte(b)) == 1
}
