// Package agent is the cluster management agent of imported clusters
// (its endpoints are palette-local's own: internal/localapi/extras.go) and a runner that stands in for the kubelet on a local
// cluster: it starts one in-process agent per agent Deployment.
//
// The agent acts with its service account's own identity. It reads its
// ConfigMap and credential Secret, reports first contact, heartbeats with the
// nodes' facts, polls what it must converge to, deploys the manifest packs of
// attached add-on profiles and applies the cluster's namespace and RBAC
// entries (Full Permission only) and, when the cluster is deleted, removes
// exactly what the import manifest, its packs and its entries created.
package agent

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math"
	"sync"
	"sync/atomic"
	"time"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/wait"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/rest"

	"github.com/terraform-palette/terraform-provider-palette/internal/kube"
	"github.com/terraform-palette/terraform-provider-palette/internal/manifest"
	"github.com/terraform-palette/terraform-provider-palette/internal/palette"
	"github.com/terraform-palette/terraform-provider-palette/internal/wire"
)

// Defaults of Config.
const (
	DefaultPollInterval      = time.Second
	DefaultHeartbeatInterval = 10 * time.Second
	// statusResync bounds how long the agent goes without re-reporting pack
	// status, even when nothing changed.
	statusResync = 30 * time.Second
	// applyRetry is how long a pack whose apply failed waits before the agent
	// tries again with unchanged content.
	applyRetry = 10 * time.Second
	// removalWait bounds waiting for pack objects to disappear.
	removalWait = 2 * time.Minute
)

// Config configures an Agent.
type Config struct {
	// RESTConfig is the service account's own identity.
	RESTConfig *rest.Config
	// Namespace is the agent's namespace, cluster-<uid>.
	Namespace string
	// Logger receives the agent's logs; nil discards them.
	Logger *slog.Logger
	// PollInterval is how often the agent polls the desired state (default 1s).
	PollInterval time.Duration
	// Version is reported as the agent version.
	Version string
	// ConfigResync is how often the namespace and RBAC entries are applied
	// again when they did not change (default DefaultConfigResync).
	ConfigResync time.Duration
}

// Agent converges one cluster to what the Palette API wants.
type Agent struct {
	cfg  Config
	log  *slog.Logger
	kc   kubernetes.Interface
	ops  clusterOps
	info manifest.ClusterInfo

	mu      sync.Mutex
	token   string
	client  *palette.Client
	hbEvery atomic.Int64 // nanoseconds

	packs        map[packKey]*packState
	lastReported []wire.ClusterPackStatus
	reportedAt   time.Time
	reportedOnce bool
	prunedFor    string
	prunedAt     time.Time

	config configState
	scans  scanState

	// snap exports and restores the objects of backups; backups is what
	// the agent remembers of them between polls.
	snap    snapshotOps
	backups backupState

	removing atomic.Bool
	removed  atomic.Bool

	// newPalette builds the Palette client; tests replace it.
	newPalette func(info manifest.ClusterInfo, token, version string) (*palette.Client, error)
}

type packKey struct{ profileUID, name string }

type packState struct {
	hash    string
	status  wire.ClusterPackStatus
	retryAt time.Time
	refs    []kube.ObjectRef
}

// New builds an agent. It does no I/O; Run does.
func New(cfg Config) (*Agent, error) {
	if cfg.RESTConfig == nil {
		return nil, errors.New("agent: RESTConfig is required")
	}
	if cfg.Namespace == "" {
		return nil, errors.New("agent: Namespace is required")
	}
	if cfg.PollInterval <= 0 {
		cfg.PollInterval = DefaultPollInterval
	}
	if cfg.Version == "" {
		cfg.Version = "dev"
	}
	if cfg.ConfigResync <= 0 {
		cfg.ConfigResync = DefaultConfigResync
	}
	log := cfg.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	rc := rest.CopyConfig(cfg.RESTConfig)
	if rc.UserAgent == "" {
		rc.UserAgent = "palette-agent/" + cfg.Version
	}
	kc, err := kube.NewClientFromConfig(rc)
	if err != nil {
		return nil, fmt.Errorf("agent: %w", err)
	}
	a := &Agent{
		cfg:        cfg,
		log:        log.With("namespace", cfg.Namespace),
		kc:         kc.Kubernetes(),
		ops:        kc,
		snap:       kc,
		packs:      map[packKey]*packState{},
		newPalette: newPaletteClient,
	}
	a.hbEvery.Store(int64(DefaultHeartbeatInterval))
	return a, nil
}

func newPaletteClient(info manifest.ClusterInfo, token, version string) (*palette.Client, error) {
	c, err := palette.NewClient(palette.Config{
		Host:             info.Endpoint,
		AgentToken:       token,
		CACertificatePEM: info.CACert,
		Insecure:         info.Insecure,
		MaxRetries:       2,
		RetryWaitMax:     2 * time.Second,
		RequestTimeout:   20 * time.Second,
		UserAgent:        "palette-agent/" + version,
	})
	if err != nil {
		return nil, fmt.Errorf("building the Palette client: %w", err)
	}
	return c, nil
}

