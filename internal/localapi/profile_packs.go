package localapi

import (
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"strings"

	"github.com/terraform-palette/terraform-provider-palette/internal/wire"
)

// Packs and manifests of profiles in the shapes of Palette's published API
// spec (palette-sdk-go api/spec/palette-apis-spec.json). The store keeps a
// pack as its uid (when the client gave one), name, tag, type, values and
// named manifests; the other UIDs the spec carries (a pack's packUid when
// none was given, a manifest's uid, the registry's uid) are derived from
// those names, so they are stable across reads and restarts.

// manifestKind is the kind of a manifest's v1ObjectReference.
const manifestKind = "Manifest"

// derivedUID is a stable 24-hex UID for the named object.
func derivedUID(parts ...string) string {
	sum := sha256.Sum256([]byte(strings.Join(parts, "\x00")))
	return hex.EncodeToString(sum[:12])
}

// packUID is the spec's packUid of a pack: the uid it was created with
// (Palette keeps a manifest pack's "spectro-manifest-pack"), or one derived
// from its name and tag when it was given none.
func packUID(p wire.Pack) string {
	if p.UID != "" {
		return p.UID
	}
	return derivedUID("pack", p.Name, p.Tag)
}

// manifestUID is the UID of a manifest of a pack of a profile.
func manifestUID(profileUID, packName, manifestName string) string {
	return derivedUID("manifest", profileUID, packName, manifestName)
}

// digest is a manifest content's digest (v1ManifestData.digest).
func digest(content string) string {
	sum := sha256.Sum256([]byte(content))
	return hex.EncodeToString(sum[:])
}

// packLayer is the v1PackLayer of a pack: every pack of an add-on profile is
// "addon"; in other profiles the layer is read from the pack's name.
func packLayer(profileType, packName string) string {
	if profileType == wire.ProfileTypeAddOn {
		return "addon"
	}
	n := strings.ToLower(packName)
	switch {
	case strings.HasPrefix(n, "cni"):
		return "cni"
	case strings.HasPrefix(n, "csi"):
		return "csi"
	case strings.HasPrefix(n, "kubernetes"), strings.HasPrefix(n, "k8s"), strings.HasSuffix(n, "-k8s"),
		n == "k3s", n == "rke2", n == "microk8s":
		return "k8s"
	case strings.HasPrefix(n, "ubuntu"), strings.HasPrefix(n, "centos"), strings.HasPrefix(n, "rhel"),
		strings.HasPrefix(n, "os"), strings.HasPrefix(n, "edge-native"):
		return "os"
	}
	return "addon"
}

// packType is the pack's v1PackType ("spectro" when the store has none).
func packType(p wire.Pack) string {
	if p.Type == "" {
		return "spectro"
	}
	return p.Type
}

// objectReference is v1ObjectReference.
type objectReference struct {
	Kind string `json:"kind,omitempty"`
	Name string `json:"name,omitempty"`
	UID  string `json:"uid,omitempty"`
}

func manifestRefs(profileUID string, p wire.Pack) []objectReference {
	out := make([]objectReference, 0, len(p.Manifests))
	for _, m := range p.Manifests {
		out = append(out, objectReference{Kind: manifestKind, Name: m.Name, UID: manifestUID(profileUID, p.Name, m.Name)})
	}
	return out
}

// packSummarySpec is v1PackSummarySpec, the fields the store can fill.
type packSummarySpec struct {
	CloudTypes  []string          `json:"cloudTypes"`
	DisplayName string            `json:"displayName,omitempty"`
	Layer       string            `json:"layer,omitempty"`
	Manifests   []objectReference `json:"manifests"`
	Name        string            `json:"name,omitempty"`
	Presets     []any             `json:"presets"`
	RegistryUID string            `json:"registryUid,omitempty"`
	Schema      []any             `json:"schema"`
	Type        string            `json:"type,omitempty"`
	Values      string            `json:"values,omitempty"`
	Version     string            `json:"version,omitempty"`
}

// clusterProfilePacksEntity is v1ClusterProfilePacksEntity.
type clusterProfilePacksEntity struct {
	Metadata wire.ObjectMeta `json:"metadata"`
	Spec     packSummarySpec `json:"spec"`
	Status   struct{}        `json:"status"`
}

