package kube

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"strings"
	"syscall"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/meta"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/client-go/discovery"
	"k8s.io/client-go/discovery/cached/memory"
	"k8s.io/client-go/dynamic"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/rest"
	"k8s.io/client-go/restmapper"
)

// DefaultUserAgent is the User-Agent of clients made without one.
const DefaultUserAgent = "terraform-provider-palette"

// Errors Ping (and Classify) wrap, for errors.Is.
var (
	// ErrUnreachable means the API server could not be reached: connection
	// refused, DNS, timeout, TLS handshake or certificate failure.
	ErrUnreachable = errors.New("kube: API server unreachable")
	// ErrUnauthorized means the API server refused the credentials (401,
	// 403) or the exec credential plugin failed.
	ErrUnauthorized = errors.New("kube: API server refused the credentials")
)

// Client talks to one cluster. It is safe for concurrent use. Making one
// does no network I/O; the first call does.
type Client struct {
	cfg       *rest.Config
	kube      kubernetes.Interface
	dyn       dynamic.Interface
	quietDyn  dynamic.Interface // no deprecation warnings, for ListByLabel's walk
	discovery discovery.CachedDiscoveryInterface
	mapper    *restmapper.DeferredDiscoveryRESTMapper
}

// NewClient builds a client from what the user gave. userAgent "" means
// DefaultUserAgent.
func NewClient(a Access, userAgent string) (*Client, error) {
	cfg, err := a.RESTConfig()
	if err != nil {
		return nil, err
	}
	if userAgent == "" {
		userAgent = DefaultUserAgent
	}
	cfg.UserAgent = userAgent
	return NewClientFromConfig(cfg)
}

// NewClientFromConfig builds a client from a rest.Config (copied). A config
// without rate limits gets QPS 50 / burst 100, since ListByLabel walks every
// resource type.
func NewClientFromConfig(cfg *rest.Config) (*Client, error) {
	if cfg == nil {
		return nil, errors.New("kube: nil rest.Config")
	}
	cfg = rest.CopyConfig(cfg)
	if cfg.ExecProvider != nil {
		// Run by this package, under each request's context (exec.go).
		if err := useExecPlugin(cfg); err != nil {
			return nil, err
		}
	}
	if cfg.QPS == 0 && cfg.RateLimiter == nil {
		cfg.QPS = 50
	}
	if cfg.Burst == 0 && cfg.RateLimiter == nil {
		cfg.Burst = 100
	}
	if cfg.UserAgent == "" {
		cfg.UserAgent = DefaultUserAgent
	}
	hc, err := rest.HTTPClientFor(cfg)
	if err != nil {
		return nil, fmt.Errorf("kube: http client: %w", err)
	}
	hc.Transport = contextBound{hc.Transport}
	kc, err := kubernetes.NewForConfigAndClient(cfg, hc)
	if err != nil {
		return nil, fmt.Errorf("kube: client: %w", err)
	}
	dyn, err := dynamic.NewForConfigAndClient(cfg, hc)
	if err != nil {
		return nil, fmt.Errorf("kube: dynamic client: %w", err)
	}
	quietCfg := rest.CopyConfig(cfg)
	quietCfg.WarningHandler = rest.NoWarnings{}
	quietDyn, err := dynamic.NewForConfigAndClient(quietCfg, hc)
	if err != nil {
		return nil, fmt.Errorf("kube: dynamic client: %w", err)
	}
	dc, err := discovery.NewDiscoveryClientForConfigAndClient(cfg, hc)
	if err != nil {
		return nil, fmt.Errorf("kube: discovery client: %w", err)
	}
	cached := memory.NewMemCacheClient(dc)
	return &Client{
		cfg:       cfg,
		kube:      kc,
		dyn:       dyn,
		quietDyn:  quietDyn,
		discovery: cached,
		mapper:    restmapper.NewDeferredDiscoveryRESTMapper(cached),
	}, nil
}

// contextBound answers a request as soon as its context ends, even while
// the transport under it ignores the context: client-go runs an exec
// credential plugin without one, so a plugin that never exits would hold
// the request (and a terraform plan) forever. The abandoned round trip ends
// when the plugin does; its response, if any, is closed.
type contextBound struct{ next http.RoundTripper }

func (t contextBound) RoundTrip(req *http.Request) (*http.Response, error) {
	done := req.Context().Done()
	if done == nil {
		return t.next.RoundTrip(req)
	}
	type result struct {
		resp *http.Response
		err  error
	}
	ch := make(chan result, 1)
	go func() {
		resp, err := t.next.RoundTrip(req) //nolint:bodyclose // closed by the caller, or below when abandoned.
		ch <- result{resp, err}
	}()
	select {
	case r := <-ch:
		return r.resp, r.err
	case <-done:
		go func() {
			if r := <-ch; r.resp != nil {
				_ = r.resp.Body.Close()
			}
		}()
		return nil, fmt.Errorf("kube: %s %s: %w", req.Method, req.URL.Path, context.Cause(req.Context()))
	}
}

