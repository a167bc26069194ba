package wire

// Search: POST /v1/dashboard/spectroclusters/search and
// POST /v1/dashboard/spectroclusters/metadata/search.

// SearchFilterSummarySpec is v1SearchFilterSummarySpec, the body of both searches.
type SearchFilterSummarySpec struct {
	Filter *SearchFilterSpec      `json:"filter,omitempty"`
	Sort   []SearchFilterSortSpec `json:"sort,omitempty"`
}

// SearchFilterSpec is v1SearchFilterSpec.
type SearchFilterSpec struct {
	Conjunction  string              `json:"conjunction"`
	FilterGroups []SearchFilterGroup `json:"filterGroups"`
}

// SearchFilterGroup is v1SearchFilterGroup.
type SearchFilterGroup struct {
	Conjunction string             `json:"conjunction"`
	Filters     []SearchFilterItem `json:"filters"`
}

// SearchFilterItem is v1SearchFilterItem.
type SearchFilterItem struct {
	Property  string                `json:"property"`
	Type      string                `json:"type"`
	Condition SearchFilterCondition `json:"condition"`
}

// SearchFilterCondition is v1SearchFilterCondition.
type SearchFilterCondition struct {
	String *SearchFilterStringCondition `json:"string,omitempty"`
	Bool   *SearchFilterBoolCondition   `json:"bool,omitempty"`
}

// SearchFilterStringCondition is v1SearchFilterStringCondition.
type SearchFilterStringCondition struct {
	Operator   string                           `json:"operator"`
	Negation   bool                             `json:"negation"`
	Match      SearchFilterStringConditionMatch `json:"match"`
	IgnoreCase bool                             `json:"ignoreCase,omitempty"`
}

// SearchFilterStringConditionMatch is v1SearchFilterStringConditionMatch.
type SearchFilterStringConditionMatch struct {
	Conjunction string   `json:"conjunction"`
	Values      []string `json:"values"`
}

// SearchFilterBoolCondition is v1SearchFilterBoolCondition.
type SearchFilterBoolCondition struct {
	Value bool `json:"value"`
}

// SearchFilterSortSpec is v1SearchFilterSortSpec.
type SearchFilterSortSpec struct {
	Field string `json:"field"`
	Order string `json:"order"`
}

// ClusterProfileTemplateMeta is v1ClusterProfileTemplateMeta, a profile
// attached to a cluster as a search summary shows it.
type ClusterProfileTemplateMeta struct {
	UID       string    `json:"uid,omitempty"`
	Name      string    `json:"name,omitempty"`
	Type      string    `json:"type"`
	CloudType string    `json:"cloudType,omitempty"`
	Version   int32     `json:"version,omitempty"`
	Packs     []PackRef `json:"packs"`
}

// PackValues returns each pack's whole values by pack name.
func (t *ClusterProfileTemplateMeta) PackValues() map[string]string {
	out := make(map[string]string, len(t.Packs))
	for _, p := range t.Packs {
		out[p.Name] = p.Values
	}
	return out
}

// SpecSummary is the specSummary of v1SpectroClusterSummary.
type SpecSummary struct {
	CloudConfig             CloudConfigSummary           `json:"cloudConfig"`
	ClusterProfileTemplates []ClusterProfileTemplateMeta `json:"clusterProfileTemplates"`
}

// SearchStatus is the status of v1SpectroClusterSummary.
type SearchStatus struct {
	State         string                      `json:"state"`
	Health        *SpectroClusterHealthStatus `json:"health,omitempty"`
	ClusterImport *ClusterImport              `json:"clusterImport,omitempty"`
}

// SpectroClusterSummary is v1SpectroClusterSummary, one result of the cluster search.
type SpectroClusterSummary struct {
	Metadata    ObjectMeta   `json:"metadata"`
	SpecSummary SpecSummary  `json:"specSummary"`
	Status      SearchStatus `json:"status"`
}

// Profile returns the attached profile of that UID, or nil.
func (it *SpectroClusterSummary) Profile(uid string) *ClusterProfileTemplateMeta {
	for i := range it.SpecSummary.ClusterProfileTemplates {
		if it.SpecSummary.ClusterProfileTemplates[i].UID == uid {
			return &it.SpecSummary.ClusterProfileTemplates[i]
		}
	}
	return nil
}

// ListMetaData is v1ListMetaData.
type ListMetaData struct {
	Continue string `json:"continue"`
	Count    int    `json:"count"`
	Limit    int    `json:"limit"`
	Offset   int    `json:"offset"`
}

