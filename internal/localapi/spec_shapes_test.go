package localapi_test

import (
	"encoding/json"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/terraform-palette/terraform-provider-palette/internal/acctest/localtest"
	"github.com/terraform-palette/terraform-provider-palette/internal/wire"
)

const varsProfileYAML = `name: vars
version: 1.0.0
type: add-on
packs:
  - name: app
    tag: 2.0.0
    type: manifest
    values: |
      replicas: 1
      # uses {{ .Variables.tier }}
    manifests:
      - name: app-cm
        content: |
          apiVersion: v1
          kind: ConfigMap
          metadata:
            name: app
          data:
            env: "{{ .spectro.var.env }}"
            region: "{{ .spectro.var.region }}"
`

func seedVarsProfile(t *testing.T, inst *localtest.Instance) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "vars.yaml")
	if err := os.WriteFile(p, []byte(varsProfileYAML), 0o600); err != nil {
		t.Fatal(err)
	}
	return inst.CreateProfileFromFile(t, p)
}

// wireVars is v1SpectroClusterVariables as JSON.
type wireVars struct {
	ProfileUID string           `json:"profileUid"`
	Variables  []map[string]any `json:"variables"`
}

func TestVariables_specShape(t *testing.T) {
	t.Parallel()
	inst := localtest.Start(t)
	c := newClient(t, inst)
	prof := seedVarsProfile(t, inst)
	uid, ag := c.running("generic", "vars")
	base := "/v1/spectroclusters/" + uid
	c.must(http.MethodPatch, base+"/profiles", wire.SpectroClusterProfiles{Profiles: []wire.SpectroClusterProfileEntity{{
		UID: prof, Variables: []wire.SpectroClusterVariable{{Name: "env", Value: "dev"}},
	}}}, 204, nil)

	var got []wireVars
	c.must(http.MethodGet, base+"/variables", nil, 200, &got)
	if len(got) != 1 || got[0].ProfileUID != prof || len(got[0].Variables) != 3 {
		t.Fatalf("variables: %+v", got)
	}
	want := map[string]string{"tier": "", "env": "dev", "region": ""}
	for _, v := range got[0].Variables {
		name, _ := v["name"].(string)
		if w, ok := want[name]; !ok || v["value"] != w {
			t.Fatalf("variable %v, want value %q", v, w)
		}
		// x-omitempty: false in the spec: always present.
		for _, k := range []string{"defaultValue", "hidden", "immutable", "inputType", "isSensitive", "options", "required", "value"} {
			if _, ok := v[k]; !ok {
				t.Fatalf("variable %v lacks %s", v, k)
			}
		}
	}

	// PATCH: the spec's array of v1SpectroClusterVariableUpdateEntity, 204.
	c.must(http.MethodPatch, base+"/variables", []map[string]any{{
		"profileUid": prof, "variables": []wire.SpectroClusterVariable{{Name: "env", Value: "prod"}, {Name: "region", Value: "eu"}},
	}}, 204, nil)
	c.must(http.MethodGet, base+"/variables", nil, 200, &got)
	values := map[string]any{}
	for _, v := range got[0].Variables {
		name, _ := v["name"].(string)
		values[name] = v["value"]
	}
	if values["env"] != "prod" || values["region"] != "eu" || values["tier"] != "" {
		t.Fatalf("after PATCH: %v", values)
	}
	// The agent sees the new values, and the packs wait for it again.
	var desired wire.AgentDesired
	if err := json.Unmarshal(ag.call(http.MethodGet, "/agent/desired", nil).body, &desired); err != nil {
		t.Fatal(err)
	}
	if len(desired.Profiles) != 1 || len(desired.Profiles[0].Variables) != 2 {
		t.Fatalf("desired %+v", desired)
	}
	cl := c.getCluster(uid)
	if len(cl.Status.Packs) != 1 || cl.Status.Packs[0].Condition.Reason != "WaitingForAgent" {
		t.Fatalf("packs after the variables change: %+v", cl.Status.Packs)
	}
	// Unchanged values change nothing.
	ag.must(http.MethodPatch, "/packs/status", wire.PacksStatusRequest{Packs: []wire.ClusterPackStatus{{ProfileUID: prof, Name: "app", Condition: wire.ClusterCondition{Type: "Ready", Status: "True"}}}})
	c.must(http.MethodPatch, base+"/variables", []map[string]any{{"profileUid": prof, "variables": []wire.SpectroClusterVariable{{Name: "env", Value: "prod"}}}}, 204, nil)
	if cl := c.getCluster(uid); cl.Status.Packs[0].Condition.Status != "True" {
		t.Fatalf("packs after an unchanged PATCH: %+v", cl.Status.Packs)
	}

	c.wantError(http.MethodPatch, base+"/variables", `{"variables":[]}`, 400, wire.CodeBadRequest)
	c.wantError(http.MethodPatch, base+"/variables", `[{"variables":[{"name":"env"}]}]`, 400, wire.CodeBadRequest)
	c.wantError(http.MethodPatch, base+"/variables", `[{"profileUid":"`+prof+`","variables":[{"value":"x"}]}]`, 400, wire.CodeBadRequest)
	c.wantError(http.MethodPatch, base+"/variables", `[{"profileUid":"000000000000000000000000","variables":[]}]`, 404, wire.CodeResourceNotFound)
}

