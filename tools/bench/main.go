// Command bench measures the provider against the local import API with the
// real Terraform CLI: refresh at scale (wall time, API requests and the
// provider's peak RSS, beside the plugin floor of an empty framework provider
// and Terraform's own floor of terraform_data resources), the refresh with a
// SaaS round trip of latency on every request, the same plan under the API's
// default rate limits, and the import latency of one real import against a
// local kube-apiserver. It prints a table and writes it, with the command
// that made it, to docs/benchmarks.md.
//
//	go run ./tools/bench            # N = 100, 300, 1000 (make bench)
//	go run ./tools/bench -quick     # N = 20, 50, no file written unless -out is given
//	go run ./tools/bench -saas-only # only the refresh at N = 300 with 50 ms on every request
package main

import (
	"cmp"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/terraform-palette/terraform-provider-palette/internal/acctest/kubelocal"
	"github.com/terraform-palette/terraform-provider-palette/internal/acctest/kubetest"
	"github.com/terraform-palette/terraform-provider-palette/internal/agent"
	"github.com/terraform-palette/terraform-provider-palette/internal/localapi"
)

// Goals of issue 7.
const (
	// goalWallRatio bounds the provider's wall time over the plugin floor's
	// (the same graph over tools/bench/emptyprovider), in every round.
	goalWallRatio = 1.5
	goalRSSBytes  = 150 << 20
	goalLatency   = time.Second
	rssGoalN      = 1000
	// requestsGoalN is the N at which a refresh may make at most N/25 + 10
	// API requests in all (and at most 1 per resource at any N).
	requestsGoalN = 1000
	// saasLatency is added by the local API to every request of the SaaS
	// figure (saasFaults: latency with probability 1, no other fault), at
	// N = defaultSaaSN.
	saasLatency     = 50 * time.Millisecond
	saasFaults      = "latency=50ms@1"
	defaultSaaSN    = 300
	providerAddress = "terraform-palette/palette"
	// emptyProviderAddress is tools/bench/emptyprovider, the plugin floor.
	emptyProviderAddress = "terraform-palette/benchempty"
)

type row struct {
	Figure, N, Value, Goal, Result string
}

type bench struct {
	work, tf, providerBin, emptyBin, cliConfig string
	parallelism, repeat                        int
	env                                        []string
	rows                                       []row
	failed                                     bool
}

func main() {
	quick := flag.Bool("quick", false, "small run (N = 20, 50) for CI")
	ns := flag.String("n", "", "comma-separated sizes (default 100,300,1000; -quick: 20,50)")
	out := flag.String("out", "", "markdown file to write (default docs/benchmarks.md, none with -quick)")
	tf := flag.String("terraform", "", "Terraform CLI (default: $TF_ACC_TERRAFORM_PATH, else terraform on PATH)")
	skipLatency := flag.Bool("skip-latency", false, "skip the import latency (needs the local kube binaries)")
	skipRate := flag.Bool("skip-ratelimit", false, "skip the plan under the default rate limits")
	createPar := flag.Int("create-parallelism", 32, "terraform -parallelism of the applies that create the resources")
	providerEnv := flag.String("provider-env", "", "comma-separated NAME=VALUE given to terraform and the provider (e.g. GOMEMLIMIT=100MiB)")
	repeat := flag.Int("repeat", 3, "rounds of the wall-time figures; each wall time is the median, and a goal ratio must hold in every round")
	saasN := flag.Int("saas-n", defaultSaaSN, "N of the refresh with "+saasLatency.String()+" of latency on every request (0: skip it; -quick: the largest N)")
	saasOnly := flag.Bool("saas-only", false, "only the refresh with latency on every request, at -saas-n (no floors, no rate limits, no import latency)")
	flag.Parse()
	sizes := []int{100, 300, 1000}
	if *quick {
		sizes = []int{20, 50}
		if !flagSet("saas-n") {
			*saasN = sizes[len(sizes)-1]
		}
	}
	if *ns != "" {
		sizes = nil
		for _, s := range strings.Split(*ns, ",") {
			n, err := strconv.Atoi(strings.TrimSpace(s))
			if err != nil || n <= 0 {
				fatalf("bad -n %q", *ns)
			}
			sizes = append(sizes, n)
		}
	}
	if *out == "" && !*quick && !*saasOnly {
		*out = "docs/benchmarks.md"
	}
	if *repeat < 1 {
		fatalf("bad -repeat %d", *repeat)
	}
	if *saasN < 0 || (*saasOnly && *saasN == 0) {
		fatalf("bad -saas-n %d", *saasN)
	}
	if *saasOnly {
		sizes = nil
		*skipLatency = true
	}
	b := &bench{parallelism: *createPar, repeat: *repeat}
	if *providerEnv != "" {
		b.env = strings.Split(*providerEnv, ",")
	}
	var err error
	b.tf, err = terraformPath(*tf)
	if err != nil {
		fatalf("%v", err)
	}
	b.work, err = os.MkdirTemp("", "palette-bench-")
	if err != nil {
		fatalf("%v", err)
	}
	defer os.RemoveAll(b.work)
	if err := b.buildProvider(); err != nil {
		fatalf("building the provider: %v", err)
	}
	ctx := context.Background()
	saasDone := false
	for _, n := range sizes {
		o := scaleOpts{floors: true, saas: n == *saasN, rateLimited: !*skipRate && n == sizes[len(sizes)-1]}
		saasDone = saasDone || o.saas
		if err := b.refreshAtScale(ctx, n, o); err != nil {
			fatalf("refresh at N = %d: %v", n, err)
		}
	}
	if *saasN > 0 && !saasDone {
		if err := b.refreshAtScale(ctx, *saasN, scaleOpts{saas: true}); err != nil {
			fatalf("refresh at N = %d with latency: %v", *saasN, err)
		}
	}
	if !*skipLatency {
		if err := b.importLatency(ctx); err != nil {
			b.add(row{"import latency: agent's first contact → provider returns", "1", "error: " + err.Error(), "< 1 s", "FAIL"})
		}
	}
	table := b.table()
	fmt.Print(table)
	if *out != "" {
		if err := b.writeDoc(*out, table); err != nil {
			fatalf("%v", err)
		}
		fmt.Println("wrote", *out)
	}
	if b.failed {
		fmt.Println("bench: some goals are not met (FAIL above)")
	}
}

