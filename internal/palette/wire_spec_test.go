package palette_test

import (
	"reflect"
	"strings"
	"testing"

	"github.com/terraform-palette/terraform-provider-palette/internal/acctest/palettespec"
	"github.com/terraform-palette/terraform-provider-palette/internal/palette"
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
		{palette.Cluster{}, "v1SpectroCluster", ""},
		{palette.ImportRequest{}, "v1SpectroGenericClusterImportEntity", ""},
		{palette.ImportRequest{}, "v1SpectroAwsClusterImportEntity", ""},
		{palette.ImportRequest{}, "v1SpectroAzureClusterImportEntity", ""},
		{palette.ImportRequest{}, "v1SpectroGcpClusterImportEntity", ""},
		{palette.ImportRequest{}, "v1SpectroVsphereClusterImportEntity", ""},
		{palette.UIDResponse{}, "v1Uid", ""},
		{palette.Error{}, "v1Error", ""},
		{palette.MetadataUpdate{}, "v1ObjectMetaInputEntitySchema", ""},
		{palette.Overview{}, "v1SpectroClusterUidSummary", ""},
		{palette.SearchRequest{}, "v1SearchFilterSummarySpec", ""},
		{palette.SearchResponse{}, "v1SpectroClustersSummary", ""},
		{palette.MetaSearchResponse{}, "v1SpectroClustersMetadataSearch", ""},
		{palette.ClusterProfile{}, "v1ClusterProfile", ""},
		{palette.ClusterProfileEntity{}, "v1ClusterProfileEntity", ""},
		{palette.ProfileFilterSpec{}, "v1ClusterProfilesFilterSpec", ""},
		{palette.ProfileSearchResponse{}, "v1ClusterProfilesSummary", ""},
		{palette.ProfilesMetadata{}, "v1ClusterProfilesMetadata", ""},
		{palette.ProjectsMetadata{}, "v1ProjectsMetadata", ""},
		{palette.ProfilesRequest{}, "v1SpectroClusterProfiles", ""},
		{palette.ClusterProfiles{}, "v1SpectroClusterProfileList", ""},
		{palette.DeleteProfilesRequest{}, "v1SpectroClusterProfilesDeleteEntity", ""},
		{palette.ClusterVariables{}, "v1SpectroClusterVariables", ""},
		{palette.ClusterVariables{}, "v1SpectroClusterVariableUpdateEntity", ""},
		{palette.CloudConfig{}, "v1GenericCloudConfig", "/spec/clusterConfig/location"},
		{palette.CloudConfig{}, "v1AwsCloudConfig", "/spec/clusterConfig/location"},
		{palette.CloudConfig{}, "v1GcpCloudConfig", "/spec/clusterConfig/location"},
		// Azure names its region "location".
		{palette.CloudConfig{}, "v1AzureCloudConfig", "/spec/clusterConfig/region"},
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
