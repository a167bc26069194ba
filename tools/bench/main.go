// Command bench measures the provider against the local import API with the
// real Terraform CLI: refresh at scale (wall time, API requests and the
// provider's peak RSS, beside the plugin floor of an empty framework provider
// and Terraform's own floor of terraform_data resources), the refresh with a
// SaaS round trip of latency on every request, the same plan under the API's
// default rate limits, the refresh of clusters' namespaces and role bindings
// (Day-2), the adoption of clusters made in Palette with terraform query,
// and the import latency of one real import against a local
// kube-apiserver. It prints a table and writes it, with the command
// that made it, to docs/benchmarks.md.
//
//	go run ./tools/bench            # N = 100, 300, 1000 (make bench)
//	go run ./tools/bench -quick     # N = 20, 50, no file written unless -out is given
//	go run ./tools/bench -saas-only # only the refresh at N = 300 with 50 ms on every request
//	go run ./tools/bench -day2-only # only the Day-2 refresh at N = 300 (namespaces, role bindings)
//	go run ./tools/bench -query-only # only the adoption with terraform query at N = 300
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"time"
)

// The benchmark's goals, printed as pass or fail in its table.
const (
	// goalWallRatio bounds the provider's wall time over the plugin floor's
	// (the same graph over tools/bench/emptyprovider), in every round.
	goalWallRatio = 1.5
	goalRSSBytes  = 150 << 20
	goalLatency   = time.Second
	rssGoalN      = 1000
	// requestsGoalN is the N at which a refresh may make at most N/25 + 10
	// API requests in all (and at most 1 per resource at any N).
	requestsGoalN = 1000
	// saasLatency is added by the local API to every request of the SaaS
	// figure (saasFaults: latency with probability 1, no other fault), at
	// N = defaultSaaSN.
	saasLatency     = 50 * time.Millisecond
	saasFaults      = "latency=50ms@1"
	defaultSaaSN    = 300
	providerAddress = "terraform-palette/palette"
	// emptyProviderAddress is tools/bench/emptyprovider, the plugin floor.
	emptyProviderAddress = "terraform-palette/benchempty"
)

type row struct {
	Figure, N, Value, Goal, Result string
}

type bench struct {
	work, tf, providerBin, emptyBin, cliConfig string
	parallelism, repeat                        int
	env                                        []string
	rows                                       []row
	failed                                     bool
}

