package provider

import (
	"context"
	"fmt"
	"maps"
	"regexp"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/terraform-palette/terraform-provider-palette/internal/acctest/localtest"
	"github.com/terraform-palette/terraform-provider-palette/internal/manifest"
	"github.com/terraform-palette/terraform-provider-palette/internal/wire"
)

// ownershipTally holds the figures of TestAccReliability_ownership.
type ownershipTally struct {
	refused, atPlan, takenOver, overwritten, resumed atomic.Int32
}

// TestAccReliability_ownership: a configuration never takes what is not
// its own. Each case drives the Terraform CLI (two configurations are two
// working directories) and checks the real world: the clusters and their
// labels in the API, the agents in the target cluster.
//   - x_y_same_name: configuration Y declares the name configuration X's
//     cluster has (other labels): Y's plan and apply fail with "already
//     taken", X's cluster keeps its labels and description, and Y's
//     destroy leaves it;
//   - y_unknown_at_plan: the same with Y's labels unknown at plan time: the
//     apply refuses;
//   - two_resources_one_kubeconfig: two resources reach one cluster: the
//     plan fails, nothing is registered, no agent installed;
//   - two_resources_one_name: two resources with one name: the plan fails
//     on name, nothing is registered;
//   - two_resources_unknown_at_plan: the same with the kubeconfig known only
//     at apply: the plan passes, the apply registers one of them and
//     refuses the other;
//   - two_attachments_one_profile: the plan fails, nothing attached;
//   - lost_state_pending / lost_state_agent: an apply whose state write was
//     lost (terraform state rm stands for it) is taken over by the next
//     apply of the same configuration, Pending or with its agent running;
//     with the labels changed in between, it is not.
func TestAccReliability_ownership(t *testing.T) {
	testAccPreCheck(t)
	var n ownershipTally
	t.Run("attachments", func(t *testing.T) {
		t.Parallel()
		ownershipTwoAttachments(t, &n)
	})
	t.Run("clusters", func(t *testing.T) {
		t.Parallel()
		env := newTestEnv(t, testEnvOptions{flavor: "generic"})
		t.Run("two_resources_one_kubeconfig", func(t *testing.T) { ownershipTwoResources(t, env, &n) })
		t.Run("two_resources_unknown_at_plan", func(t *testing.T) { ownershipTwoResourcesAtApply(t, env, &n) })
		t.Run("two_resources_one_name", func(t *testing.T) { ownershipTwoResourcesOneName(t, env, &n) })
		t.Run("x_y_same_name", func(t *testing.T) { ownershipSameName(t, env, &n, false) })
		t.Run("y_unknown_at_plan", func(t *testing.T) { ownershipSameName(t, env, &n, true) })
		t.Run("lost_state_pending", func(t *testing.T) { ownershipLostState(t, env, &n, false) })
		t.Run("lost_state_agent", func(t *testing.T) { ownershipLostState(t, env, &n, true) })
		t.Run("two_workspaces", func(t *testing.T) { ownershipTwoWorkspaces(t, env, &n, false) })
		t.Run("two_workspaces_agent", func(t *testing.T) { ownershipTwoWorkspaces(t, env, &n, true) })
		t.Run("two_workspaces_concurrent", func(t *testing.T) { ownershipConcurrentWorkspaces(t, env, &n) })
		t.Run("copied_directory", func(t *testing.T) { ownershipCopiedDirectory(t, env, &n) })
		t.Run("two_aliases_one_name", func(t *testing.T) { ownershipTwoAliases(t, env, &n) })
		t.Run("create_before_destroy", func(t *testing.T) { ownershipCreateBeforeDestroy(t, env, &n) })
	})
	t.Cleanup(func() {
		if !t.Failed() {
			fmt.Printf("ownership: %d conflicts refused (%d at plan time), %d clusters taken over, %d agents overwritten; %d interrupted applies taken over\n",
				n.refused.Load(), n.atPlan.Load(), n.takenOver.Load(), n.overwritten.Load(), n.resumed.Load())
		}
	})
}

// ownershipDir is a working directory of one configuration.
type ownershipDir struct {
	env *testEnv
	dir string
}

func (e *testEnv) ownershipDir(t *testing.T, resources string) *ownershipDir {
	d := &ownershipDir{env: e, dir: cliWorkDir(t)}
	d.write(t, resources)
	return d
}

