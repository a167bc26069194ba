package provider

import (
	"bufio"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"

	"github.com/terraform-palette/terraform-provider-palette/internal/kube"
	"github.com/terraform-palette/terraform-provider-palette/internal/manifest"
	"github.com/terraform-palette/terraform-provider-palette/internal/palette"
	"github.com/terraform-palette/terraform-provider-palette/internal/wire"
)

// The list resources are tested by driving `terraform query` itself:
// terraform-plugin-testing's query steps (v1.16) neither write the
// configuration -generate-config-out makes nor apply it.

// queryCLI points the test at a Terraform with list resources (1.14 or
// later; PALETTE_TEST_TERRAFORM_IDENTITY when the suite's CLI is older) and
// skips it, with the reason, on older ones and on OpenTofu, which has no
// `query` command.
func queryCLI(t *testing.T) {
	t.Helper()
	testAccPreCheck(t)
	if usingOpenTofu() {
		t.Skip("list resources need `terraform query` (Terraform 1.14 or later): OpenTofu has no query command")
	}
	identityCLI(t)
	if major, minor := cliVersion(t); major == 1 && minor < 14 {
		t.Skipf("list resources need Terraform 1.14 or later (have 1.%d; set PALETTE_TEST_TERRAFORM_IDENTITY)", minor)
	}
}

// queryFound is one list_resource_found message of `terraform query -json`.
type queryFound struct {
	Address        string            `json:"address"`
	DisplayName    string            `json:"display_name"`
	Identity       map[string]string `json:"identity"`
	ResourceObject map[string]any    `json:"resource_object"`
}

// queryDir is a working directory with the provider's configuration, for
// `terraform query` and what follows it.
type queryDir struct {
	dir  string
	vars []string
}

func (e *testEnv) queryDir(t *testing.T) *queryDir {
	t.Helper()
	d := &queryDir{dir: t.TempDir(), vars: []string{"PALETTE_API_KEY=" + e.API.APIKey}}
	writeCLIConfig(t, d.dir, e.API.URL, e.API.ProjectUID, "")
	return d
}

// writeQuery writes the list blocks of the directory's query file.
func (d *queryDir) writeQuery(t *testing.T, lists string) {
	t.Helper()
	if err := os.WriteFile(filepath.Join(d.dir, "main.tfquery.hcl"), []byte(lists), 0o600); err != nil {
		t.Fatal(err)
	}
}

// query runs `terraform query -json` and returns the display names found
// by list block (its address: list.<type>.<name>), each list sorted.
func (d *queryDir) query(t *testing.T) map[string][]queryFound {
	t.Helper()
	out := tfMust(t, d.dir, d.vars, nil, "query", "-json")
	found := map[string][]queryFound{}
	sc := bufio.NewScanner(strings.NewReader(out))
	sc.Buffer(make([]byte, 1<<20), 1<<24)
	for sc.Scan() {
		var msg struct {
			Type  string     `json:"type"`
			Found queryFound `json:"list_resource_found"`
		}
		if json.Unmarshal(sc.Bytes(), &msg) != nil || msg.Type != "list_resource_found" {
			continue
		}
		found[msg.Found.Address] = append(found[msg.Found.Address], msg.Found)
	}
	for _, f := range found {
		sort.Slice(f, func(i, j int) bool { return f[i].DisplayName < f[j].DisplayName })
	}
	return found
}

// names are the display names of a list block's results.
func names(found []queryFound) string {
	out := make([]string, 0, len(found))
	for _, f := range found {
		out = append(out, f.DisplayName)
	}
	return strings.Join(out, ",")
}

// markRunning makes a cluster imported without an agent Running, as its
// agent's first contact does: with the agent credential its manifest
// carries.
func (e *testEnv) markRunning(t *testing.T, uid string) {
	t.Helper()
	ctx := testCtx(t)
	doc, err := e.Client.GetImportManifest(ctx, uid)
	if err != nil {
		t.Fatal(err)
	}
	objs, err := kube.Decode(doc)
	if err != nil {
		t.Fatal(err)
	}
	var token string
	for _, o := range objs {
		if o.GetKind() == "Secret" && o.GetName() == manifest.AgentCredentialSecret {
			data, _, _ := unstructuredString(o.Object, "data", manifest.AgentCredentialSecretKey)
			b, err := base64.StdEncoding.DecodeString(data)
			if err != nil {
				t.Fatal(err)
			}
			token = string(b)
		}
	}
	if token == "" {
		t.Fatal("the import manifest has no agent credential")
	}
	agent, err := palette.NewClient(palette.Config{Host: e.API.URL, AgentToken: token})
	if err != nil {
		t.Fatal(err)
	}
	if err := agent.ReportImported(ctx, uid); err != nil {
		t.Fatal(err)
	}
}

