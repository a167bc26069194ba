package provider

import (
	"errors"
	"fmt"
	"regexp"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/terraform-palette/terraform-provider-palette/internal/wire"
)

func TestCompareVersions(t *testing.T) {
	t.Parallel()
	cases := []struct {
		a, b string
		want int
	}{
		{"1.0.0", "1.0.0", 0},
		{"1.0.0", "1.1.0", -1},
		{"1.10.0", "1.9.0", 1},
		{"2.0", "1.99.99", 1},
		{"1.0", "1.0.0", 0},
		{"v1.2.0", "1.2.0", 0},
		{"1.2.0-rc.1", "1.2.0", -1},
		{"1.2.0-rc.2", "1.2.0-rc.1", 1},
		{"1.2.0+build", "1.2.0", 0},
		{"1.x", "1.y", -1},
	}
	for _, tc := range cases {
		if got := compareVersions(tc.a, tc.b); got != tc.want {
			t.Errorf("compareVersions(%q, %q) = %d, want %d", tc.a, tc.b, got, tc.want)
		}
		if got := compareVersions(tc.b, tc.a); got != -tc.want {
			t.Errorf("compareVersions(%q, %q) = %d, want %d", tc.b, tc.a, got, -tc.want)
		}
	}
}

func TestPickProfile(t *testing.T) {
	t.Parallel()
	prof := func(uid, name, version, scope string) wire.ClusterProfile {
		return wire.ClusterProfile{
			Metadata: wire.ObjectMeta{UID: uid, Name: name, Annotations: map[string]string{"scope": scope}},
			Spec:     wire.ClusterProfileSpec{Version: version},
		}
	}
	all := []wire.ClusterProfile{
		prof("a", "hello", "1.0.0", "project"),
		prof("b", "hello", "1.10.0", "project"),
		prof("c", "hello", "1.9.0", "project"),
		prof("d", "dup", "1.0.0", "project"),
		prof("e", "dup", "1.0.0", "tenant"),
		prof("f", "dup", "0.9.0", "project"),
		prof("g", "other", "3.0.0", "project"),
	}
	cases := []struct {
		name, version string
		wantUID       string
		wantErr       error
	}{
		{"hello", "", "b", nil},
		{"hello", "1.9.0", "c", nil},
		{"hello", "2.0.0", "", errProfileNotFound},
		{"nope", "", "", errProfileNotFound},
		{"dup", "1.0.0", "", errProfileAmbiguous},
		{"dup", "", "", errProfileAmbiguous},
		{"dup", "0.9.0", "f", nil},
	}
	for _, tc := range cases {
		t.Run(tc.name+"@"+tc.version, func(t *testing.T) {
			t.Parallel()
			p, err := pickProfile(all, tc.name, tc.version)
			if tc.wantErr != nil {
				if !errors.Is(err, tc.wantErr) {
					t.Fatalf("err = %v, want %v", err, tc.wantErr)
				}
				return
			}
			if err != nil || p.Metadata.UID != tc.wantUID {
				t.Fatalf("got %v, %v; want %s", p, err, tc.wantUID)
			}
		})
	}
}

