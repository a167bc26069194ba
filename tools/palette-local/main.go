// Command palette-local runs the local Palette import API (SQLite) and its
// helpers: API keys, projects, profiles, and the in-process agents runner.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"github.com/terraform-palette/terraform-provider-palette/internal/agent"
	"github.com/terraform-palette/terraform-provider-palette/internal/localapi"
	"github.com/terraform-palette/terraform-provider-palette/internal/manifest"
)

const usage = `palette-local: the local Palette import API.

Usage:
  palette-local serve --data-dir DIR [--listen 127.0.0.1:8080] [--advertise-url URL]
                      [--tls [--tls-cert FILE --tls-key FILE]] [--heartbeat-interval 10s]
                      [--deleted-retention 60s] [--rate-limit on|off] [--faults SPEC] [--fault-seed N]
                      [--simulate-agents] [--agent-image IMAGE] [--read-timeout 10s] [--log-level info]
  palette-local apikey create --data-dir DIR [--project NAME]
  palette-local project create --data-dir DIR NAME
  palette-local profile create --data-dir DIR [--project NAME] -f FILE.yaml
  palette-local cluster rotate-credentials --data-dir DIR CLUSTER_UID
  palette-local agents --kubeconfig FILE [--kube-bench-cfg DIR] [--log-level info]
`

func main() {
	if err := run(os.Args[1:], os.Stdout, os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "palette-local:", err)
		os.Exit(1)
	}
}

func run(args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return errors.New("missing command")
	}
	cmd, rest := args[0], args[1:]
	switch cmd {
	case "serve":
		return serve(rest, stdout, stderr)
	case "apikey", "project", "profile":
		if len(rest) == 0 || rest[0] != "create" {
			return fmt.Errorf("usage: palette-local %s create [flags]", cmd)
		}
		switch cmd {
		case "apikey":
			return apikeyCreate(rest[1:], stdout)
		case "project":
			return projectCreate(rest[1:], stdout)
		default:
			return profileCreate(rest[1:], stdout)
		}
	case "cluster":
		if len(rest) == 0 || rest[0] != "rotate-credentials" {
			return errors.New("usage: palette-local cluster rotate-credentials --data-dir DIR CLUSTER_UID")
		}
		return rotateCredentials(rest[1:], stdout)
	case "agents":
		return agents(rest, stderr)
	case "help", "-h", "--help":
		fmt.Fprint(stdout, usage)
		return nil
	}
	fmt.Fprint(stderr, usage)
	return fmt.Errorf("unknown command %q", cmd)
}

func newLogger(level string, w io.Writer) (*slog.Logger, error) {
	var l slog.Level
	if err := l.UnmarshalText([]byte(level)); err != nil {
		return nil, fmt.Errorf("--log-level: %w", err)
	}
	return slog.New(slog.NewTextHandler(w, &slog.HandlerOptions{Level: l})), nil
}

