package provider

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-testing/compare"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/terraform-palette/terraform-provider-palette/internal/localapi"
	"github.com/terraform-palette/terraform-provider-palette/internal/manifest"
	"github.com/terraform-palette/terraform-provider-palette/internal/palette"
	"github.com/terraform-palette/terraform-provider-palette/internal/wire"
)

const testAttachment = "palette_addon_profile_attachment.test"

// The namespace and ConfigMap examples/profiles/hello-addon.yaml deploys.
const (
	helloNamespace = "hello-addon"
	helloConfigMap = "hello"
)

// Regular expressions of the plan-time rules (Terraform wraps diagnostics).
var (
	fullProfileRejected = regexp.MustCompile(`(?s)Only\s+add-on\s+profiles\s+can\s+be\s+attached.*You\s+cannot\s+use\s+a\s+full\s+cluster\s+profile`)
	readOnlyRejected    = regexp.MustCompile(`Add-on\s+profiles\s+need\s+Full\s+Permission`)
)

// createProfile creates and publishes the profile of an example file,
// changed by edit, in the project (or the tenant) and returns its UID.
func (e *testEnv) createProfile(t *testing.T, file string, tenant bool, edit func(*wire.ClusterProfileEntity)) string {
	t.Helper()
	p, err := localapi.LoadProfileFile(filepath.Join("..", "..", "examples", "profiles", file))
	if err != nil {
		t.Fatal(err)
	}
	if edit != nil {
		edit(&p)
	}
	project := e.API.ProjectUID
	if tenant {
		project = ""
	}
	uid, err := e.API.Server.CreateProfile(context.Background(), p, project)
	if err != nil {
		t.Fatal(err)
	}
	return uid
}

// withVersion gives a profile another version and default message.
func withVersion(version, message string) func(*wire.ClusterProfileEntity) {
	return func(p *wire.ClusterProfileEntity) {
		p.Spec.Version = version
		for i := range p.Spec.Template.Packs {
			p.Spec.Template.Packs[i].Values = strings.Replace(p.Spec.Template.Packs[i].Values, "message: hello", "message: "+message, 1)
		}
	}
}

// renamed gives a profile another name and deploys its objects into
// another namespace, so that it does not share objects with hello-addon.
func renamed(name string) func(*wire.ClusterProfileEntity) {
	return func(p *wire.ClusterProfileEntity) {
		p.Metadata.Name = name
		for i := range p.Spec.Template.Packs {
			for j := range p.Spec.Template.Packs[i].Manifests {
				m := &p.Spec.Template.Packs[i].Manifests[j]
				m.Content = strings.ReplaceAll(m.Content, helloNamespace, name)
			}
		}
	}
}

// importClusterDirect imports a cluster through the API only (no agent:
// it stays Pending) and returns its UID.
func (e *testEnv) importClusterDirect(t *testing.T, name, cloudType, wireMode string, labels map[string]string) string {
	t.Helper()
	uid, _, err := e.Client.ImportCluster(context.Background(), cloudType, wire.ImportRequest{
		Metadata: wire.ObjectMetaInputEntity{Name: name, Labels: labels},
		Spec:     wire.ImportRequestSpec{ClusterConfig: wire.ImportClusterConfig{ImportMode: wireMode}},
	})
	if err != nil {
		t.Fatal(err)
	}
	return uid
}

// testAccAddonProfileAttachmentConfig is a Full Permission cluster of the
// test's kube-apiserver plus the attachment block (empty: none).
func testAccAddonProfileAttachmentConfig(env *testEnv, clusterName, attachment string) string {
	return testAccImportedClusterConfig(env, clusterName, "full_permission", "") + attachment
}

func testAccAddonProfileAttachmentBlock(profileUID, extra string) string {
	return fmt.Sprintf(`
resource "palette_addon_profile_attachment" "test" {
  cluster_id = palette_imported_cluster.test.id
  profile_id = %q
%s
}
`, profileUID, extra)
}

// attachmentImportID returns the import ID of the attachment in state.
func attachmentImportID(s *terraform.State) (string, error) {
	rs, ok := s.RootModule().Resources[testAttachment]
	if !ok {
		return "", fmt.Errorf("%s not in state", testAttachment)
	}
	return rs.Primary.Attributes["cluster_id"] + ":" + rs.Primary.Attributes["profile_id"], nil
}

