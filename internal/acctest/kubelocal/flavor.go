package kubelocal

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"strings"
	"time"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/client-go/dynamic"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/rest"
)

// Flavor makes the cluster look like a given distribution / cloud.
type Flavor string

// Flavors. Nodes per flavor (no kubelet runs; Node objects are created):
//
//	aws          ip-10-0-X-Y.ec2.internal, aws:///us-east-1a/i-<17 hex>, m5.large
//	azure        aks-nodepool1-…-vmss00000N, azure:///subscriptions/…/virtualMachines/N, Standard_D4s_v3
//	gcp          gke-NAME-default-pool-…, gce://palette-local/us-central1-a/NAME, n2-standard-4
//	vsphere      NAME-worker-N, vsphere://<uuid>, vsphere-vm (region dc-1, zone cluster-1)
//	openshift    OpenShift IPI on AWS: AWS-style nodes plus node.openshift.io/os_id=rhcos,
//	             node-role.kubernetes.io/worker; CRD clusterversions.config.openshift.io
//	             and ClusterVersion "version" (4.20.0, which ships Kubernetes 1.33)
//	eks-anywhere EKS Anywhere on vSphere: NAME-md-0-…, vsphere://<uuid>, vsphere-vm,
//	             Bottlerocket; CRD clusters.anywhere.eks.amazonaws.com and Cluster
//	             default/NAME
//	generic      NAME-node-N, no providerID, region "local", zone "local-a", generic-node
const (
	FlavorAWS         Flavor = "aws"
	FlavorAzure       Flavor = "azure"
	FlavorGCP         Flavor = "gcp"
	FlavorVSphere     Flavor = "vsphere"
	FlavorOpenShift   Flavor = "openshift"
	FlavorEKSAnywhere Flavor = "eks-anywhere"
	FlavorGeneric     Flavor = "generic"
)

// Flavors lists all supported flavors.
func Flavors() []Flavor {
	return []Flavor{FlavorAWS, FlavorAzure, FlavorGCP, FlavorVSphere, FlavorOpenShift, FlavorEKSAnywhere, FlavorGeneric}
}

// ParseFlavor validates a flavor name ("" means generic).
func ParseFlavor(s string) (Flavor, error) {
	if s == "" {
		return FlavorGeneric, nil
	}
	for _, f := range Flavors() {
		if string(f) == s {
			return f, nil
		}
	}
	return "", fmt.Errorf("kubelocal: unknown flavor %q (want one of %v)", s, Flavors())
}

// Node labels set on every fake node.
const (
	LabelRegion       = "topology.kubernetes.io/region"
	LabelZone         = "topology.kubernetes.io/zone"
	LabelInstanceType = "node.kubernetes.io/instance-type"
	LabelOS           = "kubernetes.io/os"
	LabelOpenShiftOS  = "node.openshift.io/os_id"
)

// NodeSpec describes one fake node of a flavor.
type NodeSpec struct {
	Name         string
	ProviderID   string
	Region, Zone string
	InstanceType string
	InternalIP   string
	OSImage      string
	Runtime      string
	Labels       map[string]string
	Annotations  map[string]string
}

func hexID(parts ...string) string {
	h := sha256.Sum256([]byte(strings.Join(parts, "/")))
	return hex.EncodeToString(h[:])
}

func uuidFrom(parts ...string) string {
	h := hexID(parts...)
	return h[0:8] + "-" + h[8:12] + "-4" + h[13:16] + "-a" + h[17:20] + "-" + h[20:32]
}

