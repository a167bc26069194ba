package kube

import (
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"io/fs"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"k8s.io/client-go/rest"
	clientcmdapi "k8s.io/client-go/tools/clientcmd/api"
)

const (
	testToken    = "s3cr3t-token-value-0123456789"
	testOtherTok = "other-context-token-abcdef"
	testCAPEM    = "-----BEGIN CERTIFICATE-----\nMIIBfake\n-----END CERTIFICATE-----\n"
)

func testKubeconfig() string {
	return fmt.Sprintf(`apiVersion: v1
kind: Config
current-context: one
clusters:
- name: c1
  cluster:
    server: https://one.example:6443
    insecure-skip-tls-verify: true
- name: c2
  cluster:
    server: https://two.example:6443
    insecure-skip-tls-verify: true
- name: noserver
  cluster:
    insecure-skip-tls-verify: true
users:
- name: u1
  user:
    token: %s
- name: u2
  user:
    token: %s
- name: uexec
  user:
    exec:
      apiVersion: client.authentication.k8s.io/v1
      command: get-token
      args: ["--cluster", "x"]
      interactiveMode: Never
contexts:
- name: one
  context: {cluster: c1, user: u1}
- name: two
  context: {cluster: c2, user: u2, namespace: team}
- name: broken
  context: {cluster: noserver, user: u1}
- name: exec
  context: {cluster: c1, user: uexec}
`, testToken, testOtherTok)
}

func writeFile(t *testing.T, dir, name, content string) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestAccessRESTConfig(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	path := writeFile(t, dir, "config", testKubeconfig())

	tests := []struct {
		name      string
		access    Access
		wantHost  string
		wantToken string
		check     func(t *testing.T, c *rest.Config)
	}{
		{
			name:      "file current context",
			access:    Access{ConfigPath: path},
			wantHost:  "https://one.example:6443",
			wantToken: testToken,
		},
		{
			name:      "file selected context",
			access:    Access{ConfigPath: path, ConfigContext: "two"},
			wantHost:  "https://two.example:6443",
			wantToken: testOtherTok,
		},
		{
			name:      "file with host and token overrides",
			access:    Access{ConfigPath: path, ConfigContext: "two", Host: "https://override:443", Token: "override-token"},
			wantHost:  "https://override:443",
			wantToken: "override-token",
		},
		{
			name:      "content",
			access:    Access{ConfigContent: testKubeconfig(), ConfigContext: "two"},
			wantHost:  "https://two.example:6443",
			wantToken: testOtherTok,
		},
		{
			name:      "content wins over path",
			access:    Access{ConfigContent: testKubeconfig(), ConfigPath: filepath.Join(dir, "does-not-exist")},
			wantHost:  "https://one.example:6443",
			wantToken: testToken,
		},
		{
			name:      "host CA token",
			access:    Access{Host: "https://h.example:6443", ClusterCACertificate: testCAPEM, Token: testToken},
			wantHost:  "https://h.example:6443",
			wantToken: testToken,
			check: func(t *testing.T, c *rest.Config) {
				if string(c.CAData) != testCAPEM {
					t.Errorf("CAData = %q, want the PEM", c.CAData)
				}
				if c.Insecure {
					t.Error("Insecure set without being asked")
				}
			},
		},
		{
			name:     "host insecure drops CA",
			access:   Access{Host: "https://h.example:6443", ClusterCACertificate: testCAPEM, Insecure: true},
			wantHost: "https://h.example:6443",
			check: func(t *testing.T, c *rest.Config) {
				if !c.Insecure || len(c.CAData) != 0 {
					t.Errorf("Insecure=%v CAData=%q, want insecure and no CA", c.Insecure, c.CAData)
				}
			},
		},
		{
			name:     "client certificate",
			access:   Access{Host: "https://h.example:6443", ClientCertificate: "CERT", ClientKey: "KEY"},
			wantHost: "https://h.example:6443",
			check: func(t *testing.T, c *rest.Config) {
				if string(c.CertData) != "CERT" || string(c.KeyData) != "KEY" {
					t.Errorf("cert/key = %q/%q", c.CertData, c.KeyData)
				}
			},
		},
		{
			name:     "proxy",
			access:   Access{Host: "https://h.example:6443", ProxyURL: "http://proxy.example:3128"},
			wantHost: "https://h.example:6443",
			check: func(t *testing.T, c *rest.Config) {
				if c.Proxy == nil {
					t.Fatal("no Proxy func")
				}
				req, _ := http.NewRequestWithContext(context.Background(), http.MethodGet, "https://h.example:6443/version", nil)
				u, err := c.Proxy(req)
				if err != nil || u == nil || u.Host != "proxy.example:3128" {
					t.Errorf("Proxy() = %v, %v", u, err)
				}
			},
		},
		{
			name:     "CA override on an insecure kubeconfig verifies",
			access:   Access{ConfigPath: path, ClusterCACertificate: testCAPEM},
			wantHost: "https://one.example:6443", wantToken: testToken,
			check: func(t *testing.T, c *rest.Config) {
				if c.Insecure || string(c.CAData) != testCAPEM {
					t.Errorf("Insecure=%v CAData=%q, want verification with the CA", c.Insecure, c.CAData)
				}
			},
		},
		{
			name:     "insecure override on kubeconfig",
			access:   Access{ConfigContent: strings.Replace(testKubeconfig(), "insecure-skip-tls-verify: true", "certificate-authority-data: "+base64.StdEncoding.EncodeToString([]byte(testCAPEM)), 1), Insecure: true},
			wantHost: "https://one.example:6443", wantToken: testToken,
			check: func(t *testing.T, c *rest.Config) {
				if !c.Insecure || len(c.CAData) != 0 {
					t.Errorf("Insecure=%v CAData=%q, want insecure without CA", c.Insecure, c.CAData)
				}
			},
		},
		{
			name:     "proxy override on kubeconfig",
			access:   Access{ConfigPath: path, ProxyURL: "http://proxy.example:3128"},
			wantHost: "https://one.example:6443", wantToken: testToken,
			check: func(t *testing.T, c *rest.Config) {
				if c.Proxy == nil {
					t.Fatal("no Proxy func")
				}
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			cfg, err := tt.access.RESTConfig()
			if err != nil {
				t.Fatalf("RESTConfig: %v", err)
			}
			if cfg.Host != tt.wantHost {
				t.Errorf("Host = %q, want %q", cfg.Host, tt.wantHost)
			}
			if cfg.BearerToken != tt.wantToken {
				t.Errorf("BearerToken = %q, want %q", cfg.BearerToken, tt.wantToken)
			}
			if tt.check != nil {
				tt.check(t, cfg)
			}
		})
	}
}