// attachedProfile returns the attachment of a profile to a cluster in
// Palette, or nil.
func (e *testEnv) attachedProfile(clusterUID, profileUID string) (*wire.SpectroClusterProfile, error) {
	list, err := e.Client.GetClusterProfiles(context.Background(), clusterUID)
	if err != nil {
		return nil, err
	}
	return findAttached(list, profileUID), nil
}

// testAccCheckAddonProfileAttachmentExists checks the attachment in Palette
// and that the agent deployed objects for it in the cluster.
func (e *testEnv) testAccCheckAddonProfileAttachmentExists(t *testing.T, name string, clusterUID, profileUID *string) func(*terraform.State) error {
	return func(s *terraform.State) error {
		rs, ok := s.RootModule().Resources[name]
		if !ok {
			return fmt.Errorf("%s not in state", name)
		}
		cid, pid, err := parseAttachmentID(rs.Primary.ID)
		if err != nil {
			return err
		}
		ap, err := e.attachedProfile(cid, pid)
		if err != nil {
			return err
		}
		if ap == nil {
			return fmt.Errorf("profile %s is not attached to cluster %s in Palette", pid, cid)
		}
		if refs := e.profileObjects(t, pid); len(refs) == 0 {
			return fmt.Errorf("the agent deployed no object for profile %s", pid)
		}
		if clusterUID != nil {
			*clusterUID = cid
		}
		if profileUID != nil {
			*profileUID = pid
		}
		return nil
	}
}

// testAccCheckAddonProfileAttachmentDestroy checks that no attachment of
// the state is left in Palette, nor any of its objects in the cluster.
func (e *testEnv) testAccCheckAddonProfileAttachmentDestroy(t *testing.T) func(*terraform.State) error {
	return func(s *terraform.State) error {
		for _, rs := range s.RootModule().Resources {
			if rs.Type != "palette_addon_profile_attachment" {
				continue
			}
			cid, pid, err := parseAttachmentID(rs.Primary.ID)
			if err != nil {
				return err
			}
			ap, err := e.attachedProfile(cid, pid)
			if err != nil && !errors.Is(err, palette.ErrNotFound) {
				return err
			}
			if ap != nil {
				return fmt.Errorf("profile %s is still attached to cluster %s", pid, cid)
			}
			if e.Kube != nil {
				// The agent deleted them; a namespace takes a moment to terminate.
				if err := eventually("the profile's objects to be gone", func() error {
					if refs := e.profileObjects(t, pid); len(refs) != 0 {
						return fmt.Errorf("objects of profile %s remain in the cluster: %v", pid, refs)
					}
					return nil
				}); err != nil {
					return err
				}
			}
		}
		return e.testAccCheckImportedClusterDestroy(s)
	}
}

// profileObjects lists the objects the agent deployed for a profile.
func (e *testEnv) profileObjects(t *testing.T, profileUID string) []kubeObjectRefs {
	t.Helper()
	refs, err := e.kubeClient(t).ListByLabel(testCtx(t), manifest.LabelProfileUID+"="+profileUID)
	if err != nil {
		t.Fatal(err)
	}
	out := make([]kubeObjectRefs, 0, len(refs))
	for _, r := range refs {
		out = append(out, kubeObjectRefs{Kind: r.Kind, Namespace: r.Namespace, Name: r.Name})
	}
	return out
}

type kubeObjectRefs struct{ Kind, Namespace, Name string }

// configMapMessage returns data.message of a ConfigMap ("" and no error
// when it does not exist).
func (e *testEnv) configMapMessage(t *testing.T, namespace, name string) (string, error) {
	cm, err := e.kubeClient(t).Kubernetes().CoreV1().ConfigMaps(namespace).Get(testCtx(t), name, metav1.GetOptions{})
	if apierrors.IsNotFound(err) {
		return "", nil
	}
	if err != nil {
		return "", err
	}
	return cm.Data["message"], nil
}

