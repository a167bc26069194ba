// Package palette is the typed REST client of Palette's published API
// ("Palette APIs - 4.9", docs/palette-api.md) on go-retryablehttp: retries
// with backoff, fail-fast errors, project scope, and masking of credentials
// in its logs. The shapes it sends and reads live in internal/wire.
package palette

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"net/http/httptrace"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/hashicorp/go-cleanhttp"
	"github.com/hashicorp/go-retryablehttp"
	"github.com/hashicorp/terraform-plugin-log/tflog"
	"github.com/terraform-palette/terraform-provider-palette/internal/wire"
	"golang.org/x/time/rate"
)

// Defaults of Config.
const (
	DefaultHost           = "api.spectrocloud.com"
	DefaultMaxRetries     = 8
	DefaultRequestTimeout = 60 * time.Second
	DefaultRetryWaitMin   = 250 * time.Millisecond
	DefaultRetryWaitMax   = 30 * time.Second
	DefaultUserAgent      = "terraform-provider-palette"

	// maxRetryAfter caps a server's Retry-After, so that a bogus value cannot
	// stall a caller without a deadline for hours.
	maxRetryAfter = 10 * time.Minute
	// maxResponseBody bounds what the client reads of one answer.
	maxResponseBody = 64 << 20

	// Palette limits each API key to 10 requests a second, in bursts of up
	// to 50, on /v1/dashboard (50 and 250 on /v1/spectroclusters). The
	// client keeps its dashboard requests a little under that, so that waits
	// and refreshes do not run into 429 (which it would still retry).
	dashboardRate  = 9
	dashboardBurst = 40
)

// Config configures a Client.
type Config struct {
	// Host is "api.spectrocloud.com", "127.0.0.1:8080" or a full URL; the
	// scheme defaults to https, "http://" is allowed. Empty means DefaultHost.
	Host string
	// APIKey is sent as the ApiKey header.
	APIKey string
	// AgentToken, for agents, is sent as "Authorization: Bearer <token>"
	// instead of the ApiKey header.
	AgentToken string
	// ProjectUID scopes requests to a project (ProjectUid header); empty is
	// tenant scope.
	ProjectUID string
	// CACertificatePEM adds trusted CA certificates to the system pool.
	CACertificatePEM string
	// Insecure skips TLS verification.
	Insecure bool
	// MaxRetries bounds the retries of one request (default 8; negative: none).
	MaxRetries int
	// RequestTimeout bounds one attempt (default 60s).
	RequestTimeout time.Duration
	// RetryWaitMin and RetryWaitMax bound the exponential backoff (defaults
	// 250ms and 30s).
	RetryWaitMin, RetryWaitMax time.Duration
	// UserAgent is sent as User-Agent (default "terraform-provider-palette").
	UserAgent string
	// HTTPClient is an optional base client; its transport is cloned when TLS
	// settings must be applied.
	HTTPClient *http.Client
}

// Client is a typed client of the Palette import API. It is safe for
// concurrent use. Use WithProject for another scope.
type Client struct {
	baseURL    *url.URL
	apiKey     string
	agentToken string
	projectUID string
	userAgent  string

	maxRetries     int
	requestTimeout time.Duration
	waitMin        time.Duration
	waitMax        time.Duration

	http *http.Client

	// dashboard paces requests to /v1/dashboard (shared by WithProject
	// copies, as the limit is per key).
	dashboard *rate.Limiter

	// sleep waits d or until ctx is done; tests replace it.
	sleep func(ctx context.Context, d time.Duration) error
	// now is the clock used for Retry-After dates; tests replace it.
	now func() time.Time
	// jitter returns a random duration in [0, n); tests replace it.
	jitter func(n time.Duration) time.Duration
}