func main() {
	quick := flag.Bool("quick", false, "small run (N = 20, 50) for CI")
	ns := flag.String("n", "", "comma-separated sizes (default 100,300,1000; -quick: 20,50)")
	out := flag.String("out", "", "markdown file to write (default docs/benchmarks.md, none with -quick)")
	tf := flag.String("terraform", "", "Terraform CLI (default: $TF_ACC_TERRAFORM_PATH, else terraform on PATH)")
	skipLatency := flag.Bool("skip-latency", false, "skip the import latency (needs the local kube binaries)")
	skipRate := flag.Bool("skip-ratelimit", false, "skip the plan under the default rate limits")
	createPar := flag.Int("create-parallelism", 32, "terraform -parallelism of the applies that create the resources")
	providerEnv := flag.String("provider-env", "", "comma-separated NAME=VALUE given to terraform and the provider (e.g. GOMEMLIMIT=100MiB)")
	repeat := flag.Int("repeat", 3, "rounds of the wall-time figures; each wall time is the median, and a goal ratio must hold in every round")
	saasN := flag.Int("saas-n", defaultSaaSN, "N of the refresh with "+saasLatency.String()+" of latency on every request (0: skip it; -quick: the largest N)")
	saasOnly := flag.Bool("saas-only", false, "only the refresh with latency on every request, at -saas-n (no floors, no rate limits, no import latency)")
	day2N := flag.Int("day2-n", defaultDay2N, "N of the Day-2 refresh: N clusters with 2 namespaces and 2 role bindings each (0: skip it; -quick: the largest N)")
	skipDay2 := flag.Bool("skip-day2", false, "skip the Day-2 refresh (namespaces and role bindings)")
	day2Only := flag.Bool("day2-only", false, "only the Day-2 refresh, at -day2-n (no floors, no SaaS latency, no rate limits, no import latency)")
	queryN := flag.Int("query-n", defaultQueryN, "N of the adoption figure: terraform query -generate-config-out, apply and plan over N clusters with an attachment each made in Palette (0: skip it; -quick: the largest N)")
	queryOnly := flag.Bool("query-only", false, "only the adoption figure, at -query-n (no refresh, no Day-2, no import latency)")
	flag.Parse()
	sizes := []int{100, 300, 1000}
	if *quick {
		sizes = []int{20, 50}
		if !flagSet("saas-n") {
			*saasN = sizes[len(sizes)-1]
		}
		if !flagSet("day2-n") {
			*day2N = sizes[len(sizes)-1]
		}
		if !flagSet("query-n") {
			*queryN = sizes[len(sizes)-1]
		}
	}
	if *ns != "" {
		sizes = nil
		for _, s := range strings.Split(*ns, ",") {
			n, err := strconv.Atoi(strings.TrimSpace(s))
			if err != nil || n <= 0 {
				fatalf("bad -n %q", *ns)
			}
			sizes = append(sizes, n)
		}
	}
	if *out == "" && !*quick && !*saasOnly && !*day2Only && !*queryOnly {
		*out = "docs/benchmarks.md"
	}
	if *repeat < 1 {
		fatalf("bad -repeat %d", *repeat)
	}
	if *saasN < 0 || (*saasOnly && *saasN == 0) {
		fatalf("bad -saas-n %d", *saasN)
	}
	if *day2N < 0 || (*day2Only && (*day2N == 0 || *skipDay2 || *saasOnly)) {
		fatalf("bad -day2-n %d, or -day2-only with -skip-day2 or -saas-only", *day2N)
	}
	if *queryN < 0 || (*queryOnly && (*queryN == 0 || *saasOnly || *day2Only)) {
		fatalf("bad -query-n %d, or -query-only with -saas-only or -day2-only", *queryN)
	}
	if *queryOnly {
		sizes = nil
		*saasN = 0
		*skipDay2 = true
		*skipLatency = true
	}
	if *saasOnly {
		*queryN = 0
		sizes = nil
		*skipLatency = true
		*skipDay2 = true
	}
	if *day2Only {
		*queryN = 0
		sizes = nil
		*saasN = 0
		*skipLatency = true
	}
	b := &bench{parallelism: *createPar, repeat: *repeat}
	if *providerEnv != "" {
		b.env = strings.Split(*providerEnv, ",")
	}
	var err error
	b.tf, err = terraformPath(*tf)
	if err != nil {
		fatalf("%v", err)
	}
	b.work, err = os.MkdirTemp("", "palette-bench-")
	if err != nil {
		fatalf("%v", err)
	}
	defer os.RemoveAll(b.work)
	if err := b.buildProvider(); err != nil {
		fatalf("building the provider: %v", err)
	}
	ctx := context.Background()
	saasDone := false
	for _, n := range sizes {
		o := scaleOpts{floors: true, saas: n == *saasN, rateLimited: !*skipRate && n == sizes[len(sizes)-1]}
		saasDone = saasDone || o.saas
		if err := b.refreshAtScale(ctx, n, o); err != nil {
			fatalf("refresh at N = %d: %v", n, err)
		}
	}
	if *saasN > 0 && !saasDone {
		if err := b.refreshAtScale(ctx, *saasN, scaleOpts{saas: true}); err != nil {
			fatalf("refresh at N = %d with latency: %v", *saasN, err)
		}
	}
	if !*skipDay2 && *day2N > 0 {
		if err := b.day2Refresh(ctx, *day2N); err != nil {
			fatalf("Day-2 refresh at N = %d: %v", *day2N, err)
		}
	}
	if *queryN > 0 {
		if err := b.adoption(ctx, *queryN); err != nil {
			fatalf("adoption with terraform query at N = %d: %v", *queryN, err)
		}
	}
	if !*skipLatency {
		if err := b.importLatency(ctx); err != nil {
			b.add(row{"import latency: agent's first contact → provider returns", "1", "error: " + err.Error(), "< 1 s", "FAIL"})
		}
	}
	table := b.table()
	fmt.Print(table)
	if *out != "" {
		if err := b.writeDoc(*out, table); err != nil {
			fatalf("%v", err)
		}
		fmt.Println("wrote", *out)
	}
	if b.failed {
		fmt.Println("bench: some goals are not met (FAIL above)")
	}
}

