package main

import (
	"os"
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
