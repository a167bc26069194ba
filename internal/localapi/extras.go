package localapi

// What palette-local serves beyond Palette's published API ("Palette APIs -
// 4.9", api/spec/palette-apis-spec.json in github.com/spectrocloud/palette-sdk-go).
// Everything else it serves has the spec's paths, parameters, bodies and
// status codes, which the conformance test checks; TestRoutes_inSpecOrExtras
// walks the route table and fails on a route that is neither an operation of
// the spec nor listed here. Only palette-local's own agent and its developers
// use these; the provider depends on none of them. Three are on paths the
// spec has (status/imported, heartbeat, packs/status) but are served to
// palette-local's agent only, with its bearer credential and its own bodies.

// Extra is one addition to the spec, with the reason it exists.
type Extra struct {
	// Route is "METHOD /path" as routed here ({name} for path parameters).
	Route string
	// Why the spec does not have it and who needs it.
	Why string
}

// whyScanReport is why the agent's scan reports are extras.
const whyScanReport = "the agent's report of a scan run; the spec's path and entity (v1KubeBenchEntity, v1KubeHunterEntity, " +
	"v1SonobuoyEntity, v1SyftEntity), served to palette-local's agent with its bearer credential, with a message field the " +
	"entities do not have (why a run failed, e.g. a driver that cannot run without a kubelet), served as status.message of " +
	"the run's log; a request UID palette-local did not issue is a scheduled run"

// Extras lists palette-local's additions to the spec.
var Extras = []Extra{
	{"PATCH /v1/spectroclusters/{uid}/status/imported",
		"the agent's first contact (the cluster becomes Running); the spec's path (v1SpectroClustersUpdateStatusImported), served to palette-local's agent with its bearer credential"},
	{"PUT /v1/spectroclusters/{uid}/heartbeat",
		"the agent's liveness and the cluster's facts (Kubernetes version, region, instance types, nodes), which palette-local serves where the spec has them; the spec's path (v1SpectroClustersUidHeartbeatUpdate), with the agent's bearer credential and a metadata field v1SpectroClusterHeartbeat does not have"},
	{"GET /v1/spectroclusters/{uid}/agent/desired",
		"what the agent must converge to: the import mode, whether to remove itself, the add-on packs with their content, and (Full Permission) the namespace and RBAC entries of GET …/config/namespaces and …/config/rbacs and the compliance scan schedule of GET …/features/complianceScan with the on-demand runs not finished yet"},
	{"PUT /v1/spectroclusters/{uid}/features/complianceScan/logs/drivers/kubeBench", whyScanReport},
	{"PUT /v1/spectroclusters/{uid}/features/complianceScan/logs/drivers/kubeHunter", whyScanReport},
	{"PUT /v1/spectroclusters/{uid}/features/complianceScan/logs/drivers/sonobuoy", whyScanReport},
	{"PATCH /v1/spectroclusters/{uid}/features/complianceScan/logs/drivers/syft", whyScanReport},
	{"PATCH /v1/spectroclusters/{uid}/packs/status",
		"the state of the packs the agent deployed, served as status.packs; only the attached profiles' packs (409 otherwise); the spec's path (v1SpectroClustersUidPacksStatusPatch), with the agent's bearer credential and palette-local's own body"},
	{"PATCH /v1/spectroclusters/{uid}/config/status",
		"the namespace and RBAC entries the agent could not apply and why, served as status.errors of each entry of …/config/namespaces and …/config/rbacs; replaces the previous report (an entry it does not list has no errors; a UID the cluster does not have is ignored)"},
	{"PATCH /v1/spectroclusters/{uid}/status/agentRemoved",
		"the agent removed itself after a delete (the cluster becomes Deleted); 409 unless the cluster is Deleting"},
	{"GET /v1/spectroclusters/{uid}/import/manifest?token=",
		"the token of importLink, so that `kubectl apply -f <importLink>` works without an API key (rate-limited per cluster, wrong tokens limited per client like wrong keys; palette-local cluster rotate-credentials replaces it); with an ApiKey header the operation is the spec's, and both at once are refused"},
	{"GET /v1/spectroclusters/{uid}/agent/backups",
		"the backup work of the agent: the cluster's schedule (the agent runs it) and the on-demand backups, backup deletions and restores to run, with their locations' secret keys (which no answer of the spec shows)"},
	{"PATCH /v1/spectroclusters/{uid}/agent/backups/status",
		"the end of the agent's backups and restores (state, message, time, namespaces), served as status of GET …/features/backup and …/features/restore; a scheduled run, which has no request yet, creates its request"},
	{"GET /debug/requests", "request counts by route and status, for tests and benchmarks (tenant admin ApiKey, loopback, same origin: debug.go)"},
	{"POST /debug/faults", "turns fault injection on and off at run time, for tests and benchmarks (tenant admin ApiKey, loopback, same origin, JSON body: debug.go)"},
}
