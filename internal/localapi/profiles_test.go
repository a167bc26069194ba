package localapi_test

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"github.com/terraform-palette/terraform-provider-palette/internal/acctest/localtest"
	"github.com/terraform-palette/terraform-provider-palette/internal/localapi"
	"github.com/terraform-palette/terraform-provider-palette/internal/wire"
)

func TestProfiles_createPublishAndLookup(t *testing.T) {
	t.Parallel()
	inst := localtest.Start(t)
	c := newClient(t, inst)
	body := wire.ClusterProfileEntity{
		Metadata: wire.ObjectMeta{Name: "monitoring"},
		Spec: wire.ClusterProfileEntitySpec{Version: "1.2.0", Template: wire.ProfileTemplate{
			Type: wire.ProfileTypeAddOn, CloudType: "all",
			Packs: []wire.Pack{{Name: "hello", Tag: "1.0.0", Type: "manifest", Values: "a: 1",
				Manifests: []wire.ManifestInputEntity{{Name: "cm", Content: "kind: ConfigMap # secret-content"}}}},
		}},
	}
	var created wire.UIDResponse
	c.must(http.MethodPost, "/v1/clusterprofiles", body, 201, &created)
	var p wire.ClusterProfile
	c.must(http.MethodGet, "/v1/clusterprofiles/"+created.UID, nil, 200, &p)
	if p.Spec.Published == nil || len(p.Spec.Published.Packs) != 0 {
		t.Fatalf("unpublished profile: published %+v", p.Spec.Published)
	}
	c.must(http.MethodPatch, "/v1/clusterprofiles/"+created.UID+"/publish", nil, 204, nil)
	a := c.must(http.MethodGet, "/v1/clusterprofiles/"+created.UID, nil, 200, &p)
	if p.Spec.Version != "1.2.0" || p.Spec.Published.ProfileVersion != "1.2.0" || p.Spec.Published.Type != "add-on" ||
		len(p.Spec.Published.Packs) != 1 || p.Metadata.Annotations["scope"] != "project" {
		t.Fatalf("published profile %+v", p)
	}
	// A profile shows its packs' manifests as references, not their content.
	pk := p.Spec.Published.Packs[0]
	if pk.Name != "hello" || pk.Tag != "1.0.0" || pk.Values != "a: 1" || pk.Layer == "" ||
		len(pk.Manifests) != 1 || pk.Manifests[0].Name != "cm" || pk.Manifests[0].UID == "" {
		t.Fatalf("published pack %+v", pk)
	}
	if strings.Contains(string(a.body), "secret-content") {
		t.Fatalf("GET profile carries manifest content: %s", a.body)
	}
	c.wantError(http.MethodPost, "/v1/clusterprofiles", body, 409, wire.CodeConflict)
	body.Spec.Version = "1.3.0"
	c.must(http.MethodPost, "/v1/clusterprofiles", body, 201, nil)

	// Lookup by name and version is the dashboard search with a
	// v1ClusterProfilesFilterSpec (GET /v1/clusterprofiles?name= is not in
	// Palette's API).
	if r := c.do(http.MethodGet, "/v1/clusterprofiles?name=monitoring&version=1.2.0", nil); r.status != 404 && r.status != 405 {
		t.Fatalf("GET /v1/clusterprofiles?name=: status %d, want no such route", r.status)
	}
	var found wire.ClusterProfilesSummary
	c.must(http.MethodPost, "/v1/dashboard/clusterprofiles", wire.ClusterProfilesFilterSpec{Filter: wire.ClusterProfileFilterSpec{
		ProfileName: &wire.FilterString{Eq: "monitoring"}, Version: &wire.FilterVersionString{Eq: "1.2.0"}}}, 200, &found)
	if len(found.Items) != 1 || found.Items[0].Metadata.UID != created.UID || found.Items[0].SpecSummary.Published == nil ||
		found.Items[0].SpecSummary.Published.Type != "add-on" || found.Items[0].SpecSummary.Version != "1.2.0" || found.ListMeta.Count != 1 {
		t.Fatalf("dashboard search %+v", found)
	}
	c.must(http.MethodPost, "/v1/dashboard/clusterprofiles", wire.ClusterProfilesFilterSpec{Filter: wire.ClusterProfileFilterSpec{
		ProfileName: &wire.FilterString{Eq: "monitoring"}}}, 200, &found)
	if len(found.Items) != 2 || found.ListMeta.Count != 2 {
		t.Fatalf("dashboard search by name %+v", found)
	}
	c.must(http.MethodPost, "/v1/dashboard/clusterprofiles", wire.ClusterProfilesFilterSpec{Filter: wire.ClusterProfileFilterSpec{
		ProfileName: &wire.FilterString{Eq: "monitoring"}, ProfileType: []string{wire.ProfileTypeCluster}}}, 200, &found)
	if len(found.Items) != 0 {
		t.Fatalf("dashboard search by another type %+v", found)
	}
	var md wire.ClusterProfilesMetadata
	c.must(http.MethodGet, "/v1/dashboard/clusterprofiles/metadata", nil, 200, &md)
	if len(md.Items) != 2 {
		t.Fatalf("metadata %+v", md)
	}
	// A tenant profile is visible from the project; a project profile is not visible from the tenant.
	tenantUID, err := inst.Server.CreateProfile(t.Context(), wire.ClusterProfileEntity{
		Metadata: wire.ObjectMeta{Name: "shared"},
		Spec:     wire.ClusterProfileEntitySpec{Version: "1.0.0", Template: wire.ProfileTemplate{Type: "add-on"}},
	}, "")
	if err != nil {
		t.Fatal(err)
	}
	c.must(http.MethodGet, "/v1/clusterprofiles/"+tenantUID, nil, 200, &p)
	if p.Metadata.Annotations["scope"] != "tenant" {
		t.Fatalf("tenant scope annotation %+v", p.Metadata.Annotations)
	}
	c.must(http.MethodPost, "/v1/dashboard/clusterprofiles", wire.ClusterProfilesFilterSpec{Filter: wire.ClusterProfileFilterSpec{
		Scope: "tenant"}}, 200, &found)
	if len(found.Items) != 1 || found.Items[0].Metadata.UID != tenantUID {
		t.Fatalf("dashboard search by scope %+v", found)
	}
	c.with(c.key, "").wantError(http.MethodGet, "/v1/clusterprofiles/"+created.UID, nil, 404, wire.CodeResourceNotFound)
	c.wantError(http.MethodPost, "/v1/clusterprofiles", `{"metadata":{"name":"x"},"spec":{"template":{"type":"weird"}}}`, 400, wire.CodeBadRequest)
}

