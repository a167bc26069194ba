package provider

import (
	"context"
	"sync"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/terraform-palette/terraform-provider-palette/internal/kube"
	"github.com/terraform-palette/terraform-provider-palette/internal/wire"
)

func baseFingerprintInput() creationFingerprintInput {
	return creationFingerprintInput{
		Name: "edge", CloudType: "generic", ImportMode: "full_permission",
		Labels: map[string]string{"owner": "x", "env": "lab"}, Description: "X's",
		Proxy:  wire.ClusterProxySpec{HTTPSProxy: "http://alice:pw@proxy:3128", NoProxy: "10.0.0.0/8"},
		Target: "6b1f3c0e-0000-4000-8000-000000000001",
	}
}

func TestCreationFingerprint(t *testing.T) {
	t.Parallel()
	base := creationFingerprint(baseFingerprintInput())
	// The canonical form is pinned: changing it must change
	// fingerprintVersion (so old and new fingerprints never match).
	if want := "03bf585dd963b84f34818cc1fc9f8bc7d1d397471c8e036290980a30ea0ef1b8"; base != want {
		t.Errorf("fingerprint of the base input = %s, want %s: a new canonical form needs a new fingerprintVersion", base, want)
	}
	tests := []struct {
		name string
		edit func(*creationFingerprintInput)
		same bool
	}{
		{"identical", func(*creationFingerprintInput) {}, true},
		{"labels in another order", func(in *creationFingerprintInput) { in.Labels = map[string]string{"env": "lab", "owner": "x"} }, true},
		{"another proxy password", func(in *creationFingerprintInput) { in.Proxy.HTTPSProxy = "http://alice:other@proxy:3128" }, true},
		{"the version field is set by the function", func(in *creationFingerprintInput) { in.Version = "forged" }, true},
		{"name", func(in *creationFingerprintInput) { in.Name = "edge2" }, false},
		{"cloud type", func(in *creationFingerprintInput) { in.CloudType = "aws" }, false},
		{"import mode", func(in *creationFingerprintInput) { in.ImportMode = "read_only" }, false},
		{"a label value", func(in *creationFingerprintInput) { in.Labels = map[string]string{"owner": "y", "env": "lab"} }, false},
		{"a label more", func(in *creationFingerprintInput) {
			in.Labels = map[string]string{"owner": "x", "env": "lab", "team": "a"}
		}, false},
		{"description", func(in *creationFingerprintInput) { in.Description = "Y's" }, false},
		{"proxy user", func(in *creationFingerprintInput) { in.Proxy.HTTPSProxy = "http://bob:pw@proxy:3128" }, false},
		{"proxy host", func(in *creationFingerprintInput) { in.Proxy.HTTPSProxy = "http://alice:pw@proxy2:3128" }, false},
		{"no_proxy", func(in *creationFingerprintInput) { in.Proxy.NoProxy = "" }, false},
		{"target cluster", func(in *creationFingerprintInput) { in.Target = "6b1f3c0e-0000-4000-8000-000000000002" }, false},
		{"no target", func(in *creationFingerprintInput) { in.Target = "" }, false},
		// Fields must not run into each other.
		{"name and description swapped", func(in *creationFingerprintInput) { in.Name, in.Description = in.Description, in.Name }, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			in := baseFingerprintInput()
			tt.edit(&in)
			got := creationFingerprint(in)
			if (got == base) != tt.same {
				t.Errorf("fingerprint equal to the base: %v, want %v", got == base, tt.same)
			}
			if len(got) != 64 {
				t.Errorf("fingerprint %q is not a hex SHA-256", got)
			}
		})
	}
	if creationFingerprint(creationFingerprintInput{Name: "a"}) != creationFingerprint(creationFingerprintInput{Name: "a", Labels: map[string]string{}}) {
		t.Error("null labels and empty labels give different fingerprints")
	}
}

