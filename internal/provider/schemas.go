package provider

import (
	"context"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework/provider"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
)

// ResourceSchemas returns the schemas of the provider's resources (those of
// Resources) by type name without the "palette_" prefix (imported_cluster,
// addon_profile_attachment), with their validators and plan modifiers.
// tools/bench serves them from a provider that does nothing else (the schema
// floor), to tell what the framework costs for these schemas from what the
// provider's own code costs.
func ResourceSchemas(ctx context.Context) map[string]schema.Schema {
	p := &paletteProvider{}
	var pm provider.MetadataResponse
	p.Metadata(ctx, provider.MetadataRequest{}, &pm)
	typeName := pm.TypeName
	out := map[string]schema.Schema{}
	for _, newResource := range p.Resources(ctx) {
		r := newResource()
		var meta resource.MetadataResponse
		r.Metadata(ctx, resource.MetadataRequest{ProviderTypeName: typeName}, &meta)
		var resp resource.SchemaResponse
		r.Schema(ctx, resource.SchemaRequest{}, &resp)
		out[strings.TrimPrefix(meta.TypeName, typeName+"_")] = resp.Schema
	}
	return out
}
