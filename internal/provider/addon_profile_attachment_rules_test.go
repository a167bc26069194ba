package provider

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/path"

	"github.com/terraform-palette/terraform-provider-palette/internal/palette"
	"github.com/terraform-palette/terraform-provider-palette/internal/wire"
)

func TestAttachRejection(t *testing.T) {
	t.Parallel()
	apiErr := func(status int, code string) error {
		return fmt.Errorf("wrapped: %w", &palette.APIError{StatusCode: status, Code: code, Message: "refused"})
	}
	cases := []struct {
		name           string
		err            error
		profileMissing bool
		wantPath       path.Path
		wantSummary    string
	}{
		{"full profile", apiErr(400, wire.CodeFullProfileNotAllowed), false, path.Root("profile_id"), "Only add-on profiles can be attached to imported clusters"},
		{"spectro-proxy", apiErr(400, wire.CodeSpectroProxyNotAllowed), false, path.Root("profile_id"), "The Spectro Proxy pack cannot be deployed on imported clusters"},
		{"read-only", apiErr(400, wire.CodeAddonProfilesRequireFullPermission), false, path.Root("cluster_id"), "Add-on profiles need Full Permission"},
		{"not running", apiErr(409, wire.CodeClusterNotRunning), false, path.Root("cluster_id"), "Imported cluster is not Running"},
		{"cluster 404", apiErr(404, wire.CodeResourceNotFound), false, path.Root("cluster_id"), "Imported cluster not found"},
		{"profile 404", apiErr(404, wire.CodeResourceNotFound), true, path.Root("profile_id"), "Cluster profile not found"},
		{"other error", apiErr(500, wire.CodeInternal), false, path.Empty(), ""},
		{"not an API error", errors.New("boom"), false, path.Empty(), ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			v := attachRejection(tc.err, testClusterUID, testProfileUID, tc.profileMissing)
			if tc.wantSummary == "" {
				if v != nil {
					t.Fatalf("want no rule, got %+v", v)
				}
				return
			}
			if v == nil || v.summary != tc.wantSummary || !v.path.Equal(tc.wantPath) {
				t.Fatalf("got %+v, want %s on %s", v, tc.wantSummary, tc.wantPath)
			}
		})
	}
	// The API's rejection of a full profile quotes Palette's guide, like the plan-time rule.
	v := attachRejection(apiErr(http.StatusBadRequest, wire.CodeFullProfileNotAllowed), testClusterUID, testProfileUID, false)
	if !strings.Contains(v.detail, "You cannot use a full cluster profile") ||
		!strings.Contains(profileNotAddon(testProfileUID, "x", "infra").detail, "You cannot use a full cluster profile") {
		t.Fatalf("the guide's words are missing: %q", v.detail)
	}
	// The API's rejection of the Spectro Proxy pack says what the plan-time
	// rule says to do.
	v = attachRejection(apiErr(http.StatusBadRequest, wire.CodeSpectroProxyNotAllowed), testClusterUID, testProfileUID, false)
	if !strings.Contains(v.detail, testProfileUID) || !strings.Contains(v.detail, spectroProxyAdvice) {
		t.Fatalf("detail %q", v.detail)
	}
}

// TestProfileRule: a profile may be attached when it is an add-on profile
// without Palette's Spectro Proxy pack; the rule reads it from the API.
func TestProfileRule(t *testing.T) {
	t.Parallel()
	profile := func(typ string, packs ...string) *wire.ClusterProfile {
		tmpl := &wire.ClusterProfileTemplate{Type: typ}
		for _, p := range packs {
			tmpl.Packs = append(tmpl.Packs, wire.PackRef{Name: p})
		}
		return &wire.ClusterProfile{Metadata: wire.ObjectMeta{UID: testProfileUID, Name: "monitoring"},
			Spec: wire.ClusterProfileSpec{Published: tmpl}}
	}
	cases := []struct {
		name        string
		profile     *wire.ClusterProfile // nil: 404
		wantSummary string               // "": no violation
		wantDetail  []string
	}{
		{"add-on", profile(wire.ProfileTypeAddOn, "hello"), "", nil},
		{"full", profile(wire.ProfileTypeCluster, "hello"), "Only add-on profiles can be attached to imported clusters", nil},
		{"spectro-proxy", profile(wire.ProfileTypeAddOn, "hello", wire.PackSpectroProxy), "The Spectro Proxy pack cannot be deployed on imported clusters",
			[]string{`Profile "monitoring" (` + testProfileUID + `) contains the pack "spectro-proxy"`, "Attach a profile without the spectro-proxy pack"}},
		{"missing", nil, "Cluster profile not found", nil},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if tc.profile == nil || r.URL.Path != "/v1/clusterprofiles/"+testProfileUID {
					w.Header().Set("Content-Type", "application/json")
					w.WriteHeader(http.StatusNotFound)
					_ = json.NewEncoder(w).Encode(wire.Error{Code: wire.CodeResourceNotFound, Message: "no such profile"})
					return
				}
				w.Header().Set("Content-Type", "application/json")
				_ = json.NewEncoder(w).Encode(tc.profile)
			}))
			t.Cleanup(srv.Close)
			c, err := palette.NewClient(palette.Config{Host: srv.URL, APIKey: "k", MaxRetries: -1})
			if err != nil {
				t.Fatal(err)
			}
			_, v, err := profileRule(context.Background(), c, testProfileUID)
			if err != nil {
				t.Fatal(err)
			}
			switch {
			case tc.wantSummary == "" && v != nil:
				t.Fatalf("want no violation, got %+v", v)
			case tc.wantSummary == "":
				return
			case v == nil || v.summary != tc.wantSummary || !v.path.Equal(path.Root("profile_id")):
				t.Fatalf("got %+v, want %q on profile_id", v, tc.wantSummary)
			}
			for _, want := range tc.wantDetail {
				if !strings.Contains(v.detail, want) {
					t.Errorf("detail %q lacks %q", v.detail, want)
				}
			}
		})
	}
}
