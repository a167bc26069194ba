package provider

import (
	"context"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/datasource"
	dsschema "github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
)

// schemaAttribute is what the resource's and the data source's schema
// attributes have in common.
type schemaAttribute interface {
	GetType() attr.Type
	GetMarkdownDescription() string
	IsSensitive() bool
	IsComputed() bool
	IsOptional() bool
	IsRequired() bool
}

// nestedOf returns the attributes nested in a (nil when it has none).
func nestedOf(a schemaAttribute) map[string]schemaAttribute {
	out := map[string]schemaAttribute{}
	switch n := a.(type) {
	case schema.SingleNestedAttribute:
		for k, v := range n.Attributes {
			out[k] = v
		}
	case dsschema.SingleNestedAttribute:
		for k, v := range n.Attributes {
			out[k] = v
		}
	default:
		return nil
	}
	return out
}

// TestImportedClusterSchemas_sharedAttributes fails when the resource's and
// the data source's palette_imported_cluster drift apart on what Palette
// knows of the cluster: every attribute of importedClusterPaletteModel (its
// tfsdk tags) is in importedClusterPaletteAttributes and in both schemas,
// with the table's type and sensitivity, and a description that is the
// table's, or the table's followed by what is particular to that schema
// (how the resource takes an argument, how the data source looks a cluster
// up: extendsDescription); the same for the attributes nested in proxy. Attributes the resource
// computes from the table are computed only, with the table's description
// as it is.
func TestImportedClusterSchemas_sharedAttributes(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	var rs resource.SchemaResponse
	(&importedClusterResource{}).Schema(ctx, resource.SchemaRequest{}, &rs)
	var ds datasource.SchemaResponse
	(&importedClusterDataSource{}).Schema(ctx, datasource.SchemaRequest{}, &ds)
	if rs.Diagnostics.HasError() || ds.Diagnostics.HasError() {
		t.Fatal(rs.Diagnostics, ds.Diagnostics)
	}

	var tags []string
	mt := reflect.TypeFor[importedClusterPaletteModel]()
	for i := range mt.NumField() {
		tags = append(tags, mt.Field(i).Tag.Get("tfsdk"))
	}
	slices.Sort(tags)
	var table []string
	for name := range importedClusterPaletteAttributes {
		table = append(table, name)
	}
	slices.Sort(table)
	if !slices.Equal(tags, table) {
		t.Fatalf("importedClusterPaletteModel's attributes %v, the table's %v", tags, table)
	}
	var dsNames []string
	for name := range ds.Schema.Attributes {
		dsNames = append(dsNames, name)
	}
	slices.Sort(dsNames)
	if !slices.Equal(dsNames, tags) {
		t.Errorf("the data source's attributes %v, the model's %v", dsNames, tags)
	}

	for _, name := range tags {
		want := importedClusterPaletteAttributes[name]
		r, d := rs.Schema.Attributes[name], ds.Schema.Attributes[name]
		if r == nil {
			t.Errorf("%s: not in the resource's schema", name)
			continue
		}
		checkShared(t, name, want, map[string]schemaAttribute{"resource": r, "data source": d})
		if !want.argument && name != "id" {
			if !r.IsComputed() || r.IsOptional() || r.IsRequired() || r.GetMarkdownDescription() != want.description {
				t.Errorf("%s: the resource's is not the table's computed attribute: %#v", name, r)
			}
		}
		if !d.IsComputed() {
			t.Errorf("%s: the data source's is not computed", name)
		}
	}
}

// extendsDescription tells whether desc is the shared description, or the
// shared description followed by another sentence, or with its first
// sentence continued after a colon or a comma (continueDescription).
func extendsDescription(desc, shared string) bool {
	first := strings.TrimSuffix(shared, ".")
	return desc == shared || strings.HasPrefix(desc, shared+" ") ||
		strings.HasPrefix(desc, first+": ") || strings.HasPrefix(desc, first+", ")
}

// checkShared checks one attribute of each schema against the table's.
func checkShared(t *testing.T, name string, want paletteAttribute, got map[string]schemaAttribute) {
	t.Helper()
	for schemaName, a := range got {
		if !a.GetType().Equal(want.typ) {
			t.Errorf("%s (%s): type %s, the table's %s", name, schemaName, a.GetType(), want.typ)
		}
		if a.IsSensitive() != want.sensitive {
			t.Errorf("%s (%s): sensitive %v, the table's %v", name, schemaName, a.IsSensitive(), want.sensitive)
		}
		if desc := a.GetMarkdownDescription(); !extendsDescription(desc, want.description) {
			t.Errorf("%s (%s): description %q does not start with the table's %q", name, schemaName, desc, want.description)
		}
		nested := nestedOf(a)
		if len(nested) != len(want.nested) {
			t.Errorf("%s (%s): %d nested attributes, the table's %d", name, schemaName, len(nested), len(want.nested))
		}
		for n, wn := range want.nested {
			na, ok := nested[n]
			if !ok {
				t.Errorf("%s.%s: not in the %s's schema", name, n, schemaName)
				continue
			}
			checkShared(t, name+"."+n, wn, map[string]schemaAttribute{schemaName: na})
		}
	}
}
