package provider

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/terraform-palette/terraform-provider-palette/internal/kube"
	"github.com/terraform-palette/terraform-provider-palette/internal/wire"
)

// The moves from Spectro Cloud's provider are tested with the CLI driven
// directly: the state to move is written by hand, in the shapes of
// Spectro's schema versions (terraform-plugin-testing cannot start from a
// given state), and the source provider is never installed.
//
// Terraform refuses to plan a state that names a provider it cannot start
// ("This state requires provider registry.terraform.io/spectrocloud/spectrocloud,
// but that provider isn't available"), even when each of its resources is
// only the `from` of a moved block: it starts the provider to read its
// schema but never asks it anything about the moved resources (the move is
// the target provider's MoveResourceState, given the raw JSON state). The
// test's CLI config therefore points spectrocloud/spectrocloud, with
// dev_overrides, at a stand-in: this provider's own binary under the name
// terraform-provider-spectrocloud. Users have Spectro's provider installed
// anyway; once the move is applied the state no longer names it, and the
// last plan here runs without the stand-in. OpenTofu (1.10 or later) moves
// the same way; it looks the state's provider up as
// registry.opentofu.org/spectrocloud/spectrocloud, hence two overrides.

// moveCLIConfig returns a CLI config with this provider's binary as
// terraform-palette/palette and as the spectrocloud/spectrocloud stand-in.
func moveCLIConfig(t *testing.T) string {
	t.Helper()
	cliProvider(t) // builds the binary
	bin := filepath.Join(cliBuild.buildDir, "bin", "terraform-provider-palette")
	stand := filepath.Join(t.TempDir(), "spectrocloud")
	if err := os.MkdirAll(stand, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(bin, filepath.Join(stand, "terraform-provider-spectrocloud")); err != nil {
		t.Fatal(err)
	}
	rc := filepath.Join(t.TempDir(), "terraformrc")
	conf := fmt.Sprintf(`provider_installation {
  dev_overrides {
    "terraform-palette/palette" = %q
    "registry.terraform.io/spectrocloud/spectrocloud" = %q
    "registry.opentofu.org/spectrocloud/spectrocloud" = %q
  }
  direct {}
}
`, filepath.Dir(bin), stand, stand)
	if err := os.WriteFile(rc, []byte(conf), 0o600); err != nil {
		t.Fatal(err)
	}
	return rc
}

// moveTestPrecheck skips on CLIs without moves across resource types.
func moveTestPrecheck(t *testing.T) {
	t.Helper()
	testAccPreCheck(t)
	major, minor := cliVersion(t)
	switch {
	case usingOpenTofu() && major == 1 && minor < 10:
		t.Skipf("moved blocks between resource types need OpenTofu 1.10 or later (have 1.%d)", minor)
	case major == 1 && minor < 8:
		t.Skipf("moved blocks between resource types need Terraform 1.8 or later (have 1.%d)", minor)
	}
}

// registerLikeUI registers a cluster as Palette's UI does (the import API,
// then the import manifest applied by hand) and waits until it is Running
// and Healthy.
func (e *testEnv) registerLikeUI(t *testing.T, name, wireMode string, labels map[string]string) string {
	t.Helper()
	uid := e.importClusterDirect(t, name, wire.CloudTypeGeneric, wireMode, labels)
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	body, err := e.Client.GetImportManifest(ctx, uid)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.kubeClient(t).Apply(ctx, body, kube.ApplyOptions{FieldManager: "kubectl"}); err != nil {
		t.Fatal(err)
	}
	if err := waitClusterHealthy(ctx, e.Client, uid); err != nil {
		t.Fatal(err)
	}
	return uid
}

// spectroStateFile is a state of Terraform 1.x holding resources of
// Spectro's provider, each {type, name, schema_version, attributes}.
func spectroStateFile(t *testing.T, dir string, resources ...map[string]any) {
	t.Helper()
	var rs []map[string]any
	for _, r := range resources {
		rs = append(rs, map[string]any{
			"mode": "managed", "type": r["type"], "name": r["name"],
			"provider": `provider["registry.terraform.io/spectrocloud/spectrocloud"]`,
			"instances": []any{map[string]any{
				"schema_version": r["schema_version"], "attributes": r["attributes"], "sensitive_attributes": []any{},
			}},
		})
	}
	b, err := json.MarshalIndent(map[string]any{
		"version": 4, "terraform_version": "1.16.4", "serial": 1, "lineage": "5d3c2b1a-0f9e-4d8c-b7a6-950413223144",
		"outputs": map[string]any{}, "resources": rs, "check_results": nil,
	}, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "terraform.tfstate"), b, 0o600); err != nil {
		t.Fatal(err)
	}
}

