package localapi

import (
	"github.com/terraform-palette/terraform-provider-palette/internal/palette"
)

// GET /v1/clusterprofiles/{uid} as v1ClusterProfile: the packs of
// spec.template and spec.published are v1PackRef, whose layer is required,
// and whose manifests are v1ObjectReference (kind, name, uid). The stored
// fields stay (a manifest keeps its content, which the contract's clients
// read); the spec's are added.

// specManifestRef is a v1ObjectReference to a manifest, with its content.
type specManifestRef struct {
	Kind    string `json:"kind"`
	Name    string `json:"name"`
	UID     string `json:"uid"`
	Content string `json:"content"`
}

// specPack is a stored pack with the v1PackRef fields it lacks.
type specPack struct {
	palette.Pack
	Manifests   []specManifestRef `json:"manifests"`
	Layer       string            `json:"layer"`
	PackUID     string            `json:"packUid,omitempty"`
	RegistryUID string            `json:"registryUid,omitempty"`
	Version     string            `json:"version,omitempty"`
}

type specProfileTemplate struct {
	palette.ProfileTemplate
	Packs []specPack `json:"packs"`
}

type specProfileSpec struct {
	palette.ClusterProfileSpec
	Template  *specProfileTemplate `json:"template,omitempty"`
	Published *specProfileTemplate `json:"published,omitempty"`
}

// specProfile is a profile as GET /v1/clusterprofiles/{uid} answers it.
type specProfile struct {
	palette.ClusterProfile
	Spec specProfileSpec `json:"spec"`
}

func specTemplate(profileUID, profileType string, t *palette.ProfileTemplate) *specProfileTemplate {
	if t == nil {
		return nil
	}
	out := &specProfileTemplate{ProfileTemplate: *t, Packs: make([]specPack, 0, len(t.Packs))}
	for _, p := range t.Packs {
		refs := make([]specManifestRef, 0, len(p.Manifests))
		for _, m := range p.Manifests {
			refs = append(refs, specManifestRef{Kind: manifestKind, Name: m.Name, UID: manifestUID(profileUID, p.Name, m.Name), Content: m.Content})
		}
		out.Packs = append(out.Packs, specPack{
			Pack: p, Manifests: refs, Layer: packLayer(profileType, p.Name),
			PackUID: packUID(p), RegistryUID: publicRegistryUID, Version: p.Tag,
		})
	}
	return out
}

// specProfileJSON is profileJSON with the spec's pack fields.
func specProfileJSON(p *profileRow) specProfile {
	cp := profileJSON(p)
	return specProfile{
		ClusterProfile: cp,
		Spec: specProfileSpec{
			ClusterProfileSpec: cp.Spec,
			Template:           specTemplate(p.UID, p.Type, cp.Spec.Template),
			Published:          specTemplate(p.UID, p.Type, cp.Spec.Published),
		},
	}
}
