//go:build linux

package provider

import (
	"os"
	"os/exec"
	"strconv"
	"testing"
)

func TestSiblingClaim(t *testing.T) {
	root := claimsRoot
	t.Cleanup(func() { claimsRoot = root })
	claimsRoot = t.TempDir()
	if err := os.Chmod(claimsRoot, 0o700); err != nil {
		t.Fatal(err)
	}
	if siblingClaim("scope", "name/a", "fp1") {
		t.Fatal("a first claim conflicts")
	}
	if siblingClaim("scope", "name/a", "fp1") {
		t.Error("the same claimant's second claim in one process conflicts")
	}
	if siblingClaim("scope", "name/a", "fp2") {
		t.Error("a claim of this process's own conflicts (ownershipClaims' business)")
	}
	if siblingClaim("other-scope", "name/a", "fp2") {
		t.Error("a claim in another scope conflicts")
	}

	// The same claimant held by another live process conflicts; by an
	// ended one (an earlier walk of the run) it does not.
	child := exec.CommandContext(t.Context(), "sleep", "60")
	if err := child.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = child.Process.Kill(); _ = child.Wait() })
	stamp, ok := processStamp(child.Process.Pid)
	if !ok {
		t.Fatal("no stamp of a live child")
	}
	// plant writes a claim of key by another process (stamp).
	plant := func(key, stamp string) {
		t.Helper()
		dir, file, ok := claimPath("scope", key)
		if !ok {
			t.Fatal("no claim path")
		}
		if err := os.MkdirAll(dir, 0o700); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(file, []byte(stamp+" fp3"), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	plant("name/b", stamp)
	if !siblingClaim("scope", "name/b", "fp3") {
		t.Error("a claim with an equal claimant held by another live process does not conflict")
	}
	plant("name/c", strconv.Itoa(child.Process.Pid)+"-1")
	if siblingClaim("scope", "name/c", "fp3") {
		t.Error("a claim with an equal claimant held by an ended process conflicts")
	}
	// Another resource's (another claimant) conflicts, its process ended
	// or not (Terraform closes a provider when its resources are planned).
	if !siblingClaim("scope", "name/c", "fp4") {
		t.Error("another claimant's claim, held by an ended process, does not conflict")
	}
	// A claims directory others may write to is not trusted.
	if err := os.Chmod(claimsRoot, 0o777); err != nil {
		t.Fatal(err)
	}
	if siblingClaim("scope", "name/c", "fp4") {
		t.Error("a claim in a directory others may write to conflicts")
	}
}
