package localapi

import (
	"fmt"
	"os"

	"github.com/terraform-palette/terraform-provider-palette/internal/wire"
	"sigs.k8s.io/yaml"
)

// ProfileFile is the YAML file format of a cluster profile created from a
// file (palette-local profile create -f FILE).
type ProfileFile struct {
	Name      string      `json:"name"`
	Version   string      `json:"version"`
	Type      string      `json:"type"`
	CloudType string      `json:"cloudType"`
	Packs     []wire.Pack `json:"packs"`
}

// ClusterProfile turns the file into the creation body of POST /v1/clusterprofiles.
func (f ProfileFile) ClusterProfile() wire.ClusterProfileEntity {
	return wire.ClusterProfileEntity{
		Metadata: wire.ObjectMeta{Name: f.Name},
		Spec: wire.ClusterProfileEntitySpec{
			Version:  f.Version,
			Template: wire.ProfileTemplate{Type: f.Type, CloudType: f.CloudType, Packs: f.Packs},
		},
	}
}

// LoadProfileFile reads a profile YAML file.
func LoadProfileFile(path string) (wire.ClusterProfileEntity, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return wire.ClusterProfileEntity{}, fmt.Errorf("reading profile file: %w", err)
	}
	var f ProfileFile
	if err := yaml.UnmarshalStrict(b, &f); err != nil {
		return wire.ClusterProfileEntity{}, fmt.Errorf("parsing profile file %s: %w", path, err)
	}
	return f.ClusterProfile(), nil
}
