package provider

import (
	"context"
	"fmt"

	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/types"
	pathvalidation "k8s.io/apimachinery/pkg/api/validation/path"
	k8svalidation "k8s.io/apimachinery/pkg/util/validation"

	"github.com/terraform-palette/terraform-provider-palette/internal/wire"
)

// bindingNameRule checks the name of a binding (and of its Kubernetes
// object): a DNS-1123 subdomain.
var bindingNameRule = k8sRule("Invalid binding name", "object name",
	"must be a DNS-1123 subdomain: at most 253 lowercase letters, digits, '-' and '.', starting and ending with a letter or digit",
	k8svalidation.IsDNS1123Subdomain)

// namespaceRefRule checks a namespace a binding or subject refers to.
var namespaceRefRule = k8sRule("Invalid namespace", "namespace name",
	"must be a DNS-1123 label", k8svalidation.IsDNS1123Label)

// roleNameRule checks a role's name as Kubernetes does for RBAC objects.
var roleNameRule = k8sRule("Invalid role name", "role name",
	"must be a valid Kubernetes role name (not empty, no '/' or '%', not '.' or '..')",
	func(s string) []string {
		if s == "" {
			return []string{"must not be empty"}
		}
		return pathvalidation.IsValidPathSegmentName(s)
	})

// ValidateConfig checks what needs only the configuration: a RoleBinding
// has a namespace and a ClusterRoleBinding none (and grants a ClusterRole);
// a ServiceAccount subject has a namespace, users and groups none.
func (r *clusterRoleBindingResource) ValidateConfig(ctx context.Context, req resource.ValidateConfigRequest, resp *resource.ValidateConfigResponse) {
	var m clusterRoleBindingResourceModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &m)...)
	if resp.Diagnostics.HasError() {
		return
	}
	if known(m.Type) && !m.Namespace.IsUnknown() {
		switch typ := m.Type.ValueString(); {
		case typ == wire.BindingTypeRoleBinding && m.Namespace.IsNull():
			resp.Diagnostics.AddAttributeError(path.Root("namespace"), "RoleBinding without a namespace",
				"namespace: a RoleBinding grants its role in one namespace: set namespace (or use type = \"ClusterRoleBinding\").")
		case typ == wire.BindingTypeClusterRoleBinding && !m.Namespace.IsNull():
			resp.Diagnostics.AddAttributeError(path.Root("namespace"), "ClusterRoleBinding with a namespace",
				"namespace: a ClusterRoleBinding is cluster-wide and has no namespace: remove namespace (or use type = \"RoleBinding\").")
		}
	}
	role := m.roleRef(ctx, &resp.Diagnostics)
	if known(m.Type) && m.Type.ValueString() == wire.BindingTypeClusterRoleBinding && known(role.Kind) && role.Kind.ValueString() != wire.RoleKindClusterRole {
		resp.Diagnostics.AddAttributeError(path.Root("role").AtName("kind"), "ClusterRoleBinding of a Role",
			"role.kind: a ClusterRoleBinding grants a ClusterRole; a Role exists in one namespace and is granted by a RoleBinding.")
	}
	if m.Subjects.IsUnknown() || m.Subjects.IsNull() {
		return
	}
	for _, el := range m.Subjects.Elements() {
		o, ok := el.(types.Object)
		if !ok || o.IsUnknown() || o.IsNull() {
			continue
		}
		attrs := o.Attributes()
		kind, _ := attrs["kind"].(types.String)
		ns, _ := attrs["namespace"].(types.String)
		name, _ := attrs["name"].(types.String)
		if !known(kind) || ns.IsUnknown() {
			continue
		}
		at := path.Root("subjects").AtSetValue(o)
		switch k := kind.ValueString(); {
		case k == wire.SubjectServiceAccount && ns.IsNull():
			resp.Diagnostics.AddAttributeError(at.AtName("namespace"), "Service account without a namespace",
				fmt.Sprintf("subjects: service account %q needs the namespace it lives in.", name.ValueString()))
		case k != wire.SubjectServiceAccount && !ns.IsNull():
			resp.Diagnostics.AddAttributeError(at.AtName("namespace"), "Namespace of a "+k,
				fmt.Sprintf("subjects: %s %q has no namespace (only service accounts have one): remove it.", k, name.ValueString()))
		case k == wire.SubjectServiceAccount && known(name):
			if errs := k8svalidation.IsDNS1123Subdomain(name.ValueString()); len(errs) > 0 {
				resp.Diagnostics.AddAttributeError(at.AtName("name"), "Invalid service account name",
					fmt.Sprintf("subjects: %q is not a Kubernetes service account name: %s.", name.ValueString(), errs[0]))
			}
		}
	}
}

// bindingArguments are the configurable attributes of a binding.
var bindingArguments = []string{"cluster_id", "name", "type", "namespace", "role", "subjects", "timeouts"}

// ModifyPlan enforces Palette's rules when the cluster is known at plan
// time: the cluster exists and is Full Permission, the name is not already
// an entry of the cluster's RBAC list outside this resource, and no other
// resource of the configuration uses it.
func (r *clusterRoleBindingResource) ModifyPlan(ctx context.Context, req resource.ModifyPlanRequest, resp *resource.ModifyPlanResponse) {
	if req.Plan.Raw.IsNull() || r.data == nil {
		return // destroy, or the provider is not configured yet
	}
	if !req.State.Raw.IsNull() && sameArguments(ctx, req, bindingArguments) {
		return
	}
	r.data.rbacList().planEntry(ctx, r.data, req, resp, bindingRules)
}

// bindingRules are the rules of a new RBAC entry.
var bindingRules = entryRules{feature: featureRoleBindings, claim: "rbac", twice: bindingTwice, exists: bindingExists}

func bindingTwice(clusterUID, name string) *ruleViolation {
	return &ruleViolation{path.Root("name"), "Role binding configured twice",
		fmt.Sprintf("Another palette_cluster_role_binding of this configuration is named %q on cluster %s. "+
			"Names are unique among a cluster's RBAC entries: give each binding its own name.", name, clusterUID)}
}

func bindingExists(clusterUID, name, uid string) *ruleViolation {
	return &ruleViolation{path.Root("name"), "Role binding already configured",
		fmt.Sprintf("Cluster %s already has an RBAC entry named %q in Palette (entry %s), made outside this resource (in "+
			"Palette's UI, by another configuration, or by an apply interrupted before it saved its state). Bring it under "+
			"this resource with `terraform import` of the ID %q (or an import block), choose another name, or remove it in Palette.",
			clusterUID, name, uid, configEntryID(clusterUID, name))}
}