func (c *client) attached(uid string) []string {
	c.t.Helper()
	var cp wire.SpectroClusterProfileList
	c.must(http.MethodGet, "/v1/spectroclusters/"+uid+"/profiles", nil, 200, &cp)
	out := make([]string, 0, len(cp.Profiles))
	for _, p := range cp.Profiles {
		out = append(out, p.Metadata.UID)
	}
	return out
}

func profilesBody(uids ...string) wire.SpectroClusterProfiles {
	var r wire.SpectroClusterProfiles
	for _, u := range uids {
		r.Profiles = append(r.Profiles, wire.SpectroClusterProfileEntity{UID: u})
	}
	return r
}

func TestAttach_rules(t *testing.T) {
	t.Parallel()
	inst := localtest.Start(t)
	c := newClient(t, inst)
	addon := inst.CreateProfileFromFile(t, writeProfile(t, "addon", "1.0.0", "add-on"))
	running, _ := c.running("generic", "running")
	readOnly := c.importCluster("generic", "readonly", wire.ImportModeReadOnly)
	roAgent := c.agentFor(readOnly)
	roAgent.register()
	pending := c.importCluster("generic", "pending", "")

	for _, typ := range []string{"cluster", "infra", "system"} {
		full := inst.CreateProfileFromFile(t, writeProfile(t, "full-"+typ, "1.0.0", typ))
		c.wantError(http.MethodPatch, "/v1/spectroclusters/"+running+"/profiles", profilesBody(full), 400, wire.CodeFullProfileNotAllowed)
		c.wantError(http.MethodPut, "/v1/spectroclusters/"+running+"/profiles", profilesBody(addon, full), 400, wire.CodeFullProfileNotAllowed)
	}
	// Palette cannot deploy its Spectro Proxy pack on an imported cluster,
	// in either mode.
	withProxy, err := localapi.LoadProfileFile(writeProfile(t, "with-proxy", "1.0.0", "add-on"))
	if err != nil {
		t.Fatal(err)
	}
	withProxy.Spec.Template.Packs = append(withProxy.Spec.Template.Packs, wire.Pack{Name: wire.PackSpectroProxy, Tag: "1.5.3", Type: "spectro"})
	proxy, err := inst.Server.CreateProfile(context.Background(), withProxy, inst.ProjectUID)
	if err != nil {
		t.Fatal(err)
	}
	for _, cluster := range []string{running, readOnly} {
		c.wantError(http.MethodPatch, "/v1/spectroclusters/"+cluster+"/profiles", profilesBody(proxy), 400, wire.CodeSpectroProxyNotAllowed)
		c.wantError(http.MethodPut, "/v1/spectroclusters/"+cluster+"/profiles", profilesBody(addon, proxy), 400, wire.CodeSpectroProxyNotAllowed)
	}
	c.wantError(http.MethodPatch, "/v1/spectroclusters/"+readOnly+"/profiles", profilesBody(addon), 400, wire.CodeAddonProfilesRequireFullPermission)
	c.wantError(http.MethodPatch, "/v1/spectroclusters/"+pending+"/profiles", profilesBody(addon), 409, wire.CodeClusterNotRunning)
	c.wantError(http.MethodPatch, "/v1/spectroclusters/"+running+"/profiles", profilesBody("0123456789abcdef01234567"), 404, wire.CodeResourceNotFound)
	for _, cluster := range []string{running, readOnly} {
		if got := c.attached(cluster); len(got) != 0 {
			t.Fatalf("refused attachments left %v on %s", got, cluster)
		}
	}
}