// FlavorNodes returns the Node shapes Up creates for cluster name.
func FlavorNodes(f Flavor, name string, n int) []NodeSpec {
	var out []NodeSpec
	for i := 0; i < n; i++ {
		id := hexID(name, string(f), fmt.Sprint(i))
		ip := fmt.Sprintf("10.0.%d.%d", 1+i/200, 10+i%200)
		ns := NodeSpec{InternalIP: ip, Runtime: "containerd://1.7.27", Labels: map[string]string{}, Annotations: map[string]string{}}
		awsNode := func(itype, osImage string) {
			zone := "us-east-1" + string(rune('a'+i%3))
			ns.Name = fmt.Sprintf("ip-%s.ec2.internal", strings.ReplaceAll(ip, ".", "-"))
			ns.ProviderID = fmt.Sprintf("aws:///%s/i-0%s", zone, id[:16])
			ns.Region, ns.Zone, ns.InstanceType, ns.OSImage = "us-east-1", zone, itype, osImage
		}
		vsphereNode := func(nodeName string) {
			ns.Name = nodeName
			ns.ProviderID = "vsphere://" + uuidFrom(name, string(f), fmt.Sprint(i))
			ns.Region, ns.Zone, ns.InstanceType = "dc-1", "cluster-1", "vsphere-vm"
		}
		switch f {
		case FlavorAWS:
			awsNode("m5.large", "Amazon Linux 2023.7.20250512")
		case FlavorAzure:
			pool := "aks-nodepool1-" + fmt.Sprint(10000000 + int(id[0])*100000 + int(id[1])*1000)[:8] + "-vmss"
			ns.Name = fmt.Sprintf("%s%06d", pool, i)
			ns.ProviderID = fmt.Sprintf("azure:///subscriptions/%s/resourceGroups/mc_%s_%s_eastus/providers/Microsoft.Compute/virtualMachineScaleSets/%s/virtualMachines/%d",
				uuidFrom(name, "subscription"), name, name, pool, i)
			ns.Region, ns.Zone, ns.InstanceType, ns.OSImage = "eastus", fmt.Sprintf("eastus-%d", 1+i%3), "Standard_D4s_v3", "Ubuntu 22.04.5 LTS"
			ns.Labels["kubernetes.azure.com/agentpool"] = "nodepool1"
		case FlavorGCP:
			zone := "us-central1-" + string(rune('a'+i%3))
			ns.Name = fmt.Sprintf("gke-%s-default-pool-%s-%s", name, id[:8], id[8:12])
			ns.ProviderID = fmt.Sprintf("gce://palette-local/%s/%s", zone, ns.Name)
			ns.Region, ns.Zone, ns.InstanceType, ns.OSImage = "us-central1", zone, "n2-standard-4", "Container-Optimized OS from Google"
			ns.Labels["cloud.google.com/gke-nodepool"] = "default-pool"
		case FlavorVSphere:
			vsphereNode(fmt.Sprintf("%s-worker-%d", name, i))
			ns.OSImage = "Ubuntu 22.04.5 LTS"
		case FlavorOpenShift:
			awsNode("m6i.xlarge", "Red Hat Enterprise Linux CoreOS 9.6.20250701-0 (Plow)")
			ns.Runtime = "cri-o://1.33.2-2.rhaos4.20.git3ff0b9b.el9"
			ns.Labels[LabelOpenShiftOS] = "rhcos"
			ns.Labels["node-role.kubernetes.io/worker"] = ""
		case FlavorEKSAnywhere:
			vsphereNode(fmt.Sprintf("%s-md-0-%s-%s", name, id[:5], id[5:10]))
			ns.OSImage = "Bottlerocket OS 1.41.0 (vmware-k8s-1.33)"
			ns.Annotations["cluster.x-k8s.io/cluster-name"] = name
			ns.Annotations["cluster.x-k8s.io/cluster-namespace"] = "eksa-system"
		default: // generic
			ns.Name = fmt.Sprintf("%s-node-%d", name, i)
			ns.Region, ns.Zone, ns.InstanceType, ns.OSImage = "local", "local-a", "generic-node", "Debian GNU/Linux 12 (bookworm)"
		}
		ns.Labels[LabelRegion] = ns.Region
		ns.Labels[LabelZone] = ns.Zone
		ns.Labels[LabelInstanceType] = ns.InstanceType
		ns.Labels[LabelOS] = "linux"
		ns.Labels["kubernetes.io/arch"] = "amd64"
		ns.Labels["kubernetes.io/hostname"] = ns.Name
		out = append(out, ns)
	}
	return out
}

