package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/terraform-palette/terraform-provider-palette/internal/localapi"
	"github.com/terraform-palette/terraform-provider-palette/internal/palette"
	"github.com/terraform-palette/terraform-provider-palette/internal/wire"
)

// defaultQueryN is the N of the adoption figure (-query-n).
const defaultQueryN = 300

// queryConfig is the adoption figure's query file: every imported cluster
// and every attachment of n, with their resource objects (Terraform stops a
// list block at 100 results unless given a limit).
func queryConfig(n int) string {
	return fmt.Sprintf(`list "palette_imported_cluster" "all" {
  provider         = palette
  include_resource = true
  limit            = %d
}

list "palette_addon_profile_attachment" "all" {
  provider         = palette
  include_resource = true
  limit            = %d
}
`, n, n)
}

// adoption is the adoption figure: against a local API of its own
// (simulated agents, no rate limits) holding n clusters with an add-on
// profile attached to each, made through the API (never by Terraform),
// `terraform query -generate-config-out` writes resource and import blocks
// for the 2n objects, `terraform apply` imports them, and `terraform plan`
// must find no change. Each step's wall time and API requests are reported;
// the goal is the query in at most n/25 + 10 requests, the apply only
// importing and the plan empty.
func (b *bench) adoption(ctx context.Context, n int) error {
	ns := strconv.Itoa(n)
	fmt.Printf("adoption with terraform query at N = %d\n", n)
	s, err := startServer(localapi.Config{DataDir: filepath.Join(b.work, "api-query-"+ns), SimulateAgents: true, DisableRateLimit: true}, "127.0.0.1:0")
	if err != nil {
		return err
	}
	defer func() { _ = s.stop() }()
	if err := seedClusters(ctx, s, n); err != nil {
		return err
	}
	dir := filepath.Join(b.work, "tf-query-"+ns)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return err
	}
	if err := mustWrite(filepath.Join(dir, "main.tf"), fmt.Sprintf("terraform {\n  required_providers {\n    palette = { source = %q }\n  }\n}\n\nprovider \"palette\" {}\n", providerAddress)); err != nil {
		return err
	}
	if err := mustWrite(filepath.Join(dir, "main.tfquery.hcl"), queryConfig(n)); err != nil {
		return err
	}
	type step struct {
		what     string
		args     []string
		check    func(run) error
		requests int
		wall     time.Duration
	}
	steps := []*step{
		{what: "query -generate-config-out", args: []string{"query", "-generate-config-out=generated.tf"}, check: func(r run) error {
			gen, err := os.ReadFile(filepath.Join(dir, "generated.tf"))
			if err != nil {
				return err
			}
			if got := strings.Count(string(gen), "\nimport {"); got != 2*n {
				return fmt.Errorf("the generated configuration has %d import blocks, want %d", got, 2*n)
			}
			return nil
		}},
		{what: "apply", args: []string{"apply", "-auto-approve", "-input=false", "-parallelism=" + strconv.Itoa(b.parallelism)}, check: func(r run) error {
			if want := fmt.Sprintf("%d imported, 0 added, 0 changed, 0 destroyed", 2*n); !strings.Contains(r.output, want) {
				return fmt.Errorf("the apply did not only import (want %q):\n%s", want, tail(r.output))
			}
			return nil
		}},
		{what: "plan", args: []string{"plan", "-detailed-exitcode", "-input=false"}, check: func(r run) error {
			if !noChanges(r) {
				return fmt.Errorf("the plan after the imports is not empty (exit %d):\n%s", r.code, tail(r.output))
			}
			return nil
		}},
	}
	for _, st := range steps {
		before, _ := s.counts()
		r, err := b.terraform(ctx, dir, s.env(), st.args...)
		if err == nil && r.code != 0 && st.what != "plan" {
			err = fmt.Errorf("exit %d:\n%s", r.code, tail(r.output))
		}
		if err == nil {
			err = st.check(r)
		}
		if err != nil {
			return fmt.Errorf("terraform %s: %w", st.what, err)
		}
		after, _ := s.counts()
		st.requests, st.wall = after-before, r.wall
		fmt.Printf("  %s: %d requests, %s\n", st.what, st.requests, st.wall.Round(time.Millisecond))
	}
	goal := n/25 + 10
	parts := make([]string, 0, len(steps))
	for _, st := range steps {
		parts = append(parts, fmt.Sprintf("%s %d requests, %s", st.what, st.requests, st.wall.Round(time.Millisecond)))
	}
	b.add(row{
		"Adoption of N clusters with an attachment each, made in Palette only: terraform query -generate-config-out (2N results), apply of the 2N import blocks, plan: API requests, wall time",
		ns, strings.Join(parts, "; ") + "; the plan has no changes",
		fmt.Sprintf("query ≤ N/25 + 10 = %d requests", goal), passFail(steps[0].requests <= goal),
	})
	return nil
}

// seedClusters imports n generic clusters through the API and attaches the
// hello-addon profile to each, as Palette's UI would.
func seedClusters(ctx context.Context, s *server, n int) error {
	prof, err := localapi.LoadProfileFile("examples/profiles/hello-addon.yaml")
	if err != nil {
		return err
	}
	pid, err := s.srv.CreateProfile(ctx, prof, s.srv.DefaultProjectUID())
	if err != nil {
		return err
	}
	c, err := palette.NewClient(palette.Config{Host: "http://" + s.addr, APIKey: s.srv.BootstrapKey(), ProjectUID: s.srv.DefaultProjectUID()})
	if err != nil {
		return err
	}
	for i := range n {
		uid, _, err := c.ImportCluster(ctx, wire.CloudTypeGeneric, wire.ImportRequest{
			Metadata: wire.ObjectMetaInputEntity{Name: fmt.Sprintf("ui-%04d", i), Labels: map[string]string{"team": "t" + strconv.Itoa(i%10)}},
		})
		if err != nil {
			return fmt.Errorf("importing cluster %d: %w", i, err)
		}
		if err := c.PatchClusterProfiles(ctx, uid, wire.SpectroClusterProfiles{Profiles: []wire.SpectroClusterProfileEntity{{UID: pid}}}); err != nil {
			return fmt.Errorf("attaching the profile to cluster %d: %w", i, err)
		}
	}
	return nil
}