// flagSet reports whether the flag name was given on the command line.
func flagSet(name string) bool {
	set := false
	flag.Visit(func(f *flag.Flag) { set = set || f.Name == name })
	return set
}

func fatalf(format string, args ...any) {
	fmt.Fprintf(os.Stderr, "bench: "+format+"\n", args...)
	os.Exit(1)
}

func terraformPath(flagged string) (string, error) {
	for _, p := range []string{flagged, os.Getenv("TF_ACC_TERRAFORM_PATH")} {
		if p != "" {
			return p, nil
		}
	}
	p, err := exec.LookPath("terraform")
	if err != nil {
		return "", errors.New("no Terraform CLI: pass -terraform or run scripts/ensure-terraform.sh")
	}
	return p, nil
}

// buildProvider builds the provider into work/bin and writes a CLI config
// with dev_overrides pointing at it (never the user's ~/.terraformrc).
func (b *bench) buildProvider() error {
	bin := filepath.Join(b.work, "bin")
	b.providerBin = filepath.Join(bin, "terraform-provider-palette")
	cmd := exec.CommandContext(context.Background(), "go", "build", "-o", b.providerBin, ".")
	cmd.Stdout, cmd.Stderr = os.Stderr, os.Stderr
	if err := cmd.Run(); err != nil {
		return err
	}
	// The second floor: a framework provider that does nothing.
	b.emptyBin = filepath.Join(bin, "terraform-provider-benchempty")
	cmd = exec.CommandContext(context.Background(), "go", "build", "-o", b.emptyBin, "./tools/bench/emptyprovider")
	cmd.Stdout, cmd.Stderr = os.Stderr, os.Stderr
	if err := cmd.Run(); err != nil {
		return err
	}
	b.cliConfig = filepath.Join(b.work, "terraformrc")
	rc := fmt.Sprintf("provider_installation {\n  dev_overrides {\n    %q = %q\n    %q = %q\n  }\n  direct {}\n}\n",
		providerAddress, bin, emptyProviderAddress, bin)
	return os.WriteFile(b.cliConfig, []byte(rc), 0o600)
}

func (b *bench) add(r row) {
	if r.Result == "FAIL" {
		b.failed = true
	}
	b.rows = append(b.rows, r)
	fmt.Printf("  %-62s N=%-5s %-22s goal %-18s %s\n", r.Figure, r.N, r.Value, r.Goal, r.Result)
}

func passFail(ok bool) string {
	if ok {
		return "PASS"
	}
	return "FAIL"
}

// server is the local import API served in-process on a fixed address.
type server struct {
	srv  *localapi.Server
	addr string
	done chan error
	// agentFirst is the first request of an agent (Bearer token); lastKey
	// the last request with an API key (the provider's).
	mu         sync.Mutex
	agentFirst time.Time
	lastKey    time.Time
	stopFn     func() error
}

func startServer(cfg localapi.Config, addr string) (*server, error) {
	srv, err := localapi.Open(cfg)
	if err != nil {
		return nil, err
	}
	var l net.Listener
	for deadline := time.Now().Add(5 * time.Second); ; {
		var lc net.ListenConfig
		l, err = lc.Listen(context.Background(), "tcp", addr)
		if err == nil || time.Now().After(deadline) {
			break
		}
		time.Sleep(20 * time.Millisecond) // the previous listener's port is being released.
	}
	if err != nil {
		_ = srv.Close()
		return nil, err
	}
	s := &server{srv: srv, addr: l.Addr().String(), done: make(chan error, 1)}
	srv.SetAdvertiseURL("http://" + s.addr)
	h := srv.Handler()
	hs := &http.Server{ReadHeaderTimeout: 10 * time.Second, Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		now := time.Now()
		s.mu.Lock()
		switch {
		case strings.HasPrefix(r.Header.Get("Authorization"), "Bearer "):
			if s.agentFirst.IsZero() {
				s.agentFirst = now
			}
		case r.Header.Get("ApiKey") != "":
			s.lastKey = now
		}
		s.mu.Unlock()
		h.ServeHTTP(w, r)
	})}
	go func() { s.done <- hs.Serve(l) }()
	s.stopFn = func() error {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		err := hs.Shutdown(ctx)
		if cerr := srv.Close(); err == nil {
			err = cerr
		}
		return err
	}
	return s, nil
}

func (s *server) stop() error { return s.stopFn() }