func serve(args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	fs.SetOutput(stderr)
	dataDir := fs.String("data-dir", "", "data directory (required)")
	listen := fs.String("listen", "127.0.0.1:8080", "listen address")
	advertise := fs.String("advertise-url", "", "base URL for import links and manifests (default: from --listen)")
	useTLS := fs.Bool("tls", false, "serve HTTPS")
	tlsCert := fs.String("tls-cert", "", "TLS certificate (PEM); default: a generated CA and certificate")
	tlsKey := fs.String("tls-key", "", "TLS key (PEM)")
	hb := fs.Duration("heartbeat-interval", 10*time.Second, "agent heartbeat interval")
	retention := fs.Duration("deleted-retention", 60*time.Second, "how long Deleted clusters answer before 404")
	rateLimit := fs.String("rate-limit", "on", "per-key rate limits: on|off")
	faults := fs.String("faults", "", "fault spec, e.g. 429=0.1,503=0.05,reset=0.05,latency=200ms@0.1,lostresponse=0.1")
	faultSeed := fs.Int64("fault-seed", 1, "fault injector seed")
	simulate := fs.Bool("simulate-agents", false, "imports are Running and Healthy at once (benchmarks)")
	agentImage := fs.String("agent-image", "", "agent image named in manifests (default: the manifest's, "+manifest.DefaultAgentImage+" at its version)")
	readTimeout := fs.Duration("read-timeout", localapi.DefaultReadTimeout, "longest time a client may take to send a request (headers and body)")
	logLevel := fs.String("log-level", "info", "log level")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *dataDir == "" {
		return errors.New("--data-dir is required")
	}
	if *rateLimit != "on" && *rateLimit != "off" {
		return errors.New("--rate-limit must be on or off")
	}
	logger, err := newLogger(*logLevel, stderr)
	if err != nil {
		return err
	}
	host, _, err := net.SplitHostPort(*listen)
	if err != nil {
		return fmt.Errorf("--listen %q: %w", *listen, err)
	}
	if ip := net.ParseIP(host); !*useTLS && host != "localhost" && (ip == nil || !ip.IsLoopback()) {
		return fmt.Errorf("refusing plain HTTP on non-loopback address %s: use --tls or listen on 127.0.0.1", *listen)
	}
	l, err := (&net.ListenConfig{}).Listen(context.Background(), "tcp", *listen)
	if err != nil {
		if errors.Is(err, syscall.EADDRINUSE) {
			return fmt.Errorf("cannot listen on %s: the port is already in use (pick another with --listen)", *listen)
		}
		return fmt.Errorf("cannot listen on %s: %w", *listen, err)
	}
	srv, err := localapi.Open(localapi.Config{
		DataDir: *dataDir, AdvertiseURL: *advertise, HeartbeatInterval: *hb, DeletedRetention: *retention,
		DisableRateLimit: *rateLimit == "off", Faults: *faults, FaultSeed: *faultSeed, SimulateAgents: *simulate,
		AgentImage: *agentImage, ReadTimeout: *readTimeout, Logger: logger,
		TLS: localapi.TLSConfig{Enabled: *useTLS, CertFile: *tlsCert, KeyFile: *tlsKey},
	})
	if err != nil {
		_ = l.Close()
		return err
	}
	scheme := "http"
	if srv.TLSEnabled() {
		scheme = "https"
	}
	base := *advertise
	if base == "" {
		base = scheme + "://" + l.Addr().String()
	}
	srv.SetAdvertiseURL(base)

	keyFile := filepath.Join(*dataDir, "apikey")
	if srv.BootstrapKeyCreated() {
		fmt.Fprintf(stdout, "Created the tenant admin API key (shown once; stored in %s):\n  %s\n", keyFile, srv.BootstrapKey())
	} else {
		fmt.Fprintf(stdout, "The tenant admin API key is stored in %s\n", keyFile)
	}
	envFile := filepath.Join(*dataDir, "env")
	env := fmt.Sprintf("export PALETTE_HOST=%s\nexport PALETTE_PROJECT_UID=%s\n", base, srv.DefaultProjectUID())
	if k := srv.BootstrapKey(); k != "" {
		env += "export PALETTE_API_KEY=" + k + "\n"
	}
	if ca := srv.CACertificatePEM(); ca != "" {
		env += fmt.Sprintf("# the API's CA certificate: %s\n", filepath.Join(*dataDir, localapi.CACertFile))
	}
	if err := os.WriteFile(envFile, []byte(env), 0o600); err != nil {
		_ = srv.Close()
		return fmt.Errorf("writing %s: %w", envFile, err)
	}
	fmt.Fprintf(stdout, "Serving the Palette import API on %s (project Default: %s)\nFor demos: source %s\n", base, srv.DefaultProjectUID(), envFile)

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(l) }()
	select {
	case err := <-errc:
		_ = srv.Close()
		return err
	case <-ctx.Done():
	}
	logger.Info("shutting down")
	sctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := srv.Shutdown(sctx); err != nil {
		return fmt.Errorf("shutdown: %w", err)
	}
	return <-errc
}

// openStore opens the data dir for a one-off command (safe while serve runs).
func openStore(dataDir string) (*localapi.Server, error) {
	if dataDir == "" {
		return nil, errors.New("--data-dir is required")
	}
	return localapi.Open(localapi.Config{DataDir: dataDir})
}

