package kube

import (
	"context"
	"errors"
	"fmt"
	"time"

	authenticationv1 "k8s.io/api/authentication/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// ServiceAccountToken asks the TokenRequest API for a token of the
// ServiceAccount namespace/name, valid for expiration (0: the server's
// default; the server enforces a minimum of 10 minutes).
func (c *Client) ServiceAccountToken(ctx context.Context, namespace, name string, expiration time.Duration) (string, error) {
	req := &authenticationv1.TokenRequest{}
	if expiration > 0 {
		secs := int64(expiration / time.Second)
		req.Spec.ExpirationSeconds = &secs
	}
	res, err := c.kube.CoreV1().ServiceAccounts(namespace).CreateToken(ctx, name, req, metav1.CreateOptions{})
	if err != nil {
		return "", fmt.Errorf("kube: token for ServiceAccount %s/%s: %w", namespace, name, Classify(err))
	}
	if res.Status.Token == "" {
		return "", errors.New("kube: token for ServiceAccount " + namespace + "/" + name + ": empty token")
	}
	return res.Status.Token, nil
}
