package localapi_test

import (
	"encoding/json"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/terraform-palette/terraform-provider-palette/internal/acctest/localtest"
	"github.com/terraform-palette/terraform-provider-palette/internal/localapi"
	"github.com/terraform-palette/terraform-provider-palette/internal/manifest"
	"github.com/terraform-palette/terraform-provider-palette/internal/wire"
)

// nsInput is one entry of a namespaces PUT.
func nsInput(uid, name, spec string) wire.ClusterNamespaceResourceInputEntity {
	e := wire.ClusterNamespaceResourceInputEntity{Metadata: wire.ObjectMetaUpdateEntity{UID: uid, Name: name}}
	if spec != "" {
		e.Spec = json.RawMessage(spec)
	}
	return e
}

func nsBody(entries ...wire.ClusterNamespaceResourceInputEntity) wire.ClusterNamespaceResourcesUpdateEntity {
	if entries == nil {
		entries = []wire.ClusterNamespaceResourceInputEntity{}
	}
	return wire.ClusterNamespaceResourcesUpdateEntity{Namespaces: entries}
}

// rbacInput is one entry of an rbacs PUT.
func rbacInput(uid, name, spec string) wire.ClusterRbacInputEntity {
	e := wire.ClusterRbacInputEntity{Metadata: wire.ObjectMetaUpdateEntity{UID: uid, Name: name}}
	if spec != "" {
		e.Spec = json.RawMessage(spec)
	}
	return e
}

func rbacBody(entries ...wire.ClusterRbacInputEntity) wire.ClusterRbacResourcesUpdateEntity {
	if entries == nil {
		entries = []wire.ClusterRbacInputEntity{}
	}
	return wire.ClusterRbacResourcesUpdateEntity{Rbacs: entries}
}

func (c *client) namespaces(uid string) []wire.ClusterNamespaceResource {
	c.t.Helper()
	var out wire.ClusterNamespaceResources
	c.must(http.MethodGet, "/v1/spectroclusters/"+uid+"/config/namespaces", nil, 200, &out)
	return out.Items
}

func (c *client) rbacs(uid string) []wire.ClusterRbac {
	c.t.Helper()
	var out wire.ClusterRbacs
	c.must(http.MethodGet, "/v1/spectroclusters/"+uid+"/config/rbacs", nil, 200, &out)
	return out.Items
}

func isUID(s string) bool { return len(s) == 24 && strings.Trim(s, "0123456789abcdef") == "" }

const quotaSpec = `{"isRegex":false,"resourceAllocation":{"cpuCores":2,"memoryMiB":1024,"gpuConfig":{"limit":1,"provider":"nvidia"}}}`

// testClock is a clock the test moves on.
type testClock struct {
	mu sync.Mutex
	t  time.Time
}

func (k *testClock) now() time.Time {
	k.mu.Lock()
	defer k.mu.Unlock()
	return k.t
}

func (k *testClock) advance(d time.Duration) {
	k.mu.Lock()
	defer k.mu.Unlock()
	k.t = k.t.Add(d)
}

