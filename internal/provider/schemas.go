package provider

import (
	"context"

	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
)

// ResourceSchemas returns the schemas of the provider's resources by type
// name suffix (imported_cluster, addon_profile_attachment), with their
// validators and plan modifiers. tools/bench serves them from a provider
// that does nothing else (the schema floor), to tell what the framework
// costs for these schemas from what the provider's own code costs.
func ResourceSchemas(ctx context.Context) map[string]schema.Schema {
	out := map[string]schema.Schema{}
	for name, r := range map[string]resource.Resource{
		"imported_cluster":         &importedClusterResource{},
		"addon_profile_attachment": &addonProfileAttachmentResource{},
	} {
		var resp resource.SchemaResponse
		r.Schema(ctx, resource.SchemaRequest{}, &resp)
		out[name] = resp.Schema
	}
	return out
}
