package provider

import (
	"context"
	"encoding/json"
	"sort"

	"github.com/hashicorp/terraform-plugin-framework-timeouts/resource/timeouts"
	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-framework/types/basetypes"

	"github.com/terraform-palette/terraform-provider-palette/internal/wire"
)

type clusterRoleBindingResourceModel struct {
	ID        types.String   `tfsdk:"id"`
	ClusterID types.String   `tfsdk:"cluster_id"`
	Name      types.String   `tfsdk:"name"`
	UID       types.String   `tfsdk:"uid"`
	Type      types.String   `tfsdk:"type"`
	Namespace types.String   `tfsdk:"namespace"`
	Role      types.Object   `tfsdk:"role"`
	Subjects  types.Set      `tfsdk:"subjects"`
	Timeouts  timeouts.Value `tfsdk:"timeouts"`
}

type roleRefModel struct {
	Kind types.String `tfsdk:"kind"`
	Name types.String `tfsdk:"name"`
}

type subjectModel struct {
	Kind      types.String `tfsdk:"kind"`
	Name      types.String `tfsdk:"name"`
	Namespace types.String `tfsdk:"namespace"`
}

var (
	roleRefAttrTypes = map[string]attr.Type{"kind": types.StringType, "name": types.StringType}
	subjectAttrTypes = map[string]attr.Type{"kind": types.StringType, "name": types.StringType, "namespace": types.StringType}
)

// roleRef and subjects read the nested attributes (known values only).
func (m *clusterRoleBindingResourceModel) roleRef(ctx context.Context, diags *diag.Diagnostics) roleRefModel {
	var r roleRefModel
	if !m.Role.IsNull() && !m.Role.IsUnknown() {
		diags.Append(m.Role.As(ctx, &r, basetypes.ObjectAsOptions{})...)
	}
	return r
}

func (m *clusterRoleBindingResourceModel) subjects(ctx context.Context, diags *diag.Diagnostics) []subjectModel {
	var s []subjectModel
	if !m.Subjects.IsNull() && !m.Subjects.IsUnknown() {
		diags.Append(m.Subjects.ElementsAs(ctx, &s, false)...)
	}
	return s
}

// binding is the model as Palette's binding.
func (m *clusterRoleBindingResourceModel) binding(ctx context.Context, diags *diag.Diagnostics) wire.ClusterRbacBinding {
	role := m.roleRef(ctx, diags)
	b := wire.ClusterRbacBinding{
		Type:      m.Type.ValueString(),
		Namespace: m.Namespace.ValueString(),
		Role:      wire.ClusterRoleRef{Kind: role.Kind.ValueString(), Name: role.Name.ValueString()},
		Subjects:  []wire.ClusterRbacSubjects{},
	}
	for _, s := range m.subjects(ctx, diags) {
		b.Subjects = append(b.Subjects, wire.ClusterRbacSubjects{
			Type: s.Kind.ValueString(), Name: s.Name.ValueString(), Namespace: s.Namespace.ValueString(),
		})
	}
	sort.Slice(b.Subjects, func(i, j int) bool {
		x, y := b.Subjects[i], b.Subjects[j]
		if x.Type != y.Type {
			return x.Type < y.Type
		}
		if x.Namespace != y.Namespace {
			return x.Namespace < y.Namespace
		}
		return x.Name < y.Name
	})
	return b
}

// input is the entry to send for this model: Palette's entry (when it
// exists) with its bindings replaced by this one, the rest kept.
func (m *clusterRoleBindingResourceModel) input(ctx context.Context, existing *wire.ClusterRbac, diags *diag.Diagnostics) (wire.ClusterRbacInputEntity, error) {
	in := wire.ClusterRbacInputEntity{Metadata: wire.ObjectMetaUpdateEntity{Name: m.Name.ValueString()}}
	var raw json.RawMessage
	if existing != nil {
		in = existing.Input()
		raw = existing.RawSpec
	}
	spec, err := withSpec(raw, map[string]any{"bindings": []wire.ClusterRbacBinding{m.binding(ctx, diags)}})
	in.Spec = spec
	return in, err
}

// flatten sets the model from the entry (of one binding) as Palette shows it.
func (m *clusterRoleBindingResourceModel) flatten(ctx context.Context, clusterUID string, e *wire.ClusterRbac, diags *diag.Diagnostics) {
	m.ClusterID = types.StringValue(clusterUID)
	m.Name = types.StringValue(e.Metadata.Name)
	m.ID = types.StringValue(configEntryID(clusterUID, e.Metadata.Name))
	m.UID = types.StringValue(e.Metadata.UID)
	if len(e.Spec.Bindings) != 1 {
		return // refused by the caller
	}
	b := e.Spec.Bindings[0]
	m.Type = types.StringValue(b.Type)
	m.Namespace = optionalString(b.Namespace)
	role, d := types.ObjectValue(roleRefAttrTypes, map[string]attr.Value{
		"kind": types.StringValue(b.Role.Kind), "name": types.StringValue(b.Role.Name),
	})
	diags.Append(d...)
	m.Role = role
	elems := make([]attr.Value, 0, len(b.Subjects))
	for _, s := range b.Subjects {
		o, d := types.ObjectValue(subjectAttrTypes, map[string]attr.Value{
			"kind": types.StringValue(s.Type), "name": types.StringValue(s.Name), "namespace": optionalString(s.Namespace),
		})
		diags.Append(d...)
		elems = append(elems, o)
	}
	set, d := types.SetValue(types.ObjectType{AttrTypes: subjectAttrTypes}, elems)
	diags.Append(d...)
	m.Subjects = set
}
