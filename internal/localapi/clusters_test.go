package localapi_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/terraform-palette/terraform-provider-palette/internal/acctest/localtest"
	"github.com/terraform-palette/terraform-provider-palette/internal/manifest"
	"github.com/terraform-palette/terraform-provider-palette/internal/wire"
)

func TestImport_everySeedCloudType(t *testing.T) {
	t.Parallel()
	c := newClient(t, localtest.Start(t))
	for _, ct := range wire.ImportCloudTypes {
		uid := c.importCluster(ct, "c-"+ct, wire.ImportModeReadOnly)
		if len(uid) != 24 || strings.Trim(uid, "0123456789abcdef") != "" {
			t.Fatalf("%s: uid %q is not 24 lowercase hex", ct, uid)
		}
		cl := c.getCluster(uid)
		if cl.Spec.CloudType != ct || cl.Metadata.Name != "c-"+ct || cl.Status.State != wire.StatePending {
			t.Fatalf("%s: cluster %+v", ct, cl)
		}
		if cl.Spec.CloudConfigRef == nil || cl.Spec.CloudConfigRef.UID == "" || !strings.HasSuffix(cl.Spec.CloudConfigRef.Kind, "CloudConfig") {
			t.Fatalf("%s: cloudConfigRef %+v", ct, cl.Spec.CloudConfigRef)
		}
		// The import mode is shown by the metadata search only.
		if m := c.meta(uid); m.SpecSummary.ImportMode != wire.ImportModeReadOnly || m.SpecSummary.CloudType != ct {
			t.Fatalf("%s: metadata search %+v", ct, m.SpecSummary)
		}
		wantLink := "kubectl apply -f " + c.base + "/v1/spectroclusters/" + uid + "/import/manifest?token="
		if cl.Status.ClusterImport == nil || !strings.HasPrefix(cl.Status.ClusterImport.ImportLink, wantLink) ||
			!cl.Status.ClusterImport.IsBrownfield {
			t.Fatalf("%s: clusterImport %+v", ct, cl.Status.ClusterImport)
		}
	}
	full := c.importCluster("aws", "kind-check", "")
	if got := c.getCluster(full).Spec.CloudConfigRef.Kind; got != "AwsCloudConfig" {
		t.Fatalf("aws kind %q", got)
	}
	if m := c.importMode(full); m != wire.ImportModeFullPermission {
		t.Fatalf("full permission import mode %q", m)
	}
	// openshift and eks-anywhere have no import path: they are imported as generic.
	for _, ct := range []string{wire.CloudTypeOpenShift, wire.CloudTypeEKSAnywhere} {
		if slices.Contains(wire.ImportCloudTypes, ct) {
			t.Fatalf("%s is in ImportCloudTypes", ct)
		}
		c.wantError(http.MethodPost, "/v1/spectroclusters/"+ct+"/import", importReq("no-"+ct, ""), 400, wire.CodeInvalidCloudType)
		uid := c.importCluster(wire.ImportCloudType(ct), "via-generic-"+ct, "")
		if got := c.getCluster(uid).Spec.CloudType; got != wire.CloudTypeGeneric {
			t.Fatalf("%s imported through %s: cloud type %q", ct, wire.ImportCloudType(ct), got)
		}
	}
}