// Removing reports whether the agent has started removing itself.
func (a *Agent) Removing() bool { return a.removing.Load() }

// Removed reports whether the agent removed itself and told the API so.
func (a *Agent) Removed() bool { return a.removed.Load() }

// Run runs the agent until ctx ends (it returns nil) or the agent has
// removed itself (nil, and Removed reports true).
func (a *Agent) Run(ctx context.Context) error {
	if err := a.loadIdentity(ctx); err != nil {
		return nopIfDone(ctx, err)
	}
	a.log = a.log.With("cluster_uid", a.info.ClusterUID)
	a.log.Info("agent starting", "endpoint", a.info.Endpoint, "import_mode", modeName(a.info.ImportMode), "version", a.cfg.Version)

	if err := a.retry(ctx, "report first contact", func(ctx context.Context, c *palette.Client) error {
		return c.ReportImported(ctx, a.info.ClusterUID)
	}); err != nil {
		return nopIfDone(ctx, err)
	}
	a.log.Info("reported first contact")

	hbCtx, stopHB := context.WithCancel(ctx)
	var hbDone sync.WaitGroup
	hbDone.Add(1)
	go func() {
		defer hbDone.Done()
		a.heartbeatLoop(hbCtx)
	}()
	defer func() {
		stopHB()
		hbDone.Wait()
		a.scans.wg.Wait()
	}()

	ticker := time.NewTicker(a.cfg.PollInterval)
	defer ticker.Stop()
	for {
		done, err := a.poll(ctx)
		if err != nil && ctx.Err() == nil {
			a.log.Warn("poll failed", "error", err)
		}
		if done {
			return nil
		}
		select {
		case <-ctx.Done():
			a.log.Info("agent stopping")
			return nil
		case <-ticker.C:
		}
	}
}

func nopIfDone(ctx context.Context, err error) error {
	if ctx.Err() != nil {
		return nil
	}
	return err
}

func modeName(m string) string {
	if m == wire.ImportModeReadOnly {
		return m
	}
	return "full-permission"
}

// loadIdentity reads cluster-info and the credential secret, retrying with
// backoff until both are present and valid.
func (a *Agent) loadIdentity(ctx context.Context) error {
	return backoff(ctx, func() (bool, error) {
		info, err := a.readClusterInfo(ctx)
		if err != nil {
			a.log.Info("waiting for cluster-info", "error", err)
			return false, nil
		}
		tok, err := a.readToken(ctx)
		if err != nil {
			a.log.Info("waiting for the agent credential", "error", err)
			return false, nil
		}
		c, err := a.newPalette(info, tok, a.cfg.Version)
		if err != nil {
			a.log.Error("cannot build the Palette client", "error", err)
			return false, nil
		}
		a.mu.Lock()
		a.info, a.token, a.client = info, tok, c
		a.mu.Unlock()
		return true, nil
	})
}

func (a *Agent) readClusterInfo(ctx context.Context) (manifest.ClusterInfo, error) {
	cm, err := a.kc.CoreV1().ConfigMaps(a.cfg.Namespace).Get(ctx, manifest.AgentClusterInfoConfigMap, metav1.GetOptions{})
	if err != nil {
		return manifest.ClusterInfo{}, fmt.Errorf("reading config map %s/%s: %w", a.cfg.Namespace, manifest.AgentClusterInfoConfigMap, err)
	}
	info := manifest.ClusterInfoOf(cm.Data)
	if info.Endpoint == "" || info.ClusterUID == "" {
		return manifest.ClusterInfo{}, fmt.Errorf("config map %s/%s lacks %s or %s", a.cfg.Namespace, manifest.AgentClusterInfoConfigMap,
			manifest.ClusterInfoKeyEndpoint, manifest.ClusterInfoKeyClusterUID)
	}
	if want := manifest.AgentNamespace(info.ClusterUID); want != a.cfg.Namespace {
		return manifest.ClusterInfo{}, fmt.Errorf("cluster UID %s belongs to namespace %s, not %s", info.ClusterUID, want, a.cfg.Namespace)
	}
	return info, nil
}

func (a *Agent) readToken(ctx context.Context) (string, error) {
	s, err := a.kc.CoreV1().Secrets(a.cfg.Namespace).Get(ctx, manifest.AgentCredentialSecret, metav1.GetOptions{})
	if err != nil {
		return "", fmt.Errorf("reading secret %s/%s: %w", a.cfg.Namespace, manifest.AgentCredentialSecret, err)
	}
	tok := string(s.Data[manifest.AgentCredentialSecretKey])
	if tok == "" {
		tok = s.StringData[manifest.AgentCredentialSecretKey]
	}
	if tok == "" {
		return "", fmt.Errorf("secret %s/%s has no %q", a.cfg.Namespace, manifest.AgentCredentialSecret, manifest.AgentCredentialSecretKey)
	}
	return tok, nil
}

// palette returns the current Palette client.
func (a *Agent) palette() *palette.Client {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.client
}

