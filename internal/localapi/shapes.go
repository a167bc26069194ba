package localapi

import "github.com/terraform-palette/terraform-provider-palette/internal/wire"

// How stored profiles and attachments are shown in Palette's shapes.

// objectRefs converts references to the wire type.
func objectRefs(in []objectReference) []wire.ObjectReference {
	out := make([]wire.ObjectReference, 0, len(in))
	for _, r := range in {
		out = append(out, wire.ObjectReference{Kind: r.Kind, Name: r.Name, UID: r.UID})
	}
	return out
}

// effectiveValues returns a pack's values once an attachment's packValues
// are applied: an entry with values replaces the pack's whole values.
func effectiveValues(p wire.Pack, overrides []wire.Pack) string {
	for _, o := range overrides {
		if o.Name == p.Name && o.Values != "" {
			return o.Values
		}
	}
	return p.Values
}

// publishedTemplate shows a stored template as v1ClusterProfileTemplate,
// with overrides (an attachment's packValues) applied to the values.
func publishedTemplate(profileUID, name, version string, t wire.ProfileTemplate, overrides []wire.Pack) wire.ClusterProfileTemplate {
	packs := make([]wire.PackRef, 0, len(t.Packs))
	for _, p := range t.Packs {
		packs = append(packs, wire.PackRef{
			Name: p.Name, Tag: p.Tag, Version: p.Tag, Type: packType(p), Layer: packLayer(t.Type, p.Name),
			PackUID: packUID(p), RegistryUID: publicRegistryUID, Values: effectiveValues(p, overrides),
			Manifests: objectRefs(manifestRefs(profileUID, p)),
		})
	}
	return wire.ClusterProfileTemplate{
		UID: profileUID, Name: name, Type: t.Type, CloudType: t.CloudType,
		ProfileVersion: version, Version: 1, Packs: packs,
	}
}

// attachedTemplate is an attachment as a cluster's
// spec.clusterProfileTemplates entry shows it.
func attachedTemplate(a attachment) wire.ClusterProfileTemplate {
	return publishedTemplate(a.profileUID, a.name, a.version, a.published, a.packValues)
}

// attachedTemplateMeta is an attachment as a search summary's
// specSummary.clusterProfileTemplates entry shows it.
func attachedTemplateMeta(a attachment) wire.ClusterProfileTemplateMeta {
	t := attachedTemplate(a)
	return wire.ClusterProfileTemplateMeta{UID: t.UID, Name: t.Name, Type: t.Type, CloudType: t.CloudType, Version: t.Version, Packs: t.Packs}
}

// attachedProfileJSON is an attachment as v1SpectroClusterProfile.
func attachedProfileJSON(a attachment) wire.SpectroClusterProfile {
	packs := make([]wire.AttachedPack, 0, len(a.published.Packs))
	for _, p := range a.published.Packs {
		packs = append(packs, wire.AttachedPack{
			Metadata: wire.ObjectMeta{UID: packUID(p), Name: p.Name},
			Spec: wire.AttachedPackSpec{
				Name: p.Name, Type: packType(p), Layer: packLayer(a.typ, p.Name), Version: p.Tag,
				Values: effectiveValues(p, a.packValues), Manifests: objectRefs(manifestRefs(a.profileUID, p)),
			},
		})
	}
	cloudType := a.published.CloudType
	return wire.SpectroClusterProfile{
		Metadata: wire.ObjectMeta{UID: a.profileUID, Name: a.name},
		Spec:     wire.AttachedProfileSpec{CloudType: cloudType, Type: a.typ, Version: 1, Packs: packs},
	}
}
