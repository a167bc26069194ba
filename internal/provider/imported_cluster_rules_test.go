package provider

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-go/tftypes"

	"github.com/terraform-palette/terraform-provider-palette/internal/kube"
	"github.com/terraform-palette/terraform-provider-palette/internal/manifest"
	"github.com/terraform-palette/terraform-provider-palette/internal/palette"
	"github.com/terraform-palette/terraform-provider-palette/internal/wire"
)

// wantViolation checks a violation against the path, summary and the
// fragments its detail must hold; a nil want means no violation.
type wantViolation struct {
	path    path.Path
	summary string
	detail  []string
}

func checkViolation(t *testing.T, got *ruleViolation, want *wantViolation) {
	t.Helper()
	switch {
	case want == nil && got == nil:
		return
	case want == nil:
		t.Fatalf("got violation %q (%s), want none", got.summary, got.detail)
	case got == nil:
		t.Fatalf("got no violation, want %q", want.summary)
	}
	if !got.path.Equal(want.path) {
		t.Errorf("path = %s, want %s", got.path, want.path)
	}
	if got.summary != want.summary {
		t.Errorf("summary = %q, want %q", got.summary, want.summary)
	}
	for _, frag := range want.detail {
		if !strings.Contains(got.detail, frag) {
			t.Errorf("detail %q lacks %q", got.detail, frag)
		}
	}
}

func TestRuleIsUpgrade(t *testing.T) {
	t.Parallel()
	ro, fp := types.StringValue(importModeReadOnly), types.StringValue(importModeFullPermission)
	for _, tc := range []struct {
		name               string
		state, plan        types.String
		upgrade, downgrade bool
	}{
		{"read-only to full permission", ro, fp, true, false},
		{"full permission to read-only", fp, ro, false, true},
		{"read-only unchanged", ro, ro, false, false},
		{"full permission unchanged", fp, fp, false, false},
		{"plan unknown", ro, types.StringUnknown(), false, false},
		{"no state", types.StringNull(), fp, false, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			if got := isUpgrade(tc.state, tc.plan); got != tc.upgrade {
				t.Errorf("isUpgrade = %v, want %v", got, tc.upgrade)
			}
			if got := isDowngrade(tc.state, tc.plan); got != tc.downgrade {
				t.Errorf("isDowngrade = %v, want %v", got, tc.downgrade)
			}
		})
	}
}

func TestRuleProxyInReadOnly(t *testing.T) {
	t.Parallel()
	proxy := types.ObjectValueMust(proxyAttrTypes, map[string]attr.Value{
		"http_proxy": types.StringNull(), "https_proxy": types.StringValue("http://proxy:3128"), "no_proxy": types.StringNull(),
		"ca_host_path": types.StringNull(), "ca_container_mount_path": types.StringNull(),
	})
	want := &wantViolation{path.Root("proxy"), "Proxy settings need Full Permission mode",
		[]string{"Palette cannot configure HTTP proxy settings for a cluster imported in read-only mode.", `set import_mode = "full_permission"`}}
	for _, tc := range []struct {
		name  string
		mode  types.String
		proxy types.Object
		want  *wantViolation
	}{
		{"read-only with a proxy", types.StringValue(importModeReadOnly), proxy, want},
		{"full permission with a proxy", types.StringValue(importModeFullPermission), proxy, nil},
		{"read-only without a proxy", types.StringValue(importModeReadOnly), types.ObjectNull(proxyAttrTypes), nil},
		{"read-only, proxy unknown", types.StringValue(importModeReadOnly), types.ObjectUnknown(proxyAttrTypes), nil},
		{"mode unknown", types.StringUnknown(), proxy, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			checkViolation(t, proxyRule(tc.mode, tc.proxy), tc.want)
		})
	}
}

func TestRuleImportRejection(t *testing.T) {
	t.Parallel()
	refused := &palette.APIError{StatusCode: 400, Code: wire.CodeProxyNotSupportedInReadOnlyMode, Message: "proxy needs full permission"}
	for _, tc := range []struct {
		name string
		err  error
		want *wantViolation
	}{
		{"proxy refused in read-only mode", refused,
			&wantViolation{path.Root("proxy"), "Proxy settings need Full Permission mode", []string{refused.Error()}}},
		{"wrapped refusal", fmt.Errorf("importing: %w", refused),
			&wantViolation{path.Root("proxy"), "Proxy settings need Full Permission mode", []string{"importing: ", refused.Error()}}},
		{"another code", &palette.APIError{StatusCode: 400, Code: "SomethingElse"}, nil},
		{"not an API error", errors.New("connection refused"), nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			v := importRejection(tc.err)
			checkViolation(t, v, tc.want)
			if v != nil && v.detail != tc.err.Error() {
				t.Errorf("detail = %q, want the API's error %q", v.detail, tc.err.Error())
			}
		})
	}
}

