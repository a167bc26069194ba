package palettespec

import (
	"encoding"
	"encoding/json"
	"fmt"
	"reflect"
	"slices"
	"strings"
	"time"

	"github.com/go-openapi/spec"
)

// CheckWireType checks a hand-written Go wire type against a definition of
// the spec: every field encoding/json would write (json-tagged or not,
// through embedded structs, pointers, slices, arrays and maps) must be a
// property of the definition (its $ref and allOf resolved), with a
// compatible JSON type, and nested fields are checked against the schema of
// their property, recursively. The Violations' Pointer is the field's JSON
// path, with "*" standing for any array item or map key.
//
// Go types map to JSON types as encoding/json writes them: string (and a
// field tagged ",string", []byte, time.Time, an encoding.TextMarshaler) is
// a string, bool a boolean, ints an integer, floats a number, slices and
// arrays an array, structs and maps an object. time.Time needs a string of
// no format or format date-time. A Go integer may stand for a number whose
// format is an integer one (int8/int32/int64), not for any other number;
// a Go float never for an integer. interface types, json.RawMessage and
// other json.Marshalers can be anything and are not checked further. A Go
// map for an object with fixed properties is a violation (its keys cannot
// be checked); a struct for a free-form object (no properties) is fine and
// not checked further. Missing required properties are not checked.
func (s *Spec) CheckWireType(typ reflect.Type, definition string) []Violation {
	w := &wireWalker{s: s, definition: definition, seen: map[string]bool{}}
	if s.Definition(definition) == nil {
		w.add("", "the spec has no definition %q", definition)
		return w.out
	}
	ref := spec.Schema{SchemaProps: spec.SchemaProps{Ref: spec.MustCreateRef("#/definitions/" + definition)}}
	w.value(typ, &ref, "", typ.String(), false, 0)
	return w.out
}

type wireWalker struct {
	s          *Spec
	definition string
	seen       map[string]bool
	out        []Violation
}

func (w *wireWalker) add(pointer, format string, args ...any) {
	w.out = append(w.out, Violation{Kind: "wiretype", Path: w.definition, Pointer: pointer, Message: fmt.Sprintf(format, args...)})
}

// view is a schema with its $refs followed and its allOf members merged.
type view struct {
	name     string // the definition reached through $ref, if any
	types    []string
	format   string
	props    map[string]*spec.Schema // nil when the schema declares none
	ap       *spec.SchemaOrBool
	items    *spec.Schema
	hasItems bool
}

func (w *wireWalker) resolve(sch *spec.Schema, depth int) view {
	var v view
	for range 16 {
		name, ok := refName(sch)
		if !ok {
			break
		}
		def := w.s.Definition(name)
		if def == nil {
			break
		}
		v.name = name
		sch = def
	}
	for _, m := range sch.AllOf {
		if depth > 8 {
			break
		}
		mv := w.resolve(&m, depth+1)
		if len(v.types) == 0 {
			v.types, v.format = mv.types, mv.format
		}
		for k, p := range mv.props {
			if v.props == nil {
				v.props = map[string]*spec.Schema{}
			}
			v.props[k] = p
		}
		if mv.ap != nil && (mv.ap.Allows || mv.ap.Schema != nil) {
			v.ap = mv.ap
		}
		if mv.hasItems {
			v.items, v.hasItems = mv.items, true
		}
	}
	if len(sch.Type) > 0 {
		v.types, v.format = sch.Type, sch.Format
	}
	if sch.Properties != nil && v.props == nil {
		v.props = map[string]*spec.Schema{}
	}
	for k := range sch.Properties {
		p := sch.Properties[k]
		if old, ok := v.props[k]; ok && isEmptySchema(&p) && old != nil {
			continue // a placeholder of the strict allOf rewrite
		}
		v.props[k] = &p
	}
	if sch.AdditionalProperties != nil && v.ap == nil {
		v.ap = sch.AdditionalProperties
	}
	if sch.Items != nil && sch.Items.Schema != nil {
		v.items, v.hasItems = sch.Items.Schema, true
	}
	return v
}

func isEmptySchema(s *spec.Schema) bool {
	return len(s.Type) == 0 && s.Ref.String() == "" && len(s.Properties) == 0 && len(s.AllOf) == 0 && s.Items == nil
}

var (
	timeType      = reflect.TypeFor[time.Time]()
	rawType       = reflect.TypeFor[json.RawMessage]()
	marshalerType = reflect.TypeFor[json.Marshaler]()
	textType      = reflect.TypeFor[encoding.TextMarshaler]()
)

// jsonKind is the JSON type encoding/json writes for t ("any" when it
// cannot tell).
func jsonKind(t reflect.Type, asString bool) string {
	switch {
	case t == timeType:
		return "time"
	case t == rawType:
		return "any"
	case t.Kind() == reflect.Interface:
		return "any"
	case t.Implements(marshalerType) || reflect.PointerTo(t).Implements(marshalerType):
		return "any"
	case t.Implements(textType) || reflect.PointerTo(t).Implements(textType):
		return "string"
	}
	switch t.Kind() {
	case reflect.String:
		return "string"
	case reflect.Bool:
		if asString {
			return "string"
		}
		return "boolean"
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		if asString {
			return "string"
		}
		return "integer"
	case reflect.Float32, reflect.Float64:
		if asString {
			return "string"
		}
		return "number"
	case reflect.Slice:
		if t.Elem().Kind() == reflect.Uint8 && !reflect.PointerTo(t.Elem()).Implements(marshalerType) && !reflect.PointerTo(t.Elem()).Implements(textType) {
			return "string" // base64
		}
		return "array"
	case reflect.Array:
		return "array"
	case reflect.Struct, reflect.Map:
		return "object"
	}
	return "unsupported"
}

