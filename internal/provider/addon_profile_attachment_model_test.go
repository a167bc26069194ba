package provider

import (
	"context"
	"reflect"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/terraform-palette/terraform-provider-palette/internal/wire"
)

const (
	testClusterUID = "0123456789abcdef01234567"
	testProfileUID = "fedcba9876543210fedcba98"
)

func TestParseAttachmentID(t *testing.T) {
	t.Parallel()
	cases := []struct {
		id               string
		cluster, profile string
		wantErr          bool
	}{
		{id: testClusterUID + ":" + testProfileUID, cluster: testClusterUID, profile: testProfileUID},
		{id: testClusterUID, wantErr: true},
		{id: testClusterUID + ":", wantErr: true},
		{id: ":" + testProfileUID, wantErr: true},
		{id: testClusterUID + "/" + testProfileUID, wantErr: true},
		{id: testClusterUID + ":" + testProfileUID + ":x", wantErr: true},
		{id: strings.ToUpper(testClusterUID) + ":" + testProfileUID, wantErr: true},
		{id: "0123:" + testProfileUID, wantErr: true},
		{id: "", wantErr: true},
	}
	for _, tc := range cases {
		t.Run(tc.id, func(t *testing.T) {
			t.Parallel()
			c, p, err := parseAttachmentID(tc.id)
			if (err != nil) != tc.wantErr {
				t.Fatalf("err = %v, wantErr %v", err, tc.wantErr)
			}
			if err != nil {
				if !strings.Contains(err.Error(), "<cluster_uid>:<profile_uid>") {
					t.Fatalf("the error does not show the expected form: %v", err)
				}
				return
			}
			if c != tc.cluster || p != tc.profile {
				t.Fatalf("got %q, %q", c, p)
			}
			if attachmentID(c, p) != tc.id {
				t.Fatalf("attachmentID does not round-trip: %q", attachmentID(c, p))
			}
		})
	}
}

func TestPackState(t *testing.T) {
	t.Parallel()
	cases := map[string]wire.ClusterCondition{
		packStateReady:    {Type: "Ready", Status: "True"},
		packStatePending:  {Type: "Ready", Status: "Unknown"},
		packStateError:    {Type: "Error", Status: "False"},
		packStateRemoving: {Type: "Removing", Status: "True"},
	}
	for want, c := range cases {
		if got := packState(c); got != want {
			t.Errorf("packState(%+v) = %q, want %q", c, got, want)
		}
	}
}

