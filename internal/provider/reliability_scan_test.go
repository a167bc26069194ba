package provider

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/informers"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/tools/cache"
	"k8s.io/client-go/tools/clientcmd"

	"github.com/terraform-palette/terraform-provider-palette/internal/manifest"
)

// The suite-wide secrets scan (make test-reliability). With
// PALETTE_TEST_SECRETS_SCAN=DIR, TestMain has plugin-testing keep every
// working directory (state files, saved plans) under DIR/work and write a
// TF_LOG=trace log per test under DIR/logs; the tests that drive the CLI
// themselves work under DIR/cli. Every secret the tests hand out is
// registered: each test API's key, each test cluster's admin credentials,
// and every agent credential that appears in a test cluster (watched as it
// is created). After the suite, every file under DIR and `terraform show
// -json` of every saved plan are searched for them: zero hits is the goal.
const envSecretsScan = "PALETTE_TEST_SECRETS_SCAN"

var suiteSecrets struct {
	sync.Mutex
	needles map[string]string // value → what it is
	kinds   map[string]int
}

// secretsScanDir is the scan's root, or "" when the scan is off.
func secretsScanDir() string { return os.Getenv(envSecretsScan) }

// registerSecret adds a value to look for after the suite.
func registerSecret(kind, value string) {
	if secretsScanDir() == "" || len(value) < 16 {
		return
	}
	suiteSecrets.Lock()
	defer suiteSecrets.Unlock()
	if suiteSecrets.needles == nil {
		suiteSecrets.needles, suiteSecrets.kinds = map[string]string{}, map[string]int{}
	}
	if _, ok := suiteSecrets.needles[value]; !ok {
		suiteSecrets.needles[value] = kind
		suiteSecrets.kinds[kind]++
	}
}

// randomSecret is a fresh secret of 32 hex characters.
func randomSecret(t *testing.T) string {
	b := make([]byte, 16)
	if _, err := rand.Read(b); err != nil {
		t.Fatal(err)
	}
	return hex.EncodeToString(b)
}

// kubeconfigNeedles are the strings that would give a kubeconfig's
// credentials away: its bearer token, and its client key both as the PEM
// body and as the base64 a kubeconfig file carries. A slice from inside the
// encoding is taken, never the start (all PEM headers look alike).
func kubeconfigNeedles(raw []byte) (map[string]string, error) {
	cfg, err := clientcmd.Load(raw)
	if err != nil {
		return nil, err
	}
	out := map[string]string{}
	for name, ai := range cfg.AuthInfos {
		if ai.Token != "" {
			out["kubeconfig token ("+name+")"] = ai.Token
		}
		if len(ai.ClientKeyData) > 0 {
			lines := strings.Split(strings.TrimSpace(string(ai.ClientKeyData)), "\n")
			if len(lines) > 2 {
				out["kubeconfig client key, PEM ("+name+")"] = lines[1]
			}
			if enc := base64.StdEncoding.EncodeToString(ai.ClientKeyData); len(enc) > 160 {
				out["kubeconfig client key, base64 ("+name+")"] = enc[96:160]
			}
		}
	}
	if len(out) == 0 {
		return nil, errors.New("the kubeconfig has no credential")
	}
	return out, nil
}

