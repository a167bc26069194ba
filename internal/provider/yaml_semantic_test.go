package provider

import (
	"context"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"
)

func TestYAMLSemanticEqual(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name string
		a, b string
		want bool
	}{
		{"identical", "a: 1\n", "a: 1\n", true},
		{"key order", "a: 1\nb: 2\n", "b: 2\na: 1\n", true},
		{"indentation", "a:\n  b: 1\n", "a:\n    b: 1\n", true},
		{"flow style", "a: {b: 1, c: [x, y]}", "a:\n  b: 1\n  c:\n  - x\n  - y\n", true},
		{"quoting", "a: 'hello'", "a: \"hello\"", true},
		{"comments and trailing newline", "# comment\na: 1", "a: 1 # other\n", true},
		{"string is not number", "a: \"1\"", "a: 1", false},
		{"bool is not string", "a: true", "a: \"true\"", false},
		{"different value", "a: 1", "a: 2", false},
		{"extra key", "a: 1", "a: 1\nb: 2", false},
		{"list order matters", "a: [1, 2]", "a: [2, 1]", false},
		{"empty vs empty map", "", "{}", false},
		{"both empty", "", "  \n", true},
		{"invalid yaml", "a: [", "a: [", true},
		{"invalid vs valid", "a: [", "a: 1", false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			if got := yamlSemanticEqual(tc.a, tc.b); got != tc.want {
				t.Fatalf("yamlSemanticEqual(%q, %q) = %v, want %v", tc.a, tc.b, got, tc.want)
			}
			if got := yamlSemanticEqual(tc.b, tc.a); got != tc.want {
				t.Fatalf("not symmetric: yamlSemanticEqual(%q, %q) = %v", tc.b, tc.a, got)
			}
		})
	}
}

func strMap(m map[string]string) types.Map {
	elems := map[string]attr.Value{}
	for k, v := range m {
		elems[k] = types.StringValue(v)
	}
	return types.MapValueMust(types.StringType, elems)
}

func TestYAMLSemanticMapModifier(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name        string
		state, plan types.Map
		want        types.Map
	}{
		{
			name:  "reformatted keeps state",
			state: strMap(map[string]string{"hello": "message: hi\nreplicas: 1\n"}),
			plan:  strMap(map[string]string{"hello": "{replicas: 1, message: 'hi'}"}),
			want:  strMap(map[string]string{"hello": "message: hi\nreplicas: 1\n"}),
		},
		{
			name:  "changed value is planned",
			state: strMap(map[string]string{"hello": "message: hi"}),
			plan:  strMap(map[string]string{"hello": "message: bye"}),
			want:  strMap(map[string]string{"hello": "message: bye"}),
		},
		{
			name:  "only equal keys keep state",
			state: strMap(map[string]string{"a": "x: 1", "b": "y: 1"}),
			plan:  strMap(map[string]string{"a": "x:   1", "b": "y: 2", "c": "z: 3"}),
			want:  strMap(map[string]string{"a": "x: 1", "b": "y: 2", "c": "z: 3"}),
		},
		{
			name:  "no state",
			state: types.MapNull(types.StringType),
			plan:  strMap(map[string]string{"a": "x:  1"}),
			want:  strMap(map[string]string{"a": "x:  1"}),
		},
		{
			name:  "removed in config",
			state: strMap(map[string]string{"a": "x: 1"}),
			plan:  types.MapNull(types.StringType),
			want:  types.MapNull(types.StringType),
		},
		{
			name:  "unknown plan",
			state: strMap(map[string]string{"a": "x: 1"}),
			plan:  types.MapUnknown(types.StringType),
			want:  types.MapUnknown(types.StringType),
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			req := planmodifier.MapRequest{Path: path.Root("values"), StateValue: tc.state, PlanValue: tc.plan, ConfigValue: tc.plan}
			resp := &planmodifier.MapResponse{PlanValue: tc.plan}
			yamlSemanticMapModifier{}.PlanModifyMap(context.Background(), req, resp)
			if !resp.PlanValue.Equal(tc.want) {
				t.Fatalf("plan %s, want %s", resp.PlanValue, tc.want)
			}
		})
	}
}

func TestYAMLMappingValidator(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name    string
		value   string
		wantErr bool
	}{
		{"mapping", "a: 1\nb: {c: d}", false},
		{"empty", "", false},
		{"null document", "~", false},
		{"list", "- a\n- b", true},
		{"scalar", "hello", true},
		{"invalid", "a: [", true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			req := validator.MapRequest{Path: path.Root("values"), ConfigValue: strMap(map[string]string{"p": tc.value})}
			resp := &validator.MapResponse{}
			yamlMappingValidator().ValidateMap(context.Background(), req, resp)
			if got := resp.Diagnostics.HasError(); got != tc.wantErr {
				t.Fatalf("error = %v, want %v: %v", got, tc.wantErr, resp.Diagnostics)
			}
		})
	}
}

func TestMergeYAML(t *testing.T) {
	t.Parallel()
	base := "# preset: a\nmessage: hello\nnested:\n  a: 1\n  b: 2\n"
	cases := []struct{ name, override, want string }{
		{"empty override keeps the profile's text", "", base},
		{"nested merge", "nested:\n  b: 3\n", "message: hello\nnested:\n  a: 1\n  b: 3\n"},
		{"null removes a key", "nested:\n  a: null\n", "message: hello\nnested:\n  b: 2\n"},
		{"scalar replaces", "message: hi\n", "message: hi\nnested:\n  a: 1\n  b: 2\n"},
	}
	for _, tc := range cases {
		got, err := mergeYAML(base, tc.override)
		if err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		if tc.override == "" && got != tc.want || !yamlSemanticEqual(got, tc.want) {
			t.Errorf("%s: got %q, want %q", tc.name, got, tc.want)
		}
	}
	if _, err := mergeYAML("a: {{ .spectro.x }}\n", "b: 1\n"); err == nil {
		t.Error("values that do not parse as YAML merged without an error")
	}
}
