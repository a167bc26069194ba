package localapi

import (
	"net"
	"net/http"
	"net/url"
	"strings"
)

// The debug routes (GET /debug/requests, POST /debug/faults) change or show
// the whole server, so they answer only a loopback client that sends a
// tenant admin API key from the server's own origin: a web page the
// developer opens can neither send the key nor pass the checks of
// sameOrigin (a cross-site Origin or Sec-Fetch-Site, a rebound DNS name in
// Host), and a POST must carry JSON, which a page cannot send cross-site
// without a CORS preflight that palette-local never grants.

// authDebug checks a debug request.
func (s *Server) authDebug(r *http.Request, c *call) error {
	if !isLoopbackRemote(r) {
		return forbidden("debug routes answer loopback clients only")
	}
	if err := s.sameOrigin(r); err != nil {
		return err
	}
	if r.Method == http.MethodPost && !isJSONContentType(r.Header.Get("Content-Type")) {
		return errf(http.StatusUnsupportedMediaType, codeUnsupportedMediaType, "debug routes take application/json bodies, not %q", r.Header.Get("Content-Type"))
	}
	if err := s.authProvider(r, c, false); err != nil {
		return err
	}
	if c.key.project != "" {
		return forbidden("debug routes need a tenant admin API key, not a project's")
	}
	return nil
}

// sameOrigin refuses a request a browser sent from another site: a Host
// that is not one of the server's own names (DNS rebinding), an Origin that
// is not the server's own, and Sec-Fetch-Site other than same-origin or
// none (a request the user typed).
func (s *Server) sameOrigin(r *http.Request) error {
	if !s.ownHost(r.Host) {
		return forbidden("host %q is not this server's (%s)", r.Host, strings.Join(s.ownHosts(), ", "))
	}
	if o := r.Header.Get("Origin"); o != "" {
		u, err := url.Parse(o)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || !strings.EqualFold(u.Host, r.Host) || u.Scheme != s.scheme() {
			return forbidden("cross-origin request from %q refused", o)
		}
	}
	switch site := r.Header.Get("Sec-Fetch-Site"); site {
	case "", "same-origin", "none":
	default:
		return forbidden("%s request refused (Sec-Fetch-Site)", site)
	}
	return nil
}

func (s *Server) scheme() string {
	if s.tlsConf != nil {
		return "https"
	}
	return "http"
}

// ownHosts are the Host values that name this server: the advertise URL's
// host, and the listen address with its loopback names.
func (s *Server) ownHosts() []string {
	var hosts []string
	if u, err := url.Parse(s.AdvertiseURL()); err == nil && u.Host != "" {
		hosts = append(hosts, u.Host)
	}
	if addr := *s.listen.Load(); addr != "" {
		hosts = append(hosts, addr)
		if h, port, err := net.SplitHostPort(addr); err == nil {
			if ip := net.ParseIP(h); ip != nil && (ip.IsLoopback() || ip.IsUnspecified()) {
				hosts = append(hosts, net.JoinHostPort("localhost", port), net.JoinHostPort("127.0.0.1", port), net.JoinHostPort("::1", port))
			}
		}
	}
	return hosts
}

func (s *Server) ownHost(host string) bool {
	for _, h := range s.ownHosts() {
		if strings.EqualFold(h, host) {
			return true
		}
	}
	return false
}

// GET /debug/requests.
func (s *Server) debugRequests(w http.ResponseWriter, _ *http.Request, _ *call) error {
	reqs := s.Requests()
	s.reqMu.Lock()
	total := s.reqTotal
	s.reqMu.Unlock()
	writeJSON(w, http.StatusOK, map[string]any{"requests": reqs, "total": total})
	return nil
}

// FaultsRequest is the body of POST /debug/faults.
type FaultsRequest struct {
	Faults string `json:"faults"`
	Seed   int64  `json:"seed"`
}

// POST /debug/faults.
func (s *Server) debugFaults(w http.ResponseWriter, r *http.Request, _ *call) error {
	var req FaultsRequest
	if err := decodeBody(r, &req, false); err != nil {
		return err
	}
	if err := s.SetFaults(req.Faults, req.Seed); err != nil {
		return badRequest("%v", err)
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}