func setupFlavor(ctx context.Context, cfg *rest.Config, s *State) error {
	cs, err := kubernetes.NewForConfig(cfg)
	if err != nil {
		return err
	}
	for _, n := range FlavorNodes(s.Flavor, s.Name, s.Nodes) {
		if err := createNode(ctx, cs, n); err != nil {
			return fmt.Errorf("kubelocal: node %s: %w", n.Name, err)
		}
	}
	dyn, err := dynamic.NewForConfig(cfg)
	if err != nil {
		return err
	}
	switch s.Flavor {
	case FlavorOpenShift:
		return setupOpenShift(ctx, dyn, s)
	case FlavorEKSAnywhere:
		return setupEKSAnywhere(ctx, cs, dyn, s)
	}
	return nil
}

func createNode(ctx context.Context, cs kubernetes.Interface, n NodeSpec) error {
	node := &corev1.Node{
		ObjectMeta: metav1.ObjectMeta{Name: n.Name, Labels: n.Labels, Annotations: n.Annotations},
		Spec:       corev1.NodeSpec{ProviderID: n.ProviderID},
	}
	created, err := cs.CoreV1().Nodes().Create(ctx, node, metav1.CreateOptions{})
	if err != nil {
		return err
	}
	now := metav1.Now()
	res := corev1.ResourceList{
		corev1.ResourceCPU:              resource.MustParse("4"),
		corev1.ResourceMemory:           resource.MustParse("16Gi"),
		corev1.ResourcePods:             resource.MustParse("110"),
		corev1.ResourceEphemeralStorage: resource.MustParse("100Gi"),
	}
	cond := func(t corev1.NodeConditionType, st corev1.ConditionStatus, reason, msg string) corev1.NodeCondition {
		return corev1.NodeCondition{Type: t, Status: st, Reason: reason, Message: msg, LastHeartbeatTime: now, LastTransitionTime: now}
	}
	created.Status = corev1.NodeStatus{
		Capacity:    res,
		Allocatable: res,
		Phase:       corev1.NodeRunning,
		Conditions: []corev1.NodeCondition{
			cond(corev1.NodeMemoryPressure, corev1.ConditionFalse, "KubeletHasSufficientMemory", "kubelet has sufficient memory available"),
			cond(corev1.NodeDiskPressure, corev1.ConditionFalse, "KubeletHasNoDiskPressure", "kubelet has no disk pressure"),
			cond(corev1.NodePIDPressure, corev1.ConditionFalse, "KubeletHasSufficientPID", "kubelet has sufficient PID available"),
			cond(corev1.NodeReady, corev1.ConditionTrue, "KubeletReady", "kubelet is posting ready status"),
		},
		Addresses: []corev1.NodeAddress{
			{Type: corev1.NodeInternalIP, Address: n.InternalIP},
			{Type: corev1.NodeHostName, Address: n.Name},
		},
		NodeInfo: corev1.NodeSystemInfo{
			MachineID:               hexID(n.Name, "machine")[:32],
			SystemUUID:              uuidFrom(n.Name, "system"),
			BootID:                  uuidFrom(n.Name, "boot"),
			KernelVersion:           "6.1.0-kubelocal",
			OSImage:                 n.OSImage,
			ContainerRuntimeVersion: n.Runtime,
			KubeletVersion:          KubernetesVersion,
			OperatingSystem:         "linux",
			Architecture:            "amd64",
		},
	}
	updated, err := cs.CoreV1().Nodes().UpdateStatus(ctx, created, metav1.UpdateOptions{})
	if err != nil {
		return err
	}
	// The TaintNodesByCondition admission plugin adds node.kubernetes.io/not-ready
	// on create; the (disabled) node lifecycle controller would remove it.
	if len(updated.Spec.Taints) > 0 {
		updated.Spec.Taints = nil
		if _, err := cs.CoreV1().Nodes().Update(ctx, updated, metav1.UpdateOptions{}); err != nil {
			return err
		}
	}
	return nil
}

