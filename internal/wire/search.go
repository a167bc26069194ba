package wire

// Search: POST /v1/dashboard/spectroclusters/search and
// POST /v1/dashboard/spectroclusters/metadata/search.

// SearchRequest is v1SearchFilterSummarySpec, the body of both searches.
type SearchRequest struct {
	Filter *FilterSpec `json:"filter,omitempty"`
	Sort   []SortSpec  `json:"sort,omitempty"`
}

// FilterSpec is v1SearchFilterSpec.
type FilterSpec struct {
	Conjunction  string        `json:"conjunction"`
	FilterGroups []FilterGroup `json:"filterGroups"`
}

// FilterGroup is v1SearchFilterGroup.
type FilterGroup struct {
	Conjunction string   `json:"conjunction"`
	Filters     []Filter `json:"filters"`
}

// Filter is v1SearchFilterItem.
type Filter struct {
	Property  string          `json:"property"`
	Type      string          `json:"type"`
	Condition FilterCondition `json:"condition"`
}

// FilterCondition is v1SearchFilterCondition.
type FilterCondition struct {
	String *StringCondition `json:"string,omitempty"`
	Bool   *BoolCondition   `json:"bool,omitempty"`
}

// StringCondition is v1SearchFilterStringCondition.
type StringCondition struct {
	Operator   string      `json:"operator"`
	Negation   bool        `json:"negation"`
	Match      StringMatch `json:"match"`
	IgnoreCase bool        `json:"ignoreCase,omitempty"`
}

// StringMatch is v1SearchFilterStringConditionMatch.
type StringMatch struct {
	Conjunction string   `json:"conjunction"`
	Values      []string `json:"values"`
}

// BoolCondition is v1SearchFilterBoolCondition.
type BoolCondition struct {
	Value bool `json:"value"`
}

// SortSpec is v1SpectroClusterSortSpec.
type SortSpec struct {
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
	State         string         `json:"state"`
	Health        *Health        `json:"health,omitempty"`
	ClusterImport *ClusterImport `json:"clusterImport,omitempty"`
}

// SearchItem is v1SpectroClusterSummary, one result of the cluster search.
type SearchItem struct {
	Metadata    ObjectMeta   `json:"metadata"`
	SpecSummary SpecSummary  `json:"specSummary"`
	Status      SearchStatus `json:"status"`
}

// Profile returns the attached profile of that UID, or nil.
func (it *SearchItem) Profile(uid string) *ClusterProfileTemplateMeta {
	for i := range it.SpecSummary.ClusterProfileTemplates {
		if it.SpecSummary.ClusterProfileTemplates[i].UID == uid {
			return &it.SpecSummary.ClusterProfileTemplates[i]
		}
	}
	return nil
}

// ListMeta is v1ListMetaData.
type ListMeta struct {
	Continue string `json:"continue"`
	Count    int    `json:"count"`
	Limit    int    `json:"limit"`
	Offset   int    `json:"offset"`
}

// SearchResponse is v1SpectroClustersSummary, the answer of the cluster
// search.
type SearchResponse struct {
	Items    []SearchItem `json:"items"`
	ListMeta ListMeta     `json:"listmeta"`
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

// MetaItem is v1SpectroClusterMetaSummary, one result of the metadata
// search.
type MetaItem struct {
	Metadata    ObjectMeta      `json:"metadata"`
	SpecSummary MetaSpecSummary `json:"specSummary"`
	Status      MetaStatus      `json:"status"`
}

// MetaSearchResponse is v1SpectroClustersMetadataSearch, the answer of
// POST /v1/dashboard/spectroclusters/metadata/search (not paged).
type MetaSearchResponse struct {
	Items    []MetaItem `json:"items"`
	ListMeta *ListMeta  `json:"listmeta,omitempty"`
}

// StringFilter builds a filter group entry "property eq one of values".
func StringFilter(property string, values ...string) Filter {
	return Filter{
		Property: property,
		Type:     "string",
		Condition: FilterCondition{String: &StringCondition{
			Operator: "eq",
			Match:    StringMatch{Conjunction: "or", Values: values},
		}},
	}
}

// AndFilter joins filters with "and".
func AndFilter(filters ...Filter) *FilterSpec {
	return &FilterSpec{Conjunction: "and", FilterGroups: []FilterGroup{{Conjunction: "and", Filters: filters}}}
}

// Wire types of the profile search (POST /v1/dashboard/clusterprofiles).

// ProfileFilterSpec is v1ClusterProfilesFilterSpec, the body of the profile
// search.
type ProfileFilterSpec struct {
	Filter ProfileFilter     `json:"filter"`
	Sort   []ProfileSortSpec `json:"sort,omitempty"`
}

// ProfileFilter is v1ClusterProfileFilterSpec.
type ProfileFilter struct {
	ProfileName *FilterString  `json:"profileName,omitempty"`
	Version     *FilterVersion `json:"version,omitempty"`
	ProfileType []string       `json:"profileType,omitempty"`
	Scope       string         `json:"scope,omitempty"`
}

// FilterString is v1FilterString.
type FilterString struct {
	Eq string `json:"eq,omitempty"`
}

// FilterVersion is v1FilterVersionString.
type FilterVersion struct {
	Eq string `json:"eq,omitempty"`
}

// ProfileSortSpec is v1ClusterProfileSortSpec.
type ProfileSortSpec struct {
	Field string `json:"field"`
	Order string `json:"order"`
}

// ProfileTemplateSummary is v1ClusterProfileTemplateSummary? (specSummary.published).
type ProfileTemplateSummary struct {
	Type      string `json:"type"`
	CloudType string `json:"cloudType"`
}

// ProfileSpecSummary is a profile's specSummary in the profile search.
type ProfileSpecSummary struct {
	Published *ProfileTemplateSummary `json:"published,omitempty"`
	Version   string                  `json:"version"`
}

// ProfileSearchItem is v1ClusterProfileSummary, one result of the profile search.
type ProfileSearchItem struct {
	Metadata    ObjectMeta         `json:"metadata"`
	SpecSummary ProfileSpecSummary `json:"specSummary"`
}

// ProfileSearchResponse is v1ClusterProfilesSummary, the answer of
// POST /v1/dashboard/clusterprofiles.
type ProfileSearchResponse struct {
	Items    []ProfileSearchItem `json:"items"`
	ListMeta ListMeta            `json:"listmeta"`
}
