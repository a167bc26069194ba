package provider

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/terraform-palette/terraform-provider-palette/internal/acctest/localtest"
	"github.com/terraform-palette/terraform-provider-palette/internal/palette"
	"github.com/terraform-palette/terraform-provider-palette/internal/wire"
)

// TestAccReliability_orphanProvider: Terraform is killed alone (not its
// process group) while the provider is registering clusters one after the
// other (-parallelism=1), in the name check before the second import. Once,
// the provider outlived it for over 60 s and registered two more clusters.
// Now it notices it is orphaned: the request in flight is cancelled, no
// further import reaches Palette, and the provider exits within seconds.
func TestAccReliability_orphanProvider(t *testing.T) {
	testAccPreCheck(t)
	t.Parallel()
	env := newTestEnv(t, testEnvOptions{api: []localtest.Option{localtest.WithFaults("", 0)}})
	var checks, forwarded atomic.Int32
	var killedAt atomic.Int64 // UnixNano
	killedAt.Store(time.Now().UnixNano())
	reached := make(chan struct{}, 1)
	held := make(chan string, 1) // what became of the held import
	inner := env.API.Server.Handler()
	proxy := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		isImport := r.Method == http.MethodPost && strings.HasSuffix(r.URL.Path, "/import")
		isCheck := r.Method == http.MethodGet && strings.HasSuffix(r.URL.Path, "/validate/name")
		// The plan checks every name first; the apply checks each name
		// again just before its import.
		if isCheck && forwarded.Load() == 1 && checks.Add(1) == 1 {
			// The name check before the second import is held until its
			// sender gives up (the provider cancelled it) or for 20 s,
			// then let through: the import would follow it.
			reached <- struct{}{}
			select {
			case <-r.Context().Done():
				held <- fmt.Sprintf("cancelled by the provider %s after the kill", time.Since(time.Unix(0, killedAt.Load())).Round(10*time.Millisecond))
				return
			case <-time.After(20 * time.Second):
				held <- "let through after 20 s"
			}
		}
		if isImport {
			forwarded.Add(1)
		}
		inner.ServeHTTP(w, r)
	}))
	t.Cleanup(proxy.Close)

	dir := cliWorkDir(t)
	writeCLIConfig(t, dir, proxy.URL, env.API.ProjectUID, `resource "palette_imported_cluster" "c" {
  count       = 4
  name        = "orphan-${count.index}"
  cloud_type  = "generic"
  import_mode = "read_only"
  wait_for    = "none"
}
`)
	tfEnv := []string{"PALETTE_API_KEY=" + env.API.APIKey}
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	cmd, out, exited := startTerraform(ctx, t, dir, tfEnv, "apply", "-auto-approve", "-no-color", "-parallelism=1")
	t.Cleanup(func() { _ = syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL) })
	select {
	case <-reached:
	case err := <-exited:
		t.Fatalf("terraform ended before the second name check: %v\n%s", err, out.String())
	case <-ctx.Done():
		t.Fatal("the second name check never came")
	}
	provider := childProvider(t, cmd.Process.Pid)
	killedAt.Store(time.Now().UnixNano())
	if err := cmd.Process.Kill(); err != nil { // terraform alone
		t.Fatal(err)
	}
	<-exited
	killed := time.Unix(0, killedAt.Load())
	deadline := killed.Add(15 * time.Second)
	for processAlive(provider) {
		if time.Now().After(deadline) {
			t.Fatalf("the provider (process %d) still runs 15 s after terraform was killed", provider)
		}
		time.Sleep(50 * time.Millisecond) // polling a process that gives no other sign
	}
	exitedAfter := time.Since(killed)
	what := <-held
	t.Logf("provider exited %s after the kill; the request in flight: %s", exitedAfter.Round(10*time.Millisecond), what)
	if !strings.HasPrefix(what, "cancelled") {
		t.Fatalf("the request in flight when terraform was killed was %s", what)
	}
	items, err := env.Client.SearchClusters(context.Background(), wire.SearchFilterSummarySpec{}, palette.MaxSearchPageSize)
	if err != nil {
		t.Fatal(err)
	}
	registered := 0
	for _, it := range items {
		if strings.HasPrefix(it.Metadata.Name, "orphan-") {
			registered++
			_ = env.Client.DeleteCluster(context.Background(), it.Metadata.UID, true)
		}
	}
	if registered != 1 || forwarded.Load() != 1 {
		t.Fatalf("after the kill: %d clusters registered, %d imports reached Palette; want 1 (the one before the kill)", registered, forwarded.Load())
	}
	fmt.Printf("orphan: provider exited %s after terraform was killed; 0 clusters registered after the kill\n", exitedAfter.Round(10*time.Millisecond))
}

// startTerraform starts terraform in a process group of its own (so that
// a test can kill it alone, or with its provider), its output gathered in
// out; exited receives the end of the process.
func startTerraform(ctx context.Context, t *testing.T, dir string, env []string, args ...string) (cmd *exec.Cmd, out *strings.Builder, exited chan error) {
	t.Helper()
	cmd = tfCommand(ctx, t, dir, env, args...)
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	out = &strings.Builder{}
	cmd.Stdout, cmd.Stderr = out, out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	exited = make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	return cmd, out, exited
}

// childProvider returns the process ID of the provider terraform (pid)
// started: its child running the provider binary.
func childProvider(t *testing.T, pid int) int {
	t.Helper()
	ents, err := os.ReadDir("/proc")
	if err != nil {
		t.Skip("no /proc: ", err)
	}
	for _, e := range ents {
		child, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		b, err := os.ReadFile(filepath.Join("/proc", e.Name(), "stat"))
		if err != nil {
			continue
		}
		// pid (comm) state ppid …
		s := string(b)
		i := strings.LastIndexByte(s, ')')
		if i < 0 || !strings.Contains(s[:i], "terraform-provi") {
			continue
		}
		fields := strings.Fields(s[i+1:])
		if len(fields) > 1 && fields[1] == strconv.Itoa(pid) {
			return child
		}
	}
	t.Fatalf("no provider process under terraform (process %d)", pid)
	return 0
}

// processAlive tells whether pid runs (a zombie nobody reaped has exited).
func processAlive(pid int) bool {
	b, err := os.ReadFile(filepath.Join("/proc", strconv.Itoa(pid), "stat"))
	if err != nil {
		return false
	}
	s := string(b)
	i := strings.LastIndexByte(s, ')')
	return i >= 0 && !strings.HasPrefix(strings.TrimSpace(s[i+1:]), "Z")
}