func (d *ownershipDir) write(t *testing.T, resources string) {
	writeCLIConfig(t, d.dir, d.env.API.URL, d.env.API.ProjectUID, resources)
}

func (d *ownershipDir) tf(t *testing.T, codes []int, args ...string) string {
	t.Helper()
	return d.tfEnv(t, nil, codes, args...)
}

// tfEnv runs a terraform command with more environment.
func (d *ownershipDir) tfEnv(t *testing.T, env []string, codes []int, args ...string) string {
	t.Helper()
	return tfMust(t, d.dir, append([]string{"PALETTE_API_KEY=" + d.env.API.APIKey}, env...), codes, args...)
}

// adoptCommand is what the refusal of an interrupted apply's cluster says to run.
var adoptCommand = regexp.MustCompile(`(?s)Cluster name already\s+taken.*PALETTE_ADOPT_INTERRUPTED=1\s+terraform\s+apply`)

// expectFails runs a terraform command that must fail with want.
func (d *ownershipDir) expectFails(t *testing.T, want *regexp.Regexp, args ...string) {
	t.Helper()
	out := d.tf(t, []int{1}, args...)
	if !want.MatchString(out) {
		t.Fatalf("terraform %s failed, but not with %s:\n%s", strings.Join(args, " "), want, out)
	}
}

func sameNameConfig(owner, labels string) string {
	return fmt.Sprintf(`resource "palette_imported_cluster" "c" {
  name        = "shared-name"
  cloud_type  = "generic"
  import_mode = "read_only"
  wait_for    = "none"
  description = "cluster of %s"
  labels      = %s
}
`, owner, labels)
}

var nameTaken = regexp.MustCompile(`(?s)Error: Cluster name already\s+taken.*?terraform\s+import\s+palette_imported_cluster\.<name>\s+[0-9a-f]{24}`)

func ownershipSameName(t *testing.T, env *testEnv, n *ownershipTally, unknownAtPlan bool) {
	x := env.ownershipDir(t, sameNameConfig("X", `{ owner = "X" }`))
	x.tf(t, nil, "apply", "-auto-approve")
	t.Cleanup(func() { x.tf(t, nil, "destroy", "-auto-approve") })
	live := liveClusters(t, env.Client, "shared-name")
	if len(live) != 1 {
		t.Fatalf("after X's apply: %d clusters named shared-name", len(live))
	}
	uid := live[0].Metadata.UID
	before, err := env.Client.GetCluster(testCtx(t), uid)
	if err != nil {
		t.Fatal(err)
	}

	yConfig := sameNameConfig("Y", `{ owner = "Y" }`)
	if unknownAtPlan {
		yConfig = sameNameConfig("Y", `{ owner = terraform_data.owner.output }`) +
			"resource \"terraform_data\" \"owner\" {\n  input = \"Y\"\n}\n"
	}
	y := env.ownershipDir(t, yConfig)
	if unknownAtPlan {
		// The plan cannot tell (the labels are unknown): it passes, and
		// the apply refuses.
		y.tf(t, nil, "plan")
		y.expectFails(t, nameTaken, "apply", "-auto-approve")
		n.refused.Add(1)
	} else {
		y.expectFails(t, nameTaken, "plan")
		y.expectFails(t, nameTaken, "apply", "-auto-approve")
		n.refused.Add(1)
		n.atPlan.Add(1)
	}
	if unknownAtPlan {
		// Y's state holds terraform_data: a destroy's pre-destroy plan
		// plans the cluster again and meets the same refusal (Terraform
		// runs it as a normal plan); the message's way out skips it.
		y.expectFails(t, nameTaken, "destroy", "-auto-approve")
		y.tf(t, nil, "destroy", "-auto-approve", "-refresh=false")
	} else {
		y.tf(t, nil, "destroy", "-auto-approve")
	}

	after, err := env.Client.GetCluster(testCtx(t), uid)
	if err != nil {
		t.Fatalf("X's cluster after Y's destroy: %v", err)
	}
	if after.Status.State == wire.StateDeleting || after.Status.State == wire.StateDeleted ||
		!maps.Equal(after.Metadata.Labels, before.Metadata.Labels) || !maps.Equal(after.Metadata.Annotations, before.Metadata.Annotations) {
		n.takenOver.Add(1)
		t.Fatalf("X's cluster changed: labels %v → %v, annotations %v → %v, state %s",
			before.Metadata.Labels, after.Metadata.Labels, before.Metadata.Annotations, after.Metadata.Annotations, after.Status.State)
	}
	if got := liveClusters(t, env.Client, "shared-name"); len(got) != 1 || got[0].Metadata.UID != uid {
		t.Fatalf("clusters named shared-name after Y: %+v, want only X's %s", got, uid)
	}
	// X is still at peace with its cluster, and an update of its
	// metadata keeps the creation fingerprint.
	x.tf(t, nil, "plan", "-detailed-exitcode")
	if unknownAtPlan {
		return
	}
	x.write(t, strings.Replace(sameNameConfig("X", `{ owner = "X" }`), "cluster of X", "still X's", 1))
	x.tf(t, nil, "apply", "-auto-approve")
	updated, err := env.Client.GetCluster(testCtx(t), uid)
	if err != nil {
		t.Fatal(err)
	}
	fp := before.Metadata.Annotations[creationFingerprintAnnotation]
	if fp == "" || updated.Metadata.Annotations[creationFingerprintAnnotation] != fp || updated.Metadata.Annotations["description"] != "still X's" {
		t.Fatalf("annotations after X's update: %v, want the description and the creation fingerprint %q", updated.Metadata.Annotations, fp)
	}
}

