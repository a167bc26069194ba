package provider

import (
	"errors"
	"fmt"
	"net/http"
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
}