// unstructuredString reads a string at a path of an unstructured object.
func unstructuredString(obj map[string]any, fields ...string) (string, bool, error) {
	var cur any = obj
	for _, f := range fields {
		m, ok := cur.(map[string]any)
		if !ok {
			return "", false, nil
		}
		cur = m[f]
	}
	s, ok := cur.(string)
	return s, ok, nil
}

// queryClusters are the clusters of the list tests, made in Palette
// without Terraform: a Running Full Permission cluster with an add-on
// profile attached (its values overridden), a read-only cluster and an
// AWS cluster, both Pending.
type queryClusters struct {
	full, readOnly, aws, profile string
}

func (e *testEnv) queryClusters(t *testing.T) queryClusters {
	t.Helper()
	q := queryClusters{
		full:     e.importClusterDirect(t, "full-a", wire.CloudTypeGeneric, wire.ImportModeFullPermission, map[string]string{"team": "a", "env": "prod"}),
		readOnly: e.importClusterDirect(t, "ro-b", wire.CloudTypeGeneric, wire.ImportModeReadOnly, map[string]string{"team": "b", "env": "prod"}),
		aws:      e.importClusterDirect(t, "aws-c", wire.CloudTypeAWS, wire.ImportModeFullPermission, map[string]string{"team": "c"}),
		profile:  e.createProfile(t, "hello-addon.yaml", false, nil),
	}
	e.markRunning(t, q.full)
	p, err := e.Client.GetProfile(testCtx(t), q.profile)
	if err != nil {
		t.Fatal(err)
	}
	pack := profileTemplate(p).Packs[0]
	if err := e.Client.PatchClusterProfiles(testCtx(t), q.full, wire.SpectroClusterProfiles{Profiles: []wire.SpectroClusterProfileEntity{{
		UID: q.profile, PackValues: []wire.Pack{{Name: pack.Name, Tag: pack.Tag, Type: pack.Type,
			Values: strings.Replace(pack.Values, "message: hello", "message: made in the UI", 1)}},
	}}}); err != nil {
		t.Fatal(err)
	}
	return q
}

