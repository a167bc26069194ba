package provider

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-go/tftypes"
)

// TestValidator_strings: each string validator refuses what it should, with
// its summary on the attribute's own path, and lets the rest (null and
// unknown included) through.
func TestValidator_strings(t *testing.T) {
	t.Parallel()
	const (
		badPath  = "Invalid path"
		badProxy = "Invalid proxy URL"
		badNo    = "Invalid no_proxy entry"
		badHost  = "Invalid Palette host"
		badDur   = "Invalid duration"
		badKey   = "Invalid label key"
		badValue = "Invalid label value"
	)
	cases := []struct {
		name  string
		v     validator.String
		value string
		want  string // summary, or "" for no diagnostic
	}{
		{"duration", durationValidator{}, "20m", ""},
		{"duration zero", durationValidator{}, "0s", badDur},
		{"duration negative", durationValidator{}, "-5m", badDur},
		{"duration not one", durationValidator{}, "abc", badDur},
		{"label key", labelKeyValidator(), "team", ""},
		{"label key with prefix", labelKeyValidator(), "example.com/owner", ""},
		{"label key empty", labelKeyValidator(), "", badKey},
		{"label key with blanks and symbols", labelKeyValidator(), "bad key!/$", badKey},
		{"label key with a colon", labelKeyValidator(), "a:b", badKey},
		{"label key of 300 characters", labelKeyValidator(), strings.Repeat("k", 300), badKey},
		{"label key of 63 characters", labelKeyValidator(), strings.Repeat("k", 63), ""},
		{"label value", labelValueValidator(), "prod-1.a_b", ""},
		{"label value empty", labelValueValidator(), "", ""},
		{"label value with a colon", labelValueValidator(), "a:b", badValue},
		{"label value of 300 characters", labelValueValidator(), strings.Repeat("v", 300), badValue},
		{"label value ending in a hyphen", labelValueValidator(), "prod-", badValue},
		{"proxy", proxyURLValidator(), "http://proxy.internal:3128", ""},
		{"proxy https with a user", proxyURLValidator(), "https://alice@proxy.internal", ""},
		{"proxy https with a password", proxyURLValidator(), "https://alice:pw@proxy.internal", badProxy},
		{"proxy with an empty password", proxyURLValidator(), "http://alice:@proxy.internal:3128", badProxy},
		{"proxy IPv6", proxyURLValidator(), "http://[fd00::1]:3128", ""},
		{"proxy without a scheme", proxyURLValidator(), "proxy.internal:3128", badProxy},
		{"proxy socks", proxyURLValidator(), "socks5://proxy.internal:1080", badProxy},
		{"proxy not a URL", proxyURLValidator(), "not a url", badProxy},
		{"proxy without a host", proxyURLValidator(), "http://:3128", badProxy},
		{"proxy port 99999", proxyURLValidator(), "http://proxy.internal:99999", badProxy},
		{"proxy port 0", proxyURLValidator(), "http://proxy.internal:0", badProxy},
		{"proxy port 65535", proxyURLValidator(), "http://proxy.internal:65535", ""},
		{"path", caFilePathValidator(), "/etc/ssl/proxy-ca.pem", ""},
		{"path relative", caFilePathValidator(), "etc/ca.pem", badPath},
		{"path climbing", caFilePathValidator(), "../../etc/ca.pem", badPath},
		{"path absolute but climbing", caFilePathValidator(), "/etc/../root/ca.pem", badPath},
		{"path with a dot element", caFilePathValidator(), "/etc/./ca.pem", badPath},
		{"path empty", caFilePathValidator(), "", badPath},
		{"path /", caFilePathValidator(), "/", badPath},
		{"path /etc", caFilePathValidator(), "/etc", badPath},
		{"path /etc/", caFilePathValidator(), "/etc/", badPath},
		{"path /usr/bin", caFilePathValidator(), "/usr/bin", badPath},
		{"path /etc/ssl/certs", caFilePathValidator(), "/etc/ssl/certs", badPath},
		{"path of a directory", caFilePathValidator(), "/opt/certs/", badPath},
		{"path //", caFilePathValidator(), "//", badPath},
		{"path in a system directory", caFilePathValidator(), "/etc/ssl/certs/proxy-ca.pem", ""},
		{"no_proxy", noProxyValidator(), "10.0.0.0/8,.svc, .cluster.local,localhost:8080,[::1],fd00::1,[fd00::1]:443,*.example.com,my_host,192.168.0.1:3128", ""},
		{"no_proxy star", noProxyValidator(), "*", ""},
		{"no_proxy empty", noProxyValidator(), "", ""},
		{"no_proxy with empty entries", noProxyValidator(), "a,,b", badNo},
		{"no_proxy with a trailing comma", noProxyValidator(), "a,b,", badNo},
		{"no_proxy of blanks only", noProxyValidator(), " ", badNo},
		{"no_proxy with a newline", noProxyValidator(), "a\n,b", badNo},
		{"no_proxy with a tab", noProxyValidator(), "a,\tb", badNo},
		{"no_proxy with a semicolon", noProxyValidator(), "a;b", badNo},
		{"no_proxy with a quote", noProxyValidator(), `"a"`, badNo},
		{"no_proxy of the issue", noProxyValidator(), "\n,,*;;\" \t", badNo},
		{"no_proxy with port 0", noProxyValidator(), "a:0", badNo},
		{"no_proxy with a bad IPv6 in brackets", noProxyValidator(), "[zz::1]", badNo},
		{"no_proxy with a leading hyphen", noProxyValidator(), "-a.example.com", badNo},
		{"no_proxy with a URL", noProxyValidator(), "http://internal.example.com", badNo},
		{"no_proxy with a blank inside", noProxyValidator(), "a b,c", badNo},
		{"no_proxy with a bad CIDR", noProxyValidator(), "10.0.0.0/33", badNo},
		{"host", paletteHostValidator(), "api.spectrocloud.com", ""},
		{"host with a port", paletteHostValidator(), "palette.example.com:8443", ""},
		{"host URL", paletteHostValidator(), "http://127.0.0.1:8080", ""},
		{"host ftp", paletteHostValidator(), "ftp://palette.example.com", badHost},
		{"host URL without a host", paletteHostValidator(), "https://", badHost},
		{"uid", paletteUIDValidator(), "0123456789abcdef01234567", ""},
		{"uid in capitals", paletteUIDValidator(), "0123456789ABCDEF01234567", "Invalid Attribute Value Match"},
		{"uid too short", paletteUIDValidator(), "0123456789abcdef", "Invalid Attribute Value Match"},
	}
	at := path.Root("block").AtName("attr")
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			resp := &validator.StringResponse{}
			tc.v.ValidateString(context.Background(), validator.StringRequest{Path: at, ConfigValue: types.StringValue(tc.value)}, resp)
			ds := resp.Diagnostics
			switch {
			case tc.want == "" && ds.HasError():
				t.Fatalf("%q refused: %v", tc.value, ds)
			case tc.want == "":
				return
			case len(ds) != 1 || ds[0].Summary() != tc.want:
				t.Fatalf("%q: diagnostics %v, want one %q", tc.value, ds, tc.want)
			}
			withPath, ok := ds[0].(interface{ Path() path.Path })
			if !ok || !withPath.Path().Equal(at) {
				t.Errorf("%q: diagnostic not on %s: %v", tc.value, at, ds[0])
			}
			if tc.want == badProxy && strings.Contains(ds[0].Detail(), tc.value) {
				t.Errorf("%q: the detail %q repeats the proxy URL (it may carry a password)", tc.value, ds[0].Detail())
			}
		})
		for _, v := range []types.String{types.StringNull(), types.StringUnknown()} {
			resp := &validator.StringResponse{}
			tc.v.ValidateString(context.Background(), validator.StringRequest{Path: at, ConfigValue: v}, resp)
			if resp.Diagnostics.HasError() {
				t.Errorf("%s: %s refused: %v", tc.name, v, resp.Diagnostics)
			}
		}
	}
}

