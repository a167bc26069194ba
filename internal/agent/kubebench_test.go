package agent

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

func TestBenchConfig_benchmark(t *testing.T) {
	t.Parallel()
	c := &benchConfig{versionMapping: map[string]string{"1.27": "cis-1.9", "1.28": "cis-1.10", "1.32": "cis-1.11", "eks-1.5.0": "eks-1.5.0"}}
	for _, tc := range []struct{ version, want string }{
		{"v1.28.3", "cis-1.10"},
		{"1.30.0", "cis-1.10"},   // no entry: the newest below
		{"v1.33.13", "cis-1.11"}, // newer than every entry
		{"v1.26.0", ""},          // older than every entry
		{"banana", ""},
	} {
		got, err := c.benchmark(tc.version)
		if got != tc.want || (tc.want == "") != (err != nil) {
			t.Errorf("benchmark(%q) = %q, %v; want %q", tc.version, got, err, tc.want)
		}
	}
}

// fakeProcs is a machine with two control planes whose ports are prefixes
// of each other's.
var fakeProcs = []process{
	{pid: 10, args: []string{"/bin/etcd", "--listen-client-urls=http://127.0.0.1:2379", "--data-dir=/a/etcd"}},
	{pid: 11, args: []string{"/bin/kube-apiserver", "--etcd-servers=http://127.0.0.1:2379", "--secure-port=6443", "--cert-dir=/a/pki"}},
	{pid: 20, args: []string{"/bin/etcd", "--listen-client-urls=http://127.0.0.1:23790", "--data-dir=/b/etcd"}},
	{pid: 21, args: []string{"/bin/kube-apiserver", "--etcd-servers=http://127.0.0.1:23790", "--secure-port=64430", "--cert-dir=/b/pki"}},
	{pid: 30, args: []string{"/bin/sh", "-c", "echo --cert-dir=/a/pki"}},
}

func TestFindControlPlane(t *testing.T) {
	t.Parallel()
	cp, err := findControlPlane(fakeProcs, "https://127.0.0.1:6443")
	if err != nil {
		t.Fatal(err)
	}
	if cp["apiserver"].pid != 11 || cp["etcd"].pid != 10 {
		t.Errorf("control plane of :6443: %+v", cp)
	}
	cp, err = findControlPlane(fakeProcs, "https://127.0.0.1:64430")
	if err != nil || cp["apiserver"].pid != 21 || cp["etcd"].pid != 20 {
		t.Errorf("control plane of :64430: %+v, %v", cp, err)
	}
	if _, err := findControlPlane(fakeProcs, "https://127.0.0.1:7443"); err == nil {
		t.Error("a port no kube-apiserver listens on: no error")
	}
}

// TestGrepPattern: the pattern matches the ps line of its process and of
// no other, is safe unquoted in a shell, and does not start with "-".
func TestGrepPattern(t *testing.T) {
	t.Parallel()
	safe := regexp.MustCompile(`^[A-Za-z0-9_./:=,@+-]+$`)
	for _, p := range fakeProcs[:4] {
		pat, ok := grepPattern(p, fakeProcs)
		if !ok {
			t.Errorf("pid %d: no pattern", p.pid)
			continue
		}
		if strings.HasPrefix(pat, "-") || !safe.MatchString(pat) {
			t.Errorf("pid %d: pattern %q is not safe for grep in a shell", p.pid, pat)
		}
		re := regexp.MustCompile(pat) // grep's basic regexp: only "." is special here
		for _, o := range fakeProcs {
			if matched := re.MatchString(strings.Join(o.args, " ")); matched != (o.pid == p.pid) {
				t.Errorf("pattern %q of pid %d matches pid %d: %v", pat, p.pid, o.pid, matched)
			}
		}
	}
}

// TestSubstitutions: a running component's binary variable is its grep
// pattern in audits and its name in texts; files are the first that
// exists, else the default.
func TestSubstitutions(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	conf := filepath.Join(dir, "kube-apiserver.yaml")
	if err := os.WriteFile(conf, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	c := &benchConfig{sections: map[string]map[string]any{"master": {
		"components": []any{"apiserver", "scheduler"},
		"apiserver":  map[string]any{"bins": []any{"kube-apiserver"}, "confs": []any{"/nonexistent", conf}, "defaultconf": "/etc/x.yaml"},
		"scheduler":  map[string]any{"bins": []any{"kube-scheduler"}, "defaultconf": "/etc/sched.yaml"},
	}}}
	cp := controlPlane{"apiserver": fakeProcs[1]}
	audit, text := c.substitutions("master", cp, fakeProcs)
	if !strings.HasPrefix(audit["$apiserverbin"], ".-") {
		t.Errorf("$apiserverbin in audits: %q", audit["$apiserverbin"])
	}
	if text["$apiserverbin"] != "kube-apiserver" || audit["$schedulerbin"] != "kube-scheduler" {
		t.Errorf("binaries: %v / %v", text, audit)
	}
	if text["$apiserverconf"] != conf || text["$schedulerconf"] != "/etc/sched.yaml" {
		t.Errorf("files: %v", text)
	}
	if got := replaceAll("ps | grep $apiserverbin; stat $apiserverconf", map[string]string{"$apiserverbin": "B", "$apiserverconf": "C", "$apiserver": "X"}); got != "ps | grep B; stat C" {
		t.Errorf("replaceAll: %q", got)
	}
}
