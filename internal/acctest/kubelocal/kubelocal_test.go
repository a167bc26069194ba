package kubelocal

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestPKI(t *testing.T) {
	p, err := newPKI("demo")
	if err != nil {
		t.Fatal(err)
	}
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(p.CACert) {
		t.Fatal("bad CA PEM")
	}
	for name, pair := range map[string][2][]byte{
		"serving": {p.ServingCert, p.ServingKey},
		"admin":   {p.AdminCert, p.AdminKey},
		"kcm":     {p.KCMCert, p.KCMKey},
	} {
		c, err := tls.X509KeyPair(pair[0], pair[1])
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		leaf, _ := x509.ParseCertificate(c.Certificate[0])
		usage := x509.ExtKeyUsageClientAuth
		if name == "serving" {
			usage = x509.ExtKeyUsageServerAuth
		}
		if _, err := leaf.Verify(x509.VerifyOptions{Roots: pool, KeyUsages: []x509.ExtKeyUsage{usage}}); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if name == "serving" {
			if err := leaf.VerifyHostname("127.0.0.1"); err != nil {
				t.Fatal(err)
			}
			if err := leaf.VerifyHostname("localhost"); err != nil {
				t.Fatal(err)
			}
		}
		if name == "admin" && (leaf.Subject.CommonName != AdminUser || leaf.Subject.Organization[0] != "system:masters") {
			t.Fatalf("admin subject %v", leaf.Subject)
		}
	}
}

func TestFlavorNodes(t *testing.T) {
	for _, f := range Flavors() {
		nodes := FlavorNodes(f, "demo", 4)
		seen := map[string]bool{}
		for _, n := range nodes {
			if seen[n.Name] {
				t.Errorf("%s: duplicate node name %s", f, n.Name)
			}
			seen[n.Name] = true
			if len(n.Name) > 63 && !strings.Contains(n.Name, ".") {
				t.Errorf("%s: name too long %s", f, n.Name)
			}
			if n.Labels[LabelRegion] == "" || n.Labels[LabelZone] == "" || n.Labels[LabelInstanceType] == "" || n.Labels[LabelOS] != "linux" {
				t.Errorf("%s: labels %v", f, n.Labels)
			}
			if (f == FlavorGeneric) != (n.ProviderID == "") {
				t.Errorf("%s: providerID %q", f, n.ProviderID)
			}
		}
		again := FlavorNodes(f, "demo", 4)
		if again[3].ProviderID != nodes[3].ProviderID || again[3].Name != nodes[3].Name {
			t.Errorf("%s: not deterministic", f)
		}
	}
	if _, err := ParseFlavor("nope"); err == nil {
		t.Error("ParseFlavor accepted nope")
	}
}

func TestFreePorts(t *testing.T) {
	ps, err := freePorts(5)
	if err != nil {
		t.Fatal(err)
	}
	seen := map[int]bool{}
	for _, p := range ps {
		if p <= 0 || seen[p] {
			t.Fatalf("bad ports %v", ps)
		}
		seen[p] = true
	}
}

func TestLDFlags(t *testing.T) {
	ld := LDFlags()
	for _, want := range []string{"k8s.io/component-base/version.gitVersion=v1.33.13", "k8s.io/client-go/pkg/version.gitMinor=33"} {
		if !strings.Contains(ld, want) {
			t.Errorf("LDFlags missing %s: %s", want, ld)
		}
	}
}

// TestUpRetriesAProcessThatExitsAtStart runs Up with stand-in binaries: an
// "etcd" that stays up and a "kube-apiserver" that fails as it does when its
// port was taken. Up must retry on fresh ports, give up after three
// attempts with the log's last lines, and leave nothing running.
func TestUpRetriesAProcessThatExitsAtStart(t *testing.T) {
	dir := t.TempDir()
	script := func(name, body string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte("#!/bin/sh\n"+body+"\n"), 0o755); err != nil {
			t.Fatal(err)
		}
		return p
	}
	bins := Binaries{
		Etcd:              script("etcd", "while :; do sleep 1; done"),
		APIServer:         script("kube-apiserver", `echo "listen tcp 127.0.0.1:1: bind: address already in use"; exit 1`),
		ControllerManager: script("kube-controller-manager", "exit 1"),
	}
	var logs []string
	_, err := Up(context.Background(), Options{
		Dir: filepath.Join(dir, "cluster"), Binaries: bins, DieWithParent: true, Timeout: time.Minute,
		Logf: func(format string, args ...any) { logs = append(logs, fmt.Sprintf(format, args...)) },
	})
	if err == nil {
		t.Fatal("Up succeeded with a kube-apiserver that always exits")
	}
	if msg := err.Error(); !strings.Contains(msg, "kube-apiserver exited during start-up") || !strings.Contains(msg, "address already in use") {
		t.Fatalf("error does not name the process and its log: %v", err)
	}
	retries := 0
	for _, l := range logs {
		if strings.Contains(l, "retrying on fresh ports") {
			retries++
		}
	}
	if retries != 2 {
		t.Fatalf("want 2 retries logged, got %d:\n%s", retries, strings.Join(logs, "\n"))
	}
	st, err := LoadState(filepath.Join(dir, "cluster"))
	if err != nil {
		t.Fatal(err)
	}
	if st.Running() {
		t.Fatalf("processes left running after a failed Up: %+v", st)
	}
}