var crdGVR = schema.GroupVersionResource{Group: "apiextensions.k8s.io", Version: "v1", Resource: "customresourcedefinitions"}

// ClusterVersionGVR is the OpenShift ClusterVersion resource.
var ClusterVersionGVR = schema.GroupVersionResource{Group: "config.openshift.io", Version: "v1", Resource: "clusterversions"}

// EKSAClusterGVR is the EKS Anywhere Cluster resource.
var EKSAClusterGVR = schema.GroupVersionResource{Group: "anywhere.eks.amazonaws.com", Version: "v1alpha1", Resource: "clusters"}

// OpenShiftVersion is the version reported by the ClusterVersion object.
const OpenShiftVersion = "4.20.0"

func ensureCRD(ctx context.Context, dyn dynamic.Interface, gvr schema.GroupVersionResource, kind, scope string) error {
	name := gvr.Resource + "." + gvr.Group
	crd := &unstructured.Unstructured{Object: map[string]any{
		"apiVersion": "apiextensions.k8s.io/v1",
		"kind":       "CustomResourceDefinition",
		"metadata":   map[string]any{"name": name},
		"spec": map[string]any{
			"group": gvr.Group,
			"scope": scope,
			"names": map[string]any{
				"plural": gvr.Resource, "singular": strings.ToLower(kind), "kind": kind, "listKind": kind + "List",
			},
			"versions": []any{map[string]any{
				"name": gvr.Version, "served": true, "storage": true,
				"schema": map[string]any{"openAPIV3Schema": map[string]any{
					"type": "object", "x-kubernetes-preserve-unknown-fields": true,
				}},
				"subresources": map[string]any{"status": map[string]any{}},
			}},
		},
	}}
	if _, err := dyn.Resource(crdGVR).Create(ctx, crd, metav1.CreateOptions{}); err != nil && !apierrors.IsAlreadyExists(err) {
		return fmt.Errorf("kubelocal: create CRD %s: %w", name, err)
	}
	return waitFor(ctx, "CRD "+name+" established", func() (bool, error) {
		got, err := dyn.Resource(crdGVR).Get(ctx, name, metav1.GetOptions{})
		if err != nil {
			return false, nil
		}
		conds, _, _ := unstructured.NestedSlice(got.Object, "status", "conditions")
		for _, c := range conds {
			m, _ := c.(map[string]any)
			if m["type"] == "Established" && m["status"] == "True" {
				return true, nil
			}
		}
		return false, nil
	})
}

// createWithStatus creates obj (retrying while the new CRD's endpoint is not
// served yet) and then writes its status subresource.
func createWithStatus(ctx context.Context, ri dynamic.ResourceInterface, obj *unstructured.Unstructured) error {
	status, hasStatus := obj.Object["status"]
	var created *unstructured.Unstructured
	if err := waitFor(ctx, "create "+obj.GetKind()+" "+obj.GetName(), func() (bool, error) {
		var err error
		created, err = ri.Create(ctx, obj, metav1.CreateOptions{})
		switch {
		case err == nil:
			return true, nil
		case apierrors.IsNotFound(err) || apierrors.IsMethodNotSupported(err):
			return false, nil
		case apierrors.IsAlreadyExists(err):
			created, err = ri.Get(ctx, obj.GetName(), metav1.GetOptions{})
			return err == nil, err
		default:
			return false, err
		}
	}); err != nil {
		return err
	}
	if !hasStatus {
		return nil
	}
	created.Object["status"] = status
	_, err := ri.UpdateStatus(ctx, created, metav1.UpdateOptions{})
	return err
}

