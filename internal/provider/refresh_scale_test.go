package provider

import (
	"context"
	"fmt"
	"os"
	"sync"
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

// TestRefreshRequests_day2AtScale: a refresh of N = 300 clusters with two
// namespaces and two role bindings each reads each cluster's two lists
// once, shared by its four resources: at most one request per resource
// (0.5 expected), driving the provider server as Terraform does.
func TestRefreshRequests_day2AtScale(t *testing.T) {
	if os.Getenv("TF_ACC") == "" {
		t.Skip("needs TF_ACC=1 (make test)")
	}
	const n = 300
	inst := localtest.Start(t, localtest.WithoutRateLimit())
	c, err := palette.NewClient(palette.Config{Host: inst.URL, APIKey: inst.APIKey, ProjectUID: inst.ProjectUID})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	uids := make([]string, n)
	for i := range n {
		uid, _, err := c.ImportCluster(ctx, wire.CloudTypeGeneric, wire.ImportRequest{Metadata: wire.ObjectMetaInputEntity{Name: fmt.Sprintf("day2-%04d", i)}})
		if err != nil {
			t.Fatal(err)
		}
		uids[i] = uid
		if err := c.PutClusterNamespaces(ctx, uid, []wire.ClusterNamespaceResourceInputEntity{
			{Metadata: wire.ObjectMetaUpdateEntity{Name: "ns-a"}, Spec: []byte(`{"isRegex":false}`)},
			{Metadata: wire.ObjectMetaUpdateEntity{Name: "ns-b"}, Spec: []byte(`{"isRegex":false}`)},
		}); err != nil {
			t.Fatal(err)
		}
		binding := []byte(`{"bindings":[{"type":"ClusterRoleBinding","role":{"kind":"ClusterRole","name":"view"},"subjects":[{"type":"Group","name":"g"}]}]}`)
		if err := c.PutClusterRbacs(ctx, uid, []wire.ClusterRbacInputEntity{
			{Metadata: wire.ObjectMetaUpdateEntity{Name: "rb-a"}, Spec: binding},
			{Metadata: wire.ObjectMetaUpdateEntity{Name: "rb-b"}, Spec: binding},
		}); err != nil {
			t.Fatal(err)
		}
	}
	srv, sch := configuredServer(t, inst)
	nt := sch.ResourceSchemas["palette_cluster_namespace"].ValueType()
	bt := sch.ResourceSchemas["palette_cluster_role_binding"].ValueType()
	read := func(typeName string, typ tftypes.Type, cid, name string) error {
		st, err := tfprotov6.NewDynamicValue(typ, objWith(t, typ, map[string]tftypes.Value{
			"id":         tftypes.NewValue(tftypes.String, configEntryID(cid, name)),
			"cluster_id": tftypes.NewValue(tftypes.String, cid), "name": tftypes.NewValue(tftypes.String, name),
		}))
		if err != nil {
			return err
		}
		resp, err := srv.ReadResource(ctx, &tfprotov6.ReadResourceRequest{TypeName: typeName, CurrentState: &st})
		if err != nil {
			return err
		}
		for _, d := range resp.Diagnostics {
			if d.Severity == tfprotov6.DiagnosticSeverityError {
				return fmt.Errorf("%s: %s", d.Summary, d.Detail)
			}
		}
		if resp.NewState == nil {
			return fmt.Errorf("%s %s:%s: removed from state", typeName, cid, name)
		}
		return nil
	}
	before := inst.Server.Requests()
	work := make(chan int)
	errs := make(chan error, 4*n)
	var wg sync.WaitGroup
	for range 10 { // Terraform's default parallelism
		wg.Go(func() {
			for i := range work {
				errs <- read("palette_cluster_namespace", nt, uids[i], "ns-a")
				errs <- read("palette_cluster_role_binding", bt, uids[i], "rb-a")
				errs <- read("palette_cluster_namespace", nt, uids[i], "ns-b")
				errs <- read("palette_cluster_role_binding", bt, uids[i], "rb-b")
			}
		})
	}
	for i := range n {
		work <- i
	}
	close(work)
	wg.Wait()
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
	t.Logf("refresh of %d namespaces and %d role bindings on %d clusters: %d API requests (goal ≤ %d, one per resource)", 2*n, 2*n, n, total, 4*n)
	if total > 4*n {
		t.Fatalf("%d requests, want at most %d; by route: %v", total, 4*n, after)
	}
	if total > 2*n {
		t.Errorf("%d requests: each cluster's two lists should be read once (%d)", total, 2*n)
	}
}
