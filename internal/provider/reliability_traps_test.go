package provider

import (
	"fmt"
	"sort"
	"sync/atomic"
	"testing"
)

// A trap is a situation a user can walk into (a failed install, a cluster
// deleted behind Terraform's back, a killed run …) that once had no way out
// through Terraform. Each trap test walks into it, then takes the one way
// out a user has with Terraform alone, and fails unless one apply (or one
// destroy) converges.
type trap struct {
	name string
	run  func(t *testing.T)
}

var traps []trap

// registerTrap adds a trap to TestAccReliability_traps; each trap lives in
// its own reliability_trap_*_test.go file:
//
//	var _ = registerTrap("failed_install", trapFailedInstall)
func registerTrap(name string, run func(t *testing.T)) bool {
	traps = append(traps, trap{name: name, run: run})
	return true
}

// TestAccReliability_traps runs every registered trap (they may run in
// parallel: each calls t.Parallel itself when it can) and prints the
// figure line of the reliability suite.
func TestAccReliability_traps(t *testing.T) {
	testAccPreCheck(t)
	sort.Slice(traps, func(i, j int) bool { return traps[i].name < traps[j].name })
	var left atomic.Int32
	t.Run("all", func(t *testing.T) {
		for _, tr := range traps {
			t.Run(tr.name, func(t *testing.T) {
				tr.run(t)
				if !t.Failed() {
					left.Add(1)
				}
			})
		}
	})
	fmt.Printf("traps: %d entered, %d left with one apply\n", len(traps), left.Load())
}
