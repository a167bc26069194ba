// Package palette holds the wire types of Palette's published API ("Palette
// APIs - 4.9", docs/palette-api.md) and the typed REST client the
// provider uses. The local import API server (internal/localapi) uses the same
// types, so that client and server cannot drift apart.
package palette

import (
	"encoding/json"
	"time"
)

// Cloud types accepted by POST /v1/spectroclusters/{cloudType}/import.
const (
	CloudTypeGeneric          = "generic"
	CloudTypeAWS              = "aws"
	CloudTypeAzure            = "azure"
	CloudTypeGCP              = "gcp"
	CloudTypeVSphere          = "vsphere"
	CloudTypeOpenShift        = "openshift"
	CloudTypeEKSAnywhere      = "eks-anywhere"
	CloudTypeMAAS             = "maas"
	CloudTypeEdgeNative       = "edge-native"
	CloudTypeApacheCloudStack = "apache-cloudstack"
)

// SeedCloudTypes are the infrastructure providers of the seed, the ones the
// Terraform provider accepts.
var SeedCloudTypes = []string{
	CloudTypeGeneric, CloudTypeAWS, CloudTypeAzure, CloudTypeGCP,
	CloudTypeVSphere, CloudTypeOpenShift, CloudTypeEKSAnywhere,
}

// ImportCloudTypes are the cloud types of Palette's import paths,
// POST /v1/spectroclusters/{cloudType}/import (there is none for openshift
// or eks-anywhere: those clusters are imported as generic).
var ImportCloudTypes = []string{
	CloudTypeGeneric, CloudTypeAWS, CloudTypeAzure, CloudTypeGCP, CloudTypeVSphere,
	CloudTypeMAAS, CloudTypeEdgeNative, CloudTypeApacheCloudStack,
}

// ImportCloudType returns the cloud type of the import path for a seed
// provider: itself, or generic for openshift and eks-anywhere.
func ImportCloudType(cloudType string) string {
	switch cloudType {
	case CloudTypeOpenShift, CloudTypeEKSAnywhere:
		return CloudTypeGeneric
	}
	return cloudType
}

// Import modes on the wire: "read-only", or empty for Full Permission.
const (
	ImportModeReadOnly       = "read-only"
	ImportModeFullPermission = ""
)

// Cluster states (status.state).
const (
	StatePending   = "Pending"
	StateImporting = "Importing"
	StateRunning   = "Running"
	StateDeleting  = "Deleting"
	StateDeleted   = "Deleted"
	StateError     = "Error"
)

// Health states (overview status.health.state).
const (
	HealthHealthy   = "Healthy"
	HealthUnhealthy = "UnHealthy"
	HealthUnknown   = "Unknown"
)

// Profile types (spec.published.type).
const (
	ProfileTypeCluster = "cluster"
	ProfileTypeInfra   = "infra"
	ProfileTypeAddOn   = "add-on"
	ProfileTypeSystem  = "system"
)

// Error codes carried in Error.Code.
const (
	CodeResourceNotFound                   = "ResourceNotFound"
	CodeTooManyRequests                    = "TooManyRequests"
	CodeUnauthorized                       = "Unauthorized"
	CodeForbidden                          = "Forbidden"
	CodeBadRequest                         = "BadRequest"
	CodeInvalidName                        = "InvalidName"
	CodeInvalidCloudType                   = "InvalidCloudType"
	CodeMethodNotAllowed                   = "MethodNotAllowed"
	CodeRequestTooLarge                    = "RequestEntityTooLarge"
	CodeInternal                           = "InternalError"
	CodeClusterNameAlreadyExists           = "ClusterNameAlreadyExists"
	CodeProxyNotSupportedInReadOnlyMode    = "ProxyNotSupportedInReadOnlyMode"
	CodeFullProfileNotAllowed              = "FullProfileNotAllowedOnImportedCluster"
	CodeAddonProfilesRequireFullPermission = "AddonProfilesRequireFullPermission"
	CodeClusterNotRunning                  = "ClusterNotRunning"
	CodeAlreadyFullPermission              = "AlreadyFullPermission"
	CodeNotSupportedForImportedCluster     = "NotSupportedForImportedCluster"
	CodeUseIaaSCloudConfig                 = "UseIaaSCloudConfigEndpoint"
	CodeConflict                           = "Conflict"
	CodeServiceUnavailable                 = "ServiceUnavailable"
)

