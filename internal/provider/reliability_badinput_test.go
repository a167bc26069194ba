package provider

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/tfversion"

	"github.com/terraform-palette/terraform-provider-palette/internal/acctest/localtest"
	"github.com/terraform-palette/terraform-provider-palette/internal/acctest/palettetest"
	"github.com/terraform-palette/terraform-provider-palette/internal/wire"
)

// diagOn matches a diagnostic's summary followed by the configuration line
// of the attribute it is on (Terraform prints `  N:   attr = ...` under
// the summary). Words of the summary may be wrapped.
func diagOn(summary, attr string) *regexp.Regexp {
	words := strings.Fields(regexp.QuoteMeta(summary))
	return regexp.MustCompile(`(?s)Error: ` + strings.Join(words, `\s+`) + `.*?\d+:\s+` + regexp.QuoteMeta(attr) + `\s+=`)
}

// diagAtFor returns diagAt for the CLI of the test. diagAt matches a
// diagnostic's summary on attr, an attribute inside a nested object (proxy,
// timeouts, kubernetes), followed by detail, the attribute's path as the
// provider's detail names it (a kept validator's detail names it in quotes).
// Where the diagnostic points depends on the CLI: Terraform 1.15 and later
// show the attribute's own configuration line (`N:   attr = ...`); earlier
// ones and OpenTofu (1.12) only the resource's first line, which is why the
// detail names the path.
func diagAtFor(attrLines bool) func(summary, attr, detail string) *regexp.Regexp {
	return func(summary, attr, detail string) *regexp.Regexp {
		words := strings.Fields(regexp.QuoteMeta(summary))
		line := `resource\s`
		if attrLines {
			line = regexp.QuoteMeta(attr) + `\s+=`
		}
		return regexp.MustCompile(`(?s)Error: ` + strings.Join(words, `\s+`) + `.*?\d+:\s+` + line + `.*?` + strings.Join(strings.Fields(regexp.QuoteMeta(detail)), `\s+`))
	}
}

// cliShowsNestedAttributeLines tells whether the CLI points a diagnostic on
// an attribute inside a nested object at that attribute's line: Terraform
// 1.15 and later do (tfdiags' rangeOfDeepestAttributeValueFromPath, absent
// from 1.14 and from OpenTofu 1.12).
func cliShowsNestedAttributeLines(t *testing.T) bool {
	t.Helper()
	if usingOpenTofu() {
		return false
	}
	major, minor := cliVersion(t)
	return major > 1 || minor >= 15
}

