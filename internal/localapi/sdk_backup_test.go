package localapi_test

import (
	"context"
	"testing"
	"time"

	"github.com/spectrocloud/palette-sdk-go/api/models"

	"github.com/terraform-palette/terraform-provider-palette/internal/acctest/localtest"
	"github.com/terraform-palette/terraform-provider-palette/internal/acctest/palettespec"
	"github.com/terraform-palette/terraform-provider-palette/internal/localapi"
	"github.com/terraform-palette/terraform-provider-palette/internal/palette"
	"github.com/terraform-palette/terraform-provider-palette/internal/wire"
)

// palette-sdk-go's own backup functions against palette-local, answers
// checked against the spec: MinIO and S3 locations (created, read without
// their secret key, updated, listed, found, deleted), a cluster's schedule
// (Get before any is nil, Apply creates then updates), an on-demand backup
// and a restore of it.
func TestPaletteSDK_backups(t *testing.T) {
	rec := palettespec.NewRecorder(palettespec.MustLoad(t), exemptExtras)
	rec.ResponsesOnly = true
	rec.Name = "palette-local's answers to palette-sdk-go (backups)"
	inst := localtest.Start(t, localtest.WithTLS(), localtest.WithConfig(func(c *localapi.Config) { c.Wrap = rec.Middleware }))
	c := newSDK(t, inst)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()

	uid, err := c.ImportClusterGeneric(&models.V1ObjectMetaInputEntity{Name: "sdk-backup"})
	if err != nil {
		t.Fatal(err)
	}
	ours, err := palette.NewClient(palette.Config{Host: inst.URL, APIKey: inst.APIKey, ProjectUID: inst.ProjectUID, CACertificatePEM: inst.CACertificatePEM})
	if err != nil {
		t.Fatal(err)
	}
	manifest, err := ours.GetImportManifest(ctx, uid)
	if err != nil {
		t.Fatal(err)
	}
	agent := agentClient(t, inst, string(manifest))

	pathStyle := true
	bucket, region := "backups", "us-east-1"
	loc := func(name, url string) *models.V1UserAssetsLocationS3 {
		return &models.V1UserAssetsLocationS3{
			Metadata: &models.V1ObjectMetaInputEntity{Name: name},
			Spec: &models.V1UserAssetsLocationS3Spec{Config: &models.V1S3StorageConfig{
				BucketName: &bucket, Region: &region, S3URL: url, S3ForcePathStyle: &pathStyle,
				Credentials: &models.V1AwsCloudAccount{AccessKey: "AKIA", SecretKey: "s3cr3t"},
			}},
		}
	}
	minioUID, err := c.CreateMinioBackupStorageLocation(loc("sdk-minio", "http://127.0.0.1:9000"))
	if err != nil {
		t.Fatalf("CreateMinioBackupStorageLocation: %v", err)
	}
	s3UID, err := c.CreateS3BackupStorageLocation(loc("sdk-s3", ""))
	if err != nil {
		t.Fatalf("CreateS3BackupStorageLocation: %v", err)
	}
	m, err := c.GetMinioBackupStorageLocation(minioUID)
	if err != nil || m.Spec.Config.Credentials.SecretKey != "" || m.Spec.Config.Credentials.AccessKey != "AKIA" || *m.Spec.Config.BucketName != bucket {
		t.Fatalf("GetMinioBackupStorageLocation: %+v, %v", m, err)
	}
	if err := c.UpdateS3BackupStorageLocation(s3UID, loc("sdk-s3-renamed", "")); err != nil {
		t.Fatalf("UpdateS3BackupStorageLocation: %v", err)
	}
	if s, err := c.GetS3BackupStorageLocation(s3UID); err != nil || s.Metadata.Name != "sdk-s3-renamed" {
		t.Fatalf("GetS3BackupStorageLocation: %+v, %v", s, err)
	}
	if l, err := c.GetBackupStorageLocation(minioUID); err != nil || l == nil || l.Spec.Type != wire.LocationTypeMinio {
		t.Fatalf("GetBackupStorageLocation: %+v, %v", l, err)
	}
	if all, err := c.ListBackupStorageLocation(); err != nil || len(all) != 2 {
		t.Fatalf("ListBackupStorageLocation: %d, %v", len(all), err)
	}

	if b, err := c.GetClusterBackupConfig(uid); err != nil || b != nil {
		t.Fatalf("GetClusterBackupConfig before any: %+v, %v (want nil, nil)", b, err)
	}
	cfg := &models.V1ClusterBackupConfig{BackupLocationUID: minioUID, BackupPrefix: "sdk", DurationInHours: 48,
		Namespaces: []string{"team-a"}, IncludeClusterResourceMode: models.V1IncludeClusterResourceModeNever,
		Schedule: &models.V1ClusterFeatureSchedule{ScheduledRunTime: "0 2 * * *"}}
	if err := c.ApplyClusterBackupConfig(uid, cfg); err != nil {
		t.Fatalf("ApplyClusterBackupConfig (create): %v", err)
	}
	cfg.DurationInHours = 24
	if err := c.ApplyClusterBackupConfig(uid, cfg); err != nil {
		t.Fatalf("ApplyClusterBackupConfig (update): %v", err)
	}
	b, err := c.GetClusterBackupConfig(uid)
	if err != nil || b == nil || b.Spec.Config.DurationInHours != 24 || b.Spec.Config.Schedule.ScheduledRunTime != "0 2 * * *" {
		t.Fatalf("GetClusterBackupConfig: %+v, %v", b, err)
	}
	req, err := c.CreateClusterBackupConfigOnDemand(uid, &models.V1ClusterBackupConfig{BackupName: "sdk-1", BackupLocationUID: minioUID, DurationInHours: 1})
	if err != nil || req == nil || *req.UID == "" {
		t.Fatalf("CreateClusterBackupConfigOnDemand: %+v, %v", req, err)
	}
	now := time.Now().UTC()
	if err := agent.ReportBackups(ctx, uid, wire.AgentBackupReport{Backups: []wire.AgentBackupResult{{RequestUID: *req.UID,
		BackupName: "sdk-1", State: wire.BackupStateCompleted, BackupTime: &now, Namespaces: []string{"team-a"}}}}); err != nil {
		t.Fatal(err)
	}
	rs, err := c.CreateClusterRestoreConfigOnDemand(uid, &models.V1ClusterRestoreConfig{BackupName: ptr("sdk-1"),
		BackupRequestUID: req.UID, DestinationClusterUID: &uid})
	if err != nil || rs == nil || *rs.UID == "" {
		t.Fatalf("CreateClusterRestoreConfigOnDemand: %+v, %v", rs, err)
	}
	restores, err := c.GetClusterRestoreConfigOnDemand(uid)
	if err != nil || len(restores.Status.ClusterRestoreStatuses) != 1 || restores.Status.ClusterRestoreStatuses[0].RestoreRequestUID != *rs.UID {
		t.Fatalf("GetClusterRestoreConfigOnDemand: %+v, %v", restores, err)
	}
	if err := c.DeleteS3BackupStorageLocation(s3UID); err != nil {
		t.Fatalf("DeleteS3BackupStorageLocation: %v", err)
	}
	rec.Report(t)
}
