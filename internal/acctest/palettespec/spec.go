package palettespec

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime/debug"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/go-openapi/loads"
	"github.com/go-openapi/spec"
	"golang.org/x/mod/modfile"
)

const (
	// SDKModule is the Go module that ships the spec.
	SDKModule = "github.com/spectrocloud/palette-sdk-go"
	// SpecFile is the spec's path inside SDKModule.
	SpecFile = "api/spec/palette-apis-spec.json"
	// EnvSpecFile names an environment variable that, when set, is the path
	// of the spec file to load instead of the one in the module cache.
	EnvSpecFile = "PALETTE_SPEC_FILE"

	// sdkPackage is a package of SDKModule in this repository's build list
	// (doc.go imports it), used to ask the go command where the module is.
	sdkPackage = SDKModule + "/api/models"
)

// Spec is the loaded, strict form of the spec. It is safe for concurrent use.
//
// The strict document is kept as decoded JSON, which is also the root the
// validator resolves $refs against; path items and definitions are decoded
// into go-openapi/spec types when first needed. (Decoding the whole 2 MB
// document into spec types up front, as loads.Analyzed does, takes about
// 2 s, ten times the rest of Load.)
type Spec struct {
	// File is where the spec was read from ("" for Parse).
	File string
	// LoadTime is how long locating, reading and parsing took.
	LoadTime time.Duration

	root  map[string]any // the strict document
	defs  map[string]any // root["definitions"]
	paths map[string]any // root["paths"]

	routes     []*route
	bySegments map[int][]*route // routes by number of segments, most specific first

	mu      sync.Mutex
	items   map[string]*spec.PathItem
	schemas map[string]*spec.Schema
}

var (
	loadOnce sync.Once
	loaded   *Spec
	errLoad  error
)

// Load locates the spec in the module cache and parses it, once per
// process: later calls return the same *Spec (or the same error).
//
// The file is found, in order: from $PALETTE_SPEC_FILE; from the version of
// SDKModule that the go.mod around the current directory requires (or its
// replacement), joined to the module cache ($GOMODCACHE, else
// $GOPATH/pkg/mod, else ~/go/pkg/mod); from the version in the running
// binary's build info (test binaries carry none, other binaries do); and
// last from `go list -f {{.Module.Dir}}` of a package of SDKModule, run in
// the current directory (about 0.6 s). Inside `go test` the current
// directory is the package's, inside this repository's module, so the
// go.mod is this repository's and the file is where `go test` downloaded it.
func Load() (*Spec, error) {
	loadOnce.Do(func() {
		start := time.Now()
		path, err := locate()
		if err != nil {
			errLoad = err
			return
		}
		raw, err := loads.JSONDoc(path)
		if err != nil {
			errLoad = fmt.Errorf("palettespec: %w", err)
			return
		}
		s, err := Parse(raw)
		if err != nil {
			errLoad = fmt.Errorf("palettespec: %s: %w", path, err)
			return
		}
		s.File = path
		s.LoadTime = time.Since(start)
		loaded = s
	})
	return loaded, errLoad
}

// MustLoad is Load for tests: it fails tb when the spec cannot be loaded.
func MustLoad(tb testing.TB) *Spec {
	tb.Helper()
	s, err := Load()
	if err != nil {
		tb.Fatal(err)
	}
	return s
}

// locate finds the spec file; see Load.
func locate() (string, error) {
	if p := os.Getenv(EnvSpecFile); p != "" {
		return p, nil
	}
	var tried []string
	if dir, ok := moduleDirFromGoMod(); ok {
		p := filepath.Join(dir, filepath.FromSlash(SpecFile))
		if _, err := os.Stat(p); err == nil {
			return p, nil
		}
		tried = append(tried, p)
	}
	if dir, ok := moduleDirFromBuildInfo(); ok {
		p := filepath.Join(dir, filepath.FromSlash(SpecFile))
		if _, err := os.Stat(p); err == nil {
			return p, nil
		}
		tried = append(tried, p)
	}
	dir, err := moduleDirFromGoList()
	if err == nil {
		p := filepath.Join(dir, filepath.FromSlash(SpecFile))
		if _, err := os.Stat(p); err == nil {
			return p, nil
		}
		tried = append(tried, p)
	} else {
		tried = append(tried, err.Error())
	}
	return "", fmt.Errorf("palettespec: cannot find %s of module %s (tried: %s); set %s to its path",
		SpecFile, SDKModule, strings.Join(tried, "; "), EnvSpecFile)
}

