package palettespec

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"mime"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"

	oaerrors "github.com/go-openapi/errors"
	"github.com/go-openapi/spec"
	"github.com/go-openapi/strfmt"
	"github.com/go-openapi/validate"
)

// Violation is one way a request, a response or a Go wire type departs from
// the spec.
type Violation struct {
	// Kind is "request", "response", "wiretype" or "definition".
	Kind string
	// Method is the HTTP method ("" for a wire type).
	Method string
	// Path is the operation's path template when the path matched one, else
	// the path as sent; for a wire type or a document, the definition's name.
	Path string
	// Status is the response's status (0 for a request or a wire type).
	Status int
	// Pointer is the JSON pointer of the offending value in the body (or
	// in the wire type's JSON form), "" for the whole document or for
	// something that is not in a body (a query parameter, the status).
	Pointer string
	// Message says what is wrong.
	Message string
}

func (v Violation) String() string {
	var b strings.Builder
	switch v.Kind {
	case "wiretype":
		fmt.Fprintf(&b, "wire type for %s", v.Path)
	case "definition":
		fmt.Fprintf(&b, "%s document", v.Path)
	case "response":
		fmt.Fprintf(&b, "%s %s response %d", v.Method, v.Path, v.Status)
	default:
		fmt.Fprintf(&b, "%s %s request", v.Method, v.Path)
	}
	if v.Pointer != "" {
		fmt.Fprintf(&b, " at %s", v.Pointer)
	}
	b.WriteString(": ")
	b.WriteString(v.Message)
	return b.String()
}

// errorDefinition is the definition of Palette's error body.
const errorDefinition = "v1Error"

// CheckRequest checks a request against the spec: the operation exists;
// every query parameter is declared (at the path or the operation) with a
// compatible value; required query parameters are present; a JSON body
// validates strictly against the body parameter's schema, and a body
// parameter marked required is present. A non-empty body for an operation
// without a body parameter is a violation, "{}" and "null" included: the
// client is sending something the spec does not have (an empty body is
// fine). A form body (an operation with formData parameters) is checked
// for undeclared and missing fields when url-encoded, and not at all when
// multipart.
func (s *Spec) CheckRequest(method string, u *url.URL, header http.Header, body []byte) []Violation {
	_, vs := s.checkRequest(method, u, header, body)
	return vs
}

// checkRequest is CheckRequest, also returning the matched operation's key
// ("" when none matched).
func (s *Spec) checkRequest(method string, u *url.URL, header http.Header, body []byte) (string, []Violation) {
	method = strings.ToUpper(method)
	op, err := s.Match(method, u.EscapedPath())
	if err != nil {
		return "", []Violation{{Kind: "request", Method: method, Path: u.Path, Message: err.Error()}}
	}
	var out []Violation
	add := func(pointer, format string, args ...any) {
		out = append(out, Violation{Kind: "request", Method: method, Path: op.Template, Pointer: pointer, Message: fmt.Sprintf(format, args...)})
	}

	// Path parameters.
	for i := range op.Params {
		p := &op.Params[i]
		if p.In != "path" {
			continue
		}
		if v, ok := op.PathParams[p.Name]; ok {
			for _, msg := range checkParamValue(p, []string{v}) {
				add("", "path parameter %q: %s", p.Name, msg)
			}
		}
	}

	// Query parameters.
	query := u.Query()
	declared := map[string]*spec.Parameter{}
	for i := range op.Params {
		if op.Params[i].In == "query" {
			declared[op.Params[i].Name] = &op.Params[i]
		}
	}
	for _, name := range sortedKeys(query) {
		p, ok := declared[name]
		if !ok {
			add("", "query parameter %q is not declared by %s (declared: %s)", name, op.ID, listOrNone(sortedKeys(declared)))
			continue
		}
		for _, msg := range checkParamValue(p, query[name]) {
			add("", "query parameter %q: %s", name, msg)
		}
	}
	for _, name := range sortedKeys(declared) {
		if declared[name].Required {
			if _, ok := query[name]; !ok {
				add("", "required query parameter %q is missing", name)
			}
		}
	}

	// Body.
	var bodyParam *spec.Parameter
	var formParams []*spec.Parameter
	for i := range op.Params {
		switch op.Params[i].In {
		case "body":
			bodyParam = &op.Params[i]
		case "formData":
			formParams = append(formParams, &op.Params[i])
		}
	}
	trimmed := bytes.TrimSpace(body)
	switch {
	case len(formParams) > 0:
		mt := mediaType(header.Get("Content-Type"))
		if mt == "application/x-www-form-urlencoded" {
			for _, msg := range checkForm(formParams, trimmed) {
				add("", "%s", msg)
			}
		}
	case bodyParam == nil:
		if len(trimmed) > 0 {
			add("", "%s declares no body, but the request has one (%s)", op.ID, abbreviate(trimmed))
		}
	case len(trimmed) == 0:
		if bodyParam.Required {
			add("", "the body (%s) is required but the request has none", bodyParam.Name)
		}
	default:
		if mt := mediaType(header.Get("Content-Type")); mt != "" && !isJSONMediaType(mt) {
			add("", "Content-Type %q is not JSON", mt)
		}
		for _, f := range s.validateJSON(bodyParam.Schema, trimmed) {
			add(f.pointer, "body: %s", f.message)
		}
	}
	return op.Key(), out
}