// eventually polls check until it passes or a minute has gone by.
func eventually(what string, check func() error) error {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	var last error
	err := poll(ctx, what, func() (bool, error) {
		last = check()
		return last == nil, nil
	})
	if err != nil {
		return fmt.Errorf("%w: %w", err, last)
	}
	return nil
}

func (e *testEnv) expectConfigMapMessage(t *testing.T, namespace, want string) func(*terraform.State) error {
	return func(*terraform.State) error {
		return eventually("the ConfigMap's message", func() error {
			got, err := e.configMapMessage(t, namespace, helloConfigMap)
			if err != nil {
				return err
			}
			if got != want {
				return fmt.Errorf("ConfigMap %s/%s has message %q, want %q", namespace, helloConfigMap, got, want)
			}
			return nil
		})
	}
}

// attachOutOfBand attaches a profile with the API client, as somebody
// outside Terraform would, and waits until its packs are Ready.
func (e *testEnv) attachOutOfBand(clusterUID, profileUID string) error {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	if err := e.Client.PatchClusterProfiles(ctx, clusterUID, wire.SpectroClusterProfiles{
		Profiles: []wire.SpectroClusterProfileEntity{{UID: profileUID}},
	}); err != nil {
		return err
	}
	p, err := e.Client.GetProfile(ctx, profileUID)
	if err != nil {
		return err
	}
	return waitPacksReady(ctx, e.Client, clusterUID, profileUID, profilePackNames(p))
}

var readyPack = knownvalue.ObjectExact(map[string]knownvalue.Check{
	"name":    knownvalue.StringExact("hello"),
	"state":   knownvalue.StringExact("Ready"),
	"message": knownvalue.StringExact(""),
})

func TestAccAddonProfileAttachment_basic(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t, testEnvOptions{flavor: "generic"})
	hello := env.createProfile(t, "hello-addon.yaml", false, nil)
	var cid string
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		CheckDestroy:             env.testAccCheckAddonProfileAttachmentDestroy(t),
		Steps: []resource.TestStep{
			{
				Config: testAccAddonProfileAttachmentConfig(env, "attach-basic", testAccAddonProfileAttachmentBlock(hello, "")),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(testAttachment, tfjsonpath.New("profile_id"), knownvalue.StringExact(hello)),
					statecheck.ExpectKnownValue(testAttachment, tfjsonpath.New("packs"), knownvalue.ListExact([]knownvalue.Check{readyPack})),
					statecheck.ExpectKnownValue(testAttachment, tfjsonpath.New("values"), knownvalue.Null()),
					statecheck.ExpectKnownValue(testAttachment, tfjsonpath.New("adopt_existing"), knownvalue.Bool(false)),
					statecheck.CompareValuePairs(testAttachment, tfjsonpath.New("cluster_id"), testResource, tfjsonpath.New("id"), compare.ValuesSame()),
				},
				Check: resource.ComposeTestCheckFunc(
					env.testAccCheckAddonProfileAttachmentExists(t, testAttachment, &cid, nil),
					resource.TestMatchResourceAttr(testAttachment, "id", regexp.MustCompile(`^[0-9a-f]{24}:`+hello+`$`)),
					func(*terraform.State) error {
						objs := env.profileObjects(t, hello)
						for _, want := range []kubeObjectRefs{
							{"Namespace", "", helloNamespace},
							{"ConfigMap", helloNamespace, helloConfigMap},
							{"Deployment", helloNamespace, "hello"},
						} {
							found := false
							for _, o := range objs {
								found = found || o == want
							}
							if !found {
								return fmt.Errorf("%v missing from the cluster; the profile's objects: %v", want, objs)
							}
						}
						return nil
					},
					env.expectConfigMapMessage(t, helloNamespace, "hello"),
				),
			},
			{
				ResourceName:      testAttachment,
				ImportState:       true,
				ImportStateIdFunc: attachmentImportID,
				ImportStateVerify: true,
			},
		},
	})
}

