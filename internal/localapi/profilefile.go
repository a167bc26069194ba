package localapi

import (
	"fmt"
	"os"

	"sigs.k8s.io/yaml"

	"github.com/terraform-palette/terraform-provider-palette/internal/palette"
)

// ProfileFile is the YAML file format of a cluster profile for seeding
// (palette-local profile create -f FILE).
type ProfileFile struct {
	Name      string         `json:"name"`
	Version   string         `json:"version"`
	Type      string         `json:"type"`
	CloudType string         `json:"cloudType"`
	Packs     []palette.Pack `json:"packs"`
}

// ClusterProfile turns the file into the creation body of POST /v1/clusterprofiles.
func (f ProfileFile) ClusterProfile() palette.ClusterProfileEntity {
	return palette.ClusterProfileEntity{
		Metadata: palette.ObjectMeta{Name: f.Name},
		Spec: palette.ClusterProfileEntitySpec{
			Version:  f.Version,
			Template: palette.ProfileTemplate{Type: f.Type, CloudType: f.CloudType, Packs: f.Packs},
		},
	}
}

// LoadProfileFile reads a profile YAML file.
func LoadProfileFile(path string) (palette.ClusterProfileEntity, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return palette.ClusterProfileEntity{}, fmt.Errorf("reading profile file: %w", err)
	}
	var f ProfileFile
	if err := yaml.UnmarshalStrict(b, &f); err != nil {
		return palette.ClusterProfileEntity{}, fmt.Errorf("parsing profile file %s: %w", path, err)
	}
	return f.ClusterProfile(), nil
}
