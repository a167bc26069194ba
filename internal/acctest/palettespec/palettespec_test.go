package palettespec_test

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/terraform-palette/terraform-provider-palette/internal/acctest/palettespec"
)

func mustURL(t *testing.T, s string) *url.URL {
	t.Helper()
	u, err := url.Parse(s)
	if err != nil {
		t.Fatal(err)
	}
	return u
}

var jsonHeader = http.Header{"Content-Type": []string{"application/json"}}

// wantViolation fails unless some violation's String() contains every want.
func wantViolation(t *testing.T, vs []palettespec.Violation, wants ...string) {
	t.Helper()
	for _, v := range vs {
		ok := true
		for _, w := range wants {
			ok = ok && strings.Contains(v.String(), w)
		}
		if ok {
			return
		}
	}
	t.Errorf("no violation containing %q in %d violations:\n%s", wants, len(vs), list(vs))
}

func wantNone(t *testing.T, vs []palettespec.Violation) {
	t.Helper()
	if len(vs) > 0 {
		t.Errorf("want no violations, got %d:\n%s", len(vs), list(vs))
	}
}

func list(vs []palettespec.Violation) string {
	var b strings.Builder
	for _, v := range vs {
		b.WriteString("  " + v.String() + "\n")
	}
	return b.String()
}

func TestLoad(t *testing.T) {
	s := palettespec.MustLoad(t)
	t.Logf("loaded %s in %v: %d paths, %d definitions", s.File, s.LoadTime, len(s.Templates()), len(s.Definitions()))
	if !strings.HasSuffix(filepath.ToSlash(s.File), palettespec.SpecFile) {
		t.Errorf("File = %s", s.File)
	}
	again, err := palettespec.Load()
	if err != nil || again != s {
		t.Errorf("second Load = %p, %v; want the same *Spec", again, err)
	}
}

func TestMatch(t *testing.T) {
	s := palettespec.MustLoad(t)
	op, err := s.Match("POST", "/v1/spectroclusters/generic/import")
	if err != nil {
		t.Fatal(err)
	}
	if op.Template != "/v1/spectroclusters/generic/import" || op.ID != "v1SpectroClustersGenericImport" || len(op.PathParams) != 0 {
		t.Errorf("got %s %s %v", op.Template, op.ID, op.PathParams)
	}
	op, err = s.Match("get", "/v1/spectroclusters/abc123")
	if err != nil {
		t.Fatal(err)
	}
	if op.Key() != "GET /v1/spectroclusters/{uid}" || op.PathParams["uid"] != "abc123" {
		t.Errorf("got %s %v", op.Key(), op.PathParams)
	}
	// A literal segment wins over {uid} even when both match.
	op, err = s.Match("GET", "/v1/spectroclusters/abc/import/manifest")
	if err != nil || op.PathParams["uid"] != "abc" {
		t.Errorf("manifest: %v %v", op, err)
	}
	if _, err := s.Match("POST", "/v1/spectroclusters/openshift/import"); err == nil || !strings.Contains(err.Error(), "matches no path") {
		t.Errorf("openshift import: err = %v", err)
	}
	if _, err := s.Match("PATCH", "/v1/spectroclusters/generic/import"); err == nil || !strings.Contains(err.Error(), "method PATCH is not declared") {
		t.Errorf("PATCH import: err = %v", err)
	}
}

const importBody = `{"metadata":{"name":"x"},"spec":{"clusterConfig":{"importMode":"read-only"}}}`