func ownershipTwoResources(t *testing.T, env *testEnv, n *ownershipTally) {
	d := env.ownershipDir(t, fmt.Sprintf(`resource "palette_imported_cluster" "a" {
  name        = "one-cluster-a"
  cloud_type  = "generic"
  import_mode = "read_only"
  %s
}

resource "palette_imported_cluster" "b" {
  name        = "one-cluster-b"
  cloud_type  = "generic"
  import_mode = "read_only"
  %s
}
`, env.kubeAccess(), env.kubeAccess()))
	want := regexp.MustCompile(`(?s)Error: Two resources import one\s+cluster.*?\d+:\s+kubernetes\s+=.*?palette_imported_cluster\s+named\s+"one-cluster-[ab]"`)
	d.expectFails(t, want, "plan")
	d.expectFails(t, want, "apply", "-auto-approve")
	n.refused.Add(1)
	n.atPlan.Add(1)
	for _, name := range []string{"one-cluster-a", "one-cluster-b"} {
		if live := liveClusters(t, env.Client, name); len(live) != 0 {
			t.Errorf("%s was registered: %+v", name, live)
		}
	}
	installs, err := manifest.FindInstalled(testCtx(t), env.kubeClient(t))
	if err != nil {
		t.Fatal(err)
	}
	if len(installs) != 0 {
		n.overwritten.Add(int32(len(installs)))
		t.Errorf("agents were installed: %+v", installs)
	}
}

// ownershipTwoResourcesOneName: two resources of one configuration with one
// name fail the plan on name; nothing is registered.
func ownershipTwoResourcesOneName(t *testing.T, env *testEnv, n *ownershipTally) {
	block := func(label string) string {
		return fmt.Sprintf(`resource "palette_imported_cluster" %q {
  name        = "one-name"
  cloud_type  = "generic"
  import_mode = "read_only"
  wait_for    = "none"
}
`, label)
	}
	d := env.ownershipDir(t, block("a")+"\n"+block("b"))
	want := regexp.MustCompile(`(?s)Error: Cluster name already taken.*?\d+:\s+name\s+=.*?registers\s+a\s+cluster\s+named\s+"one-name"`)
	d.expectFails(t, want, "plan")
	d.expectFails(t, want, "apply", "-auto-approve")
	n.refused.Add(1)
	n.atPlan.Add(1)
	if live := liveClusters(t, env.Client, "one-name"); len(live) != 0 {
		t.Errorf("one-name was registered: %+v", live)
	}
}

