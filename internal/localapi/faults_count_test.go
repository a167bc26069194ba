package localapi_test

import (
	"context"
	"net/http"
	"testing"

	"github.com/terraform-palette/terraform-provider-palette/internal/acctest/localtest"
)

func TestFaultsInjected_counted(t *testing.T) {
	t.Parallel()
	tests := []struct {
		spec     string
		key      string
		requests int
		want     int
	}{
		{"503=1", "fault 503", 3, 3},
		{"429=1,latency=1ms@1", "fault 429", 2, 4},
		{"", "fault 503", 2, 0},
	}
	for _, tt := range tests {
		t.Run(tt.spec, func(t *testing.T) {
			t.Parallel()
			inst := localtest.Start(t, localtest.WithFaults(tt.spec, 1))
			for range tt.requests {
				req, err := http.NewRequestWithContext(context.Background(), http.MethodGet, inst.URL+"/v1/spectroclusters/0123456789abcdef01234567", nil)
				if err != nil {
					t.Fatal(err)
				}
				req.Header.Set("ApiKey", inst.APIKey)
				resp, err := http.DefaultClient.Do(req)
				if err != nil {
					t.Fatal(err)
				}
				_ = resp.Body.Close()
			}
			if got := inst.Server.FaultsInjected(); got != tt.want {
				t.Errorf("FaultsInjected() = %d, want %d", got, tt.want)
			}
			reqs := inst.Server.Requests()
			if tt.want > 0 && reqs[tt.key] == 0 {
				t.Errorf("Requests() has no %q: %v", tt.key, reqs)
			}
			total := 0
			for k, v := range reqs {
				if len(k) < 6 || k[:6] != "fault " {
					total += v
				}
			}
			if total != tt.requests {
				t.Errorf("%d requests counted, want %d (faults must not count as requests): %v", total, tt.requests, reqs)
			}
		})
	}
}
