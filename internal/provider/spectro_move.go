package provider

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-framework/types"
)

// State moves from Spectro Cloud's own provider
// (registry.terraform.io/spectrocloud/spectrocloud): a `moved` block from one
// of its resources to one of ours (Terraform 1.8, OpenTofu 1.10 or later) hands the source
// resource's state, as JSON in the shape of the schema version it was saved
// with, to our MoveResourceState. Its schemas are SDKv2 schemas; each
// version's JSON shape is described beside the resource that takes it
// (imported_cluster_move.go, addon_profile_attachment_move.go).

// spectroNamespace and spectroProviderType name Spectro Cloud's provider.
const spectroNamespace, spectroProviderType = "spectrocloud", "spectrocloud"

// spectroSource tells whether a move request is from resource type typ of
// Spectro Cloud's provider. Terraform sends the provider's full address;
// the hostname is not compared (a mirror of the registry serves it under
// another). OpenTofu before 1.12.4 sends the provider's type alone.
func spectroSource(req resource.MoveStateRequest, typ string) bool {
	if req.SourceTypeName != typ {
		return false
	}
	parts := strings.Split(req.SourceProviderAddress, "/")
	switch len(parts) {
	case 1:
		return parts[0] == spectroProviderType
	case 2, 3:
		n := len(parts)
		return parts[n-2] == spectroNamespace && parts[n-1] == spectroProviderType
	}
	return false
}

// decodeSpectroState decodes the source state's JSON into v, after checking
// that its schema version is one of versions (those the source provider has
// published).
func decodeSpectroState(req resource.MoveStateRequest, versions []int64, v any, diags *diag.Diagnostics) bool {
	if !slices.Contains(versions, req.SourceSchemaVersion) {
		known := make([]string, len(versions))
		for i, n := range versions {
			known[i] = fmt.Sprint(n)
		}
		diags.AddError("Unsupported source schema version",
			fmt.Sprintf("The state of this %s was saved with schema version %d; this provider moves versions %s, those that %s has published. "+
				"A newer version of this provider may know it; until then, bring the resource in with a `removed` block "+
				"(lifecycle { destroy = false }) and an `import` block instead of the `moved` block.",
				req.SourceTypeName, req.SourceSchemaVersion, strings.Join(known, ", "), spectroNamespace+"/"+spectroProviderType))
		return false
	}
	if req.SourceRawState == nil || len(req.SourceRawState.JSON) == 0 {
		diags.AddError("Missing source state", fmt.Sprintf("Terraform sent no JSON state for the %s to move.", req.SourceTypeName))
		return false
	}
	if err := json.Unmarshal(req.SourceRawState.JSON, v); err != nil {
		diags.AddError("Unreadable source state",
			fmt.Sprintf("The state of this %s (schema version %d) is not in the shape this provider knows: %s.",
				req.SourceTypeName, req.SourceSchemaVersion, err))
		return false
	}
	return true
}

// moveRefusal collects what a move cannot carry, each with what to do, and
// reports them as one error.
type moveRefusal struct {
	source, target string
	reasons        []string
}

func (m *moveRefusal) add(format string, args ...any) {
	m.reasons = append(m.reasons, fmt.Sprintf(format, args...))
}

// report adds the error, when there is something to report, with recipe
// (what to write instead of the moved block) after the reasons.
func (m *moveRefusal) report(diags *diag.Diagnostics, recipe string) bool {
	if len(m.reasons) == 0 {
		return false
	}
	detail := fmt.Sprintf("This %s cannot be moved to %s:\n\n- %s", m.source, m.target, strings.Join(m.reasons, "\n- "))
	if recipe != "" {
		detail += "\n\n" + recipe
	}
	diags.AddError(fmt.Sprintf("Cannot move %s to %s", m.source, m.target), detail)
	return true
}

// removedImportRecipe is the way in when a move is refused: forget the
// source resource without destroying anything (a removed block), and import
// the object with the target resource; Palette is left as it is.
func removedImportRecipe(source, target, id string, more ...string) string {
	s := fmt.Sprintf("Instead of the moved block, write (Terraform 1.7 or later):\n\n"+
		"  removed {\n    from = %s.<name>\n    lifecycle {\n      destroy = false\n    }\n  }\n\n"+
		"  import {\n    to = %s.<name>\n    id = %q\n  }\n\n"+
		"The removed block makes Terraform forget the %s without changing anything in Palette; the import block "+
		"brings the same object in. What this provider does not manage stays in Palette as it is, outside Terraform.",
		source, target, id, source)
	for _, m := range more {
		s += "\n\n" + m
	}
	return s
}

// spectroMover moves the state of resource type typ of Spectro's provider,
// saved in one of versions, in the shape S: target maps it to the target
// resource's attributes (or reports what cannot be moved), and identity
// writes the target's identity from them. Requests from other types or
// providers are left to the framework.
func spectroMover[S any](typ string, versions []int64,
	target func(S, *diag.Diagnostics) (map[string]attr.Value, bool),
	identity func(context.Context, *tfsdk.ResourceIdentity, map[string]string, *diag.Diagnostics),
) resource.StateMover {
	return resource.StateMover{StateMover: func(ctx context.Context, req resource.MoveStateRequest, resp *resource.MoveStateResponse) {
		if !spectroSource(req, typ) {
			return
		}
		var src S
		if !decodeSpectroState(req, versions, &src, &resp.Diagnostics) {
			return
		}
		attrs, ok := target(src, &resp.Diagnostics)
		if !ok {
			return
		}
		strs := map[string]string{}
		for name, v := range attrs {
			resp.Diagnostics.Append(resp.TargetState.SetAttribute(ctx, path.Root(name), v)...)
			if s, ok := v.(types.String); ok {
				strs[name] = s.ValueString()
			}
		}
		identity(ctx, resp.TargetIdentity, strs, &resp.Diagnostics)
	}}
}
