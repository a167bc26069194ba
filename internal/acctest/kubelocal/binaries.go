// Package kubelocal runs a real, local Kubernetes control plane (etcd,
// kube-apiserver and kube-controller-manager) on 127.0.0.1 for development
// and tests. The binaries are built from source by the nested module
// tools/kubebin into a cache outside the repository.
package kubelocal

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"syscall"
	"time"
)

const (
	// KubernetesVersion is the version of the control-plane binaries.
	KubernetesVersion = "v1.33.13"
	// EtcdVersion is the etcd version Kubernetes v1.33.13 pins.
	EtcdVersion = "v3.5.21"

	// EnvCache overrides the binary cache directory.
	EnvCache = "PALETTE_KUBE_CACHE"
	// EnvKubebinDir overrides where the tools/kubebin module is found.
	EnvKubebinDir = "PALETTE_KUBEBIN_DIR"
)

// Logf is a printf-style progress logger. A nil Logf discards output.
type Logf func(format string, args ...any)

func (l Logf) printf(format string, args ...any) {
	if l != nil {
		l(format, args...)
	}
}

// CacheDir returns the directory holding the built binaries:
// $PALETTE_KUBE_CACHE, or ~/.cache/terraform-provider-palette/kube/v1.33.13.
func CacheDir() string {
	if d := os.Getenv(EnvCache); d != "" {
		return d
	}
	base, err := os.UserCacheDir()
	if err != nil || base == "" {
		home, _ := os.UserHomeDir()
		base = filepath.Join(home, ".cache")
	}
	return filepath.Join(base, "terraform-provider-palette", "kube", KubernetesVersion)
}

// Binaries are the paths of the control-plane executables.
type Binaries struct {
	Etcd              string
	APIServer         string
	ControllerManager string
}

// BinariesIn returns the binary paths inside dir.
func BinariesIn(dir string) Binaries {
	return Binaries{
		Etcd:              filepath.Join(dir, "etcd"),
		APIServer:         filepath.Join(dir, "kube-apiserver"),
		ControllerManager: filepath.Join(dir, "kube-controller-manager"),
	}
}

// Present reports whether all three binaries exist and are executable.
func (b Binaries) Present() bool {
	for _, p := range []string{b.Etcd, b.APIServer, b.ControllerManager} {
		if !isExecutable(p) {
			return false
		}
	}
	return true
}

func isExecutable(p string) bool {
	fi, err := os.Stat(p)
	return err == nil && fi.Mode().IsRegular() && fi.Mode().Perm()&0o111 != 0
}

type buildTarget struct {
	out string // file name in the cache
	pkg string // package path, relative to the module built
	// ldflags are the linker flags (LDFlags() when empty).
	ldflags string
}

var buildTargets = []buildTarget{
	{out: "etcd", pkg: "./etcd"},
	{out: "kube-apiserver", pkg: "k8s.io/kubernetes/cmd/kube-apiserver"},
	{out: "kube-controller-manager", pkg: "k8s.io/kubernetes/cmd/kube-controller-manager"},
}

// LDFlags are the linker flags that stamp the Kubernetes version (without
// them kube-apiserver panics at start).
func LDFlags() string {
	var b strings.Builder
	for _, pkg := range []string{"k8s.io/component-base/version", "k8s.io/client-go/pkg/version"} {
		fmt.Fprintf(&b, "-X %s.gitVersion=%s -X %s.gitMajor=1 -X %s.gitMinor=33 ", pkg, KubernetesVersion, pkg, pkg)
	}
	return strings.TrimSpace(b.String())
}

// KubebinDir locates the tools/kubebin module: $PALETTE_KUBEBIN_DIR, the
// source tree this package was compiled from, or a parent of the working
// directory.
func KubebinDir() (string, error) { return toolsModuleDir("kubebin", EnvKubebinDir) }

// toolsModuleDir locates the nested module tools/<name>: $env, the source
// tree this package was compiled from, or a parent of the working directory.
func toolsModuleDir(name, env string) (string, error) {
	if d := os.Getenv(env); d != "" {
		return d, nil
	}
	var candidates []string
	if _, file, _, ok := runtime.Caller(0); ok && filepath.IsAbs(file) {
		candidates = append(candidates, filepath.Join(filepath.Dir(file), "..", "..", "..", "tools", name))
	}
	if wd, err := os.Getwd(); err == nil {
		for d := wd; ; d = filepath.Dir(d) {
			candidates = append(candidates, filepath.Join(d, "tools", name))
			if filepath.Dir(d) == d {
				break
			}
		}
	}
	for _, c := range candidates {
		if _, err := os.Stat(filepath.Join(c, "go.mod")); err == nil {
			return filepath.Clean(c), nil
		}
	}
	return "", fmt.Errorf("kubelocal: cannot find tools/%s/go.mod (set %s)", name, env)
}