func TestAttach_patchPutDeleteAndSwap(t *testing.T) {
	t.Parallel()
	inst := localtest.Start(t)
	c := newClient(t, inst)
	a := inst.CreateProfileFromFile(t, writeProfile(t, "a", "1.0.0", "add-on"))
	b := inst.CreateProfileFromFile(t, writeProfile(t, "b", "1.0.0", "add-on"))
	a2 := inst.CreateProfileFromFile(t, writeProfile(t, "a", "2.0.0", "add-on"))
	d := inst.CreateProfileFromFile(t, writeProfile(t, "d", "1.0.0", "add-on"))
	uid, ag := c.running("generic", "attach")
	path := "/v1/spectroclusters/" + uid + "/profiles"
	eq := func(step string, want ...string) {
		t.Helper()
		got := c.attached(uid)
		if len(got) != len(want) {
			t.Fatalf("%s: attached %v, want %v", step, got, want)
		}
		for i := range want {
			if got[i] != want[i] {
				t.Fatalf("%s: attached %v, want %v", step, got, want)
			}
		}
	}
	c.must(http.MethodPatch, path, profilesBody(a), 204, nil)
	withValues := wire.SpectroClusterProfiles{Profiles: []wire.SpectroClusterProfileEntity{{UID: b,
		PackValues: []wire.Pack{{Name: "hello", Values: "message: hi"}}, Variables: []wire.SpectroClusterVariable{{Name: "v", Value: "1"}}}}}
	c.must(http.MethodPatch, path, withValues, 204, nil)
	eq("PATCH keeps", a, b)

	cl := c.getCluster(uid)
	if len(cl.Spec.ClusterProfileTemplates) != 2 || cl.Spec.ClusterProfileTemplates[1].Name != "b" || cl.Spec.ClusterProfileTemplates[1].Packs[0].Name != "hello" {
		t.Fatalf("clusterProfileTemplates %+v", cl.Spec.ClusterProfileTemplates)
	}
	// Each attached pack shows its whole values: the profile's, or the
	// attachment's packValues, which replace them.
	var cp wire.SpectroClusterProfileList
	c.must(http.MethodGet, path, nil, 200, &cp)
	if len(cp.Profiles) != 2 || cp.Profiles[0].PackValues()["hello"] != "message: hello\n" ||
		cp.Profiles[1].PackValues()["hello"] != "message: hi" || cp.Profiles[1].Spec.Type != wire.ProfileTypeAddOn {
		t.Fatalf("attached profiles %+v", cp.Profiles)
	}
	var desired wire.AgentDesired
	mustUnmarshal(t, ag.call(http.MethodGet, "/agent/desired", nil).body, &desired)
	if len(desired.Profiles) != 2 || desired.Profiles[1].PackValues[0].Values != "message: hi" ||
		desired.Profiles[1].Variables[0].Value != "1" || desired.Profiles[0].Packs[0].Values != "message: hello\n" {
		t.Fatalf("desired %+v", desired)
	}

	// The spec's form of the swap: uid is the new profile, replaceWithProfile the attached one.
	c.must(http.MethodPatch, path, wire.SpectroClusterProfiles{Profiles: []wire.SpectroClusterProfileEntity{{UID: a2, ReplaceWithProfile: a}}}, 204, nil)
	eq("swap in place", a2, b)
	// Palette API form: uid is attached, replaceWithProfile the new one.
	c.must(http.MethodPatch, path, wire.SpectroClusterProfiles{Profiles: []wire.SpectroClusterProfileEntity{{UID: a2, ReplaceWithProfile: a}}}, 204, nil)
	eq("swap back", a, b)

	// The agent reports the packs; a detached profile's packs turn Removing until the next report.
	ag.must(http.MethodPatch, "/packs/status", wire.PacksStatusRequest{Packs: []wire.ClusterPackStatus{
		{ProfileUID: a, Name: "hello", Condition: wire.ClusterCondition{Type: "Ready", Status: "True"}},
		{ProfileUID: b, Name: "hello", Condition: wire.ClusterCondition{Type: "Ready", Status: "True"}},
	}})
	c.must(http.MethodPut, path, profilesBody(d, b), 204, nil)
	eq("PUT replaces", d, b)
	packs := c.getCluster(uid).Status.Packs
	conds := map[string]string{}
	for _, p := range packs {
		conds[p.ProfileUID] = p.Condition.Type + "/" + p.Condition.Status
	}
	if conds[a] != "Removing/True" || conds[b] != "Ready/True" || conds[d] != "Ready/Unknown" {
		t.Fatalf("pack conditions after PUT %v", conds)
	}

	c.must(http.MethodDelete, path, wire.SpectroClusterProfilesDeleteEntity{ProfileUIDs: []string{d}}, 204, nil)
	eq("DELETE removes", b)
	c.must(http.MethodPut, path, profilesBody(), 204, nil)
	eq("PUT empty", []string{}...)
}

