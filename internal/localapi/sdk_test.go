package localapi_test

import (
	"context"
	"crypto/x509"
	"net/http"
	"net/url"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/go-openapi/strfmt"
	clientv1 "github.com/spectrocloud/palette-sdk-go/api/client/version1"
	"github.com/spectrocloud/palette-sdk-go/api/models"
	sdk "github.com/spectrocloud/palette-sdk-go/client"

	"github.com/terraform-palette/terraform-provider-palette/internal/acctest/localtest"
	"github.com/terraform-palette/terraform-provider-palette/internal/acctest/palettespec"
	"github.com/terraform-palette/terraform-provider-palette/internal/localapi"
	"github.com/terraform-palette/terraform-provider-palette/internal/palette"
	"github.com/terraform-palette/terraform-provider-palette/internal/wire"
)

// sdkAddonYAML is an add-on profile whose manifest uses a profile variable.
const sdkAddonYAML = `name: sdk-addon
version: 1.0.0
type: add-on
cloudType: all
packs:
  - name: hello
    tag: 1.0.0
    type: manifest
    values: |
      message: hello
    manifests:
      - name: hello-cm
        content: |
          apiVersion: v1
          kind: ConfigMap
          metadata:
            name: hello
          data:
            greeting: "{{ .spectro.var.greeting }}"
`

// newSDK configures Spectro Cloud's own client as a team pointing an
// existing Palette configuration at palette-local would: host:port, API key,
// project scope and the CA palette-local wrote to its data dir.
func newSDK(t *testing.T, inst *localtest.Instance, opts ...func(*sdk.V1Client)) *sdk.V1Client {
	t.Helper()
	u, err := url.Parse(inst.URL)
	if err != nil {
		t.Fatal(err)
	}
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM([]byte(inst.CACertificatePEM)) {
		t.Fatalf("the instance's CA (%s) does not parse", inst.CAFile)
	}
	base := []func(*sdk.V1Client){
		sdk.WithPaletteURI(u.Host),
		sdk.WithAPIKey(inst.APIKey),
		sdk.WithScopeProject(inst.ProjectUID),
		sdk.WithRootCAs(pool),
	}
	return sdk.New(append(base, opts...)...)
}

// agentClient is our agent's client (internal/palette with the agent token
// of the manifest), over the same TLS.
func agentClient(t *testing.T, inst *localtest.Instance, manifest string) *palette.Client {
	t.Helper()
	ag, err := palette.NewClient(palette.Config{
		Host:             inst.URL,
		AgentToken:       agentToken(t, parseDocs(t, []byte(manifest))),
		CACertificatePEM: inst.CACertificatePEM,
		MaxRetries:       -1,
		RequestTimeout:   10 * time.Second,
	})
	if err != nil {
		t.Fatal(err)
	}
	return ag
}

