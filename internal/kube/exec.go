package kube

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"sync"
	"sync/atomic"
	"time"

	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/runtime/serializer"
	utilnet "k8s.io/apimachinery/pkg/util/net"
	clientauthenticationapi "k8s.io/client-go/pkg/apis/clientauthentication"
	"k8s.io/client-go/pkg/apis/clientauthentication/install"
	clientauthenticationv1 "k8s.io/client-go/pkg/apis/clientauthentication/v1"
	clientauthenticationv1beta1 "k8s.io/client-go/pkg/apis/clientauthentication/v1beta1"
	"k8s.io/client-go/rest"
	clientcmdapi "k8s.io/client-go/tools/clientcmd/api"
	"k8s.io/client-go/util/connrotation"
)

// Exec credential plugins (the kubeconfig "exec" user, or Access.Exec) are
// run by this package, not by client-go: client-go runs a plugin with
// exec.Command, without a context, and holds its authenticator's lock (and
// so every request of every client with that configuration) until the
// plugin exits; a plugin that never exits outlived the plan, and its
// process was left behind. Here a plugin runs under the context of the
// request that needs credentials, in a process group of its own: when that
// context ends (the request's timeout, the end of the plan's RPC, the
// provider noticing Terraform is gone), the whole group is killed; on
// Linux the plugin is also killed if the provider process dies (parent
// death signal). Requests waiting for another request's run give up when
// their own context ends.
//
// The protocol is client-go's (k8s.io/client-go/plugin/pkg/client/auth/exec):
// the same KUBERNETES_EXEC_INFO input, the same ExecCredential output (a
// token, or a client certificate and key), credentials cached until their
// expirationTimestamp or a 401, and one plugin state shared by the clients
// made from the same configuration.

// maxExecOutputBytes bounds what is read of a plugin's output: a credential
// is a few KiB.
const maxExecOutputBytes = 1 << 20

// execKillGrace is how long, once a plugin is killed, the run waits for its
// output pipes to close (a process outside its group may hold them).
const execKillGrace = 2 * time.Second

var (
	execScheme   = runtime.NewScheme()
	execCodecs   = serializer.NewCodecFactory(execScheme)
	execVersions = map[string]schema.GroupVersion{
		clientauthenticationv1beta1.SchemeGroupVersion.String(): clientauthenticationv1beta1.SchemeGroupVersion,
		clientauthenticationv1.SchemeGroupVersion.String():      clientauthenticationv1.SchemeGroupVersion,
	}
)

func init() { install.Install(execScheme) }

// execPlugins are the plugin states by configuration, shared by the
// clients made from one configuration (as client-go shares its
// authenticators), so that each new client does not run the plugin again.
var execPlugins sync.Map // string → *execPlugin

// execPlugin is one plugin configuration and its cached credentials.
type execPlugin struct {
	cmd     string
	args    []string
	env     []string
	group   schema.GroupVersion
	cluster *clientauthenticationapi.Cluster // given to the plugin when it asks (provideClusterInfo)
	always  bool                             // interactiveMode Always: the plugin needs a terminal
	hint    string                           // installHint

	// running is held while the plugin runs; a channel, so that a request
	// waiting for another's run gives up when its own context ends.
	running chan struct{}
	mu      sync.Mutex // guards creds
	creds   *execCreds
	// cert is the client certificate TLS handshakes present (nil: none).
	cert    atomic.Pointer[tls.Certificate]
	tracker *connrotation.ConnectionTracker
}

// execCreds are the credentials of one run.
type execCreds struct {
	token string
	cert  *tls.Certificate
	exp   time.Time // zero: no expiry
}

// useExecPlugin makes cfg's exec plugin run by this package: cfg loses its
// ExecProvider and gains a transport wrapper that adds the plugin's
// credentials to each request. It also gives cfg a Proxy, when it has none,
// so that client-go makes the client its own transport instead of sharing
// a cached one: the wrapper sets the TLS client certificate of that
// transport, which must then be the client's alone.
func useExecPlugin(cfg *rest.Config) error {
	if cfg.AuthProvider != nil {
		return errors.New("kube: an exec plugin and an auth provider cannot both be configured")
	}
	ec := cfg.ExecProvider
	group, ok := execVersions[ec.APIVersion]
	if !ok {
		return fmt.Errorf("kube: exec plugin: invalid apiVersion %q", ec.APIVersion)
	}
	var cluster *clientauthenticationapi.Cluster
	if ec.ProvideClusterInfo {
		var err error
		if cluster, err = rest.ConfigToExecCluster(cfg); err != nil {
			return fmt.Errorf("kube: exec plugin: %w", err)
		}
	}
	p, err := sharedExecPlugin(ec, group, cluster)
	if err != nil {
		return err
	}
	cfg.ExecProvider = nil
	if cfg.Proxy == nil {
		cfg.Proxy = http.ProxyFromEnvironment
	}
	outer := cfg.WrapTransport
	cfg.WrapTransport = func(rt http.RoundTripper) http.RoundTripper {
		rt = p.wrap(rt)
		if outer != nil {
			rt = outer(rt)
		}
		return rt
	}
	return nil
}

