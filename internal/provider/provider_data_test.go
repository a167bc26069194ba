package provider

import (
	"testing"
)

// The clusters of a run's states: a destroyed resource's cluster is one of
// the configuration's (for the traps) but not kept (for the ownership
// checks); a kept one is both, and stays kept whatever is noted after it.
func TestProviderData_stateClusters(t *testing.T) {
	t.Parallel()
	pd := &providerData{}
	pd.noteStateCluster("", true)
	pd.noteStateCluster("gone", false)
	pd.noteStateCluster("kept", true)
	pd.noteStateCluster("kept", false)
	for _, c := range []struct {
		uid           string
		managed, kept bool
	}{
		{"", false, false},
		{"gone", true, false},
		{"kept", true, true},
		{"unknown", false, false},
	} {
		if got := pd.managedCluster(c.uid); got != c.managed {
			t.Errorf("managedCluster(%q) = %v, want %v", c.uid, got, c.managed)
		}
		if got := pd.keptCluster(c.uid); got != c.kept {
			t.Errorf("keptCluster(%q) = %v, want %v", c.uid, got, c.kept)
		}
	}
	if (&providerData{}).managedCluster("kept") {
		t.Error("two provider runs share their state clusters")
	}
}
