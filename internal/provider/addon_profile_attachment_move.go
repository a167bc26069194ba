package provider

import (
	"context"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-framework/types"
)

var _ resource.ResourceWithMoveState = &addonProfileAttachmentResource{}

// spectroAddonDeploymentType is Spectro's resource for an add-on profile
// attached to a cluster.
const spectroAddonDeploymentType = "spectrocloud_addon_deployment"

// spectroAddonDeploymentVersions are the schema versions Spectro's provider
// has published for spectrocloud_addon_deployment: 2 (from the resource's
// first release in 2022, cluster_profile a list) and 3 (from v0.28.1,
// cluster_profile a set). Their JSON is the same shape (SDKv2 saves lists
// and sets as arrays); `context` came in 2023 (absent: project).
var spectroAddonDeploymentVersions = []int64{2, 3}

// spectroAddonDeploymentState is the part of a spectrocloud_addon_deployment
// state the move reads. Its ID is <cluster_uid>_<profile_uid> (before
// November 2022: the cluster UID followed by the profile's name); the
// profile's UID is also cluster_profile[0].id.
type spectroAddonDeploymentState struct {
	ID             string                          `json:"id"`
	ClusterUID     string                          `json:"cluster_uid"`
	Context        string                          `json:"context"`
	ClusterProfile []spectroAddonDeploymentProfile `json:"cluster_profile"`
}

// spectroAddonDeploymentProfile is an element of cluster_profile.
type spectroAddonDeploymentProfile struct {
	ID   string `json:"id"`
	Pack []struct {
		Name     string `json:"name"`
		Manifest []struct {
			Name string `json:"name"`
		} `json:"manifest"`
	} `json:"pack"`
	Variables map[string]string `json:"variables"`
}

// MoveState takes a spectrocloud_addon_deployment's state. Values are left
// to the refresh that follows the move, as after `terraform import`:
// Spectro's state holds each listed pack's whole values, while ours holds
// overrides merged onto the profile's; the refresh shows a pack's whole
// values where they differ from the profile's, and the plan takes a
// configured override that merges to them as no change.
func (r *addonProfileAttachmentResource) MoveState(context.Context) []resource.StateMover {
	return []resource.StateMover{spectroMover(spectroAddonDeploymentType, spectroAddonDeploymentVersions, addonDeploymentTarget,
		func(ctx context.Context, id *tfsdk.ResourceIdentity, attrs map[string]string, diags *diag.Diagnostics) {
			setAttachmentIdentity(ctx, id, attrs["cluster_id"], attrs["profile_id"], diags)
		})}
}

// addonDeploymentTarget maps an addon deployment's state to
// palette_addon_profile_attachment's attributes, or reports what cannot be
// moved.
func addonDeploymentTarget(src spectroAddonDeploymentState, diags *diag.Diagnostics) (map[string]attr.Value, bool) {
	refusal := &moveRefusal{source: spectroAddonDeploymentType, target: "palette_addon_profile_attachment"}
	cid := src.ClusterUID
	if cid == "" {
		cid, _, _ = strings.Cut(src.ID, "_")
	}
	pid := ""
	if len(src.ClusterProfile) > 0 {
		pid = src.ClusterProfile[0].ID
	}
	if pid == "" {
		if _, p, ok := strings.Cut(src.ID, "_"); ok {
			pid = p
		}
	}
	switch {
	case src.Context == "tenant":
		refusal.add("its profile is attached in tenant context (`context = \"tenant\"`); palette_addon_profile_attachment attaches profiles to clusters of " +
			"the provider's project (`project_uid`). Keep it under spectrocloud_addon_deployment: remove the moved block and the palette_addon_profile_attachment block.")
	case !uidRegexp.MatchString(cid):
		refusal.add("its cluster_uid %q is not a Palette cluster UID (24 lowercase hex characters).", cid)
	case !uidRegexp.MatchString(pid):
		refusal.add("its state names no profile UID (cluster_profile[0].id is %q, its ID %q). Run `terraform apply -refresh-only` with Spectro's provider "+
			"to read the profile's UID into the state, then plan the move again, or import the attachment with `<cluster_uid>:<profile_uid>`.", pid, src.ID)
	case len(src.ClusterProfile) > 1:
		refusal.add("it has %d cluster_profile blocks; a palette_addon_profile_attachment attaches one profile. Import one attachment per profile "+
			"with `<cluster_uid>:<profile_uid>`.", len(src.ClusterProfile))
	}
	if refusal.report(diags, "") {
		return nil, false
	}
	var profile spectroAddonDeploymentProfile
	if len(src.ClusterProfile) > 0 {
		profile = src.ClusterProfile[0]
	}
	var manifests []string
	for _, p := range profile.Pack {
		for _, m := range p.Manifest {
			manifests = append(manifests, p.Name+"/"+m.Name)
		}
	}
	if len(manifests) > 0 {
		refusal.add("its packs set manifests (%s); palette_addon_profile_attachment sets packs' values only, and leaves the manifests as they are "+
			"in Palette, outside Terraform. To change them with Terraform, put them in a new version of the profile.", strings.Join(manifests, ", "))
	}
	if refusal.report(diags, removedImportRecipe(spectroAddonDeploymentType, "palette_addon_profile_attachment", attachmentID(cid, pid))) {
		return nil, false
	}
	variables := types.MapNull(types.StringType)
	if vars := profile.Variables; len(vars) > 0 {
		m := make(map[string]attr.Value, len(vars))
		for k, v := range vars {
			m[k] = types.StringValue(v)
		}
		variables = types.MapValueMust(types.StringType, m)
	}
	return map[string]attr.Value{
		"id":             types.StringValue(attachmentID(cid, pid)),
		"cluster_id":     types.StringValue(cid),
		"profile_id":     types.StringValue(pid),
		"values":         types.MapNull(types.StringType),
		"variables":      variables,
		"adopt_existing": types.BoolValue(false),
	}, true
}