// NewClient builds a Client from cfg.
func NewClient(cfg Config) (*Client, error) {
	base, err := parseHost(cfg.Host)
	if err != nil {
		return nil, err
	}
	c := &Client{
		baseURL:        base,
		apiKey:         cfg.APIKey,
		agentToken:     cfg.AgentToken,
		projectUID:     cfg.ProjectUID,
		userAgent:      cfg.UserAgent,
		maxRetries:     cfg.MaxRetries,
		requestTimeout: cfg.RequestTimeout,
		waitMin:        cfg.RetryWaitMin,
		waitMax:        cfg.RetryWaitMax,
		dashboard:      rate.NewLimiter(dashboardRate, dashboardBurst),
		sleep:          sleepContext,
		now:            time.Now,
		jitter:         randomJitter,
	}
	if c.userAgent == "" {
		c.userAgent = DefaultUserAgent
	}
	switch {
	case c.maxRetries == 0:
		c.maxRetries = DefaultMaxRetries
	case c.maxRetries < 0:
		c.maxRetries = 0
	}
	if c.requestTimeout <= 0 {
		c.requestTimeout = DefaultRequestTimeout
	}
	if c.waitMin <= 0 {
		c.waitMin = DefaultRetryWaitMin
	}
	if c.waitMax <= 0 {
		c.waitMax = DefaultRetryWaitMax
	}
	if c.waitMax < c.waitMin {
		c.waitMax = c.waitMin
	}
	c.http, err = buildHTTPClient(cfg)
	if err != nil {
		return nil, err
	}
	return c, nil
}

// CheckHost reports whether host is a Palette host the client accepts: a
// host name with an optional port, or an http(s) URL with a host.
func CheckHost(host string) error {
	_, err := parseHost(host)
	return err
}

// parseHost turns Config.Host into a base URL.
func parseHost(host string) (*url.URL, error) {
	host = strings.TrimSpace(host)
	if host == "" {
		host = DefaultHost
	}
	if !strings.Contains(host, "://") {
		host = "https://" + host
	}
	u, err := url.Parse(host)
	if err != nil {
		return nil, fmt.Errorf("palette: invalid host %q: %w", host, err)
	}
	if u.Scheme != "https" && u.Scheme != "http" {
		return nil, fmt.Errorf("palette: invalid host %q: scheme must be https or http", host)
	}
	if u.Host == "" {
		return nil, fmt.Errorf("palette: invalid host %q: no host name", host)
	}
	u.Path = strings.TrimRight(u.Path, "/")
	u.RawQuery, u.Fragment, u.User = "", "", nil
	return u, nil
}

func buildHTTPClient(cfg Config) (*http.Client, error) {
	var hc http.Client
	if cfg.HTTPClient != nil {
		hc = *cfg.HTTPClient
	} else {
		hc = http.Client{Transport: cleanhttp.DefaultPooledTransport()}
	}
	if cfg.CACertificatePEM == "" && !cfg.Insecure {
		return &hc, nil
	}
	var tr *http.Transport
	switch t := hc.Transport.(type) {
	case nil:
		tr = cleanhttp.DefaultPooledTransport()
	case *http.Transport:
		tr = t.Clone()
	default:
		return nil, fmt.Errorf("palette: cannot apply TLS settings to a %T transport", hc.Transport)
	}
	tlsCfg := &tls.Config{MinVersion: tls.VersionTLS12}
	if tr.TLSClientConfig != nil {
		tlsCfg = tr.TLSClientConfig.Clone()
	}
	if cfg.CACertificatePEM != "" {
		pool, err := x509.SystemCertPool()
		if err != nil || pool == nil {
			pool = x509.NewCertPool()
		}
		if !pool.AppendCertsFromPEM([]byte(cfg.CACertificatePEM)) {
			return nil, errors.New("palette: ca_certificate holds no PEM certificate")
		}
		tlsCfg.RootCAs = pool
	}
	if cfg.Insecure {
		tlsCfg.InsecureSkipVerify = true //nolint:gosec // asked for explicitly
	}
	tr.TLSClientConfig = tlsCfg
	hc.Transport = tr
	return &hc, nil
}