func ownershipTwoResourcesAtApply(t *testing.T, env *testEnv, n *ownershipTally) {
	resource := func(name string) string {
		return fmt.Sprintf(`resource "palette_imported_cluster" %q {
  name        = %q
  cloud_type  = "generic"
  import_mode = "read_only"
  wait_for    = "none"
  kubernetes = {
    config_path = terraform_data.kubeconfig.output
  }
}
`, name, "late-"+name)
	}
	d := env.ownershipDir(t, resource("a")+resource("b")+
		fmt.Sprintf("resource \"terraform_data\" \"kubeconfig\" {\n  input = %q\n}\n", env.Kube.Kubeconfig))
	d.tf(t, nil, "plan")
	want := regexp.MustCompile(`(?s)Error: Two resources import one\s+cluster.*?palette_imported_cluster\s+named\s+"late-[ab]"`)
	d.expectFails(t, want, "apply", "-auto-approve")
	n.refused.Add(1)
	var live []wire.SpectroClusterSummary
	for _, name := range []string{"late-a", "late-b"} {
		live = append(live, liveClusters(t, env.Client, name)...)
	}
	installs, err := manifest.FindInstalled(testCtx(t), env.kubeClient(t))
	if err != nil {
		t.Fatal(err)
	}
	if len(live) != 1 || len(installs) > 1 || (len(installs) == 1 && installs[0].ClusterUID != live[0].Metadata.UID) {
		n.overwritten.Add(int32(max(len(installs)-1, 0)))
		t.Fatalf("after the apply: clusters %+v and agents %+v, want one of the two, with its agent at most", live, installs)
	}
	// The refused resource is planned again by a destroy's pre-destroy
	// plan (and meets the "already imported" rule); -refresh=false skips it.
	d.tf(t, nil, "destroy", "-auto-approve", "-refresh=false")
	for _, name := range []string{"late-a", "late-b"} {
		if got := liveClusters(t, env.Client, name); len(got) != 0 {
			t.Errorf("%s after destroy: %+v", name, got)
		}
	}
}

func ownershipTwoAttachments(t *testing.T, n *ownershipTally) {
	env := newTestEnv(t, testEnvOptions{api: []localtest.Option{localtest.WithSimulateAgents()}, leavesClusters: true})
	cluster := env.importClusterDirect(t, "two-attachments", wire.CloudTypeGeneric, wire.ImportModeFullPermission, nil)
	profile := env.API.CreateProfileFromFile(t, "../../examples/profiles/hello-addon.yaml")
	attach := func(name, values string) string {
		return fmt.Sprintf(`resource "palette_addon_profile_attachment" %q {
  cluster_id = %q
  profile_id = %q
  values     = { hello = %q }
}
`, name, cluster, profile, values)
	}
	d := env.ownershipDir(t, attach("one", "message: one")+attach("two", "message: two"))
	want := regexp.MustCompile(`(?s)Error: Profile attached\s+twice.*?\d+:\s+profile_id\s+=`)
	d.expectFails(t, want, "plan")
	d.expectFails(t, want, "apply", "-auto-approve")
	n.refused.Add(1)
	n.atPlan.Add(1)
	ps, err := env.Client.GetClusterProfiles(testCtx(t), cluster)
	if err != nil {
		t.Fatal(err)
	}
	if len(ps.Profiles) != 0 {
		t.Errorf("profiles were attached: %+v", ps.Profiles)
	}
}

// ownershipLostState applies, loses the state (terraform state rm stands
// for an apply killed before its state write: the cluster is registered
// with this configuration's fingerprint, and the state does not know it),
// and applies again. With the labels changed in between, the cluster is not
// this configuration's any more; with them back, it is taken over.
func ownershipLostState(t *testing.T, env *testEnv, n *ownershipTally, withAgent bool) {
	name, access, waitFor := "lost-pending", "", "none"
	if withAgent {
		name, access, waitFor = "lost-agent", env.kubeAccess(), "running"
	}
	config := func(label string) string {
		return fmt.Sprintf(`resource "palette_imported_cluster" "c" {
  name        = %q
  cloud_type  = "generic"
  import_mode = "read_only"
  wait_for    = %q
  labels      = { run = %q }
  %s
}
`, name, waitFor, label, access)
	}
	d := env.ownershipDir(t, config("first"))
	d.tf(t, nil, "apply", "-auto-approve")
	live := liveClusters(t, env.Client, name)
	if len(live) != 1 {
		t.Fatalf("after the first apply: %d clusters named %s", len(live), name)
	}
	uid := live[0].Metadata.UID
	d.tf(t, nil, "state", "rm", "palette_imported_cluster.c")

	// Another configuration now (other labels): not taken over.
	d.write(t, config("second"))
	d.expectFails(t, nameTaken, "plan")
	n.refused.Add(1)
	n.atPlan.Add(1)

	// This configuration again: its fingerprint, but nothing tells this
	// state from another of the same configuration; the plan says the one
	// command that adopts it.
	d.write(t, config("first"))
	d.expectFails(t, adoptCommand, "plan")
	n.refused.Add(1)
	n.atPlan.Add(1)
	out := d.tfEnv(t, []string{"PALETTE_ADOPT_INTERRUPTED=1"}, nil, "apply", "-auto-approve")
	if !strings.Contains(out, "Took over a cluster left by an interrupted apply") {
		t.Fatalf("the apply did not take its cluster over:\n%s", out)
	}
	after := liveClusters(t, env.Client, name)
	if len(after) != 1 || after[0].Metadata.UID != uid {
		t.Fatalf("after the takeover: %+v, want only %s", after, uid)
	}
	if withAgent {
		installs, err := manifest.FindInstalled(context.Background(), env.kubeClient(t))
		if err != nil {
			t.Fatal(err)
		}
		if len(installs) != 1 || installs[0].ClusterUID != uid {
			n.overwritten.Add(1)
			t.Fatalf("agents in the cluster after the takeover: %+v, want only %s's", installs, uid)
		}
	}
	n.resumed.Add(1)
	d.tf(t, nil, "plan", "-detailed-exitcode")
	d.tf(t, nil, "destroy", "-auto-approve")
	if got := liveClusters(t, env.Client, name); len(got) != 0 {
		t.Fatalf("after destroy: %+v", got)
	}
}

