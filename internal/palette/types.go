// Package palette holds the wire types of the Palette import API contract
// (shared/contract/palette-import-api.md) and the typed REST client the
// provider uses. The local import API server (internal/localapi) uses the same
// types, so that client and server cannot drift apart.
package palette

import "time"

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

// ServerCloudTypes are every cloud type the import endpoint takes (contract 3.1, 4).
var ServerCloudTypes = append(append([]string{}, SeedCloudTypes...),
	CloudTypeMAAS, CloudTypeEdgeNative, CloudTypeApacheCloudStack)

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

// Error is the body of every error answer (contract 1).
type Error struct {
	Code    string         `json:"code"`
	Message string         `json:"message"`
	Details map[string]any `json:"details"`
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

// Proxy settings of an imported cluster (spec.clusterConfig.proxy).
type Proxy struct {
	HTTPProxy            string `json:"httpProxy"`
	HTTPSProxy           string `json:"httpsProxy"`
	NoProxy              string `json:"noProxy"`
	CAHostPath           string `json:"caHostPath"`
	CAContainerMountPath string `json:"caContainerMountPath"`
}

// IsZero reports whether no proxy setting is given.
func (p *Proxy) IsZero() bool {
	return p == nil || *p == Proxy{}
}

// ClusterConfig is spec.clusterConfig.
type ClusterConfig struct {
	ImportMode string `json:"importMode"`
	Proxy      *Proxy `json:"proxy,omitempty"`
}

// ObjectRef points at another object.
type ObjectRef struct {
	Kind string `json:"kind"`
	UID  string `json:"uid"`
}

// PackRef is a pack's name and tag.
type PackRef struct {
	Name string `json:"name"`
	Tag  string `json:"tag"`
}

// ClusterProfileTemplate is a profile attached to a cluster as shown in spec.
type ClusterProfileTemplate struct {
	UID            string    `json:"uid"`
	Name           string    `json:"name"`
	Type           string    `json:"type"`
	ProfileVersion string    `json:"profileVersion"`
	Packs          []PackRef `json:"packs"`
}

// ClusterSpec is a cluster's spec.
type ClusterSpec struct {
	CloudType               string                   `json:"cloudType"`
	CloudConfigRef          *ObjectRef               `json:"cloudConfigRef,omitempty"`
	ClusterConfig           ClusterConfig            `json:"clusterConfig"`
	ClusterProfileTemplates []ClusterProfileTemplate `json:"clusterProfileTemplates"`
}

// ClusterImport is status.clusterImport.
type ClusterImport struct {
	ImportLink string `json:"importLink"`
	State      string `json:"state"`
}

// Condition is a pack's or cluster's condition.
type Condition struct {
	Type    string `json:"type"`
	Status  string `json:"status"`
	Message string `json:"message"`
	Reason  string `json:"reason,omitempty"`
}

// PackStatus is one entry of status.packs.
type PackStatus struct {
	ProfileUID string    `json:"profileUid"`
	Name       string    `json:"name"`
	Condition  Condition `json:"condition"`
}

// SpcApply is status.spcApply (section 4: never null once profiles can be applied).
type SpcApply struct {
	ActionType   string `json:"actionType"`
	CanBeApplied bool   `json:"canBeApplied"`
}

// ClusterStatus is a cluster's status.
type ClusterStatus struct {
	State         string         `json:"state"`
	ClusterImport *ClusterImport `json:"clusterImport,omitempty"`
	Packs         []PackStatus   `json:"packs"`
	SpcApply      *SpcApply      `json:"spcApply,omitempty"`
	Conditions    []Condition    `json:"conditions"`
}

// Cluster is v1SpectroCluster, the fields that matter for imported clusters.
type Cluster struct {
	Metadata ObjectMeta    `json:"metadata"`
	Spec     ClusterSpec   `json:"spec"`
	Status   ClusterStatus `json:"status"`
	// SpecSummary is filled by the real service in search results; the
	// client reads the import mode from either place.
	SpecSummary *SpecSummary `json:"specSummary,omitempty"`
}

// ImportMode returns the cluster's import mode on the wire.
func (c *Cluster) ImportMode() string {
	if c.Spec.ClusterConfig.ImportMode != "" {
		return c.Spec.ClusterConfig.ImportMode
	}
	if c.SpecSummary != nil {
		return c.SpecSummary.ImportMode
	}
	return ""
}

// ImportRequest is the body of POST /v1/spectroclusters/{cloudType}/import.
type ImportRequest struct {
	Metadata ObjectMeta        `json:"metadata"`
	Spec     ImportRequestSpec `json:"spec"`
}

// ImportRequestSpec is ImportRequest.spec.
type ImportRequestSpec struct {
	ClusterConfig ClusterConfig `json:"clusterConfig"`
}

// MetadataUpdate is the body of PATCH /v1/spectroclusters/{uid}/metadata.
type MetadataUpdate struct {
	Metadata MetadataLabels `json:"metadata"`
}

// MetadataLabels carries labels and annotations.
type MetadataLabels struct {
	Labels      map[string]string `json:"labels"`
	Annotations map[string]string `json:"annotations"`
}

// Health is overview status.health.
type Health struct {
	State                  string      `json:"state"`
	AgentVersion           string      `json:"agentVersion"`
	LastHeartBeatTimestamp *time.Time  `json:"lastHeartBeatTimestamp,omitempty"`
	Conditions             []Condition `json:"conditions"`
}

// AgentMetadata is what the agent reports about the cluster [ours].
type AgentMetadata struct {
	KubernetesVersion string   `json:"kubernetesVersion,omitempty"`
	Region            string   `json:"region,omitempty"`
	InstanceTypes     []string `json:"instanceTypes,omitempty"`
	NodeCount         int      `json:"nodeCount,omitempty"`
}

// OverviewStatus is the overview's status.
type OverviewStatus struct {
	Health   Health        `json:"health"`
	Metadata AgentMetadata `json:"metadata"`
}

// Overview is GET /v1/dashboard/spectroclusters/{uid}/overview.
type Overview struct {
	Metadata ObjectMeta     `json:"metadata"`
	Status   OverviewStatus `json:"status"`
}

// ManifestEntry is one manifest of a pack.
type ManifestEntry struct {
	Name    string `json:"name"`
	Content string `json:"content"`
}

// Pack is a pack of a profile.
type Pack struct {
	Name      string          `json:"name"`
	Tag       string          `json:"tag"`
	Type      string          `json:"type"`
	Values    string          `json:"values"`
	Manifests []ManifestEntry `json:"manifests"`
}

// ProfileTemplate is the content of a profile version.
type ProfileTemplate struct {
	Type           string `json:"type"`
	CloudType      string `json:"cloudType"`
	ProfileVersion string `json:"profileVersion,omitempty"`
	Packs          []Pack `json:"packs"`
}

// ClusterProfileSpec is a profile's spec.
type ClusterProfileSpec struct {
	Version   string           `json:"version,omitempty"`
	Template  *ProfileTemplate `json:"template,omitempty"`
	Published *ProfileTemplate `json:"published,omitempty"`
}

// ClusterProfile is GET /v1/clusterprofiles/{uid}.
type ClusterProfile struct {
	Metadata ObjectMeta         `json:"metadata"`
	Spec     ClusterProfileSpec `json:"spec"`
}

// ProfileList is the answer of GET /v1/clusterprofiles?name=&version= [ours].
type ProfileList struct {
	Items []ClusterProfile `json:"items"`
}

// ProfileAttachment is one entry of the profiles PATCH/PUT body.
type ProfileAttachment struct {
	UID                string     `json:"uid"`
	ReplaceWithProfile string     `json:"replaceWithProfile,omitempty"`
	PackValues         []Pack     `json:"packValues,omitempty"`
	Variables          []Variable `json:"variables,omitempty"`
}

// Variable is a profile variable.
type Variable struct {
	Name  string `json:"name"`
	Value string `json:"value"`
}

// ProfilesRequest is the body of PATCH/PUT /v1/spectroclusters/{uid}/profiles.
type ProfilesRequest struct {
	Profiles []ProfileAttachment `json:"profiles"`
}

// AttachedProfile is one entry of GET /v1/spectroclusters/{uid}/profiles.
type AttachedProfile struct {
	Metadata   ObjectMeta          `json:"metadata"`
	Spec       AttachedProfileSpec `json:"spec"`
	PackValues []Pack              `json:"packValues"`
	Variables  []Variable          `json:"variables"`
}

// AttachedProfileSpec is what the cluster holds of an attached profile.
type AttachedProfileSpec struct {
	Type    string `json:"type"`
	Version string `json:"version"`
	Packs   []Pack `json:"packs"`
}

// ClusterProfiles is the answer of GET /v1/spectroclusters/{uid}/profiles.
type ClusterProfiles struct {
	Profiles []AttachedProfile `json:"profiles"`
}

// DeleteProfilesRequest is the body of DELETE /v1/spectroclusters/{uid}/profiles.
type DeleteProfilesRequest struct {
	ProfileUIDs []string `json:"profileUids"`
}

// Heartbeat is the body of PUT /v1/spectroclusters/{uid}/heartbeat.
type Heartbeat struct {
	AgentVersion string        `json:"agentVersion"`
	Message      string        `json:"message"`
	Metadata     AgentMetadata `json:"metadata"`
}

// DesiredProfile is one profile the agent must deploy.
type DesiredProfile struct {
	UID   string `json:"uid"`
	Name  string `json:"name"`
	Packs []Pack `json:"packs"`
	// PackValues are the attachment's per-pack values overrides (by pack
	// name); the agent deep-merges them over the pack's default Values [ours].
	PackValues []Pack `json:"packValues,omitempty"`
	// Variables are substituted into manifests as {{ .spectro.var.NAME }} [ours].
	Variables []Variable `json:"variables,omitempty"`
}

// AgentDesired is GET /v1/spectroclusters/{uid}/agent/desired.
type AgentDesired struct {
	ImportMode string           `json:"importMode"`
	Deleting   bool             `json:"deleting"`
	Profiles   []DesiredProfile `json:"profiles"`
	// HeartbeatIntervalSeconds tells the agent how often to beat [ours].
	HeartbeatIntervalSeconds int `json:"heartbeatIntervalSeconds,omitempty"`
}

// PacksStatusRequest is the body of PATCH /v1/spectroclusters/{uid}/packs/status.
type PacksStatusRequest struct {
	Packs []PackStatus `json:"packs"`
}

// Search: POST /v1/dashboard/spectroclusters/search.

// SearchRequest is the body of a search.
type SearchRequest struct {
	Filter *FilterSpec `json:"filter,omitempty"`
	Sort   []SortSpec  `json:"sort,omitempty"`
}

// FilterSpec is the top-level filter.
type FilterSpec struct {
	Conjunction  string        `json:"conjunction"`
	FilterGroups []FilterGroup `json:"filterGroups"`
}

// FilterGroup is a group of filters.
type FilterGroup struct {
	Conjunction string   `json:"conjunction"`
	Filters     []Filter `json:"filters"`
}

// Filter is one property filter.
type Filter struct {
	Property  string          `json:"property"`
	Type      string          `json:"type"`
	Condition FilterCondition `json:"condition"`
}

// FilterCondition holds a typed condition.
type FilterCondition struct {
	String *StringCondition `json:"string,omitempty"`
	Bool   *BoolCondition   `json:"bool,omitempty"`
}

// StringCondition matches string properties.
type StringCondition struct {
	Operator   string      `json:"operator"`
	Negation   bool        `json:"negation"`
	Match      StringMatch `json:"match"`
	IgnoreCase bool        `json:"ignoreCase,omitempty"`
}

// StringMatch lists the values to match.
type StringMatch struct {
	Conjunction string   `json:"conjunction"`
	Values      []string `json:"values"`
}

// BoolCondition matches boolean properties.
type BoolCondition struct {
	Value bool `json:"value"`
}

// SortSpec is one sort key.
type SortSpec struct {
	Field string `json:"field"`
	Order string `json:"order"`
}

// SpecSummary is the search's specSummary.
type SpecSummary struct {
	CloudType  string `json:"cloudType"`
	ImportMode string `json:"importMode"`
	// Profiles are the add-on profiles attached to the cluster with their
	// values and variables (no pack content) [ours]; nil when the server does
	// not carry them (see SearchStatus.Metadata).
	Profiles []AttachedProfile `json:"profiles,omitempty"`
}

// SearchStatus is the search's status.
type SearchStatus struct {
	State  string  `json:"state"`
	Health *Health `json:"health,omitempty"`
	// Metadata is what the overview's status.metadata holds [ours]. A server
	// that fills it also fills Packs and SpecSummary.Profiles, so that a
	// search item carries everything a resource's refresh reads; nil means
	// the server (the real Palette) does not, and callers fall back to GET.
	Metadata *AgentMetadata `json:"metadata,omitempty"`
	// Packs is status.packs of the cluster [ours].
	Packs []PackStatus `json:"packs,omitempty"`
}

// HasRefreshFields reports whether a search item carries the [ours] fields
// a refresh needs (SearchStatus.Metadata, Packs, SpecSummary.Profiles).
func (it *SearchItem) HasRefreshFields() bool { return it != nil && it.Status.Metadata != nil }

// SearchItem is one search result.
type SearchItem struct {
	Metadata    ObjectMeta   `json:"metadata"`
	SpecSummary SpecSummary  `json:"specSummary"`
	Status      SearchStatus `json:"status"`
}

// ListMeta is the search's listmeta.
type ListMeta struct {
	Continue string `json:"continue"`
	Count    int    `json:"count"`
	Limit    int    `json:"limit"`
	Offset   int    `json:"offset"`
}

// SearchResponse is the answer of a search.
type SearchResponse struct {
	Items    []SearchItem `json:"items"`
	ListMeta ListMeta     `json:"listmeta"`
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

// ProfileMetadataSpec carries the version.
type ProfileMetadataSpec struct {
	Version string `json:"version"`
}

// CloudConfigClusterConfig is GET|PUT /v1/cloudconfigs/{cloudType}/{uid}/clusterConfig.
type CloudConfigClusterConfig struct {
	ClusterConfig map[string]any `json:"clusterConfig"`
}
