package localapi_test

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/url"
	"slices"
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
	agents := map[string]*palette.Client{}
	for _, uid := range []string{generic, aws} {
		m, err := c.GetImportManifest(ctx, uid)
		must("manifest", err)
		agent := agentClient(t, inst, string(m))
		agents[uid] = agent
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

	// Namespaces and RBAC bindings: the lists and one entry of each, with
	// an error the agent reported (its endpoint is exempt) in the answers.
	nsPath := "/v1/spectroclusters/" + generic + "/config/namespaces"
	must("put namespaces", c.Do(ctx, http.MethodPut, nsPath, wire.ClusterNamespaceResourcesUpdateEntity{Namespaces: []wire.ClusterNamespaceResourceInputEntity{{
		Metadata: wire.ObjectMetaUpdateEntity{Name: "team-a", Labels: map[string]string{"team": "a"}, Annotations: map[string]string{"owner": "alice"}},
		Spec:     json.RawMessage(`{"isRegex":false,"resourceAllocation":{"cpuCores":2,"memoryMiB":1024,"gpuConfig":{"limit":1,"provider":"nvidia"}}}`),
	}, {
		Metadata: wire.ObjectMetaUpdateEntity{Name: "team-b"},
	}}}, nil))
	var nss wire.ClusterNamespaceResources
	must("get namespaces", c.Do(ctx, http.MethodGet, nsPath, nil, &nss))
	if len(nss.Items) != 2 {
		t.Fatalf("namespaces %+v", nss)
	}
	nsUID := nss.Items[1].Metadata.UID
	must("put namespace", c.Do(ctx, http.MethodPut, nsPath+"/"+nsUID, wire.ClusterNamespaceResourceInputEntity{
		Metadata: wire.ObjectMetaUpdateEntity{UID: nsUID, Name: "team-b"},
		Spec:     json.RawMessage(`{"isRegex":false,"resourceAllocation":{"memoryMiB":512}}`),
	}, nil))
	rbacPath := "/v1/spectroclusters/" + generic + "/config/rbacs"
	must("put rbacs", c.Do(ctx, http.MethodPut, rbacPath, wire.ClusterRbacResourcesUpdateEntity{Rbacs: []wire.ClusterRbacInputEntity{{
		Metadata: wire.ObjectMetaUpdateEntity{Name: "viewers"},
		Spec: json.RawMessage(`{"bindings":[{"type":"ClusterRoleBinding","role":{"kind":"ClusterRole","name":"view"},` +
			`"subjects":[{"type":"User","name":"alice"},{"type":"ServiceAccount","name":"ci","namespace":"team-a"}]}]}`),
	}}}, nil))
	var rbacs wire.ClusterRbacs
	must("get rbacs", c.Do(ctx, http.MethodGet, rbacPath, nil, &rbacs))
	if len(rbacs.Items) != 1 {
		t.Fatalf("rbacs %+v", rbacs)
	}
	rbacUID := rbacs.Items[0].Metadata.UID
	must("put rbac", c.Do(ctx, http.MethodPut, rbacPath+"/"+rbacUID, wire.ClusterRbacInputEntity{
		Metadata: wire.ObjectMetaUpdateEntity{UID: rbacUID, Name: "viewers"},
		Spec:     json.RawMessage(`{"bindings":[{"type":"RoleBinding","namespace":"team-a","role":{"kind":"Role","name":"reader"},"subjects":[{"type":"Group","name":"devs"}]}]}`),
	}, nil))
	must("agent config status", agents[generic].Do(ctx, http.MethodPatch, "/v1/spectroclusters/"+generic+"/config/status", wire.ConfigStatusRequest{
		Namespaces: []wire.ConfigEntryStatus{{UID: nsUID, Errors: []wire.ClusterResourceError{{Name: "team-b", ResourceType: "Namespace", Msg: "boom"}}}},
	}, nil))
	var ns wire.ClusterNamespaceResource
	must("get namespace", c.Do(ctx, http.MethodGet, nsPath+"/"+nsUID, nil, &ns))
	if ns.Status == nil || len(ns.Status.Errors) != 1 || ns.Spec.ResourceAllocation.MemoryMiB != 512 {
		t.Fatalf("namespace %+v", ns)
	}
	var rbac wire.ClusterRbac
	must("get rbac", c.Do(ctx, http.MethodGet, rbacPath+"/"+rbacUID, nil, &rbac))
	if len(rbac.Spec.Bindings) != 1 || rbac.Spec.Bindings[0].Role.Name != "reader" {
		t.Fatalf("rbac %+v", rbac)
	}
	must("get namespaces", c.Do(ctx, http.MethodGet, nsPath, nil, &nss))
	if err := c.Do(ctx, http.MethodGet, nsPath+"/0123456789abcdef01234567", nil, nil); !errors.Is(err, palette.ErrNotFound) {
		t.Fatalf("unknown namespace entry: %v", err)
	}
	if err := c.Do(ctx, http.MethodPut, "/v1/spectroclusters/"+ro+"/config/namespaces", wire.ClusterNamespaceResourcesUpdateEntity{
		Namespaces: []wire.ClusterNamespaceResourceInputEntity{{Metadata: wire.ObjectMetaUpdateEntity{Name: "team-a"}}},
	}, nil); !palette.IsCode(err, wire.CodeNamespacesRequireFullPermission) {
		t.Fatalf("namespaces on a read-only cluster: %v", err)
	}
	if err := c.Do(ctx, http.MethodPut, rbacPath, wire.ClusterRbacResourcesUpdateEntity{Rbacs: []wire.ClusterRbacInputEntity{{
		Spec: json.RawMessage(`{"bindings":[{"type":"ClusterRoleBinding","role":{"kind":"Role","name":"reader"}}]}`),
	}}}, nil); !palette.IsCode(err, wire.CodeBadRequest) {
		t.Fatalf("a ClusterRoleBinding of a Role: %v", err)
	}

	must("upgrade settings", c.Do(ctx, http.MethodPost, "/v1/spectroclusters/"+generic+"/upgrade/settings", map[string]string{"spectroComponents": "lock"}, nil))

	// Compliance scans: the schedule, an on-demand run, the agent's report
	// of it (exempt: extras.go) and the logs; none on a read-only cluster.
	every := func(expr string) *wire.ClusterComplianceScanDriverScheduleConfig {
		return &wire.ClusterComplianceScanDriverScheduleConfig{Schedule: &wire.ClusterFeatureSchedule{ScheduledRunTime: expr}}
	}
	must("create scan schedule", c.CreateComplianceScan(ctx, generic, wire.ClusterComplianceScheduleConfig{KubeBench: every("0 3 * * *")}))
	must("update scan schedule", c.UpdateComplianceScan(ctx, generic, wire.ClusterComplianceScheduleConfig{
		KubeBench: every("0 4 * * 1"), Sonobuoy: every("30 2 1 * *")}))
	scan, err := c.GetComplianceScan(ctx, generic)
	must("get scan schedule", err)
	if len(scan.Spec.DriverSpec) != 2 || scan.Spec.DriverSpec[wire.DriverKubeBench].Config.Schedule.ScheduledRunTime != "0 4 * * 1" {
		t.Fatalf("scan schedule %+v", scan.Spec)
	}
	if err := c.CreateComplianceScan(ctx, ro, wire.ClusterComplianceScheduleConfig{KubeBench: every("0 3 * * *")}); !palette.IsCode(err, wire.CodeComplianceScanRequiresFullPermission) {
		t.Fatalf("a scan schedule on a read-only cluster: %v", err)
	}
	requestUID, err := c.RunComplianceScan(ctx, generic, wire.ClusterComplianceOnDemandConfig{
		KubeBench: &wire.ClusterComplianceScanRunConfig{RunScan: true}, Sonobuoy: &wire.ClusterComplianceScanRunConfig{RunScan: true},
		Syft: &wire.ClusterComplianceScanSyftConfig{RunScan: true, Config: &wire.ClusterComplianceScanSyftDriverConfig{Format: "spdx-json", Scope: "namespace", Namespace: "team-a"}},
	})
	must("on-demand scan", err)
	now := time.Now().UTC()
	must("agent kube-bench report", agents[generic].ReportScan(ctx, generic, wire.DriverKubeBench, wire.KubeBenchEntity{
		RequestUID: requestUID, Status: wire.ScanCompleted, Message: "1 passed, 1 failed",
		Reports: map[string]wire.KubeBenchReport{"master": {Name: "cis-1.11", Type: "master", Time: &now, Pass: 1, Fail: 1, Logs: []wire.KubeBenchLog{
			{TestID: "1.2.15", Description: "profiling", State: "PASS"}, {TestID: "1.1.1", Description: "perms", State: "FAIL", Remediation: "chmod 600"}}}},
	}))
	must("agent sonobuoy report", agents[generic].ReportScan(ctx, generic, wire.DriverSonobuoy, wire.ScanDriverEntity{
		RequestUID: requestUID, Status: wire.ScanFailed, Reports: map[string]any{}, Message: "unavailable"}))
	must("agent syft report", agents[generic].ReportScan(ctx, generic, wire.DriverSyft, wire.SyftEntity{
		RequestUID: requestUID, Status: wire.ScanFailed, Message: "unavailable"}))
	logs, err := c.GetComplianceScanLogs(ctx, generic)
	must("scan logs", err)
	if len(logs.KubeBenchLogs) != 1 || len(logs.SonobuoyLogs) != 1 || len(logs.SyftLogs) != 1 || logs.KubeBenchLogs[0].Status.RequestUID != requestUID {
		t.Fatalf("scan logs %+v", logs)
	}
	kb, err := c.GetKubeBenchLog(ctx, generic, logs.KubeBenchLogs[0].Metadata.UID)
	must("kube-bench log", err)
	if kb.Status.State != wire.ScanCompleted || kb.Status.Reports["master"].Fail != 1 {
		t.Fatalf("kube-bench log %+v", kb.Status)
	}
	for _, d := range []string{wire.DriverSonobuoy, wire.DriverSyft} {
		uid := logs.SonobuoyLogs[0].Metadata.UID
		if d == wire.DriverSyft {
			uid = logs.SyftLogs[0].Metadata.UID
		}
		must(d+" log", c.Do(ctx, http.MethodGet, "/v1/spectroclusters/"+generic+"/features/complianceScan/logs/"+uid+"/drivers/"+d, nil, nil))
	}
	must("delete scan log", c.Do(ctx, http.MethodDelete, "/v1/spectroclusters/"+generic+"/features/complianceScan/logs/"+kb.Metadata.UID, nil, nil))
	must("remove scan schedule", c.UpdateComplianceScan(ctx, generic, wire.ClusterComplianceScheduleConfig{}))
	conformanceBackups(ctx, t, c, agents[generic], generic, ro)

	// Migration, deletes.
	must("upgrade", c.UpgradeToFullPermission(ctx, ro))
	if err := c.UpgradeToFullPermission(ctx, ro); !palette.IsCode(err, wire.CodeAlreadyFullPermission) {
		t.Fatalf("second upgrade: %v", err)
	}
	must("delete", c.DeleteCluster(ctx, aws, false))
	must("force delete", c.DeleteCluster(ctx, ro, true))

	client.Report(t)
	server.Report(t)
	sum := server.Summary()
	if sum.Responses < sum.Requests || len(sum.Operations) < 20 {
		t.Errorf("the server side checked %d responses of %d requests over %d operations", sum.Responses, sum.Requests, len(sum.Operations))
	}
	for _, op := range []string{
		"GET /v1/spectroclusters/{uid}/config/namespaces", "PUT /v1/spectroclusters/{uid}/config/namespaces",
		"GET /v1/spectroclusters/{uid}/config/namespaces/{namespaceUid}", "PUT /v1/spectroclusters/{uid}/config/namespaces/{namespaceUid}",
		"GET /v1/spectroclusters/{uid}/config/rbacs", "PUT /v1/spectroclusters/{uid}/config/rbacs",
		"GET /v1/spectroclusters/{uid}/config/rbacs/{rbacUid}", "PUT /v1/spectroclusters/{uid}/config/rbacs/{rbacUid}",
		"GET /v1/spectroclusters/{uid}/features/complianceScan", "POST /v1/spectroclusters/{uid}/features/complianceScan",
		"PUT /v1/spectroclusters/{uid}/features/complianceScan", "POST /v1/spectroclusters/{uid}/features/complianceScan/onDemand",
		"GET /v1/spectroclusters/{uid}/features/complianceScan/logs/drivers",
		"GET /v1/spectroclusters/{uid}/features/complianceScan/logs/{logUid}/drivers/kubeBench",
		"DELETE /v1/spectroclusters/{uid}/features/complianceScan/logs/{logUid}",
		"POST /v1/users/assets/locations/s3", "POST /v1/users/assets/locations/minio", "GET /v1/users/assets/locations",
		"GET /v1/users/assets/locations/minio/{uid}", "PUT /v1/users/assets/locations/minio/{uid}",
		"GET /v1/users/assets/locations/s3/{uid}", "PUT /v1/users/assets/locations/s3/{uid}",
		"DELETE /v1/users/assets/locations/{uid}", "DELETE /v1/users/assets/locations/s3/{uid}",
		"GET /v1/spectroclusters/{uid}/features/backup", "POST /v1/spectroclusters/{uid}/features/backup",
		"PUT /v1/spectroclusters/{uid}/features/backup", "DELETE /v1/spectroclusters/{uid}/features/backup",
		"POST /v1/spectroclusters/{uid}/features/backup/onDemand",
		"DELETE /v1/spectroclusters/{uid}/features/backup/{backupName}/request/{requestUid}",
		"GET /v1/spectroclusters/{uid}/features/restore", "POST /v1/spectroclusters/{uid}/features/restore/onDemand",
	} {
		if !slices.Contains(sum.Operations, op) {
			t.Errorf("the server side did not check %s (checked: %v)", op, sum.Operations)
		}
	}
}
