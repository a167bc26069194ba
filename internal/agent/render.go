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

	"github.com/terraform-palette/terraform-provider-palette/internal/wire"
	"sigs.k8s.io/yaml"
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
	j, err := yaml.YAMLToJSON([]byte(s))
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
	"toYaml": func(v any) (string, error) {
		b, err := yaml.Marshal(v)
		if err != nil {
			return "", fmt.Errorf("toYaml: %w", err)
		}
		return strings.TrimSuffix(string(b), "\n"), nil
	},
	"indent":  indent,
	"nindent": func(n int, s string) string { return "\n" + indent(n, s) },
	"b64enc":  func(s string) string { return base64.StdEncoding.EncodeToString([]byte(s)) },
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

// RenderTemplate renders one manifest as a text/template with
// missingkey=error; a reference to a missing value is an error.
func RenderTemplate(name, content string, data map[string]any) (out string, err error) {
	defer func() {
		// text/template recovers its own panics, but stay safe on odd data.
		if r := recover(); r != nil {
			err = fmt.Errorf("%w %q: %v", ErrTemplate, name, r)
		}
	}()
	t, err := template.New(name).Option("missingkey=error").Funcs(templateFuncs).Parse(content)
	if err != nil {
		return "", fmt.Errorf("%w %q: %w", ErrTemplate, name, err)
	}
	var buf bytes.Buffer
	if err := t.Execute(&buf, data); err != nil {
		return "", fmt.Errorf("%w %q: %w", ErrTemplate, name, err)
	}
	return buf.String(), nil
}

// RenderedPack is a pack ready to apply.
type RenderedPack struct {
	ProfileUID string
	Name       string
	// Manifest is the multi-document YAML of all the pack's manifests.
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
// manifest packs are supported.
func RenderPack(prof wire.DesiredProfile, p wire.Pack) (*RenderedPack, error) {
	if p.Type != PackTypeManifest {
		return nil, fmt.Errorf("pack %q has type %q; the agent deploys only %q packs", p.Name, p.Type, PackTypeManifest)
	}
	eff, values, err := effectivePack(p, prof.PackValues)
	if err != nil {
		return nil, err
	}
	data := TemplateData(values, prof.Variables)
	var buf bytes.Buffer
	for _, m := range eff.Manifests {
		out, err := RenderTemplate(m.Name, m.Content, data)
		if err != nil {
			return nil, err
		}
		if strings.TrimSpace(out) == "" {
			continue
		}
		if buf.Len() > 0 {
			buf.WriteString("\n---\n")
		}
		buf.WriteString(out)
	}
	sum := sha256.Sum256(buf.Bytes())
	return &RenderedPack{ProfileUID: prof.UID, Name: p.Name, Manifest: buf.Bytes(), Hash: hex.EncodeToString(sum[:])}, nil
}