// Headers.
const (
	HeaderAPIKey     = "ApiKey"
	HeaderProjectUID = "ProjectUid"
	HeaderRetryAfter = "Retry-After"
)

// Error is V1Error, the body of every error answer.
type Error struct {
	Code    string         `json:"code"`
	Message string         `json:"message"`
	Details map[string]any `json:"details,omitempty"`
	Ref     string         `json:"ref"`
}

// UIDResponse is the body of a 201.
type UIDResponse struct {
	UID string `json:"uid"`
}

// ObjectMeta is the metadata of clusters and profiles.
type ObjectMeta struct {
	UID                   string            `json:"uid,omitempty"`
	Name                  string            `json:"name"`
	Labels                map[string]string `json:"labels,omitempty"`
	Annotations           map[string]string `json:"annotations,omitempty"`
	CreationTimestamp     *time.Time        `json:"creationTimestamp,omitempty"`
	LastModifiedTimestamp *time.Time        `json:"lastModifiedTimestamp,omitempty"`
}

// Proxy is v1ClusterProxySpec, the proxy settings of an import request
// (spec.clusterConfig.proxy of v1SpectroGenericClusterImportEntity and the
// other import entities). Palette does not show them again: no read model
// carries a proxy, so a client keeps what it sent.
type Proxy struct {
	HTTPProxy            string `json:"httpProxy,omitempty"`
	HTTPSProxy           string `json:"httpsProxy,omitempty"`
	NoProxy              string `json:"noProxy,omitempty"`
	CAHostPath           string `json:"caHostPath,omitempty"`
	CAContainerMountPath string `json:"caContainerMountPath,omitempty"`
}

// IsZero reports whether no proxy setting is given.
func (p *Proxy) IsZero() bool {
	return p == nil || *p == Proxy{}
}

// ImportClusterConfig is v1ImportClusterConfig: the import mode ("read-only",
// or empty for Full Permission) and the proxy of an import request.
type ImportClusterConfig struct {
	ImportMode string `json:"importMode,omitempty"`
	Proxy      *Proxy `json:"proxy,omitempty"`
}

// ClusterConfig is v1ClusterConfig as a cluster shows it. None of its fields
// matters for imported clusters: it has neither the import mode nor the
// proxy (see SpectroClusterMetaSummary for the mode).
type ClusterConfig struct{}

// ObjectRef is v1ObjectReference.
type ObjectRef struct {
	Kind string `json:"kind,omitempty"`
	Name string `json:"name,omitempty"`
	UID  string `json:"uid"`
}