// CheckResponse checks a response against the spec: the operation exists
// and declares the status (or "default"); when the declared response has a
// schema the body is JSON that validates strictly against it, unless the
// schema is a file (or a binary string), which accepts any body; when it
// has no schema the body is empty. A status of 400 or more that the
// operation does not declare is taken as Palette's generic error, whose body
// must be a v1Error (the SDK reads every such status into models.V1Error).
// An empty error body is accepted (the SDK accepts it too).
func (s *Spec) CheckResponse(method string, u *url.URL, status int, header http.Header, body []byte) []Violation {
	_, vs := s.checkResponse(method, u, status, header, body)
	return vs
}

// checkResponse is CheckResponse, also returning the matched operation's
// key ("" when none matched).
func (s *Spec) checkResponse(method string, u *url.URL, status int, header http.Header, body []byte) (string, []Violation) {
	method = strings.ToUpper(method)
	op, err := s.Match(method, u.EscapedPath())
	if err != nil {
		return "", []Violation{{Kind: "response", Method: method, Path: u.Path, Status: status, Message: err.Error()}}
	}
	var out []Violation
	add := func(pointer, format string, args ...any) {
		out = append(out, Violation{Kind: "response", Method: method, Path: op.Template, Status: status, Pointer: pointer, Message: fmt.Sprintf(format, args...)})
	}

	var schema *spec.Schema
	genericError := false
	resp, declared := responseOf(op.Op, status)
	switch {
	case declared:
		schema = resp.Schema
	case status >= 400:
		genericError = true
		schema = &spec.Schema{SchemaProps: spec.SchemaProps{Ref: spec.MustCreateRef("#/definitions/" + errorDefinition)}}
	default:
		add("", "status %d is not declared by %s (declared: %s)", status, op.ID, listOrNone(declaredStatuses(op.Op)))
		return op.Key(), out
	}

	trimmed := bytes.TrimSpace(body)
	switch {
	case schema == nil:
		if len(trimmed) > 0 {
			add("", "the spec declares no body for status %d, but the response has one (%s)", status, abbreviate(trimmed))
		}
	case s.isFile(schema):
		// any body
	case len(trimmed) == 0:
		if !genericError && method != http.MethodHead {
			add("", "the spec declares a body (%s) but the response has none", schemaName(schema))
		}
	default:
		if mt := mediaType(header.Get("Content-Type")); mt != "" && !isJSONMediaType(mt) {
			add("", "Content-Type %q is not JSON", mt)
		}
		what := "body"
		if genericError {
			what = "error body (" + errorDefinition + ")"
		}
		for _, f := range s.validateJSON(schema, trimmed) {
			add(f.pointer, "%s: %s", what, f.message)
		}
	}
	return op.Key(), out
}

