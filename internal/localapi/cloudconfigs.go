package localapi

// A cluster's cloud config: GET /v1/cloudconfigs/{cloudType}/{configUid},
// its clusterConfig and (refused) machine pools.

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"net/http"
	"strconv"

	"github.com/terraform-palette/terraform-provider-palette/internal/wire"
)

func cloudConfigKind(cloudType string) string {
	switch cloudType {
	case wire.CloudTypeGeneric:
		return "GenericCloudConfig"
	case wire.CloudTypeAWS:
		return "AwsCloudConfig"
	case wire.CloudTypeAzure:
		return "AzureCloudConfig"
	case wire.CloudTypeGCP:
		return "GcpCloudConfig"
	case wire.CloudTypeVSphere:
		return "VsphereCloudConfig"
	case wire.CloudTypeOpenShift:
		return "OpenShiftCloudConfig"
	case wire.CloudTypeEKSAnywhere:
		return "EksAnywhereCloudConfig"
	case wire.CloudTypeMAAS:
		return "MaasCloudConfig"
	case wire.CloudTypeEdgeNative:
		return "EdgeNativeCloudConfig"
	case wire.CloudTypeApacheCloudStack:
		return "CloudStackCloudConfig"
	}
	return "CloudConfig"
}

// managedToIaaS maps managed cloud types to the IaaS type imported clusters use.
var managedToIaaS = map[string]string{"eks": wire.CloudTypeAWS, "gke": wire.CloudTypeGCP, "aks": wire.CloudTypeAzure}

// findCloudConfig finds the cluster of a cloud config; sub is the rest of
// the request path after the config UID ("" or "/clusterConfig"), which the
// advice for a managed cloud type names.
func (s *Server) findCloudConfig(ctx context.Context, q queryer, c *call, cloudType, configUID, sub string) (*clusterRow, error) {
	if iaas, ok := managedToIaaS[cloudType]; ok {
		e := errf(http.StatusBadRequest, wire.CodeUseIaaSCloudConfig,
			"imported %s clusters use the IaaS endpoint: use /v1/cloudconfigs/%s/%s%s instead of /v1/cloudconfigs/%s/%s%s",
			cloudType, iaas, configUID, sub, cloudType, configUID, sub)
		e.details = map[string]any{"path": fmt.Sprintf("/v1/cloudconfigs/%s/%s%s", iaas, configUID, sub)}
		return nil, e
	}
	uid, err := clusterUIDByCloudConfig(ctx, q, configUID, cloudType, c.scope)
	if errors.Is(err, errNotFound) {
		return nil, notFound("CloudConfig '%s' is not found in the %s", configUID, c.scopeName)
	}
	if err != nil {
		return nil, err
	}
	row, err := s.findCluster(ctx, q, c, uid)
	var ae *apiError
	if errors.As(err, &ae) {
		return nil, notFound("CloudConfig '%s' is not found in the %s", configUID, c.scopeName)
	}
	return row, err
}

// GET /v1/cloudconfigs/{cloudType}/{configUid}: the cloud config with the
// region and the instance types the agent reported, in one machine pool.
func (s *Server) getCloudConfig(w http.ResponseWriter, r *http.Request, c *call) error {
	row, err := s.findCloudConfig(r.Context(), s.st.db, c, r.PathValue("cloudType"), r.PathValue("configUid"), "")
	if err != nil {
		return err
	}
	md := s.shownMetadata(row)
	pools := []wire.MachinePoolConfig{}
	for i, it := range md.InstanceTypes {
		size := int32(0)
		if i == 0 && md.NodeCount > 0 {
			size = int32(min(md.NodeCount, math.MaxInt32)) //nolint:gosec // bounded above.
		}
		pools = append(pools, wire.MachinePoolConfig{Name: fmt.Sprintf("pool-%d", i), InstanceType: json.RawMessage(strconv.Quote(it)), Size: size})
	}
	var out cloudConfigAnswer
	out.Metadata = wire.ObjectMeta{UID: row.CloudConfigUID, Name: row.Name}
	out.Spec.ClusterConfig = clusterConfigOf(r.PathValue("cloudType"), md.Region)
	out.Spec.MachinePoolConfig = pools
	writeJSON(w, http.StatusOK, out)
	return nil
}

// cloudConfigAnswer is wire.CloudConfig with the cloud type's own
// clusterConfig (v1AwsClusterConfig, v1GcpClusterConfig, …), whose
// required properties differ by cloud.
type cloudConfigAnswer struct {
	Metadata wire.ObjectMeta `json:"metadata"`
	Spec     struct {
		ClusterConfig     map[string]any           `json:"clusterConfig"`
		MachinePoolConfig []wire.MachinePoolConfig `json:"machinePoolConfig"`
	} `json:"spec"`
}

// clusterConfigOf is the clusterConfig of a cloud type's cloud config with
// the region the agent reported ("" until it has): each property the spec
// requires is there, empty when an imported cluster has no value for it
// (Palette does not know an imported cluster's subscription or project).
func clusterConfigOf(cloudType, region string) map[string]any {
	switch cloudType {
	case "azure", "aks":
		return map[string]any{"location": region, "subscriptionId": "", "sshKey": ""}
	case "gcp", "gke":
		return map[string]any{"region": region, "project": ""}
	case "aws", "eks":
		return map[string]any{"region": region}
	case "vsphere":
		return map[string]any{"placement": map[string]any{}}
	}
	if region == "" {
		return map[string]any{}
	}
	return map[string]any{"region": region}
}

// PUT /v1/cloudconfigs/{cloudType}/{configUid}/clusterConfig.
func (s *Server) putCloudConfig(w http.ResponseWriter, r *http.Request, c *call) error {
	if iaas, ok := managedToIaaS[r.PathValue("cloudType")]; ok {
		_ = iaas
		_, err := s.findCloudConfig(r.Context(), s.st.db, c, r.PathValue("cloudType"), r.PathValue("configUid"), "/clusterConfig")
		return err
	}
	var req map[string]any
	if err := decodeBody(r, &req, true); err != nil {
		return err
	}
	err := s.st.write(r.Context(), func(tx *sql.Tx) error {
		row, err := s.findCloudConfig(r.Context(), tx, c, r.PathValue("cloudType"), r.PathValue("configUid"), "/clusterConfig")
		if err != nil {
			return err
		}
		return storeExtra(r.Context(), tx, row.UID, "cloudConfig", mustJSON(req))
	})
	if err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// /v1/cloudconfigs/{cloudType}/{configUid}/machinePools...: not for imported clusters.
func (s *Server) cloudConfigMachinePools(_ http.ResponseWriter, r *http.Request, c *call) error {
	ct := r.PathValue("cloudType")
	if _, ok := managedToIaaS[ct]; !ok {
		if _, err := s.findCloudConfig(r.Context(), s.st.db, c, ct, r.PathValue("configUid"), ""); err != nil {
			return err
		}
	}
	return errf(http.StatusBadRequest, wire.CodeNotSupportedForImportedCluster, "node pools cannot be managed on imported clusters")
}
