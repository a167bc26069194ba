package provider

import (
	"context"
	"encoding/json"
	"maps"
	"reflect"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-go/tftypes"
)

const (
	testSpectroAddress = "registry.terraform.io/spectrocloud/spectrocloud"
	testMoveUID        = "65a1b2c3d4e5f60718293a4b"
	testMoveProfile    = "65a1b2c3d4e5f60718293a4c"
)

// movable is a resource with a schema, an identity and state movers.
type movable interface {
	resource.ResourceWithMoveState
	resource.ResourceWithIdentity
}

// runMove runs r's state movers on a source state as Terraform sends it,
// and returns the target state and identity, whether a mover took the
// request, and the diagnostics.
func runMove(t *testing.T, r movable, address, typ string, version int64, state map[string]any) (tfsdk.State, *tfsdk.ResourceIdentity, bool, diag.Diagnostics) {
	t.Helper()
	ctx := context.Background()
	var sresp resource.SchemaResponse
	r.Schema(ctx, resource.SchemaRequest{}, &sresp)
	var iresp resource.IdentitySchemaResponse
	r.IdentitySchema(ctx, resource.IdentitySchemaRequest{}, &iresp)
	raw, err := json.Marshal(state)
	if err != nil {
		t.Fatal(err)
	}
	req := resource.MoveStateRequest{
		SourceProviderAddress: address,
		SourceTypeName:        typ,
		SourceSchemaVersion:   version,
		SourceRawState:        &tfprotov6.RawState{JSON: raw},
	}
	for _, m := range r.MoveState(ctx) {
		resp := resource.MoveStateResponse{
			TargetState:    tfsdk.State{Schema: sresp.Schema, Raw: tftypes.NewValue(sresp.Schema.Type().TerraformType(ctx), nil)},
			TargetIdentity: &tfsdk.ResourceIdentity{Schema: iresp.IdentitySchema, Raw: tftypes.NewValue(iresp.IdentitySchema.Type().TerraformType(ctx), nil)},
		}
		m.StateMover(ctx, req, &resp)
		if resp.Diagnostics.HasError() || !resp.TargetState.Raw.IsNull() {
			return resp.TargetState, resp.TargetIdentity, true, resp.Diagnostics
		}
	}
	return tfsdk.State{}, nil, false, nil
}

// brownfieldState is a spectrocloud_cluster_brownfield state as Spectro's
// provider saves it with schema version v (every attribute of that
// version's schema, SDKv2-style: "" and defaults for unset arguments), with
// changes applied.
func brownfieldState(v int64, changes map[string]any) map[string]any {
	s := map[string]any{
		"id": testMoveUID, "name": "edge-1", "tags": nil, "description": "", "cloud_type": "generic",
		"import_mode": "", "host_path": "", "container_mount_path": "", "context": "project", "proxy": "", "no_proxy": "",
		"manifest_url": "https://palette.example/v1/import/manifest", "kubectl_command": "kubectl apply -f https://palette.example/v1/import/manifest",
		"status": "Running", "health_status": "Healthy", "cloud_config_id": "65a1b2c3d4e5f60718293a4d", "cluster_timezone": "",
		"apply_setting": "DownloadAndInstall", "cluster_profile": []any{}, "machine_pool": []any{}, "review_repave_state": "",
		"pause_agent_upgrades": "unlock", "backup_policy": []any{}, "scan_policy": []any{}, "cluster_rbac_binding": []any{},
		"namespaces": []any{}, "host_config": []any{}, "location_config": []any{}, "skip_completion": false,
		"force_delete": false, "force_delete_delay": 20, "timeouts": nil,
	}
	if v >= 2 {
		// Added after schema version 2 was out (v0.29.3, May 2026).
		s["renew_k8s_certificates_now"] = false
	}
	maps.Copy(s, changes)
	return s
}

