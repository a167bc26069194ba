package kube

import (
	"context"
	"errors"
	"fmt"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// ClusterIdentity returns what tells one cluster from every other: the UID
// of its kube-system namespace. The API server makes that namespace once,
// when the cluster is created, so two kubeconfigs, hosts or credentials
// that reach the same cluster give the same identity.
func (c *Client) ClusterIdentity(ctx context.Context) (string, error) {
	ns, err := c.kube.CoreV1().Namespaces().Get(ctx, "kube-system", metav1.GetOptions{})
	if err != nil {
		return "", Classify(fmt.Errorf("kube: get namespace kube-system: %w", err))
	}
	if ns.UID == "" {
		return "", errors.New("kube: namespace kube-system has no uid")
	}
	return string(ns.UID), nil
}
