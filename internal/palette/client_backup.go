package palette

import (
	"context"
	"fmt"
	"net/http"
	"net/url"

	"github.com/terraform-palette/terraform-provider-palette/internal/wire"
)

// Backup locations, a cluster's backup schedule, and its on-demand backups
// and restores (docs/palette-api.md).

// locationPath is the path of the S3 or MinIO locations
// (/v1/users/assets/locations/s3 or …/minio).
func locationPath(locationType string) string {
	return "/v1/users/assets/locations/" + escape(locationType)
}

// postUID sends a POST that creates something and returns the uid of the
// answer. It is not sent again when its answer is lost (ErrOutcomeUnknown).
func (c *Client) postUID(ctx context.Context, path string, in any) (string, error) {
	var out wire.UIDResponse
	if _, err := c.call(ctx, &request{method: http.MethodPost, path: path, in: in, nonIdempotent: true}, &out); err != nil {
		return "", err
	}
	if out.UID == "" {
		return "", fmt.Errorf("palette: POST %s: answer carries no uid", path)
	}
	return out.UID, nil
}

// CreateBackupLocation creates an S3 or MinIO location (POST
// /v1/users/assets/locations/{s3,minio}) and returns its uid.
func (c *Client) CreateBackupLocation(ctx context.Context, locationType string, in wire.UserAssetsLocationS3) (string, error) {
	return c.postUID(ctx, locationPath(locationType), in)
}

// GetBackupLocation reads an S3 or MinIO location (GET
// /v1/users/assets/locations/{s3,minio}/{uid}); its secret key is never
// shown.
func (c *Client) GetBackupLocation(ctx context.Context, locationType, uid string) (*wire.UserAssetsLocationS3, error) {
	var out wire.UserAssetsLocationS3
	if _, err := c.call(ctx, &request{method: http.MethodGet, path: locationPath(locationType) + "/" + escape(uid)}, &out); err != nil {
		return nil, err
	}
	return &out, nil
}

// UpdateBackupLocation replaces an S3 or MinIO location (PUT
// /v1/users/assets/locations/{s3,minio}/{uid}).
func (c *Client) UpdateBackupLocation(ctx context.Context, locationType, uid string, in wire.UserAssetsLocationS3) error {
	_, err := c.call(ctx, &request{method: http.MethodPut, path: locationPath(locationType) + "/" + escape(uid), in: in}, nil)
	return err
}

// ListBackupLocations lists the user's locations (GET /v1/users/assets/locations).
func (c *Client) ListBackupLocations(ctx context.Context) ([]wire.UserAssetsLocation, error) {
	var out wire.UserAssetsLocations
	if _, err := c.call(ctx, &request{method: http.MethodGet, path: "/v1/users/assets/locations"}, &out); err != nil {
		return nil, err
	}
	return out.Items, nil
}

// DeleteBackupLocation deletes a location of any type (DELETE
// /v1/users/assets/locations/{uid}: the spec has no DELETE of …/minio/{uid}).
func (c *Client) DeleteBackupLocation(ctx context.Context, uid string) error {
	_, err := c.call(ctx, &request{method: http.MethodDelete, path: "/v1/users/assets/locations/" + escape(uid)}, nil)
	return err
}

// GetClusterBackup returns a cluster's backup schedule and backups (GET
// /v1/spectroclusters/{uid}/features/backup).
func (c *Client) GetClusterBackup(ctx context.Context, uid string) (*wire.ClusterBackup, error) {
	var out wire.ClusterBackup
	if _, err := c.call(ctx, &request{method: http.MethodGet, path: clusterPath(uid) + "/features/backup"}, &out); err != nil {
		return nil, err
	}
	return &out, nil
}

// CreateClusterBackupSchedule sets a cluster's backup schedule (POST
// /v1/spectroclusters/{uid}/features/backup).
func (c *Client) CreateClusterBackupSchedule(ctx context.Context, uid string, in wire.ClusterBackupConfig) error {
	_, err := c.postUID(ctx, clusterPath(uid)+"/features/backup", in)
	return err
}

// UpdateClusterBackupSchedule replaces a cluster's backup schedule (PUT
// /v1/spectroclusters/{uid}/features/backup).
func (c *Client) UpdateClusterBackupSchedule(ctx context.Context, uid string, in wire.ClusterBackupConfig) error {
	_, err := c.call(ctx, &request{method: http.MethodPut, path: clusterPath(uid) + "/features/backup", in: in}, nil)
	return err
}

// DeleteClusterBackupSchedule removes a cluster's backup schedule (DELETE
// /v1/spectroclusters/{uid}/features/backup); its backups stay.
func (c *Client) DeleteClusterBackupSchedule(ctx context.Context, uid string) error {
	_, err := c.call(ctx, &request{method: http.MethodDelete, path: clusterPath(uid) + "/features/backup"}, nil)
	return err
}

// CreateClusterBackupOnDemand starts a backup now (POST
// /v1/spectroclusters/{uid}/features/backup/onDemand) and returns the uid of
// its request.
func (c *Client) CreateClusterBackupOnDemand(ctx context.Context, uid string, in wire.ClusterBackupConfig) (string, error) {
	return c.postUID(ctx, clusterPath(uid)+"/features/backup/onDemand", in)
}

// DeleteClusterBackup deletes one backup (DELETE
// /v1/spectroclusters/{uid}/features/backup/{backupName}/request/{requestUid}).
func (c *Client) DeleteClusterBackup(ctx context.Context, uid, backupName, requestUID string) error {
	_, err := c.call(ctx, &request{method: http.MethodDelete,
		path: clusterPath(uid) + "/features/backup/" + escape(backupName) + "/request/" + escape(requestUID)}, nil)
	return err
}

// CreateClusterRestoreOnDemand starts a restore of a backup of the cluster
// (POST /v1/spectroclusters/{uid}/features/restore/onDemand) and returns the
// uid of its request.
func (c *Client) CreateClusterRestoreOnDemand(ctx context.Context, uid string, in wire.ClusterRestoreConfig) (string, error) {
	return c.postUID(ctx, clusterPath(uid)+"/features/restore/onDemand", in)
}

// GetClusterRestore returns the restores into a cluster (GET
// /v1/spectroclusters/{uid}/features/restore), or the one of requestUID
// when given.
func (c *Client) GetClusterRestore(ctx context.Context, uid, requestUID string) (*wire.ClusterRestore, error) {
	var q url.Values
	if requestUID != "" {
		q = url.Values{"restoreRequestUid": {requestUID}}
	}
	var out wire.ClusterRestore
	if _, err := c.call(ctx, &request{method: http.MethodGet, path: clusterPath(uid) + "/features/restore", query: q}, &out); err != nil {
		return nil, err
	}
	return &out, nil
}
