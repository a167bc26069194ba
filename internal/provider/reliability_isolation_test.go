package provider

import (
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"

	"github.com/terraform-palette/terraform-provider-palette/internal/acctest/localtest"
	"github.com/terraform-palette/terraform-provider-palette/internal/palette"
	"github.com/terraform-palette/terraform-provider-palette/internal/wire"
)

// TestAccReliability_isolation: a key of one project can neither read,
// change nor delete another project's clusters (through the API or the
// provider), and the import manifest needs its token or a key.
func TestAccReliability_isolation(t *testing.T) {
	// Authorization, not faults, is under test: raw HTTP checks below do not
	// retry, so this test's API runs without PALETTE_TEST_FAULTS.
	env := newTestEnv(t, testEnvOptions{api: []localtest.Option{localtest.WithSimulateAgents(), localtest.WithFaults("", 0)}, leavesClusters: true})
	ctx := testCtx(t)
	srv := env.API.Server
	keyA, err := srv.CreateAPIKey("Default")
	if err != nil {
		t.Fatal(err)
	}
	projB, err := srv.CreateProject("other")
	if err != nil {
		t.Fatal(err)
	}
	keyB, err := srv.CreateAPIKey("other")
	if err != nil {
		t.Fatal(err)
	}
	newClient := func(key, project string) *palette.Client {
		c, err := palette.NewClient(palette.Config{Host: env.API.URL, APIKey: key, ProjectUID: project, MaxRetries: 3})
		if err != nil {
			t.Fatal(err)
		}
		return c
	}
	a := newClient(keyA, env.API.ProjectUID)
	b := newClient(keyB, projB)
	bInA := newClient(keyB, env.API.ProjectUID) // B's key naming A's project
	uid, _, err := a.ImportCluster(ctx, wire.CloudTypeGeneric, wire.ImportRequest{
		Metadata: wire.ObjectMetaInputEntity{Name: "iso-a", Labels: map[string]string{"owner": "a"}}})
	if err != nil {
		t.Fatal(err)
	}
	profile := env.API.CreateProfileFromFile(t, "../../examples/profiles/hello-addon.yaml")

	denied := func(err error) bool {
		return errors.Is(err, palette.ErrNotFound) || errors.Is(err, palette.ErrForbidden) || errors.Is(err, palette.ErrUnauthorized)
	}
	attempts := []struct {
		name string
		do   func(c *palette.Client) error
	}{
		{"read", func(c *palette.Client) error { _, err := c.GetCluster(ctx, uid); return err }},
		{"read overview", func(c *palette.Client) error { _, err := c.GetClusterOverview(ctx, uid); return err }},
		{"read profiles", func(c *palette.Client) error { _, err := c.GetClusterProfiles(ctx, uid); return err }},
		{"fetch manifest", func(c *palette.Client) error { _, err := c.GetImportManifest(ctx, uid); return err }},
		{"change labels", func(c *palette.Client) error {
			return c.UpdateClusterMetadata(ctx, uid, map[string]string{"owner": "b"}, nil)
		}},
		{"attach a profile", func(c *palette.Client) error {
			return c.PatchClusterProfiles(ctx, uid, wire.SpectroClusterProfiles{Profiles: []wire.SpectroClusterProfileEntity{{UID: profile}}})
		}},
		{"migrate", func(c *palette.Client) error { return c.UpgradeToFullPermission(ctx, uid) }},
		{"delete", func(c *palette.Client) error { return c.DeleteCluster(ctx, uid, true) }},
	}
	checked := 0
	for _, c := range []struct {
		who    string
		client *palette.Client
	}{{"B's key in B's project", b}, {"B's key naming A's project", bInA}} {
		for _, at := range attempts {
			err := at.do(c.client)
			if !denied(err) {
				t.Errorf("%s: %s cluster %s of project A: %v, want 404/403/401", c.who, at.name, uid, err)
			}
			checked++
		}
	}
	items, err := b.SearchClusters(ctx, wire.SearchFilterSummarySpec{}, palette.MaxSearchPageSize)
	if err != nil {
		t.Fatal(err)
	}
	if len(items) != 0 {
		t.Errorf("B's search lists A's clusters: %+v", items)
	}
	// A's cluster is untouched.
	cl, err := a.GetCluster(ctx, uid)
	if err != nil {
		t.Fatal(err)
	}
	if cl.Status.State != wire.StateRunning || cl.Metadata.Labels["owner"] != "a" || len(cl.Spec.ClusterProfileTemplates) != 0 {
		t.Fatalf("A's cluster was changed: %+v", cl)
	}

	// The manifest: without anything, with a wrong token, with another
	// project's key: refused; with its token or A's key: served.
	link := cl.Status.ClusterImport.ImportLink
	u, err := url.Parse(link[strings.Index(link, "http"):])
	if err != nil {
		t.Fatal(err)
	}
	token := u.Query().Get("token")
	manifestURL := env.API.URL + "/v1/spectroclusters/" + uid + "/import/manifest"
	get := func(query string, headers map[string]string) int {
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, manifestURL+query, nil)
		if err != nil {
			t.Fatal(err)
		}
		for k, v := range headers {
			req.Header.Set(k, v)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		_, _ = io.Copy(io.Discard, resp.Body)
		return resp.StatusCode
	}
	manifest := []struct {
		name    string
		query   string
		headers map[string]string
		ok      bool
	}{
		{"no token, no key", "", nil, false},
		{"wrong token", "?token=" + strings.Repeat("0", len(token)), nil, false},
		{"token of another cluster's form", "?token=x", nil, false},
		{"B's key", "", map[string]string{wire.HeaderAPIKey: keyB, wire.HeaderProjectUID: projB}, false},
		{"B's key naming A's project", "", map[string]string{wire.HeaderAPIKey: keyB, wire.HeaderProjectUID: env.API.ProjectUID}, false},
		{"its token", "?token=" + token, nil, true},
		{"A's key", "", map[string]string{wire.HeaderAPIKey: keyA, wire.HeaderProjectUID: env.API.ProjectUID}, true},
	}
	for _, m := range manifest {
		code := get(m.query, m.headers)
		if (code == http.StatusOK) != m.ok {
			t.Errorf("manifest with %s: HTTP %d, want served = %v", m.name, code, m.ok)
		}
		checked++
	}

	// Through the provider: B cannot import (adopt) A's cluster into its state.
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{{
			Config: fmt.Sprintf(`
provider "palette" {
  host        = %q
  api_key     = %q
  project_uid = %q
}

resource "palette_imported_cluster" "stolen" {
  name = "iso-a"
}
`, env.API.URL, keyB, projB),
			ResourceName:  "palette_imported_cluster.stolen",
			ImportState:   true,
			ImportStateId: uid,
			ExpectError:   regexp.MustCompile(`(?i)(non-existent|not\s+found|no longer has|Cannot import)`),
		}},
	})
	if st := env.API.ClusterState(t, uid); st != wire.StateRunning {
		t.Fatalf("A's cluster is %s after B's attempts", st)
	}
	fmt.Printf("isolation: %d cross-project and manifest attempts checked, A's cluster untouched; B's provider cannot import it\n", checked+1)
}
