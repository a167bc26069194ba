package provider

import (
	"context"
	"fmt"

	"github.com/terraform-palette/terraform-provider-palette/internal/wire"
)

// findClusterNamespace returns namespace name (entry uid, when known) of
// cluster clusterUID from the run's shared read of the cluster's list.
func findClusterNamespace(ctx context.Context, pd *providerData, clusterUID, uid, name string) (*wire.ClusterNamespaceResource, error) {
	l := pd.namespaceList()
	list, err := l.read(ctx, pd.client, clusterUID)
	if err != nil {
		return nil, err
	}
	if e := l.find(list, uid, name); e != nil {
		return e, nil
	}
	return nil, fmt.Errorf("namespace %q of cluster %s: %w", name, clusterUID, errEntryNotFound)
}
