package agent_test

import (
	"errors"
	"fmt"
	"regexp"
	"slices"
	"testing"
	"time"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/terraform-palette/terraform-provider-palette/internal/acctest/kubelocal"
	"github.com/terraform-palette/terraform-provider-palette/internal/acctest/kubetest"
	"github.com/terraform-palette/terraform-provider-palette/internal/backup"
	"github.com/terraform-palette/terraform-provider-palette/internal/palette"
	"github.com/terraform-palette/terraform-provider-palette/internal/wire"
)

// backupOf is the status of a backup request of the cluster.
func (e *env) backupOf(uid, requestUID string) (wire.ClusterBackupStatusMeta, error) {
	b, err := e.pc.GetClusterBackup(e.ctx, uid)
	if err != nil {
		return wire.ClusterBackupStatusMeta{}, err
	}
	for _, s := range b.Status.ClusterBackupStatuses {
		if s.BackupRequestUID == requestUID {
			return s, nil
		}
	}
	return wire.ClusterBackupStatusMeta{}, fmt.Errorf("no backup request %s", requestUID)
}

// An on-demand backup of a namespace lands in the S3 server's bucket; the
// namespace deleted with client-go comes back, objects and data, from a
// restore; deleting the backup removes its objects from the bucket; a
// read-only cluster takes no backup.
func TestRunner_backupAndRestore(t *testing.T) {
	skipUnlessKube(t)
	s3 := kubetest.StartS3(t, "backups")
	e := newEnv(t, kubelocal.FlavorGeneric)
	ctx := e.ctx
	uid := e.importAndApply("bk", wire.CloudTypeGeneric, wire.ImportModeFullPermission)
	e.waitState(uid, wire.StateRunning)
	kubetest.CreateShop(ctx, t, e.kc)

	loc := s3.Location("backups")
	locUID, err := e.pc.CreateBackupLocation(ctx, wire.LocationTypeMinio, wire.UserAssetsLocationS3{
		Metadata: wire.ObjectMetaInputEntity{Name: "local"},
		Spec:     &wire.UserAssetsLocationS3Spec{Config: &loc, Type: wire.LocationTypeMinio},
	})
	if err != nil {
		t.Fatal(err)
	}
	got, err := e.pc.GetBackupLocation(ctx, wire.LocationTypeMinio, locUID)
	if err != nil {
		t.Fatal(err)
	}
	if got.Spec.Config.Credentials.SecretKey != "" || got.Spec.Config.Credentials.AccessKey != loc.Credentials.AccessKey {
		t.Fatalf("GET location shows credentials %+v: want the access key only", got.Spec.Config.Credentials)
	}

	reqUID, err := e.pc.CreateClusterBackupOnDemand(ctx, uid, wire.ClusterBackupConfig{
		BackupName: "shop-1", BackupLocationUID: locUID, DurationInHours: 24, Namespaces: []string{"shop"},
		IncludeClusterResourceMode: wire.IncludeClusterResourcesNever,
	})
	if err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	e.eventually("backup completed", time.Minute, func() error {
		st, err := e.backupOf(uid, reqUID)
		if err != nil {
			return err
		}
		if st.State != wire.BackupStateCompleted {
			return fmt.Errorf("state %s (%+v)", st.State, st.BackupStatusMeta)
		}
		meta := st.BackupStatusMeta[0]
		if meta.BackupState.BackupTime == nil || meta.ExpiryDate == nil ||
			meta.ExpiryDate.Sub(*meta.BackupState.BackupTime) != 24*time.Hour {
			return fmt.Errorf("times %+v, expiry %v", meta.BackupState, meta.ExpiryDate)
		}
		if !slices.Equal(meta.BackupedNamespaces, []string{"shop"}) {
			return fmt.Errorf("namespaces %v", meta.BackupedNamespaces)
		}
		return nil
	})
	t.Logf("backup completed in %s", time.Since(start).Round(time.Millisecond))
	key := backup.ResourcesObject(uid, "shop-1")
	if keys := s3.Objects(t, "backups", ""); !slices.Equal(keys, []string{key}) {
		t.Fatalf("bucket holds %v, want [%s]", keys, key)
	}

	if err := e.kc.CoreV1().Namespaces().Delete(ctx, "shop", metav1.DeleteOptions{}); err != nil {
		t.Fatal(err)
	}
	e.eventually("namespace shop gone", 2*time.Minute, func() error {
		if _, err := e.kc.CoreV1().Namespaces().Get(ctx, "shop", metav1.GetOptions{}); !apierrors.IsNotFound(err) {
			return fmt.Errorf("still there: %w", err)
		}
		return nil
	})
	rsUID, err := e.pc.CreateClusterRestoreOnDemand(ctx, uid, wire.ClusterRestoreConfig{
		BackupName: "shop-1", BackupRequestUID: reqUID, DestinationClusterUID: uid, IncludeNamespaces: []string{"shop"},
	})
	if err != nil {
		t.Fatal(err)
	}
	start = time.Now()
	e.eventually("restore completed", time.Minute, func() error {
		r, err := e.pc.GetClusterRestore(ctx, uid, rsUID)
		if err != nil {
			return err
		}
		if len(r.Status.ClusterRestoreStatuses) != 1 {
			return fmt.Errorf("restores %+v", r.Status.ClusterRestoreStatuses)
		}
		st := r.Status.ClusterRestoreStatuses[0]
		if st.State != wire.BackupStateCompleted || !st.RestoreStatusMeta.IsSucceeded {
			return fmt.Errorf("state %s: %s", st.State, st.RestoreStatusMeta.Msg)
		}
		return nil
	})
	t.Logf("restore completed in %s", time.Since(start).Round(time.Millisecond))
	if err := kubetest.ShopIsBack(ctx, e.kc); err != nil {
		t.Fatalf("after the restore: %v", err)
	}

	if err := e.pc.DeleteClusterBackup(ctx, uid, "shop-1", reqUID); err != nil {
		t.Fatal(err)
	}
	e.eventually("backup deleted", time.Minute, func() error {
		if _, err := e.backupOf(uid, reqUID); err == nil {
			return errors.New("the backup is still listed")
		}
		if keys := s3.Objects(t, "backups", ""); len(keys) > 0 {
			return fmt.Errorf("bucket still holds %v", keys)
		}
		return nil
	})

	ro := e.importAndApply("bk-ro", wire.CloudTypeGeneric, wire.ImportModeReadOnly)
	_, err = e.pc.CreateClusterBackupOnDemand(ctx, ro, wire.ClusterBackupConfig{BackupName: "x", BackupLocationUID: locUID, DurationInHours: 1})
	var apiErr *palette.APIError
	if !errors.As(err, &apiErr) || apiErr.Code != wire.CodeBackupsRequireFullPermission {
		t.Fatalf("backup of a read-only cluster: %v, want %s", err, wire.CodeBackupsRequireFullPermission)
	}
}

