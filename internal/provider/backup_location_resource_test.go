package provider

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/terraform-palette/terraform-provider-palette/internal/wire"
)

const testLocation = "palette_backup_location.test"

// secretKeyFile writes a fresh secret key to a file (a configuration reads
// it with file(): a literal would be echoed in plans' configuration) and
// registers it with the secrets scan.
func secretKeyFile(t *testing.T) (secret, file string) {
	t.Helper()
	secret = randomSecret(t)
	registerSecret("backup location secret key", secret)
	file = filepath.Join(t.TempDir(), "secret-key")
	if err := os.WriteFile(file, []byte(secret), 0o600); err != nil {
		t.Fatal(err)
	}
	return secret, file
}

// testAccBackupLocationConfig is a location of the S3 server at endpoint.
func testAccBackupLocationConfig(env *testEnv, name, typ, bucket, endpoint, secretFile string, version int, extra string) string {
	return env.providerConfig() + fmt.Sprintf(`
resource "palette_backup_location" "test" {
  name                  = %q
  type                  = %q
  bucket                = %q
  region                = "us-east-1"
  endpoint              = %q
  force_path_style      = true
  access_key            = "AKIALOCALTEST"
  secret_key_wo         = file(%q)
  secret_key_wo_version = %d
%s
}
`, name, typ, bucket, endpoint, secretFile, version, extra)
}

// expectPaletteLocation checks Palette's location: its bucket, and that
// no read shows a secret key.
func (e *testEnv) expectPaletteLocation(uid *string, typ, bucket string) func(*terraform.State) error {
	return func(*terraform.State) error {
		l, err := e.Client.GetBackupLocation(context.Background(), typ, *uid)
		if err != nil {
			return err
		}
		if l.Spec.Config.BucketName != bucket {
			return fmt.Errorf("Palette's location has bucket %q, want %q", l.Spec.Config.BucketName, bucket)
		}
		if l.Spec.Config.Credentials.SecretKey != "" {
			return fmt.Errorf("Palette shows the secret key")
		}
		return nil
	}
}

func TestAccBackupLocation_basic(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t, testEnvOptions{})
	_, file := secretKeyFile(t)
	var uid string
	endpoint := "http://127.0.0.1:9000"
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{
				Config: testAccBackupLocationConfig(env, "local", "minio", "backups", endpoint, file, 1, ""),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(testLocation, tfjsonpath.New("secret_key_wo"), knownvalue.Null()),
					statecheck.ExpectKnownValue(testLocation, tfjsonpath.New("is_default"), knownvalue.Bool(false)),
				},
				Check: resource.ComposeTestCheckFunc(
					stateID(testLocation, &uid),
					resource.TestMatchResourceAttr(testLocation, "id", regexp.MustCompile(`^[0-9a-f]{24}$`)),
					env.expectPaletteLocation(&uid, wire.LocationTypeMinio, "backups"),
				),
			},
			{
				// A new bucket and a new key version update in place.
				Config: testAccBackupLocationConfig(env, "local", "minio", "backups-2", endpoint, file, 2, "is_default = true"),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{plancheck.ExpectResourceAction(testLocation, plancheck.ResourceActionUpdate)},
				},
				Check: env.expectPaletteLocation(&uid, wire.LocationTypeMinio, "backups-2"),
			},
			{
				ResourceName:            testLocation,
				ImportState:             true,
				ImportStateVerify:       true,
				ImportStateVerifyIgnore: []string{"secret_key_wo", "secret_key_wo_version"},
			},
			{
				// Drift: the bucket changed in Palette's UI comes back.
				PreConfig: func() {
					l, err := env.Client.GetBackupLocation(context.Background(), wire.LocationTypeMinio, uid)
					if err != nil {
						t.Fatal(err)
					}
					l.Spec.Config.BucketName = "changed-in-ui"
					if err := env.Client.UpdateBackupLocation(context.Background(), wire.LocationTypeMinio, uid, *l); err != nil {
						t.Fatal(err)
					}
				},
				Config: testAccBackupLocationConfig(env, "local", "minio", "backups-2", endpoint, file, 2, "is_default = true"),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{plancheck.ExpectResourceAction(testLocation, plancheck.ResourceActionUpdate)},
				},
				Check: env.expectPaletteLocation(&uid, wire.LocationTypeMinio, "backups-2"),
			},
			{
				// Deleted outside Terraform: planned again.
				PreConfig: func() {
					if err := env.Client.DeleteBackupLocation(context.Background(), uid); err != nil {
						t.Fatal(err)
					}
				},
				Config:             testAccBackupLocationConfig(env, "local", "minio", "backups-2", endpoint, file, 2, "is_default = true"),
				PlanOnly:           true,
				ExpectNonEmptyPlan: true,
			},
		},
	})
}

// Each rule of a location fails the plan on its attribute, and nothing is
// created.
func TestAccBackupLocation_rules(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t, testEnvOptions{})
	_, file := secretKeyFile(t)
	step := func(cfg, want string) resource.TestStep {
		return resource.TestStep{Config: cfg, PlanOnly: true, ExpectError: regexp.MustCompile(want)}
	}
	noEndpoint := env.providerConfig() + fmt.Sprintf(`
resource "palette_backup_location" "test" {
  name          = "x"
  type          = "minio"
  bucket        = "backups"
  region        = "us-east-1"
  access_key    = "AKIA"
  secret_key_wo = file(%q)
}
`, file)
	noSecret := env.providerConfig() + `
resource "palette_backup_location" "test" {
  name       = "x"
  type       = "s3"
  bucket     = "backups"
  region     = "us-east-1"
  access_key = "AKIA"
}
`
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			step(noEndpoint, `(?s)Missing\s+endpoint.*endpoint:\s+a\s+location\s+of\s+type\s+"minio"`),
			step(noSecret, `(?s)Missing\s+required\s+argument.*"secret_key_wo"\s+is\s+required`),
			step(testAccBackupLocationConfig(env, "x", "s3", "Bad_Bucket", "http://127.0.0.1:9000", file, 1, ""),
				`(?s)Invalid\s+bucket\s+name.*bucket:\s+"Bad_Bucket"\s+is\s+not\s+an\s+S3\s+bucket\s+name`),
			step(testAccBackupLocationConfig(env, "x", "s3", "backups", "ftp://host", file, 1, ""),
				`(?s)Invalid\s+endpoint.*endpoint:\s+"ftp://host"\s+is\s+not\s+an\s+http\s+or\s+https\s+URL`),
			step(testAccBackupLocationConfig(env, "x", "s3", "backups", "http://127.0.0.1:9000", file, 1, `ca_certificate = "not a certificate"`),
				`(?s)Invalid\s+CA\s+certificate.*ca_certificate:\s+not\s+a\s+PEM\s+certificate`),
		},
	})
	if locs, err := env.Client.ListBackupLocations(context.Background()); err != nil || len(locs) != 0 {
		t.Fatalf("locations after refused plans: %+v, %v", locs, err)
	}
}
