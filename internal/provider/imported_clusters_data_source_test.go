package provider

import (
	"fmt"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/terraform-palette/terraform-provider-palette/internal/acctest/localtest"
	"github.com/terraform-palette/terraform-provider-palette/internal/wire"
)

func TestMatchCluster(t *testing.T) {
	t.Parallel()
	it := wire.SpectroClusterMetaSummary{
		Metadata:    wire.ObjectMeta{Name: "a", Labels: map[string]string{"env": "prod", "team": "x"}},
		SpecSummary: wire.MetaSpecSummary{CloudType: "aws", ImportMode: wire.ImportModeReadOnly},
		Status:      wire.MetaStatus{State: wire.StateRunning},
	}
	cases := []struct {
		name               string
		cloud, state, mode string
		labels             map[string]string
		want               bool
	}{
		{"no filter", "", "", "", nil, true},
		{"cloud type", "aws", "", "", nil, true},
		{"other cloud type", "gcp", "", "", nil, false},
		{"state", "", "Running", "", nil, true},
		{"other state", "", "Pending", "", nil, false},
		{"mode", "", "", importModeReadOnly, nil, true},
		{"other mode", "", "", importModeFullPermission, nil, false},
		{"labels", "", "", "", map[string]string{"env": "prod"}, true},
		{"label value differs", "", "", "", map[string]string{"env": "dev"}, false},
		{"label missing", "", "", "", map[string]string{"owner": "me"}, false},
		{"all", "aws", "Running", importModeReadOnly, map[string]string{"env": "prod", "team": "x"}, true},
	}
	for _, tc := range cases {
		if got := matchCluster(&it, tc.cloud, tc.state, tc.mode, tc.labels); got != tc.want {
			t.Errorf("%s: got %v, want %v", tc.name, got, tc.want)
		}
	}
	deleted := it
	deleted.Status.State = wire.StateDeleted
	if matchCluster(&deleted, "", "", "", nil) {
		t.Error("a deleted cluster matched")
	}
	// openshift and eks-anywhere clusters are imported through the generic path.
	generic := it
	generic.SpecSummary.CloudType = wire.CloudTypeGeneric
	if !matchCluster(&generic, wire.CloudTypeOpenShift, "", "", nil) || matchCluster(&generic, "aws", "", "", nil) {
		t.Error("openshift should match a generic cluster, aws should not")
	}
}

func TestAccImportedClustersDataSource_basic(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t, testEnvOptions{api: []localtest.Option{localtest.WithoutRateLimit()}})
	ro := env.importClusterDirect(t, "ro-prod", wire.CloudTypeGeneric, wire.ImportModeReadOnly, map[string]string{"env": "prod"})
	env.importClusterDirect(t, "full-dev", wire.CloudTypeGeneric, wire.ImportModeFullPermission, map[string]string{"env": "dev"})
	env.importClusterDirect(t, "aws-prod", wire.CloudTypeAWS, wire.ImportModeFullPermission, map[string]string{"env": "prod"})
	// More than one search page (50) of clusters.
	const bulk = 53
	for i := range bulk {
		env.importClusterDirect(t, fmt.Sprintf("bulk-%02d", i), wire.CloudTypeGeneric, wire.ImportModeFullPermission, map[string]string{"group": "bulk"})
	}
	ds := func(name string) string { return "data.palette_imported_clusters." + name }
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{{
			Config: env.providerConfig() + `
data "palette_imported_clusters" "all" {}
data "palette_imported_clusters" "bulk" {
  labels = { group = "bulk" }
}
data "palette_imported_clusters" "prod" {
  labels = { env = "prod" }
}
data "palette_imported_clusters" "read_only" {
  import_mode = "read_only"
}
data "palette_imported_clusters" "aws" {
  cloud_type = "aws"
}
data "palette_imported_clusters" "running" {
  state = "Running"
}
data "palette_imported_clusters" "generic_prod" {
  cloud_type = "generic"
  labels     = { env = "prod" }
}
`,
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue(ds("all"), tfjsonpath.New("clusters"), knownvalue.ListSizeExact(bulk+3)),
				statecheck.ExpectKnownValue(ds("bulk"), tfjsonpath.New("clusters"), knownvalue.ListSizeExact(bulk)),
				statecheck.ExpectKnownValue(ds("prod"), tfjsonpath.New("clusters"), knownvalue.ListSizeExact(2)),
				statecheck.ExpectKnownValue(ds("read_only"), tfjsonpath.New("clusters"), knownvalue.ListExact([]knownvalue.Check{
					knownvalue.ObjectExact(map[string]knownvalue.Check{
						"id":          knownvalue.StringExact(ro),
						"name":        knownvalue.StringExact("ro-prod"),
						"cloud_type":  knownvalue.StringExact("generic"),
						"import_mode": knownvalue.StringExact("read_only"),
						"state":       knownvalue.StringExact("Pending"),
						"health":      knownvalue.StringExact("Unknown"),
						"labels":      knownvalue.MapExact(map[string]knownvalue.Check{"env": knownvalue.StringExact("prod")}),
					}),
				})),
				statecheck.ExpectKnownValue(ds("aws"), tfjsonpath.New("clusters").AtSliceIndex(0).AtMapKey("name"), knownvalue.StringExact("aws-prod")),
				statecheck.ExpectKnownValue(ds("aws"), tfjsonpath.New("clusters"), knownvalue.ListSizeExact(1)),
				statecheck.ExpectKnownValue(ds("running"), tfjsonpath.New("clusters"), knownvalue.ListSizeExact(0)),
				statecheck.ExpectKnownValue(ds("generic_prod"), tfjsonpath.New("clusters"), knownvalue.ListSizeExact(1)),
				// Sorted by name.
				statecheck.ExpectKnownValue(ds("all"), tfjsonpath.New("clusters").AtSliceIndex(0).AtMapKey("name"), knownvalue.StringExact("aws-prod")),
				statecheck.ExpectKnownValue(ds("bulk"), tfjsonpath.New("clusters").AtSliceIndex(bulk-1).AtMapKey("name"), knownvalue.StringExact(fmt.Sprintf("bulk-%02d", bulk-1))),
			},
		}},
	})
}
