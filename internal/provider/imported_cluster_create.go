package provider

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework-timeouts/resource/timeouts"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/terraform-palette/terraform-provider-palette/internal/kube"
	"github.com/terraform-palette/terraform-provider-palette/internal/manifest"
	"github.com/terraform-palette/terraform-provider-palette/internal/palette"
	"github.com/terraform-palette/terraform-provider-palette/internal/wire"
)

// Create registers the cluster in Palette (or takes over the one an
// interrupted apply registered), installs the agent when cluster access is
// given, and waits as wait_for says.
func (r *importedClusterResource) Create(ctx context.Context, req resource.CreateRequest, resp *resource.CreateResponse) {
	ctx, cancel, plan, ca := startApply(ctx, req.Plan, req.Config, timeouts.Value.Create, defaultCreateTimeout, &resp.Diagnostics)
	access := ca.access
	defer cancel()
	if resp.Diagnostics.HasError() {
		return
	}
	c := r.data.client
	name := plan.Name.ValueString()
	fingerprint := r.claimForCreate(ctx, &plan, access, &resp.Diagnostics)
	if resp.Diagnostics.HasError() {
		return
	}

	labels := map[string]string{}
	resp.Diagnostics.Append(plan.Labels.ElementsAs(ctx, &labels, false)...)
	importReq := wire.ImportRequest{
		Metadata: wire.ObjectMetaInputEntity{Name: name, Labels: labels, Annotations: clusterAnnotations(plan.Description, fingerprint)},
		Spec: wire.ImportRequestSpec{ClusterConfig: wire.ImportClusterConfig{
			ImportMode: wireImportMode(plan.ImportMode.ValueString()),
			Proxy:      expandProxy(ctx, plan.Proxy, ca.proxyPassword, &resp.Diagnostics),
		}},
	}
	if resp.Diagnostics.HasError() {
		return
	}

	if !access.IsZero() {
		if err := r.removeStaleAgents(ctx, access); err != nil {
			resp.Diagnostics.AddError("Error importing cluster", err.Error())
			return
		}
	}

	var uid string
	if err := c.ValidateClusterName(ctx, name); err != nil {
		if !errors.Is(err, palette.ErrConflict) {
			resp.Diagnostics.AddError("Error importing cluster", fmt.Sprintf("Checking the name %q: %s", name, err))
			return
		}
		// The name is taken. When the cluster holding it is provably the
		// one an interrupted apply of this resource registered, take it
		// over; otherwise refuse and say why.
		var why string
		var verdict takeover
		uid, why, verdict = r.interruptedImport(ctx, name, plan.CloudType.ValueString(), importReq.Spec.ClusterConfig.ImportMode,
			fingerprint, access, false)
		if verdict != takeoverAllowed {
			nameInUse(name, uid, why, verdict == takeoverNeedsConsent, r.data.keptCluster(uid)).addTo(&resp.Diagnostics)
			return
		}
		resp.Diagnostics.AddWarning("Took over a cluster left by an interrupted apply",
			fmt.Sprintf("Cluster %s (%q) was registered by an earlier apply that ended before Terraform recorded it "+
				"in state: it carries this resource's creation fingerprint, %s says so, and %s. This apply continues "+
				"with it instead of registering a second cluster.", uid, name, envAdoptInterrupted, why))
		if err := c.UpdateClusterMetadata(ctx, uid, labels, importReq.Metadata.Annotations); err != nil {
			resp.Diagnostics.AddError("Error importing cluster", fmt.Sprintf("Updating the metadata of cluster %s: %s", uid, err))
			return
		}
		tflog.Info(ctx, "took over the cluster of an interrupted import", map[string]any{"uid": uid})
	} else {
		var adopted bool
		uid, adopted, err = c.ImportCluster(ctx, plan.CloudType.ValueString(), importReq)
		if err != nil {
			if v := importRejection(err); v != nil {
				v.addTo(&resp.Diagnostics)
				return
			}
			if errors.Is(err, palette.ErrConflict) {
				nameTakenMeanwhile(name, err).addTo(&resp.Diagnostics)
				return
			}
			resp.Diagnostics.AddError("Error importing cluster", err.Error())
			return
		}
		tflog.Info(ctx, "imported cluster registered", map[string]any{"uid": uid, "adopted": adopted})
	}

	defer r.data.clusterCache().invalidate(uid)

	// The UID goes to state at once: a later failure leaves a tainted
	// resource that Terraform replaces, never an orphan in Palette.
	plan.ID = types.StringValue(uid)
	settleUnknowns(&plan)
	resp.Diagnostics.Append(resp.State.Set(ctx, &plan)...)
	setClusterIdentity(ctx, resp.Identity, uid, &resp.Diagnostics)
	setExecEnvWO(ctx, resp.Private, ca.execEnvWO, &resp.Diagnostics)
	if resp.Diagnostics.HasError() {
		return
	}

	if !access.IsZero() {
		sum, err := r.installAgent(ctx, uid, access)
		if err != nil {
			r.failedInstall(ctx, uid, access, err, resp)
			return
		}
		recordInstall(&plan, sum, ca.refreshed())
		resp.Diagnostics.Append(resp.State.Set(ctx, &plan)...)
	}

	if err := waitFor(ctx, c, uid, plan.WaitFor.ValueString()); err != nil {
		if errors.Is(ctx.Err(), context.Canceled) {
			// Terraform was interrupted (Ctrl-C) while the cluster was
			// registered and its agent installed: the resource is saved as
			// made, not tainted, so that the next apply does not deregister
			// and import a healthy cluster again. A refresh shows its state.
			installed := ""
			if !access.IsZero() {
				installed = " and its agent installed"
			}
			resp.Diagnostics.AddWarning("Interrupted while waiting for the imported cluster",
				fmt.Sprintf("Cluster %s is registered%s and recorded in state; Terraform was interrupted before it "+
					"reached wait_for = %q. The next refresh shows its state.", uid, installed, plan.WaitFor.ValueString()))
			return
		}
		detail := fmt.Sprintf("Cluster %s: %s", uid, err)
		if access.IsZero() {
			detail += "\nNo cluster access was configured: install the agent with the command in import_command."
		}
		resp.Diagnostics.AddError("Error waiting for the imported cluster", detail)
		return
	}

	r.saveReadBack(ctx, &plan, ca.refreshed(), &resp.State, &resp.Diagnostics)
}

