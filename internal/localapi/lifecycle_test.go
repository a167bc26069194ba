package localapi_test

import (
	"fmt"
	"net/http"
	"testing"
	"time"

	"github.com/terraform-palette/terraform-provider-palette/internal/acctest/localtest"
	"github.com/terraform-palette/terraform-provider-palette/internal/wire"
)

func TestDelete_agentFlowRetentionAndForce(t *testing.T) {
	t.Parallel()
	inst := localtest.Start(t, localtest.WithDeletedRetention(300*time.Millisecond))
	c := newClient(t, inst)
	uid, ag := c.running("generic", "doomed")
	c.must(http.MethodDelete, "/v1/spectroclusters/"+uid, nil, 204, nil)
	if st := c.getCluster(uid).Status.State; st != wire.StateDeleting {
		t.Fatalf("after DELETE: %s", st)
	}
	var d wire.AgentDesired
	mustUnmarshal(t, ag.call(http.MethodGet, "/agent/desired", nil).body, &d)
	if !d.Deleting {
		t.Fatal("desired.deleting is false while Deleting")
	}
	// The name stays taken while Deleting.
	c.wantError(http.MethodPost, "/v1/spectroclusters/generic/import", importReq("doomed", ""), 409, wire.CodeClusterNameAlreadyExists)
	ag.must(http.MethodPatch, "/status/agentRemoved", nil)
	if st := c.getCluster(uid).Status.State; st != wire.StateDeleted {
		t.Fatalf("after agentRemoved: %s", st)
	}
	// Tokens die with the cluster; the name is free again.
	if r := ag.call(http.MethodGet, "/agent/desired", nil); r.status != 401 {
		t.Fatalf("token of a Deleted cluster: %d", r.status)
	}
	c.importCluster("generic", "doomed", "")
	eventually(t, 5*time.Second, "404 after the retention", func() bool {
		return c.do(http.MethodGet, "/v1/spectroclusters/"+uid, nil).status == 404
	})
	c.wantError(http.MethodGet, "/v1/spectroclusters/"+uid, nil, 404, wire.CodeResourceNotFound)

	forced, _ := c.running("generic", "forced")
	c.must(http.MethodDelete, "/v1/spectroclusters/"+forced+"?forceDelete=true", nil, 204, nil)
	if st := c.getCluster(forced).Status.State; st != wire.StateDeleted {
		t.Fatalf("after forceDelete: %s", st)
	}
	c.wantError(http.MethodDelete, "/v1/spectroclusters/"+forced+"?forceDelete=maybe", nil, 400, wire.CodeBadRequest)
}

