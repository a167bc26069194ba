package agent

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"sync"
	"sync/atomic"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/fields"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/types"
	utilnet "k8s.io/apimachinery/pkg/util/net"
	"k8s.io/client-go/informers"
	"k8s.io/client-go/rest"
	"k8s.io/client-go/tools/cache"

	"github.com/terraform-palette/terraform-provider-palette/internal/kube"
	"github.com/terraform-palette/terraform-provider-palette/internal/manifest"
)

// Defaults of the Runner.
const (
	DefaultTokenTTL = time.Hour
	// runnerResync is how often the runner reconciles without an event
	// (restarting failed agents, noticing terminating namespaces).
	runnerResync = 2 * time.Second
	// restartDelay is the pause before an agent that failed is started again.
	restartDelay = 5 * time.Second
)

// Runner stands in for the kubelet on a local cluster: for every agent
// Deployment (named cluster-management-agent-lite, in a namespace
// cluster-<uid>: the names a real Palette manifest uses; no label is
// needed) it runs an in-process Agent acting as the
// Deployment's service account, with a token from the TokenRequest API that
// it renews before expiry. It stops an agent when its Deployment goes away,
// but lets an agent that is removing itself finish. It never touches
// Deployment status.
type Runner struct {
	// PollInterval is given to every agent (0: DefaultPollInterval).
	PollInterval time.Duration
	// ConfigResync is given to every agent (0: DefaultConfigResync).
	ConfigResync time.Duration
	// TokenTTL is the lifetime asked for agent tokens (0: DefaultTokenTTL;
	// the API server enforces at least 10 minutes).
	TokenTTL time.Duration
	// Version is the agent version reported in heartbeats.
	Version string

	base *rest.Config
	log  *slog.Logger

	mu     sync.Mutex
	agents map[string]*managed
	kick   chan struct{}
}

type managed struct {
	ns       string
	depUID   types.UID
	agent    *Agent
	cancel   context.CancelFunc
	done     chan struct{}
	exited   atomic.Bool
	err      error
	exitedAt time.Time
}

// NewRunner builds a runner that reads Deployments and requests tokens with
// base (an identity allowed to do so, e.g. the cluster admin).
func NewRunner(base *rest.Config, logger *slog.Logger) *Runner {
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	return &Runner{
		base:   base,
		log:    logger,
		agents: map[string]*managed{},
		kick:   make(chan struct{}, 1),
	}
}

// RunRunner loads the kubeconfig at kubeconfigPath and runs a Runner until
// ctx ends.
func RunRunner(ctx context.Context, kubeconfigPath string, logger *slog.Logger) error {
	cfg, err := kube.Access{ConfigPath: kubeconfigPath}.RESTConfig()
	if err != nil {
		return fmt.Errorf("agent runner: %w", err)
	}
	return NewRunner(cfg, logger).Run(ctx)
}

// Run watches agent Deployments until ctx ends, then stops every agent.
func (r *Runner) Run(ctx context.Context) error {
	if r.base == nil {
		return errors.New("agent runner: nil rest.Config")
	}
	kc, err := kube.NewClientFromConfig(r.base)
	if err != nil {
		return fmt.Errorf("agent runner: %w", err)
	}
	factory := informers.NewSharedInformerFactoryWithOptions(kc.Kubernetes(), 30*time.Second,
		informers.WithTweakListOptions(func(o *metav1.ListOptions) {
			o.FieldSelector = fields.OneTermEqualSelector("metadata.name", manifest.AgentDeployment).String()
		}))
	inf := factory.Apps().V1().Deployments()
	kick := func() {
		select {
		case r.kick <- struct{}{}:
		default:
		}
	}
	if _, err := inf.Informer().AddEventHandler(cache.ResourceEventHandlerFuncs{
		AddFunc:    func(any) { kick() },
		UpdateFunc: func(any, any) { kick() },
		DeleteFunc: func(any) { kick() },
	}); err != nil {
		return fmt.Errorf("agent runner: watching deployments: %w", err)
	}
	lister := inf.Lister()
	stop := make(chan struct{})
	factory.Start(stop)
	defer func() {
		close(stop)
		factory.Shutdown()
		r.stopAll()
	}()
	r.log.Info("agent runner started", "host", r.base.Host)
	if !cache.WaitForCacheSync(ctx.Done(), inf.Informer().HasSynced) {
		return nil // ctx ended first
	}

	ticker := time.NewTicker(runnerResync)
	defer ticker.Stop()
	for {
		deps, err := lister.List(labels.Everything())
		if err != nil {
			r.log.Warn("listing agent deployments failed", "error", err)
		} else {
			r.reconcile(ctx, kc, deps)
		}
		select {
		case <-ctx.Done():
			r.log.Info("agent runner stopping")
			return nil
		case <-r.kick:
		case <-ticker.C:
		}
	}
}

