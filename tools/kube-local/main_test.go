package main

import (
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"

	"github.com/terraform-palette/terraform-provider-palette/internal/acctest/kubelocal"
)

func TestSanitizeName(t *testing.T) {
	for in, want := range map[string]string{"My_Cluster": "my-cluster", "---": "kubelocal", "a.b": "a-b"} {
		if got := sanitizeName(in); got != want {
			t.Errorf("sanitizeName(%q) = %q, want %q", in, got, want)
		}
	}
}

// TestUpSurvivesExitAndDown runs the real CLI: the processes must outlive
// `up`, and `down` must stop them (twice, idempotently).
func TestUpSurvivesExitAndDown(t *testing.T) {
	if os.Getenv("TF_ACC") == "" && os.Getenv("KUBE_TESTS") == "" {
		t.Skip("set TF_ACC=1 or KUBE_TESTS=1 to run tests against a local kube-apiserver")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	if _, err := kubelocal.EnsureBinaries(ctx, t.Logf); err != nil {
		t.Fatal(err)
	}
	tmp := t.TempDir()
	bin := filepath.Join(tmp, "kube-local")
	if out, err := exec.CommandContext(ctx, "go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	dir := filepath.Join(tmp, "cluster")
	t.Cleanup(func() { kubelocal.Down(context.Background(), dir, time.Second) }) //nolint:errcheck
	kube := func(args ...string) string {
		t.Helper()
		out, err := exec.CommandContext(ctx, bin, args...).Output()
		if err != nil {
			var stderr []byte
			var ee *exec.ExitError
			if errors.As(err, &ee) {
				stderr = ee.Stderr
			}
			t.Fatalf("kube-local %v: %v\n%s", args, err, stderr)
		}
		return string(out)
	}
	out := kube("up", "--dir", dir, "--flavor", "openshift", "--nodes", "2", "--name", "cli")
	// The kubeconfig, then the S3 server's endpoint, bucket, access key
	// and the path of a file (mode 0600) with its secret key, which is
	// never printed.
	want := "export KUBECONFIG=" + filepath.Join(dir, "kubeconfig") + "\n"
	secretFile := filepath.Join(dir, "s3", "secret-key")
	if !strings.HasPrefix(out, want) || !strings.Contains(out, "PALETTE_S3_SECRET_KEY_FILE="+secretFile+"\n") {
		t.Fatalf("up printed %q, want %q and the S3 server's settings", out, want)
	}
	secret, err := os.ReadFile(secretFile)
	if err != nil {
		t.Fatal(err)
	}
	if fi, err := os.Stat(secretFile); err != nil || fi.Mode().Perm() != 0o600 || len(secret) == 0 || strings.Contains(out, string(secret)) {
		t.Fatalf("the S3 secret key file %s (%v, %v): want mode 0600, a key, and the key not printed", secretFile, fi, err)
	}
	if got := kube("env", "--dir", dir); got != out {
		t.Fatalf("env printed %q, want what up printed, %q", got, out)
	}
	st, err := kubelocal.LoadState(dir)
	if err != nil || !st.Running() {
		t.Fatalf("after up exited: state %+v, %v", st, err)
	}
	cfg, err := st.RESTConfig()
	if err != nil {
		t.Fatal(err)
	}
	nodes, err := kubernetes.NewForConfigOrDie(cfg).CoreV1().Nodes().List(ctx, metav1.ListOptions{})
	if err != nil || len(nodes.Items) != 2 || !strings.HasPrefix(nodes.Items[0].Spec.ProviderID, "aws:///") {
		t.Fatalf("nodes after up exited: %v %v", nodes, err)
	}
	kube("down", "--dir", dir)
	st, err = kubelocal.LoadState(dir)
	if err != nil || st.Running() || st.APIServerPID != 0 {
		t.Fatalf("after down: %+v %v", st, err)
	}
	kube("down", "--dir", dir)
}
