package kube

import (
	"errors"
	"strings"
	"testing"
)

func TestDecode(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name      string
		manifest  string
		wantKinds []string // "Kind/name"
		wantIndex int      // -1: no error
		wantErr   string
	}{
		{
			name: "multi-doc with empty and comment docs",
			manifest: `# leading comment
---
apiVersion: v1
kind: Namespace
metadata:
  name: ns1
---
---
# only a comment
---
apiVersion: v1
kind: ConfigMap
metadata:
  name: cm1
  namespace: ns1
data:
  k: "v"
...
`,
			wantKinds: []string{"Namespace/ns1", "ConfigMap/cm1"},
			wantIndex: -1,
		},
		{
			name:      "json document",
			manifest:  `{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"j"}}`,
			wantKinds: []string{"ConfigMap/j"},
			wantIndex: -1,
		},
		{
			name: "list is expanded",
			manifest: `apiVersion: v1
kind: List
items:
- apiVersion: v1
  kind: ServiceAccount
  metadata: {name: a}
- apiVersion: v1
  kind: ServiceAccount
  metadata: {name: b}
`,
			wantKinds: []string{"ServiceAccount/a", "ServiceAccount/b"},
			wantIndex: -1,
		},
		{name: "empty", manifest: "", wantIndex: -1},
		{name: "only separators and comments", manifest: "---\n# x\n---\n\n", wantIndex: -1},
		{
			name:      "bad yaml in third document",
			manifest:  "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\n---\n\n---\nkind: [unclosed\n",
			wantIndex: 2,
			wantErr:   "document 2",
		},
		{
			name:      "missing kind",
			manifest:  "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\n---\napiVersion: v1\nmetadata: {name: b}\n",
			wantIndex: 1,
			wantErr:   "has no kind",
		},
		{
			name:      "missing name",
			manifest:  "apiVersion: apps/v1\nkind: Deployment\nmetadata: {}\n",
			wantIndex: 0,
			wantErr:   "Deployment has no metadata.name",
		},
		{
			name:      "bad apiVersion",
			manifest:  "apiVersion: a/b/c\nkind: X\nmetadata: {name: nx}\n",
			wantIndex: 0,
			wantErr:   "a/b/c",
		},
		{
			name:      "scalar document",
			manifest:  "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\n---\njust a string\n",
			wantIndex: 1,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			objs, err := Decode([]byte(tt.manifest))
			if tt.wantIndex >= 0 {
				var de *DecodeError
				if !errors.As(err, &de) {
					t.Fatalf("err = %v, want a *DecodeError", err)
				}
				if de.Index != tt.wantIndex {
					t.Errorf("Index = %d, want %d (%v)", de.Index, tt.wantIndex, err)
				}
				if tt.wantErr != "" && !strings.Contains(err.Error(), tt.wantErr) {
					t.Errorf("error %q does not contain %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatalf("Decode: %v", err)
			}
			var got []string
			for _, o := range objs {
				got = append(got, o.GetKind()+"/"+o.GetName())
			}
			if strings.Join(got, ",") != strings.Join(tt.wantKinds, ",") {
				t.Errorf("objects = %v, want %v", got, tt.wantKinds)
			}
		})
	}
}

func TestObjectRefString(t *testing.T) {
	t.Parallel()
	tests := []struct {
		ref  ObjectRef
		want string
	}{
		{ObjectRef{Group: "rbac.authorization.k8s.io", Version: "v1", Kind: "ClusterRole", Name: "cma-lite-cluster-role"}, "rbac.authorization.k8s.io/v1 ClusterRole cma-lite-cluster-role"},
		{ObjectRef{Group: "apps", Version: "v1", Kind: "Deployment", Namespace: "ns", Name: "name"}, "apps/v1 Deployment ns/name"},
		{ObjectRef{Version: "v1", Kind: "Namespace", Name: "cluster-abc"}, "v1 Namespace cluster-abc"},
		{ObjectRef{Version: "v1", Kind: "ConfigMap", Resource: "configmaps", Namespace: "a", Name: "b"}, "v1 ConfigMap a/b"},
	}
	for _, tt := range tests {
		if got := tt.ref.String(); got != tt.want {
			t.Errorf("String() = %q, want %q", got, tt.want)
		}
	}
}

func TestApplyAndDeleteOrder(t *testing.T) {
	t.Parallel()
	objs, err := Decode([]byte(`apiVersion: apps/v1
kind: Deployment
metadata: {name: d, namespace: nx}
---
apiVersion: example.com/v1
kind: Widget
metadata: {name: w, namespace: nx}
---
apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata: {name: widgets.example.com}
---
apiVersion: v1
kind: Namespace
metadata: {name: nx}
---
apiVersion: v1
kind: ConfigMap
metadata: {name: c, namespace: nx}
`))
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	var refs []ObjectRef
	for _, o := range applyOrder(objs) {
		got = append(got, o.GetKind())
		refs = append(refs, RefOf(o))
	}
	if want := "Namespace,CustomResourceDefinition,Deployment,Widget,ConfigMap"; strings.Join(got, ",") != want {
		t.Errorf("apply order = %v, want %s", got, want)
	}
	got = nil
	for _, r := range deleteOrder(refs) {
		got = append(got, r.Kind)
	}
	if want := "Deployment,Widget,ConfigMap,CustomResourceDefinition,Namespace"; strings.Join(got, ",") != want {
		t.Errorf("delete order = %v, want %s", got, want)
	}
}
