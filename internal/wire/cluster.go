package wire

import "time"

// ObjectMeta is the metadata of clusters and profiles.
type ObjectMeta struct {
	UID                   string            `json:"uid,omitempty"`
	Name                  string            `json:"name"`
	Labels                map[string]string `json:"labels,omitempty"`
	Annotations           map[string]string `json:"annotations,omitempty"`
	CreationTimestamp     *time.Time        `json:"creationTimestamp,omitempty"`
	LastModifiedTimestamp *time.Time        `json:"lastModifiedTimestamp,omitempty"`
}

// ClusterProxySpec is v1ClusterProxySpec, the proxy settings of an import request
// (spec.clusterConfig.proxy of v1SpectroGenericClusterImportEntity and the
// other import entities). Palette does not show them again: no read model
// carries a proxy, so a client keeps what it sent.
type ClusterProxySpec struct {
	HTTPProxy            string `json:"httpProxy,omitempty"`
	HTTPSProxy           string `json:"httpsProxy,omitempty"`
	NoProxy              string `json:"noProxy,omitempty"`
	CAHostPath           string `json:"caHostPath,omitempty"`
	CAContainerMountPath string `json:"caContainerMountPath,omitempty"`
}

// IsZero reports whether no proxy setting is given.
func (p *ClusterProxySpec) IsZero() bool {
	return p == nil || *p == ClusterProxySpec{}
}

// ImportClusterConfig is v1ImportClusterConfig: the import mode ("read-only",
// or empty for Full Permission) and the proxy of an import request.
type ImportClusterConfig struct {
	ImportMode string            `json:"importMode,omitempty"`
	Proxy      *ClusterProxySpec `json:"proxy,omitempty"`
}

// ClusterConfig is v1ClusterConfig as a cluster shows it. None of its fields
// matters for imported clusters: it has neither the import mode nor the
// proxy (see SpectroClusterMetaSummary for the mode).
type ClusterConfig struct{}

// ObjectReference is v1ObjectReference.
type ObjectReference struct {
	Kind string `json:"kind,omitempty"`
	Name string `json:"name,omitempty"`
	UID  string `json:"uid"`
}

// PackRef is v1PackRef, a pack of a profile as a profile or a cluster shows
// it: manifests are references (their content is served by
// GET /v1/clusterprofiles/{uid}/packs/{packName}/manifests).
type PackRef struct {
	Name        string            `json:"name"`
	Tag         string            `json:"tag,omitempty"`
	Version     string            `json:"version,omitempty"`
	Type        string            `json:"type,omitempty"`
	Layer       string            `json:"layer"`
	PackUID     string            `json:"packUid,omitempty"`
	RegistryUID string            `json:"registryUid,omitempty"`
	Values      string            `json:"values,omitempty"`
	Manifests   []ObjectReference `json:"manifests,omitempty"`
}

// ClusterProfileTemplate is v1ClusterProfileTemplate: a profile version as
// a cluster (spec.clusterProfileTemplates) or a profile (spec.published)
// shows it. Version is Palette's integer revision; ProfileVersion is the
// version people give a profile ("1.2.0").
type ClusterProfileTemplate struct {
	UID            string    `json:"uid,omitempty"`
	Name           string    `json:"name,omitempty"`
	Type           string    `json:"type"`
	CloudType      string    `json:"cloudType,omitempty"`
	ProfileVersion string    `json:"profileVersion,omitempty"`
	Version        int32     `json:"version,omitempty"`
	Packs          []PackRef `json:"packs"`
}

// SpectroClusterSpec is v1SpectroClusterSpec.
type SpectroClusterSpec struct {
	CloudType               string                   `json:"cloudType"`
	CloudConfigRef          *ObjectReference         `json:"cloudConfigRef,omitempty"`
	ClusterConfig           ClusterConfig            `json:"clusterConfig"`
	ClusterProfileTemplates []ClusterProfileTemplate `json:"clusterProfileTemplates"`
}

// ClusterImport is v1ClusterImport (status.clusterImport).
type ClusterImport struct {
	ImportLink   string `json:"importLink"`
	IsBrownfield bool   `json:"isBrownfield"`
	State        string `json:"state"`
}

// ClusterCondition is v1ClusterCondition, a cluster's or a pack's condition.
type ClusterCondition struct {
	Type               string     `json:"type"`
	Status             string     `json:"status"`
	Message            string     `json:"message,omitempty"`
	Reason             string     `json:"reason,omitempty"`
	LastTransitionTime *time.Time `json:"lastTransitionTime,omitempty"`
}

// ClusterPackStatus is v1ClusterPackStatus, one entry of status.packs.
type ClusterPackStatus struct {
	ProfileUID string           `json:"profileUid"`
	Name       string           `json:"name"`
	Type       string           `json:"type,omitempty"`
	Version    string           `json:"version,omitempty"`
	Condition  ClusterCondition `json:"condition"`
}

// SpcApply is v1SpcApply (status.spcApply).
type SpcApply struct {
	ActionType   string `json:"actionType"`
	CanBeApplied bool   `json:"canBeApplied"`
}

// GeolocationLatlong is v1GeolocationLatlong.
type GeolocationLatlong struct {
	Latitude  float64 `json:"latitude"`
	Longitude float64 `json:"longitude"`
}

