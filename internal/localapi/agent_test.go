package localapi_test

import (
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/terraform-palette/terraform-provider-palette/internal/acctest/localtest"
	"github.com/terraform-palette/terraform-provider-palette/internal/manifest"
	"github.com/terraform-palette/terraform-provider-palette/internal/wire"
)

func manifestPath(t *testing.T, cl wire.SpectroCluster) (path, token string) {
	t.Helper()
	link := strings.TrimPrefix(cl.Status.ClusterImport.ImportLink, "kubectl apply -f ")
	u, err := url.Parse(link)
	if err != nil {
		t.Fatal(err)
	}
	return u.Path, u.Query().Get("token")
}

func TestManifest_authorisation(t *testing.T) {
	t.Parallel()
	inst := localtest.Start(t)
	c := newClient(t, inst)
	uid := c.importCluster("generic", "auth", "")
	path, token := manifestPath(t, c.getCluster(uid))
	anon := c.with("", "")

	for name, q := range map[string]string{"no token": "", "wrong token": "?token=deadbeef", "other cluster's token": ""} {
		if name == "other cluster's token" {
			other := c.importCluster("generic", "other", "")
			_, tok := manifestPath(t, c.getCluster(other))
			q = "?token=" + tok
		}
		a := anon.do(http.MethodGet, path+q, nil)
		if a.status != http.StatusUnauthorized {
			t.Fatalf("%s: status %d", name, a.status)
		}
		a.apiError(t)
	}
	if st := inst.ClusterState(t, uid); st != wire.StatePending {
		t.Fatalf("refused fetches changed the state to %s", st)
	}
	a := anon.do(http.MethodGet, path+"?token="+token, nil)
	if a.status != 200 || a.header.Get("Content-Type") != "application/octet-stream" {
		t.Fatalf("token fetch: %d %s", a.status, a.header.Get("Content-Type"))
	}
	if st := inst.ClusterState(t, uid); st != wire.StatePending {
		t.Fatalf("first fetch: state %s, want Pending (only the agent's first contact moves it on)", st)
	}
	// With the key, in another project: 404.
	other, err := inst.Server.CreateProject("other")
	if err != nil {
		t.Fatal(err)
	}
	c.with(c.key, other).wantError(http.MethodGet, path, nil, 404, wire.CodeResourceNotFound)
}

func kindsAndNames(docs []map[string]any) []string {
	var out []string
	for _, d := range docs {
		md, _ := d["metadata"].(map[string]any)
		name, _ := md["name"].(string)
		kind, _ := d["kind"].(string)
		out = append(out, kind+"/"+name)
	}
	slices.Sort(out)
	return out
}

func TestManifest_readOnlyVersusFull(t *testing.T) {
	t.Parallel()
	c := newClient(t, localtest.Start(t))
	ro := c.manifest(c.importCluster("generic", "ro", wire.ImportModeReadOnly))
	full := c.manifest(c.importCluster("generic", "full", ""))
	roObjs, fullObjs := kindsAndNames(ro), kindsAndNames(full)
	for _, want := range []string{"ServiceAccount/" + manifest.AgentServiceAccount, "Deployment/" + manifest.AgentDeployment,
		"ConfigMap/" + manifest.AgentClusterInfoConfigMap, "Secret/" + manifest.AgentCredentialSecret, "PriorityClass/" + manifest.AgentPriorityClass} {
		if !slices.Contains(roObjs, want) || !slices.Contains(fullObjs, want) {
			t.Fatalf("%s missing:\nro %v\nfull %v", want, roObjs, fullObjs)
		}
	}
	fullOnly := []string{"ServiceAccount/" + manifest.ManagerServiceAccount, "ClusterRoleBinding/" + manifest.ManagerClusterRoleBinding, "Deployment/" + manifest.ManagerDeployment}
	for _, w := range fullOnly {
		if slices.Contains(roObjs, w) || !slices.Contains(fullObjs, w) {
			t.Fatalf("%s must be in the full manifest only:\nro %v\nfull %v", w, roObjs, fullObjs)
		}
	}
	if !slices.Contains(roObjs, "ClusterRole/"+manifest.ReadOnlyClusterRole) {
		t.Fatalf("read-only role missing: %v", roObjs)
	}
	// The cluster-info config map points at the advertise URL.
	for _, d := range full {
		if md, _ := d["metadata"].(map[string]any); d["kind"] == "ConfigMap" && md["name"] == manifest.AgentClusterInfoConfigMap {
			data, _ := d["data"].(map[string]any)
			if data[manifest.ClusterInfoKeyEndpoint] != c.base {
				t.Fatalf("cluster-info endpoint %v, want %s", data[manifest.ClusterInfoKeyEndpoint], c.base)
			}
		}
	}
}

