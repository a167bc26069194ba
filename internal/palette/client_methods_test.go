package palette

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"reflect"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-log/tflog"
	"github.com/hashicorp/terraform-plugin-log/tflogtest"
	"github.com/terraform-palette/terraform-provider-palette/internal/wire"
)

// importServer fakes the import POST and the search. postFails lists what
// each POST does before it answers 201: "hangup" (processes, then drops the
// connection), "hangup-unprocessed", "429", "502", "503", "400", "" (answer).
type importServer struct {
	t         *testing.T
	mu        sync.Mutex
	postFails []string
	posts     int
	searches  int
	clusters  []wire.SpectroClusterSummary // what the search knows
	created   int
	searchLag int // searches that still miss a newly created cluster
}

func (s *importServer) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	switch {
	case r.Method == http.MethodPost && r.URL.Path == "/v1/spectroclusters/generic/import":
		var req wire.ImportRequest
		if err := json.NewDecoder(r.Body).Decode(&req); err != nil {
			writeErr(w, 400, wire.CodeBadRequest)
			return
		}
		s.posts++
		mode := ""
		if s.posts <= len(s.postFails) {
			mode = s.postFails[s.posts-1]
		}
		switch mode {
		case "429":
			writeErr(w, http.StatusTooManyRequests, wire.CodeTooManyRequests)
			return
		case "400":
			writeErr(w, http.StatusBadRequest, wire.CodeInvalidName)
			return
		case "hangup-unprocessed":
			hangUp(s.t, w)
			return
		}
		for _, it := range s.clusters {
			if it.Metadata.Name == req.Metadata.Name && it.Status.State != wire.StateDeleted {
				writeErr(w, http.StatusConflict, wire.CodeClusterNameAlreadyExists)
				return
			}
		}
		s.created++
		uid := fmt.Sprintf("%024x", s.created)
		now := time.Now().UTC()
		s.clusters = append(s.clusters, wire.SpectroClusterSummary{
			Metadata:    wire.ObjectMeta{UID: uid, Name: req.Metadata.Name, CreationTimestamp: &now},
			SpecSummary: wire.SpecSummary{CloudConfig: wire.CloudConfigSummary{CloudType: wire.CloudTypeGeneric}},
			Status:      wire.SearchStatus{State: wire.StatePending},
		})
		switch mode {
		case "hangup":
			hangUp(s.t, w)
		case "502", "503":
			writeErr(w, map[string]int{"502": 502, "503": 503}[mode], "Gateway")
		default:
			writeJSON(w, http.StatusCreated, wire.UIDResponse{UID: uid})
		}
	case r.Method == http.MethodPost && r.URL.Path == "/v1/dashboard/spectroclusters/search":
		s.searches++
		var req wire.SearchFilterSummarySpec
		if err := json.NewDecoder(r.Body).Decode(&req); err != nil || req.Filter == nil {
			writeErr(w, 400, wire.CodeBadRequest)
			return
		}
		name := req.Filter.FilterGroups[0].Filters[0].Condition.String.Match.Values[0]
		items := []wire.SpectroClusterSummary{}
		visible := s.clusters
		if s.searchLag > 0 {
			s.searchLag--
			visible = nil
		}
		for _, it := range visible {
			if it.Metadata.Name == name {
				items = append(items, it)
			}
		}
		writeJSON(w, http.StatusOK, wire.SpectroClustersSummary{Items: items})
	default:
		writeErr(w, http.StatusNotFound, wire.CodeResourceNotFound)
	}
}

