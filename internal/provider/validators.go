package provider

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/robfig/cron/v3"

	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"
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

// labelsValidators check a labels map: its keys and its values, each
// rule reported once (mapElementsRule).
func labelsValidators() []validator.Map {
	return []validator.Map{
		mapKeysRule(labelKeyValidator(), "Invalid label keys"),
		mapValuesRule(labelValueValidator(), "Invalid label values"),
	}
}

// maxListedElements is how many bad elements of a map a diagnostic names.
const maxListedElements = 5

// mapElementsRule checks every key (or every value) of a map with a
// stringRule, and reports what it finds in one diagnostic: a single bad
// element on its own path (labels["bad key"]) with the rule's summary and
// detail; several on the map, in plural, naming the first few (in sorted
// order) and how many more, with the first one's problem. A map of 3,000
// bad keys is one error, not 3,000 (Terraform took 116 s to plan those).
type mapElementsRule struct {
	rule   stringRule
	plural string // the summary for several elements
	values bool   // check the values, not the keys
}

var _ validator.Map = mapElementsRule{}

// mapKeysRule checks a map's keys with rule.
func mapKeysRule(rule stringRule, plural string) mapElementsRule {
	return mapElementsRule{rule: rule, plural: plural}
}

// mapValuesRule checks a map's known values with rule.
func mapValuesRule(rule stringRule, plural string) mapElementsRule {
	return mapElementsRule{rule: rule, plural: plural, values: true}
}

func (r mapElementsRule) what() string {
	if r.values {
		return "value"
	}
	return "key"
}

func (r mapElementsRule) Description(ctx context.Context) string {
	return "each " + r.what() + " " + r.rule.Description(ctx)
}

func (r mapElementsRule) MarkdownDescription(ctx context.Context) string { return r.Description(ctx) }

func (r mapElementsRule) ValidateMap(_ context.Context, req validator.MapRequest, resp *validator.MapResponse) {
	if req.ConfigValue.IsNull() || req.ConfigValue.IsUnknown() {
		return
	}
	type bad struct{ key, problem string }
	var found []bad
	for k, v := range req.ConfigValue.Elements() {
		s := k
		if r.values {
			sv, ok := v.(types.String)
			if !ok || sv.IsNull() || sv.IsUnknown() {
				continue
			}
			s = sv.ValueString()
		}
		if p := r.rule.problem(s); p != "" {
			found = append(found, bad{k, p})
		}
	}
	if len(found) == 0 {
		return
	}
	slices.SortFunc(found, func(a, b bad) int { return strings.Compare(a.key, b.key) })
	if len(found) == 1 {
		at := req.Path.AtMapKey(found[0].key)
		resp.Diagnostics.AddAttributeError(at, r.rule.summary, fmt.Sprintf("%s: %s.", at, found[0].problem))
		return
	}
	keys := make([]string, len(found))
	for i, f := range found {
		keys[i] = f.key
	}
	which := fmt.Sprintf("%d keys %s are", len(found), listSome(keys, maxListedElements))
	if r.values {
		which = fmt.Sprintf("the values of %d keys %s are", len(found), listSome(keys, maxListedElements))
	}
	resp.Diagnostics.AddAttributeError(req.Path, r.plural, fmt.Sprintf("%s: %s refused. The first: %s. Each %s %s.",
		req.Path, which, found[0].problem, r.what(), r.rule.description))
}

// listSome quotes the first n of items, and says how many more there are.
func listSome(items []string, n int) string {
	quoted := make([]string, 0, n)
	for i, it := range items {
		if i == n {
			break
		}
		quoted = append(quoted, strconv.Quote(it))
	}
	s := strings.Join(quoted, ", ")
	if len(items) > n {
		s += fmt.Sprintf(" and %d more", len(items)-n)
	}
	return s
}