func TestAgent_lifecycleAndHealth(t *testing.T) {
	t.Parallel()
	inst := localtest.Start(t, localtest.WithHeartbeatInterval(100*time.Millisecond))
	c := newClient(t, inst)
	uid := c.importCluster("generic", "agent", "")
	first := c.agentFor(uid)
	second := c.agentFor(uid) // every token issued stays valid
	health := func() wire.SpectroClusterUidSummary {
		var ov wire.SpectroClusterUidSummary
		c.must(http.MethodGet, "/v1/dashboard/spectroclusters/"+uid+"/overview", nil, 200, &ov)
		return ov
	}
	if h := health().Status.Health.State; h != wire.HealthUnknown {
		t.Fatalf("health before any heartbeat %s", h)
	}
	first.must(http.MethodPatch, "/status/imported", nil)
	if st := c.getCluster(uid).Status.State; st != wire.StateRunning {
		t.Fatalf("after first contact: %s", st)
	}
	second.must(http.MethodPut, "/heartbeat", wire.Heartbeat{AgentVersion: "v9", Metadata: wire.AgentMetadata{
		KubernetesVersion: "v1.33.1", Region: "eu-west-1", InstanceTypes: []string{"m5.large"}, NodeCount: 3}})
	ov := health()
	if ov.Status.Health.State != wire.HealthHealthy || ov.Status.Health.AgentVersion != "v9" || ov.Status.Health.LastHeartBeatTimestamp == nil {
		t.Fatalf("after heartbeat %+v", ov.Status.Health)
	}
	// Generic: only region and instance types (in the cloud config and the
	// metadata search), no Kubernetes version and no machine pools.
	if ov.KubernetesVersion() != "" || len(ov.Spec.CloudConfig.MachinePools) != 0 || ov.Spec.CloudConfig.NodeCount() != 0 {
		t.Fatalf("generic overview shows more than region and instance types: %+v %+v", ov.Spec, ov.Status.KubeMeta)
	}
	if cc := c.cloudConfig(uid); cc.Region() != "eu-west-1" || !slices.Equal(cc.InstanceTypes(), []string{"m5.large"}) {
		t.Fatalf("generic cloud config %+v", cc)
	}
	if m := c.meta(uid); m.SpecSummary.CloudRegion != "eu-west-1" || m.Status.Health == nil || m.Status.Health.State != wire.HealthHealthy {
		t.Fatalf("generic metadata search %+v", m)
	}
	eventually(t, 5*time.Second, "UnHealthy after silence", func() bool { return health().Status.Health.State == wire.HealthUnhealthy })

	// A cloud-specific cluster shows all the metadata.
	awsUID, ag := c.running("aws", "cloudy")
	ag.must(http.MethodPut, "/heartbeat", wire.Heartbeat{AgentVersion: "v9", Metadata: wire.AgentMetadata{
		KubernetesVersion: "v1.33.1", Region: "us-east-1", InstanceTypes: []string{"m5.large"}, NodeCount: 3}})
	var aov wire.SpectroClusterUidSummary
	c.must(http.MethodGet, "/v1/dashboard/spectroclusters/"+awsUID+"/overview", nil, 200, &aov)
	if aov.KubernetesVersion() != "v1.33.1" || aov.Spec.CloudConfig.NodeCount() != 3 || aov.Spec.CloudConfig.CloudType != wire.CloudTypeAWS {
		t.Fatalf("aws overview %+v %+v", aov.Spec, aov.Status.KubeMeta)
	}
	if cc := c.cloudConfig(awsUID); cc.Region() != "us-east-1" || !slices.Equal(cc.InstanceTypes(), []string{"m5.large"}) {
		t.Fatalf("aws cloud config %+v", cc)
	}
	if m := c.meta(awsUID); m.SpecSummary.CloudRegion != "us-east-1" {
		t.Fatalf("aws metadata search %+v", m)
	}

	// Tokens: none 401, another cluster's 403, garbage 401.
	if r := first.c.do(http.MethodPut, "/v1/spectroclusters/"+uid+"/heartbeat", "{}"); r.status != 401 {
		t.Fatalf("no token: %d", r.status)
	}
	wrong := &agent{c: first.c, uid: awsUID, token: first.token}
	if r := wrong.call(http.MethodPut, "/heartbeat", "{}"); r.status != 403 {
		t.Fatalf("other cluster's token: %d", r.status)
	}
	bad := &agent{c: first.c, uid: uid, token: "nope"}
	if r := bad.call(http.MethodGet, "/agent/desired", nil); r.status != 401 {
		t.Fatalf("garbage token: %d", r.status)
	}
	// The API key is no agent credential.
	if r := c.do(http.MethodGet, "/v1/spectroclusters/"+uid+"/agent/desired", nil); r.status != 401 {
		t.Fatalf("API key on the agent route: %d", r.status)
	}

	var d wire.AgentDesired
	a := first.call(http.MethodGet, "/agent/desired", nil)
	if a.status != 200 {
		t.Fatalf("desired %d", a.status)
	}
	mustUnmarshal(t, a.body, &d)
	if d.Deleting || d.Profiles == nil || d.HeartbeatIntervalSeconds != 1 || d.ImportMode != "" {
		t.Fatalf("desired %+v", d)
	}
}

func TestAgent_packsStatusReplacesWholesale(t *testing.T) {
	t.Parallel()
	inst := localtest.Start(t)
	c := newClient(t, inst)
	p1 := inst.CreateProfileFromFile(t, writeProfile(t, "p1", "1.0.0", "add-on"))
	p2 := inst.CreateProfileFromFile(t, writeProfile(t, "p2", "1.0.0", "add-on"))
	uid, ag := c.running("generic", "packs")
	c.must(http.MethodPatch, "/v1/spectroclusters/"+uid+"/profiles", profilesBody(p1, p2), 204, nil)
	ag.must(http.MethodPatch, "/packs/status", wire.PacksStatusRequest{Packs: []wire.ClusterPackStatus{
		{ProfileUID: p1, Name: "hello", Condition: wire.ClusterCondition{Type: "Ready", Status: "True"}},
		{ProfileUID: p2, Name: "hello", Condition: wire.ClusterCondition{Type: "Error", Status: "True", Message: "boom"}},
	}})
	if p := c.getCluster(uid).Status.Packs; len(p) != 2 || p[1].Condition.Message != "boom" {
		t.Fatalf("packs %+v", p)
	}
	ag.must(http.MethodPatch, "/packs/status", wire.PacksStatusRequest{Packs: []wire.ClusterPackStatus{}})
	if p := c.getCluster(uid).Status.Packs; p == nil || len(p) != 0 {
		t.Fatalf("packs after empty report %+v", p)
	}
}
