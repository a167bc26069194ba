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

// TestRefreshRequests_atScale measures what a refresh of N = 1,000 imported
// clusters and 1,000 attachments costs in API requests, driving the
// provider server as Terraform does (ReadResource, ten at a time) against
// palette-local serving Palette's shapes: the goal is at most N/25 + 10 in
// all. It needs no Terraform CLI but takes a while, so it runs with the
// acceptance tests (TF_ACC=1).
func TestRefreshRequests_atScale(t *testing.T) {
	if os.Getenv("TF_ACC") == "" {
		t.Skip("needs TF_ACC=1 (make test)")
	}
	const n = 1000
	inst := localtest.Start(t, localtest.WithSimulateAgents(), localtest.WithoutRateLimit())
	c, err := palette.NewClient(palette.Config{Host: inst.URL, APIKey: inst.APIKey, ProjectUID: inst.ProjectUID})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	pid := inst.CreateProfileFromFile(t, "../../examples/profiles/hello-addon.yaml")
	uids := make([]string, n)
	for i := range n {
		uid, _, err := c.ImportCluster(ctx, wire.CloudTypeAWS, wire.ImportRequest{Metadata: wire.ObjectMetaInputEntity{Name: fmt.Sprintf("scale-%04d", i)}})
		if err != nil {
			t.Fatal(err)
		}
		if err := c.PatchClusterProfiles(ctx, uid, wire.SpectroClusterProfiles{Profiles: []wire.SpectroClusterProfileEntity{{UID: pid}}}); err != nil {
			t.Fatal(err)
		}
		uids[i] = uid
	}

	srv, sch := configuredServer(t, inst)
	ct := sch.ResourceSchemas["palette_imported_cluster"].ValueType()
	at := sch.ResourceSchemas["palette_addon_profile_attachment"].ValueType()
	ot, ok := at.(tftypes.Object)
	if !ok {
		t.Fatal("attachment schema is not an object")
	}
	packsType := ot.AttributeTypes["packs"]
	packType := packsType.(tftypes.List).ElementType //nolint:forcetypeassert // packs is a list.
	read := func(typeName string, typ tftypes.Type, vals map[string]tftypes.Value) error {
		st, err := tfprotov6.NewDynamicValue(typ, objWith(t, typ, vals))
		if err != nil {
			return err
		}
		resp, err := srv.ReadResource(ctx, &tfprotov6.ReadResourceRequest{TypeName: typeName, CurrentState: &st})
		if err != nil {
			return err
		}
		if len(resp.Diagnostics) > 0 {
			return fmt.Errorf("%s: %s", resp.Diagnostics[0].Summary, resp.Diagnostics[0].Detail)
		}
		return nil
	}
	before := inst.Server.Requests()
	work := make(chan int)
	errs := make(chan error, 2*n)
	done := make(chan struct{})
	for range 10 {
		go func() {
			for i := range work {
				errs <- read("palette_imported_cluster", ct, map[string]tftypes.Value{
					"id": tftypes.NewValue(tftypes.String, uids[i]), "name": tftypes.NewValue(tftypes.String, fmt.Sprintf("scale-%04d", i)),
					"cloud_config_uid": tftypes.NewValue(tftypes.String, "cc"), "import_command": tftypes.NewValue(tftypes.String, "kubectl"),
				})
				errs <- read("palette_addon_profile_attachment", at, map[string]tftypes.Value{
					"id":         tftypes.NewValue(tftypes.String, attachmentID(uids[i], pid)),
					"cluster_id": tftypes.NewValue(tftypes.String, uids[i]), "profile_id": tftypes.NewValue(tftypes.String, pid),
					"packs": tftypes.NewValue(packsType, []tftypes.Value{tftypes.NewValue(packType, map[string]tftypes.Value{
						"name": tftypes.NewValue(tftypes.String, "hello"), "state": tftypes.NewValue(tftypes.String, "Ready"),
						"message": tftypes.NewValue(tftypes.String, ""),
					})}),
				})
			}
			done <- struct{}{}
		}()
	}
	for i := range n {
		work <- i
	}
	close(work)
	for range 10 {
		<-done
	}
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	total := 0
	after := inst.Server.Requests()
	for k, v := range after {
		total += v - before[k]
	}
	t.Logf("refresh of %d clusters and %d attachments: %d API requests (goal ≤ %d)", n, n, total, n/25+10)
	if total > n/25+10 {
		t.Fatalf("%d requests, want at most %d; by route: %v", total, n/25+10, after)
	}
}