// SpectroClustersSummary is v1SpectroClustersSummary, the answer of the cluster
// search.
type SpectroClustersSummary struct {
	Items    []SpectroClusterSummary `json:"items"`
	ListMeta ListMetaData            `json:"listmeta"`
}

// MetaSpecSummary is the specSummary of v1SpectroClusterMetaSummary: the
// only place Palette shows a cluster's import mode.
type MetaSpecSummary struct {
	CloudType   string `json:"cloudType"`
	ImportMode  string `json:"importMode"`
	CloudRegion string `json:"cloudRegion"`
}

// MetaHealth is the health of v1SpectroClusterMetaSummary.
type MetaHealth struct {
	State             string `json:"state"`
	IsHeartBeatFailed bool   `json:"isHeartBeatFailed"`
}

// MetaStatus is the status of v1SpectroClusterMetaSummary.
type MetaStatus struct {
	State  string      `json:"state"`
	Health *MetaHealth `json:"health,omitempty"`
}

// SpectroClusterMetaSummary is v1SpectroClusterMetaSummary, one result of the metadata
// search.
type SpectroClusterMetaSummary struct {
	Metadata    ObjectMeta      `json:"metadata"`
	SpecSummary MetaSpecSummary `json:"specSummary"`
	Status      MetaStatus      `json:"status"`
}

// SpectroClustersMetadataSearch is v1SpectroClustersMetadataSearch, the answer of
// POST /v1/dashboard/spectroclusters/metadata/search (not paged).
type SpectroClustersMetadataSearch struct {
	Items    []SpectroClusterMetaSummary `json:"items"`
	ListMeta *ListMetaData               `json:"listmeta,omitempty"`
}

// StringFilter builds a filter group entry "property eq one of values".
func StringFilter(property string, values ...string) SearchFilterItem {
	return SearchFilterItem{
		Property: property,
		Type:     "string",
		Condition: SearchFilterCondition{String: &SearchFilterStringCondition{
			Operator: "eq",
			Match:    SearchFilterStringConditionMatch{Conjunction: "or", Values: values},
		}},
	}
}

// AndFilter joins filters with "and".
func AndFilter(filters ...SearchFilterItem) *SearchFilterSpec {
	return &SearchFilterSpec{Conjunction: "and", FilterGroups: []SearchFilterGroup{{Conjunction: "and", Filters: filters}}}
}

// Wire types of the profile search (POST /v1/dashboard/clusterprofiles).

// ClusterProfilesFilterSpec is v1ClusterProfilesFilterSpec, the body of the profile
// search.
type ClusterProfilesFilterSpec struct {
	Filter ClusterProfileFilterSpec `json:"filter"`
	Sort   []ClusterProfileSortSpec `json:"sort,omitempty"`
}

// ClusterProfileFilterSpec is v1ClusterProfileFilterSpec.
type ClusterProfileFilterSpec struct {
	ProfileName *FilterString        `json:"profileName,omitempty"`
	Version     *FilterVersionString `json:"version,omitempty"`
	ProfileType []string             `json:"profileType,omitempty"`
	Scope       string               `json:"scope,omitempty"`
}

// FilterString is v1FilterString.
type FilterString struct {
	Eq string `json:"eq,omitempty"`
}

// FilterVersionString is v1FilterVersionString.
type FilterVersionString struct {
	Eq string `json:"eq,omitempty"`
}

// ClusterProfileSortSpec is v1ClusterProfileSortSpec.
type ClusterProfileSortSpec struct {
	Field string `json:"field"`
	Order string `json:"order"`
}

// ClusterProfileTemplateSummary is v1ClusterProfileTemplateSummary (specSummary.published).
type ClusterProfileTemplateSummary struct {
	Type      string `json:"type"`
	CloudType string `json:"cloudType"`
}

// ProfileSpecSummary is a profile's specSummary in the profile search.
type ProfileSpecSummary struct {
	Published *ClusterProfileTemplateSummary `json:"published,omitempty"`
	Version   string                         `json:"version"`
}

// ClusterProfileSummary is v1ClusterProfileSummary, one result of the profile search.
type ClusterProfileSummary struct {
	Metadata    ObjectMeta         `json:"metadata"`
	SpecSummary ProfileSpecSummary `json:"specSummary"`
}

// ClusterProfilesSummary is v1ClusterProfilesSummary, the answer of
// POST /v1/dashboard/clusterprofiles.
type ClusterProfilesSummary struct {
	Items    []ClusterProfileSummary `json:"items"`
	ListMeta ListMetaData            `json:"listmeta"`
}
