package provider

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"testing"
	"time"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/terraform-palette/terraform-provider-palette/internal/acctest/kubetest"
	"github.com/terraform-palette/terraform-provider-palette/internal/backup"
	"github.com/terraform-palette/terraform-provider-palette/internal/wire"
)

// tfOutput decodes `terraform output -json <name>` (its standard output
// alone: a TF_LOG log goes to standard error) into v.
func tfOutput(t *testing.T, dir string, env []string, name string, v any) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	out, err := tfCommand(ctx, t, dir, env, "output", "-json", name).Output()
	if err != nil {
		t.Fatalf("terraform output %s: %v", name, err)
	}
	if err := json.Unmarshal(out, v); err != nil {
		t.Fatalf("terraform output %s: %v\n%s", name, err, out)
	}
}

// TestAccClusterBackupAndRestore_actions: an imported cluster's namespace is
// backed up by `terraform apply -invoke=action.palette_cluster_backup…`, the
// backup lies in the S3 server's bucket (listed with the S3 client) and in
// palette_cluster_backups with its state, time and expiry; the namespace,
// deleted with client-go, comes back, objects and data, from
// `-invoke=action.palette_cluster_restore…`; a restore into a read-only
// cluster and a bad backup name fail the plan on their attributes.
func TestAccClusterBackupAndRestore_actions(t *testing.T) {
	actionCLI(t)
	env := newTestEnv(t, testEnvOptions{flavor: "generic"})
	s3 := kubetest.StartS3(t, "backups")
	registerSecret("backup location secret key", s3.SecretKey)
	cs := env.Kube.Clientset()
	kubetest.CreateShop(testCtx(t), t, cs)
	ro := env.importClusterDirect(t, "actions-ro", wire.CloudTypeGeneric, wire.ImportModeReadOnly, nil)

	dir := cliWorkDir(t)
	secretFile := filepath.Join(t.TempDir(), "secret-key")
	if err := os.WriteFile(secretFile, []byte(s3.SecretKey), 0o600); err != nil {
		t.Fatal(err)
	}
	base := fmt.Sprintf(`resource "palette_imported_cluster" "c" {
  name        = "actions"
  import_mode = "full_permission"
  kubernetes = {
    config_path = %q
  }
}

resource "palette_backup_location" "l" {
  name             = "local-s3"
  type             = "minio"
  bucket           = "backups"
  region           = %q
  endpoint         = %q
  force_path_style = true
  access_key       = %q
  secret_key_wo    = file(%q)
}

action "palette_cluster_backup" "b" {
  config {
    cluster_id   = palette_imported_cluster.c.id
    location_id  = palette_backup_location.l.id
    backup_name  = "shop-1"
    expiry_hours = 48
    namespaces   = ["shop"]
    timeout      = "2m"
  }
}

data "palette_cluster_backups" "all" {
  cluster_id = palette_imported_cluster.c.id
}

output "backups" {
  value = data.palette_cluster_backups.all.backups
}

output "cluster_id" {
  value = palette_imported_cluster.c.id
}
`, env.Kube.Kubeconfig, s3.Region, s3.Endpoint, s3.AccessKey, secretFile)
	writeCLIConfig(t, dir, env.API.URL, env.API.ProjectUID, base)
	tfEnv := []string{"PALETTE_API_KEY=" + env.API.APIKey}
	tfMust(t, dir, tfEnv, nil, "apply", "-auto-approve")
	var cid string
	tfOutput(t, dir, tfEnv, "cluster_id", &cid)

	start := time.Now()
	out, err := invokeAction(t, dir, "action.palette_cluster_backup.b", tfEnv)
	if err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	t.Logf("backup action: %s", time.Since(start).Round(time.Millisecond))
	if !regexp.MustCompile(`backup "shop-1" completed`).MatchString(out) {
		t.Errorf("the action's output shows no completed backup:\n%s", out)
	}
	key := backup.ResourcesObject(cid, "shop-1")
	if keys := s3.Objects(t, "backups", ""); !slices.Equal(keys, []string{key}) {
		t.Fatalf("the bucket holds %v, want [%s]", keys, key)
	}

	// The data source lists it.
	tfMust(t, dir, tfEnv, nil, "apply", "-auto-approve")
	var backups []struct {
		Name       string   `json:"name"`
		RequestUID string   `json:"request_uid"`
		State      string   `json:"state"`
		Actor      string   `json:"actor"`
		BackupTime string   `json:"backup_time"`
		ExpiryTime string   `json:"expiry_time"`
		Namespaces []string `json:"namespaces"`
	}
	tfOutput(t, dir, tfEnv, "backups", &backups)
	if len(backups) != 1 || backups[0].Name != "shop-1" || backups[0].State != wire.BackupStateCompleted ||
		backups[0].Actor != "onDemand" || !slices.Equal(backups[0].Namespaces, []string{"shop"}) {
		t.Fatalf("palette_cluster_backups: %+v", backups)
	}
	taken, err1 := time.Parse(time.RFC3339, backups[0].BackupTime)
	expiry, err2 := time.Parse(time.RFC3339, backups[0].ExpiryTime)
	if err1 != nil || err2 != nil || expiry.Sub(taken) != 48*time.Hour {
		t.Fatalf("backup time %q, expiry %q: want 48 hours apart", backups[0].BackupTime, backups[0].ExpiryTime)
	}

	// The namespace goes, and the restore brings it back.
	ctx := testCtx(t)
	if err := cs.CoreV1().Namespaces().Delete(ctx, "shop", metav1.DeleteOptions{}); err != nil {
		t.Fatal(err)
	}
	if err := eventually("namespace shop deleted", func() error {
		if _, err := cs.CoreV1().Namespaces().Get(ctx, "shop", metav1.GetOptions{}); !apierrors.IsNotFound(err) {
			return fmt.Errorf("still there (%w)", err)
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	restore := func(label, dst string) string {
		return fmt.Sprintf(`
action "palette_cluster_restore" %q {
  config {
    cluster_id             = palette_imported_cluster.c.id
    backup_name            = "shop-1"
    backup_request_uid     = %q
    destination_cluster_id = %s
    namespaces             = ["shop"]
    timeout                = "2m"
  }
}
`, label, backups[0].RequestUID, dst)
	}
	writeCLIConfig(t, dir, env.API.URL, env.API.ProjectUID, base+restore("r", "palette_imported_cluster.c.id"))
	start = time.Now()
	if out, err := invokeAction(t, dir, "action.palette_cluster_restore.r", tfEnv); err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	t.Logf("restore action: %s", time.Since(start).Round(time.Millisecond))
	if err := kubetest.ShopIsBack(ctx, cs); err != nil {
		t.Fatalf("after the restore: %v", err)
	}

	// Rules at plan, on their attributes.
	writeCLIConfig(t, dir, env.API.URL, env.API.ProjectUID, base+restore("readonly", fmt.Sprintf("%q", ro)))
	out, code := tfRun(t, dir, tfEnv, "plan", "-invoke=action.palette_cluster_restore.readonly")
	if code == 0 || !regexp.MustCompile(`(?s)Backups\s+need\s+Full\s+Permission.*destination_cluster_id:\s+Cluster\s+"actions-ro"`).MatchString(out) {
		t.Errorf("a restore into a read-only cluster: exit %d\n%s", code, out)
	}
	writeCLIConfig(t, dir, env.API.URL, env.API.ProjectUID, base+`
action "palette_cluster_backup" "badname" {
  config {
    cluster_id   = palette_imported_cluster.c.id
    location_id  = palette_backup_location.l.id
    backup_name  = "Shop_1"
    expiry_hours = 1
  }
}
`)
	out, code = tfRun(t, dir, tfEnv, "plan", "-invoke=action.palette_cluster_backup.badname")
	if code == 0 || !regexp.MustCompile(`(?s)Invalid\s+backup\s+name.*backup_name:\s+"Shop_1"\s+is\s+not\s+a\s+Kubernetes\s+DNS-1123\s+label`).MatchString(out) {
		t.Errorf("a bad backup name: exit %d\n%s", code, out)
	}
	writeCLIConfig(t, dir, env.API.URL, env.API.ProjectUID, base)
	tfMust(t, dir, tfEnv, nil, "destroy", "-auto-approve")
}