// moduleDirFromGoMod computes SDKModule's directory in the module cache from
// the version required (or the replacement declared) by the go.mod of the
// module around the current directory. Inside `go test` the current
// directory is the package's, so that is this repository's go.mod.
func moduleDirFromGoMod() (string, bool) {
	dir, err := os.Getwd()
	if err != nil {
		return "", false
	}
	for {
		gomod := filepath.Join(dir, "go.mod")
		if data, err := os.ReadFile(gomod); err == nil {
			f, err := modfile.ParseLax(gomod, data, nil)
			if err != nil {
				return "", false
			}
			for _, r := range f.Replace {
				if r.Old.Path != SDKModule {
					continue
				}
				if r.New.Version == "" { // a directory replacement
					p := r.New.Path
					if !filepath.IsAbs(p) {
						p = filepath.Join(dir, p)
					}
					return p, true
				}
				return moduleCacheDir(r.New.Path, r.New.Version)
			}
			for _, r := range f.Require {
				if r.Mod.Path == SDKModule {
					return moduleCacheDir(r.Mod.Path, r.Mod.Version)
				}
			}
			return "", false
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", false
		}
		dir = parent
	}
}

// moduleCacheDir is where the module cache extracts a module version.
func moduleCacheDir(path, version string) (string, bool) {
	cache := moduleCache()
	if cache == "" {
		return "", false
	}
	return filepath.Join(cache, filepath.FromSlash(escapeModule(path)+"@"+escapeModule(version))), true
}

// moduleDirFromBuildInfo computes SDKModule's directory in the module cache
// from the version the running binary was built with.
func moduleDirFromBuildInfo() (string, bool) {
	bi, ok := debug.ReadBuildInfo()
	if !ok {
		return "", false
	}
	for _, m := range bi.Deps {
		if m.Path != SDKModule {
			continue
		}
		if m.Replace != nil {
			if m.Replace.Version == "" { // a directory replacement
				if filepath.IsAbs(m.Replace.Path) {
					return m.Replace.Path, true
				}
				return "", false
			}
			m = m.Replace
		}
		if m.Version == "" || m.Version == "(devel)" {
			return "", false
		}
		return moduleCacheDir(m.Path, m.Version)
	}
	return "", false
}

// moduleCache is the module cache directory as the go command computes it
// when GOMODCACHE is not set in its configuration file (go env -w).
func moduleCache() string {
	if c := os.Getenv("GOMODCACHE"); c != "" {
		return c
	}
	if gp := os.Getenv("GOPATH"); gp != "" {
		return filepath.Join(filepath.SplitList(gp)[0], "pkg", "mod")
	}
	home, err := os.UserHomeDir()
	if err != nil {
		return ""
	}
	return filepath.Join(home, "go", "pkg", "mod")
}

// escapeModule is the module cache's case encoding of a module path or
// version: an upper-case letter becomes '!' and its lower case.
func escapeModule(s string) string {
	var b strings.Builder
	for _, r := range s {
		if 'A' <= r && r <= 'Z' {
			b.WriteByte('!')
			r += 'a' - 'A'
		}
		b.WriteRune(r)
	}
	return b.String()
}

