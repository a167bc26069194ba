package provider

import (
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
	"github.com/hashicorp/terraform-plugin-testing/tfversion"

	"github.com/terraform-palette/terraform-provider-palette/internal/palette"
	"github.com/terraform-palette/terraform-provider-palette/internal/wire"
)

const testScanSchedule = "palette_cluster_compliance_scan_schedule.test"

func testAccScanScheduleConfig(env *testEnv, cid, body string) string {
	return env.providerConfig() + fmt.Sprintf(`
resource "palette_cluster_compliance_scan_schedule" "test" {
  cluster_id = %q
%s
}
`, cid, body)
}

// expectPaletteScanSchedule checks the cluster's schedule in Palette by
// driver (an empty map: the cluster has none).
func (e *testEnv) expectPaletteScanSchedule(t *testing.T, cid string, want map[string]string) func(*terraform.State) error {
	return func(*terraform.State) error {
		scan, err := e.Client.GetComplianceScan(testCtx(t), cid)
		if len(want) == 0 {
			if errors.Is(err, palette.ErrNotFound) {
				return nil
			}
			return fmt.Errorf("the cluster still has a scan schedule: %+v, %w", scan, err)
		}
		if err != nil {
			return err
		}
		got := map[string]string{}
		for d, s := range scan.Spec.DriverSpec {
			got[d] = s.Config.Schedule.ScheduledRunTime
		}
		if fmt.Sprint(got) != fmt.Sprint(want) {
			return fmt.Errorf("scan schedule in Palette: %v, want %v", got, want)
		}
		return nil
	}
}

func scheduleOf(crons map[string]string) wire.ClusterComplianceScheduleConfig {
	at := func(d string) *wire.ClusterComplianceScanDriverScheduleConfig {
		if c, ok := crons[d]; ok {
			return &wire.ClusterComplianceScanDriverScheduleConfig{Schedule: &wire.ClusterFeatureSchedule{ScheduledRunTime: c}}
		}
		return nil
	}
	return wire.ClusterComplianceScheduleConfig{KubeBench: at(wire.DriverKubeBench), KubeHunter: at(wire.DriverKubeHunter), Sonobuoy: at(wire.DriverSonobuoy)}
}