// PackRef is v1PackRef, a pack of a profile as a profile or a cluster shows
// it: manifests are references (their content is served by
// GET /v1/clusterprofiles/{uid}/packs/{packName}/manifests).
type PackRef struct {
	Name        string      `json:"name"`
	Tag         string      `json:"tag,omitempty"`
	Version     string      `json:"version,omitempty"`
	Type        string      `json:"type,omitempty"`
	Layer       string      `json:"layer"`
	PackUID     string      `json:"packUid,omitempty"`
	RegistryUID string      `json:"registryUid,omitempty"`
	Values      string      `json:"values,omitempty"`
	Manifests   []ObjectRef `json:"manifests,omitempty"`
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

// ClusterSpec is v1SpectroClusterSpec.
type ClusterSpec struct {
	CloudType               string                   `json:"cloudType"`
	CloudConfigRef          *ObjectRef               `json:"cloudConfigRef,omitempty"`
	ClusterConfig           ClusterConfig            `json:"clusterConfig"`
	ClusterProfileTemplates []ClusterProfileTemplate `json:"clusterProfileTemplates"`
}

// ClusterImport is v1ClusterImport (status.clusterImport).
type ClusterImport struct {
	ImportLink   string `json:"importLink"`
	IsBrownfield bool   `json:"isBrownfield"`
	State        string `json:"state"`
}

// Condition is v1ClusterCondition, a cluster's or a pack's condition.
type Condition struct {
	Type               string     `json:"type"`
	Status             string     `json:"status"`
	Message            string     `json:"message,omitempty"`
	Reason             string     `json:"reason,omitempty"`
	LastTransitionTime *time.Time `json:"lastTransitionTime,omitempty"`
}

// PackStatus is v1ClusterPackStatus, one entry of status.packs.
type PackStatus struct {
	ProfileUID string    `json:"profileUid"`
	Name       string    `json:"name"`
	Type       string    `json:"type,omitempty"`
	Version    string    `json:"version,omitempty"`
	Condition  Condition `json:"condition"`
}

// SpcApply is v1SpcApply (status.spcApply).
type SpcApply struct {
	ActionType   string `json:"actionType"`
	CanBeApplied bool   `json:"canBeApplied"`
}

// GeoLocation is v1GeolocationLatlong.
type GeoLocation struct {
	Latitude  float64 `json:"latitude"`
	Longitude float64 `json:"longitude"`
}

// ClusterLocation is v1ClusterLocation (status.location).
type ClusterLocation struct {
	CountryCode string       `json:"countryCode"`
	CountryName string       `json:"countryName"`
	GeoLoc      *GeoLocation `json:"geoLoc,omitempty"`
	RegionCode  string       `json:"regionCode"`
	RegionName  string       `json:"regionName"`
}

// ClusterStatus is v1SpectroClusterStatus.
type ClusterStatus struct {
	State         string           `json:"state"`
	ClusterImport *ClusterImport   `json:"clusterImport,omitempty"`
	Packs         []PackStatus     `json:"packs"`
	SpcApply      *SpcApply        `json:"spcApply,omitempty"`
	Conditions    []Condition      `json:"conditions"`
	Location      *ClusterLocation `json:"location,omitempty"`
}

// Cluster is v1SpectroCluster, the fields that matter for imported clusters.
type Cluster struct {
	Metadata ObjectMeta    `json:"metadata"`
	Spec     ClusterSpec   `json:"spec"`
	Status   ClusterStatus `json:"status"`
}

// ObjectMetaInput is v1ObjectMetaInputEntity, the metadata of a request.
type ObjectMetaInput struct {
	Name        string            `json:"name,omitempty"`
	Labels      map[string]string `json:"labels,omitempty"`
	Annotations map[string]string `json:"annotations,omitempty"`
}

// ImportRequest is the body of POST /v1/spectroclusters/{cloudType}/import
// (v1SpectroGenericClusterImportEntity and its siblings of the other import
// paths, which have the same shape for what is used here).
type ImportRequest struct {
	Metadata ObjectMetaInput   `json:"metadata"`
	Spec     ImportRequestSpec `json:"spec"`
}

// ImportRequestSpec is ImportRequest.spec.
type ImportRequestSpec struct {
	ClusterConfig ImportClusterConfig `json:"clusterConfig"`
}

// MetadataUpdate is v1ObjectMetaInputEntitySchema, the body of
// PATCH /v1/spectroclusters/{uid}/metadata.
type MetadataUpdate struct {
	Metadata MetadataLabels `json:"metadata"`
}

// MetadataLabels carries labels and annotations (v1ObjectMetaInputEntity).
type MetadataLabels struct {
	Labels      map[string]string `json:"labels"`
	Annotations map[string]string `json:"annotations"`
}

// HealthCondition is v1ClusterHealthCondition.
type HealthCondition struct {
	Type    string `json:"type"`
	Message string `json:"message"`
}

// Health is v1SpectroClusterHealthStatus (status.health of the overview and
// of the search summary).
type Health struct {
	State                  string            `json:"state"`
	AgentVersion           string            `json:"agentVersion"`
	LastHeartBeatTimestamp *time.Time        `json:"lastHeartBeatTimestamp,omitempty"`
	Conditions             []HealthCondition `json:"conditions"`
}

// KubeMeta is v1KubeMeta (overview status.kubeMeta).
type KubeMeta struct {
	KubernetesVersion string `json:"kubernetesVersion"`
}

// MachinePoolSummary is v1MachinePoolMeta (a machine pool of a summary's
// cloudConfig): only its size, the number of nodes, is used.
type MachinePoolSummary struct {
	IsControlPlane bool  `json:"isControlPlane,omitempty"`
	Size           int32 `json:"size"`
}

// CloudConfigSummary is the cloudConfig of an overview's spec or a search
// summary's specSummary.
type CloudConfigSummary struct {
	CloudType    string               `json:"cloudType"`
	UID          string               `json:"uid,omitempty"`
	MachinePools []MachinePoolSummary `json:"machinePools"`
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
	State    string       `json:"state,omitempty"`
	Health   Health       `json:"health"`
	KubeMeta *KubeMeta    `json:"kubeMeta,omitempty"`
	Packs    []PackStatus `json:"packs,omitempty"`
}

// Overview is v1SpectroClusterUidSummary, the answer of
// GET /v1/dashboard/spectroclusters/{uid}/overview.
type Overview struct {
	Metadata ObjectMeta     `json:"metadata"`
	Spec     OverviewSpec   `json:"spec"`
	Status   OverviewStatus `json:"status"`
}

// KubernetesVersion is status.kubeMeta.kubernetesVersion, or empty.
func (o *Overview) KubernetesVersion() string {
	if o == nil || o.Status.KubeMeta == nil {
		return ""
	}
	return o.Status.KubeMeta.KubernetesVersion
}

// ManifestEntry is v1ManifestInputEntity: a manifest with its content, as a
// profile is created or a pack's values are overridden.
type ManifestEntry struct {
	Name    string `json:"name"`
	Content string `json:"content"`
}

// Pack is a pack with its manifests' content: a pack of a profile's
// template when it is created (v1ClusterProfileEntity spec.template.packs),
// and an entry of packValues when a profile is attached
// (v1PackValuesEntity).
type Pack struct {
	Name      string          `json:"name"`
	Tag       string          `json:"tag,omitempty"`
	Type      string          `json:"type,omitempty"`
	Values    string          `json:"values,omitempty"`
	Manifests []ManifestEntry `json:"manifests,omitempty"`
}

// ProfileTemplate is the template of v1ClusterProfileEntity: what a new
// profile version holds.
type ProfileTemplate struct {
	Type      string `json:"type"`
	CloudType string `json:"cloudType"`
	Packs     []Pack `json:"packs"`
}

// ProfileVariable is v1Variable, a variable a profile defines.
type ProfileVariable struct {
	Name         string `json:"name"`
	DefaultValue string `json:"defaultValue,omitempty"`
	Description  string `json:"description,omitempty"`
	Required     bool   `json:"required,omitempty"`
}

// ClusterProfileEntitySpec is the spec of v1ClusterProfileEntity.
type ClusterProfileEntitySpec struct {
	Version   string            `json:"version,omitempty"`
	Template  ProfileTemplate   `json:"template"`
	Variables []ProfileVariable `json:"variables,omitempty"`
}

// ClusterProfileEntity is v1ClusterProfileEntity, the body of
// POST /v1/clusterprofiles.
type ClusterProfileEntity struct {
	Metadata ObjectMeta               `json:"metadata"`
	Spec     ClusterProfileEntitySpec `json:"spec"`
}

// ClusterProfileSpec is v1ClusterProfileSpec.
type ClusterProfileSpec struct {
	Version   string                  `json:"version,omitempty"`
	Draft     *ClusterProfileTemplate `json:"draft,omitempty"`
	Published *ClusterProfileTemplate `json:"published,omitempty"`
}

// ClusterProfile is v1ClusterProfile, GET /v1/clusterprofiles/{uid}.
type ClusterProfile struct {
	Metadata ObjectMeta         `json:"metadata"`
	Spec     ClusterProfileSpec `json:"spec"`
}

// ProfileAttachment is v1SpectroClusterProfileEntity, one entry of the
// profiles PATCH/PUT body. A pack's values replace the pack's whole values
// (Palette does not merge them): send the profile's values with the user's
// changes applied.
type ProfileAttachment struct {
	UID                string     `json:"uid"`
	ReplaceWithProfile string     `json:"replaceWithProfile,omitempty"`
	PackValues         []Pack     `json:"packValues,omitempty"`
	Variables          []Variable `json:"variables,omitempty"`
}

// Variable is v1SpectroClusterVariable, a profile variable's value.
type Variable struct {
	Name  string `json:"name"`
	Value string `json:"value"`
}

// ProfilesRequest is v1SpectroClusterProfiles, the body of
// PATCH/PUT /v1/spectroclusters/{uid}/profiles.
type ProfilesRequest struct {
	Profiles []ProfileAttachment `json:"profiles"`
}

// AttachedPackSpec is the spec of a pack of an attached profile
// (v1PackManifestsSpec? of v1SpectroClusterProfile): Values is the pack's
// whole values.yaml as the cluster has it.
type AttachedPackSpec struct {
	Name      string      `json:"name"`
	Type      string      `json:"type,omitempty"`
	Layer     string      `json:"layer,omitempty"`
	Version   string      `json:"version,omitempty"`
	Values    string      `json:"values"`
	Manifests []ObjectRef `json:"manifests,omitempty"`
}

// AttachedPack is one pack of an attached profile.
type AttachedPack struct {
	Metadata ObjectMeta       `json:"metadata"`
	Spec     AttachedPackSpec `json:"spec"`
}

// AttachedProfile is v1SpectroClusterProfile, one entry of
// GET /v1/spectroclusters/{uid}/profiles.
type AttachedProfile struct {
	Metadata ObjectMeta          `json:"metadata"`
	Spec     AttachedProfileSpec `json:"spec"`
}

// AttachedProfileSpec is what the cluster holds of an attached profile;
// Version is Palette's integer revision of the profile.
type AttachedProfileSpec struct {
	CloudType string         `json:"cloudType,omitempty"`
	Type      string         `json:"type"`
	Version   int32          `json:"version,omitempty"`
	Packs     []AttachedPack `json:"packs"`
}

// PackValues returns each pack's whole values by pack name.
func (p *AttachedProfile) PackValues() map[string]string {
	out := make(map[string]string, len(p.Spec.Packs))
	for _, pk := range p.Spec.Packs {
		out[pk.Spec.Name] = pk.Spec.Values
	}
	return out
}

// ClusterProfiles is v1SpectroClusterProfileList, the answer of
// GET /v1/spectroclusters/{uid}/profiles.
type ClusterProfiles struct {
	Profiles []AttachedProfile `json:"profiles"`
}

// DeleteProfilesRequest is v1SpectroClusterProfilesDeleteEntity, the body of
// DELETE /v1/spectroclusters/{uid}/profiles.
type DeleteProfilesRequest struct {
	ProfileUIDs []string `json:"profileUids"`
}

// ClusterVariables is v1SpectroClusterVariables (GET) and
// v1SpectroClusterVariableUpdateEntity (PATCH): the variables of one
// attached profile, in GET|PATCH /v1/spectroclusters/{uid}/variables.
type ClusterVariables struct {
	ProfileUID string     `json:"profileUid"`
	Variables  []Variable `json:"variables"`
}

// Heartbeat is the body of PUT /v1/spectroclusters/{uid}/heartbeat, an
// endpoint of palette-local's own agent (not in Palette's API).
type Heartbeat struct {
	AgentVersion string        `json:"agentVersion"`
	Message      string        `json:"message"`
	Metadata     AgentMetadata `json:"metadata"`
}

// AgentMetadata is what palette-local's agent reports about the cluster;
// palette-local serves it where Palette does (overview kubeMeta and
// machine pools, metadata search cloudRegion, cloud configs).
type AgentMetadata struct {
	KubernetesVersion string   `json:"kubernetesVersion,omitempty"`
	Region            string   `json:"region,omitempty"`
	InstanceTypes     []string `json:"instanceTypes,omitempty"`
	NodeCount         int      `json:"nodeCount,omitempty"`
}

// DesiredProfile is one profile palette-local's agent must deploy.
type DesiredProfile struct {
	UID   string `json:"uid"`
	Name  string `json:"name"`
	Packs []Pack `json:"packs"`
	// PackValues are the attachment's packValues: an entry's values replace
	// the pack's values, its manifests replace those of the same name.
	PackValues []Pack `json:"packValues,omitempty"`
	// Variables are substituted into manifests as {{ .spectro.var.NAME }}.
	Variables []Variable `json:"variables,omitempty"`
}

// AgentDesired is GET /v1/spectroclusters/{uid}/agent/desired, an endpoint
// of palette-local's own agent (not in Palette's API).
type AgentDesired struct {
	ImportMode string           `json:"importMode"`
	Deleting   bool             `json:"deleting"`
	Profiles   []DesiredProfile `json:"profiles"`
	// HeartbeatIntervalSeconds tells the agent how often to beat.
	HeartbeatIntervalSeconds int `json:"heartbeatIntervalSeconds,omitempty"`
}

// PacksStatusRequest is the body of PATCH /v1/spectroclusters/{uid}/packs/status.
type PacksStatusRequest struct {
	Packs []PackStatus `json:"packs"`
}

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

// Cloud configs: GET /v1/cloudconfigs/{cloudType}/{configUid}.

// CloudConfigClusterConfig is the part of a cloud config's
// spec.clusterConfig that is read here: the region (aws, gcp, generic;
// azure says location).
type CloudConfigClusterConfig struct {
	Region   string `json:"region,omitempty"`
	Location string `json:"location,omitempty"`
}

// MachinePoolConfig is one machine pool of a cloud config; InstanceType is
// a string on most clouds and an object on some (vsphere, maas).
type MachinePoolConfig struct {
	Name           string          `json:"name,omitempty"`
	IsControlPlane bool            `json:"isControlPlane"`
	InstanceType   json.RawMessage `json:"instanceType,omitempty"`
	Size           int32           `json:"size"`
}

// InstanceTypeName returns the pool's instance type as a name.
func (p MachinePoolConfig) InstanceTypeName() string {
	if len(p.InstanceType) == 0 {
		return ""
	}
	var s string
	if json.Unmarshal(p.InstanceType, &s) == nil {
		return s
	}
	var o struct {
		Name string `json:"name"`
	}
	_ = json.Unmarshal(p.InstanceType, &o)
	return o.Name
}

// CloudConfigSpec is a cloud config's spec.
type CloudConfigSpec struct {
	ClusterConfig     CloudConfigClusterConfig `json:"clusterConfig"`
	MachinePoolConfig []MachinePoolConfig      `json:"machinePoolConfig"`
}

// CloudConfig is a cluster's cloud config (v1AwsCloudConfig,
// v1GenericCloudConfig and their siblings).
type CloudConfig struct {
	Metadata ObjectMeta      `json:"metadata"`
	Spec     CloudConfigSpec `json:"spec"`
}

// Region returns the cloud config's region.
func (c *CloudConfig) Region() string {
	if c.Spec.ClusterConfig.Region != "" {
		return c.Spec.ClusterConfig.Region
	}
	return c.Spec.ClusterConfig.Location
}

// InstanceTypes returns the distinct instance types of the machine pools.
func (c *CloudConfig) InstanceTypes() []string {
	var out []string
	seen := map[string]bool{}
	for _, p := range c.Spec.MachinePoolConfig {
		if n := p.InstanceTypeName(); n != "" && !seen[n] {
			seen[n] = true
			out = append(out, n)
		}
	}
	return out
}

// Section 4 endpoints.

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

// ProfilesMetadata is GET /v1/dashboard/clusterprofiles/metadata.
type ProfilesMetadata struct {
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
