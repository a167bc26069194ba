package manifest

import (
	"bytes"
	"errors"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/terraform-palette/terraform-provider-palette/internal/wire"
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"sigs.k8s.io/yaml"
)

const testUID = "6491d4a94c39ad82d3cc30ae"

func baseParams(mode string) Params {
	return Params{
		ClusterUID:    testUID,
		APIEndpoint:   "https://127.0.0.1:8443",
		ImportMode:    mode,
		AgentToken:    "s3cret-token",
		AgentVersion:  "0.1.0",
		CACertificate: "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n",
	}
}

// decodeDocs splits the rendered manifest and decodes every document.
func decodeDocs(t *testing.T, out []byte) []*unstructured.Unstructured {
	t.Helper()
	var objs []*unstructured.Unstructured
	for _, doc := range strings.Split(string(out), "\n---\n") {
		var m map[string]any
		if err := yaml.Unmarshal([]byte(doc), &m); err != nil {
			t.Fatalf("document does not parse: %v\n%s", err, doc)
		}
		if len(m) == 0 {
			t.Fatalf("empty document in manifest:\n%s", out)
		}
		objs = append(objs, &unstructured.Unstructured{Object: m})
	}
	return objs
}

func ids(objs []*unstructured.Unstructured) []string {
	var out []string
	for _, o := range objs {
		id := ObjectID{Kind: o.GetKind(), Namespace: o.GetNamespace(), Name: o.GetName()}
		out = append(out, id.String())
	}
	return out
}

// The objects and names are exactly those a real Palette import manifest
// creates (Palette's import guide), with concrete names for its `*` ones;
// nothing else (no credential secret or role of our own).
func TestRender_objectSets(t *testing.T) {
	t.Parallel()
	ns := "cluster-" + testUID
	readOnly := []string{
		"Namespace/" + ns,
		"PriorityClass/spectro-cluster-critical",
		"ServiceAccount/" + ns + "/cluster-management-agent",
		"ClusterRole/cma-lite-cluster-least-privilege-role",
		"ClusterRoleBinding/cma-lite-cluster-least-privilege-role-binding",
		"ConfigMap/" + ns + "/cluster-info",
		"ConfigMap/" + ns + "/hubble-info",
		"ConfigMap/" + ns + "/log-parser-config",
		"ConfigMap/" + ns + "/upgrade-info-0.1.0",
		"ConfigMap/" + ns + "/version-info-0.1.0",
		"Secret/" + ns + "/hubble-secrets",
		"Deployment/" + ns + "/cluster-management-agent-lite",
	}
	full := []string{
		"Namespace/" + ns,
		"PriorityClass/spectro-cluster-critical",
		"PriorityClass/palette-spectro-cluster-critical",
		"CustomResourceDefinition/spectroclusters.cluster.spectrocloud.com",
		"CustomResourceDefinition/clusterprofiles.cluster.spectrocloud.com",
		"ServiceAccount/" + ns + "/cluster-management-agent",
		"ServiceAccount/" + ns + "/palette-manager",
		"ClusterRole/cma-lite-cluster-least-privilege-role",
		"ClusterRoleBinding/cma-lite-cluster-least-privilege-role-binding",
		"ClusterRoleBinding/palette-lite-cluster-admin-binding",
		"ConfigMap/" + ns + "/cluster-info",
		"ConfigMap/" + ns + "/hubble-info",
		"ConfigMap/" + ns + "/log-parser-config",
		"ConfigMap/" + ns + "/upgrade-info-0.1.0",
		"ConfigMap/" + ns + "/version-info-0.1.0",
		"ConfigMap/" + ns + "/palette-version-info-0.1.0",
		"Secret/" + ns + "/hubble-secrets",
		"Job/" + ns + "/palette-import-presetup-job",
		"Deployment/" + ns + "/cluster-management-agent-lite",
		"Deployment/" + ns + "/palette-lite-controller-manager",
	}
	for _, tc := range []struct {
		name string
		mode string
		want []string
	}{
		{"read-only", wire.ImportModeReadOnly, readOnly},
		{"full", wire.ImportModeFullPermission, full},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			out, err := Render(baseParams(tc.mode))
			if err != nil {
				t.Fatal(err)
			}
			got := ids(decodeDocs(t, out))
			if !slices.Equal(got, tc.want) {
				t.Fatalf("objects in apply order:\n got %q\nwant %q", got, tc.want)
			}
			names, err := objectNames(testUID, tc.mode)
			if err != nil {
				t.Fatal(err)
			}
			// objectNames names the version ConfigMaps for the default version.
			want := slices.Clone(tc.want)
			for i, w := range want {
				want[i] = strings.Replace(w, "-info-0.1.0", "-info-"+DefaultAgentVersion, 1)
			}
			slices.Sort(want)
			if !slices.Equal(names, want) {
				t.Fatalf("objectNames = %q, want %q", names, want)
			}
		})
	}
}

