package provider

import (
	"context"

	"github.com/hashicorp/terraform-plugin-framework-timeouts/resource/timeouts"
	"github.com/hashicorp/terraform-plugin-framework-validators/mapvalidator"
	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/booldefault"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"
)

// maxPackValuesBytes is the longest values override of one pack.
const maxPackValuesBytes = 512 << 10

// packStatusAttrTypes are the attributes of an element of packs.
var packStatusAttrTypes = map[string]attr.Type{
	"name":    types.StringType,
	"state":   types.StringType,
	"message": types.StringType,
}

func (r *addonProfileAttachmentResource) Schema(ctx context.Context, _ resource.SchemaRequest, resp *resource.SchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "Attaches an add-on cluster profile to an imported cluster (Palette's \"Attach an Add-on Profile\"). " +
			"The cluster must be imported in Full Permission mode and Running; only profiles of type `add-on` may be attached " +
			"(Palette: \"You cannot use a full cluster profile\"), and none that contains Palette's Spectro Proxy pack " +
			"(`spectro-proxy`), which Palette cannot deploy on imported clusters. Create waits until the agent reports every pack of the profile " +
			"`Ready`; destroy detaches the profile and waits until the agent has removed its objects from the cluster. " +
			"Other profiles attached to the cluster, including ones attached outside Terraform, are left alone. " +
			"A profile is attached to a cluster once: two attachments of one profile to one cluster in a configuration fail " +
			"the plan (or the apply, when an ID is known only then), and a profile already attached outside this resource's " +
			"state fails the apply unless `adopt_existing` is set.\n\n" +
			"Import with `<cluster_uid>:<profile_uid>`.",
		Attributes: map[string]schema.Attribute{
			"id": schema.StringAttribute{
				MarkdownDescription: "`<cluster_uid>:<profile_uid>`.",
				Computed:            true,
			},
			"cluster_id": schema.StringAttribute{
				MarkdownDescription: "UID of the imported cluster (e.g. `palette_imported_cluster.x.id`). Changing it attaches the profile to the other cluster instead.",
				Required:            true,
				Validators:          []validator.String{paletteUIDValidator()},
				PlanModifiers:       []planmodifier.String{stringplanmodifier.RequiresReplace()},
			},
			"profile_id": schema.StringAttribute{
				MarkdownDescription: "UID of the add-on profile version to attach (e.g. `data.palette_cluster_profile.x.id`). " +
					"Another version of the same profile (same name) is swapped in place; a profile of another name replaces the attachment.",
				Required:   true,
				Validators: []validator.String{paletteUIDValidator()},
			},
			"values": schema.MapAttribute{
				MarkdownDescription: "Values overrides by pack name: YAML mappings merged over the pack's values in the profile. Palette replaces " +
					"a pack's whole values with what an attachment sends, so the provider merges the override onto the profile's " +
					"values and sends the result; a change made outside Terraform shows as the pack's whole values and is put " +
					"back. They are compared by content, so re-formatting the YAML is not a change. Each pack's override is at most " +
					"512 KiB (524,288 bytes): the attachment sends the merged values of all the profile's packs in one request, and " +
					"palette-local refuses request bodies over 1 MiB.",
				ElementType: types.StringType,
				Optional:    true,
				Validators: []validator.Map{
					mapvalidator.ValueStringsAre(stringvalidator.LengthAtMost(maxPackValuesBytes)),
					yamlMappingValidator(),
				},
				PlanModifiers: []planmodifier.Map{yamlSemanticMapModifier{}},
			},
			"variables": schema.MapAttribute{
				MarkdownDescription: "Values of the profile's variables, by name. Only variables the profile defines: another " +
					"name fails the plan (Palette would drop it without a word), as does the empty name.",
				ElementType: types.StringType,
				Optional:    true,
				Validators:  []validator.Map{mapKeysRule(variableNameValidator(), "Invalid variable names")},
			},
			"adopt_existing": schema.BoolAttribute{
				MarkdownDescription: "When the profile is already attached to the cluster (outside Terraform), take that attachment " +
					"over (its values and variables become these) instead of failing. Defaults to `false`: the error explains " +
					"`terraform import`.",
				Optional: true,
				Computed: true,
				Default:  booldefault.StaticBool(false),
			},
			"timeouts": positiveDurationTimeouts(ctx, timeouts.Opts{Create: true, Update: true, Delete: true}),
			"packs": schema.ListNestedAttribute{
				MarkdownDescription: "Status of the profile's packs, as the agent reports them.",
				Computed:            true,
				NestedObject: schema.NestedAttributeObject{Attributes: map[string]schema.Attribute{
					"name":    schema.StringAttribute{Computed: true, MarkdownDescription: "Pack name."},
					"state":   schema.StringAttribute{Computed: true, MarkdownDescription: "`Ready`, `Pending`, `Error` or `Removing`."},
					"message": schema.StringAttribute{Computed: true, MarkdownDescription: "The agent's message (the error of a pack in `Error`)."},
				}},
			},
		},
	}
}