func TestAccAddonProfileAttachment_valuesOverride(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t, testEnvOptions{flavor: "generic"})
	// A profile that defines the variable greeting (its manifest refers to
	// it, in a comment): a variable the profile does not define fails the
	// plan.
	hello := env.createProfile(t, "hello-addon.yaml", false, func(p *wire.ClusterProfileEntity) {
		p.Spec.Template.Packs[0].Manifests[0].Content += "# greeting: {{ .Variables.greeting }}\n"
	})
	config := func(message string) string {
		return testAccAddonProfileAttachmentConfig(env, "attach-values", testAccAddonProfileAttachmentBlock(hello, fmt.Sprintf(`
  values = {
    hello = <<-EOT
      message: %s
    EOT
  }
  variables = { greeting = "ignored" }`, message)))
	}
	var cid string
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		CheckDestroy:             env.testAccCheckAddonProfileAttachmentDestroy(t),
		Steps: []resource.TestStep{
			{
				Config: config("bonjour"),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(testAttachment, tfjsonpath.New("values").AtMapKey("hello"), knownvalue.StringExact("message: bonjour\n")),
					statecheck.ExpectKnownValue(testAttachment, tfjsonpath.New("variables").AtMapKey("greeting"), knownvalue.StringExact("ignored")),
				},
				Check: resource.ComposeTestCheckFunc(
					env.testAccCheckAddonProfileAttachmentExists(t, testAttachment, &cid, nil),
					// The override reaches the deployed object, merged over the
					// defaults by the provider: Palette replaces a pack's values.
					env.expectConfigMapMessage(t, helloNamespace, "bonjour"),
					func(*terraform.State) error {
						ap, err := env.attachedProfile(cid, hello)
						if err != nil || ap == nil {
							return fmt.Errorf("attachment not found: %w", err)
						}
						if pv := ap.PackValues(); len(pv) != 1 || !yamlSemanticEqual(pv["hello"], "message: bonjour\nreplicas: 1\nimage: busybox:1.36\n") {
							return fmt.Errorf("Palette holds pack values %+v, want the profile's values with the override merged", pv)
						}
						d, err := env.kubeClient(t).Kubernetes().AppsV1().Deployments(helloNamespace).Get(testCtx(t), "hello", metav1.GetOptions{})
						if err != nil {
							return err
						}
						if d.Spec.Replicas == nil || *d.Spec.Replicas != 1 {
							return fmt.Errorf("the default replicas = 1 was lost in the merge: %v", d.Spec.Replicas)
						}
						return nil
					},
				),
			},
			{
				Config: config("salut"),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{plancheck.ExpectResourceAction(testAttachment, plancheck.ResourceActionUpdate)},
				},
				Check: env.expectConfigMapMessage(t, helloNamespace, "salut"),
			},
		},
	})
}

// An attachment brought in with an import block holds each pack's whole
// values in state; a configuration whose override produces them (merged
// onto the profile's values) plans no change.
func TestAccAddonProfileAttachment_importValuesOverride(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t, testEnvOptions{flavor: "generic"})
	hello := env.createProfile(t, "hello-addon.yaml", false, nil)
	const override = "message: bonjour\n"
	var cid string
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		CheckDestroy:             env.testAccCheckAddonProfileAttachmentDestroy(t),
		Steps: []resource.TestStep{
			{
				Config: testAccImportedClusterConfig(env, "attach-import", "full_permission", ""),
				Check:  stateID(testResource, &cid),
			},
			{
				// Attached outside Terraform with the override merged onto
				// the profile's values, as the provider sends it.
				PreConfig: func() {
					ctx := testCtx(t)
					prof, err := env.Client.GetProfile(ctx, hello)
					if err != nil {
						t.Fatal(err)
					}
					var diags diag.Diagnostics
					m := addonProfileAttachmentResourceModel{ProfileID: types.StringValue(hello),
						Values: types.MapValueMust(types.StringType, map[string]attr.Value{"hello": types.StringValue(override)})}
					entry := expandAttachment(ctx, &m, prof, "", &diags)
					if diags.HasError() {
						t.Fatal(diags)
					}
					if err := env.Client.PatchClusterProfiles(ctx, cid, wire.SpectroClusterProfiles{Profiles: []wire.SpectroClusterProfileEntity{entry}}); err != nil {
						t.Fatal(err)
					}
					if err := waitPacksReady(ctx, env.Client, cid, hello, profilePackNames(prof)); err != nil {
						t.Fatal(err)
					}
				},
				Config: testAccAddonProfileAttachmentConfig(env, "attach-import", testAccAddonProfileAttachmentBlock(hello,
					fmt.Sprintf("  values = { hello = %q }", override))) + fmt.Sprintf(`
import {
  to = palette_addon_profile_attachment.test
  id = "${palette_imported_cluster.test.id}:%s"
}
`, hello),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{plancheck.ExpectResourceAction(testAttachment, plancheck.ResourceActionNoop)},
				},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(testAttachment, tfjsonpath.New("packs"), knownvalue.ListExact([]knownvalue.Check{readyPack})),
				},
				Check: env.expectConfigMapMessage(t, helloNamespace, "bonjour"),
			},
		},
	})
}

