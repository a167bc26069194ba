package provider

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-log/tflog"
	apierrors "k8s.io/apimachinery/pkg/api/errors"

	"github.com/terraform-palette/terraform-provider-palette/internal/kube"
	"github.com/terraform-palette/terraform-provider-palette/internal/manifest"
	"github.com/terraform-palette/terraform-provider-palette/internal/palette"
	"github.com/terraform-palette/terraform-provider-palette/internal/wire"
)

const (
	defaultCreateTimeout = 20 * time.Minute
	defaultUpdateTimeout = 20 * time.Minute
	defaultDeleteTimeout = 15 * time.Minute
)

func (r *importedClusterResource) Create(ctx context.Context, req resource.CreateRequest, resp *resource.CreateResponse) {
	ctx = palette.MaskURLCredentials(ctx) // the proxy URLs may carry user:password@
	var plan, cfg importedClusterResourceModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	resp.Diagnostics.Append(req.Config.Get(ctx, &cfg)...)
	if resp.Diagnostics.HasError() {
		return
	}
	timeout, d := plan.Timeouts.Create(ctx, defaultCreateTimeout)
	resp.Diagnostics.Append(d...)
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	access, _ := clusterAccess(ctx, cfg.Kubernetes, cfg.KubeconfigWO, &resp.Diagnostics)
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
		Metadata: wire.ObjectMetaInput{Name: name, Labels: labels, Annotations: clusterAnnotations(plan.Description, fingerprint)},
		Spec: wire.ImportRequestSpec{ClusterConfig: wire.ImportClusterConfig{
			ImportMode: wireImportMode(plan.ImportMode.ValueString()),
			Proxy:      expandProxy(ctx, plan.Proxy, &resp.Diagnostics),
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
			nameInUse(name, uid, why).addTo(&resp.Diagnostics)
			return
		}
		resp.Diagnostics.AddWarning("Took over a cluster left by an interrupted apply",
			fmt.Sprintf("Cluster %s (%q) was registered by an earlier apply that ended before Terraform recorded it "+
				"in state: it carries this resource's creation fingerprint, and %s. This apply continues with it "+
				"instead of registering a second cluster.", uid, name, why))
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
	if resp.Diagnostics.HasError() {
		return
	}

	if !access.IsZero() {
		sum, err := r.installAgent(ctx, uid, access)
		if err != nil {
			r.failedInstall(ctx, uid, access, err, resp)
			return
		}
		plan.ManifestSHA256 = types.StringValue(sum)
		if storedAccess(access) {
			plan.AgentInstalled = types.BoolValue(true)
		}
		resp.Diagnostics.Append(resp.State.Set(ctx, &plan)...)
	}

	if err := waitFor(ctx, c, uid, plan.WaitFor.ValueString()); err != nil {
		detail := fmt.Sprintf("Cluster %s: %s", uid, err)
		if access.IsZero() {
			detail += "\nNo cluster access was configured: install the agent with the command in import_command."
		}
		resp.Diagnostics.AddError("Error waiting for the imported cluster", detail)
		return
	}

	r.readInto(ctx, &plan, access, &resp.Diagnostics)
	if resp.Diagnostics.HasError() {
		return
	}
	resp.Diagnostics.Append(resp.State.Set(ctx, &plan)...)
}

// takeover is the verdict on a cluster that holds the name a resource is
// about to register.
type takeover int

const (
	takeoverRefused   takeover = iota // somebody else's: the name is taken
	takeoverAllowed                   // left by an interrupted apply of this resource
	takeoverUndecided                 // cannot tell yet (plan time): apply decides
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
	case r.data.ownership().isHeld(uid):
		return uid, fmt.Sprintf("cluster %s is in the state of a resource of this configuration", uid), undecided
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
	case cl.Status.State == wire.StatePending:
		return uid, "it is still Pending: no agent has registered for it", takeoverAllowed
	case access.IsZero():
		return uid, fmt.Sprintf("cluster %s is %s (an agent registered for it), and without cluster access "+
			"the provider cannot check that its agent runs in your cluster", uid, cl.Status.State), takeoverRefused
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

func (r *importedClusterResource) Read(ctx context.Context, req resource.ReadRequest, resp *resource.ReadResponse) {
	ctx = palette.MaskURLCredentials(ctx) // the proxy URLs may carry user:password@
	var state importedClusterResourceModel
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	// Also when the cluster turns out gone: the framework wants an identity
	// after every Read that does not fail.
	setClusterIdentity(ctx, resp.Identity, state.ID.ValueString(), &resp.Diagnostics)
	// A refresh of many resources is answered by one paged search, held by
	// the provider (cluster_cache.go); GET is the fallback.
	prior := state
	if v, ok := r.data.cachedCluster(ctx, &state); ok {
		access, _ := clusterAccess(ctx, state.Kubernetes, types.StringNull(), &resp.Diagnostics)
		flattenCluster(ctx, &state, v, &resp.Diagnostics)
		r.checkAgentObjects(ctx, &state, access)
		if resp.Diagnostics.HasError() {
			return
		}
		resp.Diagnostics.Append(setIfChanged(ctx, &resp.State, &prior, &state)...)
		return
	}
	cl, err := r.data.client.GetCluster(ctx, state.ID.ValueString())
	if isGone(cl, err) {
		resp.Diagnostics.AddWarning("Imported cluster is gone",
			fmt.Sprintf("Palette no longer has cluster %s (%s); it is removed from the state and will be imported again on the next apply.",
				state.ID.ValueString(), state.Name.ValueString()))
		resp.State.RemoveResource(ctx)
		return
	}
	if err != nil {
		resp.Diagnostics.AddError("Error reading imported cluster", fmt.Sprintf("Cluster %s: %s", state.ID.ValueString(), err))
		return
	}
	access, _ := clusterAccess(ctx, state.Kubernetes, types.StringNull(), &resp.Diagnostics)
	r.flattenWithOverview(ctx, &state, cl, &resp.Diagnostics)
	r.checkAgentObjects(ctx, &state, access)
	if resp.Diagnostics.HasError() {
		return
	}
	resp.Diagnostics.Append(setIfChanged(ctx, &resp.State, &prior, &state)...)
}

// readInto reads the cluster back after create or update.
func (r *importedClusterResource) readInto(ctx context.Context, m *importedClusterResourceModel, access kube.Access, diags *diag.Diagnostics) {
	cl, err := findClusterByID(ctx, r.data.client, m.ID.ValueString())
	if err != nil {
		diags.AddError("Error reading imported cluster", fmt.Sprintf("Cluster %s: %s", m.ID.ValueString(), err))
		return
	}
	r.flattenWithOverview(ctx, m, cl, diags)
	r.checkAgentObjects(ctx, m, access)
}

func (r *importedClusterResource) flattenWithOverview(ctx context.Context, m *importedClusterResourceModel, cl *wire.Cluster, diags *diag.Diagnostics) {
	v, err := readClusterView(ctx, r.data.client, cl)
	if err != nil {
		diags.AddError("Error reading imported cluster", err.Error())
		return
	}
	flattenCluster(ctx, m, v, diags)
}

// checkAgentObjects sets agent_installed when the cluster can be reached with
// access stored in state; it leaves it unchanged otherwise.
func (r *importedClusterResource) checkAgentObjects(ctx context.Context, m *importedClusterResourceModel, access kube.Access) {
	if !storedAccess(access) {
		return
	}
	kc, err := r.data.newKube(access)
	if err != nil {
		tflog.Warn(ctx, "cannot build cluster access to check the agent", map[string]any{"error": err.Error()})
		return
	}
	// The agent is installed when its namespace holds its Deployment and
	// every object it needs to run (manifest.CoreObjects), found by name.
	ctx, cancel := context.WithTimeout(ctx, r.data.client.RequestTimeout())
	defer cancel()
	in, err := manifest.Installed(ctx, kc, m.ID.ValueString())
	if err != nil {
		tflog.Warn(ctx, "cannot check the agent's objects", map[string]any{"error": err.Error()})
		return
	}
	m.AgentInstalled = types.BoolValue(in != nil && in.Complete())
}

// objectRefs turns manifest object names into kube refs.
func objectRefs(ids []manifest.ObjectID) []kube.ObjectRef {
	refs := make([]kube.ObjectRef, len(ids))
	for i, id := range ids {
		gvk := id.GroupVersionKind()
		refs[i] = kube.ObjectRef{Group: gvk.Group, Version: gvk.Version, Kind: gvk.Kind, Namespace: id.Namespace, Name: id.Name}
	}
	return refs
}

func (r *importedClusterResource) Update(ctx context.Context, req resource.UpdateRequest, resp *resource.UpdateResponse) {
	ctx = palette.MaskURLCredentials(ctx) // the proxy URLs may carry user:password@
	var plan, state, cfg importedClusterResourceModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	resp.Diagnostics.Append(req.Config.Get(ctx, &cfg)...)
	if resp.Diagnostics.HasError() {
		return
	}
	timeout, d := plan.Timeouts.Update(ctx, defaultUpdateTimeout)
	resp.Diagnostics.Append(d...)
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	access, _ := clusterAccess(ctx, cfg.Kubernetes, cfg.KubeconfigWO, &resp.Diagnostics)
	if resp.Diagnostics.HasError() {
		return
	}
	c := r.data.client
	uid := state.ID.ValueString()
	plan.ID = state.ID
	setClusterIdentity(ctx, resp.Identity, uid, &resp.Diagnostics)
	defer r.data.clusterCache().invalidate(uid)

	if !plan.Labels.Equal(state.Labels) || !plan.Description.Equal(state.Description) {
		labels := map[string]string{}
		resp.Diagnostics.Append(plan.Labels.ElementsAs(ctx, &labels, false)...)
		// The PATCH replaces the annotations: the creation fingerprint
		// goes back with the description.
		cl, err := c.GetCluster(ctx, uid)
		if err != nil {
			resp.Diagnostics.AddError("Error updating imported cluster", fmt.Sprintf("Reading cluster %s: %s", uid, err))
			return
		}
		fingerprint := cl.Metadata.Annotations[creationFingerprintAnnotation]
		if err := c.UpdateClusterMetadata(ctx, uid, labels, clusterAnnotations(plan.Description, fingerprint)); err != nil {
			resp.Diagnostics.AddError("Error updating imported cluster", fmt.Sprintf("Metadata of cluster %s: %s", uid, err))
			return
		}
	}

	upgrade := isUpgrade(state.ImportMode, plan.ImportMode)
	reinstall := !state.AgentInstalled.IsNull() && !state.AgentInstalled.ValueBool() && plan.AgentInstalled.ValueBool()
	if flag, d := req.Private.GetKey(ctx, privateReinstall); !d.HasError() && string(flag) == "true" {
		reinstall = true // planned with write-only credentials (ModifyPlan)
	}
	plan.ManifestSHA256 = state.ManifestSHA256
	if upgrade {
		err := c.UpgradeToFullPermission(ctx, uid)
		if err != nil && !palette.IsCode(err, wire.CodeAlreadyFullPermission) {
			resp.Diagnostics.AddError("Error migrating cluster to Full Permission", fmt.Sprintf("Cluster %s: %s", uid, err))
			return
		}
	}
	if (upgrade || reinstall) && !access.IsZero() {
		sum, err := r.installAgent(ctx, uid, access)
		if err != nil {
			what := "Error reinstalling the Palette agent"
			if upgrade {
				what = "Error installing the Full Permission agent"
			}
			resp.Diagnostics.AddError(what, fmt.Sprintf("Cluster %s: %s", uid, err))
			return
		}
		plan.ManifestSHA256 = types.StringValue(sum)
		if storedAccess(access) {
			plan.AgentInstalled = types.BoolValue(true)
		}
	}
	if upgrade || reinstall {
		if err := waitFor(ctx, c, uid, plan.WaitFor.ValueString()); err != nil {
			resp.Diagnostics.AddError("Error waiting for the imported cluster", fmt.Sprintf("Cluster %s: %s", uid, err))
			return
		}
	}
	if plan.AgentInstalled.IsUnknown() {
		plan.AgentInstalled = state.AgentInstalled
	}
	// From now on the state's proxy is the configured one.
	resp.Diagnostics.Append(resp.Private.SetKey(ctx, privateProxyUnread, nil)...)
	resp.Diagnostics.Append(resp.Private.SetKey(ctx, privateReinstall, nil)...)
	r.readInto(ctx, &plan, access, &resp.Diagnostics)
	if resp.Diagnostics.HasError() {
		return
	}
	resp.Diagnostics.Append(resp.State.Set(ctx, &plan)...)
}

func (r *importedClusterResource) Delete(ctx context.Context, req resource.DeleteRequest, resp *resource.DeleteResponse) {
	ctx = palette.MaskURLCredentials(ctx) // the proxy URLs may carry user:password@
	var state importedClusterResourceModel
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	timeout, d := state.Timeouts.Delete(ctx, defaultDeleteTimeout)
	resp.Diagnostics.Append(d...)
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	uid := state.ID.ValueString()
	defer r.data.clusterCache().invalidate(uid)
	c := r.data.client
	policy := state.DeletionPolicy.ValueString()
	access, _ := clusterAccess(ctx, state.Kubernetes, types.StringNull(), &resp.Diagnostics)

	if policy == deletionPolicyAbandon {
		resp.Diagnostics.AddWarning("Imported cluster abandoned",
			fmt.Sprintf("deletion_policy = \"abandon\": cluster %s stays imported in Palette and its agent stays in the cluster; "+
				"Terraform only forgets it.", uid))
		return
	}

	cl, err := findClusterByID(ctx, c, uid)
	if errors.Is(err, palette.ErrNotFound) {
		r.cleanupAfterDelete(ctx, uid, access, policy == deletionPolicyForce, &resp.Diagnostics)
		return
	}
	if err != nil {
		resp.Diagnostics.AddError("Error deleting imported cluster", fmt.Sprintf("Cluster %s: %s", uid, err))
		return
	}

	// No agent ever registered: nobody would remove anything, so a plain
	// deregistration would wait forever; the provider removes what is left.
	force := policy == deletionPolicyForce || agentNeverRegistered(cl)
	if err := c.DeleteCluster(ctx, uid, force); err != nil && !errors.Is(err, palette.ErrNotFound) {
		resp.Diagnostics.AddError("Error deleting imported cluster", fmt.Sprintf("Cluster %s: %s", uid, err))
		return
	}
	if err := waitClusterDeleted(ctx, c, uid); err != nil {
		resp.Diagnostics.AddError("Error deleting imported cluster",
			fmt.Sprintf("Cluster %s: %s.\nThe agent removes itself and then tells Palette; if the agent cannot run any more, "+
				"set deletion_policy = \"force\", apply (run `terraform untaint` on the resource first if it is tainted), "+
				"then destroy.", uid, err))
		return
	}
	r.cleanupAfterDelete(ctx, uid, access, force, &resp.Diagnostics)
}

// cleanupAfterDelete removes (force) or verifies the absence of (deregister)
// the agent's objects when the cluster can be reached with stored access;
// otherwise it warns with what is left to check. The objects are found by
// the names the import manifest gives them (manifest.AllObjects), as a real
// Palette manifest carries none of our labels.
func (r *importedClusterResource) cleanupAfterDelete(ctx context.Context, uid string, access kube.Access, remove bool, diags *diag.Diagnostics) {
	ids, err := manifest.AllObjects(uid)
	if err != nil {
		diags.AddWarning("Agent objects not checked", fmt.Sprintf("Cluster %s: %s", uid, err))
		return
	}
	manual := manualRemoval(ids)
	if !storedAccess(access) {
		what := "Palette removed the cluster's link; the agent removes its own objects."
		if remove {
			what = "Palette forgot the cluster at once (deletion_policy = \"force\", or no agent had registered), so the agent's objects may still be in the cluster."
		}
		diags.AddWarning("Agent objects not checked",
			fmt.Sprintf("%s The provider has no stored access to the cluster (kubernetes.config_path or kubernetes.exec) "+
				"and did not check. The agent's objects are the namespace %s and what is in it, and the cluster-scoped "+
				"objects of the import manifest; to remove what is left: %s", what, manifest.AgentNamespace(uid), manual))
		return
	}
	kc, err := r.data.newKube(access)
	if err == nil {
		err = removeAgentObjects(ctx, kc, uid, ids, remove)
	}
	if err != nil {
		diags.AddWarning("Agent objects may remain in the cluster",
			fmt.Sprintf("Cluster %s was removed from Palette, but the provider could not confirm that the agent's objects are gone: %s\n"+
				"To remove what is left: %s", uid, err, manual))
	}
}

// manualRemoval is the kubectl command that deletes the objects ids, by
// name (namespaced ones go with their namespace).
func manualRemoval(ids []manifest.ObjectID) string {
	var kinds []string
	names := map[string][]string{}
	for _, id := range ids {
		if id.Namespace != "" {
			continue
		}
		k := strings.ToLower(id.Kind)
		if _, ok := names[k]; !ok {
			kinds = append(kinds, k)
		}
		names[k] = append(names[k], id.Name)
	}
	cmds := make([]string, 0, len(kinds))
	for _, k := range kinds {
		cmds = append(cmds, fmt.Sprintf("kubectl delete %s %s --ignore-not-found", k, strings.Join(names[k], " ")))
	}
	return strings.Join(cmds, "; ")
}

// removeAgentObjects deletes (when remove) and then waits until none of the
// manifest's objects ids of cluster uid is left, nor any add-on object its
// agent deployed (those carry our labels: only the local agent deploys
// them). Cluster-scoped objects another install could share (the same
// names) are left alone when the cluster runs another agent, and so is a
// binding that binds no subject in this install's namespace.
func removeAgentObjects(ctx context.Context, kc *kube.Client, uid string, ids []manifest.ObjectID, remove bool) error {
	refs, err := ownedObjects(ctx, kc, uid, ids)
	if err != nil {
		return err
	}
	packs, err := kc.ListByLabel(ctx, manifest.PacksSelector(uid))
	if err != nil {
		return err
	}
	refs = append(refs, packs...)
	if len(refs) == 0 {
		return nil
	}
	if remove {
		if err := kc.Delete(ctx, refs, kube.DeleteOptions{}); err != nil {
			return err
		}
	}
	if err := kc.WaitGone(ctx, refs); err != nil {
		names := make([]string, 0, len(refs))
		for _, ref := range refs {
			names = append(names, ref.String())
		}
		return fmt.Errorf("%w (objects: %s)", err, strings.Join(names, ", "))
	}
	return nil
}

// ownedObjects returns the refs of the objects of ids that exist and belong
// to the install of uid.
func ownedObjects(ctx context.Context, kc *kube.Client, uid string, ids []manifest.ObjectID) ([]kube.ObjectRef, error) {
	others, err := manifest.FindInstalled(ctx, kc)
	if err != nil {
		return nil, err
	}
	shared := slices.ContainsFunc(others, func(in manifest.Install) bool { return in.ClusterUID != uid })
	ns := manifest.AgentNamespace(uid)
	var out []kube.ObjectRef
	for i, ref := range objectRefs(ids) {
		o, err := kc.Get(ctx, ref)
		switch {
		case apierrors.IsNotFound(err):
			continue
		case err != nil:
			return nil, err
		}
		if ids[i].Namespace == "" && ids[i].Name != ns {
			if strings.HasSuffix(ids[i].Kind, "Binding") && !manifest.BindsNamespace(o, ns) {
				continue
			}
			if shared && !strings.HasSuffix(ids[i].Kind, "Binding") {
				continue
			}
		}
		out = append(out, ref)
	}
	return out, nil
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
