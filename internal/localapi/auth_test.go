package localapi_test

import (
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/terraform-palette/terraform-provider-palette/internal/acctest/localtest"
	"github.com/terraform-palette/terraform-provider-palette/internal/wire"
)

// The failed-authentication budget of one client (remote IP): bursts of
// this many failures, refilled at one every authFailureEvery.
const (
	authFailureBurst = 20
	authFailureEvery = 3 * time.Second
)

// heldClient is a client that keeps one connection open and reuses it.
func heldClient() *http.Client {
	return &http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{MaxConnsPerHost: 1, MaxIdleConnsPerHost: 1}}
}

// freshClient opens a new connection for every request, from local IP ip
// ("" for the system's choice, 127.0.0.1 on loopback).
func freshClient(ip string) *http.Client {
	d := &net.Dialer{Timeout: 5 * time.Second}
	if ip != "" {
		d.LocalAddr = &net.TCPAddr{IP: net.ParseIP(ip)}
	}
	return &http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{DisableKeepAlives: true, DialContext: d.DialContext}}
}

func (c *client) withHTTP(hc *http.Client) *client {
	cp := *c
	cp.hc = hc
	return &cp
}

// rawDo sends a request with exactly the given headers, repeated names
// included (pairs of name and value).
func (c *client) rawDo(method, path, body string, hdr ...string) answer {
	c.t.Helper()
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req, err := http.NewRequestWithContext(context.Background(), method, c.base+path, rd)
	if err != nil {
		c.t.Fatal(err)
	}
	for i := 0; i+1 < len(hdr); i += 2 {
		req.Header.Add(hdr[i], hdr[i+1])
	}
	resp, err := c.hc.Do(req)
	if err != nil {
		c.t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		c.t.Fatal(err)
	}
	return answer{status: resp.StatusCode, body: b, header: resp.Header}
}

// wantThrottled checks a 429 of the failed-authentication limit.
func wantThrottled(t *testing.T, what string, a answer) {
	t.Helper()
	if a.status != http.StatusTooManyRequests {
		t.Fatalf("%s: status %d, want 429: %s", what, a.status, short(a.body))
	}
	e := a.apiError(t)
	if e.Code != wire.CodeTooManyRequests || !strings.Contains(e.Message, "failed authentications") {
		t.Fatalf("%s: %+v", what, e)
	}
	if n, err := strconv.Atoi(a.header.Get(wire.HeaderRetryAfter)); err != nil || n < 1 || time.Duration(n)*time.Second > authFailureEvery+time.Second {
		t.Fatalf("%s: Retry-After %q", what, a.header.Get(wire.HeaderRetryAfter))
	}
}