func TestAccAddonProfileAttachment_valuesFormattingNoDiff(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t, testEnvOptions{flavor: "generic"})
	hello := env.createProfile(t, "hello-addon.yaml", false, nil)
	config := func(values string) string {
		return testAccAddonProfileAttachmentConfig(env, "attach-format",
			testAccAddonProfileAttachmentBlock(hello, fmt.Sprintf("  values = { hello = %q }", values)))
	}
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		CheckDestroy:             env.testAccCheckAddonProfileAttachmentDestroy(t),
		Steps: []resource.TestStep{
			{
				Config: config("message: bonjour\nreplicas: 1\n"),
				Check:  env.expectConfigMapMessage(t, helloNamespace, "bonjour"),
			},
			{
				// The same data, re-formatted: flow style, other key order, quotes.
				Config: config("{replicas: 1, message: 'bonjour'}"),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
				},
			},
			{
				// A real change still shows.
				Config: config("{replicas: 1, message: 'hola'}"),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{plancheck.ExpectResourceAction(testAttachment, plancheck.ResourceActionUpdate)},
				},
				Check: env.expectConfigMapMessage(t, helloNamespace, "hola"),
			},
		},
	})
}

func TestAccAddonProfileAttachment_upgradeVersionInPlace(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t, testEnvOptions{flavor: "generic"})
	v1 := env.createProfile(t, "hello-addon.yaml", false, nil)
	v2 := env.createProfile(t, "hello-addon.yaml", false, withVersion("1.1.0", "hello from 1.1.0"))
	other := env.createProfile(t, "hello-addon.yaml", false, renamed("other-addon"))
	var cid string
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		CheckDestroy:             env.testAccCheckAddonProfileAttachmentDestroy(t),
		Steps: []resource.TestStep{
			{
				Config: testAccAddonProfileAttachmentConfig(env, "attach-upgrade", testAccAddonProfileAttachmentBlock(v1, "")),
				Check: resource.ComposeTestCheckFunc(
					env.testAccCheckAddonProfileAttachmentExists(t, testAttachment, &cid, nil),
					env.expectConfigMapMessage(t, helloNamespace, "hello"),
				),
			},
			{
				Config: testAccAddonProfileAttachmentConfig(env, "attach-upgrade", testAccAddonProfileAttachmentBlock(v2, "")),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{plancheck.ExpectResourceAction(testAttachment, plancheck.ResourceActionUpdate)},
				},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(testAttachment, tfjsonpath.New("packs"), knownvalue.ListExact([]knownvalue.Check{readyPack})),
				},
				Check: resource.ComposeTestCheckFunc(
					resource.TestCheckResourceAttr(testAttachment, "profile_id", v2),
					resource.TestMatchResourceAttr(testAttachment, "id", regexp.MustCompile(`:`+v2+`$`)),
					env.expectConfigMapMessage(t, helloNamespace, "hello from 1.1.0"),
					func(*terraform.State) error {
						list, err := env.Client.GetClusterProfiles(context.Background(), cid)
						if err != nil {
							return err
						}
						if len(list.Profiles) != 1 || list.Profiles[0].Metadata.UID != v2 {
							return fmt.Errorf("want only %s attached, have %+v", v2, list.Profiles)
						}
						if objs := env.profileObjects(t, v1); len(objs) != 0 {
							return fmt.Errorf("objects of the previous version remain: %v", objs)
						}
						return nil
					},
				),
			},
			{
				// A profile of another name replaces the attachment.
				Config: testAccAddonProfileAttachmentConfig(env, "attach-upgrade", testAccAddonProfileAttachmentBlock(other, "")),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{plancheck.ExpectResourceAction(testAttachment, plancheck.ResourceActionDestroyBeforeCreate)},
				},
				Check: env.expectConfigMapMessage(t, "other-addon", "hello"),
			},
		},
	})
}