func TestAccessRESTConfigHomeExpansion(t *testing.T) {
	home := t.TempDir()
	t.Setenv("HOME", home)
	if err := os.MkdirAll(filepath.Join(home, ".kube"), 0o700); err != nil {
		t.Fatal(err)
	}
	writeFile(t, filepath.Join(home, ".kube"), "config", testKubeconfig())
	cfg, err := Access{ConfigPath: "~/.kube/config", ConfigContext: "two"}.RESTConfig()
	if err != nil {
		t.Fatalf("RESTConfig: %v", err)
	}
	if cfg.Host != "https://two.example:6443" {
		t.Errorf("Host = %q", cfg.Host)
	}
	_, err = Access{ConfigPath: "~/.kube/missing"}.RESTConfig()
	if err == nil || !strings.Contains(err.Error(), filepath.Join(home, ".kube", "missing")) {
		t.Errorf("error %v does not name the expanded path", err)
	}
}

func TestAccessRESTConfigErrors(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	path := writeFile(t, dir, "config", testKubeconfig())
	malformed := writeFile(t, dir, "malformed", "apiVersion: v1\nkind: Config\nusers:\n- name: u\n  user:\n    token: "+testToken+"\n  [broken\n")
	noCurrent := writeFile(t, dir, "nocurrent", strings.Replace(testKubeconfig(), "current-context: one\n", "", 1))

	tests := []struct {
		name   string
		access Access
		want   []string // substrings of the error
		is     error
	}{
		{"nothing", Access{}, []string{"no cluster access"}, ErrNoAccess},
		{"file not found", Access{ConfigPath: filepath.Join(dir, "nope"), Token: testToken}, []string{"not found", filepath.Join(dir, "nope")}, fs.ErrNotExist},
		{"context not in file", Access{ConfigPath: path, ConfigContext: "three", Token: testToken}, []string{`context "three" not found`, "broken, exec, one, two"}, nil},
		{"context not in content", Access{ConfigContent: testKubeconfig(), ConfigContext: "three"}, []string{`context "three" not found in kubeconfig content`}, nil},
		{"malformed file", Access{ConfigPath: malformed}, []string{"malformed kubeconfig", malformed}, nil},
		{"malformed content", Access{ConfigContent: "token: " + testToken + "\n: : ["}, []string{"malformed kubeconfig content"}, nil},
		{"no current context", Access{ConfigPath: noCurrent}, []string{"no current-context"}, nil},
		{"context without server", Access{ConfigPath: path, ConfigContext: "broken"}, []string{"no host", `"broken"`}, nil},
		{"explicit without host", Access{Token: testToken, ClusterCACertificate: testCAPEM}, []string{"no host"}, nil},
		{"context without kubeconfig", Access{ConfigContext: "one", Host: "https://h", Token: testToken}, []string{"without a kubeconfig"}, nil},
		{"cert without key", Access{Host: "https://h", ClientCertificate: "CERT"}, []string{"together"}, nil},
		{"exec without command", Access{Host: "https://h", Exec: &ExecConfig{}}, []string{"no command"}, nil},
		{"bad host", Access{Host: "https://h:notaport/x?y", Token: testToken}, []string{"invalid host"}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, err := tt.access.RESTConfig()
			if err == nil {
				t.Fatal("RESTConfig succeeded, want an error")
			}
			msg := err.Error()
			for _, w := range tt.want {
				if !strings.Contains(msg, w) {
					t.Errorf("error %q does not contain %q", msg, w)
				}
			}
			if strings.Contains(msg, testToken) || strings.Contains(msg, testOtherTok) {
				t.Errorf("error leaks a token: %q", msg)
			}
			if tt.is != nil && !errors.Is(err, tt.is) {
				t.Errorf("errors.Is(%v, %v) = false", err, tt.is)
			}
		})
	}
}

