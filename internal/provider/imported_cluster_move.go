package provider

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/terraform-palette/terraform-provider-palette/internal/wire"
)

var _ resource.ResourceWithMoveState = &importedClusterResource{}

// spectroBrownfieldType is Spectro's resource for imported clusters.
const spectroBrownfieldType = "spectrocloud_cluster_brownfield"

// spectroBrownfieldVersions are the schema versions Spectro's provider has
// published for spectrocloud_cluster_brownfield: 1 (v0.27.1 to v0.28.0, the
// resource's first releases) and 2 (v0.28.1 on, cluster_profile a set
// instead of a list). The JSON shape of the state is the same in both:
// SDKv2 saves lists and sets as arrays, and attributes added since
// (renew_k8s_certificates_now) are ignored here.
var spectroBrownfieldVersions = []int64{1, 2}

// spectroTagValue is the label value Spectro's provider stores for a tag
// without a value (`tags = ["team"]` → label team: spectro__tag).
const spectroTagValue = "spectro__tag"

// spectroBrownfieldState is the part of a spectrocloud_cluster_brownfield
// state the move reads. Its ID is the cluster's UID, or after
// `terraform import` <uid>:<context>.
type spectroBrownfieldState struct {
	ID                 string   `json:"id"`
	Name               string   `json:"name"`
	CloudType          string   `json:"cloud_type"`
	ImportMode         string   `json:"import_mode"` // "read_only", "full", or "" (full, or unknown after terraform import)
	Description        string   `json:"description"`
	Tags               []string `json:"tags"` // "key:value", or "key" for a label valued spectro__tag
	Context            string   `json:"context"`
	Proxy              string   `json:"proxy"` // sent as the HTTP proxy
	NoProxy            string   `json:"no_proxy"`
	HostPath           string   `json:"host_path"`
	ContainerMountPath string   `json:"container_mount_path"`
	KubectlCommand     string   `json:"kubectl_command"`
	Status             string   `json:"status"`
	HealthStatus       string   `json:"health_status"`
	CloudConfigID      string   `json:"cloud_config_id"`
	ClusterTimezone    string   `json:"cluster_timezone"`
	ReviewRepaveState  string   `json:"review_repave_state"`
	PauseAgentUpgrades string   `json:"pause_agent_upgrades"`
	SkipCompletion     bool     `json:"skip_completion"`
	ForceDelete        bool     `json:"force_delete"`
	ClusterProfile     []struct {
		ID string `json:"id"`
	} `json:"cluster_profile"`
	Namespaces []struct {
		Name string `json:"name"`
	} `json:"namespaces"`
	ClusterRbacBinding []json.RawMessage `json:"cluster_rbac_binding"`
	BackupPolicy       []json.RawMessage `json:"backup_policy"`
	ScanPolicy         []json.RawMessage `json:"scan_policy"`
	HostConfig         []json.RawMessage `json:"host_config"`
	MachinePool        []json.RawMessage `json:"machine_pool"`
}

// MoveState takes a spectrocloud_cluster_brownfield's state. What Palette
// reads back (state, health, labels, the import mode when it shows) the
// refresh that follows the move fills in; what only the state knew (the
// proxy, the description it was given) comes from the source. Attributes
// of ours without a counterpart get the values a configuration that does
// not set them plans (wait_for, deletion_policy), so that a change there is
// an in-place update of settings, never a new import.
func (r *importedClusterResource) MoveState(context.Context) []resource.StateMover {
	return []resource.StateMover{spectroMover(spectroBrownfieldType, spectroBrownfieldVersions, brownfieldTarget,
		func(ctx context.Context, id *tfsdk.ResourceIdentity, attrs map[string]string, diags *diag.Diagnostics) {
			setClusterIdentity(ctx, id, attrs["id"], diags)
		})}
}

// brownfieldUID is the cluster UID of a brownfield state's ID.
func brownfieldUID(id string) string {
	uid, _, _ := strings.Cut(id, ":")
	return uid
}