func TestExpandAttachment(t *testing.T) {
	t.Parallel()
	prof := &wire.ClusterProfile{
		Metadata: wire.ObjectMeta{UID: testProfileUID, Name: "hello"},
		Spec: wire.ClusterProfileSpec{Published: &wire.ClusterProfileTemplate{Type: "add-on", Packs: []wire.PackRef{
			{Name: "hello", Tag: "1.0.0", Type: "manifest", Layer: "addon", Values: "message: hello\nreplicas: 1\nnested:\n  a: 1\n  b: 2\n"},
		}}},
	}
	m := addonProfileAttachmentResourceModel{
		ProfileID: types.StringValue(testProfileUID),
		Values:    strMap(map[string]string{"hello": "message: hi\nnested:\n  b: 3\n"}),
		Variables: strMap(map[string]string{"b": "2", "a": "1"}),
	}
	var diags diag.Diagnostics
	got := expandAttachment(context.Background(), &m, prof, "aaaaaaaaaaaaaaaaaaaaaaaa", &diags)
	if diags.HasError() || len(got.PackValues) != 1 {
		t.Fatalf("got %+v (%v)", got, diags)
	}
	// Palette replaces a pack's whole values with packValues: the override is
	// sent merged onto the profile's values, never as a fragment.
	if want := "message: hi\nreplicas: 1\nnested:\n  a: 1\n  b: 3\n"; !yamlSemanticEqual(got.PackValues[0].Values, want) {
		t.Fatalf("values sent %q, want the profile's values with the override merged: %q", got.PackValues[0].Values, want)
	}
	got.PackValues[0].Values = ""
	want := wire.SpectroClusterProfileEntity{
		UID:                testProfileUID,
		ReplaceWithProfile: "aaaaaaaaaaaaaaaaaaaaaaaa",
		PackValues:         []wire.Pack{{Name: "hello", Tag: "1.0.0", Type: "manifest"}},
		Variables:          []wire.SpectroClusterVariable{{Name: "a", Value: "1"}, {Name: "b", Value: "2"}},
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("got %+v, want %+v", got, want)
	}

	attached := func(values string) *wire.SpectroClusterProfile {
		return &wire.SpectroClusterProfile{Spec: wire.AttachedProfileSpec{Packs: []wire.AttachedPack{
			{Spec: wire.AttachedPackSpec{Name: "hello", Values: values}},
		}}}
	}
	// Read: the cluster shows the whole values; while they are the profile's
	// with the override merged, the state keeps the override as written.
	m.Values = strMap(map[string]string{"hello": "{message: 'hi', nested: {b: 3}}"})
	flattenAttachment(&m, attached("nested: {a: 1, b: 3}\nreplicas: 1\nmessage: hi\n").PackValues(), prof, nil)
	if !m.Values.Equal(strMap(map[string]string{"hello": "{message: 'hi', nested: {b: 3}}"})) {
		t.Fatalf("values %s: the override as written was not kept", m.Values)
	}
	flattenVariables(&m, []wire.SpectroClusterVariables{
		{ProfileUID: "bbbbbbbbbbbbbbbbbbbbbbbb", Variables: []wire.SpectroClusterVariable{{Name: "x", Value: "9"}}},
		{ProfileUID: testProfileUID, Variables: []wire.SpectroClusterVariable{{Name: "a", Value: "1"}}},
	}, testProfileUID)
	if !m.Variables.Equal(strMap(map[string]string{"a": "1"})) {
		t.Fatalf("variables %s", m.Variables)
	}
	// An out-of-band change shows as the pack's whole values, so the plan
	// puts the override back.
	flattenAttachment(&m, attached("message: changed\n").PackValues(), prof, nil)
	flattenVariables(&m, nil, testProfileUID)
	if !m.Values.Equal(strMap(map[string]string{"hello": "message: changed\n"})) || !m.Variables.IsNull() {
		t.Fatalf("an out-of-band change was not read: values %s variables %s", m.Values, m.Variables)
	}
	// With what the resource sent (private state), a refresh decides without
	// the profile: the sent values (any formatting) keep the override, other
	// values show as drift.
	entry := expandAttachment(context.Background(), &addonProfileAttachmentResourceModel{
		ProfileID: types.StringValue(testProfileUID), Values: strMap(map[string]string{"hello": "message: hi\nnested:\n  b: 3\n"}),
	}, prof, "", &diags)
	sent := sentDigests(prof, entry)
	m.Values = strMap(map[string]string{"hello": "message: hi\nnested:\n  b: 3\n"})
	flattenAttachment(&m, attached("{message: hi, replicas: 1, nested: {b: 3, a: 1}}").PackValues(), nil, sent)
	if !m.Values.Equal(strMap(map[string]string{"hello": "message: hi\nnested:\n  b: 3\n"})) {
		t.Fatalf("values %s: the override was not kept although the cluster holds what was sent", m.Values)
	}
	flattenAttachment(&m, attached("message: other\n").PackValues(), nil, sent)
	if !m.Values.Equal(strMap(map[string]string{"hello": "message: other\n"})) {
		t.Fatalf("values %s: drift from what was sent was not shown", m.Values)
	}
	if !coversPacks(sent, prof.Spec.Published.Packs) || coversPacks(nil, prof.Spec.Published.Packs) {
		t.Fatal("coversPacks")
	}
	// No override in state and the profile's own values: nothing to show.
	m.Values = types.MapNull(types.StringType)
	flattenAttachment(&m, attached("message: hello\nreplicas: 1\nnested: {a: 1, b: 2}\n").PackValues(), prof, nil)
	if !m.Values.IsNull() {
		t.Fatalf("values %s, want null for the profile's own values", m.Values)
	}
}

// TestFlattenVariables: Palette lists every variable a profile defines,
// unset ones with an empty value; only those set here or outside Terraform
// reach the model.
func TestFlattenVariables(t *testing.T) {
	t.Parallel()
	all := []wire.SpectroClusterVariables{{ProfileUID: testProfileUID, Variables: []wire.SpectroClusterVariable{
		{Name: "unset", Value: ""}, {Name: "mine", Value: "x"}, {Name: "outside", Value: "y"}, {Name: "cleared", Value: ""},
	}}}
	m := addonProfileAttachmentResourceModel{Variables: types.MapNull(types.StringType)}
	flattenVariables(&m, all[:0], testProfileUID)
	if !m.Variables.IsNull() {
		t.Fatalf("no variables: %s", m.Variables)
	}
	m.Variables = strMap(map[string]string{"mine": "x", "cleared": "z"})
	flattenVariables(&m, all, testProfileUID)
	if want := strMap(map[string]string{"mine": "x", "outside": "y", "cleared": ""}); !m.Variables.Equal(want) {
		t.Fatalf("variables %s, want %s", m.Variables, want)
	}
}
