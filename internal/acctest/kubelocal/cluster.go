package kubelocal

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"time"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/rest"
	"k8s.io/client-go/tools/clientcmd"
	clientcmdapi "k8s.io/client-go/tools/clientcmd/api"
)

const (
	// AdminUser is the CN of the generated cluster-admin client certificate
	// (organisation system:masters).
	AdminUser = "kubelocal-admin"

	serviceCIDR = "10.0.0.0/24"
	serviceIP   = "10.0.0.1"

	stateFile      = "state.json"
	kubeconfigFile = "kubeconfig"
)

// Options configure Up.
type Options struct {
	// Dir holds the kubeconfig, PKI, etcd data, logs and state. Required.
	Dir string
	// Name is the cluster (and kubeconfig context) name; default "kubelocal".
	Name string
	// Flavor shapes the fake Nodes and extra CRDs; default FlavorGeneric.
	Flavor Flavor
	// Nodes is the number of Node objects to create; default 1. Use -1 for none.
	Nodes int
	// Binaries to run; zero value means EnsureBinaries (building if needed).
	Binaries Binaries
	// DieWithParent kills the processes when the calling process exits
	// (Pdeathsig). Tests set it; the kube-local CLI does not.
	DieWithParent bool
	// Timeout bounds start-up after the binaries exist; default 90s.
	Timeout time.Duration
	// Logf receives progress lines; nil discards them.
	Logf Logf
}

// State is persisted to DIR/state.json while a cluster runs.
type State struct {
	Name       string    `json:"name"`
	Flavor     Flavor    `json:"flavor"`
	Nodes      int       `json:"nodes"`
	Dir        string    `json:"dir"`
	Kubeconfig string    `json:"kubeconfig"`
	Server     string    `json:"server"`
	StartedAt  time.Time `json:"startedAt"`

	EtcdPID              int `json:"etcdPID"`
	APIServerPID         int `json:"apiserverPID"`
	ControllerManagerPID int `json:"controllerManagerPID"`

	EtcdClientPort int `json:"etcdClientPort"`
	EtcdPeerPort   int `json:"etcdPeerPort"`
	APIServerPort  int `json:"apiserverPort"`

	Binaries Binaries `json:"binaries"`
}

// KubeconfigPath returns DIR/kubeconfig.
func KubeconfigPath(dir string) string { return filepath.Join(dir, kubeconfigFile) }

// LoadState reads DIR/state.json; it returns an error wrapping
// os.ErrNotExist if there is none.
func LoadState(dir string) (*State, error) {
	b, err := os.ReadFile(filepath.Join(dir, stateFile))
	if err != nil {
		return nil, err
	}
	var s State
	if err := json.Unmarshal(b, &s); err != nil {
		return nil, fmt.Errorf("kubelocal: parse %s: %w", filepath.Join(dir, stateFile), err)
	}
	return &s, nil
}

func (s *State) save() error {
	b, err := json.MarshalIndent(s, "", "  ")
	if err != nil {
		return err
	}
	tmp := filepath.Join(s.Dir, stateFile+".tmp")
	if err := os.WriteFile(tmp, b, 0o644); err != nil {
		return err
	}
	return os.Rename(tmp, filepath.Join(s.Dir, stateFile))
}

// Running reports whether any recorded process is still alive.
func (s *State) Running() bool {
	return alive(s.EtcdPID, s.Binaries.Etcd) || alive(s.APIServerPID, s.Binaries.APIServer) ||
		alive(s.ControllerManagerPID, s.Binaries.ControllerManager)
}

// RESTConfig returns a cluster-admin client config.
func (s *State) RESTConfig() (*rest.Config, error) {
	return RESTConfigFromKubeconfig(s.Kubeconfig)
}

// RESTConfigFromKubeconfig loads a kubeconfig file's current context.
func RESTConfigFromKubeconfig(path string) (*rest.Config, error) {
	cfg, err := clientcmd.BuildConfigFromFlags("", path)
	if err != nil {
		return nil, err
	}
	cfg.QPS, cfg.Burst = 100, 200
	return cfg, nil
}

var nameRE = regexp.MustCompile(`^[a-z0-9]([-a-z0-9]*[a-z0-9])?$`)