// TestPaletteSDK drives palette-sdk-go's own client, unchanged, against
// palette-local over TLS.
func TestPaletteSDK(t *testing.T) {
	// Every answer palette-local gives the SDK is checked against the spec too.
	rec := palettespec.NewRecorder(palettespec.MustLoad(t), exemptExtras)
	rec.ResponsesOnly = true
	rec.Name = "palette-local's answers to palette-sdk-go"
	inst := localtest.Start(t, localtest.WithTLS(), localtest.WithConfig(func(c *localapi.Config) { c.Wrap = rec.Middleware }))
	if !strings.HasPrefix(inst.URL, "https://") || inst.CACertificatePEM == "" {
		t.Fatalf("instance is not TLS: %s", inst.URL)
	}
	ctx := context.Background()
	profilePath := t.TempDir() + "/sdk-addon.yaml"
	if err := os.WriteFile(profilePath, []byte(sdkAddonYAML), 0o600); err != nil {
		t.Fatal(err)
	}
	profileUID := inst.CreateProfileFromFile(t, profilePath)

	c := newSDK(t, inst)

	// TLS is real: without the CA a client refuses the server (checked with
	// net/http: the SDK sleeps 2s after any failed attempt); the SDK accepts
	// it with WithInsecureSkipVerify, and with the CA.
	t.Run("tls", func(t *testing.T) {
		u, _ := url.Parse(inst.URL)
		req, _ := http.NewRequestWithContext(ctx, http.MethodGet, inst.URL+"/v1/dashboard/projects/metadata", nil)
		if resp, err := (&http.Client{Timeout: 5 * time.Second}).Do(req); err == nil {
			_ = resp.Body.Close()
			t.Fatal("without the CA: the TLS handshake succeeded")
		} else if !strings.Contains(err.Error(), "certificate") {
			t.Fatalf("without the CA: %v, want a certificate error", err)
		}
		insecure := sdk.New(sdk.WithPaletteURI(u.Host), sdk.WithAPIKey(inst.APIKey), sdk.WithScopeProject(inst.ProjectUID), sdk.WithInsecureSkipVerify(true))
		if err := insecure.Validate(); err != nil {
			t.Fatalf("insecure: %v", err)
		}
		if err := c.Validate(); err != nil {
			t.Fatalf("Validate (GET /v1/dashboard/projects/metadata): %v", err)
		}
	})

	// Import a generic and an aws cluster.
	genericUID, err := c.ImportClusterGeneric(&models.V1ObjectMetaInputEntity{Name: "sdk-generic", Labels: map[string]string{"team": "sdk"}})
	if err != nil || genericUID == "" {
		t.Fatalf("ImportClusterGeneric: %q, %v", genericUID, err)
	}
	awsUID, err := c.ImportClusterAws(&models.V1ObjectMetaInputEntity{Name: "sdk-aws"})
	if err != nil || awsUID == "" {
		t.Fatalf("ImportClusterAws: %q, %v", awsUID, err)
	}

	// Get by UID.
	cl, err := c.GetCluster(genericUID)
	if err != nil || cl == nil {
		t.Fatalf("GetCluster: %v, %v", cl, err)
	}
	if cl.Metadata.UID != genericUID || cl.Metadata.Name != "sdk-generic" || cl.Metadata.Labels["team"] != "sdk" ||
		cl.Spec.CloudType != "generic" || cl.Status.State != wire.StatePending {
		t.Fatalf("GetCluster: metadata %+v spec.cloudType %q status.state %q", cl.Metadata, cl.Spec.CloudType, cl.Status.State)
	}
	specValid(t, "GetCluster (Pending)", cl)
	if cl.Status.Location == nil {
		t.Fatal("GetCluster: status.location is missing (v1ClusterLocation)")
	}
	if cl.Status.ClusterImport == nil || !strings.Contains(cl.Status.ClusterImport.ImportLink, "/v1/spectroclusters/"+genericUID+"/import/manifest") {
		t.Fatalf("GetCluster: status.clusterImport %+v", cl.Status.ClusterImport)
	}
	if cl.Spec.CloudConfigRef == nil || cl.Spec.CloudConfigRef.UID == "" {
		t.Fatalf("GetCluster: spec.cloudConfigRef %+v", cl.Spec.CloudConfigRef)
	}
	if loc, err := c.GetClusterLocationConfig(genericUID); err != nil || loc == nil || loc.GeoLoc == nil || loc.CountryCode != "" {
		t.Fatalf("GetClusterLocationConfig (before any): %+v, %v", loc, err)
	}
	err = c.ApplyClusterLocationConfig(genericUID, &models.V1SpectroClusterLocationInputEntity{Location: &models.V1ClusterLocation{
		CountryCode: "DE", CountryName: "Germany", RegionCode: "BE", RegionName: "Berlin",
		GeoLoc: &models.V1GeolocationLatlong{Latitude: 52.52, Longitude: 13.405},
	}})
	if err != nil {
		t.Fatalf("ApplyClusterLocationConfig: %v", err)
	}
	if loc, err := c.GetClusterLocationConfig(genericUID); err != nil || loc == nil || loc.CountryCode != "DE" || loc.RegionName != "Berlin" ||
		loc.GeoLoc == nil || loc.GeoLoc.Latitude != 52.52 || loc.GeoLoc.Longitude != 13.405 {
		t.Fatalf("GetClusterLocationConfig: %+v, %v", loc, err)
	}
	if aws, err := c.GetCluster(awsUID); err != nil || aws == nil || aws.Spec.CloudType != "aws" {
		t.Fatalf("GetCluster(aws): %+v, %v", aws, err)
	}

	// Get by name (a summary search, then GET).
	byName, err := c.GetClusterByName("sdk-generic", false)
	if err != nil || byName == nil || byName.Metadata.UID != genericUID {
		t.Fatalf("GetClusterByName: %+v, %v", byName, err)
	}
	if _, err := c.GetClusterByName("no-such-cluster", false); err == nil || !strings.Contains(err.Error(), "got 0") {
		t.Fatalf("GetClusterByName(missing): %v, want 'expected 1 cluster: got 0'", err)
	}

	// Search the cluster summaries.
	all, err := c.SearchClusterSummaries(nil, nil)
	if err != nil {
		t.Fatalf("SearchClusterSummaries: %v", err)
	}
	seen := map[string]string{}
	for _, s := range all {
		specValid(t, "SearchClusterSummaries item", s)
		if s.Status == nil {
			t.Fatalf("SearchClusterSummaries: item %s has no status", s.Metadata.UID)
		}
		seen[s.Metadata.UID] = s.Metadata.Name + "/" + s.Status.State
	}
	if len(all) != 2 || seen[genericUID] != "sdk-generic/Pending" || seen[awsUID] != "sdk-aws/Pending" {
		t.Fatalf("SearchClusterSummaries: %v", seen)
	}
	or := models.V1SearchFilterConjunctionOperatorOr
	and := models.V1SearchFilterConjunctionOperatorAnd
	filtered, err := c.SearchClusterSummaries(&models.V1SearchFilterSpec{
		Conjunction: &and,
		FilterGroups: []*models.V1SearchFilterGroup{{
			Conjunction: &and,
			Filters: []*models.V1SearchFilterItem{{
				Property: "clusterName",
				Type:     models.V1SearchFilterPropertyTypeString,
				Condition: &models.V1SearchFilterCondition{String: &models.V1SearchFilterStringCondition{
					Operator: models.V1SearchFilterStringOperatorEq,
					Match:    &models.V1SearchFilterStringConditionMatch{Conjunction: &or, Values: []string{"sdk-aws"}},
				}},
			}},
		}},
	}, []*models.V1SearchFilterSortSpec{{Field: ptr(models.V1SearchSortFieldsClusterName), Order: ptr(models.V1SortOrderAsc)}})
	if err != nil || len(filtered) != 1 || filtered[0].Metadata.UID != awsUID {
		t.Fatalf("SearchClusterSummaries(clusterName=sdk-aws): %v, %v", filtered, err)
	}

	// The import manifest.
	manifest, err := c.GetClusterImportManifest(genericUID)
	if err != nil {
		t.Fatalf("GetClusterImportManifest: %v", err)
	}
	if !strings.Contains(manifest, "kind: Namespace") || !strings.Contains(manifest, genericUID) {
		t.Fatalf("GetClusterImportManifest: %s", short([]byte(manifest)))
	}
	if cl, _ := c.GetCluster(genericUID); cl == nil || cl.Status.State != wire.StatePending {
		t.Fatalf("after the manifest fetch: %+v, want Pending (only the agent moves it on)", cl)
	}

	// Profile lookups: by name and version, by UID, its packs and manifests,
	// the registries.
	gotUID, err := c.GetClusterProfileUID("sdk-addon", "1.0.0")
	if err != nil || gotUID != profileUID {
		t.Fatalf("GetClusterProfileUID: %q, %v; want %q", gotUID, err, profileUID)
	}
	if _, err := c.GetClusterProfileUID("sdk-addon", "9.9.9"); err == nil {
		t.Fatal("GetClusterProfileUID(wrong version): no error")
	}
	profile, err := c.GetClusterProfile(profileUID)
	if err != nil || profile == nil || profile.Metadata.Name != "sdk-addon" {
		t.Fatalf("GetClusterProfile: %+v, %v", profile, err)
	}
	specValid(t, "GetClusterProfile", profile)
	packs, err := c.GetPacksByProfile(profileUID)
	if err != nil || len(packs) != 1 {
		t.Fatalf("GetPacksByProfile: %v, %v", packs, err)
	}
	specValid(t, "GetPacksByProfile item", packs[0])
	ps := packs[0].Spec
	if ps == nil || ps.Name != "hello" || ps.Version != "1.0.0" || ps.Type == nil || *ps.Type != models.V1PackTypeManifest ||
		ps.Layer != models.V1PackLayerAddon || !strings.Contains(ps.Values, "message: hello") || len(ps.Manifests) != 1 ||
		ps.Manifests[0].Name != "hello-cm" || ps.Manifests[0].UID == "" || packs[0].Metadata == nil || packs[0].Metadata.UID == "" {
		t.Fatalf("GetPacksByProfile: spec %+v metadata %+v", ps, packs[0].Metadata)
	}
	mans, err := c.GetClusterProfileManifestPack(profileUID, "hello")
	if err != nil || len(mans) != 1 {
		t.Fatalf("GetClusterProfileManifestPack: %v, %v", mans, err)
	}
	specValid(t, "GetClusterProfileManifestPack item", mans[0])
	if m := mans[0]; m.Metadata == nil || m.Metadata.Name != "hello-cm" || m.Metadata.UID != ps.Manifests[0].UID ||
		m.Spec == nil || m.Spec.Published == nil || !strings.Contains(m.Spec.Published.Content, "kind: ConfigMap") || m.Spec.Published.Digest == "" {
		t.Fatalf("GetClusterProfileManifestPack: %+v", m)
	}
	if mans, err := c.GetClusterProfileManifestPack(profileUID, "no-such-pack"); err != nil || mans != nil {
		t.Fatalf("GetClusterProfileManifestPack(missing pack): %v, %v; want nil, nil (404)", mans, err)
	}
	regs, err := c.SearchPackRegistryCommon()
	if err != nil || len(regs) == 0 {
		t.Fatalf("SearchPackRegistryCommon: %v, %v", regs, err)
	}
	specValid(t, "SearchPackRegistryCommon item", regs[0])
	reg, err := c.GetPackRegistryCommonByName("Public Repo")
	if err != nil || reg.UID == "" || reg.UID != ps.RegistryUID {
		t.Fatalf("GetPackRegistryCommonByName: %+v, %v (packs name registry %q)", reg, err, ps.RegistryUID)
	}

	// Running, the way our agent does it: first contact and a heartbeat.
	ag := agentClient(t, inst, manifest)
	if err := ag.ReportImported(ctx, genericUID); err != nil {
		t.Fatalf("agent ReportImported: %v", err)
	}
	if err := ag.Heartbeat(ctx, genericUID, wire.Heartbeat{AgentVersion: "sdk-test"}); err != nil {
		t.Fatalf("agent Heartbeat: %v", err)
	}
	waitState(t, c, genericUID, wire.StateRunning)

	// Attach the add-on profile.
	cl, _ = c.GetCluster(genericUID)
	err = c.CreateAddonDeployment(cl, &models.V1SpectroClusterProfiles{Profiles: []*models.V1SpectroClusterProfileEntity{{
		UID:       profileUID,
		Variables: []*models.V1SpectroClusterVariable{{Name: ptr("greeting"), Value: "hi"}},
	}}})
	if err != nil {
		t.Fatalf("CreateAddonDeployment: %v", err)
	}
	cl, err = c.GetCluster(genericUID)
	if err != nil || len(cl.Spec.ClusterProfileTemplates) != 1 {
		t.Fatalf("after CreateAddonDeployment: %+v, %v", cl, err)
	}
	specValid(t, "GetCluster (Running, with the add-on)", cl)
	tmpl := cl.Spec.ClusterProfileTemplates[0]
	if tmpl.UID != profileUID || tmpl.Name != "sdk-addon" || tmpl.Type != wire.ProfileTypeAddOn || tmpl.ProfileVersion != "1.0.0" || len(tmpl.Packs) != 1 {
		t.Fatalf("spec.clusterProfileTemplates[0]: %+v", tmpl)
	}
	pk := tmpl.Packs[0]
	if pk.Name == nil || *pk.Name != "hello" || pk.Tag != "1.0.0" || pk.Type != "manifest" || pk.Layer == nil || *pk.Layer != "addon" ||
		!strings.Contains(pk.Values, "message: hello") || pk.PackUID == "" || len(pk.Manifests) != 1 ||
		pk.Manifests[0].Name != "hello-cm" || pk.Manifests[0].UID != ps.Manifests[0].UID {
		t.Fatalf("spec.clusterProfileTemplates[0].packs[0]: %+v (manifests %+v)", pk, pk.Manifests)
	}
	if ok, uid := sdk.IsProfileAttachedByName(cl, profile); !ok || uid != profileUID {
		t.Fatalf("IsProfileAttachedByName: %v %q", ok, uid)
	}
	// Update it in place (the SDK sets replaceWithProfile to the attached UID).
	err = c.UpdateAddonDeployment(cl, &models.V1SpectroClusterProfiles{Profiles: []*models.V1SpectroClusterProfileEntity{{
		UID: profileUID,
		PackValues: []*models.V1PackValuesEntity{{
			Name: ptr("hello"), Tag: "1.0.0", Type: ptr(models.V1PackTypeManifest), Values: "message: updated\n",
		}},
		Variables: []*models.V1SpectroClusterVariable{{Name: ptr("greeting"), Value: "hi"}},
	}}}, profile)
	if err != nil {
		t.Fatalf("UpdateAddonDeployment: %v", err)
	}
	desired, err := ag.GetAgentDesired(ctx, genericUID)
	if err != nil || len(desired.Profiles) != 1 || len(desired.Profiles[0].PackValues) != 1 ||
		desired.Profiles[0].PackValues[0].Values != "message: updated\n" || len(desired.Profiles[0].Variables) != 1 {
		t.Fatalf("agent desired after UpdateAddonDeployment: %+v, %v", desired, err)
	}
	if err := ag.ReportPacks(ctx, genericUID, []wire.ClusterPackStatus{{ProfileUID: profileUID, Name: "hello",
		Condition: wire.ClusterCondition{Type: "Ready", Status: "True"}}}); err != nil {
		t.Fatalf("agent ReportPacks: %v", err)
	}
	cl, _ = c.GetCluster(genericUID)
	if len(cl.Status.Packs) != 1 || cl.Status.Packs[0].Condition == nil || cl.Status.Packs[0].Condition.Status == nil ||
		*cl.Status.Packs[0].Condition.Status != "True" {
		t.Fatalf("status.packs after the agent's report: %+v", cl.Status.Packs)
	}

	// The cluster's variables: get and patch.
	vars, err := c.GetClusterVariables(genericUID)
	if err != nil || len(vars) != 1 || vars[0].ProfileUID == nil || *vars[0].ProfileUID != profileUID ||
		len(vars[0].Variables) != 1 || *vars[0].Variables[0].Name != "greeting" || vars[0].Variables[0].Value != "hi" {
		t.Fatalf("GetClusterVariables: %s, %v", dumpVars(vars), err)
	}
	specValid(t, "GetClusterVariables item", vars[0])
	err = c.UpdateClusterProfileVariableInCluster(genericUID, []*models.V1SpectroClusterVariableUpdateEntity{{
		ProfileUID: ptr(profileUID),
		Variables:  []*models.V1SpectroClusterVariable{{Name: ptr("greeting"), Value: "hello from the SDK"}},
	}})
	if err != nil {
		t.Fatalf("UpdateClusterProfileVariableInCluster: %v", err)
	}
	vars, err = c.GetClusterVariables(genericUID)
	if err != nil || len(vars) != 1 || len(vars[0].Variables) != 1 || vars[0].Variables[0].Value != "hello from the SDK" {
		t.Fatalf("GetClusterVariables after the patch: %s, %v", dumpVars(vars), err)
	}
	if desired, err := ag.GetAgentDesired(ctx, genericUID); err != nil || len(desired.Profiles) != 1 ||
		len(desired.Profiles[0].Variables) != 1 || desired.Profiles[0].Variables[0].Value != "hello from the SDK" {
		t.Fatalf("agent desired after the variables patch: %+v, %v", desired, err)
	}
	err = c.UpdateClusterProfileVariableInCluster(genericUID, []*models.V1SpectroClusterVariableUpdateEntity{{
		ProfileUID: ptr("000000000000000000000000"),
		Variables:  []*models.V1SpectroClusterVariable{{Name: ptr("greeting"), Value: "x"}},
	}})
	if err == nil {
		t.Fatal("UpdateClusterProfileVariableInCluster(profile not attached): no error")
	}

	// Remove the add-on.
	if err := c.DeleteAddonDeployment(genericUID, &models.V1SpectroClusterProfilesDeleteEntity{ProfileUids: []string{profileUID}}); err != nil {
		t.Fatalf("DeleteAddonDeployment: %v", err)
	}
	cl, _ = c.GetCluster(genericUID)
	if len(cl.Spec.ClusterProfileTemplates) != 0 {
		t.Fatalf("after DeleteAddonDeployment: templates %+v", cl.Spec.ClusterProfileTemplates)
	}
	if vars, err := c.GetClusterVariables(genericUID); err != nil || len(vars) != 0 {
		t.Fatalf("GetClusterVariables after DeleteAddonDeployment: %s, %v", dumpVars(vars), err)
	}

	// The SDK's other add-on path: PUT of the whole set, with pack values
	// read from GetPacksByProfile and from the cluster's templates.
	if err := c.AttachAddonsToCluster(genericUID, []string{profileUID}); err != nil {
		t.Fatalf("AttachAddonsToCluster: %v", err)
	}
	if cl, _ := c.GetCluster(genericUID); len(cl.Spec.ClusterProfileTemplates) != 1 || cl.Spec.ClusterProfileTemplates[0].UID != profileUID {
		t.Fatalf("after AttachAddonsToCluster: templates %+v", cl.Spec.ClusterProfileTemplates)
	}
	if err := c.RemoveAddonsFromCluster(genericUID, []string{profileUID}); err != nil {
		t.Fatalf("RemoveAddonsFromCluster: %v", err)
	}
	if cl, _ := c.GetCluster(genericUID); len(cl.Spec.ClusterProfileTemplates) != 0 {
		t.Fatalf("after RemoveAddonsFromCluster: templates %+v", cl.Spec.ClusterProfileTemplates)
	}

	// Namespaces and RBAC bindings: the SDK's own functions for the lists,
	// and its generated client for the single entries (it has no function
	// of its own for them).
	if got, err := c.GetClusterNamespaceConfig(genericUID); err != nil || got == nil || len(got.Items) != 0 {
		t.Fatalf("GetClusterNamespaceConfig (none yet): %+v, %v", got, err)
	}
	err = c.ApplyClusterNamespaceConfig(genericUID, []*models.V1ClusterNamespaceResourceInputEntity{{
		Metadata: &models.V1ObjectMetaUpdateEntity{Name: "team-a"},
		Spec: &models.V1ClusterNamespaceSpec{ResourceAllocation: &models.V1ClusterNamespaceResourceAllocation{
			CPUCores: 2, MemoryMiB: 1024, GpuConfig: &models.V1GpuConfig{Limit: 1, Provider: ptr("nvidia")},
		}},
	}, {
		Metadata: &models.V1ObjectMetaUpdateEntity{Name: "team-b"},
		Spec:     &models.V1ClusterNamespaceSpec{ResourceAllocation: &models.V1ClusterNamespaceResourceAllocation{CPUCores: 1}},
	}})
	if err != nil {
		t.Fatalf("ApplyClusterNamespaceConfig: %v", err)
	}
	nsCfg, err := c.GetClusterNamespaceConfig(genericUID)
	if err != nil || nsCfg == nil || len(nsCfg.Items) != 2 {
		t.Fatalf("GetClusterNamespaceConfig: %+v, %v", nsCfg, err)
	}
	specValid(t, "GetClusterNamespaceConfig", nsCfg)
	teamA := nsCfg.Items[0]
	if teamA.Metadata == nil || teamA.Metadata.Name != "team-a" || len(teamA.Metadata.UID) != 24 || teamA.Spec == nil ||
		teamA.Spec.ResourceAllocation == nil || teamA.Spec.ResourceAllocation.CPUCores != 2 || teamA.Spec.ResourceAllocation.GpuConfig == nil ||
		teamA.Spec.ResourceAllocation.GpuConfig.Limit != 1 {
		t.Fatalf("GetClusterNamespaceConfig item: %+v %+v", teamA.Metadata, teamA.Spec)
	}
	// The whole list is replaced: team-a kept by its uid, team-b left out.
	err = c.UpdateClusterNamespaceConfig(genericUID, &models.V1ClusterNamespaceResourcesUpdateEntity{Namespaces: []*models.V1ClusterNamespaceResourceInputEntity{{
		Metadata: &models.V1ObjectMetaUpdateEntity{UID: teamA.Metadata.UID, Name: "team-a"},
		Spec:     &models.V1ClusterNamespaceSpec{ResourceAllocation: &models.V1ClusterNamespaceResourceAllocation{CPUCores: 3}},
	}}})
	if err != nil {
		t.Fatalf("UpdateClusterNamespaceConfig: %v", err)
	}
	scope := sdk.ContextForScope(ctx, "project", inst.ProjectUID)
	one, err := c.Client.V1SpectroClustersUIDConfigNamespacesUIDGet(clientv1.NewV1SpectroClustersUIDConfigNamespacesUIDGetParamsWithContext(scope).
		WithUID(genericUID).WithNamespaceUID(teamA.Metadata.UID))
	if err != nil || one.Payload.Metadata.UID != teamA.Metadata.UID || one.Payload.Spec.ResourceAllocation.CPUCores != 3 {
		t.Fatalf("V1SpectroClustersUIDConfigNamespacesUIDGet: %+v, %v", one, err)
	}
	specValid(t, "V1SpectroClustersUIDConfigNamespacesUIDGet", one.Payload)
	_, err = c.Client.V1SpectroClustersUIDConfigNamespacesUIDUpdate(clientv1.NewV1SpectroClustersUIDConfigNamespacesUIDUpdateParamsWithContext(scope).
		WithUID(genericUID).WithNamespaceUID(teamA.Metadata.UID).WithBody(&models.V1ClusterNamespaceResourceInputEntity{
		Metadata: &models.V1ObjectMetaUpdateEntity{Name: "team-a"},
		Spec:     &models.V1ClusterNamespaceSpec{ResourceAllocation: &models.V1ClusterNamespaceResourceAllocation{MemoryMiB: 512}},
	}))
	if err != nil {
		t.Fatalf("V1SpectroClustersUIDConfigNamespacesUIDUpdate: %v", err)
	}
	if got, err := c.GetClusterNamespaceConfig(genericUID); err != nil || len(got.Items) != 1 || got.Items[0].Metadata.UID != teamA.Metadata.UID ||
		got.Items[0].Spec.ResourceAllocation.MemoryMiB != 512 || got.Items[0].Spec.ResourceAllocation.CPUCores != 0 {
		t.Fatalf("GetClusterNamespaceConfig after the updates: %+v, %v", got, err)
	}
	err = c.ApplyClusterNamespaceConfig(genericUID, []*models.V1ClusterNamespaceResourceInputEntity{{
		Metadata: &models.V1ObjectMetaUpdateEntity{Name: "kube-system"},
	}})
	if err == nil || !strings.Contains(err.Error(), wire.CodeBadRequest) || !strings.Contains(err.Error(), "kube-system") {
		t.Fatalf("ApplyClusterNamespaceConfig(kube-system): %v, want a BadRequest naming it", err)
	}

	if got, err := c.GetClusterRbacConfig(genericUID); err != nil || got == nil || len(got.Items) != 0 {
		t.Fatalf("GetClusterRbacConfig (none yet): %+v, %v", got, err)
	}
	// An answer (not a 404) makes ApplyClusterRbacConfig update the
	// cluster's list rather than create a workspace's.
	err = c.ApplyClusterRbacConfig(genericUID, []*models.V1ClusterRbacInputEntity{{
		Metadata: &models.V1ObjectMetaUpdateEntity{Name: "viewers"},
		Spec: &models.V1ClusterRbacSpec{Bindings: []*models.V1ClusterRbacBinding{{
			Type: "ClusterRoleBinding", Role: &models.V1ClusterRoleRef{Kind: "ClusterRole", Name: "view"},
			Subjects: []*models.V1ClusterRbacSubjects{{Type: "User", Name: "alice"}, {Type: "ServiceAccount", Name: "ci", Namespace: "team-a"}},
		}}},
	}})
	if err != nil {
		t.Fatalf("ApplyClusterRbacConfig: %v", err)
	}
	rbacCfg, err := c.GetClusterRbacConfig(genericUID)
	if err != nil || rbacCfg == nil || len(rbacCfg.Items) != 1 {
		t.Fatalf("GetClusterRbacConfig: %+v, %v", rbacCfg, err)
	}
	specValid(t, "GetClusterRbacConfig", rbacCfg)
	viewers := rbacCfg.Items[0]
	if viewers.Metadata == nil || viewers.Metadata.Name != "viewers" || viewers.Spec == nil || len(viewers.Spec.Bindings) != 1 ||
		viewers.Spec.Bindings[0].Role.Name != "view" || len(viewers.Spec.Bindings[0].Subjects) != 2 {
		t.Fatalf("GetClusterRbacConfig item: %+v %+v", viewers.Metadata, viewers.Spec)
	}
	err = c.UpdateClusterRbacConfig(genericUID, &models.V1ClusterRbacResourcesUpdateEntity{Rbacs: []*models.V1ClusterRbacInputEntity{{
		Metadata: &models.V1ObjectMetaUpdateEntity{UID: viewers.Metadata.UID, Name: "viewers"},
		Spec: &models.V1ClusterRbacSpec{Bindings: []*models.V1ClusterRbacBinding{{
			Type: "RoleBinding", Namespace: "team-a", Role: &models.V1ClusterRoleRef{Kind: "Role", Name: "reader"},
			Subjects: []*models.V1ClusterRbacSubjects{{Type: "Group", Name: "devs"}},
		}}},
	}}})
	if err != nil {
		t.Fatalf("UpdateClusterRbacConfig: %v", err)
	}
	rb, err := c.Client.V1SpectroClustersUIDConfigRbacsUIDGet(clientv1.NewV1SpectroClustersUIDConfigRbacsUIDGetParamsWithContext(scope).
		WithUID(genericUID).WithRbacUID(viewers.Metadata.UID))
	if err != nil || rb.Payload.Metadata.UID != viewers.Metadata.UID || rb.Payload.Spec.Bindings[0].Namespace != "team-a" {
		t.Fatalf("V1SpectroClustersUIDConfigRbacsUIDGet: %+v, %v", rb, err)
	}
	specValid(t, "V1SpectroClustersUIDConfigRbacsUIDGet", rb.Payload)
	_, err = c.Client.V1SpectroClustersUIDConfigRbacsUIDUpdate(clientv1.NewV1SpectroClustersUIDConfigRbacsUIDUpdateParamsWithContext(scope).
		WithUID(genericUID).WithRbacUID(viewers.Metadata.UID).WithBody(&models.V1ClusterRbacInputEntity{
		Metadata: &models.V1ObjectMetaUpdateEntity{Name: "viewers"},
		Spec: &models.V1ClusterRbacSpec{Bindings: []*models.V1ClusterRbacBinding{{
			Type: "ClusterRoleBinding", Role: &models.V1ClusterRoleRef{Kind: "ClusterRole", Name: "edit"},
			Subjects: []*models.V1ClusterRbacSubjects{{Type: "Group", Name: "devs"}},
		}}},
	}))
	if err != nil {
		t.Fatalf("V1SpectroClustersUIDConfigRbacsUIDUpdate: %v", err)
	}
	if got, err := c.GetClusterRbacConfig(genericUID); err != nil || len(got.Items) != 1 || got.Items[0].Spec.Bindings[0].Role.Name != "edit" {
		t.Fatalf("GetClusterRbacConfig after the updates: %+v, %v", got, err)
	}
	if desired, err := ag.GetAgentDesired(ctx, genericUID); err != nil || len(desired.Namespaces) != 1 || len(desired.Rbacs) != 1 ||
		desired.Rbacs[0].Spec.Bindings[0].Role.Name != "edit" {
		t.Fatalf("agent desired after the namespace and RBAC updates: %+v, %v", desired, err)
	}
	// The agent upgrade setting of one cluster (POST …/upgrade/settings).
	if err := c.UpdatePauseAgentUpgradeSettingCluster(&models.V1ClusterUpgradeSettingsEntity{SpectroComponents: "lock"}, genericUID); err != nil {
		t.Fatalf("UpdatePauseAgentUpgradeSettingCluster: %v", err)
	}
	if err := c.UpdatePauseAgentUpgradeSettingCluster(&models.V1ClusterUpgradeSettingsEntity{}, genericUID); err == nil {
		t.Fatal("UpdatePauseAgentUpgradeSettingCluster without spectroComponents: no error")
	}

	// Compliance scans: the SDK's scan functions (a cluster with no schedule
	// is a 404, which GetClusterScanConfig reads as nil; Apply creates,
	// then updates), an on-demand run, and its logs.
	if got, err := c.GetClusterScanConfig(genericUID); err != nil || got != nil {
		t.Fatalf("GetClusterScanConfig before any schedule: %+v, %v; want nil, nil", got, err)
	}
	kubeBenchAt := func(expr string) *models.V1ClusterComplianceScheduleConfig {
		return &models.V1ClusterComplianceScheduleConfig{KubeBench: &models.V1ClusterComplianceScanKubeBenchScheduleConfig{
			Schedule: &models.V1ClusterFeatureSchedule{ScheduledRunTime: expr}}}
	}
	for _, expr := range []string{"0 3 * * *", "15 4 * * 1"} {
		if err := c.ApplyClusterScanConfig(genericUID, kubeBenchAt(expr)); err != nil {
			t.Fatalf("ApplyClusterScanConfig(%s): %v", expr, err)
		}
		got, err := c.GetClusterScanConfig(genericUID)
		if err != nil || got == nil || got.Spec.DriverSpec["kubeBench"].Config.Schedule.ScheduledRunTime != expr {
			t.Fatalf("GetClusterScanConfig after Apply(%s): %+v, %v", expr, got, err)
		}
	}
	if err := c.CreateClusterScanConfig(genericUID, kubeBenchAt("0 3 * * *")); err == nil {
		t.Fatal("CreateClusterScanConfig on a cluster with a schedule: no error")
	}
	if err := c.UpdateClusterScanConfig(genericUID, kubeBenchAt("61 * * * *")); err == nil {
		t.Fatal("UpdateClusterScanConfig with a bad cron expression: no error")
	}
	if err := c.CreateComplianceScanOnDemandCreateClusterScanConfig(genericUID, &models.V1ClusterComplianceOnDemandConfig{
		KubeBench: &models.V1ClusterComplianceScanKubeBenchConfig{RunScan: true}}); err != nil {
		t.Fatalf("CreateComplianceScanOnDemandCreateClusterScanConfig: %v", err)
	}
	if logs, err := c.GetComplianceScanOnDemandScanLogs(genericUID); err != nil || len(logs.KubeBenchLogs) != 1 ||
		logs.KubeBenchLogs[0].Status.State != wire.ScanInitiated {
		t.Fatalf("GetComplianceScanOnDemandScanLogs: %+v, %v", logs, err)
	}
	if desired, err := ag.GetAgentDesired(ctx, genericUID); err != nil || desired.ComplianceScan == nil ||
		len(desired.ComplianceScan.Requests) != 1 || desired.ComplianceScan.Schedules[wire.DriverKubeBench] != "15 4 * * 1" {
		t.Fatalf("agent desired after the scan schedule and run: %+v, %v", desired, err)
	}

	// A Full Permission cluster takes them before its agent runs (the agent
	// applies them once it does).
	err = c.ApplyClusterRbacConfig(awsUID, []*models.V1ClusterRbacInputEntity{{Metadata: &models.V1ObjectMetaUpdateEntity{Name: "empty"}}})
	if err != nil {
		t.Fatalf("ApplyClusterRbacConfig on a Pending cluster: %v", err)
	}
	if got, err := c.GetClusterRbacConfig(awsUID); err != nil || len(got.Items) != 1 || got.Items[0].Metadata.Name != "empty" ||
		got.Items[0].Spec == nil || len(got.Items[0].Spec.Bindings) != 0 {
		t.Fatalf("GetClusterRbacConfig(Pending cluster): %+v, %v", got, err)
	}

	// Delete: Deleting until the agent reports it removed itself.
	if err := c.DeleteCluster(genericUID); err != nil {
		t.Fatalf("DeleteCluster: %v", err)
	}
	waitState(t, c, genericUID, wire.StateDeleting)
	if desired, err := ag.GetAgentDesired(ctx, genericUID); err != nil || !desired.Deleting {
		t.Fatalf("agent desired after DeleteCluster: %+v, %v", desired, err)
	}
	if err := ag.ReportAgentRemoved(ctx, genericUID); err != nil {
		t.Fatalf("agent ReportAgentRemoved: %v", err)
	}
	if cl, err := c.GetCluster(genericUID); err != nil || cl != nil {
		t.Fatalf("GetCluster after the delete: %+v, %v; want nil, nil (Deleted)", cl, err)
	}

	// Force delete the second cluster (never Running).
	if err := c.ForceDeleteCluster(awsUID, true); err != nil {
		t.Fatalf("ForceDeleteCluster: %v", err)
	}
	if cl, err := c.GetCluster(awsUID); err != nil || cl != nil {
		t.Fatalf("GetCluster after the force delete: %+v, %v; want nil, nil (Deleted)", cl, err)
	}
	if st := inst.ClusterState(t, awsUID); st != wire.StateDeleted {
		t.Fatalf("stored state after the force delete: %s", st)
	}
	if left, err := c.SearchClusterSummaries(nil, nil); err != nil || len(left) != 0 {
		t.Fatalf("SearchClusterSummaries after the deletes: %v, %v", left, err)
	}
	rec.Report(t)
}

