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
}

// PacksStatusRequest is the body of PATCH /v1/spectroclusters/{uid}/packs/status.
type PacksStatusRequest struct {
	Packs []ClusterPackStatus `json:"packs"`
}