// TestProfileVariables_specShape: GET /v1/clusterprofiles/{uid}/variables
// lists the variables the profile's packs refer to (v1Variables).
func TestProfileVariables_specShape(t *testing.T) {
	t.Parallel()
	inst := localtest.Start(t)
	c := newClient(t, inst)
	prof := seedVarsProfile(t, inst)
	var got struct {
		Variables []map[string]any `json:"variables"`
	}
	c.must(http.MethodGet, "/v1/clusterprofiles/"+prof+"/variables", nil, 200, &got)
	var names []string
	for _, v := range got.Variables {
		name, _ := v["name"].(string)
		names = append(names, name)
		// x-omitempty: false in the spec: always present.
		for _, k := range []string{"defaultValue", "hidden", "immutable", "isSensitive"} {
			if _, ok := v[k]; !ok {
				t.Fatalf("variable %v lacks %s", v, k)
			}
		}
	}
	if strings.Join(names, ",") != "tier,env,region" {
		t.Fatalf("variables %v, want tier, env, region", got.Variables)
	}
	c.wantError(http.MethodGet, "/v1/clusterprofiles/000000000000000000000000/variables", nil, 404, wire.CodeResourceNotFound)
}

func TestProfilePacks_specShape(t *testing.T) {
	t.Parallel()
	inst := localtest.Start(t)
	c := newClient(t, inst)
	prof := seedVarsProfile(t, inst)

	var packs struct {
		Items []struct {
			Metadata wire.ObjectMeta `json:"metadata"`
			Spec     map[string]any  `json:"spec"`
			Status   map[string]any  `json:"status"`
		} `json:"items"`
	}
	c.must(http.MethodGet, "/v1/clusterprofiles/"+prof+"/packs", nil, 200, &packs)
	if len(packs.Items) != 1 {
		t.Fatalf("packs %+v", packs)
	}
	sp := packs.Items[0].Spec
	mans, _ := sp["manifests"].([]any)
	if packs.Items[0].Metadata.Name != "app" || len(packs.Items[0].Metadata.UID) != 24 || sp["name"] != "app" || sp["version"] != "2.0.0" ||
		sp["type"] != "manifest" || sp["layer"] != "addon" || sp["registryUid"] == "" || len(mans) != 1 {
		t.Fatalf("pack %+v", packs.Items[0])
	}
	ref, _ := mans[0].(map[string]any)
	if ref["kind"] != "Manifest" || ref["name"] != "app-cm" || ref["uid"] == "" {
		t.Fatalf("manifest ref %v", ref)
	}

	var me struct {
		Items []struct {
			Metadata wire.ObjectMeta `json:"metadata"`
			Spec     struct {
				Draft, Published *struct{ Content, Digest string }
			} `json:"spec"`
		} `json:"items"`
	}
	c.must(http.MethodGet, "/v1/clusterprofiles/"+prof+"/packs/app/manifests", nil, 200, &me)
	if len(me.Items) != 1 || me.Items[0].Metadata.UID != ref["uid"] || me.Items[0].Metadata.Name != "app-cm" ||
		me.Items[0].Spec.Published == nil || me.Items[0].Spec.Draft == nil || me.Items[0].Spec.Published.Digest == "" ||
		me.Items[0].Spec.Published.Content != me.Items[0].Spec.Draft.Content {
		t.Fatalf("manifests %+v", me)
	}
	c.wantError(http.MethodGet, "/v1/clusterprofiles/"+prof+"/packs/nope/manifests", nil, 404, wire.CodeResourceNotFound)
	c.wantError(http.MethodGet, "/v1/clusterprofiles/000000000000000000000000/packs", nil, 404, wire.CodeResourceNotFound)

	var regs struct {
		Items []map[string]any `json:"items"`
	}
	c.must(http.MethodGet, "/v1/registries/metadata", nil, 200, &regs)
	if len(regs.Items) != 1 || regs.Items[0]["name"] != "Public Repo" || regs.Items[0]["uid"] != sp["registryUid"] ||
		regs.Items[0]["isDefault"] != true || regs.Items[0]["isPrivate"] != false {
		t.Fatalf("registries %+v", regs)
	}
	c.must(http.MethodGet, "/v1/registries/metadata?scope=tenant", nil, 200, &regs)
	if len(regs.Items) != 0 {
		t.Fatalf("tenant registries %+v", regs)
	}
	c.wantError(http.MethodGet, "/v1/registries/metadata?scope=galaxy", nil, 400, wire.CodeBadRequest)
}

