package main

import (
	"testing"
	"time"
)

func TestRoundRatios(t *testing.T) {
	runs := func(walls ...time.Duration) []run {
		out := make([]run, len(walls))
		for i, w := range walls {
			out[i] = run{wall: w}
		}
		return out
	}
	// Round 2 is quick for both: the ratio of medians (3 s / 2 s = 1.5×)
	// would pass, but round 1's ratio is 2× and must fail the goal.
	r := roundRatios(runs(4*time.Second, 3*time.Second, 1500*time.Millisecond), runs(2*time.Second, 2*time.Second, time.Second))
	if len(r) != 3 || r[0] != 2 || r[1] != 1.5 || r[2] != 1.5 {
		t.Fatalf("ratios = %v, want [2 1.5 1.5]", r)
	}
	if got := r.median(); got != 1.5 {
		t.Errorf("median = %v, want 1.5", got)
	}
	if got := r.worst(); got != 2 {
		t.Errorf("worst = %v, want 2", got)
	}
	if got, want := r.String(), "1.50× (median of 3 rounds; 1.50–2.00×)"; got != want {
		t.Errorf("String = %q, want %q", got, want)
	}
	if got, want := (ratios{1.25}).String(), "1.25×"; got != want {
		t.Errorf("String of one round = %q, want %q", got, want)
	}
	// Unequal lengths pair only the rounds both ran.
	if got := roundRatios(runs(time.Second), runs(time.Second, time.Second)); len(got) != 1 {
		t.Errorf("len = %d, want 1", len(got))
	}
}
