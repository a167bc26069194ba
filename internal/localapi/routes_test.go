package localapi_test

import (
	"slices"
	"strings"
	"testing"

	"github.com/terraform-palette/terraform-provider-palette/internal/acctest/localtest"
	"github.com/terraform-palette/terraform-provider-palette/internal/acctest/palettespec"
	"github.com/terraform-palette/terraform-provider-palette/internal/localapi"
	"github.com/terraform-palette/terraform-provider-palette/internal/wire"
)

// routeSamples are the values tried for a route's path parameters: a
// {cloudType} is tried with every cloud type palette-local imports, any
// other parameter with a UID-like value.
func routeSamples(name string) []string {
	if name == "cloudType" {
		return wire.ImportCloudTypes
	}
	return []string{"0123456789abcdef01234567"}
}

// expandRoute lists the concrete paths of a route path template.
func expandRoute(path string) []string {
	out := []string{""}
	for _, seg := range strings.Split(strings.TrimPrefix(path, "/"), "/") {
		values := []string{seg}
		if name, ok := strings.CutPrefix(seg, "{"); ok {
			values = routeSamples(strings.TrimSuffix(name, "}"))
		}
		next := make([]string, 0, len(out)*len(values))
		for _, prefix := range out {
			for _, v := range values {
				next = append(next, prefix+"/"+v)
			}
		}
		out = next
	}
	return out
}

// TestRoutes_inSpecOrExtras walks palette-local's route table: every route
// is one method on one path (no route serving every method, or every path
// below it), and is either an operation of Palette's published spec (for
// each value of its parameters palette-local answers) or listed in
// extras.go with its reason. Every entry of extras.go is a route served.
func TestRoutes_inSpecOrExtras(t *testing.T) {
	t.Parallel()
	spec := palettespec.MustLoad(t)
	inst := localtest.Start(t)
	routes := inst.Server.Routes()
	if len(routes) < 40 {
		t.Fatalf("the route table has %d routes: %v", len(routes), routes)
	}
	extras := map[string]bool{}
	for _, e := range localapi.Extras {
		route, _, _ := strings.Cut(e.Route, "?")
		extras[route] = true
		if !slices.Contains(routes, route) {
			t.Errorf("extras.go lists %q, which palette-local does not serve", e.Route)
		}
		if strings.TrimSpace(e.Why) == "" {
			t.Errorf("extras.go lists %q without a reason", e.Route)
		}
	}
	inSpec, extra := 0, 0
	for _, route := range routes {
		method, path, ok := strings.Cut(route, " ")
		if !ok || !strings.HasPrefix(path, "/") {
			t.Errorf("route %q names no method: it serves every method, which the spec does not have", route)
			continue
		}
		if strings.Contains(path, "...}") {
			t.Errorf("route %q serves every path below it, which the spec does not have: route the spec's paths", route)
			continue
		}
		if extras[route] {
			// An extra may be on a path of the spec, served differently
			// (the manifest's ?token=, the agent's routes with its own
			// credential): the conformance checks exempt it.
			extra++
			continue
		}
		for _, p := range expandRoute(path) {
			if _, err := spec.Match(method, p); err != nil {
				t.Errorf("route %q (%s %s) is neither in the spec nor in extras.go: %v", route, method, p, err)
			}
		}
		inSpec++
	}
	t.Logf("routes: %d served, %d of them operations of the spec, %d listed in extras.go", len(routes), inSpec, extra)
}