func TestCheckRequest(t *testing.T) {
	s := palettespec.MustLoad(t)
	imp := mustURL(t, "/v1/spectroclusters/generic/import")

	wantNone(t, s.CheckRequest("POST", imp, jsonHeader, []byte(importBody)))

	bogus := strings.Replace(importBody, `"importMode"`, `"bogus":1,"importMode"`, 1)
	vs := s.CheckRequest("POST", imp, jsonHeader, []byte(bogus))
	wantViolation(t, vs, "at /spec/clusterConfig/bogus", "forbidden property")
	if len(vs) != 1 {
		t.Errorf("bogus: want 1 violation, got\n%s", list(vs))
	}

	full := strings.Replace(importBody, "read-only", "full", 1)
	wantViolation(t, s.CheckRequest("POST", imp, jsonHeader, []byte(full)), "at /spec/clusterConfig/importMode", "should be one of [read-only]")

	wantViolation(t, s.CheckRequest("POST", imp, jsonHeader, []byte(`{"metadata":`)), "not JSON")
	wantViolation(t, s.CheckRequest("POST", imp, http.Header{"Content-Type": []string{"text/plain"}}, []byte(importBody)), `Content-Type "text/plain" is not JSON`)

	get := mustURL(t, "/v1/spectroclusters/abc?includeTags=system&resolvePackValues=true")
	wantNone(t, s.CheckRequest("GET", get, nil, nil))
	wantViolation(t, s.CheckRequest("GET", mustURL(t, "/v1/spectroclusters/abc?bogus=1"), nil, nil),
		"GET /v1/spectroclusters/{uid} request", `query parameter "bogus" is not declared`)
	wantViolation(t, s.CheckRequest("GET", mustURL(t, "/v1/spectroclusters/abc?resolvePackValues=yes"), nil, nil),
		`query parameter "resolvePackValues"`, "not a boolean")
	wantViolation(t, s.CheckRequest("GET", mustURL(t, "/v1/spectroclusters/abc?resolvePackValues=true&resolvePackValues=false"), nil, nil),
		`query parameter "resolvePackValues"`, "sent 2 times")

	wantViolation(t, s.CheckRequest("POST", mustURL(t, "/v1/spectroclusters/openshift/import"), jsonHeader, []byte(importBody)),
		"POST /v1/spectroclusters/openshift/import request", "matches no path")

	// A body where the operation declares none; an empty one is fine.
	del := mustURL(t, "/v1/spectroclusters/abc")
	wantNone(t, s.CheckRequest("DELETE", del, nil, nil))
	wantNone(t, s.CheckRequest("DELETE", del, nil, []byte("  \n")))
	wantViolation(t, s.CheckRequest("DELETE", del, jsonHeader, []byte("null")), "declares no body")
	wantViolation(t, s.CheckRequest("DELETE", del, jsonHeader, []byte("{}")), "declares no body")
}

// TestQueryTypes checks integer and enum query parameters on an operation
// that has them.
func TestQueryTypes(t *testing.T) {
	s := palettespec.MustLoad(t)
	var tmpl string
	var intParam, enumParam string
	var enumValue string
	for _, tm := range s.Templates() {
		if strings.Contains(tm, "{") {
			continue
		}
		op, err := s.Match("GET", tm)
		if err != nil {
			continue
		}
		for _, p := range op.Params {
			if p.In != "query" {
				continue
			}
			if p.Type == "integer" && intParam == "" {
				intParam, tmpl = p.Name, tm
			}
			if p.Type == "string" && len(p.Enum) > 0 && enumParam == "" && (tmpl == "" || tmpl == tm) {
				enumParam = p.Name
				enumValue, _ = p.Enum[0].(string)
			}
		}
		if intParam != "" && enumParam != "" {
			break
		}
		if tmpl != "" && enumParam == "" {
			intParam, tmpl = "", ""
		}
	}
	if intParam == "" || enumParam == "" {
		t.Skip("no GET operation without path params has both an integer and an enum query parameter")
	}
	t.Logf("GET %s ?%s (integer) &%s (enum)", tmpl, intParam, enumParam)
	ok := url.Values{intParam: {"10"}, enumParam: {enumValue}}
	wantNone(t, s.CheckRequest("GET", mustURL(t, tmpl+"?"+ok.Encode()), nil, nil))
	bad := url.Values{intParam: {"ten"}}
	wantViolation(t, s.CheckRequest("GET", mustURL(t, tmpl+"?"+bad.Encode()), nil, nil), intParam, "not an integer")
	bad = url.Values{enumParam: {"no-such-value"}}
	wantViolation(t, s.CheckRequest("GET", mustURL(t, tmpl+"?"+bad.Encode()), nil, nil), enumParam, "should be one of")
}

const clusterBody = `{
  "metadata": {"name": "x", "uid": "abc", "creationTimestamp": "2025-01-02T03:04:05Z", "labels": {"a": "b"}},
  "spec": {"cloudType": "generic", "clusterConfig": {"timezone": "UTC"}},
  "status": {"state": "Running"}
}`

