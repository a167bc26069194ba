package provider

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-log/tflog"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"

	"github.com/terraform-palette/terraform-provider-palette/internal/kube"
	"github.com/terraform-palette/terraform-provider-palette/internal/manifest"
	"github.com/terraform-palette/terraform-provider-palette/internal/palette"
	"github.com/terraform-palette/terraform-provider-palette/internal/wire"
)

// The traps of an import and what the provider does about them: an agent
// install that fails half-way (rolled back), the agent of a cluster Palette
// no longer has (stale: removed before a new import), a cluster no agent
// ever registered (deleted without waiting), a target cluster that does
// not answer at plan time.

// rollbackTimeout bounds the undoing of a failed install when the create's
// own deadline is what ended it.
const rollbackTimeout = 2 * time.Minute

// failedInstall answers an agent install that failed: what the install
// applied is removed and the cluster is deregistered (force: no agent ever
// ran to remove itself), so that nothing is left in Palette or in the
// target cluster, and no state is written: fixing the cause and applying
// again starts afresh. When undoing fails too, the UID stays in state (the
// resource is tainted) and its destroy completes without an agent (Delete
// forces the deletion of a cluster whose agent never registered).
func (r *importedClusterResource) failedInstall(ctx context.Context, uid string, access kube.Access, cause error, resp *resource.CreateResponse) {
	rctx := ctx
	if errors.Is(ctx.Err(), context.DeadlineExceeded) {
		var cancel context.CancelFunc
		rctx, cancel = context.WithTimeout(context.WithoutCancel(ctx), rollbackTimeout)
		defer cancel()
	}
	err := r.rollbackImport(rctx, uid, access)
	if err == nil {
		resp.State.RemoveResource(ctx)
		resp.Diagnostics.AddError("Error installing the Palette agent",
			fmt.Sprintf("Installing the agent of cluster %s failed: %s\nThe provider removed what the install had applied "+
				"and deregistered the cluster: nothing is left in Palette or in the cluster, and nothing was written to the "+
				"state. Fix the cause and apply again.", uid, cause))
		return
	}
	resp.Diagnostics.AddError("Error installing the Palette agent",
		fmt.Sprintf("Cluster %s was registered, but installing its agent failed: %s\nUndoing the install failed too: %s\n"+
			"The resource is tainted: the next apply (or terraform destroy) removes what is left of the agent and "+
			"deregisters the cluster without waiting for an agent.", uid, cause, err))
}

// rollbackImport removes the objects of the install of uid from the target
// cluster, then deregisters uid at once.
func (r *importedClusterResource) rollbackImport(ctx context.Context, uid string, access kube.Access) error {
	ids, err := manifest.AllObjects(uid)
	if err != nil {
		return err
	}
	kc, err := r.data.newKube(access)
	if err != nil {
		return err
	}
	if err := removeAgentObjects(ctx, kc, uid, ids, true); err != nil {
		return fmt.Errorf("removing the agent's objects: %w", err)
	}
	c := r.data.client
	if err := c.DeleteCluster(ctx, uid, true); err != nil && !errors.Is(err, palette.ErrNotFound) {
		return fmt.Errorf("deregistering the cluster: %w", err)
	}
	return waitClusterDeleted(ctx, c, uid)
}

// agentNeverRegistered tells whether no agent has registered a cluster yet
// (Pending: nobody fetched the manifest; Importing: fetched, but no agent
// reported): a deletion need not, and cannot, wait for an agent to remove
// itself.
func agentNeverRegistered(cl *wire.SpectroCluster) bool {
	return cl.Status.State == wire.StatePending || cl.Status.State == wire.StateImporting
}

// staleAgent tells whether an agent found in the target cluster belongs to
// a cluster Palette no longer has: Deleted, or not found (404) while the
// agent reports to this very Palette (its cluster-info endpoint has the
// provider's host), so that an agent of another Palette is never taken
// for a stale one. The agent of a deleted cluster is stuck: nobody tells
// it to remove itself.
func (r *importedClusterResource) staleAgent(ctx context.Context, kc *kube.Client, in manifest.Install) (bool, error) {
	cl, err := r.data.client.GetCluster(ctx, in.ClusterUID)
	switch {
	case err == nil:
		return cl.Status.State == wire.StateDeleted, nil
	case !errors.Is(err, palette.ErrNotFound):
		return false, err
	}
	cm, err := kc.Get(ctx, kube.ObjectRef{Version: "v1", Kind: "ConfigMap", Namespace: in.Namespace, Name: manifest.AgentClusterInfoConfigMap})
	if err != nil {
		return false, err
	}
	data, _, _ := unstructured.NestedStringMap(cm.Object, "data")
	return sameHost(manifest.ClusterInfoOf(data).Endpoint, r.data.client.BaseURL()), nil
}

// sameHost compares the host:port of two URLs.
func sameHost(a, b string) bool {
	ua, errA := url.Parse(a)
	ub, errB := url.Parse(b)
	return errA == nil && errB == nil && ua.Host != "" && strings.EqualFold(ua.Host, ub.Host)
}

// removeStaleAgents removes, before an import, the agents of the target
// cluster whose Palette cluster is gone (staleAgent): what the plan
// announced with "A stale Palette agent will be removed".
func (r *importedClusterResource) removeStaleAgents(ctx context.Context, access kube.Access) error {
	kc, err := r.data.newKube(access)
	if err != nil {
		return err
	}
	installs, err := manifest.FindInstalled(ctx, kc)
	if err != nil {
		return err
	}
	for _, in := range installs {
		if in.Terminating {
			continue
		}
		stale, err := r.staleAgent(ctx, kc, in)
		if err != nil {
			return fmt.Errorf("checking the agent of cluster %s: %w", in.ClusterUID, err)
		}
		if !stale {
			continue
		}
		ids, err := manifest.AllObjects(in.ClusterUID)
		if err == nil {
			err = removeAgentObjects(ctx, kc, in.ClusterUID, ids, true)
		}
		if err != nil {
			return fmt.Errorf("removing the stale agent of cluster %s: %w", in.ClusterUID, err)
		}
		tflog.Info(ctx, "removed a stale agent", map[string]any{"uid": in.ClusterUID, "namespace": in.Namespace})
	}
	return nil
}

// staleAgentWarning is the plan's word on an agent staleAgent found.
func staleAgentWarning(in manifest.Install) (string, string) {
	return "A stale Palette agent will be removed",
		fmt.Sprintf("The cluster runs the agent of import %s (namespace %s), which Palette no longer has (it was deleted "+
			"in Palette while its agent stayed). The apply removes that agent's objects, then imports the cluster anew.",
			in.ClusterUID, in.Namespace)
}

// kubeDeadlineHint explains a plan-time call to the target cluster that
// ran out of time.
func kubeDeadlineHint(ctx context.Context, d time.Duration) string {
	if !errors.Is(ctx.Err(), context.DeadlineExceeded) {
		return ""
	}
	return fmt.Sprintf("\nThe cluster did not answer within %s (the provider's request_timeout). An exec credential "+
		"plugin that does not exit, or does not answer without a terminal, holds every request: run its command by "+
		"hand to check it, or give a token or a kubeconfig instead.", d)
}