func setupOpenShift(ctx context.Context, dyn dynamic.Interface, s *State) error {
	if err := ensureCRD(ctx, dyn, ClusterVersionGVR, "ClusterVersion", "Cluster"); err != nil {
		return err
	}
	now := time.Now().UTC().Format(time.RFC3339)
	image := "quay.io/openshift-release-dev/ocp-release@sha256:" + hexID(s.Name, "release")
	cv := &unstructured.Unstructured{Object: map[string]any{
		"apiVersion": "config.openshift.io/v1",
		"kind":       "ClusterVersion",
		"metadata":   map[string]any{"name": "version"},
		"spec": map[string]any{
			"clusterID": uuidFrom(s.Name, "openshift-cluster-id"),
			"channel":   "stable-4.20",
		},
		"status": map[string]any{
			"desired":            map[string]any{"version": OpenShiftVersion, "image": image, "channels": []any{"stable-4.20"}},
			"observedGeneration": int64(1),
			"versionHash":        hexID(s.Name, "hash")[:12],
			"availableUpdates":   nil,
			"history": []any{map[string]any{
				"state": "Completed", "version": OpenShiftVersion, "image": image,
				"startedTime": now, "completionTime": now, "verified": false,
			}},
			"conditions": []any{
				map[string]any{"type": "Available", "status": "True", "lastTransitionTime": now, "message": "Done applying " + OpenShiftVersion},
				map[string]any{"type": "Progressing", "status": "False", "lastTransitionTime": now, "message": "Cluster version is " + OpenShiftVersion},
				map[string]any{"type": "Failing", "status": "False", "lastTransitionTime": now},
			},
		},
	}}
	return createWithStatus(ctx, dyn.Resource(ClusterVersionGVR), cv)
}

func setupEKSAnywhere(ctx context.Context, cs kubernetes.Interface, dyn dynamic.Interface, s *State) error {
	if _, err := cs.CoreV1().Namespaces().Create(ctx, &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: "eksa-system"}}, metav1.CreateOptions{}); err != nil && !apierrors.IsAlreadyExists(err) {
		return err
	}
	if err := ensureCRD(ctx, dyn, EKSAClusterGVR, "Cluster", "Namespaced"); err != nil {
		return err
	}
	ref := func(kind, name string) map[string]any { return map[string]any{"kind": kind, "name": name} }
	c := &unstructured.Unstructured{Object: map[string]any{
		"apiVersion": "anywhere.eks.amazonaws.com/v1alpha1",
		"kind":       "Cluster",
		"metadata":   map[string]any{"name": s.Name, "namespace": "default"},
		"spec": map[string]any{
			"kubernetesVersion": "1.33",
			"clusterNetwork": map[string]any{
				"cniConfig": map[string]any{"cilium": map[string]any{}},
				"pods":      map[string]any{"cidrBlocks": []any{"192.168.0.0/16"}},
				"services":  map[string]any{"cidrBlocks": []any{"10.96.0.0/12"}},
			},
			"controlPlaneConfiguration": map[string]any{
				"count":           int64(1),
				"endpoint":        map[string]any{"host": "127.0.0.1"},
				"machineGroupRef": ref("VSphereMachineConfig", s.Name+"-cp"),
			},
			"datacenterRef": ref("VSphereDatacenterConfig", s.Name),
			"workerNodeGroupConfigurations": []any{map[string]any{
				"name": "md-0", "count": int64(s.Nodes), "machineGroupRef": ref("VSphereMachineConfig", s.Name),
			}},
		},
		"status": map[string]any{
			"observedGeneration": int64(1),
			"conditions": []any{map[string]any{
				"type": "Ready", "status": "True", "lastTransitionTime": time.Now().UTC().Format(time.RFC3339),
			}},
		},
	}}
	return createWithStatus(ctx, dyn.Resource(EKSAClusterGVR).Namespace("default"), c)
}