// moduleDirFromGoList asks the go command for SDKModule's directory. It
// lists a package, not the module: `go list -m` wants the module's .info
// file, which a module cache filled by `go mod download -x` or by a build
// need not have without network access.
func moduleDirFromGoList() (string, error) {
	goBin, err := exec.LookPath("go")
	if err != nil {
		if goroot := os.Getenv("GOROOT"); goroot != "" {
			goBin = filepath.Join(goroot, "bin", "go")
		} else {
			return "", fmt.Errorf("go command not found: %w", err)
		}
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	var stderr bytes.Buffer
	cmd := exec.CommandContext(ctx, goBin, "list", "-f", "{{.Module.Dir}}", sdkPackage)
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return "", fmt.Errorf("go list %s: %w: %s", sdkPackage, err, strings.TrimSpace(stderr.String()))
	}
	dir := strings.TrimSpace(string(out))
	if dir == "" {
		return "", errors.New("go list " + sdkPackage + ": no module directory")
	}
	return dir, nil
}

// Parse builds a Spec from the bytes of a swagger 2.0 JSON document, after
// making its object schemas strict (see the package documentation). Load
// is Parse of the module's spec, cached; Parse itself caches nothing.
func Parse(raw []byte) (*Spec, error) {
	var doc map[string]any
	if err := json.Unmarshal(raw, &doc); err != nil {
		return nil, err
	}
	if v, _ := doc["swagger"].(string); v != "2.0" {
		return nil, fmt.Errorf("not a swagger 2.0 document (swagger: %q)", v)
	}
	strictify(doc)
	s := &Spec{
		root:       doc,
		bySegments: map[int][]*route{},
		items:      map[string]*spec.PathItem{},
		schemas:    map[string]*spec.Schema{},
	}
	s.defs, _ = doc["definitions"].(map[string]any)
	s.paths, _ = doc["paths"].(map[string]any)
	s.buildRoutes()
	return s, nil
}

// Definition is the named definition of the strict spec, or nil. The
// caller must not modify it.
func (s *Spec) Definition(name string) *spec.Schema {
	s.mu.Lock()
	defer s.mu.Unlock()
	if sch, ok := s.schemas[name]; ok {
		return sch
	}
	var sch *spec.Schema
	if raw, ok := s.defs[name]; ok {
		sch = new(spec.Schema)
		if err := decode(raw, sch); err != nil {
			panic(fmt.Sprintf("palettespec: definition %s: %v", name, err))
		}
	}
	s.schemas[name] = sch
	return sch
}

// Definitions lists the names of the spec's definitions, sorted.
func (s *Spec) Definitions() []string { return sortedKeys(s.defs) }

// pathItem decodes the path item of a template.
func (s *Spec) pathItem(template string) *spec.PathItem {
	s.mu.Lock()
	defer s.mu.Unlock()
	if it, ok := s.items[template]; ok {
		return it
	}
	it := new(spec.PathItem)
	if err := decode(s.paths[template], it); err != nil {
		panic(fmt.Sprintf("palettespec: path %s: %v", template, err))
	}
	s.items[template] = it
	return it
}

// decode converts decoded JSON into a go-openapi type.
func decode(v any, into any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return err
	}
	return json.Unmarshal(b, into)
}

// strictify rewrites a swagger document in place; see the package
// documentation. It visits the schemas where swagger 2.0 puts them:
// definitions, body parameters and responses, and inside a schema its
// properties, items, additionalProperties and allOf members.
func strictify(doc map[string]any) {
	defs, _ := doc["definitions"].(map[string]any)
	r := &rewriter{defs: defs, done: map[string]bool{}}
	for _, name := range sortedKeys(defs) {
		r.definition(name)
	}
	params, _ := doc["parameters"].(map[string]any)
	for _, name := range sortedKeys(params) {
		r.parameter(params[name])
	}
	responses, _ := doc["responses"].(map[string]any)
	for _, name := range sortedKeys(responses) {
		r.response(responses[name])
	}
	paths, _ := doc["paths"].(map[string]any)
	for _, p := range sortedKeys(paths) {
		item, _ := paths[p].(map[string]any)
		for _, k := range sortedKeys(item) {
			switch k {
			case "parameters":
				r.parameters(item[k])
			case "get", "put", "post", "delete", "options", "head", "patch":
				op, _ := item[k].(map[string]any)
				r.parameters(op["parameters"])
				resps, _ := op["responses"].(map[string]any)
				for _, code := range sortedKeys(resps) {
					r.response(resps[code])
				}
			}
		}
	}
}

