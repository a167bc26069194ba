package provider

import (
	"context"
	"fmt"
	"regexp"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
)

// dns1123LabelRegexp is a DNS-1123 label: lowercase alphanumerics and '-',
// starting and ending with an alphanumeric.
var dns1123LabelRegexp = regexp.MustCompile(`^[a-z0-9]([-a-z0-9]*[a-z0-9])?$`)

// dns1123LabelValidator checks a cluster name the way Palette does.
type dns1123LabelValidator struct{}

var _ validator.String = dns1123LabelValidator{}

func (dns1123LabelValidator) Description(context.Context) string {
	return "must be a DNS-1123 label: at most 63 lowercase letters, digits and '-', starting and ending with a letter or digit"
}

func (v dns1123LabelValidator) MarkdownDescription(ctx context.Context) string {
	return v.Description(ctx)
}

func (v dns1123LabelValidator) ValidateString(ctx context.Context, req validator.StringRequest, resp *validator.StringResponse) {
	if req.ConfigValue.IsNull() || req.ConfigValue.IsUnknown() {
		return
	}
	s := req.ConfigValue.ValueString()
	if len(s) > 63 || !dns1123LabelRegexp.MatchString(s) {
		resp.Diagnostics.AddAttributeError(req.Path, "Invalid cluster name",
			fmt.Sprintf("%q %s.", s, v.Description(ctx)))
	}
}

// durationValidator checks a Go duration string.
type durationValidator struct{}

var _ validator.String = durationValidator{}

func (durationValidator) Description(context.Context) string {
	return "must be a positive Go duration such as 30s or 2m"
}

func (v durationValidator) MarkdownDescription(ctx context.Context) string { return v.Description(ctx) }

func (v durationValidator) ValidateString(ctx context.Context, req validator.StringRequest, resp *validator.StringResponse) {
	if req.ConfigValue.IsNull() || req.ConfigValue.IsUnknown() {
		return
	}
	d, err := time.ParseDuration(req.ConfigValue.ValueString())
	if err != nil || d <= 0 {
		resp.Diagnostics.AddAttributeError(req.Path, "Invalid duration",
			fmt.Sprintf("%q %s.", req.ConfigValue.ValueString(), v.Description(ctx)))
	}
}