func TestImportCluster(t *testing.T) {
	t.Parallel()
	long := time.Now().Add(-24 * time.Hour)
	tests := []struct {
		name        string
		fails       []string
		existing    []wire.SpectroClusterSummary
		searchLag   int
		wantAdopted bool
		wantErr     error
		wantPosts   int
		wantCreated int
		minSearches int
		maxSearches int
	}{
		{name: "plain", wantPosts: 1, wantCreated: 1},
		{name: "lost_answer_found_adopted", fails: []string{"hangup"}, wantAdopted: true, wantPosts: 1, wantCreated: 1, minSearches: 1, maxSearches: 1},
		{name: "lost_answer_502_adopted", fails: []string{"502"}, wantAdopted: true, wantPosts: 1, wantCreated: 1, minSearches: 1, maxSearches: 1},
		{name: "lost_answer_503_adopted", fails: []string{"503"}, wantAdopted: true, wantPosts: 1, wantCreated: 1, minSearches: 1, maxSearches: 1},
		{name: "lost_answer_nothing_found_posts_again", fails: []string{"hangup-unprocessed"}, wantPosts: 2, wantCreated: 1, minSearches: 1, maxSearches: 1},
		{name: "lost_answer_search_lags_then_409_adopts", fails: []string{"hangup"}, searchLag: 1, wantAdopted: true, wantPosts: 2, wantCreated: 1, minSearches: 2, maxSearches: 2},
		{name: "429_retried_without_lookup", fails: []string{"429", "429"}, wantPosts: 3, wantCreated: 1},
		{name: "400_not_retried", fails: []string{"400"}, wantErr: ErrValidation, wantPosts: 1},
		{
			name: "old_cluster_of_same_name_not_adopted", fails: []string{"hangup-unprocessed"},
			existing: []wire.SpectroClusterSummary{{
				Metadata:    wire.ObjectMeta{UID: "aaaaaaaaaaaaaaaaaaaaaaaa", Name: "edge-lab-1", CreationTimestamp: &long},
				SpecSummary: wire.SpecSummary{CloudConfig: wire.CloudConfigSummary{CloudType: wire.CloudTypeGeneric}}, Status: wire.SearchStatus{State: wire.StateRunning},
			}},
			wantErr: ErrConflict, wantPosts: 2, minSearches: 2, maxSearches: 2,
		},
		{
			name: "deleted_cluster_of_same_name_ignored", fails: []string{"hangup-unprocessed"},
			existing: []wire.SpectroClusterSummary{{
				Metadata: wire.ObjectMeta{UID: "bbbbbbbbbbbbbbbbbbbbbbbb", Name: "edge-lab-1"}, Status: wire.SearchStatus{State: wire.StateDeleted},
			}},
			wantPosts: 2, wantCreated: 1, minSearches: 1, maxSearches: 1,
		},
		{name: "budget_exhausted", fails: []string{"hangup-unprocessed", "hangup-unprocessed", "hangup-unprocessed"}, wantErr: ErrOutcomeUnknown, wantPosts: 3, minSearches: 3, maxSearches: 3},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			srv := &importServer{t: t, postFails: tt.fails, clusters: tt.existing, searchLag: tt.searchLag}
			c, _ := newTestClient(t, srv, func(cfg *Config) { cfg.MaxRetries = 2 })
			req := wire.ImportRequest{Metadata: wire.ObjectMetaInputEntity{Name: "edge-lab-1"},
				Spec: wire.ImportRequestSpec{ClusterConfig: wire.ImportClusterConfig{ImportMode: wire.ImportModeReadOnly}}}
			uid, adopted, err := c.ImportCluster(context.Background(), wire.CloudTypeGeneric, req)
			srv.mu.Lock()
			defer srv.mu.Unlock()
			if tt.wantErr != nil {
				if !errors.Is(err, tt.wantErr) {
					t.Errorf("err = %v, want %v", err, tt.wantErr)
				}
			} else {
				if err != nil {
					t.Fatalf("ImportCluster: %v", err)
				}
				if len(srv.clusters) == 0 || uid != srv.clusters[len(srv.clusters)-1].Metadata.UID {
					t.Errorf("uid = %q, want the created cluster's", uid)
				}
			}
			if adopted != tt.wantAdopted {
				t.Errorf("adopted = %v, want %v", adopted, tt.wantAdopted)
			}
			if srv.posts != tt.wantPosts {
				t.Errorf("POSTs = %d, want %d", srv.posts, tt.wantPosts)
			}
			if srv.created != tt.wantCreated {
				t.Errorf("clusters created = %d, want %d", srv.created, tt.wantCreated)
			}
			if srv.searches < tt.minSearches || srv.searches > tt.maxSearches {
				t.Errorf("searches = %d, want %d..%d", srv.searches, tt.minSearches, tt.maxSearches)
			}
		})
	}
}