func TestCheckResponse(t *testing.T) {
	s := palettespec.MustLoad(t)
	get := mustURL(t, "/v1/spectroclusters/abc")

	wantNone(t, s.CheckResponse("GET", get, 200, jsonHeader, []byte(clusterBody)))

	// v1ClusterConfig has no importMode (v1ImportClusterConfig does).
	bad := strings.Replace(clusterBody, `"timezone": "UTC"`, `"importMode": "read-only"`, 1)
	wantViolation(t, s.CheckResponse("GET", get, 200, jsonHeader, []byte(bad)),
		"GET /v1/spectroclusters/{uid} response 200 at /spec/clusterConfig/importMode", "forbidden property")

	bad = strings.Replace(clusterBody, `"2025-01-02T03:04:05Z"`, `"yesterday"`, 1)
	wantViolation(t, s.CheckResponse("GET", get, 200, jsonHeader, []byte(bad)), "at /metadata/creationTimestamp", "date-time")

	wantViolation(t, s.CheckResponse("GET", get, 204, nil, nil), "status 204 is not declared", "declared: 200")
	wantViolation(t, s.CheckResponse("GET", get, 200, jsonHeader, nil), "declares a body (v1SpectroCluster) but the response has none")
	wantViolation(t, s.CheckResponse("GET", get, 200, http.Header{"Content-Type": []string{"text/plain"}}, []byte(clusterBody)), "is not JSON")

	// 204 with no schema: the body must be empty.
	del := mustURL(t, "/v1/spectroclusters/abc")
	wantNone(t, s.CheckResponse("DELETE", del, 204, nil, nil))
	wantViolation(t, s.CheckResponse("DELETE", del, 204, jsonHeader, []byte(`{}`)), "declares no body for status 204")

	// Errors: an undeclared 4xx/5xx is Palette's generic error, a v1Error.
	wantNone(t, s.CheckResponse("GET", get, 404, jsonHeader, []byte(`{"code":"ResourceNotFound","message":"no","ref":"r"}`)))
	wantNone(t, s.CheckResponse("GET", get, 500, nil, nil))
	wantViolation(t, s.CheckResponse("GET", get, 404, jsonHeader, []byte(`{"code":"x","msg":"no"}`)), "at /msg", "error body (v1Error)", "forbidden property")
	wantViolation(t, s.CheckResponse("GET", get, 404, jsonHeader, []byte(`{"code":"x","details":null}`)), "at /details", "error body")
	wantViolation(t, s.CheckResponse("GET", get, 404, http.Header{"Content-Type": []string{"text/plain"}}, []byte("404 page not found\n")), "not JSON")

	// A file response accepts any body.
	var fileTmpl string
	for _, tm := range s.Templates() {
		if strings.HasSuffix(tm, "/kubeconfig") && strings.HasPrefix(tm, "/v1/spectroclusters/{uid}/assets") {
			fileTmpl = tm
		}
	}
	if fileTmpl == "" {
		t.Fatal("no kubeconfig asset path in the spec")
	}
	kc := mustURL(t, strings.Replace(fileTmpl, "{uid}", "abc", 1))
	wantNone(t, s.CheckResponse("GET", kc, 200, http.Header{"Content-Type": []string{"application/octet-stream"}}, []byte("apiVersion: v1\nkind: Config\n")))
}

// TestErrorDefinition checks that the spec's v1Error is the SDK's error
// body (api/spec/error_v1.json, which the SDK mixes into its spec).
func TestErrorDefinition(t *testing.T) {
	s := palettespec.MustLoad(t)
	raw, err := os.ReadFile(filepath.Join(filepath.Dir(s.File), "error_v1.json"))
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Definitions map[string]struct {
			Properties map[string]struct {
				Type string `json:"type"`
			} `json:"properties"`
		} `json:"definitions"`
	}
	if err := json.Unmarshal(raw, &doc); err != nil {
		t.Fatal(err)
	}
	sdk := doc.Definitions["V1Error"].Properties
	def := s.Definition("v1Error")
	if def == nil || len(sdk) == 0 || len(def.Properties) != len(sdk) {
		t.Fatalf("v1Error = %v, SDK V1Error = %v", def, sdk)
	}
	for name, p := range sdk {
		if got := def.Properties[name]; !got.Type.Contains(p.Type) {
			t.Errorf("v1Error.%s: type %v, SDK says %s", name, got.Type, p.Type)
		}
	}
}