func TestAccClusterProfileDataSource_basic(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t, testEnvOptions{})
	v1 := env.createProfile(t, "hello-addon.yaml", false, nil)
	v2 := env.createProfile(t, "hello-addon.yaml", false, withVersion("1.10.0", "newest"))
	env.createProfile(t, "hello-addon.yaml", false, withVersion("1.9.0", "older"))
	full := env.createProfile(t, "full-cluster.yaml", false, nil)
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{{
			Config: env.providerConfig() + fmt.Sprintf(`
data "palette_cluster_profile" "newest" {
  name = "hello-addon"
}
data "palette_cluster_profile" "pinned" {
  name    = "hello-addon"
  version = "1.0.0"
}
data "palette_cluster_profile" "by_id" {
  id = %q
}
`, full),
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue("data.palette_cluster_profile.newest", tfjsonpath.New("id"), knownvalue.StringExact(v2)),
				statecheck.ExpectKnownValue("data.palette_cluster_profile.newest", tfjsonpath.New("version"), knownvalue.StringExact("1.10.0")),
				statecheck.ExpectKnownValue("data.palette_cluster_profile.newest", tfjsonpath.New("type"), knownvalue.StringExact("add-on")),
				statecheck.ExpectKnownValue("data.palette_cluster_profile.newest", tfjsonpath.New("cloud_type"), knownvalue.StringExact("all")),
				statecheck.ExpectKnownValue("data.palette_cluster_profile.newest", tfjsonpath.New("packs"), knownvalue.ListExact([]knownvalue.Check{
					knownvalue.ObjectExact(map[string]knownvalue.Check{
						"name":   knownvalue.StringExact("hello"),
						"tag":    knownvalue.StringExact("1.0.0"),
						"type":   knownvalue.StringExact("manifest"),
						"values": knownvalue.StringRegexp(regexp.MustCompile(`message: newest`)),
					}),
				})),
				statecheck.ExpectKnownValue("data.palette_cluster_profile.pinned", tfjsonpath.New("id"), knownvalue.StringExact(v1)),
				statecheck.ExpectKnownValue("data.palette_cluster_profile.by_id", tfjsonpath.New("name"), knownvalue.StringExact("full-cluster")),
				statecheck.ExpectKnownValue("data.palette_cluster_profile.by_id", tfjsonpath.New("type"), knownvalue.StringExact("cluster")),
				statecheck.ExpectKnownValue("data.palette_cluster_profile.by_id", tfjsonpath.New("version"), knownvalue.StringExact("1.0.0")),
				statecheck.ExpectKnownValue("data.palette_cluster_profile.by_id", tfjsonpath.New("packs"), knownvalue.ListSizeExact(2)),
			},
		}},
	})
}

func TestAccClusterProfileDataSource_errors(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t, testEnvOptions{})
	env.createProfile(t, "hello-addon.yaml", false, nil)
	// The same name and version in the tenant: visible from the project too.
	env.createProfile(t, "hello-addon.yaml", true, nil)
	step := func(body string, want string) resource.TestStep {
		return resource.TestStep{
			Config:      env.providerConfig() + body,
			ExpectError: regexp.MustCompile(want),
		}
	}
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			step(`data "palette_cluster_profile" "x" { name = "no-such-profile" }`, `Cluster\s+profile\s+not\s+found`),
			step(`data "palette_cluster_profile" "x" {
  name    = "hello-addon"
  version = "9.9.9"
}`, `(?s)Cluster\s+profile\s+not\s+found.*9\.9\.9`),
			step(`data "palette_cluster_profile" "x" { id = "aaaaaaaaaaaaaaaaaaaaaaaa" }`, `Cluster\s+profile\s+not\s+found`),
			step(`data "palette_cluster_profile" "x" { name = "hello-addon" }`, `(?s)Ambiguous\s+cluster\s+profile.*2\s+cluster\s+profiles.*Set\s+id`),
			step(`data "palette_cluster_profile" "x" {
  name    = "hello-addon"
  version = "1.0.0"
}`, `(?s)Ambiguous\s+cluster\s+profile.*tenant`),
			step(`data "palette_cluster_profile" "x" {
  name = "hello-addon"
  id   = "aaaaaaaaaaaaaaaaaaaaaaaa"
}`, `(?s)Exactly\s+one\s+of\s+these\s+attributes\s+must\s+be\s+configured`),
			step(`data "palette_cluster_profile" "x" {}`, `(?s)Exactly\s+one\s+of\s+these\s+attributes\s+must\s+be\s+configured`),
			// A valid last configuration, for the destroy that ends the test.
			{Config: env.providerConfig()},
		},
	})
}
