package localapi_test

import (
	"bufio"
	"bytes"
	"context"
	"database/sql"
	"fmt"
	"io"
	"net"
	"net/http"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/terraform-palette/terraform-provider-palette/internal/acctest/localtest"
	"github.com/terraform-palette/terraform-provider-palette/internal/localapi"
	"github.com/terraform-palette/terraform-provider-palette/internal/wire"
)

// debugCall sends a debug request as a browser or a script would: its own
// headers only (no project header), and the API key when key is set.
func debugCall(t *testing.T, inst *localtest.Instance, method, path, key, contentType, body string, hdr map[string]string) answer {
	t.Helper()
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req, err := http.NewRequestWithContext(context.Background(), method, inst.URL+path, rd)
	if err != nil {
		t.Fatal(err)
	}
	if key != "" {
		req.Header.Set(wire.HeaderAPIKey, key)
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	for k, v := range hdr {
		if k == "Host" {
			req.Host = v
			continue
		}
		req.Header.Set(k, v)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return answer{status: resp.StatusCode, body: b, header: resp.Header}
}

func TestDebug_needsAdminKeyAndRefusesCrossSite(t *testing.T) {
	t.Parallel()
	inst := localtest.Start(t)
	c := newClient(t, inst)
	uid := c.importCluster("generic", "debugged", "")
	if _, err := inst.Server.CreateProject("team"); err != nil {
		t.Fatal(err)
	}
	projectKey, err := inst.Server.CreateAPIKey("team")
	if err != nil {
		t.Fatal(err)
	}
	const faults = `{"faults":"503=1","seed":1}`
	port := inst.URL[strings.LastIndex(inst.URL, ":")+1:]
	tests := []struct {
		name, method, path, key, contentType string
		hdr                                  map[string]string
		status                               int
		code                                 string
	}{
		{"faults without a key", http.MethodPost, "/debug/faults", "", "application/json", nil, 401, wire.CodeUnauthorized},
		{"requests without a key", http.MethodGet, "/debug/requests", "", "", nil, 401, wire.CodeUnauthorized},
		{"wrong key", http.MethodPost, "/debug/faults", "nope", "application/json", nil, 401, wire.CodeUnauthorized},
		{"a project's key", http.MethodPost, "/debug/faults", projectKey, "application/json", nil, 403, wire.CodeForbidden},
		{"text/plain body (a form or fetch without preflight)", http.MethodPost, "/debug/faults", inst.APIKey, "text/plain", nil, 415, "UnsupportedMediaType"},
		{"no content type", http.MethodPost, "/debug/faults", inst.APIKey, "", nil, 415, "UnsupportedMediaType"},
		{"another site's Origin", http.MethodPost, "/debug/faults", inst.APIKey, "application/json",
			map[string]string{"Origin": "https://evil.example"}, 403, wire.CodeForbidden},
		{"Origin null", http.MethodGet, "/debug/requests", inst.APIKey, "", map[string]string{"Origin": "null"}, 403, wire.CodeForbidden},
		{"another port's Origin", http.MethodPost, "/debug/faults", inst.APIKey, "application/json",
			map[string]string{"Origin": "http://127.0.0.1:1"}, 403, wire.CodeForbidden},
		{"Sec-Fetch-Site cross-site", http.MethodPost, "/debug/faults", inst.APIKey, "application/json",
			map[string]string{"Sec-Fetch-Site": "cross-site"}, 403, wire.CodeForbidden},
		{"Sec-Fetch-Site same-site", http.MethodGet, "/debug/requests", inst.APIKey, "",
			map[string]string{"Sec-Fetch-Site": "same-site"}, 403, wire.CodeForbidden},
		{"rebound DNS name in Host", http.MethodPost, "/debug/faults", inst.APIKey, "application/json",
			map[string]string{"Host": "evil.example:" + port}, 403, wire.CodeForbidden},
		{"rebound DNS name in Host (requests)", http.MethodGet, "/debug/requests", inst.APIKey, "",
			map[string]string{"Host": "attacker.test:" + port}, 403, wire.CodeForbidden},
	}
	for _, tt := range tests {
		body := ""
		if tt.method == http.MethodPost {
			body = faults
		}
		a := debugCall(t, inst, tt.method, tt.path, tt.key, tt.contentType, body, tt.hdr)
		if a.status != tt.status {
			t.Fatalf("%s: status %d, want %d: %s", tt.name, a.status, tt.status, a.body)
		}
		if e := a.apiError(t); e.Code != tt.code {
			t.Fatalf("%s: code %s, want %s (%s)", tt.name, e.Code, tt.code, e.Message)
		}
	}
	// None of the refused requests switched the faults on.
	c.getCluster(uid)

	// The server's own origin, names and a typed request pass.
	for name, hdr := range map[string]map[string]string{
		"no browser headers": nil,
		"own Origin":         {"Origin": inst.URL, "Sec-Fetch-Site": "same-origin"},
		"typed in (none)":    {"Sec-Fetch-Site": "none"},
		"localhost":          {"Host": "localhost:" + port},
	} {
		if a := debugCall(t, inst, http.MethodGet, "/debug/requests", inst.APIKey, "", "", hdr); a.status != 200 {
			t.Fatalf("%s: /debug/requests %d: %s", name, a.status, a.body)
		}
	}
	if a := debugCall(t, inst, http.MethodPost, "/debug/faults", inst.APIKey, "application/json; charset=utf-8", faults, nil); a.status != 204 {
		t.Fatalf("admin key, JSON: /debug/faults %d: %s", a.status, a.body)
	}
	c.wantError(http.MethodGet, "/v1/spectroclusters/"+uid, nil, 503, wire.CodeServiceUnavailable)
}

// TestReadTimeout_slowBodyCutOff: a client that trickles its body one byte
// every 20 ms is answered 408 once the read timeout has passed, instead of
// being held.
func TestReadTimeout_slowBodyCutOff(t *testing.T) {
	t.Parallel()
	const timeout = 300 * time.Millisecond
	inst := localtest.Start(t, localtest.WithConfig(func(c *localapi.Config) { c.ReadTimeout = timeout }))
	start := time.Now() // the server's deadline starts once it has accepted the connection
	conn, err := (&net.Dialer{}).DialContext(context.Background(), "tcp", strings.TrimPrefix(inst.URL, "http://"))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	if _, err := fmt.Fprintf(conn, "POST /v1/spectroclusters/generic/import HTTP/1.1\r\nHost: %s\r\n%s: %s\r\n%s: %s\r\n"+
		"Content-Type: application/json\r\nContent-Length: 100000\r\n\r\n{",
		strings.TrimPrefix(inst.URL, "http://"), wire.HeaderAPIKey, inst.APIKey, wire.HeaderProjectUID, inst.ProjectUID); err != nil {
		t.Fatal(err)
	}
	stop := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() { // the slow client: one byte of whitespace every 20 ms
		defer wg.Done()
		tick := time.NewTicker(20 * time.Millisecond)
		defer tick.Stop()
		for {
			select {
			case <-stop:
				return
			case <-tick.C:
				if _, err := conn.Write([]byte(" ")); err != nil {
					return
				}
			}
		}
	}()
	if err := conn.SetReadDeadline(time.Now().Add(10 * time.Second)); err != nil {
		t.Fatal(err)
	}
	resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
	elapsed := time.Since(start)
	close(stop)
	wg.Wait()
	if err != nil {
		t.Fatalf("no answer to the slow body after %s: %v", elapsed, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	a := answer{status: resp.StatusCode, body: b, header: resp.Header}
	if a.status != http.StatusRequestTimeout || a.apiError(t).Code != "RequestTimeout" {
		t.Fatalf("slow body: %d %s", a.status, b)
	}
	if elapsed < timeout || elapsed > timeout+time.Second {
		t.Fatalf("slow body cut after %s; the read timeout is %s", elapsed, timeout)
	}
	t.Logf("slow body cut after %s (read timeout %s)", elapsed.Round(time.Millisecond), timeout)
	c := newClient(t, inst)
	if n := c.count("x"); n != 0 {
		t.Fatalf("the cut request wrote %d clusters", n)
	}

	// A handler that runs longer than the read timeout (here: an injected
	// latency of twice as long) is not cut off, with or without a body.
	c.setFaults("latency=600ms@1", 1)
	start = time.Now()
	uid := c.importCluster("generic", "slow-handler", "")
	c.getCluster(uid)
	if d := time.Since(start); d < 1200*time.Millisecond {
		t.Fatalf("two requests with 600 ms of latency took %s", d)
	}
}

// TestStore_fullDiskAnswers507: a write the store has no room for answers
// 507 StorageFull naming the database, not a generic InternalError; reads
// still work.
func TestStore_fullDiskAnswers507(t *testing.T) {
	t.Parallel()
	inst := localtest.Start(t, localtest.WithConfig(func(c *localapi.Config) { c.MaxStorePages = 80 }))
	c := newClient(t, inst)
	first := c.importCluster("generic", "first", "")
	big := strings.Repeat("x", 100<<10)
	var full *answer
	for i := 0; i < 20 && full == nil; i++ {
		req := importReq("big-"+strconv.Itoa(i), "")
		req.Metadata.Annotations = map[string]string{"blob": big}
		a := c.do(http.MethodPost, "/v1/spectroclusters/generic/import", req)
		switch a.status {
		case http.StatusCreated:
		case http.StatusInsufficientStorage:
			full = &a
		default:
			t.Fatalf("import %d: %d %s", i, a.status, a.body)
		}
	}
	if full == nil {
		t.Fatal("20 imports of 100 KiB fitted in a store of 80 pages")
	}
	e := full.apiError(t)
	db := filepath.Join(inst.DataDir, "palette-local.db")
	if e.Code != "StorageFull" || !strings.Contains(e.Message, "out of disk space") || !strings.Contains(e.Message, db) {
		t.Fatalf("full store: %+v", e)
	}
	if st := c.getCluster(first).Status.State; st != wire.StatePending {
		t.Fatalf("read on a full store: %s", st)
	}
}

func TestAgentCredential_mintedOnceAndRotatable(t *testing.T) {
	t.Parallel()
	inst := localtest.Start(t)
	c := newClient(t, inst)
	uid := c.importCluster("generic", "stable", "")
	path, linkToken := manifestPath(t, c.getCluster(uid))
	anon := c.with("", "")
	var bodies [][]byte
	for range 3 {
		bodies = append(bodies, c.must(http.MethodGet, path, nil, 200, nil).body)
		bodies = append(bodies, anon.must(http.MethodGet, path+"?token="+linkToken, nil, 200, nil).body)
	}
	for i, b := range bodies {
		if !bytes.Equal(b, bodies[0]) {
			t.Fatalf("fetch %d differs from the first: a manifest must be byte-identical across fetches", i)
		}
	}
	if st := inst.ClusterState(t, uid); st != wire.StatePending {
		t.Fatalf("after 6 fetches: %s, want Pending", st)
	}
	old := &agent{c: anon, uid: uid, token: agentToken(t, parseDocs(t, bodies[0]))}
	old.must(http.MethodPut, "/heartbeat", wire.Heartbeat{})

	link, err := inst.Server.RotateCredentials(context.Background(), uid)
	if err != nil {
		t.Fatal(err)
	}
	newPath, newLinkToken := manifestPath(t, c.getCluster(uid))
	if !strings.Contains(link, newPath+"?token="+newLinkToken) || newLinkToken == linkToken {
		t.Fatalf("rotation: link %q, cluster's link token %q (old %q)", link, newLinkToken, linkToken)
	}
	if a := anon.do(http.MethodGet, path+"?token="+linkToken, nil); a.status != 401 {
		t.Fatalf("old link after rotation: %d", a.status)
	}
	if a := old.call(http.MethodPut, "/heartbeat", wire.Heartbeat{}); a.status != 401 {
		t.Fatalf("old agent credential after rotation: %d", a.status)
	}
	rotated := anon.must(http.MethodGet, path+"?token="+newLinkToken, nil, 200, nil).body
	if bytes.Equal(rotated, bodies[0]) {
		t.Fatal("the manifest did not change with the rotation")
	}
	if again := c.must(http.MethodGet, path, nil, 200, nil).body; !bytes.Equal(again, rotated) {
		t.Fatal("the rotated manifest is not stable")
	}
	(&agent{c: anon, uid: uid, token: agentToken(t, parseDocs(t, rotated))}).must(http.MethodPatch, "/status/imported", nil)
	if _, err := inst.Server.RotateCredentials(context.Background(), "0123456789abcdef01234567"); err == nil {
		t.Fatal("rotating an unknown cluster: no error")
	}
}

// TestAgentCredential_boundToItsClusterAndAgentRoutes: cluster A's agent
// credential opens none of cluster B's agent routes and none of the API.
func TestAgentCredential_boundToItsClusterAndAgentRoutes(t *testing.T) {
	t.Parallel()
	inst := localtest.Start(t)
	c := newClient(t, inst)
	a, agA := c.running("generic", "cluster-a")
	b, _ := c.running("generic", "cluster-b")
	onB := &agent{c: agA.c, uid: b, token: agA.token}
	for _, rt := range []struct{ method, sub string }{
		{http.MethodPatch, "/status/imported"}, {http.MethodPut, "/heartbeat"}, {http.MethodGet, "/agent/desired"},
		{http.MethodPatch, "/packs/status"}, {http.MethodPatch, "/status/agentRemoved"},
	} {
		var body any
		if rt.method != http.MethodGet {
			body = "{}"
		}
		if r := onB.call(rt.method, rt.sub, body); r.status != http.StatusForbidden {
			t.Fatalf("A's credential on B's %s %s: %d", rt.method, rt.sub, r.status)
		}
	}
	// Not an API key, not a bearer for the API, not an import link token.
	for name, r := range map[string]answer{
		"as ApiKey":      c.with(agA.token, c.project).do(http.MethodGet, "/v1/spectroclusters/"+a, nil),
		"as bearer":      agA.call(http.MethodGet, "", nil),
		"as link token":  c.with("", "").do(http.MethodGet, "/v1/spectroclusters/"+a+"/import/manifest?token="+agA.token, nil),
		"on a delete":    agA.call(http.MethodDelete, "", nil),
		"on debug route": debugCall(t, inst, http.MethodGet, "/debug/requests", agA.token, "", "", nil),
	} {
		if r.status != http.StatusUnauthorized {
			t.Fatalf("A's credential %s: %d %s", name, r.status, r.body)
		}
	}
	if st := inst.ClusterState(t, b); st != wire.StateRunning {
		t.Fatalf("cluster B: %s", st)
	}
}

func TestAgentCredential_agentRemovedOnlyWhenDeleting(t *testing.T) {
	t.Parallel()
	inst := localtest.Start(t)
	c := newClient(t, inst)
	uid, ag := c.running("generic", "not-deleting")
	r := ag.call(http.MethodPatch, "/status/agentRemoved", nil)
	if r.status != http.StatusConflict {
		t.Fatalf("agentRemoved on a Running cluster: %d %s", r.status, r.body)
	}
	if e := r.apiError(t); e.Code != wire.CodeConflict || !strings.Contains(e.Message, "Palette has not been asked to delete it") {
		t.Fatalf("agentRemoved on a Running cluster: %+v", e)
	}
	if st := inst.ClusterState(t, uid); st != wire.StateRunning {
		t.Fatalf("after the refused agentRemoved: %s", st)
	}
	c.must(http.MethodDelete, "/v1/spectroclusters/"+uid, nil, 204, nil)
	if st := inst.ClusterState(t, uid); st != wire.StateDeleting {
		t.Fatalf("after DELETE: %s", st)
	}
	ag.must(http.MethodPatch, "/status/agentRemoved", nil)
	if st := inst.ClusterState(t, uid); st != wire.StateDeleted {
		t.Fatalf("after agentRemoved: %s", st)
	}
}

func TestAgentCredential_forgedPacksReadyRefused(t *testing.T) {
	t.Parallel()
	inst := localtest.Start(t)
	c := newClient(t, inst)
	prof := inst.CreateProfileFromFile(t, writeProfile(t, "real", "1.0.0", "add-on"))
	other := inst.CreateProfileFromFile(t, writeProfile(t, "other", "1.0.0", "add-on"))
	uid, ag := c.running("generic", "forged")
	ready := wire.ClusterCondition{Type: "Ready", Status: "True"}
	nothingAttached := []wire.ClusterPackStatus{{ProfileUID: prof, Name: "hello", Condition: ready}}
	if r := ag.call(http.MethodPatch, "/packs/status", wire.PacksStatusRequest{Packs: nothingAttached}); r.status != http.StatusConflict {
		t.Fatalf("Ready with nothing attached: %d %s", r.status, r.body)
	}
	c.must(http.MethodPatch, "/v1/spectroclusters/"+uid+"/profiles", profilesBody(prof), 204, nil)
	for name, packs := range map[string][]wire.ClusterPackStatus{
		"a profile not attached":      {{ProfileUID: other, Name: "hello", Condition: ready}},
		"a pack the profile lacks":    {{ProfileUID: prof, Name: "evil", Condition: ready}},
		"one forged among real packs": {{ProfileUID: prof, Name: "hello", Condition: ready}, {ProfileUID: "p1", Name: "x", Condition: ready}},
	} {
		r := ag.call(http.MethodPatch, "/packs/status", wire.PacksStatusRequest{Packs: packs})
		if r.status != http.StatusConflict {
			t.Fatalf("%s: %d %s", name, r.status, r.body)
		}
		r.apiError(t)
	}
	for _, p := range c.getCluster(uid).Status.Packs { // attached packs show as waiting until reported
		if p.ProfileUID != prof || p.Name != "hello" || p.Condition.Status == "True" {
			t.Fatalf("a refused report was stored: %+v", p)
		}
	}
	ag.must(http.MethodPatch, "/packs/status", wire.PacksStatusRequest{Packs: []wire.ClusterPackStatus{{ProfileUID: prof, Name: "hello", Condition: ready}}})
	if p := c.getCluster(uid).Status.Packs; len(p) != 1 || p[0].ProfileUID != prof || p[0].Condition.Status != "True" {
		t.Fatalf("packs %+v", p)
	}
}

// TestManifest_linkRateLimited: fetches of an import link by its token are
// limited like every other call (50/s, bursts of 250).
func TestManifest_linkRateLimited(t *testing.T) {
	t.Parallel()
	inst := localtest.Start(t)
	c := newClient(t, inst)
	uid := c.importCluster("generic", "limited-link", "")
	path, tok := manifestPath(t, c.getCluster(uid))
	anon := c.with("", "")
	const n, workers = 400, 4
	var mu sync.Mutex
	counts := map[int]int{}
	retryAfter := ""
	start := time.Now()
	var wg sync.WaitGroup
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range n / workers {
				a := anon.do(http.MethodGet, path+"?token="+tok, nil)
				mu.Lock()
				counts[a.status]++
				if a.status == http.StatusTooManyRequests {
					retryAfter = a.header.Get(wire.HeaderRetryAfter)
				}
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	elapsed := time.Since(start)
	if counts[200]+counts[429] != n {
		t.Fatalf("answers %v", counts)
	}
	if limit := 250 + int(50*elapsed.Seconds()) + 1; counts[200] > limit {
		t.Fatalf("%d of %d link fetches in %s were served; the limit allows %d", counts[200], n, elapsed, limit)
	}
	if counts[429] > 0 && retryAfter == "" {
		t.Fatal("429 without Retry-After")
	}
	t.Logf("link fetches: %d of %d served, %d refused (429) in %s", counts[200], n, counts[429], elapsed.Round(time.Millisecond))
	// Another cluster's link has its own bucket.
	otherUID := c.importCluster("generic", "other-link", "")
	otherPath, otherTok := manifestPath(t, c.getCluster(otherUID))
	anon.must(http.MethodGet, otherPath+"?token="+otherTok, nil, 200, nil)
}

// TestManifest_fetchKeepsStateDeleteAtOnce: fetching the manifest leaves
// the cluster Pending, and deleting a cluster whose agent never registered
// completes at once; so does one an older store left Importing without a
// heartbeat.
func TestManifest_fetchKeepsStateDeleteAtOnce(t *testing.T) {
	t.Parallel()
	inst := localtest.Start(t)
	c := newClient(t, inst)
	pending := c.importCluster("generic", "gitops-only", "")
	for range 3 {
		c.manifest(pending)
	}
	if st := c.getCluster(pending).Status.State; st != wire.StatePending {
		t.Fatalf("after 3 fetches: %s", st)
	}
	c.must(http.MethodDelete, "/v1/spectroclusters/"+pending, nil, 204, nil)
	if st := inst.ClusterState(t, pending); st != wire.StateDeleted {
		t.Fatalf("delete of a Pending cluster: %s, want Deleted at once", st)
	}

	// An older store: Importing (set by a manifest fetch), no heartbeat.
	legacy := c.importCluster("generic", "legacy-importing", "")
	db, err := sql.Open("sqlite", "file:"+filepath.Join(inst.DataDir, "palette-local.db")+"?_pragma=busy_timeout(5000)")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.ExecContext(context.Background(), `UPDATE clusters SET state = 'Importing' WHERE uid = ?`, legacy); err != nil {
		t.Fatal(err)
	}
	c.must(http.MethodDelete, "/v1/spectroclusters/"+legacy, nil, 204, nil)
	if st := inst.ClusterState(t, legacy); st != wire.StateDeleted {
		t.Fatalf("delete of an Importing cluster without a heartbeat: %s, want Deleted at once", st)
	}

	// A cluster whose agent registered waits for it.
	running, _ := c.running("generic", "registered")
	c.must(http.MethodDelete, "/v1/spectroclusters/"+running, nil, 204, nil)
	if st := inst.ClusterState(t, running); st != wire.StateDeleting {
		t.Fatalf("delete of a Running cluster: %s, want Deleting", st)
	}
}

// TestManifest_deletingClusterReadsSucceed: while a cluster is being
// deleted, the reads a refresh makes answer 200 with state Deleting.
func TestManifest_deletingClusterReadsSucceed(t *testing.T) {
	t.Parallel()
	inst := localtest.Start(t)
	c := newClient(t, inst)
	uid, _ := c.running("generic", "going")
	before := c.must(http.MethodGet, "/v1/spectroclusters/"+uid+"/import/manifest", nil, 200, nil).body
	c.must(http.MethodDelete, "/v1/spectroclusters/"+uid, nil, 204, nil)
	if st := c.getCluster(uid).Status.State; st != wire.StateDeleting {
		t.Fatalf("GET cluster: %s", st)
	}
	var ov wire.SpectroClusterUidSummary
	c.must(http.MethodGet, "/v1/dashboard/spectroclusters/"+uid+"/overview", nil, 200, &ov)
	if ov.Status.State != wire.StateDeleting {
		t.Fatalf("overview: %s", ov.Status.State)
	}
	if after := c.must(http.MethodGet, "/v1/spectroclusters/"+uid+"/import/manifest", nil, 200, nil).body; !bytes.Equal(after, before) {
		t.Fatal("the manifest of a Deleting cluster changed")
	}
}
