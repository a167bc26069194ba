package main

import (
	"slices"
	"testing"
)

func TestDiff(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name           string
		want, got      []string
		added, removed []string
	}{
		{name: "same", want: []string{"a", "b"}, got: []string{"a", "b"}},
		{name: "added", want: []string{"a"}, got: []string{"a", "b"}, added: []string{"b"}},
		{name: "removed", want: []string{"a", "b"}, got: []string{"b"}, removed: []string{"a"}},
		{name: "both", want: []string{"a"}, got: []string{"b"}, added: []string{"b"}, removed: []string{"a"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			added, removed := diff(tt.want, tt.got)
			if !slices.Equal(added, tt.added) || !slices.Equal(removed, tt.removed) {
				t.Errorf("diff(%v, %v) = %v, %v; want %v, %v", tt.want, tt.got, added, removed, tt.added, tt.removed)
			}
		})
	}
}