func TestClusterGet_specFields(t *testing.T) {
	t.Parallel()
	inst := localtest.Start(t)
	c := newClient(t, inst)
	prof := seedVarsProfile(t, inst)
	uid, _ := c.running("generic", "specfields")
	base := "/v1/spectroclusters/" + uid

	type clusterShape struct {
		Spec struct {
			ClusterProfileTemplates []struct {
				UID, Name, Type, ProfileVersion, CloudType string
				Packs                                      []map[string]any
			} `json:"clusterProfileTemplates"`
		} `json:"spec"`
		Status struct {
			State    string
			Location map[string]any `json:"location"`
		} `json:"status"`
	}
	var cl clusterShape
	c.must(http.MethodGet, base, nil, 200, &cl)
	geo, _ := cl.Status.Location["geoLoc"].(map[string]any)
	if cl.Status.Location == nil || geo == nil || geo["latitude"] != 0.0 || len(cl.Spec.ClusterProfileTemplates) != 0 || cl.Status.State != "Running" {
		t.Fatalf("cluster %+v", cl)
	}
	c.must(http.MethodPut, base+"/location", `{"location":{"countryCode":"IN","countryName":"India","regionCode":"KA","regionName":"Karnataka","geoLoc":{"latitude":12.97,"longitude":77.59}}}`, 204, nil)
	c.wantError(http.MethodPut, base+"/location", `{"location":{"geoLoc":{"latitude":91,"longitude":0}}}`, 400, wire.CodeBadRequest)
	c.must(http.MethodPatch, base+"/profiles", wire.SpectroClusterProfiles{Profiles: []wire.SpectroClusterProfileEntity{{UID: prof}}}, 204, nil)
	c.must(http.MethodGet, base, nil, 200, &cl)
	geo, _ = cl.Status.Location["geoLoc"].(map[string]any)
	if cl.Status.Location["countryCode"] != "IN" || cl.Status.Location["regionName"] != "Karnataka" || geo["longitude"] != 77.59 {
		t.Fatalf("location %+v", cl.Status.Location)
	}
	if len(cl.Spec.ClusterProfileTemplates) != 1 {
		t.Fatalf("templates %+v", cl.Spec.ClusterProfileTemplates)
	}
	tp := cl.Spec.ClusterProfileTemplates[0]
	if tp.UID != prof || tp.Name != "vars" || tp.Type != "add-on" || tp.ProfileVersion != "1.0.0" || tp.CloudType != "all" || len(tp.Packs) != 1 {
		t.Fatalf("template %+v", tp)
	}
	pk := tp.Packs[0]
	mans, _ := pk["manifests"].([]any)
	if pk["name"] != "app" || pk["tag"] != "2.0.0" || pk["type"] != "manifest" || pk["layer"] != "addon" ||
		pk["values"] == "" || pk["packUid"] == "" || len(mans) != 1 {
		t.Fatalf("pack %+v", pk)
	}
	// Our own client still reads the cluster.
	if got := c.getCluster(uid); len(got.Spec.ClusterProfileTemplates) != 1 || got.Spec.ClusterProfileTemplates[0].Packs[0].Name != "app" {
		t.Fatalf("palette.Cluster %+v", got.Spec)
	}
}