// envAdoptInterrupted names the clusters an interrupted apply of this state
// registered without recording them ("1" or "all": every cluster that
// carries its resource's creation fingerprint; else a comma-separated list
// of UIDs): the one command after an apply killed before its state write is
// `PALETTE_ADOPT_INTERRUPTED=1 terraform apply`. Without it, a cluster is
// never taken over: its fingerprint proves the configuration, and two
// states (workspaces, copies) of one configuration share it.
const envAdoptInterrupted = "PALETTE_ADOPT_INTERRUPTED"

// adoptInterrupted tells whether the user said that cluster uid was left
// by an interrupted apply of this state.
func adoptInterrupted(uid string) bool {
	v := strings.TrimSpace(os.Getenv(envAdoptInterrupted))
	switch strings.ToLower(v) {
	case "":
		return false
	case "1", "true", "all", "yes":
		return true
	}
	for _, u := range strings.Split(v, ",") {
		if strings.TrimSpace(u) == uid {
			return true
		}
	}
	return false
}

// takeover is the verdict on a cluster that holds the name a resource is
// about to register.
type takeover int

const (
	takeoverRefused      takeover = iota // somebody else's: the name is taken
	takeoverAllowed                      // left by an interrupted apply of this resource
	takeoverUndecided                    // cannot tell yet (plan time): apply decides
	takeoverNeedsConsent                 // this configuration's: taken over only with PALETTE_ADOPT_INTERRUPTED
)

