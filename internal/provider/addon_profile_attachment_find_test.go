package provider

import (
	"reflect"
	"testing"
	"time"

	"github.com/terraform-palette/terraform-provider-palette/internal/wire"
)

func TestPacksProgress(t *testing.T) {
	t.Parallel()
	ready := wire.ClusterCondition{Type: "Ready", Status: "True"}
	waiting := wire.ClusterCondition{Type: "Ready", Status: "Unknown", Reason: "WaitingForAgent"}
	failed := wire.ClusterCondition{Type: "Error", Status: "False", Message: "applying pack \"b\": boom"}
	st := func(name string, c wire.ClusterCondition) wire.ClusterPackStatus {
		return wire.ClusterPackStatus{ProfileUID: testProfileUID, Name: name, Condition: c}
	}
	cases := []struct {
		name         string
		statuses     []wire.ClusterPackStatus
		names        []string
		wantReady    bool
		wantFailures []string
	}{
		{"no packs", nil, nil, true, nil},
		{"all ready", []wire.ClusterPackStatus{st("a", ready), st("b", ready)}, []string{"a", "b"}, true, nil},
		{"one waiting", []wire.ClusterPackStatus{st("a", ready), st("b", waiting)}, []string{"a", "b"}, false, nil},
		{"one not reported", []wire.ClusterPackStatus{st("a", ready)}, []string{"a", "b"}, false, nil},
		{"one failed", []wire.ClusterPackStatus{st("a", ready), st("b", failed)}, []string{"a", "b"}, false,
			[]string{`pack "b": applying pack "b": boom`}},
		{"unrelated pack ignored", []wire.ClusterPackStatus{st("a", ready), st("z", failed)}, []string{"a"}, true, nil},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			gotReady, failures, _ := packsProgress(tc.statuses, tc.names)
			if gotReady != tc.wantReady || !reflect.DeepEqual(failures, tc.wantFailures) {
				t.Fatalf("ready=%v failures=%q, want %v %q", gotReady, failures, tc.wantReady, tc.wantFailures)
			}
		})
	}
}

// An apply failure ends the wait only once it has lasted the grace period
// with no pause; a pack that cannot be deployed as it is ends it at once.
func TestPackFailures(t *testing.T) {
	t.Parallel()
	t0 := time.Unix(1000, 0)
	fail := []string{`pack "a": boom`}
	type poll struct {
		at        time.Duration
		failures  []string
		transient bool
		fatal     bool
	}
	for name, polls := range map[string][]poll{
		"transient, healed within the grace": {
			{0, fail, true, false}, {20 * time.Second, fail, true, false}, {23 * time.Second, nil, true, false},
			{70 * time.Second, fail, true, false},
		},
		"transient, lasting": {{0, fail, true, false}, {59 * time.Second, fail, true, false}, {60 * time.Second, fail, true, true}},
		"permanent":          {{0, fail, false, true}},
		"no failure":         {{0, nil, true, false}, {2 * time.Minute, nil, true, false}},
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			f := packFailures{grace: time.Minute}
			for i, p := range polls {
				if got := f.fatal(t0.Add(p.at), p.failures, p.transient); got != p.fatal {
					t.Fatalf("poll %d (at %s): fatal = %v, want %v", i, p.at, got, p.fatal)
				}
			}
		})
	}
}

func TestTransientFailure(t *testing.T) {
	t.Parallel()
	st := func(name, typ, reason string) wire.ClusterPackStatus {
		return wire.ClusterPackStatus{Name: name, Condition: wire.ClusterCondition{Type: typ, Reason: reason}}
	}
	names := []string{"a", "b"}
	if !transientFailure([]wire.ClusterPackStatus{st("a", "Error", "ApplyFailed"), st("b", "Ready", "")}, names) {
		t.Error("an apply failure is transient")
	}
	if transientFailure([]wire.ClusterPackStatus{st("a", "Error", "ApplyFailed"), st("b", "Error", "RenderFailed")}, names) {
		t.Error("a pack that does not render is not transient")
	}
	if !transientFailure([]wire.ClusterPackStatus{st("c", "Error", "RenderFailed")}, names) {
		t.Error("a pack of another profile does not count")
	}
}