func TestAccAddonProfileAttachment_fullProfileRejected(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t, testEnvOptions{})
	full := env.createProfile(t, "full-cluster.yaml", false, nil)
	cid := env.importClusterDirect(t, "full-rejected", wire.CloudTypeGeneric, wire.ImportModeFullPermission, nil)
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{{
			Config: env.providerConfig() + fmt.Sprintf(`
resource "palette_addon_profile_attachment" "test" {
  cluster_id = %q
  profile_id = %q
}
`, cid, full),
			PlanOnly:    true,
			ExpectError: fullProfileRejected,
		}},
	})
	expectNothingAttached(t, env, cid)
}

func TestAccAddonProfileAttachment_infraProfileRejected(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t, testEnvOptions{})
	infra := env.createProfile(t, "full-cluster.yaml", false, func(p *wire.ClusterProfileEntity) {
		p.Metadata.Name = "infra-only"
		p.Spec.Template.Type = wire.ProfileTypeInfra
	})
	cid := env.importClusterDirect(t, "infra-rejected", wire.CloudTypeGeneric, wire.ImportModeFullPermission, nil)
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{{
			Config: env.providerConfig() + fmt.Sprintf(`
resource "palette_addon_profile_attachment" "test" {
  cluster_id = %q
  profile_id = %q
}
`, cid, infra),
			PlanOnly:    true,
			ExpectError: regexp.MustCompile(`(?s)type\s+"infra".*You\s+cannot\s+use\s+a\s+full\s+cluster\s+profile`),
		}},
	})
	expectNothingAttached(t, env, cid)
}

// withSpectroProxy adds Palette's Spectro Proxy pack to a profile.
func withSpectroProxy(p *wire.ClusterProfileEntity) {
	p.Metadata.Name = "with-spectro-proxy"
	p.Spec.Template.Packs = append(p.Spec.Template.Packs, wire.Pack{Name: wire.PackSpectroProxy, Tag: "1.5.3", Type: "spectro"})
}

func TestAccAddonProfileAttachment_spectroProxyRejected(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t, testEnvOptions{})
	proxy := env.createProfile(t, "hello-addon.yaml", false, withSpectroProxy)
	cid := env.importClusterDirect(t, "spectro-proxy", wire.CloudTypeGeneric, wire.ImportModeFullPermission, nil)
	rejected := regexp.MustCompile(`(?s)The\s+Spectro\s+Proxy\s+pack\s+cannot\s+be\s+deployed\s+on\s+imported\s+clusters.*` +
		`Profile\s+"with-spectro-proxy"\s+\(` + proxy + `\)\s+contains\s+the\s+pack\s+"spectro-proxy".*` +
		`Attach\s+a\s+profile\s+without\s+the\s+spectro-proxy\s+pack`)
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{
				Config: env.providerConfig() + fmt.Sprintf(`
resource "palette_addon_profile_attachment" "test" {
  cluster_id = %q
  profile_id = %q
}
`, cid, proxy),
				PlanOnly:    true,
				ExpectError: rejected,
			},
			{
				// profile_id unknown at plan time: the apply checks the rule
				// before attaching anything.
				Config: env.providerConfig() + fmt.Sprintf(`
resource "terraform_data" "profile" {
  input = %q
}

resource "palette_addon_profile_attachment" "test" {
  cluster_id = %q
  profile_id = terraform_data.profile.output
}
`, proxy, cid),
				ExpectError: rejected,
			},
		},
	})
	expectNothingAttached(t, env, cid)
}

