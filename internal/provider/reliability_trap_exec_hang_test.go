package provider

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
)

var _ = registerTrap("exec_hang", trapExecHang)

// trapExecHang: the exec credential plugin of the cluster access never
// exits. Once, `terraform plan` hung (330 s, then killed by hand): client-go
// runs the plugin without a context. Now every call to the target cluster
// answers when its context ends, and plan-time access is bounded by the
// provider's request_timeout: the plan fails fast, on the access attribute,
// saying what to check. And the plugin does not outlive the plan: it was
// left running, for ever; it is killed when the request that ran it ends.
func trapExecHang(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t, testEnvOptions{flavor: "generic", nodes: 1})
	host, ca, _ := env.viewOnlyCredentials(t)
	// The plugin waits for a file the test writes when it ends (it would
	// otherwise outlive the test).
	dir := t.TempDir()
	release, pidFile := filepath.Join(dir, "release"), filepath.Join(dir, "pid")
	t.Cleanup(func() { _ = os.WriteFile(release, nil, 0o600) })
	const timeout = 5 * time.Second
	config := fmt.Sprintf(`
provider "palette" {
  host            = %q
  api_key         = %q
  project_uid     = %q
  request_timeout = %q
}

resource "palette_imported_cluster" "test" {
  name        = "trap-exec-hang"
  cloud_type  = "generic"
  import_mode = "read_only"
  kubernetes = {
    host                   = %q
    cluster_ca_certificate = %q
    exec = {
      api_version = "client.authentication.k8s.io/v1"
      command     = "/bin/sh"
      args        = ["-c", "echo $$ > %s; while [ ! -e %s ]; do sleep 0.2; done"]
    }
  }
}
`, env.API.URL, env.API.APIKey, env.API.ProjectUID, timeout.String(), host, ca, pidFile, release)
	start := time.Now()
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{{
			Config:      config,
			PlanOnly:    true,
			ExpectError: regexp.MustCompile(`(?s)Cannot\s+reach\s+the\s+target\s+cluster.*did\s+not\s+answer\s+within\s+5s.*exec\s+credential`),
		}},
	})
	took := time.Since(start)
	if took > 4*timeout {
		t.Fatalf("the plan with a hung exec plugin took %s (request_timeout %s)", took.Round(time.Second), timeout)
	}
	t.Logf("plan with a hung exec plugin: failed after %s (request_timeout %s)", took.Round(100*time.Millisecond), timeout)
	b, err := os.ReadFile(pidFile)
	if err != nil {
		t.Fatalf("the plugin never ran: %v", err)
	}
	pid, err := strconv.Atoi(strings.TrimSpace(string(b)))
	if err != nil {
		t.Fatal(err)
	}
	// Killed at once; reaped soon after (the grace is for its pipes).
	for deadline := time.Now().Add(10 * time.Second); syscall.Kill(pid, 0) == nil; time.Sleep(50 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("the exec plugin (process %d) still runs after the plan ended", pid)
		}
	}
}
