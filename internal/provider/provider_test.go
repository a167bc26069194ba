package provider

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-testing/terraform"

	"github.com/terraform-palette/terraform-provider-palette/internal/acctest/kubelocal"
	"github.com/terraform-palette/terraform-provider-palette/internal/acctest/kubetest"
	"github.com/terraform-palette/terraform-provider-palette/internal/acctest/localtest"
	"github.com/terraform-palette/terraform-provider-palette/internal/acctest/palettespec"
	"github.com/terraform-palette/terraform-provider-palette/internal/agent"
	"github.com/terraform-palette/terraform-provider-palette/internal/kube"
	"github.com/terraform-palette/terraform-provider-palette/internal/localapi"
	"github.com/terraform-palette/terraform-provider-palette/internal/manifest"
	"github.com/terraform-palette/terraform-provider-palette/internal/palette"
)

// testAccProtoV6ProviderFactories runs the provider in-process for the real
// Terraform CLI (terraform-plugin-testing).
var testAccProtoV6ProviderFactories = map[string]func() (tfprotov6.ProviderServer, error){
	"palette": NewProtocol6ServerWithError("test"),
}

// testEnv is what one acceptance test runs against: its own local import
// API (real HTTP, real SQLite file) and, when asked, its own real
// kube-apiserver with the agent runner standing in for the kubelet.
type testEnv struct {
	API  *localtest.Instance
	Kube *kubetest.Cluster
	// Client talks to the local API with the test's key and project.
	Client *palette.Client
	// direct records the clusters the test imported itself through Client
	// (not through Terraform): the orphan check leaves them alone.
	direct importRecorder
}

type testEnvOptions struct {
	flavor string // kube-local flavor; "" starts no cluster
	nodes  int
	api    []localtest.Option
	// leavesClusters exempts a test that leaves clusters on purpose
	// (abandon, clusters made outside Terraform) from the orphan check.
	leavesClusters bool
}

// usingOpenTofu tells whether the acceptance tests drive OpenTofu.
func usingOpenTofu() bool {
	return strings.Contains(filepath.Base(os.Getenv("TF_ACC_TERRAFORM_PATH")), "tofu")
}

// testAccPreCheck skips acceptance tests unless TF_ACC is set, before any
// server or cluster is started.
func testAccPreCheck(t *testing.T) {
	t.Helper()
	if os.Getenv("TF_ACC") == "" {
		t.Skip("acceptance tests need TF_ACC=1 (make test sets it)")
	}
}

func newTestEnv(t *testing.T, o testEnvOptions) *testEnv {
	t.Helper()
	testAccPreCheck(t)
	// PALETTE_TEST_FAULTS (make test-reliability) puts faults on every
	// test's API; a test's own WithFaults, applied later, wins.
	opts := o.api
	if spec := os.Getenv(envTestFaults); spec != "" {
		opts = append([]localtest.Option{localtest.WithFaults(spec, faultSeed(t.Name()))}, o.api...)
	}
	// Every request and answer the test's local API sees is checked against
	// Palette's published spec (palette-local's own additions exempt),
	// unless faults are injected (their resets and lost answers are not
	// answers at all).
	if rec := conformanceRecorder(t, opts); rec != nil {
		opts = append(opts, localtest.WithConfig(func(c *localapi.Config) { c.Wrap = rec.Middleware }))
		t.Cleanup(func() { rec.Report(t) })
	}
	env := &testEnv{API: localtest.Start(t, opts...)}
	c, err := palette.NewClient(palette.Config{Host: env.API.URL, APIKey: env.API.APIKey, ProjectUID: env.API.ProjectUID, MaxRetries: 10,
		HTTPClient: &http.Client{Transport: &env.direct}})
	if err != nil {
		t.Fatal(err)
	}
	env.Client = c
	if os.Getenv(envTestFaults) != "" {
		t.Cleanup(func() { env.checkNoDuplicatesNoOrphans(t, o.leavesClusters) })
	}
	if o.flavor != "" {
		nodes := o.nodes
		if nodes == 0 {
			nodes = 2
		}
		env.Kube = kubetest.Start(t, kubetest.Options{Flavor: kubelocal.Flavor(o.flavor), Nodes: nodes})
		ctx, cancel := context.WithCancel(context.Background())
		runner := agent.NewRunner(env.Kube.RESTConfig(), testLogger(t))
		done := make(chan error, 1)
		go func() { done <- runner.Run(ctx) }()
		t.Cleanup(func() {
			cancel()
			if err := <-done; err != nil && !errors.Is(err, context.Canceled) {
				t.Errorf("agent runner: %v", err)
			}
		})
	}
	env.registerEnvSecrets(t)
	return env
}

