package provider

import (
	"context"
	"fmt"
	"reflect"
	"regexp"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"

	"github.com/terraform-palette/terraform-provider-palette/internal/kube"
	"github.com/terraform-palette/terraform-provider-palette/internal/palette"
)

// fieldManager is the server-side apply field manager of everything the
// provider applies to a target cluster.
const fieldManager = "terraform-provider-palette"

var uidRegexp = regexp.MustCompile(`^[0-9a-f]{24}$`)

// providerData is what Configure hands to resources and data sources.
type providerData struct {
	client    *palette.Client
	userAgent string
	// newKube builds a cluster client from the access a resource was given.
	newKube func(kube.Access) (*kube.Client, error)
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

// setIfChanged writes a model refreshed by Read to the new state, unless it
// is equal to the model read from the prior state: Read's new state starts as
// the prior state, so it holds that model already, and a refresh of many
// unchanged resources skips the framework's reflection of each whole model
// (a tenth of the provider's CPU in a refresh of 2,000 resources). Models
// hold only framework values, which are immutable, so a shallow copy taken
// before the refresh is the prior model.
func setIfChanged[M any](ctx context.Context, state *tfsdk.State, prior, refreshed *M) diag.Diagnostics {
	if reflect.DeepEqual(prior, refreshed) {
		return nil
	}
	return state.Set(ctx, refreshed)
}
