package palettetest

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/terraform-palette/terraform-provider-palette/internal/palette"
	"github.com/terraform-palette/terraform-provider-palette/internal/wire"
)

// request is what the test server saw of one request.
type request struct{ method, path, body string }

// TestCalls: each call sends the spec's method, path and body (the
// conformance test in internal/localapi holds them to the spec too).
func TestCalls(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	vars := []wire.SpectroClusterVariables{{ProfileUID: "p1", Variables: []wire.SpectroClusterVariable{{Name: "a", Value: "b"}}}}
	tests := []struct {
		name string
		call func(c *palette.Client) error
		want request
	}{
		{"CreateProfile", func(c *palette.Client) error {
			uid, err := CreateProfile(ctx, c, "mon", "1.0.0", wire.ProfileTemplate{Type: wire.ProfileTypeAddOn, CloudType: "all"})
			if err == nil && uid != "p9" {
				err = fmt.Errorf("uid = %q, want p9", uid)
			}
			return err
		}, request{"POST", "/v1/clusterprofiles",
			`{"metadata":{"name":"mon"},"spec":{"version":"1.0.0","template":{"type":"add-on","cloudType":"all","packs":[]}}}`}},
		{"PublishProfile", func(c *palette.Client) error { return PublishProfile(ctx, c, "p1") },
			request{"PATCH", "/v1/clusterprofiles/p1/publish", ""}},
		{"PutClusterProfilesEmpty", func(c *palette.Client) error { return PutClusterProfiles(ctx, c, "u1", wire.SpectroClusterProfiles{}) },
			request{"PUT", "/v1/spectroclusters/u1/profiles", `{"profiles":[]}`}},
		{"PatchClusterVariables", func(c *palette.Client) error { return PatchClusterVariables(ctx, c, "u1", vars) },
			request{"PATCH", "/v1/spectroclusters/u1/variables", `[{"profileUid":"p1","variables":[{"name":"a","value":"b"}]}]`}},
		{"PatchClusterVariablesEmpty", func(c *palette.Client) error { return PatchClusterVariables(ctx, c, "u1", nil) },
			request{"PATCH", "/v1/spectroclusters/u1/variables", `[]`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var mu sync.Mutex
			var seen []request
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				b, _ := io.ReadAll(r.Body)
				mu.Lock()
				seen = append(seen, request{r.Method, r.URL.Path, strings.TrimSpace(string(b))})
				mu.Unlock()
				if r.Method == http.MethodPost {
					w.Header().Set("Content-Type", "application/json")
					w.WriteHeader(http.StatusCreated)
					_ = json.NewEncoder(w).Encode(wire.UIDResponse{UID: "p9"})
					return
				}
				w.WriteHeader(http.StatusNoContent)
			}))
			t.Cleanup(srv.Close)
			c, err := palette.NewClient(palette.Config{Host: srv.URL, APIKey: "k"})
			if err != nil {
				t.Fatal(err)
			}
			if err := tt.call(c); err != nil {
				t.Fatalf("call: %v", err)
			}
			mu.Lock()
			defer mu.Unlock()
			if len(seen) != 1 || seen[0] != tt.want {
				t.Errorf("requests = %+v, want %+v", seen, tt.want)
			}
		})
	}
}

// TestCreateProfileWithoutUID: an answer without a UID is an error.
func TestCreateProfileWithoutUID(t *testing.T) {
	t.Parallel()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.WriteHeader(http.StatusCreated)
		_, _ = w.Write([]byte(`{}`))
	}))
	t.Cleanup(srv.Close)
	c, err := palette.NewClient(palette.Config{Host: srv.URL, APIKey: "k"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := CreateProfile(context.Background(), c, "p", "1.0.0", wire.ProfileTemplate{}); err == nil {
		t.Fatal("an answer without a uid was taken")
	}
}
