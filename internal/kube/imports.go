package kube

import (
	"context"
	"fmt"
	"sort"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/fields"

	"github.com/terraform-palette/terraform-provider-palette/internal/palette"
)

// ImportInstall is one import agent install found in a cluster.
type ImportInstall struct {
	ClusterUID string
	Namespace  string
	// Terminating is true when the install's namespace or its cluster-info
	// ConfigMap is being deleted (only FindAllImports returns those).
	Terminating bool
}

// FindImports returns the agent installs present in the cluster: the
// cluster-info ConfigMaps labelled palette.io/cluster-uid, in every
// namespace, skipping those being deleted. Sorted by namespace.
func (c *Client) FindImports(ctx context.Context) ([]ImportInstall, error) {
	all, err := c.FindAllImports(ctx)
	if err != nil {
		return nil, err
	}
	var live []ImportInstall
	for _, in := range all {
		if !in.Terminating {
			live = append(live, in)
		}
	}
	return live, nil
}

// FindAllImports is FindImports including the installs being deleted, with
// Terminating set.
func (c *Client) FindAllImports(ctx context.Context) ([]ImportInstall, error) {
	list, err := c.kube.CoreV1().ConfigMaps(metav1.NamespaceAll).List(ctx, metav1.ListOptions{
		LabelSelector: palette.LabelClusterUID,
		FieldSelector: fields.OneTermEqualSelector("metadata.name", palette.AgentClusterInfoConfigMap).String(),
	})
	if err != nil {
		return nil, fmt.Errorf("kube: list %s ConfigMaps: %w", palette.AgentClusterInfoConfigMap, Classify(err))
	}
	var out []ImportInstall
	nsTerminating := map[string]bool{}
	for _, cm := range list.Items {
		term, ok := nsTerminating[cm.Namespace]
		if !ok {
			ns, err := c.kube.CoreV1().Namespaces().Get(ctx, cm.Namespace, metav1.GetOptions{})
			switch {
			case apierrors.IsNotFound(err):
				term = true
			case err != nil:
				return nil, fmt.Errorf("kube: get namespace %s: %w", cm.Namespace, Classify(err))
			default:
				term = ns.DeletionTimestamp != nil || ns.Status.Phase == corev1.NamespaceTerminating
			}
			nsTerminating[cm.Namespace] = term
		}
		out = append(out, ImportInstall{
			ClusterUID:  cm.Labels[palette.LabelClusterUID],
			Namespace:   cm.Namespace,
			Terminating: term || cm.DeletionTimestamp != nil,
		})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Namespace < out[j].Namespace })
	return out, nil
}
