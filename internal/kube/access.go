package kube

import (
	"errors"
	"fmt"
	"io/fs"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"k8s.io/client-go/rest"
	"k8s.io/client-go/tools/clientcmd"
	clientcmdapi "k8s.io/client-go/tools/clientcmd/api"
)

// DefaultExecAPIVersion is the client.authentication.k8s.io version used for
// an exec plugin when ExecConfig.APIVersion is empty.
const DefaultExecAPIVersion = "client.authentication.k8s.io/v1beta1"

// ExecConfig is a client-go credential plugin (the kubeconfig "exec" user),
// e.g. `aws eks get-token`.
type ExecConfig struct {
	APIVersion string
	Command    string
	Args       []string
	Env        map[string]string
}

// Access is what a user gives to reach a cluster: a kubeconfig (file or
// content, with an optional context) whose values the explicit fields
// override, or the explicit fields alone. The zero value means "nothing
// given" (see IsZero).
type Access struct {
	// ConfigPath is a kubeconfig file; a leading "~" is the home directory.
	ConfigPath string
	// ConfigContext selects a context of the kubeconfig (default: its
	// current-context).
	ConfigContext string
	// ConfigContent is a whole kubeconfig (e.g. from a write-only attribute).
	// It takes precedence over ConfigPath.
	ConfigContent string

	Host                 string
	ClusterCACertificate string // PEM
	Token                string
	ClientCertificate    string // PEM
	ClientKey            string // PEM
	Insecure             bool
	Exec                 *ExecConfig
	ProxyURL             string
}

// IsZero reports whether nothing at all was given.
func (a Access) IsZero() bool {
	return a.ConfigPath == "" && a.ConfigContext == "" && a.ConfigContent == "" &&
		a.Host == "" && a.ClusterCACertificate == "" && a.Token == "" &&
		a.ClientCertificate == "" && a.ClientKey == "" && !a.Insecure &&
		a.Exec == nil && a.ProxyURL == ""
}

// String describes the access without its secrets, so that printing an
// Access by mistake leaks nothing.
func (a Access) String() string {
	var parts []string
	add := func(k, v string) {
		if v != "" {
			parts = append(parts, k+"="+v)
		}
	}
	secret := func(v string) string {
		if v == "" {
			return ""
		}
		return "(sensitive)"
	}
	add("config_path", a.ConfigPath)
	add("config_context", a.ConfigContext)
	add("config_content", secret(a.ConfigContent))
	add("host", a.Host)
	add("cluster_ca_certificate", secret(a.ClusterCACertificate))
	add("token", secret(a.Token))
	add("client_certificate", secret(a.ClientCertificate))
	add("client_key", secret(a.ClientKey))
	if a.Insecure {
		add("insecure", "true")
	}
	if a.Exec != nil {
		add("exec", a.Exec.Command)
	}
	add("proxy_url", redactURL(a.ProxyURL))
	return "kube.Access{" + strings.Join(parts, " ") + "}"
}

// GoString is String, for %#v.
func (a Access) GoString() string { return a.String() }

// ErrNoAccess is returned by RESTConfig when nothing names a cluster.
var ErrNoAccess = errors.New("kube: no cluster access configured: give a kubeconfig (path or content) or a host")

// RESTConfig builds the client-go configuration, following the Kubernetes
// provider: a kubeconfig (file or content) loaded with clientcmd, the
// explicit fields applied as overrides; or the explicit fields alone. It does
// not touch the network. Errors name what is wrong and never carry secrets.
func (a Access) RESTConfig() (*rest.Config, error) {
	cfg, err := a.restConfig()
	if err != nil {
		return nil, redactErr(err, a.secrets()...)
	}
	return cfg, nil
}