func TestClusterNamespaces_shapesUIDsAndReplace(t *testing.T) {
	t.Parallel()
	clock := &testClock{t: time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)}
	c := newClient(t, localtest.Start(t, localtest.WithConfig(func(cfg *localapi.Config) { cfg.Now = clock.now })))
	uid := c.importCluster("generic", "ns-shapes", "")
	base := "/v1/spectroclusters/" + uid + "/config/namespaces"

	if a := c.must(http.MethodGet, base, nil, 200, nil); strings.TrimSpace(string(a.body)) != `{"items":[]}` {
		t.Fatalf("GET of a cluster without namespaces: %s", a.body)
	}
	a := nsInput("", "team-a", quotaSpec)
	a.Metadata.Labels = map[string]string{"team": "a"}
	a.Metadata.Annotations = map[string]string{"owner": "alice"}
	c.must(http.MethodPut, base, nsBody(a, nsInput("", "team-b", "")), 204, nil)
	items := c.namespaces(uid)
	if len(items) != 2 {
		t.Fatalf("items %+v", items)
	}
	first, second := items[0], items[1]
	if !isUID(first.Metadata.UID) || !isUID(second.Metadata.UID) || first.Metadata.UID == second.Metadata.UID {
		t.Fatalf("uids %q %q: want two 24-hex uids", first.Metadata.UID, second.Metadata.UID)
	}
	if first.Metadata.Name != "team-a" || first.Metadata.Labels["team"] != "a" || first.Metadata.Annotations["owner"] != "alice" ||
		first.Metadata.CreationTimestamp == nil || first.Metadata.LastModifiedTimestamp == nil {
		t.Fatalf("metadata %+v", first.Metadata)
	}
	ra := first.Spec.ResourceAllocation
	if ra == nil || ra.CPUCores != 2 || ra.MemoryMiB != 1024 || ra.GpuConfig == nil || ra.GpuConfig.Limit != 1 || ra.GpuConfig.Provider != "nvidia" {
		t.Fatalf("resource allocation %+v", ra)
	}
	if first.Status == nil || len(first.Status.Errors) != 0 {
		t.Fatalf("status %+v, want no errors", first.Status)
	}
	// An entry without an allocation shows an empty one (Spectro Cloud's
	// provider reads it without a check).
	if second.Metadata.Name != "team-b" || second.Spec.ResourceAllocation == nil || *second.Spec.ResourceAllocation != (wire.ClusterNamespaceResourceAllocation{}) {
		t.Fatalf("second %+v", second.Spec)
	}

	// The whole list is replaced: team-a keeps its uid and times (sent back
	// unchanged), team-b goes, team-c is new.
	clock.advance(time.Minute)
	a.Metadata.UID = first.Metadata.UID
	c.must(http.MethodPut, base, nsBody(a, nsInput("", "team-c", "")), 204, nil)
	items = c.namespaces(uid)
	if len(items) != 2 || items[0].Metadata.UID != first.Metadata.UID || items[1].Metadata.Name != "team-c" ||
		items[1].Metadata.UID == second.Metadata.UID || !isUID(items[1].Metadata.UID) {
		t.Fatalf("after the replace: %+v", items)
	}
	if !first.Metadata.CreationTimestamp.Equal(clock.now().Add(-time.Minute)) ||
		!items[0].Metadata.CreationTimestamp.Equal(*first.Metadata.CreationTimestamp) ||
		!items[0].Metadata.LastModifiedTimestamp.Equal(*first.Metadata.LastModifiedTimestamp) {
		t.Fatalf("an unchanged entry's times changed: %+v, was %+v", items[0].Metadata, first.Metadata)
	}
	// A changed entry keeps its uid and creation time, with a new
	// modification time.
	a.Spec = json.RawMessage(`{"resourceAllocation":{"cpuCores":0.5}}`)
	c.must(http.MethodPut, base, nsBody(a, nsInput(items[1].Metadata.UID, "team-c", "")), 204, nil)
	got := c.namespaces(uid)[0]
	if got.Metadata.UID != first.Metadata.UID || !got.Metadata.CreationTimestamp.Equal(*first.Metadata.CreationTimestamp) ||
		!got.Metadata.LastModifiedTimestamp.Equal(clock.now()) || got.Spec.ResourceAllocation.CPUCores != 0.5 ||
		got.Spec.ResourceAllocation.GpuConfig != nil {
		t.Fatalf("changed entry %+v %+v", got.Metadata, got.Spec.ResourceAllocation)
	}

	// A uid the list does not have, or one listed twice: 400.
	c.wantError(http.MethodPut, base, nsBody(nsInput("0123456789abcdef01234567", "team-x", "")), 400, wire.CodeBadRequest)
	c.wantError(http.MethodPut, base, nsBody(nsInput(a.Metadata.UID, "team-x", ""), nsInput(a.Metadata.UID, "team-y", "")), 400, wire.CodeBadRequest)
	// An entry of another cluster is not this cluster's.
	other := c.importCluster("generic", "ns-other", "")
	c.wantError(http.MethodPut, "/v1/spectroclusters/"+other+"/config/namespaces", nsBody(nsInput(a.Metadata.UID, "team-a", "")), 400, wire.CodeBadRequest)
	if n := len(c.namespaces(uid)); n != 2 {
		t.Fatalf("refused PUTs changed the list: %d entries", n)
	}

	// An empty list removes every entry.
	c.must(http.MethodPut, base, nsBody(), 204, nil)
	if items := c.namespaces(uid); len(items) != 0 {
		t.Fatalf("after an empty PUT: %+v", items)
	}
}

