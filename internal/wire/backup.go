package wire

import "time"

// Backups of a cluster and their locations: the S3 and MinIO-style
// locations of the user's assets (/v1/users/assets/locations/s3 and
// …/minio, with …/{uid}; deleted by /v1/users/assets/locations/{uid}), a
// cluster's backup schedule (/v1/spectroclusters/{uid}/features/backup),
// its on-demand backups (…/features/backup/onDemand, deleted by
// …/features/backup/{backupName}/request/{requestUid}) and its restores
// (…/features/restore and …/features/restore/onDemand).

// Location types of v1UserAssetsLocationS3Spec.type (v1LocationType).
const (
	LocationTypeS3    = "s3"
	LocationTypeMinio = "minio"
)

// Modes of v1IncludeClusterResourceMode.
const (
	IncludeClusterResourcesAlways = "Always"
	IncludeClusterResourcesAuto   = "Auto"
	IncludeClusterResourcesNever  = "Never"
)

// States of a backup or a restore (v1BackupState.state,
// v1ClusterBackupStatusMeta.state, v1ClusterRestoreStatusMeta.state): the
// spec leaves them free text; these are Palette's (Velero's phases).
const (
	BackupStateInProgress = "InProgress"
	BackupStateCompleted  = "Completed"
	BackupStateFailed     = "Failed"
)

// AwsCloudAccount is v1AwsCloudAccount, the credentials of an S3 location:
// only the access key pair (credentialType "secret"). Palette never shows
// the secret key again: a read answers without it.
type AwsCloudAccount struct {
	AccessKey      string `json:"accessKey,omitempty"`
	SecretKey      string `json:"secretKey,omitempty"`
	CredentialType string `json:"credentialType,omitempty"`
}

// S3StorageConfig is v1S3StorageConfig.
type S3StorageConfig struct {
	BucketName       string           `json:"bucketName"`
	Region           string           `json:"region"`
	CaCert           string           `json:"caCert,omitempty"`
	Credentials      *AwsCloudAccount `json:"credentials"`
	S3ForcePathStyle *bool            `json:"s3ForcePathStyle,omitempty"`
	S3URL            string           `json:"s3Url,omitempty"`
	UseRestic        *bool            `json:"useRestic,omitempty"`
}

// UserAssetsLocationS3Spec is v1UserAssetsLocationS3Spec.
type UserAssetsLocationS3Spec struct {
	Config    *S3StorageConfig `json:"config"`
	IsDefault bool             `json:"isDefault"`
	Type      string           `json:"type,omitempty"`
}

// UserAssetsLocationS3 is v1UserAssetsLocationS3: an S3 or MinIO location
// as created, updated and read (its metadata is v1ObjectMetaInputEntity:
// the uid is the path's).
type UserAssetsLocationS3 struct {
	Metadata ObjectMetaInputEntity     `json:"metadata"`
	Spec     *UserAssetsLocationS3Spec `json:"spec"`
}

// UserAssetsLocationSpec is v1UserAssetsLocationSpec.
type UserAssetsLocationSpec struct {
	IsDefault bool   `json:"isDefault"`
	Storage   string `json:"storage,omitempty"`
	Type      string `json:"type,omitempty"`
}

// UserAssetsLocation is v1UserAssetsLocation, one entry of the list.
type UserAssetsLocation struct {
	Metadata ObjectMeta             `json:"metadata"`
	Spec     UserAssetsLocationSpec `json:"spec"`
}

// UserAssetsLocations is v1UserAssetsLocations (GET /v1/users/assets/locations).
type UserAssetsLocations struct {
	Items []UserAssetsLocation `json:"items"`
}

// ClusterFeatureSchedule is v1ClusterFeatureSchedule: a cron expression
// (of a backup schedule, of a compliance scan driver).
type ClusterFeatureSchedule struct {
	ScheduledRunTime string `json:"scheduledRunTime,omitempty"`
}

// ClusterBackupConfig is v1ClusterBackupConfig: a cluster's backup
// schedule (POST/PUT …/features/backup) or one backup (…/onDemand).
type ClusterBackupConfig struct {
	BackupLocationName         string                  `json:"backupLocationName,omitempty"`
	BackupLocationUID          string                  `json:"backupLocationUid,omitempty"`
	BackupName                 string                  `json:"backupName,omitempty"`
	BackupPrefix               string                  `json:"backupPrefix,omitempty"`
	DurationInHours            int64                   `json:"durationInHours,omitempty"`
	IncludeAllDisks            bool                    `json:"includeAllDisks"`
	IncludeClusterResourceMode string                  `json:"includeClusterResourceMode,omitempty"`
	IncludeClusterResources    bool                    `json:"includeClusterResources"`
	LocationType               string                  `json:"locationType,omitempty"`
	Namespaces                 []string                `json:"namespaces,omitempty"`
	Schedule                   *ClusterFeatureSchedule `json:"schedule,omitempty"`
}

// ClusterFeatureActor is v1ClusterFeatureActor: who asked for a run
// (actorType "schedule", or "onDemand" for a backup and "user" for a
// compliance scan run on demand).
type ClusterFeatureActor struct {
	ActorType string `json:"actorType,omitempty"`
	UID       string `json:"uid,omitempty"`
}

// BackupStatusConfig is v1BackupStatusConfig.
type BackupStatusConfig struct {
	IncludeAllDisks            bool     `json:"includeAllDisks"`
	IncludeClusterResourceMode string   `json:"includeClusterResourceMode,omitempty"`
	IncludeClusterResources    bool     `json:"includeClusterResources"`
	Namespaces                 []string `json:"namespaces"`
}

