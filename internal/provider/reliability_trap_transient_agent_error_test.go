package provider

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/terraform-palette/terraform-provider-palette/internal/kube"
	"github.com/terraform-palette/terraform-provider-palette/internal/palette"
	"github.com/terraform-palette/terraform-provider-palette/internal/wire"
)

var _ = registerTrap("transient_agent_error", trapTransientAgentError)

// refuseHelloPolicy makes the apiserver refuse the hello pack's ConfigMap
// for a while, as an apiserver that is away for a moment makes the agent's
// apply fail.
const refuseHelloPolicy = `apiVersion: admissionregistration.k8s.io/v1
kind: ValidatingAdmissionPolicy
metadata:
  name: refuse-hello
spec:
  failurePolicy: Fail
  matchConstraints:
    resourceRules:
    - apiGroups: [""]
      apiVersions: ["v1"]
      operations: ["CREATE", "UPDATE"]
      resources: ["configmaps"]
  validations:
  - expression: "object.metadata.name != '` + helloConfigMap + `'"
    message: "the apiserver is away for a moment"
---
apiVersion: admissionregistration.k8s.io/v1
kind: ValidatingAdmissionPolicyBinding
metadata:
  name: refuse-hello
spec:
  policyName: refuse-hello
  validationActions: ["Deny"]
`

// trapTransientAgentError: the agent's apply of a pack fails for a while
// (the apiserver refuses it), then the agent's own retry deploys it. Once,
// the attachment failed at the first error the agent reported. Now an
// apply failure ends the wait only once it lasts (packErrorGrace): the one
// apply converges. The refusal is lifted after the agent has reported it
// for 15 s without a pause.
func trapTransientAgentError(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t, testEnvOptions{flavor: "generic", nodes: 1})
	hello := env.createProfile(t, "hello-addon.yaml", false, nil)
	kc := env.kubeClient(t)
	if _, err := kc.Apply(testCtx(t), []byte(refuseHelloPolicy), kube.ApplyOptions{}); err != nil {
		t.Fatal(err)
	}
	probe := &corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Name: helloConfigMap, Namespace: metav1.NamespaceDefault}}
	refused := func(deny bool) {
		waitAdmission(t, "away for a moment", deny, func(ctx context.Context) error {
			_, err := kc.Kubernetes().CoreV1().ConfigMaps(metav1.NamespaceDefault).Create(ctx, probe, metav1.CreateOptions{DryRun: []string{metav1.DryRunAll}})
			return err
		})
	}
	refused(true)

	name := "trap-transient-agent-error"
	lifted := make(chan error, 1)
	lift := func(ctx context.Context) error {
		var refs []kube.ObjectRef
		for _, kind := range []string{"ValidatingAdmissionPolicyBinding", "ValidatingAdmissionPolicy"} {
			refs = append(refs, kube.ObjectRef{Group: "admissionregistration.k8s.io", Version: "v1", Kind: kind, Name: "refuse-hello"})
		}
		return kc.Delete(ctx, refs, kube.DeleteOptions{})
	}
	go func() { lifted <- env.liftAfterPackError(name, hello, 15*time.Second, lift) }()
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		CheckDestroy:             env.testAccCheckAddonProfileAttachmentDestroy(t),
		Steps: []resource.TestStep{{
			Config: testAccAddonProfileAttachmentConfig(env, name, testAccAddonProfileAttachmentBlock(hello, "")),
			Check: resource.ComposeTestCheckFunc(
				func(*terraform.State) error { return <-lifted },
				env.expectConfigMapMessage(t, helloNamespace, "hello"),
			),
		}},
	})
}

// liftAfterPackError waits until the agent of cluster name has reported a
// pack of the profile in Error for d without a pause, then calls lift.
func (e *testEnv) liftAfterPackError(name, profileUID string, d time.Duration, lift func(context.Context) error) error {
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	var since time.Time
	for {
		if live := liveClustersCtx(ctx, e.Client, name); len(live) == 1 {
			cl, err := e.Client.GetCluster(ctx, live[0].Metadata.UID)
			failing := false
			if err == nil {
				for _, p := range profilePackStatuses(cl, profileUID) {
					failing = failing || packState(p.Condition) == packStateError
				}
			}
			switch {
			case !failing:
				since = time.Time{}
			case since.IsZero():
				since = time.Now()
			case time.Since(since) >= d:
				return lift(ctx)
			}
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("the agent never reported the refused pack for %s", d)
		case <-time.After(500 * time.Millisecond):
		}
	}
}

// liveClustersCtx is liveClusters outside the test goroutine.
func liveClustersCtx(ctx context.Context, c *palette.Client, name string) []wire.SpectroClusterSummary {
	items, err := c.SearchClusters(ctx, wire.SearchFilterSummarySpec{
		Filter: wire.AndFilter(wire.StringFilter("clusterName", name))}, palette.MaxSearchPageSize)
	if err != nil {
		return nil
	}
	var out []wire.SpectroClusterSummary
	for _, it := range items {
		if it.Status.State != wire.StateDeleted && it.Metadata.Name == name {
			out = append(out, it)
		}
	}
	return out
}