// brownfieldTarget maps a brownfield state to palette_imported_cluster's
// attributes, or reports what cannot be moved.
func brownfieldTarget(src spectroBrownfieldState, diags *diag.Diagnostics) (map[string]attr.Value, bool) {
	uid := brownfieldUID(src.ID)
	refusal := &moveRefusal{source: spectroBrownfieldType, target: "palette_imported_cluster"}
	if !uidRegexp.MatchString(uid) {
		refusal.add("its ID %q does not start with a Palette cluster UID (24 lowercase hex characters). Import the cluster with its UID instead.", src.ID)
		refusal.report(diags, "")
		return nil, false
	}
	if src.Context == "tenant" {
		refusal.add("it was registered in tenant context (`context = \"tenant\"`); palette_imported_cluster manages the clusters of the provider's project " +
			"(`project_uid`). Keep it under spectrocloud_cluster_brownfield: remove the moved block and the palette_imported_cluster block.")
		refusal.report(diags, "")
		return nil, false
	}
	if !slices.Contains(wire.InfrastructureProviders, src.CloudType) {
		refusal.add("its cloud_type %q is not one palette_imported_cluster has (%s). Keep it under spectrocloud_cluster_brownfield: "+
			"remove the moved block and the palette_imported_cluster block.", src.CloudType, strings.Join(wire.InfrastructureProviders, ", "))
		refusal.report(diags, "")
		return nil, false
	}
	var more []string
	if len(src.ClusterProfile) > 0 {
		ids := make([]string, 0, len(src.ClusterProfile))
		imports := make([]string, 0, len(src.ClusterProfile))
		for _, p := range src.ClusterProfile {
			ids = append(ids, p.ID)
			imports = append(imports, fmt.Sprintf("  import {\n    to = palette_addon_profile_attachment.<name>\n    id = %q\n  }", attachmentID(uid, p.ID)))
		}
		refusal.add("it has cluster_profile blocks (profiles %s); palette_imported_cluster attaches no profiles: each attached add-on profile is a palette_addon_profile_attachment.",
			strings.Join(ids, ", "))
		more = append(more, "Bring each attached profile in with a palette_addon_profile_attachment and an import block:\n\n"+strings.Join(imports, "\n\n"))
	}
	if len(src.Namespaces) > 0 {
		var imports []string
		for _, n := range src.Namespaces {
			imports = append(imports, fmt.Sprintf("  import {\n    to = palette_cluster_namespace.<name>\n    id = %q\n  }", clusterScopedID(uid, n.Name)))
		}
		refusal.add("it has namespaces blocks; each namespace is a palette_cluster_namespace.")
		more = append(more, "Bring each namespace in with a palette_cluster_namespace and an import block:\n\n"+strings.Join(imports, "\n\n"))
	}
	if len(src.ClusterRbacBinding) > 0 {
		refusal.add("it has cluster_rbac_binding blocks; each binding is a palette_cluster_role_binding (import ID `<cluster_uid>:<binding name>`).")
	}
	for _, b := range []struct {
		name string
		n    int
	}{{"backup_policy", len(src.BackupPolicy)}, {"scan_policy", len(src.ScanPolicy)}, {"host_config", len(src.HostConfig)}, {"machine_pool", len(src.MachinePool)}} {
		if b.n > 0 {
			refusal.add("it has a %s block, which this provider does not manage: after the import it stays in Palette as it is, outside Terraform.", b.name)
		}
	}
	for _, s := range []struct{ name, value, neutral string }{
		{"cluster_timezone", src.ClusterTimezone, ""},
		{"review_repave_state", src.ReviewRepaveState, ""},
		{"pause_agent_upgrades", src.PauseAgentUpgrades, "unlock"},
	} {
		if s.value != "" && s.value != s.neutral {
			refusal.add("it sets %s = %q, which this provider does not manage: after the import it stays in Palette as it is, outside Terraform.", s.name, s.value)
		}
	}
	if refusal.report(diags, removedImportRecipe(spectroBrownfieldType, "palette_imported_cluster", uid, more...)) {
		return nil, false
	}

	importMode := types.StringNull() // "": the refresh reads it from Palette
	switch src.ImportMode {
	case "read_only":
		importMode = types.StringValue(importModeReadOnly)
	case "full":
		importMode = types.StringValue(importModeFullPermission)
	}
	waitFor, deletionPolicy := waitForHealthy, deletionPolicyDeregister
	if src.SkipCompletion {
		waitFor = waitForNone
	}
	if src.ForceDelete {
		deletionPolicy = deletionPolicyForce
	}
	labels := types.MapNull(types.StringType)
	if len(src.Tags) > 0 {
		m := make(map[string]attr.Value, len(src.Tags))
		for _, t := range src.Tags {
			k, v, ok := strings.Cut(t, ":")
			if !ok {
				v = spectroTagValue
			}
			m[k] = types.StringValue(v)
		}
		labels = types.MapValueMust(types.StringType, m)
	}
	proxy := types.ObjectNull(proxyAttrTypes)
	if src.Proxy != "" || src.NoProxy != "" || src.HostPath != "" || src.ContainerMountPath != "" {
		proxy = types.ObjectValueMust(proxyAttrTypes, map[string]attr.Value{
			"http_proxy":              stringOrNull(src.Proxy),
			"https_proxy":             types.StringNull(),
			"no_proxy":                stringOrNull(src.NoProxy),
			"ca_host_path":            stringOrNull(src.HostPath),
			"ca_container_mount_path": stringOrNull(src.ContainerMountPath),
		})
	}
	return map[string]attr.Value{
		"id":               types.StringValue(uid),
		"name":             types.StringValue(src.Name),
		"cloud_type":       types.StringValue(src.CloudType),
		"import_mode":      importMode,
		"description":      stringOrNull(src.Description),
		"labels":           labels,
		"proxy":            proxy,
		"wait_for":         types.StringValue(waitFor),
		"deletion_policy":  types.StringValue(deletionPolicy),
		"manifest_sha256":  types.StringValue(""),
		"import_command":   types.StringValue(src.KubectlCommand),
		"state":            stringOrNull(src.Status),
		"health":           stringOrNull(src.HealthStatus),
		"cloud_config_uid": stringOrNull(src.CloudConfigID),
	}, true
}

// stringOrNull is s, or null when empty (SDKv2 states hold "" for unset).
func stringOrNull(s string) types.String {
	if s == "" {
		return types.StringNull()
	}
	return types.StringValue(s)
}