// TestAllOf uses the spec's one allOf composition, v1CloudStackMachinePoolConfig
// (v1MachinePoolBaseConfig + v1CloudStackMachineConfig): fields of both
// members are accepted together, and an undeclared one is not.
func TestAllOf(t *testing.T) {
	s := palettespec.MustLoad(t)
	def := s.Definition("v1CloudStackMachinePoolConfig")
	if def == nil || len(def.AllOf) != 2 {
		t.Fatalf("v1CloudStackMachinePoolConfig = %+v", def)
	}
	// name and isControlPlane (required) are v1MachinePoolBaseConfig's,
	// networks v1CloudStackMachineConfig's.
	wantNone(t, s.CheckJSON("v1CloudStackMachinePoolConfig", []byte(`{"name":"p","isControlPlane":false,"networks":[]}`)))
	wantViolation(t, s.CheckJSON("v1CloudStackMachinePoolConfig", []byte(`{"name":"p","isControlPlane":false,"bogus":1}`)),
		"v1CloudStackMachinePoolConfig document at /bogus", "forbidden property")
	wantViolation(t, s.CheckJSON("v1CloudStackMachinePoolConfig", []byte(`{"name":"p"}`)), "isControlPlane in body is required")
	wantViolation(t, s.CheckJSON("v1CloudStackMachinePoolConfig", []byte(`{"isControlPlane":false,"networks":"x"}`)), "at /networks", "array")
	// Each member alone is still strict.
	wantViolation(t, s.CheckJSON("v1MachinePoolBaseConfig", []byte(`{"isControlPlane":false,"networks":[]}`)), "at /networks", "forbidden property")

	type pool struct {
		Name           string `json:"name"`
		IsControlPlane bool   `json:"isControlPlane"`
		Networks       []any  `json:"networks"`
	}
	type poolExtra struct {
		pool
		Bogus string `json:"bogus"`
	}
	wantNone(t, s.CheckWireType(reflect.TypeFor[pool](), "v1CloudStackMachinePoolConfig"))
	wantViolation(t, s.CheckWireType(reflect.TypeFor[poolExtra](), "v1CloudStackMachinePoolConfig"), "at /bogus", "not a property of v1CloudStackMachinePoolConfig")
}

// TestStrictifyAllOf checks the rewrite on a small spec, through bodies.
func TestStrictifyAllOf(t *testing.T) {
	doc := `{
  "swagger": "2.0", "info": {"title": "t", "version": "1"},
  "paths": {"/things": {"post": {
    "parameters": [{"name": "body", "in": "body", "schema": {"$ref": "#/definitions/both"}}],
    "responses": {"200": {"description": "ok", "schema": {"$ref": "#/definitions/labels"}}}
  }}},
  "definitions": {
    "a": {"type": "object", "properties": {"a": {"type": "string"}, "inner": {"type": "object", "properties": {"x": {"type": "integer"}}}}},
    "b": {"type": "object", "properties": {"b": {"type": "integer"}}, "required": ["b"]},
    "both": {"allOf": [{"$ref": "#/definitions/a"}, {"$ref": "#/definitions/b"}, {"properties": {"c": {"type": "boolean"}}}]},
    "labels": {"type": "object", "properties": {"labels": {"type": "object", "additionalProperties": {"type": "string"}}, "free": {"type": "object"}}}
  }
}`
	s, err := palettespec.Parse([]byte(doc))
	if err != nil {
		t.Fatal(err)
	}
	u := mustURL(t, "/things")
	check := func(body string) []palettespec.Violation { return s.CheckRequest("POST", u, jsonHeader, []byte(body)) }
	wantNone(t, check(`{"a":"x","b":1,"c":true,"inner":{"x":2}}`))
	wantViolation(t, check(`{"a":"x","b":1,"d":1}`), "at /d", "forbidden property")
	wantViolation(t, check(`{"a":"x","b":1,"inner":{"y":2}}`), "at /inner/y", "forbidden property")
	wantViolation(t, check(`{"a":"x","b":"one"}`), "at /b", "integer")
	wantViolation(t, check(`{"a":"x"}`), "b in body is required")
	// Members alone stay strict.
	if def := s.Definition("a"); def.AdditionalProperties == nil || def.AdditionalProperties.Allows {
		t.Errorf("definition a is not strict: %+v", def.AdditionalProperties)
	}
	// Maps stay maps; free-form objects stay free.
	resp := func(body string) []palettespec.Violation {
		return s.CheckResponse("POST", u, 200, jsonHeader, []byte(body))
	}
	wantNone(t, resp(`{"labels":{"any":"thing","other":"x"},"free":{"whatever":[1,2]}}`))
	wantViolation(t, resp(`{"labels":{"any":1}}`), "at /labels/any", "string")
	wantViolation(t, resp(`{"other":1}`), "at /other", "forbidden property")
	wantViolation(t, resp(`"a string"`), "must be of type object")
}

