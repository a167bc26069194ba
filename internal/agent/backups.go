package agent

// Backups and restores (GET …/agent/backups, in Full Permission clusters):
// the agent takes the objects of the selected namespaces (and the
// cluster-scoped ones of includeClusterResourceMode) with client-go's
// dynamic client, writes them as one gzipped JSON object to the location's
// bucket (internal/backup.ResourcesObject), and creates them again on a
// restore. It runs the cluster's schedule itself (its cron expression,
// from when it was set or last ran) and the on-demand backups, deletions
// and restores, and reports each end through PATCH …/agent/backups/status.
//
// Velero is what Palette runs; it cannot run here: its server is a pod
// that needs a kubelet, and its file-system backups a node agent on each
// node (see docs/palette-api.md).

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/minio/minio-go/v7"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"

	"github.com/terraform-palette/terraform-provider-palette/internal/backup"
	"github.com/terraform-palette/terraform-provider-palette/internal/kube"
	"github.com/terraform-palette/terraform-provider-palette/internal/palette"
	"github.com/terraform-palette/terraform-provider-palette/internal/wire"
)

// backupTimeout bounds one backup or restore.
const backupTimeout = 5 * time.Minute

// snapshotOps exports and restores objects (a *kube.Client).
type snapshotOps interface {
	Export(ctx context.Context, opts kube.ExportOptions) ([]unstructured.Unstructured, []string, error)
	Restore(ctx context.Context, objs []unstructured.Unstructured, opts kube.RestoreOptions) (kube.RestoreResult, error)
}

// backupState is what the agent remembers of its backups between polls:
// results the API has not taken yet are sent again.
type backupState struct {
	unsent wire.AgentBackupReport
	// ran are the requests whose result was reported, so that a work list
	// read before the report landed does not run them twice.
	ran map[string]bool
}

// runBackups runs what GET …/agent/backups asks for and reports it.
func (a *Agent) runBackups(ctx context.Context) error {
	if a.snap == nil {
		return nil
	}
	if a.backups.ran == nil {
		a.backups.ran = map[string]bool{}
	}
	if err := a.flushBackupReport(ctx); err != nil {
		return err
	}
	var work *wire.AgentBackupWork
	if err := a.call(ctx, func(ctx context.Context, c *palette.Client) error {
		w, err := c.GetAgentBackupWork(ctx, a.info.ClusterUID)
		work = w
		return err
	}); err != nil {
		return fmt.Errorf("reading the backup work: %w", err)
	}
	rep := &a.backups.unsent
	for _, t := range work.Backups {
		if a.backups.ran[ranKey(t.RequestUID, t.Delete)] {
			continue
		}
		if t.Delete {
			if err := a.deleteBackup(ctx, t); err != nil {
				a.log.Warn("backup deletion failed; retrying", "backup", t.BackupName, "error", err)
				continue
			}
			rep.Backups = append(rep.Backups, wire.AgentBackupResult{RequestUID: t.RequestUID, BackupName: t.BackupName,
				State: wire.BackupStateCompleted, Deleted: true})
			continue
		}
		res := a.takeBackup(ctx, t.BackupName, t.Config, t.Location)
		res.RequestUID = t.RequestUID
		rep.Backups = append(rep.Backups, res)
	}
	if work.Schedule != nil && work.ScheduleLocation != nil && work.ScheduleSince != nil {
		if res, ok := a.scheduledBackup(ctx, work); ok {
			rep.Backups = append(rep.Backups, res)
		}
	}
	for _, t := range work.Restores {
		if a.backups.ran[t.RestoreRequestUID] {
			continue
		}
		rep.Restores = append(rep.Restores, a.restore(ctx, t))
	}
	return a.flushBackupReport(ctx)
}

