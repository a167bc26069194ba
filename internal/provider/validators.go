package provider

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/hashicorp/terraform-plugin-framework-validators/mapvalidator"
	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	k8svalidation "k8s.io/apimachinery/pkg/util/validation"

	"github.com/terraform-palette/terraform-provider-palette/internal/palette"
)

// paletteUIDValidator checks a Palette UID (24 lowercase hex characters),
// the ID of every Palette object an attribute refers to.
func paletteUIDValidator() validator.String {
	return stringvalidator.RegexMatches(uidRegexp, "must be a Palette UID (24 lowercase hex characters)")
}

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

// The validators' details start with the attribute's path: Terraform shows
// the configuration line of a top-level attribute, but before 1.15 (and
// OpenTofu) only the resource's first line for an attribute inside a nested
// object (proxy, timeouts, kubernetes), so the detail is where the user of
// those CLIs reads which one it is.

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
			fmt.Sprintf("%s: %q %s.", req.Path, req.ConfigValue.ValueString(), v.Description(ctx)))
	}
}

// stringRule is a string validator made of a check: problem says what is
// wrong with a known value ("" when nothing is), and the diagnostic, on the
// attribute, starts with the attribute's path.
type stringRule struct {
	summary     string
	description string
	problem     func(string) string
}

var _ validator.String = stringRule{}

func (r stringRule) Description(context.Context) string { return r.description }

func (r stringRule) MarkdownDescription(ctx context.Context) string { return r.Description(ctx) }

func (r stringRule) ValidateString(_ context.Context, req validator.StringRequest, resp *validator.StringResponse) {
	if req.ConfigValue.IsNull() || req.ConfigValue.IsUnknown() {
		return
	}
	if p := r.problem(req.ConfigValue.ValueString()); p != "" {
		resp.Diagnostics.AddAttributeError(req.Path, r.summary, fmt.Sprintf("%s: %s.", req.Path, p))
	}
}

// k8sRule is a stringRule from one of apimachinery's checks.
func k8sRule(summary, what, description string, check func(string) []string) stringRule {
	return stringRule{summary: summary, description: description, problem: func(s string) string {
		if errs := check(s); len(errs) > 0 {
			return fmt.Sprintf("%q is not a Kubernetes %s: %s", s, what, strings.Join(errs, "; "))
		}
		return ""
	}}
}

// labelKeyValidator checks a label key with Kubernetes' own rule (a
// qualified name: an optional DNS-1123 subdomain prefix and '/', then at
// most 63 alphanumerics, '-', '_' and '.'), which Palette's labels follow.
func labelKeyValidator() stringRule {
	return k8sRule("Invalid label key", "label key",
		"must be a Kubernetes label key: an optional DNS subdomain prefix and '/', then at most 63 letters, digits, '-', '_' and '.', starting and ending with a letter or digit",
		k8svalidation.IsQualifiedName)
}

// labelValueValidator checks a label value with Kubernetes' own rule (empty,
// or at most 63 alphanumerics, '-', '_' and '.', starting and ending with an
// alphanumeric).
func labelValueValidator() stringRule {
	return k8sRule("Invalid label value", "label value",
		"must be a Kubernetes label value: empty, or at most 63 letters, digits, '-', '_' and '.', starting and ending with a letter or digit",
		k8svalidation.IsValidLabelValue)
}

// labelsValidators check a labels map: each key and each value, each
// diagnostic on the element (labels["bad key"]).
func labelsValidators() []validator.Map {
	return []validator.Map{
		mapvalidator.KeysAre(labelKeyValidator()),
		mapvalidator.ValueStringsAre(labelValueValidator()),
	}
}

// proxyURLDescription is what proxyURLValidator asks of a proxy URL.
const proxyURLDescription = "must be an http:// or https:// URL with a host and, if any, a port from 1 to 65535"