func TestSearch_filtersAndPaging(t *testing.T) {
	t.Parallel()
	inst := localtest.Start(t, localtest.WithoutRateLimit())
	c := newClient(t, inst)
	for i := range 120 {
		ct := wire.InfrastructureProviders[i%len(wire.InfrastructureProviders)]
		mode := ""
		if i%2 == 0 {
			mode = wire.ImportModeReadOnly
		}
		// openshift and eks-anywhere are imported through the generic path.
		uid := c.importCluster(wire.ImportCloudType(ct), fmt.Sprintf("c-%03d", i), mode)
		if i%10 == 0 {
			c.must(http.MethodPatch, "/v1/spectroclusters/"+uid+"/metadata", wire.ObjectMetaInputEntitySchema{Metadata: wire.MetadataLabels{Labels: map[string]string{"env": "prod"}}}, 204, nil)
		}
		if i >= 115 {
			c.must(http.MethodDelete, "/v1/spectroclusters/"+uid, nil, 204, nil) // Pending: Deleted at once
		}
	}
	search := func(q string, req wire.SearchFilterSummarySpec) wire.SpectroClustersSummary {
		var out wire.SpectroClustersSummary
		c.must(http.MethodPost, "/v1/dashboard/spectroclusters/search"+q, req, 200, &out)
		if out.Items == nil {
			t.Fatal("items is null")
		}
		return out
	}
	all := func(req wire.SearchFilterSummarySpec, limit int) []string {
		var names []string
		q := fmt.Sprintf("?limit=%d", limit)
		for pages := 0; ; pages++ {
			if pages > 20 {
				t.Fatal("paging does not end")
			}
			out := search(q, req)
			if len(out.Items) > 50 {
				t.Fatalf("page of %d items", len(out.Items))
			}
			for _, it := range out.Items {
				names = append(names, it.Metadata.Name)
			}
			if out.ListMeta.Continue == "" {
				return names
			}
			q = fmt.Sprintf("?limit=%d&continue=%s", limit, out.ListMeta.Continue)
		}
	}
	byName := wire.SearchFilterSummarySpec{Sort: []wire.SearchFilterSortSpec{{Field: "clusterName", Order: "asc"}}}
	names := all(byName, 50)
	if len(names) != 115 || names[0] != "c-000" || names[114] != "c-114" {
		t.Fatalf("all live clusters: %d, first %v", len(names), names[:1])
	}
	if out := search("?limit=500", byName); len(out.Items) != 50 || out.ListMeta.Limit != 50 || out.ListMeta.Count != 115 {
		t.Fatalf("limit cap: %d items, listmeta %+v", len(out.Items), out.ListMeta)
	}
	if n := all(byName, 7); len(n) != 115 {
		t.Fatalf("paging by 7 saw %d", len(n))
	}
	desc := all(wire.SearchFilterSummarySpec{Sort: []wire.SearchFilterSortSpec{{Field: "clusterName", Order: "desc"}}}, 50)
	if desc[0] != "c-114" {
		t.Fatalf("desc first %s", desc[0])
	}

	tests := []struct {
		name   string
		filter *wire.SearchFilterSpec
		want   int
	}{
		{"name eq", wire.AndFilter(wire.StringFilter("clusterName", "c-007")), 1},
		{"name eq or", wire.AndFilter(wire.StringFilter("clusterName", "c-007", "c-008", "nope")), 2},
		{"cloud type", wire.AndFilter(wire.StringFilter("cloudType", "aws")), 17},
		{"cloud type generic (with openshift and eks-anywhere)", wire.AndFilter(wire.StringFilter("cloudType", "generic")), 49},
		{"aws and read-only", wire.AndFilter(wire.StringFilter("cloudType", "aws"), wire.StringFilter("importMode", "read-only")), 8},
		{"tag", wire.AndFilter(wire.StringFilter("tag", "env:prod")), 12},
		{"state", wire.AndFilter(wire.StringFilter("clusterState", "Pending")), 115},
		{"begins with", wire.AndFilter(stringOp("clusterName", "beginsWith", false, "c-11")), 5},
		{"contains", wire.AndFilter(stringOp("clusterName", "contains", false, "09")), 12},
		{"negation", wire.AndFilter(stringOp("clusterName", "beginsWith", true, "c-0")), 15},
		{"deleted asked", wire.AndFilter(wire.SearchFilterItem{Property: "isDeleted", Type: "bool", Condition: wire.SearchFilterCondition{Bool: &wire.SearchFilterBoolCondition{Value: true}}}), 5},
		{"or groups", &wire.SearchFilterSpec{Conjunction: "or", FilterGroups: []wire.SearchFilterGroup{
			{Filters: []wire.SearchFilterItem{wire.StringFilter("clusterName", "c-001")}},
			{Filters: []wire.SearchFilterItem{wire.StringFilter("clusterName", "c-002")}},
		}}, 2},
	}
	for _, tt := range tests {
		n := all(wire.SearchFilterSummarySpec{Filter: tt.filter}, 50)
		if len(n) != tt.want {
			t.Errorf("%s: %d results, want %d", tt.name, len(n), tt.want)
		}
	}
	// The metadata search takes the same filters, answers every match at
	// once and shows the import mode.
	var meta wire.SpectroClustersMetadataSearch
	c.must(http.MethodPost, "/v1/dashboard/spectroclusters/metadata/search", wire.SearchFilterSummarySpec{Filter: wire.AndFilter(
		wire.StringFilter("cloudType", "aws"), wire.StringFilter("importMode", "read-only"))}, 200, &meta)
	if len(meta.Items) != 8 || meta.ListMeta == nil || meta.ListMeta.Count != 8 {
		t.Fatalf("metadata search aws and read-only: %d items, listmeta %+v", len(meta.Items), meta.ListMeta)
	}
	for _, it := range meta.Items {
		if it.SpecSummary.ImportMode != wire.ImportModeReadOnly || it.SpecSummary.CloudType != wire.CloudTypeAWS || it.Status.State != wire.StatePending {
			t.Fatalf("metadata search item %+v", it)
		}
	}
	c.must(http.MethodPost, "/v1/dashboard/spectroclusters/metadata/search", wire.SearchFilterSummarySpec{}, 200, &meta)
	if len(meta.Items) != 115 {
		t.Fatalf("metadata search of everything: %d items, want 115 (not paged)", len(meta.Items))
	}
	// A continue token from another filter, a garbage token, an unknown property: 400.
	first := search("?limit=5", byName)
	c.wantError(http.MethodPost, "/v1/dashboard/spectroclusters/search?continue="+first.ListMeta.Continue,
		wire.SearchFilterSummarySpec{Filter: wire.AndFilter(wire.StringFilter("cloudType", "aws"))}, 400, wire.CodeBadRequest)
	c.wantError(http.MethodPost, "/v1/dashboard/spectroclusters/search?continue=not-a-token!", byName, 400, wire.CodeBadRequest)
	c.wantError(http.MethodPost, "/v1/dashboard/spectroclusters/search", wire.SearchFilterSummarySpec{Filter: wire.AndFilter(wire.StringFilter("color", "red"))}, 400, wire.CodeBadRequest)
	c.wantError(http.MethodPost, "/v1/dashboard/spectroclusters/search?limit=ten", byName, 400, wire.CodeBadRequest)
}

