package provider

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/terraform-palette/terraform-provider-palette/internal/wire"
)

// TestAccReliability_interrupt: Ctrl-C while an apply waits for three
// registered clusters. Terraform stops the provider; the clusters are saved
// in state as made, not tainted, so that the next plan neither
// deregisters nor imports a healthy cluster again.
func TestAccReliability_interrupt(t *testing.T) {
	testAccPreCheck(t)
	env := newTestEnv(t, testEnvOptions{})
	const n = 3
	dir := cliWorkDir(t)
	writeCLIConfig(t, dir, env.API.URL, env.API.ProjectUID, fmt.Sprintf(`resource "palette_imported_cluster" "c" {
  count       = %d
  name        = "interrupt-${count.index}"
  cloud_type  = "generic"
  import_mode = "read_only"
  wait_for    = "running" # no agent: they stay Pending, and the apply waits
}
`, n))
	tfEnv := []string{"PALETTE_API_KEY=" + env.API.APIKey}
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	cmd, out, exited := startTerraform(ctx, t, dir, tfEnv, "apply", "-auto-approve", "-no-color")
	registered := func() int {
		got := 0
		for i := range n {
			got += len(liveClusters(t, env.Client, fmt.Sprintf("interrupt-%d", i)))
		}
		return got
	}
	for registered() < n {
		select {
		case err := <-exited:
			t.Fatalf("terraform ended before the interrupt: %v\n%s", err, out.String())
		case <-ctx.Done():
			t.Fatalf("the clusters were never registered\n%s", out.String())
		case <-time.After(200 * time.Millisecond):
		}
	}
	// What a terminal's Ctrl-C does: SIGINT to the foreground process group.
	if err := syscall.Kill(-cmd.Process.Pid, syscall.SIGINT); err != nil {
		t.Fatal(err)
	}
	select {
	case <-exited:
	case <-ctx.Done():
		t.Fatalf("terraform did not stop after the interrupt\n%s", out.String())
	}
	state, err := os.ReadFile(filepath.Join(dir, "terraform.tfstate"))
	if err != nil {
		t.Fatalf("no state after the interrupt: %v\n%s", err, out.String())
	}
	if strings.Contains(string(state), `"status": "tainted"`) {
		t.Fatalf("the interrupted clusters were saved tainted:\n%s\n%s", state, out.String())
	}
	// The plan's summary (TF_LOG, on in make test-reliability, adds log
	// lines to the output: only the summary line is read).
	plan := tfMust(t, dir, tfEnv, []int{0, 2}, "plan", "-detailed-exitcode")
	if m := regexp.MustCompile(`(?m)^Plan: (\d+) to add, \d+ to change, (\d+) to destroy`).FindStringSubmatch(plan); m != nil && (m[1] != "0" || m[2] != "0") {
		t.Fatalf("the plan after the interrupt re-imports clusters (%s):\n%s", m[0], plan)
	}
	if got := registered(); got != n {
		t.Fatalf("%d clusters registered after the interrupt and a plan, want %d", got, n)
	}
	for i := range n {
		if live := liveClusters(t, env.Client, fmt.Sprintf("interrupt-%d", i)); live[0].Status.State != wire.StatePending {
			t.Errorf("cluster %d is %s", i, live[0].Status.State)
		}
	}
	tfMust(t, dir, tfEnv, nil, "destroy", "-auto-approve")
}
