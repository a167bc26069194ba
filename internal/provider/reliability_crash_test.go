package provider

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/terraform-palette/terraform-provider-palette/internal/acctest/localtest"
	"github.com/terraform-palette/terraform-provider-palette/internal/palette"
	"github.com/terraform-palette/terraform-provider-palette/internal/wire"
)

// liveClusters returns the clusters of a name that are not deleted.
func liveClusters(t *testing.T, c *palette.Client, name string) []wire.SpectroClusterSummary {
	t.Helper()
	items, err := c.SearchClusters(context.Background(), wire.SearchFilterSummarySpec{
		Filter: wire.AndFilter(wire.StringFilter("clusterName", name))}, palette.MaxSearchPageSize)
	if err != nil {
		t.Fatal(err)
	}
	var out []wire.SpectroClusterSummary
	for _, it := range items {
		if it.Status.State != wire.StateDeleted && it.Metadata.Name == name {
			out = append(out, it)
		}
	}
	return out
}

// TestAccReliability_crash: Terraform is killed after the import POST has
// been committed by the API and before the provider could write the state;
// the next apply must converge on that one cluster, by apply alone.
//
// A proxy in front of the local API lets Terraform's requests through until
// the kill point, then holds them until the test has killed Terraform (and
// the provider with it: the whole process group). Two kill points:
//   - "import": the import POST's answer is held, so the cluster is still
//     Pending (nobody fetched its manifest) when Terraform dies;
//   - "agent": the manifest is fetched and applied, and every request after
//     it is held until the agent (which talks to the API directly) has
//     brought the cluster to Running: the cluster is imported, its agent
//     runs in the target cluster, and Terraform dies waiting.
func TestAccReliability_crash(t *testing.T) {
	testAccPreCheck(t)
	var mu sync.Mutex
	var lines []string
	for _, point := range []string{"import", "agent"} {
		t.Run(point, func(t *testing.T) {
			t.Parallel()
			how := crashAndConverge(t, point)
			mu.Lock()
			lines = append(lines, how)
			mu.Unlock()
		})
	}
	t.Cleanup(func() {
		if !t.Failed() {
			fmt.Printf("crash: %s\n", strings.Join(lines, "; "))
		}
	})
}