// openshift and eks-anywhere have no import path of their own: they are
// imported through the generic one, and a lost answer adopts the generic
// cluster of that name.
func TestImportClusterNoImportPathUsesGeneric(t *testing.T) {
	t.Parallel()
	for _, ct := range []string{wire.CloudTypeOpenShift, wire.CloudTypeEKSAnywhere} {
		t.Run(ct, func(t *testing.T) {
			t.Parallel()
			srv := &importServer{t: t, postFails: []string{"hangup"}}
			c, _ := newTestClient(t, srv)
			uid, adopted, err := c.ImportCluster(context.Background(), ct, wire.ImportRequest{Metadata: wire.ObjectMetaInputEntity{Name: "edge-lab-1"}})
			if err != nil {
				t.Fatalf("ImportCluster(%s): %v", ct, err)
			}
			srv.mu.Lock()
			defer srv.mu.Unlock()
			if !adopted || srv.posts != 1 || srv.created != 1 || uid != srv.clusters[0].Metadata.UID {
				t.Errorf("uid %q adopted %v after %d POSTs to the generic path, %d created", uid, adopted, srv.posts, srv.created)
			}
		})
	}
}

func TestNonIdempotentPostNotRepeated(t *testing.T) {
	t.Parallel()
	for _, mode := range []string{"hangup", "502", "503", "504"} {
		t.Run(mode, func(t *testing.T) {
			t.Parallel()
			var calls atomic.Int32
			h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				calls.Add(1)
				_, _ = io.Copy(io.Discard, r.Body)
				if mode == "hangup" {
					hangUp(t, w)
					return
				}
				var status int
				_, _ = fmt.Sscan(mode, &status)
				writeErr(w, status, "Gateway")
			})
			c, _ := newTestClient(t, h)
			err := postOnce(context.Background(), c)
			if !errors.Is(err, ErrOutcomeUnknown) {
				t.Errorf("err = %v, want ErrOutcomeUnknown", err)
			}
			if mode != "hangup" && !errors.Is(err, ErrServer) {
				t.Errorf("err = %v, want it to wrap the 5xx too", err)
			}
			if calls.Load() != 1 {
				t.Errorf("POST sent %d times, want 1", calls.Load())
			}
		})
	}
}

func TestSearchClustersPagination(t *testing.T) {
	t.Parallel()
	pages := map[string]struct {
		names []string
		next  string
	}{
		"":   {[]string{"a", "b"}, "t1"},
		"t1": {[]string{"c", "d"}, "t2"},
		"t2": {[]string{"e"}, ""},
	}
	var mu sync.Mutex
	var tokens, limits []string
	var bodies [][]byte
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodPost || r.URL.Path != "/v1/dashboard/spectroclusters/search" {
			writeErr(w, 404, wire.CodeResourceNotFound)
			return
		}
		b, _ := io.ReadAll(r.Body)
		tok := r.URL.Query().Get("continue")
		mu.Lock()
		tokens = append(tokens, tok)
		limits = append(limits, r.URL.Query().Get("limit"))
		bodies = append(bodies, b)
		mu.Unlock()
		p, ok := pages[tok]
		if !ok {
			writeErr(w, 400, wire.CodeBadRequest)
			return
		}
		resp := map[string]any{"listmeta": map[string]any{"continue": p.next, "count": 5, "limit": 2}}
		var items []map[string]any
		for _, n := range p.names {
			items = append(items, map[string]any{"metadata": map[string]any{"name": n, "uid": "uid-" + n},
				"specSummary": map[string]any{"cloudConfig": map[string]any{"cloudType": "aws"}, "extra": 1}, "status": map[string]any{"state": "Running"}})
		}
		resp["items"] = items
		writeJSON(w, 200, resp)
	})
	c, _ := newTestClient(t, h)
	req := wire.SearchFilterSummarySpec{Filter: wire.AndFilter(wire.StringFilter("cloudType", "aws"))}
	items, err := c.SearchClusters(context.Background(), req, 2)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, it := range items {
		names = append(names, it.Metadata.Name)
	}
	if want := []string{"a", "b", "c", "d", "e"}; !reflect.DeepEqual(names, want) {
		t.Errorf("names = %v, want %v", names, want)
	}
	if want := []string{"", "t1", "t2"}; !reflect.DeepEqual(tokens, want) {
		t.Errorf("continue tokens sent = %v, want %v", tokens, want)
	}
	if want := []string{"2", "2", "2"}; !reflect.DeepEqual(limits, want) {
		t.Errorf("limits sent = %v, want %v", limits, want)
	}
	for _, b := range bodies {
		if !bytes.Contains(b, []byte(`"property":"cloudType"`)) {
			t.Errorf("search body lacks the filter: %s", b)
		}
	}
	// The page size is capped at 50.
	if _, err := c.searchClustersPage(context.Background(), req, 500, ""); err != nil {
		t.Fatal(err)
	}
	if got := limits[len(limits)-1]; got != "50" {
		t.Errorf("limit for 500 = %s, want 50", got)
	}
}