func TestClusterNamespaces_singleEntry(t *testing.T) {
	t.Parallel()
	c := newClient(t, localtest.Start(t))
	uid := c.importCluster("generic", "ns-single", "")
	base := "/v1/spectroclusters/" + uid + "/config/namespaces"
	c.must(http.MethodPut, base, nsBody(nsInput("", "team-a", quotaSpec), nsInput("", "team-b", "")), 204, nil)
	items := c.namespaces(uid)
	aUID, bUID := items[0].Metadata.UID, items[1].Metadata.UID

	var one wire.ClusterNamespaceResource
	c.must(http.MethodGet, base+"/"+bUID, nil, 200, &one)
	if one.Metadata.UID != bUID || one.Metadata.Name != "team-b" {
		t.Fatalf("GET one: %+v", one.Metadata)
	}
	// PUT one entry: only it changes (metadata.uid may be left out).
	upd := nsInput("", "team-b2", `{"resourceAllocation":{"memoryMiB":256,"gpuConfig":{"limit":-1}}}`)
	upd.Metadata.Labels = map[string]string{"x": "y"}
	c.must(http.MethodPut, base+"/"+bUID, upd, 204, nil)
	items = c.namespaces(uid)
	if len(items) != 2 || items[0].Metadata.UID != aUID || items[0].Spec.ResourceAllocation.CPUCores != 2 {
		t.Fatalf("the other entry changed: %+v", items)
	}
	b := items[1]
	if b.Metadata.UID != bUID || b.Metadata.Name != "team-b2" || b.Metadata.Labels["x"] != "y" ||
		b.Spec.ResourceAllocation.MemoryMiB != 256 || b.Spec.ResourceAllocation.GpuConfig == nil || b.Spec.ResourceAllocation.GpuConfig.Limit != -1 {
		t.Fatalf("updated entry %+v %+v", b.Metadata, b.Spec.ResourceAllocation)
	}

	unknown := "0123456789abcdef01234567"
	c.wantError(http.MethodGet, base+"/"+unknown, nil, 404, wire.CodeResourceNotFound)
	c.wantError(http.MethodPut, base+"/"+unknown, nsInput("", "team-z", ""), 404, wire.CodeResourceNotFound)
	c.wantError(http.MethodPut, base+"/"+bUID, nsInput(aUID, "team-b", ""), 400, wire.CodeBadRequest)
	// The list stays valid: a name the other entry has is refused.
	c.wantError(http.MethodPut, base+"/"+bUID, nsInput("", "team-a", ""), 400, wire.CodeBadRequest)
	c.wantError(http.MethodPut, base+"/"+bUID, nsInput("", "Team-B", ""), 400, wire.CodeBadRequest)
	if got := c.namespaces(uid)[1]; got.Metadata.Name != "team-b2" {
		t.Fatalf("refused PUTs changed the entry: %+v", got.Metadata)
	}
}

