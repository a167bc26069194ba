package main

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
)

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

// requestsN is "1 request" or "N requests".
func requestsN(n int) string {
	if n == 1 {
		return "1 request"
	}
	return strconv.Itoa(n) + " requests"
}

// day2RequestsGoal is the goal on the Day-2 refresh's API requests at N
// clusters with 2 namespaces and 2 role bindings each: at most 1 request
// per namespace or binding, the clusters' own refresh included (≤ 4N in
// all).
func day2RequestsGoal(n, requests int) (goal string, ok bool) {
	return fmt.Sprintf("≤ 1 per namespace or binding: ≤ %d (4N) in all", 4*n), requests <= 4*n
}

// listReads counts, between two snapshots of the server's request counts,
// the reads of the clusters' Day-2 lists (GET …/config/namespaces and
// …/config/rbacs, not their single entries).
func listReads(before, after map[string]int) int {
	reads := 0
	for k, v := range after {
		// A key is "METHOD PATTERN STATUS", e.g. "GET /v1/…/config/rbacs 200".
		i := strings.LastIndexByte(k, ' ')
		if i < 0 || !strings.HasPrefix(k, "GET ") {
			continue
		}
		if route := k[:i]; strings.HasSuffix(route, "/config/namespaces") || strings.HasSuffix(route, "/config/rbacs") {
			reads += v - before[k]
		}
	}
	return reads
}
