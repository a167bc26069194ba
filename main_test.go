package main

import (
	"math"
	"os"
	"runtime/debug"
	"testing"
)

func TestQuietLogs(t *testing.T) {
	levels := []string{"TF_LOG_SDK", "TF_LOG_SDK_PROTO", "TF_LOG_SDK_FRAMEWORK", "TF_LOG_PROVIDER_PALETTE"}
	unset := func() {
		for _, k := range append([]string{"TF_LOG", "TF_LOG_PROVIDER"}, levels...) {
			t.Setenv(k, "") // restored after the test
			os.Unsetenv(k)
		}
	}

	// Terraform shows no provider log: every level goes off.
	unset()
	quietLogs()
	for _, k := range levels {
		if got := os.Getenv(k); got != "OFF" {
			t.Errorf("without TF_LOG: %s = %q, want OFF", k, got)
		}
	}

	// A level the user set is kept.
	unset()
	t.Setenv("TF_LOG_SDK_FRAMEWORK", "DEBUG")
	quietLogs()
	if got := os.Getenv("TF_LOG_SDK_FRAMEWORK"); got != "DEBUG" {
		t.Errorf("TF_LOG_SDK_FRAMEWORK = %q, want the user's DEBUG", got)
	}

	// Terraform shows provider logs: nothing changes.
	for _, env := range []string{"TF_LOG", "TF_LOG_PROVIDER"} {
		unset()
		t.Setenv(env, "TRACE")
		quietLogs()
		for _, k := range levels {
			if v, set := os.LookupEnv(k); set {
				t.Errorf("with %s: %s set to %q", env, k, v)
			}
		}
	}
}

func TestTuneGC(t *testing.T) {
	prevPercent := debug.SetGCPercent(100)
	prevLimit := debug.SetMemoryLimit(math.MaxInt64)
	t.Cleanup(func() {
		debug.SetGCPercent(prevPercent)
		debug.SetMemoryLimit(prevLimit)
	})

	// Neither set in the environment: the provider's settings.
	t.Setenv("GOGC", "")
	t.Setenv("GOMEMLIMIT", "")
	os.Unsetenv("GOGC")
	os.Unsetenv("GOMEMLIMIT")
	tuneGC()
	if got := debug.SetGCPercent(100); got != gcPercent {
		t.Errorf("GC percent = %d, want %d", got, gcPercent)
	}
	if got := debug.SetMemoryLimit(math.MaxInt64); got != memoryLimit {
		t.Errorf("memory limit = %d, want %d", got, memoryLimit)
	}

	// Set by the user (the runtime read them at start): left alone.
	t.Setenv("GOGC", "100")
	t.Setenv("GOMEMLIMIT", "off")
	tuneGC()
	if got := debug.SetGCPercent(100); got != 100 {
		t.Errorf("with GOGC set: GC percent = %d, want it untouched (100)", got)
	}
	if got := debug.SetMemoryLimit(math.MaxInt64); got != math.MaxInt64 {
		t.Errorf("with GOMEMLIMIT set: memory limit = %d, want it untouched", got)
	}
}