// RESTConfig returns a copy of the client's configuration.
func (c *Client) RESTConfig() *rest.Config { return rest.CopyConfig(c.cfg) }

// Kubernetes is the typed clientset, for callers (the agent) that need
// client-go directly.
func (c *Client) Kubernetes() kubernetes.Interface { return c.kube }

// Dynamic is the dynamic client.
func (c *Client) Dynamic() dynamic.Interface { return c.dyn }

// RESTMapper is the client's discovery-backed mapper.
func (c *Client) RESTMapper() meta.ResettableRESTMapper { return c.mapper }

// Ping asks the server for its version (GET /version): the cheapest call
// that proves the host, the TLS settings and the credentials. Errors wrap
// ErrUnreachable or ErrUnauthorized when they are one of those.
func (c *Client) Ping(ctx context.Context) (string, error) {
	var v struct {
		GitVersion string `json:"gitVersion"`
	}
	// discovery.ServerVersion takes no context; the REST client does.
	raw, err := c.kube.Discovery().RESTClient().Get().AbsPath("/version").Do(ctx).Raw()
	if err != nil {
		return "", Classify(fmt.Errorf("kube: get server version: %w", err))
	}
	if err := json.Unmarshal(raw, &v); err != nil {
		return "", fmt.Errorf("kube: decode server version: %w", err)
	}
	if v.GitVersion == "" {
		return "", errors.New("kube: server version has no gitVersion")
	}
	return v.GitVersion, nil
}

// Classify wraps err with ErrUnreachable or ErrUnauthorized when it is a
// transport or authentication failure; other errors are returned as they are.
func Classify(err error) error {
	if err == nil || errors.Is(err, ErrUnreachable) || errors.Is(err, ErrUnauthorized) {
		return err
	}
	if apierrors.IsUnauthorized(err) || apierrors.IsForbidden(err) {
		return fmt.Errorf("%w: %w", ErrUnauthorized, err)
	}
	if strings.Contains(err.Error(), "getting credentials:") {
		// The exec plugin failed (client-go's wording).
		return fmt.Errorf("%w: %w", ErrUnauthorized, err)
	}
	if isTransportError(err) {
		return fmt.Errorf("%w: %w", ErrUnreachable, err)
	}
	return err
}

func isTransportError(err error) bool {
	var (
		dnsErr    *net.DNSError
		opErr     *net.OpError
		netErr    net.Error
		unknownCA x509.UnknownAuthorityError
		hostErr   x509.HostnameError
		certErr   x509.CertificateInvalidError
		verifyErr *tls.CertificateVerificationError
		recordErr tls.RecordHeaderError
		urlErr    *url.Error
	)
	switch {
	case errors.As(err, &dnsErr), errors.As(err, &opErr), errors.As(err, &unknownCA),
		errors.As(err, &hostErr), errors.As(err, &certErr), errors.As(err, &verifyErr),
		errors.As(err, &recordErr):
		return true
	case errors.Is(err, syscall.ECONNREFUSED), errors.Is(err, syscall.ECONNRESET),
		errors.Is(err, syscall.EHOSTUNREACH), errors.Is(err, syscall.ENETUNREACH),
		errors.Is(err, context.DeadlineExceeded):
		return true
	case errors.As(err, &netErr) && netErr.Timeout():
		return true
	case errors.As(err, &urlErr):
		// Any other failure of the HTTP round trip itself.
		return true
	case apierrors.IsTimeout(err), apierrors.IsServerTimeout(err):
		return true
	}
	return false
}

// mapping finds the REST mapping of gvk; on a no-match it resets the
// discovery cache once and retries (e.g. a CRD was just created).
func (c *Client) mapping(gvk schema.GroupVersionKind) (*meta.RESTMapping, error) {
	m, err := c.mapper.RESTMapping(gvk.GroupKind(), gvk.Version)
	if err != nil && meta.IsNoMatchError(err) {
		c.mapper.Reset()
		m, err = c.mapper.RESTMapping(gvk.GroupKind(), gvk.Version)
	}
	if err != nil {
		return nil, fmt.Errorf("resource type of %s: %w", gvkString(gvk), Classify(err))
	}
	return m, nil
}

func gvkString(gvk schema.GroupVersionKind) string {
	return gvk.GroupVersion().String() + " " + gvk.Kind
}
