package wire_test

import (
	"encoding/json"
	"testing"

	"github.com/terraform-palette/terraform-provider-palette/internal/wire"
)

// An entry read from Palette goes back in a list PUT with its spec exactly
// as Palette sent it, fields the client does not model included, so that a
// client rewriting the list never changes another's entry.
func TestClusterConfigEntries_inputKeepsSpec(t *testing.T) {
	t.Parallel()
	body := `{"items":[{"metadata":{"uid":"u1","name":"team-a","labels":{"a":"b"},"creationTimestamp":"2026-01-02T03:04:05Z"},
	  "spec":{"isRegex":false,"relatedObject":{"kind":"spectrocluster","uid":"c1"},"resourceAllocation":{"cpuCores":2,"memoryMiB":1024,"gpuConfig":{"limit":1,"provider":"nvidia"}},"future":{"x":1}},
	  "status":{"errors":[{"msg":"boom"}]}}]}`
	var list wire.ClusterNamespaceResources
	if err := json.Unmarshal([]byte(body), &list); err != nil {
		t.Fatal(err)
	}
	got := list.Items[0]
	if got.Spec.ResourceAllocation == nil || got.Spec.ResourceAllocation.CPUCores != 2 || got.Spec.ResourceAllocation.GpuConfig.Limit != 1 {
		t.Fatalf("typed spec not decoded: %+v", got.Spec)
	}
	if got.Status == nil || len(got.Status.Errors) != 1 {
		t.Fatalf("status not decoded: %+v", got.Status)
	}
	in := got.Input()
	if in.Metadata.UID != "u1" || in.Metadata.Name != "team-a" || in.Metadata.Labels["a"] != "b" {
		t.Fatalf("metadata: %+v", in.Metadata)
	}
	var back map[string]any
	if err := json.Unmarshal(in.Spec, &back); err != nil {
		t.Fatal(err)
	}
	if back["future"] == nil || back["relatedObject"] == nil {
		t.Fatalf("spec lost fields on the way back: %s", in.Spec)
	}

	var rb wire.ClusterRbacs
	if err := json.Unmarshal([]byte(`{"items":[{"metadata":{"uid":"r1","name":"ops"},"spec":{"bindings":[{"type":"ClusterRoleBinding","role":{"kind":"ClusterRole","name":"view"},"subjects":[{"type":"Group","name":"ops"}]}],"isSystem":true}}]}`), &rb); err != nil {
		t.Fatal(err)
	}
	if r := rb.Items[0]; len(r.Spec.Bindings) != 1 || !r.Spec.IsSystem || string(r.Input().Spec) != string(r.RawSpec) {
		t.Fatalf("rbac entry: %+v", r)
	}
	// An entry built by a client (no raw spec) sends its typed spec.
	fresh := wire.ClusterRbac{Metadata: wire.ObjectMeta{Name: "new"}, Spec: wire.ClusterRbacSpec{Bindings: []wire.ClusterRbacBinding{{Type: wire.BindingTypeRoleBinding, Namespace: "a"}}}}
	if s := string(fresh.Input().Spec); s != `{"bindings":[{"type":"RoleBinding","namespace":"a","role":{"kind":"","name":""},"subjects":null}]}` {
		t.Fatalf("fresh spec: %s", s)
	}
}
