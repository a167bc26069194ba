package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"time"

	"github.com/terraform-palette/terraform-provider-palette/internal/localapi"
)

// defaultDay2N is the N of the Day-2 refresh figure (-day2-n).
const defaultDay2N = 300

// day2Refresh is the Day-2 refresh budget: against a local API of its own
// (simulated agents, no rate limits), terraform apply creates n Full
// Permission clusters with two namespaces and two role bindings each
// (day2Config), then terraform plan -refresh-only runs b.repeat times. The
// namespaces and bindings read each cluster's two lists (GET
// …/config/namespaces and …/config/rbacs) once per refresh, shared by the
// cluster's four resources: the goal is at most 1 request per namespace or
// binding, the clusters' own refresh included. The wall time (the median)
// is informative.
func (b *bench) day2Refresh(ctx context.Context, n int) error {
	ns := strconv.Itoa(n)
	fmt.Printf("Day-2 refresh at N = %d\n", n)
	cfg := localapi.Config{DataDir: filepath.Join(b.work, "api-day2-"+ns), SimulateAgents: true, DisableRateLimit: true}
	s, err := startServer(cfg, "127.0.0.1:0")
	if err != nil {
		return err
	}
	defer func() { _ = s.stop() }()
	sc := &scale{b: b, s: s, n: n, dir: filepath.Join(b.work, "tf-day2-"+ns)}
	if err := os.MkdirAll(sc.dir, 0o700); err != nil {
		return err
	}
	if err := mustWrite(filepath.Join(sc.dir, "main.tf"), day2Config(n)); err != nil {
		return err
	}
	what := fmt.Sprintf("%d clusters with 2 namespaces and 2 role bindings each", n)
	r, err := b.terraform(ctx, sc.dir, s.env(), "apply", "-auto-approve", "-input=false", "-parallelism="+strconv.Itoa(b.parallelism))
	if err != nil || r.code != 0 {
		return fmt.Errorf("creating %s (exit %d): %w\n%s", what, r.code, err, tail(r.output))
	}
	fmt.Printf("  created %s in %s\n", what, r.wall.Round(time.Millisecond))
	var runs []run
	var requests, reads int
	for round := range b.repeat {
		snap := s.srv.Requests()
		r, reqs, _, err := sc.measure(ctx, refreshArgs, nil)
		if err != nil {
			return err
		}
		runs = append(runs, r)
		if round == 0 {
			requests, reads = reqs, listReads(snap, s.srv.Requests())
		}
	}
	m := median(runs)
	day2 := 4 * n // namespaces and bindings
	goal, ok := day2RequestsGoal(n, requests)
	val := fmt.Sprintf("%d requests for %d namespaces and bindings (+ %d clusters) = %.3f per namespace or binding, %d of them list reads; wall time %s",
		requests, day2, n, float64(requests)/float64(day2), reads, m.wall.Round(time.Millisecond))
	if b.repeat > 1 {
		val += fmt.Sprintf(" (median of %d rounds)", b.repeat)
	}
	val += fmt.Sprintf(", provider peak RSS %.0f MB", mb(m.peakRSS))
	b.add(row{"Day-2 refresh (plan -refresh-only) of N clusters with 2 namespaces and 2 role bindings each: API requests, wall time", ns, val, goal, passFail(ok)})
	return nil
}
