// Command terraform-provider-palette is the Terraform provider that brings
// existing Kubernetes clusters under Palette management and manages add-on
// profiles on them.
package main

import (
	"flag"
	"fmt"
	"log"
	"os"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"runtime/pprof"
	"time"

	"github.com/hashicorp/terraform-plugin-go/tfprotov6/tf6server"

	"github.com/terraform-palette/terraform-provider-palette/internal/provider"
)

// Docs and example formatting: `make generate` (tools/docs holds tfplugindocs).

// version and commit are set by the release build (goreleaser ldflags).
var (
	version = "dev"
	commit  = ""
)

func main() {
	var debugMode bool
	flag.BoolVar(&debugMode, "debug", false, "set to true to run the provider with support for debuggers like delve")
	flag.Parse()

	if !debugMode {
		quietLogs()
		// A killed Terraform says nothing: the provider notices it is
		// orphaned, cancels what is in flight and exits.
		provider.WatchParent(100*time.Millisecond, 5*time.Second, func() { os.Exit(1) })
	}
	tuneGC()
	stopProfile := func() {}
	if dir := os.Getenv("PALETTE_PROVIDER_PPROF_DIR"); dir != "" {
		stopProfile = profile(dir)
	}
	if commit != "" {
		log.Printf("terraform-provider-palette %s (%s)", version, commit)
	}
	// What providerserver.Serve does for protocol 6, with the provider's own
	// server (provider.NewProtocol6Server: it works around a framework leak).
	var opts []tf6server.ServeOpt
	if debugMode {
		opts = append(opts, tf6server.WithManagedDebug())
	}
	err := tf6server.Serve("registry.terraform.io/terraform-palette/palette", provider.NewProtocol6Server(version), opts...)
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

// Garbage collector settings of the provider process, unless GOGC or
// GOMEMLIMIT are in its environment. A provider's live heap is small (the
// requests in flight and the refresh cache: under 20 MB for a plan of 2,000
// resources) while it allocates a lot per request in the framework, so the
// default GOGC=100 collects very often: at N = 1,000, GOGC=400 took a
// second off a 15 s plan on 2 cores, for a peak RSS of ~85 MB instead of
// ~66 MB (tools/bench). The soft limit keeps a larger live heap (a huge
// configuration) from growing to five times its size before a collection.
const (
	gcPercent   = 400
	memoryLimit = 128 << 20
)

func tuneGC() {
	if _, set := os.LookupEnv("GOGC"); !set {
		debug.SetGCPercent(gcPercent)
	}
	if _, set := os.LookupEnv("GOMEMLIMIT"); !set {
		debug.SetMemoryLimit(memoryLimit)
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
