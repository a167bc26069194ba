package palette

// Wire types of the profile search (POST /v1/dashboard/clusterprofiles),
// added for the local import API server.

// ProfileSpecSummary is a profile's specSummary in the profile search.
type ProfileSpecSummary struct {
	Type      string `json:"type"`
	Version   string `json:"version"`
	CloudType string `json:"cloudType"`
}

// ProfileSearchItem is one result of the profile search.
type ProfileSearchItem struct {
	Metadata    ObjectMeta         `json:"metadata"`
	SpecSummary ProfileSpecSummary `json:"specSummary"`
}

// ProfileSearchResponse is the answer of POST /v1/dashboard/clusterprofiles.
type ProfileSearchResponse struct {
	Items    []ProfileSearchItem `json:"items"`
	ListMeta ListMeta            `json:"listmeta"`
}