// TestUntypedProperties: v1SpectroClusterMetaSummary.status declares
// properties but no type; it must still be an object.
func TestUntypedProperties(t *testing.T) {
	s := palettespec.MustLoad(t)
	wantNone(t, s.CheckJSON("v1SpectroClusterMetaSummary", []byte(`{"status":{"state":"Running"},"specSummary":{"importMode":"read-only"}}`)))
	wantViolation(t, s.CheckJSON("v1SpectroClusterMetaSummary", []byte(`{"status":"Running"}`)), "at /status", "must be of type object")
	wantViolation(t, s.CheckJSON("v1SpectroClusterMetaSummary", []byte(`{"status":{"bogus":1}}`)), "at /status/bogus", "forbidden property")
}

type proxySpec struct {
	CAContainerMountPath string `json:"caContainerMountPath,omitempty"`
	CAHostPath           string `json:"caHostPath,omitempty"`
	HTTPProxy            string `json:"httpProxy,omitempty"`
	HTTPSProxy           string `json:"httpsProxy,omitempty"`
	NoProxy              string `json:"noProxy,omitempty"`
}

type proxySpecExtra struct {
	proxySpec
	Bogus string `json:"bogus"`
}

type proxySpecWrongType struct {
	HTTPProxy int `json:"httpProxy"`
}

type importEntity struct {
	Metadata struct {
		Name        string            `json:"name"`
		Labels      map[string]string `json:"labels,omitempty"`
		Annotations map[string]int    `json:"annotations,omitempty"`
	} `json:"metadata"`
	Spec *struct {
		ClusterConfig *struct {
			ImportMode string     `json:"importMode,omitempty"`
			Proxy      *proxySpec `json:"proxy,omitempty"`
		} `json:"clusterConfig,omitempty"`
	} `json:"spec,omitempty"`
}

type clusterMeta struct {
	Name              string    `json:"name"`
	CreationTimestamp time.Time `json:"creationTimestamp"`
	UID               any       `json:"uid"`
}

func TestCheckWireType(t *testing.T) {
	s := palettespec.MustLoad(t)
	wantNone(t, s.CheckWireType(reflect.TypeFor[proxySpec](), "v1ClusterProxySpec"))
	wantNone(t, s.CheckWireType(reflect.TypeFor[*proxySpec](), "v1ClusterProxySpec"))
	wantViolation(t, s.CheckWireType(reflect.TypeFor[proxySpecExtra](), "v1ClusterProxySpec"),
		"wire type for v1ClusterProxySpec at /bogus", `(json "bogus") is not a property of v1ClusterProxySpec`)
	wantViolation(t, s.CheckWireType(reflect.TypeFor[proxySpecWrongType](), "v1ClusterProxySpec"),
		"at /httpProxy", "is a int (JSON integer); the spec says string")
	wantViolation(t, s.CheckWireType(reflect.TypeFor[proxySpec](), "v1NoSuchThing"), "no definition")

	// Nested, through $ref, maps and pointers: labels is a map of strings,
	// annotations too (so map[string]int is wrong).
	vs := s.CheckWireType(reflect.TypeFor[importEntity](), "v1SpectroGenericClusterImportEntity")
	wantViolation(t, vs, "at /metadata/annotations/*", "JSON integer")
	if len(vs) != 1 {
		t.Errorf("want only the annotations violation, got\n%s", list(vs))
	}
	wantNone(t, s.CheckWireType(reflect.TypeFor[clusterMeta](), "v1ObjectMeta"))
}