func TestImport_rules(t *testing.T) {
	t.Parallel()
	c := newClient(t, localtest.Start(t))
	c.importCluster("generic", "taken", "")
	proxy := importReq("proxied", wire.ImportModeReadOnly)
	proxy.Spec.ClusterConfig.Proxy = &wire.ClusterProxySpec{HTTPSProxy: "http://proxy:3128"}
	tests := []struct {
		name, cloudType string
		body            any
		status          int
		code            string
	}{
		{"unknown cloud type", "eks", importReq("a", ""), 400, wire.CodeInvalidCloudType},
		{"uppercase name", "generic", importReq("Bad", ""), 400, wire.CodeInvalidName},
		{"long name", "generic", importReq(strings.Repeat("a", 64), ""), 400, wire.CodeInvalidName},
		{"empty name", "generic", importReq("", ""), 400, wire.CodeInvalidName},
		{"bad mode", "generic", importReq("mode", "full"), 400, wire.CodeBadRequest},
		{"duplicate", "aws", importReq("taken", ""), 409, wire.CodeClusterNameAlreadyExists},
		{"proxy read-only", "generic", proxy, 400, wire.CodeProxyNotSupportedInReadOnlyMode},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := newClient(t, nil2(c))
			c.wantError(http.MethodPost, "/v1/spectroclusters/"+tt.cloudType+"/import", tt.body, tt.status, tt.code)
		})
	}
	if a := c.do(http.MethodGet, "/v1/spectroclusters/validate/name?name=taken", nil); a.status != 409 {
		t.Fatalf("validate taken: %d", a.status)
	}
	if a := c.do(http.MethodGet, "/v1/spectroclusters/validate/name?name=free", nil); a.status != 204 {
		t.Fatalf("validate free: %d", a.status)
	}
	var list wire.SpectroClustersSummary
	c.must(http.MethodPost, "/v1/dashboard/spectroclusters/search", wire.SearchFilterSummarySpec{}, 200, &list)
	if list.ListMeta.Count != 1 {
		t.Fatalf("rejected imports left clusters behind: %+v", list.ListMeta)
	}
	// A proxy with Full Permission is accepted and kept: Palette never shows
	// it again, but the import manifest's agent carries it.
	full := importReq("proxied", "")
	full.Spec.ClusterConfig.Proxy = &wire.ClusterProxySpec{HTTPSProxy: "http://proxy:3128", CAHostPath: "/etc/ca.pem", CAContainerMountPath: "/ca.pem"}
	var out wire.UIDResponse
	c.must(http.MethodPost, "/v1/spectroclusters/generic/import", full, 201, &out)
	if cl := c.getCluster(out.UID); cl.Metadata.Name != "proxied" || cl.Status.State != wire.StatePending {
		t.Fatalf("proxied import %+v", cl)
	}
	if m := c.importMode(out.UID); m != wire.ImportModeFullPermission {
		t.Fatalf("proxied import mode %q", m)
	}
	raw := c.must(http.MethodGet, "/v1/spectroclusters/"+out.UID, nil, 200, nil)
	if strings.Contains(string(raw.body), "proxy:3128") {
		t.Fatalf("GET cluster shows the proxy: %s", raw.body)
	}
	var agentEnv []any
	var volumes []any
	for _, d := range c.manifest(out.UID) {
		md, _ := d["metadata"].(map[string]any)
		if d["kind"] != "Deployment" || md["name"] != manifest.AgentDeployment {
			continue
		}
		dspec, _ := d["spec"].(map[string]any)
		tmpl, _ := dspec["template"].(map[string]any)
		spec, _ := tmpl["spec"].(map[string]any)
		volumes, _ = spec["volumes"].([]any)
		ctrs, _ := spec["containers"].([]any)
		for _, ctr := range ctrs {
			cm, _ := ctr.(map[string]any)
			agentEnv, _ = cm["env"].([]any)
		}
	}
	env := map[string]any{}
	for _, e := range agentEnv {
		em, _ := e.(map[string]any)
		name, _ := em["name"].(string)
		env[name] = em["value"]
	}
	if env["HTTPS_PROXY"] != "http://proxy:3128" || env["https_proxy"] != "http://proxy:3128" {
		t.Fatalf("agent env lacks the proxy: %v", agentEnv)
	}
	if len(volumes) != 1 || !strings.Contains(fmt.Sprint(volumes[0]), "/etc/ca.pem") {
		t.Fatalf("agent volumes lack the proxy CA: %v", volumes)
	}
}

// nil2 rebuilds an instance view from a client (subtests share the server).
func nil2(c *client) *localtest.Instance {
	return &localtest.Instance{URL: c.base, APIKey: c.key, ProjectUID: c.project}
}

func TestCluster_neverNullShape(t *testing.T) {
	t.Parallel()
	c := newClient(t, localtest.Start(t))
	uid, _ := c.running("generic", "shape")
	a := c.must(http.MethodGet, "/v1/spectroclusters/"+uid, nil, 200, nil)
	var m map[string]any
	if err := json.Unmarshal(a.body, &m); err != nil {
		t.Fatal(err)
	}
	for _, path := range []string{"metadata", "spec", "spec.clusterConfig", "spec.clusterProfileTemplates",
		"status", "status.conditions", "status.packs", "status.spcApply", "status.clusterImport", "status.location", "metadata.annotations.scope",
		"metadata.creationTimestamp"} {
		cur := any(m)
		for _, k := range strings.Split(path, ".") {
			obj, ok := cur.(map[string]any)
			if !ok {
				t.Fatalf("%s: parent is not an object", path)
			}
			cur = obj[k]
		}
		if cur == nil {
			t.Fatalf("%s is null or missing in %s", path, a.body)
		}
	}
	cl := c.getCluster(uid)
	if cl.Status.SpcApply.ActionType != "DownloadAndInstall" || !cl.Status.SpcApply.CanBeApplied {
		t.Fatalf("spcApply %+v", cl.Status.SpcApply)
	}
	if cl.Metadata.Annotations["scope"] != "project" {
		t.Fatalf("scope annotation %+v", cl.Metadata.Annotations)
	}
}