// interruptedImport decides whether the cluster that holds name was
// registered by an earlier apply of this same resource that ended (killed,
// crashed, lost its state write) before Terraform could record it. It
// returns that cluster's UID (also when refused, if known) and the reason.
// fingerprint is the creation fingerprint this apply computes ("" when it
// cannot be computed yet); atPlan tells plan time from apply time. The
// rules keep somebody else's cluster safe:
//   - no resource planned in this run has the cluster in its state (at
//     plan time, such a holder is the old half of a replacement: undecided);
//   - the cluster carries the creation fingerprint this apply computes (the
//     name, cloud type, import mode, labels, description, proxy and target
//     cluster it was registered with are the planned ones);
//   - it is not being deleted, and its cloud type and import mode are still
//     the planned ones;
//   - and either it is still Pending (no agent has registered for it; its
//     manifest may have been fetched), or the target cluster this resource
//     is given access to runs that very cluster's agent.
func (r *importedClusterResource) interruptedImport(ctx context.Context, name, cloudType, wireMode, fingerprint string, access kube.Access, atPlan bool) (uid, why string, verdict takeover) {
	c := r.data.client
	undecided := takeoverRefused
	if atPlan {
		undecided = takeoverUndecided
	}
	item, err := c.FindClusterByName(ctx, name)
	if err != nil {
		return "", fmt.Sprintf("looking it up failed: %s", err), undecided
	}
	cl, err := c.GetCluster(ctx, item.Metadata.UID)
	if err != nil {
		return item.Metadata.UID, fmt.Sprintf("reading cluster %s failed: %s", item.Metadata.UID, err), undecided
	}
	uid = cl.Metadata.UID
	stored := cl.Metadata.Annotations[creationFingerprintAnnotation]
	switch {
	case r.data.keptCluster(uid):
		return uid, fmt.Sprintf("cluster %s is in the state of a resource of this configuration", uid), undecided
	case r.data.managedCluster(uid):
		// Destroyed by this plan: a deposed object (left by a failed
		// create_before_destroy replacement), or a resource removed from
		// the configuration. The name is free once it is deleted.
		return uid, fmt.Sprintf("cluster %s is destroyed by this plan", uid), undecided
	case cl.Status.State == wire.StateDeleting || cl.Status.State == wire.StateDeleted:
		return uid, fmt.Sprintf("cluster %s is being deleted; wait until it is gone", uid), takeoverRefused
	case stored == "":
		return uid, fmt.Sprintf("cluster %s carries no creation fingerprint of this provider, so it was registered "+
			"some other way (by hand, by another tool, or by an older provider version)", uid), takeoverRefused
	case fingerprint == "":
		return uid, "the planned values are not all known yet", undecided
	case stored != fingerprint:
		return uid, fmt.Sprintf("cluster %s was registered by another configuration (its creation fingerprint "+
			"differs: the name, cloud type, import mode, labels, description, proxy or target cluster it was "+
			"registered with are not the planned ones)", uid), takeoverRefused
	case cl.Spec.CloudType != wire.ImportCloudType(cloudType):
		return uid, fmt.Sprintf("cluster %s has cloud type %q, not %q", uid, cl.Spec.CloudType, wire.ImportCloudType(cloudType)), takeoverRefused
	}
	mode, err := clusterImportMode(ctx, c, cl)
	if err != nil {
		return uid, fmt.Sprintf("reading its import mode failed: %s", err), undecided
	}
	switch {
	case mode != wireMode:
		return uid, fmt.Sprintf("cluster %s was imported in another mode (%q)", uid, mode), takeoverRefused
	case !adoptInterrupted(uid):
		// The fingerprint proves the configuration, not the state: another
		// workspace, a copied directory or a concurrent run of the same
		// configuration registers the same fingerprint. Only the user can
		// say that this state's apply was interrupted.
		return uid, fmt.Sprintf("cluster %s carries this configuration's creation fingerprint, so an apply of this "+
			"configuration registered it: an interrupted apply of this state, or an apply of another state of the same "+
			"configuration (another workspace, a copied directory). The provider cannot tell which, and never takes over "+
			"another state's cluster by itself", uid), takeoverNeedsConsent
	case cl.Status.State == wire.StatePending:
		return uid, "it is still Pending: no agent has registered for it", takeoverAllowed
	case access.IsZero():
		return uid, fmt.Sprintf("%s=%s says it is yours (without cluster access the provider cannot check that its "+
			"agent runs in your cluster)", envAdoptInterrupted, os.Getenv(envAdoptInterrupted)), takeoverAllowed
	}
	kc, err := r.data.newKube(access)
	if err != nil {
		return uid, fmt.Sprintf("checking for its agent failed: %s", err), undecided
	}
	in, err := manifest.Installed(ctx, kc, uid)
	if err != nil {
		return uid, fmt.Sprintf("checking for its agent failed: %s", err), undecided
	}
	if in != nil && !in.Terminating {
		return uid, fmt.Sprintf("the agent of cluster %s runs in the configured cluster (namespace %s)", uid, in.Namespace), takeoverAllowed
	}
	return uid, fmt.Sprintf("cluster %s is %s and its agent does not run in the configured cluster", uid, cl.Status.State), takeoverRefused
}

// installAgent fetches the import manifest and applies it to the cluster
// with server-side apply. It returns the manifest's SHA-256.
func (r *importedClusterResource) installAgent(ctx context.Context, uid string, access kube.Access) (string, error) {
	body, err := r.data.client.GetImportManifest(ctx, uid)
	if err != nil {
		return "", fmt.Errorf("fetching the import manifest: %w", err)
	}
	kc, err := r.data.newKube(access)
	if err != nil {
		return "", err
	}
	refs, err := kc.Apply(ctx, body, kube.ApplyOptions{FieldManager: fieldManager})
	if err != nil {
		return "", fmt.Errorf("applying the import manifest: %w", err)
	}
	tflog.Info(ctx, "import manifest applied", map[string]any{"uid": uid, "objects": len(refs)})
	sum := sha256.Sum256(body)
	return hex.EncodeToString(sum[:]), nil
}

// recordInstall records in m an install of the agent whose manifest has
// the SHA-256 sum; agent_installed becomes true only with stored access,
// the one a refresh can check it with.
func recordInstall(m *importedClusterResourceModel, sum string, access kube.Access) {
	m.ManifestSHA256 = types.StringValue(sum)
	if storedAccess(access) {
		m.AgentInstalled = types.BoolValue(true)
	}
}

// settleUnknowns gives every computed attribute a known value, so that a
// partial state can be saved when create fails half-way.
func settleUnknowns(m *importedClusterResourceModel) {
	for _, s := range []*types.String{&m.State, &m.Health, &m.AgentVersion, &m.KubernetesVersion, &m.Region,
		&m.CloudConfigUID, &m.ManifestSHA256, &m.ImportCommand} {
		if s.IsUnknown() {
			*s = types.StringValue("")
		}
	}
	if m.InstanceTypes.IsUnknown() {
		m.InstanceTypes = types.ListValueMust(types.StringType, nil)
	}
	if m.NodeCount.IsUnknown() {
		m.NodeCount = types.Int64Value(0)
	}
	if m.AgentInstalled.IsUnknown() {
		m.AgentInstalled = types.BoolNull()
	}
}
