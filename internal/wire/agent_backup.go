package wire

import "time"

// The backup work of palette-local's own agent (not in Palette's API):
// GET /v1/spectroclusters/{uid}/agent/backups and PATCH
// /v1/spectroclusters/{uid}/agent/backups/status.

// AgentBackupTask is a backup the agent must take, or (Delete) whose
// objects it must remove from its location.
type AgentBackupTask struct {
	RequestUID string              `json:"requestUid"`
	BackupName string              `json:"backupName"`
	Config     ClusterBackupConfig `json:"config"`
	// Location is where the backup goes, with its secret key.
	Location S3StorageConfig `json:"location"`
	Delete   bool            `json:"delete,omitempty"`
}

// AgentRestoreTask is a restore the agent must run into its cluster.
type AgentRestoreTask struct {
	RestoreRequestUID string               `json:"restoreRequestUid"`
	SourceClusterUID  string               `json:"sourceClusterUid"`
	Config            ClusterRestoreConfig `json:"config"`
	// Location is where the backup is, with its secret key.
	Location S3StorageConfig `json:"location"`
}

// AgentBackupWork is GET /v1/spectroclusters/{uid}/agent/backups: the
// cluster's schedule (the agent runs it) and the on-demand work to do.
type AgentBackupWork struct {
	Schedule         *ClusterBackupConfig `json:"schedule,omitempty"`
	ScheduleLocation *S3StorageConfig     `json:"scheduleLocation,omitempty"`
	// ScheduleSince is when the schedule was set, LastScheduledRun when
	// its last run was reported: the next run is the schedule's first time
	// after the later of the two.
	ScheduleSince    *time.Time         `json:"scheduleSince,omitempty"`
	LastScheduledRun *time.Time         `json:"lastScheduledRun,omitempty"`
	Backups          []AgentBackupTask  `json:"backups"`
	Restores         []AgentRestoreTask `json:"restores"`
}

// AgentBackupResult is the end of a backup task. A scheduled run has no
// RequestUID: reporting it creates its request (once per BackupName).
type AgentBackupResult struct {
	RequestUID string     `json:"requestUid,omitempty"`
	BackupName string     `json:"backupName"`
	State      string     `json:"state"`
	Msg        string     `json:"msg,omitempty"`
	BackupTime *time.Time `json:"backupTime,omitempty"`
	Namespaces []string   `json:"namespaces,omitempty"`
	// Deleted reports that a deleted backup's objects are gone.
	Deleted bool `json:"deleted,omitempty"`
}

// AgentRestoreResult is the end of a restore task.
type AgentRestoreResult struct {
	RestoreRequestUID string     `json:"restoreRequestUid"`
	State             string     `json:"state"`
	Msg               string     `json:"msg,omitempty"`
	RestoreTime       *time.Time `json:"restoreTime,omitempty"`
}

// AgentBackupReport is the body of PATCH
// /v1/spectroclusters/{uid}/agent/backups/status.
type AgentBackupReport struct {
	Backups  []AgentBackupResult  `json:"backups"`
	Restores []AgentRestoreResult `json:"restores"`
}
