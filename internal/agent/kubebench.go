package agent

// kube-bench (github.com/aquasecurity/kube-bench, used as a library: its
// check package) runs the CIS benchmark's control-plane checks (targets
// master, etcd and controlplane) against the processes that serve this
// agent's cluster. Its checks are the YAML files of the module's cfg/
// directory, found at run time (EnvKubeBenchConfig, or the module cache).
//
// kube-bench's checks find a component's process with
// `ps -ef | grep $apiserverbin`, and read its flags from that line. A
// machine can run several control planes (tests do), so the agent first
// finds the processes of its own cluster: the kube-apiserver listening on
// the port of the agent's API server URL (--secure-port), the etcd it
// names (--etcd-servers against etcd's --listen-client-urls) and the
// controller manager and scheduler whose kubeconfig points at that API
// server. $<component>bin then becomes an argument of that process no
// other process has, so that the checks' ps | grep finds exactly it. A
// component with no such process keeps its binary name, and the checks
// that need it fail, as they would on a node without it.

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"runtime/debug"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/aquasecurity/kube-bench/check"
	"go.yaml.in/yaml/v3"
	"golang.org/x/mod/semver"
	"k8s.io/client-go/tools/clientcmd"

	"github.com/terraform-palette/terraform-provider-palette/internal/wire"
)

// EnvKubeBenchConfig names kube-bench's cfg directory (the module's cfg/:
// `go list -m -f '{{.Dir}}' github.com/aquasecurity/kube-bench`/cfg).
// Unset, the agent looks for it in the Go module cache.
const EnvKubeBenchConfig = "PALETTE_KUBE_BENCH_CFG"

const kubeBenchModule = "github.com/aquasecurity/kube-bench"

// kubeBenchTargets are the benchmark's control-plane targets: the node type
// of each and its file in the benchmark's directory.
var kubeBenchTargets = []struct {
	name     string
	nodeType check.NodeType
}{
	{"master", check.MASTER},
	{"etcd", check.ETCD},
	{"controlplane", check.CONTROLPLANE},
}

// kubeBenchConfigDir returns kube-bench's cfg directory.
func kubeBenchConfigDir() (string, error) {
	if d := os.Getenv(EnvKubeBenchConfig); d != "" {
		return d, nil
	}
	version := ""
	if bi, ok := debug.ReadBuildInfo(); ok {
		for _, m := range bi.Deps {
			if m.Path == kubeBenchModule {
				version = m.Version
			}
		}
	}
	modCache := os.Getenv("GOMODCACHE")
	if modCache == "" {
		gopath := os.Getenv("GOPATH")
		if gopath == "" {
			home, _ := os.UserHomeDir()
			gopath = filepath.Join(home, "go")
		}
		modCache = filepath.Join(filepath.SplitList(gopath)[0], "pkg", "mod")
	}
	if version != "" {
		d := filepath.Join(modCache, kubeBenchModule+"@"+version, "cfg")
		if _, err := os.Stat(filepath.Join(d, "config.yaml")); err == nil {
			return d, nil
		}
	}
	return "", fmt.Errorf("kube-bench's checks are not available: set %s to the cfg directory of %s", EnvKubeBenchConfig, kubeBenchModule)
}

// benchConfig is the part of kube-bench's config.yaml the agent reads.
type benchConfig struct {
	sections       map[string]map[string]any
	versionMapping map[string]string
}

func loadBenchConfig(dir string) (*benchConfig, error) {
	b, err := os.ReadFile(filepath.Join(dir, "config.yaml"))
	if err != nil {
		return nil, fmt.Errorf("reading kube-bench's config: %w", err)
	}
	var raw map[string]any
	if err := yaml.Unmarshal(b, &raw); err != nil {
		return nil, fmt.Errorf("reading kube-bench's config: %w", err)
	}
	c := &benchConfig{sections: map[string]map[string]any{}, versionMapping: map[string]string{}}
	for k, v := range raw {
		if m, ok := v.(map[string]any); ok {
			c.sections[k] = m
		}
	}
	for k, v := range c.sections["version_mapping"] {
		if s, ok := v.(string); ok {
			c.versionMapping[k] = s
		}
	}
	return c, nil
}

// benchmark returns the CIS benchmark of a Kubernetes version: the
// mapping's, or that of the newest version the mapping has below it.
func (c *benchConfig) benchmark(kubeVersion string) (string, error) {
	v := semver.MajorMinor("v" + strings.TrimPrefix(kubeVersion, "v"))
	if v == "" {
		return "", fmt.Errorf("kube-bench: cannot read the Kubernetes version %q", kubeVersion)
	}
	best, bestV := "", ""
	for k, b := range c.versionMapping {
		kv := "v" + k
		if !semver.IsValid(kv) || semver.Compare(kv, v) > 0 {
			continue
		}
		if bestV == "" || semver.Compare(kv, bestV) > 0 {
			best, bestV = b, kv
		}
	}
	if best == "" {
		return "", fmt.Errorf("kube-bench has no benchmark for Kubernetes %s", kubeVersion)
	}
	return best, nil
}

