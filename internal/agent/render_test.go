package agent

import (
	"errors"
	"reflect"
	"strings"
	"testing"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"sigs.k8s.io/yaml"

	"github.com/terraform-palette/terraform-provider-palette/internal/kube"
	"github.com/terraform-palette/terraform-provider-palette/internal/wire"
)

func TestParseValues(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name, in string
		want     map[string]any
	}{
		{"empty", "", map[string]any{}},
		{"float stays float", "f: 1.5", map[string]any{"f": 1.5}},
		{"large int stays int", "count: 1000000", map[string]any{"count": int64(1000000)}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			got, err := ParseValues(tc.in)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, tc.want) {
				t.Fatalf("ParseValues = %#v, want %#v", got, tc.want)
			}
		})
	}
}

func TestParseValues_errors(t *testing.T) {
	t.Parallel()
	for _, in := range []string{"- a\n- b", "just a string", "a: [unclosed", "a: b: c"} {
		if _, err := ParseValues(in); !errors.Is(err, ErrValues) {
			t.Errorf("ParseValues(%q) err = %v, want ErrValues", in, err)
		}
	}
}

func TestRenderTemplate(t *testing.T) {
	t.Parallel()
	vals := map[string]any{"message": "hi", "replicas": int64(2), "nested": map[string]any{"k": "v"}}
	data := TemplateData(vals, []wire.SpectroClusterVariable{{Name: "env", Value: "prod"}})
	for _, tc := range []struct {
		name    string
		content string
		want    string
		wantErr string
	}{
		{name: "values", content: "m: {{ .Values.message }}\nr: {{ .Values.replicas }}", want: "m: hi\nr: 2\n"},
		{name: "nested", content: "k: {{ .Values.nested.k }}", want: "k: v\n"},
		{name: "variables", content: "v: {{ .Variables.env }}/{{ .spectro.var.env }}", want: "v: prod/prod\n"},
		{name: "variable quoted", content: `v: "{{ .spectro.var.env }}"`, want: "v: \"prod\"\n"},
		{name: "funcs", content: "a: {{ .Values.message | quote }}\nb: {{ default \"x\" .Values.nested.k }}", want: "a: \"hi\"\nb: v\n"},
		{name: "toYaml nindent", content: "a:{{ toYaml .Values.nested | nindent 2 }}", want: "a:\n  k: v\n"},
		{name: "toYaml trimmed nindent", content: "a:\n  {{- toYaml .Values.nested | nindent 2 }}", want: "a:\n  k: v\n"},
		{name: "toYaml in a block scalar", content: "a: |\n  {{- toYaml .Values.nested | nindent 2 }}", want: "a: |-\n  k: v\n"},
		{name: "b64enc", content: "a: {{ .Values.message | b64enc }}", want: "a: aGk=\n"},
		{name: "range", content: "l:\n{{- range $k, $v := .Values.nested }}\n  {{ $k }}: {{ $v }}\n{{- end }}", want: "l:\n  k: v\n"},
		{name: "no template", content: "plain: yaml", want: "plain: yaml\n"},
		{name: "comments dropped", content: "# uses {{ .Values.message }}\na: b # {{ .Values.message }}", want: "a: b\n"},
		{name: "nothing", content: "{{/* nothing */}}", want: ""},
		{name: "missing value", content: "{{ .Values.missing }}", wantErr: `map has no entry for key "missing"`},
		{name: "missing variable", content: "{{ .Variables.nope }}", wantErr: `no entry for key "nope"`},
		{name: "parse error", content: "{{ .Values.message ", wantErr: "unclosed action"},
		{name: "unknown function", content: "{{ frobnicate .Values }}", wantErr: `function "frobnicate" not defined`},
		{name: "index into scalar", content: "{{ .Values.message.x }}", wantErr: "can't evaluate field x"},
		{name: "not YAML", content: "a: [{{ .Values.message }}", wantErr: "the manifest is not YAML"},
		{name: "value as an anchor", content: "a: &{{ .Values.message }} x", wantErr: "not in an anchor"},
		{name: "value as a tag", content: "a: !{{ .Values.message }} x", wantErr: "not in a tag"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			got, err := RenderTemplate("m", tc.content, data)
			if tc.wantErr != "" {
				if !errors.Is(err, ErrTemplate) || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("err = %v, want ErrTemplate containing %q", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got != tc.want {
				t.Fatalf("got %q, want %q", got, tc.want)
			}
		})
	}
}

func TestRenderPack(t *testing.T) {
	t.Parallel()
	pack := wire.Pack{
		Name: "hello", Type: PackTypeManifest, Values: "message: hello\nreplicas: 1",
		Manifests: []wire.ManifestInputEntity{
			{Name: "cm", Content: "kind: ConfigMap\ndata:\n  m: {{ .Values.message }}\n  r: \"{{ .Values.replicas }}\""},
			{Name: "empty", Content: "{{/* nothing */}}"},
			{Name: "ns", Content: "kind: Namespace"},
		},
	}
	prof := wire.DesiredProfile{UID: "p1", Packs: []wire.Pack{pack}}

	def, err := RenderPack(prof, pack)
	if err != nil {
		t.Fatal(err)
	}
	if want := "kind: ConfigMap\ndata:\n  m: hello\n  r: \"1\"\n---\nkind: Namespace\n"; string(def.Manifest) != want {
		t.Fatalf("manifest %q, want %q", def.Manifest, want)
	}

	// An override's values replace the pack's whole values (as in Palette):
	// a client sends all of them.
	prof.PackValues = []wire.Pack{{Name: "hello", Values: "message: bonjour\nreplicas: 2"}, {Name: "other", Values: "message: nope"}}
	over, err := RenderPack(prof, pack)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(over.Manifest), "m: bonjour") || !strings.Contains(string(over.Manifest), `r: "2"`) {
		t.Fatalf("override not applied: %s", over.Manifest)
	}
	if over.Hash == def.Hash {
		t.Fatal("hash did not change with the content")
	}
	again, err := RenderPack(prof, pack)
	if err != nil || again.Hash != over.Hash {
		t.Fatalf("hash not stable: %v %s %s", err, again.Hash, over.Hash)
	}

	// A fragment is not merged over the defaults: it replaces them, so the
	// keys it leaves out are gone.
	frag := prof
	frag.PackValues = []wire.Pack{{Name: "hello", Values: "message: bonjour"}}
	if _, err := RenderPack(frag, pack); err == nil || !strings.Contains(err.Error(), `"replicas"`) {
		t.Fatalf("fragment override: err = %v, want the default replicas gone", err)
	}
	keysPack := wire.Pack{Name: "hello", Type: PackTypeManifest, Values: "message: hello\nreplicas: 1",
		Manifests: []wire.ManifestInputEntity{{Name: "keys", Content: "{{ range $k, $v := .Values }}{{ $k }} {{ end }}"}}}
	if keys, err := RenderPack(frag, keysPack); err != nil || strings.TrimSpace(string(keys.Manifest)) != "message" {
		t.Fatalf("values after a fragment override: %v %q, want only message", err, keys.Manifest)
	}

	// A manifest override by name replaces the content; without values the
	// pack keeps its default values.
	prof.PackValues = []wire.Pack{{Name: "hello", Manifests: []wire.ManifestInputEntity{{Name: "ns", Content: "kind: Secret"}}}}
	repl, err := RenderPack(prof, pack)
	if err != nil || !strings.HasSuffix(string(repl.Manifest), "kind: Secret\n") || !strings.Contains(string(repl.Manifest), "m: hello") {
		t.Fatalf("manifest override: %v %q", err, repl.Manifest)
	}

	for _, tc := range []struct {
		name    string
		prof    wire.DesiredProfile
		pack    wire.Pack
		wantErr string
	}{
		{"helm pack", prof, wire.Pack{Name: "h", Type: "helm"}, `type "helm"`},
		{"bad default values", prof, wire.Pack{Name: "h", Type: PackTypeManifest, Values: "- x"}, "default values"},
		{"bad override", wire.DesiredProfile{PackValues: []wire.Pack{{Name: "h", Values: "::: ["}}},
			wire.Pack{Name: "h", Type: PackTypeManifest}, "values override"},
		{"missing key", prof, wire.Pack{Name: "h", Type: PackTypeManifest,
			Manifests: []wire.ManifestInputEntity{{Name: "x", Content: "{{ .Values.nope }}"}}}, `"nope"`},
	} {
		if _, err := RenderPack(tc.prof, tc.pack); err == nil || !strings.Contains(err.Error(), tc.wantErr) {
			t.Errorf("%s: err = %v, want %q", tc.name, err, tc.wantErr)
		}
	}
}