// registerEnvSecrets registers a test environment's secrets and, when it
// has a cluster, watches the cluster for agent credentials until the test
// ends.
func (e *testEnv) registerEnvSecrets(t *testing.T) {
	if secretsScanDir() == "" {
		return
	}
	registerSecret("API key", e.API.APIKey)
	if e.Kube == nil {
		return
	}
	raw, err := os.ReadFile(e.Kube.Kubeconfig)
	if err != nil {
		t.Fatal(err)
	}
	needles, err := kubeconfigNeedles(raw)
	if err != nil {
		t.Fatal(err)
	}
	for kind, v := range needles {
		registerSecret(kind, v)
	}
	cs, err := kubernetes.NewForConfig(e.Kube.RESTConfig())
	if err != nil {
		t.Fatal(err)
	}
	factory := informers.NewSharedInformerFactoryWithOptions(cs, 0, informers.WithTweakListOptions(func(o *metav1.ListOptions) {
		o.FieldSelector = "metadata.name=" + manifest.AgentCredentialSecret
	}))
	informer := factory.Core().V1().Secrets().Informer()
	record := func(obj any) {
		if s, ok := obj.(*corev1.Secret); ok {
			registerSecret("agent token", string(s.Data[manifest.AgentCredentialSecretKey]))
		}
	}
	if _, err := informer.AddEventHandler(cache.ResourceEventHandlerFuncs{
		AddFunc:    record,
		UpdateFunc: func(_, obj any) { record(obj) },
	}); err != nil {
		t.Fatal(err)
	}
	stop := make(chan struct{})
	factory.Start(stop)
	t.Cleanup(func() {
		close(stop)
		factory.Shutdown()
	})
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	if !cache.WaitForCacheSync(ctx.Done(), informer.HasSynced) {
		t.Fatal("the agent credential watch did not sync")
	}
}

// cliWorkDir is the working directory of a test that drives the CLI itself:
// under the scan's root when the scan is on, so that its files are searched
// after the suite, else a temporary directory.
func cliWorkDir(t *testing.T) string {
	root := secretsScanDir()
	if root == "" {
		return t.TempDir()
	}
	dir, err := os.MkdirTemp(filepath.Join(root, "cli"), strings.ReplaceAll(t.Name(), "/", "__")+"-")
	if err != nil {
		t.Fatal(err)
	}
	return dir
}

// setUpSecretsScan points plugin-testing at the scan's root; it runs in
// TestMain before the tests.
func setUpSecretsScan() error {
	root := secretsScanDir()
	if root == "" {
		return nil
	}
	for _, d := range []string{"work", "logs", "cli"} {
		if err := os.MkdirAll(filepath.Join(root, d), 0o700); err != nil {
			return err
		}
	}
	for k, v := range map[string]string{
		"TF_ACC_PERSIST_WORKING_DIR": "1",
		"TF_ACC_TEMP_DIR":            filepath.Join(root, "work"),
		"TF_LOG_PATH_MASK":           filepath.Join(root, "logs", "%s.log"),
		// The CLI's log level (plugin-testing passes it on as TF_LOG) and,
		// through TF_LOG, the level of the in-process provider's own log.
		"TF_ACC_LOG": "TRACE",
		"TF_LOG":     "TRACE",
	} {
		if err := os.Setenv(k, v); err != nil {
			return err
		}
	}
	return nil
}

// scanSecrets searches every file under the scan's root, and `terraform
// show -json` of every saved plan, for the registered secrets. It prints
// the summary line and returns the number of hits (or an error when the
// scan could not be made, which fails the suite too).
func scanSecrets() (int, error) {
	root := secretsScanDir()
	suiteSecrets.Lock()
	needles := suiteSecrets.needles
	kinds := suiteSecrets.kinds
	suiteSecrets.Unlock()
	if len(needles) == 0 {
		return 0, errors.New("secrets: no secret was registered: the scan would prove nothing")
	}
	var files, plans, states, logs, configEchoes int
	var bytes int64
	hits := 0
	search := func(what, content string) {
		bytes += int64(len(content))
		for v, kind := range needles {
			switch {
			case !strings.Contains(content, v):
			default:
				hits++
				fmt.Printf("secrets: HIT: %s found in %s\n", kind, what)
			}
		}
	}
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			if d.Name() == ".terraform" || d.Name() == "plugins" {
				return filepath.SkipDir // provider binaries and lock files
			}
			return nil
		}
		rel, _ := filepath.Rel(root, p)
		name := d.Name()
		if name == "tfplan" || strings.HasSuffix(name, ".tfplan") {
			out, err := showPlanJSON(filepath.Dir(p), name)
			if err != nil {
				return fmt.Errorf("terraform show -json %s: %w", rel, err)
			}
			plans++
			out, echoed, err := withoutAPIKeyLiteral(out)
			if err != nil {
				return fmt.Errorf("terraform show -json %s: %w", rel, err)
			}
			configEchoes += echoed
			search("terraform show -json "+rel, out)
			return nil
		}
		if strings.HasSuffix(name, ".tf") {
			return nil // the tests' own configurations: input, not output
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		files++
		content := string(b)
		switch {
		case strings.Contains(name, ".tfstate"):
			states++
		case strings.HasSuffix(name, ".log"):
			logs++
			content = withoutConfigEcho(content)
		}
		search(rel, content)
		return nil
	})
	if err != nil {
		return hits, err
	}
	if states == 0 || logs == 0 {
		return hits, fmt.Errorf("secrets: %d state files and %d logs found under %s: the scan would prove nothing", states, logs, root)
	}
	var ks []string
	for k, n := range kinds {
		ks = append(ks, fmt.Sprintf("%d %s", n, k))
	}
	sort.Strings(ks)
	fmt.Printf("secrets: after the whole suite, %d secrets (%s) searched in %d files (%d state files, %d TF_LOG=trace logs) and %d plans as JSON, %d MB: %d hits"+
		" (not searched: the tests' .tf files, and the %d echoes of their api_key literal in the plans' configuration section)\n",
		len(needles), strings.Join(ks, ", "), files, states, logs, plans, bytes>>20, hits, configEchoes)
	return hits, nil
}