// counts sums the server's request counts: all requests, and 429s.
func (s *server) counts() (total, tooMany int) {
	for k, v := range s.srv.Requests() {
		if strings.HasPrefix(k, "fault ") || strings.Contains(k, "/debug/") {
			continue
		}
		total += v
		if strings.HasSuffix(k, " 429") {
			tooMany += v
		}
	}
	return total, tooMany
}

func (s *server) env() []string {
	return []string{
		"PALETTE_HOST=http://" + s.addr,
		"PALETTE_API_KEY=" + s.srv.BootstrapKey(),
		"PALETTE_PROJECT_UID=" + s.srv.DefaultProjectUID(),
	}
}

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

func mustWrite(path, content string) error { return os.WriteFile(path, []byte(content), 0o600) }

func clustersConfig(n int, profileUID string) string {
	return fmt.Sprintf(`terraform {
  required_providers {
    palette = { source = %q }
  }
}

provider "palette" {}

resource "palette_imported_cluster" "c" {
  count       = %d
  name        = "bench-${count.index}"
  cloud_type  = "generic"
  import_mode = "full_permission"
  wait_for    = "running"
}

resource "palette_addon_profile_attachment" "a" {
  count      = %d
  cluster_id = palette_imported_cluster.c[count.index].id
  profile_id = %q
}
`, providerAddress, n, n, profileUID)
}

// emptyConfig is the plugin floor: the graph of clustersConfig (n resources,
// and n more that each refer to one of them) over a provider that does
// nothing.
func emptyConfig(n int) string {
	return fmt.Sprintf(`terraform {
  required_providers {
    benchempty = { source = %q }
  }
}

resource "benchempty_thing" "t" {
  count = %d
  input = "floor-${count.index}"
}

resource "benchempty_thing" "u" {
  count = %d
  input = benchempty_thing.t[count.index].id
}
`, emptyProviderAddress, n, n)
}

// floorConfig is Terraform's own floor: the graph of clustersConfig (n
// resources, and n more that each refer to one of them) over terraform_data.
// The references matter: Terraform evaluates palette_imported_cluster.c
// whole for each attachment's cluster_id, a cost that grows with N² and that
// no provider can avoid.
func floorConfig(n int) string {
	return fmt.Sprintf(`resource "terraform_data" "d" {
  count = %d
  input = "floor-${count.index}"
}

resource "terraform_data" "e" {
  count = %d
  input = terraform_data.d[count.index].id
}
`, n, n)
}

// schemaFloorConfig is clustersConfig over tools/bench/emptyprovider's
// resources with the palette provider's schemas and no other code.
func schemaFloorConfig(n int, profileUID string) string {
	return strings.NewReplacer(
		fmt.Sprintf("palette = { source = %q }", providerAddress), fmt.Sprintf("benchempty = { source = %q }", emptyProviderAddress),
		`provider "palette" {}`, "",
		"palette_imported_cluster", "benchempty_imported_cluster",
		"palette_addon_profile_attachment", "benchempty_addon_profile_attachment",
	).Replace(clustersConfig(n, profileUID))
}

// flatFloorConfig is 2n terraform_data without references (informative: how
// much of the floor the references are).
func flatFloorConfig(n int) string {
	return fmt.Sprintf(`resource "terraform_data" "d" {
  count = %d
  input = "floor-${count.index}"
}
`, 2*n)
}

// scaleOpts says what refreshAtScale measures at one N.
type scaleOpts struct {
	// floors: the floors, and the wall-time, requests and RSS figures
	// beside them (false: only the configuration under test is created).
	floors bool
	// saas: the refresh with saasLatency on every request, with and
	// without the cache.
	saas bool
	// rateLimited: the plan under the API's default rate limits.
	rateLimited bool
}

// scale is one N's local API and the configuration under test.
type scale struct {
	b   *bench
	s   *server
	n   int
	dir string // the configuration under test
}

var (
	refreshArgs = []string{"plan", "-refresh-only", "-input=false", "-lock=false", "-no-color", "-detailed-exitcode"}
	planArgs    = []string{"plan", "-input=false", "-lock=false", "-no-color", "-detailed-exitcode"}
	cacheOff    = []string{"PALETTE_REFRESH_CACHE=off"}
)

// floorRun runs a floor and requires it to find nothing to change.
func (sc *scale) floorRun(ctx context.Context, what, dir string, args []string) (run, error) {
	r, err := sc.b.terraform(ctx, dir, nil, args...)
	if err == nil && !noChanges(r) {
		err = fmt.Errorf("%s %s exit %d\n%s", what, args[1], r.code, tail(r.output))
	}
	return r, err
}

// measure runs args over the configuration under test and returns the run,
// its API requests and the 429s among them.
func (sc *scale) measure(ctx context.Context, args, env []string) (run, int, int, error) {
	s := sc.s
	before, before429 := s.counts()
	snap := s.srv.Requests()
	r, err := sc.b.terraform(ctx, sc.dir, append(s.env(), env...), args...)
	after, after429 := s.counts()
	fmt.Printf("  %s %s: %s\n", strings.Join(args[:2], " "), strings.Join(env, " "), r.wall.Round(time.Millisecond))
	for k, v := range s.srv.Requests() {
		if d := v - snap[k]; d > 0 && !strings.Contains(k, "/debug/") {
			fmt.Printf("    %6d  %s\n", d, k)
		}
	}
	if err == nil && !noChanges(r) {
		err = fmt.Errorf("%s exit %d: the refresh found changes or failed\n%s", args[1], r.code, tail(r.output))
	}
	return r, after - before, after429 - before429, err
}

