package wire_test

import (
	"reflect"
	"strings"
	"testing"

	"github.com/terraform-palette/terraform-provider-palette/internal/acctest/palettespec"
	"github.com/terraform-palette/terraform-provider-palette/internal/wire"
)

// TestWireTypesMatchSpec holds every wire type of the client against the
// definition of Palette's published spec it stands for: each JSON field must
// be a property of that definition, with a compatible type, recursively. A
// renamed or retyped field fails here, not in a user's apply.
func TestWireTypesMatchSpec(t *testing.T) {
	t.Parallel()
	s := palettespec.MustLoad(t)
	cases := []struct {
		value      any
		definition string
		// allowed are violations expected on purpose, by JSON pointer.
		allowed string
	}{
		{wire.SpectroCluster{}, "v1SpectroCluster", ""},
		{wire.ImportRequest{}, "v1SpectroGenericClusterImportEntity", ""},
		{wire.ImportRequest{}, "v1SpectroAwsClusterImportEntity", ""},
		{wire.ImportRequest{}, "v1SpectroAzureClusterImportEntity", ""},
		{wire.ImportRequest{}, "v1SpectroGcpClusterImportEntity", ""},
		{wire.ImportRequest{}, "v1SpectroVsphereClusterImportEntity", ""},
		{wire.UIDResponse{}, "v1Uid", ""},
		{wire.Error{}, "v1Error", ""},
		{wire.ObjectMetaInputEntitySchema{}, "v1ObjectMetaInputEntitySchema", ""},
		{wire.SpectroClusterUidSummary{}, "v1SpectroClusterUidSummary", ""},
		{wire.SearchFilterSummarySpec{}, "v1SearchFilterSummarySpec", ""},
		{wire.SpectroClustersSummary{}, "v1SpectroClustersSummary", ""},
		{wire.SpectroClustersMetadataSearch{}, "v1SpectroClustersMetadataSearch", ""},
		{wire.ClusterProfile{}, "v1ClusterProfile", ""},
		{wire.ClusterProfileEntity{}, "v1ClusterProfileEntity", ""},
		{wire.ClusterProfilesFilterSpec{}, "v1ClusterProfilesFilterSpec", ""},
		{wire.ClusterProfilesSummary{}, "v1ClusterProfilesSummary", ""},
		{wire.ClusterProfilesMetadata{}, "v1ClusterProfilesMetadata", ""},
		{wire.ProjectsMetadata{}, "v1ProjectsMetadata", ""},
		// wire.Pack is v1PackManifestEntity too, whose uid packValues
		// (v1PackValuesEntity) do not have: the client never sets it there.
		{wire.SpectroClusterProfiles{}, "v1SpectroClusterProfiles", "/profiles/*/packValues/*/uid"},
		{wire.SpectroClusterProfileList{}, "v1SpectroClusterProfileList", ""},
		{wire.SpectroClusterProfilesDeleteEntity{}, "v1SpectroClusterProfilesDeleteEntity", ""},
		{wire.Variables{}, "v1Variables", ""},
		{wire.SpectroClusterVariables{}, "v1SpectroClusterVariables", ""},
		{wire.SpectroClusterVariables{}, "v1SpectroClusterVariableUpdateEntity", ""},
		{wire.ClusterNamespaceResources{}, "v1ClusterNamespaceResources", ""},
		{wire.ClusterNamespaceResourcesUpdateEntity{}, "v1ClusterNamespaceResourcesUpdateEntity", ""},
		{wire.ClusterNamespaceResourceInputEntity{}, "v1ClusterNamespaceResourceInputEntity", ""},
		{wire.ClusterNamespaceSpec{}, "v1ClusterNamespaceSpec", ""},
		{wire.ClusterRbacs{}, "v1ClusterRbacs", ""},
		{wire.ClusterRbacResourcesUpdateEntity{}, "v1ClusterRbacResourcesUpdateEntity", ""},
		{wire.ClusterRbacInputEntity{}, "v1ClusterRbacInputEntity", ""},
		{wire.ClusterRbacSpec{}, "v1ClusterRbacSpec", ""},
		{wire.UserAssetsLocationS3{}, "v1UserAssetsLocationS3", ""},
		{wire.UserAssetsLocations{}, "v1UserAssetsLocations", ""},
		{wire.ClusterBackupConfig{}, "v1ClusterBackupConfig", ""},
		{wire.ClusterBackup{}, "v1ClusterBackup", ""},
		{wire.ClusterRestoreConfig{}, "v1ClusterRestoreConfig", ""},
		{wire.ClusterRestore{}, "v1ClusterRestore", ""},
		{wire.CloudConfig{}, "v1GenericCloudConfig", "/spec/clusterConfig/location"},
		{wire.CloudConfig{}, "v1AwsCloudConfig", "/spec/clusterConfig/location"},
		{wire.CloudConfig{}, "v1GcpCloudConfig", "/spec/clusterConfig/location"},
		// Azure names its region "location".
		{wire.CloudConfig{}, "v1AzureCloudConfig", "/spec/clusterConfig/region"},
		{wire.ClusterComplianceScan{}, "v1ClusterComplianceScan", ""},
		{wire.ClusterComplianceScheduleConfig{}, "v1ClusterComplianceScheduleConfig", ""},
		{wire.ClusterComplianceScanDriverScheduleConfig{}, "v1ClusterComplianceScanKubeBenchScheduleConfig", ""},
		{wire.ClusterComplianceScanDriverScheduleConfig{}, "v1ClusterComplianceScanKubeHunterScheduleConfig", ""},
		{wire.ClusterComplianceScanDriverScheduleConfig{}, "v1ClusterComplianceScanSonobuoyScheduleConfig", ""},
		{wire.ClusterComplianceOnDemandConfig{}, "v1ClusterComplianceOnDemandConfig", ""},
		{wire.ClusterComplianceScanRunConfig{}, "v1ClusterComplianceScanKubeBenchConfig", ""},
		{wire.ClusterComplianceScanRunConfig{}, "v1ClusterComplianceScanKubeHunterConfig", ""},
		{wire.ClusterComplianceScanRunConfig{}, "v1ClusterComplianceScanSonobuoyConfig", ""},
		{wire.ClusterComplianceScanLogs{}, "v1ClusterComplianceScanLogs", ""},
		{wire.ClusterScanLogKubeBench{}, "v1ClusterScanLogKubeBench", ""},
		{wire.ClusterScanLog{}, "v1ClusterScanLogKubeHunter", ""},
		{wire.ClusterScanLog{}, "v1ClusterScanLogSonobuoy", ""},
		{wire.ClusterScanLog{}, "v1ClusterScanLogSyft", ""},
		{wire.KubeBenchReport{}, "v1KubeBenchReport", ""},
		{wire.KubeBenchReport{}, "v1KubeBenchReportEntity", ""},
		// The agent's reports carry a message the spec's entities do not
		// have (internal/localapi/extras.go).
		{wire.KubeBenchEntity{}, "v1KubeBenchEntity", "/message"},
		{wire.ScanDriverEntity{}, "v1KubeHunterEntity", "/message"},
		{wire.ScanDriverEntity{}, "v1SonobuoyEntity", "/message"},
		{wire.SyftEntity{}, "v1SyftEntity", "/message"},
	}
	// A wire type carries the name of the spec definition it stands for
	// (v1SpectroCluster → SpectroCluster), unless it stands for several.
	namedOtherwise := map[string]string{
		"ImportRequest": "one body for every cloud type's import entity",
		"CloudConfig":   "one answer for every cloud type's cloud config",
		"UIDResponse":   "v1Uid, with Go's initialism",
		"ClusterComplianceScanDriverScheduleConfig": "one schedule for the three drivers' alike definitions",
		"ClusterComplianceScanRunConfig":            "one on-demand config for the three drivers' alike definitions",
		"ClusterScanLog":                            "one log for the kubeHunter, sonobuoy and syft logs, without their reports",
		"ScanDriverEntity":                          "one report for kubeHunter and sonobuoy runs without reports",
	}
	named := map[string]bool{}
	for _, tc := range cases {
		name := reflect.TypeOf(tc.value).Name()
		named[name] = named[name] || name == strings.TrimPrefix(tc.definition, "v1") || namedOtherwise[name] != ""
	}
	for name, ok := range named {
		if !ok {
			t.Errorf("wire.%s is not named after its spec definition", name)
		}
	}
	for _, tc := range cases {
		typ := reflect.TypeOf(tc.value)
		for _, v := range s.CheckWireType(typ, tc.definition) {
			if tc.allowed != "" && strings.HasPrefix(v.Pointer, tc.allowed) {
				continue
			}
			t.Errorf("%s against %s: %s", typ, tc.definition, v)
		}
	}
}
