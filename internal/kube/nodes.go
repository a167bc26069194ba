package kube

import (
	"context"
	"fmt"
	"sort"
	"strings"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime/schema"
)

// Node labels read by NodeFacts.
const (
	LabelRegion           = "topology.kubernetes.io/region"
	LabelInstanceType     = "node.kubernetes.io/instance-type"
	LabelInstanceTypeBeta = "beta.kubernetes.io/instance-type"
)

// NodeFacts are what the nodes and the server say about a cluster.
type NodeFacts struct {
	// KubernetesVersion is the server's gitVersion, e.g. "v1.33.13".
	KubernetesVersion string
	// Region is the most common topology.kubernetes.io/region ("" if none).
	Region string
	// InstanceTypes are the sorted distinct instance types of the nodes.
	InstanceTypes []string
	NodeCount     int
	// ProviderIDs are the nodes' non-empty spec.providerID, by node name.
	ProviderIDs []string
}

// NodeFacts reads the server version and the nodes.
func (c *Client) NodeFacts(ctx context.Context) (*NodeFacts, error) {
	version, err := c.Ping(ctx)
	if err != nil {
		return nil, err
	}
	nodes, err := c.listNodes(ctx)
	if err != nil {
		return nil, err
	}
	f := factsOf(nodes)
	f.KubernetesVersion = version
	return f, nil
}

func (c *Client) listNodes(ctx context.Context) ([]corev1.Node, error) {
	list, err := c.kube.CoreV1().Nodes().List(ctx, metav1.ListOptions{})
	if err != nil {
		return nil, fmt.Errorf("kube: list nodes: %w", Classify(err))
	}
	nodes := list.Items
	sort.Slice(nodes, func(i, j int) bool { return nodes[i].Name < nodes[j].Name })
	return nodes, nil
}

func factsOf(nodes []corev1.Node) *NodeFacts {
	f := &NodeFacts{NodeCount: len(nodes)}
	regions := map[string]int{}
	types := map[string]bool{}
	for _, n := range nodes {
		if r := n.Labels[LabelRegion]; r != "" {
			regions[r]++
		}
		t := n.Labels[LabelInstanceType]
		if t == "" {
			t = n.Labels[LabelInstanceTypeBeta]
		}
		if t != "" {
			types[t] = true
		}
		if n.Spec.ProviderID != "" {
			f.ProviderIDs = append(f.ProviderIDs, n.Spec.ProviderID)
		}
	}
	best := 0
	for r, n := range regions {
		// Most common; ties go to the lexically smallest, for stable results.
		if n > best || (n == best && r < f.Region) {
			f.Region, best = r, n
		}
	}
	for t := range types {
		f.InstanceTypes = append(f.InstanceTypes, t)
	}
	sort.Strings(f.InstanceTypes)
	return f
}

// Platform is what a cluster shows of its distribution and infrastructure.
type Platform struct {
	// CloudTypes are the Palette cloud types the cluster shows evidence of:
	// distributions ("openshift", "eks-anywhere") first, then
	// infrastructure ("aws", "azure", "gcp", "vsphere") by node count.
	CloudTypes []string
	// Evidence are human-readable reasons, one per finding.
	Evidence []string
	// Looked lists what was examined, for messages when nothing was found.
	Looked []string
}

// Has reports whether the platform shows cloudType.
func (p *Platform) Has(cloudType string) bool {
	if p == nil {
		return false
	}
	for _, t := range p.CloudTypes {
		if t == cloudType {
			return true
		}
	}
	return false
}

// providerIDPrefixes maps node providerID schemes to cloud types.
var providerIDPrefixes = []struct{ prefix, cloudType string }{
	{"aws://", "aws"},
	{"azure://", "azure"},
	{"gce://", "gcp"},
	{"vsphere://", "vsphere"},
}

// distributionGroups maps API groups to distribution cloud types.
var distributionGroups = []struct{ group, cloudType, what string }{
	{"config.openshift.io", "openshift", "OpenShift"},
	{"anywhere.eks.amazonaws.com", "eks-anywhere", "EKS Anywhere"},
}

var clusterVersionGVR = schema.GroupVersionResource{Group: "config.openshift.io", Version: "v1", Resource: "clusterversions"}