// refreshToken re-reads the credential secret after a 401 (the credential
// changes when it was rotated in Palette and the new manifest applied) and
// rebuilds the client if it changed.
func (a *Agent) refreshToken(ctx context.Context) {
	tok, err := a.readToken(ctx)
	if err != nil {
		a.log.Warn("re-reading the agent credential failed", "error", err)
		return
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	if tok == a.token {
		return
	}
	c, err := a.newPalette(a.info, tok, a.cfg.Version)
	if err != nil {
		a.log.Error("cannot rebuild the Palette client", "error", err)
		return
	}
	a.token, a.client = tok, c
	a.log.Info("agent credential rotated")
}

// call runs one Palette call, re-reading the credential on a 401.
func (a *Agent) call(ctx context.Context, f func(context.Context, *palette.Client) error) error {
	err := f(ctx, a.palette())
	if errors.Is(err, palette.ErrUnauthorized) {
		a.refreshToken(ctx)
	}
	return err
}

// retry repeats a Palette call with backoff until it succeeds or ctx ends.
func (a *Agent) retry(ctx context.Context, what string, f func(context.Context, *palette.Client) error) error {
	return backoff(ctx, func() (bool, error) {
		if err := a.call(ctx, f); err != nil {
			if ctx.Err() == nil {
				a.log.Warn(what+" failed; retrying", "error", err)
			}
			return false, nil
		}
		return true, nil
	})
}

// retryBackoff spaces the attempts of backoff: 250ms doubling to 10s, each
// wait drawn between half of that and all of it (Jitter 1 draws between the
// Duration and twice it, so the Duration and Cap are halved).
var retryBackoff = wait.Backoff{Duration: 125 * time.Millisecond, Factor: 2, Jitter: 1, Cap: 5 * time.Second, Steps: math.MaxInt32}

// backoff calls f until it reports done or an error, waiting 250ms doubling
// to 10s (with jitter) between attempts. An error of f is returned as it
// is; the end of ctx as "agent: " wrapping ctx.Err().
func backoff(ctx context.Context, f func() (bool, error)) error {
	var fErr error
	err := retryBackoff.DelayFunc().Until(ctx, true, true, func(context.Context) (bool, error) {
		done, err := f()
		fErr = err
		return done, err
	})
	if err != nil && fErr == nil {
		return fmt.Errorf("agent: %w", err)
	}
	return err
}

func (a *Agent) heartbeatLoop(ctx context.Context) {
	for {
		a.heartbeat(ctx)
		t := time.NewTimer(time.Duration(a.hbEvery.Load()))
		select {
		case <-ctx.Done():
			t.Stop()
			return
		case <-t.C:
		}
	}
}

func (a *Agent) heartbeat(ctx context.Context) {
	hb := wire.Heartbeat{AgentVersion: a.cfg.Version}
	facts, err := a.ops.NodeFacts(ctx)
	if err != nil {
		if ctx.Err() != nil {
			return
		}
		a.log.Warn("reading node facts failed", "error", err)
		hb.Message = "reading node facts: " + err.Error()
	} else if facts != nil {
		hb.Metadata = wire.AgentMetadata{
			KubernetesVersion: facts.KubernetesVersion,
			Region:            facts.Region,
			InstanceTypes:     facts.InstanceTypes,
			NodeCount:         facts.NodeCount,
		}
	}
	if err := a.call(ctx, func(ctx context.Context, c *palette.Client) error {
		return c.Heartbeat(ctx, a.info.ClusterUID, hb)
	}); err != nil && ctx.Err() == nil {
		a.log.Warn("heartbeat failed", "error", err)
	}
}

// poll fetches the desired state and converges to it. done means the agent
// removed itself.
func (a *Agent) poll(ctx context.Context) (done bool, err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("agent: recovered from panic: %v", r)
		}
	}()
	var desired *wire.AgentDesired
	if err := a.call(ctx, func(ctx context.Context, c *palette.Client) error {
		d, err := c.GetAgentDesired(ctx, a.info.ClusterUID)
		desired = d
		return err
	}); err != nil {
		return false, fmt.Errorf("reading the desired state: %w", err)
	}
	if desired.HeartbeatIntervalSeconds > 0 {
		a.hbEvery.Store(int64(time.Duration(desired.HeartbeatIntervalSeconds) * time.Second))
	}
	if desired.Deleting {
		if err := a.removeSelf(ctx); err != nil {
			return false, err
		}
		return true, nil
	}
	if desired.ImportMode == wire.ImportModeReadOnly {
		return false, nil
	}
	a.reconcileScans(ctx, desired.ComplianceScan)
	// Namespaces first: packs and bindings may go into them.
	cfgErr := a.reconcileConfig(ctx, desired.Namespaces, desired.Rbacs)
	packErr := a.reconcilePacks(ctx, desired.Profiles)
	return false, errors.Join(cfgErr, packErr, a.runBackups(ctx))
}

func isGone(err error) bool { return apierrors.IsNotFound(err) }

// namespaceTerminating reports whether ns is being deleted.
func namespaceTerminating(ns *corev1.Namespace) bool {
	return ns.DeletionTimestamp != nil || ns.Status.Phase == corev1.NamespaceTerminating
}