// buildMu serialises this process's builds (the file lock, other processes').
var buildMu sync.Mutex

// EnsureBinaries returns the cached binaries, building any that are missing
// (once; concurrent callers, also in other processes, wait on a file lock).
// A cold build takes ~10 minutes on 2 cores.
func EnsureBinaries(ctx context.Context, logf Logf) (Binaries, error) {
	dir := CacheDir()
	bins := BinariesIn(dir)
	if bins.Present() {
		return bins, nil
	}
	src, err := KubebinDir()
	if err != nil {
		return bins, err
	}
	what := fmt.Sprintf("Kubernetes %s control plane (cold build: ~10 min on 2 cores)", KubernetesVersion)
	if err := ensureBuilt(ctx, logf, what, dir, src, buildTargets, bins.Present); err != nil {
		return bins, err
	}
	if !bins.Present() {
		return bins, errors.New("kubelocal: build finished but binaries are missing")
	}
	return bins, nil
}

// ensureBuilt builds the targets of the module in src that are missing from
// dir, under a file lock in dir (another process building waits), unless
// present reports them there once the lock is held.
func ensureBuilt(ctx context.Context, logf Logf, what, dir, src string, targets []buildTarget, present func() bool) error {
	buildMu.Lock()
	defer buildMu.Unlock()
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("kubelocal: create cache %s: %w", dir, err)
	}
	lock, err := os.OpenFile(filepath.Join(dir, ".build.lock"), os.O_CREATE|os.O_RDWR, 0o644)
	if err != nil {
		return fmt.Errorf("kubelocal: open build lock: %w", err)
	}
	defer lock.Close()
	if err := syscall.Flock(int(lock.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		logf.printf("kubelocal: another process is building into %s; waiting", dir)
		if err := flockCtx(ctx, lock); err != nil {
			return err
		}
	}
	defer syscall.Flock(int(lock.Fd()), syscall.LOCK_UN) //nolint:errcheck
	if present() {
		return nil
	}
	goBin, err := exec.LookPath("go")
	if err != nil {
		return fmt.Errorf("kubelocal: building the binaries needs the go command on PATH: %w", err)
	}
	start := time.Now()
	logf.printf("kubelocal: building the %s into %s", what, dir)
	for i, t := range targets {
		out := filepath.Join(dir, t.out)
		if isExecutable(out) {
			continue
		}
		logf.printf("kubelocal: [%d/%d] go build %s", i+1, len(targets), t.pkg)
		if err := goBuild(ctx, goBin, src, t, out, logf); err != nil {
			return err
		}
		logf.printf("kubelocal: [%d/%d] built %s (%s elapsed)", i+1, len(targets), t.out, time.Since(start).Round(time.Second))
	}
	return nil
}

func flockCtx(ctx context.Context, f *os.File) error {
	for {
		if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err == nil {
			return nil
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("kubelocal: waiting for build lock: %w", ctx.Err())
		case <-time.After(time.Second):
		}
	}
}

func goBuild(ctx context.Context, goBin, src string, t buildTarget, out string, logf Logf) error {
	tmp := out + ".tmp"
	ldflags := t.ldflags
	if ldflags == "" {
		ldflags = LDFlags()
	}
	cmd := exec.CommandContext(ctx, goBin, "build", "-p", "2", "-trimpath", "-ldflags", ldflags, "-o", tmp, t.pkg)
	cmd.Dir = src
	cmd.Env = append(os.Environ(), "GOWORK=off", "GOFLAGS=-mod=mod")
	pr, pw := io.Pipe()
	cmd.Stdout, cmd.Stderr = pw, pw
	var tail []string
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		sc := bufio.NewScanner(pr)
		for sc.Scan() {
			line := sc.Text()
			logf.printf("  %s", line)
			tail = append(tail, line)
			if len(tail) > 40 {
				tail = tail[1:]
			}
		}
	}()
	if err := cmd.Start(); err != nil {
		pw.Close()
		wg.Wait()
		return fmt.Errorf("kubelocal: start go build: %w", err)
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	began := time.Now()
	tick := time.NewTicker(30 * time.Second)
	defer tick.Stop()
	var err error
	for waiting := true; waiting; {
		select {
		case err = <-done:
			waiting = false
		case <-tick.C:
			logf.printf("kubelocal: still building %s (%s)", t.out, time.Since(began).Round(time.Second))
		}
	}
	pw.Close()
	wg.Wait()
	if err != nil {
		os.Remove(tmp)
		return fmt.Errorf("kubelocal: go build %s in %s failed: %w\n%s", t.pkg, src, err, strings.Join(tail, "\n"))
	}
	return os.Rename(tmp, out)
}