// testLogger sends the agents' logs to the test log when -v is given.
func testLogger(t *testing.T) *slog.Logger {
	if !testing.Verbose() {
		return slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	return slog.New(slog.NewTextHandler(testWriter{t}, &slog.HandlerOptions{Level: slog.LevelDebug}))
}

type testWriter struct{ t *testing.T }

func (w testWriter) Write(p []byte) (int, error) {
	w.t.Log(strings.TrimRight(string(p), "\n"))
	return len(p), nil
}

// providerConfig is the provider block pointing at the test's local API.
func (e *testEnv) providerConfig() string {
	return fmt.Sprintf(`
provider "palette" {
  host        = %q
  api_key     = %q
  project_uid = %q
}
`, e.API.URL, e.API.APIKey, e.API.ProjectUID)
}

// kubeAccess is the kubernetes block reaching the test's cluster.
func (e *testEnv) kubeAccess() string {
	return fmt.Sprintf(`
  kubernetes = {
    config_path = %q
  }
`, e.Kube.Kubeconfig)
}

// kubeClient is a cluster-admin client of the test's cluster.
func (e *testEnv) kubeClient(t *testing.T) *kube.Client {
	t.Helper()
	kc, err := kube.NewClientFromConfig(e.Kube.RESTConfig())
	if err != nil {
		t.Fatal(err)
	}
	return kc
}

func testCtx(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	t.Cleanup(cancel)
	return ctx
}

// testAccCheckImportedClusterDestroy checks that Palette no longer has any
// cluster of the state (404 or Deleted).
func (e *testEnv) testAccCheckImportedClusterDestroy(s *terraform.State) error {
	ctx := context.Background()
	for _, rs := range s.RootModule().Resources {
		if rs.Type != "palette_imported_cluster" {
			continue
		}
		_, err := findClusterByID(ctx, e.Client, rs.Primary.ID)
		if err == nil {
			return fmt.Errorf("cluster %s still exists in Palette", rs.Primary.ID)
		}
		if !errors.Is(err, palette.ErrNotFound) {
			return err
		}
	}
	return nil
}

// testAccCheckImportedClusterExists checks the cluster in the API.
func (e *testEnv) testAccCheckImportedClusterExists(name string, uid *string) func(*terraform.State) error {
	return func(s *terraform.State) error {
		rs, ok := s.RootModule().Resources[name]
		if !ok {
			return fmt.Errorf("%s not in state", name)
		}
		c, err := findClusterByID(context.Background(), e.Client, rs.Primary.ID)
		if err != nil {
			return err
		}
		if uid != nil {
			*uid = c.Metadata.UID
		}
		return nil
	}
}

// agentObjects lists the objects of an import in the test's cluster: those
// of the import manifest present and the import's own, found by their names
// (a real manifest carries none of our labels; see ownedObjects for the
// cluster-scoped names a later import shares), and whatever else carries
// the import's labels (the add-on objects its agent deployed).
func (e *testEnv) agentObjects(t *testing.T, uid string) []kube.ObjectRef {
	t.Helper()
	kc := e.kubeClient(t)
	ids, err := manifest.AllObjects(uid)
	if err != nil {
		t.Fatal(err)
	}
	refs, err := ownedObjects(testCtx(t), kc, uid, ids)
	if err != nil {
		t.Fatal(err)
	}
	labelled, err := kc.ListByLabel(testCtx(t), manifest.LabelSelector(uid))
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range labelled {
		if !slices.ContainsFunc(refs, func(m kube.ObjectRef) bool { return m.Kind == r.Kind && m.Namespace == r.Namespace && m.Name == r.Name }) {
			refs = append(refs, r)
		}
	}
	return refs
}

func hasObject(refs []kube.ObjectRef, kind, name string) bool {
	for _, r := range refs {
		if r.Kind == kind && r.Name == name {
			return true
		}
	}
	return false
}

// stateID reads a resource's ID from state into *id.
func stateID(name string, id *string) func(*terraform.State) error {
	return func(s *terraform.State) error {
		rs, ok := s.RootModule().Resources[name]
		if !ok {
			return fmt.Errorf("%s not in state", name)
		}
		*id = rs.Primary.ID
		return nil
	}
}

// conformanceRecorder is a recorder checking the traffic of a test's local
// API against Palette's spec, or nil when the options inject faults.
func conformanceRecorder(t *testing.T, opts []localtest.Option) *palettespec.Recorder {
	t.Helper()
	var cfg localapi.Config
	for _, o := range opts {
		o(&cfg)
	}
	if cfg.Faults != "" {
		return nil
	}
	return palettespec.NewRecorder(palettespec.MustLoad(t), func(method string, u *url.URL) bool {
		return localtest.IsExtra(method, u.Path, u.Query())
	})
}