// refreshAtScale creates N clusters and N attachments, then measures what o
// asks for.
func (b *bench) refreshAtScale(ctx context.Context, n int, o scaleOpts) error {
	ns := strconv.Itoa(n)
	fmt.Printf("refresh at N = %d\n", n)
	dataDir := filepath.Join(b.work, "api-"+ns)
	cfg := localapi.Config{DataDir: dataDir, SimulateAgents: true, DisableRateLimit: true}
	s, err := startServer(cfg, "127.0.0.1:0")
	if err != nil {
		return err
	}
	defer func() { _ = s.stop() }()
	prof, err := localapi.LoadProfileFile("examples/profiles/hello-addon.yaml")
	if err != nil {
		return err
	}
	pid, err := s.srv.CreateProfile(ctx, prof, s.srv.DefaultProjectUID())
	if err != nil {
		return err
	}
	sc := &scale{b: b, s: s, n: n, dir: filepath.Join(b.work, "tf-"+ns)}
	fd := floorDirs{
		floor:  filepath.Join(b.work, "floor-"+ns),
		empty:  filepath.Join(b.work, "empty-"+ns),
		flat:   filepath.Join(b.work, "flat-"+ns),
		schema: filepath.Join(b.work, "schema-"+ns),
	}
	par := "-parallelism=" + strconv.Itoa(b.parallelism)
	// The configuration under test against the local API, then the floors.
	configs := []struct{ what, dir, config string }{{fmt.Sprintf("%d clusters and attachments", n), sc.dir, clustersConfig(n, pid)}}
	if o.floors {
		configs = append(configs, []struct{ what, dir, config string }{
			{"the floor", fd.floor, floorConfig(n)},
			{"the plugin floor", fd.empty, emptyConfig(n)},
			{"the floor without references", fd.flat, flatFloorConfig(n)},
			{"the schema floor", fd.schema, schemaFloorConfig(n, pid)},
		}...)
	}
	for _, c := range configs {
		if err := os.MkdirAll(c.dir, 0o700); err != nil {
			return err
		}
		if err := mustWrite(filepath.Join(c.dir, "main.tf"), c.config); err != nil {
			return err
		}
		var env []string
		if c.dir == sc.dir {
			env = s.env()
		}
		r, err := b.terraform(ctx, c.dir, env, "apply", "-auto-approve", "-input=false", par)
		if err != nil || r.code != 0 {
			return fmt.Errorf("creating %s (exit %d): %w\n%s", c.what, r.code, err, tail(r.output))
		}
		fmt.Printf("  created %s in %s\n", c.what, r.wall.Round(time.Millisecond))
	}

	if o.floors {
		if err := sc.figures(ctx, fd); err != nil {
			return err
		}
	}
	if o.saas {
		if err := sc.saasFigure(ctx); err != nil {
			return fmt.Errorf("refresh with %s of latency: %w", saasLatency, err)
		}
	}
	if !o.rateLimited {
		return nil
	}
	// The same plan with Palette's default rate limits on.
	if err := s.stop(); err != nil {
		return err
	}
	cfg.DisableRateLimit = false
	if sc.s, err = startServer(cfg, s.addr); err != nil {
		return err
	}
	s = sc.s
	for _, c := range []struct {
		what string
		env  []string
	}{{"with cache", nil}, {"without cache", cacheOff}} {
		r, reqs, n429, err := sc.measure(ctx, planArgs, c.env)
		ok := err == nil
		val := fmt.Sprintf("plan ok in %s, %s, %d × 429 absorbed", r.wall.Round(time.Millisecond), requestsN(reqs), n429)
		if err != nil {
			val = fmt.Sprintf("plan failed: %s", firstLine(err.Error()))
		}
		b.add(row{"plan under default rate limits " + c.what + ": 429 reaching the user", ns, val, "none", passFail(ok)})
	}
	return nil
}

// floorDirs are the working directories of one N's floors.
type floorDirs struct{ floor, empty, flat, schema string }

