package provider

import (
	"context"
	"fmt"
	"sync"

	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/diag"

	"github.com/terraform-palette/terraform-provider-palette/internal/kube"
	"github.com/terraform-palette/terraform-provider-palette/internal/palette"
	"github.com/terraform-palette/terraform-provider-palette/internal/wire"
)

// fieldManager is the server-side apply field manager of everything the
// provider applies to a target cluster.
const fieldManager = "terraform-provider-palette"

// providerData is what Configure hands to resources and data sources.
type providerData struct {
	client    *palette.Client
	userAgent string
	// newKube builds a cluster client from the access a resource was given.
	newKube func(kube.Access) (*kube.Client, error)
	// stateClusters holds the UIDs of the palette_imported_cluster
	// resources this run planned from state, each with whether it is kept
	// (true) or destroyed: the one record of "a cluster of this
	// configuration" for the traps (managedCluster) and the ownership
	// checks (keptCluster).
	stateClusters sync.Map // uid → bool

	// The run's caches and claims, each made on first use.
	clustersOnce sync.Once
	clusters     *clusterCache
	profilesOnce sync.Once
	profiles     *profileCache
	claimsOnce   sync.Once
	claims       *ownershipClaims
	// The clusters' Day-2 lists (cluster_config_lists.go).
	namespacesOnce sync.Once
	namespaces     *configList[wire.ClusterNamespaceResource, wire.ClusterNamespaceResourceInputEntity]
	rbacsOnce      sync.Once
	rbacs          *configList[wire.ClusterRbac, wire.ClusterRbacInputEntity]
}

// noteStateCluster records that a palette_imported_cluster of this run's
// configuration has cluster uid in its state, and whether its plan keeps
// the resource (false: a destroy).
func (pd *providerData) noteStateCluster(uid string, kept bool) {
	switch {
	case uid == "":
	case kept:
		pd.stateClusters.Store(uid, true)
	default:
		pd.stateClusters.LoadOrStore(uid, false) // a kept resource's record stays
	}
}

// managedCluster tells whether cluster uid is one of this configuration's
// palette_imported_cluster resources, as far as this run has planned: a
// resource that refers to it is planned after it.
func (pd *providerData) managedCluster(uid string) bool {
	_, ok := pd.stateClusters.Load(uid)
	return ok
}

// keptCluster tells whether a resource planned in this run, and not
// destroyed, has cluster uid in its state: a create of the same name is
// then the second half of a replacement (Terraform plans its create right
// after the update), never a reason to take uid over.
func (pd *providerData) keptCluster(uid string) bool {
	if kept, _ := pd.stateClusters.Load(uid); kept == true {
		return true
	}
	return pd.client != nil && siblingNoted(pd.claimScope(), replacedKey(uid))
}

// noteReplaced records, for the provider processes of this Terraform run,
// that a replacement of cluster uid keeps its name: Terraform plans the
// create half again at apply, in another process, without the prior state
// (and under create_before_destroy before the old cluster is deleted).
func (pd *providerData) noteReplaced(uid string) {
	siblingNote(pd.claimScope(), replacedKey(uid))
}

func replacedKey(uid string) string { return "replaced-cluster/" + uid }

// claimScope is the scope of the claims shared by the provider processes
// of a run: the Palette host and project.
func (pd *providerData) claimScope() string {
	return pd.client.BaseURL() + "\x00" + pd.client.ProjectUID()
}

func newProviderData(client *palette.Client, version string) *providerData {
	ua := "terraform-provider-palette/" + version
	return &providerData{
		client:    client,
		userAgent: ua,
		newKube: func(a kube.Access) (*kube.Client, error) {
			return kube.NewClient(a, ua)
		},
	}
}

// providerDataFrom converts what Configure handed over, reporting the
// standard error for anything else.
func providerDataFrom(v any, diags *diag.Diagnostics, what string) *providerData {
	if v == nil {
		return nil
	}
	pd, ok := v.(*providerData)
	if !ok {
		diags.AddError("Unexpected "+what+" Configure Type",
			fmt.Sprintf("Expected *provider.providerData, got: %T. Please report this issue to the provider developers.", v))
		return nil
	}
	return pd
}

// dataSourceBase is embedded in each data source: the provider's data, and
// the Configure that takes it.
type dataSourceBase struct {
	data *providerData
}

// Configure takes the provider's data (nil before the provider is
// configured, as during validation).
func (d *dataSourceBase) Configure(_ context.Context, req datasource.ConfigureRequest, resp *datasource.ConfigureResponse) {
	if pd := providerDataFrom(req.ProviderData, &resp.Diagnostics, "Data Source"); pd != nil {
		d.data = pd
	}
}
