//go:build tools

// Package kubebin pins the Kubernetes control-plane commands built by
// `go run ./tools/kube-local build`. It is a nested module so that the main
// module's `./...` never includes these heavy dependencies.
package kubebin

import (
	_ "k8s.io/kubernetes/cmd/kube-apiserver"
	_ "k8s.io/kubernetes/cmd/kube-controller-manager"
)
