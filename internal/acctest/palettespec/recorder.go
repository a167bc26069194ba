package palettespec

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"sort"
	"strings"
	"sync"
	"testing"
)

// ExemptFunc reports whether a request is outside the spec on purpose (an
// endpoint palette-local adds, such as its agent or /debug API). path is the
// request's URL (its path, and its query for an addition that is only a
// query parameter). Exempt traffic is counted, not checked.
type ExemptFunc func(method string, u *url.URL) (exempt bool)

// Recorder checks the requests and responses of many exchanges, from many
// goroutines, and sums them up. The zero value is not usable: see
// NewRecorder.
type Recorder struct {
	spec   *Spec
	exempt ExemptFunc

	// Name, when set, says in Report which side was checked.
	Name string

	// ResponsesOnly, when set before use, checks answers only: for a
	// server's side under a client that is not ours (Spectro's SDK sends
	// nulls where the spec has arrays, which is not palette-local's doing).
	ResponsesOnly bool

	mu              sync.Mutex
	operations      map[string]int
	requests        int
	responses       int
	exemptRequests  int
	exemptResponses int
	violations      map[Violation]int
	order           []Violation // in order of first occurrence
}

// NewRecorder is a Recorder checking against s. exempt may be nil (nothing
// is exempt).
func NewRecorder(s *Spec, exempt ExemptFunc) *Recorder {
	return &Recorder{spec: s, exempt: exempt, operations: map[string]int{}, violations: map[Violation]int{}}
}

// CountedViolation is a distinct violation and how many times it happened.
type CountedViolation struct {
	Violation
	Count int
}

// Summary is what a Recorder has seen.
type Summary struct {
	// Operations are the distinct spec operations exercised ("METHOD
	// template"), sorted.
	Operations []string
	// Requests and Responses count the checked (non-exempt) ones.
	Requests, Responses int
	// ExemptRequests and ExemptResponses count the exempt ones.
	ExemptRequests, ExemptResponses int
	// Violations are the distinct violations, in order of first occurrence.
	Violations []CountedViolation
}

// Line is the figure line that Report logs.
func (s Summary) Line() string {
	return fmt.Sprintf("conformance: %d operations, %d requests, %d responses checked, %d violations",
		len(s.Operations), s.Requests, s.Responses, len(s.Violations))
}

// RecordRequest checks a request (unless exempt) and records the outcome.
func (r *Recorder) RecordRequest(method string, u *url.URL, header http.Header, body []byte) {
	if r.ResponsesOnly {
		return
	}
	if r.exempt != nil && r.exempt(method, u) {
		r.mu.Lock()
		r.exemptRequests++
		r.mu.Unlock()
		return
	}
	key, vs := r.spec.checkRequest(method, u, header, body)
	r.mu.Lock()
	defer r.mu.Unlock()
	r.requests++
	r.note(key, vs)
}

// RecordResponse checks a response (unless its request is exempt) and
// records the outcome.
func (r *Recorder) RecordResponse(method string, u *url.URL, status int, header http.Header, body []byte) {
	if r.exempt != nil && r.exempt(method, u) {
		r.mu.Lock()
		r.exemptResponses++
		r.mu.Unlock()
		return
	}
	key, vs := r.spec.checkResponse(method, u, status, header, body)
	r.mu.Lock()
	defer r.mu.Unlock()
	r.responses++
	r.note(key, vs)
}

// note records an operation and violations; r.mu is held.
func (r *Recorder) note(key string, vs []Violation) {
	if key != "" {
		r.operations[key]++
	}
	for _, v := range vs {
		if r.violations[v] == 0 {
			r.order = append(r.order, v)
		}
		r.violations[v]++
	}
}

// Summary is what the Recorder has seen so far.
func (r *Recorder) Summary() Summary {
	r.mu.Lock()
	defer r.mu.Unlock()
	s := Summary{
		Requests: r.requests, Responses: r.responses,
		ExemptRequests: r.exemptRequests, ExemptResponses: r.exemptResponses,
	}
	for k := range r.operations {
		s.Operations = append(s.Operations, k)
	}
	sort.Strings(s.Operations)
	for _, v := range r.order {
		s.Violations = append(s.Violations, CountedViolation{Violation: v, Count: r.violations[v]})
	}
	return s
}

