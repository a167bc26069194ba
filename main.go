// Command terraform-provider-palette is the Terraform provider that brings
// existing Kubernetes clusters under Palette management and manages add-on
// profiles on them.
package main

import (
	"context"
	"flag"
	"fmt"
	"log"
	"os"
	"path/filepath"
	"runtime"
	"runtime/pprof"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/providerserver"

	"github.com/terraform-palette/terraform-provider-palette/internal/provider"
)

// Docs and example formatting: `make generate` (tools/docs holds tfplugindocs).

// version and commit are set by the release build (goreleaser ldflags).
var (
	version = "dev"
	commit  = ""
)

func main() {
	var debug bool
	flag.BoolVar(&debug, "debug", false, "set to true to run the provider with support for debuggers like delve")
	flag.Parse()

	if !debug {
		quietLogs()
	}
	stopProfile := func() {}
	if dir := os.Getenv("PALETTE_PROVIDER_PPROF_DIR"); dir != "" {
		stopProfile = profile(dir)
	}
	if commit != "" {
		log.Printf("terraform-provider-palette %s (%s)", version, commit)
	}
	err := providerserver.Serve(context.Background(), provider.New(version), providerserver.ServeOpts{
		Address: "registry.terraform.io/terraform-palette/palette",
		Debug:   debug,
	})
	stopProfile()
	if err != nil {
		log.Fatal(err.Error())
	}
}

// profile writes a CPU profile of this provider process, a heap profile at
// its largest heap and an allocation profile when it ends, into dir (PALETTE_PROVIDER_PPROF_DIR: for investigating
// performance, e.g. with tools/bench -provider-env).
func profile(dir string) (stop func()) {
	base := filepath.Join(dir, fmt.Sprintf("provider-%s-%d", time.Now().Format("150405.000"), os.Getpid()))
	f, err := os.Create(base + ".cpu.pprof")
	if err != nil {
		log.Printf("pprof: %s", err)
		return func() {}
	}
	if err := pprof.StartCPUProfile(f); err != nil {
		log.Printf("pprof: %s", err)
		f.Close()
		return func() {}
	}
	// The heap profile at the largest heap seen (checked every 200 ms).
	done := make(chan struct{})
	go func() {
		var peak uint64
		t := time.NewTicker(200 * time.Millisecond)
		defer t.Stop()
		for {
			select {
			case <-done:
				return
			case <-t.C:
			}
			var ms runtime.MemStats
			runtime.ReadMemStats(&ms)
			if ms.HeapInuse > peak+peak/10 {
				peak = ms.HeapInuse
				if h, err := os.Create(base + ".peak-heap.pprof"); err == nil {
					_ = pprof.Lookup("heap").WriteTo(h, 0)
					h.Close()
				}
			}
		}
	}()
	return func() {
		close(done)
		pprof.StopCPUProfile()
		f.Close()
		if h, err := os.Create(base + ".heap.pprof"); err == nil {
			_ = pprof.Lookup("allocs").WriteTo(h, 0)
			h.Close()
		}
	}
}

// quietLogs turns the log levels of the plugin SDK, the framework and the
// provider off when Terraform discards provider logs anyway: neither TF_LOG
// nor TF_LOG_PROVIDER is in the environment Terraform passes on. Otherwise
// they default to TRACE, and every request is formatted as JSON lines on
// stderr that Terraform then drops: a third of the provider's CPU time in a
// plan of 600 resources (measured with PALETTE_PROVIDER_PPROF_DIR). A level
// set explicitly is kept.
func quietLogs() {
	if os.Getenv("TF_LOG") != "" || os.Getenv("TF_LOG_PROVIDER") != "" {
		return
	}
	for _, k := range []string{"TF_LOG_SDK", "TF_LOG_SDK_PROTO", "TF_LOG_SDK_FRAMEWORK", "TF_LOG_PROVIDER_PALETTE"} {
		if _, set := os.LookupEnv(k); !set {
			_ = os.Setenv(k, "OFF")
		}
	}
}