// WithProject returns a shallow copy of c scoped to another project (empty:
// tenant scope). The copy shares the connection pool.
func (c *Client) WithProject(uid string) *Client {
	cp := *c
	cp.projectUID = uid
	return &cp
}

// RequestBudget is the longest one request may take with all its retries:
// every attempt at its timeout and every backoff at its cap.
func (c *Client) RequestBudget() time.Duration {
	n := time.Duration(c.maxRetries + 1)
	return n*c.requestTimeout + n*c.waitMax
}

// RequestTimeout is the bound of one attempt of a request.
func (c *Client) RequestTimeout() time.Duration { return c.requestTimeout }

// ProjectUID returns the project scope of c (empty: tenant scope).
func (c *Client) ProjectUID() string { return c.projectUID }

// BaseURL returns the base URL, e.g. "https://api.spectrocloud.com".
func (c *Client) BaseURL() string { return c.baseURL.String() }

// Do sends one JSON request (in may be nil) to path (starting with "/v1")
// with the client's retries, and decodes a JSON answer into out (may be
// nil; a *[]byte receives the raw body). It is the escape hatch for
// endpoints without a typed method.
func (c *Client) Do(ctx context.Context, method, path string, in, out any) error {
	_, err := c.call(ctx, &request{method: method, path: path, in: in}, out)
	return err
}

// request is one logical API call.
type request struct {
	method        string
	path          string
	query         url.Values
	in            any
	accept        string
	nonIdempotent bool
}

// response is the final answer of a request.
type response struct {
	status   int
	header   http.Header
	body     []byte
	attempts int
}

// call runs r and decodes a 2xx answer into out.
func (c *Client) call(ctx context.Context, r *request, out any) (*response, error) {
	resp, err := c.do(ctx, r)
	if err != nil {
		return resp, err
	}
	if err := decodeInto(resp.body, out); err != nil {
		return resp, fmt.Errorf("palette: %s %s: decoding answer: %w", r.method, r.path, err)
	}
	return resp, nil
}

func decodeInto(body []byte, out any) error {
	switch o := out.(type) {
	case nil:
		return nil
	case *[]byte:
		*o = body
		return nil
	}
	if len(bytes.TrimSpace(body)) == 0 {
		return nil
	}
	return json.Unmarshal(body, out)
}

// do sends r with retries; it returns the 2xx answer or an error.
func (c *Client) do(ctx context.Context, r *request) (*response, error) {
	var body []byte
	if r.in != nil {
		var err error
		if body, err = json.Marshal(r.in); err != nil {
			return nil, fmt.Errorf("palette: %s %s: encoding request: %w", r.method, r.path, err)
		}
	}
	u := *c.baseURL
	u.Path += r.path
	if len(r.query) > 0 {
		u.RawQuery = r.query.Encode()
	}
	logCtx := c.maskedContext(ctx)

	var lastErr error
	started := c.now()
	for attempt := 1; ; attempt++ {
		if strings.HasPrefix(r.path, "/v1/dashboard/") {
			if err := c.dashboard.Wait(ctx); err != nil {
				if ctxErr := ctx.Err(); ctxErr != nil {
					return nil, fmt.Errorf("palette: %s %s: %w", r.method, r.path, ctxErr)
				}
				// The deadline comes before the next free slot.
				return nil, fmt.Errorf("palette: %s %s: %w (%w)", r.method, r.path, context.DeadlineExceeded, err)
			}
		}
		resp, err := c.attempt(ctx, logCtx, r, u.String(), body, attempt)
		if resp != nil {
			resp.attempts = attempt
		}
		if err == nil && resp.status >= 200 && resp.status <= 299 {
			return resp, nil
		}
		if err != nil {
			if ctxErr := ctx.Err(); ctxErr != nil {
				return resp, fmt.Errorf("palette: %s %s: %w", r.method, r.path, ctxErr)
			}
			if why := c.permanent(ctx, err); why != "" {
				return resp, fmt.Errorf("palette: %s %s: %s: %w", r.method, r.path, why, err)
			}
			if retry, _ := retryablehttp.ErrorPropagatedRetryPolicy(ctx, nil, err); !retry {
				return resp, fmt.Errorf("palette: %s %s: %w", r.method, r.path, err)
			}
			err = fmt.Errorf("palette: %s %s: %w", r.method, r.path, err)
			if r.nonIdempotent && !notSent(err) {
				return resp, &outcomeUnknownError{cause: err}
			}
			lastErr = err
		} else {
			apiErr := newAPIError(r.method, r.path, resp.status, resp.body)
			apiErr.Host = c.baseURL.Host
			switch resp.status {
			case http.StatusTooManyRequests:
			case http.StatusBadGateway, http.StatusServiceUnavailable, http.StatusGatewayTimeout:
				if r.nonIdempotent {
					return resp, &outcomeUnknownError{cause: apiErr}
				}
			default:
				return resp, apiErr
			}
			lastErr = apiErr
		}
		if attempt > c.maxRetries {
			return resp, fmt.Errorf("palette: giving up after %d attempts in %s (max_retries = %d, request_timeout = %s): %w",
				attempt, c.now().Sub(started).Round(time.Second), c.maxRetries, c.requestTimeout, lastErr)
		}
		var header http.Header
		if resp != nil {
			header = resp.header
		}
		wait := c.backoff(attempt-1, header)
		if err := c.wait(ctx, wait); err != nil {
			return resp, fmt.Errorf("palette: %s %s: %w (last error: %w)", r.method, r.path, err, lastErr)
		}
	}
}

