package provider

import (
	"context"
	"fmt"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/int64planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/objectplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/terraform-palette/terraform-provider-palette/internal/kube"
	"github.com/terraform-palette/terraform-provider-palette/internal/manifest"
	"github.com/terraform-palette/terraform-provider-palette/internal/palette"
	"github.com/terraform-palette/terraform-provider-palette/internal/wire"
)

// The rules of palette_imported_cluster, one function each. The plan
// (ValidateConfig, ModifyPlan) and the apply (Create) report a broken rule
// with the same constructor, also when it is the API that refuses.

// isUpgrade tells whether a plan migrates a cluster from read-only to Full
// Permission (an in-place change: Palette's "Migrate to Full Permissions").
func isUpgrade(stateMode, planMode types.String) bool {
	return stateMode.ValueString() == importModeReadOnly && planMode.ValueString() == importModeFullPermission
}

// isDowngrade tells whether a plan takes a cluster from Full Permission back
// to read-only, the reverse of isUpgrade: Palette has no way back, so the
// cluster is imported again.
func isDowngrade(stateMode, planMode types.String) bool {
	return isUpgrade(planMode, stateMode)
}

// cloudTypeRequiresReplace plans a new import when the cloud type changes
// in Palette: openshift and eks-anywhere are imported as generic, so moving
// between them and generic (or bringing one in with terraform import, which
// reads generic) changes only the configured value.
func cloudTypeRequiresReplace() planmodifier.String {
	return stringplanmodifier.RequiresReplaceIf(
		func(_ context.Context, req planmodifier.StringRequest, resp *stringplanmodifier.RequiresReplaceIfFuncResponse) {
			resp.RequiresReplace = wire.ImportCloudType(req.StateValue.ValueString()) != wire.ImportCloudType(req.PlanValue.ValueString())
		},
		"Changing the cloud type imports the cluster again, unless Palette's type stays the same (openshift and eks-anywhere are imported as generic).",
		"Changing the cloud type imports the cluster again, unless Palette's type stays the same (`openshift` and `eks-anywhere` are imported as `generic`).",
	)
}

// privateProxyUnread marks, in private state, a cluster whose proxy the
// state does not know (it was brought in with terraform import).
const privateProxyUnread = "proxy_unread"

// proxyRequiresReplace plans a new import when the proxy changes, except
// right after `terraform import`, when the state cannot know the proxy the
// cluster was imported with: the configured one is then recorded as is. A
// password taken out of a proxy URL (into proxy_password_wo) is no change:
// Palette keeps the proxy it was sent, and the state stops keeping the
// password.
func proxyRequiresReplace() planmodifier.Object {
	return objectplanmodifier.RequiresReplaceIf(
		func(ctx context.Context, req planmodifier.ObjectRequest, resp *objectplanmodifier.RequiresReplaceIfFuncResponse) {
			unread, d := req.Private.GetKey(ctx, privateProxyUnread)
			resp.Diagnostics.Append(d...)
			resp.RequiresReplace = len(unread) == 0 && !sameProxyButPassword(ctx, req.StateValue, req.PlanValue, &resp.Diagnostics)
		},
		"Changing the proxy imports the cluster again (Palette does not change it in place). After terraform import, the configured proxy is recorded as it is.",
		"Changing the proxy imports the cluster again (Palette does not change it in place). After `terraform import`, the configured proxy is recorded as it is.",
	)
}

// sameProxyButPassword tells whether two known proxies differ only in the
// passwords of their URLs.
func sameProxyButPassword(ctx context.Context, a, b types.Object, diags *diag.Diagnostics) bool {
	if a.IsNull() || a.IsUnknown() || b.IsNull() || b.IsUnknown() {
		return false
	}
	pa, pb := expandProxy(ctx, a, "", diags), expandProxy(ctx, b, "", diags)
	if pa == nil || pb == nil {
		return false
	}
	for _, p := range []*wire.ClusterProxySpec{pa, pb} {
		p.HTTPProxy, p.HTTPSProxy = withoutPassword(p.HTTPProxy), withoutPassword(p.HTTPSProxy)
	}
	return *pa == *pb
}

