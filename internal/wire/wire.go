// Package wire holds the JSON shapes of Palette's published API ("Palette
// APIs - 4.9", docs/palette-api.md): the bodies the client sends and reads,
// and the constants they carry. The local API (internal/localapi) serves the
// same types, so client and server cannot drift apart, and a test holds each
// type against the spec's definition. The package imports only the standard
// library.
package wire

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

// InfrastructureProviders are the infrastructure providers Palette imports
// clusters from (Palette's imported-clusters guide), the cloud types the
// Terraform provider accepts.
var InfrastructureProviders = []string{
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

// ImportCloudType returns the cloud type of the import path for an
// infrastructure provider: itself, or generic for openshift and eks-anywhere.
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

// PackSpectroProxy is the name of Palette's Spectro Proxy pack, which
// Palette cannot deploy on an imported cluster (its imported-clusters page:
// "deploy the Spectro Proxy pack: Read-only no, Full Permission no").
const PackSpectroProxy = "spectro-proxy"

// Error codes carried in Error.Code.
const (
	CodeResourceNotFound                     = "ResourceNotFound"
	CodeTooManyRequests                      = "TooManyRequests"
	CodeUnauthorized                         = "Unauthorized"
	CodeForbidden                            = "Forbidden"
	CodeBadRequest                           = "BadRequest"
	CodeInvalidName                          = "InvalidName"
	CodeInvalidCloudType                     = "InvalidCloudType"
	CodeMethodNotAllowed                     = "MethodNotAllowed"
	CodeRequestTooLarge                      = "RequestEntityTooLarge"
	CodeInternal                             = "InternalError"
	CodeClusterNameAlreadyExists             = "ClusterNameAlreadyExists"
	CodeProxyNotSupportedInReadOnlyMode      = "ProxyNotSupportedInReadOnlyMode"
	CodeFullProfileNotAllowed                = "FullProfileNotAllowedOnImportedCluster"
	CodeSpectroProxyNotAllowed               = "SpectroProxyNotAllowedOnImportedCluster"
	CodeAddonProfilesRequireFullPermission   = "AddonProfilesRequireFullPermission"
	CodeNamespacesRequireFullPermission      = "NamespacesRequireFullPermission"
	CodeRbacsRequireFullPermission           = "RbacsRequireFullPermission"
	CodeComplianceScanRequiresFullPermission = "ComplianceScanRequiresFullPermission"
	CodeBackupsRequireFullPermission         = "BackupsRequireFullPermission"
	CodeBackupNotConfigured                  = "BackupNotConfigured"
	CodeClusterNotRunning                    = "ClusterNotRunning"
	CodeAlreadyFullPermission                = "AlreadyFullPermission"
	CodeNotSupportedForImportedCluster       = "NotSupportedForImportedCluster"
	CodeUseIaaSCloudConfig                   = "UseIaaSCloudConfigEndpoint"
	CodeConflict                             = "Conflict"
	CodeServiceUnavailable                   = "ServiceUnavailable"
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
