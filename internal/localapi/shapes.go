package localapi

import (
	"github.com/terraform-palette/terraform-provider-palette/internal/palette"
)

// How stored profiles and attachments are shown in Palette's shapes.

// objectRefs converts references to the wire type.
func objectRefs(in []objectReference) []palette.ObjectRef {
	out := make([]palette.ObjectRef, 0, len(in))
	for _, r := range in {
		out = append(out, palette.ObjectRef{Kind: r.Kind, Name: r.Name, UID: r.UID})
	}
	return out
}

// effectiveValues returns a pack's values once an attachment's packValues
// are applied: an entry with values replaces the pack's whole values.
func effectiveValues(p palette.Pack, overrides []palette.Pack) string {
	for _, o := range overrides {
		if o.Name == p.Name && o.Values != "" {
			return o.Values
		}
	}
	return p.Values
}

// publishedTemplate shows a stored template as v1ClusterProfileTemplate,
// with overrides (an attachment's packValues) applied to the values.
func publishedTemplate(profileUID, name, version string, t palette.ProfileTemplate, overrides []palette.Pack) palette.ClusterProfileTemplate {
	packs := make([]palette.PackRef, 0, len(t.Packs))
	for _, p := range t.Packs {
		packs = append(packs, palette.PackRef{
			Name: p.Name, Tag: p.Tag, Version: p.Tag, Type: packType(p), Layer: packLayer(t.Type, p.Name),
			PackUID: packUID(p), RegistryUID: publicRegistryUID, Values: effectiveValues(p, overrides),
			Manifests: objectRefs(manifestRefs(profileUID, p)),
		})
	}
	return palette.ClusterProfileTemplate{
		UID: profileUID, Name: name, Type: t.Type, CloudType: t.CloudType,
		ProfileVersion: version, Version: 1, Packs: packs,
	}
}

// attachedTemplate is an attachment as a cluster's
// spec.clusterProfileTemplates entry shows it.
func attachedTemplate(a attachment) palette.ClusterProfileTemplate {
	return publishedTemplate(a.profileUID, a.name, a.version, a.published, a.packValues)
}

// attachedTemplateMeta is an attachment as a search summary's
// specSummary.clusterProfileTemplates entry shows it.
func attachedTemplateMeta(a attachment) palette.ClusterProfileTemplateMeta {
	t := attachedTemplate(a)
	return palette.ClusterProfileTemplateMeta{UID: t.UID, Name: t.Name, Type: t.Type, CloudType: t.CloudType, Version: t.Version, Packs: t.Packs}
}

// attachedProfileJSON is an attachment as v1SpectroClusterProfile.
func attachedProfileJSON(a attachment) palette.AttachedProfile {
	packs := make([]palette.AttachedPack, 0, len(a.published.Packs))
	for _, p := range a.published.Packs {
		packs = append(packs, palette.AttachedPack{
			Metadata: palette.ObjectMeta{UID: packUID(p), Name: p.Name},
			Spec: palette.AttachedPackSpec{
				Name: p.Name, Type: packType(p), Layer: packLayer(a.typ, p.Name), Version: p.Tag,
				Values: effectiveValues(p, a.packValues), Manifests: objectRefs(manifestRefs(a.profileUID, p)),
			},
		})
	}
	cloudType := a.published.CloudType
	return palette.AttachedProfile{
		Metadata: palette.ObjectMeta{UID: a.profileUID, Name: a.name},
		Spec:     palette.AttachedProfileSpec{CloudType: cloudType, Type: a.typ, Version: 1, Packs: packs},
	}
}