// flushBackupReport sends the results not sent yet.
func (a *Agent) flushBackupReport(ctx context.Context) error {
	rep := a.backups.unsent
	if len(rep.Backups) == 0 && len(rep.Restores) == 0 {
		return nil
	}
	if err := a.call(ctx, func(ctx context.Context, c *palette.Client) error {
		return c.ReportBackups(ctx, a.info.ClusterUID, rep)
	}); err != nil {
		return fmt.Errorf("reporting backups: %w", err)
	}
	for _, b := range rep.Backups {
		if b.RequestUID != "" {
			a.backups.ran[ranKey(b.RequestUID, b.Deleted)] = true
		}
	}
	for _, r := range rep.Restores {
		a.backups.ran[r.RestoreRequestUID] = true
	}
	a.backups.unsent = wire.AgentBackupReport{}
	return nil
}

// ranKey names a backup request's run, or its deletion, in backupState.ran.
func ranKey(requestUID string, deletion bool) string {
	if deletion {
		return requestUID + "/delete"
	}
	return requestUID
}

// scheduledBackup takes the schedule's backup when it is due: named
// <prefix>-<time of the run, UTC, yyyymmddhhmmss>, so that a run reported
// twice is one backup.
func (a *Agent) scheduledBackup(ctx context.Context, work *wire.AgentBackupWork) (wire.AgentBackupResult, bool) {
	sched, err := backup.ParseSchedule(work.Schedule.Schedule.ScheduledRunTime)
	if err != nil {
		return wire.AgentBackupResult{}, false
	}
	var last time.Time
	if work.LastScheduledRun != nil {
		last = *work.LastScheduledRun
	}
	next := backup.NextRun(sched, *work.ScheduleSince, last)
	if time.Now().Before(next) {
		return wire.AgentBackupResult{}, false
	}
	name := work.Schedule.BackupPrefix + "-" + next.UTC().Format("20060102150405")
	for _, b := range a.backups.unsent.Backups {
		if b.BackupName == name {
			return wire.AgentBackupResult{}, false
		}
	}
	a.log.Info("scheduled backup due", "backup", name, "schedule", work.Schedule.Schedule.ScheduledRunTime)
	return a.takeBackup(ctx, name, *work.Schedule, *work.ScheduleLocation), true
}

// takeBackup exports the objects of a backup to its location.
func (a *Agent) takeBackup(ctx context.Context, name string, cfg wire.ClusterBackupConfig, loc wire.S3StorageConfig) wire.AgentBackupResult {
	ctx, cancel := context.WithTimeout(ctx, backupTimeout)
	defer cancel()
	res := wire.AgentBackupResult{BackupName: name, State: wire.BackupStateFailed}
	objs, namespaces, err := a.snap.Export(ctx, kube.ExportOptions{
		Namespaces: cfg.Namespaces, Exclude: []string{a.cfg.Namespace}, ClusterResources: cfg.IncludeClusterResourceMode,
	})
	if err != nil {
		res.Msg = err.Error()
		a.log.Warn("backup failed", "backup", name, "error", err)
		return res
	}
	if err := putBackup(ctx, loc, a.info.ClusterUID, name, objs); err != nil {
		res.Msg = err.Error()
		a.log.Warn("backup failed", "backup", name, "error", err)
		return res
	}
	now := time.Now().UTC()
	res.State, res.BackupTime, res.Namespaces = wire.BackupStateCompleted, &now, namespaces
	res.Msg = fmt.Sprintf("%d objects of %d namespaces", len(objs), len(namespaces))
	a.log.Info("backup completed", "backup", name, "objects", len(objs), "namespaces", namespaces)
	return res
}

