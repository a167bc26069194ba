package provider

import (
	"context"
	"errors"
	"fmt"

	"github.com/terraform-palette/terraform-provider-palette/internal/palette"
	"github.com/terraform-palette/terraform-provider-palette/internal/wire"
)

// errEntryNotFound: the cluster's list has no such entry (test with
// errors.Is); a cluster that is gone is palette.ErrNotFound.
var errEntryNotFound = errors.New("not in the cluster's list")

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

// goneEntry reports whether err says that an entry or its cluster is gone.
func goneEntry(err error) bool {
	return errors.Is(err, errEntryNotFound) || errors.Is(err, palette.ErrNotFound)
}