func TestSearchClustersRepeatedToken(t *testing.T) {
	t.Parallel()
	h := http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		writeJSON(w, 200, wire.SpectroClustersSummary{Items: []wire.SpectroClusterSummary{{}}, ListMeta: wire.ListMetaData{Continue: "same"}})
	})
	c, _ := newTestClient(t, h)
	if _, err := c.SearchClusters(context.Background(), wire.SearchFilterSummarySpec{}, 10); err == nil {
		t.Error("a server repeating its continue token must not loop forever")
	}
}

func TestFindClusterByName(t *testing.T) {
	t.Parallel()
	h := http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		writeJSON(w, 200, wire.SpectroClustersSummary{Items: []wire.SpectroClusterSummary{
			{Metadata: wire.ObjectMeta{UID: "del", Name: "x"}, Status: wire.SearchStatus{State: wire.StateDeleted}},
			{Metadata: wire.ObjectMeta{UID: "other", Name: "xy"}, Status: wire.SearchStatus{State: wire.StateRunning}},
			{Metadata: wire.ObjectMeta{UID: "live", Name: "x"}, Status: wire.SearchStatus{State: wire.StateRunning}},
		}})
	})
	c, _ := newTestClient(t, h)
	it, err := c.FindClusterByName(context.Background(), "x")
	if err != nil || it.Metadata.UID != "live" {
		t.Errorf("FindClusterByName(x) = %+v, %v; want live", it, err)
	}
	if _, err := c.FindClusterByName(context.Background(), "nope"); !errors.Is(err, ErrNotFound) {
		t.Errorf("FindClusterByName(nope) err = %v, want ErrNotFound", err)
	}
}

// recorded is one request the recording server saw.
type recorded struct {
	method, path, query, body string
}

func recordingServer(t *testing.T, answer func(r *http.Request) (int, any)) (*Client, func() []recorded) {
	t.Helper()
	var mu sync.Mutex
	var seen []recorded
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		mu.Lock()
		seen = append(seen, recorded{r.Method, r.URL.Path, r.URL.RawQuery, strings.TrimSpace(string(b))})
		mu.Unlock()
		status, body := answer(r)
		if body == nil {
			w.WriteHeader(status)
			return
		}
		writeJSON(w, status, body)
	})
	c, _ := newTestClient(t, h)
	return c, func() []recorded {
		mu.Lock()
		defer mu.Unlock()
		return append([]recorded(nil), seen...)
	}
}