func apikeyCreate(args []string, stdout io.Writer) error {
	fs := flag.NewFlagSet("apikey create", flag.ContinueOnError)
	dataDir := fs.String("data-dir", "", "data directory")
	project := fs.String("project", "", "project the key is limited to (default: a tenant admin key)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	srv, err := openStore(*dataDir)
	if err != nil {
		return err
	}
	defer srv.Close()
	key, err := srv.CreateAPIKey(*project)
	if err != nil {
		return err
	}
	fmt.Fprintln(stdout, key)
	return nil
}

func projectCreate(args []string, stdout io.Writer) error {
	fs := flag.NewFlagSet("project create", flag.ContinueOnError)
	dataDir := fs.String("data-dir", "", "data directory")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		return errors.New("usage: palette-local project create --data-dir DIR NAME")
	}
	srv, err := openStore(*dataDir)
	if err != nil {
		return err
	}
	defer srv.Close()
	uid, err := srv.CreateProject(fs.Arg(0))
	if err != nil {
		return err
	}
	fmt.Fprintln(stdout, uid)
	return nil
}

func profileCreate(args []string, stdout io.Writer) error {
	fs := flag.NewFlagSet("profile create", flag.ContinueOnError)
	dataDir := fs.String("data-dir", "", "data directory")
	project := fs.String("project", localapiDefaultProject, "project name (empty: tenant scope)")
	file := fs.String("f", "", "profile YAML file")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *file == "" {
		return errors.New("-f FILE is required")
	}
	p, err := localapi.LoadProfileFile(*file)
	if err != nil {
		return err
	}
	srv, err := openStore(*dataDir)
	if err != nil {
		return err
	}
	defer srv.Close()
	projectUID := ""
	if strings.TrimSpace(*project) != "" {
		if projectUID, err = srv.ProjectUID(*project); err != nil {
			return err
		}
	}
	uid, err := srv.CreateProfile(context.Background(), p, projectUID)
	if err != nil {
		return err
	}
	fmt.Fprintln(stdout, uid)
	return nil
}

const localapiDefaultProject = "Default"

// rotateCredentials replaces a cluster's import link token and agent
// credential, and prints the new import command.
func rotateCredentials(args []string, stdout io.Writer) error {
	fs := flag.NewFlagSet("cluster rotate-credentials", flag.ContinueOnError)
	dataDir := fs.String("data-dir", "", "data directory")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		return errors.New("usage: palette-local cluster rotate-credentials --data-dir DIR CLUSTER_UID")
	}
	srv, err := openStore(*dataDir)
	if err != nil {
		return err
	}
	defer srv.Close()
	// The link names the URL serve advertises, which it wrote to DIR/env.
	if env, err := os.ReadFile(filepath.Join(*dataDir, "env")); err == nil {
		for _, line := range strings.Split(string(env), "\n") {
			if host, ok := strings.CutPrefix(line, "export PALETTE_HOST="); ok {
				srv.SetAdvertiseURL(host)
			}
		}
	}
	link, err := srv.RotateCredentials(context.Background(), fs.Arg(0))
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "The old import link and agent credential no longer work. Apply the new manifest (an installed agent needs it):\n  %s\n", link)
	return nil
}

func agents(args []string, stderr io.Writer) error {
	fs := flag.NewFlagSet("agents", flag.ContinueOnError)
	fs.SetOutput(stderr)
	kubeconfig := fs.String("kubeconfig", "", "kubeconfig of the cluster whose agents to run")
	logLevel := fs.String("log-level", "info", "log level")
	kubeBench := fs.String("kube-bench-cfg", os.Getenv(agent.EnvKubeBenchConfig),
		"kube-bench's checks: the cfg directory of the github.com/aquasecurity/kube-bench module "+
			"(default $"+agent.EnvKubeBenchConfig+", else the Go module cache)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *kubeconfig == "" {
		return errors.New("--kubeconfig is required")
	}
	if *kubeBench != "" {
		if err := os.Setenv(agent.EnvKubeBenchConfig, *kubeBench); err != nil {
			return err
		}
	}
	logger, err := newLogger(*logLevel, stderr)
	if err != nil {
		return err
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := agent.RunRunner(ctx, *kubeconfig, logger); err != nil && !errors.Is(err, context.Canceled) {
		return err
	}
	return nil
}