// CheckJSON validates a JSON document strictly against a named definition
// of the spec. The Violations have Kind "definition" and the definition's
// name as Path.
func (s *Spec) CheckJSON(definition string, doc []byte) []Violation {
	if s.Definition(definition) == nil {
		return []Violation{{Kind: "definition", Path: definition, Message: fmt.Sprintf("the spec has no definition %q", definition)}}
	}
	ref := &spec.Schema{SchemaProps: spec.SchemaProps{Ref: spec.MustCreateRef("#/definitions/" + definition)}}
	var out []Violation
	for _, f := range s.validateJSON(ref, bytes.TrimSpace(doc)) {
		out = append(out, Violation{Kind: "definition", Path: definition, Pointer: f.pointer, Message: f.message})
	}
	return out
}

func responseOf(op *spec.Operation, status int) (spec.Response, bool) {
	if op.Responses == nil {
		return spec.Response{}, false
	}
	if r, ok := op.Responses.StatusCodeResponses[status]; ok {
		return r, true
	}
	if op.Responses.Default != nil {
		return *op.Responses.Default, true
	}
	return spec.Response{}, false
}

func declaredStatuses(op *spec.Operation) []string {
	var out []string
	if op.Responses == nil {
		return nil
	}
	for code := range op.Responses.StatusCodeResponses {
		out = append(out, strconv.Itoa(code))
	}
	sort.Strings(out)
	if op.Responses.Default != nil {
		out = append(out, "default")
	}
	return out
}

// isFile reports whether a response schema accepts any body: type file, or
// a string of format binary (directly or through a $ref).
func (s *Spec) isFile(schema *spec.Schema) bool {
	for range 8 {
		if schema == nil {
			return false
		}
		if schema.Type.Contains("file") || (schema.Type.Contains("string") && schema.Format == "binary") {
			return true
		}
		name, ok := refName(schema)
		if !ok {
			return false
		}
		schema = s.Definition(name)
	}
	return false
}

func refName(schema *spec.Schema) (string, bool) {
	ref := schema.Ref.String()
	if ref == "" {
		return "", false
	}
	return strings.CutPrefix(ref, "#/definitions/")
}

func schemaName(schema *spec.Schema) string {
	if name, ok := refName(schema); ok {
		return name
	}
	if len(schema.Type) > 0 {
		return strings.Join(schema.Type, ",")
	}
	return "a schema"
}

// finding is a located validation error.
type finding struct {
	pointer string
	message string
}

// validateJSON parses a JSON document and validates it against schema,
// whose $refs are resolved against the strict spec.
func (s *Spec) validateJSON(schema *spec.Schema, doc []byte) []finding {
	var data any
	dec := json.NewDecoder(bytes.NewReader(doc))
	if err := dec.Decode(&data); err != nil {
		return []finding{{message: "not JSON: " + err.Error()}}
	}
	if dec.More() {
		return []finding{{message: "data after the JSON value"}}
	}
	return s.validateValue(schema, data)
}

// validateValue validates decoded JSON against schema.
func (s *Spec) validateValue(schema *spec.Schema, data any) []finding {
	if schema == nil {
		return nil
	}
	v := validate.NewSchemaValidator(schema, s.root, "", strfmt.Default,
		validate.WithRecycleValidators(true), validate.WithSkipSchemataResult(true))
	res := v.Validate(data)
	if res == nil || !res.HasErrors() {
		return nil
	}
	var out []finding
	seen := map[finding]bool{}
	for _, le := range res.LocatedErrors() {
		for _, msg := range flatten(le.Err) {
			f := finding{pointer: le.Pointer, message: msg}
			if !seen[f] {
				seen[f] = true
				out = append(out, f)
			}
		}
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].pointer != out[j].pointer {
			return out[i].pointer < out[j].pointer
		}
		return out[i].message < out[j].message
	})
	return out
}

// flatten lists the messages of an error, opening go-openapi composites.
func flatten(err error) []string {
	var ce *oaerrors.CompositeError
	if errors.As(err, &ce) && len(ce.Errors) > 0 {
		var out []string
		for _, e := range ce.Errors {
			out = append(out, flatten(e)...)
		}
		return out
	}
	return []string{err.Error()}
}