func TestMoveImportedCluster_fromBrownfield(t *testing.T) {
	t.Parallel()
	type want struct {
		id, name, cloudType, importMode, description, waitFor, deletionPolicy, importCommand string
		labels                                                                               map[string]string
		proxy                                                                                *proxyModel
	}
	base := want{id: testMoveUID, name: "edge-1", cloudType: "generic", waitFor: waitForHealthy, deletionPolicy: deletionPolicyDeregister,
		importCommand: "kubectl apply -f https://palette.example/v1/import/manifest"}
	with := func(f func(*want)) want { w := base; f(&w); return w }
	for _, tc := range []struct {
		name    string
		version int64
		state   map[string]any
		want    want
	}{
		{"v1 defaults", 1, brownfieldState(1, nil), base},
		{"v2 defaults", 2, brownfieldState(2, nil), base},
		{"v1 read_only with tags", 1, brownfieldState(1, map[string]any{"import_mode": "read_only", "tags": []any{"team:edge", "pci"}}),
			with(func(w *want) {
				w.importMode = importModeReadOnly
				w.labels = map[string]string{"team": "edge", "pci": spectroTagValue}
			})},
		{"v2 full with proxy and description", 2, brownfieldState(2, map[string]any{
			"import_mode": "full", "cloud_type": "aws", "description": "made in the UI", "proxy": "http://proxy.internal:3128",
			"no_proxy": ".svc,10.0.0.0/8", "host_path": "/etc/ssl/proxy-ca.pem", "container_mount_path": "/etc/ssl/certs/proxy-ca.pem",
		}), with(func(w *want) {
			w.importMode, w.cloudType, w.description = importModeFullPermission, "aws", "made in the UI"
			w.proxy = &proxyModel{}
			w.proxy.HTTPProxy = stringOrNull("http://proxy.internal:3128")
			w.proxy.NoProxy = stringOrNull(".svc,10.0.0.0/8")
			w.proxy.CAHostPath = stringOrNull("/etc/ssl/proxy-ca.pem")
			w.proxy.CAContainerMountPath = stringOrNull("/etc/ssl/certs/proxy-ca.pem")
		})},
		{"v2 after terraform import (<uid>:project)", 2, brownfieldState(2, map[string]any{"id": testMoveUID + ":project", "cloud_type": "vsphere"}),
			with(func(w *want) { w.cloudType = "vsphere" })},
		{"v2 force_delete and skip_completion", 2, brownfieldState(2, map[string]any{"force_delete": true, "skip_completion": true, "cloud_type": "openshift"}),
			with(func(w *want) {
				w.deletionPolicy, w.waitFor, w.cloudType = deletionPolicyForce, waitForNone, "openshift"
			})},
		{"v1 eks-anywhere", 1, brownfieldState(1, map[string]any{"cloud_type": "eks-anywhere"}), with(func(w *want) { w.cloudType = "eks-anywhere" })},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			state, identity, took, diags := runMove(t, &importedClusterResource{}, testSpectroAddress, spectroBrownfieldType, tc.version, tc.state)
			if !took || diags.HasError() {
				t.Fatalf("move refused or skipped (took %v): %v", took, diags)
			}
			m, _ := getModel[importedClusterResourceModel](context.Background(), state, &diags)
			if diags.HasError() {
				t.Fatal(diags)
			}
			got := want{id: m.ID.ValueString(), name: m.Name.ValueString(), cloudType: m.CloudType.ValueString(), importMode: m.ImportMode.ValueString(),
				description: m.Description.ValueString(), waitFor: m.WaitFor.ValueString(), deletionPolicy: m.DeletionPolicy.ValueString(),
				importCommand: m.ImportCommand.ValueString()}
			if !m.Labels.IsNull() {
				got.labels = map[string]string{}
				diags.Append(m.Labels.ElementsAs(context.Background(), &got.labels, false)...)
			}
			if !m.Proxy.IsNull() {
				got.proxy = &proxyModel{}
				diags.Append(m.Proxy.As(context.Background(), got.proxy, objectAsOptions)...)
			}
			if tc.want.importMode == "" && !m.ImportMode.IsNull() {
				t.Errorf("import_mode = %s, want null (read from Palette by the refresh)", m.ImportMode)
			}
			if tc.want.description == "" && !m.Description.IsNull() {
				t.Errorf("description = %s, want null", m.Description)
			}
			if !reflect.DeepEqual(got, tc.want) {
				t.Errorf("moved state\n got %+v\nwant %+v", got, tc.want)
			}
			var idv string
			diags.Append(identity.GetAttribute(context.Background(), path.Root("id"), &idv)...)
			if idv != testMoveUID || diags.HasError() {
				t.Errorf("identity id = %q (%v), want %s", idv, diags, testMoveUID)
			}
		})
	}
}