func stringsOf(v any) []string {
	switch x := v.(type) {
	case string:
		return []string{x}
	case []any:
		var out []string
		for _, e := range x {
			if s, ok := e.(string); ok {
				out = append(out, s)
			}
		}
		return out
	}
	return nil
}

// process is one process of the machine.
type process struct {
	pid  int
	args []string
}

func (p process) base() string { return filepath.Base(p.args[0]) }

// flag returns the value of --name=value or --name value.
func (p process) flag(name string) string {
	for i, a := range p.args[1:] {
		if v, ok := strings.CutPrefix(a, "--"+name+"="); ok {
			return v
		}
		if a == "--"+name && i+2 < len(p.args) {
			return p.args[i+2]
		}
	}
	return ""
}

// processes lists the machine's processes from /proc.
func processes() ([]process, error) {
	entries, err := os.ReadDir("/proc")
	if err != nil {
		return nil, fmt.Errorf("listing processes: %w", err)
	}
	var out []process
	for _, e := range entries {
		pid, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		b, err := os.ReadFile(filepath.Join("/proc", e.Name(), "cmdline"))
		if err != nil || len(b) == 0 {
			continue // gone, or a kernel thread
		}
		out = append(out, process{pid: pid, args: strings.Split(strings.TrimRight(string(b), "\x00"), "\x00")})
	}
	return out, nil
}

// controlPlane is the processes of one cluster's control plane, by
// kube-bench component name.
type controlPlane map[string]process

// findControlPlane finds the processes serving the API server at host.
func findControlPlane(procs []process, host string) (controlPlane, error) {
	u, err := url.Parse(host)
	if err != nil || u.Port() == "" {
		return nil, fmt.Errorf("kube-bench: cannot tell the API server's port from %q", host)
	}
	cp := controlPlane{}
	for _, p := range procs {
		if p.base() == "kube-apiserver" && p.flag("secure-port") == u.Port() {
			cp["apiserver"] = p
		}
	}
	api, ok := cp["apiserver"]
	if !ok {
		return nil, fmt.Errorf("kube-bench: no kube-apiserver process on this machine listens on port %s (the agent's API server %s)", u.Port(), host)
	}
	etcdURLs := strings.Split(api.flag("etcd-servers"), ",")
	for _, p := range procs {
		switch p.base() {
		case "etcd":
			for _, l := range strings.Split(p.flag("listen-client-urls"), ",") {
				if l != "" && slices.Contains(etcdURLs, l) {
					cp["etcd"] = p
				}
			}
		case "kube-controller-manager", "kube-scheduler":
			if kubeconfigServer(p.flag("kubeconfig")) == strings.TrimRight(host, "/") {
				cp[strings.ReplaceAll(strings.TrimPrefix(p.base(), "kube-"), "-", "")] = p
			}
		}
	}
	return cp, nil
}

// kubeconfigServer returns the server of the current context of a
// kubeconfig file ("" when it cannot be read).
func kubeconfigServer(path string) string {
	if path == "" {
		return ""
	}
	cfg, err := clientcmd.LoadFromFile(path)
	if err != nil {
		return ""
	}
	ctx, ok := cfg.Contexts[cfg.CurrentContext]
	if !ok {
		return ""
	}
	if c, ok := cfg.Clusters[ctx.Cluster]; ok {
		return strings.TrimRight(c.Server, "/")
	}
	return ""
}

// shellSafe is what an argument may hold to go unquoted into a shell
// command and a grep pattern.
var shellSafe = regexp.MustCompile(`^[A-Za-z0-9_./:=,@+-]+$`)

// grepPattern returns a grep pattern (safe unquoted in a shell) that matches
// the `ps -ef` line of p and of no other process: one of p's arguments, or
// two consecutive ones, that no other process's command line contains, with
// "." for the space between two and for the first character (so that grep
// does not take a leading "-" for an option).
func grepPattern(p process, procs []process) (string, bool) {
	var singles, pairs []string
	for i, a := range p.args[1:] {
		if !shellSafe.MatchString(a) {
			continue
		}
		if len(a) >= 8 {
			singles = append(singles, a)
		}
		if i+2 < len(p.args) && shellSafe.MatchString(p.args[i+2]) {
			pairs = append(pairs, a+" "+p.args[i+2])
		}
	}
	for _, c := range append(singles, pairs...) {
		unique := true
		for _, o := range procs {
			if o.pid != p.pid && strings.Contains(strings.Join(o.args, " "), c) {
				unique = false
				break
			}
		}
		if unique {
			return "." + strings.ReplaceAll(c[1:], " ", "."), true
		}
	}
	return "", false
}

