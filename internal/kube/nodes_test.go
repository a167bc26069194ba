package kube

import (
	"fmt"
	"strings"
	"testing"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

func node(name, providerID string, labels map[string]string) corev1.Node {
	return corev1.Node{ObjectMeta: metav1.ObjectMeta{Name: name, Labels: labels}, Spec: corev1.NodeSpec{ProviderID: providerID}}
}

func nodesWith(n int, idPrefix string) []corev1.Node {
	var out []corev1.Node
	for i := 0; i < n; i++ {
		id := ""
		if idPrefix != "" {
			id = fmt.Sprintf("%s/id-%d", idPrefix, i)
		}
		out = append(out, node(fmt.Sprintf("n%d", i), id, nil))
	}
	return out
}

func TestFactsOf(t *testing.T) {
	t.Parallel()
	nodes := []corev1.Node{
		node("a", "aws:///us-east-1a/i-1", map[string]string{LabelRegion: "us-east-1", LabelInstanceType: "m5.large"}),
		node("b", "aws:///us-west-2a/i-2", map[string]string{LabelRegion: "us-west-2", LabelInstanceType: "m5.xlarge"}),
		node("c", "aws:///us-east-1b/i-3", map[string]string{LabelRegion: "us-east-1", LabelInstanceTypeBeta: "c5.large"}),
		node("d", "", map[string]string{LabelInstanceType: "m5.large"}),
	}
	f := factsOf(nodes)
	if f.NodeCount != 4 || f.Region != "us-east-1" {
		t.Errorf("NodeCount=%d Region=%q, want 4 us-east-1", f.NodeCount, f.Region)
	}
	if got := strings.Join(f.InstanceTypes, ","); got != "c5.large,m5.large,m5.xlarge" {
		t.Errorf("InstanceTypes = %s", got)
	}
	if got := strings.Join(f.ProviderIDs, ","); got != "aws:///us-east-1a/i-1,aws:///us-west-2a/i-2,aws:///us-east-1b/i-3" {
		t.Errorf("ProviderIDs = %s", got)
	}
	// A tie goes to the lexically smallest region; no labels gives "".
	tie := factsOf([]corev1.Node{node("x", "", map[string]string{LabelRegion: "b"}), node("y", "", map[string]string{LabelRegion: "a"})})
	if tie.Region != "a" {
		t.Errorf("tie Region = %q, want a", tie.Region)
	}
	if none := factsOf(nodesWith(2, "")); none.Region != "" || len(none.InstanceTypes) != 0 || len(none.ProviderIDs) != 0 {
		t.Errorf("unlabelled facts = %+v", none)
	}
}

func TestDetectAndCloudTypeFits(t *testing.T) {
	t.Parallel()
	platforms := map[string]*Platform{
		"generic":           detect(nodesWith(3, ""), nil),
		"aws":               detect(nodesWith(3, "aws://"), nil),
		"azure":             detect(nodesWith(2, "azure://"), nil),
		"gcp":               detect(nodesWith(2, "gce://"), nil),
		"vsphere":           detect(nodesWith(2, "vsphere://"), nil),
		"openshift-on-aws":  detect(nodesWith(3, "aws://"), map[string]bool{"config.openshift.io": true, "apps": true}),
		"eksa-on-vsphere":   detect(nodesWith(3, "vsphere://"), map[string]bool{"anywhere.eks.amazonaws.com": true}),
		"kind":              detect(nodesWith(1, "kind://"), nil),
		"mostly-aws":        detect(append(nodesWith(3, "aws://"), node("z", "gce://p/z/n", nil)), nil),
		"nil":               nil,
		"openshift-no-node": detect(nil, map[string]bool{"config.openshift.io": true}),
	}
	if got := strings.Join(platforms["openshift-on-aws"].CloudTypes, ","); got != "openshift,aws" {
		t.Errorf("openshift-on-aws CloudTypes = %s", got)
	}
	if got := strings.Join(platforms["mostly-aws"].CloudTypes, ","); got != "aws,gcp" {
		t.Errorf("mostly-aws CloudTypes = %s", got)
	}
	if len(platforms["generic"].CloudTypes) != 0 || len(platforms["kind"].CloudTypes) != 0 {
		t.Errorf("generic/kind show cloud types: %v %v", platforms["generic"].CloudTypes, platforms["kind"].CloudTypes)
	}
	if !strings.Contains(strings.Join(platforms["kind"].Evidence, ";"), "kind://") {
		t.Errorf("kind evidence does not mention the scheme: %v", platforms["kind"].Evidence)
	}

	// fits[platform] = the declared types that fit it; every other seed type must not.
	fits := map[string][]string{
		"generic":           {"generic"},
		"aws":               {"generic", "aws"},
		"azure":             {"generic", "azure"},
		"gcp":               {"generic", "gcp"},
		"vsphere":           {"generic", "vsphere"},
		"openshift-on-aws":  {"generic", "openshift", "aws"},
		"eksa-on-vsphere":   {"generic", "eks-anywhere", "vsphere"},
		"kind":              {"generic"},
		"mostly-aws":        {"generic", "aws", "gcp"},
		"nil":               {"generic"},
		"openshift-no-node": {"generic", "openshift"},
	}
	declared := []string{"generic", "aws", "azure", "gcp", "vsphere", "openshift", "eks-anywhere", "maas"}
	for pname, p := range platforms {
		for _, d := range declared {
			t.Run(pname+"/"+d, func(t *testing.T) {
				want := false
				for _, f := range fits[pname] {
					want = want || f == d
				}
				ok, reason := CloudTypeFits(d, p)
				if ok != want {
					t.Errorf("CloudTypeFits(%q, %s) = %v (%s), want %v", d, pname, ok, reason, want)
				}
				if reason == "" {
					t.Error("empty reason")
				}
				if !ok && d != "maas" {
					if p == nil || len(p.CloudTypes) == 0 {
						if !strings.Contains(reason, "looked at") || !strings.Contains(reason, "generic") {
							t.Errorf("reason %q does not say what was looked at", reason)
						}
					} else if !strings.Contains(reason, p.CloudTypes[0]) {
						t.Errorf("reason %q does not say what the cluster shows", reason)
					}
				}
			})
		}
	}
}
