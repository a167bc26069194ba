package localapi_test

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/terraform-palette/terraform-provider-palette/internal/acctest/localtest"
	"github.com/terraform-palette/terraform-provider-palette/internal/acctest/palettespec"
	"github.com/terraform-palette/terraform-provider-palette/internal/acctest/palettetest"
	"github.com/terraform-palette/terraform-provider-palette/internal/localapi"
	"github.com/terraform-palette/terraform-provider-palette/internal/palette"
	"github.com/terraform-palette/terraform-provider-palette/internal/wire"
)

// exemptExtras exempts palette-local's own additions (extras.go) from the
// spec check.
func exemptExtras(method string, u *url.URL) bool {
	return localtest.IsExtra(method, u.Path, u.Query())
}

// TestConformance drives every method of the provider's client (and the
// calls only tests make, internal/acctest/palettetest) against palette-local and checks, against Palette's published spec, every request
// the client sends (on the client's side) and every answer palette-local
// serves (on the server's side): paths, methods, query parameters, bodies,
// status codes, and no field the spec's models do not define. It prints
// `conformance: N operations, M requests, K responses checked, 0 violations`.
func TestConformance(t *testing.T) {
	t.Parallel()
	spec := palettespec.MustLoad(t)
	client := palettespec.NewRecorder(spec, exemptExtras)
	client.Name = "the provider's client: what it sends and gets"
	server := palettespec.NewRecorder(spec, exemptExtras)
	server.Name = "palette-local: what it is sent and answers"
	inst := localtest.Start(t, localtest.WithoutRateLimit(), localtest.WithHeartbeatInterval(time.Hour),
		localtest.WithConfig(func(c *localapi.Config) { c.Wrap = server.Middleware }))
	c, err := palette.NewClient(palette.Config{
		Host: inst.URL, APIKey: inst.APIKey, ProjectUID: inst.ProjectUID,
		HTTPClient: &http.Client{Transport: client.Transport(http.DefaultTransport)},
	})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	must := func(what string, err error) {
		t.Helper()
		if err != nil {
			t.Fatalf("%s: %v", what, err)
		}
	}

	// Projects, profiles.
	projects, err := c.ListProjects(ctx)
	must("list projects", err)
	if len(projects) == 0 {
		t.Fatal("no project")
	}
	pf, err := localapi.LoadProfileFile("../../examples/profiles/hello-addon.yaml")
	must("profile file", err)
	puid, err := palettetest.CreateProfile(ctx, c, "conformance-addon", "1.0.0", pf.Spec.Template)
	must("create profile", err)
	must("publish profile", palettetest.PublishProfile(ctx, c, puid))
	prof, err := c.GetProfile(ctx, puid)
	must("get profile", err)
	found, err := c.FindProfiles(ctx, "conformance-addon", "1.0.0")
	must("find profiles", err)
	if len(found) != 1 || found[0].Metadata.UID != puid {
		t.Fatalf("found %+v, want %s", found, puid)
	}

	// Imports: generic, aws, openshift (through the generic path), read-only.
	must("validate name", c.ValidateClusterName(ctx, "conf-generic"))
	imp := func(name, cloudType, mode string, proxy *wire.ClusterProxySpec) string {
		t.Helper()
		uid, _, err := c.ImportCluster(ctx, cloudType, wire.ImportRequest{
			Metadata: wire.ObjectMetaInputEntity{Name: name, Labels: map[string]string{"suite": "conformance"}, Annotations: map[string]string{"description": "d"}},
			Spec:     wire.ImportRequestSpec{ClusterConfig: wire.ImportClusterConfig{ImportMode: mode, Proxy: proxy}},
		})
		must("import "+name, err)
		return uid
	}
	generic := imp("conf-generic", wire.CloudTypeGeneric, "", &wire.ClusterProxySpec{HTTPSProxy: "http://proxy:3128", NoProxy: "10.0.0.0/8"})
	aws := imp("conf-aws", wire.CloudTypeAWS, "", nil)
	imp("conf-openshift", wire.CloudTypeOpenShift, "", nil)
	ro := imp("conf-ro", wire.CloudTypeGeneric, wire.ImportModeReadOnly, nil)
	if err := c.ValidateClusterName(ctx, "conf-generic"); !errors.Is(err, palette.ErrConflict) {
		t.Fatalf("validate a taken name: %v, want a conflict", err)
	}
	_, _, err = c.ImportCluster(ctx, wire.CloudTypeGeneric, wire.ImportRequest{
		Metadata: wire.ObjectMetaInputEntity{Name: "conf-ro-proxy"},
		Spec:     wire.ImportRequestSpec{ClusterConfig: wire.ImportClusterConfig{ImportMode: wire.ImportModeReadOnly, Proxy: &wire.ClusterProxySpec{HTTPProxy: "http://p"}}},
	})
	if !palette.IsCode(err, wire.CodeProxyNotSupportedInReadOnlyMode) {
		t.Fatalf("proxy in read-only mode: %v", err)
	}

	// The agent registers (palette-local's own endpoints: exempt).
	manifest, err := c.GetImportManifest(ctx, aws)
	must("manifest", err)
	if !strings.Contains(string(manifest), "kind: Deployment") {
		t.Fatal("the manifest has no deployment")
	}
	for _, uid := range []string{generic, aws} {
		m, err := c.GetImportManifest(ctx, uid)
		must("manifest", err)
		agent := agentClient(t, inst, string(m))
		must("imported", agent.ReportImported(ctx, uid))
		must("heartbeat", agent.Heartbeat(ctx, uid, wire.Heartbeat{AgentVersion: "0.1.0",
			Metadata: wire.AgentMetadata{KubernetesVersion: "v1.33.1", Region: "us-east-1", InstanceTypes: []string{"m5.large"}, NodeCount: 3}}))
	}

	// Reads.
	cl, err := c.GetCluster(ctx, aws)
	must("get cluster", err)
	_, err = c.GetClusterOverview(ctx, aws)
	must("overview", err)
	_, err = c.GetCloudConfig(ctx, cl.Spec.CloudType, cl.Spec.CloudConfigRef.UID)
	must("cloud config", err)
	meta, err := c.GetClusterMeta(ctx, ro, "conf-ro")
	must("metadata search", err)
	if meta.SpecSummary.ImportMode != wire.ImportModeReadOnly {
		t.Fatalf("import mode %q, want read-only", meta.SpecSummary.ImportMode)
	}
	_, err = c.SearchClusterMetadata(ctx, wire.SearchFilterSummarySpec{})
	must("metadata search", err)
	items, err := c.SearchClusters(ctx, wire.SearchFilterSummarySpec{Sort: []wire.SearchFilterSortSpec{{Field: "clusterName", Order: "asc"}}}, 2)
	must("search", err)
	if len(items) != 4 {
		t.Fatalf("search: %d items, want 4", len(items))
	}
	_, err = c.FindClusterByName(ctx, "conf-aws")
	must("find by name", err)
	if _, err := c.GetCluster(ctx, "0123456789abcdef01234567"); !errors.Is(err, palette.ErrNotFound) {
		t.Fatalf("unknown cluster: %v", err)
	}
	must("metadata", c.UpdateClusterMetadata(ctx, aws, map[string]string{"a": "b"}, map[string]string{"description": "x"}))

	// Add-on profiles, variables.
	hello := prof.Spec.Published.Packs[0]
	must("attach", c.PatchClusterProfiles(ctx, aws, wire.SpectroClusterProfiles{Profiles: []wire.SpectroClusterProfileEntity{{
		UID:        puid,
		PackValues: []wire.Pack{{Name: hello.Name, Tag: hello.Tag, Type: hello.Type, Values: hello.Values + "extra: 1\n"}},
		Variables:  []wire.SpectroClusterVariable{{Name: "greeting", Value: "hi"}},
	}}}))
	must("put profiles", palettetest.PutClusterProfiles(ctx, c, generic, wire.SpectroClusterProfiles{Profiles: []wire.SpectroClusterProfileEntity{{UID: puid}}}))
	list, err := c.GetClusterProfiles(ctx, aws)
	must("cluster profiles", err)
	if len(list.Profiles) != 1 || !strings.Contains(list.Profiles[0].PackValues()[hello.Name], "extra: 1") {
		t.Fatalf("attached %+v", list.Profiles)
	}
	vars, err := c.GetClusterVariables(ctx, aws)
	must("variables", err)
	must("patch variables", palettetest.PatchClusterVariables(ctx, c, aws, []wire.SpectroClusterVariables{{ProfileUID: puid, Variables: []wire.SpectroClusterVariable{{Name: "greeting", Value: "hello"}}}}))
	_ = vars
	if err := c.PatchClusterProfiles(ctx, ro, wire.SpectroClusterProfiles{Profiles: []wire.SpectroClusterProfileEntity{{UID: puid}}}); !palette.IsCode(err, wire.CodeAddonProfilesRequireFullPermission) {
		t.Fatalf("add-on on a read-only cluster: %v", err)
	}
	must("detach", c.DeleteClusterProfiles(ctx, aws, []string{puid}))

	// Migration, deletes.
	must("upgrade", c.UpgradeToFullPermission(ctx, ro))
	if err := c.UpgradeToFullPermission(ctx, ro); !palette.IsCode(err, wire.CodeAlreadyFullPermission) {
		t.Fatalf("second upgrade: %v", err)
	}
	must("delete", c.DeleteCluster(ctx, aws, false))
	must("force delete", c.DeleteCluster(ctx, ro, true))

	client.Report(t)
	server.Report(t)
	if sum := server.Summary(); sum.Responses < sum.Requests || len(sum.Operations) < 20 {
		t.Errorf("the server side checked %d responses of %d requests over %d operations", sum.Responses, sum.Requests, len(sum.Operations))
	}
}
