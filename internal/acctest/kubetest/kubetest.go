// Package kubetest starts a real local Kubernetes control plane (see
// internal/acctest/kubelocal) for tests.
//
// Per test:
//
//	func TestX(t *testing.T) {
//		kubetest.SkipUnlessEnabled(t)
//		c := kubetest.Start(t, kubetest.Options{Flavor: kubelocal.FlavorAWS, Nodes: 3})
//		cfg := c.RESTConfig()
//		...
//	}
//
// Per package:
//
//	var cluster *kubetest.Cluster
//	func TestMain(m *testing.M) { kubetest.Main(m, kubetest.Options{}, &cluster) }
//
// Clusters start only when TF_ACC or KUBE_TESTS is set (Enabled). The
// binaries are built once into kubelocal.CacheDir(); run
// `go run ./tools/kube-local build` beforehand, a cold build takes longer
// than go test's default 10m timeout.
package kubetest

import (
	"context"
	"fmt"
	"os"
	"sync"
	"testing"
	"time"

	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/rest"

	"github.com/terraform-palette/terraform-provider-palette/internal/acctest/kubelocal"
)

// Options configure a test cluster.
type Options struct {
	Flavor kubelocal.Flavor // default generic
	Nodes  int              // default 1; -1 for none
	Name   string           // default "kubetest"
	// Timeout bounds start-up once the binaries exist; default 90s.
	Timeout time.Duration
}

// Cluster is a running test cluster.
type Cluster struct {
	Name       string
	Flavor     kubelocal.Flavor
	Dir        string // holds kubeconfig, pki, etcd data, logs
	Kubeconfig string // path of a cluster-admin kubeconfig
	State      *kubelocal.State

	cfg      *rest.Config
	stopOnce sync.Once
	stopErr  error
}

// RESTConfig returns a fresh copy of the cluster-admin client config.
func (c *Cluster) RESTConfig() *rest.Config { return rest.CopyConfig(c.cfg) }

// Clientset returns a typed cluster-admin client.
func (c *Cluster) Clientset() kubernetes.Interface {
	return kubernetes.NewForConfigOrDie(c.RESTConfig())
}

// Stop stops the processes; it is idempotent.
func (c *Cluster) Stop() error {
	c.stopOnce.Do(func() {
		c.stopErr = kubelocal.Down(context.Background(), c.Dir, 10*time.Second)
	})
	return c.stopErr
}

// Enabled reports whether cluster tests should run (TF_ACC or KUBE_TESTS set).
func Enabled() bool { return os.Getenv("TF_ACC") != "" || os.Getenv("KUBE_TESTS") != "" }

// SkipUnlessEnabled skips t unless Enabled.
func SkipUnlessEnabled(t testing.TB) {
	t.Helper()
	if !Enabled() {
		t.Skip("set TF_ACC=1 or KUBE_TESTS=1 to run tests against a local kube-apiserver")
	}
}

var (
	binOnce sync.Once
	bins    kubelocal.Binaries
	binErr  error
)

func binaries(logf kubelocal.Logf) (kubelocal.Binaries, error) {
	binOnce.Do(func() {
		bins, binErr = kubelocal.EnsureBinaries(context.Background(), logf)
		if binErr != nil {
			binErr = fmt.Errorf("kubetest: cannot build the Kubernetes %s control-plane binaries into %s "+
				"(try `go run ./tools/kube-local build`; set %s to use another cache): %w",
				kubelocal.KubernetesVersion, kubelocal.CacheDir(), kubelocal.EnvCache, binErr)
		}
	})
	return bins, binErr
}

func start(dir string, o Options, logf kubelocal.Logf) (*Cluster, error) {
	b, err := binaries(logf)
	if err != nil {
		return nil, err
	}
	if o.Name == "" {
		o.Name = "kubetest"
	}
	st, err := kubelocal.Up(context.Background(), kubelocal.Options{
		Dir: dir, Name: o.Name, Flavor: o.Flavor, Nodes: o.Nodes, Binaries: b,
		DieWithParent: true, Timeout: o.Timeout, Logf: logf,
	})
	if err != nil {
		return nil, err
	}
	cfg, err := st.RESTConfig()
	if err != nil {
		kubelocal.Down(context.Background(), dir, time.Second) //nolint:errcheck
		return nil, err
	}
	return &Cluster{Name: st.Name, Flavor: st.Flavor, Dir: st.Dir, Kubeconfig: st.Kubeconfig, State: st, cfg: cfg}, nil
}

// Start starts a cluster for t (own temp dir and etcd) and stops it in
// t.Cleanup. It fails t (never skips) if the cluster cannot start.
func Start(t testing.TB, o Options) *Cluster {
	t.Helper()
	dir := t.TempDir() // registered first, so removed after Stop
	c, err := start(dir, o, func(format string, args ...any) { t.Logf(format, args...) })
	if err != nil {
		t.Fatalf("kubetest.Start: %v", err)
	}
	t.Cleanup(func() {
		if err := c.Stop(); err != nil {
			t.Errorf("kubetest: stop cluster: %v", err)
		}
	})
	return c
}

// StartShared starts a cluster outside a test (e.g. in TestMain) in a new
// temp dir; stop stops it and removes the dir. Progress goes to stderr.
func StartShared(o Options) (c *Cluster, stop func(), err error) {
	dir, err := os.MkdirTemp("", "kubetest-")
	if err != nil {
		return nil, nil, err
	}
	c, err = start(dir, o, func(format string, args ...any) {
		fmt.Fprintf(os.Stderr, format+"\n", args...)
	})
	if err != nil {
		os.RemoveAll(dir)
		return nil, nil, err
	}
	return c, func() {
		if err := c.Stop(); err != nil {
			fmt.Fprintln(os.Stderr, "kubetest:", err)
		}
		os.RemoveAll(dir)
	}, nil
}

// Main is for TestMain: when Enabled it starts one cluster for the package
// into *cluster (exiting 1 with a clear message if that fails), runs the
// tests, stops the cluster and exits. When not Enabled *cluster stays nil
// and tests should call SkipUnlessEnabled.
func Main(m *testing.M, o Options, cluster **Cluster) {
	os.Exit(run(m, o, cluster))
}

func run(m *testing.M, o Options, cluster **Cluster) int {
	if !Enabled() {
		return m.Run()
	}
	c, stop, err := StartShared(o)
	if err != nil {
		fmt.Fprintln(os.Stderr, "kubetest.Main:", err)
		return 1
	}
	defer stop()
	*cluster = c
	return m.Run()
}