func TestRender_everyObjectLabelled(t *testing.T) {
	t.Parallel()
	for _, mode := range []string{wire.ImportModeReadOnly, wire.ImportModeFullPermission} {
		out, err := Render(baseParams(mode))
		if err != nil {
			t.Fatal(err)
		}
		for _, o := range decodeDocs(t, out) {
			l := o.GetLabels()
			if l[LabelManagedBy] != "palette" || l[LabelClusterUID] != testUID {
				t.Errorf("mode %q: %s/%s labels %v lack managed-by/cluster-uid", mode, o.GetKind(), o.GetName(), l)
			}
			if o.GetKind() == "Deployment" {
				pl, _, _ := unstructured.NestedStringMap(o.Object, "spec", "template", "metadata", "labels")
				if pl[LabelClusterUID] != testUID {
					t.Errorf("%s pod template labels %v lack cluster-uid", o.GetName(), pl)
				}
			}
			if _, found, _ := unstructured.NestedFieldNoCopy(o.Object, "metadata", "creationTimestamp"); found {
				t.Errorf("%s/%s carries creationTimestamp", o.GetKind(), o.GetName())
			}
		}
	}
}

func TestAgentRules_onlyRestrictedWrites(t *testing.T) {
	t.Parallel()
	readVerbs := map[string]bool{"get": true, "list": true, "watch": true}
	allowedWrites := map[string][]string{
		"namespaces":          {"cluster-" + testUID},
		"clusterroles":        {ReadOnlyClusterRole},
		"clusterrolebindings": {ReadOnlyClusterRoleBinding},
		"priorityclasses":     {AgentPriorityClass},
	}
	out, err := Render(baseParams(wire.ImportModeReadOnly))
	if err != nil {
		t.Fatal(err)
	}
	var role *rbacv1.ClusterRole
	for _, o := range decodeDocs(t, out) {
		if o.GetKind() == "ClusterRole" {
			role = &rbacv1.ClusterRole{}
			b, _ := yaml.Marshal(o.Object)
			if err := yaml.Unmarshal(b, role); err != nil {
				t.Fatal(err)
			}
		}
		if o.GetKind() == "ClusterRoleBinding" {
			ref, _, _ := unstructured.NestedString(o.Object, "roleRef", "name")
			if ref == "cluster-admin" {
				t.Fatalf("read-only manifest binds cluster-admin")
			}
		}
	}
	if role == nil {
		t.Fatal("no ClusterRole in the read-only manifest")
	}
	sawRead := false
	for _, r := range role.Rules {
		var writes []string
		for _, v := range r.Verbs {
			if v == "*" {
				t.Fatalf("rule %+v grants every verb", r)
			}
			if !readVerbs[v] {
				writes = append(writes, v)
			}
		}
		if len(writes) == 0 {
			if slices.Contains(r.Resources, "*") {
				sawRead = true
			}
			continue
		}
		for _, v := range writes {
			if v != "delete" && v != "patch" {
				t.Errorf("rule %+v grants write verb %q", r, v)
			}
		}
		if len(r.Resources) != 1 || len(r.ResourceNames) == 0 {
			t.Errorf("write rule %+v is not restricted to one resource by resourceNames", r)
			continue
		}
		want, ok := allowedWrites[r.Resources[0]]
		if !ok || !slices.Equal(r.ResourceNames, want) {
			t.Errorf("write rule %+v: resourceNames %v, want %v", r, r.ResourceNames, want)
		}
		if r.Resources[0] == "namespaces" && slices.Contains(r.Verbs, "patch") {
			t.Errorf("namespace rule grants patch: %+v", r)
		}
	}
	if !sawRead {
		t.Error("role does not grant get/list/watch on everything")
	}
}