// The agent runs a cluster's schedule: a backup named <prefix>-<time>
// appears, taken by the schedule, with its objects in the bucket.
func TestRunner_scheduledBackup(t *testing.T) {
	skipUnlessKube(t)
	s3 := kubetest.StartS3(t, "backups")
	e := newEnv(t, kubelocal.FlavorGeneric)
	ctx := e.ctx
	uid := e.importAndApply("sched", wire.CloudTypeGeneric, wire.ImportModeFullPermission)
	e.waitState(uid, wire.StateRunning)
	kubetest.CreateShop(ctx, t, e.kc)
	loc := s3.Location("backups")
	locUID, err := e.pc.CreateBackupLocation(ctx, wire.LocationTypeMinio, wire.UserAssetsLocationS3{
		Metadata: wire.ObjectMetaInputEntity{Name: "sched"}, Spec: &wire.UserAssetsLocationS3Spec{Config: &loc}})
	if err != nil {
		t.Fatal(err)
	}
	if err := e.pc.CreateClusterBackupSchedule(ctx, uid, wire.ClusterBackupConfig{BackupLocationUID: locUID, BackupPrefix: "every",
		DurationInHours: 1, Namespaces: []string{"shop"}, Schedule: &wire.ClusterFeatureSchedule{ScheduledRunTime: "@every 2s"}}); err != nil {
		t.Fatal(err)
	}
	var name string
	e.eventually("a scheduled backup", time.Minute, func() error {
		b, err := e.pc.GetClusterBackup(ctx, uid)
		if err != nil {
			return err
		}
		for _, s := range b.Status.ClusterBackupStatuses {
			if s.Actor != nil && s.Actor.ActorType == "schedule" && s.State == wire.BackupStateCompleted {
				name = s.BackupStatusMeta[0].BackupName
				return nil
			}
		}
		return fmt.Errorf("no completed scheduled backup: %+v", b.Status.ClusterBackupStatuses)
	})
	if !regexp.MustCompile(`^every-\d{14}$`).MatchString(name) {
		t.Fatalf("scheduled backup named %q, want every-<yyyymmddhhmmss>", name)
	}
	if keys := s3.Objects(t, "backups", backup.ObjectPrefix(uid, name)); len(keys) != 1 {
		t.Fatalf("the bucket holds %v under %s", keys, backup.ObjectPrefix(uid, name))
	}
	// DELETE …/features/backup removes the schedule.
	if err := e.pc.DeleteClusterBackupSchedule(ctx, uid); err != nil {
		t.Fatal(err)
	}
}
