package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/terraform-palette/terraform-provider-palette/internal/localapi"
)

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
