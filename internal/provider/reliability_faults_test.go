package provider

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"hash/fnv"
	"io"
	"net/http"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/terraform-palette/terraform-provider-palette/internal/palette"
	"github.com/terraform-palette/terraform-provider-palette/internal/wire"
)

// envTestFaults names the fault spec put on every acceptance test's local
// API (make test-reliability), e.g. "429=0.08,503=0.06,reset=0.03,latency=100ms@0.03".
const envTestFaults = "PALETTE_TEST_FAULTS"

// faultTotals add up what the fault-injected tests saw, printed by TestMain.
var faultTotals struct {
	tests, requests, injected, duplicates, orphans atomic.Int64
}

// TestMain prints the summary lines of the reliability suite.
func TestMain(m *testing.M) {
	if err := ensureCLIConfigFile(); err != nil {
		fmt.Fprintln(os.Stderr, "CLI config:", err)
		os.Exit(1)
	}
	if err := setUpSecretsScan(); err != nil {
		fmt.Fprintln(os.Stderr, "secrets scan:", err)
		os.Exit(1)
	}
	code := m.Run()
	if secretsScanDir() != "" && code == 0 {
		hits, err := scanSecrets()
		if err != nil {
			fmt.Println("secrets: the scan failed:", err)
			code = 1
		} else if hits > 0 {
			code = 1
		}
	}
	if spec := os.Getenv(envTestFaults); spec != "" && faultTotals.tests.Load() > 0 {
		fmt.Printf("faults: %d requests, %d injected, %d duplicates, %d orphans (%d tests, faults %s)\n",
			faultTotals.requests.Load(), faultTotals.injected.Load(), faultTotals.duplicates.Load(),
			faultTotals.orphans.Load(), faultTotals.tests.Load(), spec)
	}
	os.Exit(code)
}

// faultSeed makes each test's faults reproducible.
func faultSeed(name string) int64 {
	h := fnv.New64a()
	_, _ = h.Write([]byte(name))
	return int64(h.Sum64() >> 1) //nolint:gosec // a seed.
}

// importRecorder is the transport of testEnv.Client: it records the UIDs of
// the clusters the test imports itself.
type importRecorder struct {
	mu   sync.Mutex
	uids map[string]bool
}

func (r *importRecorder) RoundTrip(req *http.Request) (*http.Response, error) {
	resp, err := http.DefaultTransport.RoundTrip(req)
	if err != nil || req.Method != http.MethodPost || !strings.HasSuffix(req.URL.Path, "/import") || resp.StatusCode != http.StatusCreated {
		return resp, err
	}
	body, err := io.ReadAll(resp.Body)
	_ = resp.Body.Close()
	if err != nil {
		return nil, err
	}
	resp.Body = io.NopCloser(bytes.NewReader(body))
	var out wire.UIDResponse
	if json.Unmarshal(body, &out) == nil && out.UID != "" {
		r.mu.Lock()
		if r.uids == nil {
			r.uids = map[string]bool{}
		}
		r.uids[out.UID] = true
		r.mu.Unlock()
	}
	return resp, nil
}

func (r *importRecorder) has(uid string) bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.uids[uid]
}

// checkNoDuplicatesNoOrphans runs after a fault-injected test (and its
// CheckDestroy): the project may hold no two live clusters of one name, and
// no live cluster that Terraform created (clusters the test imported itself
// through env.Client, and tests that abandon on purpose, are exempt).
func (e *testEnv) checkNoDuplicatesNoOrphans(t *testing.T, leaves bool) {
	if t.Failed() || t.Skipped() || e.API.Server == nil {
		return
	}
	if err := e.API.Server.SetFaults("", 0); err != nil {
		t.Errorf("switching faults off: %v", err)
		return
	}
	requests := 0
	for k, v := range e.API.Server.Requests() {
		if !strings.HasPrefix(k, "fault ") && !strings.Contains(k, "/debug/") {
			requests += v
		}
	}
	injected := e.API.Server.FaultsInjected()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	items, err := e.Client.SearchClusters(ctx, wire.SearchFilterSummarySpec{}, palette.MaxSearchPageSize)
	if err != nil {
		t.Errorf("listing clusters after the test: %v", err)
		return
	}
	names := map[string]int{}
	dups, orphans := 0, 0
	for _, it := range items {
		if it.Status.State == wire.StateDeleted {
			continue
		}
		if names[it.Metadata.Name]++; names[it.Metadata.Name] == 2 {
			dups++
			t.Errorf("faults: two live clusters named %q", it.Metadata.Name)
		}
		exempt := leaves || strings.Contains(strings.ToLower(t.Name()), "abandon") || e.direct.has(it.Metadata.UID)
		if !exempt {
			orphans++
			t.Errorf("faults: cluster %s (%s) is left %s after destroy", it.Metadata.UID, it.Metadata.Name, it.Status.State)
		}
	}
	if strings.HasPrefix(t.Name(), "TestAccReliability_") {
		// Those tests set faults of their own (or none): the totals are
		// those of the acceptance suite under PALETTE_TEST_FAULTS.
		t.Logf("faults (not in the totals): %d requests, %d injected, %d duplicates, %d orphans", requests, injected, dups, orphans)
		return
	}
	faultTotals.tests.Add(1)
	faultTotals.requests.Add(int64(requests))
	faultTotals.injected.Add(int64(injected))
	faultTotals.duplicates.Add(int64(dups))
	faultTotals.orphans.Add(int64(orphans))
	t.Logf("faults: %d requests, %d injected, %d duplicates, %d orphans", requests, injected, dups, orphans)
}