// Up starts etcd, kube-apiserver and kube-controller-manager on 127.0.0.1,
// writes DIR/kubeconfig, creates the flavor's Nodes and CRDs, and returns
// once /readyz is ok and the controller-manager is effective. On failure
// everything started is stopped again.
func Up(ctx context.Context, o Options) (_ *State, err error) {
	if o.Dir == "" {
		return nil, errors.New("kubelocal: Options.Dir is required")
	}
	if o.Name == "" {
		o.Name = "kubelocal"
	}
	if !nameRE.MatchString(o.Name) || len(o.Name) > 40 {
		return nil, fmt.Errorf("kubelocal: invalid cluster name %q (lower-case DNS label)", o.Name)
	}
	if o.Flavor == "" {
		o.Flavor = FlavorGeneric
	}
	if _, err := ParseFlavor(string(o.Flavor)); err != nil {
		return nil, err
	}
	if o.Nodes == 0 {
		o.Nodes = 1
	} else if o.Nodes < 0 {
		o.Nodes = 0
	}
	if o.Timeout == 0 {
		o.Timeout = 90 * time.Second
	}
	dir, err := filepath.Abs(o.Dir)
	if err != nil {
		return nil, err
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	if prev, err := LoadState(dir); err == nil && prev.Running() {
		return nil, fmt.Errorf("kubelocal: a cluster is already running in %s (run down first)", dir)
	}
	bins := o.Binaries
	if bins == (Binaries{}) {
		if bins, err = EnsureBinaries(ctx, o.Logf); err != nil {
			return nil, err
		}
	} else if !bins.Present() {
		return nil, fmt.Errorf("kubelocal: binaries missing: %+v", bins)
	}

	ctx, cancel := context.WithTimeout(ctx, o.Timeout)
	defer cancel()
	// A port reserved by freePorts is released before the process binds it,
	// so another process on the machine can take it in between (parallel
	// tests open listeners all the time). A process that exits during
	// start-up is therefore retried on fresh ports, a bounded number of
	// times, with the reason logged each time.
	const attempts = 3
	for attempt := 1; ; attempt++ {
		s, err := up(ctx, o, dir, bins)
		var ee *exitedError
		if err == nil || !errors.As(err, &ee) || attempt == attempts || ctx.Err() != nil {
			return s, err
		}
		o.Logf.printf("kubelocal: attempt %d of %d: %v; retrying on fresh ports", attempt, attempts, err)
	}
}

// exitedError reports a control-plane process that exited during start-up.
type exitedError struct {
	process string
	tail    string
}

func (e *exitedError) Error() string {
	return fmt.Sprintf("%s exited during start-up; its log ends with:\n%s", e.process, e.tail)
}

// up makes one attempt at starting the cluster; on failure it stops what it
// started.
func up(ctx context.Context, o Options, dir string, bins Binaries) (_ *State, err error) {
	began := time.Now()
	ports, err := freePorts(3)
	if err != nil {
		return nil, err
	}
	s := &State{
		Name: o.Name, Flavor: o.Flavor, Nodes: o.Nodes, Dir: dir,
		Kubeconfig: KubeconfigPath(dir), Server: "https://127.0.0.1:" + strconv.Itoa(ports[2]),
		StartedAt: began, EtcdClientPort: ports[0], EtcdPeerPort: ports[1], APIServerPort: ports[2],
		Binaries: bins,
	}
	defer func() {
		if err != nil {
			s.stop(10 * time.Second) //nolint:errcheck
			s.save()                 //nolint:errcheck
		}
	}()

	p, err := newPKI(o.Name)
	if err != nil {
		return nil, err
	}
	files, err := p.write(dir)
	if err != nil {
		return nil, err
	}
	if err := writeKubeconfig(s.Kubeconfig, o.Name, AdminUser, s.Server, p.CACert, p.AdminCert, p.AdminKey); err != nil {
		return nil, err
	}
	kcmKubeconfig := filepath.Join(dir, "pki", "controller-manager.kubeconfig")
	if err := writeKubeconfig(kcmKubeconfig, o.Name, "system:kube-controller-manager", s.Server, p.CACert, p.KCMCert, p.KCMKey); err != nil {
		return nil, err
	}
	logDir := filepath.Join(dir, "logs")
	if err := os.MkdirAll(logDir, 0o755); err != nil {
		return nil, err
	}
	etcdData := filepath.Join(dir, "etcd")
	if err := os.RemoveAll(etcdData); err != nil {
		return nil, err
	}

	// etcd
	etcdURL := "http://127.0.0.1:" + strconv.Itoa(s.EtcdClientPort)
	peerURL := "http://127.0.0.1:" + strconv.Itoa(s.EtcdPeerPort)
	etcdLog := filepath.Join(logDir, "etcd.log")
	o.Logf.printf("kubelocal: starting etcd on %s", etcdURL)
	if s.EtcdPID, err = startProcess(bins.Etcd, []string{
		"--name=" + o.Name,
		"--data-dir=" + etcdData,
		"--listen-client-urls=" + etcdURL, "--advertise-client-urls=" + etcdURL,
		"--listen-peer-urls=" + peerURL, "--initial-advertise-peer-urls=" + peerURL,
		"--initial-cluster=" + o.Name + "=" + peerURL,
		"--unsafe-no-fsync=true",
		"--log-level=warn",
	}, etcdLog, o.DieWithParent); err != nil {
		return nil, err
	}
	if err := s.save(); err != nil {
		return nil, err
	}

	// kube-apiserver (it retries etcd itself, so no need to wait for etcd)
	apiLog := filepath.Join(logDir, "kube-apiserver.log")
	o.Logf.printf("kubelocal: starting kube-apiserver on %s", s.Server)
	if s.APIServerPID, err = startProcess(bins.APIServer, []string{
		"--etcd-servers=" + etcdURL,
		"--bind-address=127.0.0.1",
		"--advertise-address=127.0.0.1",
		"--secure-port=" + strconv.Itoa(s.APIServerPort),
		"--tls-cert-file=" + files.ServingCert,
		"--tls-private-key-file=" + files.ServingKey,
		"--client-ca-file=" + files.CACert,
		"--service-account-issuer=https://kubernetes.default.svc.cluster.local",
		"--service-account-key-file=" + files.SAPub,
		"--service-account-signing-key-file=" + files.SAKey,
		"--authorization-mode=Node,RBAC",
		"--endpoint-reconciler-type=none",
		"--service-cluster-ip-range=" + serviceCIDR,
		"--allow-privileged=true",
		"--cert-dir=" + filepath.Join(dir, "pki"),
		"--profiling=false",
		"--v=0",
	}, apiLog, o.DieWithParent); err != nil {
		return nil, err
	}
	if err := s.save(); err != nil {
		return nil, err
	}

	cfg, err := s.RESTConfig()
	if err != nil {
		return nil, err
	}
	cs, err := kubernetes.NewForConfig(cfg)
	if err != nil {
		return nil, err
	}
	if err := waitFor(ctx, "kube-apiserver /readyz", func() (bool, error) {
		if !alive(s.EtcdPID, bins.Etcd) {
			return false, &exitedError{"etcd", tailFile(etcdLog, 30)}
		}
		if !alive(s.APIServerPID, bins.APIServer) {
			return false, &exitedError{"kube-apiserver", tailFile(apiLog, 30)}
		}
		rctx, rcancel := context.WithTimeout(ctx, 2*time.Second)
		defer rcancel()
		body, err := cs.Discovery().RESTClient().Get().AbsPath("/readyz").DoRaw(rctx)
		return err == nil && string(body) == "ok", nil
	}); err != nil {
		return nil, withLogTail(err, "kube-apiserver", apiLog)
	}
	o.Logf.printf("kubelocal: kube-apiserver ready after %s", time.Since(began).Round(time.Millisecond))

	// kube-controller-manager
	kcmLog := filepath.Join(logDir, "kube-controller-manager.log")
	if s.ControllerManagerPID, err = startProcess(bins.ControllerManager, []string{
		"--kubeconfig=" + kcmKubeconfig,
		"--leader-elect=false",
		"--secure-port=0",
		"--service-account-private-key-file=" + files.SAKey,
		"--root-ca-file=" + files.CACert,
		"--use-service-account-credentials=true",
		"--cluster-signing-cert-file=" + files.CACert,
		"--cluster-signing-key-file=" + files.CAKey,
		"--service-cluster-ip-range=" + serviceCIDR,
		// No kubelets: the node lifecycle controller would mark the fake
		// Nodes NotReady and taint them.
		"--controllers=*,-node-lifecycle-controller",
		"--concurrent-namespace-syncs=5",
		"--v=0",
	}, kcmLog, o.DieWithParent); err != nil {
		return nil, err
	}
	if err := s.save(); err != nil {
		return nil, err
	}

	if err := setupFlavor(ctx, cfg, s); err != nil {
		return nil, err
	}

	if err := waitFor(ctx, "kube-controller-manager (default ServiceAccount, aggregated roles)", func() (bool, error) {
		if !alive(s.ControllerManagerPID, bins.ControllerManager) {
			return false, &exitedError{"kube-controller-manager", tailFile(kcmLog, 30)}
		}
		if _, err := cs.CoreV1().ServiceAccounts("default").Get(ctx, "default", metav1.GetOptions{}); err != nil {
			if apierrors.IsNotFound(err) {
				return false, nil
			}
			return false, nil
		}
		admin, err := cs.RbacV1().ClusterRoles().Get(ctx, "admin", metav1.GetOptions{})
		return err == nil && len(admin.Rules) > 0, nil
	}); err != nil {
		return nil, withLogTail(err, "kube-controller-manager", kcmLog)
	}
	if err := s.save(); err != nil {
		return nil, err
	}
	o.Logf.printf("kubelocal: cluster %q (%s, %d nodes) up in %s; KUBECONFIG=%s",
		s.Name, s.Flavor, s.Nodes, time.Since(began).Round(time.Millisecond), s.Kubeconfig)
	return s, nil
}

// Down stops the cluster recorded in DIR (SIGTERM, then SIGKILL after
// grace; default 15s). It is idempotent: no state or dead processes is not
// an error.
func Down(ctx context.Context, dir string, grace time.Duration) error {
	s, err := LoadState(dir)
	if errors.Is(err, os.ErrNotExist) {
		return nil
	}
	if err != nil {
		return err
	}
	if grace <= 0 {
		grace = 15 * time.Second
	}
	if dl, ok := ctx.Deadline(); ok && time.Until(dl) < grace {
		grace = time.Until(dl)
	}
	err = s.stop(grace)
	if serr := s.save(); err == nil {
		err = serr
	}
	return err
}

func (s *State) stop(grace time.Duration) error {
	var errs []error
	// Controller-manager first, etcd last.
	for _, p := range []struct {
		pid *int
		bin string
	}{{&s.ControllerManagerPID, s.Binaries.ControllerManager}, {&s.APIServerPID, s.Binaries.APIServer}, {&s.EtcdPID, s.Binaries.Etcd}} {
		if err := stopProcess(*p.pid, p.bin, grace); err != nil {
			errs = append(errs, err)
			continue
		}
		*p.pid = 0
	}
	return errors.Join(errs...)
}

func writeKubeconfig(path, cluster, user, server string, ca, cert, key []byte) error {
	cfg := clientcmdapi.NewConfig()
	cfg.Clusters[cluster] = &clientcmdapi.Cluster{Server: server, CertificateAuthorityData: ca}
	cfg.AuthInfos[user] = &clientcmdapi.AuthInfo{ClientCertificateData: cert, ClientKeyData: key}
	cfg.Contexts[cluster] = &clientcmdapi.Context{Cluster: cluster, AuthInfo: user}
	cfg.CurrentContext = cluster
	return clientcmd.WriteToFile(*cfg, path)
}

// waitFor polls cond every 100ms until it returns true, an error, or ctx ends.
func waitFor(ctx context.Context, what string, cond func() (bool, error)) error {
	t := time.NewTicker(100 * time.Millisecond)
	defer t.Stop()
	for {
		ok, err := cond()
		if err != nil {
			return fmt.Errorf("kubelocal: waiting for %s: %w", what, err)
		}
		if ok {
			return nil
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("kubelocal: timed out waiting for %s: %w", what, ctx.Err())
		case <-t.C:
		}
	}
}

// withLogTail adds the end of a process's log to a start-up error, unless
// the error already carries it.
func withLogTail(err error, process, logPath string) error {
	var ee *exitedError
	if errors.As(err, &ee) {
		return err
	}
	return fmt.Errorf("%w\n--- %s.log ---\n%s", err, process, tailFile(logPath, 30))
}