// flagSet reports whether the flag name was given on the command line.
func flagSet(name string) bool {
	set := false
	flag.Visit(func(f *flag.Flag) { set = set || f.Name == name })
	return set
}

func fatalf(format string, args ...any) {
	fmt.Fprintf(os.Stderr, "bench: "+format+"\n", args...)
	os.Exit(1)
}

func terraformPath(flagged string) (string, error) {
	for _, p := range []string{flagged, os.Getenv("TF_ACC_TERRAFORM_PATH")} {
		if p != "" {
			return p, nil
		}
	}
	p, err := exec.LookPath("terraform")
	if err != nil {
		return "", errors.New("no Terraform CLI: pass -terraform or run scripts/ensure-terraform.sh")
	}
	return p, nil
}

// buildProvider builds the provider into work/bin and writes a CLI config
// with dev_overrides pointing at it (never the user's ~/.terraformrc).
func (b *bench) buildProvider() error {
	bin := filepath.Join(b.work, "bin")
	b.providerBin = filepath.Join(bin, "terraform-provider-palette")
	cmd := exec.CommandContext(context.Background(), "go", "build", "-o", b.providerBin, ".")
	cmd.Stdout, cmd.Stderr = os.Stderr, os.Stderr
	if err := cmd.Run(); err != nil {
		return err
	}
	// The second floor: a framework provider that does nothing.
	b.emptyBin = filepath.Join(bin, "terraform-provider-benchempty")
	cmd = exec.CommandContext(context.Background(), "go", "build", "-o", b.emptyBin, "./tools/bench/emptyprovider")
	cmd.Stdout, cmd.Stderr = os.Stderr, os.Stderr
	if err := cmd.Run(); err != nil {
		return err
	}
	b.cliConfig = filepath.Join(b.work, "terraformrc")
	rc := fmt.Sprintf("provider_installation {\n  dev_overrides {\n    %q = %q\n    %q = %q\n  }\n  direct {}\n}\n",
		providerAddress, bin, emptyProviderAddress, bin)
	return os.WriteFile(b.cliConfig, []byte(rc), 0o600)
}

func (b *bench) add(r row) {
	if r.Result == "FAIL" {
		b.failed = true
	}
	b.rows = append(b.rows, r)
	fmt.Printf("  %-62s N=%-5s %-22s goal %-18s %s\n", r.Figure, r.N, r.Value, r.Goal, r.Result)
}

func passFail(ok bool) string {
	if ok {
		return "PASS"
	}
	return "FAIL"
}

func (b *bench) table() string {
	var sb strings.Builder
	sb.WriteString("| Figure | N | Value | Goal | Result |\n|---|---|---|---|---|\n")
	for _, r := range b.rows {
		fmt.Fprintf(&sb, "| %s | %s | %s | %s | %s |\n", r.Figure, r.N, r.Value, r.Goal, r.Result)
	}
	return sb.String()
}