// variableNameValidator refuses the empty name of a profile variable.
func variableNameValidator() stringRule {
	return stringRule{summary: "Invalid variable name", description: "must not be empty", problem: func(s string) string {
		if s == "" {
			return "a variable has a name: the empty name is not one"
		}
		return ""
	}}
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

// absoluteClean tells whether s is an absolute path without "." or ".."
// elements (a relative or climbing hostPath passes the plan and then is
// refused by the API server, leaving a failed install).
func absoluteClean(s string) bool {
	if !strings.HasPrefix(s, "/") {
		return false
	}
	for _, el := range strings.Split(s, "/") {
		if el == "." || el == ".." {
			return false
		}
	}
	return true
}

// systemDirectories are directories of a container's (or a node's) file
// system that a CA file mounted in their place would hide: the root, the
// directories of programs, libraries, configuration and state, and those of
// the system's own CA certificates (mounted over, every TLS connection of
// the agent would lose its trusted CAs). A CA certificate is a file, e.g.
// /etc/ssl/certs/proxy-ca.pem.
var systemDirectories = map[string]bool{
	"/": true, "/bin": true, "/boot": true, "/dev": true, "/etc": true, "/home": true, "/lib": true, "/lib32": true,
	"/lib64": true, "/media": true, "/mnt": true, "/opt": true, "/proc": true, "/root": true, "/run": true, "/sbin": true,
	"/srv": true, "/sys": true, "/tmp": true, "/usr": true, "/var": true,
	"/usr/bin": true, "/usr/lib": true, "/usr/lib64": true, "/usr/local": true, "/usr/sbin": true, "/usr/share": true,
	"/usr/local/bin": true, "/var/lib": true, "/var/run": true, "/var/log": true,
	"/etc/ssl": true, "/etc/ssl/certs": true, "/etc/pki": true, "/etc/pki/tls": true, "/etc/pki/tls/certs": true,
	"/etc/pki/ca-trust": true, "/usr/share/ca-certificates": true, "/usr/local/share/ca-certificates": true,
}

// caFilePathValidator checks the path of the proxy's CA certificate, on
// the nodes (ca_host_path) or in the agent's containers
// (ca_container_mount_path): an absolute path without . or .. elements, of
// a file: not ending in /, and not a system directory (systemDirectories)
// the mount would hide, "/" first of all.
func caFilePathValidator() stringRule {
	const description = "must be the absolute path of a file (starting with /, without . or .. elements, not ending in /), " +
		"not a system directory such as /, /etc or /etc/ssl/certs"
	return stringRule{summary: "Invalid path", description: description, problem: func(s string) string {
		switch {
		case !absoluteClean(s):
			return fmt.Sprintf("%q %s", s, description)
		case systemDirectories[strings.TrimRight(s, "/")] || s == "/":
			return fmt.Sprintf("%q is a system directory: a CA certificate mounted there would hide the directory's content "+
				"from the agent. The path %s", s, strings.TrimPrefix(description, "must be the absolute path"))
		case strings.HasSuffix(s, "/"):
			return fmt.Sprintf("%q is a directory (it ends in /): the CA certificate is a file; give the file's path, "+
				"e.g. %sproxy-ca.pem", s, s)
		}
		return ""
	}}
}

// noProxyDescription is what noProxyValidator asks of a NO_PROXY list.
const noProxyDescription = "must be a comma-separated list (blanks allowed around the commas) of host names, domains " +
	"(.example.com or *.example.com), IP addresses and CIDRs, each with an optional port, or *: no URLs, no empty " +
	"entries, no control characters, quotes or semicolons"

// noProxyValidator checks a NO_PROXY list as the agent's HTTP library
// reads it (golang.org/x/net/http/httpproxy): comma-separated entries with
// optional spaces around them, each a host name, a domain (.example.com,
// *.example.com), an IP address (IPv6 in brackets when a port follows), a
// CIDR, any with an optional port, or * alone. An empty entry, a control
// character, a quote or a semicolon is refused: the library would skip or
// misread them, and the agent would go through the proxy for hosts meant
// to bypass it. The empty string is no list, as when no_proxy is not set.
func noProxyValidator() stringRule {
	return stringRule{summary: "Invalid no_proxy entry", description: noProxyDescription, problem: func(s string) string {
		if s == "" {
			return "" // no list, as when no_proxy is not set
		}
		var bad []string
		for _, e := range strings.Split(s, ",") {
			if !noProxyEntryValid(strings.Trim(e, " ")) {
				bad = append(bad, e)
			}
		}
		if len(bad) > 0 {
			return "entries " + listSome(bad, maxListedElements) + ": the list " + noProxyDescription
		}
		return ""
	}}
}

// noProxyHostRegexp is a host name or domain of a NO_PROXY entry: DNS
// labels of letters, digits, '-' and '_', with an optional leading "." or
// "*." (a domain and its subdomains).
var noProxyHostRegexp = regexp.MustCompile(`^(\.|\*\.)?[A-Za-z0-9_]([A-Za-z0-9_-]*[A-Za-z0-9_])?(\.[A-Za-z0-9_]([A-Za-z0-9_-]*[A-Za-z0-9_])?)*$`)

// noProxyEntryValid tells whether e (without its surrounding blanks) is a
// NO_PROXY entry.
func noProxyEntryValid(e string) bool {
	switch {
	case e == "*":
		return true
	case e == "":
		return false
	case strings.Contains(e, "/"):
		_, _, err := net.ParseCIDR(e)
		return err == nil
	case net.ParseIP(e) != nil:
		return true // an IPv6 address without a port
	}
	host := e
	if h, port, err := net.SplitHostPort(e); err == nil {
		if n, err := strconv.Atoi(port); err != nil || n < 1 || n > 65535 {
			return false
		}
		host = h
	} else if strings.HasPrefix(e, "[") && strings.HasSuffix(e, "]") {
		host = e[1 : len(e)-1] // [IPv6] without a port
		return net.ParseIP(host) != nil
	}
	if net.ParseIP(host) != nil {
		return true
	}
	return len(host) <= 253 && noProxyHostRegexp.MatchString(host)
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

// regexValidator checks that a string is a regular expression of Go's RE2
// syntax.
func regexValidator() stringRule {
	return stringRule{summary: "Invalid regular expression", description: "must be a regular expression (RE2 syntax)",
		problem: func(s string) string {
			if _, err := regexp.Compile(s); err != nil {
				return fmt.Sprintf("%q is not a regular expression (RE2 syntax): %s", s, err)
			}
			return ""
		}}
}

// cronRule checks a schedule: a standard five-field cron expression (or a
// descriptor: @daily, @every 6h), as Palette's scheduler and the agent
// (robfig/cron's ParseStandard) read it: scans and backups.
var cronRule = stringRule{
	summary:     "Invalid cron expression",
	description: "a standard cron expression: minute hour day-of-month month day-of-week (e.g. \"0 3 * * 0\")",
	problem: func(s string) string {
		if _, err := cron.ParseStandard(s); err != nil {
			return fmt.Sprintf("%q is not a cron expression of five fields (minute hour day-of-month month day-of-week, "+
				"e.g. \"0 3 * * 0\" for Sundays at 03:00): %s", s, err)
		}
		return ""
	},
}
