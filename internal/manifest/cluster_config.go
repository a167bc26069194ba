package manifest

import "strconv"

// Names and labels of the objects the agent creates for a cluster's
// namespace and RBAC entries (GET/PUT …/config/namespaces and
// …/config/rbacs): a Namespace (unless it existed before) and a
// ResourceQuota for each namespace entry, a RoleBinding or
// ClusterRoleBinding for each binding of an RBAC entry. Each carries
// Labels(clusterUID) and the UID of its entry, which is how the agent finds
// what it created: an object without them is never the agent's (a
// Namespace the user created before the entry is left alone).
const (
	// LabelNamespaceUID marks a Namespace or ResourceQuota the agent
	// created for a namespace entry; the value is the entry's UID.
	LabelNamespaceUID = "palette.io/namespace-uid"
	// LabelRbacUID marks a RoleBinding or ClusterRoleBinding the agent
	// created for an RBAC entry; the value is the entry's UID.
	LabelRbacUID = "palette.io/rbac-uid"
	// NamespaceQuota is the name of the ResourceQuota of a namespace entry
	// with a resource allocation, in that namespace.
	NamespaceQuota = "palette-resource-allocation"
	// RbacNamePrefix + the entry's UID names the bindings of an RBAC entry
	// without a name.
	RbacNamePrefix = "palette-rbac-"
)

// NamespaceLabels are the labels of the objects of one namespace entry.
func NamespaceLabels(clusterUID, entryUID string) map[string]string {
	l := Labels(clusterUID)
	l[LabelNamespaceUID] = entryUID
	return l
}

// NamespacesSelector matches every object the agent created for a
// cluster's namespace entries.
func NamespacesSelector(clusterUID string) string {
	return LabelSelector(clusterUID) + "," + LabelNamespaceUID
}

// RbacLabels are the labels of the bindings of one RBAC entry.
func RbacLabels(clusterUID, entryUID string) map[string]string {
	l := Labels(clusterUID)
	l[LabelRbacUID] = entryUID
	return l
}

// RbacsSelector matches every binding the agent created for a cluster's
// RBAC entries.
func RbacsSelector(clusterUID string) string {
	return LabelSelector(clusterUID) + "," + LabelRbacUID
}

// RbacBindingName names binding index of an RBAC entry that has count
// bindings: the entry's name (RbacNamePrefix + its UID when it has none),
// followed by "-<index>" when the entry has several bindings.
func RbacBindingName(entryName, entryUID string, index, count int) string {
	name := entryName
	if name == "" {
		name = RbacNamePrefix + entryUID
	}
	if count > 1 {
		name += "-" + strconv.Itoa(index)
	}
	return name
}