// ownershipTwoWorkspaces: one directory, two workspaces (two states) of one
// configuration. The second workspace's plan and apply are refused: the
// cluster carries this configuration's fingerprint, but it is the first
// state's. Its destroy touches nothing, and the first workspace still plans
// no change. The same holds for a copied directory or a concurrent run
// (-lock=false): what tells states apart is only the user's word
// (PALETTE_ADOPT_INTERRUPTED).
func ownershipTwoWorkspaces(t *testing.T, env *testEnv, n *ownershipTally, withAgent bool) {
	name, access, waitFor := "ws-pending", "", "none"
	if withAgent {
		name, access, waitFor = "ws-agent", env.kubeAccess(), "running"
	}
	d := env.ownershipDir(t, fmt.Sprintf(`resource "palette_imported_cluster" "c" {
  name        = %q
  cloud_type  = "generic"
  import_mode = "read_only"
  wait_for    = %q
  %s
}
`, name, waitFor, access))
	d.tf(t, nil, "workspace", "new", "w1")
	d.tf(t, nil, "apply", "-auto-approve")
	live := liveClusters(t, env.Client, name)
	if len(live) != 1 {
		t.Fatalf("after w1's apply: %d clusters named %s", len(live), name)
	}
	uid := live[0].Metadata.UID
	d.tf(t, nil, "workspace", "new", "w2")
	d.expectFails(t, adoptCommand, "plan")
	d.expectFails(t, adoptCommand, "apply", "-auto-approve")
	n.refused.Add(1)
	n.atPlan.Add(1)
	d.tf(t, nil, "destroy", "-auto-approve")
	after := liveClusters(t, env.Client, name)
	if len(after) != 1 || after[0].Metadata.UID != uid {
		n.takenOver.Add(1)
		t.Fatalf("w2's destroy touched w1's cluster: %+v, want %s", after, uid)
	}
	if withAgent {
		installs, err := manifest.FindInstalled(context.Background(), env.kubeClient(t))
		if err != nil {
			t.Fatal(err)
		}
		if len(installs) != 1 || installs[0].ClusterUID != uid {
			n.overwritten.Add(1)
			t.Fatalf("agents in the cluster after w2: %+v, want only %s's", installs, uid)
		}
	}
	d.tf(t, nil, "workspace", "select", "w1")
	if out := d.tf(t, nil, "plan", "-detailed-exitcode"); !strings.Contains(out, "No changes") {
		t.Fatalf("w1 plans changes after w2:\n%s", out)
	}
	d.tf(t, nil, "destroy", "-auto-approve")
	if got := liveClusters(t, env.Client, name); len(got) != 0 {
		t.Fatalf("after w1's destroy: %d clusters", len(got))
	}
}

// fixedNameCluster is a cluster of a fixed name without cluster access.
func fixedNameCluster(label, name, extra string) string {
	return fmt.Sprintf(`resource "palette_imported_cluster" %q {
  name        = %q
  cloud_type  = "generic"
  import_mode = "read_only"
  wait_for    = "none"
%s}
`, label, name, extra)
}