func TestUpgrade_onceThenConflict(t *testing.T) {
	t.Parallel()
	c := newClient(t, localtest.Start(t))
	uid := c.importCluster("generic", "up", wire.ImportModeReadOnly)
	ro := c.manifest(uid)
	if m := c.importMode(uid); m != wire.ImportModeReadOnly {
		t.Fatalf("mode before upgrade %q", m)
	}
	c.must(http.MethodPatch, "/v1/spectroclusters/"+uid+"/import/upgrade", nil, 204, nil)
	if m := c.importMode(uid); m != wire.ImportModeFullPermission {
		t.Fatalf("mode after upgrade %q", m)
	}
	full := c.manifest(uid)
	if len(full) <= len(ro) {
		t.Fatalf("the manifest after the upgrade is not the Full Permission one (%d vs %d objects)", len(full), len(ro))
	}
	c.wantError(http.MethodPatch, "/v1/spectroclusters/"+uid+"/import/upgrade", nil, 409, wire.CodeAlreadyFullPermission)
}

// TestProfile_manifestPackUIDKept: a pack created with a uid keeps it
// (Spectro's provider and SDK create manifest packs with uid
// "spectro-manifest-pack"): the profile, its packs, an attached cluster's
// templates and profiles show it as sent. A pack without one gets a
// generated uid, as before.
func TestProfile_manifestPackUIDKept(t *testing.T) {
	t.Parallel()
	inst := localtest.Start(t)
	c := newClient(t, inst)
	const body = `{"metadata":{"name":"manifests"},"spec":{"version":"1.0.0","template":{"type":"add-on","cloudType":"all","packs":[
		{"uid":"spectro-manifest-pack","name":"hello","tag":"1.0.0","type":"manifest","layer":"addon","values":"a: 1",
		 "manifests":[{"name":"cm","content":"apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: hello\n"}]},
		{"name":"plain","tag":"1.0.0","type":"manifest","manifests":[{"name":"cm2","content":"apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: plain\n"}]}]}}}`
	var created wire.UIDResponse
	c.must(http.MethodPost, "/v1/clusterprofiles?publish=true", body, 201, &created)
	want := func(what, got string) {
		t.Helper()
		if got != "spectro-manifest-pack" {
			t.Errorf("%s: pack uid %q, want the uid sent, spectro-manifest-pack", what, got)
		}
	}
	generated := func(what, got string) {
		t.Helper()
		if len(got) != 24 || strings.Trim(got, "0123456789abcdef") != "" {
			t.Errorf("%s: pack uid %q, want a generated one", what, got)
		}
	}
	var p wire.ClusterProfile
	c.must(http.MethodGet, "/v1/clusterprofiles/"+created.UID, nil, 200, &p)
	if len(p.Spec.Published.Packs) != 2 || len(p.Spec.Draft.Packs) != 2 {
		t.Fatalf("profile %+v", p.Spec)
	}
	want("published packUid", p.Spec.Published.Packs[0].PackUID)
	want("draft packUid", p.Spec.Draft.Packs[0].PackUID)
	generated("published packUid of a pack without uid", p.Spec.Published.Packs[1].PackUID)
	var packs struct {
		Items []struct {
			Metadata wire.ObjectMeta `json:"metadata"`
		} `json:"items"`
	}
	c.must(http.MethodGet, "/v1/clusterprofiles/"+created.UID+"/packs", nil, 200, &packs)
	if len(packs.Items) != 2 {
		t.Fatalf("packs %+v", packs)
	}
	want("GET …/packs metadata.uid", packs.Items[0].Metadata.UID)
	generated("GET …/packs metadata.uid of a pack without uid", packs.Items[1].Metadata.UID)

	uid, _ := c.running("generic", "with-manifests")
	c.must(http.MethodPatch, "/v1/spectroclusters/"+uid+"/profiles", profilesBody(created.UID), 204, nil)
	cl := c.getCluster(uid)
	if len(cl.Spec.ClusterProfileTemplates) != 1 || len(cl.Spec.ClusterProfileTemplates[0].Packs) != 2 {
		t.Fatalf("cluster templates %+v", cl.Spec.ClusterProfileTemplates)
	}
	want("cluster template packUid", cl.Spec.ClusterProfileTemplates[0].Packs[0].PackUID)
	var list wire.SpectroClusterProfileList
	c.must(http.MethodGet, "/v1/spectroclusters/"+uid+"/profiles", nil, 200, &list)
	if len(list.Profiles) != 1 || len(list.Profiles[0].Spec.Packs) != 2 {
		t.Fatalf("cluster profiles %+v", list)
	}
	want("attached pack metadata.uid", list.Profiles[0].Spec.Packs[0].Metadata.UID)
}