// TestValidator_labels: a labels map gets one diagnostic per rule: a
// single bad key or value on its element, several together on the map.
func TestValidator_labels(t *testing.T) {
	t.Parallel()
	labels := strMap(map[string]string{"team": "platform", "bad key": "x", "a:b": "ok", "owner": strings.Repeat("v", 300), "": "empty-key"})
	var got []string
	for _, v := range labelsValidators() {
		resp := &validator.MapResponse{}
		v.ValidateMap(context.Background(), validator.MapRequest{Path: path.Root("labels"), ConfigValue: labels}, resp)
		for _, d := range resp.Diagnostics {
			p, ok := d.(interface{ Path() path.Path })
			if !ok {
				t.Fatalf("diagnostic without a path: %v", d)
			}
			got = append(got, d.Summary()+" at "+p.Path().String())
			if d.Summary() == "Invalid label keys" && !strings.Contains(d.Detail(), `labels: 3 keys "", "a:b", "bad key" are refused. The first: "" is not a Kubernetes label key`) {
				t.Errorf("detail %q", d.Detail())
			}
		}
	}
	want := map[string]bool{`Invalid label keys at labels`: true, `Invalid label value at labels["owner"]`: true}
	if len(got) != len(want) {
		t.Fatalf("diagnostics %q, want %d", got, len(want))
	}
	for _, g := range got {
		if !want[g] {
			t.Errorf("unexpected diagnostic %s", g)
		}
	}
}