var integerFormats = []string{"int8", "int16", "int32", "int64", "uint8", "uint16", "uint32", "uint64"}

// value checks Go type t against schema sch at pointer; label names the Go
// field for messages.
func (w *wireWalker) value(t reflect.Type, sch *spec.Schema, pointer, label string, asString bool, depth int) {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if depth > 64 {
		return
	}
	v := w.resolve(sch, 0)
	if v.name != "" {
		key := t.String() + "|" + v.name + "|" + fmt.Sprint(asString)
		if w.seen[key] {
			return // a recursive type, already being checked
		}
		w.seen[key] = true
		defer delete(w.seen, key)
	}
	kind := jsonKind(t, asString)
	types := v.types
	if len(types) == 0 && v.props != nil {
		types = []string{"object"}
	}
	schemaDesc := strings.Join(types, ",")
	if v.format != "" {
		schemaDesc += " (format " + v.format + ")"
	}
	if v.name != "" {
		schemaDesc += " (" + v.name + ")"
	}
	if kind == "any" || len(types) == 0 {
		return // either side accepts anything
	}
	has := func(x string) bool { return slices.Contains(types, x) }
	switch kind {
	case "unsupported":
		w.add(pointer, "Go %s is a %s, which encoding/json cannot write", label, t)
	case "time":
		if !has("string") || (v.format != "" && v.format != "date-time") {
			w.add(pointer, "Go %s is a time.Time (a date-time string); the spec says %s", label, schemaDesc)
		}
	case "string", "boolean":
		if !has(kind) {
			w.add(pointer, "Go %s is a %s (JSON %s); the spec says %s", label, t, kind, schemaDesc)
		}
	case "integer":
		if !has("integer") && (!has("number") || !slices.Contains(integerFormats, v.format)) {
			w.add(pointer, "Go %s is a %s (JSON integer); the spec says %s", label, t, schemaDesc)
		}
	case "number":
		if !has("number") {
			w.add(pointer, "Go %s is a %s (JSON number); the spec says %s", label, t, schemaDesc)
		}
	case "array":
		if !has("array") {
			w.add(pointer, "Go %s is a %s (JSON array); the spec says %s", label, t, schemaDesc)
			return
		}
		if v.hasItems {
			w.value(t.Elem(), v.items, pointer+"/*", label+"[]", false, depth+1)
		}
	case "object":
		if !has("object") {
			w.add(pointer, "Go %s is a %s (JSON object); the spec says %s", label, t, schemaDesc)
			return
		}
		if t.Kind() == reflect.Map {
			w.mapValue(t, v, pointer, label, depth)
			return
		}
		w.structFields(t, v, pointer, label, depth)
	}
}

func (w *wireWalker) mapValue(t reflect.Type, v view, pointer, label string, depth int) {
	switch {
	case v.ap != nil && v.ap.Schema != nil:
		w.value(t.Elem(), v.ap.Schema, pointer+"/*", label+"[key]", false, depth+1)
	case v.ap != nil && v.ap.Allows, v.props == nil && v.ap == nil:
		// a map of anything, or a free-form object
	default:
		w.add(pointer, "Go %s is a %s, but the spec's object has fixed properties (%s)", label, t, strings.Join(sortedKeys(v.props), ", "))
	}
}

func (w *wireWalker) structFields(t reflect.Type, v view, pointer, label string, depth int) {
	if v.props == nil && (v.ap == nil || (v.ap.Allows && v.ap.Schema == nil)) {
		return // a free-form object: the spec says nothing of its fields
	}
	for i := range t.NumField() {
		f := t.Field(i)
		tag := f.Tag.Get("json")
		if tag == "-" {
			continue
		}
		name, opts, _ := strings.Cut(tag, ",")
		if f.Anonymous && name == "" {
			ft := f.Type
			for ft.Kind() == reflect.Pointer {
				ft = ft.Elem()
			}
			if ft.Kind() == reflect.Struct {
				w.structFields(ft, v, pointer, label, depth) // promoted fields
				continue
			}
		}
		if !f.IsExported() {
			continue
		}
		if name == "" {
			name = f.Name
		}
		asString := slices.Contains(strings.Split(opts, ","), "string")
		fieldLabel := label + "." + f.Name
		ptr := pointer + "/" + escapePointer(name)
		prop, ok := v.props[name]
		if !ok {
			if v.ap != nil && v.ap.Schema != nil {
				w.value(f.Type, v.ap.Schema, ptr, fieldLabel, asString, depth+1)
				continue
			}
			if v.ap != nil && v.ap.Allows {
				continue // additional properties of any kind
			}
			where := "the schema"
			if v.name != "" {
				where = v.name
			}
			w.add(ptr, "Go %s (json %q) is not a property of %s", fieldLabel, name, where)
			continue
		}
		w.value(f.Type, prop, ptr, fieldLabel, asString, depth+1)
	}
}

// escapePointer escapes a JSON pointer reference token (RFC 6901).
func escapePointer(s string) string {
	return strings.ReplaceAll(strings.ReplaceAll(s, "~", "~0"), "/", "~1")
}
