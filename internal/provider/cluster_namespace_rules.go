package provider

import (
	"context"
	"fmt"
	"regexp"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework-validators/resourcevalidator"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	k8svalidation "k8s.io/apimachinery/pkg/util/validation"
)

// agentNamespaceRegexp matches the namespace of Palette's agent,
// cluster-<cluster uid>.
var agentNamespaceRegexp = regexp.MustCompile(`^cluster-[0-9a-f]{24}$`)

// namespaceNameRule checks a namespace name: a DNS-1123 label that is
// neither Kubernetes' own namespace nor the agent's.
var namespaceNameRule = stringRule{
	summary:     "Invalid namespace name",
	description: "must be a DNS-1123 label, not default, kube-* or the agent's cluster-<uid>",
	problem: func(s string) string {
		if errs := k8svalidation.IsDNS1123Label(s); len(errs) > 0 {
			return fmt.Sprintf("%q is not a Kubernetes namespace name: %s", s, strings.Join(errs, "; "))
		}
		if s == "default" || strings.HasPrefix(s, "kube-") {
			return fmt.Sprintf("%q is one of Kubernetes' own namespaces (default, kube-system, kube-public, kube-node-lease; "+
				"the kube- prefix is reserved): Palette does not manage it", s)
		}
		if agentNamespaceRegexp.MatchString(s) {
			return fmt.Sprintf("%q is the namespace of Palette's agent, which the agent manages itself", s)
		}
		return ""
	},
}

func (r *clusterNamespaceResource) ConfigValidators(context.Context) []resource.ConfigValidator {
	return []resource.ConfigValidator{
		resourcevalidator.RequiredTogether(path.MatchRoot("cpu_cores"), path.MatchRoot("memory_mib")),
	}
}

// namespaceArguments are the configurable attributes of a namespace.
var namespaceArguments = []string{"cluster_id", "name", "cpu_cores", "memory_mib", "gpu_limit", "timeouts"}

// ModifyPlan enforces Palette's rules when the cluster is known at plan time:
// the cluster exists and is Full Permission, the namespace is not already
// in the cluster's list outside this resource, and no other resource of the
// configuration configures it.
func (r *clusterNamespaceResource) ModifyPlan(ctx context.Context, req resource.ModifyPlanRequest, resp *resource.ModifyPlanResponse) {
	if req.Plan.Raw.IsNull() || r.data == nil {
		return // destroy, or the provider is not configured yet
	}
	if !req.State.Raw.IsNull() && sameArguments(ctx, req, namespaceArguments) {
		return // nothing of it changes: the rules held when it was made
	}
	r.data.namespaceList().planEntry(ctx, r.data, req, resp, namespaceRules)
}

// namespaceRules are the rules of a new namespace entry.
var namespaceRules = entryRules{feature: featureNamespaces, claim: "namespace", twice: namespaceTwice, exists: namespaceExists}

func namespaceTwice(clusterUID, name string) *ruleViolation {
	return &ruleViolation{path.Root("name"), "Namespace configured twice",
		fmt.Sprintf("Another palette_cluster_namespace of this configuration configures namespace %q on cluster %s. "+
			"Keep one resource per namespace and cluster.", name, clusterUID)}
}

func namespaceExists(clusterUID, name, uid string) *ruleViolation {
	return &ruleViolation{path.Root("name"), "Namespace already configured",
		fmt.Sprintf("Cluster %s already has namespace %q in Palette (entry %s), made outside this resource (in Palette's UI, "+
			"by another configuration, or by an apply interrupted before it saved its state). Bring it under this resource "+
			"with `terraform import` of the ID %q (or an import block), or remove it in Palette.",
			clusterUID, name, uid, configEntryID(clusterUID, name))}
}