func TestAccAddonProfileAttachment_readOnlyClusterRejected(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t, testEnvOptions{})
	hello := env.createProfile(t, "hello-addon.yaml", false, nil)
	cid := env.importClusterDirect(t, "read-only", wire.CloudTypeGeneric, wire.ImportModeReadOnly, nil)
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{
				Config: env.providerConfig() + fmt.Sprintf(`
resource "palette_addon_profile_attachment" "test" {
  cluster_id = %q
  profile_id = %q
}
`, cid, hello),
				PlanOnly:    true,
				ExpectError: readOnlyRejected,
			},
			{
				// Unknown IDs are errors on their attribute too.
				Config: env.providerConfig() + fmt.Sprintf(`
resource "palette_addon_profile_attachment" "test" {
  cluster_id = "aaaaaaaaaaaaaaaaaaaaaaaa"
  profile_id = %q
}
`, hello),
				PlanOnly:    true,
				ExpectError: regexp.MustCompile(`Imported\s+cluster\s+not\s+found`),
			},
			{
				Config: env.providerConfig() + fmt.Sprintf(`
resource "palette_addon_profile_attachment" "test" {
  cluster_id = %q
  profile_id = "bbbbbbbbbbbbbbbbbbbbbbbb"
}
`, cid),
				PlanOnly:    true,
				ExpectError: regexp.MustCompile(`Cluster\s+profile\s+not\s+found`),
			},
		},
	})
	expectNothingAttached(t, env, cid)
}

func expectNothingAttached(t *testing.T, env *testEnv, clusterUID string) {
	t.Helper()
	list, err := env.Client.GetClusterProfiles(context.Background(), clusterUID)
	if err != nil {
		t.Fatal(err)
	}
	if len(list.Profiles) != 0 {
		t.Fatalf("profiles were attached to cluster %s: %+v", clusterUID, list.Profiles)
	}
}

func TestAccAddonProfileAttachment_sameRunUnknownCluster(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t, testEnvOptions{flavor: "generic"})
	full := env.createProfile(t, "full-cluster.yaml", false, nil)
	var cid string
	clusterOnly := testAccAddonProfileAttachmentConfig(env, "same-run", "")
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		CheckDestroy:             env.testAccCheckAddonProfileAttachmentDestroy(t),
		Steps: []resource.TestStep{
			{
				// Both IDs are unknown at plan time: the rule is checked at apply.
				Config: testAccAddonProfileAttachmentConfig(env, "same-run", fmt.Sprintf(`
resource "palette_addon_profile_attachment" "test" {
  cluster_id = palette_imported_cluster.test.id
  profile_id = palette_imported_cluster.test.id == "" ? "" : %q
}
`, full)),
				ExpectError: fullProfileRejected,
			},
			{
				// The cluster was imported; nothing was attached to it.
				Config: clusterOnly,
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
				},
				Check: resource.ComposeTestCheckFunc(
					stateID(testResource, &cid),
					func(*terraform.State) error {
						list, err := env.Client.GetClusterProfiles(context.Background(), cid)
						if err != nil {
							return err
						}
						if len(list.Profiles) != 0 {
							return fmt.Errorf("profiles were attached: %+v", list.Profiles)
						}
						return nil
					},
				),
			},
		},
	})
}

func TestAccAddonProfileAttachment_packError(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t, testEnvOptions{flavor: "generic"})
	broken := env.createProfile(t, "broken-addon.yaml", false, nil)
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		CheckDestroy:             env.testAccCheckAddonProfileAttachmentDestroy(t),
		Steps: []resource.TestStep{{
			Config: testAccAddonProfileAttachmentConfig(env, "pack-error", testAccAddonProfileAttachmentBlock(broken, "")),
			// The pack's name and the agent's message.
			ExpectError: regexp.MustCompile(`(?s)Error\s+deploying\s+add-on\s+profile.*(pack\s+"missing-value":.*greeting|pack\s+"unserved-kind":.*Widget)`),
		}},
	})
}

