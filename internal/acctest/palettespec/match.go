package palettespec

import (
	"fmt"
	"net/url"
	"slices"
	"sort"
	"strings"

	"github.com/go-openapi/spec"
)

// Operation is a spec operation matched by a request's method and path.
type Operation struct {
	// Method is the upper-case HTTP method.
	Method string
	// Template is the spec's path template, e.g. /v1/spectroclusters/{uid}.
	Template string
	// ID is the operationId.
	ID string
	// PathParams are the values of the template's {params} in the path.
	PathParams map[string]string
	// Op is the spec's operation.
	Op *spec.Operation
	// Params are the operation's parameters: the path item's, overridden
	// (by name and location) by the operation's own.
	Params []spec.Parameter
}

// Key is "METHOD template", which names the operation in summaries.
func (o *Operation) Key() string { return o.Method + " " + o.Template }

// route is one path template of the spec.
type route struct {
	template string
	segs     []string // "" for a {param} segment
	names    []string // the param name of each {param} segment, else ""
	methods  map[string]bool
}

func (s *Spec) buildRoutes() {
	for tmpl, v := range s.paths {
		r := &route{template: tmpl, methods: map[string]bool{}}
		item, _ := v.(map[string]any)
		for k := range item {
			if m := strings.ToUpper(k); isMethod(m) {
				r.methods[m] = true
			}
		}
		for _, seg := range strings.Split(strings.TrimPrefix(tmpl, "/"), "/") {
			if strings.HasPrefix(seg, "{") && strings.HasSuffix(seg, "}") {
				r.segs = append(r.segs, "")
				r.names = append(r.names, seg[1:len(seg)-1])
			} else {
				r.segs = append(r.segs, seg)
				r.names = append(r.names, "")
			}
		}
		s.routes = append(s.routes, r)
		s.bySegments[len(r.segs)] = append(s.bySegments[len(r.segs)], r)
	}
	sort.Slice(s.routes, func(i, j int) bool { return s.routes[i].template < s.routes[j].template })
	for _, rs := range s.bySegments {
		sort.Slice(rs, func(i, j int) bool { return moreSpecific(rs[i], rs[j]) })
	}
}

// moreSpecific orders routes of the same length so that, at the first
// segment where they differ in kind, a literal comes before a {param}.
func moreSpecific(a, b *route) bool {
	for i := range a.segs {
		al, bl := a.segs[i] != "", b.segs[i] != ""
		if al != bl {
			return al
		}
	}
	return a.template < b.template
}

// Templates lists the spec's path templates, sorted.
func (s *Spec) Templates() []string {
	out := make([]string, len(s.routes))
	for i, r := range s.routes {
		out[i] = r.template
	}
	return out
}

// Match finds the operation of a request. path is the URL's path (escaped or
// not: each segment is unescaped before comparison). A path matching no
// template, or a template without that method, is an error naming which.
// Where several templates match, the one whose first differing segment is
// a literal wins (/v1/spectroclusters/generic/import over
// /v1/spectroclusters/{uid}/import).
func (s *Spec) Match(method, path string) (*Operation, error) {
	method = strings.ToUpper(method)
	segs := strings.Split(strings.TrimPrefix(path, "/"), "/")
	for i, seg := range segs {
		if u, err := url.PathUnescape(seg); err == nil {
			segs[i] = u
		}
	}
	var pathMatched *route
	for _, r := range s.bySegments[len(segs)] {
		if !r.matches(segs) {
			continue
		}
		if pathMatched == nil {
			pathMatched = r
		}
		if !r.methods[method] {
			continue
		}
		item := s.pathItem(r.template)
		op := operationOf(item, method)
		if op == nil {
			continue
		}
		o := &Operation{Method: method, Template: r.template, ID: op.ID, Op: op, PathParams: map[string]string{}}
		for i, name := range r.names {
			if name != "" {
				o.PathParams[name] = segs[i]
			}
		}
		o.Params = mergeParams(item.Parameters, op.Parameters)
		return o, nil
	}
	if pathMatched != nil {
		return nil, fmt.Errorf("method %s is not declared for path %s (template %s; declared: %s)",
			method, path, pathMatched.template, strings.Join(pathMatched.methodList(), ", "))
	}
	return nil, fmt.Errorf("path %s matches no path of the spec", path)
}

func (r *route) matches(segs []string) bool {
	for i, seg := range r.segs {
		if seg == "" {
			if segs[i] == "" {
				return false // a {param} is never empty
			}
			continue
		}
		if seg != segs[i] {
			return false
		}
	}
	return true
}

func operationOf(item *spec.PathItem, method string) *spec.Operation {
	switch method {
	case "GET":
		return item.Get
	case "PUT":
		return item.Put
	case "POST":
		return item.Post
	case "DELETE":
		return item.Delete
	case "OPTIONS":
		return item.Options
	case "HEAD":
		return item.Head
	case "PATCH":
		return item.Patch
	}
	return nil
}

var methods = []string{"GET", "PUT", "POST", "DELETE", "OPTIONS", "HEAD", "PATCH"}

func isMethod(m string) bool { return slices.Contains(methods, m) }

func (r *route) methodList() []string {
	var out []string
	for _, m := range methods {
		if r.methods[m] {
			out = append(out, m)
		}
	}
	return out
}

// mergeParams is the path item's parameters overridden by the operation's.
func mergeParams(pathLevel, opLevel []spec.Parameter) []spec.Parameter {
	out := make([]spec.Parameter, 0, len(pathLevel)+len(opLevel))
	seen := map[string]bool{}
	for _, p := range opLevel {
		seen[p.In+"\x00"+p.Name] = true
		out = append(out, p)
	}
	for _, p := range pathLevel {
		if !seen[p.In+"\x00"+p.Name] {
			out = append(out, p)
		}
	}
	return out
}
