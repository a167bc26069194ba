//go:build unix

package kube

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"math/big"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"k8s.io/client-go/rest"
	clientcmdapi "k8s.io/client-go/tools/clientcmd/api"
)

// execConfig is an exec plugin that runs script with /bin/sh.
func execConfig(script string) *clientcmdapi.ExecConfig {
	return &clientcmdapi.ExecConfig{
		APIVersion:      "client.authentication.k8s.io/v1",
		Command:         "/bin/sh",
		Args:            []string{"-c", script},
		InteractiveMode: clientcmdapi.NeverExecInteractiveMode,
	}
}

// credential writes an ExecCredential answer to a file and returns it.
func credential(t *testing.T, dir string, status map[string]any) string {
	t.Helper()
	b, err := json.Marshal(map[string]any{"apiVersion": "client.authentication.k8s.io/v1", "kind": "ExecCredential", "status": status})
	if err != nil {
		t.Fatal(err)
	}
	return writeFile(t, dir, "credential.json", string(b))
}

// versionHandler answers GET /version when want says the request is
// authorised, 401 otherwise.
func versionHandler(want func(*http.Request) bool) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if !want(r) {
			w.WriteHeader(http.StatusUnauthorized)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(`{"gitVersion":"v1.33.0"}`))
	}
}

func countLines(t *testing.T, p string) int {
	t.Helper()
	b, err := os.ReadFile(p)
	if errors.Is(err, os.ErrNotExist) {
		return 0
	}
	if err != nil {
		t.Fatal(err)
	}
	return strings.Count(string(b), "\n")
}

// TestExecPlugin_token: the plugin's token goes on the requests; clients of
// one configuration share its credentials (one run), and a 401 makes the
// next request run the plugin again.
func TestExecPlugin_token(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	runs := filepath.Join(dir, "runs")
	cred := credential(t, dir, map[string]any{"token": "t0ken-from-the-plugin"})
	var refuse atomic.Bool
	srv := httptest.NewServer(versionHandler(func(r *http.Request) bool {
		return !refuse.Swap(false) && r.Header.Get("Authorization") == "Bearer t0ken-from-the-plugin"
	}))
	t.Cleanup(srv.Close)
	cfg := &rest.Config{Host: srv.URL, ExecProvider: execConfig(fmt.Sprintf("echo run >> %s; cat %s", runs, cred))}
	ctx := testCtx(t)
	for range 2 {
		kc, err := NewClientFromConfig(cfg)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := kc.Ping(ctx); err != nil {
			t.Fatal(err)
		}
	}
	if n := countLines(t, runs); n != 1 {
		t.Fatalf("the plugin ran %d times for two clients of one configuration, want 1", n)
	}
	refuse.Store(true)
	kc, err := NewClientFromConfig(cfg)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := kc.Ping(ctx); !errors.Is(err, ErrUnauthorized) {
		t.Fatalf("err = %v, want ErrUnauthorized", err)
	}
	if _, err := kc.Ping(ctx); err != nil {
		t.Fatal(err)
	}
	if n := countLines(t, runs); n != 2 {
		t.Fatalf("the plugin ran %d times, want 2 (again after the 401)", n)
	}
}

// TestExecPlugin_killedWhenTheRequestEnds: a plugin that never exits is
// killed, with the processes it started, when the request that needs it
// ends (a plan's timeout, or the end of its RPC): it used to outlive the
// plan, and the provider.
func TestExecPlugin_killedWhenTheRequestEnds(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	pidFile, childFile := filepath.Join(dir, "pid"), filepath.Join(dir, "child")
	srv := httptest.NewServer(versionHandler(func(*http.Request) bool { return true }))
	t.Cleanup(srv.Close)
	// A safety net: the processes end when the test does, whatever happens.
	release := filepath.Join(dir, "release")
	t.Cleanup(func() { _ = os.WriteFile(release, nil, 0o600) })
	script := fmt.Sprintf("echo $$ > %s; (while [ ! -e %s ]; do sleep 0.2; done) & echo $! > %s; wait", pidFile, release, childFile)
	kc, err := NewClientFromConfig(&rest.Config{Host: srv.URL, ExecProvider: execConfig(script)})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	pinged := make(chan error, 1)
	go func() {
		_, err := kc.Ping(ctx)
		pinged <- err
	}()
	// The request ends once the plugin and its child run (a loaded
	// machine may take a while to start them).
	deadline := time.Now().Add(30 * time.Second)
	for !fileHasLine(pidFile) || !fileHasLine(childFile) {
		if time.Now().After(deadline) {
			t.Fatal("the plugin did not start")
		}
		time.Sleep(50 * time.Millisecond)
	}
	cancel()
	if err := <-pinged; err == nil {
		t.Fatal("Ping succeeded with a plugin that never answers")
	}
	for _, f := range []string{pidFile, childFile} {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		pid, err := strconv.Atoi(strings.TrimSpace(string(b)))
		if err != nil {
			t.Fatal(err)
		}
		waitGone(t, pid)
	}
}