// figures measures the refresh and the plan beside the floors: wall times
// (the goal against the plugin floor, per round), API requests, CPU and
// peak RSS.
func (sc *scale) figures(ctx context.Context, fd floorDirs) error {
	b, n, ns := sc.b, sc.n, strconv.Itoa(sc.n)
	// Wall times are the median of b.repeat rounds; each round runs the
	// floors and the provider one after the other (the plugin floor, the
	// goal's reference, just before the provider), so that a change of the
	// machine's load falls on all of them alike. Per command (0: refresh,
	// 1: plan): the runs of the floor, the schema floor, the plugin floor
	// and the provider, and the provider's API requests in the first round.
	var floorRuns, emptyRuns, schemaRuns, paletteRuns [2][]run
	var requests [2]int
	for round := range b.repeat {
		for c, args := range [2][]string{refreshArgs, planArgs} {
			for _, f := range []struct {
				what, dir string
				runs      *[]run
			}{{"floor", fd.floor, &floorRuns[c]}, {"schema floor", fd.schema, &schemaRuns[c]}, {"plugin floor", fd.empty, &emptyRuns[c]}} {
				r, err := sc.floorRun(ctx, f.what, f.dir, args)
				if err != nil {
					return err
				}
				*f.runs = append(*f.runs, r)
			}
			r, reqs, _, err := sc.measure(ctx, args, nil)
			if err != nil {
				return fmt.Errorf("%s with the cache: %w", [2]string{"refresh", "plan"}[c], err)
			}
			paletteRuns[c] = append(paletteRuns[c], r)
			if round == 0 {
				requests[c] = reqs
			}
		}
	}
	fl, flPlan := median(floorRuns[0]), median(floorRuns[1])
	emptyRefresh, emptyPlan := median(emptyRuns[0]), median(emptyRuns[1])
	schemaRefresh, schemaPlan := median(schemaRuns[0]), median(schemaRuns[1])
	cached, fullPlan := median(paletteRuns[0]), median(paletteRuns[1])
	reqCached, reqPlan := requests[0], requests[1]
	uncached, reqUncached, _, err := sc.measure(ctx, refreshArgs, cacheOff)
	if err != nil {
		return fmt.Errorf("refresh without the cache: %w", err)
	}
	flat, err := sc.floorRun(ctx, "floor without references", fd.flat, refreshArgs)
	if err != nil {
		return err
	}
	flatPlan, err := sc.floorRun(ctx, "floor without references", fd.flat, planArgs)
	if err != nil {
		return err
	}
	resources := 2 * n
	reqGoal, reqOK := requestsGoal(n, reqCached)
	b.add(row{"refresh with cache (the default): API requests in all", ns, fmt.Sprintf("%d for %d resources = %.3f per resource", reqCached, resources, float64(reqCached)/float64(resources)),
		reqGoal, passFail(reqOK)})
	perRes := float64(reqUncached) / float64(resources)
	b.add(row{"refresh without cache (PALETTE_REFRESH_CACHE=off: per-cluster reads): API requests per resource (informative)", ns,
		fmt.Sprintf("%.2f (%d for %d resources)", perRes, reqUncached, resources), "—", "—"})
	refreshRatio, refreshOK := wallGoal(paletteRuns[0], emptyRuns[0])
	b.add(row{"refresh (plan -refresh-only) wall time vs the plugin floor (the same graph over an empty framework provider)", ns,
		fmt.Sprintf("%s vs %s: %s", cached.wall.Round(time.Millisecond), emptyRefresh.wall.Round(time.Millisecond), refreshRatio),
		fmt.Sprintf("≤ %.1f× in every round", goalWallRatio), passFail(refreshOK)})
	b.add(row{"refresh wall time without cache (informative)", ns,
		fmt.Sprintf("%s = %.2f× the plugin floor", uncached.wall.Round(time.Millisecond), uncached.wall.Seconds()/emptyRefresh.wall.Seconds()), "—", "—"})
	planRatio, planOK := wallGoal(paletteRuns[1], emptyRuns[1])
	b.add(row{"plan (refresh + plan-time rules) wall time vs the plugin floor, with cache", ns,
		fmt.Sprintf("%s vs %s: %s, %s", fullPlan.wall.Round(time.Millisecond), emptyPlan.wall.Round(time.Millisecond),
			planRatio, requestsN(reqPlan)), fmt.Sprintf("≤ %.1f× in every round", goalWallRatio), passFail(planOK)})
	b.add(row{"refresh / plan wall time vs the floor, the same graph over terraform_data inside Terraform (informative: no plugin provider reaches 1.5× of it)", ns,
		fmt.Sprintf("%s vs %s: %s / %s vs %s: %s",
			cached.wall.Round(time.Millisecond), fl.wall.Round(time.Millisecond), roundRatios(paletteRuns[0], floorRuns[0]),
			fullPlan.wall.Round(time.Millisecond), flPlan.wall.Round(time.Millisecond), roundRatios(paletteRuns[1], floorRuns[1])), "—", "—"})
	b.add(row{"plugin floor: the same graph over an empty framework provider, refresh / plan vs the floor; its peak RSS (informative)", ns,
		fmt.Sprintf("%s = %.2f× / %s = %.2f×; %.0f MB",
			emptyRefresh.wall.Round(time.Millisecond), emptyRefresh.wall.Seconds()/fl.wall.Seconds(),
			emptyPlan.wall.Round(time.Millisecond), emptyPlan.wall.Seconds()/flPlan.wall.Seconds(),
			mb(max(emptyRefresh.peakRSS, emptyPlan.peakRSS))), "—", "—"})
	b.add(row{"schema floor: the same configuration over resources with palette's schemas (validators, plan modifiers) that do nothing else, refresh / plan vs the plugin floor (informative)", ns,
		fmt.Sprintf("%s = %.2f× / %s = %.2f×; palette ÷ it: %.2f× / %.2f×",
			schemaRefresh.wall.Round(time.Millisecond), schemaRefresh.wall.Seconds()/emptyRefresh.wall.Seconds(),
			schemaPlan.wall.Round(time.Millisecond), schemaPlan.wall.Seconds()/emptyPlan.wall.Seconds(),
			cached.wall.Seconds()/schemaRefresh.wall.Seconds(), fullPlan.wall.Seconds()/schemaPlan.wall.Seconds()), "—", "—"})
	b.add(row{"floor without references: 2N independent terraform_data, refresh / plan (informative)", ns,
		fmt.Sprintf("%s / %s; palette ÷ it: %.2f× / %.2f×", flat.wall.Round(time.Millisecond), flatPlan.wall.Round(time.Millisecond),
			cached.wall.Seconds()/flat.wall.Seconds(), fullPlan.wall.Seconds()/flatPlan.wall.Seconds()), "—", "—"})
	cpuSplit := func(r run) string {
		return fmt.Sprintf("%.1f + %.1f", (r.cpu - r.providerCPU).Seconds(), r.providerCPU.Seconds())
	}
	b.add(row{"where the CPU goes, seconds of Terraform + provider: floor / plugin floor / schema floor / palette, refresh; plan (informative)", ns,
		fmt.Sprintf("%s / %s / %s / %s; %s / %s / %s / %s", cpuSplit(fl), cpuSplit(emptyRefresh), cpuSplit(schemaRefresh), cpuSplit(cached),
			cpuSplit(flPlan), cpuSplit(emptyPlan), cpuSplit(schemaPlan), cpuSplit(fullPlan)), "—", "—"})
	rssGoal, rssResult := "—", "—"
	peak := max(cached.peakRSS, uncached.peakRSS, fullPlan.peakRSS)
	if n >= rssGoalN {
		rssGoal, rssResult = "< 150 MB", passFail(peak < goalRSSBytes)
	}
	b.add(row{"provider peak RSS (VmHWM): refresh with / without cache, plan", ns,
		fmt.Sprintf("%.0f / %.0f / %.0f MB", mb(cached.peakRSS), mb(uncached.peakRSS), mb(fullPlan.peakRSS)), rssGoal, rssResult})
	return nil
}