// ownershipConcurrentWorkspaces: two workspaces of one configuration apply
// at once with -lock=false. One registers the cluster; the other is
// refused, whether its plan or its POST comes second, and nothing is
// registered twice or shared by two states.
func ownershipConcurrentWorkspaces(t *testing.T, env *testEnv, n *ownershipTally) {
	const name = "ws-concurrent"
	d := env.ownershipDir(t, fixedNameCluster("c", name, ""))
	d.tf(t, nil, "workspace", "new", "w1")
	d.tf(t, nil, "workspace", "new", "w2")
	type result struct {
		out  string
		code int
	}
	results := make([]result, 2)
	var wg sync.WaitGroup
	for i, ws := range []string{"w1", "w2"} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
			defer cancel()
			cmd := tfCommand(ctx, t, d.dir, []string{"PALETTE_API_KEY=" + env.API.APIKey, "TF_WORKSPACE=" + ws},
				"apply", "-auto-approve", "-lock=false", "-no-color")
			out, err := cmd.CombinedOutput()
			if cmd.ProcessState == nil { // not started
				results[i] = result{err.Error(), -1}
				return
			}
			results[i] = result{string(out), cmd.ProcessState.ExitCode()}
		}()
	}
	wg.Wait()
	winners := 0
	for i, r := range results {
		switch r.code {
		case 0:
			winners++
		case 1:
			if !regexp.MustCompile(`(?s)Error: Cluster name already\s+taken`).MatchString(r.out) {
				t.Errorf("w%d failed, but not with the name taken:\n%s", i+1, r.out)
			}
		default:
			t.Errorf("w%d: exit %d\n%s", i+1, r.code, r.out)
		}
	}
	if winners != 1 {
		t.Fatalf("%d of the two concurrent applies succeeded, want 1:\nw1: %s\nw2: %s", winners, results[0].out, results[1].out)
	}
	n.refused.Add(1)
	live := liveClusters(t, env.Client, name)
	if len(live) != 1 {
		t.Fatalf("%d clusters named %s after the concurrent applies, want 1", len(live), name)
	}
	// Exactly one state holds the cluster: the winner's.
	holders := 0
	for _, ws := range []string{"w1", "w2"} {
		out := tfMust(t, d.dir, []string{"PALETTE_API_KEY=" + env.API.APIKey, "TF_WORKSPACE=" + ws}, nil, "show", "-json")
		if strings.Contains(out, live[0].Metadata.UID) {
			holders++
		}
	}
	if holders != 1 {
		n.takenOver.Add(1)
		t.Fatalf("%d states hold cluster %s, want 1", holders, live[0].Metadata.UID)
	}
	// The loser's destroy skips the refresh: its plan would meet the
	// winner's cluster again (the way out its error names).
	for i, ws := range []string{"w1", "w2"} {
		args := []string{"destroy", "-auto-approve"}
		if results[i].code != 0 {
			args = append(args, "-refresh=false")
		}
		tfMust(t, d.dir, []string{"PALETTE_API_KEY=" + env.API.APIKey, "TF_WORKSPACE=" + ws}, nil, args...)
	}
	if got := liveClusters(t, env.Client, name); len(got) != 0 {
		t.Fatalf("after both destroys: %d clusters named %s", len(got), name)
	}
}

// ownershipCopiedDirectory: a configuration copied to another directory
// (a new state) is refused the first directory's cluster, at plan, and
// leaves it alone.
func ownershipCopiedDirectory(t *testing.T, env *testEnv, n *ownershipTally) {
	const name = "copied-dir"
	a := env.ownershipDir(t, fixedNameCluster("c", name, ""))
	a.tf(t, nil, "apply", "-auto-approve")
	t.Cleanup(func() { a.tf(t, nil, "destroy", "-auto-approve") })
	live := liveClusters(t, env.Client, name)
	if len(live) != 1 {
		t.Fatalf("%d clusters named %s", len(live), name)
	}
	b := env.ownershipDir(t, fixedNameCluster("c", name, ""))
	b.expectFails(t, adoptCommand, "plan")
	b.expectFails(t, adoptCommand, "apply", "-auto-approve")
	n.refused.Add(1)
	n.atPlan.Add(1)
	b.tf(t, nil, "destroy", "-auto-approve")
	if got := liveClusters(t, env.Client, name); len(got) != 1 || got[0].Metadata.UID != live[0].Metadata.UID {
		n.takenOver.Add(1)
		t.Fatalf("clusters named %s after the copy's runs: %+v, want only %s", name, got, live[0].Metadata.UID)
	}
	if out := a.tf(t, nil, "plan", "-detailed-exitcode"); !strings.Contains(out, "No changes") {
		t.Fatalf("the first directory plans changes after the copy's runs:\n%s", out)
	}
}

