package wire

import "encoding/json"

// Day-2 settings of a cluster: its namespaces with their resource
// allocation, and its RBAC bindings (GET/PUT
// /v1/spectroclusters/{uid}/config/namespaces and …/config/rbacs, and the
// single-entry PUT …/config/namespaces/{namespaceUid} and
// …/config/rbacs/{rbacUid}). A list PUT replaces the whole list: an entry
// left out is removed. The input entities carry their spec as raw JSON so
// that a client rewriting the list sends every other entry back exactly as
// Palette showed it, fields it does not model included.

// ObjectMetaUpdateEntity is v1ObjectMetaUpdateEntity: the metadata of an
// entry of a list PUT, with the uid of an existing entry.
type ObjectMetaUpdateEntity struct {
	UID         string            `json:"uid,omitempty"`
	Name        string            `json:"name,omitempty"`
	Labels      map[string]string `json:"labels,omitempty"`
	Annotations map[string]string `json:"annotations,omitempty"`
}

// ClusterResourceError is v1ClusterResourceError: why the agent could not
// apply an entry.
type ClusterResourceError struct {
	Msg          string `json:"msg,omitempty"`
	Name         string `json:"name,omitempty"`
	ResourceType string `json:"resourceType,omitempty"`
}

// GpuConfig is v1GpuConfig. Limit -1 is no limit.
type GpuConfig struct {
	Limit    int32  `json:"limit"`
	Provider string `json:"provider,omitempty"`
}

// ClusterNamespaceResourceAllocation is v1ClusterNamespaceResourceAllocation;
// both numbers are > 0 when given (exclusiveMinimum 0).
type ClusterNamespaceResourceAllocation struct {
	CPUCores  float64    `json:"cpuCores,omitempty"`
	MemoryMiB float64    `json:"memoryMiB,omitempty"`
	GpuConfig *GpuConfig `json:"gpuConfig,omitempty"`
}

// ClusterNamespaceSpec is v1ClusterNamespaceSpec.
type ClusterNamespaceSpec struct {
	IsRegex            bool                                `json:"isRegex"`
	ResourceAllocation *ClusterNamespaceResourceAllocation `json:"resourceAllocation,omitempty"`
}

// ClusterNamespaceStatus is v1ClusterNamespaceStatus.
type ClusterNamespaceStatus struct {
	Errors []ClusterResourceError `json:"errors,omitempty"`
}

// ClusterNamespaceResource is v1ClusterNamespaceResource, one namespace of
// a cluster as Palette shows it.
type ClusterNamespaceResource struct {
	Metadata ObjectMeta              `json:"metadata"`
	Spec     ClusterNamespaceSpec    `json:"spec"`
	Status   *ClusterNamespaceStatus `json:"status,omitempty"`
	// RawSpec is spec as Palette sent it (set when decoded).
	RawSpec json.RawMessage `json:"-"`
}

// UnmarshalJSON decodes the entry and keeps its spec as sent.
func (r *ClusterNamespaceResource) UnmarshalJSON(b []byte) error {
	type plain ClusterNamespaceResource
	return decodeKeepingSpec(b, (*plain)(r), &r.RawSpec)
}

// Input is the entry as a list PUT sends it back: its identity and labels,
// and its spec exactly as Palette showed it.
func (r *ClusterNamespaceResource) Input() ClusterNamespaceResourceInputEntity {
	return ClusterNamespaceResourceInputEntity{Metadata: r.Metadata.updateEntity(), Spec: specBytes(r.RawSpec, r.Spec)}
}

// ClusterNamespaceResources is v1ClusterNamespaceResources, the answer of
// GET …/config/namespaces.
type ClusterNamespaceResources struct {
	Items []ClusterNamespaceResource `json:"items"`
}

// ClusterNamespaceResourceInputEntity is v1ClusterNamespaceResourceInputEntity,
// one entry of a namespaces PUT (or the body of the single-entry PUT). Spec
// is a v1ClusterNamespaceSpec.
type ClusterNamespaceResourceInputEntity struct {
	Metadata ObjectMetaUpdateEntity `json:"metadata"`
	Spec     json.RawMessage        `json:"spec,omitempty"`
}

// ClusterNamespaceResourcesUpdateEntity is
// v1ClusterNamespaceResourcesUpdateEntity, the body of PUT …/config/namespaces.
type ClusterNamespaceResourcesUpdateEntity struct {
	Namespaces []ClusterNamespaceResourceInputEntity `json:"namespaces"`
}

// RBAC binding types and kinds (v1ClusterRbacBinding, v1ClusterRoleRef,
// v1ClusterRbacSubjects).
const (
	BindingTypeRoleBinding        = "RoleBinding"
	BindingTypeClusterRoleBinding = "ClusterRoleBinding"
	RoleKindRole                  = "Role"
	RoleKindClusterRole           = "ClusterRole"
	SubjectUser                   = "User"
	SubjectGroup                  = "Group"
	SubjectServiceAccount         = "ServiceAccount"
)