type rewriter struct {
	defs map[string]any
	// done marks definitions already rewritten (allOf members are rewritten
	// before the composition that refers to them).
	done map[string]bool
}

func (r *rewriter) definition(name string) {
	if r.done[name] {
		return
	}
	r.done[name] = true
	r.schema(r.defs[name])
}

func (r *rewriter) parameters(v any) {
	list, _ := v.([]any)
	for _, p := range list {
		r.parameter(p)
	}
}

func (r *rewriter) parameter(v any) {
	p, _ := v.(map[string]any)
	if p["in"] == "body" {
		r.schema(p["schema"])
	}
}

func (r *rewriter) response(v any) {
	resp, _ := v.(map[string]any)
	r.schema(resp["schema"])
}

func (r *rewriter) schema(v any) {
	s, ok := v.(map[string]any)
	if !ok {
		return
	}
	if n, ok := s["x-nullable"].(bool); ok && n {
		s["nullable"] = true
	}
	props, _ := s["properties"].(map[string]any)
	for _, k := range sortedKeys(props) {
		r.schema(props[k])
	}
	switch items := s["items"].(type) {
	case map[string]any:
		r.schema(items)
	case []any:
		for _, it := range items {
			r.schema(it)
		}
	}
	if ap, ok := s["additionalProperties"].(map[string]any); ok {
		r.schema(ap)
	}
	if _, ok := s["$ref"]; ok {
		return // siblings of a $ref are ignored by JSON schema
	}
	if members, ok := s["allOf"].([]any); ok {
		r.allOf(s, members)
		return
	}
	if _, ok := s["properties"]; ok {
		if _, ok := s["additionalProperties"]; !ok {
			s["additionalProperties"] = false
		}
		impliesObject(s)
	}
}

// impliesObject gives a schema that declares properties but no type the
// type object: JSON schema would let such a schema accept a string or a
// number (properties constrain objects only), but the SDK's models are
// structs, and 472 schemas of the spec are written that way.
func impliesObject(s map[string]any) {
	if _, ok := s["type"]; !ok {
		s["type"] = "object"
	}
}

// allOf makes a composition strict as a whole. Each member is replaced by an
// open copy of itself (a $ref member by an inline copy of the definition it
// names) without its own additionalProperties: false, so that no member
// rejects the fields of another; the composition then lists the union of
// the members' property names (with empty schemas: the members still check
// the values) and gets additionalProperties: false, unless a member is
// itself a map, in which case the composition stays open.
func (r *rewriter) allOf(s map[string]any, members []any) {
	names := map[string]bool{}
	own, _ := s["properties"].(map[string]any)
	for k := range own {
		names[k] = true
	}
	open := false
	for i, m := range members {
		ms, ok := m.(map[string]any)
		if !ok {
			continue
		}
		target := ms
		if ref, ok := ms["$ref"].(string); ok {
			name, ok := strings.CutPrefix(ref, "#/definitions/")
			def, _ := r.defs[name].(map[string]any)
			if !ok || def == nil {
				continue // an unresolvable member: leave it to the loader
			}
			r.definition(name)
			target = def
		} else {
			r.schema(ms)
		}
		cp := make(map[string]any, len(target))
		for k, v := range target {
			cp[k] = v
		}
		if ap, ok := cp["additionalProperties"].(bool); ok && !ap {
			delete(cp, "additionalProperties")
		} else if _, ok := cp["additionalProperties"]; ok {
			open = true
		}
		members[i] = cp
		mprops, _ := cp["properties"].(map[string]any)
		for k := range mprops {
			names[k] = true
		}
	}
	if open || len(names) == 0 {
		return
	}
	if own == nil {
		own = map[string]any{}
		s["properties"] = own
	}
	for k := range names {
		if _, ok := own[k]; !ok {
			own[k] = map[string]any{}
		}
	}
	if _, ok := s["additionalProperties"]; !ok {
		s["additionalProperties"] = false
	}
	impliesObject(s)
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