func crashAndConverge(t *testing.T, point string) string {
	// Faults are off here: the proxy records the API's answers, and this
	// test is about the crash, not the network.
	env := newTestEnv(t, testEnvOptions{flavor: "generic", api: []localtest.Option{localtest.WithFaults("", 0)}})
	var holding, armed atomic.Bool
	armed.Store(true) // the kill point fires once, in the first apply
	reached := make(chan string, 1)
	release := make(chan struct{})
	inner := env.API.Server.Handler()
	hold := func(r *http.Request) {
		select {
		case <-release:
		case <-r.Context().Done():
		}
	}
	proxy := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if holding.Load() {
			hold(r)
		}
		isImport := r.Method == http.MethodPost && strings.HasSuffix(r.URL.Path, "/import")
		isManifest := r.Method == http.MethodGet && strings.HasSuffix(r.URL.Path, "/import/manifest")
		if (point == "import" && !isImport) || (point == "agent" && !isManifest) || !armed.CompareAndSwap(true, false) {
			inner.ServeHTTP(w, r)
			return
		}
		// The kill point: the API does its part; from now on Terraform
		// gets no answer.
		rec := httptest.NewRecorder()
		inner.ServeHTTP(rec, r)
		if point == "import" {
			holding.Store(true)
			reached <- strings.TrimSpace(rec.Body.String())
			hold(r)
		}
		for k, v := range rec.Header() {
			w.Header()[k] = v
		}
		w.WriteHeader(rec.Code)
		_, _ = w.Write(rec.Body.Bytes())
		if point == "agent" {
			holding.Store(true) // what follows the manifest is held
			reached <- "manifest fetched"
		}
	}))
	t.Cleanup(proxy.Close)
	t.Cleanup(func() { close(release) })

	name := "crash-" + point
	dir := cliWorkDir(t)
	writeCLIConfig(t, dir, proxy.URL, env.API.ProjectUID, fmt.Sprintf(`resource "palette_imported_cluster" "c" {
  name        = %q
  cloud_type  = "generic"
  import_mode = "read_only"
  wait_for    = "running"
  %s
}
`, name, env.kubeAccess()))
	tfEnv := []string{"PALETTE_API_KEY=" + env.API.APIKey}

	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	cmd, out, exited := startTerraform(ctx, t, dir, tfEnv, "apply", "-auto-approve", "-no-color")
	select {
	case what := <-reached:
		t.Logf("kill point %q reached (%s)", point, what)
	case err := <-exited:
		t.Fatalf("terraform ended before the kill point: %v\n%s", err, out.String())
	case <-ctx.Done():
		t.Fatal("the kill point was never reached")
	}
	var uid string
	if point == "agent" {
		// Wait until the agent has brought the cluster to Running.
		for {
			live := liveClusters(t, env.Client, name)
			if len(live) == 1 && live[0].Status.State == wire.StateRunning {
				uid = live[0].Metadata.UID
				break
			}
			select {
			case err := <-exited:
				t.Fatalf("terraform ended before the kill: %v\n%s", err, out.String())
			case <-ctx.Done():
				t.Fatalf("the cluster never reached Running: %+v", live)
			case <-time.After(100 * time.Millisecond):
			}
		}
	}
	if err := syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	<-exited
	holding.Store(false)

	first := liveClusters(t, env.Client, name)
	if len(first) != 1 {
		t.Fatalf("after the crash: %d live clusters named %s, want 1", len(first), name)
	}
	if uid == "" {
		uid = first[0].Metadata.UID
	}
	state := first[0].Status.State
	if b, err := os.ReadFile(filepath.Join(dir, "terraform.tfstate")); err == nil && strings.Contains(string(b), uid) {
		t.Fatalf("the state already holds %s: Terraform was not killed before the state write", uid)
	}

	// Apply again: the cluster carries this configuration's fingerprint,
	// but nothing tells this state from another of the same configuration:
	// the apply registers no second cluster and says the one command that
	// brings this one back.
	refused, code := tfRun(t, dir, tfEnv, "apply", "-auto-approve")
	if code == 0 || !adoptCommand.MatchString(refused) {
		t.Fatalf("the apply after the crash did not refuse with the adopt command (exit %d):\n%s", code, refused)
	}
	if n := len(liveClusters(t, env.Client, name)); n != 1 {
		t.Fatalf("after the refused apply: %d live clusters named %s, want 1", n, name)
	}
	// That command takes the cluster over (with a warning) and the state
	// converges.
	again := tfMust(t, dir, append(tfEnv, "PALETTE_ADOPT_INTERRUPTED=1"), nil, "apply", "-auto-approve")
	if !strings.Contains(again, "Took over a cluster left by an interrupted apply") {
		t.Fatalf("the second apply did not say it took the cluster over:\n%s", again)
	}
	after := liveClusters(t, env.Client, name)
	if len(after) != 1 || after[0].Metadata.UID != uid || after[0].Status.State != wire.StateRunning {
		t.Fatalf("after the second apply: %+v, want only %s, Running\n%s", after, uid, again)
	}
	if b, err := os.ReadFile(filepath.Join(dir, "terraform.tfstate")); err != nil || !strings.Contains(string(b), uid) {
		t.Fatalf("the state does not hold %s after the second apply (%v)", uid, err)
	}
	tfMust(t, dir, tfEnv, nil, "plan", "-detailed-exitcode")
	tfMust(t, dir, tfEnv, nil, "destroy", "-auto-approve")
	if n := len(liveClusters(t, env.Client, name)); n != 0 {
		t.Fatalf("after destroy: %d live clusters", n)
	}
	return fmt.Sprintf("killed after the %s (cluster %s), next apply refused with the adopt command, which took it over: 1 cluster, converged", map[string]string{
		"import": "import POST", "agent": "agent install"}[point], state)
}
