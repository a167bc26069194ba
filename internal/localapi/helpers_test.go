package localapi_test

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"sigs.k8s.io/yaml"

	"github.com/terraform-palette/terraform-provider-palette/internal/acctest/localtest"
	"github.com/terraform-palette/terraform-provider-palette/internal/manifest"
	"github.com/terraform-palette/terraform-provider-palette/internal/wire"
)

// client talks to a local API as one key in one scope.
type client struct {
	t       testing.TB
	base    string
	key     string
	project string
	hc      *http.Client
}

func newClient(t testing.TB, inst *localtest.Instance) *client {
	return &client{t: t, base: inst.URL, key: inst.APIKey, project: inst.ProjectUID, hc: &http.Client{Timeout: 10 * time.Second}}
}

func (c *client) with(key, project string) *client {
	cp := *c
	cp.key, cp.project = key, project
	return &cp
}

type answer struct {
	status int
	body   []byte
	header http.Header
}

func (a answer) apiError(t testing.TB) wire.Error {
	t.Helper()
	var e wire.Error
	if err := json.Unmarshal(a.body, &e); err != nil {
		t.Fatalf("error body %q is not JSON: %v", a.body, err)
	}
	if e.Code == "" || e.Message == "" || e.Ref == "" {
		t.Fatalf("error body lacks code, message or ref: %s", a.body)
	}
	if ct := a.header.Get("Content-Type"); ct != "application/json" {
		t.Fatalf("error Content-Type = %q", ct)
	}
	return e
}

