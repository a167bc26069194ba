package manifest

import (
	"fmt"
	"slices"
	"strings"

	"github.com/terraform-palette/terraform-provider-palette/internal/wire"
	appsv1 "k8s.io/api/apps/v1"
	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	schedulingv1 "k8s.io/api/scheduling/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
)

// AgentPriorityValue is the value of the agent's PriorityClass.
const AgentPriorityValue int32 = 1000000000

// Environment variables of the agent containers.
const (
	EnvAPIEndpoint = "PALETTE_API_ENDPOINT"
	EnvClusterUID  = "PALETTE_CLUSTER_UID"
	EnvImportMode  = "PALETTE_IMPORT_MODE"
	EnvNamespace   = "POD_NAMESPACE"
)

// Objects returns the typed objects of the manifest in apply order.
//
// Read-only: the Namespace cluster-<uid>; the PriorityClass
// spectro-cluster-critical; the ServiceAccount cluster-management-agent; the
// read-only ClusterRole and binding cma-lite-cluster-least-privilege-role(-binding);
// the ConfigMaps cluster-info, hubble-info, log-parser-config,
// upgrade-info-<version> and version-info-<version>; the Secret
// hubble-secrets (the agent's credential); the Deployment
// cluster-management-agent-lite.
//
// Full Permission adds: the PriorityClass palette-spectro-cluster-critical;
// the CRDs *.cluster.spectrocloud.com; the ServiceAccount palette-manager,
// bound to cluster-admin by palette-lite-cluster-admin-binding; the
// ConfigMap palette-version-info-<version>; the Job
// palette-import-presetup-job; the Deployment palette-lite-controller-manager.
func Objects(p Params) ([]runtime.Object, error) {
	if err := p.Validate(); err != nil {
		return nil, err
	}
	ns := p.Namespace()
	full := p.ImportMode == wire.ImportModeFullPermission
	version := VersionSuffix(p.AgentVersion)

	objs := []runtime.Object{
		&corev1.Namespace{
			TypeMeta:   metav1.TypeMeta{APIVersion: "v1", Kind: "Namespace"},
			ObjectMeta: meta(p, "", ns),
		},
		priorityClass(p, AgentPriorityClass, "Priority of the Palette cluster management agent."),
	}
	if full {
		objs = append(objs, priorityClass(p, ManagerPriorityClass, "Priority of the Palette controller manager."))
		for _, c := range CRDs {
			objs = append(objs, crd(p, c.Plural, c.Kind))
		}
	}
	objs = append(objs, serviceAccount(p, AgentServiceAccount))
	if full {
		objs = append(objs, serviceAccount(p, ManagerServiceAccount))
	}
	objs = append(objs,
		&rbacv1.ClusterRole{
			TypeMeta:   metav1.TypeMeta{APIVersion: "rbac.authorization.k8s.io/v1", Kind: "ClusterRole"},
			ObjectMeta: meta(p, "", ReadOnlyClusterRole),
			Rules:      AgentRules(p.ClusterUID),
		},
		&rbacv1.ClusterRoleBinding{
			TypeMeta:   metav1.TypeMeta{APIVersion: "rbac.authorization.k8s.io/v1", Kind: "ClusterRoleBinding"},
			ObjectMeta: meta(p, "", ReadOnlyClusterRoleBinding),
			RoleRef:    rbacv1.RoleRef{APIGroup: rbacv1.GroupName, Kind: "ClusterRole", Name: ReadOnlyClusterRole},
			Subjects:   []rbacv1.Subject{{Kind: rbacv1.ServiceAccountKind, Name: AgentServiceAccount, Namespace: ns}},
		},
	)
	if full {
		objs = append(objs, &rbacv1.ClusterRoleBinding{
			TypeMeta:   metav1.TypeMeta{APIVersion: "rbac.authorization.k8s.io/v1", Kind: "ClusterRoleBinding"},
			ObjectMeta: meta(p, "", ManagerClusterRoleBinding),
			RoleRef:    rbacv1.RoleRef{APIGroup: rbacv1.GroupName, Kind: "ClusterRole", Name: ClusterAdminRole},
			Subjects: []rbacv1.Subject{
				{Kind: rbacv1.ServiceAccountKind, Name: ManagerServiceAccount, Namespace: ns},
				{Kind: rbacv1.ServiceAccountKind, Name: AgentServiceAccount, Namespace: ns},
			},
		})
	}
	objs = append(objs,
		configMap(p, AgentClusterInfoConfigMap, map[string]string{
			ClusterInfoKeyEndpoint:   p.APIEndpoint,
			ClusterInfoKeyClusterUID: p.ClusterUID,
			ClusterInfoKeyImportMode: p.ImportMode,
			ClusterInfoKeyCACert:     p.CACertificate,
			ClusterInfoKeyInsecure:   boolString(p.InsecureSkipVerify),
		}),
		configMap(p, HubbleInfoConfigMap, map[string]string{"endpoint": p.APIEndpoint, "clusterUid": p.ClusterUID}),
		configMap(p, LogParserConfigMap, map[string]string{"level": "info"}),
		configMap(p, UpgradeInfoConfigMapPrefix+version, map[string]string{"version": version}),
		configMap(p, VersionInfoConfigMapPrefix+version, map[string]string{"version": version}),
	)
	if full {
		objs = append(objs, configMap(p, ManagerVersionInfoConfigMapPrefix+version, map[string]string{"version": version}))
	}
	objs = append(objs, &corev1.Secret{
		TypeMeta:   metav1.TypeMeta{APIVersion: "v1", Kind: "Secret"},
		ObjectMeta: meta(p, ns, AgentCredentialSecret),
		Type:       corev1.SecretTypeOpaque,
		Data:       map[string][]byte{AgentCredentialSecretKey: []byte(p.AgentToken)},
	})
	if full {
		objs = append(objs, presetupJob(p))
	}
	objs = append(objs, deployment(p, AgentDeployment, AgentServiceAccount, AgentContainerName, AgentPriorityClass, []string{"agent"}))
	if full {
		objs = append(objs, deployment(p, ManagerDeployment, ManagerServiceAccount, ManagerContainerName, ManagerPriorityClass, []string{"controller-manager"}))
	}
	return objs, nil
}

