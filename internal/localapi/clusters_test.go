package localapi_test

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/terraform-palette/terraform-provider-palette/internal/localapi/localtest"
	"github.com/terraform-palette/terraform-provider-palette/internal/palette"
)

func TestImport_everySeedCloudType(t *testing.T) {
	t.Parallel()
	c := newClient(t, localtest.Start(t))
	for _, ct := range palette.ServerCloudTypes {
		uid := c.importCluster(ct, "c-"+ct, palette.ImportModeReadOnly)
		if len(uid) != 24 || strings.Trim(uid, "0123456789abcdef") != "" {
			t.Fatalf("%s: uid %q is not 24 lowercase hex", ct, uid)
		}
		cl := c.getCluster(uid)
		if cl.Spec.CloudType != ct || cl.Metadata.Name != "c-"+ct || cl.Status.State != palette.StatePending {
			t.Fatalf("%s: cluster %+v", ct, cl)
		}
		if cl.Spec.CloudConfigRef == nil || cl.Spec.CloudConfigRef.UID == "" || !strings.HasSuffix(cl.Spec.CloudConfigRef.Kind, "CloudConfig") {
			t.Fatalf("%s: cloudConfigRef %+v", ct, cl.Spec.CloudConfigRef)
		}
		if cl.Spec.ClusterConfig.ImportMode != palette.ImportModeReadOnly {
			t.Fatalf("%s: import mode %q", ct, cl.Spec.ClusterConfig.ImportMode)
		}
		wantLink := "kubectl apply -f " + c.base + "/v1/spectroclusters/" + uid + "/import/manifest?token="
		if cl.Status.ClusterImport == nil || !strings.HasPrefix(cl.Status.ClusterImport.ImportLink, wantLink) {
			t.Fatalf("%s: importLink %+v", ct, cl.Status.ClusterImport)
		}
	}
	if got := c.getCluster(c.importCluster("aws", "kind-check", "")).Spec.CloudConfigRef.Kind; got != "AwsCloudConfig" {
		t.Fatalf("aws kind %q", got)
	}
}