// substitutions are kube-bench's variables ($apiserverbin, $etcdconf, …)
// for the components of a node type: a component's binary as grepPattern
// gives it (or its first binary name when it does not run), and its files:
// the first that exists, or kube-bench's default.
func (c *benchConfig) substitutions(nodeType string, cp controlPlane, procs []process) (audit, text map[string]string) {
	audit, text = map[string]string{}, map[string]string{}
	section := c.sections[nodeType]
	for _, comp := range stringsOf(section["components"]) {
		spec, _ := section[comp].(map[string]any)
		if spec == nil {
			continue
		}
		bins := stringsOf(spec["bins"])
		if len(bins) > 0 {
			bin := bins[0]
			text["$"+comp+"bin"] = bin
			audit["$"+comp+"bin"] = bin
			if p, ok := cp[comp]; ok {
				text["$"+comp+"bin"] = p.base()
				if pat, ok := grepPattern(p, procs); ok {
					audit["$"+comp+"bin"] = pat
				}
			}
		}
		for key, variable := range map[string]string{"confs": "conf", "kubeconfig": "kubeconfig", "svc": "svc", "cafile": "cafile", "datadirs": "datadir"} {
			path := ""
			for _, f := range stringsOf(spec[key]) {
				if _, err := os.Stat(f); err == nil {
					path = f
					break
				}
			}
			if path == "" {
				path, _ = spec["default"+variable].(string)
			}
			if path != "" {
				text["$"+comp+variable] = path
			}
		}
	}
	return audit, text
}

// replaceAll replaces kube-bench's variables in s, longest first (so that
// $apiserverbin is not taken for $apiserver).
func replaceAll(s string, vars map[string]string) string {
	keys := make([]string, 0, len(vars))
	for k := range vars {
		keys = append(keys, k)
	}
	slices.SortFunc(keys, func(a, b string) int { return len(b) - len(a) })
	pairs := make([]string, 0, 2*len(keys))
	for _, k := range keys {
		pairs = append(pairs, k, vars[k])
	}
	return strings.NewReplacer(pairs...).Replace(s)
}

// runKubeBench runs kube-bench's control-plane targets against the cluster
// whose API server is host, and returns a report per target.
func runKubeBench(ctx context.Context, host, kubeVersion string) (map[string]wire.KubeBenchReport, string, error) {
	dir, err := kubeBenchConfigDir()
	if err != nil {
		return nil, "", err
	}
	cfg, err := loadBenchConfig(dir)
	if err != nil {
		return nil, "", err
	}
	bench, err := cfg.benchmark(kubeVersion)
	if err != nil {
		return nil, "", err
	}
	procs, err := processes()
	if err != nil {
		return nil, "", err
	}
	cp, err := findControlPlane(procs, host)
	if err != nil {
		return nil, bench, err
	}
	reports := map[string]wire.KubeBenchReport{}
	for _, t := range kubeBenchTargets {
		if err := ctx.Err(); err != nil {
			return nil, bench, fmt.Errorf("kube-bench: %w", err)
		}
		raw, err := os.ReadFile(filepath.Join(dir, bench, t.name+".yaml"))
		if errors.Is(err, os.ErrNotExist) {
			continue // the benchmark has no such target
		}
		if err != nil {
			return nil, bench, fmt.Errorf("kube-bench: reading the %s checks: %w", t.name, err)
		}
		audit, text := cfg.substitutions(t.name, cp, procs)
		controls, err := check.NewControls(t.nodeType, []byte(replaceAll(string(raw), text)), kubeVersion)
		if err != nil {
			return nil, bench, fmt.Errorf("kube-bench: the %s checks: %w", t.name, err)
		}
		for _, g := range controls.Groups {
			for _, c := range g.Checks {
				c.Audit = replaceAll(c.Audit, audit)
				c.AuditConfig = replaceAll(c.AuditConfig, audit)
				c.AuditEnv = replaceAll(c.AuditEnv, audit)
			}
		}
		controls.RunChecks(check.NewRunner(), func(*check.Group, *check.Check) bool { return true }, nil)
		now := time.Now().UTC()
		r := wire.KubeBenchReport{
			Name: bench + " " + controls.Text, Type: string(controls.Type), Time: &now,
			Pass: int32(controls.Pass), Fail: int32(controls.Fail), Warn: int32(controls.Warn), Info: int32(controls.Info), //nolint:gosec // small counts
			Logs: []wire.KubeBenchLog{},
		}
		for _, g := range controls.Groups {
			for _, c := range g.Checks {
				r.Logs = append(r.Logs, wire.KubeBenchLog{
					TestID: c.ID, Description: c.Text, State: string(c.State), Remediation: strings.TrimSpace(c.Remediation),
					Expected: c.ExpectedResult, Value: truncate(c.ActualValue, 512),
				})
			}
		}
		reports[t.name] = r
	}
	return reports, bench, nil
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "…"
}
