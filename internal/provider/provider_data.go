package provider

import (
	"fmt"
	"regexp"

	"github.com/hashicorp/terraform-plugin-framework/diag"

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