func priorityClass(p Params, name, description string) *schedulingv1.PriorityClass {
	return &schedulingv1.PriorityClass{
		TypeMeta:    metav1.TypeMeta{APIVersion: "scheduling.k8s.io/v1", Kind: "PriorityClass"},
		ObjectMeta:  meta(p, "", name),
		Value:       AgentPriorityValue,
		Description: description,
	}
}

func configMap(p Params, name string, data map[string]string) *corev1.ConfigMap {
	return &corev1.ConfigMap{
		TypeMeta:   metav1.TypeMeta{APIVersion: "v1", Kind: "ConfigMap"},
		ObjectMeta: meta(p, p.Namespace(), name),
		Data:       data,
	}
}

// crd is a minimal namespaced CRD in CRDGroup that keeps unknown fields.
// It is unstructured: the module does not depend on the apiextensions types.
func crd(p Params, plural, kind string) *unstructured.Unstructured {
	labels := map[string]any{}
	for k, v := range Labels(p.ClusterUID) {
		labels[k] = v
	}
	return &unstructured.Unstructured{Object: map[string]any{
		"apiVersion": "apiextensions.k8s.io/v1",
		"kind":       "CustomResourceDefinition",
		"metadata":   map[string]any{"name": CRDName(plural), "labels": labels},
		"spec": map[string]any{
			"group": CRDGroup,
			"scope": "Namespaced",
			"names": map[string]any{
				"plural": plural, "singular": strings.ToLower(kind), "kind": kind, "listKind": kind + "List",
			},
			"versions": []any{map[string]any{
				"name": "v1beta1", "served": true, "storage": true,
				"schema": map[string]any{"openAPIV3Schema": map[string]any{
					"type": "object", "x-kubernetes-preserve-unknown-fields": true,
				}},
			}},
		},
	}}
}

// presetupJob is the Full Permission pre-setup Job. It is created
// suspended: nothing runs a Pod on a local cluster (there is no kubelet),
// the local agent does the setup itself, and nothing waits for the Job.
func presetupJob(p Params) *batchv1.Job {
	suspend := true
	backoff := int32(0)
	nonRoot := true
	return &batchv1.Job{
		TypeMeta:   metav1.TypeMeta{APIVersion: "batch/v1", Kind: "Job"},
		ObjectMeta: meta(p, p.Namespace(), PresetupJob),
		Spec: batchv1.JobSpec{
			Suspend:      &suspend,
			BackoffLimit: &backoff,
			Template: corev1.PodTemplateSpec{
				ObjectMeta: metav1.ObjectMeta{Labels: Labels(p.ClusterUID)},
				Spec: corev1.PodSpec{
					ServiceAccountName: ManagerServiceAccount,
					PriorityClassName:  ManagerPriorityClass,
					RestartPolicy:      corev1.RestartPolicyNever,
					SecurityContext:    &corev1.PodSecurityContext{RunAsNonRoot: &nonRoot},
					Containers: []corev1.Container{{
						Name: "presetup", Image: image(p), ImagePullPolicy: corev1.PullIfNotPresent, Args: []string{"presetup"},
					}},
				},
			},
		},
	}
}