// saasFigure is the refresh with saasLatency added by the local API to every
// request of the provider (a round trip to a SaaS Palette far away), with
// and without the cache, b.repeat rounds of each: what the cache is worth to
// such a user. The server's rate limits are off and latency is the only
// fault, so that nothing but the round trip distorts the figure.
func (sc *scale) saasFigure(ctx context.Context) error {
	b, s := sc.b, sc.s
	fmt.Printf("  (%s of latency on every request)\n", saasLatency)
	if err := s.srv.SetFaults(saasFaults, 1); err != nil {
		return err
	}
	defer func() { _ = s.srv.SetFaults("", 0) }()
	var runs [2][]run
	var reqs, latencies [2]int
	for round := range b.repeat {
		for c, env := range [2][]string{nil, cacheOff} {
			snap := s.srv.Requests()
			r, n, n429, err := sc.measure(ctx, refreshArgs, env)
			if err != nil {
				return err
			}
			lat, others := faultsSince(snap, s.srv.Requests())
			if others != "" || n429 > 0 {
				return fmt.Errorf("faults other than latency (%s) or 429s (%d) during the figure", others, n429)
			}
			runs[c] = append(runs[c], r)
			if round == 0 {
				reqs[c], latencies[c] = n, lat
			}
		}
	}
	cached, uncached := median(runs[0]), median(runs[1])
	val := fmt.Sprintf("with cache %s, %s; without cache %s, %s; the cache saves %s (%.1f×)",
		cached.wall.Round(time.Millisecond), requestsN(reqs[0]), uncached.wall.Round(time.Millisecond), requestsN(reqs[1]),
		(uncached.wall - cached.wall).Round(time.Millisecond), uncached.wall.Seconds()/cached.wall.Seconds())
	if latencies[0] != reqs[0] || latencies[1] != reqs[1] {
		// Requests to routes the local API does not serve get no latency.
		val += fmt.Sprintf(" (latency on %d of %d / %d of %d requests)", latencies[0], reqs[0], latencies[1], reqs[1])
	}
	if b.repeat > 1 {
		val += fmt.Sprintf("; median of %d rounds", b.repeat)
	}
	b.add(row{fmt.Sprintf("refresh with %s of latency on every request (a SaaS round trip), with / without cache (informative)", saasLatency),
		strconv.Itoa(sc.n), val, "—", "—"})
	return nil
}

// faultsSince returns, between two snapshots of the server's request
// counts, the latency faults injected and a list of any other faults.
func faultsSince(before, after map[string]int) (latency int, others string) {
	var other []string
	for k, v := range after {
		kind, ok := strings.CutPrefix(k, "fault ")
		d := v - before[k]
		switch {
		case !ok || d <= 0:
		case kind == "latency":
			latency = d
		default:
			other = append(other, fmt.Sprintf("%d × %s", d, kind))
		}
	}
	slices.Sort(other)
	return latency, strings.Join(other, ", ")
}

// requestsGoal is the goal on a refresh's API requests at N (2N
// resources): at most 1 request per resource at any N, and at N =
// requestsGoalN at most N/25 + 10 in all.
func requestsGoal(n, requests int) (goal string, ok bool) {
	ok = requests <= 2*n
	goal = "≤ 1 per resource"
	if n == requestsGoalN {
		limit := n/25 + 10
		goal = fmt.Sprintf("≤ %d (N/25 + 10), ≤ 1 per resource", limit)
		ok = ok && requests <= limit
	}
	return goal, ok
}

// wallGoal is the wall-time goal: the provider within goalWallRatio of the
// plugin floor in every round, each ratio taken within its round.
func wallGoal(palette, pluginFloor []run) (ratios, bool) {
	r := roundRatios(palette, pluginFloor)
	return r, len(r) > 0 && r.worst() <= goalWallRatio
}

