package provider

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/terraform-palette/terraform-provider-palette/internal/wire"
)

// TestAccReliability_destroyWayOut: `terraform destroy` first plans every
// resource of the configuration, also those the state does not hold. An
// attachment never made, whose cluster (reached through another resource)
// is read-only, breaks a rule there, and the destroy stops: the error says
// the exact command that gets out, and that command destroys the rest.
func TestAccReliability_destroyWayOut(t *testing.T) {
	testAccPreCheck(t)
	env := newTestEnv(t, testEnvOptions{leavesClusters: true})
	hello := env.createProfile(t, "hello-addon.yaml", false, nil)
	cid := env.importClusterDirect(t, "way-out", wire.CloudTypeGeneric, wire.ImportModeReadOnly, nil)
	dir := t.TempDir()
	vars := []string{"PALETTE_API_KEY=" + env.API.APIKey}
	writeCLIConfig(t, dir, env.API.URL, env.API.ProjectUID, fmt.Sprintf(`
resource "terraform_data" "ref" {
  input = %q
}

resource "palette_addon_profile_attachment" "test" {
  cluster_id = terraform_data.ref.output
  profile_id = %q
}
`, cid, hello))
	tfMust(t, dir, vars, nil, "apply", "-auto-approve", "-target=terraform_data.ref")
	out, code := tfRun(t, dir, vars, "destroy", "-auto-approve")
	if code == 0 {
		t.Fatalf("destroy passed; the test no longer walks into the rule:\n%s", out)
	}
	flat := strings.Join(strings.Fields(out), " ")
	for _, want := range []string{"Add-on profiles need Full Permission", "terraform destroy -refresh=false"} {
		if !strings.Contains(flat, want) {
			t.Errorf("the destroy's error does not say %q:\n%s", want, out)
		}
	}
	out = tfMust(t, dir, vars, nil, "destroy", "-auto-approve", "-refresh=false")
	if !regexp.MustCompile(`Destroy complete! Resources: 1 destroyed`).MatchString(out) {
		t.Errorf("destroy -refresh=false:\n%s", out)
	}
	b, err := os.ReadFile(filepath.Join(dir, "terraform.tfstate"))
	if err != nil {
		t.Fatal(err)
	}
	var st struct {
		Resources []struct{ Type, Name string } `json:"resources"`
	}
	if err := json.Unmarshal(b, &st); err != nil {
		t.Fatal(err)
	}
	if len(st.Resources) != 0 {
		t.Errorf("the state still holds %+v", st.Resources)
	}
}
