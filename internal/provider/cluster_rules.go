package provider

import (
	"context"
	"errors"
	"fmt"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"

	"github.com/terraform-palette/terraform-provider-palette/internal/palette"
	"github.com/terraform-palette/terraform-provider-palette/internal/wire"
)

// The rules of the cluster a Day-2 resource (an add-on attachment, a
// namespace, a role binding) refers to by cluster_id: it exists, it was
// imported in Full Permission mode, and (at apply time) it is Running.

// clusterFeature names a Day-2 feature in the cluster rules' diagnostics.
type clusterFeature struct {
	// summary starts the summary: "<summary> need Full Permission".
	summary string
	// noun is the feature in a sentence.
	noun string
	// then is what the user does after the migration.
	then string
	// once is what can be done once the agent has registered.
	once string
}

var (
	featureAddons       = clusterFeature{"Add-on profiles", "add-on profiles", "attach the profile", "Profiles can be attached"}
	featureNamespaces   = clusterFeature{"Namespaces", "namespaces", "add the namespace", "Namespaces can be configured"}
	featureRoleBindings = clusterFeature{"RBAC bindings", "RBAC bindings", "add the binding", "RBAC bindings can be configured"}
)

func clusterNotFound(uid string) *ruleViolation {
	return &ruleViolation{path.Root("cluster_id"), "Imported cluster not found",
		fmt.Sprintf("Palette has no cluster %s in this project (or it is deleted).", uid)}
}

func clusterReadOnly(f clusterFeature, uid, name string) *ruleViolation {
	return &ruleViolation{path.Root("cluster_id"), f.summary + " need Full Permission",
		fmt.Sprintf("Cluster %q (%s) was imported in read-only mode, and %s need Full Permission. Migrate it "+
			"with import_mode = \"full_permission\" on its palette_imported_cluster resource (an in-place change), then %s.",
			name, uid, f.noun, f.then)}
}

func clusterNotRunning(f clusterFeature, uid, state string) *ruleViolation {
	return &ruleViolation{path.Root("cluster_id"), "Imported cluster is not Running",
		fmt.Sprintf("Cluster %s is %s. %s once its agent has registered (state Running): install the "+
			"agent, or let palette_imported_cluster wait for it (wait_for = \"running\" or \"healthy\").", uid, state, f.once)}
}

// clusterRule looks a cluster up and checks that feature f may be used on
// it; running also requires the state Running (apply time).
func clusterRule(ctx context.Context, c *palette.Client, uid string, running bool, f clusterFeature) (*wire.SpectroCluster, *ruleViolation, error) {
	cl, mode, err := findClusterMode(ctx, c, uid)
	if errors.Is(err, palette.ErrNotFound) {
		return nil, clusterNotFound(uid), nil
	}
	if err != nil {
		return nil, nil, err
	}
	if mode == wire.ImportModeReadOnly {
		return cl, clusterReadOnly(f, uid, cl.Metadata.Name), nil
	}
	if running && cl.Status.State != wire.StateRunning {
		return cl, clusterNotRunning(f, uid, cl.Status.State), nil
	}
	return cl, nil, nil
}

// planClusterRule is clusterRule at plan time: answered from the
// provider's cluster cache (filled by the refresh of the same plan) when it
// holds the cluster, so that planning many resources costs no request
// each; apply time checks again against the API.
func planClusterRule(ctx context.Context, pd *providerData, uid string, f clusterFeature) (*ruleViolation, error) {
	if _, meta, ok := pd.clusterCache().lookup(ctx, uid); ok {
		if meta.SpecSummary.ImportMode == wire.ImportModeReadOnly {
			return clusterReadOnly(f, uid, meta.Metadata.Name), nil
		}
		return nil, nil
	}
	_, v, err := clusterRule(ctx, pd.client, uid, false, f)
	return v, err
}

// planConfigCluster checks at plan time that the cluster of a Day-2
// resource exists and is Full Permission (from the refresh's cluster cache
// when it holds the cluster). A read-only cluster of this configuration is
// a warning when the resource is new (the apply fails, but a destroy is not
// blocked). It returns false when the plan cannot go on.
func planConfigCluster(ctx context.Context, pd *providerData, cid string, f clusterFeature, creating bool, diags *diag.Diagnostics) bool {
	v, err := planClusterRule(ctx, pd, cid, f)
	switch {
	case err != nil:
		diags.AddAttributeError(path.Root("cluster_id"), "Error reading imported cluster", fmt.Sprintf("Cluster %s: %s", cid, err))
		return false
	case v == nil:
		return true
	}
	v.addPlannedTo(diags, creating && pd.managedCluster(cid))
	return false
}

// applyConfigCluster checks at apply time that the cluster of a Day-2
// resource exists and is Full Permission; false after a diagnostic.
func applyConfigCluster(ctx context.Context, pd *providerData, cid string, f clusterFeature, running bool, summary string, diags *diag.Diagnostics) bool {
	_, v, err := clusterRule(ctx, pd.client, cid, running, f)
	switch {
	case err != nil:
		diags.AddError(summary, fmt.Sprintf("Reading cluster %s: %s", cid, err))
		return false
	case v != nil:
		v.addTo(diags)
		return false
	}
	return true
}