// AgentRules are the rules of the agent's own ClusterRole: read everything,
// and, restricted by resourceNames to the agent's own objects, only what
// self-removal needs (a delete in Palette): delete its namespace; delete and patch
// its cluster role, binding and priority class (patch so that it can hand
// them to the garbage collector with an owner reference to its namespace).
func AgentRules(clusterUID string) []rbacv1.PolicyRule {
	return []rbacv1.PolicyRule{
		{APIGroups: []string{"*"}, Resources: []string{"*"}, Verbs: []string{"get", "list", "watch"}},
		{NonResourceURLs: []string{"*"}, Verbs: []string{"get"}},
		{
			APIGroups: []string{""}, Resources: []string{"namespaces"},
			ResourceNames: []string{AgentNamespace(clusterUID)}, Verbs: []string{"delete"},
		},
		{
			APIGroups: []string{"rbac.authorization.k8s.io"}, Resources: []string{"clusterroles"},
			ResourceNames: []string{ReadOnlyClusterRole}, Verbs: []string{"delete", "patch"},
		},
		{
			APIGroups: []string{"rbac.authorization.k8s.io"}, Resources: []string{"clusterrolebindings"},
			ResourceNames: []string{ReadOnlyClusterRoleBinding}, Verbs: []string{"delete", "patch"},
		},
		{
			APIGroups: []string{"scheduling.k8s.io"}, Resources: []string{"priorityclasses"},
			ResourceNames: []string{AgentPriorityClass}, Verbs: []string{"delete", "patch"},
		},
	}
}

func meta(p Params, namespace, name string) metav1.ObjectMeta {
	return metav1.ObjectMeta{Name: name, Namespace: namespace, Labels: Labels(p.ClusterUID)}
}

func serviceAccount(p Params, name string) *corev1.ServiceAccount {
	return &corev1.ServiceAccount{
		TypeMeta:   metav1.TypeMeta{APIVersion: "v1", Kind: "ServiceAccount"},
		ObjectMeta: meta(p, p.Namespace(), name),
	}
}

func image(p Params) string {
	if p.AgentImage != "" {
		return p.AgentImage
	}
	tag := p.AgentVersion
	if tag == "" {
		tag = DefaultAgentVersion
	}
	return DefaultAgentImage + ":" + tag
}

func deployment(p Params, name, serviceAccount, container, priorityClass string, args []string) *appsv1.Deployment {
	ns := p.Namespace()
	podLabels := Labels(p.ClusterUID)
	podLabels[LabelAppName] = name
	replicas := int32(1)
	nonRoot := true
	uid := int64(65532)
	noEscalation := false
	readOnlyRoot := true

	cmRef := func(key string) *corev1.EnvVarSource {
		return &corev1.EnvVarSource{ConfigMapKeyRef: &corev1.ConfigMapKeySelector{
			LocalObjectReference: corev1.LocalObjectReference{Name: AgentClusterInfoConfigMap}, Key: key,
		}}
	}
	env := []corev1.EnvVar{
		{Name: EnvAPIEndpoint, ValueFrom: cmRef(ClusterInfoKeyEndpoint)},
		{Name: EnvClusterUID, ValueFrom: cmRef(ClusterInfoKeyClusterUID)},
		{Name: EnvImportMode, ValueFrom: cmRef(ClusterInfoKeyImportMode)},
		{Name: EnvNamespace, ValueFrom: &corev1.EnvVarSource{FieldRef: &corev1.ObjectFieldSelector{FieldPath: "metadata.namespace"}}},
	}
	env = append(env, ProxyEnv(p.Proxy)...)

	c := corev1.Container{
		Name:            container,
		Image:           image(p),
		ImagePullPolicy: corev1.PullIfNotPresent,
		Args:            args,
		Env:             env,
		Resources: corev1.ResourceRequirements{
			Requests: corev1.ResourceList{
				corev1.ResourceCPU:    resource.MustParse("50m"),
				corev1.ResourceMemory: resource.MustParse("64Mi"),
			},
			Limits: corev1.ResourceList{corev1.ResourceMemory: resource.MustParse("256Mi")},
		},
		SecurityContext: &corev1.SecurityContext{
			AllowPrivilegeEscalation: &noEscalation,
			ReadOnlyRootFilesystem:   &readOnlyRoot,
			RunAsNonRoot:             &nonRoot,
			Capabilities:             &corev1.Capabilities{Drop: []corev1.Capability{"ALL"}},
		},
	}
	spec := corev1.PodSpec{
		ServiceAccountName: serviceAccount,
		PriorityClassName:  priorityClass,
		SecurityContext: &corev1.PodSecurityContext{
			RunAsNonRoot:   &nonRoot,
			RunAsUser:      &uid,
			SeccompProfile: &corev1.SeccompProfile{Type: corev1.SeccompProfileTypeRuntimeDefault},
		},
	}
	if p.Proxy != nil && p.Proxy.CAHostPath != "" {
		mount := CAMountPath(p.Proxy)
		spec.Volumes = []corev1.Volume{{
			Name:         ProxyCAVolumeName,
			VolumeSource: corev1.VolumeSource{HostPath: &corev1.HostPathVolumeSource{Path: p.Proxy.CAHostPath}},
		}}
		c.VolumeMounts = []corev1.VolumeMount{{Name: ProxyCAVolumeName, MountPath: mount, ReadOnly: true}}
	}
	spec.Containers = []corev1.Container{c}

	return &appsv1.Deployment{
		TypeMeta:   metav1.TypeMeta{APIVersion: "apps/v1", Kind: "Deployment"},
		ObjectMeta: meta(p, ns, name),
		Spec: appsv1.DeploymentSpec{
			Replicas: &replicas,
			Selector: &metav1.LabelSelector{MatchLabels: map[string]string{LabelAppName: name}},
			Template: corev1.PodTemplateSpec{
				ObjectMeta: metav1.ObjectMeta{Labels: podLabels},
				Spec:       spec,
			},
		},
	}
}