// TestAccClusterComplianceScanSchedule_basic: create, update in place,
// import by ID and by identity, drift (a schedule changed in Palette is
// planned back; one removed in Palette is created again), and delete.
func TestAccClusterComplianceScanSchedule_basic(t *testing.T) {
	identityCLI(t)
	env := newTestEnv(t, testEnvOptions{})
	cid := env.importClusterDirect(t, "scan-schedule", wire.CloudTypeGeneric, "", nil)
	weekly := testAccScanScheduleConfig(env, cid, `  kube_bench = "0 3 * * 0"`)
	both := testAccScanScheduleConfig(env, cid, "  kube_bench = \"30 2 * * *\"\n  sonobuoy   = \"0 4 1 * *\"")
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		TerraformVersionChecks:   []tfversion.TerraformVersionCheck{tfversion.SkipBelow(tfversion.Version1_12_0)},
		CheckDestroy:             env.expectPaletteScanSchedule(t, cid, nil),
		Steps: []resource.TestStep{
			{
				Config: weekly,
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(testScanSchedule, tfjsonpath.New("id"), knownvalue.StringExact(cid)),
					statecheck.ExpectKnownValue(testScanSchedule, tfjsonpath.New("kube_hunter"), knownvalue.Null()),
					statecheck.ExpectIdentity(testScanSchedule, map[string]knownvalue.Check{"cluster_id": knownvalue.StringExact(cid)}),
				},
				Check: env.expectPaletteScanSchedule(t, cid, map[string]string{wire.DriverKubeBench: "0 3 * * 0"}),
			},
			{
				Config: both,
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{plancheck.ExpectResourceAction(testScanSchedule, plancheck.ResourceActionUpdate)},
				},
				Check: env.expectPaletteScanSchedule(t, cid, map[string]string{wire.DriverKubeBench: "30 2 * * *", wire.DriverSonobuoy: "0 4 1 * *"}),
			},
			{ResourceName: testScanSchedule, ImportState: true, ImportStateVerify: true},
			{Config: both, ResourceName: testScanSchedule, ImportState: true, ImportStateKind: resource.ImportBlockWithResourceIdentity},
			{
				// Changed in Palette: the plan puts the configuration back.
				PreConfig: func() {
					if err := env.Client.UpdateComplianceScan(testCtx(t), cid, scheduleOf(map[string]string{wire.DriverKubeHunter: "0 0 * * *"})); err != nil {
						t.Fatal(err)
					}
				},
				Config: both,
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{plancheck.ExpectResourceAction(testScanSchedule, plancheck.ResourceActionUpdate)},
				},
				Check: env.expectPaletteScanSchedule(t, cid, map[string]string{wire.DriverKubeBench: "30 2 * * *", wire.DriverSonobuoy: "0 4 1 * *"}),
			},
			{
				// Removed in Palette: the plan creates it again.
				PreConfig: func() {
					if err := env.Client.UpdateComplianceScan(testCtx(t), cid, wire.ClusterComplianceScheduleConfig{}); err != nil {
						t.Fatal(err)
					}
				},
				Config: both,
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{plancheck.ExpectResourceAction(testScanSchedule, plancheck.ResourceActionCreate)},
				},
				Check: env.expectPaletteScanSchedule(t, cid, map[string]string{wire.DriverKubeBench: "30 2 * * *", wire.DriverSonobuoy: "0 4 1 * *"}),
			},
			{Config: both, PlanOnly: true},
		},
	})
}

// TestAccClusterComplianceScanSchedule_rules: each rule fails the plan on
// its attribute, and nothing is created.
func TestAccClusterComplianceScanSchedule_rules(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t, testEnvOptions{})
	ro := env.importClusterDirect(t, "scan-schedule-ro", wire.CloudTypeGeneric, wire.ImportModeReadOnly, nil)
	fp := env.importClusterDirect(t, "scan-schedule-fp", wire.CloudTypeGeneric, "", nil)
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		CheckDestroy: resource.ComposeTestCheckFunc(
			env.expectPaletteScanSchedule(t, ro, nil), env.expectPaletteScanSchedule(t, fp, nil)),
		Steps: []resource.TestStep{
			{
				Config:      testAccScanScheduleConfig(env, ro, `  kube_bench = "0 3 * * 0"`),
				PlanOnly:    true,
				ExpectError: regexp.MustCompile(`(?s)Compliance\s+scans\s+need\s+Full\s+Permission.*with\s+palette_cluster_compliance_scan_schedule.test,.*cluster_id`),
			},
			{
				Config:      testAccScanScheduleConfig(env, fp, `  kube_bench = "0 3 * * 8"`),
				PlanOnly:    true,
				ExpectError: regexp.MustCompile(`(?s)Invalid\s+cron\s+expression.*kube_bench`),
			},
			{
				Config:      testAccScanScheduleConfig(env, fp, `  sonobuoy = "every sunday"`),
				PlanOnly:    true,
				ExpectError: regexp.MustCompile(`(?s)Invalid\s+cron\s+expression.*sonobuoy`),
			},
			{
				Config:      testAccScanScheduleConfig(env, fp, `  kube_scan = "0 3 * * 0"`),
				PlanOnly:    true,
				ExpectError: regexp.MustCompile(`Unsupported\s+argument`),
			},
			{
				Config:      testAccScanScheduleConfig(env, fp, ``),
				PlanOnly:    true,
				ExpectError: regexp.MustCompile(`(?s)Missing\s+Attribute\s+Configuration.*kube_bench`),
			},
		},
	})
}