func TestCluster_metadataPatch(t *testing.T) {
	t.Parallel()
	c := newClient(t, localtest.Start(t))
	uid := c.importCluster("generic", "meta", "")
	c.must(http.MethodPatch, "/v1/spectroclusters/"+uid+"/metadata",
		wire.ObjectMetaInputEntitySchema{Metadata: wire.MetadataLabels{Labels: map[string]string{"env": "prod"}, Annotations: map[string]string{"description": "lab"}}}, 204, nil)
	cl := c.getCluster(uid)
	if cl.Metadata.Labels["env"] != "prod" || cl.Metadata.Annotations["description"] != "lab" {
		t.Fatalf("metadata %+v", cl.Metadata)
	}
}

func TestCluster_notOffered(t *testing.T) {
	t.Parallel()
	c := newClient(t, localtest.Start(t))
	uid := c.importCluster("aws", "eks-like", "")
	cl := c.getCluster(uid)
	cfg := cl.Spec.CloudConfigRef.UID

	c.wantError(http.MethodGet, "/v1/spectroclusters/"+uid+"/assets/kubeconfig", nil, 404, wire.CodeResourceNotFound)
	// Palette's machine pool operations are on the cloud config; a
	// cluster has none (not in Palette's API: 404).
	c.wantError(http.MethodGet, "/v1/spectroclusters/"+uid+"/machinePools", nil, 404, wire.CodeResourceNotFound)
	c.wantError(http.MethodPost, "/v1/spectroclusters/"+uid+"/machinePools/pool-1/nodes", "{}", 404, wire.CodeResourceNotFound)
	c.wantError(http.MethodPost, "/v1/cloudconfigs/aws/"+cfg+"/machinePools", "{}", 400, wire.CodeNotSupportedForImportedCluster)
	c.wantError(http.MethodPut, "/v1/cloudconfigs/aws/"+cfg+"/machinePools/p", "{}", 400, wire.CodeNotSupportedForImportedCluster)
	c.wantError(http.MethodDelete, "/v1/cloudconfigs/aws/"+cfg+"/machinePools/p/machines/m", nil, 400, wire.CodeNotSupportedForImportedCluster)
	c.wantError(http.MethodGet, "/v1/cloudconfigs/aws/"+cfg+"/machinePools", nil, 405, wire.CodeMethodNotAllowed)
	c.wantError(http.MethodPost, "/v1/cloudconfigs/aws/"+cfg+"/machinePools/p/nodes", "{}", 404, wire.CodeResourceNotFound)

	for managed, iaas := range map[string]string{"eks": "aws", "gke": "gcp", "aks": "azure"} {
		e := c.wantError(http.MethodGet, "/v1/cloudconfigs/"+managed+"/"+cfg, nil, 400, wire.CodeUseIaaSCloudConfig)
		if want := "/v1/cloudconfigs/" + iaas + "/" + cfg; !strings.Contains(e.Message, want) ||
			strings.Contains(e.Message, "/clusterConfig") || e.Details["path"] != want {
			t.Fatalf("GET %s: message %q (details %v) does not name %s", managed, e.Message, e.Details, want)
		}
		e = c.wantError(http.MethodPut, "/v1/cloudconfigs/"+managed+"/"+cfg+"/clusterConfig", map[string]any{}, 400, wire.CodeUseIaaSCloudConfig)
		if want := "/v1/cloudconfigs/" + iaas + "/" + cfg + "/clusterConfig"; !strings.Contains(e.Message, want) || e.Details["path"] != want {
			t.Fatalf("PUT %s: message %q (details %v) does not name %s", managed, e.Message, e.Details, want)
		}
	}
	// PUT clusterConfig takes a free object; there is no GET of it (not in
	// Palette's API), the cloud config is read whole.
	c.must(http.MethodPut, "/v1/cloudconfigs/aws/"+cfg+"/clusterConfig", map[string]any{"clusterConfig": map[string]any{"region": "us-east-1"}}, 204, nil)
	c.wantError(http.MethodPut, "/v1/cloudconfigs/aws/"+cfg+"/clusterConfig", `[1]`, 400, wire.CodeBadRequest)
	if a := c.do(http.MethodGet, "/v1/cloudconfigs/aws/"+cfg+"/clusterConfig", nil); a.status/100 != 4 {
		t.Fatalf("GET clusterConfig: status %d, want a 4xx (not in the API)", a.status)
	}
	var got wire.CloudConfig
	c.must(http.MethodGet, "/v1/cloudconfigs/aws/"+cfg, nil, 200, &got)
	if got.Metadata.UID != cfg || got.Spec.MachinePoolConfig == nil {
		t.Fatalf("cloud config %+v", got)
	}
	c.wantError(http.MethodGet, "/v1/cloudconfigs/gcp/"+cfg, nil, 404, wire.CodeResourceNotFound)
	c.wantError(http.MethodGet, "/v1/cloudconfigs/aws/0123456789abcdef01234567", nil, 404, wire.CodeResourceNotFound)
}