// sharedExecPlugin returns the plugin state of a configuration, made once.
func sharedExecPlugin(ec *clientcmdapi.ExecConfig, group schema.GroupVersion, cluster *clientauthenticationapi.Cluster) (*execPlugin, error) {
	key, err := json.Marshal(struct {
		Exec    *clientcmdapi.ExecConfig
		Cluster *clientauthenticationapi.Cluster
	}{ec, cluster})
	if err != nil {
		return nil, fmt.Errorf("kube: exec plugin: %w", err)
	}
	if p, ok := execPlugins.Load(string(key)); ok {
		return p.(*execPlugin), nil //nolint:forcetypeassert // only *execPlugin is stored.
	}
	p := &execPlugin{
		cmd:     ec.Command,
		args:    append([]string(nil), ec.Args...),
		group:   group,
		cluster: cluster,
		always:  ec.InteractiveMode == clientcmdapi.AlwaysExecInteractiveMode,
		hint:    ec.InstallHint,
		running: make(chan struct{}, 1),
		tracker: connrotation.NewConnectionTracker(),
	}
	for _, e := range ec.Env {
		p.env = append(p.env, e.Name+"="+e.Value)
	}
	actual, _ := execPlugins.LoadOrStore(string(key), p)
	return actual.(*execPlugin), nil //nolint:forcetypeassert // only *execPlugin is stored.
}

// wrap puts the plugin's credentials on requests sent through rt. When rt
// is the client's own *http.Transport (useExecPlugin sees to it), its TLS
// handshakes present the plugin's client certificate, and its connections
// are closed when the certificate changes.
func (p *execPlugin) wrap(rt http.RoundTripper) http.RoundTripper {
	certs := false
	if tr, ok := rt.(*http.Transport); ok {
		if tr.TLSClientConfig == nil {
			tr.TLSClientConfig = &tls.Config{MinVersion: tls.VersionTLS12}
		}
		tc := tr.TLSClientConfig
		static, prev := tc.Certificates, tc.GetClientCertificate
		tc.GetClientCertificate = func(info *tls.CertificateRequestInfo) (*tls.Certificate, error) {
			if c := p.currentCert(); c != nil {
				return c, nil
			}
			if prev != nil {
				return prev(info)
			}
			if len(static) > 0 {
				return &static[0], nil
			}
			return &tls.Certificate{}, nil
		}
		dial := tr.DialContext
		if dial == nil {
			dial = (&net.Dialer{Timeout: 30 * time.Second, KeepAlive: 30 * time.Second}).DialContext
		}
		tr.DialContext = connrotation.NewDialerWithTracker(dial, p.tracker).DialContext
		certs = true
	}
	return &execRoundTripper{plugin: p, base: rt, certs: certs}
}

type execRoundTripper struct {
	plugin *execPlugin
	base   http.RoundTripper
	certs  bool // the transport can present a client certificate
}

func (rt *execRoundTripper) RoundTrip(req *http.Request) (*http.Response, error) {
	// Credentials set otherwise win, as in client-go.
	if req.Header.Get("Authorization") != "" {
		return rt.base.RoundTrip(req)
	}
	creds, err := rt.plugin.get(req.Context())
	if err != nil {
		return nil, fmt.Errorf("getting credentials: %w", err)
	}
	if creds.cert != nil && !rt.certs {
		return nil, fmt.Errorf("getting credentials: exec: %s returned a client certificate, which this client cannot present", rt.plugin.cmd)
	}
	if creds.token != "" {
		req = utilnet.CloneRequest(req)
		req.Header.Set("Authorization", "Bearer "+creds.token)
	}
	res, err := rt.base.RoundTrip(req)
	if err != nil {
		return nil, err
	}
	if res.StatusCode == http.StatusUnauthorized {
		rt.plugin.forget(creds) // the next request runs the plugin again
	}
	return res, nil
}

// WrappedRoundTripper is the transport under the plugin's.
func (rt *execRoundTripper) WrappedRoundTripper() http.RoundTripper { return rt.base }

// get returns the cached credentials, or runs the plugin under ctx.
func (p *execPlugin) get(ctx context.Context) (*execCreds, error) {
	if c := p.cached(); c != nil {
		return c, nil
	}
	select {
	case p.running <- struct{}{}:
	case <-ctx.Done():
		return nil, fmt.Errorf("exec: waiting for %s, which another request runs: %w", p.cmd, context.Cause(ctx))
	}
	defer func() { <-p.running }()
	if c := p.cached(); c != nil {
		return c, nil // the run waited for got them
	}
	c, err := p.run(ctx)
	if err != nil {
		return nil, err
	}
	p.mu.Lock()
	p.creds = c
	p.mu.Unlock()
	if old := p.cert.Swap(c.cert); old != nil && (c.cert == nil || !bytes.Equal(old.Certificate[0], c.cert.Certificate[0])) {
		p.tracker.CloseAll() // connections made with the old certificate
	}
	return c, nil
}