// planChange is a resource change of `terraform show -json`.
type planChange struct {
	Address         string `json:"address"`
	PreviousAddress string `json:"previous_address"`
	Change          struct {
		Actions []string `json:"actions"`
	} `json:"change"`
}

// TestAccMove_fromSpectro: a state with Spectro's spectrocloud_cluster_brownfield
// and spectrocloud_addon_deployment, in each of their schema versions,
// pointing at a cluster registered as the UI does (agent running, add-on
// profile attached and Ready), is moved by moved blocks: the plan changes
// nothing (no create, no delete, no update), the apply keeps the UID and the
// attachment in Palette and the agent and add-on in the cluster, and a plan
// afterwards, without the stand-in for Spectro's provider, has no changes.
func TestAccMove_fromSpectro(t *testing.T) {
	moveTestPrecheck(t)
	for _, tc := range []struct {
		name                 string
		brownfield, addonDep int64
	}{
		{"brownfield_v1_addon_v2", 1, 2},
		{"brownfield_v2_addon_v3", 2, 3},
	} {
		t.Run(tc.name, func(t *testing.T) {
			env := newTestEnv(t, testEnvOptions{flavor: "generic"})
			profile := env.createProfile(t, "hello-addon.yaml", false, nil)
			cid := env.registerLikeUI(t, "moved-"+fmt.Sprint(tc.brownfield), wire.ImportModeFullPermission, map[string]string{"team": "edge"})
			if err := env.attachOutOfBand(cid, profile); err != nil {
				t.Fatal(err)
			}
			dir := t.TempDir()
			spectroStateFile(t, dir,
				map[string]any{"type": spectroBrownfieldType, "name": "edge", "schema_version": tc.brownfield,
					"attributes": brownfieldState(tc.brownfield, map[string]any{
						"id": cid, "name": "moved-" + fmt.Sprint(tc.brownfield), "import_mode": "full", "tags": []any{"team:edge"},
					})},
				map[string]any{"type": spectroAddonDeploymentType, "name": "hello", "schema_version": tc.addonDep,
					"attributes": addonDeploymentState(tc.addonDep, map[string]any{
						"id": cid + "_" + profile, "cluster_uid": cid,
						"cluster_profile": []any{map[string]any{"id": profile, "pack": []any{}, "variables": map[string]any{}}},
					})},
			)
			writeCLIConfig(t, dir, env.API.URL, env.API.ProjectUID, fmt.Sprintf(`
moved {
  from = spectrocloud_cluster_brownfield.edge
  to   = palette_imported_cluster.edge
}

moved {
  from = spectrocloud_addon_deployment.hello
  to   = palette_addon_profile_attachment.hello
}

resource "palette_imported_cluster" "edge" {
  name   = %q
  labels = { team = "edge" }
}

resource "palette_addon_profile_attachment" "hello" {
  cluster_id = palette_imported_cluster.edge.id
  profile_id = %q
}
`, "moved-"+fmt.Sprint(tc.brownfield), profile))
			rc := moveCLIConfig(t)
			vars := []string{"PALETTE_API_KEY=" + env.API.APIKey, "TF_CLI_CONFIG_FILE=" + rc}
			tfMust(t, dir, vars, nil, "plan", "-out=tfplan")
			var plan struct {
				ResourceChanges []planChange `json:"resource_changes"`
			}
			if err := json.Unmarshal([]byte(tfMust(t, dir, vars, nil, "show", "-json", "tfplan")), &plan); err != nil {
				t.Fatal(err)
			}
			moved := map[string]string{
				"palette_imported_cluster.edge":          "spectrocloud_cluster_brownfield.edge",
				"palette_addon_profile_attachment.hello": "spectrocloud_addon_deployment.hello",
			}
			for _, rc := range plan.ResourceChanges {
				if want, ok := moved[rc.Address]; !ok || rc.PreviousAddress != want {
					t.Errorf("%s: previous address %q, want %q", rc.Address, rc.PreviousAddress, want)
				}
				if strings.Join(rc.Change.Actions, ",") != "no-op" {
					t.Errorf("%s: actions %v, want no-op", rc.Address, rc.Change.Actions)
				}
				delete(moved, rc.Address)
			}
			if len(moved) > 0 {
				t.Errorf("not in the plan: %v", moved)
			}
			tfMust(t, dir, vars, nil, "apply", "tfplan")
			state, err := os.ReadFile(filepath.Join(dir, "terraform.tfstate"))
			if err != nil {
				t.Fatal(err)
			}
			if strings.Contains(string(state), "spectrocloud") {
				t.Errorf("the state still names Spectro's provider:\n%s", state)
			}
			// Without the stand-in: the state no longer needs Spectro's provider.
			plain := []string{"PALETTE_API_KEY=" + env.API.APIKey}
			if out := tfMust(t, dir, plain, nil, "plan", "-detailed-exitcode"); !strings.Contains(out, "No changes") {
				t.Errorf("plan after the move is not empty:\n%s", out)
			}
			cl, err := findClusterByID(context.Background(), env.Client, cid)
			if err != nil || cl.Status.State != wire.StateRunning {
				t.Errorf("cluster %s after the move: %v, %v", cid, cl, err)
			}
			if ap, err := env.attachedProfile(cid, profile); ap == nil || err != nil {
				t.Errorf("profile %s no longer attached: %v", profile, err)
			}
			if !hasObject(env.agentObjects(t, cid), "ConfigMap", helloConfigMap) {
				t.Error("the add-on's objects are gone from the cluster")
			}
			tfMust(t, dir, plain, nil, "destroy", "-auto-approve")
			env.expectNoClusters(t)
		})
	}
}