// wait sleeps d, bounded by ctx; when ctx's deadline comes before d has
// passed it returns at once with context.DeadlineExceeded.
func (c *Client) wait(ctx context.Context, d time.Duration) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if deadline, ok := ctx.Deadline(); ok && c.now().Add(d).After(deadline) {
		return fmt.Errorf("retry wait of %s would pass the deadline: %w", d, context.DeadlineExceeded)
	}
	return c.sleep(ctx, d)
}

// attempt sends one HTTP request and reads the whole answer within the
// per-attempt timeout. A transport or body-read error returns (nil, err).
func (c *Client) attempt(ctx, logCtx context.Context, r *request, target string, body []byte, attempt int) (*response, error) {
	actx, cancel := context.WithTimeout(ctx, c.requestTimeout)
	defer cancel()
	var rd io.Reader
	if body != nil {
		rd = bytes.NewReader(body)
	}
	var stage atomic.Int32
	req, err := http.NewRequestWithContext(httptrace.WithClientTrace(actx, traceStage(&stage)), r.method, target, rd)
	if err != nil {
		return nil, fmt.Errorf("building request: %w", err)
	}
	c.setHeaders(req, r, body != nil)

	start := time.Now()
	fields := map[string]any{"method": r.method, "path": r.path, "attempt": attempt}
	hresp, err := c.http.Do(req)
	if err != nil {
		fields["duration_ms"] = time.Since(start).Milliseconds()
		fields["error"] = err.Error()
		tflog.Debug(logCtx, "Palette API request failed", fields)
		if errors.Is(err, context.DeadlineExceeded) {
			// What the attempt was waiting for, for the message.
			return nil, &stagedError{stage: attemptStage(stage.Load()), err: err}
		}
		return nil, err
	}
	defer func() { _ = hresp.Body.Close() }()
	data, err := io.ReadAll(io.LimitReader(hresp.Body, maxResponseBody))
	fields["status"] = hresp.StatusCode
	fields["duration_ms"] = time.Since(start).Milliseconds()
	if err != nil {
		fields["error"] = err.Error()
		tflog.Debug(logCtx, "Palette API answer lost", fields)
		return nil, &bodyReadError{err: err}
	}
	tflog.Debug(logCtx, "Palette API request", fields)
	return &response{status: hresp.StatusCode, header: hresp.Header, body: data}, nil
}

