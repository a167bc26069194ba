package wire

// ManifestInputEntity is v1ManifestInputEntity: a manifest with its content, as a
// profile is created or a pack's values are overridden.
type ManifestInputEntity struct {
	Name    string `json:"name"`
	Content string `json:"content"`
}

// Pack is a pack with its manifests' content: a pack of a profile's
// template when it is created (v1PackManifestEntity, in
// v1ClusterProfileEntity spec.template.packs), and an entry of packValues
// when a profile is attached (v1PackValuesEntity).
type Pack struct {
	// UID is the pack's uid as the client gives it at creation
	// (v1PackManifestEntity.uid; Spectro's provider and SDK give manifest
	// packs "spectro-manifest-pack"), shown again as the pack's packUid.
	// v1PackValuesEntity has none: packValues never set it.
	UID       string                `json:"uid,omitempty"`
	Name      string                `json:"name"`
	Tag       string                `json:"tag,omitempty"`
	Type      string                `json:"type,omitempty"`
	Values    string                `json:"values,omitempty"`
	Manifests []ManifestInputEntity `json:"manifests,omitempty"`
}

// ProfileTemplate is the template of v1ClusterProfileEntity: what a new
// profile version holds.
type ProfileTemplate struct {
	Type      string `json:"type"`
	CloudType string `json:"cloudType"`
	Packs     []Pack `json:"packs"`
}

// Variable is v1Variable, a variable a profile defines.
type Variable struct {
	Name         string `json:"name"`
	DefaultValue string `json:"defaultValue,omitempty"`
	Description  string `json:"description,omitempty"`
	Required     bool   `json:"required,omitempty"`
}

// Variables is v1Variables, the answer of
// GET /v1/clusterprofiles/{uid}/variables: the variables a profile defines.
type Variables struct {
	Variables []Variable `json:"variables"`
}

// ClusterProfileEntitySpec is the spec of v1ClusterProfileEntity.
type ClusterProfileEntitySpec struct {
	Version   string          `json:"version,omitempty"`
	Template  ProfileTemplate `json:"template"`
	Variables []Variable      `json:"variables,omitempty"`
}

// ClusterProfileEntity is v1ClusterProfileEntity, the body of
// POST /v1/clusterprofiles.
type ClusterProfileEntity struct {
	Metadata ObjectMeta               `json:"metadata"`
	Spec     ClusterProfileEntitySpec `json:"spec"`
}

// ClusterProfileSpec is v1ClusterProfileSpec.
type ClusterProfileSpec struct {
	Version   string                  `json:"version,omitempty"`
	Draft     *ClusterProfileTemplate `json:"draft,omitempty"`
	Published *ClusterProfileTemplate `json:"published,omitempty"`
}

// ClusterProfile is v1ClusterProfile, GET /v1/clusterprofiles/{uid}.
type ClusterProfile struct {
	Metadata ObjectMeta         `json:"metadata"`
	Spec     ClusterProfileSpec `json:"spec"`
}

// SpectroClusterProfileEntity is v1SpectroClusterProfileEntity, one entry of the
// profiles PATCH/PUT body. A pack's values replace the pack's whole values
// (Palette does not merge them): send the profile's values with the user's
// changes applied.
type SpectroClusterProfileEntity struct {
	UID                string                   `json:"uid"`
	ReplaceWithProfile string                   `json:"replaceWithProfile,omitempty"`
	PackValues         []Pack                   `json:"packValues,omitempty"`
	Variables          []SpectroClusterVariable `json:"variables,omitempty"`
}

// SpectroClusterVariable is v1SpectroClusterVariable, a profile variable's value.
type SpectroClusterVariable struct {
	Name  string `json:"name"`
	Value string `json:"value"`
}

// SpectroClusterProfiles is v1SpectroClusterProfiles, the body of
// PATCH/PUT /v1/spectroclusters/{uid}/profiles.
type SpectroClusterProfiles struct {
	Profiles []SpectroClusterProfileEntity `json:"profiles"`
}

// AttachedPackSpec is the spec of a pack of an attached profile
// (v1PackManifestsSpec? of v1SpectroClusterProfile): Values is the pack's
// whole values.yaml as the cluster has it.
type AttachedPackSpec struct {
	Name      string            `json:"name"`
	Type      string            `json:"type,omitempty"`
	Layer     string            `json:"layer,omitempty"`
	Version   string            `json:"version,omitempty"`
	Values    string            `json:"values"`
	Manifests []ObjectReference `json:"manifests,omitempty"`
}

// AttachedPack is one pack of an attached profile.
type AttachedPack struct {
	Metadata ObjectMeta       `json:"metadata"`
	Spec     AttachedPackSpec `json:"spec"`
}

// SpectroClusterProfile is v1SpectroClusterProfile, one entry of
// GET /v1/spectroclusters/{uid}/profiles.
type SpectroClusterProfile struct {
	Metadata ObjectMeta          `json:"metadata"`
	Spec     AttachedProfileSpec `json:"spec"`
}

// AttachedProfileSpec is what the cluster holds of an attached profile;
// Version is Palette's integer revision of the profile.
type AttachedProfileSpec struct {
	CloudType string         `json:"cloudType,omitempty"`
	Type      string         `json:"type"`
	Version   int32          `json:"version,omitempty"`
	Packs     []AttachedPack `json:"packs"`
}

// PackValues returns each pack's whole values by pack name.
func (p *SpectroClusterProfile) PackValues() map[string]string {
	out := make(map[string]string, len(p.Spec.Packs))
	for _, pk := range p.Spec.Packs {
		out[pk.Spec.Name] = pk.Spec.Values
	}
	return out
}

// SpectroClusterProfileList is v1SpectroClusterProfileList, the answer of
// GET /v1/spectroclusters/{uid}/profiles.
type SpectroClusterProfileList struct {
	Profiles []SpectroClusterProfile `json:"profiles"`
}

// SpectroClusterProfilesDeleteEntity is v1SpectroClusterProfilesDeleteEntity, the body of
// DELETE /v1/spectroclusters/{uid}/profiles.
type SpectroClusterProfilesDeleteEntity struct {
	ProfileUIDs []string `json:"profileUids"`
}

// SpectroClusterVariables is v1SpectroClusterVariables (GET) and
// v1SpectroClusterVariableUpdateEntity (PATCH): the variables of one
// attached profile, in GET|PATCH /v1/spectroclusters/{uid}/variables.
type SpectroClusterVariables struct {
	ProfileUID string                   `json:"profileUid"`
	Variables  []SpectroClusterVariable `json:"variables"`
}

// EffectiveVersion returns a profile's version from spec.version or, when
// that is empty, from spec.published.profileVersion.
func (p *ClusterProfile) EffectiveVersion() string {
	if p.Spec.Version != "" {
		return p.Spec.Version
	}
	if p.Spec.Published != nil {
		return p.Spec.Published.ProfileVersion
	}
	return ""
}
