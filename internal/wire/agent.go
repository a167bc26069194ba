package wire

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
	Variables []SpectroClusterVariable `json:"variables,omitempty"`
}

// AgentDesired is GET /v1/spectroclusters/{uid}/agent/desired, an endpoint
// of palette-local's own agent (not in Palette's API).
type AgentDesired struct {
	ImportMode string           `json:"importMode"`
	Deleting   bool             `json:"deleting"`
	Profiles   []DesiredProfile `json:"profiles"`
	// HeartbeatIntervalSeconds tells the agent how often to beat.
	HeartbeatIntervalSeconds int `json:"heartbeatIntervalSeconds,omitempty"`
	// Namespaces and Rbacs are the cluster's namespace and RBAC entries as
	// GET …/config/namespaces and …/config/rbacs show them (Full Permission
	// clusters only).
	Namespaces []ClusterNamespaceResource `json:"namespaces,omitempty"`
	Rbacs      []ClusterRbac              `json:"rbacs,omitempty"`
	// ComplianceScan is what the agent must scan (Full Permission
	// clusters only).
	ComplianceScan *AgentComplianceScan `json:"complianceScan,omitempty"`
}

// AgentComplianceScan is the cluster's scan schedule and the on-demand runs
// not finished yet, for palette-local's agent.
type AgentComplianceScan struct {
	// Schedules are cron expressions by driver (kubeBench, kubeHunter,
	// sonobuoy), as GET …/features/complianceScan shows them.
	Schedules map[string]string `json:"schedules,omitempty"`
	// Requests are the on-demand runs still Initiated or InProgress.
	Requests []AgentScanRequest `json:"requests,omitempty"`
}

// AgentScanRequest is one on-demand run: its request UID and the drivers
// to run, with syft's settings when syft is one of them.
type AgentScanRequest struct {
	RequestUID string                                 `json:"requestUid"`
	Drivers    []string                               `json:"drivers"`
	Syft       *ClusterComplianceScanSyftDriverConfig `json:"syft,omitempty"`
}

// ConfigEntryStatus is the agent's report on one namespace or RBAC entry:
// what kept it from being applied (none when it was).
type ConfigEntryStatus struct {
	UID    string                 `json:"uid"`
	Errors []ClusterResourceError `json:"errors"`
}

// ConfigStatusRequest is the body of PATCH
// /v1/spectroclusters/{uid}/config/status, an endpoint of palette-local's
// own agent: the errors of the entries that failed. It replaces what was
// reported before: an entry it does not list has no errors.
type ConfigStatusRequest struct {
	Namespaces []ConfigEntryStatus `json:"namespaces"`
	Rbacs      []ConfigEntryStatus `json:"rbacs"`
}

// PacksStatusRequest is the body of PATCH /v1/spectroclusters/{uid}/packs/status.
type PacksStatusRequest struct {
	Packs []ClusterPackStatus `json:"packs"`
}