// BackupLocationConfig is v1BackupLocationConfig.
type BackupLocationConfig struct {
	Name string `json:"name,omitempty"`
	Type string `json:"type,omitempty"`
	UID  string `json:"uid,omitempty"`
}

// BackupState is v1BackupState.
type BackupState struct {
	BackupTime  *time.Time `json:"backupTime,omitempty"`
	DeleteState string     `json:"deleteState,omitempty"`
	Msg         string     `json:"msg,omitempty"`
	State       string     `json:"state,omitempty"`
}

// BackupStatusMeta is v1BackupStatusMeta: one backup of a request.
type BackupStatusMeta struct {
	BackupName         string       `json:"backupName,omitempty"`
	BackupState        *BackupState `json:"backupState,omitempty"`
	BackupedNamespaces []string     `json:"backupedNamespaces"`
	ExpiryDate         *time.Time   `json:"expiryDate,omitempty"`
}

// ResourceReference is v1ResourceReference.
type ResourceReference struct {
	Kind string `json:"kind,omitempty"`
	Name string `json:"name,omitempty"`
	UID  string `json:"uid"`
}

// BackupRestoreStatusMeta is v1BackupRestoreStatusMeta: a restore of a
// backup, as its backup shows it.
type BackupRestoreStatusMeta struct {
	BackupName            string             `json:"backupName,omitempty"`
	DestinationClusterRef *ResourceReference `json:"destinationClusterRef,omitempty"`
	RestoreState          string             `json:"restoreState,omitempty"`
}

// ClusterBackupStatusMeta is v1ClusterBackupStatusMeta: one backup request
// (a scheduled run or an on-demand backup).
type ClusterBackupStatusMeta struct {
	Actor                *ClusterFeatureActor      `json:"actor,omitempty"`
	BackupConfig         *BackupStatusConfig       `json:"backupConfig,omitempty"`
	BackupLocationConfig *BackupLocationConfig     `json:"backupLocationConfig,omitempty"`
	BackupRequestUID     string                    `json:"backupRequestUid,omitempty"`
	BackupStatusMeta     []BackupStatusMeta        `json:"backupStatusMeta"`
	RestoreStatusMeta    []BackupRestoreStatusMeta `json:"restoreStatusMeta"`
	State                string                    `json:"state,omitempty"`
}

// ClusterBackupSpec is v1ClusterBackupSpec.
type ClusterBackupSpec struct {
	ClusterUID string               `json:"clusterUid,omitempty"`
	Config     *ClusterBackupConfig `json:"config,omitempty"`
}

// ClusterBackupStatus is v1ClusterBackupStatus.
type ClusterBackupStatus struct {
	ClusterBackupStatuses []ClusterBackupStatusMeta `json:"clusterBackupStatuses"`
}

// ClusterBackup is v1ClusterBackup (GET …/features/backup): the schedule
// (spec.config, absent when none is set) and the backups.
type ClusterBackup struct {
	Metadata *ObjectMeta          `json:"metadata,omitempty"`
	Spec     *ClusterBackupSpec   `json:"spec,omitempty"`
	Status   *ClusterBackupStatus `json:"status,omitempty"`
}

// ClusterRestoreConfig is v1ClusterRestoreConfig (POST …/restore/onDemand).
type ClusterRestoreConfig struct {
	BackupName                 string   `json:"backupName"`
	BackupRequestUID           string   `json:"backupRequestUid"`
	DestinationClusterUID      string   `json:"destinationClusterUid"`
	IncludeClusterResourceMode string   `json:"includeClusterResourceMode,omitempty"`
	IncludeClusterResources    bool     `json:"includeClusterResources"`
	IncludeNamespaces          []string `json:"includeNamespaces,omitempty"`
	PreserveNodePorts          bool     `json:"preserveNodePorts"`
	RestorePVs                 bool     `json:"restorePVs"`
}

// RestoreStatusMeta is v1RestoreStatusMeta.
type RestoreStatusMeta struct {
	IsSucceeded bool       `json:"isSucceeded"`
	Msg         string     `json:"msg,omitempty"`
	RestoreTime *time.Time `json:"restoreTime,omitempty"`
}

// ClusterRestoreStatusMeta is v1ClusterRestoreStatusMeta: one restore
// into the cluster.
type ClusterRestoreStatusMeta struct {
	Actor             *ClusterFeatureActor `json:"actor,omitempty"`
	BackupName        string               `json:"backupName,omitempty"`
	BackupRequestUID  string               `json:"backupRequestUid,omitempty"`
	RestoreRequestUID string               `json:"restoreRequestUid,omitempty"`
	RestoreStatusMeta *RestoreStatusMeta   `json:"restoreStatusMeta,omitempty"`
	SourceClusterRef  *ResourceReference   `json:"sourceClusterRef,omitempty"`
	State             string               `json:"state,omitempty"`
}

// ClusterRestoreSpec is v1ClusterRestoreSpec.
type ClusterRestoreSpec struct {
	ClusterUID string `json:"clusterUid,omitempty"`
}

// ClusterRestoreStatus is v1ClusterRestoreStatus.
type ClusterRestoreStatus struct {
	ClusterRestoreStatuses []ClusterRestoreStatusMeta `json:"clusterRestoreStatuses"`
}

// ClusterRestore is v1ClusterRestore (GET …/features/restore): the
// restores into the cluster.
type ClusterRestore struct {
	Metadata *ObjectMeta           `json:"metadata,omitempty"`
	Spec     *ClusterRestoreSpec   `json:"spec,omitempty"`
	Status   *ClusterRestoreStatus `json:"status,omitempty"`
}