// ratios are the wall-time ratios of two commands, one per round.
type ratios []float64

// roundRatios returns, for each round, a's wall time over b's; a[i] and b[i]
// ran in the same round, one after the other, so that a change of the
// machine's speed between rounds cancels out of each ratio.
func roundRatios(a, b []run) ratios {
	out := make(ratios, min(len(a), len(b)))
	for i := range out {
		out[i] = a[i].wall.Seconds() / b[i].wall.Seconds()
	}
	return out
}

// median is the median of the ratios (the upper one of an even count).
func (r ratios) median() float64 {
	sorted := slices.Clone(r)
	slices.Sort(sorted)
	return sorted[len(sorted)/2]
}

// worst is the largest ratio: a goal on the ratio is met only when every
// round meets it, so that one quiet round cannot pass it.
func (r ratios) worst() float64 { return slices.Max(r) }

func (r ratios) String() string {
	if len(r) == 1 {
		return fmt.Sprintf("%.2f×", r[0])
	}
	return fmt.Sprintf("%.2f× (median of %d rounds; %.2f–%.2f×)", r.median(), len(r), slices.Min(r), r.worst())
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

// requestsN is "1 request" or "N requests".
func requestsN(n int) string {
	if n == 1 {
		return "1 request"
	}
	return strconv.Itoa(n) + " requests"
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

// importLatency imports one cluster of a real local kube-apiserver (agents
// run in-process) and measures from the agent's first contact with the API
// to the provider's last request (its return from Create).
func (b *bench) importLatency(ctx context.Context) error {
	fmt.Println("import latency")
	if !kubelocal.BinariesIn(kubelocal.CacheDir()).Present() {
		return fmt.Errorf("no kube binaries in %s: run make test-deps", kubelocal.CacheDir())
	}
	kc, stopKube, err := kubetest.StartShared(kubetest.Options{Flavor: kubelocal.Flavor("generic"), Nodes: 1, Name: "bench"})
	if err != nil {
		return err
	}
	defer stopKube()
	s, err := startServer(localapi.Config{DataDir: filepath.Join(b.work, "api-latency"), HeartbeatInterval: 2 * time.Second}, "127.0.0.1:0")
	if err != nil {
		return err
	}
	defer func() { _ = s.stop() }()
	actx, cancel := context.WithCancel(ctx)
	defer cancel()
	runner := agent.NewRunner(kc.RESTConfig(), slog.New(slog.NewTextHandler(io.Discard, nil)))
	go func() { _ = runner.Run(actx) }()
	dir := filepath.Join(b.work, "tf-latency")
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return err
	}
	conf := fmt.Sprintf(`terraform {
  required_providers {
    palette = { source = %q }
  }
}

provider "palette" {}

resource "palette_imported_cluster" "c" {
  name       = "latency"
  cloud_type = "generic"
  kubernetes = {
    config_path = %q
  }
}
`, providerAddress, kc.Kubeconfig)
	if err := mustWrite(filepath.Join(dir, "main.tf"), conf); err != nil {
		return err
	}
	r, err := b.terraform(ctx, dir, s.env(), "apply", "-auto-approve", "-input=false")
	end := time.Now()
	if err != nil || r.code != 0 {
		return fmt.Errorf("apply (exit %d): %w\n%s", r.code, err, tail(r.output))
	}
	s.mu.Lock()
	first, last := s.agentFirst, s.lastKey
	s.mu.Unlock()
	if first.IsZero() {
		return errors.New("no agent ever contacted the API")
	}
	slack := last.Sub(first)
	b.add(row{"import latency: agent's first contact → provider returns", "1",
		fmt.Sprintf("%s (apply %s in all, exit %s later)", slack.Round(time.Millisecond), r.wall.Round(time.Millisecond), end.Sub(last).Round(time.Millisecond)),
		"< 1 s", passFail(slack < goalLatency)})
	// Leave nothing behind in the cluster: destroy with the agent running.
	if r, err := b.terraform(ctx, dir, s.env(), "destroy", "-auto-approve", "-input=false"); err != nil || r.code != 0 {
		fmt.Printf("  destroy after the latency run failed (exit %d): %v\n", r.code, err)
	}
	return nil
}

func (b *bench) table() string {
	var sb strings.Builder
	sb.WriteString("| Figure | N | Value | Goal | Result |\n|---|---|---|---|---|\n")
	for _, r := range b.rows {
		fmt.Fprintf(&sb, "| %s | %s | %s | %s | %s |\n", r.Figure, r.N, r.Value, r.Goal, r.Result)
	}
	return sb.String()
}

func (b *bench) writeDoc(path, table string) error {
	tfv, _ := exec.CommandContext(context.Background(), b.tf, "version").Output()
	load, _ := os.ReadFile("/proc/loadavg")
	var sb strings.Builder
	sb.WriteString("# Benchmarks\n\n")
	fmt.Fprintf(&sb, "Made by `%s` (`make bench`) on %s: %d CPUs, %s, %s.\n\n",
		strings.Join(append([]string{"go run ./tools/bench"}, os.Args[1:]...), " "),
		time.Now().UTC().Format("2006-01-02 15:04 MST"), runtime.NumCPU(), runtime.Version(), firstLine(string(tfv)))
	if f := strings.Fields(string(load)); len(f) >= 3 {
		fmt.Fprintf(&sb, "Load average at the end of the run: %s %s %s (wall times are sensitive to it).\n\n", f[0], f[1], f[2])
	}
	if len(b.env) > 0 {
		fmt.Fprintf(&sb, "Environment given to Terraform and the provider: `%s`.\n\n", strings.Join(b.env, " "))
	}
	sb.WriteString(table)
	sb.WriteString(`
How it is measured:

- **Refresh at scale.** The local import API (` + "`palette-local`" + `, in-process, SQLite) with simulated agents
  (imports Running and packs Ready at once) holds N ` + "`palette_imported_cluster`" + ` (no cluster access,
  ` + "`wait_for = \"running\"`" + `) and N ` + "`palette_addon_profile_attachment`" + ` (the profile
  ` + "`examples/profiles/hello-addon.yaml`" + `), created once by ` + "`terraform apply`" + `. Two figures:
  ` + "`terraform plan -refresh-only -detailed-exitcode`" + ` (the refresh alone) and ` + "`terraform plan -detailed-exitcode`" + `
  (refresh, then the plan with its plan-time rules), each over 2N resources at
  Terraform's default parallelism and each required to find no change, against a freshly built provider binary
  through ` + "`dev_overrides`" + ` in a CLI config of its own. API requests are the difference of the server's request counts (` + "`/debug/requests`" + `) around
  the plan. Peak RSS is the largest ` + "`VmHWM`" + ` of the provider process, sampled from /proc every 10 ms.
- **Floors.** The floor is the same command over the same graph of ` + "`terraform_data`" + ` in the same run: N resources
  and N more whose ` + "`input`" + ` refers to one of them (` + "`terraform_data.d[count.index].id`" + `), as each attachment's
  ` + "`cluster_id`" + ` refers to a cluster. The references are part of the floor because Terraform evaluates the
  referenced resource whole (all N instances) for each referring instance, a cost that grows with N² and that no
  provider can avoid; the floor without references (2N independent ` + "`terraform_data`" + `) is shown beside it.
  Terraform serves ` + "`terraform_data`" + ` from its own process; every provider is a separate process spoken to over
  gRPC. The plugin floor, the goal's reference, is the same graph over ` + "`tools/bench/emptyprovider`" + `, a
  terraform-plugin-framework provider whose one resource does nothing: what any framework provider pays.
  The schema floor (informative) is the benchmark's configuration over resources of the same provider
  that carry the palette provider's two schemas, validators and plan modifiers included, and do nothing else:
  what the framework and Terraform cost for those schemas, so that palette ÷ it is what the provider's own
  code costs. Each wall time is the median of ` + "`-repeat`" + ` rounds (default 3), and each round runs the floors and the
  provider one after the other (` + "`terraform_data`" + `, the schema floor, the plugin floor, then the provider).
  The goal's ratio is taken within each round (the provider over the plugin floor run just before it) and must
  hold in every round: the machine's speed drifts by ±20 % between rounds, enough to pass or fail a ratio of
  medians by chance. Where the time goes: ` + "`PALETTE_PROVIDER_PPROF_DIR`" + ` (see README).
- **What the goal allows.** The goal is the refresh and the plan within 1.5× of the plugin floor in every round:
  what the provider's own code, its schemas and its API requests may add to what any framework provider pays.
  ` + "`terraform_data`" + ` runs inside Terraform, while a plugin provider costs a separate process, started three
  times per command (schema, validation, plan: about 0.3 s of its own for a framework provider even at N = 1),
  and gRPC for every resource; a provider that does nothing already exceeds 1.5× of ` + "`terraform_data`" + ` at
  N = 100 and 300, so the ratio to ` + "`terraform_data`" + ` is shown, per round as well, as an informative row only.
- **Requests.** A refresh with the cache (the default) may make at most 1 API request per resource at any N,
  and at N = 1,000 at most N/25 + 10 in all; the requests of the first round are counted.
- **Cache.** The provider answers Reads from one paged search of the project's clusters (50 per page, once per
  30 s window, shared by concurrent Reads); "without cache" sets ` + "`PALETTE_REFRESH_CACHE=off`" + `, which is also
  what happens against a server whose search does not carry the refresh fields (the real Palette today): each
  imported cluster then costs GET cluster + GET overview, each attachment GET cluster + GET profiles.
- **SaaS latency.** The refresh at N = 300 (` + "`-saas-n`" + `) with 50 ms added by the local API to every request of
  the provider (fault spec ` + "`latency=50ms@1`" + `: latency with probability 1 and no other fault; rate limits off),
  with and without the cache, each the median of ` + "`-repeat`" + ` rounds: what the cache is worth to a user far from
  Palette. The bench stops if any other fault or a 429 occurs; a request to a route the local API does not
  serve gets no latency, and the row then says how many requests got it.
- **Rate limits.** The same plan at the largest N with the API's default per-key limits on; the client absorbs
  429s (Retry-After); the figure passes when the plan succeeds.
- **Import latency.** One real import of a local kube-apiserver (etcd, kube-apiserver, controller-manager on
  loopback) with the agent runner in-process: time from the agent's first request to the API to the provider's
  last request before Create returns (` + "`wait_for = \"healthy\"`" + `, heartbeat interval 2 s).
`)
	return os.WriteFile(path, []byte(sb.String()), 0o644) //nolint:gosec // documentation.
}