func stringOp(prop, op string, neg bool, values ...string) wire.SearchFilterItem {
	f := wire.StringFilter(prop, values...)
	f.Condition.String.Operator = op
	f.Condition.String.Negation = neg
	return f
}

func TestAuth_keysAndProjects(t *testing.T) {
	t.Parallel()
	inst := localtest.Start(t)
	c := newClient(t, inst)
	uid := c.importCluster("generic", "mine", "")
	other, err := inst.Server.CreateProject("other")
	if err != nil {
		t.Fatal(err)
	}
	otherKey, err := inst.Server.CreateAPIKey("other")
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name, key, project string
		status             int
		code               string
	}{
		{"no key", "", inst.ProjectUID, 401, wire.CodeUnauthorized},
		{"unknown key", "nope", inst.ProjectUID, 401, wire.CodeUnauthorized},
		{"project key in another project", otherKey, inst.ProjectUID, 403, wire.CodeForbidden},
		{"project key without project", otherKey, "", 403, wire.CodeForbidden},
		{"unknown project", inst.APIKey, "0123456789abcdef01234567", 403, wire.CodeForbidden},
		{"admin in the other project", inst.APIKey, other, 404, wire.CodeResourceNotFound},
		{"project key in its project", otherKey, other, 404, wire.CodeResourceNotFound},
		{"tenant scope", inst.APIKey, "", 404, wire.CodeResourceNotFound},
	}
	for _, tt := range tests {
		e := c.with(tt.key, tt.project).wantError(http.MethodGet, "/v1/spectroclusters/"+uid, nil, tt.status, tt.code)
		if tt.status == 404 && e.Message == "" {
			t.Errorf("%s: empty message", tt.name)
		}
	}
	e := c.wantError(http.MethodGet, "/v1/spectroclusters/not-a-uid", nil, 404, wire.CodeResourceNotFound)
	if e.Message != "Cluster 'not-a-uid' is not found in the project Default" {
		t.Fatalf("message %q", e.Message)
	}
	// The same name may live in two projects.
	oc := c.with(otherKey, other)
	oc.importCluster("generic", "mine", "")
	var pm wire.ProjectsMetadata
	oc.must(http.MethodGet, "/v1/dashboard/projects/metadata", nil, 200, &pm)
	if len(pm.Items) != 1 || pm.Items[0].Metadata.UID != other {
		t.Fatalf("a project key sees projects %+v", pm)
	}
}

func TestRestart_keepsEverything(t *testing.T) {
	t.Parallel()
	inst := localtest.Start(t)
	c := newClient(t, inst)
	prof := inst.CreateProfileFromFile(t, writeProfile(t, "keep", "1.0.0", "add-on"))
	uid, ag := c.running("aws", "persist")
	c.must(http.MethodPatch, "/v1/spectroclusters/"+uid+"/profiles", profilesBody(prof), 204, nil)
	c.must(http.MethodPatch, "/v1/spectroclusters/"+uid+"/metadata", wire.ObjectMetaInputEntitySchema{Metadata: wire.MetadataLabels{Labels: map[string]string{"a": "b"}}}, 204, nil)
	before := c.must(http.MethodGet, "/v1/spectroclusters/"+uid, nil, 200, nil).body
	key, url := inst.APIKey, inst.URL

	inst.Restart(t)
	if inst.APIKey != key || inst.URL != url {
		t.Fatalf("restart changed key or URL: %s", inst.URL)
	}
	after := c.must(http.MethodGet, "/v1/spectroclusters/"+uid, nil, 200, nil).body
	if string(before) != string(after) {
		t.Fatalf("cluster changed across restart:\n%s\n%s", before, after)
	}
	if got := c.attached(uid); len(got) != 1 || got[0] != prof {
		t.Fatalf("attachments after restart %v", got)
	}
	ag.must(http.MethodPut, "/heartbeat", wire.Heartbeat{AgentVersion: "again"}) // agent tokens survive
}
