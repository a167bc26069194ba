package localapi_test

import (
	"bytes"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/terraform-palette/terraform-provider-palette/internal/localapi"
	"github.com/terraform-palette/terraform-provider-palette/internal/wire"
)

func openForFuzz(f *testing.F) *localapi.Server {
	f.Helper()
	s, err := localapi.Open(localapi.Config{DataDir: f.TempDir(), DisableRateLimit: true})
	if err != nil {
		f.Fatal(err)
	}
	s.SetAdvertiseURL("http://127.0.0.1:1")
	f.Cleanup(func() { _ = s.Close() })
	return s
}

// serve sends one request through the handler; nil when the target is not a
// valid request URI (the HTTP server rejects those before any handler).
func serve(s *localapi.Server, method, path string, body []byte) *httptest.ResponseRecorder {
	if _, err := url.ParseRequestURI(path); err != nil {
		return nil
	}
	req := httptest.NewRequest(method, path, bytes.NewReader(body))
	req.RemoteAddr = "127.0.0.1:40000"
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set(wire.HeaderAPIKey, s.BootstrapKey())
	req.Header.Set(wire.HeaderProjectUID, s.DefaultProjectUID())
	rec := httptest.NewRecorder()
	s.Handler().ServeHTTP(rec, req)
	return rec
}

// FuzzDecodeImportRequest posts arbitrary bodies to the import endpoint: the
// answer is never 5xx, and every 4xx carries the error body.
func FuzzDecodeImportRequest(f *testing.F) {
	s := openForFuzz(f)
	f.Add([]byte(`{"metadata":{"name":"a"},"spec":{"clusterConfig":{"importMode":"read-only"}}}`), "generic")
	f.Add([]byte(`{"metadata":{"name":"b"},"spec":{"clusterConfig":{"importMode":"read-only","proxy":{"httpProxy":"x"}}}}`), "aws")
	f.Add([]byte(`{"metadata":{"name":5}}`), "generic")
	f.Add([]byte(`null`), "gcp")
	f.Add([]byte(`{"metadata":{"name":"c","labels":{"a":"b"}}} trailing`), "eks")
	f.Add([]byte(`{"metadata":{"name":"d"},"spec":{"clusterConfig":{"importMode":""}}}`), "openshift")
	f.Fuzz(func(t *testing.T, body []byte, cloudType string) {
		if strings.ContainsAny(cloudType, "/?#% \t\r\n") || cloudType == "" || cloudType == "." || cloudType == ".." {
			return
		}
		rec := serve(s, http.MethodPost, "/v1/spectroclusters/"+cloudType+"/import", body)
		checkAnswer(t, rec)
	})
}

// FuzzHandler sends arbitrary methods, paths and bodies through the whole handler.
func FuzzHandler(f *testing.F) {
	s := openForFuzz(f)
	f.Add("POST", "/v1/dashboard/spectroclusters/search?limit=3", []byte(`{"filter":{"conjunction":"and","filterGroups":[{"filters":[{"property":"clusterName","condition":{"string":{"operator":"eq","match":{"values":["a"]}}}}]}]}}`))
	f.Add("PATCH", "/v1/spectroclusters/0123456789abcdef01234567/profiles", []byte(`{"profiles":[{"uid":"x"}]}`))
	f.Add("GET", "/v1/cloudconfigs/eks/abc/clusterConfig", []byte(nil))
	f.Add("GET", "/v1/cloudconfigs/aws/abc", []byte(nil))
	f.Add("PUT", "/v1/cloudconfigs/aws/abc/clusterConfig", []byte(`{"clusterConfig":{"region":"x"}}`))
	f.Add("POST", "/v1/dashboard/spectroclusters/metadata/search", []byte(`{"filter":{"conjunction":"and","filterGroups":[{"filters":[{"property":"importMode","condition":{"string":{"operator":"eq","match":{"values":["read-only"]}}}}]}]}}`))
	f.Add("POST", "/v1/dashboard/clusterprofiles?limit=2", []byte(`{"filter":{"profileName":{"eq":"p"},"version":{"eq":"1"},"profileType":["add-on"],"scope":"project"},"sort":[{"field":"profileName","order":"asc"}]}`))
	f.Add("PATCH", "/v1/spectroclusters/0123456789abcdef01234567/variables", []byte(`[{"profileUid":"x","variables":[{"name":"a","value":"b"}]}]`))
	f.Add("POST", "/v1/clusterprofiles", []byte(`{"metadata":{"name":"p"},"spec":{"version":"1","template":{"type":"add-on","packs":[{"name":""}]}}}`))
	f.Add("DELETE", "/v1/spectroclusters/abc?forceDelete=yes", []byte(nil))
	f.Fuzz(func(t *testing.T, method, path string, body []byte) {
		switch method {
		case "GET", "POST", "PUT", "PATCH", "DELETE":
		default:
			return
		}
		if !strings.HasPrefix(path, "/") || strings.ContainsAny(path, " \t\r\n#") || strings.HasPrefix(path, "/debug") {
			return
		}
		rec := serve(s, method, path, body)
		checkAnswer(t, rec)
	})
}

func checkAnswer(t *testing.T, rec *httptest.ResponseRecorder) {
	t.Helper()
	if rec == nil {
		return
	}
	if rec.Code >= 500 {
		t.Fatalf("status %d: %s", rec.Code, rec.Body.String())
	}
	if rec.Code >= 400 && rec.Header().Get("Content-Type") != "application/json" {
		t.Fatalf("status %d without a JSON error body", rec.Code)
	}
}
