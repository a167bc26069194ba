package agent

import (
	"errors"
	"reflect"
	"strings"
	"testing"

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
		{name: "values", content: "m: {{ .Values.message }} r: {{ .Values.replicas }}", want: "m: hi r: 2"},
		{name: "nested", content: "{{ .Values.nested.k }}", want: "v"},
		{name: "variables", content: "{{ .Variables.env }}/{{ .spectro.var.env }}", want: "prod/prod"},
		{name: "funcs", content: "{{ .Values.message | quote }} {{ default \"x\" .Values.nested.k }}", want: `"hi" v`},
		{name: "toYaml nindent", content: "a:{{ toYaml .Values.nested | nindent 2 }}", want: "a:\n  k: v"},
		{name: "no template", content: "plain: yaml", want: "plain: yaml"},
		{name: "missing value", content: "{{ .Values.missing }}", wantErr: `map has no entry for key "missing"`},
		{name: "missing variable", content: "{{ .Variables.nope }}", wantErr: `no entry for key "nope"`},
		{name: "parse error", content: "{{ .Values.message ", wantErr: "unclosed action"},
		{name: "unknown function", content: "{{ frobnicate .Values }}", wantErr: `function "frobnicate" not defined`},
		{name: "index into scalar", content: "{{ .Values.message.x }}", wantErr: "can't evaluate field x"},
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
	if want := "kind: ConfigMap\ndata:\n  m: hello\n  r: \"1\"\n---\nkind: Namespace"; string(def.Manifest) != want {
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
	if err != nil || !strings.HasSuffix(string(repl.Manifest), "kind: Secret") || !strings.Contains(string(repl.Manifest), "m: hello") {
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
