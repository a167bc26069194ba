package localapi_test

import (
	"context"
	"testing"
	"time"

	"github.com/terraform-palette/terraform-provider-palette/internal/palette"
	"github.com/terraform-palette/terraform-provider-palette/internal/wire"
)

// conformanceBackups drives the backup methods of the client: locations of
// both types, a schedule set, replaced and removed, an on-demand backup
// that the cluster's agent reports (its endpoint is exempt), a restore of
// it, the backup's delete, and the refusals (a read-only cluster, a secret
// key left out of a new location).
func conformanceBackups(ctx context.Context, t *testing.T, c, agent *palette.Client, uid, readOnly string) {
	t.Helper()
	must := func(what string, err error) {
		t.Helper()
		if err != nil {
			t.Fatalf("%s: %v", what, err)
		}
	}
	pathStyle := true
	location := func(name, typ, url string) wire.UserAssetsLocationS3 {
		return wire.UserAssetsLocationS3{Metadata: wire.ObjectMetaInputEntity{Name: name}, Spec: &wire.UserAssetsLocationS3Spec{Type: typ,
			Config: &wire.S3StorageConfig{BucketName: "backups", Region: "us-east-1", S3URL: url, S3ForcePathStyle: &pathStyle,
				Credentials: &wire.AwsCloudAccount{AccessKey: "AKIA", SecretKey: "s3cr3t", CredentialType: "secret"}}}}
	}
	minio, err := c.CreateBackupLocation(ctx, wire.LocationTypeMinio, location("conf-minio", wire.LocationTypeMinio, "http://127.0.0.1:9000"))
	must("create minio location", err)
	s3, err := c.CreateBackupLocation(ctx, wire.LocationTypeS3, location("conf-s3", wire.LocationTypeS3, ""))
	must("create s3 location", err)
	noSecret := location("conf-nosecret", wire.LocationTypeS3, "")
	noSecret.Spec.Config.Credentials.SecretKey = ""
	if _, err := c.CreateBackupLocation(ctx, wire.LocationTypeS3, noSecret); !palette.IsCode(err, wire.CodeBadRequest) {
		t.Fatalf("a location without a secret key: %v", err)
	}
	got, err := c.GetBackupLocation(ctx, wire.LocationTypeMinio, minio)
	must("get location", err)
	if got.Spec.Config.Credentials.SecretKey != "" {
		t.Fatal("GET shows the secret key")
	}
	upd := location("conf-minio", wire.LocationTypeMinio, "http://127.0.0.1:9001")
	upd.Spec.Config.Credentials.SecretKey = ""
	must("update location", c.UpdateBackupLocation(ctx, wire.LocationTypeMinio, minio, upd))
	must("update s3 location", c.UpdateBackupLocation(ctx, wire.LocationTypeS3, s3, location("conf-s3", wire.LocationTypeS3, "")))
	_, err = c.GetBackupLocation(ctx, wire.LocationTypeS3, s3)
	must("get s3 location", err)
	locs, err := c.ListBackupLocations(ctx)
	must("list locations", err)
	if len(locs) != 2 {
		t.Fatalf("locations %+v", locs)
	}

	sched := wire.ClusterBackupConfig{BackupLocationUID: minio, BackupPrefix: "nightly", DurationInHours: 72,
		Namespaces: []string{"team-a"}, IncludeClusterResourceMode: wire.IncludeClusterResourcesNever,
		Schedule: &wire.ClusterFeatureSchedule{ScheduledRunTime: "0 1 * * *"}}
	must("create schedule", c.CreateClusterBackupSchedule(ctx, uid, sched))
	sched.DurationInHours = 24
	must("update schedule", c.UpdateClusterBackupSchedule(ctx, uid, sched))
	reqUID, err := c.CreateClusterBackupOnDemand(ctx, uid, wire.ClusterBackupConfig{BackupName: "conf-1", BackupLocationUID: minio,
		DurationInHours: 1, Namespaces: []string{"team-a"}})
	must("backup on demand", err)
	now := time.Now().UTC()
	must("agent backup report", agent.ReportBackups(ctx, uid, wire.AgentBackupReport{Backups: []wire.AgentBackupResult{{
		RequestUID: reqUID, BackupName: "conf-1", State: wire.BackupStateCompleted, BackupTime: &now, Namespaces: []string{"team-a"}}}}))
	b, err := c.GetClusterBackup(ctx, uid)
	must("get backup", err)
	if b.Spec.Config == nil || b.Spec.Config.DurationInHours != 24 || len(b.Status.ClusterBackupStatuses) != 1 ||
		b.Status.ClusterBackupStatuses[0].State != wire.BackupStateCompleted {
		t.Fatalf("backup %+v", b)
	}
	rsUID, err := c.CreateClusterRestoreOnDemand(ctx, uid, wire.ClusterRestoreConfig{BackupName: "conf-1", BackupRequestUID: reqUID,
		DestinationClusterUID: uid, IncludeNamespaces: []string{"team-a"}})
	must("restore on demand", err)
	rs, err := c.GetClusterRestore(ctx, uid, rsUID)
	must("get restore", err)
	if len(rs.Status.ClusterRestoreStatuses) != 1 || rs.Status.ClusterRestoreStatuses[0].State != wire.BackupStateInProgress {
		t.Fatalf("restore %+v", rs)
	}
	_, err = c.GetClusterBackup(ctx, uid)
	must("get backup with its restore", err)
	if _, err := c.CreateClusterBackupOnDemand(ctx, readOnly, wire.ClusterBackupConfig{BackupName: "x", BackupLocationUID: minio,
		DurationInHours: 1}); !palette.IsCode(err, wire.CodeBackupsRequireFullPermission) {
		t.Fatalf("a backup of a read-only cluster: %v", err)
	}
	if err := c.DeleteBackupLocation(ctx, minio); !palette.IsCode(err, wire.CodeConflict) {
		t.Fatalf("delete of a location a schedule uses: %v", err)
	}
	must("delete backup", c.DeleteClusterBackup(ctx, uid, "conf-1", reqUID))
	must("delete schedule", c.DeleteClusterBackupSchedule(ctx, uid))
	must("delete location", c.DeleteBackupLocation(ctx, minio))
	must("delete s3 location", c.Do(ctx, "DELETE", "/v1/users/assets/locations/s3/"+s3, nil, nil))
}