// DetectPlatform looks at the nodes' providerIDs and the served API groups.
func (c *Client) DetectPlatform(ctx context.Context) (*Platform, error) {
	nodes, err := c.listNodes(ctx)
	if err != nil {
		return nil, err
	}
	c.discovery.Invalidate()
	groups, err := c.discovery.ServerGroups()
	if err != nil {
		return nil, fmt.Errorf("kube: list API groups: %w", Classify(err))
	}
	served := map[string]bool{}
	for _, g := range groups.Groups {
		served[g.Name] = true
	}
	p := detect(nodes, served)
	if served["config.openshift.io"] {
		if cv, err := c.dyn.Resource(clusterVersionGVR).Get(ctx, "version", metav1.GetOptions{}); err == nil {
			if v := openshiftVersion(cv.Object); v != "" {
				p.Evidence = append(p.Evidence, "ClusterVersion \"version\" reports OpenShift "+v)
			}
		}
	}
	return p, nil
}

func openshiftVersion(obj map[string]any) string {
	status, _ := obj["status"].(map[string]any)
	desired, _ := status["desired"].(map[string]any)
	v, _ := desired["version"].(string)
	return v
}

// detect is the pure part of DetectPlatform.
func detect(nodes []corev1.Node, servedGroups map[string]bool) *Platform {
	p := &Platform{}
	for _, d := range distributionGroups {
		if servedGroups[d.group] {
			p.CloudTypes = append(p.CloudTypes, d.cloudType)
			p.Evidence = append(p.Evidence, fmt.Sprintf("API group %s (%s) is served", d.group, d.what))
		}
	}
	counts := map[string]int{}
	examples := map[string]string{}
	without := 0
	for _, n := range nodes {
		id := n.Spec.ProviderID
		if id == "" {
			without++
			continue
		}
		matched := false
		for _, pp := range providerIDPrefixes {
			if strings.HasPrefix(id, pp.prefix) {
				counts[pp.cloudType]++
				if examples[pp.cloudType] == "" {
					examples[pp.cloudType] = n.Name
				}
				matched = true
				break
			}
		}
		if !matched {
			scheme := id
			if i := strings.Index(id, "://"); i >= 0 {
				scheme = id[:i+3]
			}
			p.Evidence = append(p.Evidence, fmt.Sprintf("node %s has providerID scheme %s, which names no supported cloud type", n.Name, scheme))
		}
	}
	var infra []string
	for t := range counts {
		infra = append(infra, t)
	}
	sort.Slice(infra, func(i, j int) bool {
		if counts[infra[i]] != counts[infra[j]] {
			return counts[infra[i]] > counts[infra[j]]
		}
		return infra[i] < infra[j]
	})
	for _, t := range infra {
		prefix := ""
		for _, pp := range providerIDPrefixes {
			if pp.cloudType == t {
				prefix = pp.prefix
			}
		}
		p.CloudTypes = append(p.CloudTypes, t)
		p.Evidence = append(p.Evidence, fmt.Sprintf("%d of %d nodes have providerID %s… (e.g. node %s)", counts[t], len(nodes), prefix, examples[t]))
	}
	p.Looked = []string{
		fmt.Sprintf("the providerIDs of %d nodes (%d without one)", len(nodes), without),
		"the served API groups config.openshift.io and anywhere.eks.amazonaws.com",
	}
	return p
}

// CloudTypeFits reports whether a cluster that shows p may be imported as
// cloud type declared, and why (or why not). "generic" fits every cluster.
// A cloud-specific type fits when the platform shows it; OpenShift and EKS
// Anywhere clusters also show their infrastructure's node providerIDs, so
// e.g. "aws" fits OpenShift on AWS. When the platform shows nothing
// specific, no cloud-specific type fits.
func CloudTypeFits(declared string, p *Platform) (bool, string) {
	if declared == "generic" {
		return true, "generic fits every cluster"
	}
	known := false
	for _, t := range []string{"aws", "azure", "gcp", "vsphere", "openshift", "eks-anywhere"} {
		if t == declared {
			known = true
		}
	}
	if !known {
		return false, fmt.Sprintf("cloud type %q cannot be checked against a cluster (known: generic, aws, azure, gcp, vsphere, openshift, eks-anywhere)", declared)
	}
	if p.Has(declared) {
		return true, fmt.Sprintf("the cluster shows %s: %s", declared, strings.Join(p.Evidence, "; "))
	}
	if p == nil || len(p.CloudTypes) == 0 {
		looked := "node providerIDs and API groups"
		if p != nil && len(p.Looked) > 0 {
			looked = strings.Join(p.Looked, " and ")
		}
		return false, fmt.Sprintf("the cluster shows no sign of %s: looked at %s and found nothing cloud-specific; import it as generic", declared, looked)
	}
	return false, fmt.Sprintf("the cluster shows %s, not %s: %s", strings.Join(p.CloudTypes, ", "), declared, strings.Join(p.Evidence, "; "))
}