// ClusterRoleRef is v1ClusterRoleRef.
type ClusterRoleRef struct {
	Kind string `json:"kind"`
	Name string `json:"name"`
}

// ClusterRbacSubjects is v1ClusterRbacSubjects, one subject of a binding.
type ClusterRbacSubjects struct {
	Type      string `json:"type"`
	Name      string `json:"name"`
	Namespace string `json:"namespace,omitempty"`
}

// ClusterRbacBinding is v1ClusterRbacBinding: a RoleBinding (in Namespace)
// or a ClusterRoleBinding.
type ClusterRbacBinding struct {
	Type      string                `json:"type"`
	Namespace string                `json:"namespace,omitempty"`
	Role      ClusterRoleRef        `json:"role"`
	Subjects  []ClusterRbacSubjects `json:"subjects"`
}

// ClusterRbacSpec is v1ClusterRbacSpec.
type ClusterRbacSpec struct {
	Bindings []ClusterRbacBinding `json:"bindings"`
	IsSystem bool                 `json:"isSystem,omitempty"`
}

// ClusterRbacStatus is v1ClusterRbacStatus.
type ClusterRbacStatus struct {
	Errors []ClusterResourceError `json:"errors,omitempty"`
}

// ClusterRbac is v1ClusterRbac, one RBAC entry of a cluster as Palette
// shows it.
type ClusterRbac struct {
	Metadata ObjectMeta         `json:"metadata"`
	Spec     ClusterRbacSpec    `json:"spec"`
	Status   *ClusterRbacStatus `json:"status,omitempty"`
	// RawSpec is spec as Palette sent it (set when decoded).
	RawSpec json.RawMessage `json:"-"`
}

// UnmarshalJSON decodes the entry and keeps its spec as sent.
func (r *ClusterRbac) UnmarshalJSON(b []byte) error {
	type plain ClusterRbac
	return decodeKeepingSpec(b, (*plain)(r), &r.RawSpec)
}

// Input is the entry as a list PUT sends it back: its identity and labels,
// and its spec exactly as Palette showed it.
func (r *ClusterRbac) Input() ClusterRbacInputEntity {
	return ClusterRbacInputEntity{Metadata: r.Metadata.updateEntity(), Spec: specBytes(r.RawSpec, r.Spec)}
}

// ClusterRbacs is v1ClusterRbacs, the answer of GET …/config/rbacs.
type ClusterRbacs struct {
	Items []ClusterRbac `json:"items"`
}

// ClusterRbacInputEntity is v1ClusterRbacInputEntity, one entry of an rbacs
// PUT (or the body of the single-entry PUT). Spec is a v1ClusterRbacSpec.
type ClusterRbacInputEntity struct {
	Metadata ObjectMetaUpdateEntity `json:"metadata"`
	Spec     json.RawMessage        `json:"spec,omitempty"`
}

// ClusterRbacResourcesUpdateEntity is v1ClusterRbacResourcesUpdateEntity,
// the body of PUT …/config/rbacs.
type ClusterRbacResourcesUpdateEntity struct {
	Rbacs []ClusterRbacInputEntity `json:"rbacs"`
}

// decodeKeepingSpec decodes an entry into v (a type without this
// UnmarshalJSON) and its spec, as sent, into raw.
func decodeKeepingSpec(b []byte, v any, raw *json.RawMessage) error {
	if err := json.Unmarshal(b, v); err != nil {
		return err
	}
	var s struct {
		Spec json.RawMessage `json:"spec"`
	}
	if err := json.Unmarshal(b, &s); err != nil {
		return err
	}
	*raw = s.Spec
	return nil
}

// StatusErrors are the errors Palette shows for the entry.
func (r *ClusterNamespaceResource) StatusErrors() []ClusterResourceError {
	if r.Status == nil {
		return nil
	}
	return r.Status.Errors
}

// StatusErrors are the errors Palette shows for the entry.
func (r *ClusterRbac) StatusErrors() []ClusterResourceError {
	if r.Status == nil {
		return nil
	}
	return r.Status.Errors
}

// updateEntity is the part of an entry's metadata a PUT sends back.
func (m ObjectMeta) updateEntity() ObjectMetaUpdateEntity {
	return ObjectMetaUpdateEntity{UID: m.UID, Name: m.Name, Labels: m.Labels, Annotations: m.Annotations}
}

// specBytes is raw when set, else spec encoded.
func specBytes(raw json.RawMessage, spec any) json.RawMessage {
	if len(raw) > 0 && string(raw) != "null" {
		return raw
	}
	b, err := json.Marshal(spec)
	if err != nil { // plain structs of strings, numbers and bools
		panic(err)
	}
	return b
}
