// Package kube is the provider's and the agent's one home for cluster access
// with client-go: a rest.Config from what the user gave (kubeconfig file and
// context, host + CA + token, exec plugin, or kubeconfig content), server-side
// apply of multi-document manifests, label-scoped listing and deletion, waits,
// access reviews and node facts. Resources never touch client-go types.
package kube