// proxyPasswordVersionRequiresReplace plans a new import when
// proxy_password_wo_version changes, as a change of proxy does (Palette has
// no way to change an imported cluster's proxy): a new password only
// reaches Palette with a new import. Not right after `terraform import`
// (the state knows no version), and not when a version is first set to
// move a password out of a proxy URL of the state (the same password).
func proxyPasswordVersionRequiresReplace() planmodifier.Int64 {
	return int64planmodifier.RequiresReplaceIf(
		func(ctx context.Context, req planmodifier.Int64Request, resp *int64planmodifier.RequiresReplaceIfFuncResponse) {
			unread, d := req.Private.GetKey(ctx, privateProxyUnread)
			resp.Diagnostics.Append(d...)
			if len(unread) > 0 {
				return
			}
			if req.StateValue.IsNull() {
				var proxy types.Object
				resp.Diagnostics.Append(req.State.GetAttribute(ctx, path.Root("proxy"), &proxy)...)
				if p := expandProxy(ctx, proxy, "", &resp.Diagnostics); p != nil &&
					(withoutPassword(p.HTTPProxy) != p.HTTPProxy || withoutPassword(p.HTTPSProxy) != p.HTTPSProxy) {
					return
				}
			}
			resp.RequiresReplace = true
		},
		"Changing the proxy password's version imports the cluster again (Palette does not change a proxy in place).",
		"Changing the proxy password's version imports the cluster again (Palette does not change a proxy in place).",
	)
}

// proxyPasswordWithoutUser: proxy_password_wo is the password of the user
// a proxy URL names; without one it would go nowhere.
func proxyPasswordWithoutUser() *ruleViolation {
	return &ruleViolation{path.Root("proxy_password_wo"), "Proxy password without a proxy user",
		"proxy_password_wo is the password of the user named in proxy.http_proxy or proxy.https_proxy, and neither names one. " +
			"Name the user in the URL (http://alice@proxy.internal:3128), or remove proxy_password_wo."}
}

// importModeDowngradeRequiresReplace plans a replacement for full_permission →
// read_only: Palette has no way back.
func importModeDowngradeRequiresReplace() planmodifier.String {
	return stringplanmodifier.RequiresReplaceIf(
		func(_ context.Context, req planmodifier.StringRequest, resp *stringplanmodifier.RequiresReplaceIfFuncResponse) {
			resp.RequiresReplace = isDowngrade(req.StateValue, req.PlanValue)
		},
		"Palette cannot take a cluster from Full Permission back to read-only: going to read_only imports the cluster again.",
		"Palette cannot take a cluster from Full Permission back to read-only: going to `read_only` imports the cluster again.",
	)
}

// proxyInReadOnly is the rule of Palette's imported-clusters guide that
// says "You cannot configure HTTP proxy settings for imported clusters with
// read-only mode".
func proxyInReadOnly() *ruleViolation {
	return &ruleViolation{path.Root("proxy"), "Proxy settings need Full Permission mode",
		"Palette cannot configure HTTP proxy settings for a cluster imported in read-only mode. " +
			"Remove the proxy block, or set import_mode = \"full_permission\"."}
}

// proxyRule checks the configured proxy against the import mode; nil when
// they fit or either is not known yet.
func proxyRule(mode types.String, proxy types.Object) *ruleViolation {
	if mode.ValueString() == importModeReadOnly && !proxy.IsNull() && !proxy.IsUnknown() {
		return proxyInReadOnly()
	}
	return nil
}

// importRejection turns the API's refusal of an import into the diagnostic
// of the plan-time rule it enforces; nil when err is no such refusal.
func importRejection(err error) *ruleViolation {
	if palette.IsCode(err, wire.CodeProxyNotSupportedInReadOnlyMode) {
		v := proxyInReadOnly()
		v.detail = err.Error()
		return v
	}
	return nil
}

// incompleteAccess: a kubernetes block must say how to reach the cluster.
func incompleteAccess() *ruleViolation {
	return &ruleViolation{path.Root("kubernetes"), "Incomplete cluster access",
		"Set kubernetes.config_path (a kubeconfig file) or kubernetes.host (with cluster_ca_certificate and token_wo, exec, or client_certificate and client_key_wo)."}
}

