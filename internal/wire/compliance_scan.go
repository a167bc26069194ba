package wire

import "time"

// Compliance scans of a cluster (/v1/spectroclusters/{uid}/features/complianceScan…):
// the scan schedule per driver, on-demand runs, and the logs (one per run
// and driver) with their reports. The agent runs the scans and reports each
// run with PUT …/complianceScan/logs/drivers/{driver}.

// Compliance scan drivers, as the spec names them (the keys of
// v1ClusterComplianceScheduleConfig, v1ClusterComplianceOnDemandConfig and
// of v1ClusterComplianceScanSpec.driverSpec).
const (
	DriverKubeBench  = "kubeBench"
	DriverKubeHunter = "kubeHunter"
	DriverSonobuoy   = "sonobuoy"
	DriverSyft       = "syft"
)

// States of a scan run (the enum of v1KubeBenchEntity.status and the other
// driver entities), shown as status.state of its log.
const (
	ScanInitiated  = "Initiated"
	ScanInProgress = "InProgress"
	ScanCompleted  = "Completed"
	ScanFailed     = "Failed"
)

// ClusterComplianceScanDriverScheduleConfig is the schedule of one driver:
// v1ClusterComplianceScanKubeBenchScheduleConfig and its kubeHunter and
// sonobuoy twins, which are alike.
type ClusterComplianceScanDriverScheduleConfig struct {
	Schedule *ClusterFeatureSchedule `json:"schedule,omitempty"`
}

// ClusterComplianceScheduleConfig is v1ClusterComplianceScheduleConfig, the
// body of POST and PUT …/features/complianceScan. A driver left out (or
// with an empty scheduledRunTime) is not scheduled.
type ClusterComplianceScheduleConfig struct {
	KubeBench  *ClusterComplianceScanDriverScheduleConfig `json:"kubeBench,omitempty"`
	KubeHunter *ClusterComplianceScanDriverScheduleConfig `json:"kubeHunter,omitempty"`
	Sonobuoy   *ClusterComplianceScanDriverScheduleConfig `json:"sonobuoy,omitempty"`
}

// ComplianceScanConfig is v1ComplianceScanConfig.
type ComplianceScanConfig struct {
	Schedule *ClusterFeatureSchedule `json:"schedule,omitempty"`
}

// ComplianceScanDriverSpec is v1ComplianceScanDriverSpec.
type ComplianceScanDriverSpec struct {
	Config          *ComplianceScanConfig `json:"config,omitempty"`
	IsClusterConfig bool                  `json:"isClusterConfig"`
}

// ClusterComplianceScanSpec is v1ClusterComplianceScanSpec: the scheduled
// drivers, keyed by driver name.
type ClusterComplianceScanSpec struct {
	ClusterUID string                              `json:"clusterUid"`
	DriverSpec map[string]ComplianceScanDriverSpec `json:"driverSpec"`
}

// ClusterComplianceScan is v1ClusterComplianceScan, GET …/features/complianceScan.
type ClusterComplianceScan struct {
	Metadata ObjectMeta                `json:"metadata"`
	Spec     ClusterComplianceScanSpec `json:"spec"`
}

// ClusterComplianceScanRunConfig is the on-demand config of one driver:
// v1ClusterComplianceScanKubeBenchConfig and its kubeHunter and sonobuoy
// twins, which are alike.
type ClusterComplianceScanRunConfig struct {
	RunScan bool `json:"runScan"`
}

// ClusterComplianceScanSyftDriverConfig is
// v1ClusterComplianceScanSyftDriverConfig: the SBOM's format and scope.
type ClusterComplianceScanSyftDriverConfig struct {
	Format        string `json:"format,omitempty"`
	Scope         string `json:"scope,omitempty"`
	Namespace     string `json:"namespace,omitempty"`
	LabelSelector string `json:"labelSelector,omitempty"`
	PodName       string `json:"podName,omitempty"`
}

// ClusterComplianceScanSyftConfig is v1ClusterComplianceScanSyftConfig.
type ClusterComplianceScanSyftConfig struct {
	RunScan bool                                   `json:"runScan"`
	Config  *ClusterComplianceScanSyftDriverConfig `json:"config,omitempty"`
}

// ClusterComplianceOnDemandConfig is v1ClusterComplianceOnDemandConfig, the
// body of POST …/complianceScan/onDemand (answered with v1Uid: the run's
// request UID, which each driver's log shows as status.requestUid).
type ClusterComplianceOnDemandConfig struct {
	KubeBench  *ClusterComplianceScanRunConfig  `json:"kubeBench,omitempty"`
	KubeHunter *ClusterComplianceScanRunConfig  `json:"kubeHunter,omitempty"`
	Sonobuoy   *ClusterComplianceScanRunConfig  `json:"sonobuoy,omitempty"`
	Syft       *ClusterComplianceScanSyftConfig `json:"syft,omitempty"`
}

// ClusterComplianceScanLogSpec is v1ClusterComplianceScanLogSpec.
type ClusterComplianceScanLogSpec struct {
	ClusterUID string `json:"clusterUid"`
	DriverType string `json:"driverType"`
}