func TestMethodsWire(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	tests := []struct {
		name   string
		call   func(c *Client) error
		answer any
		want   recorded
	}{
		{"ReportImported", func(c *Client) error { return c.ReportImported(ctx, "u1") }, nil,
			recorded{"PATCH", "/v1/spectroclusters/u1/status/imported", "", ""}},
		{"Heartbeat", func(c *Client) error {
			return c.Heartbeat(ctx, "u1", wire.Heartbeat{AgentVersion: "0.1", Metadata: wire.AgentMetadata{Region: "r", NodeCount: 2}})
		}, nil, recorded{"PUT", "/v1/spectroclusters/u1/heartbeat", "",
			`{"agentVersion":"0.1","message":"","metadata":{"region":"r","nodeCount":2}}`}},
		{"ReportPacks", func(c *Client) error {
			return c.ReportPacks(ctx, "u1", []wire.ClusterPackStatus{{ProfileUID: "p", Name: "n", Condition: wire.ClusterCondition{Type: "Ready", Status: "True"}}})
		}, nil, recorded{"PATCH", "/v1/spectroclusters/u1/packs/status", "",
			`{"packs":[{"profileUid":"p","name":"n","condition":{"type":"Ready","status":"True"}}]}`}},
		{"ReportPacksEmpty", func(c *Client) error { return c.ReportPacks(ctx, "u1", nil) }, nil,
			recorded{"PATCH", "/v1/spectroclusters/u1/packs/status", "", `{"packs":[]}`}},
		{"ReportConfigStatus", func(c *Client) error {
			return c.ReportConfigStatus(ctx, "u1", wire.ConfigStatusRequest{Rbacs: []wire.ConfigEntryStatus{{UID: "r1",
				Errors: []wire.ClusterResourceError{{Name: "b", ResourceType: "RoleBinding", Msg: "no namespace"}}}}})
		}, nil, recorded{"PATCH", "/v1/spectroclusters/u1/config/status", "",
			`{"namespaces":[],"rbacs":[{"uid":"r1","errors":[{"msg":"no namespace","name":"b","resourceType":"RoleBinding"}]}]}`}},
		{"ReportAgentRemoved", func(c *Client) error { return c.ReportAgentRemoved(ctx, "u1") }, nil,
			recorded{"PATCH", "/v1/spectroclusters/u1/status/agentRemoved", "", ""}},
		{"GetAgentDesired", func(c *Client) error {
			d, err := c.GetAgentDesired(ctx, "u1")
			if err == nil && (!d.Deleting || len(d.Profiles) != 1 || d.Profiles[0].UID != "p1") {
				err = fmt.Errorf("desired = %+v", d)
			}
			return err
		}, map[string]any{"importMode": "", "deleting": true, "profiles": []any{map[string]any{"uid": "p1", "packs": []any{}}}},
			recorded{"GET", "/v1/spectroclusters/u1/agent/desired", "", ""}},
		{"ValidateClusterName", func(c *Client) error { return c.ValidateClusterName(ctx, "edge lab") }, nil,
			recorded{"GET", "/v1/spectroclusters/validate/name", "name=edge+lab", ""}},
		{"UpdateClusterMetadata", func(c *Client) error {
			return c.UpdateClusterMetadata(ctx, "u1", map[string]string{"env": "prod"}, nil)
		}, nil, recorded{"PATCH", "/v1/spectroclusters/u1/metadata", "",
			`{"metadata":{"labels":{"env":"prod"},"annotations":{}}}`}},
		{"UpgradeToFullPermission", func(c *Client) error { return c.UpgradeToFullPermission(ctx, "u1") }, nil,
			recorded{"PATCH", "/v1/spectroclusters/u1/import/upgrade", "", ""}},
		{"DeleteClusterForce", func(c *Client) error { return c.DeleteCluster(ctx, "u1", true) }, nil,
			recorded{"DELETE", "/v1/spectroclusters/u1", "forceDelete=true", ""}},
		{"GetClusterOverview", func(c *Client) error {
			o, err := c.GetClusterOverview(ctx, "u1")
			if err == nil && (o.Status.Health.State != wire.HealthHealthy || o.KubernetesVersion() != "v1.30.2" ||
				o.Spec.CloudConfig.NodeCount() != 3 || o.Spec.CloudConfig.CloudType != wire.CloudTypeAWS) {
				err = fmt.Errorf("overview = %+v", o)
			}
			return err
		}, map[string]any{
			"spec": map[string]any{"cloudConfig": map[string]any{"cloudType": "aws", "uid": "cc1",
				"machinePools": []any{map[string]any{"name": "cp", "isControlPlane": true, "size": 1}, map[string]any{"name": "w", "size": 2}}}},
			"status": map[string]any{"health": map[string]any{"state": "Healthy"}, "kubeMeta": map[string]any{"kubernetesVersion": "v1.30.2"}},
		}, recorded{"GET", "/v1/dashboard/spectroclusters/u1/overview", "", ""}},
		{"GetCloudConfig", func(c *Client) error {
			cc, err := c.GetCloudConfig(ctx, wire.CloudTypeAWS, "cc1")
			if err == nil && (cc.Region() != "eu" || !reflect.DeepEqual(cc.InstanceTypes(), []string{"m5.large", "big"})) {
				err = fmt.Errorf("cloud config = %+v (region %q, instance types %v)", cc, cc.Region(), cc.InstanceTypes())
			}
			return err
		}, map[string]any{"metadata": map[string]any{"uid": "cc1"}, "spec": map[string]any{
			"clusterConfig": map[string]any{"region": "eu"},
			"machinePoolConfig": []any{
				map[string]any{"instanceType": "m5.large", "size": 2},
				map[string]any{"instanceType": map[string]any{"name": "big"}, "size": 1},
				map[string]any{"instanceType": "m5.large", "size": 1},
				map[string]any{"size": 1},
			},
		}}, recorded{"GET", "/v1/cloudconfigs/aws/cc1", "", ""}},
		{"GetCloudConfigOpenShiftIsGeneric", func(c *Client) error {
			_, err := c.GetCloudConfig(ctx, wire.CloudTypeOpenShift, "cc1")
			return err
		}, map[string]any{}, recorded{"GET", "/v1/cloudconfigs/generic/cc1", "", ""}},
		{"GetClusterMeta", func(c *Client) error {
			m, err := c.GetClusterMeta(ctx, "u1", "edge")
			if err == nil && (m.Metadata.UID != "u1" || m.SpecSummary.ImportMode != wire.ImportModeReadOnly ||
				m.SpecSummary.CloudRegion != "eu" || m.SpecSummary.CloudType != wire.CloudTypeAWS || m.Status.State != wire.StateRunning) {
				err = fmt.Errorf("meta = %+v", m)
			}
			if _, err2 := c.GetClusterMeta(ctx, "u9", "edge"); err == nil && !errors.Is(err2, ErrNotFound) {
				err = fmt.Errorf("unknown uid: %w", err2)
			}
			return err
		}, map[string]any{"items": []any{
			map[string]any{"metadata": map[string]any{"uid": "u2", "name": "edge"}, "specSummary": map[string]any{"cloudType": "aws"}},
			map[string]any{"metadata": map[string]any{"uid": "u1", "name": "edge"},
				"specSummary": map[string]any{"cloudType": "aws", "importMode": "read-only", "cloudRegion": "eu"},
				"status":      map[string]any{"state": "Running", "health": map[string]any{"state": "Healthy"}}},
		}}, recorded{"POST", "/v1/dashboard/spectroclusters/metadata/search", "",
			`{"filter":{"conjunction":"and","filterGroups":[{"conjunction":"and","filters":[{"property":"clusterName","type":"string",` +
				`"condition":{"string":{"operator":"eq","negation":false,"match":{"conjunction":"or","values":["edge"]}}}}]}]}}`}},
		{"GetClusterVariables", func(c *Client) error {
			v, err := c.GetClusterVariables(ctx, "u1")
			if err == nil && !reflect.DeepEqual(v, []wire.SpectroClusterVariables{{ProfileUID: "p1", Variables: []wire.SpectroClusterVariable{{Name: "a", Value: "b"}}}}) {
				err = fmt.Errorf("variables = %+v", v)
			}
			return err
		}, []any{map[string]any{"profileUid": "p1", "variables": []any{map[string]any{"name": "a", "value": "b"}}}},
			recorded{"GET", "/v1/spectroclusters/u1/variables", "", ""}},
		{"PatchClusterProfiles", func(c *Client) error {
			return c.PatchClusterProfiles(ctx, "u1", wire.SpectroClusterProfiles{Profiles: []wire.SpectroClusterProfileEntity{{UID: "p1"}}})
		}, nil, recorded{"PATCH", "/v1/spectroclusters/u1/profiles", "", `{"profiles":[{"uid":"p1"}]}`}},
		{"DeleteClusterProfiles", func(c *Client) error { return c.DeleteClusterProfiles(ctx, "u1", []string{"p1", "p2"}) }, nil,
			recorded{"DELETE", "/v1/spectroclusters/u1/profiles", "", `{"profileUids":["p1","p2"]}`}},
		{"GetClusterProfiles", func(c *Client) error {
			p, err := c.GetClusterProfiles(ctx, "u1")
			if err == nil && (len(p.Profiles) != 1 || p.Profiles[0].Metadata.UID != "p1" || p.Profiles[0].Spec.Version != 3 ||
				!reflect.DeepEqual(p.Profiles[0].PackValues(), map[string]string{"mon": "a: 1\nb: 2\n", "log": ""})) {
				err = fmt.Errorf("profiles = %+v", p)
			}
			return err
		}, map[string]any{"profiles": []any{map[string]any{"metadata": map[string]any{"uid": "p1"}, "spec": map[string]any{
			"type": "add-on", "version": 3, "packs": []any{
				map[string]any{"metadata": map[string]any{"name": "mon"}, "spec": map[string]any{"name": "mon", "values": "a: 1\nb: 2\n"}},
				map[string]any{"metadata": map[string]any{"name": "log"}, "spec": map[string]any{"name": "log"}},
			},
		}}}},
			recorded{"GET", "/v1/spectroclusters/u1/profiles", "", ""}},
		{"ListProjects", func(c *Client) error {
			ps, err := c.ListProjects(ctx)
			if err == nil && (len(ps) != 1 || ps[0].UID != "d1" || ps[0].Name != "Default") {
				err = fmt.Errorf("projects = %+v", ps)
			}
			return err
		}, map[string]any{"items": []any{map[string]any{"metadata": map[string]any{"name": "Default", "uid": "d1"}}}},
			recorded{"GET", "/v1/dashboard/projects/metadata", "", ""}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c, seen := recordingServer(t, func(r *http.Request) (int, any) {
				if tt.answer == nil {
					return http.StatusNoContent, nil
				}
				if r.Method == http.MethodPost {
					return http.StatusCreated, tt.answer
				}
				return http.StatusOK, tt.answer
			})
			if err := tt.call(c); err != nil {
				t.Fatalf("call: %v", err)
			}
			got := seen()
			if len(got) == 0 || got[0] != tt.want {
				t.Errorf("request = %+v, want %+v", got, tt.want)
			}
		})
	}
}

