package provider

import (
	"context"
	"fmt"
	"reflect"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"sigs.k8s.io/yaml"
)

// yamlSemanticEqual reports whether two YAML documents hold the same data:
// key order, indentation, quoting and flow or block style do not matter,
// types do ("1" is not 1). Documents that do not parse are compared as text.
func yamlSemanticEqual(a, b string) bool {
	if a == b {
		return true
	}
	var va, vb any
	if err := yaml.Unmarshal([]byte(a), &va); err != nil {
		return false
	}
	if err := yaml.Unmarshal([]byte(b), &vb); err != nil {
		return false
	}
	return reflect.DeepEqual(va, vb)
}

// mergeYAML returns base with override merged into it: mappings are merged
// key by key, recursively; a null removes the key; any other value of
// override replaces base's. An empty override leaves base as it is (its
// comments and order too); a merge re-encodes the document, without its
// comments.
// Palette replaces a pack's whole values with what an attachment sends, so
// a user's override is merged onto the profile's values here, client-side.
func mergeYAML(base, override string) (string, error) {
	if strings.TrimSpace(override) == "" {
		return base, nil
	}
	var b, o any
	if err := yaml.Unmarshal([]byte(base), &b); err != nil {
		return "", fmt.Errorf("the profile's values: %w", err)
	}
	if err := yaml.Unmarshal([]byte(override), &o); err != nil {
		return "", fmt.Errorf("the override: %w", err)
	}
	out, err := yaml.Marshal(mergeValues(b, o))
	if err != nil {
		return "", fmt.Errorf("encoding merged values: %w", err)
	}
	return string(out), nil
}

func mergeValues(base, override any) any {
	bm, ok1 := base.(map[string]any)
	om, ok2 := override.(map[string]any)
	if !ok1 || !ok2 {
		if override == nil {
			return base
		}
		return override
	}
	out := make(map[string]any, len(bm)+len(om))
	for k, v := range bm {
		out[k] = v
	}
	for k, v := range om {
		if v == nil {
			delete(out, k) // key: null removes the key, as Helm does
			continue
		}
		out[k] = mergeValues(bm[k], v)
	}
	return out
}

// keepSemanticYAML returns next, with each element that is semantically
// equal to the element of prior under the same key replaced by prior's, so
// that a re-formatted document never shows as a change. Unknown or null maps
// are returned as they are.
func keepSemanticYAML(prior, next types.Map) types.Map {
	if prior.IsNull() || prior.IsUnknown() || next.IsNull() || next.IsUnknown() {
		return next
	}
	priorElems := prior.Elements()
	out := make(map[string]attr.Value, len(next.Elements()))
	changed := false
	for k, v := range next.Elements() {
		out[k] = v
		nv, ok1 := v.(types.String)
		pv, ok2 := priorElems[k].(types.String)
		if !ok1 || !ok2 || nv.IsNull() || nv.IsUnknown() || pv.IsNull() || pv.IsUnknown() {
			continue
		}
		if nv.ValueString() != pv.ValueString() && yamlSemanticEqual(nv.ValueString(), pv.ValueString()) {
			out[k] = pv
			changed = true
		}
	}
	if !changed {
		return next
	}
	return types.MapValueMust(types.StringType, out)
}

// yamlSemanticMapModifier keeps the prior state's element of a map of YAML
// documents when the configured one is semantically equal.
type yamlSemanticMapModifier struct{}

var _ planmodifier.Map = yamlSemanticMapModifier{}

func (yamlSemanticMapModifier) Description(context.Context) string {
	return "A YAML document that holds the same data as the one in state (only formatting differs) is not a change."
}

func (m yamlSemanticMapModifier) MarkdownDescription(ctx context.Context) string {
	return m.Description(ctx)
}

func (yamlSemanticMapModifier) PlanModifyMap(_ context.Context, req planmodifier.MapRequest, resp *planmodifier.MapResponse) {
	resp.PlanValue = keepSemanticYAML(req.StateValue, req.PlanValue)
}

// yamlMappingValidator checks that every element of a map is a YAML mapping
// (or empty), as pack values must be: one element's diagnostic is on the
// element (values["pack"]), several are reported together.
func yamlMappingValidator() validator.Map {
	return mapValuesRule(stringRule{summary: "Invalid pack values", description: "must be a YAML mapping",
		problem: func(s string) string {
			if err := checkYAMLMapping(s); err != nil {
				return "the pack's values are not usable: " + err.Error()
			}
			return ""
		}}, "Invalid pack values")
}

// checkYAMLMapping returns an error unless s is empty or a YAML mapping.
func checkYAMLMapping(s string) error {
	if strings.TrimSpace(s) == "" {
		return nil
	}
	var v any
	if err := yaml.Unmarshal([]byte(s), &v); err != nil {
		return fmt.Errorf("invalid YAML: %w", err)
	}
	switch v.(type) {
	case nil, map[string]any:
		return nil
	}
	return fmt.Errorf("values must be a YAML mapping (key: value), not %T", v)
}
