package provider

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"

	"github.com/terraform-palette/terraform-provider-palette/internal/wire"
)

// TestAccModule_remoteRun: a remote run (HCP Terraform, CI) has no
// kubeconfig file; it hands the examples/modules/imported-cluster module a
// bearer token through an ephemeral root variable (as it would from
// another provider's ephemeral resource). The module passes it on to
// kubernetes.token_wo: the agent is installed, the cluster reaches Running,
// a second plan has no change, and the token is in no plan, state or output.
//
// It drives the CLI itself: terraform-plugin-testing does not install
// modules.
func TestAccModule_remoteRun(t *testing.T) {
	testAccPreCheck(t)
	if major, minor := cliVersion(t); major == 1 && minor < 11 {
		t.Skipf("write-only attributes need Terraform 1.11 or later (have 1.%d)", minor)
	}
	env := newTestEnv(t, testEnvOptions{flavor: "generic"})
	host, ca, token := env.serviceAccountCredentials(t, "remote-run", "cluster-admin")
	module, err := filepath.Abs("../../examples/modules/imported-cluster")
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	writeCLIConfig(t, dir, env.API.URL, env.API.ProjectUID, fmt.Sprintf(`
variable "cluster_token" {
  type      = string
  sensitive = true
  ephemeral = true
}

module "remote" {
  source = %q

  name             = "remote-run"
  import_mode      = "full_permission"
  deletion_policy  = "force"
  kubernetes       = { host = %q, cluster_ca_certificate = %q }
  kubernetes_token = var.cluster_token
}

output "state" {
  value = module.remote.state
}
`, module, host, ca))
	vars := []string{"PALETTE_API_KEY=" + env.API.APIKey, "TF_VAR_cluster_token=" + token}
	var outputs []string
	run := func(args ...string) string {
		out := tfMust(t, dir, vars, nil, args...)
		outputs = append(outputs, out)
		return out
	}
	run("get") // modules only: dev_overrides supply the provider, and init would ask the Registry
	run("plan", "-out=tfplan")
	show := run("show", "-json", "tfplan")
	// TF_LOG=info shows the wait's progress (and the token in no log line).
	apply := tfMust(t, dir, append(vars, "TF_LOG=info"), nil, "apply", "tfplan")
	outputs = append(outputs, apply)
	if !regexp.MustCompile(`\[INFO\] .*imported cluster status: .*state=Running`).MatchString(apply) {
		t.Errorf("TF_LOG=info does not show the imported cluster's state changes:\n%s", apply)
	}
	if got := strings.TrimSpace(run("output", "-raw", "state")); got != "Running" {
		t.Errorf("state = %q, want Running", got)
	}
	if out := run("plan", "-detailed-exitcode"); !strings.Contains(out, "No changes") {
		t.Errorf("second plan is not empty:\n%s", out)
	}
	state, err := os.ReadFile(filepath.Join(dir, "terraform.tfstate"))
	if err != nil {
		t.Fatal(err)
	}
	for what, text := range map[string]string{"the saved plan": show, "the state": string(state), "the CLI's output": strings.Join(outputs, "\n")} {
		if strings.Contains(text, token) {
			t.Errorf("the cluster token was found in %s", what)
		}
	}
	if env.agentObjects(t, liveClusters(t, env.Client, "remote-run")[0].Metadata.UID) == nil {
		t.Error("no agent objects in the cluster")
	}
	run("destroy", "-auto-approve")
	env.expectNoClusters(t)
}

// cliVersion is the major and minor version of the acceptance tests' CLI.
func cliVersion(t *testing.T) (major, minor int) {
	t.Helper()
	out, code := tfRun(t, t.TempDir(), nil, "version", "-json")
	var v struct {
		Version string `json:"terraform_version"`
	}
	// The JSON document starts a line of its own; with TF_LOG (the secrets
	// scan of make test-reliability) log lines, which may hold braces,
	// come before it.
	start := strings.Index("\n"+out, "\n{")
	if code != 0 || start < 0 || json.NewDecoder(strings.NewReader(out[start:])).Decode(&v) != nil {
		t.Fatalf("terraform version -json: %s", out)
	}
	if _, err := fmt.Sscanf(v.Version, "%d.%d", &major, &minor); err != nil {
		t.Fatalf("terraform version %q: %v", v.Version, err)
	}
	return major, minor
}

// TestAccModule_teamNamespaces: two teams' instances of the
// examples/modules/team-namespace module add their namespace and binding
// to one cluster, beside an entry made in Palette's UI: none clobbers
// another, a second plan has no change, and removing one team's module
// removes only its entries.
func TestAccModule_teamNamespaces(t *testing.T) {
	testAccPreCheck(t)
	env := newTestEnv(t, testEnvOptions{})
	cid := env.importClusterDirect(t, "teams", wire.CloudTypeGeneric, "", nil)
	env.putOutsideNamespace(t, cid)
	module, err := filepath.Abs("../../examples/modules/team-namespace")
	if err != nil {
		t.Fatal(err)
	}
	team := func(name string) string {
		return fmt.Sprintf(`
module %q {
  source     = %q
  cluster_id = %q
  name       = %q
  groups     = ["%s-devs", "%s-leads"]
}
`, name, module, cid, name, name, name)
	}
	dir := t.TempDir()
	vars := []string{"PALETTE_API_KEY=" + env.API.APIKey}
	writeCLIConfig(t, dir, env.API.URL, env.API.ProjectUID, team("team-a")+team("team-b"))
	tfMust(t, dir, vars, nil, "get")
	tfMust(t, dir, vars, nil, "apply", "-auto-approve")
	names := func() (ns, rbac []string) {
		nl, err := env.Client.GetClusterNamespaces(context.Background(), cid)
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range nl {
			ns = append(ns, e.Metadata.Name)
		}
		rl, err := env.Client.GetClusterRbacs(context.Background(), cid)
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range rl {
			rbac = append(rbac, e.Metadata.Name)
		}
		sort.Strings(ns)
		sort.Strings(rbac)
		return ns, rbac
	}
	ns, rbac := names()
	if got := strings.Join(ns, ","); got != "made-in-ui,team-a,team-b" {
		t.Errorf("namespaces in Palette: %s", got)
	}
	if got := strings.Join(rbac, ","); got != "team-a-editors,team-b-editors" {
		t.Errorf("RBAC entries in Palette: %s", got)
	}
	if out := tfMust(t, dir, vars, []int{0}, "plan", "-detailed-exitcode"); !strings.Contains(out, "No changes") {
		t.Errorf("second plan is not empty:\n%s", out)
	}
	writeCLIConfig(t, dir, env.API.URL, env.API.ProjectUID, team("team-b"))
	tfMust(t, dir, vars, nil, "apply", "-auto-approve")
	ns, rbac = names()
	if got := strings.Join(ns, ",") + " " + strings.Join(rbac, ","); got != "made-in-ui,team-b team-b-editors" {
		t.Errorf("after removing team-a's module, Palette holds %s", got)
	}
	tfMust(t, dir, vars, nil, "destroy", "-auto-approve")
	if ns, rbac = names(); strings.Join(ns, ",") != "made-in-ui" || len(rbac) != 0 {
		t.Errorf("after destroy, Palette holds %v %v", ns, rbac)
	}
}
