package provider

import (
	"context"
	"fmt"
	"iter"
	"sort"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/list"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-go/tftypes"

	"github.com/terraform-palette/terraform-provider-palette/internal/palette"
	"github.com/terraform-palette/terraform-provider-palette/internal/wire"
)

// What the list resources (`terraform query`, Terraform 1.14 or later)
// share: the provider's data, the results they push, and the project's
// clusters as the two batched searches show them.

// listBase is embedded in each list resource: the provider's data, and the
// Configure that takes it.
type listBase struct {
	data *providerData
}

// Configure takes the provider's data (nil before the provider is
// configured, as during validation).
func (l *listBase) Configure(_ context.Context, req resource.ConfigureRequest, resp *resource.ConfigureResponse) {
	if pd := providerDataFrom(req.ProviderData, &resp.Diagnostics, "List Resource"); pd != nil {
		l.data = pd
	}
}

// listOutcome is one result a list resource pushes: an object found
// (identity by attribute name, display name, and the model of the resource
// when Terraform asks for it), or diagnostics alone (a warning about an
// object that cannot be listed, or the error that ends the listing).
type listOutcome struct {
	display  string
	identity map[string]string
	// model is a pointer to the resource's model, set only when the
	// request includes the resource.
	model any
	diags diag.Diagnostics
}

// streamResults pushes outcomes as list results, at most req.Limit of the
// objects found (0: no limit).
func streamResults(ctx context.Context, req list.ListRequest, outcomes []listOutcome) iter.Seq[list.ListResult] {
	return func(push func(list.ListResult) bool) {
		var found int64
		for _, o := range outcomes {
			if o.identity == nil {
				if !push(list.ListResult{Diagnostics: o.diags}) {
					return
				}
				continue
			}
			if req.Limit > 0 && found >= req.Limit {
				return
			}
			found++
			r := req.NewListResult(ctx)
			r.DisplayName = o.display
			r.Diagnostics.Append(o.diags...)
			for name, v := range o.identity {
				r.Diagnostics.Append(r.Identity.SetAttribute(ctx, path.Root(name), v)...)
			}
			if req.IncludeResource && o.model != nil {
				r.Diagnostics.Append(r.Resource.Set(ctx, o.model)...)
			}
			if !push(r) {
				return
			}
		}
	}
}

// listError is the one outcome of a listing that failed.
func listError(summary, detail string) []listOutcome {
	var d diag.Diagnostics
	d.AddError(summary, detail)
	return []listOutcome{{diags: d}}
}

// listWarning is an outcome that only warns.
func listWarning(summary, detail string) listOutcome {
	var d diag.Diagnostics
	d.AddWarning(summary, detail)
	return listOutcome{diags: d}
}

// importedModel returns the resource's model as `terraform import` leaves
// it before the Read: every attribute null (of its schema's type), so that
// the same flatten as the Read after an import fills it in.
func importedModel[M any](ctx context.Context, req list.ListRequest, diags *diag.Diagnostics) *M {
	typ, ok := req.ResourceSchema.Type().TerraformType(ctx).(tftypes.Object)
	if !ok {
		diags.AddError("Unexpected resource schema", fmt.Sprintf("The resource's schema is a %T, not an object.", req.ResourceSchema.Type()))
		return nil
	}
	vals := make(map[string]tftypes.Value, len(typ.AttributeTypes))
	for name, t := range typ.AttributeTypes {
		vals[name] = tftypes.NewValue(t, nil)
	}
	r := tfsdk.Resource{Raw: tftypes.NewValue(typ, vals), Schema: req.ResourceSchema}
	var m M
	if d := r.Get(ctx, &m); d.HasError() {
		diags.Append(d...)
		return nil
	}
	return &m
}

// listedCluster is an imported cluster as the two batched searches show it.
type listedCluster struct {
	summary *wire.SpectroClusterSummary
	meta    *wire.SpectroClusterMetaSummary
}

// listImportedClusters returns the project's imported clusters that are not
// deleted, sorted by name (then UID), from the paged cluster search and the
// metadata search: ceil(N/50) + 1 requests for N clusters, whatever the
// filters (Palette's spec names no search filter properties), made once for
// all the list blocks of a query (the provider's cluster cache). A cluster
// the metadata search does not list yet (its index lags an import by a
// moment) comes with a warning instead.
func listImportedClusters(ctx context.Context, pd *providerData) ([]listedCluster, []listOutcome, error) {
	items, byUID, ok := pd.clusterCache().all(ctx)
	if !ok {
		found, metas, err := searchAllClusters(ctx, pd.client, palette.MaxSearchPageSize)
		if err != nil {
			return nil, nil, err
		}
		items = make(map[string]*wire.SpectroClusterSummary, len(found))
		for i := range found {
			items[found[i].Metadata.UID] = &found[i]
		}
		byUID = make(map[string]*wire.SpectroClusterMetaSummary, len(metas))
		for i := range metas {
			byUID[metas[i].Metadata.UID] = &metas[i]
		}
	}
	var out []listedCluster
	var warnings []listOutcome
	for _, it := range items {
		if it.Status.State == wire.StateDeleted || it.Status.ClusterImport == nil {
			continue // deleted, or not an imported cluster
		}
		meta := byUID[it.Metadata.UID]
		if meta == nil {
			warnings = append(warnings, listWarning("Cluster not listed",
				fmt.Sprintf("Palette's metadata search does not list cluster %s (%s) yet, so its import mode is unknown: "+
					"it is left out of this listing. Query again in a moment.", it.Metadata.UID, it.Metadata.Name)))
			continue
		}
		out = append(out, listedCluster{summary: it, meta: meta})
	}
	sort.Slice(warnings, func(i, j int) bool { return warnings[i].diags[0].Detail() < warnings[j].diags[0].Detail() })
	sort.Slice(out, func(i, j int) bool {
		a, b := out[i].summary.Metadata, out[j].summary.Metadata
		if a.Name != b.Name {
			return a.Name < b.Name
		}
		return a.UID < b.UID
	})
	return out, warnings, nil
}
