package provider

import (
	"encoding/json"
	"math"

	"github.com/hashicorp/terraform-plugin-framework-timeouts/resource/timeouts"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/terraform-palette/terraform-provider-palette/internal/wire"
)

type clusterNamespaceResourceModel struct {
	ID        types.String   `tfsdk:"id"`
	ClusterID types.String   `tfsdk:"cluster_id"`
	Name      types.String   `tfsdk:"name"`
	UID       types.String   `tfsdk:"uid"`
	CPUCores  types.Float64  `tfsdk:"cpu_cores"`
	MemoryMiB types.Int64    `tfsdk:"memory_mib"`
	GPULimit  types.Int64    `tfsdk:"gpu_limit"`
	Timeouts  timeouts.Value `tfsdk:"timeouts"`
}

// gpuProvider is the one GPU provider Palette knows (v1GpuConfig).
const gpuProvider = "nvidia"

// allocation is the model's resource allocation; nil when none is set.
func (m *clusterNamespaceResourceModel) allocation() *wire.ClusterNamespaceResourceAllocation {
	if m.CPUCores.IsNull() && m.MemoryMiB.IsNull() && m.GPULimit.IsNull() {
		return nil
	}
	a := &wire.ClusterNamespaceResourceAllocation{
		CPUCores:  m.CPUCores.ValueFloat64(),
		MemoryMiB: float64(m.MemoryMiB.ValueInt64()),
	}
	if !m.GPULimit.IsNull() {
		a.GpuConfig = &wire.GpuConfig{Limit: int32(min(m.GPULimit.ValueInt64(), math.MaxInt32)), Provider: gpuProvider}
	}
	return a
}

// spec is the entry's spec to send: raw (Palette's, possibly empty) with
// what the resource manages set, the rest kept.
func (m *clusterNamespaceResourceModel) spec(raw json.RawMessage) (json.RawMessage, error) {
	set := map[string]any{"isRegex": false, "resourceAllocation": nil}
	if a := m.allocation(); a != nil {
		set["resourceAllocation"] = a
	}
	return withSpec(raw, set)
}

// input is the entry to send for this model.
func (m *clusterNamespaceResourceModel) input(existing *wire.ClusterNamespaceResource) (wire.ClusterNamespaceResourceInputEntity, error) {
	in := wire.ClusterNamespaceResourceInputEntity{Metadata: wire.ObjectMetaUpdateEntity{Name: m.Name.ValueString()}}
	var raw json.RawMessage
	if existing != nil {
		in = existing.Input()
		raw = existing.RawSpec
	}
	spec, err := m.spec(raw)
	in.Spec = spec
	return in, err
}

// flatten sets the model from the entry as Palette shows it.
func (m *clusterNamespaceResourceModel) flatten(clusterUID string, e *wire.ClusterNamespaceResource) {
	m.ClusterID = types.StringValue(clusterUID)
	m.Name = types.StringValue(e.Metadata.Name)
	m.ID = types.StringValue(configEntryID(clusterUID, e.Metadata.Name))
	m.UID = types.StringValue(e.Metadata.UID)
	m.CPUCores, m.MemoryMiB, m.GPULimit = types.Float64Null(), types.Int64Null(), types.Int64Null()
	a := e.Spec.ResourceAllocation
	if a == nil {
		return
	}
	if a.CPUCores > 0 {
		m.CPUCores = types.Float64Value(a.CPUCores)
	}
	if a.MemoryMiB > 0 {
		m.MemoryMiB = types.Int64Value(int64(math.Round(a.MemoryMiB)))
	}
	if g := a.GpuConfig; g != nil && g.Limit > 0 {
		m.GPULimit = types.Int64Value(int64(g.Limit))
	}
}
