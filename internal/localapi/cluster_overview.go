package localapi

// What Palette shows of a cluster beyond the cluster object: its overview
// (health, node count, region) and the assets imported clusters do not offer.

import (
	"math"
	"net/http"

	"github.com/terraform-palette/terraform-provider-palette/internal/wire"
)

func (s *Server) health(row *clusterRow) wire.SpectroClusterHealthStatus {
	h := wire.SpectroClusterHealthStatus{State: wire.HealthUnknown, AgentVersion: row.AgentVersion, Conditions: []wire.SpectroClusterHealthCondition{}}
	if row.LastHeartbeat != nil {
		t := *row.LastHeartbeat
		h.LastHeartBeatTimestamp = &t
		if s.now().Sub(t) <= 3*s.cfg.HeartbeatInterval {
			h.State = wire.HealthHealthy
		} else {
			h.State = wire.HealthUnhealthy
		}
	}
	return h
}

// GET /v1/dashboard/spectroclusters/{uid}/overview: v1SpectroClusterUidSummary.
func (s *Server) overview(w http.ResponseWriter, r *http.Request, c *call) error {
	row, err := s.findCluster(r.Context(), s.st.db, c, r.PathValue("uid"))
	if err != nil {
		return err
	}
	md := s.shownMetadata(row)
	packs := row.Packs
	if packs == nil {
		packs = []wire.ClusterPackStatus{}
	}
	writeJSON(w, http.StatusOK, wire.SpectroClusterUidSummary{
		Metadata: s.objectMeta(row),
		Spec:     wire.OverviewSpec{CloudConfig: cloudConfigSummary(row, md)},
		Status: wire.OverviewStatus{
			State: row.State, Health: s.health(row),
			KubeMeta: &wire.KubeMeta{KubernetesVersion: md.KubernetesVersion},
			Packs:    packs,
		},
	})
	return nil
}

// shownMetadata is what Palette shows of the facts the agent reported: a
// generic cluster shows only its region and instance types, a
// cloud-specific one all of them.
func (s *Server) shownMetadata(row *clusterRow) wire.AgentMetadata {
	md := row.AgentMetadata
	if row.CloudType == wire.CloudTypeGeneric {
		md = wire.AgentMetadata{Region: md.Region, InstanceTypes: md.InstanceTypes}
	}
	return md
}

// cloudConfigSummary is the cloudConfig of an overview or a search summary:
// one machine pool of the reported node count.
func cloudConfigSummary(row *clusterRow, md wire.AgentMetadata) wire.CloudConfigSummary {
	pools := []wire.MachinePoolMeta{}
	if md.NodeCount > 0 {
		pools = append(pools, wire.MachinePoolMeta{Size: int32(min(md.NodeCount, math.MaxInt32))}) //nolint:gosec // bounded above.
	}
	return wire.CloudConfigSummary{CloudType: row.CloudType, UID: row.CloudConfigUID, MachinePools: pools}
}

// GET /v1/spectroclusters/{uid}/assets/kubeconfig: never offered for an imported cluster.
func (s *Server) kubeconfigAsset(_ http.ResponseWriter, r *http.Request, c *call) error {
	uid := r.PathValue("uid")
	if _, err := s.findCluster(r.Context(), s.st.db, c, uid); err != nil {
		return err
	}
	return notFound("kubeconfig of cluster '%s' is not available: imported clusters do not offer kubeconfig downloads", uid)
}