// TestValidator_mapOf3000BadKeys: 3,000 bad keys are one diagnostic, which
// names the first five and counts the rest.
func TestValidator_mapOf3000BadKeys(t *testing.T) {
	t.Parallel()
	m := map[string]string{"ok": "fine"}
	for i := range 3000 {
		m[fmt.Sprintf("bad key %04d", i)] = "x"
	}
	resp := &validator.MapResponse{}
	labelsValidators()[0].ValidateMap(context.Background(), validator.MapRequest{Path: path.Root("labels"), ConfigValue: strMap(m)}, resp)
	if len(resp.Diagnostics) != 1 {
		t.Fatalf("%d diagnostics, want 1", len(resp.Diagnostics))
	}
	want := `labels: 3000 keys "bad key 0000", "bad key 0001", "bad key 0002", "bad key 0003", "bad key 0004" and 2995 more are refused.`
	if d := resp.Diagnostics[0].Detail(); !strings.HasPrefix(d, want) {
		t.Errorf("detail %q, want it to start with %q", d, want)
	}
}

// TestValidator_onTheAttribute: through the provider server, as Terraform
// validates a configuration, each rule's diagnostic is on the attribute at
// fault (not on its block).
func TestValidator_onTheAttribute(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	srv, sch := newServer(t)
	str := func(s string) tftypes.Value { return tftypes.NewValue(tftypes.String, s) }
	strs := func(kv ...string) tftypes.Value {
		m := map[string]tftypes.Value{}
		for i := 0; i < len(kv); i += 2 {
			m[kv[i]] = str(kv[i+1])
		}
		return tftypes.NewValue(tftypes.Map{ElementType: tftypes.String}, m)
	}
	cluster := sch.ResourceSchemas["palette_imported_cluster"].ValueType()
	attachment := sch.ResourceSchemas["palette_addon_profile_attachment"].ValueType()
	typeOf := func(typ tftypes.Type, names ...string) tftypes.Type {
		for _, n := range names {
			ot, ok := typ.(tftypes.Object)
			if !ok {
				t.Fatalf("%s is not an object", typ)
			}
			typ = ot.AttributeTypes[n]
		}
		return typ
	}
	obj := func(typ tftypes.Type, names []string, vals map[string]tftypes.Value) tftypes.Value {
		return objWith(t, typeOf(typ, names...), vals)
	}
	clusterWith := func(vals map[string]tftypes.Value) tftypes.Value {
		vals["name"] = str("edge")
		return objWith(t, cluster, vals)
	}
	proxy := func(kv ...string) tftypes.Value {
		m := map[string]tftypes.Value{}
		for i := 0; i < len(kv); i += 2 {
			m[kv[i]] = str(kv[i+1])
		}
		return obj(cluster, []string{"proxy"}, m)
	}
	timeoutsOf := func(typ tftypes.Type, kv ...string) tftypes.Value {
		m := map[string]tftypes.Value{}
		for i := 0; i < len(kv); i += 2 {
			m[kv[i]] = str(kv[i+1])
		}
		return obj(typ, []string{"timeouts"}, m)
	}
	attachmentWith := func(vals map[string]tftypes.Value) tftypes.Value {
		vals["cluster_id"], vals["profile_id"] = str("0123456789abcdef01234567"), str("0123456789abcdef01234567")
		return objWith(t, attachment, vals)
	}
	ap := func(steps ...any) *tftypes.AttributePath {
		p := tftypes.NewAttributePath()
		for _, s := range steps {
			switch s := s.(type) {
			case string:
				p = p.WithAttributeName(s)
			case key:
				p = p.WithElementKeyString(string(s))
			}
		}
		return p
	}
	exec := obj(cluster, []string{"kubernetes", "exec"}, map[string]tftypes.Value{"api_version": str("client.authentication.k8s.io/v1beta1"), "command": str("aws")})
	cases := []struct {
		name     string
		typeName string // "" for the provider
		config   tftypes.Value
		summary  string
		at       *tftypes.AttributePath
	}{
		{"label key", "palette_imported_cluster", clusterWith(map[string]tftypes.Value{"labels": strs("bad key!/$", "x")}), "Invalid label key", ap("labels", key("bad key!/$"))},
		{"label value", "palette_imported_cluster", clusterWith(map[string]tftypes.Value{"labels": strs("team", strings.Repeat("v", 300))}), "Invalid label value", ap("labels", key("team"))},
		{"proxy URL", "palette_imported_cluster", clusterWith(map[string]tftypes.Value{"proxy": proxy("https_proxy", "proxy.internal:3128")}), "Invalid proxy URL", ap("proxy", "https_proxy")},
		{"proxy port", "palette_imported_cluster", clusterWith(map[string]tftypes.Value{"proxy": proxy("http_proxy", "http://proxy:99999")}), "Invalid proxy URL", ap("proxy", "http_proxy")},
		{"no_proxy", "palette_imported_cluster", clusterWith(map[string]tftypes.Value{"proxy": proxy("no_proxy", "http://a")}), "Invalid no_proxy entry", ap("proxy", "no_proxy")},
		{"relative CA path", "palette_imported_cluster", clusterWith(map[string]tftypes.Value{"proxy": proxy("ca_host_path", "../../etc/ca.pem", "ca_container_mount_path", "/etc/ca.pem")}),
			"Invalid path", ap("proxy", "ca_host_path")},
		{"CA path without a mount path", "palette_imported_cluster", clusterWith(map[string]tftypes.Value{"proxy": proxy("ca_host_path", "/etc/ca.pem")}),
			"Invalid Attribute Combination", ap("proxy", "ca_host_path")},
		{"mount path without a CA path", "palette_imported_cluster", clusterWith(map[string]tftypes.Value{"proxy": proxy("ca_container_mount_path", "/etc/ca.pem")}),
			"Invalid Attribute Combination", ap("proxy", "ca_container_mount_path")},
		{"create timeout abc", "palette_imported_cluster", clusterWith(map[string]tftypes.Value{"timeouts": timeoutsOf(cluster, "create", "abc")}), "Invalid duration", ap("timeouts", "create")},
		{"delete timeout 0s", "palette_imported_cluster", clusterWith(map[string]tftypes.Value{"timeouts": timeoutsOf(cluster, "delete", "0s")}), "Invalid duration", ap("timeouts", "delete")},
		{"update timeout -5m", "palette_addon_profile_attachment", attachmentWith(map[string]tftypes.Value{"timeouts": timeoutsOf(attachment, "update", "-5m")}), "Invalid duration", ap("timeouts", "update")},
		{"token_wo with exec", "palette_imported_cluster", clusterWith(map[string]tftypes.Value{"kubernetes": obj(cluster, []string{"kubernetes"}, map[string]tftypes.Value{
			"host": str("https://eks.example.com"), "token_wo": str("t0ken"), "exec": exec})}), "Invalid Attribute Combination", ap("kubernetes", "token_wo")},
		{"proxy URL with a password", "palette_imported_cluster", clusterWith(map[string]tftypes.Value{"proxy": proxy("https_proxy", "http://alice:pw@proxy.internal:3128")}),
			"Invalid proxy URL", ap("proxy", "https_proxy")},
		{"proxy password without a proxy", "palette_imported_cluster", clusterWith(map[string]tftypes.Value{"proxy_password_wo": str("pw")}),
			"Invalid Attribute Combination", ap("proxy_password_wo")},
		{"proxy password without a proxy user", "palette_imported_cluster", clusterWith(map[string]tftypes.Value{"proxy": proxy("https_proxy", "http://proxy.internal:3128"),
			"proxy_password_wo": str("pw")}), "Proxy password without a proxy user", ap("proxy_password_wo")},
		{"kubeconfig_wo empty", "palette_imported_cluster", clusterWith(map[string]tftypes.Value{"kubeconfig_wo": str("")}), "Invalid Attribute Value Length", ap("kubeconfig_wo")},
		{"description of 2 MB", "palette_imported_cluster", clusterWith(map[string]tftypes.Value{"description": str(strings.Repeat("d", 2<<20))}), "Invalid Attribute Value Length", ap("description")},
		{"values of 2 MB", "palette_addon_profile_attachment", attachmentWith(map[string]tftypes.Value{"values": strs("hello", "a: "+strings.Repeat("v", 2<<20))}),
			"Invalid Attribute Value Length", ap("values", key("hello"))},
		{"provider host ftp", "", objWith(t, sch.Provider.ValueType(), map[string]tftypes.Value{"host": str("ftp://palette.example.com")}), "Invalid Palette host", ap("host")},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			typ := cluster
			switch tc.typeName {
			case "":
				typ = sch.Provider.ValueType()
			case "palette_addon_profile_attachment":
				typ = attachment
			}
			cfg, err := tfprotov6.NewDynamicValue(typ, tc.config)
			if err != nil {
				t.Fatal(err)
			}
			var diags []*tfprotov6.Diagnostic
			if tc.typeName == "" {
				resp, err := srv.ValidateProviderConfig(ctx, &tfprotov6.ValidateProviderConfigRequest{Config: &cfg})
				if err != nil {
					t.Fatal(err)
				}
				diags = resp.Diagnostics
			} else {
				resp, err := srv.ValidateResourceConfig(ctx, &tfprotov6.ValidateResourceConfigRequest{
					TypeName: tc.typeName, Config: &cfg,
					ClientCapabilities: &tfprotov6.ValidateResourceConfigClientCapabilities{WriteOnlyAttributesAllowed: true},
				})
				if err != nil {
					t.Fatal(err)
				}
				diags = resp.Diagnostics
			}
			if len(diags) != 1 {
				t.Fatalf("%d diagnostics, want 1: %+v", len(diags), diags)
			}
			if d := diags[0]; d.Severity != tfprotov6.DiagnosticSeverityError || d.Summary != tc.summary || !d.Attribute.Equal(tc.at) {
				t.Errorf("diagnostic %q on %s, want %q on %s (%s)", d.Summary, d.Attribute, tc.summary, tc.at, d.Detail)
			}
		})
	}
	// The same configurations without the fault pass.
	for name, c := range map[string]tftypes.Value{
		"cluster": clusterWith(map[string]tftypes.Value{
			"labels": strs("team", "platform", "example.com/owner", ""), "description": str("lab"),
			"proxy":             proxy("https_proxy", "http://alice@proxy.internal:3128", "no_proxy", "10.0.0.0/8,.svc", "ca_host_path", "/etc/ca.pem", "ca_container_mount_path", "/etc/ssl/ca.pem"),
			"proxy_password_wo": str("pw"), "proxy_password_wo_version": tftypes.NewValue(tftypes.Number, 1),
			"kubernetes": obj(cluster, []string{"kubernetes"}, map[string]tftypes.Value{"host": str("https://eks.example.com"),
				"exec": obj(cluster, []string{"kubernetes", "exec"}, map[string]tftypes.Value{"api_version": str("client.authentication.k8s.io/v1beta1"),
					"command": str("aws"), "env": strs("AWS_PROFILE", "lab"), "env_wo": strs("SA_TOKEN", "t0ken")})}),
			"timeouts": timeoutsOf(cluster, "create", "20m"),
		}),
		"attachment": attachmentWith(map[string]tftypes.Value{"values": strs("hello", "replicas: 2"), "timeouts": timeoutsOf(attachment, "delete", "5m")}),
	} {
		typ, tn := cluster, "palette_imported_cluster"
		if name == "attachment" {
			typ, tn = attachment, "palette_addon_profile_attachment"
		}
		cfg, err := tfprotov6.NewDynamicValue(typ, c)
		if err != nil {
			t.Fatal(err)
		}
		resp, err := srv.ValidateResourceConfig(ctx, &tfprotov6.ValidateResourceConfigRequest{TypeName: tn, Config: &cfg,
			ClientCapabilities: &tfprotov6.ValidateResourceConfigClientCapabilities{WriteOnlyAttributesAllowed: true}})
		if err != nil || len(resp.Diagnostics) > 0 {
			t.Errorf("%s refused: %v %+v", name, err, resp.Diagnostics)
		}
	}
}

