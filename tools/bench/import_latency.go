package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"time"

	"github.com/terraform-palette/terraform-provider-palette/internal/acctest/kubelocal"
	"github.com/terraform-palette/terraform-provider-palette/internal/acctest/kubetest"
	"github.com/terraform-palette/terraform-provider-palette/internal/agent"
	"github.com/terraform-palette/terraform-provider-palette/internal/localapi"
)

// importLatency imports one cluster of a real local kube-apiserver (agents
// run in-process) and measures from the agent's first contact with the API
// to the provider's last request (its return from Create).
func (b *bench) importLatency(ctx context.Context) error {
	fmt.Println("import latency")
	if !kubelocal.BinariesIn(kubelocal.CacheDir()).Present() {
		return fmt.Errorf("no kube binaries in %s: run make test-deps", kubelocal.CacheDir())
	}
	kc, stopKube, err := kubetest.StartShared(kubetest.Options{Flavor: kubelocal.Flavor("generic"), Nodes: 1, Name: "bench"})
	if err != nil {
		return err
	}
	defer stopKube()
	s, err := startServer(localapi.Config{DataDir: filepath.Join(b.work, "api-latency"), HeartbeatInterval: 2 * time.Second}, "127.0.0.1:0")
	if err != nil {
		return err
	}
	defer func() { _ = s.stop() }()
	actx, cancel := context.WithCancel(ctx)
	defer cancel()
	runner := agent.NewRunner(kc.RESTConfig(), slog.New(slog.NewTextHandler(io.Discard, nil)))
	go func() { _ = runner.Run(actx) }()
	dir := filepath.Join(b.work, "tf-latency")
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return err
	}
	conf := fmt.Sprintf(`terraform {
  required_providers {
    palette = { source = %q }
  }
}

provider "palette" {}

resource "palette_imported_cluster" "c" {
  name       = "latency"
  cloud_type = "generic"
  kubernetes = {
    config_path = %q
  }
}
`, providerAddress, kc.Kubeconfig)
	if err := mustWrite(filepath.Join(dir, "main.tf"), conf); err != nil {
		return err
	}
	r, err := b.terraform(ctx, dir, s.env(), "apply", "-auto-approve", "-input=false")
	end := time.Now()
	if err != nil || r.code != 0 {
		return fmt.Errorf("apply (exit %d): %w\n%s", r.code, err, tail(r.output))
	}
	s.mu.Lock()
	first, last := s.agentFirst, s.lastKey
	s.mu.Unlock()
	if first.IsZero() {
		return errors.New("no agent ever contacted the API")
	}
	slack := last.Sub(first)
	b.add(row{"import latency: agent's first contact → provider returns", "1",
		fmt.Sprintf("%s (apply %s in all, exit %s later)", slack.Round(time.Millisecond), r.wall.Round(time.Millisecond), end.Sub(last).Round(time.Millisecond)),
		"< 1 s", passFail(slack < goalLatency)})
	// Leave nothing behind in the cluster: destroy with the agent running.
	if r, err := b.terraform(ctx, dir, s.env(), "destroy", "-auto-approve", "-input=false"); err != nil || r.code != 0 {
		fmt.Printf("  destroy after the latency run failed (exit %d): %v\n", r.code, err)
	}
	return nil
}
