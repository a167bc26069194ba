package agent

import (
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"text/template"

	yaml "go.yaml.in/yaml/v3"
	sigsyaml "sigs.k8s.io/yaml"

	"github.com/terraform-palette/terraform-provider-palette/internal/wire"
)

// PackTypeManifest is the only pack type the agent deploys.
const PackTypeManifest = "manifest"

// ErrValues is wrapped by errors in a pack's values (default or override).
var ErrValues = errors.New("invalid pack values")

// ErrTemplate is wrapped by errors in rendering a pack's manifests.
var ErrTemplate = errors.New("rendering manifest template")

// ParseValues parses a pack's values YAML into a map. Empty input is an empty
// map; a document that is not a mapping is an error. Integral numbers become
// int64, others float64.
func ParseValues(s string) (map[string]any, error) {
	if strings.TrimSpace(s) == "" {
		return map[string]any{}, nil
	}
	j, err := sigsyaml.YAMLToJSON([]byte(s))
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrValues, err)
	}
	dec := json.NewDecoder(bytes.NewReader(j))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, fmt.Errorf("%w: %w", ErrValues, err)
	}
	if v == nil {
		return map[string]any{}, nil
	}
	m, ok := v.(map[string]any)
	if !ok {
		return nil, fmt.Errorf("%w: values must be a mapping, not %T", ErrValues, v)
	}
	return normalizeNumbers(m).(map[string]any), nil //nolint:forcetypeassert // a map stays a map
}

func normalizeNumbers(v any) any {
	switch t := v.(type) {
	case map[string]any:
		for k, e := range t {
			t[k] = normalizeNumbers(e)
		}
		return t
	case []any:
		for i, e := range t {
			t[i] = normalizeNumbers(e)
		}
		return t
	case json.Number:
		if i, err := t.Int64(); err == nil {
			return i
		}
		if f, err := t.Float64(); err == nil {
			return f
		}
		return t.String()
	}
	return v
}

var templateFuncs = template.FuncMap{
	"quote": func(v any) string { return fmt.Sprintf("%q", fmt.Sprint(v)) },
	"default": func(def, v any) any {
		if v == nil || v == "" {
			return def
		}
		return v
	},
	"toYaml":  toYAML,
	"indent":  func(n int, v any) shaped { return indentShaped(n, v, false) },
	"nindent": func(n int, v any) shaped { return indentShaped(n, v, true) },
	"b64enc":  func(v any) string { return base64.StdEncoding.EncodeToString([]byte(fmt.Sprint(v))) },
}

func indent(n int, s string) string {
	pad := strings.Repeat(" ", n)
	return pad + strings.ReplaceAll(s, "\n", "\n"+pad)
}

// TemplateData is what a pack's manifests are rendered with: .Values (the
// merged values), .Variables (profile variables by name), and the same
// variables as .spectro.var.NAME.
func TemplateData(values map[string]any, vars []wire.SpectroClusterVariable) map[string]any {
	vm := make(map[string]any, len(vars))
	for _, v := range vars {
		vm[v.Name] = v.Value
	}
	return map[string]any{
		"Values":    values,
		"Variables": vm,
		"spectro":   map[string]any{"var": vm},
	}
}

// RenderTemplate renders one manifest, a text/template with
// missingkey=error (a reference to a missing value is an error), and
// returns its YAML documents. The values its actions print are data: see
// render_data.go.
func RenderTemplate(name, content string, data map[string]any) (string, error) {
	docs, err := renderManifest(name, content, data)
	if err != nil {
		return "", err
	}
	out, err := encodeDocuments(docs)
	if err != nil {
		return "", fmt.Errorf("%w %q: %w", ErrTemplate, name, err)
	}
	return string(out), nil
}

// renderManifest renders one manifest into its YAML documents, each value
// an action prints placed in the scalar that holds the action.
func renderManifest(name, content string, data map[string]any) (docs []*yaml.Node, err error) {
	defer func() {
		// text/template recovers its own panics, but stay safe on odd data.
		if r := recover(); r != nil {
			err = fmt.Errorf("%w %q: %v", ErrTemplate, name, r)
		}
	}()
	r := newRenderer()
	t, err := template.New(name).Option("missingkey=error").Funcs(templateFuncs).Parse(content)
	if err != nil {
		return nil, fmt.Errorf("%w %q: %w", ErrTemplate, name, err)
	}
	capture(t)
	t.Funcs(template.FuncMap{printFunc: r.placeholder})
	var buf bytes.Buffer
	if err := t.Execute(&buf, data); err != nil {
		return nil, fmt.Errorf("%w %q: %s", ErrTemplate, name, r.readable(err.Error()))
	}
	docs, err = r.documents(buf.String())
	if err != nil {
		return nil, fmt.Errorf("%w %q: %w", ErrTemplate, name, err)
	}
	return docs, nil
}

// RenderedPack is a pack ready to apply.
type RenderedPack struct {
	ProfileUID string
	Name       string
	// Manifest is the multi-document YAML of all the pack's manifests,
	// re-encoded from the parsed documents (without comments).
	Manifest []byte
	// Hash identifies the rendered content.
	Hash string
}

// effectivePack applies an attachment's packValues entry for a pack: as in
// Palette, its values replace the pack's whole values (a client that wants
// to change one key sends the defaults with that key changed), and a
// manifest of the same name replaces the default content.
func effectivePack(p wire.Pack, overrides []wire.Pack) (wire.Pack, map[string]any, error) {
	base, err := ParseValues(p.Values)
	if err != nil {
		return p, nil, fmt.Errorf("default values of pack %q: %w", p.Name, err)
	}
	merged := base
	out := p
	out.Manifests = append([]wire.ManifestInputEntity(nil), p.Manifests...)
	for _, o := range overrides {
		if o.Name != p.Name {
			continue
		}
		ov, err := ParseValues(o.Values)
		if err != nil {
			return p, nil, fmt.Errorf("values override of pack %q: %w", p.Name, err)
		}
		if strings.TrimSpace(o.Values) != "" {
			merged = ov
		}
		for _, om := range o.Manifests {
			if om.Content == "" {
				continue
			}
			replaced := false
			for i := range out.Manifests {
				if out.Manifests[i].Name == om.Name {
					out.Manifests[i].Content = om.Content
					replaced = true
				}
			}
			if !replaced {
				out.Manifests = append(out.Manifests, om)
			}
		}
	}
	return out, merged, nil
}

// RenderPack renders every manifest of a pack of a desired profile. Only
// manifest packs are supported. Values and variables are data: each lands in
// the scalar its action stands in and can add no document, key or object
// (render_data.go).
func RenderPack(prof wire.DesiredProfile, p wire.Pack) (*RenderedPack, error) {
	if p.Type != PackTypeManifest {
		return nil, fmt.Errorf("pack %q has type %q; the agent deploys only %q packs", p.Name, p.Type, PackTypeManifest)
	}
	eff, values, err := effectivePack(p, prof.PackValues)
	if err != nil {
		return nil, err
	}
	data := TemplateData(values, prof.Variables)
	var docs []*yaml.Node
	for _, m := range eff.Manifests {
		d, err := renderManifest(m.Name, m.Content, data)
		if err != nil {
			return nil, err
		}
		docs = append(docs, d...)
	}
	out, err := encodeDocuments(docs)
	if err != nil {
		return nil, fmt.Errorf("%w of pack %q: %w", ErrTemplate, p.Name, err)
	}
	sum := sha256.Sum256(out)
	return &RenderedPack{ProfileUID: prof.UID, Name: p.Name, Manifest: out, Hash: hex.EncodeToString(sum[:])}, nil
}
