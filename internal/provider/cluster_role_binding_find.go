package provider

import (
	"context"
	"fmt"

	"github.com/terraform-palette/terraform-provider-palette/internal/wire"
)

// findClusterRoleBinding returns the RBAC entry name (entry uid, when known)
// of cluster clusterUID from the run's shared read of the cluster's list.
func findClusterRoleBinding(ctx context.Context, pd *providerData, clusterUID, uid, name string) (*wire.ClusterRbac, error) {
	l := pd.rbacList()
	list, err := l.read(ctx, pd.client, clusterUID)
	if err != nil {
		return nil, err
	}
	if e := l.find(list, uid, name); e != nil {
		return e, nil
	}
	return nil, fmt.Errorf("RBAC entry %q of cluster %s: %w", name, clusterUID, errEntryNotFound)
}

// oneBinding is an error unless the entry holds exactly one binding, the
// shape this resource manages (Palette's UI may group several).
func oneBinding(e *wire.ClusterRbac) error {
	if n := len(e.Spec.Bindings); n != 1 {
		return fmt.Errorf("RBAC entry %q (%s) holds %d bindings; palette_cluster_role_binding manages entries of one binding. "+
			"Split it in Palette, or leave it to Palette's UI", e.Metadata.Name, e.Metadata.UID, n)
	}
	return nil
}