func TestClusterNamespaces_validation(t *testing.T) {
	t.Parallel()
	c := newClient(t, localtest.Start(t))
	uid := c.importCluster("generic", "ns-valid", "")
	base := "/v1/spectroclusters/" + uid + "/config/namespaces"
	bad := map[string]wire.ClusterNamespaceResourcesUpdateEntity{
		"no name":                 nsBody(nsInput("", "", "")),
		"not a DNS-1123 label":    nsBody(nsInput("", "Team_A", "")),
		"too long":                nsBody(nsInput("", strings.Repeat("a", 64), "")),
		"kube-system":             nsBody(nsInput("", "kube-system", "")),
		"kube-public":             nsBody(nsInput("", "kube-public", "")),
		"kube-node-lease":         nsBody(nsInput("", "kube-node-lease", "")),
		"default":                 nsBody(nsInput("", "default", "")),
		"the agent's namespace":   nsBody(nsInput("", manifest.AgentNamespace(uid), "")),
		"another agent namespace": nsBody(nsInput("", manifest.AgentNamespace("0123456789abcdef01234567"), "")),
		"a name twice":            nsBody(nsInput("", "team-a", ""), nsInput("", "team-a", "")),
		"a regex":                 nsBody(nsInput("", "~/team-.*/", `{"isRegex":true}`)),
		"cpuCores 0":              nsBody(nsInput("", "team-a", `{"resourceAllocation":{"cpuCores":0}}`)),
		"cpuCores < 0":            nsBody(nsInput("", "team-a", `{"resourceAllocation":{"cpuCores":-1}}`)),
		"memoryMiB 0":             nsBody(nsInput("", "team-a", `{"resourceAllocation":{"memoryMiB":0}}`)),
		"gpu limit -2":            nsBody(nsInput("", "team-a", `{"resourceAllocation":{"gpuConfig":{"limit":-2}}}`)),
		"gpu provider":            nsBody(nsInput("", "team-a", `{"resourceAllocation":{"gpuConfig":{"limit":1,"provider":"amd"}}}`)),
		"spec of the wrong type":  nsBody(nsInput("", "team-a", `{"resourceAllocation":{"cpuCores":"2"}}`)),
	}
	for name, body := range bad {
		e := c.wantError(http.MethodPut, base, body, 400, wire.CodeBadRequest)
		if !strings.Contains(e.Message, "namespaces[") {
			t.Errorf("%s: message %q does not name the entry", name, e.Message)
		}
	}
	c.wantError(http.MethodPut, base, `{"namespaces":{}}`, 400, wire.CodeBadRequest)
	c.wantError(http.MethodPut, base, ``, 400, wire.CodeBadRequest)
	if items := c.namespaces(uid); len(items) != 0 {
		t.Fatalf("refused PUTs stored %+v", items)
	}
	// What is valid: a name of 63, a GPU without a limit (-1), fractional cores.
	c.must(http.MethodPut, base, nsBody(nsInput("", strings.Repeat("a", 63), `{"resourceAllocation":{"cpuCores":0.25,"gpuConfig":{"limit":-1}}}`)), 204, nil)
}

