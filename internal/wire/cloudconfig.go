package wire

import "encoding/json"

// Cloud configs: GET /v1/cloudconfigs/{cloudType}/{configUid}.

// CloudConfigClusterConfig is the part of a cloud config's
// spec.clusterConfig that is read here: the region (aws, gcp, generic;
// azure says location).
type CloudConfigClusterConfig struct {
	Region   string `json:"region,omitempty"`
	Location string `json:"location,omitempty"`
}

// MachinePoolConfig is one machine pool of a cloud config; InstanceType is
// a string on most clouds and an object on some (vsphere, maas).
type MachinePoolConfig struct {
	Name           string          `json:"name,omitempty"`
	IsControlPlane bool            `json:"isControlPlane"`
	InstanceType   json.RawMessage `json:"instanceType,omitempty"`
	Size           int32           `json:"size"`
}

// InstanceTypeName returns the pool's instance type as a name.
func (p MachinePoolConfig) InstanceTypeName() string {
	if len(p.InstanceType) == 0 {
		return ""
	}
	var s string
	if json.Unmarshal(p.InstanceType, &s) == nil {
		return s
	}
	var o struct {
		Name string `json:"name"`
	}
	_ = json.Unmarshal(p.InstanceType, &o)
	return o.Name
}

// CloudConfigSpec is a cloud config's spec.
type CloudConfigSpec struct {
	ClusterConfig     CloudConfigClusterConfig `json:"clusterConfig"`
	MachinePoolConfig []MachinePoolConfig      `json:"machinePoolConfig"`
}

// CloudConfig is a cluster's cloud config (v1AwsCloudConfig,
// v1GenericCloudConfig and their siblings).
type CloudConfig struct {
	Metadata ObjectMeta      `json:"metadata"`
	Spec     CloudConfigSpec `json:"spec"`
}

// Region returns the cloud config's region.
func (c *CloudConfig) Region() string {
	if c.Spec.ClusterConfig.Region != "" {
		return c.Spec.ClusterConfig.Region
	}
	return c.Spec.ClusterConfig.Location
}

// InstanceTypes returns the distinct instance types of the machine pools.
func (c *CloudConfig) InstanceTypes() []string {
	var out []string
	seen := map[string]bool{}
	for _, p := range c.Spec.MachinePoolConfig {
		if n := p.InstanceTypeName(); n != "" && !seen[n] {
			seen[n] = true
			out = append(out, n)
		}
	}
	return out
}
