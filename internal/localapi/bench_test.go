package localapi_test

import (
	"fmt"
	"io"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/terraform-palette/terraform-provider-palette/internal/acctest/localtest"
	"github.com/terraform-palette/terraform-provider-palette/internal/wire"
)

// timedLoop runs op b.N times and reports ops/s and the p50/p99 latency.
func timedLoop(b *testing.B, op func() error) {
	b.Helper()
	lat := make([]time.Duration, 0, b.N)
	b.ResetTimer()
	start := time.Now()
	for range b.N {
		t0 := time.Now()
		if err := op(); err != nil {
			b.Fatal(err)
		}
		lat = append(lat, time.Since(t0))
	}
	elapsed := time.Since(start)
	b.StopTimer()
	slices.Sort(lat)
	b.ReportMetric(float64(b.N)/elapsed.Seconds(), "ops/s")
	b.ReportMetric(float64(lat[len(lat)/2].Microseconds()), "p50-µs")
	b.ReportMetric(float64(lat[len(lat)*99/100].Microseconds()), "p99-µs")
}

func benchRequest(c *client, method, path, body string) func() error {
	return func() error {
		var rd io.Reader
		if body != "" {
			rd = strings.NewReader(body)
		}
		req, err := http.NewRequestWithContext(c.t.Context(), method, c.base+path, rd)
		if err != nil {
			return err
		}
		if body != "" {
			req.Header.Set("Content-Type", "application/json")
		}
		req.Header.Set(wire.HeaderAPIKey, c.key)
		req.Header.Set(wire.HeaderProjectUID, c.project)
		resp, err := c.hc.Do(req)
		if err != nil {
			return err
		}
		defer resp.Body.Close()
		if _, err := io.Copy(io.Discard, resp.Body); err != nil {
			return err
		}
		if resp.StatusCode != 200 {
			return fmt.Errorf("status %d", resp.StatusCode)
		}
		return nil
	}
}

// BenchmarkGetCluster: GET /v1/spectroclusters/{uid} over real HTTP and SQLite.
func BenchmarkGetCluster(b *testing.B) {
	inst := localtest.Start(b, localtest.WithoutRateLimit(), localtest.WithSimulateAgents())
	c := newClient(b, inst)
	prof := inst.CreateProfileFromFile(b, writeProfile(b, "bench", "1.0.0", "add-on"))
	uid := c.importCluster("generic", "bench", "")
	c.must(http.MethodPatch, "/v1/spectroclusters/"+uid+"/profiles", profilesBody(prof), 204, nil)
	timedLoop(b, benchRequest(c, http.MethodGet, "/v1/spectroclusters/"+uid, ""))
}

// BenchmarkSearchPage1000: the first page (50) of a name-sorted search over 1,000 stored clusters.
func BenchmarkSearchPage1000(b *testing.B) {
	inst := localtest.Start(b, localtest.WithoutRateLimit(), localtest.WithSimulateAgents())
	c := newClient(b, inst)
	for i := range 1000 {
		c.importCluster(wire.InfrastructureProviders[i%len(wire.InfrastructureProviders)], fmt.Sprintf("bench-%04d", i), "")
	}
	body := `{"filter":{"conjunction":"and","filterGroups":[{"conjunction":"and","filters":[{"property":"cloudType","type":"string","condition":{"string":{"operator":"eq","negation":true,"match":{"conjunction":"or","values":["none"]}}}}]}]},"sort":[{"field":"clusterName","order":"asc"}]}`
	timedLoop(b, benchRequest(c, http.MethodPost, "/v1/dashboard/spectroclusters/search?limit=50", body))
}