func TestClusterRbacs_shapesValidationAndSingleEntry(t *testing.T) {
	t.Parallel()
	c := newClient(t, localtest.Start(t))
	uid := c.importCluster("generic", "rbac-shapes", "")
	base := "/v1/spectroclusters/" + uid + "/config/rbacs"
	if a := c.must(http.MethodGet, base, nil, 200, nil); strings.TrimSpace(string(a.body)) != `{"items":[]}` {
		t.Fatalf("GET of a cluster without RBAC entries: %s", a.body)
	}
	crb := `{"bindings":[{"type":"ClusterRoleBinding","role":{"kind":"ClusterRole","name":"view"},` +
		`"subjects":[{"type":"User","name":"alice"},{"type":"Group","name":"devs"},{"type":"ServiceAccount","name":"ci","namespace":"tools"}]}]}`
	rb := `{"bindings":[{"type":"RoleBinding","namespace":"team-a","role":{"kind":"Role","name":"editor"},"subjects":[{"type":"User","name":"bob"}]},` +
		`{"type":"RoleBinding","namespace":"team-b","role":{"kind":"ClusterRole","name":"system:aggregate-to-edit"},"subjects":[{"type":"Group","name":"devs"}]}]}`
	named := rbacInput("", "viewers", crb)
	named.Metadata.Labels = map[string]string{"k": "v"}
	c.must(http.MethodPut, base, rbacBody(named, rbacInput("", "", rb)), 204, nil)
	items := c.rbacs(uid)
	if len(items) != 2 || !isUID(items[0].Metadata.UID) || !isUID(items[1].Metadata.UID) {
		t.Fatalf("items %+v", items)
	}
	v := items[0]
	if v.Metadata.Name != "viewers" || v.Metadata.Labels["k"] != "v" || v.Metadata.CreationTimestamp == nil || v.Status == nil || len(v.Status.Errors) != 0 {
		t.Fatalf("entry %+v", v)
	}
	if len(v.Spec.Bindings) != 1 || v.Spec.Bindings[0].Type != wire.BindingTypeClusterRoleBinding || v.Spec.Bindings[0].Role != (wire.ClusterRoleRef{Kind: "ClusterRole", Name: "view"}) ||
		len(v.Spec.Bindings[0].Subjects) != 3 || v.Spec.Bindings[0].Subjects[2] != (wire.ClusterRbacSubjects{Type: "ServiceAccount", Name: "ci", Namespace: "tools"}) {
		t.Fatalf("bindings %+v", v.Spec.Bindings)
	}
	if u := items[1]; u.Metadata.Name != "" || len(u.Spec.Bindings) != 2 || u.Spec.Bindings[1].Namespace != "team-b" {
		t.Fatalf("unnamed entry %+v", u)
	}

	// The single entry: GET and PUT.
	var one wire.ClusterRbac
	c.must(http.MethodGet, base+"/"+v.Metadata.UID, nil, 200, &one)
	if one.Metadata.UID != v.Metadata.UID || one.Metadata.Name != "viewers" {
		t.Fatalf("GET one %+v", one.Metadata)
	}
	c.must(http.MethodPut, base+"/"+v.Metadata.UID, rbacInput(v.Metadata.UID, "viewers",
		`{"bindings":[{"type":"ClusterRoleBinding","role":{"kind":"ClusterRole","name":"admin"},"subjects":[{"type":"User","name":"carol"}]}]}`), 204, nil)
	items = c.rbacs(uid)
	if len(items) != 2 || items[0].Spec.Bindings[0].Role.Name != "admin" || items[0].Metadata.UID != v.Metadata.UID || len(items[1].Spec.Bindings) != 2 {
		t.Fatalf("after the single PUT: %+v", items)
	}
	c.wantError(http.MethodGet, base+"/0123456789abcdef01234567", nil, 404, wire.CodeResourceNotFound)
	c.wantError(http.MethodPut, base+"/0123456789abcdef01234567", rbacInput("", "x", ""), 404, wire.CodeResourceNotFound)

	binding := func(b string) string { return `{"bindings":[` + b + `]}` }
	bad := map[string]wire.ClusterRbacResourcesUpdateEntity{
		"a binding type":          rbacBody(rbacInput("", "", binding(`{"type":"Binding","role":{"kind":"Role","name":"r"}}`))),
		"RoleBinding, no ns":      rbacBody(rbacInput("", "", binding(`{"type":"RoleBinding","role":{"kind":"Role","name":"r"}}`))),
		"RoleBinding, bad ns":     rbacBody(rbacInput("", "", binding(`{"type":"RoleBinding","namespace":"Team","role":{"kind":"Role","name":"r"}}`))),
		"ClusterRoleBinding, ns":  rbacBody(rbacInput("", "", binding(`{"type":"ClusterRoleBinding","namespace":"a","role":{"kind":"ClusterRole","name":"r"}}`))),
		"ClusterRoleBinding Role": rbacBody(rbacInput("", "", binding(`{"type":"ClusterRoleBinding","role":{"kind":"Role","name":"r"}}`))),
		"a role kind":             rbacBody(rbacInput("", "", binding(`{"type":"RoleBinding","namespace":"a","role":{"kind":"Group","name":"r"}}`))),
		"no role name":            rbacBody(rbacInput("", "", binding(`{"type":"RoleBinding","namespace":"a","role":{"kind":"Role"}}`))),
		"a role name with /":      rbacBody(rbacInput("", "", binding(`{"type":"RoleBinding","namespace":"a","role":{"kind":"Role","name":"a/b"}}`))),
		"a subject type":          rbacBody(rbacInput("", "", binding(`{"type":"RoleBinding","namespace":"a","role":{"kind":"Role","name":"r"},"subjects":[{"type":"Robot","name":"x"}]}`))),
		"a subject without name":  rbacBody(rbacInput("", "", binding(`{"type":"RoleBinding","namespace":"a","role":{"kind":"Role","name":"r"},"subjects":[{"type":"User"}]}`))),
		"SA without namespace":    rbacBody(rbacInput("", "", binding(`{"type":"RoleBinding","namespace":"a","role":{"kind":"Role","name":"r"},"subjects":[{"type":"ServiceAccount","name":"x"}]}`))),
		"a name":                  rbacBody(rbacInput("", "Not_A_Name", "")),
		"a name twice":            rbacBody(rbacInput("", "x", ""), rbacInput("", "x", "")),
		"one binding name twice": rbacBody(rbacInput("", "a", `{"bindings":[{"type":"ClusterRoleBinding","role":{"kind":"ClusterRole","name":"r"}},{"type":"ClusterRoleBinding","role":{"kind":"ClusterRole","name":"r"}}]}`),
			rbacInput("", "a-1", binding(`{"type":"ClusterRoleBinding","role":{"kind":"ClusterRole","name":"r"}}`))),
		"a binding name too long": rbacBody(rbacInput("", strings.Repeat("a", 253), `{"bindings":[{"type":"ClusterRoleBinding","role":{"kind":"ClusterRole","name":"r"}},{"type":"ClusterRoleBinding","role":{"kind":"ClusterRole","name":"r"}}]}`)),
	}
	for name, body := range bad {
		e := c.wantError(http.MethodPut, base, body, 400, wire.CodeBadRequest)
		if !strings.Contains(e.Message, "rbacs[") {
			t.Errorf("%s: message %q does not name the entry", name, e.Message)
		}
	}
	if items := c.rbacs(uid); len(items) != 2 || items[0].Spec.Bindings[0].Role.Name != "admin" {
		t.Fatalf("refused PUTs changed the list: %+v", items)
	}
	// RoleBindings of one name in two namespaces are two objects: valid.
	c.must(http.MethodPut, base, rbacBody(rbacInput("", "a", `{"bindings":[{"type":"RoleBinding","namespace":"x","role":{"kind":"Role","name":"r"}}]}`),
		rbacInput("", "b", `{"bindings":[{"type":"RoleBinding","namespace":"y","role":{"kind":"Role","name":"r"}}]}`)), 204, nil)
}

