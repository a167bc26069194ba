package manifest

import (
	"regexp"
	"sort"
	"strings"
)

// Names of the objects the import manifest creates. They are the names a
// real Palette import manifest uses (Palette's import guide lists them); the
// `*` names of the guide (upgrade-info-*, version-info-*,
// palette-version-info-*, *.cluster.spectrocloud.com) are given concrete
// values here. This package is the one home of these names: detection
// (installed.go), verification and removal all use them from here.
const (
	// NamespacePrefix + the cluster UID is the agent namespace.
	NamespacePrefix = "cluster-"

	// Read-only (and Full Permission) objects.
	AgentServiceAccount        = "cluster-management-agent"
	AgentDeployment            = "cluster-management-agent-lite"
	AgentContainerName         = "agent"
	AgentPriorityClass         = "spectro-cluster-critical"
	ReadOnlyClusterRole        = "cma-lite-cluster-least-privilege-role"
	ReadOnlyClusterRoleBinding = "cma-lite-cluster-least-privilege-role-binding"
	AgentClusterInfoConfigMap  = "cluster-info"
	HubbleInfoConfigMap        = "hubble-info"
	LogParserConfigMap         = "log-parser-config"
	// UpgradeInfoConfigMapPrefix and VersionInfoConfigMapPrefix are followed
	// by the agent version (see VersionSuffix).
	UpgradeInfoConfigMapPrefix = "upgrade-info-"
	VersionInfoConfigMapPrefix = "version-info-"
	// AgentCredentialSecret holds the agent's credential under
	// AgentCredentialSecretKey.
	AgentCredentialSecret    = "hubble-secrets"
	AgentCredentialSecretKey = "token"

	// Full Permission adds these.
	ManagerServiceAccount = "palette-manager"
	// ManagerClusterRoleBinding binds cluster-admin to the manager (and, in
	// this local emulation, to the agent, which deploys the add-on packs).
	ManagerClusterRoleBinding         = "palette-lite-cluster-admin-binding"
	ManagerDeployment                 = "palette-lite-controller-manager"
	ManagerContainerName              = "manager"
	PresetupJob                       = "palette-import-presetup-job"
	ManagerPriorityClass              = "palette-spectro-cluster-critical"
	ManagerVersionInfoConfigMapPrefix = "palette-version-info-"
	// CRDGroup is the API group of the Full Permission CRDs.
	CRDGroup = "cluster.spectrocloud.com"

	// ClusterAdminRole is the built-in role the manager is bound to.
	ClusterAdminRole = "cluster-admin"
)

// CRDs are the plural and kind of each CustomResourceDefinition of the Full
// Permission manifest (group CRDGroup), in apply order.
var CRDs = []struct{ Plural, Kind string }{
	{"spectroclusters", "SpectroCluster"},
	{"clusterprofiles", "ClusterProfile"},
}

// CRDName is the name of the CRD of a plural in CRDGroup.
func CRDName(plural string) string { return plural + "." + CRDGroup }

// Keys of the cluster-info ConfigMap.
const (
	ClusterInfoKeyEndpoint   = "apiEndpoint"
	ClusterInfoKeyClusterUID = "clusterUid"
	ClusterInfoKeyImportMode = "importMode"
	ClusterInfoKeyInsecure   = "insecureSkipVerify"
	ClusterInfoKeyCACert     = "caCertificate"
)

// ClusterInfo is what the cluster-info ConfigMap tells the agent: where
// Palette is, which cluster it is, in which mode, and how to trust Palette.
type ClusterInfo struct {
	Endpoint   string
	ClusterUID string
	ImportMode string
	CACert     string
	Insecure   bool
}

// ClusterInfoOf reads a cluster-info ConfigMap's data; a missing key is
// empty.
func ClusterInfoOf(data map[string]string) ClusterInfo {
	return ClusterInfo{
		Endpoint:   data[ClusterInfoKeyEndpoint],
		ClusterUID: data[ClusterInfoKeyClusterUID],
		ImportMode: data[ClusterInfoKeyImportMode],
		CACert:     data[ClusterInfoKeyCACert],
		Insecure:   data[ClusterInfoKeyInsecure] == "true",
	}
}

// AgentNamespace is the namespace the import manifest creates for a cluster.
func AgentNamespace(clusterUID string) string { return NamespacePrefix + clusterUID }

