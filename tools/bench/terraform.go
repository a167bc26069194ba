package main

import (
	"cmp"
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// run is one terraform command's outcome.
type run struct {
	wall    time.Duration
	peakRSS int64 // bytes, the provider's VmHWM
	// CPU time of the command and its children (Terraform, the provider),
	// and of the provider alone (sampled from /proc; 0 for terraform_data).
	cpu, providerCPU time.Duration
	code             int
	output           string
}

// terraform runs the CLI in dir and samples the provider's peak RSS.
func (b *bench) terraform(ctx context.Context, dir string, env []string, args ...string) (run, error) {
	cmd := exec.CommandContext(ctx, b.tf, args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "TF_CLI_CONFIG_FILE="+b.cliConfig, "TF_IN_AUTOMATION=1", "TF_INPUT=0", "CHECKPOINT_DISABLE=1")
	cmd.Env = append(append(cmd.Env, b.env...), env...)
	var buf strings.Builder
	cmd.Stdout, cmd.Stderr = &buf, &buf
	var peak atomic.Int64
	var cpuMu sync.Mutex
	providerCPU := map[int]time.Duration{}
	stop := make(chan struct{})
	sampled := make(chan struct{})
	start := time.Now()
	if err := cmd.Start(); err != nil {
		return run{}, err
	}
	go func() {
		defer close(sampled)
		t := time.NewTicker(10 * time.Millisecond)
		defer t.Stop()
		for {
			for _, bin := range []string{b.providerBin, b.emptyBin} {
				for pid, st := range providerStats(bin) {
					if st.hwm > peak.Load() {
						peak.Store(st.hwm)
					}
					cpuMu.Lock()
					providerCPU[pid] = max(providerCPU[pid], st.cpu)
					cpuMu.Unlock()
				}
			}
			select {
			case <-stop:
				return
			case <-t.C:
			}
		}
	}()
	err := cmd.Wait()
	wall := time.Since(start)
	close(stop)
	<-sampled
	r := run{wall: wall, peakRSS: peak.Load(), output: buf.String()}
	if ps := cmd.ProcessState; ps != nil {
		r.cpu = ps.UserTime() + ps.SystemTime()
	}
	for _, c := range providerCPU {
		r.providerCPU += c
	}
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		r.code = ee.ExitCode()
		err = nil
	}
	return r, err
}

// procStat is what the sampler reads of one provider process.
type procStat struct {
	hwm int64         // VmHWM, bytes
	cpu time.Duration // user + system time so far
}

// clockTick is the unit of utime and stime in /proc/PID/stat (USER_HZ,
// 100 on Linux).
const clockTick = 10 * time.Millisecond

// providerStats returns, per PID, the peak RSS and CPU time of the running
// processes of the binary bin.
func providerStats(bin string) map[int]procStat {
	entries, err := os.ReadDir("/proc")
	if err != nil {
		return nil
	}
	out := map[int]procStat{}
	for _, e := range entries {
		pid, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		exe, err := os.Readlink(filepath.Join("/proc", e.Name(), "exe"))
		if err != nil || strings.TrimSuffix(exe, " (deleted)") != bin {
			continue
		}
		var st procStat
		if status, err := os.ReadFile(filepath.Join("/proc", e.Name(), "status")); err == nil {
			for _, line := range strings.Split(string(status), "\n") {
				if v, ok := strings.CutPrefix(line, "VmHWM:"); ok {
					kb, _ := strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")), 10, 64)
					st.hwm = kb << 10
				}
			}
		}
		// Fields 14 and 15 (utime, stime), counted after the ")" that ends
		// the command name.
		if stat, err := os.ReadFile(filepath.Join("/proc", e.Name(), "stat")); err == nil {
			if i := strings.LastIndexByte(string(stat), ')'); i >= 0 {
				if f := strings.Fields(string(stat)[i+1:]); len(f) > 12 {
					ut, _ := strconv.ParseInt(f[11], 10, 64)
					stt, _ := strconv.ParseInt(f[12], 10, 64)
					st.cpu = time.Duration(ut+stt) * clockTick
				}
			}
		}
		out[pid] = st
	}
	return out
}

// median returns the run of median wall time, with the largest peak RSS of
// all.
func median(runs []run) run {
	sorted := slices.Clone(runs)
	slices.SortFunc(sorted, func(a, b run) int { return cmp.Compare(a.wall, b.wall) })
	m := sorted[len(sorted)/2]
	for _, r := range runs {
		m.peakRSS = max(m.peakRSS, r.peakRSS)
	}
	return m
}

// noChanges reports a plan that succeeded and found nothing to change (a
// refresh-only plan may exit 2 while saying "No changes").
func noChanges(r run) bool {
	return r.code == 0 || (r.code == 2 && strings.Contains(r.output, "No changes."))
}

func mb(b int64) float64 { return float64(b) / (1 << 20) }

func tail(s string) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	return strings.Join(lines[max(0, len(lines)-25):], "\n")
}

func firstLine(s string) string {
	l, _, _ := strings.Cut(s, "\n")
	return l
}
