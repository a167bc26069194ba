package provider

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	appsv1 "k8s.io/api/apps/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/terraform-palette/terraform-provider-palette/internal/manifest"
)

// TestAccReliability_secrets: after a whole life cycle (import with agent
// install, an add-on profile, refresh, plan, destroy) with TF_LOG=trace, the
// API key, the kubeconfig's credentials, the agent's token and the proxy
// password (write-only proxy_password_wo; the user alone stays in
// https_proxy) appear in no state file, no `terraform show -json` of a plan,
// not in the trace log and not in the CLI's output. The password reaches
// the agent: its Deployment's HTTPS_PROXY carries it.
func TestAccReliability_secrets(t *testing.T) {
	env := newTestEnv(t, testEnvOptions{flavor: "generic"})
	profile := env.API.CreateProfileFromFile(t, "../../examples/profiles/hello-addon.yaml")
	dir := cliWorkDir(t)
	proxyPassword := randomSecret(t)
	registerSecret("proxy password", proxyPassword)
	// From a file, as a real configuration would have it: a literal would
	// be echoed in the configuration section of the plans as JSON.
	passwordFile := filepath.Join(t.TempDir(), "proxy-password")
	if err := os.WriteFile(passwordFile, []byte(proxyPassword), 0o600); err != nil {
		t.Fatal(err)
	}
	writeCLIConfig(t, dir, env.API.URL, env.API.ProjectUID, fmt.Sprintf(`resource "palette_imported_cluster" "c" {
  name = "secrets"
  kubernetes = {
    config_path = %q
  }
  proxy = {
    https_proxy = "http://alice@proxy.internal:3128"
    no_proxy    = "10.0.0.0/8,.svc"
  }
  proxy_password_wo         = file(%q)
  proxy_password_wo_version = 1
}

resource "palette_addon_profile_attachment" "a" {
  cluster_id = palette_imported_cluster.c.id
  profile_id = %q
}
`, env.Kube.Kubeconfig, passwordFile, profile))
	logPath := filepath.Join(dir, "trace.log")
	tfEnv := []string{"PALETTE_API_KEY=" + env.API.APIKey, "TF_LOG=trace", "TF_LOG_PATH=" + logPath}

	outputs := map[string]string{"terraform apply": tfMust(t, dir, tfEnv, nil, "apply", "-auto-approve")}
	if !regexp.MustCompile(`https_proxy\s+=\s+\(sensitive value\)`).MatchString(outputs["terraform apply"]) {
		t.Errorf("the apply's plan does not show https_proxy as a sensitive value:\n%s", outputs["terraform apply"])
	}
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
	dep, err := env.kubeClient(t).Kubernetes().AppsV1().Deployments(manifest.AgentNamespace(uid)).Get(testCtx(t), manifest.ManagerDeployment, metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if got, want := deploymentEnv(dep, "HTTPS_PROXY"), "http://alice:"+proxyPassword+"@proxy.internal:3128"; got != want {
		t.Errorf("the agent's HTTPS_PROXY is %d characters, not the proxy URL with the password (%d)", len(got), len(want))
	}
	agentToken := string(sec.Data[manifest.AgentCredentialSecretKey])
	if len(agentToken) < 16 {
		t.Fatalf("agent token %d characters", len(agentToken))
	}
	kubeconfig, err := os.ReadFile(env.Kube.Kubeconfig)
	if err != nil {
		t.Fatal(err)
	}
	secrets := map[string]string{"API key": env.API.APIKey, "agent token": agentToken, "proxy password": proxyPassword}
	for i, s := range kubeconfigSecrets(t, kubeconfig) {
		secrets[fmt.Sprintf("kubeconfig credential %d", i+1)] = s
	}

	outputs["terraform plan -refresh-only"] = tfMust(t, dir, tfEnv, nil, "plan", "-out=refresh.tfplan", "-refresh-only")
	outputs["terraform plan"] = tfMust(t, dir, tfEnv, []int{0, 2}, "plan", "-out=plan.tfplan", "-detailed-exitcode")
	var shows []string
	for _, p := range []string{"refresh.tfplan", "plan.tfplan"} {
		shows = append(shows, tfMust(t, dir, tfEnv, nil, "show", "-json", p))
		outputs["terraform show "+p] = tfMust(t, dir, tfEnv, nil, "show", p)
	}
	tfMust(t, dir, tfEnv, nil, "state", "pull")
	outputs["terraform destroy"] = tfMust(t, dir, tfEnv, nil, "destroy", "-auto-approve")

	files := map[string]string{}
	for what, out := range outputs {
		files["output of "+what] = out
	}
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
			if !strings.Contains(content, s) {
				continue
			}
			hits++
			t.Errorf("%s found in %s", what, fname)
		}
	}
	if !strings.Contains(files["terraform.tfstate.backup"]+files["terraform.tfstate"], "alice@proxy.internal:3128") {
		t.Errorf("the proxy URL is not in the state: the scan looked at the wrong files")
	}
	fmt.Printf("secrets: one life cycle on its own: %d secrets (API key, agent token, proxy password, %d kubeconfig credentials) searched in %d files "+
		"(%d bytes: states, plans as JSON, TF_LOG=trace, the CLI's output): %d hits\n",
		len(secrets), len(secrets)-3, len(files), bytes, hits)
}

// deploymentEnv is the value of the variable name in the first container of
// a Deployment that sets it.
func deploymentEnv(dep *appsv1.Deployment, name string) string {
	for _, c := range dep.Spec.Template.Spec.Containers {
		for _, e := range c.Env {
			if e.Name == name {
				return e.Value
			}
		}
	}
	return ""
}