// Namespaces and RBAC bindings need a Full Permission cluster that is not
// deleted.
func TestClusterConfig_clusterRules(t *testing.T) {
	t.Parallel()
	inst := localtest.Start(t)
	c := newClient(t, inst)
	ro := c.importCluster("generic", "cfg-ro", wire.ImportModeReadOnly)
	ns := nsBody(nsInput("", "team-a", ""))
	rb := rbacBody(rbacInput("", "viewers", `{"bindings":[{"type":"ClusterRoleBinding","role":{"kind":"ClusterRole","name":"view"}}]}`))

	e := c.wantError(http.MethodPut, "/v1/spectroclusters/"+ro+"/config/namespaces", ns, 400, wire.CodeNamespacesRequireFullPermission)
	if !strings.Contains(e.Message, "read-only") || !strings.Contains(e.Message, "namespaces") {
		t.Fatalf("message %q", e.Message)
	}
	e = c.wantError(http.MethodPut, "/v1/spectroclusters/"+ro+"/config/rbacs", rb, 400, wire.CodeRbacsRequireFullPermission)
	if !strings.Contains(e.Message, "read-only") || !strings.Contains(e.Message, "RBAC") {
		t.Fatalf("message %q", e.Message)
	}
	if items := c.namespaces(ro); len(items) != 0 {
		t.Fatalf("read-only cluster's namespaces %+v", items)
	}
	// An empty list asks for nothing Full Permission needs.
	c.must(http.MethodPut, "/v1/spectroclusters/"+ro+"/config/rbacs", rbacBody(), 204, nil)
	// After the move to Full Permission they are accepted.
	c.must(http.MethodPatch, "/v1/spectroclusters/"+ro+"/import/upgrade", nil, 204, nil)
	c.must(http.MethodPut, "/v1/spectroclusters/"+ro+"/config/namespaces", ns, 204, nil)
	c.must(http.MethodPut, "/v1/spectroclusters/"+ro+"/config/rbacs", rb, 204, nil)

	// Unknown and deleted clusters: 404.
	unknown := "/v1/spectroclusters/0123456789abcdef01234567"
	c.wantError(http.MethodGet, unknown+"/config/namespaces", nil, 404, wire.CodeResourceNotFound)
	c.wantError(http.MethodPut, unknown+"/config/namespaces", ns, 404, wire.CodeResourceNotFound)
	c.wantError(http.MethodGet, unknown+"/config/rbacs", nil, 404, wire.CodeResourceNotFound)
	c.wantError(http.MethodPut, unknown+"/config/rbacs", rb, 404, wire.CodeResourceNotFound)
	deleted := c.importCluster("generic", "cfg-deleted", "")
	c.must(http.MethodPut, "/v1/spectroclusters/"+deleted+"/config/namespaces", ns, 204, nil)
	c.must(http.MethodDelete, "/v1/spectroclusters/"+deleted, nil, 204, nil) // Pending: Deleted at once
	c.wantError(http.MethodGet, "/v1/spectroclusters/"+deleted+"/config/namespaces", nil, 404, wire.CodeResourceNotFound)
	c.wantError(http.MethodPut, "/v1/spectroclusters/"+deleted+"/config/rbacs", rb, 404, wire.CodeResourceNotFound)

	// A cluster being deleted shows its entries and takes no more.
	uid, _ := c.running("generic", "cfg-deleting")
	c.must(http.MethodPut, "/v1/spectroclusters/"+uid+"/config/namespaces", ns, 204, nil)
	c.must(http.MethodDelete, "/v1/spectroclusters/"+uid, nil, 204, nil)
	if items := c.namespaces(uid); len(items) != 1 {
		t.Fatalf("namespaces of a Deleting cluster %+v", items)
	}
	c.wantError(http.MethodPut, "/v1/spectroclusters/"+uid+"/config/namespaces", nsBody(), 409, wire.CodeConflict)

	// Another project's cluster is not found.
	other, err := inst.Server.CreateProject("other")
	if err != nil {
		t.Fatal(err)
	}
	c.with(c.key, other).wantError(http.MethodGet, "/v1/spectroclusters/"+ro+"/config/namespaces", nil, 404, wire.CodeResourceNotFound)
}