// ClusterScanTime is v1ClusterScanTime.
type ClusterScanTime struct {
	StartTime *time.Time `json:"startTime,omitempty"`
	EndTime   *time.Time `json:"endTime,omitempty"`
}

// KubeBenchLog is v1KubeBenchLog (and v1KubeBenchLogEntity, alike): one
// check of a kube-bench report.
type KubeBenchLog struct {
	TestID      string `json:"testId"`
	Description string `json:"description"`
	State       string `json:"state"`
	Remediation string `json:"remediation,omitempty"`
	Expected    string `json:"expected,omitempty"`
	Value       string `json:"value,omitempty"`
}

// KubeBenchReport is v1KubeBenchReport (and v1KubeBenchReportEntity,
// alike): the checks of one kube-bench target (master, etcd, controlplane).
type KubeBenchReport struct {
	Name string         `json:"name"`
	Type string         `json:"type"`
	Time *time.Time     `json:"time,omitempty"`
	Pass int32          `json:"pass"`
	Fail int32          `json:"fail"`
	Warn int32          `json:"warn"`
	Info int32          `json:"info"`
	Logs []KubeBenchLog `json:"logs"`
}

// ClusterKubeBenchLogStatus is v1ClusterKubeBenchLogStatus.
type ClusterKubeBenchLogStatus struct {
	Actor      *ClusterFeatureActor       `json:"actor,omitempty"`
	Message    string                     `json:"message,omitempty"`
	Reports    map[string]KubeBenchReport `json:"reports,omitempty"`
	RequestUID string                     `json:"requestUid"`
	ScanTime   *ClusterScanTime           `json:"scanTime,omitempty"`
	State      string                     `json:"state"`
}

// ClusterScanLogKubeBench is v1ClusterScanLogKubeBench: one kube-bench run.
type ClusterScanLogKubeBench struct {
	Metadata ObjectMeta                   `json:"metadata"`
	Spec     ClusterComplianceScanLogSpec `json:"spec"`
	Status   ClusterKubeBenchLogStatus    `json:"status"`
}

// ClusterScanLogStatus is the status of a run of a driver whose reports the
// clients here do not read: v1ClusterKubeHunterLogStatus,
// v1ClusterSonobuoyLogStatus and v1ClusterSyftLogStatus without their
// reports.
type ClusterScanLogStatus struct {
	Actor      *ClusterFeatureActor `json:"actor,omitempty"`
	Message    string               `json:"message,omitempty"`
	RequestUID string               `json:"requestUid"`
	ScanTime   *ClusterScanTime     `json:"scanTime,omitempty"`
	State      string               `json:"state"`
}

// ClusterScanLog is one run of kubeHunter, sonobuoy or syft, without its
// reports: v1ClusterScanLogKubeHunter, v1ClusterScanLogSonobuoy and
// v1ClusterScanLogSyft, which are alike but for them.
type ClusterScanLog struct {
	Metadata ObjectMeta                   `json:"metadata"`
	Spec     ClusterComplianceScanLogSpec `json:"spec"`
	Status   ClusterScanLogStatus         `json:"status"`
}

// ClusterComplianceScanLogs is v1ClusterComplianceScanLogs, GET
// …/complianceScan/logs/drivers: every run of every driver.
type ClusterComplianceScanLogs struct {
	KubeBenchLogs  []ClusterScanLogKubeBench `json:"kubeBenchLogs"`
	KubeHunterLogs []ClusterScanLog          `json:"kubeHunterLogs"`
	SonobuoyLogs   []ClusterScanLog          `json:"sonobuoyLogs"`
	SyftLogs       []ClusterScanLog          `json:"syftLogs"`
}

// KubeBenchEntity is v1KubeBenchEntity, the body of the agent's PUT
// …/complianceScan/logs/drivers/kubeBench, with Message, which the spec's
// entity does not have (palette-local's agent says there why a run failed:
// internal/localapi/extras.go).
type KubeBenchEntity struct {
	RequestUID string                     `json:"requestUid"`
	Status     string                     `json:"status"`
	Reports    map[string]KubeBenchReport `json:"reports"`
	Message    string                     `json:"message,omitempty"`
}

// ScanDriverEntity is the agent's report of a run of kubeHunter or
// sonobuoy that produced no report (the driver could not run):
// v1KubeHunterEntity and v1SonobuoyEntity with no reports, and Message as
// KubeBenchEntity has it.
type ScanDriverEntity struct {
	RequestUID string         `json:"requestUid"`
	Status     string         `json:"status"`
	Reports    map[string]any `json:"reports"`
	Message    string         `json:"message,omitempty"`
}

// SyftEntity is v1SyftEntity without a report (syft could not run), and
// Message as KubeBenchEntity has it.
type SyftEntity struct {
	RequestUID string           `json:"requestUid"`
	Status     string           `json:"status"`
	Report     SyftReportEntity `json:"report"`
	Message    string           `json:"message,omitempty"`
}

// SyftReportEntity is v1SyftReportEntity with none of its fields: syft
// never runs here.
type SyftReportEntity struct{}