func (b *bench) writeDoc(path, table string) error {
	tfv, _ := exec.CommandContext(context.Background(), b.tf, "version").Output()
	load, _ := os.ReadFile("/proc/loadavg")
	var sb strings.Builder
	sb.WriteString("# Benchmarks\n\n")
	fmt.Fprintf(&sb, "Made by `%s` (`make bench`) on %s: %d CPUs, %s, %s.\n\n",
		strings.Join(append([]string{"go run ./tools/bench"}, os.Args[1:]...), " "),
		time.Now().UTC().Format("2006-01-02 15:04 MST"), runtime.NumCPU(), runtime.Version(), firstLine(string(tfv)))
	if f := strings.Fields(string(load)); len(f) >= 3 {
		fmt.Fprintf(&sb, "Load average at the end of the run: %s %s %s (wall times are sensitive to it).\n\n", f[0], f[1], f[2])
	}
	if len(b.env) > 0 {
		fmt.Fprintf(&sb, "Environment given to Terraform and the provider: `%s`.\n\n", strings.Join(b.env, " "))
	}
	sb.WriteString(table)
	sb.WriteString(`
How it is measured:

- **Refresh at scale.** The local import API (` + "`palette-local`" + `, in-process, SQLite) with simulated agents
  (imports Running and packs Ready at once) holds N ` + "`palette_imported_cluster`" + ` (no cluster access,
  ` + "`wait_for = \"running\"`" + `) and N ` + "`palette_addon_profile_attachment`" + ` (the profile
  ` + "`examples/profiles/hello-addon.yaml`" + `), created once by ` + "`terraform apply`" + `. Two figures:
  ` + "`terraform plan -refresh-only -detailed-exitcode`" + ` (the refresh alone) and ` + "`terraform plan -detailed-exitcode`" + `
  (refresh, then the plan with its plan-time rules), each over 2N resources at
  Terraform's default parallelism and each required to find no change, against a freshly built provider binary
  through ` + "`dev_overrides`" + ` in a CLI config of its own. API requests are the difference of the server's request counts (` + "`/debug/requests`" + `) around
  the plan. Peak RSS is the largest ` + "`VmHWM`" + ` of the provider process, sampled from /proc every 10 ms.
- **Floors.** The floor is the same command over the same graph of ` + "`terraform_data`" + ` in the same run: N resources
  and N more whose ` + "`input`" + ` refers to one of them (` + "`terraform_data.d[count.index].id`" + `), as each attachment's
  ` + "`cluster_id`" + ` refers to a cluster. The references are part of the floor because Terraform evaluates the
  referenced resource whole (all N instances) for each referring instance, a cost that grows with N² and that no
  provider can avoid; the floor without references (2N independent ` + "`terraform_data`" + `) is shown beside it.
  Terraform serves ` + "`terraform_data`" + ` from its own process; every provider is a separate process spoken to over
  gRPC. The plugin floor, the goal's reference, is the same graph over ` + "`tools/bench/emptyprovider`" + `, a
  terraform-plugin-framework provider whose one resource does nothing: what any framework provider pays.
  The schema floor (informative) is the benchmark's configuration over resources of the same provider
  that carry the palette provider's two schemas, validators and plan modifiers included, and do nothing else:
  what the framework and Terraform cost for those schemas, so that palette ÷ it is what the provider's own
  code costs. Each wall time is the median of ` + "`-repeat`" + ` rounds (default 3), and each round runs the floors and the
  provider one after the other (` + "`terraform_data`" + `, the schema floor, the plugin floor, then the provider).
  The goal's ratio is taken within each round (the provider over the plugin floor run just before it) and must
  hold in every round: the machine's speed drifts by ±20 % between rounds, enough to pass or fail a ratio of
  medians by chance. Where the time goes: ` + "`PALETTE_PROVIDER_PPROF_DIR`" + ` (see README).
- **What the goal allows.** The goal is the refresh and the plan within 1.5× of the plugin floor in every round:
  what the provider's own code, its schemas and its API requests may add to what any framework provider pays.
  ` + "`terraform_data`" + ` runs inside Terraform, while a plugin provider costs a separate process, started three
  times per command (schema, validation, plan: about 0.3 s of its own for a framework provider even at N = 1),
  and gRPC for every resource; a provider that does nothing already exceeds 1.5× of ` + "`terraform_data`" + ` at
  N = 100 and 300, so the ratio to ` + "`terraform_data`" + ` is shown, per round as well, as an informative row only.
- **Requests.** A refresh with the cache (the default) may make at most 1 API request per resource at any N,
  and at N = 1,000 at most N/25 + 10 in all; the requests of the first round are counted.
- **Cache.** The provider answers Reads from one paged search of the project's clusters (50 per page, once per
  30 s window, shared by concurrent Reads); "without cache" sets ` + "`PALETTE_REFRESH_CACHE=off`" + `, which is also
  what happens against a server whose search does not carry the refresh fields (the real Palette today): each
  imported cluster then costs GET cluster + GET overview, each attachment GET cluster + GET profiles.
- **SaaS latency.** The refresh at N = 300 (` + "`-saas-n`" + `) with 50 ms added by the local API to every request of
  the provider (fault spec ` + "`latency=50ms@1`" + `: latency with probability 1 and no other fault; rate limits off),
  with and without the cache, each the median of ` + "`-repeat`" + ` rounds: what the cache is worth to a user far from
  Palette. The bench stops if any other fault or a 429 occurs; a request to a route the local API does not
  serve gets no latency, and the row then says how many requests got it.
- **Day-2 refresh.** A local API of its own (simulated agents, no rate limits) holds N Full Permission
  ` + "`palette_imported_cluster`" + ` (N = 300, ` + "`-day2-n`" + `), each with two ` + "`palette_cluster_namespace`" + ` (one with
  ` + "`cpu_cores`/`memory_mib`" + `) and two ` + "`palette_cluster_role_binding`" + ` (a RoleBinding in that namespace, a
  ClusterRoleBinding), created once by ` + "`terraform apply`" + `; then ` + "`terraform plan -refresh-only -detailed-exitcode`" + `
  over the 5N resources, required to find no change. The namespaces and bindings read each cluster's two lists
  (` + "`GET …/config/namespaces`, `…/config/rbacs`" + `) once per refresh, shared by the cluster's four resources: the
  goal is at most 1 API request per namespace or binding (≤ 4N in all, the clusters' own refresh included; 2N + a
  few expected). The wall time is the median of ` + "`-repeat`" + ` rounds (informative); ` + "`-skip-day2`" + ` skips the figure.
- **Adoption with terraform query.** A local API of its own (simulated agents, no rate limits) holds N
  generic clusters (N = 300, ` + "`-query-n`" + `) with ` + "`examples/profiles/hello-addon.yaml`" + ` attached to each, made
  through the API, never by Terraform. A configuration with only the provider block and a query file with two
  list blocks (every ` + "`palette_imported_cluster`" + ` and every ` + "`palette_addon_profile_attachment`" + `, with their resources):
  ` + "`terraform query -generate-config-out=generated.tf`" + ` (required: 2N import blocks), ` + "`terraform apply`" + ` (required:
  2N imported, nothing added, changed or destroyed), ` + "`terraform plan -detailed-exitcode`" + ` (required: no changes).
  Each step's API requests (the difference of the server's counts around it) and wall time; the goal is the
  query, both lists and the provider's configure, in at most N/25 + 10 requests, like the refresh.
- **Rate limits.** The same plan at the largest N with the API's default per-key limits on; the client absorbs
  429s (Retry-After); the figure passes when the plan succeeds.
- **Import latency.** One real import of a local kube-apiserver (etcd, kube-apiserver, controller-manager on
  loopback) with the agent runner in-process: time from the agent's first request to the API to the provider's
  last request before Create returns (` + "`wait_for = \"healthy\"`" + `, heartbeat interval 2 s).
`)
	return os.WriteFile(path, []byte(sb.String()), 0o644) //nolint:gosec // documentation.
}