func TestAccAddonProfileAttachment_adoptExisting(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t, testEnvOptions{flavor: "generic"})
	hello := env.createProfile(t, "hello-addon.yaml", false, nil)
	var cid string
	adopt := func(flag string) string {
		return testAccAddonProfileAttachmentConfig(env, "adopt", testAccAddonProfileAttachmentBlock(hello,
			flag+"\n  values = { hello = \"message: adopted\" }"))
	}
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		CheckDestroy:             env.testAccCheckAddonProfileAttachmentDestroy(t),
		Steps: []resource.TestStep{
			{
				Config: testAccAddonProfileAttachmentConfig(env, "adopt", ""),
				Check: resource.ComposeTestCheckFunc(
					stateID(testResource, &cid),
					func(*terraform.State) error { return env.attachOutOfBand(cid, hello) },
				),
			},
			{
				Config:      adopt(""),
				ExpectError: regexp.MustCompile(`(?s)Profile\s+already\s+attached.*terraform\s+import\s+palette_addon_profile_attachment`),
			},
			{
				Config: adopt("  adopt_existing = true"),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(testAttachment, tfjsonpath.New("adopt_existing"), knownvalue.Bool(true)),
					statecheck.ExpectKnownValue(testAttachment, tfjsonpath.New("packs"), knownvalue.ListExact([]knownvalue.Check{readyPack})),
				},
				Check: resource.ComposeTestCheckFunc(
					env.testAccCheckAddonProfileAttachmentExists(t, testAttachment, nil, nil),
					env.expectConfigMapMessage(t, helloNamespace, "adopted"),
				),
			},
		},
	})
}

func TestAccAddonProfileAttachment_disappears(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t, testEnvOptions{flavor: "generic"})
	hello := env.createProfile(t, "hello-addon.yaml", false, nil)
	var cid string
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		CheckDestroy:             env.testAccCheckAddonProfileAttachmentDestroy(t),
		Steps: []resource.TestStep{{
			Config: testAccAddonProfileAttachmentConfig(env, "disappears", testAccAddonProfileAttachmentBlock(hello, "")),
			Check: resource.ComposeTestCheckFunc(
				env.testAccCheckAddonProfileAttachmentExists(t, testAttachment, &cid, nil),
				func(*terraform.State) error {
					return env.Client.DeleteClusterProfiles(context.Background(), cid, []string{hello})
				},
			),
			ExpectNonEmptyPlan: true,
		}},
	})
}

func TestAccAddonProfileAttachment_otherAttachmentsKept(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t, testEnvOptions{flavor: "generic"})
	hello := env.createProfile(t, "hello-addon.yaml", false, nil)
	other := env.createProfile(t, "hello-addon.yaml", false, renamed("other-addon"))
	var cid string
	otherKept := func(*terraform.State) error {
		ap, err := env.attachedProfile(cid, other)
		if err != nil {
			return err
		}
		if ap == nil {
			return fmt.Errorf("the profile attached outside Terraform was detached")
		}
		got, err := env.configMapMessage(t, "other-addon", helloConfigMap)
		if err != nil {
			return err
		}
		if got != "hello" {
			return fmt.Errorf("the other profile's ConfigMap has message %q", got)
		}
		return nil
	}
	clusterOnly := testAccAddonProfileAttachmentConfig(env, "others", "")
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		CheckDestroy:             env.testAccCheckImportedClusterDestroy,
		Steps: []resource.TestStep{
			{
				Config: clusterOnly,
				Check: resource.ComposeTestCheckFunc(
					stateID(testResource, &cid),
					func(*terraform.State) error { return env.attachOutOfBand(cid, other) },
				),
			},
			{
				Config: testAccAddonProfileAttachmentConfig(env, "others", testAccAddonProfileAttachmentBlock(hello, "")),
				Check: resource.ComposeTestCheckFunc(
					env.testAccCheckAddonProfileAttachmentExists(t, testAttachment, nil, nil),
					otherKept,
				),
			},
			{
				// Destroying the attachment leaves the other one alone.
				Config: clusterOnly,
				Check: resource.ComposeTestCheckFunc(
					otherKept,
					func(*terraform.State) error {
						if ap, err := env.attachedProfile(cid, hello); err != nil || ap != nil {
							return fmt.Errorf("hello-addon is still attached (%w)", err)
						}
						// The agent deleted them; a namespace takes a moment to terminate.
						return eventually("hello-addon's objects to be gone", func() error {
							if objs := env.profileObjects(t, hello); len(objs) != 0 {
								return fmt.Errorf("hello-addon's objects remain: %v", objs)
							}
							return nil
						})
					},
				),
			},
		},
	})
}