func TestCluster_settingsDocuments(t *testing.T) {
	t.Parallel()
	c := newClient(t, localtest.Start(t))
	uid := c.importCluster("generic", "extras", "")
	base := "/v1/spectroclusters/" + uid

	// Namespaces and RBAC entries: the spec's shapes (see
	// cluster_config_test.go for the rest).
	if a := c.must(http.MethodGet, base+"/config/namespaces", nil, 200, nil); strings.TrimSpace(string(a.body)) != `{"items":[]}` {
		t.Fatalf("namespaces of a new cluster: %s", a.body)
	}
	c.must(http.MethodPut, base+"/config/namespaces", `{"namespaces":[{"metadata":{"name":"team-a"}}]}`, 204, nil)
	var ns wire.ClusterNamespaceResources
	c.must(http.MethodGet, base+"/config/namespaces", nil, 200, &ns)
	if len(ns.Items) != 1 || ns.Items[0].Metadata.Name != "team-a" {
		t.Fatalf("namespaces %+v", ns)
	}
	c.must(http.MethodPut, base+"/config/rbacs", `{"rbacs":[]}`, 204, nil)
	c.wantError(http.MethodPut, base+"/config/rbacs", `{"rbacs":"x"}`, 400, wire.CodeBadRequest)
	c.must(http.MethodPost, base+"/upgrade/settings", `{"spectroComponents":"lock"}`, 204, nil)
	c.wantError(http.MethodPost, base+"/upgrade/settings", `{"spectroComponents":"maybe"}`, 400, wire.CodeBadRequest)
	c.wantError(http.MethodPost, base+"/upgrade/settings", `{}`, 400, wire.CodeBadRequest)
	// The spec has no GET of one cluster's upgrade settings.
	if a := c.do(http.MethodGet, base+"/upgrade/settings", nil); a.status/100 != 4 {
		t.Fatalf("GET upgrade/settings: status %d, want a 4xx (not in the API)", a.status)
	}
	// Variables are per attached profile, an array (the spec's
	// v1SpectroClusterVariables); see TestVariables_specShape.
	if a := c.must(http.MethodGet, base+"/variables", nil, 200, nil); strings.TrimSpace(string(a.body)) != "[]" {
		t.Fatalf("variables of a cluster without profiles: %s", a.body)
	}
	c.wantError(http.MethodPatch, base+"/variables", `{"variables":[{"name":"a","value":"1"}]}`, 400, wire.CodeBadRequest)
	var pm wire.ProjectsMetadata
	c.must(http.MethodGet, "/v1/dashboard/projects/metadata", nil, 200, &pm)
	if len(pm.Items) != 1 || pm.Items[0].Metadata.Name != "Default" || pm.Items[0].Metadata.UID != c.project {
		t.Fatalf("projects %+v", pm)
	}
}

// GET|PATCH /v1/spectroclusters/{uid}/variables speak arrays of
// {profileUid, variables}; a PATCH sets the listed variables by name.
func TestCluster_variables(t *testing.T) {
	t.Parallel()
	inst := localtest.Start(t)
	c := newClient(t, inst)
	prof := inst.CreateProfileFromFile(t, writeProfile(t, "vars", "1.0.0", "add-on"))
	uid, _ := c.running("generic", "vars")
	c.must(http.MethodPatch, "/v1/spectroclusters/"+uid+"/profiles", profilesBody(prof), 204, nil)
	base := "/v1/spectroclusters/" + uid
	if a := c.must(http.MethodGet, base+"/variables", nil, 200, nil); !strings.HasPrefix(strings.TrimSpace(string(a.body)), "[") {
		t.Skip("variables array: server side in progress")
	}
	c.must(http.MethodPatch, base+"/variables", []wire.SpectroClusterVariables{{ProfileUID: prof,
		Variables: []wire.SpectroClusterVariable{{Name: "a", Value: "1"}, {Name: "b", Value: "2"}}}}, 204, nil)
	c.must(http.MethodPatch, base+"/variables", []wire.SpectroClusterVariables{{ProfileUID: prof,
		Variables: []wire.SpectroClusterVariable{{Name: "a", Value: "3"}}}}, 204, nil)
	var vars []wire.SpectroClusterVariables
	c.must(http.MethodGet, base+"/variables", nil, 200, &vars)
	got := map[string]string{}
	for _, pv := range vars {
		if pv.ProfileUID != prof {
			continue
		}
		for _, v := range pv.Variables {
			got[v.Name] = v.Value
		}
	}
	if len(got) != 2 || got["a"] != "3" || got["b"] != "2" {
		t.Fatalf("variables %+v", vars)
	}
	c.wantError(http.MethodPatch, base+"/variables", `[{"profileUid":"`+prof+`","variables":[{"value":"x"}]}]`, 400, wire.CodeBadRequest)
}