// contextWithoutKubeconfig: config_context selects a context of a kubeconfig
// file, so it needs config_path.
func contextWithoutKubeconfig() *ruleViolation {
	return &ruleViolation{path.Root("kubernetes").AtName("config_context"), "Context without a kubeconfig",
		"config_context selects a context of the kubeconfig at config_path; set config_path too."}
}

// accessFileUnread: the kubeconfig, or a file it names, is not a regular
// file of bounded size (kube.FileError), so the provider does not read it.
func accessFileUnread(access kube.Access, err error) *ruleViolation {
	p, attr := path.Root("kubernetes").AtName("config_path"), "kubernetes.config_path"
	if access.ConfigContent != "" {
		p, attr = path.Root("kubeconfig_wo"), "kubeconfig_wo"
	}
	return &ruleViolation{p, "Invalid kubeconfig file",
		fmt.Sprintf("%s: %s. The provider reads a kubeconfig of at most %d MiB, and files it names (certificate-authority, "+
			"client-certificate, client-key, tokenFile) of at most 1 MiB, and only regular files: not a device, a named pipe "+
			"or a directory.", attr, strings.TrimPrefix(err.Error(), "kube: "), kube.MaxKubeconfigBytes>>20)}
}

// accessRules checks a kubernetes block on its own; values not known yet
// pass.
func accessRules(k kubernetesAccessModel) []*ruleViolation {
	var out []*ruleViolation
	hasPath := !k.ConfigPath.IsNull()
	hasHost := !k.Host.IsNull()
	if !k.ConfigPath.IsUnknown() && !k.Host.IsUnknown() && !hasPath && !hasHost {
		out = append(out, incompleteAccess())
	}
	if !k.ConfigContext.IsNull() && !hasPath && !k.ConfigPath.IsUnknown() {
		out = append(out, contextWithoutKubeconfig())
	}
	return out
}

// nameInUse: a cluster name is unique in a project, and the cluster holding
// it is not provably one an interrupted apply of this resource left (why
// says what is missing). It names the ways out; adoptable says that only
// the user's word is missing, and then the one command that gives it.
func nameInUse(name, uid, why string, adoptable, replaced bool) *ruleViolation {
	ref := "<uid>"
	if uid != "" {
		ref = uid
	}
	adopt := ""
	if replaced {
		// The holder is the cluster this run replaces, still there
		// because the replacement is created first: the provider cannot
		// see create_before_destroy, only that this happened.
		return &ruleViolation{path.Root("name"), "Cluster name already taken",
			fmt.Sprintf("Cluster %s, which this apply replaces, still holds the name %q: the replacement is registered "+
				"before it is deleted, as lifecycle { create_before_destroy = true } asks, and a name is unique in a Palette "+
				"project. Remove create_before_destroy from this resource (the cluster is then deleted before its replacement "+
				"is registered) or give the replacement another name. Do not adopt or import cluster %s: the replacement would "+
				"then delete it. Nothing was registered.", ref, name, ref)}
	}
	if adoptable {
		adopt = fmt.Sprintf("If an apply of this state was interrupted (killed before it saved its state) and registered "+
			"it, one command brings it into this state:\n\n  %s=1 terraform apply\n\n(%s=%s adopts this cluster only). "+
			"If another state (workspace, directory) manages it, choose another name. ", envAdoptInterrupted, envAdoptInterrupted, ref)
	}
	return &ruleViolation{path.Root("name"), "Cluster name already taken",
		fmt.Sprintf("Palette already has a cluster named %q in this project, and nothing proves that an interrupted "+
			"apply of this state registered it: %s.\n%sIf that cluster is yours otherwise, bring it under Terraform with\n\n"+
			"  terraform import palette_imported_cluster.<name> %s\n\n"+
			"or an import block (import { to = palette_imported_cluster.<name>, id = %q }). Until then, `terraform destroy -refresh=false` "+
			"destroys the rest of this configuration without planning this cluster again.",
			name, why, adopt, ref, ref)}
}

// nameRegisteredTwice: two resources of one configuration register the
// same name in one apply.
func nameRegisteredTwice(name string) *ruleViolation {
	return &ruleViolation{path.Root("name"), "Cluster name already taken",
		fmt.Sprintf("Another palette_imported_cluster of this configuration registers a cluster named %q in this "+
			"apply: a name is unique in a project. Give one of the two resources another name.", name)}
}