// cached returns the cached credentials unless they expired.
func (p *execPlugin) cached() *execCreds {
	p.mu.Lock()
	defer p.mu.Unlock()
	if c := p.creds; c != nil && (c.exp.IsZero() || time.Now().Before(c.exp)) {
		return c
	}
	return nil
}

// forget drops c, if it is still the cached credentials.
func (p *execPlugin) forget(c *execCreds) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.creds == c {
		p.creds = nil
	}
}

// currentCert is the client certificate of the last run, if any: a TLS
// handshake happens after its request got credentials, and never runs the
// plugin itself.
func (p *execPlugin) currentCert() *tls.Certificate { return p.cert.Load() }

// run runs the plugin once, under ctx, and reads its credentials.
func (p *execPlugin) run(ctx context.Context) (*execCreds, error) {
	if p.always {
		return nil, errors.New("exec plugin cannot support interactive mode: standard input is not a terminal")
	}
	in := &clientauthenticationapi.ExecCredential{Spec: clientauthenticationapi.ExecCredentialSpec{Interactive: false, Cluster: p.cluster}}
	data, err := runtime.Encode(execCodecs.LegacyCodec(p.group), in)
	if err != nil {
		return nil, fmt.Errorf("encode ExecCredentials: %w", err)
	}
	cmd := exec.CommandContext(ctx, p.cmd, p.args...)
	cmd.Env = append(append(os.Environ(), p.env...), "KUBERNETES_EXEC_INFO="+string(data))
	cmd.Stderr = os.Stderr // as client-go: the provider's stderr goes to Terraform's log
	var stdout limitedBuffer
	stdout.limit = maxExecOutputBytes
	cmd.Stdout = &stdout
	cmd.WaitDelay = execKillGrace
	ownProcessGroup(cmd)
	if err := runBound(cmd); err != nil {
		if ctx.Err() != nil {
			return nil, fmt.Errorf("exec: %s was killed, as it had not answered when the request ended: %w", p.cmd, context.Cause(ctx))
		}
		var execErr *exec.Error
		var exitErr *exec.ExitError
		switch {
		case errors.As(err, &execErr):
			msg := fmt.Sprintf("exec: executable %s not found", p.cmd)
			if p.hint != "" {
				msg += "\n\n" + p.hint
			}
			return nil, errors.New(msg)
		case errors.As(err, &exitErr):
			return nil, fmt.Errorf("exec: executable %s failed with exit code %d", p.cmd, exitErr.ExitCode())
		}
		return nil, fmt.Errorf("exec: %w", err)
	}
	if stdout.over {
		return nil, fmt.Errorf("exec: %s wrote more than %d MiB: no credential is that large", p.cmd, maxExecOutputBytes>>20)
	}
	out := &clientauthenticationapi.ExecCredential{}
	_, gvk, err := execCodecs.UniversalDecoder(p.group).Decode(stdout.Bytes(), nil, out)
	if err != nil {
		return nil, fmt.Errorf("decoding stdout: %w", err)
	}
	if gvk.Group != p.group.Group || gvk.Version != p.group.Version {
		return nil, fmt.Errorf("exec plugin is configured to use API version %s, plugin returned version %s",
			p.group, schema.GroupVersion{Group: gvk.Group, Version: gvk.Version})
	}
	st := out.Status
	switch {
	case st == nil:
		return nil, errors.New("exec plugin didn't return a status field")
	case st.Token == "" && st.ClientCertificateData == "" && st.ClientKeyData == "":
		return nil, errors.New("exec plugin didn't return a token or cert/key pair")
	case (st.ClientCertificateData == "") != (st.ClientKeyData == ""):
		return nil, errors.New("exec plugin returned only certificate or key, not both")
	}
	c := &execCreds{token: st.Token}
	if st.ExpirationTimestamp != nil {
		c.exp = st.ExpirationTimestamp.Time
	}
	if st.ClientCertificateData != "" {
		cert, err := tls.X509KeyPair([]byte(st.ClientCertificateData), []byte(st.ClientKeyData))
		if err != nil {
			return nil, fmt.Errorf("failed parsing client key/certificate: %w", err)
		}
		if cert.Leaf, err = x509.ParseCertificate(cert.Certificate[0]); err != nil {
			return nil, fmt.Errorf("failed parsing client leaf certificate: %w", err)
		}
		c.cert = &cert
	}
	return c, nil
}

// limitedBuffer keeps the first limit bytes written to it, and notes that
// more came (the writes still succeed, so the plugin is not killed by a
// broken pipe and its exit status is kept). It has no ReadFrom: io.Copy
// must go through Write.
type limitedBuffer struct {
	buf   bytes.Buffer
	limit int
	over  bool
}

func (b *limitedBuffer) Write(p []byte) (int, error) {
	if room := b.limit - b.buf.Len(); len(p) > room {
		b.over = true
		if room > 0 {
			b.buf.Write(p[:room])
		}
		return len(p), nil
	}
	return b.buf.Write(p)
}

func (b *limitedBuffer) Bytes() []byte { return b.buf.Bytes() }