// ownershipTwoAliases: two provider configurations (aliases) on one
// project, each with a resource of one name. Terraform runs a provider
// process for each: the plan still fails on name, and nothing is
// registered.
func ownershipTwoAliases(t *testing.T, env *testEnv, n *ownershipTally) {
	const name = "alias-name"
	aliases := fmt.Sprintf(`provider "palette" {
  alias       = "a"
  host        = %q
  project_uid = %q
}

provider "palette" {
  alias       = "b"
  host        = %q
  project_uid = %q
}

`, env.API.URL, env.API.ProjectUID, env.API.URL, env.API.ProjectUID)
	d := env.ownershipDir(t, aliases+
		fixedNameCluster("a", name, "  provider    = palette.a\n  description = \"a\"\n")+"\n"+
		fixedNameCluster("b", name, "  provider    = palette.b\n  description = \"b\"\n"))
	want := regexp.MustCompile(`(?s)Error: Cluster name already taken.*?\d+:\s+name\s+=.*?another\s+provider\s+configuration`)
	d.expectFails(t, want, "plan")
	d.expectFails(t, want, "apply", "-auto-approve")
	n.refused.Add(1)
	n.atPlan.Add(1)
	if live := liveClusters(t, env.Client, name); len(live) != 0 {
		t.Errorf("%s was registered: %+v", name, live)
	}
	// One alias alone plans and applies (the other's claims are gone
	// with its process).
	d.write(t, aliases+fixedNameCluster("a", name, "  provider    = palette.a\n  description = \"a\"\n"))
	d.tf(t, nil, "apply", "-auto-approve")
	d.tf(t, nil, "destroy", "-auto-approve")
}

// ownershipCreateBeforeDestroy: a replacement that keeps the name under
// lifecycle { create_before_destroy = true } cannot register the new
// cluster while the old one holds the name. The plan cannot know (a
// provider is not told of lifecycle settings, and Terraform drops the
// warnings of a replacement's create half); the apply stops before
// changing anything, says to remove the setting, and the state still
// holds the old cluster; without the setting the replacement goes
// through.
func ownershipCreateBeforeDestroy(t *testing.T, env *testEnv, n *ownershipTally) {
	const name = "cbd-name"
	cbd := "  lifecycle {\n    create_before_destroy = true\n  }\n"
	d := env.ownershipDir(t, fixedNameCluster("c", name, cbd))
	d.tf(t, nil, "apply", "-auto-approve")
	t.Cleanup(func() { d.tf(t, nil, "destroy", "-auto-approve") })
	live := liveClusters(t, env.Client, name)
	if len(live) != 1 {
		t.Fatalf("%d clusters named %s", len(live), name)
	}
	old := live[0].Metadata.UID
	// cloud_type forces a replacement.
	replaced := strings.Replace(fixedNameCluster("c", name, cbd), `"generic"`, `"aws"`, 1)
	d.write(t, replaced)
	d.expectFails(t, regexp.MustCompile(`(?s)Error: Cluster name already\s+taken.*?Remove\s+create_before_destroy`), "apply", "-auto-approve")
	n.refused.Add(1)
	if got := liveClusters(t, env.Client, name); len(got) != 1 || got[0].Metadata.UID != old {
		t.Fatalf("clusters named %s after the failed replacement: %+v, want only %s", name, got, old)
	}
	if st := d.tf(t, nil, "show", "-json"); !strings.Contains(st, old) {
		t.Fatalf("the state lost cluster %s:\n%s", old, st)
	}
	d.write(t, strings.Replace(replaced, cbd, "", 1))
	d.tf(t, nil, "apply", "-auto-approve")
	got := liveClusters(t, env.Client, name)
	if len(got) != 1 || got[0].Metadata.UID == old {
		t.Fatalf("clusters named %s after the replacement: %+v, want one other than %s", name, got, old)
	}
}