func (c *Client) setHeaders(req *http.Request, r *request, hasBody bool) {
	req.Header.Set("User-Agent", c.userAgent)
	if r.accept != "" {
		req.Header.Set("Accept", r.accept)
	} else {
		req.Header.Set("Accept", "application/json")
	}
	if hasBody {
		req.Header.Set("Content-Type", "application/json")
	}
	if c.agentToken != "" {
		req.Header.Set("Authorization", "Bearer "+c.agentToken)
	} else if c.apiKey != "" {
		req.Header.Set(wire.HeaderAPIKey, c.apiKey)
	}
	if c.projectUID != "" {
		req.Header.Set(wire.HeaderProjectUID, c.projectUID)
	}
}

// urlCredentialsRegexp matches a URL's scheme and user:password@ (a proxy
// URL may carry them); masking replaces the whole match.
var urlCredentialsRegexp = regexp.MustCompile(`[A-Za-z][A-Za-z0-9+.-]*://[^/?#@\s"'\\]+@`)

// MaskURLCredentials masks, in everything logged with ctx, the credentials
// a URL carries (`http://alice:pw@proxy:3128` is logged as `***proxy:3128`).
func MaskURLCredentials(ctx context.Context) context.Context {
	ctx = tflog.MaskAllFieldValuesRegexes(ctx, urlCredentialsRegexp)
	return tflog.MaskMessageRegexes(ctx, urlCredentialsRegexp)
}

// maskedContext masks the credentials in everything logged with ctx: the
// API key, the agent token, and those of URLs (a proxy's).
func (c *Client) maskedContext(ctx context.Context) context.Context {
	ctx = MaskURLCredentials(ctx)
	var secrets []string
	for _, s := range []string{c.apiKey, c.agentToken} {
		if s != "" {
			secrets = append(secrets, s)
		}
	}
	if len(secrets) == 0 {
		return ctx
	}
	ctx = tflog.MaskAllFieldValuesStrings(ctx, secrets...)
	return tflog.MaskMessageStrings(ctx, secrets...)
}

// bodyReadError is a failure to read an answer's body (reset or EOF after
// the headers): the request was processed, the answer lost.
type bodyReadError struct{ err error }

func (e *bodyReadError) Error() string { return "reading answer: " + e.err.Error() }
func (e *bodyReadError) Unwrap() error { return e.err }

// notSent reports whether a transport error happened before the request
// could reach the server (dial or name resolution failed).
func notSent(err error) bool {
	var dnsErr *net.DNSError
	if errors.As(err, &dnsErr) {
		return true
	}
	var opErr *net.OpError
	return errors.As(err, &opErr) && opErr.Op == "dial"
}

// backoff returns the wait before retry number retry+1 (retry counts from
// 0): the server's Retry-After when present, else retryablehttp's
// exponential DefaultBackoff with "equal jitter" (half fixed, half random).
func (c *Client) backoff(retry int, header http.Header) time.Duration {
	if d, ok := parseRetryAfter(header.Get(wire.HeaderRetryAfter), c.now()); ok {
		return min(d, maxRetryAfter)
	}
	d := retryablehttp.DefaultBackoff(c.waitMin, c.waitMax, retry, nil)
	half := d / 2
	return half + c.jitter(d-half+1)
}

// parseRetryAfter reads a Retry-After value: seconds or an HTTP date.
func parseRetryAfter(v string, now time.Time) (time.Duration, bool) {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0, false
	}
	if secs, err := strconv.ParseInt(v, 10, 64); err == nil {
		if secs < 0 {
			return 0, false
		}
		if secs > int64(maxRetryAfter/time.Second) {
			return maxRetryAfter, true
		}
		return time.Duration(secs) * time.Second, true
	}
	t, err := http.ParseTime(v)
	if err != nil {
		return 0, false
	}
	if d := t.Sub(now); d > 0 {
		return d, true
	}
	return 0, true
}

func sleepContext(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return ctx.Err()
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

func randomJitter(n time.Duration) time.Duration {
	if n <= 0 {
		return 0
	}
	return rand.N(n)
}

// escape escapes one path segment.
func escape(s string) string { return url.PathEscape(s) }