func TestRecorder(t *testing.T) {
	s := palettespec.MustLoad(t)
	exempt := func(_ string, u *url.URL) bool {
		return strings.HasPrefix(u.Path, "/debug/") || strings.Contains(u.Path, "/agent/")
	}

	// A fake palette-local: imports answer 201 with a v1Uid, cluster GETs
	// answer a cluster whose clusterConfig has a field it must not have.
	handler := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		switch {
		case r.Method == "POST" && r.URL.Path == "/v1/spectroclusters/generic/import":
			w.WriteHeader(http.StatusCreated)
			_, _ = w.Write([]byte(`{"uid":"abc"}`))
		case r.Method == "GET" && strings.HasPrefix(r.URL.Path, "/v1/spectroclusters/"):
			_, _ = w.Write([]byte(strings.Replace(clusterBody, `"timezone": "UTC"`, `"importMode": "read-only"`, 1)))
		case strings.HasPrefix(r.URL.Path, "/debug/"):
			_, _ = w.Write([]byte(`{"anything":true}`))
		default:
			w.WriteHeader(http.StatusNotFound)
			_, _ = w.Write([]byte(`{"code":"ResourceNotFound","message":"no"}`))
		}
	})

	for _, side := range []string{"transport", "middleware"} {
		t.Run(side, func(t *testing.T) {
			rec := palettespec.NewRecorder(s, exempt)
			var srv *httptest.Server
			client := http.DefaultClient
			if side == "middleware" {
				srv = httptest.NewServer(rec.Middleware(handler))
			} else {
				srv = httptest.NewServer(handler)
				client = &http.Client{Transport: rec.Transport(nil)}
			}
			defer srv.Close()
			do := func(method, path, body string) {
				req, err := http.NewRequestWithContext(t.Context(), method, srv.URL+path, strings.NewReader(body))
				if err != nil {
					t.Fatal(err)
				}
				if body != "" {
					req.Header.Set("Content-Type", "application/json")
				}
				resp, err := client.Do(req)
				if err != nil {
					t.Fatal(err)
				}
				defer resp.Body.Close()
				var v any
				if err := json.NewDecoder(resp.Body).Decode(&v); err != nil {
					t.Errorf("%s %s: the body did not reach the client: %v", method, path, err)
				}
			}
			var wg sync.WaitGroup
			for i := range 4 {
				wg.Add(1)
				go func() {
					defer wg.Done()
					do("POST", "/v1/spectroclusters/generic/import", importBody)
					do("GET", "/v1/spectroclusters/abc"+string(rune('0'+i)), "")
				}()
			}
			wg.Wait()
			do("GET", "/v1/spectroclusters/abc?bogus=1", "")
			do("GET", "/debug/requests", "")
			do("POST", "/v1/spectroclusters/abc/agent/status", `{"x":1}`)

			sum := rec.Summary()
			if got := sum.Line(); got != "conformance: 2 operations, 9 requests, 9 responses checked, 2 violations" {
				t.Errorf("Line() = %q", got)
			}
			if sum.ExemptRequests != 2 || sum.ExemptResponses != 2 {
				t.Errorf("exempt = %d requests, %d responses; want 2, 2", sum.ExemptRequests, sum.ExemptResponses)
			}
			want := map[string]int{
				"GET /v1/spectroclusters/{uid} response 200 at /spec/clusterConfig/importMode":   5,
				`GET /v1/spectroclusters/{uid} request: query parameter "bogus" is not declared`: 1,
			}
			for _, v := range sum.Violations {
				found := false
				for prefix, n := range want {
					if strings.HasPrefix(v.String(), prefix) {
						found = true
						if v.Count != n {
							t.Errorf("%s: count %d, want %d", v, v.Count, n)
						}
					}
				}
				if !found {
					t.Errorf("unexpected violation %s", v)
				}
			}

			// Report fails a test with violations and logs the line.
			ft := &fakeTB{TB: t}
			rec.Report(ft)
			if !ft.failed || len(ft.logs) != 1 || ft.logs[0] != sum.Line() {
				t.Errorf("Report: failed=%v logs=%q", ft.failed, ft.logs)
			}
			if !strings.Contains(ft.errors, "(5 times)") || !strings.Contains(ft.errors, "/spec/clusterConfig/importMode") {
				t.Errorf("Report listing: %s", ft.errors)
			}
		})
	}

	// A clean run reports and passes.
	rec := palettespec.NewRecorder(s, nil)
	rec.RecordRequest("POST", mustURL(t, "/v1/spectroclusters/generic/import"), jsonHeader, []byte(importBody))
	rec.RecordResponse("POST", mustURL(t, "/v1/spectroclusters/generic/import"), 201, jsonHeader, []byte(`{"uid":"u"}`))
	ft := &fakeTB{TB: t}
	rec.Report(ft)
	if ft.failed || len(ft.logs) != 1 || ft.logs[0] != "conformance: 1 operations, 1 requests, 1 responses checked, 0 violations" {
		t.Errorf("clean Report: failed=%v logs=%q", ft.failed, ft.logs)
	}
}

// fakeTB records what Report does instead of failing the real test.
type fakeTB struct {
	testing.TB
	logs   []string
	errors string
	failed bool
}

func (f *fakeTB) Helper() {}
func (f *fakeTB) Log(args ...any) {
	for _, a := range args {
		s, _ := a.(string)
		f.logs = append(f.logs, s)
	}
}
func (f *fakeTB) Error(args ...any) {
	f.failed = true
	for _, a := range args {
		s, _ := a.(string)
		f.errors += s
	}
}
