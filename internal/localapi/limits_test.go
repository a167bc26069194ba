package localapi_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"

	"github.com/terraform-palette/terraform-provider-palette/internal/acctest/localtest"
	"github.com/terraform-palette/terraform-provider-palette/internal/localapi"
	"github.com/terraform-palette/terraform-provider-palette/internal/wire"
)

func TestRateLimit_429WithRetryAfterAgentsExempt(t *testing.T) {
	t.Parallel()
	c := newClient(t, localtest.Start(t))
	uid, ag := c.running("generic", "limited")
	var limited *answer
	for i := 0; i < 200 && limited == nil; i++ {
		a := c.do(http.MethodGet, "/v1/dashboard/spectroclusters/"+uid+"/overview", nil)
		if a.status == http.StatusTooManyRequests {
			limited = &a
		} else if a.status != 200 {
			t.Fatalf("status %d", a.status)
		}
	}
	if limited == nil {
		t.Fatal("200 dashboard requests in a burst were never limited (10/s, burst 50)")
	}
	if e := limited.apiError(t); e.Code != wire.CodeTooManyRequests {
		t.Fatalf("code %s", e.Code)
	}
	if n, err := strconv.Atoi(limited.header.Get(wire.HeaderRetryAfter)); err != nil || n < 1 {
		t.Fatalf("Retry-After %q", limited.header.Get(wire.HeaderRetryAfter))
	}
	// The cluster routes have their own bucket; agent routes none.
	c.must(http.MethodGet, "/v1/spectroclusters/"+uid, nil, 200, nil)
	for range 300 {
		ag.must(http.MethodPut, "/heartbeat", wire.Heartbeat{AgentVersion: "x"})
	}
}

func (c *client) setFaults(spec string, seed int64) {
	c.t.Helper()
	c.must(http.MethodPost, "/debug/faults", localapi.FaultsRequest{Faults: spec, Seed: seed}, 204, nil)
}

func (c *client) count(name string) int {
	c.t.Helper()
	var out wire.SpectroClustersSummary
	c.must(http.MethodPost, "/v1/dashboard/spectroclusters/search", wire.SearchFilterSummarySpec{Filter: wire.AndFilter(wire.StringFilter("clusterName", name))}, 200, &out)
	return out.ListMeta.Count
}