// waitState waits (with a deadline) until the SDK reads the cluster in state.
func waitState(t *testing.T, c *sdk.V1Client, uid, state string) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for {
		cl, err := c.GetClusterWithoutStatus(uid)
		if err != nil {
			t.Fatalf("GetClusterWithoutStatus: %v", err)
		}
		last := ""
		if cl != nil && cl.Status != nil {
			last = cl.Status.State
		}
		if last == state {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("cluster %s is %q, want %q", uid, last, state)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func dumpVars(vars []*models.V1SpectroClusterVariables) string {
	var b strings.Builder
	for _, v := range vars {
		b.WriteString("{profileUid=")
		if v.ProfileUID != nil {
			b.WriteString(*v.ProfileUID)
		}
		for _, x := range v.Variables {
			b.WriteString(" ")
			if x.Name != nil {
				b.WriteString(*x.Name)
			}
			b.WriteString("=" + x.Value)
		}
		b.WriteString("}")
	}
	return b.String()
}

func ptr[T any](v T) *T { return &v }

// specValid checks a payload against Palette's spec with the SDK's
// generated validation (required fields, enums, formats).
func specValid(t *testing.T, what string, v interface{ Validate(strfmt.Registry) error }) {
	t.Helper()
	if err := v.Validate(strfmt.Default); err != nil {
		t.Fatalf("%s does not validate against the spec: %v", what, err)
	}
}