func TestRender_fullPermissionBinding(t *testing.T) {
	t.Parallel()
	objs, err := Objects(baseParams(wire.ImportModeFullPermission))
	if err != nil {
		t.Fatal(err)
	}
	for _, o := range objs {
		b, ok := o.(*rbacv1.ClusterRoleBinding)
		if !ok || b.Name != ManagerClusterRoleBinding {
			continue
		}
		if b.RoleRef.Name != "cluster-admin" {
			t.Fatalf("roleRef %v", b.RoleRef)
		}
		var names []string
		for _, s := range b.Subjects {
			if s.Namespace != "cluster-"+testUID {
				t.Errorf("subject %v in wrong namespace", s)
			}
			names = append(names, s.Name)
		}
		if !slices.Equal(names, []string{ManagerServiceAccount, AgentServiceAccount}) {
			t.Fatalf("subjects %v", names)
		}
		return
	}
	t.Fatal("no cluster-admin binding in the full manifest")
}

func deployments(t *testing.T, p Params) []*appsv1.Deployment {
	t.Helper()
	objs, err := Objects(p)
	if err != nil {
		t.Fatal(err)
	}
	var out []*appsv1.Deployment
	for _, o := range objs {
		if d, ok := o.(*appsv1.Deployment); ok {
			out = append(out, d)
		}
	}
	return out
}

func envMap(c corev1.Container) map[string]string {
	m := map[string]string{}
	for _, e := range c.Env {
		m[e.Name] = e.Value
	}
	return m
}

func TestRender_proxyAndCA(t *testing.T) {
	t.Parallel()
	proxyNames := []string{"HTTP_PROXY", "http_proxy", "HTTPS_PROXY", "https_proxy", "NO_PROXY", "no_proxy"}
	for _, tc := range []struct {
		name      string
		mode      string
		proxy     *wire.ClusterProxySpec
		wantEnv   map[string]string
		wantMount string
		wantHost  string
	}{
		{name: "read-only no proxy", mode: wire.ImportModeReadOnly},
		{name: "full no proxy", mode: wire.ImportModeFullPermission},
		{name: "full empty proxy", mode: wire.ImportModeFullPermission, proxy: &wire.ClusterProxySpec{}},
		{
			name: "full all proxy", mode: wire.ImportModeFullPermission,
			proxy: &wire.ClusterProxySpec{HTTPProxy: "http://p:3128", HTTPSProxy: "http://ps:3128", NoProxy: "10.0.0.0/8",
				CAHostPath: "/etc/ssl/proxy-ca.pem", CAContainerMountPath: "/etc/ssl/certs/proxy-ca.pem"},
			wantEnv: map[string]string{"HTTP_PROXY": "http://p:3128", "http_proxy": "http://p:3128",
				"HTTPS_PROXY": "http://ps:3128", "https_proxy": "http://ps:3128", "NO_PROXY": "10.0.0.0/8", "no_proxy": "10.0.0.0/8"},
			wantMount: "/etc/ssl/certs/proxy-ca.pem", wantHost: "/etc/ssl/proxy-ca.pem",
		},
		{
			name: "https only", mode: wire.ImportModeFullPermission,
			proxy:   &wire.ClusterProxySpec{HTTPSProxy: "http://ps:3128"},
			wantEnv: map[string]string{"HTTPS_PROXY": "http://ps:3128", "https_proxy": "http://ps:3128"},
		},
		{
			name: "ca only, mount defaults to host path", mode: wire.ImportModeFullPermission,
			proxy:     &wire.ClusterProxySpec{CAHostPath: "/ca.pem"},
			wantMount: "/ca.pem", wantHost: "/ca.pem",
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			p := baseParams(tc.mode)
			p.Proxy = tc.proxy
			ds := deployments(t, p)
			wantN := 2
			if tc.mode == wire.ImportModeReadOnly {
				wantN = 1
			}
			if len(ds) != wantN {
				t.Fatalf("%d deployments, want %d", len(ds), wantN)
			}
			for _, d := range ds {
				c := d.Spec.Template.Spec.Containers[0]
				env := envMap(c)
				for _, n := range proxyNames {
					got, ok := env[n]
					want, wantOK := tc.wantEnv[n]
					if ok != wantOK || got != want {
						t.Errorf("%s: env %s = %q (present %v), want %q (present %v)", d.Name, n, got, ok, want, wantOK)
					}
				}
				vols := d.Spec.Template.Spec.Volumes
				if tc.wantMount == "" {
					if len(vols) != 0 || len(c.VolumeMounts) != 0 {
						t.Errorf("%s: unexpected volumes %v mounts %v", d.Name, vols, c.VolumeMounts)
					}
					continue
				}
				if len(vols) != 1 || vols[0].HostPath == nil || vols[0].HostPath.Path != tc.wantHost {
					t.Fatalf("%s: volumes %+v, want hostPath %s", d.Name, vols, tc.wantHost)
				}
				if len(c.VolumeMounts) != 1 || c.VolumeMounts[0].MountPath != tc.wantMount || !c.VolumeMounts[0].ReadOnly {
					t.Fatalf("%s: mounts %+v, want read-only at %s", d.Name, c.VolumeMounts, tc.wantMount)
				}
			}
		})
	}
}