func TestUpgradeToFullPermissionAfterLostAnswer(t *testing.T) {
	t.Parallel()
	var calls atomic.Int32
	h := http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		if calls.Add(1) == 1 {
			hangUp(t, w) // processed, answer lost
			return
		}
		writeErr(w, http.StatusConflict, wire.CodeAlreadyFullPermission)
	})
	c, _ := newTestClient(t, h)
	if err := c.UpgradeToFullPermission(context.Background(), "u1"); err != nil {
		t.Errorf("UpgradeToFullPermission after a lost answer: %v", err)
	}
	// On a first attempt the 409 is real.
	c2, _ := newTestClient(t, http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		writeErr(w, http.StatusConflict, wire.CodeAlreadyFullPermission)
	}))
	if err := c2.UpgradeToFullPermission(context.Background(), "u1"); !IsCode(err, wire.CodeAlreadyFullPermission) {
		t.Errorf("err = %v, want %s", err, wire.CodeAlreadyFullPermission)
	}
}

func TestFindProfiles(t *testing.T) {
	t.Parallel()
	profile := func(uid, name, version string) wire.ClusterProfile {
		return wire.ClusterProfile{Metadata: wire.ObjectMeta{UID: uid, Name: name},
			Spec: wire.ClusterProfileSpec{Version: version, Published: &wire.ClusterProfileTemplate{Type: wire.ProfileTypeAddOn, ProfileVersion: version}}}
	}
	t.Run("dashboard_search", func(t *testing.T) {
		t.Parallel()
		c, seen := recordingServer(t, func(r *http.Request) (int, any) {
			switch {
			case r.Method == http.MethodPost && r.URL.Path == "/v1/dashboard/clusterprofiles":
				// p8 is a stray item the server should have filtered out.
				return 200, wire.ClusterProfilesSummary{Items: []wire.ClusterProfileSummary{
					{Metadata: wire.ObjectMeta{UID: "p7", Name: "mon"}, SpecSummary: wire.ProfileSpecSummary{
						Published: &wire.ClusterProfileTemplateSummary{Type: wire.ProfileTypeAddOn, CloudType: "all"}, Version: "1.0.0"}},
					{Metadata: wire.ObjectMeta{UID: "p8", Name: "mon"}, SpecSummary: wire.ProfileSpecSummary{Version: "2.0.0"}},
				}}
			case r.URL.Path == "/v1/clusterprofiles/p7":
				return 200, profile("p7", "mon", "1.0.0")
			case r.URL.Path == "/v1/clusterprofiles/p8":
				return 200, profile("p8", "mon", "2.0.0")
			}
			return 404, wire.Error{Code: wire.CodeResourceNotFound}
		})
		got, err := c.FindProfiles(context.Background(), "mon", "1.0.0")
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != 1 || got[0].Metadata.UID != "p7" || got[0].Spec.Published == nil {
			t.Errorf("profiles = %+v, want p7 only, in full", got)
		}
		r := seen()
		if len(r) != 3 || r[0].method != "POST" || r[0].path != "/v1/dashboard/clusterprofiles" ||
			r[0].body != `{"filter":{"profileName":{"eq":"mon"},"version":{"eq":"1.0.0"}}}` ||
			r[1].path != "/v1/clusterprofiles/p7" || r[2].path != "/v1/clusterprofiles/p8" {
			t.Errorf("requests = %+v", r)
		}
		for _, req := range r {
			if req.method == http.MethodGet && req.path == "/v1/clusterprofiles" {
				t.Errorf("GET /v1/clusterprofiles is not in Palette's API: %+v", req)
			}
		}
	})
	t.Run("any_version_pages", func(t *testing.T) {
		t.Parallel()
		c, seen := recordingServer(t, func(r *http.Request) (int, any) {
			switch {
			case r.Method == http.MethodPost && r.URL.Query().Get("continue") == "":
				return 200, wire.ClusterProfilesSummary{Items: []wire.ClusterProfileSummary{{Metadata: wire.ObjectMeta{UID: "p1", Name: "mon"}}},
					ListMeta: wire.ListMetaData{Continue: "t1"}}
			case r.Method == http.MethodPost:
				return 200, wire.ClusterProfilesSummary{Items: []wire.ClusterProfileSummary{{Metadata: wire.ObjectMeta{UID: "p2", Name: "mon"}}}}
			case r.URL.Path == "/v1/clusterprofiles/p1":
				return 200, profile("p1", "mon", "1.0.0")
			case r.URL.Path == "/v1/clusterprofiles/p2":
				return 200, profile("p2", "mon", "2.0.0")
			}
			return 404, wire.Error{Code: wire.CodeResourceNotFound}
		})
		got, err := c.FindProfiles(context.Background(), "mon", "")
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != 2 || got[0].Metadata.UID != "p1" || got[1].Metadata.UID != "p2" {
			t.Errorf("profiles = %+v, want p1 and p2", got)
		}
		r := seen()
		if len(r) != 4 || r[0].body != `{"filter":{"profileName":{"eq":"mon"}}}` || !strings.Contains(r[1].query, "continue=t1") {
			t.Errorf("requests = %+v", r)
		}
	})
	t.Run("no_match_is_empty", func(t *testing.T) {
		t.Parallel()
		c, _ := recordingServer(t, func(*http.Request) (int, any) { return 200, wire.ClusterProfilesSummary{} })
		got, err := c.FindProfiles(context.Background(), "mon", "1.0.0")
		if err != nil || got == nil || len(got) != 0 {
			t.Errorf("FindProfiles = %+v, %v; want an empty slice", got, err)
		}
	})
	t.Run("other_errors_surface", func(t *testing.T) {
		t.Parallel()
		c, _ := recordingServer(t, func(*http.Request) (int, any) { return 403, wire.Error{Code: wire.CodeForbidden, Message: "no"} })
		if _, err := c.FindProfiles(context.Background(), "mon", ""); !errors.Is(err, ErrForbidden) {
			t.Errorf("err = %v, want ErrForbidden", err)
		}
	})
}