func (r *Runner) reconcile(ctx context.Context, kc *kube.Client, deps []*appsv1.Deployment) {
	desired := map[string]*appsv1.Deployment{}
	for _, d := range deps {
		if _, ok := manifest.ClusterUIDOf(d.Namespace); ok && d.Name == manifest.AgentDeployment {
			desired[d.Namespace] = d
		}
	}
	r.mu.Lock()
	var toStop []*managed
	for ns, m := range r.agents {
		d, ok := desired[ns]
		switch {
		case m.exited.Load() && (!ok || m.agent.Removed()):
			// Finished: forget it once its Deployment is gone; while the
			// Deployment lingers (terminating namespace) keep it so that it
			// is not started again.
			if !ok {
				delete(r.agents, ns)
			}
		case m.exited.Load():
			if d.UID != m.depUID || time.Since(m.exitedAt) > restartDelay {
				delete(r.agents, ns)
			}
		case !ok || d.UID != m.depUID:
			if m.agent.Removing() {
				continue // let it finish and report its removal
			}
			toStop = append(toStop, m)
			delete(r.agents, ns)
		}
	}
	var toStart []*appsv1.Deployment
	for ns, d := range desired {
		if _, ok := r.agents[ns]; !ok && d.DeletionTimestamp == nil {
			toStart = append(toStart, d)
		}
	}
	r.mu.Unlock()

	for _, m := range toStop {
		r.log.Info("stopping agent: its deployment is gone", "namespace", m.ns)
		m.cancel()
		<-m.done
	}
	for _, d := range toStart {
		if err := r.start(ctx, kc, d); err != nil && ctx.Err() == nil {
			r.log.Warn("cannot start agent yet", "namespace", d.Namespace, "error", err)
		}
	}
}

func (r *Runner) start(ctx context.Context, kc *kube.Client, d *appsv1.Deployment) error {
	ns := d.Namespace
	nsObj, err := kc.Kubernetes().CoreV1().Namespaces().Get(ctx, ns, metav1.GetOptions{})
	if err != nil {
		return fmt.Errorf("reading namespace: %w", err)
	}
	if namespaceTerminating(nsObj) {
		return nil
	}
	sa := d.Spec.Template.Spec.ServiceAccountName
	if sa == "" {
		sa = "default"
	}
	ttl := r.TokenTTL
	if ttl <= 0 {
		ttl = DefaultTokenTTL
	}
	tok, err := kc.ServiceAccountToken(ctx, ns, sa, ttl)
	if err != nil {
		return err
	}
	holder := &atomic.Pointer[string]{}
	holder.Store(&tok)
	cfg := kube.ConfigForToken(r.base, tok)
	cfg.WrapTransport = func(rt http.RoundTripper) http.RoundTripper { return &tokenRoundTripper{rt: rt, token: holder} }

	a, err := New(Config{RESTConfig: cfg, Namespace: ns, Logger: r.log.With("component", "agent"), PollInterval: r.PollInterval,
		ConfigResync: r.ConfigResync, Version: r.Version})
	if err != nil {
		return err
	}
	actx, cancel := context.WithCancel(ctx)
	m := &managed{ns: ns, depUID: d.UID, agent: a, cancel: cancel, done: make(chan struct{})}
	r.mu.Lock()
	if _, dup := r.agents[ns]; dup {
		r.mu.Unlock()
		cancel()
		return nil
	}
	r.agents[ns] = m
	r.mu.Unlock()

	r.log.Info("starting agent", "namespace", ns, "service_account", sa)
	go r.renewToken(actx, kc, ns, sa, ttl, holder)
	go func() {
		defer close(m.done)
		defer cancel()
		err := a.Run(actx)
		if err != nil {
			r.log.Warn("agent exited with an error", "namespace", ns, "error", err)
		}
		r.mu.Lock()
		m.err, m.exitedAt = err, time.Now()
		r.mu.Unlock()
		m.exited.Store(true)
		select {
		case r.kick <- struct{}{}:
		default:
		}
	}()
	return nil
}

// renewToken asks for a new token when two thirds of the lifetime passed.
func (r *Runner) renewToken(ctx context.Context, kc *kube.Client, ns, sa string, ttl time.Duration, holder *atomic.Pointer[string]) {
	next := ttl * 2 / 3
	for {
		t := time.NewTimer(next)
		select {
		case <-ctx.Done():
			t.Stop()
			return
		case <-t.C:
		}
		tok, err := kc.ServiceAccountToken(ctx, ns, sa, ttl)
		if err != nil {
			if ctx.Err() != nil {
				return
			}
			r.log.Warn("renewing the agent token failed; retrying", "namespace", ns, "error", err)
			next = 10 * time.Second
			continue
		}
		holder.Store(&tok)
		next = ttl * 2 / 3
	}
}

func (r *Runner) stopAll() {
	r.mu.Lock()
	ms := make([]*managed, 0, len(r.agents))
	for _, m := range r.agents {
		ms = append(ms, m)
	}
	r.agents = map[string]*managed{}
	r.mu.Unlock()
	for _, m := range ms {
		m.cancel()
		<-m.done
	}
}

// tokenRoundTripper sets the current service account token on every request,
// so that a renewed token takes effect without rebuilding clients.
type tokenRoundTripper struct {
	rt    http.RoundTripper
	token *atomic.Pointer[string]
}

func (t *tokenRoundTripper) RoundTrip(req *http.Request) (*http.Response, error) {
	req = utilnet.CloneRequest(req)
	req.Header.Set("Authorization", "Bearer "+*t.token.Load())
	return t.rt.RoundTrip(req) //nolint:wrapcheck // a transport passes errors through
}

// WrappedRoundTripper lets client-go see through the wrapper.
func (t *tokenRoundTripper) WrappedRoundTripper() http.RoundTripper { return t.rt }