// ClusterLocation is v1ClusterLocation (status.location).
type ClusterLocation struct {
	CountryCode string              `json:"countryCode"`
	CountryName string              `json:"countryName"`
	GeoLoc      *GeolocationLatlong `json:"geoLoc,omitempty"`
	RegionCode  string              `json:"regionCode"`
	RegionName  string              `json:"regionName"`
}

// SpectroClusterStatus is v1SpectroClusterStatus.
type SpectroClusterStatus struct {
	State         string              `json:"state"`
	ClusterImport *ClusterImport      `json:"clusterImport,omitempty"`
	Packs         []ClusterPackStatus `json:"packs"`
	SpcApply      *SpcApply           `json:"spcApply,omitempty"`
	Conditions    []ClusterCondition  `json:"conditions"`
	Location      *ClusterLocation    `json:"location,omitempty"`
}

// SpectroCluster is v1SpectroCluster, the fields that matter for imported clusters.
type SpectroCluster struct {
	Metadata ObjectMeta           `json:"metadata"`
	Spec     SpectroClusterSpec   `json:"spec"`
	Status   SpectroClusterStatus `json:"status"`
}

// ObjectMetaInputEntity is v1ObjectMetaInputEntity, the metadata of a request.
type ObjectMetaInputEntity struct {
	Name        string            `json:"name,omitempty"`
	Labels      map[string]string `json:"labels,omitempty"`
	Annotations map[string]string `json:"annotations,omitempty"`
}

// ImportRequest is the body of POST /v1/spectroclusters/{cloudType}/import
// (v1SpectroGenericClusterImportEntity and its siblings of the other import
// paths, which have the same shape for what is used here).
type ImportRequest struct {
	Metadata ObjectMetaInputEntity `json:"metadata"`
	Spec     ImportRequestSpec     `json:"spec"`
}

// ImportRequestSpec is ImportRequest.spec.
type ImportRequestSpec struct {
	ClusterConfig ImportClusterConfig `json:"clusterConfig"`
}

// ObjectMetaInputEntitySchema is v1ObjectMetaInputEntitySchema, the body of
// PATCH /v1/spectroclusters/{uid}/metadata.
type ObjectMetaInputEntitySchema struct {
	Metadata MetadataLabels `json:"metadata"`
}

// MetadataLabels carries labels and annotations (v1ObjectMetaInputEntity).
type MetadataLabels struct {
	Labels      map[string]string `json:"labels"`
	Annotations map[string]string `json:"annotations"`
}

// SpectroClusterHealthCondition is v1SpectroClusterHealthCondition.
type SpectroClusterHealthCondition struct {
	Type    string `json:"type"`
	Message string `json:"message"`
}

// SpectroClusterHealthStatus is v1SpectroClusterHealthStatus (status.health of the overview and
// of the search summary).
type SpectroClusterHealthStatus struct {
	State                  string                          `json:"state"`
	AgentVersion           string                          `json:"agentVersion"`
	LastHeartBeatTimestamp *time.Time                      `json:"lastHeartBeatTimestamp,omitempty"`
	Conditions             []SpectroClusterHealthCondition `json:"conditions"`
}

// KubeMeta is v1KubeMeta (overview status.kubeMeta).
type KubeMeta struct {
	KubernetesVersion string `json:"kubernetesVersion"`
}

// MachinePoolMeta is v1MachinePoolMeta (a machine pool of a summary's
// cloudConfig): only its size, the number of nodes, is used.
type MachinePoolMeta struct {
	IsControlPlane bool  `json:"isControlPlane,omitempty"`
	Size           int32 `json:"size"`
}

// CloudConfigSummary is the cloudConfig of an overview's spec or a search
// summary's specSummary.
type CloudConfigSummary struct {
	CloudType    string            `json:"cloudType"`
	UID          string            `json:"uid,omitempty"`
	MachinePools []MachinePoolMeta `json:"machinePools"`
}

// NodeCount is the number of nodes of all machine pools.
func (c CloudConfigSummary) NodeCount() int {
	n := 0
	for _, p := range c.MachinePools {
		n += int(p.Size)
	}
	return n
}

// OverviewSpec is the overview's spec.
type OverviewSpec struct {
	CloudConfig CloudConfigSummary `json:"cloudConfig"`
}

// OverviewStatus is the overview's status.
type OverviewStatus struct {
	State    string                     `json:"state,omitempty"`
	Health   SpectroClusterHealthStatus `json:"health"`
	KubeMeta *KubeMeta                  `json:"kubeMeta,omitempty"`
	Packs    []ClusterPackStatus        `json:"packs,omitempty"`
}

// SpectroClusterUidSummary is v1SpectroClusterUidSummary, the answer of
// GET /v1/dashboard/spectroclusters/{uid}/overview.
type SpectroClusterUidSummary struct {
	Metadata ObjectMeta     `json:"metadata"`
	Spec     OverviewSpec   `json:"spec"`
	Status   OverviewStatus `json:"status"`
}

// KubernetesVersion is status.kubeMeta.kubernetesVersion, or empty.
func (o *SpectroClusterUidSummary) KubernetesVersion() string {
	if o == nil || o.Status.KubeMeta == nil {
		return ""
	}
	return o.Status.KubeMeta.KubernetesVersion
}