func TestMoveImportedCluster_refused(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name    string
		version int64
		state   map[string]any
		want    []string // in the diagnostic's detail, each
	}{
		{"v1 edge-native", 1, brownfieldState(1, map[string]any{"cloud_type": "edge-native"}), []string{`cloud_type "edge-native"`, "remove the moved block"}},
		{"v2 apache-cloudstack", 2, brownfieldState(2, map[string]any{"cloud_type": "apache-cloudstack"}), []string{`cloud_type "apache-cloudstack"`}},
		{"v2 custom cloud after import", 2, brownfieldState(2, map[string]any{"id": testMoveUID + ":project:nutanix", "cloud_type": "nutanix"}), []string{`cloud_type "nutanix"`}},
		{"v2 tenant context", 2, brownfieldState(2, map[string]any{"context": "tenant"}), []string{"tenant context"}},
		{"v1 cluster_profile", 1, brownfieldState(1, map[string]any{"cluster_profile": []any{map[string]any{"id": testMoveProfile, "pack": []any{}}}}),
			[]string{"cluster_profile blocks", "palette_addon_profile_attachment", `id = "` + testMoveUID + ":" + testMoveProfile + `"`, "removed {", "destroy = false", `id = "` + testMoveUID + `"`}},
		{"v2 cluster_profile", 2, brownfieldState(2, map[string]any{"cluster_profile": []any{map[string]any{"id": testMoveProfile}}}), []string{"cluster_profile blocks"}},
		{"v2 namespaces", 2, brownfieldState(2, map[string]any{"namespaces": []any{map[string]any{"name": "team-a"}}}),
			[]string{"palette_cluster_namespace", `id = "` + testMoveUID + `:team-a"`}},
		{"v2 rbac", 2, brownfieldState(2, map[string]any{"cluster_rbac_binding": []any{map[string]any{"type": "ClusterRoleBinding"}}}), []string{"palette_cluster_role_binding"}},
		{"v1 backup_policy", 1, brownfieldState(1, map[string]any{"backup_policy": []any{map[string]any{"prefix": "daily"}}}), []string{"backup_policy block"}},
		{"v2 timezone and lock", 2, brownfieldState(2, map[string]any{"cluster_timezone": "Europe/Paris", "pause_agent_upgrades": "lock"}),
			[]string{`cluster_timezone = "Europe/Paris"`, `pause_agent_upgrades = "lock"`}},
		{"schema version 0", 0, brownfieldState(1, nil), []string{"schema version 0", "versions 1, 2"}},
		{"schema version 3", 3, brownfieldState(2, nil), []string{"schema version 3"}},
		{"no UID", 2, brownfieldState(2, map[string]any{"id": "edge-1"}), []string{`ID "edge-1"`}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			_, _, took, diags := runMove(t, &importedClusterResource{}, testSpectroAddress, spectroBrownfieldType, tc.version, tc.state)
			expectMoveError(t, took, diags, tc.want)
		})
	}
}