// restore creates the objects of a backup again in the cluster.
func (a *Agent) restore(ctx context.Context, t wire.AgentRestoreTask) wire.AgentRestoreResult {
	ctx, cancel := context.WithTimeout(ctx, backupTimeout)
	defer cancel()
	res := wire.AgentRestoreResult{RestoreRequestUID: t.RestoreRequestUID, State: wire.BackupStateFailed}
	objs, err := getBackup(ctx, t.Location, t.SourceClusterUID, t.Config.BackupName)
	if err != nil {
		res.Msg = err.Error()
		a.log.Warn("restore failed", "backup", t.Config.BackupName, "error", err)
		return res
	}
	mode := t.Config.IncludeClusterResourceMode
	if mode == "" && !t.Config.IncludeClusterResources {
		mode = kube.ClusterResourcesAuto
	}
	out, err := a.snap.Restore(ctx, objs, kube.RestoreOptions{Namespaces: t.Config.IncludeNamespaces, ClusterResources: mode})
	if err != nil {
		res.Msg = err.Error()
		a.log.Warn("restore failed", "backup", t.Config.BackupName, "error", err)
		return res
	}
	now := time.Now().UTC()
	res.State, res.RestoreTime = wire.BackupStateCompleted, &now
	res.Msg = fmt.Sprintf("%d objects created, %d existed and were left alone", out.Created, out.Existing)
	a.log.Info("restore completed", "backup", t.Config.BackupName, "created", out.Created, "existing", out.Existing)
	return res
}

// deleteBackup removes a backup's objects from its location.
func (a *Agent) deleteBackup(ctx context.Context, t wire.AgentBackupTask) error {
	c, err := backup.NewS3Client(t.Location)
	if err != nil {
		return err
	}
	prefix := backup.ObjectPrefix(a.info.ClusterUID, t.BackupName)
	for obj := range c.ListObjects(ctx, t.Location.BucketName, minio.ListObjectsOptions{Prefix: prefix, Recursive: true}) {
		if obj.Err != nil {
			return fmt.Errorf("listing %s: %w", prefix, obj.Err)
		}
		if err := c.RemoveObject(ctx, t.Location.BucketName, obj.Key, minio.RemoveObjectOptions{}); err != nil {
			return fmt.Errorf("removing %s: %w", obj.Key, err)
		}
	}
	return nil
}

// putBackup writes the objects of a backup to its bucket.
func putBackup(ctx context.Context, loc wire.S3StorageConfig, clusterUID, name string, objs []unstructured.Unstructured) error {
	c, err := backup.NewS3Client(loc)
	if err != nil {
		return err
	}
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	items := make([]map[string]any, len(objs))
	for i := range objs {
		items[i] = objs[i].Object
	}
	if err := json.NewEncoder(zw).Encode(items); err != nil {
		return fmt.Errorf("encoding the backup: %w", err)
	}
	if err := zw.Close(); err != nil {
		return fmt.Errorf("encoding the backup: %w", err)
	}
	key := backup.ResourcesObject(clusterUID, name)
	if _, err := c.PutObject(ctx, loc.BucketName, key, &buf, int64(buf.Len()),
		minio.PutObjectOptions{ContentType: "application/gzip"}); err != nil {
		return fmt.Errorf("writing s3://%s/%s: %w", loc.BucketName, key, err)
	}
	return nil
}

// getBackup reads the objects of a backup from its bucket.
func getBackup(ctx context.Context, loc wire.S3StorageConfig, clusterUID, name string) ([]unstructured.Unstructured, error) {
	c, err := backup.NewS3Client(loc)
	if err != nil {
		return nil, err
	}
	key := backup.ResourcesObject(clusterUID, name)
	obj, err := c.GetObject(ctx, loc.BucketName, key, minio.GetObjectOptions{})
	if err != nil {
		return nil, fmt.Errorf("reading s3://%s/%s: %w", loc.BucketName, key, err)
	}
	defer obj.Close()
	zr, err := gzip.NewReader(obj)
	if err != nil {
		return nil, fmt.Errorf("reading s3://%s/%s: %w", loc.BucketName, key, err)
	}
	var items []map[string]any
	if err := json.NewDecoder(io.LimitReader(zr, 256<<20)).Decode(&items); err != nil {
		return nil, fmt.Errorf("decoding s3://%s/%s: %w", loc.BucketName, key, err)
	}
	out := make([]unstructured.Unstructured, 0, len(items))
	for _, it := range items {
		if it == nil {
			return nil, errors.New("the backup holds a null object")
		}
		out = append(out, unstructured.Unstructured{Object: it})
	}
	return out, nil
}