// TestMaskURLCredentials: a URL's user:password@ is masked in messages and
// fields; a URL without credentials, and an e-mail address, are left alone.
func TestMaskURLCredentials(t *testing.T) {
	t.Parallel()
	cases := []struct{ logged, secret, kept string }{
		{"proxy http://alice:s3cret-pw@proxy.internal:3128 set", "s3cret-pw", "proxy.internal:3128 set"},
		{`env HTTPS_PROXY="https://bob:p%40ss@10.0.0.1"`, "p%40ss", "10.0.0.1"},
		{"only a token user https://tok3n-only@proxy", "tok3n-only", "***proxy"},
		{"no credentials http://proxy.internal:3128/x", "", "http://proxy.internal:3128/x"},
		{"mail alice@example.com", "", "alice@example.com"},
	}
	for _, tc := range cases {
		var buf bytes.Buffer
		ctx := MaskURLCredentials(tflogtest.RootLogger(context.Background(), &buf))
		tflog.Debug(ctx, tc.logged, map[string]any{"field": tc.logged})
		out := buf.String()
		if tc.secret != "" && strings.Contains(out, tc.secret) {
			t.Errorf("%q: credential in the log: %s", tc.logged, out)
		}
		if strings.Count(out, tc.kept) != 2 {
			t.Errorf("%q: %q not kept in message and field: %s", tc.logged, tc.kept, out)
		}
	}
}

func TestMaskedContextHidesCredentials(t *testing.T) {
	t.Parallel()
	c, err := NewClient(Config{APIKey: testAPIKey, AgentToken: testAgentToken})
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	ctx := c.maskedContext(tflogtest.RootLogger(context.Background(), &buf))
	tflog.Debug(ctx, "header ApiKey: "+testAPIKey, map[string]any{"auth": "Bearer " + testAgentToken, "key": testAPIKey})
	out := buf.String()
	if out == "" {
		t.Fatal("nothing logged")
	}
	if strings.Contains(out, testAPIKey) || strings.Contains(out, testAgentToken) {
		t.Errorf("credential in log: %s", out)
	}
	if !strings.Contains(out, "header ApiKey") {
		t.Errorf("the rest of the message was lost: %s", out)
	}
}
