package wire

// Dashboard metadata listings: projects and cluster profiles.

// NameUID is a name and UID pair in metadata listings.
type NameUID struct {
	Name string `json:"name"`
	UID  string `json:"uid"`
}

// ProjectsMetadata is GET /v1/dashboard/projects/metadata.
type ProjectsMetadata struct {
	Items []ProjectMetadataItem `json:"items"`
}

// ProjectMetadataItem is one project.
type ProjectMetadataItem struct {
	Metadata NameUID `json:"metadata"`
}

// ClusterProfilesMetadata is v1ClusterProfilesMetadata, GET /v1/dashboard/clusterprofiles/metadata.
type ClusterProfilesMetadata struct {
	Items []ProfileMetadataItem `json:"items"`
}

// ProfileMetadataItem is one profile in the metadata listing.
type ProfileMetadataItem struct {
	Metadata NameUID             `json:"metadata"`
	Spec     ProfileMetadataSpec `json:"spec"`
}

// ProfileMetadataSpec carries the cloud type and version.
type ProfileMetadataSpec struct {
	CloudType string `json:"cloudType,omitempty"`
	Version   string `json:"version"`
}
