package provider

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
)

// Terraform starts one provider process per provider configuration: two
// aliases of this provider on one Palette project are two processes, and
// the claims of ownershipClaims (one process's memory) cannot see that both
// register one cluster name. siblingClaim extends a plan-time claim to the
// provider processes of the same Terraform run: they share a directory
// named after their parent process (the terraform command that started
// them, by PID and start time), where a claim is a file named after its
// key, holding the stamp (PID and start time) of the process that made it
// and its claimant (what the resource plans, its creation fingerprint).
//
// Terraform closes a provider process when the resources of its
// configuration are planned, and starts new ones for the apply, which plans
// every resource again: a claim outlives its process. So a claim of the
// same key by another process conflicts when its claimant differs (another
// resource: the same resource plans the same values in every walk of a
// run), or when it is the same but its process still lives (two resources
// with equal values planned at once). Two resources with equal values whose
// plans do not overlap in time are not told apart: the apply refuses the
// second (Palette answers 409, nameTakenMeanwhile) before it registers
// anything. A name is claimed only while it is free in Palette (a
// replacement keeping its name, a later `terraform test` run over a cluster
// that exists, claim nothing), and a process's own claims never conflict
// here (in-process providers, as in tests, are ownershipClaims' business).
//
// The claims are a courtesy to the plan: where they cannot be made (no
// process information on this system, an unwritable temporary directory)
// the plan goes on, and the apply still refuses.

// claimsRoot is the directory of every run's claims directory.
var claimsRoot = filepath.Join(os.TempDir(), "terraform-provider-palette-claims-"+strconv.Itoa(os.Getuid()))

var siblingsCleanup sync.Once

// siblingClaim claims key for claimant, within scope (the Palette host and
// project), among the provider processes of this Terraform run. It reports
// true when another resource holds it.
func siblingClaim(scope, key, claimant string) (conflict bool) {
	me, ok := processStamp(os.Getpid())
	dir, file, ok2 := claimPath(scope, key)
	if !ok || !ok2 {
		return false
	}
	if !privateRunDir(dir) {
		return false
	}
	holder, err := linkClaim(dir, file, me+" "+claimant)
	if err != nil || holder == "" {
		return false
	}
	stamp, held, _ := strings.Cut(holder, " ")
	if stamp == me {
		return false // this process's own claims are ownershipClaims' business
	}
	return held != claimant || processLives(stamp)
}

// siblingNote records key (within scope) for the provider processes of this
// Terraform run, as siblingNoted reads it. It is a courtesy as the claims
// are: where it cannot be written, siblingNoted says no.
func siblingNote(scope, key string) {
	me, ok := processStamp(os.Getpid())
	dir, file, ok2 := claimPath(scope, key)
	if !ok || !ok2 {
		return
	}
	if !privateRunDir(dir) {
		return
	}
	_, _ = linkClaim(dir, file, me)
}

// siblingNoted tells whether a provider process of this run noted key.
func siblingNoted(scope, key string) bool {
	_, file, ok := claimPath(scope, key)
	if !ok {
		return false
	}
	_, err := os.Stat(file)
	return err == nil
}

// claimPath is the directory of this run's claims and the file of key's
// claim in scope; ok is false without process information.
func claimPath(scope, key string) (dir, file string, ok bool) {
	run, ok := processStamp(os.Getppid())
	if !ok {
		return "", "", false
	}
	dir = filepath.Join(claimsRoot, run)
	sum := sha256.Sum256([]byte(scope + "\x00" + key))
	return dir, filepath.Join(dir, hex.EncodeToString(sum[:16])), true
}

// privateRunDir makes the run's directory, and tells whether it and the
// claims root are this user's alone (a directory another user made, or a
// link, would let them plant claims).
func privateRunDir(dir string) bool {
	siblingsCleanup.Do(removeEndedRuns)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return false
	}
	return ownDir(claimsRoot) && ownDir(dir)
}

// linkClaim makes file hold stamp unless it exists; it returns the stamp
// file holds when it exists ("" when this call made it). The content is
// written to a temporary file first and linked into place, so that a
// reader never sees a claim half written.
func linkClaim(dir, file, stamp string) (holder string, err error) {
	tmp, err := os.CreateTemp(dir, ".claim-")
	if err != nil {
		return "", err
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.WriteString(stamp); err != nil {
		_ = tmp.Close()
		return "", err
	}
	if err := tmp.Close(); err != nil {
		return "", err
	}
	err = os.Link(tmp.Name(), file)
	if err == nil {
		return "", nil
	}
	if !errors.Is(err, fs.ErrExist) {
		return "", err
	}
	b, err := os.ReadFile(file)
	return string(b), err
}

// removeEndedRuns removes the claims directories of runs whose terraform
// process has ended (a directory of a live run stays).
func removeEndedRuns() {
	entries, err := os.ReadDir(claimsRoot)
	if err != nil {
		return
	}
	for _, e := range entries {
		if e.IsDir() && !processLives(e.Name()) {
			_ = os.RemoveAll(filepath.Join(claimsRoot, e.Name()))
		}
	}
}

// processLives tells whether the process a stamp (processStamp) names
// still runs: a process of that PID exists and started when the stamp says.
// A run's directory is named after its terraform process's stamp.
func processLives(stamp string) bool {
	pid, _, ok := strings.Cut(stamp, "-")
	if !ok {
		return false
	}
	n := 0
	for _, c := range pid {
		if c < '0' || c > '9' {
			return false
		}
		n = n*10 + int(c-'0')
	}
	now, ok := processStamp(n)
	return ok && now == stamp
}