func TestRender_agentDeployment(t *testing.T) {
	t.Parallel()
	p := baseParams(wire.ImportModeReadOnly)
	p.AgentImage = "example.com/agent:dev"
	d := deployments(t, p)[0]
	s := d.Spec.Template.Spec
	if d.Name != AgentDeployment || s.ServiceAccountName != AgentServiceAccount || s.PriorityClassName != AgentPriorityClass {
		t.Fatalf("deployment %s sa %s priority %s", d.Name, s.ServiceAccountName, s.PriorityClassName)
	}
	c := s.Containers[0]
	if c.Name != AgentContainerName || c.Image != "example.com/agent:dev" {
		t.Fatalf("container %s image %s", c.Name, c.Image)
	}
	if c.Resources.Requests.Cpu().IsZero() || c.Resources.Requests.Memory().IsZero() {
		t.Fatalf("no resource requests: %v", c.Resources)
	}
	if s.SecurityContext == nil || s.SecurityContext.RunAsNonRoot == nil || !*s.SecurityContext.RunAsNonRoot ||
		c.SecurityContext == nil || c.SecurityContext.AllowPrivilegeEscalation == nil || *c.SecurityContext.AllowPrivilegeEscalation {
		t.Fatalf("security context not non-root: %+v %+v", s.SecurityContext, c.SecurityContext)
	}
	var fromCM []string
	for _, e := range c.Env {
		if e.ValueFrom != nil && e.ValueFrom.ConfigMapKeyRef != nil && e.ValueFrom.ConfigMapKeyRef.Name == AgentClusterInfoConfigMap {
			fromCM = append(fromCM, e.ValueFrom.ConfigMapKeyRef.Key)
		}
	}
	if !slices.Contains(fromCM, ClusterInfoKeyEndpoint) || !slices.Contains(fromCM, ClusterInfoKeyClusterUID) {
		t.Fatalf("env from cluster-info: %v", fromCM)
	}
	if !metav1.HasLabel(d.ObjectMeta, LabelManagedBy) {
		t.Fatal("deployment unlabelled")
	}
	// Default image from the version.
	p.AgentImage = ""
	if img := deployments(t, p)[0].Spec.Template.Spec.Containers[0].Image; img != DefaultAgentImage+":0.1.0" {
		t.Fatalf("default image %s", img)
	}
}

func TestRender_clusterInfoAndSecret(t *testing.T) {
	t.Parallel()
	p := baseParams(wire.ImportModeReadOnly)
	p.InsecureSkipVerify = true
	objs, err := Objects(p)
	if err != nil {
		t.Fatal(err)
	}
	var cm *corev1.ConfigMap
	var sec *corev1.Secret
	for _, o := range objs {
		switch v := o.(type) {
		case *corev1.ConfigMap:
			if v.Name == AgentClusterInfoConfigMap {
				cm = v
			}
		case *corev1.Secret:
			if sec != nil {
				t.Fatalf("a second secret %s", v.Name)
			}
			sec = v
		}
	}
	want := map[string]string{
		ClusterInfoKeyEndpoint: p.APIEndpoint, ClusterInfoKeyClusterUID: testUID,
		ClusterInfoKeyImportMode: "read-only", ClusterInfoKeyCACert: p.CACertificate,
		ClusterInfoKeyInsecure: "true",
	}
	if cm == nil || len(cm.Data) != len(want) {
		t.Fatalf("cluster-info %v", cm)
	}
	for k, v := range want {
		if cm.Data[k] != v {
			t.Errorf("cluster-info[%s] = %q, want %q", k, cm.Data[k], v)
		}
	}
	if sec == nil || sec.Name != AgentCredentialSecret || string(sec.Data[AgentCredentialSecretKey]) != p.AgentToken {
		t.Fatalf("credential secret %v", sec)
	}
	// What the agent and the provider read of it is what was rendered.
	got := ClusterInfoOf(cm.Data)
	if wantInfo := (ClusterInfo{Endpoint: p.APIEndpoint, ClusterUID: testUID, ImportMode: "read-only", CACert: p.CACertificate, Insecure: true}); got != wantInfo {
		t.Errorf("ClusterInfoOf = %+v, want %+v", got, wantInfo)
	}
	if got := ClusterInfoOf(map[string]string{ClusterInfoKeyInsecure: "yes"}); got != (ClusterInfo{}) {
		t.Errorf("ClusterInfoOf(insecure=yes, nothing else) = %+v, want zero", got)
	}
}