// TestAccReliability_badInput: each bad configuration fails, at plan time
// where the rule can be checked then, with a diagnostic on the attribute
// at fault, and nothing is created.
func TestAccReliability_badInput(t *testing.T) {
	env := newTestEnv(t, testEnvOptions{flavor: "generic", api: []localtest.Option{localtest.WithSimulateAgents()}, leavesClusters: true})
	ctx := testCtx(t)
	diagAt := diagAtFor(cliShowsNestedAttributeLines(t))
	imp := func(name, mode string) string {
		uid, _, err := env.Client.ImportCluster(ctx, wire.CloudTypeGeneric, wire.ImportRequest{
			Metadata: wire.ObjectMetaInputEntity{Name: name}, Spec: wire.ImportRequestSpec{ClusterConfig: wire.ImportClusterConfig{ImportMode: mode}}})
		if err != nil {
			t.Fatal(err)
		}
		return uid
	}
	readOnly, full := imp("fixture-ro", wire.ImportModeReadOnly), imp("fixture-full", wire.ImportModeFullPermission)
	imp("taken", wire.ImportModeReadOnly)
	addon := env.API.CreateProfileFromFile(t, "../../examples/profiles/hello-addon.yaml")
	fullProfile := env.API.CreateProfileFromFile(t, "../../examples/profiles/full-cluster.yaml")
	infra, err := palettetest.CreateProfile(ctx, env.Client, "infra-only", "1.0.0", wire.ProfileTemplate{Type: wire.ProfileTypeInfra, CloudType: "all"})
	if err != nil {
		t.Fatal(err)
	}
	if err := palettetest.PublishProfile(ctx, env.Client, infra); err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	write := func(name, content string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	malformed := write("malformed", "apiVersion: v1\nclusters: [ {\n")
	unreachable := write("unreachable", `apiVersion: v1
kind: Config
clusters:
- name: gone
  cluster:
    server: https://127.0.0.1:1
    insecure-skip-tls-verify: true
users:
- name: u
  user:
    token: not-a-real-token
contexts:
- name: gone
  context: {cluster: gone, user: u}
current-context: gone
`)
	host, ca, viewerToken := env.viewOnlyCredentials(t)
	// Files that are not regular files, or too large to be a kubeconfig:
	// reading one used to hang the plan (a FIFO) or take the provider to
	// 6.5 GiB and "Plugin did not respond" (/dev/zero). A kubeconfig that
	// refers to one is no better: client-go reads the files it names.
	fifo := filepath.Join(dir, "fifo")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Fatal(err)
	}
	huge := write("huge", "# "+strings.Repeat("x", 5<<20)+"\n")
	// refersTo is a kubeconfig whose cluster or user names file in field.
	refersTo := func(name, field, file string) string {
		clusterLine, userLine := "insecure-skip-tls-verify: true", "token: not-a-real-token"
		if field == "certificate-authority" {
			clusterLine = field + ": " + file
		} else {
			userLine = field + ": " + file
		}
		return write(name, fmt.Sprintf(`apiVersion: v1
kind: Config
clusters:
- name: c
  cluster:
    server: %s
    %s
users:
- name: u
  user:
    %s
contexts:
- name: c
  context: {cluster: c, user: u}
current-context: c
`, host, clusterLine, userLine))
	}
	caFIFO := refersTo("ca-fifo", "certificate-authority", fifo)
	tokenZero := refersTo("token-zero", "tokenFile", "/dev/zero")
	keyFIFO := refersTo("key-fifo", "client-key", fifo)
	// 3,000 keys: each used to be an error of its own, and the plan took
	// 116 s.
	manyKeys := func(format string) string {
		var b strings.Builder
		for i := range 3000 {
			fmt.Fprintf(&b, format, i)
		}
		return b.String()
	}

	cluster := func(body string) string {
		return env.providerConfig() + "resource \"palette_imported_cluster\" \"bad\" {\n" + body + "\n}\n"
	}
	named := func(extra string) string {
		return cluster("  name = \"bad-input\"\n" + extra)
	}
	attach := func(clusterID, profileID, extra string) string {
		return env.providerConfig() + fmt.Sprintf("resource \"palette_addon_profile_attachment\" \"bad\" {\n  cluster_id = %q\n  profile_id = %q\n%s\n}\n",
			clusterID, profileID, extra)
	}
	access := func(inner string) string { return "  kubernetes = {\n" + inner + "\n  }\n" }
	proxyBlock := func(inner string) string { return "  proxy = {\n    " + inner + "\n  }\n" }
	timeoutsBlock := func(inner string) string { return "  timeouts = {\n    " + inner + "\n  }\n" }
	missingUID := "0123456789abcdef01234567"

	// A key of another project, which may not list projects, naming this
	// project.
	if _, err := env.API.Server.CreateProject("badinput-other"); err != nil {
		t.Fatal(err)
	}
	otherKey, err := env.API.Server.CreateAPIKey("badinput-other")
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name    string
		config  string
		want    *regexp.Regexp
		apply   bool // the rule needs the apply (nothing to check it against at plan time)
		minTF11 bool
		// once: the diagnostic is the plan's only error (a rule broken by
		// many keys of a map reports them together).
		once bool
	}{
		{"name uppercase", cluster(`  name = "Edge_Lab"`), diagOn("Invalid cluster name", "name"), false, false, false},
		{"name too long", cluster(`  name = "` + strings.Repeat("a", 64) + `"`), diagOn("Invalid cluster name", "name"), false, false, false},
		{"name empty", cluster(`  name = ""`), diagOn("Invalid cluster name", "name"), false, false, false},
		{"name leading hyphen", cluster(`  name = "-edge"`), diagOn("Invalid cluster name", "name"), false, false, false},
		{"name with a dot", cluster(`  name = "edge.lab"`), diagOn("Invalid cluster name", "name"), false, false, false},
		{"name already taken", cluster(`  name = "taken"`), diagOn("Cluster name already taken", "name"), false, false, false},
		// Same name, cloud type and mode as the Running fixture: still not
		// taken over, for nothing proves it was this configuration's (the
		// fixture carries no creation fingerprint).
		{"name taken, no access to check", cluster("  name = \"taken\"\n  import_mode = \"read_only\""),
			regexp.MustCompile(`(?s)Error: Cluster name already\s+taken.*?\d+:\s+name\s+=.*?no\s+creation\s+fingerprint`), false, false, false},
		{"name taken, agent not in the cluster", cluster("  name = \"taken\"\n  import_mode = \"read_only\"\n" + env.kubeAccess()),
			regexp.MustCompile(`(?s)Error: Cluster name already\s+taken.*?\d+:\s+name\s+=.*?no\s+creation\s+fingerprint`), false, false, false},
		{"cloud type unknown", named(`  cloud_type = "digitalocean"`), diagOn("Invalid Attribute Value Match", "cloud_type"), false, false, false},
		{"cloud type Palette does not import from", named(`  cloud_type = "maas"`), diagOn("Invalid Attribute Value Match", "cloud_type"), false, false, false},
		{"cloud type in capitals", named(`  cloud_type = "AWS"`), diagOn("Invalid Attribute Value Match", "cloud_type"), false, false, false},
		{"cloud type the nodes contradict", named(`  cloud_type = "aws"` + "\n" + env.kubeAccess()), diagOn("Cloud type does not match the cluster", "cloud_type"), false, false, false},
		{"import mode misspelt", named(`  import_mode = "readonly"`), diagOn("Invalid Attribute Value Match", "import_mode"), false, false, false},
		{"import mode in wire form", named(`  import_mode = "read-only"`), diagOn("Invalid Attribute Value Match", "import_mode"), false, false, false},
		{"wait_for unknown", named(`  wait_for = "forever"`), diagOn("Invalid Attribute Value Match", "wait_for"), false, false, false},
		{"deletion policy unknown", named(`  deletion_policy = "delete"`), diagOn("Invalid Attribute Value Match", "deletion_policy"), false, false, false},
		{"proxy with read-only", named("  import_mode = \"read_only\"\n  proxy = { https_proxy = \"http://proxy:3128\" }"), diagOn("Proxy settings need Full Permission mode", "proxy"), false, false, false},
		{"malformed kubeconfig", named(access(fmt.Sprintf("    config_path = %q", malformed))), regexp.MustCompile(`(?s)Error: Invalid cluster\s+access.*?\d+:\s+kubernetes\s+=`), false, false, false},
		{"kubeconfig file missing", named(access(fmt.Sprintf("    config_path = %q", filepath.Join(dir, "nope")))), regexp.MustCompile(`(?s)Error: Invalid cluster\s+access.*?\d+:\s+kubernetes\s+=`), false, false, false},
		{"unreachable cluster", named(access(fmt.Sprintf("    config_path = %q", unreachable))), regexp.MustCompile(`(?s)Error: Cannot reach the target\s+cluster.*?\d+:\s+kubernetes\s+=`), false, false, false},
		{"context without kubeconfig", named(access(`    config_context = "edge"`)), regexp.MustCompile(`(?s)Error: Context without a\s+kubeconfig`), false, false, false},
		{"access without path or host", named(access(`    insecure = true`)), regexp.MustCompile(`(?s)Error: Incomplete cluster\s+access.*?\d+:\s+kubernetes\s+=`), false, false, false},
		{"credentials without the RBAC", named("  import_mode = \"read_only\"\n" + access(fmt.Sprintf("    host = %q\n    cluster_ca_certificate = %q\n    token_wo = %q", host, ca, viewerToken))),
			regexp.MustCompile(`(?s)Error: Cluster credentials cannot\s+install the agent.*?\d+:\s+kubernetes\s+=`), false, true, false},
		{"kubeconfig_wo with kubernetes", named(fmt.Sprintf("  kubeconfig_wo = \"x\"\n  kubeconfig_wo_version = 1\n%s", env.kubeAccess())),
			diagOn("Invalid Attribute Combination", "kubeconfig_wo"), false, true, false},
		{"client certificate without its key", named(access(`    host = "https://127.0.0.1:6443"
    client_certificate = "-----BEGIN CERTIFICATE-----"`)), diagAt("Invalid Attribute Combination", "client_certificate", "kubernetes.client_certificate"), false, false, false},
		{"kubeconfig_wo_version alone", named("  kubeconfig_wo_version = 1"), diagOn("Invalid Attribute Combination", "kubeconfig_wo_version"), false, false, false},
		{"full cluster profile", attach(full, fullProfile, ""), diagOn("Only add-on profiles can be attached to imported clusters", "profile_id"), false, false, false},
		{"infrastructure profile", attach(full, infra, ""), diagOn("Only add-on profiles can be attached to imported clusters", "profile_id"), false, false, false},
		{"add-on on read-only", attach(readOnly, addon, ""), diagOn("Add-on profiles need Full Permission", "cluster_id"), false, false, false},
		{"profile does not exist", attach(full, missingUID, ""), diagOn("Cluster profile not found", "profile_id"), false, false, false},
		{"cluster does not exist", attach(missingUID, addon, ""), diagOn("Imported cluster not found", "cluster_id"), false, false, false},
		{"cluster_id not a UID", attach("edge-lab-1", addon, ""), diagOn("Invalid Attribute Value Match", "cluster_id"), false, false, false},
		{"values for an unknown pack", attach(full, addon, "  values = { nginx = \"replicas: 2\" }"), regexp.MustCompile(`(?s)Error: Unknown pack.*?\d+:\s+values\s+=`), false, false, false},
		{"values not a YAML mapping", attach(full, addon, "  values = { hello = \"- a\\n- b\" }"), regexp.MustCompile(`(?s)Error: .*?\d+:\s+values\s+=`), false, false, false},
		// Checked by the schema, each on its attribute.
		{"label key empty", named(`  labels = { "" = "x" }`), diagOn("Invalid label key", "labels"), false, false, false},
		{"label key with blanks and symbols", named(`  labels = { "bad key!/$" = "x" }`), diagOn("Invalid label key", "labels"), false, false, false},
		{"label key with a colon", named(`  labels = { "a:b" = "x" }`), diagOn("Invalid label key", "labels"), false, false, false},
		{"label key of 300 characters", named(`  labels = { "` + strings.Repeat("k", 300) + `" = "x" }`), diagOn("Invalid label key", "labels"), false, false, false},
		{"label value of 300 characters", named(`  labels = { team = "` + strings.Repeat("v", 300) + `" }`), diagOn("Invalid label value", "labels"), false, false, false},
		{"proxy not a URL", named(proxyBlock(`https_proxy = "proxy.internal:3128"`)), diagAt("Invalid proxy URL", "https_proxy", "proxy.https_proxy"), false, false, false},
		{"proxy port 99999", named(proxyBlock(`http_proxy = "http://proxy.internal:99999"`)), diagAt("Invalid proxy URL", "http_proxy", "proxy.http_proxy"), false, false, false},
		{"no_proxy with a URL", named(proxyBlock(`no_proxy = "http://internal.example.com"`)), diagAt("Invalid no_proxy entry", "no_proxy", "proxy.no_proxy"), false, false, false},
		{"CA path relative", named(proxyBlock("ca_host_path = \"../../etc/ca.pem\"\n    ca_container_mount_path = \"/etc/ssl/ca.pem\"")), diagAt("Invalid path", "ca_host_path", "proxy.ca_host_path"), false, false, false},
		{"CA path without a mount path", named(proxyBlock(`ca_host_path = "/etc/ssl/ca.pem"`)), diagAt("Invalid Attribute Combination", "ca_host_path", `"proxy.ca_host_path" is specified`), false, false, false},
		{"create timeout 0s", named(timeoutsBlock(`create = "0s"`)), diagAt("Invalid duration", "create", "timeouts.create"), false, false, false},
		{"delete timeout -5m", named(timeoutsBlock(`delete = "-5m"`)), diagAt("Invalid duration", "delete", "timeouts.delete"), false, false, false},
		{"create timeout abc", named(timeoutsBlock(`create = "abc"`)), diagAt("Invalid duration", "create", "timeouts.create"), false, false, false},
		{"attachment update timeout -5m", attach(full, addon, timeoutsBlock(`update = "-5m"`)), diagAt("Invalid duration", "update", "timeouts.update"), false, false, false},
		{"token_wo with exec", named(access("    host     = \"https://eks.example.com\"\n    token_wo = \"t0ken\"\n    exec = {\n      api_version = \"client.authentication.k8s.io/v1beta1\"\n      command     = \"aws\"\n    }")),
			diagAt("Invalid Attribute Combination", "token_wo", `"kubernetes.token_wo" is`), false, true, false},
		{"kubeconfig_wo empty", named(`  kubeconfig_wo = ""`), diagOn("Invalid Attribute Value Length", "kubeconfig_wo"), false, true, false},
		{"description of 2 MB", named(`  description = "` + strings.Repeat("d", 2<<20) + `"`), diagOn("Invalid Attribute Value Length", "description"), false, false, false},
		{"values of 2 MB", attach(full, addon, `  values = { hello = "message: `+strings.Repeat("v", 2<<20)+`" }`), diagOn("Invalid Attribute Value Length", "values"), false, false, false},
		{"API key of another project", fmt.Sprintf("provider \"palette\" {\n  host        = %q\n  api_key     = %q\n  project_uid = %q\n}\n", env.API.URL, otherKey, env.API.ProjectUID) +
			"resource \"palette_imported_cluster\" \"bad\" {\n  name = \"bad-input\"\n}\n", diagOn("The API key cannot use this Palette project", "project_uid"), false, false, false},
		// Cluster access files: regular files of at most 4 MiB, read
		// without blocking.
		{"kubeconfig is the device zero", named(access(`    config_path = "/dev/zero"`)), diagAt("Invalid kubeconfig file", "config_path", "kubernetes.config_path"), false, false, false},
		{"kubeconfig is a FIFO", named(access(fmt.Sprintf("    config_path = %q", fifo))), diagAt("Invalid kubeconfig file", "config_path", "kubernetes.config_path"), false, false, false},
		{"kubeconfig of 5 MiB", named(access(fmt.Sprintf("    config_path = %q", huge))), diagAt("Invalid kubeconfig file", "config_path", "kubernetes.config_path"), false, false, false},
		{"kubeconfig's CA file is a FIFO", named(access(fmt.Sprintf("    config_path = %q", caFIFO))), diagAt("Invalid kubeconfig file", "config_path", "kubernetes.config_path"), false, false, false},
		{"kubeconfig's client key is a FIFO", named(access(fmt.Sprintf("    config_path = %q", keyFIFO))), diagAt("Invalid kubeconfig file", "config_path", "kubernetes.config_path"), false, false, false},
		{"kubeconfig's token file is the device zero", named(access(fmt.Sprintf("    config_path = %q", tokenZero))), diagAt("Invalid kubeconfig file", "config_path", "kubernetes.config_path"), false, false, false},
		// Maps of 3,000 bad keys: one error each attribute, quickly.
		{"values for 3,000 unknown packs", attach(full, addon, "  values = {\n"+manyKeys("    p%04d = \"a: 1\"\n")+"  }"),
			regexp.MustCompile(`(?s)Error: Unknown packs.*?\d+:\s+values\s+=.*?"p0000",\s+"p0001",\s+"p0002",\s+"p0003",\s+"p0004"\s+and\s+2995\s+more`), false, false, true},
		{"labels with 3,000 bad keys", named("  labels = {\n" + manyKeys("    \"bad key %04d\" = \"x\"\n") + "  }"),
			regexp.MustCompile(`(?s)Error: Invalid label keys.*?\d+:\s+labels\s+=.*?and\s+2995\s+more`), false, false, true},
		{"variables: 3,000 the profile does not define", attach(full, addon, "  variables = {\n"+manyKeys("    v%04d = \"x\"\n")+"  }"),
			regexp.MustCompile(`(?s)Error: Unknown variables.*?\d+:\s+variables\s+=.*?and\s+2995\s+more`), false, false, true},
		// Proxy settings the agent would choke on.
		{"no_proxy with control characters, quotes and semicolons", named(proxyBlock(`no_proxy = "\n,,*;;\" \t"`)), diagAt("Invalid no_proxy entry", "no_proxy", "proxy.no_proxy"), false, false, false},
		{"no_proxy with a semicolon", named(proxyBlock(`no_proxy = "a.example.com;b.example.com"`)), diagAt("Invalid no_proxy entry", "no_proxy", "proxy.no_proxy"), false, false, false},
		{"no_proxy with an empty entry", named(proxyBlock(`no_proxy = "a.example.com,,10.0.0.0/8"`)), diagAt("Invalid no_proxy entry", "no_proxy", "proxy.no_proxy"), false, false, false},
		{"CA mount path the root", named(proxyBlock("ca_host_path = \"/etc/ssl/ca.pem\"\n    ca_container_mount_path = \"/\"")), diagAt("Invalid path", "ca_container_mount_path", "proxy.ca_container_mount_path"), false, false, false},
		{"CA mount path etc", named(proxyBlock("ca_host_path = \"/etc/ssl/ca.pem\"\n    ca_container_mount_path = \"/etc\"")), diagAt("Invalid path", "ca_container_mount_path", "proxy.ca_container_mount_path"), false, false, false},
		{"CA mount path a directory", named(proxyBlock("ca_host_path = \"/etc/ssl/ca.pem\"\n    ca_container_mount_path = \"/etc/ssl/certs/\"")), diagAt("Invalid path", "ca_container_mount_path", "proxy.ca_container_mount_path"), false, false, false},
		{"CA host path the root", named(proxyBlock("ca_host_path = \"/\"\n    ca_container_mount_path = \"/etc/ssl/ca.pem\"")), diagAt("Invalid path", "ca_host_path", "proxy.ca_host_path"), false, false, false},
		// Variables: a name, and one the profile defines.
		{"variable the profile does not define", attach(full, addon, `  variables = { greeting = "hi" }`), diagOn("Unknown variable", "variables"), false, false, false},
		{"variable named empty", attach(full, addon, `  variables = { "" = "x" }`), diagOn("Invalid variable name", "variables"), false, false, false},
		{"provider host not http(s)", fmt.Sprintf("provider \"palette\" {\n  host    = \"ftp://palette.example.com\"\n  api_key = %q\n}\n", env.API.APIKey) +
			"resource \"palette_imported_cluster\" \"bad\" {\n  name = \"bad-input\"\n}\n", diagOn("Invalid Palette host", "host"), false, false, false},
	}
	var planTime atomic.Int32
	for _, tt := range tests {
		t.Run(strings.ReplaceAll(tt.name, " ", "_"), func(t *testing.T) {
			tc := resource.TestCase{
				ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
				Steps:                    []resource.TestStep{{Config: tt.config, PlanOnly: !tt.apply, ExpectError: tt.want}},
			}
			if tt.minTF11 {
				tc.TerraformVersionChecks = []tfversion.TerraformVersionCheck{tfversion.SkipBelow(tfversion.Version1_11_0)}
			}
			matched := false
			if tt.once {
				// ExpectError skips ErrorCheck, which sees the whole error.
				tc.Steps[0].ExpectError = nil
				tc.ErrorCheck = func(err error) error {
					if !tt.want.MatchString(err.Error()) {
						return err
					}
					if n := strings.Count(err.Error(), "Error: "); n != 1 {
						return fmt.Errorf("%d errors, want 1: %w", n, err)
					}
					matched = true
					return nil
				}
			}
			resource.Test(t, tc)
			if tt.once && !t.Failed() && !matched {
				t.Errorf("no error, want one matching %s", tt.want)
			}
			if !tt.apply && !t.Failed() {
				planTime.Add(1)
			}
		})
	}
	// Nothing was created: the three fixtures only, and no attachment. (A
	// new deadline: the table's plans may have used up the first one on a
	// loaded machine.)
	env.expectClusterCount(t, 3)
	ctx = testCtx(t)
	for _, uid := range []string{readOnly, full} {
		ps, err := env.Client.GetClusterProfiles(ctx, uid)
		if err != nil {
			t.Fatal(err)
		}
		if len(ps.Profiles) != 0 {
			t.Errorf("cluster %s got profiles attached: %+v", uid, ps.Profiles)
		}
	}
	fmt.Printf("bad input: %d configurations rejected (%d at plan time), %d clusters and 0 attachments created\n",
		len(tests), planTime.Load(), 0)
}