// The agent's desired state carries the entries; its report shows as
// status.errors of each entry, until the next report clears them.
func TestClusterConfig_agentDesiredAndErrors(t *testing.T) {
	t.Parallel()
	c := newClient(t, localtest.Start(t))
	uid, ag := c.running("generic", "cfg-agent")
	c.must(http.MethodPut, "/v1/spectroclusters/"+uid+"/config/namespaces", nsBody(nsInput("", "team-a", quotaSpec)), 204, nil)
	c.must(http.MethodPut, "/v1/spectroclusters/"+uid+"/config/rbacs", rbacBody(rbacInput("", "devs",
		`{"bindings":[{"type":"RoleBinding","namespace":"nowhere","role":{"kind":"ClusterRole","name":"edit"},"subjects":[{"type":"Group","name":"devs"}]}]}`)), 204, nil)
	nsUID, rbacUID := c.namespaces(uid)[0].Metadata.UID, c.rbacs(uid)[0].Metadata.UID

	var desired wire.AgentDesired
	if a := ag.call(http.MethodGet, "/agent/desired", nil); a.status != 200 || json.Unmarshal(a.body, &desired) != nil {
		t.Fatalf("desired: %d %s", a.status, a.body)
	}
	if len(desired.Namespaces) != 1 || desired.Namespaces[0].Metadata.UID != nsUID || desired.Namespaces[0].Spec.ResourceAllocation.CPUCores != 2 ||
		len(desired.Rbacs) != 1 || desired.Rbacs[0].Metadata.UID != rbacUID || desired.Rbacs[0].Spec.Bindings[0].Namespace != "nowhere" {
		t.Fatalf("desired namespaces %+v rbacs %+v", desired.Namespaces, desired.Rbacs)
	}

	report := wire.ConfigStatusRequest{
		Namespaces: []wire.ConfigEntryStatus{{UID: "0123456789abcdef01234567", Errors: []wire.ClusterResourceError{{Msg: "ignored"}}}},
		Rbacs: []wire.ConfigEntryStatus{{UID: rbacUID, Errors: []wire.ClusterResourceError{
			{Name: "devs", ResourceType: "RoleBinding", Msg: "namespace nowhere does not exist"},
			{Name: "devs", ResourceType: "RoleBinding", Msg: "namespace nowhere does not exist"},
		}}},
	}
	ag.must(http.MethodPatch, "/config/status", report)
	r := c.rbacs(uid)[0]
	if r.Status == nil || len(r.Status.Errors) != 1 || r.Status.Errors[0].Msg != "namespace nowhere does not exist" || r.Status.Errors[0].ResourceType != "RoleBinding" {
		t.Fatalf("rbac status %+v (one error: errors are a set)", r.Status)
	}
	var one wire.ClusterRbac
	c.must(http.MethodGet, "/v1/spectroclusters/"+uid+"/config/rbacs/"+rbacUID, nil, 200, &one)
	if one.Status == nil || len(one.Status.Errors) != 1 {
		t.Fatalf("single rbac status %+v", one.Status)
	}
	if n := c.namespaces(uid)[0]; n.Status == nil || len(n.Status.Errors) != 0 {
		t.Fatalf("namespace status %+v", n.Status)
	}
	// The errors survive a PUT that keeps the entry, and are the agent's:
	// the desired state does not carry them.
	c.must(http.MethodPut, "/v1/spectroclusters/"+uid+"/config/rbacs/"+rbacUID, rbacInput("", "devs", `{"bindings":[]}`), 204, nil)
	if r := c.rbacs(uid)[0]; len(r.Status.Errors) != 1 {
		t.Fatalf("errors after a PUT of the entry: %+v", r.Status)
	}
	if a := ag.call(http.MethodGet, "/agent/desired", nil); strings.Contains(string(a.body), "does not exist") {
		t.Fatalf("desired carries the errors: %s", a.body)
	}
	// The next report replaces it: no errors.
	ag.must(http.MethodPatch, "/config/status", wire.ConfigStatusRequest{})
	if r := c.rbacs(uid)[0]; r.Status == nil || len(r.Status.Errors) != 0 {
		t.Fatalf("rbac status after a clean report %+v", r.Status)
	}
	// The report is the agent's: an API key may not send it, nor another
	// cluster's agent.
	if a := c.do(http.MethodPatch, "/v1/spectroclusters/"+uid+"/config/status", report); a.status != http.StatusUnauthorized {
		t.Fatalf("report with an API key: %d", a.status)
	}
	_, otherAgent := c.running("generic", "cfg-agent-2")
	if a := otherAgent.c.do(http.MethodPatch, "/v1/spectroclusters/"+uid+"/config/status", report, "Authorization", "Bearer "+otherAgent.token); a.status != http.StatusForbidden {
		t.Fatalf("report with another cluster's agent token: %d", a.status)
	}
	if a := ag.call(http.MethodPatch, "/config/status", `{"rbacs":[{"errors":[]}]}`); a.status != http.StatusBadRequest {
		t.Fatalf("report without a uid: %d", a.status)
	}

	// A read-only cluster's agent gets no entries.
	ro := c.importCluster("generic", "cfg-agent-ro", wire.ImportModeReadOnly)
	roAgent := c.agentFor(ro)
	roAgent.register()
	var roDesired map[string]any
	if a := roAgent.call(http.MethodGet, "/agent/desired", nil); a.status != 200 || json.Unmarshal(a.body, &roDesired) != nil {
		t.Fatalf("read-only desired: %d %s", a.status, a.body)
	}
	if _, ok := roDesired["namespaces"]; ok {
		t.Fatalf("read-only desired has namespaces: %v", roDesired)
	}
}