// flood sends n requests from workers goroutines and counts the answers by
// status; send gets the request's index.
func flood(n, workers int, send func(i int) answer) (map[int]int, answer, time.Duration) {
	var mu sync.Mutex
	counts := map[int]int{}
	var last429 answer
	start := time.Now()
	var wg sync.WaitGroup
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := w; i < n; i += workers {
				a := send(i)
				mu.Lock()
				counts[a.status]++
				if a.status == http.StatusTooManyRequests {
					last429 = a
				}
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	return counts, last429, time.Since(start)
}

// allowedFailures is how many failures the budget lets through in elapsed,
// plus one per worker for requests checked at the same moment.
func allowedFailures(elapsed time.Duration, workers int) int {
	return authFailureBurst + int(elapsed/authFailureEvery) + 1 + workers
}

// TestAuth_wrongKeysThrottledPerClient: guessing API keys is limited per
// client: after a burst of failures, the client's requests with a key are
// answered 429 with Retry-After before the key is looked at, except on a
// connection that has already authenticated with that key (a running
// client keeps working); another client has its own budget; the budget
// refills.
func TestAuth_wrongKeysThrottledPerClient(t *testing.T) {
	t.Parallel()
	inst := localtest.Start(t)
	c := newClient(t, inst)
	uid := c.importCluster("generic", "guarded", "")
	held := c.withHTTP(heldClient())
	held.getCluster(uid) // this connection has authenticated with the key

	// While the guesses run, the held connection keeps being served.
	stop, heldDone := make(chan struct{}), make(chan map[int]int)
	go func() {
		seen := map[int]int{}
		for {
			select {
			case <-stop:
				heldDone <- seen
				return
			case <-time.After(20 * time.Millisecond):
				seen[held.do(http.MethodGet, "/v1/spectroclusters/"+uid, nil).status]++
			}
		}
	}()
	const n, workers = 800, 4
	counts, throttled, elapsed := flood(n, workers, func(i int) answer {
		return c.with(fmt.Sprintf("guess-%04d-%s", i, strings.Repeat("0", 40)), c.project).do(http.MethodGet, "/v1/spectroclusters/"+uid, nil)
	})
	close(stop)
	heldSeen := <-heldDone
	t.Logf("auth: %d wrong keys in %s: %d answered 401, %d answered 429; the held connection's key meanwhile: %v",
		n, elapsed.Round(time.Millisecond), counts[401], counts[429], heldSeen)
	if len(heldSeen) > 1 || (len(heldSeen) == 1 && heldSeen[200] == 0) {
		t.Fatalf("the right key on its connection during the guesses: %v, want 200 only", heldSeen)
	}
	if counts[401]+counts[429] != n {
		t.Fatalf("answers %v", counts)
	}
	if limit := allowedFailures(elapsed, workers); counts[401] > limit || counts[429] == 0 {
		t.Fatalf("%d of %d wrong keys in %s were checked (401); the budget allows %d", counts[401], n, elapsed, limit)
	}
	wantThrottled(t, "wrong key over the budget", throttled)

	// The connection that authenticated before keeps working with its key,
	// and a wrong key on it is not looked at either.
	held.getCluster(uid)
	wantThrottled(t, "wrong key on the held connection", held.with("guess-on-held", c.project).do(http.MethodGet, "/v1/spectroclusters/"+uid, nil))
	// A new connection of the same client is throttled whatever its key:
	// checking a key there would tell a guesser which one is right.
	fresh := c.withHTTP(freshClient(""))
	wantThrottled(t, "right key on a new connection", fresh.do(http.MethodGet, "/v1/spectroclusters/"+uid, nil))
	// A request without a credential is not a guess: 401 as before.
	if a := fresh.with("", c.project).do(http.MethodGet, "/v1/spectroclusters/"+uid, nil); a.status != 401 {
		t.Fatalf("no key while throttled: %d", a.status)
	}

	// Another client (127.0.0.2, loopback too on Linux) has its own budget.
	if conn, err := (&net.Dialer{LocalAddr: &net.TCPAddr{IP: net.ParseIP("127.0.0.2")}}).DialContext(context.Background(), "tcp", strings.TrimPrefix(inst.URL, "http://")); err != nil {
		t.Logf("no second loopback address (%v): the other client's budget is not checked", err)
	} else {
		conn.Close()
		other := c.withHTTP(freshClient("127.0.0.2"))
		other.getCluster(uid)
		if a := other.with("guess-from-elsewhere", c.project).do(http.MethodGet, "/v1/spectroclusters/"+uid, nil); a.status != 401 {
			t.Fatalf("a wrong key from another client: %d, want 401", a.status)
		}
	}

	// The budget refills: after Retry-After, a key is checked again.
	a := fresh.do(http.MethodGet, "/v1/spectroclusters/"+uid, nil)
	wantThrottled(t, "right key, new connection", a)
	wait, _ := strconv.Atoi(a.header.Get(wire.HeaderRetryAfter))
	time.Sleep(time.Duration(wait) * time.Second)
	fresh.getCluster(uid)
}

// TestAuth_wrongLinkTokensThrottledPerClient: guessing import link tokens
// is limited per client, over every cluster's link (beside each link's own
// rate limit), and shares the budget with wrong API keys.
func TestAuth_wrongLinkTokensThrottledPerClient(t *testing.T) {
	t.Parallel()
	inst := localtest.Start(t)
	c := newClient(t, inst)
	a, b := c.importCluster("generic", "link-a", ""), c.importCluster("generic", "link-b", "")
	pathA, tokA := manifestPath(t, c.getCluster(a))
	pathB, _ := manifestPath(t, c.getCluster(b))
	held := c.withHTTP(heldClient())
	held.must(http.MethodGet, pathA, nil, 200, nil)
	anon := c.with("", "")

	const n, workers = 200, 4
	counts, throttled, elapsed := flood(n, workers, func(i int) answer {
		path := pathA
		if i%2 == 1 {
			path = pathB
		}
		return anon.do(http.MethodGet, fmt.Sprintf("%s?token=%040d", path, i), nil)
	})
	t.Logf("auth: %d wrong link tokens over 2 clusters in %s: %d answered 401, %d answered 429", n, elapsed.Round(time.Millisecond), counts[401], counts[429])
	if counts[401]+counts[429] != n {
		t.Fatalf("answers %v", counts)
	}
	if limit := allowedFailures(elapsed, workers); counts[401] > limit || counts[429] == 0 {
		t.Fatalf("%d of %d wrong tokens in %s were checked (401); the budget allows %d", counts[401], n, elapsed, limit)
	}
	wantThrottled(t, "wrong token over the budget", throttled)
	wantThrottled(t, "right token on a new connection", anon.withHTTP(freshClient("")).do(http.MethodGet, pathA+"?token="+tokA, nil))
	wantThrottled(t, "wrong API key after wrong tokens", c.with("guess", c.project).withHTTP(freshClient("")).do(http.MethodGet, pathA, nil))
	held.must(http.MethodGet, pathA, nil, 200, nil)
	if st := inst.ClusterState(t, a); st != wire.StatePending {
		t.Fatalf("cluster %s", st)
	}
}

// TestAuth_duplicateCredentialsRefused: a request carrying two credentials
// (two ApiKey headers, an ApiKey and an Authorization header, a key and a
// link token, two link tokens, two bearer tokens) is refused (401), whatever
// the order, instead of the first one winning.
func TestAuth_duplicateCredentialsRefused(t *testing.T) {
	t.Parallel()
	inst := localtest.Start(t)
	c := newClient(t, inst)
	uid, ag := c.running("generic", "twice")
	pending := c.importCluster("generic", "pending-twice", "")
	mpath, tok := manifestPath(t, c.getCluster(pending))
	cluster := "/v1/spectroclusters/" + uid
	key, proj := wire.HeaderAPIKey, wire.HeaderProjectUID
	tests := []struct {
		name, method, path string
		hdr                []string
	}{
		{"two ApiKey headers, the right one first", http.MethodGet, cluster, []string{key, inst.APIKey, key, "wrong", proj, inst.ProjectUID}},
		{"two ApiKey headers, the right one last", http.MethodGet, cluster, []string{key, "wrong", key, inst.APIKey, proj, inst.ProjectUID}},
		{"the right ApiKey twice", http.MethodGet, cluster, []string{key, inst.APIKey, key, inst.APIKey, proj, inst.ProjectUID}},
		{"two ApiKey headers in other cases", http.MethodGet, cluster, []string{"apikey", inst.APIKey, "APIKEY", "wrong", proj, inst.ProjectUID}},
		{"ApiKey and Authorization", http.MethodGet, cluster, []string{key, inst.APIKey, "Authorization", "Bearer " + ag.token, proj, inst.ProjectUID}},
		{"ApiKey and a link token", http.MethodGet, mpath + "?token=" + tok, []string{key, inst.APIKey, proj, inst.ProjectUID}},
		{"two link tokens", http.MethodGet, mpath + "?token=" + tok + "&token=wrong", nil},
		{"two ApiKey headers on a debug route", http.MethodGet, "/debug/requests", []string{key, inst.APIKey, key, "wrong"}},
		{"two bearer tokens", http.MethodPut, cluster + "/heartbeat", []string{"Authorization", "Bearer " + ag.token, "Authorization", "Bearer wrong"}},
		{"a bearer token and an ApiKey", http.MethodPut, cluster + "/heartbeat", []string{"Authorization", "Bearer " + ag.token, key, inst.APIKey}},
	}
	for _, tt := range tests {
		body := ""
		if tt.method == http.MethodPut {
			body = "{}"
			tt.hdr = append(tt.hdr, "Content-Type", "application/json")
		}
		a := c.rawDo(tt.method, tt.path, body, tt.hdr...)
		if a.status != http.StatusUnauthorized {
			t.Errorf("%s: status %d, want 401: %s", tt.name, a.status, short(a.body))
			continue
		}
		if e := a.apiError(t); e.Code != wire.CodeUnauthorized || !strings.Contains(e.Message, "one credential") {
			t.Errorf("%s: %+v", tt.name, e)
		}
	}
	// One credential each still works.
	c.getCluster(uid)
	c.with("", "").must(http.MethodGet, mpath+"?token="+tok, nil, 200, nil)
	ag.must(http.MethodPut, "/heartbeat", wire.Heartbeat{})
}

// TestBody_jsonContentTypeRequired: a request with a body on a JSON route
// must say it is JSON (application/json, optionally with charset utf-8):
// text/plain (what a cross-site form or fetch sends without a CORS
// preflight), a form, or no Content-Type is 415 UnsupportedMediaType and
// writes nothing.
func TestBody_jsonContentTypeRequired(t *testing.T) {
	t.Parallel()
	inst := localtest.Start(t)
	c := newClient(t, inst)
	uid, ag := c.running("generic", "typed")
	cluster := "/v1/spectroclusters/" + uid
	routes := []struct{ method, path, body string }{
		{http.MethodPost, "/v1/spectroclusters/generic/import", `{"metadata":{"name":"plain"},"spec":{"clusterConfig":{"importMode":""}}}`},
		{http.MethodPatch, cluster + "/metadata", `{"metadata":{"labels":{"a":"b"}}}`},
		{http.MethodPut, cluster + "/config/namespaces", `{"namespaces":[{"metadata":{"name":"team-a"}}]}`},
		{http.MethodPatch, cluster + "/profiles", `{"profiles":[]}`},
		{http.MethodPatch, cluster + "/variables", `[]`},
		{http.MethodPost, "/v1/dashboard/spectroclusters/search", `{}`},
		{http.MethodPost, "/v1/clusterprofiles", `{"metadata":{"name":"p"},"spec":{"template":{"type":"add-on"}}}`},
		{http.MethodPatch, cluster + "/import/upgrade", `{}`},
	}
	hdr := []string{wire.HeaderAPIKey, inst.APIKey, wire.HeaderProjectUID, inst.ProjectUID}
	for _, rt := range routes {
		for _, ct := range []string{"text/plain", "text/plain; charset=utf-8", "application/x-www-form-urlencoded", "", "application/json; charset=iso-8859-1", "application/jsonx"} {
			h := hdr
			if ct != "" {
				h = append(append([]string{}, hdr...), "Content-Type", ct)
			}
			a := c.rawDo(rt.method, rt.path, rt.body, h...)
			if a.status != http.StatusUnsupportedMediaType {
				t.Errorf("%s %s with Content-Type %q: status %d, want 415: %s", rt.method, rt.path, ct, a.status, short(a.body))
				continue
			}
			if e := a.apiError(t); e.Code != "UnsupportedMediaType" || !strings.Contains(e.Message, "application/json") {
				t.Errorf("%s %s with Content-Type %q: %+v", rt.method, rt.path, ct, e)
			}
		}
	}
	if a := ag.c.rawDo(http.MethodPut, cluster+"/heartbeat", `{"agentVersion":"x"}`, "Authorization", "Bearer "+ag.token, "Content-Type", "text/plain"); a.status != http.StatusUnsupportedMediaType {
		t.Errorf("agent heartbeat as text/plain: %d", a.status)
	}
	if n := c.count("plain"); n != 0 {
		t.Fatalf("a refused import was written (%d)", n)
	}
	if l := c.getCluster(uid).Metadata.Labels; len(l) != 0 {
		t.Fatalf("a refused metadata PATCH was written: %v", l)
	}
	// JSON passes, with a charset or in capitals; a request without a body
	// needs no Content-Type.
	for i, ct := range []string{"application/json", "application/json; charset=utf-8", "Application/JSON; charset=UTF-8"} {
		body := fmt.Sprintf(`{"metadata":{"name":"typed-%d"},"spec":{"clusterConfig":{"importMode":""}}}`, i)
		if a := c.rawDo(http.MethodPost, "/v1/spectroclusters/generic/import", body, append(hdr, "Content-Type", ct)...); a.status != http.StatusCreated {
			t.Errorf("import as %q: %d %s", ct, a.status, short(a.body))
		}
	}
	ag.must(http.MethodPatch, "/status/imported", nil)
}

// TestLabels_checkedAsKubernetes: label keys and values are checked as
// Kubernetes checks them (a qualified name; at most 63 characters of
// alphanumerics, '-', '_' and '.'), on every route that takes labels: 400
// naming the key, and nothing written.
func TestLabels_checkedAsKubernetes(t *testing.T) {
	t.Parallel()
	inst := localtest.Start(t)
	c := newClient(t, inst)
	uid, _ := c.running("generic", "labelled")
	long := strings.Repeat("k", 10000)
	bad := []struct {
		name   string
		labels map[string]string
		names  string // what the message must contain
	}{
		{"a key of 10,000 characters", map[string]string{long: "x"}, "'" + strings.Repeat("k", 40)},
		{"a key with blanks and symbols", map[string]string{"bad key!": "x"}, "'bad key!'"},
		{"an empty key", map[string]string{"": "x"}, "''"},
		{"a prefix that is not a DNS subdomain", map[string]string{"Example_COM/team": "x"}, "'Example_COM/team'"},
		{"a name of 64 characters", map[string]string{strings.Repeat("n", 64): "x"}, strings.Repeat("n", 40)},
		{"a value of 64 characters", map[string]string{"team": strings.Repeat("v", 64)}, "'team'"},
		{"a value with a slash", map[string]string{"team": "a/b"}, "'team'"},
		{"a value ending in a dash", map[string]string{"team": "a-"}, "'team'"},
	}
	check := func(what string, a answer, names string) {
		t.Helper()
		if a.status != http.StatusBadRequest {
			t.Errorf("%s: status %d, want 400: %s", what, a.status, short(a.body))
			return
		}
		e := a.apiError(t)
		if e.Code != wire.CodeBadRequest || !strings.Contains(e.Message, names) || !strings.Contains(e.Message, "label") || len(e.Message) > 1000 {
			t.Errorf("%s: %+v", what, short([]byte(e.Message)))
		}
	}
	for i, tt := range bad {
		req := importReq(fmt.Sprintf("bad-labels-%d", i), "")
		req.Metadata.Labels = tt.labels
		check("import, "+tt.name, c.do(http.MethodPost, "/v1/spectroclusters/generic/import", req), tt.names)
		check("metadata PATCH, "+tt.name, c.do(http.MethodPatch, "/v1/spectroclusters/"+uid+"/metadata",
			wire.ObjectMetaInputEntitySchema{Metadata: wire.MetadataLabels{Labels: tt.labels}}), tt.names)
		check("namespaces PUT, "+tt.name, c.do(http.MethodPut, "/v1/spectroclusters/"+uid+"/config/namespaces",
			wire.ClusterNamespaceResourcesUpdateEntity{Namespaces: []wire.ClusterNamespaceResourceInputEntity{{
				Metadata: wire.ObjectMetaUpdateEntity{Name: "team-a", Labels: tt.labels}}}}), tt.names)
		check("profile POST, "+tt.name, c.do(http.MethodPost, "/v1/clusterprofiles", wire.ClusterProfileEntity{
			Metadata: wire.ObjectMeta{Name: fmt.Sprintf("bad-labels-%d", i), Labels: tt.labels},
			Spec:     wire.ClusterProfileEntitySpec{Template: wire.ProfileTemplate{Type: wire.ProfileTypeAddOn}}}), tt.names)
	}
	for i := range bad {
		if n := c.count(fmt.Sprintf("bad-labels-%d", i)); n != 0 {
			t.Fatalf("an import with bad labels was written: %s", bad[i].name)
		}
	}
	if l := c.getCluster(uid).Metadata.Labels; len(l) != 0 {
		t.Fatalf("a metadata PATCH with bad labels was written: %v", l)
	}
	var nss wire.ClusterNamespaceResources
	c.must(http.MethodGet, "/v1/spectroclusters/"+uid+"/config/namespaces", nil, 200, &nss)
	if len(nss.Items) != 0 {
		t.Fatalf("a namespace entry with bad labels was written: %+v", nss.Items)
	}

	// What Kubernetes accepts passes: prefixed keys, empty values.
	good := map[string]string{"example.com/team": "a-b_c.d", "env": "", strings.Repeat("n", 63): strings.Repeat("v", 63)}
	req := importReq("good-labels", "")
	req.Metadata.Labels = good
	c.must(http.MethodPost, "/v1/spectroclusters/generic/import", req, http.StatusCreated, nil)
	c.must(http.MethodPatch, "/v1/spectroclusters/"+uid+"/metadata", wire.ObjectMetaInputEntitySchema{Metadata: wire.MetadataLabels{Labels: good}}, 204, nil)
	if l := c.getCluster(uid).Metadata.Labels; len(l) != 3 || l["example.com/team"] != "a-b_c.d" {
		t.Fatalf("labels %v", l)
	}
	c.must(http.MethodPut, "/v1/spectroclusters/"+uid+"/config/namespaces", wire.ClusterNamespaceResourcesUpdateEntity{
		Namespaces: []wire.ClusterNamespaceResourceInputEntity{{Metadata: wire.ObjectMetaUpdateEntity{Name: "team-a", Labels: good}}}}, 204, nil)
}