func TestRuleAccess(t *testing.T) {
	t.Parallel()
	incomplete := &wantViolation{path.Root("kubernetes"), "Incomplete cluster access", []string{"Set kubernetes.config_path"}}
	noKubeconfig := &wantViolation{path.Root("kubernetes").AtName("config_context"), "Context without a kubeconfig",
		[]string{"config_context selects a context of the kubeconfig at config_path; set config_path too."}}
	s, null, unknown := types.StringValue, types.StringNull(), types.StringUnknown()
	for _, tc := range []struct {
		name                string
		configPath, host, c types.String
		want                []*wantViolation
	}{
		{"config path", s("~/.kube/config"), null, null, nil},
		{"config path and context", s("~/.kube/config"), null, s("edge"), nil},
		{"host", null, s("https://k8s:6443"), null, nil},
		{"nothing", null, null, null, []*wantViolation{incomplete}},
		{"context alone", null, null, s("edge"), []*wantViolation{incomplete, noKubeconfig}},
		{"host and context", null, s("https://k8s:6443"), s("edge"), []*wantViolation{noKubeconfig}},
		{"config path unknown", unknown, null, s("edge"), nil},
		{"host unknown", null, unknown, null, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			got := accessRules(kubernetesAccessModel{ConfigPath: tc.configPath, Host: tc.host, ConfigContext: tc.c})
			if len(got) != len(tc.want) {
				t.Fatalf("got %d violations, want %d", len(got), len(tc.want))
			}
			for i := range got {
				checkViolation(t, got[i], tc.want[i])
			}
		})
	}
}

func TestRuleNameInUse(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name, uid string
		want      []string
	}{
		{"holder known", "0123456789abcdef01234567", []string{`named "prod"`, ": it is somebody else's.",
			"terraform import palette_imported_cluster.<name> 0123456789abcdef01234567", `id = "0123456789abcdef01234567"`}},
		{"holder unknown", "", []string{"terraform import palette_imported_cluster.<name> <uid>", `id = "<uid>"`}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			checkViolation(t, nameInUse("prod", tc.uid, "it is somebody else's", false, false),
				&wantViolation{path.Root("name"), "Cluster name already taken", tc.want})
		})
	}
}

func TestRuleNameRegisteredTwice(t *testing.T) {
	t.Parallel()
	for _, name := range []string{"prod", "edge-1"} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			checkViolation(t, nameRegisteredTwice(name), &wantViolation{path.Root("name"), "Cluster name already taken",
				[]string{fmt.Sprintf("registers a cluster named %q in this apply", name)}})
		})
	}
}

func TestRuleTargetImportedTwice(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name   string
		access kube.Access
		other  string
		want   *wantViolation
	}{
		{"first named, kubernetes block", kube.Access{ConfigPath: "/k"}, "one",
			&wantViolation{path.Root("kubernetes"), "Two resources import one cluster",
				[]string{"kube-system namespace UID ns-1", `the palette_imported_cluster named "one" in this configuration`}}},
		{"first unnamed, kubeconfig_wo", kube.Access{ConfigContent: "apiVersion: v1"}, "",
			&wantViolation{path.Root("kubeconfig_wo"), "Two resources import one cluster",
				[]string{"another palette_imported_cluster of this configuration"}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			checkViolation(t, targetImportedTwice(tc.access, tc.other, "ns-1"), tc.want)
		})
	}
}

func TestRuleTargetUnidentified(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name   string
		access kube.Access
		want   path.Path
	}{
		{"kubernetes block", kube.Access{Host: "https://k8s:6443"}, path.Root("kubernetes")},
		{"kubeconfig_wo", kube.Access{ConfigContent: "apiVersion: v1"}, path.Root("kubeconfig_wo")},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			checkViolation(t, targetUnidentified(tc.access, errors.New("forbidden")), &wantViolation{tc.want,
				"Cannot identify the target cluster", []string{"Reading the target cluster's identity (its kube-system namespace) failed: forbidden"}})
		})
	}
}

func TestRuleCredentialsCannotInstall(t *testing.T) {
	t.Parallel()
	denied := func(n int) []kube.Denied {
		out := make([]kube.Denied, n)
		for i := range out {
			out[i] = kube.Denied{Verb: "create", Object: kube.ObjectRef{Version: "v1", Kind: "Namespace", Name: fmt.Sprintf("ns-%d", i)}, Reason: "no RBAC"}
		}
		return out
	}
	for _, tc := range []struct {
		name   string
		denied []kube.Denied
		want   []string
		absent string
	}{
		{"one", denied(1), []string{"Installing the read_only agent needs permissions", "(checked with SelfSubjectAccessReview):\n- create ", ": no RBAC"}, "more"},
		{"ten", denied(10), []string{"ns-9"}, "more"},
		{"twelve", denied(12), []string{"ns-9", "… and 2 more"}, "ns-10"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			v := credentialsCannotInstall(kube.Access{ConfigPath: "/k"}, importModeReadOnly, tc.denied)
			checkViolation(t, v, &wantViolation{path.Root("kubernetes"), "Cluster credentials cannot install the agent", tc.want})
			if strings.Contains(v.detail, tc.absent) {
				t.Errorf("detail %q holds %q", v.detail, tc.absent)
			}
		})
	}
}

