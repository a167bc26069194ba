package provider

import (
	"fmt"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/terraform"

	"github.com/terraform-palette/terraform-provider-palette/internal/acctest/localtest"
	"github.com/terraform-palette/terraform-provider-palette/internal/wire"
)

// TestAccReliability_restart: the local API is stopped and started again
// (same data dir, same port) while an apply of several clusters and
// attachments is under way; the apply retries through, and every cluster
// and attachment of the state is in the API exactly once afterwards.
func TestAccReliability_restart(t *testing.T) {
	const n = 4
	// Every request takes 150 ms, so that the apply is still running when the
	// restart comes.
	env := newTestEnv(t, testEnvOptions{api: []localtest.Option{
		localtest.WithSimulateAgents(), localtest.WithoutRateLimit(), localtest.WithFaults("latency=150ms@1", 1),
	}})
	profile := env.API.CreateProfileFromFile(t, "../../examples/profiles/hello-addon.yaml")
	srv := env.API.Server
	var restartedAt atomic.Int64
	done := make(chan struct{})
	t.Cleanup(func() { <-done })
	go func() {
		defer close(done)
		deadline := time.Now().Add(3 * time.Minute)
		for time.Now().Before(deadline) {
			if srv.Requests()["POST /v1/spectroclusters/{cloudType}/import 201"] >= 1 {
				env.API.Restart(t)
				restartedAt.Store(time.Now().UnixNano())
				return
			}
			time.Sleep(10 * time.Millisecond) // polling the request counts, not synchronising on time.
		}
	}()
	config := env.providerConfig() + fmt.Sprintf(`
resource "palette_imported_cluster" "c" {
  count       = %d
  name        = "restart-${count.index}"
  cloud_type  = "generic"
  import_mode = "full_permission"
  wait_for    = "running"
}

resource "palette_addon_profile_attachment" "a" {
  count      = %d
  cluster_id = palette_imported_cluster.c[count.index].id
  profile_id = %q
}
`, n, n, profile)
	var after map[string]int
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		CheckDestroy:             env.testAccCheckImportedClusterDestroy,
		Steps: []resource.TestStep{{
			Config: config,
			Check: func(s *terraform.State) error {
				if restartedAt.Load() == 0 {
					return fmt.Errorf("the API was not restarted during the apply")
				}
				after = env.API.Server.Requests()
				total := 0
				for k, v := range after {
					if !strings.Contains(k, "/debug/") && !strings.HasPrefix(k, "fault ") {
						total += v
					}
				}
				if total == 0 {
					return fmt.Errorf("no request reached the restarted API: the apply did not go on after the restart")
				}
				for i := range n {
					rs := s.RootModule().Resources[fmt.Sprintf("palette_imported_cluster.c.%d", i)]
					if rs == nil {
						return fmt.Errorf("cluster %d not in state", i)
					}
					live := liveClusters(t, env.Client, fmt.Sprintf("restart-%d", i))
					if len(live) != 1 || live[0].Metadata.UID != rs.Primary.ID || live[0].Status.State != wire.StateRunning {
						return fmt.Errorf("cluster restart-%d: state %s, API %+v", i, rs.Primary.ID, live)
					}
					ps, err := env.Client.GetClusterProfiles(t.Context(), rs.Primary.ID)
					if err != nil {
						return err
					}
					if len(ps.Profiles) != 1 || ps.Profiles[0].Metadata.UID != profile {
						return fmt.Errorf("cluster restart-%d: profiles %+v", i, ps.Profiles)
					}
				}
				fmt.Printf("restart: API restarted during an apply of %d clusters + %d attachments: apply succeeded, %d requests after the restart, all %d clusters and attachments present once\n",
					n, n, total, n)
				return nil
			},
		}},
	})
}