// TestMove_otherSources: a request from another type or provider is left to
// the framework ("no mover"), not taken or refused.
func TestMove_otherSources(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name, address, typ string
		r                  movable
	}{
		{"other type", testSpectroAddress, "spectrocloud_cluster_aws", &importedClusterResource{}},
		{"other provider", "registry.terraform.io/example/spectrocloud", spectroBrownfieldType, &importedClusterResource{}},
		{"other provider's short name", "spectro", spectroBrownfieldType, &importedClusterResource{}},
		{"attachment from brownfield", testSpectroAddress, spectroBrownfieldType, &addonProfileAttachmentResource{}},
		{"cluster from addon deployment", testSpectroAddress, spectroAddonDeploymentType, &importedClusterResource{}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			if _, _, took, diags := runMove(t, tc.r, tc.address, tc.typ, 2, brownfieldState(2, nil)); took || len(diags) > 0 {
				t.Errorf("took %v, diagnostics %v; want neither", took, diags)
			}
		})
	}
	// A mirror of the registry serves the provider under another hostname;
	// OpenTofu before 1.12.4 sends the type alone.
	for _, address := range []string{"terraform.example.com/spectrocloud/spectrocloud", "spectrocloud/spectrocloud", "spectrocloud"} {
		if _, _, took, diags := runMove(t, &importedClusterResource{}, address, spectroBrownfieldType, 2, brownfieldState(2, nil)); !took || diags.HasError() {
			t.Errorf("address %q: took %v, %v", address, took, diags)
		}
	}
}

// addonDeploymentState is a spectrocloud_addon_deployment state of schema
// version v, with changes applied. Version 2 states saved before 2023 have
// no context.
func addonDeploymentState(v int64, changes map[string]any) map[string]any {
	s := map[string]any{
		"id": testMoveUID + "_" + testMoveProfile, "cluster_uid": testMoveUID, "apply_setting": "DownloadAndInstall", "timeouts": nil,
		"cluster_profile": []any{map[string]any{
			"id": testMoveProfile,
			"pack": []any{map[string]any{"name": "nginx", "tag": "1.11.2", "type": "spectro", "registry_uid": "", "uid": "",
				"values": "replicaCount: 2\n", "manifest": []any{}}},
			"variables": map[string]any{"domain": "example.com"},
		}},
	}
	if v >= 3 {
		s["context"] = "project"
	}
	maps.Copy(s, changes)
	return s
}

func TestMoveAddonProfileAttachment_fromAddonDeployment(t *testing.T) {
	t.Parallel()
	vars := map[string]string{"domain": "example.com"}
	for _, tc := range []struct {
		name    string
		version int64
		state   map[string]any
		vars    map[string]string
	}{
		{"v2 (2022, no context)", 2, addonDeploymentState(2, nil), vars},
		{"v2 with context", 2, addonDeploymentState(2, map[string]any{"context": "project"}), vars},
		{"v3", 3, addonDeploymentState(3, nil), vars},
		{"v3 without packs or variables", 3, addonDeploymentState(3, map[string]any{"cluster_profile": []any{map[string]any{"id": testMoveProfile}}}), nil},
		{"v2 ID of cluster UID and profile name (before November 2022)", 2,
			addonDeploymentState(2, map[string]any{"id": testMoveUID + "nginx-addon"}), vars},
		{"v3 profile only in the ID", 3, addonDeploymentState(3, map[string]any{"cluster_profile": []any{}}), nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			state, identity, took, diags := runMove(t, &addonProfileAttachmentResource{}, testSpectroAddress, spectroAddonDeploymentType, tc.version, tc.state)
			if !took || diags.HasError() {
				t.Fatalf("move refused or skipped (took %v): %v", took, diags)
			}
			ctx := context.Background()
			m, _ := getModel[addonProfileAttachmentResourceModel](ctx, state, &diags)
			if m.ID.ValueString() != testMoveUID+":"+testMoveProfile || m.ClusterID.ValueString() != testMoveUID || m.ProfileID.ValueString() != testMoveProfile {
				t.Errorf("id %s, cluster_id %s, profile_id %s", m.ID, m.ClusterID, m.ProfileID)
			}
			if !m.Values.IsNull() {
				t.Errorf("values = %s, want null (the refresh reads them, as after an import)", m.Values)
			}
			if m.AdoptExisting.ValueBool() || m.AdoptExisting.IsNull() {
				t.Errorf("adopt_existing = %s, want false", m.AdoptExisting)
			}
			var got map[string]string
			if !m.Variables.IsNull() {
				diags.Append(m.Variables.ElementsAs(ctx, &got, false)...)
			}
			if !maps.Equal(got, tc.vars) || (tc.vars == nil) != m.Variables.IsNull() {
				t.Errorf("variables = %s, want %v", m.Variables, tc.vars)
			}
			var c, p string
			diags.Append(identity.GetAttribute(ctx, path.Root("cluster_id"), &c)...)
			diags.Append(identity.GetAttribute(ctx, path.Root("profile_id"), &p)...)
			if c != testMoveUID || p != testMoveProfile || diags.HasError() {
				t.Errorf("identity %s/%s: %v", c, p, diags)
			}
		})
	}
}

