package provider

import (
	"context"

	"github.com/hashicorp/terraform-plugin-framework-timeouts/resource/timeouts"
	"github.com/hashicorp/terraform-plugin-framework-validators/float64validator"
	"github.com/hashicorp/terraform-plugin-framework-validators/int64validator"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
)

func (r *clusterNamespaceResource) Schema(ctx context.Context, _ resource.SchemaRequest, resp *resource.SchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "A namespace of an imported cluster, with its resource allocation, as Palette configures it " +
			"(the cluster's **Settings → Namespaces**; `…/config/namespaces` in Palette's API). Palette's agent creates the " +
			"namespace in the cluster and a ResourceQuota for the allocation. The cluster must be imported in Full Permission mode.\n\n" +
			"Palette keeps a cluster's namespaces in one list that a write replaces whole. This resource changes only its own " +
			"entry: each write re-reads the latest list under a per-cluster lock (writes of one Terraform run are serialised), " +
			"and every other entry — of other resources, other modules, or Palette's UI — is sent back as Palette showed it. " +
			"A refresh reads each cluster's list once, whatever the number of namespaces on it. Two Terraform runs writing the " +
			"same cluster's namespaces at the same moment can still overwrite each other's change: Palette's list has no version " +
			"to check. Keep one run per cluster at a time (Terraform's state lock does this for one state).\n\n" +
			"Import with `<cluster_uid>:<namespace>`, or (Terraform 1.12 or later) an `import` block with `identity = { cluster_id, name }`.",
		Attributes: map[string]schema.Attribute{
			"id": schema.StringAttribute{
				MarkdownDescription: "`<cluster_uid>:<namespace>`.",
				Computed:            true,
				PlanModifiers:       []planmodifier.String{stringplanmodifier.UseStateForUnknown()},
			},
			"cluster_id": schema.StringAttribute{
				MarkdownDescription: "UID of the imported cluster (e.g. `palette_imported_cluster.x.id`). Changing it replaces the namespace.",
				Required:            true,
				Validators:          []validator.String{paletteUIDValidator()},
				PlanModifiers:       []planmodifier.String{stringplanmodifier.RequiresReplace()},
			},
			"name": schema.StringAttribute{
				MarkdownDescription: "Name of the namespace: a DNS-1123 label, not one of Kubernetes' own (`default`, `kube-*`) nor " +
					"the Palette agent's (`cluster-<uid>`). Changing it replaces the namespace.",
				Required:      true,
				Validators:    []validator.String{namespaceNameRule},
				PlanModifiers: []planmodifier.String{stringplanmodifier.RequiresReplace()},
			},
			"uid": schema.StringAttribute{
				MarkdownDescription: "UID of the namespace entry in Palette.",
				Computed:            true,
				PlanModifiers:       []planmodifier.String{stringplanmodifier.UseStateForUnknown()},
			},
			"cpu_cores": schema.Float64Attribute{
				MarkdownDescription: "CPU cores allocated to the namespace (its ResourceQuota's CPU requests and limits), greater " +
					"than 0; fractions are allowed. Set it with `memory_mib`, or neither (no quota).",
				Optional:   true,
				Validators: []validator.Float64{float64validator.AtLeast(0.001)},
			},
			"memory_mib": schema.Int64Attribute{
				MarkdownDescription: "Memory allocated to the namespace, in MiB (its ResourceQuota's memory requests and limits), " +
					"at least 1. Set it with `cpu_cores`, or neither.",
				Optional:   true,
				Validators: []validator.Int64{int64validator.AtLeast(1)},
			},
			"gpu_limit": schema.Int64Attribute{
				MarkdownDescription: "NVIDIA GPUs the namespace may request (Palette's GPU limit; provider `nvidia`), at least 1. " +
					"Needs `cpu_cores` and `memory_mib`.",
				Optional: true,
				Validators: []validator.Int64{
					int64validator.AtLeast(1),
					int64validator.AlsoRequires(path.MatchRoot("cpu_cores"), path.MatchRoot("memory_mib")),
				},
			},
			"timeouts": positiveDurationTimeouts(ctx, timeouts.Opts{Create: true, Update: true, Delete: true}),
		},
	}
}