func (a Access) restConfig() (*rest.Config, error) {
	if a.IsZero() {
		return nil, ErrNoAccess
	}
	if a.ProxyURL != "" {
		if _, err := url.Parse(a.ProxyURL); err != nil {
			return nil, fmt.Errorf("kube: proxy URL is not a valid URL")
		}
	}
	if a.ConfigContent == "" && a.ConfigPath == "" {
		if a.ConfigContext != "" {
			return nil, fmt.Errorf("kube: config context %q given without a kubeconfig (path or content)", a.ConfigContext)
		}
		return a.explicitConfig()
	}

	var (
		raw    *clientcmdapi.Config
		source string
	)
	if a.ConfigContent != "" {
		source = "kubeconfig content"
		c, err := clientcmd.Load([]byte(a.ConfigContent))
		if err != nil {
			return nil, fmt.Errorf("kube: malformed %s: %w", source, err)
		}
		raw = c
	} else {
		path, err := expandHome(a.ConfigPath)
		if err != nil {
			return nil, err
		}
		source = fmt.Sprintf("kubeconfig %s", path)
		data, err := readAccessFile(path, MaxKubeconfigBytes)
		var problem *fileProblem
		switch {
		case errors.Is(err, fs.ErrNotExist):
			return nil, fmt.Errorf("kube: kubeconfig file %s not found: %w", path, err)
		case errors.As(err, &problem):
			return nil, &FileError{Path: path, Err: err}
		case err != nil:
			return nil, fmt.Errorf("kube: read kubeconfig file %s: %w", path, err)
		}
		c, err := clientcmd.Load(data)
		if err != nil {
			return nil, fmt.Errorf("kube: malformed %s: %w", source, err)
		}
		// Relative certificate paths in the file are relative to the file
		// (clientcmd.LoadFromFile records where each entry comes from;
		// Load does not).
		for _, cl := range c.Clusters {
			cl.LocationOfOrigin = path
		}
		for _, ai := range c.AuthInfos {
			ai.LocationOfOrigin = path
		}
		if err := clientcmd.ResolveLocalPaths(c); err != nil {
			return nil, fmt.Errorf("kube: %s: %w", source, err)
		}
		raw = c
	}

	ctxName := raw.CurrentContext
	if a.ConfigContext != "" {
		ctxName = a.ConfigContext
	}
	if ctxName == "" {
		if a.Host == "" {
			return nil, fmt.Errorf("kube: %s has no current-context and no config context was given (contexts: %s)", source, contextNames(raw))
		}
	} else if kctx, ok := raw.Contexts[ctxName]; !ok {
		return nil, fmt.Errorf("kube: context %q not found in %s (contexts: %s)", ctxName, source, contextNames(raw))
	} else if cl := raw.Clusters[kctx.Cluster]; a.Host == "" && (cl == nil || cl.Server == "") {
		if cl == nil {
			return nil, fmt.Errorf("kube: no host: context %q of %s names cluster %q, which is not in the file, and no host was given", ctxName, source, kctx.Cluster)
		}
		return nil, fmt.Errorf("kube: no host: cluster %q (context %q) of %s has no server and no host was given", kctx.Cluster, ctxName, source)
	}

	if err := loadReferencedFiles(raw, ctxName, source); err != nil {
		return nil, err
	}

	overrides := &clientcmd.ConfigOverrides{CurrentContext: ctxName}
	if a.Host != "" {
		overrides.ClusterInfo.Server = a.Host
	}
	if a.ClusterCACertificate != "" {
		overrides.ClusterInfo.CertificateAuthorityData = []byte(a.ClusterCACertificate)
	}
	if a.Insecure {
		overrides.ClusterInfo.InsecureSkipTLSVerify = true
	}
	if a.ProxyURL != "" {
		overrides.ClusterInfo.ProxyURL = a.ProxyURL
	}
	if a.Token != "" {
		overrides.AuthInfo.Token = a.Token
	}
	if a.ClientCertificate != "" {
		overrides.AuthInfo.ClientCertificateData = []byte(a.ClientCertificate)
	}
	if a.ClientKey != "" {
		overrides.AuthInfo.ClientKeyData = []byte(a.ClientKey)
	}
	if a.Exec != nil {
		ec, err := a.Exec.toClientcmd()
		if err != nil {
			return nil, err
		}
		overrides.AuthInfo.Exec = ec
	}
	cfg, err := clientcmd.NewNonInteractiveClientConfig(*raw, ctxName, overrides, nil).ClientConfig()
	if err != nil {
		return nil, fmt.Errorf("kube: invalid %s: %w", source, err)
	}
	if cfg.Host == "" {
		return nil, fmt.Errorf("kube: no host: context %q of %s names no server and no host was given", ctxName, source)
	}
	switch {
	case a.Insecure:
		// client-go refuses a CA together with insecure; insecure wins.
		cfg.CAData, cfg.CAFile = nil, ""
	case a.ClusterCACertificate != "":
		// A CA given explicitly means "verify with it", even if the
		// kubeconfig said insecure-skip-tls-verify.
		cfg.Insecure = false
	}
	return cfg, nil
}