// raw sends body as is (string or []byte) or JSON-encodes it.
func (c *client) do(method, path string, body any, hdr ...string) answer {
	c.t.Helper()
	var rd io.Reader
	switch b := body.(type) {
	case nil:
	case string:
		rd = strings.NewReader(b)
	case []byte:
		rd = bytes.NewReader(b)
	default:
		j, err := json.Marshal(b)
		if err != nil {
			c.t.Fatal(err)
		}
		rd = bytes.NewReader(j)
	}
	req, err := http.NewRequestWithContext(context.Background(), method, c.base+path, rd)
	if err != nil {
		c.t.Fatal(err)
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if c.key != "" {
		req.Header.Set(wire.HeaderAPIKey, c.key)
	}
	if c.project != "" {
		req.Header.Set(wire.HeaderProjectUID, c.project)
	}
	for i := 0; i+1 < len(hdr); i += 2 {
		req.Header.Set(hdr[i], hdr[i+1])
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

// must sends a request, checks the status and decodes the answer into out.
func (c *client) must(method, path string, body any, want int, out any) answer {
	c.t.Helper()
	a := c.do(method, path, body)
	if a.status != want {
		c.t.Fatalf("%s %s: status %d, want %d: %s", method, path, a.status, want, short(a.body))
	}
	if out != nil {
		if err := json.Unmarshal(a.body, out); err != nil {
			c.t.Fatalf("%s %s: decoding %s: %v", method, path, a.body, err)
		}
	}
	return a
}

func (c *client) wantError(method, path string, body any, status int, code string) wire.Error {
	c.t.Helper()
	a := c.do(method, path, body)
	if a.status != status {
		c.t.Fatalf("%s %s: status %d, want %d: %s", method, path, a.status, status, short(a.body))
	}
	e := a.apiError(c.t)
	if code != "" && e.Code != code {
		c.t.Fatalf("%s %s: code %q, want %q (%s)", method, path, e.Code, code, e.Message)
	}
	return e
}

func importReq(name, mode string) wire.ImportRequest {
	return wire.ImportRequest{
		Metadata: wire.ObjectMetaInputEntity{Name: name},
		Spec:     wire.ImportRequestSpec{ClusterConfig: wire.ImportClusterConfig{ImportMode: mode}},
	}
}

func (c *client) importCluster(cloudType, name, mode string) string {
	c.t.Helper()
	var out wire.UIDResponse
	c.must(http.MethodPost, "/v1/spectroclusters/"+cloudType+"/import", importReq(name, mode), http.StatusCreated, &out)
	return out.UID
}

func (c *client) getCluster(uid string) wire.SpectroCluster {
	c.t.Helper()
	var cl wire.SpectroCluster
	c.must(http.MethodGet, "/v1/spectroclusters/"+uid, nil, http.StatusOK, &cl)
	return cl
}

// meta returns the metadata search item of a cluster (the only place the
// import mode is shown), found by its name.
func (c *client) meta(uid string) wire.SpectroClusterMetaSummary {
	c.t.Helper()
	name := c.getCluster(uid).Metadata.Name
	var out wire.SpectroClustersMetadataSearch
	c.must(http.MethodPost, "/v1/dashboard/spectroclusters/metadata/search",
		wire.SearchFilterSummarySpec{Filter: wire.AndFilter(wire.StringFilter("clusterName", name))}, http.StatusOK, &out)
	for _, it := range out.Items {
		if it.Metadata.UID == uid {
			return it
		}
	}
	c.t.Fatalf("cluster %s (%s) is not in the metadata search: %+v", uid, name, out.Items)
	return wire.SpectroClusterMetaSummary{}
}

// importMode is the cluster's import mode as the metadata search shows it.
func (c *client) importMode(uid string) string {
	c.t.Helper()
	return c.meta(uid).SpecSummary.ImportMode
}

// cloudConfig returns the cloud config a cluster's cloudConfigRef points at.
func (c *client) cloudConfig(uid string) wire.CloudConfig {
	c.t.Helper()
	cl := c.getCluster(uid)
	if cl.Spec.CloudConfigRef == nil {
		c.t.Fatalf("cluster %s has no cloudConfigRef", uid)
	}
	var cc wire.CloudConfig
	c.must(http.MethodGet, "/v1/cloudconfigs/"+cl.Spec.CloudType+"/"+cl.Spec.CloudConfigRef.UID, nil, http.StatusOK, &cc)
	return cc
}

// manifestDocs fetches the manifest with the API key and parses its documents.
func (c *client) manifest(uid string) []map[string]any {
	c.t.Helper()
	a := c.do(http.MethodGet, "/v1/spectroclusters/"+uid+"/import/manifest", nil)
	if a.status != http.StatusOK {
		c.t.Fatalf("manifest: %d %s", a.status, a.body)
	}
	if ct := a.header.Get("Content-Type"); ct != "application/octet-stream" {
		c.t.Fatalf("manifest Content-Type %q", ct)
	}
	return parseDocs(c.t, a.body)
}

func parseDocs(t testing.TB, b []byte) []map[string]any {
	t.Helper()
	var docs []map[string]any
	for _, d := range strings.Split(string(b), "\n---\n") {
		if strings.TrimSpace(d) == "" {
			continue
		}
		var m map[string]any
		if err := yaml.Unmarshal([]byte(d), &m); err != nil {
			t.Fatalf("manifest document does not parse: %v\n%s", err, d)
		}
		docs = append(docs, m)
	}
	return docs
}

func agentToken(t testing.TB, docs []map[string]any) string {
	t.Helper()
	for _, d := range docs {
		if d["kind"] != "Secret" {
			continue
		}
		data, _ := d["data"].(map[string]any)
		enc, _ := data[manifest.AgentCredentialSecretKey].(string)
		tok, err := base64.StdEncoding.DecodeString(enc)
		if err != nil {
			t.Fatal(err)
		}
		return string(tok)
	}
	t.Fatal("the manifest has no credential secret")
	return ""
}

// agent is a fake agent speaking the agent routes with its token.
type agent struct {
	c     *client
	uid   string
	token string
}

func (c *client) agentFor(uid string) *agent {
	c.t.Helper()
	return &agent{c: c.with("", ""), uid: uid, token: agentToken(c.t, c.manifest(uid))}
}

func (a *agent) call(method, sub string, body any) answer {
	a.c.t.Helper()
	return a.c.do(method, "/v1/spectroclusters/"+a.uid+sub, body, "Authorization", "Bearer "+a.token)
}

func (a *agent) must(method, sub string, body any) {
	a.c.t.Helper()
	if r := a.call(method, sub, body); r.status != http.StatusNoContent {
		a.c.t.Fatalf("agent %s %s: %d %s", method, sub, r.status, r.body)
	}
}

func (a *agent) register() {
	a.c.t.Helper()
	a.must(http.MethodPatch, "/status/imported", nil)
	a.must(http.MethodPut, "/heartbeat", wire.Heartbeat{AgentVersion: "test"})
}

// running imports a Full Permission cluster and brings it to Running.
func (c *client) running(cloudType, name string) (string, *agent) {
	c.t.Helper()
	uid := c.importCluster(cloudType, name, wire.ImportModeFullPermission)
	ag := c.agentFor(uid)
	ag.register()
	return uid, ag
}

// eventually polls cond until it holds or the deadline passes.
func eventually(t testing.TB, d time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(d)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

const addonYAML = `name: %s
version: %s
type: %s
cloudType: all
packs:
  - name: hello
    tag: 1.0.0
    type: manifest
    values: |
      message: hello
    manifests:
      - name: hello
        content: |
          apiVersion: v1
          kind: ConfigMap
          metadata:
            name: hello
          data:
            message: hello
`

func writeProfile(t testing.TB, name, version, typ string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name+"-"+version+".yaml")
	if err := os.WriteFile(p, []byte(sprintf(addonYAML, name, version, typ)), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

func short(b []byte) string {
	if len(b) > 400 {
		return string(b[:400]) + "..."
	}
	return string(b)
}
