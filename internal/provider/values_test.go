package provider

import (
	"context"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-go/tftypes"
)

// setIfChanged leaves the state as it is when the refresh changed nothing,
// and writes the refreshed model when it changed anything.
func TestSetIfChanged(t *testing.T) {
	ctx := context.Background()
	var sr resource.SchemaResponse
	(&addonProfileAttachmentResource{}).Schema(ctx, resource.SchemaRequest{}, &sr)
	if sr.Diagnostics.HasError() {
		t.Fatal(sr.Diagnostics)
	}
	st := tfsdk.State{Schema: sr.Schema, Raw: tftypes.NewValue(sr.Schema.Type().TerraformType(ctx), nil)}
	for name, v := range map[string]any{"id": "c:p", "cluster_id": "c", "profile_id": "p", "adopt_existing": false} {
		if d := st.SetAttribute(ctx, path.Root(name), v); d.HasError() {
			t.Fatal(d)
		}
	}
	var prior addonProfileAttachmentResourceModel
	if d := st.Get(ctx, &prior); d.HasError() {
		t.Fatal(d)
	}
	refreshed := prior
	// Unchanged: nothing is written (a State without a schema would make
	// any write fail).
	var untouched tfsdk.State
	if d := setIfChanged(ctx, &untouched, &prior, &refreshed); d.HasError() {
		t.Fatalf("an unchanged refresh was written: %v", d)
	}
	if untouched.Raw.Type() != nil {
		t.Fatal("an unchanged refresh was written to the state")
	}

	refreshed.AdoptExisting = types.BoolValue(true)
	if d := setIfChanged(ctx, &st, &prior, &refreshed); d.HasError() {
		t.Fatal(d)
	}
	var got addonProfileAttachmentResourceModel
	if d := st.Get(ctx, &got); d.HasError() {
		t.Fatal(d)
	}
	if !got.AdoptExisting.ValueBool() {
		t.Fatal("a changed refresh was not written to the state")
	}
}
