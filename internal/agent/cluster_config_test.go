package agent

import (
	"testing"

	corev1 "k8s.io/api/core/v1"

	"github.com/terraform-palette/terraform-provider-palette/internal/wire"
)

func TestQuotaOf(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		in   *wire.ClusterNamespaceResourceAllocation
		want map[string]string
	}{
		{"none", nil, nil},
		{"empty", &wire.ClusterNamespaceResourceAllocation{}, nil},
		{"no GPU limit", &wire.ClusterNamespaceResourceAllocation{GpuConfig: &wire.GpuConfig{Limit: -1}}, nil},
		{"zero GPUs", &wire.ClusterNamespaceResourceAllocation{GpuConfig: &wire.GpuConfig{Limit: 0}}, nil},
		{"all", &wire.ClusterNamespaceResourceAllocation{CPUCores: 2, MemoryMiB: 1024, GpuConfig: &wire.GpuConfig{Limit: 3}},
			map[string]string{"requests.cpu": "2", "limits.cpu": "2", "requests.memory": "1Gi", "limits.memory": "1Gi", "requests.nvidia.com/gpu": "3"}},
		{"fractions", &wire.ClusterNamespaceResourceAllocation{CPUCores: 0.25, MemoryMiB: 0.5},
			map[string]string{"requests.cpu": "250m", "limits.cpu": "250m", "requests.memory": "512Ki", "limits.memory": "512Ki"}},
		{"memory only", &wire.ClusterNamespaceResourceAllocation{MemoryMiB: 300},
			map[string]string{"requests.memory": "300Mi", "limits.memory": "300Mi"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			got := quotaOf(tc.in)
			if tc.want == nil {
				if got != nil {
					t.Fatalf("quotaOf = %v, want none", got)
				}
				return
			}
			if len(got) != len(tc.want) {
				t.Fatalf("quotaOf = %v, want %v", got, tc.want)
			}
			for k, v := range tc.want {
				q, ok := got[corev1.ResourceName(k)]
				if !ok || q.String() != v {
					t.Errorf("%s = %v, want %s", k, q.String(), v)
				}
			}
		})
	}
}