// proxyURLValidator checks a proxy URL: http or https, a host, a port (if
// any) from 1 to 65535, and no password (it would be kept in the state:
// proxy_password_wo carries it). The value may carry a password, so the
// diagnostic never repeats it.
func proxyURLValidator() stringRule {
	return stringRule{summary: "Invalid proxy URL", description: proxyURLDescription + ", without a password", problem: func(s string) string {
		if why := proxyURLProblem(s); why != "" {
			return "the URL " + why + ": it " + proxyURLDescription + " (the value is not repeated here, as it may carry a password)"
		}
		if u, _ := url.Parse(s); u.User != nil {
			if _, ok := u.User.Password(); ok {
				return "the URL carries a password (user:password@), which the state would keep: name the user alone in the URL " +
					"(http://" + u.User.Username() + "@host:port) and set the password in the write-only proxy_password_wo, " +
					"with proxy_password_wo_version (the value is not repeated here)"
			}
		}
		return ""
	}}
}

// proxyURLProblem says what is wrong with a proxy URL, or "" when nothing
// is. It never quotes the URL.
func proxyURLProblem(s string) string {
	u, err := url.Parse(s)
	if err != nil {
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err // url.Error quotes the URL
		}
		return "is not a URL (" + err.Error() + ")"
	}
	if u.Scheme != "http" && u.Scheme != "https" {
		return "has no http:// or https:// scheme"
	}
	if u.Hostname() == "" {
		return "has no host"
	}
	if p := u.Port(); p != "" {
		if n, err := strconv.Atoi(p); err != nil || n < 1 || n > 65535 {
			return "has the port " + p + ", outside 1-65535"
		}
	}
	return ""
}

// absolutePathValidator checks a path for the agent's Pods: absolute and
// without "." or ".." elements (a relative or climbing hostPath passes the
// plan and then is refused by the API server, leaving a failed install).
func absolutePathValidator() stringRule {
	const description = "must be an absolute path (starting with /) without . or .. elements"
	return stringRule{summary: "Invalid path", description: description, problem: func(s string) string {
		ok := strings.HasPrefix(s, "/")
		for _, el := range strings.Split(s, "/") {
			if el == "." || el == ".." {
				ok = false
			}
		}
		if !ok {
			return fmt.Sprintf("%q %s", s, description)
		}
		return ""
	}}
}

// noProxyValidator checks a NO_PROXY list: comma-separated host names,
// domains (.example.com), IP addresses and CIDRs, each with an optional
// port; no URL and no blank inside an entry. Empty entries are ignored, as
// the agent's HTTP library does.
func noProxyValidator() stringRule {
	const description = "must be a comma-separated list of host names, domains, IP addresses or CIDRs (no URLs, no blanks inside an entry)"
	return stringRule{summary: "Invalid no_proxy entry", description: description, problem: func(s string) string {
		var bad []string
		for _, e := range strings.Split(s, ",") {
			e = strings.TrimSpace(e)
			wrong := strings.Contains(e, "://") || strings.ContainsAny(e, " \t\r\n")
			if !wrong && strings.Contains(e, "/") {
				_, _, err := net.ParseCIDR(e)
				wrong = err != nil
			}
			if wrong {
				bad = append(bad, strconv.Quote(e))
			}
		}
		if len(bad) > 0 {
			return "entries " + strings.Join(bad, ", ") + ": the list " + description
		}
		return ""
	}}
}

// paletteHostValidator checks the provider's host as the client will read
// it: a host name with an optional port, or an http(s) URL with a host.
func paletteHostValidator() stringRule {
	const description = "must be a host name with an optional port, or an http:// or https:// URL with a host"
	return stringRule{summary: "Invalid Palette host", description: description, problem: func(s string) string {
		if err := palette.CheckHost(s); err != nil {
			return "the host " + description + ": " + err.Error()
		}
		return ""
	}}
}

var uidRegexp = regexp.MustCompile(`^[0-9a-f]{24}$`)