func TestClusterConfig_survivesRestart(t *testing.T) {
	t.Parallel()
	inst := localtest.Start(t)
	c := newClient(t, inst)
	uid, ag := c.running("generic", "cfg-restart")
	c.must(http.MethodPut, "/v1/spectroclusters/"+uid+"/config/namespaces", nsBody(nsInput("", "team-a", quotaSpec), nsInput("", "team-b", "")), 204, nil)
	c.must(http.MethodPut, "/v1/spectroclusters/"+uid+"/config/rbacs", rbacBody(rbacInput("", "viewers",
		`{"bindings":[{"type":"ClusterRoleBinding","role":{"kind":"ClusterRole","name":"view"},"subjects":[{"type":"User","name":"alice"}]}]}`)), 204, nil)
	ag.must(http.MethodPatch, "/config/status", wire.ConfigStatusRequest{Namespaces: []wire.ConfigEntryStatus{{
		UID: c.namespaces(uid)[1].Metadata.UID, Errors: []wire.ClusterResourceError{{Name: "team-b", ResourceType: "Namespace", Msg: "boom"}}}}})
	nsBefore := c.must(http.MethodGet, "/v1/spectroclusters/"+uid+"/config/namespaces", nil, 200, nil).body
	rbacBefore := c.must(http.MethodGet, "/v1/spectroclusters/"+uid+"/config/rbacs", nil, 200, nil).body
	if !strings.Contains(string(nsBefore), "boom") {
		t.Fatalf("no error before the restart: %s", nsBefore)
	}
	inst.Restart(t)
	if after := c.must(http.MethodGet, "/v1/spectroclusters/"+uid+"/config/namespaces", nil, 200, nil).body; string(after) != string(nsBefore) {
		t.Fatalf("namespaces changed across the restart:\n%s\n%s", nsBefore, after)
	}
	if after := c.must(http.MethodGet, "/v1/spectroclusters/"+uid+"/config/rbacs", nil, 200, nil).body; string(after) != string(rbacBefore) {
		t.Fatalf("rbacs changed across the restart:\n%s\n%s", rbacBefore, after)
	}
}
