package palette

import (
	"context"
	"net/http"

	"github.com/terraform-palette/terraform-provider-palette/internal/wire"
)

// A cluster's Day-2 settings: its namespaces and RBAC bindings
// (docs/palette-api.md). Each list PUT replaces the whole list; callers
// read, change and write under their own lock (the provider serialises
// writes per cluster).

// GetClusterNamespaces returns a cluster's namespaces
// (GET /v1/spectroclusters/{uid}/config/namespaces).
func (c *Client) GetClusterNamespaces(ctx context.Context, uid string) ([]wire.ClusterNamespaceResource, error) {
	var out wire.ClusterNamespaceResources
	if _, err := c.call(ctx, &request{method: http.MethodGet, path: clusterPath(uid) + "/config/namespaces"}, &out); err != nil {
		return nil, err
	}
	return out.Items, nil
}

// PutClusterNamespaces replaces a cluster's namespaces
// (PUT /v1/spectroclusters/{uid}/config/namespaces).
func (c *Client) PutClusterNamespaces(ctx context.Context, uid string, entries []wire.ClusterNamespaceResourceInputEntity) error {
	if entries == nil {
		entries = []wire.ClusterNamespaceResourceInputEntity{}
	}
	_, err := c.call(ctx, &request{
		method: http.MethodPut, path: clusterPath(uid) + "/config/namespaces",
		in: wire.ClusterNamespaceResourcesUpdateEntity{Namespaces: entries},
	}, nil)
	return err
}

// PutClusterNamespace updates one namespace of a cluster and leaves the
// others alone (PUT /v1/spectroclusters/{uid}/config/namespaces/{namespaceUid}).
func (c *Client) PutClusterNamespace(ctx context.Context, uid string, entry wire.ClusterNamespaceResourceInputEntity) error {
	_, err := c.call(ctx, &request{
		method: http.MethodPut, path: clusterPath(uid) + "/config/namespaces/" + escape(entry.Metadata.UID), in: entry,
	}, nil)
	return err
}

// GetClusterRbacs returns a cluster's RBAC entries
// (GET /v1/spectroclusters/{uid}/config/rbacs).
func (c *Client) GetClusterRbacs(ctx context.Context, uid string) ([]wire.ClusterRbac, error) {
	var out wire.ClusterRbacs
	if _, err := c.call(ctx, &request{method: http.MethodGet, path: clusterPath(uid) + "/config/rbacs"}, &out); err != nil {
		return nil, err
	}
	return out.Items, nil
}

// PutClusterRbacs replaces a cluster's RBAC entries
// (PUT /v1/spectroclusters/{uid}/config/rbacs).
func (c *Client) PutClusterRbacs(ctx context.Context, uid string, entries []wire.ClusterRbacInputEntity) error {
	if entries == nil {
		entries = []wire.ClusterRbacInputEntity{}
	}
	_, err := c.call(ctx, &request{
		method: http.MethodPut, path: clusterPath(uid) + "/config/rbacs",
		in: wire.ClusterRbacResourcesUpdateEntity{Rbacs: entries},
	}, nil)
	return err
}

// PutClusterRbac updates one RBAC entry of a cluster and leaves the others
// alone (PUT /v1/spectroclusters/{uid}/config/rbacs/{rbacUid}).
func (c *Client) PutClusterRbac(ctx context.Context, uid string, entry wire.ClusterRbacInputEntity) error {
	_, err := c.call(ctx, &request{
		method: http.MethodPut, path: clusterPath(uid) + "/config/rbacs/" + escape(entry.Metadata.UID), in: entry,
	}, nil)
	return err
}
