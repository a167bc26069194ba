package provider

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/terraform-palette/terraform-provider-palette/internal/palette"
	"github.com/terraform-palette/terraform-provider-palette/internal/wire"
)

const testBackupPolicy = "palette_cluster_backup_policy.test"

// testAccBackupPolicyBlock is a location and a policy of cluster cid.
func testAccBackupPolicyBlock(cid, secretFile, policy string) string {
	return fmt.Sprintf(`
resource "palette_backup_location" "l" {
  name             = "policy-location"
  type             = "minio"
  bucket           = "backups"
  region           = "us-east-1"
  endpoint         = "http://127.0.0.1:9000"
  force_path_style = true
  access_key       = "AKIALOCALTEST"
  secret_key_wo    = file(%q)
}

resource "palette_cluster_backup_policy" "test" {
  cluster_id  = %q
  location_id = palette_backup_location.l.id
%s
}
`, secretFile, cid, policy)
}

// expectPalettePolicy checks the cluster's schedule in Palette (cron ""
// wants none).
func (e *testEnv) expectPalettePolicy(cid, cron string, hours int64, mode string) func(*terraform.State) error {
	return func(*terraform.State) error {
		c, err := findBackupPolicy(context.Background(), e.Client, cid)
		switch {
		case cron == "" && errors.Is(err, palette.ErrNotFound):
			return nil
		case cron == "" && err == nil:
			return fmt.Errorf("Palette still has a schedule: %+v", c)
		case err != nil:
			return err
		case c.Schedule.ScheduledRunTime != cron || c.DurationInHours != hours || c.IncludeClusterResourceMode != mode:
			return fmt.Errorf("Palette's schedule %+v, want %q, %dh, %s", c, cron, hours, mode)
		}
		return nil
	}
}

func TestAccClusterBackupPolicy_basic(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t, testEnvOptions{})
	cid := env.importClusterDirect(t, "backup-policy", wire.CloudTypeGeneric, "", nil)
	_, file := secretKeyFile(t)
	cfg := func(policy string) string { return env.providerConfig() + testAccBackupPolicyBlock(cid, file, policy) }
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{
				Config: cfg(`schedule = "0 2 * * *"
expiry_hours = 72
prefix = "nightly"
namespaces = ["shop", "team-a"]`),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(testBackupPolicy, tfjsonpath.New("id"), knownvalue.StringExact(cid)),
					statecheck.ExpectKnownValue(testBackupPolicy, tfjsonpath.New("include_cluster_resources"), knownvalue.StringExact("auto")),
					statecheck.ExpectKnownValue(testBackupPolicy, tfjsonpath.New("namespaces"),
						knownvalue.SetExact([]knownvalue.Check{knownvalue.StringExact("shop"), knownvalue.StringExact("team-a")})),
				},
				Check: env.expectPalettePolicy(cid, "0 2 * * *", 72, wire.IncludeClusterResourcesAuto),
			},
			{
				Config: cfg(`schedule = "@every 6h"
expiry_hours = 24
prefix = "nightly"
include_cluster_resources = "never"
include_disks = true`),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{plancheck.ExpectResourceAction(testBackupPolicy, plancheck.ResourceActionUpdate)},
				},
				Check: env.expectPalettePolicy(cid, "@every 6h", 24, wire.IncludeClusterResourcesNever),
			},
			{
				ResourceName:      testBackupPolicy,
				ImportState:       true,
				ImportStateVerify: true,
			},
			{
				// Drift: a schedule changed in Palette comes back.
				PreConfig: func() {
					c, err := findBackupPolicy(context.Background(), env.Client, cid)
					if err != nil {
						t.Fatal(err)
					}
					c.DurationInHours = 1
					if err := env.Client.UpdateClusterBackupSchedule(context.Background(), cid, *c); err != nil {
						t.Fatal(err)
					}
				},
				Config: cfg(`schedule = "@every 6h"
expiry_hours = 24
prefix = "nightly"
include_cluster_resources = "never"
include_disks = true`),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{plancheck.ExpectResourceAction(testBackupPolicy, plancheck.ResourceActionUpdate)},
				},
				Check: env.expectPalettePolicy(cid, "@every 6h", 24, wire.IncludeClusterResourcesNever),
			},
			{
				// Removing the resource removes the schedule.
				Config: env.providerConfig(),
				Check:  env.expectPalettePolicy(cid, "", 0, ""),
			},
		},
	})
}

// Each rule fails the plan on its attribute: a read-only cluster, a
// schedule that does not parse, a bad prefix, a bad namespace.
func TestAccClusterBackupPolicy_rules(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t, testEnvOptions{})
	fp := env.importClusterDirect(t, "backup-rules", wire.CloudTypeGeneric, "", nil)
	ro := env.importClusterDirect(t, "backup-rules-ro", wire.CloudTypeGeneric, wire.ImportModeReadOnly, nil)
	_, file := secretKeyFile(t)
	step := func(cid, policy, want string) resource.TestStep {
		return resource.TestStep{Config: env.providerConfig() + testAccBackupPolicyBlock(cid, file, policy), PlanOnly: true,
			ExpectError: regexp.MustCompile(want)}
	}
	ok := "schedule = \"0 2 * * *\"\nexpiry_hours = 24\nprefix = \"nightly\"\n"
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			step(ro, ok, `(?s)Backups\s+need\s+Full\s+Permission.*read-only\s+mode`),
			step(fp, "schedule = \"0 25 * * *\"\nexpiry_hours = 24\nprefix = \"nightly\"\n",
				`(?s)Invalid\s+cron\s+expression.*schedule:\s+"0 25 \* \* \*"\s+is\s+not\s+a\s+cron\s+expression`),
			step(fp, "schedule = \"0 2 * * *\"\nexpiry_hours = 24\nprefix = \"Nightly_\"\n",
				`(?s)Invalid\s+backup\s+prefix.*prefix:\s+"Nightly_"\s+is\s+not\s+a\s+DNS-1123\s+label`),
			step(fp, ok+"namespaces = [\"Shop\"]\n", `(?s)namespaces.*"Shop"`),
			step(fp, "schedule = \"0 2 * * *\"\nexpiry_hours = 0\nprefix = \"nightly\"\n", `(?s)expiry_hours.*at\s+least\s+1`),
		},
	})
	if _, err := env.Client.GetClusterBackup(context.Background(), fp); !errors.Is(err, palette.ErrNotFound) {
		t.Fatalf("a schedule after refused plans: %v", err)
	}
}