// agentNamespacePattern matches the namespace of a Palette cluster UID (24
// lowercase hex digits, as Palette's UIDs are).
var agentNamespacePattern = regexp.MustCompile(`^` + NamespacePrefix + `([0-9a-f]{24})$`)

// ClusterUIDOf returns the cluster UID of an agent namespace cluster-<uid>,
// and false for any other namespace name.
func ClusterUIDOf(namespace string) (string, bool) {
	m := agentNamespacePattern.FindStringSubmatch(namespace)
	if m == nil {
		return "", false
	}
	return m[1], true
}

// DefaultAgentVersion is the agent version (image tag and the suffix of the
// version ConfigMaps) when Params.AgentVersion is empty.
const DefaultAgentVersion = "latest"

// VersionSuffix turns an agent version into the suffix of the version
// ConfigMap names: lowercase, characters a name may not hold replaced by
// '-', DefaultAgentVersion when empty.
func VersionSuffix(version string) string {
	if version == "" {
		version = DefaultAgentVersion
	}
	b := []byte(strings.ToLower(version))
	for i, c := range b {
		if (c < 'a' || c > 'z') && (c < '0' || c > '9') && c != '.' && c != '-' {
			b[i] = '-'
		}
	}
	s := strings.Trim(string(b), ".-")
	if len(s) > 63 {
		s = strings.Trim(s[:63], ".-")
	}
	if s == "" {
		return DefaultAgentVersion
	}
	return s
}

// Labels of our own. A real Palette manifest does not carry them, so
// nothing may rely on them to find or verify an installed agent; the local
// manifest carries them (harmlessly) and the local agent marks the add-on
// objects it deploys with them, which is what they select.
const (
	LabelManagedBy      = "app.kubernetes.io/managed-by"
	LabelManagedByValue = "palette"
	LabelClusterUID     = "palette.io/cluster-uid"
	// LabelProfileUID marks the objects the agent deployed for an add-on
	// profile's packs.
	LabelProfileUID = "palette.io/profile-uid"
	// LabelPackName marks the pack an add-on object belongs to.
	LabelPackName = "palette.io/pack"
	// LabelAppName is the pod label the Deployments select on.
	LabelAppName = "app.kubernetes.io/name"
)

// Labels returns the labels of our own every object of the local manifest,
// and every add-on object the local agent deploys, carries.
func Labels(clusterUID string) map[string]string {
	return map[string]string{
		LabelManagedBy:  LabelManagedByValue,
		LabelClusterUID: clusterUID,
	}
}

// LabelSelector matches every object labelled with Labels(clusterUID).
func LabelSelector(clusterUID string) string { return selector(Labels(clusterUID)) }

// PackLabels are the labels of every object of one add-on pack the agent
// deploys.
func PackLabels(clusterUID, profileUID, pack string) map[string]string {
	l := Labels(clusterUID)
	l[LabelProfileUID] = profileUID
	l[LabelPackName] = pack
	return l
}

// PackSelector matches the objects of one pack.
func PackSelector(clusterUID, profileUID, pack string) string {
	return selector(PackLabels(clusterUID, profileUID, pack))
}

// PacksSelector matches every add-on object the agent deployed for a
// cluster.
func PacksSelector(clusterUID string) string {
	return LabelSelector(clusterUID) + "," + LabelProfileUID
}

// StrayProfilesSelector matches the add-on objects of a cluster whose
// profile is not one of keepProfiles (sorted, valid label values).
func StrayProfilesSelector(clusterUID string, keepProfiles []string) string {
	s := PacksSelector(clusterUID)
	if len(keepProfiles) > 0 {
		s += "," + LabelProfileUID + " notin (" + strings.Join(keepProfiles, ",") + ")"
	}
	return s
}

// StrayPacksSelector matches the objects of a profile whose pack is not one
// of keepPacks (sorted, valid label values).
func StrayPacksSelector(clusterUID, profileUID string, keepPacks []string) string {
	s := LabelSelector(clusterUID) + "," + LabelProfileUID + "=" + profileUID
	if len(keepPacks) > 0 {
		s += "," + LabelPackName + " notin (" + strings.Join(keepPacks, ",") + ")"
	}
	return s
}

// selector renders an equality selector in a fixed order.
func selector(l map[string]string) string {
	keys := make([]string, 0, len(l))
	for k := range l {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	parts := make([]string, len(keys))
	for i, k := range keys {
		parts[i] = k + "=" + l[k]
	}
	return strings.Join(parts, ",")
}
