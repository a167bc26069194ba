package provider

import (
	"context"
	"fmt"
	"os"
	"testing"

	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-go/tftypes"

	"github.com/terraform-palette/terraform-provider-palette/internal/acctest/localtest"
	"github.com/terraform-palette/terraform-provider-palette/internal/palette"
	"github.com/terraform-palette/terraform-provider-palette/internal/wire"
)

// requestsSince is the number of API requests palette-local answered since
// the snapshot before.
func requestsSince(inst *localtest.Instance, before map[string]int) (int, map[string]int) {
	total, by := 0, map[string]int{}
	for k, v := range inst.Server.Requests() {
		if d := v - before[k]; d > 0 {
			total += d
			by[k] = d
		}
	}
	return total, by
}

// listAll runs one list block as `terraform query -generate-config-out`
// does (every config attribute null, the resource object asked for) and
// returns its results; it fails the test on an error diagnostic.
func listAll(t *testing.T, srv tfprotov6.ProviderServer, sch *tfprotov6.GetProviderSchemaResponse, typeName string) []tfprotov6.ListResourceResult {
	t.Helper()
	typ := sch.ListResourceSchemas[typeName].ValueType()
	cfg, err := tfprotov6.NewDynamicValue(typ, objWith(t, typ, map[string]tftypes.Value{}))
	if err != nil {
		t.Fatal(err)
	}
	ls, ok := srv.(tfprotov6.ListResourceServer)
	if !ok {
		t.Fatal("the provider server does not serve list resources")
	}
	stream, err := ls.ListResource(context.Background(), &tfprotov6.ListResourceRequest{TypeName: typeName, Config: &cfg, IncludeResource: true})
	if err != nil {
		t.Fatal(err)
	}
	var out []tfprotov6.ListResourceResult
	for r := range stream.Results {
		for _, d := range r.Diagnostics {
			if d.Severity == tfprotov6.DiagnosticSeverityError {
				t.Fatalf("%s: %s: %s", typeName, d.Summary, d.Detail)
			}
		}
		if r.Resource == nil || r.Identity == nil {
			t.Fatalf("%s: result %q without its resource object or identity", typeName, r.DisplayName)
		}
		out = append(out, r)
	}
	return out
}

// TestListRequests_atScale measures what `terraform query
// -generate-config-out` costs in API requests over N = 300 imported
// clusters with an attachment each, driving the provider server as
// Terraform does (one configure, then ListResource of each list block with
// the resource objects): the goal is at most N/25 + 10 for the whole query,
// its configure included. It needs no Terraform CLI but imports 300 clusters, so it runs
// with the acceptance tests (TF_ACC=1).
func TestListRequests_atScale(t *testing.T) {
	if os.Getenv("TF_ACC") == "" {
		t.Skip("needs TF_ACC=1 (make test)")
	}
	const n = 300
	inst := localtest.Start(t, localtest.WithSimulateAgents(), localtest.WithoutRateLimit())
	c, err := palette.NewClient(palette.Config{Host: inst.URL, APIKey: inst.APIKey, ProjectUID: inst.ProjectUID})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	pid := inst.CreateProfileFromFile(t, "../../examples/profiles/hello-addon.yaml")
	for i := range n {
		uid, _, err := c.ImportCluster(ctx, wire.CloudTypeGeneric, wire.ImportRequest{Metadata: wire.ObjectMetaInputEntity{Name: fmt.Sprintf("list-%04d", i)}})
		if err != nil {
			t.Fatal(err)
		}
		if err := c.PatchClusterProfiles(ctx, uid, wire.SpectroClusterProfiles{Profiles: []wire.SpectroClusterProfileEntity{{UID: pid}}}); err != nil {
			t.Fatal(err)
		}
	}
	goal := n/25 + 10
	// A query is one provider process: one configure, then its list blocks,
	// which share the cluster searches.
	before := inst.Server.Requests()
	srv, sch := configuredServer(t, inst)
	for _, typeName := range []string{"palette_imported_cluster", "palette_addon_profile_attachment"} {
		results := listAll(t, srv, sch, typeName)
		if len(results) != n {
			t.Errorf("%s: %d results, want %d", typeName, len(results), n)
		}
		total, by := requestsSince(inst, before)
		t.Logf("%s: %d results with their resource objects; %d API requests in all, the configure included (goal ≤ %d): %v", typeName, len(results), total, goal, by)
		if total > goal {
			t.Errorf("%s: %d requests, want at most %d", typeName, total, goal)
		}
	}
}