// fileHasLine tells whether file holds a whole line.
func fileHasLine(file string) bool {
	b, err := os.ReadFile(file)
	return err == nil && strings.HasSuffix(string(b), "\n")
}

// waitGone fails unless process pid is gone soon: it no longer exists, or
// it is a zombie (killed, and waiting for a parent that may not reap it:
// the plugin's child is reparented to PID 1).
func waitGone(t *testing.T, pid int) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for syscall.Kill(pid, 0) == nil && !zombie(pid) {
		if time.Now().After(deadline) {
			t.Fatalf("process %d of the plugin still runs after the request ended", pid)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// zombie tells whether process pid has exited and awaits its parent (state
// Z in /proc/<pid>/stat; false where there is no /proc).
func zombie(pid int) bool {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return false
	}
	s := string(b)
	i := strings.LastIndexByte(s, ')')
	return i >= 0 && strings.HasPrefix(strings.TrimSpace(s[i+1:]), "Z")
}

// TestExecPlugin_clientCertificate: a plugin that returns a client
// certificate and key: the TLS handshake presents them.
func TestExecPlugin_clientCertificate(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	certPEM, keyPEM := selfSignedClientCert(t, "exec-user")
	cred := credential(t, dir, map[string]any{"clientCertificateData": certPEM, "clientKeyData": keyPEM})
	srv := httptest.NewUnstartedServer(versionHandler(func(r *http.Request) bool {
		return r.TLS != nil && len(r.TLS.PeerCertificates) == 1 && r.TLS.PeerCertificates[0].Subject.CommonName == "exec-user"
	}))
	srv.TLS = &tls.Config{ClientAuth: tls.RequireAnyClientCert, MinVersion: tls.VersionTLS12}
	srv.StartTLS()
	t.Cleanup(srv.Close)
	ca := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: srv.Certificate().Raw})
	kc, err := NewClientFromConfig(&rest.Config{Host: srv.URL, TLSClientConfig: rest.TLSClientConfig{CAData: ca},
		ExecProvider: execConfig("cat " + cred)})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := kc.Ping(testCtx(t)); err != nil {
		t.Fatal(err)
	}
}

// TestExecPlugin_outputBounded: a plugin that writes without end is not
// read without end.
func TestExecPlugin_outputBounded(t *testing.T) {
	t.Parallel()
	srv := httptest.NewServer(versionHandler(func(*http.Request) bool { return true }))
	t.Cleanup(srv.Close)
	kc, err := NewClientFromConfig(&rest.Config{Host: srv.URL, ExecProvider: execConfig("head -c 3000000 /dev/zero")})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := kc.Ping(testCtx(t)); err == nil || !strings.Contains(err.Error(), "wrote more than 1 MiB") {
		t.Fatalf("err = %v, want the output refused", err)
	}
}

func testCtx(t *testing.T) context.Context {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	t.Cleanup(cancel)
	return ctx
}

func selfSignedClientCert(t *testing.T, cn string) (certPEM, keyPEM string) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1),
		Subject:      pkix.Name{CommonName: cn},
		NotBefore:    time.Now().Add(-time.Hour),
		NotAfter:     time.Now().Add(time.Hour),
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	kb, err := x509.MarshalECPrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	return string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})),
		string(pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: kb}))
}