// showPlanJSON runs `terraform show -json` on a saved plan with the
// provider built as a binary (the tests' in-process provider is gone).
func showPlanJSON(dir, plan string) (string, error) {
	tf := os.Getenv("TF_ACC_TERRAFORM_PATH")
	if tf == "" {
		tf = "terraform"
	}
	rc, err := cliProviderRC()
	if err != nil {
		return "", err
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, tf, "show", "-json", "-no-color", plan)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "TF_CLI_CONFIG_FILE="+rc, "TF_LOG=", "TF_IN_AUTOMATION=1", "CHECKPOINT_DISABLE=1")
	out, err := cmd.Output()
	if err != nil {
		var ee *exec.ExitError
		if errors.As(err, &ee) {
			return "", fmt.Errorf("%w: %s", err, ee.Stderr)
		}
		return "", err
	}
	return string(out), nil
}

// withoutConfigEcho drops from a log the blocks in which plugin-testing's
// harness (sdk.helper_resource) echoes a test step's configuration: that is
// the test's own input (it names the test API's key), not something
// Terraform or the provider wrote. The block is the header line and the
// "  | " lines that follow it.
func withoutConfigEcho(log string) string {
	var b strings.Builder
	skipping := false
	for _, line := range strings.SplitAfter(log, "\n") {
		switch {
		case strings.Contains(line, "sdk.helper_resource: Setting Terraform configuration"):
			skipping = true
			continue
		case skipping && (strings.HasPrefix(line, "  ") || strings.TrimSpace(line) == ""):
			continue
		}
		skipping = false
		b.WriteString(line)
	}
	return b.String()
}

// withoutAPIKeyLiteral removes from a plan's JSON the one place where
// Terraform itself echoes the configuration: configuration.provider_config
// .*.expressions.api_key, when the key is a literal in the .tf file (as the
// acceptance tests write it, each test with its own API; users set
// PALETTE_API_KEY instead, as the docs say). Terraform writes every literal
// of the configuration there, sensitive or not; it is the test's input, not
// the provider's output. It returns the plan without it and how many it
// removed; everything else of the plan stays and is searched.
func withoutAPIKeyLiteral(plan string) (string, int, error) {
	var doc map[string]any
	if err := json.Unmarshal([]byte(plan), &doc); err != nil {
		return "", 0, err
	}
	removed := 0
	if cfg, ok := doc["configuration"].(map[string]any); ok {
		if pcs, ok := cfg["provider_config"].(map[string]any); ok {
			for _, pc := range pcs {
				if exprs, ok := pc.(map[string]any)["expressions"].(map[string]any); ok {
					if k, ok := exprs["api_key"].(map[string]any); ok && k["constant_value"] != nil {
						delete(exprs, "api_key")
						removed++
					}
				}
			}
		}
	}
	b, err := json.Marshal(doc)
	return string(b), removed, err
}