func TestMoveAddonProfileAttachment_refused(t *testing.T) {
	t.Parallel()
	manifestPack := []any{map[string]any{"id": testMoveProfile, "pack": []any{map[string]any{
		"name": "cni-extra", "values": "", "manifest": []any{map[string]any{"name": "policy", "content": "kind: NetworkPolicy"}},
	}}}}
	for _, tc := range []struct {
		name    string
		version int64
		state   map[string]any
		want    []string
	}{
		{"v3 tenant", 3, addonDeploymentState(3, map[string]any{"context": "tenant"}), []string{"tenant context", "remove the moved block"}},
		{"v2 manifests", 2, addonDeploymentState(2, map[string]any{"cluster_profile": manifestPack}),
			[]string{"cni-extra/policy", "removed {", `id = "` + testMoveUID + ":" + testMoveProfile + `"`}},
		{"v3 manifests", 3, addonDeploymentState(3, map[string]any{"cluster_profile": manifestPack}), []string{"manifests"}},
		{"v2 no profile UID", 2, addonDeploymentState(2, map[string]any{"id": testMoveUID + "nginx-addon", "cluster_profile": []any{}}),
			[]string{"no profile UID", "terraform apply -refresh-only"}},
		{"v3 two profiles", 3, addonDeploymentState(3, map[string]any{"cluster_profile": []any{
			map[string]any{"id": testMoveProfile}, map[string]any{"id": testMoveUID},
		}}), []string{"2 cluster_profile blocks"}},
		{"v3 cluster UID not a UID", 3, addonDeploymentState(3, map[string]any{"cluster_uid": "edge-1"}), []string{`cluster_uid "edge-1"`}},
		{"schema version 1", 1, addonDeploymentState(2, nil), []string{"schema version 1", "versions 2, 3"}},
		{"schema version 4", 4, addonDeploymentState(3, nil), []string{"schema version 4"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			_, _, took, diags := runMove(t, &addonProfileAttachmentResource{}, testSpectroAddress, spectroAddonDeploymentType, tc.version, tc.state)
			expectMoveError(t, took, diags, tc.want)
		})
	}
}

// expectMoveError fails unless the move was refused with an error whose
// detail holds each of want.
func expectMoveError(t *testing.T, took bool, diags diag.Diagnostics, want []string) {
	t.Helper()
	if !took || !diags.HasError() {
		t.Fatalf("move not refused (took %v): %v", took, diags)
	}
	detail := diags.Errors()[0].Detail()
	for _, w := range want {
		if !strings.Contains(detail, w) {
			t.Errorf("diagnostic detail lacks %q:\n%s", w, detail)
		}
	}
}