// injectedNamespace is a values override's attempt to add an object: a
// document separator and a Namespace after an ordinary image name.
const injectedNamespace = "busybox:1.36\n---\napiVersion: v1\nkind: Namespace\nmetadata:\n  name: injected-ns\n"

// Values and variables are data: whatever a value holds, the pack renders
// exactly the objects its manifests have, and the value ends up as the
// string it is in the field its placeholder is in. A value used to be
// spliced into the manifest as text, so a "---" in it started a document of
// its own (an object the agent, cluster-admin, applied), and a newline added
// keys.
func TestRenderPack_valuesAreData(t *testing.T) {
	t.Parallel()
	values := map[string]string{
		"document":         injectedNamespace,
		"key":              "busybox\ninjected: key",
		"double quote":     "x\"\n---\napiVersion: v1\nkind: Namespace\nmetadata: {name: injected-ns}\n#",
		"single quote":     "x'\n---\napiVersion: v1\nkind: Namespace\nmetadata: {name: injected-ns}\n#",
		"flow":             "x}\n---\n{apiVersion: v1, kind: Namespace, metadata: {name: injected-ns}}\n#",
		"flow key":         "x, injected: key",
		"comment":          "x # not a comment",
		"anchor":           "&a x",
		"tag":              "!!binary aGk=",
		"template":         "{{ .Values.other }}",
		"separator only":   "---",
		"indented block":   "x\n  ---\n  injected: key",
		"ordinary":         "busybox:1.36",
		"empty line first": "\n---\nkind: Namespace",
	}
	for _, tc := range []struct {
		name, data string
		// want is the field's value for a value v.
		want func(v string) string
		// key: the value is the data's key, not its value.
		key bool
	}{
		{name: "plain", data: "x: {{ .Values.v }}"},
		{name: "double quoted", data: `x: "{{ .Values.v }}"`},
		{name: "single quoted", data: "x: '{{ .Values.v }}'"},
		{name: "quote", data: "x: {{ .Values.v | quote }}"},
		{name: "joined", data: "x: img={{ .Values.v }}", want: func(v string) string { return "img=" + v }},
		{name: "spectro variable", data: "x: {{ .spectro.var.v }}"},
		{name: "variable", data: "x: {{ .Variables.v }}"},
		{name: "block", data: "x: |\n    {{ .Values.v }}", want: func(v string) string { return v + "\n" }},
		{name: "block nindent", data: "x: |\n    {{- .Values.v | nindent 4 }}", want: func(v string) string { return v + "\n" }},
		{name: "toYaml", data: "x: {{ toYaml .Values.v }}"},
		{name: "flow", data: "{x: {{ .Values.v }}}"},
		{name: "flow quoted", data: `{x: "{{ .Values.v }}"}`},
		{name: "key", data: "{{ .Values.v }}: x", key: true},
	} {
		for vname, v := range values {
			t.Run(tc.name+"/"+vname, func(t *testing.T) {
				t.Parallel()
				body := strings.ReplaceAll(tc.data, "\n", "\n  ")
				pack := wire.Pack{Name: "p", Type: PackTypeManifest, Values: "v: ordinary",
					Manifests: []wire.ManifestInputEntity{{Name: "cm", Content: "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cm\ndata:\n  " + body + "\n"}}}
				override, err := yaml.Marshal(map[string]string{"v": v})
				if err != nil {
					t.Fatal(err)
				}
				prof := wire.DesiredProfile{UID: "u", Packs: []wire.Pack{pack},
					PackValues: []wire.Pack{{Name: "p", Values: string(override)}},
					Variables:  []wire.SpectroClusterVariable{{Name: "v", Value: v}}}
				rp, err := RenderPack(prof, pack)
				if err != nil {
					t.Fatalf("RenderPack: %v", err)
				}
				objs, err := kube.Decode(rp.Manifest)
				if err != nil {
					t.Fatalf("rendered manifest does not decode: %v\n%s", err, rp.Manifest)
				}
				if len(objs) != 1 || objs[0].GetKind() != "ConfigMap" || objs[0].GetName() != "cm" {
					var got []string
					for _, o := range objs {
						got = append(got, o.GetKind()+"/"+o.GetName())
					}
					t.Fatalf("objects %v, want only ConfigMap/cm:\n%s", got, rp.Manifest)
				}
				data, _, err := unstructured.NestedMap(objs[0].Object, "data")
				if err != nil || len(data) != 1 {
					t.Fatalf("data %#v (%v), want one key:\n%s", data, err, rp.Manifest)
				}
				want := v
				if tc.want != nil {
					want = tc.want(v)
				}
				if tc.key {
					if _, ok := data[want]; !ok {
						t.Fatalf("data %#v, want the key %q:\n%s", data, want, rp.Manifest)
					}
					return
				}
				if data["x"] != want {
					t.Fatalf("data.x = %#v, want %q:\n%s", data["x"], want, rp.Manifest)
				}
			})
		}
	}
}
