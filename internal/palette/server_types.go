package palette

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