// key is a map key in a path of TestValidator_onTheAttribute.
type key string

// TestValidator_hostFromEnvironment: a host from PALETTE_HOST, which the
// attribute's validator never sees, is checked at configure time, on host.
func TestValidator_hostFromEnvironment(t *testing.T) {
	t.Setenv("PALETTE_HOST", "ftp://palette.example.com")
	t.Setenv("SPECTROCLOUD_HOST", "")
	srv, sch := newServer(t)
	resp := configureServer(t, srv, sch, map[string]tftypes.Value{"api_key": tftypes.NewValue(tftypes.String, "k")})
	if len(resp.Diagnostics) != 1 || resp.Diagnostics[0].Summary != "Invalid Palette host" ||
		!resp.Diagnostics[0].Attribute.Equal(tftypes.NewAttributePath().WithAttributeName("host")) {
		t.Fatalf("diagnostics %+v, want one Invalid Palette host on host", resp.Diagnostics)
	}
}

// TestValidator_mapValues: several bad values are one diagnostic on the
// map, naming their keys.
func TestValidator_mapValues(t *testing.T) {
	t.Parallel()
	resp := &validator.MapResponse{}
	labelsValidators()[1].ValidateMap(context.Background(), validator.MapRequest{Path: path.Root("labels"),
		ConfigValue: strMap(map[string]string{"a": "x:", "b": "ok", "c": "-y"})}, resp)
	if len(resp.Diagnostics) != 1 || resp.Diagnostics[0].Summary() != "Invalid label values" {
		t.Fatalf("diagnostics %v, want one Invalid label values", resp.Diagnostics)
	}
	if d := resp.Diagnostics[0].Detail(); !strings.HasPrefix(d, `labels: the values of 2 keys "a", "c" are refused. The first: "x:" is not a Kubernetes label value`) {
		t.Errorf("detail %q", d)
	}
}
