package agent_test

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/terraform-palette/terraform-provider-palette/internal/agent"
	"github.com/terraform-palette/terraform-provider-palette/internal/kube"
	"github.com/terraform-palette/terraform-provider-palette/internal/localapi"
	"github.com/terraform-palette/terraform-provider-palette/internal/wire"
)

// The example profiles parse, and their packs render as the tests expect.
func TestExampleProfiles(t *testing.T) {
	t.Parallel()
	dir := filepath.Join("..", "..", "examples", "profiles")
	load := func(name string) wire.ClusterProfileEntity {
		t.Helper()
		p, err := localapi.LoadProfileFile(filepath.Join(dir, name))
		if err != nil {
			t.Fatal(err)
		}
		return p
	}

	hello := load("hello-addon.yaml")
	if hello.Spec.Template.Type != wire.ProfileTypeAddOn || len(hello.Spec.Template.Packs) != 1 {
		t.Fatalf("hello-addon: %+v", hello.Spec.Template)
	}
	prof := wire.DesiredProfile{UID: "p", Packs: hello.Spec.Template.Packs,
		PackValues: []wire.Pack{{Name: "hello", Values: "message: bonjour\nreplicas: 2\nimage: busybox:1.36"}}}
	rp, err := agent.RenderPack(prof, prof.Packs[0])
	if err != nil {
		t.Fatal(err)
	}
	objs, err := kube.Decode(rp.Manifest)
	if err != nil {
		t.Fatalf("rendered hello pack does not decode: %v\n%s", err, rp.Manifest)
	}
	var kinds []string
	for _, o := range objs {
		kinds = append(kinds, o.GetKind())
	}
	if strings.Join(kinds, ",") != "Namespace,ConfigMap,Deployment" {
		t.Fatalf("kinds %v", kinds)
	}
	if !strings.Contains(string(rp.Manifest), `message: "bonjour"`) || !strings.Contains(string(rp.Manifest), "replicas: 2") {
		t.Fatalf("overrides not rendered:\n%s", rp.Manifest)
	}

	if full := load("full-cluster.yaml"); full.Spec.Template.Type != wire.ProfileTypeCluster {
		t.Fatalf("full-cluster type %q", full.Spec.Template.Type)
	}

	broken := load("broken-addon.yaml")
	bp := wire.DesiredProfile{UID: "b", Packs: broken.Spec.Template.Packs}
	if _, err := agent.RenderPack(bp, bp.Packs[0]); err == nil || !strings.Contains(err.Error(), `"greeting"`) {
		t.Fatalf("missing-value pack: err = %v", err)
	}
	if _, err := agent.RenderPack(bp, bp.Packs[1]); err != nil {
		t.Fatalf("unserved-kind pack should render (it fails at apply): %v", err)
	}
}
