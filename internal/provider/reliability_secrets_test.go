package provider

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/terraform-palette/terraform-provider-palette/internal/manifest"
)

// TestAccReliability_secrets: after a whole life cycle (import with agent
// install, an add-on profile, refresh, plan, destroy) with TF_LOG=trace, the
// API key, the kubeconfig's credentials and the agent's token appear in no
// state file, no `terraform show -json` of a plan and not in the trace log.
func TestAccReliability_secrets(t *testing.T) {
	env := newTestEnv(t, testEnvOptions{flavor: "generic"})
	profile := env.API.CreateProfileFromFile(t, "../../examples/profiles/hello-addon.yaml")
	dir := cliWorkDir(t)
	writeCLIConfig(t, dir, env.API.URL, env.API.ProjectUID, fmt.Sprintf(`resource "palette_imported_cluster" "c" {
  name = "secrets"
  kubernetes = {
    config_path = %q
  }
}

resource "palette_addon_profile_attachment" "a" {
  cluster_id = palette_imported_cluster.c.id
  profile_id = %q
}
`, env.Kube.Kubeconfig, profile))
	logPath := filepath.Join(dir, "trace.log")
	tfEnv := []string{"PALETTE_API_KEY=" + env.API.APIKey, "TF_LOG=trace", "TF_LOG_PATH=" + logPath}

	tfMust(t, dir, tfEnv, nil, "apply", "-auto-approve")
	state, err := os.ReadFile(filepath.Join(dir, "terraform.tfstate"))
	if err != nil {
		t.Fatal(err)
	}
	uid := ""
	for _, line := range strings.Split(string(state), "\n") {
		if v, ok := strings.CutPrefix(strings.TrimSpace(line), `"id": "`); ok && len(v) == 26 {
			uid = strings.TrimSuffix(v, `",`)
			break
		}
	}
	if uid == "" {
		t.Fatalf("no cluster id in the state:\n%s", state)
	}
	sec, err := env.kubeClient(t).Kubernetes().CoreV1().Secrets(manifest.AgentNamespace(uid)).Get(testCtx(t), manifest.AgentCredentialSecret, metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	agentToken := string(sec.Data[manifest.AgentCredentialSecretKey])
	if len(agentToken) < 16 {
		t.Fatalf("agent token %d characters", len(agentToken))
	}
	kubeconfig, err := os.ReadFile(env.Kube.Kubeconfig)
	if err != nil {
		t.Fatal(err)
	}
	secrets := map[string]string{"API key": env.API.APIKey, "agent token": agentToken}
	for i, s := range kubeconfigSecrets(t, kubeconfig) {
		secrets[fmt.Sprintf("kubeconfig credential %d", i+1)] = s
	}

	tfMust(t, dir, tfEnv, nil, "plan", "-out=refresh.tfplan", "-refresh-only")
	tfMust(t, dir, tfEnv, []int{0, 2}, "plan", "-out=plan.tfplan", "-detailed-exitcode")
	var shows []string
	for _, p := range []string{"refresh.tfplan", "plan.tfplan"} {
		shows = append(shows, tfMust(t, dir, tfEnv, nil, "show", "-json", p))
	}
	tfMust(t, dir, tfEnv, nil, "state", "pull")
	tfMust(t, dir, tfEnv, nil, "destroy", "-auto-approve")

	files := map[string]string{}
	for i, s := range shows {
		files[fmt.Sprintf("terraform show -json (plan %d)", i+1)] = s
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		if e.IsDir() || e.Name() == "main.tf" {
			continue
		}
		b, err := os.ReadFile(filepath.Join(dir, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		files[e.Name()] = string(b)
	}
	if len(files["trace.log"]) < 10000 {
		t.Fatalf("the trace log is %d bytes: TF_LOG did not take", len(files["trace.log"]))
	}
	if !strings.Contains(files["trace.log"], "palette") || !strings.Contains(files["terraform.tfstate.backup"]+files["terraform.tfstate"], "palette_imported_cluster") {
		t.Fatalf("the files searched are not the ones of this run")
	}
	hits, bytes := 0, 0
	for fname, content := range files {
		bytes += len(content)
		for what, s := range secrets {
			if strings.Contains(content, s) {
				hits++
				t.Errorf("%s found in %s", what, fname)
			}
		}
	}
	fmt.Printf("secrets: one life cycle on its own: %d secrets (API key, agent token, %d kubeconfig credentials) searched in %d files (%d bytes: states, plans as JSON, TF_LOG=trace): %d hits\n",
		len(secrets), len(secrets)-2, len(files), bytes, hits)
}