// checkParamValue converts a non-body parameter's raw values to the
// parameter's type and validates them with go-openapi's parameter validator
// (enum, format, bounds).
func checkParamValue(p *spec.Parameter, raw []string) []string {
	var values []string
	if p.Type == "array" {
		switch p.CollectionFormat {
		case "multi":
			values = raw
		default:
			if len(raw) > 1 {
				return []string{fmt.Sprintf("sent %d times; only collectionFormat multi repeats a parameter", len(raw))}
			}
			sep := map[string]string{"ssv": " ", "tsv": "\t", "pipes": "|"}[p.CollectionFormat]
			if sep == "" {
				sep = ","
			}
			if len(raw) == 1 && raw[0] != "" {
				values = strings.Split(raw[0], sep)
			}
		}
		typ := "string"
		if p.Items != nil {
			typ = p.Items.Type
		}
		arr := make([]any, 0, len(values))
		for _, v := range values {
			x, msg := convert(typ, v)
			if msg != "" {
				return []string{fmt.Sprintf("item %q: %s", v, msg)}
			}
			arr = append(arr, x)
		}
		return paramResult(p, arr)
	}
	if len(raw) > 1 {
		return []string{fmt.Sprintf("sent %d times, but it is a single %s", len(raw), p.Type)}
	}
	x, msg := convert(p.Type, raw[0])
	if msg != "" {
		return []string{fmt.Sprintf("%q: %s", raw[0], msg)}
	}
	return paramResult(p, x)
}

func paramResult(p *spec.Parameter, data any) []string {
	res := validate.NewParamValidator(p, strfmt.Default).Validate(data)
	if res == nil || !res.HasErrors() {
		return nil
	}
	var out []string
	for _, e := range res.Errors {
		out = append(out, flatten(e)...)
	}
	return out
}

// convert parses a parameter value of a swagger primitive type.
func convert(typ, v string) (any, string) {
	switch typ {
	case "integer":
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil {
			return nil, "not an integer"
		}
		return n, ""
	case "number":
		f, err := strconv.ParseFloat(v, 64)
		if err != nil {
			return nil, "not a number"
		}
		return f, ""
	case "boolean":
		switch v {
		case "true":
			return true, ""
		case "false":
			return false, ""
		}
		return nil, `not a boolean ("true" or "false")`
	default:
		return v, ""
	}
}

// checkForm checks an url-encoded form body against formData parameters.
func checkForm(params []*spec.Parameter, body []byte) []string {
	form, err := url.ParseQuery(string(body))
	if err != nil {
		return []string{"form body: " + err.Error()}
	}
	declared := map[string]*spec.Parameter{}
	for _, p := range params {
		declared[p.Name] = p
	}
	var out []string
	for _, name := range sortedKeys(form) {
		p, ok := declared[name]
		if !ok {
			out = append(out, fmt.Sprintf("form field %q is not declared (declared: %s)", name, listOrNone(sortedKeys(declared))))
			continue
		}
		if p.Type == "file" {
			continue
		}
		for _, msg := range checkParamValue(p, form[name]) {
			out = append(out, fmt.Sprintf("form field %q: %s", name, msg))
		}
	}
	for _, name := range sortedKeys(declared) {
		if _, ok := form[name]; !ok && declared[name].Required {
			out = append(out, fmt.Sprintf("required form field %q is missing", name))
		}
	}
	return out
}

func mediaType(ct string) string {
	if ct == "" {
		return ""
	}
	mt, _, err := mime.ParseMediaType(ct)
	if err != nil {
		return ct
	}
	return mt
}

func isJSONMediaType(mt string) bool {
	return mt == "application/json" || strings.HasSuffix(mt, "+json")
}

func listOrNone(xs []string) string {
	if len(xs) == 0 {
		return "none"
	}
	return strings.Join(xs, ", ")
}

func abbreviate(b []byte) string {
	const limit = 60
	if len(b) <= limit {
		return strconv.Quote(string(b))
	}
	return strconv.Quote(string(b[:limit])) + "..."
}