// TestAccMove_fromSpectroRefused: what cannot be moved fails the plan with
// the diagnostic that says what to do, and nothing is changed (the move
// happens before any refresh: no cluster is needed).
func TestAccMove_fromSpectroRefused(t *testing.T) {
	moveTestPrecheck(t)
	env := newTestEnv(t, testEnvOptions{leavesClusters: true})
	cid := env.importClusterDirect(t, "refused", wire.CloudTypeGeneric, "", nil)
	for _, tc := range []struct {
		name     string
		resource map[string]any
		to       string
		want     *regexp.Regexp
	}{
		{"brownfield v1 edge-native", map[string]any{"type": spectroBrownfieldType, "schema_version": 1,
			"attributes": brownfieldState(1, map[string]any{"id": cid, "name": "refused", "cloud_type": "edge-native"})},
			"palette_imported_cluster", regexp.MustCompile(`(?s)Cannot\s+move\s+spectrocloud_cluster_brownfield.*cloud_type\s+"edge-native".*remove\s+the\s+moved\s+block`)},
		{"brownfield v2 cluster_profile", map[string]any{"type": spectroBrownfieldType, "schema_version": 2,
			"attributes": brownfieldState(2, map[string]any{"id": cid, "name": "refused", "cluster_profile": []any{map[string]any{"id": testMoveProfile}}})},
			"palette_imported_cluster", regexp.MustCompile(`(?s)cluster_profile\s+blocks.*removed\s+{.*destroy\s+=\s+false.*palette_addon_profile_attachment`)},
		{"addon deployment v3 tenant", map[string]any{"type": spectroAddonDeploymentType, "schema_version": 3,
			"attributes": addonDeploymentState(3, map[string]any{"cluster_uid": cid, "context": "tenant"})},
			"palette_addon_profile_attachment", regexp.MustCompile(`(?s)Cannot\s+move\s+spectrocloud_addon_deployment.*tenant\s+context`)},
		{"addon deployment v2 manifests", map[string]any{"type": spectroAddonDeploymentType, "schema_version": 2,
			"attributes": addonDeploymentState(2, map[string]any{"cluster_uid": cid, "cluster_profile": []any{map[string]any{"id": testMoveProfile,
				"pack": []any{map[string]any{"name": "hello", "manifest": []any{map[string]any{"name": "hello", "content": "kind: ConfigMap"}}}}}}})},
			"palette_addon_profile_attachment", regexp.MustCompile(`(?s)manifests\s+\(hello/hello\).*removed\s+{`)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			tc.resource["name"] = "x"
			spectroStateFile(t, dir, tc.resource)
			target := `resource "palette_imported_cluster" "x" {
  name = "refused"
}`
			if tc.to == "palette_addon_profile_attachment" {
				target = fmt.Sprintf(`resource "palette_addon_profile_attachment" "x" {
  cluster_id = %q
  profile_id = %q
}`, cid, testMoveProfile)
			}
			writeCLIConfig(t, dir, env.API.URL, env.API.ProjectUID, fmt.Sprintf("moved {\n  from = %s.x\n  to   = %s.x\n}\n\n%s\n", tc.resource["type"], tc.to, target))
			vars := []string{"PALETTE_API_KEY=" + env.API.APIKey, "TF_CLI_CONFIG_FILE=" + moveCLIConfig(t)}
			out := tfMust(t, dir, vars, []int{1}, "plan")
			if !tc.want.MatchString(out) {
				t.Errorf("plan output does not match %s:\n%s", tc.want, out)
			}
		})
	}
	cl, err := findClusterByID(context.Background(), env.Client, cid)
	if err != nil || cl.Status.State == wire.StateDeleting {
		t.Errorf("cluster %s after the refused moves: %v, %v", cid, cl, err)
	}
}