// clusterProfilePacksEntities is v1ClusterProfilePacksEntities.
type clusterProfilePacksEntities struct {
	Items []clusterProfilePacksEntity `json:"items"`
}

// profilePacks are the packs of a profile's published version, or of its
// draft when it was never published.
func profilePacks(p *profileRow) []wire.Pack {
	if p.Published != nil {
		return p.Published.Packs
	}
	return p.Template.Packs
}

// GET /v1/clusterprofiles/{uid}/packs (v1ClusterProfilesUidPacksGet).
func (s *Server) getProfilePacks(w http.ResponseWriter, r *http.Request, c *call) error {
	p, err := s.findProfile(r.Context(), s.st.db, c, r.PathValue("uid"))
	if err != nil {
		return err
	}
	packs := profilePacks(p)
	out := clusterProfilePacksEntities{Items: make([]clusterProfilePacksEntity, 0, len(packs))}
	for _, pk := range packs {
		out.Items = append(out.Items, clusterProfilePacksEntity{
			Metadata: wire.ObjectMeta{UID: packUID(pk), Name: pk.Name},
			Spec: packSummarySpec{
				CloudTypes:  []string{p.CloudType},
				DisplayName: pk.Name,
				Layer:       packLayer(p.Type, pk.Name),
				Manifests:   manifestRefs(p.UID, pk),
				Name:        pk.Name,
				Presets:     []any{},
				RegistryUID: publicRegistryUID,
				Schema:      []any{},
				Type:        packType(pk),
				Values:      pk.Values,
				Version:     pk.Tag,
			},
		})
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

// manifestData is v1ManifestData.
type manifestData struct {
	Content string `json:"content"`
	Digest  string `json:"digest"`
}

// manifestEntity is v1ManifestEntity.
type manifestEntity struct {
	Metadata wire.ObjectMeta `json:"metadata"`
	Spec     struct {
		Draft     *manifestData `json:"draft,omitempty"`
		Published *manifestData `json:"published,omitempty"`
	} `json:"spec"`
}

// manifestEntities is v1ManifestEntities.
type manifestEntities struct {
	Items []manifestEntity `json:"items"`
}

func findPack(packs []wire.Pack, name string) *wire.Pack {
	for i := range packs {
		if packs[i].Name == name {
			return &packs[i]
		}
	}
	return nil
}

// GET /v1/clusterprofiles/{uid}/packs/{packName}/manifests
// (v1ClusterProfilesUidPacksUidManifests): the pack's manifests, with the
// draft (the profile's template) and the published content.
func (s *Server) getProfilePackManifests(w http.ResponseWriter, r *http.Request, c *call) error {
	p, err := s.findProfile(r.Context(), s.st.db, c, r.PathValue("uid"))
	if err != nil {
		return err
	}
	name := r.PathValue("packName")
	draft := findPack(p.Template.Packs, name)
	var published *wire.Pack
	if p.Published != nil {
		published = findPack(p.Published.Packs, name)
	}
	if draft == nil && published == nil {
		return notFound("Pack '%s' is not found in ClusterProfile '%s'", name, p.UID)
	}
	out := manifestEntities{Items: []manifestEntity{}}
	index := map[string]int{}
	add := func(pk *wire.Pack, set func(e *manifestEntity, d *manifestData)) {
		if pk == nil {
			return
		}
		for _, m := range pk.Manifests {
			i, ok := index[m.Name]
			if !ok {
				i = len(out.Items)
				index[m.Name] = i
				out.Items = append(out.Items, manifestEntity{Metadata: wire.ObjectMeta{UID: manifestUID(p.UID, name, m.Name), Name: m.Name}})
			}
			set(&out.Items[i], &manifestData{Content: m.Content, Digest: digest(m.Content)})
		}
	}
	add(published, func(e *manifestEntity, d *manifestData) { e.Spec.Published = d })
	add(draft, func(e *manifestEntity, d *manifestData) { e.Spec.Draft = d })
	writeJSON(w, http.StatusOK, out)
	return nil
}
