package provider

import (
	"context"
	"time"

	"github.com/hashicorp/terraform-plugin-framework-timeouts/resource/timeouts"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
)

// The timeouts block of the resources (terraform-plugin-framework-timeouts):
// its attribute, and the deadline it sets on an operation.

// operationTimeout is a method of the timeouts block (timeouts.Value.Create,
// …): the configured timeout of an operation, or the default def.
type operationTimeout func(t timeouts.Value, ctx context.Context, def time.Duration) (time.Duration, diag.Diagnostics)

// withTimeout bounds ctx by the timeouts block's value for an operation.
func withTimeout(ctx context.Context, t timeouts.Value, timeout operationTimeout, def time.Duration, diags *diag.Diagnostics) (context.Context, context.CancelFunc) {
	d, ds := timeout(t, ctx, def)
	diags.Append(ds...)
	return context.WithTimeout(ctx, d)
}

// positiveDurationTimeouts is the timeouts attribute of the
// terraform-plugin-framework-timeouts package with each duration checked by
// durationValidator instead of the package's own validator, which lets 0s
// and -5m through (a deadline that has passed before the call starts).
func positiveDurationTimeouts(ctx context.Context, opts timeouts.Opts) schema.Attribute {
	a := timeouts.Attributes(ctx, opts)
	nested, ok := a.(schema.SingleNestedAttribute)
	if !ok {
		return a
	}
	attrs := make(map[string]schema.Attribute, len(nested.Attributes))
	for name, at := range nested.Attributes {
		if s, ok := at.(schema.StringAttribute); ok {
			s.Validators = []validator.String{durationValidator{}}
			s.Description += " It must be positive."
			at = s
		}
		attrs[name] = at
	}
	nested.Attributes = attrs
	return nested
}