// Report logs the figure line and, when there are violations, fails t
// listing each of them once with its count.
func (r *Recorder) Report(t testing.TB) {
	t.Helper()
	s := r.Summary()
	if r.Name != "" {
		t.Logf("%s (%s)", s.Line(), r.Name)
	} else {
		t.Log(s.Line())
	}
	if len(s.Violations) == 0 {
		return
	}
	var b strings.Builder
	fmt.Fprintf(&b, "%d spec violations:", len(s.Violations))
	for _, v := range s.Violations {
		fmt.Fprintf(&b, "\n  %s", v.Violation)
		if v.Count > 1 {
			fmt.Fprintf(&b, " (%d times)", v.Count)
		}
	}
	t.Error(b.String())
}

// Transport wraps base (http.DefaultTransport when nil) so that every
// request sent through it and every response received are checked. Bodies
// are read in full and handed on unchanged.
func (r *Recorder) Transport(base http.RoundTripper) http.RoundTripper {
	if base == nil {
		base = http.DefaultTransport
	}
	return &recordingTransport{rec: r, base: base}
}

type recordingTransport struct {
	rec  *Recorder
	base http.RoundTripper
}

func (t *recordingTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	var body []byte
	if req.Body != nil && req.Body != http.NoBody {
		b, err := io.ReadAll(req.Body)
		_ = req.Body.Close()
		if err != nil {
			return nil, err
		}
		body = b
		req = req.Clone(req.Context())
		req.Body = io.NopCloser(bytes.NewReader(body))
		req.GetBody = func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(body)), nil }
	}
	t.rec.RecordRequest(req.Method, req.URL, req.Header, body)
	resp, err := t.base.RoundTrip(req)
	if err != nil {
		return resp, err
	}
	rbody, err := io.ReadAll(resp.Body)
	_ = resp.Body.Close()
	if err != nil {
		return nil, err
	}
	resp.Body = io.NopCloser(bytes.NewReader(rbody))
	t.rec.RecordResponse(req.Method, req.URL, resp.StatusCode, resp.Header, rbody)
	return resp, nil
}

// Middleware wraps a server's handler so that every request it serves and
// every response it writes are checked. The request body is read in full
// and handed on; the response is written through as the handler writes it.
func (r *Recorder) Middleware(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		var body []byte
		if req.Body != nil && req.Body != http.NoBody {
			b, err := io.ReadAll(req.Body)
			_ = req.Body.Close()
			if err != nil {
				http.Error(w, "reading the request body: "+err.Error(), http.StatusBadRequest)
				return
			}
			body = b
			req.Body = io.NopCloser(bytes.NewReader(body))
		}
		r.RecordRequest(req.Method, req.URL, req.Header, body)
		cw := &captureWriter{ResponseWriter: w}
		next.ServeHTTP(cw, req)
		status := cw.status
		if status == 0 {
			status = http.StatusOK
		}
		r.RecordResponse(req.Method, req.URL, status, w.Header(), cw.body.Bytes())
	})
}

// captureWriter copies what a handler writes.
type captureWriter struct {
	http.ResponseWriter
	status int
	body   bytes.Buffer
}

func (c *captureWriter) WriteHeader(code int) {
	if c.status == 0 && code >= 200 {
		c.status = code
	}
	c.ResponseWriter.WriteHeader(code)
}

func (c *captureWriter) Write(b []byte) (int, error) {
	if c.status == 0 {
		c.status = http.StatusOK
	}
	c.body.Write(b)
	return c.ResponseWriter.Write(b)
}

// Flush lets a handler flush through the capture.
func (c *captureWriter) Flush() {
	if f, ok := c.ResponseWriter.(http.Flusher); ok {
		f.Flush()
	}
}

// Hijack lets a handler take the connection over (its traffic is then not
// captured).
func (c *captureWriter) Hijack() (net.Conn, *bufio.ReadWriter, error) {
	if h, ok := c.ResponseWriter.(http.Hijacker); ok {
		return h.Hijack()
	}
	return nil, nil, http.ErrNotSupported
}

// Unwrap is for http.ResponseController.
func (c *captureWriter) Unwrap() http.ResponseWriter { return c.ResponseWriter }