func TestRender_deterministic(t *testing.T) {
	t.Parallel()
	p := baseParams(wire.ImportModeFullPermission)
	p.Proxy = &wire.ClusterProxySpec{HTTPProxy: "http://p:1", NoProxy: "a,b", CAHostPath: "/ca"}
	first, err := Render(p)
	if err != nil {
		t.Fatal(err)
	}
	for range 20 {
		again, err := Render(p)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(first, again) {
			t.Fatal("two renders of the same params differ")
		}
	}
}

func TestRender_invalidParams(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name string
		mut  func(*Params)
	}{
		{"empty uid", func(p *Params) { p.ClusterUID = "" }},
		{"uid with slash", func(p *Params) { p.ClusterUID = "a/b" }},
		{"no endpoint", func(p *Params) { p.APIEndpoint = "" }},
		{"no token", func(p *Params) { p.AgentToken = "" }},
		{"bad mode", func(p *Params) { p.ImportMode = "full" }},
		{"proxy in read-only", func(p *Params) {
			p.ImportMode = wire.ImportModeReadOnly
			p.Proxy = &wire.ClusterProxySpec{HTTPProxy: "x"}
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			p := baseParams(wire.ImportModeFullPermission)
			tc.mut(&p)
			if _, err := Render(p); !errors.Is(err, ErrInvalidParams) {
				t.Fatalf("err = %v, want ErrInvalidParams", err)
			}
		})
	}
}

// The Full Permission extras: the Job never makes a Pod (nothing runs one
// locally, and nothing waits for it), the CRDs are in cluster.spectrocloud.com
// and keep what they are given, the manager runs with its own priority class.
func TestRender_fullPermissionExtras(t *testing.T) {
	t.Parallel()
	out, err := Render(baseParams(wire.ImportModeFullPermission))
	if err != nil {
		t.Fatal(err)
	}
	crds := 0
	for _, o := range decodeDocs(t, out) {
		switch o.GetKind() {
		case "Job":
			suspend, _, _ := unstructured.NestedBool(o.Object, "spec", "suspend")
			if o.GetName() != PresetupJob || !suspend {
				t.Errorf("job %s suspend=%v, want %s suspended", o.GetName(), suspend, PresetupJob)
			}
		case "CustomResourceDefinition":
			crds++
			group, _, _ := unstructured.NestedString(o.Object, "spec", "group")
			plural, _, _ := unstructured.NestedString(o.Object, "spec", "names", "plural")
			versions, _, _ := unstructured.NestedSlice(o.Object, "spec", "versions")
			if group != CRDGroup || o.GetName() != plural+"."+CRDGroup || len(versions) != 1 {
				t.Errorf("crd %s: group %s plural %s versions %v", o.GetName(), group, plural, versions)
			}
		case "Deployment":
			pc, _, _ := unstructured.NestedString(o.Object, "spec", "template", "spec", "priorityClassName")
			want := AgentPriorityClass
			if o.GetName() == ManagerDeployment {
				want = ManagerPriorityClass
			}
			if pc != want {
				t.Errorf("deployment %s priority class %s, want %s", o.GetName(), pc, want)
			}
		}
	}
	if crds != len(CRDs) || crds == 0 {
		t.Errorf("%d CRDs, want %d", crds, len(CRDs))
	}
}

// objectNames returns "Kind/[namespace/]name" of every object the manifest
// creates for an import mode, sorted.
func objectNames(clusterUID, importMode string) ([]string, error) {
	ids, err := ExpectedObjects(clusterUID, importMode)
	if err != nil {
		return nil, err
	}
	out := make([]string, len(ids))
	for i, id := range ids {
		out[i] = id.String()
	}
	sort.Strings(out)
	return out, nil
}