// TestAccImportedClusterList_filters: `terraform query` lists the project's
// imported clusters with each filter of the palette_imported_cluster list
// resource, and the attachments of palette_addon_profile_attachment by
// cluster and by profile; each result has the object's identity. A
// name_regex that is not a regular expression fails on that attribute.
func TestAccImportedClusterList_filters(t *testing.T) {
	queryCLI(t)
	env := newTestEnv(t, testEnvOptions{leavesClusters: true})
	q := env.queryClusters(t)
	d := env.queryDir(t)
	d.writeQuery(t, `
list "palette_imported_cluster" "all" { provider = palette }
list "palette_imported_cluster" "name" {
  provider = palette
  config { name = "ro-b" }
}
list "palette_imported_cluster" "name_regex" {
  provider = palette
  config { name_regex = "^(full|aws)-" }
}
list "palette_imported_cluster" "cloud_type" {
  provider = palette
  config { cloud_type = "aws" }
}
list "palette_imported_cluster" "import_mode" {
  provider = palette
  config { import_mode = "read_only" }
}
list "palette_imported_cluster" "labels" {
  provider = palette
  config { labels = { env = "prod" } }
}
list "palette_imported_cluster" "state" {
  provider = palette
  config { state = "Running" }
}
list "palette_imported_cluster" "all_of_them" {
  provider = palette
  config {
    name_regex  = "-[ab]$"
    import_mode = "full_permission"
    labels      = { team = "a" }
  }
}
list "palette_addon_profile_attachment" "all" { provider = palette }
list "palette_addon_profile_attachment" "cluster" {
  provider = palette
  config { cluster_id = "`+q.full+`" }
}
list "palette_addon_profile_attachment" "other_cluster" {
  provider = palette
  config { cluster_id = "`+q.readOnly+`" }
}
list "palette_addon_profile_attachment" "profile" {
  provider = palette
  config { profile_id = "`+q.profile+`" }
}
list "palette_addon_profile_attachment" "other_profile" {
  provider = palette
  config { profile_id = "`+strings.Repeat("0", 24)+`" }
}
`)
	found := d.query(t)
	want := map[string]string{
		"palette_imported_cluster.all":                   "aws-c,full-a,ro-b",
		"palette_imported_cluster.name":                  "ro-b",
		"palette_imported_cluster.name_regex":            "aws-c,full-a",
		"palette_imported_cluster.cloud_type":            "aws-c",
		"palette_imported_cluster.import_mode":           "ro-b",
		"palette_imported_cluster.labels":                "full-a,ro-b",
		"palette_imported_cluster.state":                 "full-a",
		"palette_imported_cluster.all_of_them":           "full-a",
		"palette_addon_profile_attachment.all":           "full-a: hello-addon v1",
		"palette_addon_profile_attachment.cluster":       "full-a: hello-addon v1",
		"palette_addon_profile_attachment.other_cluster": "",
		"palette_addon_profile_attachment.profile":       "full-a: hello-addon v1",
		"palette_addon_profile_attachment.other_profile": "",
	}
	for addr, w := range want {
		if got := names(found["list."+addr]); got != w {
			t.Errorf("%s: found %q, want %q", addr, got, w)
		}
	}
	byName := map[string]string{"full-a": q.full, "ro-b": q.readOnly, "aws-c": q.aws}
	for _, f := range found["list.palette_imported_cluster.all"] {
		if f.Identity["id"] != byName[f.DisplayName] {
			t.Errorf("cluster %s: identity %v, want id %s", f.DisplayName, f.Identity, byName[f.DisplayName])
		}
	}
	if a := found["list.palette_addon_profile_attachment.all"]; len(a) == 1 &&
		(a[0].Identity["cluster_id"] != q.full || a[0].Identity["profile_id"] != q.profile) {
		t.Errorf("attachment identity %v, want cluster_id %s and profile_id %s", a[0].Identity, q.full, q.profile)
	}

	d.writeQuery(t, `
list "palette_imported_cluster" "bad" {
  provider = palette
  config { name_regex = "(" }
}
`)
	out, code := tfRun(t, d.dir, d.vars, "query")
	if code == 0 || !regexp.MustCompile(`Invalid regular expression[\s\S]*name_regex`).MatchString(out) {
		t.Errorf("a name_regex that is not a regular expression: exit %d\n%s", code, out)
	}
}

