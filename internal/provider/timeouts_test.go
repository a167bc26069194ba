package provider

import (
	"context"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework-timeouts/resource/timeouts"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
)

// TestValidator_positiveDurationTimeouts: every duration of the timeouts
// attribute is checked by durationValidator alone, and the attribute keeps
// the package's type (the models read it as timeouts.Value).
func TestValidator_positiveDurationTimeouts(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	opts := timeouts.Opts{Create: true, Update: true, Delete: true}
	got, ok := positiveDurationTimeouts(ctx, opts).(schema.SingleNestedAttribute)
	if !ok {
		t.Fatal("not a single nested attribute")
	}
	orig, _ := timeouts.Attributes(ctx, opts).(schema.SingleNestedAttribute)
	if got.CustomType == nil || !got.GetType().Equal(orig.GetType()) || !got.Optional {
		t.Errorf("type %s optional %v, want the package's %s", got.GetType(), got.Optional, orig.GetType())
	}
	if len(got.Attributes) != 3 {
		t.Fatalf("attributes %v", got.Attributes)
	}
	for name, a := range got.Attributes {
		s, ok := a.(schema.StringAttribute)
		if !ok || len(s.Validators) != 1 {
			t.Fatalf("%s: %#v", name, a)
		}
		if _, ok := s.Validators[0].(durationValidator); !ok {
			t.Errorf("%s: validator %T", name, s.Validators[0])
		}
	}
}
