package provider

import "github.com/terraform-palette/terraform-provider-palette/internal/wire"

// What the add-on attachment and the palette_cluster_profile data source read
// of a cluster profile.

// profileTemplate returns the content of a profile: the published version
// when it has packs, else the draft.
func profileTemplate(p *wire.ClusterProfile) *wire.ClusterProfileTemplate {
	switch {
	case p.Spec.Published != nil && len(p.Spec.Published.Packs) > 0:
		return p.Spec.Published
	case p.Spec.Draft != nil:
		return p.Spec.Draft
	case p.Spec.Published != nil:
		return p.Spec.Published
	}
	return &wire.ClusterProfileTemplate{}
}

// profileType returns a profile's type.
func profileType(p *wire.ClusterProfile) string {
	if p.Spec.Published != nil && p.Spec.Published.Type != "" {
		return p.Spec.Published.Type
	}
	if p.Spec.Draft != nil {
		return p.Spec.Draft.Type
	}
	return ""
}