func TestImport_rules(t *testing.T) {
	t.Parallel()
	c := newClient(t, localtest.Start(t))
	c.importCluster("generic", "taken", "")
	proxy := importReq("proxied", palette.ImportModeReadOnly)
	proxy.Spec.ClusterConfig.Proxy = &palette.Proxy{HTTPSProxy: "http://proxy:3128"}
	tests := []struct {
		name, cloudType string
		body            any
		status          int
		code            string
	}{
		{"unknown cloud type", "eks", importReq("a", ""), 400, palette.CodeInvalidCloudType},
		{"uppercase name", "generic", importReq("Bad", ""), 400, palette.CodeInvalidName},
		{"long name", "generic", importReq(strings.Repeat("a", 64), ""), 400, palette.CodeInvalidName},
		{"empty name", "generic", importReq("", ""), 400, palette.CodeInvalidName},
		{"bad mode", "generic", importReq("mode", "full"), 400, palette.CodeBadRequest},
		{"duplicate", "aws", importReq("taken", ""), 409, palette.CodeClusterNameAlreadyExists},
		{"proxy read-only", "generic", proxy, 400, palette.CodeProxyNotSupportedInReadOnlyMode},
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
	var list palette.SearchResponse
	c.must(http.MethodPost, "/v1/dashboard/spectroclusters/search", palette.SearchRequest{}, 200, &list)
	if list.ListMeta.Count != 1 {
		t.Fatalf("rejected imports left clusters behind: %+v", list.ListMeta)
	}
	// A proxy with Full Permission is kept and echoed.
	full := importReq("proxied", "")
	full.Spec.ClusterConfig.Proxy = &palette.Proxy{HTTPSProxy: "http://proxy:3128", CAHostPath: "/etc/ca.pem", CAContainerMountPath: "/ca.pem"}
	var out palette.UIDResponse
	c.must(http.MethodPost, "/v1/spectroclusters/generic/import", full, 201, &out)
	if p := c.getCluster(out.UID).Spec.ClusterConfig.Proxy; p == nil || *p != *full.Spec.ClusterConfig.Proxy {
		t.Fatalf("proxy echo %+v", p)
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
	for _, path := range []string{"metadata", "spec", "spec.clusterConfig", "spec.clusterConfig.proxy", "spec.clusterProfileTemplates",
		"status", "status.conditions", "status.packs", "status.spcApply", "status.clusterImport", "metadata.annotations.scope",
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
		palette.MetadataUpdate{Metadata: palette.MetadataLabels{Labels: map[string]string{"env": "prod"}, Annotations: map[string]string{"description": "lab"}}}, 204, nil)
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

	c.wantError(http.MethodGet, "/v1/spectroclusters/"+uid+"/assets/kubeconfig", nil, 404, palette.CodeResourceNotFound)
	c.wantError(http.MethodGet, "/v1/spectroclusters/"+uid+"/machinePools", nil, 400, palette.CodeNotSupportedForImportedCluster)
	c.wantError(http.MethodPost, "/v1/spectroclusters/"+uid+"/machinePools/pool-1/nodes", "{}", 400, palette.CodeNotSupportedForImportedCluster)
	c.wantError(http.MethodPut, "/v1/cloudconfigs/aws/"+cfg+"/machinePools/p", "{}", 400, palette.CodeNotSupportedForImportedCluster)

	for managed, iaas := range map[string]string{"eks": "aws", "gke": "gcp", "aks": "azure"} {
		e := c.wantError(http.MethodGet, "/v1/cloudconfigs/"+managed+"/"+cfg+"/clusterConfig", nil, 400, palette.CodeUseIaaSCloudConfig)
		if want := "/v1/cloudconfigs/" + iaas + "/" + cfg + "/clusterConfig"; !strings.Contains(e.Message, want) {
			t.Fatalf("%s: message %q does not name %s", managed, e.Message, want)
		}
	}
	c.must(http.MethodPut, "/v1/cloudconfigs/aws/"+cfg+"/clusterConfig", map[string]any{"clusterConfig": map[string]any{"region": "us-east-1"}}, 204, nil)
	var got palette.CloudConfigClusterConfig
	c.must(http.MethodGet, "/v1/cloudconfigs/aws/"+cfg+"/clusterConfig", nil, 200, &got)
	if got.ClusterConfig["region"] != "us-east-1" {
		t.Fatalf("cloud config %+v", got)
	}
	c.wantError(http.MethodGet, "/v1/cloudconfigs/gcp/"+cfg+"/clusterConfig", nil, 404, palette.CodeResourceNotFound)
}

func TestCluster_section4Extras(t *testing.T) {
	t.Parallel()
	c := newClient(t, localtest.Start(t))
	uid := c.importCluster("generic", "extras", "")
	base := "/v1/spectroclusters/" + uid

	var ns map[string]any
	c.must(http.MethodGet, base+"/config/namespaces", nil, 200, &ns)
	if l, ok := ns["namespaces"].([]any); !ok || len(l) != 0 {
		t.Fatalf("default namespaces %v", ns)
	}
	c.must(http.MethodPut, base+"/config/namespaces", `{"namespaces":[{"metadata":{"name":"team-a"}}]}`, 204, nil)
	c.must(http.MethodGet, base+"/config/namespaces", nil, 200, &ns)
	if l, _ := ns["namespaces"].([]any); len(l) != 1 {
		t.Fatalf("namespaces %v", ns)
	}
	c.must(http.MethodPut, base+"/config/rbacs", `{"rbacs":[]}`, 204, nil)
	c.wantError(http.MethodPut, base+"/config/rbacs", `{"rbacs":"x"}`, 400, palette.CodeBadRequest)
	c.must(http.MethodPost, base+"/upgrade/settings", `{"spectroComponents":"lock"}`, 204, nil)
	c.wantError(http.MethodPost, base+"/upgrade/settings", `{"spectroComponents":"maybe"}`, 400, palette.CodeBadRequest)
	// Variables are per attached profile, an array (the spec's
	// v1SpectroClusterVariables); see TestVariables_specShape.
	if a := c.must(http.MethodGet, base+"/variables", nil, 200, nil); strings.TrimSpace(string(a.body)) != "[]" {
		t.Fatalf("variables of a cluster without profiles: %s", a.body)
	}
	c.wantError(http.MethodPatch, base+"/variables", `{"variables":[{"name":"a","value":"1"}]}`, 400, palette.CodeBadRequest)
	var pm palette.ProjectsMetadata
	c.must(http.MethodGet, "/v1/dashboard/projects/metadata", nil, 200, &pm)
	if len(pm.Items) != 1 || pm.Items[0].Metadata.Name != "Default" || pm.Items[0].Metadata.UID != c.project {
		t.Fatalf("projects %+v", pm)
	}
}