func TestRuleAlreadyImported(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name   string
		access kube.Access
		want   path.Path
	}{
		{"kubernetes block", kube.Access{ConfigPath: "/k"}, path.Root("kubernetes")},
		{"kubeconfig_wo", kube.Access{ConfigContent: "apiVersion: v1"}, path.Root("kubeconfig_wo")},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			in := manifest.Install{ClusterUID: "0123456789abcdef01234567", Namespace: "cluster-0123456789abcdef01234567"}
			checkViolation(t, alreadyImported(tc.access, in), &wantViolation{tc.want, "The cluster is already imported",
				[]string{"agent of import 0123456789abcdef01234567 (namespace cluster-0123456789abcdef01234567)", "(ID 0123456789abcdef01234567)"}})
		})
	}
}

func TestRuleCloudTypeMismatch(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct{ cloudType, reason string }{
		{"aws", "its nodes run on GCP"},
		{"openshift", "it has no OpenShift API"},
	} {
		t.Run(tc.cloudType, func(t *testing.T) {
			t.Parallel()
			checkViolation(t, cloudTypeMismatch(tc.cloudType, tc.reason), &wantViolation{path.Root("cloud_type"),
				"Cloud type does not match the cluster",
				[]string{fmt.Sprintf("cloud_type = %q does not fit the target cluster: %s. Use the type the cluster shows, or \"generic\".", tc.cloudType, tc.reason)}})
		})
	}
}

func TestRuleReimport(t *testing.T) {
	t.Parallel()
	exists := tftypes.NewValue(tftypes.String, "exists") // only null or not matters
	s := types.StringValue
	for _, tc := range []struct {
		name        string
		modifier    planmodifier.String
		state, plan string
		replace     bool
	}{
		{"cloud type aws to generic", cloudTypeRequiresReplace(), "aws", "generic", true},
		{"cloud type openshift to generic", cloudTypeRequiresReplace(), "openshift", "generic", false},
		{"cloud type generic to eks-anywhere", cloudTypeRequiresReplace(), "generic", "eks-anywhere", false},
		{"cloud type aws to azure", cloudTypeRequiresReplace(), "aws", "azure", true},
		{"full permission to read-only", importModeDowngradeRequiresReplace(), importModeFullPermission, importModeReadOnly, true},
		{"read-only to full permission", importModeDowngradeRequiresReplace(), importModeReadOnly, importModeFullPermission, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			req := planmodifier.StringRequest{
				State: tfsdk.State{Raw: exists}, Plan: tfsdk.Plan{Raw: exists},
				StateValue: s(tc.state), PlanValue: s(tc.plan), ConfigValue: s(tc.plan),
			}
			var resp planmodifier.StringResponse
			tc.modifier.PlanModifyString(context.Background(), req, &resp)
			if resp.RequiresReplace != tc.replace {
				t.Errorf("RequiresReplace = %v, want %v", resp.RequiresReplace, tc.replace)
			}
		})
	}
}

// TestCloudTypeRequiresReplace: a new import only when Palette's cloud type
// changes (openshift and eks-anywhere are generic in Palette).
func TestCloudTypeRequiresReplace(t *testing.T) {
	t.Parallel()
	cases := []struct {
		state, plan string
		want        bool
	}{
		{"generic", "openshift", false},
		{"eks-anywhere", "generic", false},
		{"generic", "aws", true},
		{"aws", "azure", true},
		{"aws", "aws", false},
	}
	for _, tc := range cases {
		req := planmodifier.StringRequest{
			StateValue: types.StringValue(tc.state), PlanValue: types.StringValue(tc.plan), ConfigValue: types.StringValue(tc.plan),
			State: tfsdk.State{Raw: tftypes.NewValue(tftypes.Object{}, map[string]tftypes.Value{})},
			Plan:  tfsdk.Plan{Raw: tftypes.NewValue(tftypes.Object{}, map[string]tftypes.Value{})},
		}
		resp := &planmodifier.StringResponse{PlanValue: req.PlanValue}
		cloudTypeRequiresReplace().PlanModifyString(context.Background(), req, resp)
		if resp.RequiresReplace != tc.want {
			t.Errorf("%s → %s: replace %v, want %v", tc.state, tc.plan, resp.RequiresReplace, tc.want)
		}
	}
}