func TestFaults_seededCodesResetAndLostResponse(t *testing.T) {
	t.Parallel()
	inst := localtest.Start(t, localtest.WithoutRateLimit(), localtest.WithFaults("503=1", 1))
	c := newClient(t, inst)
	c.wantError(http.MethodPost, "/v1/spectroclusters/generic/import", importReq("faulted", ""), 503, wire.CodeServiceUnavailable)

	c.setFaults("429=1", 1)
	a := c.do(http.MethodGet, "/v1/spectroclusters/validate/name?name=x", nil)
	if a.status != 429 || a.header.Get(wire.HeaderRetryAfter) == "" {
		t.Fatalf("429 fault: %d %v", a.status, a.header)
	}

	c.setFaults("", 0)
	if n := c.count("faulted"); n != 0 {
		t.Fatalf("a faulted import was written (%d)", n)
	}
	uid, ag := c.running("generic", "agent-exempt")

	// Agent routes are exempt.
	c.setFaults("503=1,reset=1", 1)
	ag.must(http.MethodPut, "/heartbeat", wire.Heartbeat{})

	// reset drops the connection without an answer.
	c.setFaults("reset=1", 1)
	req, err := http.NewRequestWithContext(context.Background(), http.MethodGet, c.base+"/v1/spectroclusters/"+uid, nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set(wire.HeaderAPIKey, c.key)
	req.Header.Set(wire.HeaderProjectUID, c.project)
	if resp, err := c.hc.Do(req); err == nil {
		resp.Body.Close()
		t.Fatalf("reset fault answered %d", resp.StatusCode)
	}

	// The same seed gives the same sequence.
	pattern := func() string {
		c.setFaults("503=0.5", 42)
		var b strings.Builder
		for range 40 {
			b.WriteString(strconv.Itoa(c.do(http.MethodGet, "/v1/spectroclusters/"+uid, nil).status / 100))
		}
		return b.String()
	}
	p1, p2 := pattern(), pattern()
	if p1 != p2 {
		t.Fatalf("seeded faults differ:\n%s\n%s", p1, p2)
	}
	if n := strings.Count(p1, "5"); n < 5 || n > 35 {
		t.Fatalf("503=0.5 gave %d of 40: %s", n, p1)
	}

	// lostresponse: the import is committed, the answer lost.
	c.setFaults("lostresponse=1", 1)
	body := `{"metadata":{"name":"lost"},"spec":{"clusterConfig":{"importMode":""}}}`
	req, err = http.NewRequestWithContext(context.Background(), http.MethodPost, c.base+"/v1/spectroclusters/generic/import", strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set(wire.HeaderAPIKey, c.key)
	req.Header.Set(wire.HeaderProjectUID, c.project)
	if resp, err := c.hc.Do(req); err == nil {
		resp.Body.Close()
		t.Fatalf("lostresponse answered %d", resp.StatusCode)
	}
	c.setFaults("", 0)
	if n := c.count("lost"); n != 1 {
		t.Fatalf("lostresponse import: %d clusters named lost, want 1", n)
	}
	c.wantError(http.MethodPost, "/debug/faults", localapi.FaultsRequest{Faults: "teapot=1"}, 400, wire.CodeBadRequest)
}

func TestDebug_requestsAndLoopbackOnly(t *testing.T) {
	t.Parallel()
	inst := localtest.Start(t)
	c := newClient(t, inst)
	uid := c.importCluster("generic", "counted", "")
	c.getCluster(uid)
	c.getCluster(uid)
	c.do(http.MethodGet, "/v1/spectroclusters/0123456789abcdef01234567", nil)
	var out struct {
		Requests map[string]int `json:"requests"`
		Total    int            `json:"total"`
	}
	c.must(http.MethodGet, "/debug/requests", nil, 200, &out)
	if out.Requests["GET /v1/spectroclusters/{uid} 200"] != 2 || out.Requests["GET /v1/spectroclusters/{uid} 404"] != 1 ||
		out.Requests["POST /v1/spectroclusters/{cloudType}/import 201"] != 1 || out.Total != 4 {
		t.Fatalf("requests %+v", out)
	}
	rec := httptest.NewRecorder()
	req := httptest.NewRequest(http.MethodGet, "/debug/requests", nil) // RemoteAddr 192.0.2.1
	inst.Server.Handler().ServeHTTP(rec, req)
	if rec.Code != http.StatusForbidden {
		t.Fatalf("non-loopback debug: %d", rec.Code)
	}
}

func TestBadInput_4xxAndNothingWritten(t *testing.T) {
	t.Parallel()
	c := newClient(t, localtest.Start(t))
	uid := c.importCluster("generic", "existing", "")
	imp := "/v1/spectroclusters/generic/import"
	huge := `{"metadata":{"name":"huge","annotations":{"x":"` + strings.Repeat("a", 1<<20) + `"}}}`
	tests := []struct {
		name, method, path string
		body               any
		status             int
		code               string
	}{
		{"malformed JSON", http.MethodPost, imp, `{"metadata":`, 400, wire.CodeBadRequest},
		{"wrong type", http.MethodPost, imp, `{"metadata":{"name":5}}`, 400, wire.CodeBadRequest},
		{"array body", http.MethodPost, imp, `[]`, 400, wire.CodeBadRequest},
		{"trailing data", http.MethodPost, imp, `{"metadata":{"name":"t"}} {}`, 400, wire.CodeBadRequest},
		{"empty body", http.MethodPost, imp, "", 400, wire.CodeBadRequest},
		{"too large", http.MethodPost, imp, huge, 413, wire.CodeRequestTooLarge},
		{"wrong method", http.MethodPost, "/v1/spectroclusters/" + uid, `{}`, 405, wire.CodeMethodNotAllowed},
		{"unknown route", http.MethodGet, "/v1/nothing/here", nil, 404, wire.CodeResourceNotFound},
		{"metadata wrong type", http.MethodPatch, "/v1/spectroclusters/" + uid + "/metadata", `{"metadata":{"labels":["a"]}}`, 400, wire.CodeBadRequest},
		{"profiles wrong type", http.MethodPut, "/v1/spectroclusters/" + uid + "/profiles", `{"profiles":{}}`, 400, wire.CodeBadRequest},
		{"search wrong type", http.MethodPost, "/v1/dashboard/spectroclusters/search", `{"filter":"x"}`, 400, wire.CodeBadRequest},
		{"name where uid", http.MethodGet, "/v1/spectroclusters/existing", nil, 404, wire.CodeResourceNotFound},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := newClient(t, nil2(c))
			c.wantError(tt.method, tt.path, tt.body, tt.status, tt.code)
		})
	}
	// A chunked body over the limit (no Content-Length).
	req, err := http.NewRequestWithContext(context.Background(), http.MethodPost, c.base+imp, struct{ *strings.Reader }{strings.NewReader(huge)})
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set(wire.HeaderAPIKey, c.key)
	req.Header.Set(wire.HeaderProjectUID, c.project)
	resp, err := c.hc.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 413 {
		t.Fatalf("chunked huge body: %d", resp.StatusCode)
	}
	var all wire.SpectroClustersSummary
	c.must(http.MethodPost, "/v1/dashboard/spectroclusters/search", wire.SearchFilterSummarySpec{}, 200, &all)
	if all.ListMeta.Count != 1 {
		t.Fatalf("bad requests wrote clusters: %d", all.ListMeta.Count)
	}
	if cl := c.getCluster(uid); len(cl.Metadata.Labels) != 0 {
		t.Fatalf("bad metadata PATCH wrote labels %v", cl.Metadata.Labels)
	}
}
