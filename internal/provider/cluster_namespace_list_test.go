package provider

import (
	"encoding/json"
	"regexp"
	"strings"
	"testing"

	"github.com/terraform-palette/terraform-provider-palette/internal/wire"
)

// TestAccClusterEntriesList: `terraform query` lists one cluster's
// namespaces and role bindings made in Palette's UI (a role binding entry
// of two bindings, which palette_cluster_role_binding does not manage, is
// left out), and what -generate-config-out writes for them applies as
// imports only and plans no changes afterwards.
func TestAccClusterEntriesList(t *testing.T) {
	queryCLI(t)
	env := newTestEnv(t, testEnvOptions{leavesClusters: true})
	cid := env.importClusterDirect(t, "day2", wire.CloudTypeGeneric, wire.ImportModeFullPermission, nil)
	env.importClusterDirect(t, "day2-other", wire.CloudTypeGeneric, wire.ImportModeFullPermission, nil)
	env.putOutsideNamespace(t, cid)
	if err := env.Client.PutClusterRbacs(testCtx(t), cid, []wire.ClusterRbacInputEntity{{
		Metadata: wire.ObjectMetaUpdateEntity{Name: "auditors"},
		Spec: json.RawMessage(`{"bindings":[{"type":"RoleBinding","namespace":"made-in-ui","role":{"kind":"ClusterRole","name":"view"},` +
			`"subjects":[{"type":"Group","name":"auditors"},{"type":"ServiceAccount","name":"ci","namespace":"made-in-ui"}]}]}`),
	}, {
		Metadata: wire.ObjectMetaUpdateEntity{Name: "grouped"},
		Spec: json.RawMessage(`{"bindings":[{"type":"ClusterRoleBinding","role":{"kind":"ClusterRole","name":"view"},"subjects":[{"type":"Group","name":"a"}]},` +
			`{"type":"ClusterRoleBinding","role":{"kind":"ClusterRole","name":"edit"},"subjects":[{"type":"Group","name":"b"}]}]}`),
	}}); err != nil {
		t.Fatal(err)
	}
	d := env.queryDir(t)
	d.writeQuery(t, `
list "palette_cluster_namespace" "day2" {
  provider         = palette
  include_resource = true
  config { cluster_id = "`+cid+`" }
}
list "palette_cluster_role_binding" "day2" {
  provider         = palette
  include_resource = true
  config { cluster_id = "`+cid+`" }
}
`)
	found := d.query(t)
	for addr, want := range map[string]string{"palette_cluster_namespace.day2": "made-in-ui", "palette_cluster_role_binding.day2": "auditors"} {
		f := found["list."+addr]
		if got := names(f); got != want {
			t.Errorf("%s: found %q, want %q", addr, got, want)
			continue
		}
		if f[0].Identity["cluster_id"] != cid || f[0].Identity["name"] != want {
			t.Errorf("%s: identity %v", addr, f[0].Identity)
		}
	}
	out := tfMust(t, d.dir, d.vars, nil, "query", "-generate-config-out=generated.tf")
	if !regexp.MustCompile(`Role binding left out[\s\S]*grouped`).MatchString(out) {
		t.Errorf("the query does not say that the entry of two bindings is left out:\n%s", out)
	}
	if out := tfMust(t, d.dir, d.vars, nil, "apply", "-auto-approve"); !strings.Contains(out, "2 imported, 0 added, 0 changed, 0 destroyed") {
		t.Errorf("the apply of the generated configuration did more than import:\n%s", out)
	}
	if out, code := tfRun(t, d.dir, d.vars, "plan", "-detailed-exitcode"); code != 0 || !strings.Contains(out, "No changes") {
		t.Errorf("the plan after the imports is not empty (exit %d):\n%s", code, out)
	}
}