// CAMountPath is where the proxy CA file is mounted in the agent containers:
// caContainerMountPath, or caHostPath when that is empty.
func CAMountPath(p *wire.ClusterProxySpec) string {
	if p == nil {
		return ""
	}
	if p.CAContainerMountPath != "" {
		return p.CAContainerMountPath
	}
	return p.CAHostPath
}

// ProxyEnv returns the proxy variables (upper and lower case) for the set
// proxy settings, in a fixed order.
func ProxyEnv(p *wire.ClusterProxySpec) []corev1.EnvVar {
	if p.IsZero() {
		return nil
	}
	var env []corev1.EnvVar
	add := func(name, value string) {
		if value == "" {
			return
		}
		env = append(env, corev1.EnvVar{Name: name, Value: value}, corev1.EnvVar{Name: toLower(name), Value: value})
	}
	add("HTTP_PROXY", p.HTTPProxy)
	add("HTTPS_PROXY", p.HTTPSProxy)
	add("NO_PROXY", p.NoProxy)
	return env
}

func toLower(s string) string {
	b := []byte(s)
	for i, c := range b {
		if c >= 'A' && c <= 'Z' {
			b[i] = c + 'a' - 'A'
		}
	}
	return string(b)
}

// ObjectID names one object of the manifest.
type ObjectID struct {
	APIVersion string
	Kind       string
	Namespace  string
	Name       string
}

// String returns Kind/namespace/name (or Kind/name for cluster-scoped objects).
func (o ObjectID) String() string {
	if o.Namespace == "" {
		return o.Kind + "/" + o.Name
	}
	return o.Kind + "/" + o.Namespace + "/" + o.Name
}

// GroupVersionKind is the object's GVK.
func (o ObjectID) GroupVersionKind() schema.GroupVersionKind {
	gv, _ := schema.ParseGroupVersion(o.APIVersion)
	return gv.WithKind(o.Kind)
}

// ExpectedObjects returns the objects the manifest of a cluster creates for
// an import mode, in apply order. Verification code compares a cluster
// against it. The version ConfigMaps are named for DefaultAgentVersion
// (they are in the agent namespace, which takes them along when it goes,
// whatever their version).
func ExpectedObjects(clusterUID, importMode string) ([]ObjectID, error) {
	objs, err := Objects(Params{ClusterUID: clusterUID, APIEndpoint: "http://placeholder", AgentToken: "x", ImportMode: importMode})
	if err != nil {
		return nil, err
	}
	ids := make([]ObjectID, 0, len(objs))
	for _, o := range objs {
		acc, ok := o.(metav1.Object)
		if !ok {
			return nil, fmt.Errorf("object %T has no metadata", o)
		}
		gvk := o.GetObjectKind().GroupVersionKind()
		ids = append(ids, ObjectID{APIVersion: gvk.GroupVersion().String(), Kind: gvk.Kind, Namespace: acc.GetNamespace(), Name: acc.GetName()})
	}
	return ids, nil
}

// AllObjects returns every object the manifest of a cluster creates in
// either mode, in apply order: the Full Permission set, which holds the
// read-only one. Removal removes these, by name, and nothing else.
func AllObjects(clusterUID string) ([]ObjectID, error) {
	return ExpectedObjects(clusterUID, wire.ImportModeFullPermission)
}

// FullPermissionExtras returns the objects the Full Permission manifest
// adds to the read-only one, in apply order.
func FullPermissionExtras(clusterUID string) ([]ObjectID, error) {
	ro, err := ExpectedObjects(clusterUID, wire.ImportModeReadOnly)
	if err != nil {
		return nil, err
	}
	full, err := ExpectedObjects(clusterUID, wire.ImportModeFullPermission)
	if err != nil {
		return nil, err
	}
	var out []ObjectID
	for _, id := range full {
		if !slices.Contains(ro, id) {
			out = append(out, id)
		}
	}
	return out, nil
}
