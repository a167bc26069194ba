package provider

import (
	"context"
	"errors"
	"fmt"

	"github.com/terraform-palette/terraform-provider-palette/internal/palette"
	"github.com/terraform-palette/terraform-provider-palette/internal/wire"
)

// What the resources and data sources read of an imported cluster: the
// cluster by UID (gone when Palette answers 404 or Deleted), and the view a
// refresh gathers from the places Palette's API has each fact.

// clusterView is what a read of an imported cluster gathers, each fact from
// the place Palette's API has it:
//   - the cluster (GET /v1/spectroclusters/{uid}): name, labels, cloud type,
//     cloud config, state, import link, pack statuses;
//   - the import mode: only the metadata search has it
//     (POST /v1/dashboard/spectroclusters/metadata/search,
//     items[].specSummary.importMode), with the region (cloudRegion);
//   - health, Kubernetes version and node count: the overview
//     (GET /v1/dashboard/spectroclusters/{uid}/overview: status.health,
//     status.kubeMeta.kubernetesVersion, spec.cloudConfig.machinePools[].size);
//   - region and instance types: the cloud config
//     (GET /v1/cloudconfigs/{type}/{configUid}), through the IaaS type for
//     imported EKS, GKE and AKS clusters.
type clusterView struct {
	cluster    *wire.SpectroCluster
	importMode string // on the wire: "read-only" or ""
	// modeKnown is false when the metadata search did not list the cluster
	// (its index may lag right after an import): the state keeps its mode.
	modeKnown bool
	health    wire.SpectroClusterHealthStatus
	// facts is false when the Kubernetes version and the instance types were
	// not read (a refresh from the batched searches): the state keeps its own.
	facts             bool
	kubernetesVersion string
	nodeCount         int
	region            string
	instanceTypes     []string
}

// errClusterGone is returned by findClusterByID for a cluster that is
// deleted or unknown to Palette; it wraps palette.ErrNotFound.
var errClusterGone = fmt.Errorf("cluster is gone from Palette: %w", palette.ErrNotFound)

// findClusterByID returns the cluster, or an error that matches
// palette.ErrNotFound when it does not exist or is Deleted.
func findClusterByID(ctx context.Context, c *palette.Client, uid string) (*wire.SpectroCluster, error) {
	cl, err := c.GetCluster(ctx, uid)
	if err != nil {
		return nil, err
	}
	if cl.Status.State == wire.StateDeleted {
		return nil, errClusterGone
	}
	return cl, nil
}

// isGone tells whether a cluster is gone from Palette (404, or Deleted).
func isGone(c *wire.SpectroCluster, err error) bool {
	if errors.Is(err, palette.ErrNotFound) {
		return true
	}
	return err == nil && c != nil && c.Status.State == wire.StateDeleted
}

// clusterImportMode returns a cluster's import mode from the metadata search.
func clusterImportMode(ctx context.Context, c *palette.Client, cl *wire.SpectroCluster) (string, error) {
	it, err := c.GetClusterMeta(ctx, cl.Metadata.UID, cl.Metadata.Name)
	if err != nil {
		return "", fmt.Errorf("reading the import mode of cluster %s: %w", cl.Metadata.UID, err)
	}
	return it.SpecSummary.ImportMode, nil
}

// findClusterMode returns a cluster that exists (not Deleted) and its import
// mode; a cluster that is gone matches palette.ErrNotFound.
func findClusterMode(ctx context.Context, c *palette.Client, uid string) (*wire.SpectroCluster, string, error) {
	cl, err := findClusterByID(ctx, c, uid)
	if err != nil {
		return nil, "", err
	}
	mode, err := clusterImportMode(ctx, c, cl)
	if err != nil {
		return nil, "", err
	}
	return cl, mode, nil
}

// readClusterView reads everything a refresh needs of a cluster already
// fetched with GET: 3 more requests (metadata search, overview, cloud config).
func readClusterView(ctx context.Context, c *palette.Client, cl *wire.SpectroCluster) (*clusterView, error) {
	v := &clusterView{cluster: cl, facts: true, health: wire.SpectroClusterHealthStatus{State: wire.HealthUnknown}}
	it, err := c.GetClusterMeta(ctx, cl.Metadata.UID, cl.Metadata.Name)
	switch {
	case errors.Is(err, palette.ErrNotFound):
		// Not listed yet (the search's index may lag right after an
		// import) or deleted since the GET: the state keeps its mode.
	case err != nil:
		return nil, fmt.Errorf("reading the import mode of cluster %s: %w", cl.Metadata.UID, err)
	default:
		v.importMode, v.modeKnown, v.region = it.SpecSummary.ImportMode, true, it.SpecSummary.CloudRegion
	}
	ov, err := c.GetClusterOverview(ctx, cl.Metadata.UID)
	switch {
	case errors.Is(err, palette.ErrNotFound):
	case err != nil:
		return nil, fmt.Errorf("overview of cluster %s: %w", cl.Metadata.UID, err)
	default:
		if ov.Status.Health.State != "" {
			v.health = ov.Status.Health
		}
		v.kubernetesVersion = ov.KubernetesVersion()
		v.nodeCount = ov.Spec.CloudConfig.NodeCount()
	}
	if ref := cl.Spec.CloudConfigRef; ref != nil && ref.UID != "" {
		cc, err := c.GetCloudConfig(ctx, cl.Spec.CloudType, ref.UID)
		switch {
		case errors.Is(err, palette.ErrNotFound):
		case err != nil:
			return nil, fmt.Errorf("cloud config of cluster %s: %w", cl.Metadata.UID, err)
		default:
			if r := cc.Region(); r != "" {
				v.region = r
			}
			v.instanceTypes = cc.InstanceTypes()
		}
	}
	return v, nil
}

// viewFromSearch rebuilds a clusterView from the two batched searches: the
// summary (state, health, import link, labels, node count, attached
// profiles) and the metadata item (import mode, region). The Kubernetes
// version and instance types are not in either: facts is false.
func viewFromSearch(it *wire.SpectroClusterSummary, meta *wire.SpectroClusterMetaSummary) *clusterView {
	cl := &wire.SpectroCluster{
		Metadata: it.Metadata,
		Spec:     wire.SpectroClusterSpec{CloudType: it.SpecSummary.CloudConfig.CloudType},
		Status:   wire.SpectroClusterStatus{State: it.Status.State, ClusterImport: it.Status.ClusterImport},
	}
	if meta.SpecSummary.CloudType != "" {
		cl.Spec.CloudType = meta.SpecSummary.CloudType
	}
	if uid := it.SpecSummary.CloudConfig.UID; uid != "" {
		cl.Spec.CloudConfigRef = &wire.ObjectReference{UID: uid}
	}
	v := &clusterView{
		cluster: cl, importMode: meta.SpecSummary.ImportMode, modeKnown: true, region: meta.SpecSummary.CloudRegion,
		health: wire.SpectroClusterHealthStatus{State: wire.HealthUnknown}, nodeCount: it.SpecSummary.CloudConfig.NodeCount(),
	}
	if it.Status.Health != nil && it.Status.Health.State != "" {
		v.health = *it.Status.Health
	}
	return v
}