func TestWithoutPassword(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{
		"":                           "",
		"http://proxy:3128":          "http://proxy:3128",
		"http://alice:pw@proxy:3128": "http://alice@proxy:3128",
		"http://alice@proxy:3128":    "http://alice@proxy:3128",
		"alice:pw@proxy:3128":        "proxy:3128", // not a URL with a scheme: only the host is kept
		"http://a%zz:pw@proxy":       "proxy",      // not parseable
	} {
		if got := withoutPassword(in); got != want {
			t.Errorf("withoutPassword(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestPlanFingerprint(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	m := importedClusterResourceModel{importedClusterPaletteModel: importedClusterPaletteModel{
		Name: types.StringValue("edge"), CloudType: types.StringValue("generic"), ImportMode: types.StringValue("read_only"),
		Labels:      types.MapValueMust(types.StringType, map[string]attr.Value{"owner": types.StringValue("x")}),
		Description: types.StringNull(), Proxy: types.ObjectNull(proxyAttrTypes),
	}}
	var diags diag.Diagnostics
	got, ok := planFingerprint(ctx, &m, "uid-1", &diags)
	want := creationFingerprint(creationFingerprintInput{Name: "edge", CloudType: "generic", ImportMode: "read_only",
		Labels: map[string]string{"owner": "x"}, Target: "uid-1"})
	if !ok || diags.HasError() || got != want {
		t.Fatalf("planFingerprint = %q, %v, %v; want %q", got, ok, diags, want)
	}
	m.Description = types.StringValue("")
	if got2, _ := planFingerprint(ctx, &m, "uid-1", &diags); got2 != want {
		t.Error("an empty description and no description give different fingerprints (both send none)")
	}
	m.Labels = types.MapValueMust(types.StringType, map[string]attr.Value{"owner": types.StringUnknown()})
	if _, ok := planFingerprint(ctx, &m, "uid-1", &diags); ok {
		t.Error("a fingerprint with an unknown label value")
	}
	m.Labels = types.MapNull(types.StringType)
	m.Name = types.StringUnknown()
	if _, ok := planFingerprint(ctx, &m, "uid-1", &diags); ok {
		t.Error("a fingerprint with an unknown name")
	}
}

func TestClusterAnnotations(t *testing.T) {
	t.Parallel()
	got := clusterAnnotations(types.StringValue("d"), "abc")
	if len(got) != 2 || got["description"] != "d" || got[creationFingerprintAnnotation] != "abc" {
		t.Errorf("clusterAnnotations = %v", got)
	}
	if got := clusterAnnotations(types.StringNull(), ""); len(got) != 0 {
		t.Errorf("clusterAnnotations of nothing = %v", got)
	}
	if got := clusterAnnotations(types.StringValue(""), "abc"); len(got) != 1 || got[creationFingerprintAnnotation] != "abc" {
		t.Errorf("clusterAnnotations without a description = %v", got)
	}
}

// The description read back ignores the fingerprint annotation.
func TestFlattenCluster_fingerprintIsNoDescription(t *testing.T) {
	t.Parallel()
	for _, ann := range []map[string]string{
		{creationFingerprintAnnotation: "abc", "scope": "project"},
		{creationFingerprintAnnotation: "abc", "description": "d"},
	} {
		m := importedClusterResourceModel{importedClusterPaletteModel: importedClusterPaletteModel{Description: types.StringNull(), Labels: types.MapNull(types.StringType)}}
		var diags diag.Diagnostics
		flattenCluster(context.Background(), &m, &clusterView{cluster: &wire.SpectroCluster{Metadata: wire.ObjectMeta{UID: "u", Name: "n", Annotations: ann}}}, &diags)
		if diags.HasError() {
			t.Fatal(diags)
		}
		if want := ann["description"]; m.Description.ValueString() != want || (want == "") != m.Description.IsNull() {
			t.Errorf("annotations %v: description %s, want %q", ann, m.Description, want)
		}
	}
}

func TestOwnershipClaims(t *testing.T) {
	t.Parallel()
	o := (&providerData{}).ownership()
	// One run's claims, in order.
	for _, c := range []struct {
		why, phase, key, claimant string
		conflict                  bool
		other                     string
	}{
		{"first claim", phasePlan, "k", "a", false, ""},
		{"the same claimant again (same resource)", phasePlan, "k", "a", false, ""},
		{"a second claimant, named", phasePlan, "k", "b", true, "a"},
		{"phases do not share claims (a plan's claim must not refuse the same resource's create)", phaseApply, "k", "b", false, ""},
		{"first anonymous claim", phasePlan, "anon", "", false, ""},
		{"a second anonymous claim", phasePlan, "anon", "", true, ""},
		{"a named claim after an anonymous one", phasePlan, "anon", "c", true, ""},
	} {
		if other, conflict := o.claim(c.phase, c.key, c.claimant); conflict != c.conflict || other != c.other {
			t.Errorf("%s: claim = %q, %v; want %q, %v", c.why, other, conflict, c.other, c.conflict)
		}
	}
	if (&providerData{}).ownership() == o {
		t.Error("two provider runs share claims")
	}
}

// Of many concurrent claims of one key by different resources, one wins.
func TestOwnershipClaims_concurrent(t *testing.T) {
	t.Parallel()
	o := (&providerData{}).ownership()
	var wg sync.WaitGroup
	var mu sync.Mutex
	wins := 0
	for range 50 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if _, conflict := o.claim(phaseApply, attachmentClaimKey("c", "p"), ""); !conflict {
				mu.Lock()
				wins++
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	if wins != 1 {
		t.Errorf("%d claims won, want 1", wins)
	}
}

// Create claims the name for the run: a second Create of the same name in
// one apply (two resources of one configuration) is refused, on name, and
// registers nothing.
func TestClaimForCreate_name(t *testing.T) {
	t.Parallel()
	r := &importedClusterResource{data: &providerData{}}
	m := importedClusterResourceModel{importedClusterPaletteModel: importedClusterPaletteModel{
		Name: types.StringValue("edge"), CloudType: types.StringValue("generic"), ImportMode: types.StringValue("read_only"),
		Labels: types.MapNull(types.StringType), Description: types.StringNull(), Proxy: types.ObjectNull(proxyAttrTypes),
	}}
	var first, second diag.Diagnostics
	fp := r.claimForCreate(context.Background(), &m, kube.Access{}, &first)
	if first.HasError() || fp != creationFingerprint(creationFingerprintInput{Name: "edge", CloudType: "generic", ImportMode: "read_only"}) {
		t.Fatalf("first create: %q, %v", fp, first)
	}
	if fp := r.claimForCreate(context.Background(), &m, kube.Access{}, &second); fp != "" || !second.HasError() ||
		second[0].Summary() != "Cluster name already taken" {
		t.Fatalf("second create of the name: %q, %v", fp, second)
	}
	if ad, ok := second[0].(diag.DiagnosticWithPath); !ok || !ad.Path().Equal(path.Root("name")) {
		t.Errorf("the refusal is not on name: %v", second[0])
	}
}

// The second attachment of one profile to one cluster in a phase is
// refused on profile_id; another profile or cluster is not.
func TestClaimAttachment(t *testing.T) {
	t.Parallel()
	pd := &providerData{}
	var diags diag.Diagnostics
	claimAttachment(pd, phaseApply, "c1", "p1", &diags)
	claimAttachment(pd, phaseApply, "c1", "p2", &diags)
	claimAttachment(pd, phaseApply, "c2", "p1", &diags)
	claimAttachment(pd, phasePlan, "c1", "p1", &diags)
	if diags.HasError() {
		t.Fatalf("distinct attachments refused: %v", diags)
	}
	claimAttachment(pd, phaseApply, "c1", "p1", &diags)
	if len(diags) != 1 || diags[0].Summary() != "Profile attached twice" {
		t.Fatalf("second attachment of p1 to c1: %v", diags)
	}
	if ad, ok := diags[0].(diag.DiagnosticWithPath); !ok || !ad.Path().Equal(path.Root("profile_id")) {
		t.Errorf("the refusal is not on profile_id: %v", diags[0])
	}
}