// TestAccImportedClusterList_generateConfig: what `terraform query
// -generate-config-out` writes for a read-only cluster, a Full Permission
// cluster and its attachment (made in Palette, never by Terraform) applies
// as three imports, changes nothing in Palette, and the next plan has no
// changes; each result's resource object is what the import then read
// (the attachment's pack status aside, which no batched answer has).
func TestAccImportedClusterList_generateConfig(t *testing.T) {
	queryCLI(t)
	env := newTestEnv(t, testEnvOptions{leavesClusters: true})
	q := env.queryClusters(t)
	d := env.queryDir(t)
	d.writeQuery(t, `
list "palette_imported_cluster" "read_only" {
  provider         = palette
  include_resource = true
  config { import_mode = "read_only" }
}
list "palette_imported_cluster" "full" {
  provider         = palette
  include_resource = true
  config { name = "full-a" }
}
list "palette_addon_profile_attachment" "full" {
  provider         = palette
  include_resource = true
  config { cluster_id = "`+q.full+`" }
}
`)
	listed := d.query(t)
	tfMust(t, d.dir, d.vars, nil, "query", "-generate-config-out=generated.tf")
	gen, err := os.ReadFile(filepath.Join(d.dir, "generated.tf"))
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{`import_mode\s*=\s*"read_only"`, `name\s*=\s*"ro-b"`, `import_mode\s*=\s*"full_permission"`,
		`name\s*=\s*"full-a"`, `made in the UI`, `profile_id\s*=\s*"` + q.profile + `"`, `(?s)import\s*\{.*identity`} {
		if !regexp.MustCompile(want).Match(gen) {
			t.Errorf("the generated configuration does not match %s:\n%s", want, gen)
		}
	}
	before := env.API.Server.Requests()
	// The query file is only read by `terraform query`.
	out := tfMust(t, d.dir, d.vars, nil, "apply", "-auto-approve")
	if !strings.Contains(out, "3 imported, 0 added, 0 changed, 0 destroyed") {
		t.Errorf("the apply of the generated configuration did more than import:\n%s", out)
	}
	for route, n := range env.API.Server.Requests() {
		if n > before[route] && !strings.HasPrefix(route, "GET ") && !strings.Contains(route, "/search") {
			t.Errorf("the apply of the generated configuration wrote to Palette: %s", route)
		}
	}
	if out, code := tfRun(t, d.dir, d.vars, "plan", "-detailed-exitcode"); code != 0 || !strings.Contains(out, "No changes") {
		t.Errorf("the plan after the imports is not empty (exit %d):\n%s", code, out)
	}
	// Each result's resource object is what the import's Read made of it,
	// but for what no batched answer has: the attachment's pack status.
	show := tfMust(t, d.dir, d.vars, nil, "show", "-json")
	var st struct {
		Values struct {
			RootModule struct {
				Resources []struct {
					Address string         `json:"address"`
					Values  map[string]any `json:"values"`
				} `json:"resources"`
			} `json:"root_module"`
		} `json:"values"`
	}
	if err := json.Unmarshal([]byte(show[strings.Index(show, "{"):]), &st); err != nil {
		t.Fatalf("terraform show -json: %v\n%s", err, show)
	}
	imported := map[string]map[string]any{}
	for _, r := range st.Values.RootModule.Resources {
		imported[r.Address] = r.Values
	}
	for list, addr := range map[string]string{
		"list.palette_imported_cluster.read_only":    "palette_imported_cluster.read_only_0",
		"list.palette_imported_cluster.full":         "palette_imported_cluster.full_0",
		"list.palette_addon_profile_attachment.full": "palette_addon_profile_attachment.full_0",
	} {
		f := listed[list]
		if len(f) != 1 || imported[addr] == nil {
			t.Errorf("%s: %d results; %s imported: %v", list, len(f), addr, imported[addr] != nil)
			continue
		}
		for k, want := range imported[addr] {
			if got := f[0].ResourceObject[k]; k != "packs" && fmt.Sprint(got) != fmt.Sprint(want) {
				t.Errorf("%s: the list result's %s is %v, the import read %v", list, k, got, want)
			}
		}
	}
	if p, err := env.attachedProfile(q.full, q.profile); err != nil || p == nil || !strings.Contains(p.PackValues()["hello"], "made in the UI") {
		t.Errorf("the attachment's values in Palette changed: %+v, %v", p, err)
	}
}

func TestClusterFilter(t *testing.T) {
	t.Parallel()
	c := listedCluster{
		summary: &wire.SpectroClusterSummary{Metadata: wire.ObjectMeta{Name: "prod-eu-1"}},
		meta: &wire.SpectroClusterMetaSummary{Metadata: wire.ObjectMeta{Name: "prod-eu-1", Labels: map[string]string{"env": "prod"}},
			SpecSummary: wire.MetaSpecSummary{CloudType: wire.CloudTypeGeneric}, Status: wire.MetaStatus{State: wire.StateRunning}},
	}
	cases := []struct {
		name string
		f    clusterFilter
		want bool
	}{
		{"none", clusterFilter{}, true},
		{"name", clusterFilter{name: "prod-eu-1"}, true},
		{"name is exact", clusterFilter{name: "prod-eu"}, false},
		{"regex", clusterFilter{nameRegex: regexp.MustCompile(`^prod-`)}, true},
		{"regex unanchored", clusterFilter{nameRegex: regexp.MustCompile(`eu`)}, true},
		{"regex misses", clusterFilter{nameRegex: regexp.MustCompile(`^dev-`)}, false},
		{"name and meta filters", clusterFilter{name: "prod-eu-1", state: wire.StateRunning, labels: map[string]string{"env": "prod"}}, true},
		{"meta filter misses", clusterFilter{name: "prod-eu-1", importMode: importModeReadOnly}, false},
	}
	for _, tc := range cases {
		if got := tc.f.match(c); got != tc.want {
			t.Errorf("%s: got %v, want %v", tc.name, got, tc.want)
		}
	}
	for s, ok := range map[string]bool{`^prod-(eu|us)-\d+$`: true, `(`: false, `a{2,1}`: false} {
		if got := regexValidator().problem(s) == ""; got != ok {
			t.Errorf("regexValidator(%q): valid %v, want %v", s, got, ok)
		}
	}
}
