package provider

import (
	"context"

	"github.com/hashicorp/terraform-plugin-framework-timeouts/resource/timeouts"
	"github.com/hashicorp/terraform-plugin-framework-validators/setvalidator"
	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"

	"github.com/terraform-palette/terraform-provider-palette/internal/wire"
)

func (r *clusterRoleBindingResource) Schema(ctx context.Context, _ resource.SchemaRequest, resp *resource.SchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "A RoleBinding or ClusterRoleBinding on an imported cluster, as Palette configures it (the " +
			"cluster's **Settings → RBAC**; `…/config/rbacs` in Palette's API): a role and the users, groups and service " +
			"accounts it is granted to. Palette's agent creates the binding in the cluster. The cluster must be imported in " +
			"Full Permission mode.\n\n" +
			"Each resource is one entry of Palette's RBAC list for the cluster, with one binding; entries made in Palette's UI " +
			"or by other modules are left alone. Palette keeps the list as one document that a write replaces whole: each " +
			"write re-reads the latest list under a per-cluster lock (writes of one Terraform run are serialised) and sends " +
			"every other entry back as Palette showed it. A refresh reads each cluster's list once. Two Terraform runs writing " +
			"the same cluster's RBAC list at the same moment can still overwrite each other's change (Palette's list has no " +
			"version to check): keep one run per cluster at a time.\n\n" +
			"Import with `<cluster_uid>:<name>`, or (Terraform 1.12 or later) an `import` block with `identity = { cluster_id, name }`; only entries of one binding can be imported.",
		Attributes: map[string]schema.Attribute{
			"id": schema.StringAttribute{
				MarkdownDescription: "`<cluster_uid>:<name>`.",
				Computed:            true,
				PlanModifiers:       []planmodifier.String{stringplanmodifier.UseStateForUnknown()},
			},
			"cluster_id": schema.StringAttribute{
				MarkdownDescription: "UID of the imported cluster (e.g. `palette_imported_cluster.x.id`). Changing it replaces the binding.",
				Required:            true,
				Validators:          []validator.String{paletteUIDValidator()},
				PlanModifiers:       []planmodifier.String{stringplanmodifier.RequiresReplace()},
			},
			"name": schema.StringAttribute{
				MarkdownDescription: "Name of the binding: of its entry in Palette, and of the RoleBinding or ClusterRoleBinding in " +
					"the cluster (a DNS-1123 subdomain), unique among the cluster's RBAC entries. Changing it replaces the binding.",
				Required:      true,
				Validators:    []validator.String{bindingNameRule},
				PlanModifiers: []planmodifier.String{stringplanmodifier.RequiresReplace()},
			},
			"uid": schema.StringAttribute{
				MarkdownDescription: "UID of the RBAC entry in Palette.",
				Computed:            true,
				PlanModifiers:       []planmodifier.String{stringplanmodifier.UseStateForUnknown()},
			},
			"type": schema.StringAttribute{
				MarkdownDescription: "`RoleBinding` (in `namespace`) or `ClusterRoleBinding` (cluster-wide).",
				Required:            true,
				Validators:          []validator.String{stringvalidator.OneOf(wire.BindingTypeRoleBinding, wire.BindingTypeClusterRoleBinding)},
			},
			"namespace": schema.StringAttribute{
				MarkdownDescription: "Namespace of a `RoleBinding` (required for it); a `ClusterRoleBinding` has none.",
				Optional:            true,
				Validators:          []validator.String{namespaceRefRule},
			},
			"role": schema.SingleNestedAttribute{
				MarkdownDescription: "The role granted.",
				Required:            true,
				Attributes: map[string]schema.Attribute{
					"kind": schema.StringAttribute{
						MarkdownDescription: "`Role` (of the binding's namespace) or `ClusterRole`; a `ClusterRoleBinding` grants a `ClusterRole`.",
						Required:            true,
						Validators:          []validator.String{stringvalidator.OneOf(wire.RoleKindRole, wire.RoleKindClusterRole)},
					},
					"name": schema.StringAttribute{
						MarkdownDescription: "Name of the role, e.g. `view`, `edit`, `cluster-admin`.",
						Required:            true,
						Validators:          []validator.String{roleNameRule},
					},
				},
			},
			"subjects": schema.SetNestedAttribute{
				MarkdownDescription: "Who is granted the role: at least one user, group or service account.",
				Required:            true,
				Validators:          []validator.Set{setvalidator.SizeAtLeast(1)},
				NestedObject: schema.NestedAttributeObject{Attributes: map[string]schema.Attribute{
					"kind": schema.StringAttribute{
						MarkdownDescription: "`User`, `Group` or `ServiceAccount`.",
						Required:            true,
						Validators:          []validator.String{stringvalidator.OneOf(wire.SubjectUser, wire.SubjectGroup, wire.SubjectServiceAccount)},
					},
					"name": schema.StringAttribute{
						MarkdownDescription: "Name of the user, group or service account.",
						Required:            true,
						Validators:          []validator.String{stringvalidator.LengthBetween(1, 253)},
					},
					"namespace": schema.StringAttribute{
						MarkdownDescription: "Namespace of a `ServiceAccount` (required for it); users and groups have none.",
						Optional:            true,
						Validators:          []validator.String{namespaceRefRule},
					},
				}},
			},
			"timeouts": positiveDurationTimeouts(ctx, timeouts.Opts{Create: true, Update: true, Delete: true}),
		},
	}
}
