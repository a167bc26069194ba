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
		{wire.Cluster{}, "v1SpectroCluster", ""},
		{wire.ImportRequest{}, "v1SpectroGenericClusterImportEntity", ""},
		{wire.ImportRequest{}, "v1SpectroAwsClusterImportEntity", ""},
		{wire.ImportRequest{}, "v1SpectroAzureClusterImportEntity", ""},
		{wire.ImportRequest{}, "v1SpectroGcpClusterImportEntity", ""},
		{wire.ImportRequest{}, "v1SpectroVsphereClusterImportEntity", ""},
		{wire.UIDResponse{}, "v1Uid", ""},
		{wire.Error{}, "v1Error", ""},
		{wire.MetadataUpdate{}, "v1ObjectMetaInputEntitySchema", ""},
		{wire.Overview{}, "v1SpectroClusterUidSummary", ""},
		{wire.SearchRequest{}, "v1SearchFilterSummarySpec", ""},
		{wire.SearchResponse{}, "v1SpectroClustersSummary", ""},
		{wire.MetaSearchResponse{}, "v1SpectroClustersMetadataSearch", ""},
		{wire.ClusterProfile{}, "v1ClusterProfile", ""},
		{wire.ClusterProfileEntity{}, "v1ClusterProfileEntity", ""},
		{wire.ProfileFilterSpec{}, "v1ClusterProfilesFilterSpec", ""},
		{wire.ProfileSearchResponse{}, "v1ClusterProfilesSummary", ""},
		{wire.ProfilesMetadata{}, "v1ClusterProfilesMetadata", ""},
		{wire.ProjectsMetadata{}, "v1ProjectsMetadata", ""},
		{wire.ProfilesRequest{}, "v1SpectroClusterProfiles", ""},
		{wire.ClusterProfiles{}, "v1SpectroClusterProfileList", ""},
		{wire.DeleteProfilesRequest{}, "v1SpectroClusterProfilesDeleteEntity", ""},
		{wire.ClusterVariables{}, "v1SpectroClusterVariables", ""},
		{wire.ClusterVariables{}, "v1SpectroClusterVariableUpdateEntity", ""},
		{wire.CloudConfig{}, "v1GenericCloudConfig", "/spec/clusterConfig/location"},
		{wire.CloudConfig{}, "v1AwsCloudConfig", "/spec/clusterConfig/location"},
		{wire.CloudConfig{}, "v1GcpCloudConfig", "/spec/clusterConfig/location"},
		// Azure names its region "location".
		{wire.CloudConfig{}, "v1AzureCloudConfig", "/spec/clusterConfig/region"},
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