// nameRegisteredByAlias: a resource of another provider configuration (an
// alias on the same Palette project) registers the same name in this run.
func nameRegisteredByAlias(name string) *ruleViolation {
	return &ruleViolation{path.Root("name"), "Cluster name already taken",
		fmt.Sprintf("A palette_imported_cluster of another provider configuration (an alias on the same Palette host "+
			"and project) registers a cluster named %q in this apply: a name is unique in a project. Give one of the two "+
			"resources another name.", name)}
}

// nameTakenMeanwhile: Palette refused the import with 409 although the
// name was free when this apply checked it.
func nameTakenMeanwhile(name string, err error) *ruleViolation {
	return &ruleViolation{path.Root("name"), "Cluster name already taken",
		fmt.Sprintf("Palette refused to register a cluster named %q: a cluster of that name was registered after this "+
			"apply checked the name, by another resource of this run (through another provider configuration on the same "+
			"project) or by another run. Nothing was registered for this resource. Give it another name, or, if the other "+
			"cluster is meant to be this one, import it (terraform import palette_imported_cluster.<name> <uid>).\n\n%s", name, err)}
}

// targetImportedTwice: two resources of one configuration reach the same
// cluster (identity is its kube-system namespace UID; other the name of the
// first resource, "" when unknown).
func targetImportedTwice(access kube.Access, other, identity string) *ruleViolation {
	who := "another palette_imported_cluster of this configuration"
	if other != "" {
		who = fmt.Sprintf("the palette_imported_cluster named %q in this configuration", other)
	}
	return &ruleViolation{accessAttr(access), "Two resources import one cluster",
		fmt.Sprintf("The cluster this access reaches (kube-system namespace UID %s) is already imported by %s. "+
			"A cluster can be imported once: two agents in one cluster overwrite each other's cluster-wide objects. "+
			"Remove one of the two resources, or give it access to another cluster.", identity, who)}
}

// targetUnidentified: the target cluster's identity, which the one-cluster,
// one-resource rule needs, could not be read.
func targetUnidentified(access kube.Access, err error) *ruleViolation {
	return &ruleViolation{accessAttr(access), "Cannot identify the target cluster",
		fmt.Sprintf("Reading the target cluster's identity (its kube-system namespace) failed: %s", err)}
}

// credentialsCannotInstall: the credentials may not create what the mode's
// manifest needs (denied, as SelfSubjectAccessReview answered; ten are
// listed at most).
func credentialsCannotInstall(access kube.Access, mode string, denied []kube.Denied) *ruleViolation {
	lines := make([]string, 0, len(denied))
	for i, d := range denied {
		if i == 10 {
			lines = append(lines, fmt.Sprintf("… and %d more", len(denied)-10))
			break
		}
		lines = append(lines, fmt.Sprintf("- %s %s: %s", d.Verb, d.Object, d.Reason))
	}
	return &ruleViolation{accessAttr(access), "Cluster credentials cannot install the agent",
		fmt.Sprintf("Installing the %s agent needs permissions these credentials do not have "+
			"(checked with SelfSubjectAccessReview):\n%s", mode, strings.Join(lines, "\n"))}
}

// alreadyImported: a cluster can be imported once, and the target cluster
// runs the agent of another import.
func alreadyImported(access kube.Access, in manifest.Install) *ruleViolation {
	return &ruleViolation{accessAttr(access), "The cluster is already imported",
		fmt.Sprintf("The cluster already runs the Palette agent of import %s (namespace %s). A cluster can be "+
			"imported once: import that cluster into Terraform with `terraform import` (ID %s), or remove the "+
			"other import first.", in.ClusterUID, in.Namespace, in.ClusterUID)}
}

// cloudTypeMismatch: the cloud type must fit the target cluster (Palette's
// supported infrastructure providers; "generic" fits any), reason says why
// it does not.
func cloudTypeMismatch(cloudType, reason string) *ruleViolation {
	return &ruleViolation{path.Root("cloud_type"), "Cloud type does not match the cluster",
		fmt.Sprintf("cloud_type = %q does not fit the target cluster: %s. Use the type the cluster shows, or \"generic\".",
			cloudType, reason)}
}
