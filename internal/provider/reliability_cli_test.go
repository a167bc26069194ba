package provider

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

// The crash and secrets tests drive the Terraform CLI themselves (they kill
// it, or keep its files and logs), with the provider built as a binary and
// found through dev_overrides in a CLI config of their own.

var cliBuild struct {
	once     sync.Once
	dir, rc  string
	err      error
	buildDir string
}

// cliProvider builds the provider once per test binary and returns the CLI
// config file that points Terraform at it.
func cliProvider(t *testing.T) string {
	t.Helper()
	rc, err := cliProviderRC()
	if err != nil {
		t.Fatal(err)
	}
	return rc
}

// cliProviderRC is cliProvider outside a test.
func cliProviderRC() (string, error) {
	cliBuild.once.Do(func() {
		dir, err := os.MkdirTemp("", "palette-cli-")
		if err != nil {
			cliBuild.err = err
			return
		}
		cliBuild.buildDir = dir
		bin := filepath.Join(dir, "bin")
		cmd := exec.CommandContext(context.Background(), "go", "build", "-o", filepath.Join(bin, "terraform-provider-palette"), "../..")
		if out, err := cmd.CombinedOutput(); err != nil {
			cliBuild.err = fmt.Errorf("building the provider: %w\n%s", err, out)
			return
		}
		cliBuild.rc = filepath.Join(dir, "terraformrc")
		// hashicorp/palette is the address plugin-testing gives the
		// in-process provider: the secrets scan shows its saved plans.
		rc := fmt.Sprintf("provider_installation {\n  dev_overrides {\n    \"terraform-palette/palette\" = %q\n    \"hashicorp/palette\" = %q\n  }\n  direct {}\n}\n", bin, bin)
		cliBuild.err = os.WriteFile(cliBuild.rc, []byte(rc), 0o600)
	})
	return cliBuild.rc, cliBuild.err
}

// terraformCLI is the CLI of the acceptance tests.
func terraformCLI(t *testing.T) string {
	t.Helper()
	if p := os.Getenv("TF_ACC_TERRAFORM_PATH"); p != "" {
		return p
	}
	p, err := exec.LookPath("terraform")
	if err != nil {
		t.Skip("no Terraform CLI: set TF_ACC_TERRAFORM_PATH")
	}
	return p
}

// tfCommand prepares a terraform command in dir with the test's CLI config.
func tfCommand(ctx context.Context, t *testing.T, dir string, env []string, args ...string) *exec.Cmd {
	t.Helper()
	cmd := exec.CommandContext(ctx, terraformCLI(t), args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "TF_CLI_CONFIG_FILE="+cliProvider(t), "TF_IN_AUTOMATION=1", "TF_INPUT=0", "CHECKPOINT_DISABLE=1")
	cmd.Env = append(cmd.Env, env...)
	return cmd
}

// tfRun runs terraform to the end and returns its output and exit code.
func tfRun(t *testing.T, dir string, env []string, args ...string) (string, int) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	out, err := tfCommand(ctx, t, dir, env, append(args, "-no-color")...).CombinedOutput()
	var ee *exec.ExitError
	switch {
	case errors.As(err, &ee):
		return string(out), ee.ExitCode()
	case err != nil:
		t.Fatalf("terraform %s: %v", strings.Join(args, " "), err)
	}
	return string(out), 0
}

// tfMust runs terraform and fails the test unless it exits with one of codes
// (0 when none is given).
func tfMust(t *testing.T, dir string, env []string, codes []int, args ...string) string {
	t.Helper()
	out, code := tfRun(t, dir, env, args...)
	if len(codes) == 0 {
		codes = []int{0}
	}
	for _, c := range codes {
		if code == c {
			return out
		}
	}
	t.Fatalf("terraform %s: exit %d\n%s", strings.Join(args, " "), code, out)
	return ""
}

// writeCLIConfig writes dir/main.tf for a test that drives the CLI itself:
// the provider's source and a provider block for host and project (the key
// comes from PALETTE_API_KEY, never from the file), then resources.
func writeCLIConfig(t *testing.T, dir, host, projectUID, resources string) {
	t.Helper()
	conf := fmt.Sprintf(`terraform {
  required_providers {
    palette = { source = "terraform-palette/palette" }
  }
}

provider "palette" {
  host        = %q
  project_uid = %q
}

`, host, projectUID) + resources
	if err := os.WriteFile(filepath.Join(dir, "main.tf"), []byte(conf), 0o600); err != nil {
		t.Fatal(err)
	}
}