func (a Access) explicitConfig() (*rest.Config, error) {
	if a.Host == "" {
		return nil, errors.New("kube: no host: give a host (with a CA certificate and credentials) or a kubeconfig")
	}
	if (a.ClientCertificate == "") != (a.ClientKey == "") {
		return nil, errors.New("kube: client certificate and client key must be given together")
	}
	cfg := &rest.Config{
		Host:        a.Host,
		BearerToken: a.Token,
		TLSClientConfig: rest.TLSClientConfig{
			Insecure: a.Insecure,
			CertData: []byte(a.ClientCertificate),
			KeyData:  []byte(a.ClientKey),
		},
	}
	if !a.Insecure && a.ClusterCACertificate != "" {
		cfg.CAData = []byte(a.ClusterCACertificate)
	}
	if len(cfg.CertData) == 0 {
		cfg.CertData, cfg.KeyData = nil, nil
	}
	if a.Exec != nil {
		ec, err := a.Exec.toClientcmd()
		if err != nil {
			return nil, err
		}
		cfg.ExecProvider = ec
	}
	if a.ProxyURL != "" {
		u, err := url.Parse(a.ProxyURL)
		if err != nil {
			return nil, errors.New("kube: proxy URL is not a valid URL")
		}
		cfg.Proxy = http.ProxyURL(u)
	}
	// Validate the host the way clientcmd would.
	if _, _, err := rest.DefaultServerUrlFor(cfg); err != nil {
		return nil, fmt.Errorf("kube: invalid host %q: %w", a.Host, err)
	}
	return cfg, nil
}

func (e *ExecConfig) toClientcmd() (*clientcmdapi.ExecConfig, error) {
	if e.Command == "" {
		return nil, errors.New("kube: exec plugin has no command")
	}
	apiVersion := e.APIVersion
	if apiVersion == "" {
		apiVersion = DefaultExecAPIVersion
	}
	ec := &clientcmdapi.ExecConfig{
		APIVersion:      apiVersion,
		Command:         e.Command,
		Args:            append([]string(nil), e.Args...),
		InteractiveMode: clientcmdapi.NeverExecInteractiveMode,
	}
	names := make([]string, 0, len(e.Env))
	for k := range e.Env {
		names = append(names, k)
	}
	sort.Strings(names)
	for _, k := range names {
		ec.Env = append(ec.Env, clientcmdapi.ExecEnvVar{Name: k, Value: e.Env[k]})
	}
	return ec, nil
}

func expandHome(p string) (string, error) {
	if p != "~" && !strings.HasPrefix(p, "~/") {
		return p, nil
	}
	home, err := os.UserHomeDir()
	if err != nil {
		return "", fmt.Errorf("kube: expand %q: %w", p, err)
	}
	return filepath.Join(home, strings.TrimPrefix(p, "~")), nil
}

func contextNames(c *clientcmdapi.Config) string {
	if len(c.Contexts) == 0 {
		return "none"
	}
	names := make([]string, 0, len(c.Contexts))
	for n := range c.Contexts {
		names = append(names, n)
	}
	sort.Strings(names)
	return strings.Join(names, ", ")
}

// secrets lists the values that must never appear in an error.
func (a Access) secrets() []string {
	s := []string{a.Token, a.ClientKey}
	if a.Exec != nil {
		for _, v := range a.Exec.Env {
			s = append(s, v)
		}
	}
	if a.ConfigContent != "" {
		if c, err := clientcmd.Load([]byte(a.ConfigContent)); err == nil {
			s = append(s, kubeconfigSecrets(c)...)
		}
	}
	if u, err := url.Parse(a.ProxyURL); err == nil && u.User != nil {
		s = append(s, u.User.String())
		if p, ok := u.User.Password(); ok {
			s = append(s, p)
		}
	}
	return s
}

func kubeconfigSecrets(c *clientcmdapi.Config) []string {
	var s []string
	for _, ai := range c.AuthInfos {
		s = append(s, ai.Token, ai.Password, string(ai.ClientKeyData))
	}
	return s
}

// redactedError replaces secret values in an error's text; errors.Is and
// errors.As still see the original chain.
type redactedError struct {
	msg string
	err error
}

func (e *redactedError) Error() string { return e.msg }
func (e *redactedError) Unwrap() error { return e.err }

func redactErr(err error, secrets ...string) error {
	if err == nil {
		return nil
	}
	msg := err.Error()
	changed := false
	for _, s := range secrets {
		if len(s) < 4 {
			continue // too short to be a credential; replacing would garble text
		}
		if strings.Contains(msg, s) {
			msg = strings.ReplaceAll(msg, s, "(sensitive)")
			changed = true
		}
	}
	if !changed {
		return err
	}
	return &redactedError{msg: msg, err: err}
}

func redactURL(s string) string {
	u, err := url.Parse(s)
	if err != nil || u.User == nil {
		return s
	}
	return u.Redacted()
}

// ConfigForToken is base's host, CA and transport settings with a bearer
// token as the only credential (no client certificates, exec plugin or
// basic auth), e.g. to act as a ServiceAccount.
func ConfigForToken(base *rest.Config, token string) *rest.Config {
	cfg := rest.AnonymousClientConfig(base)
	cfg.BearerToken = token
	return cfg
}