func TestAccessExecPlugin(t *testing.T) {
	t.Parallel()
	exec := &ExecConfig{Command: "aws", Args: []string{"eks", "get-token"}, Env: map[string]string{"B": "2", "A": "1"}}
	want := &clientcmdapi.ExecConfig{
		APIVersion:      DefaultExecAPIVersion,
		Command:         "aws",
		Args:            []string{"eks", "get-token"},
		Env:             []clientcmdapi.ExecEnvVar{{Name: "A", Value: "1"}, {Name: "B", Value: "2"}},
		InteractiveMode: clientcmdapi.NeverExecInteractiveMode,
	}
	dir := t.TempDir()
	path := writeFile(t, dir, "config", testKubeconfig())
	for _, a := range []Access{
		{Host: "https://h.example", ClusterCACertificate: testCAPEM, Exec: exec},
		{ConfigPath: path, Exec: exec},
	} {
		cfg, err := a.RESTConfig()
		if err != nil {
			t.Fatalf("%v: %v", a, err)
		}
		got := cfg.ExecProvider
		if got == nil {
			t.Fatalf("%v: no ExecProvider", a)
		}
		if got.APIVersion != want.APIVersion || got.Command != want.Command ||
			strings.Join(got.Args, " ") != strings.Join(want.Args, " ") ||
			fmt.Sprint(got.Env) != fmt.Sprint(want.Env) || got.InteractiveMode != want.InteractiveMode {
			t.Errorf("%v: ExecProvider = %+v, want %+v", a, got, want)
		}
	}

	// The kubeconfig's own exec user maps too, and an explicit APIVersion is kept.
	cfg, err := Access{ConfigPath: path, ConfigContext: "exec"}.RESTConfig()
	if err != nil {
		t.Fatal(err)
	}
	if cfg.ExecProvider == nil || cfg.ExecProvider.Command != "get-token" || cfg.ExecProvider.APIVersion != "client.authentication.k8s.io/v1" {
		t.Errorf("ExecProvider = %+v", cfg.ExecProvider)
	}
}

func TestAccessStringHidesSecrets(t *testing.T) {
	t.Parallel()
	a := Access{
		ConfigContent: "kubeconfig-" + testToken, Token: testToken, ClientKey: "KEY-" + testToken,
		Host: "https://h", ProxyURL: "http://user:" + testToken + "@proxy:3128",
		Exec: &ExecConfig{Command: "aws", Env: map[string]string{"AWS_SECRET": testToken}},
	}
	for _, s := range []string{a.String(), fmt.Sprintf("%v", a), fmt.Sprintf("%+v", a), fmt.Sprintf("%#v", a)} {
		if strings.Contains(s, testToken) {
			t.Errorf("formatted Access leaks the token: %s", s)
		}
		if !strings.Contains(s, "https://h") {
			t.Errorf("formatted Access lost the host: %s", s)
		}
	}
}

func TestAccessIsZero(t *testing.T) {
	t.Parallel()
	if !(Access{}).IsZero() {
		t.Error("zero Access is not IsZero")
	}
	for _, a := range []Access{{Host: "h"}, {ConfigPath: "p"}, {Insecure: true}, {Exec: &ExecConfig{}}, {ConfigContent: "x"}} {
		if a.IsZero() {
			t.Errorf("%v IsZero", a)
		}
	}
}

func TestConfigForToken(t *testing.T) {
	t.Parallel()
	base := &rest.Config{
		Host:            "https://h.example:6443",
		BearerToken:     "admin",
		Username:        "u",
		Password:        "p",
		TLSClientConfig: rest.TLSClientConfig{CAData: []byte(testCAPEM), CertData: []byte("C"), KeyData: []byte("K"), ServerName: "sn"},
		ExecProvider:    &clientcmdapi.ExecConfig{Command: "x"},
	}
	got := ConfigForToken(base, "sa-token")
	if got.Host != base.Host || string(got.CAData) != testCAPEM || got.ServerName != "sn" {
		t.Errorf("host/CA not kept: %+v", got)
	}
	if got.BearerToken != "sa-token" || got.Username != "" || got.Password != "" ||
		len(got.CertData) != 0 || len(got.KeyData) != 0 || got.ExecProvider != nil {
		t.Errorf("other credentials kept: %+v", got)
	}
	if base.BearerToken != "admin" {
		t.Error("base modified")
	}
}
