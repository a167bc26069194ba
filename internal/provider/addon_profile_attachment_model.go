package provider

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"sort"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework-timeouts/resource/timeouts"
	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"sigs.k8s.io/yaml"

	"github.com/terraform-palette/terraform-provider-palette/internal/wire"
)

type addonProfileAttachmentResourceModel struct {
	ID            types.String   `tfsdk:"id"`
	ClusterID     types.String   `tfsdk:"cluster_id"`
	ProfileID     types.String   `tfsdk:"profile_id"`
	Values        types.Map      `tfsdk:"values"`
	Variables     types.Map      `tfsdk:"variables"`
	AdoptExisting types.Bool     `tfsdk:"adopt_existing"`
	Timeouts      timeouts.Value `tfsdk:"timeouts"`
	Packs         types.List     `tfsdk:"packs"`
}

// Pack states exposed in packs.state.
const (
	packStateReady    = "Ready"
	packStatePending  = "Pending"
	packStateError    = "Error"
	packStateRemoving = "Removing"
)

// attachmentID joins a cluster and a profile UID.
func attachmentID(clusterUID, profileUID string) string {
	return clusterScopedID(clusterUID, profileUID)
}

// parseAttachmentID splits `<cluster_uid>:<profile_uid>`.
func parseAttachmentID(id string) (clusterUID, profileUID string, err error) {
	c, p, ok := splitClusterScopedID(id)
	if !ok || !uidRegexp.MatchString(p) {
		return "", "", fmt.Errorf("expected <cluster_uid>:<profile_uid>, two Palette UIDs (24 lowercase hex characters each), got %q", id)
	}
	return c, p, nil
}

// packState maps a pack's condition to packs.state.
func packState(c wire.ClusterCondition) string {
	switch {
	case c.Type == packStateError:
		return packStateError
	case c.Type == packStateRemoving:
		return packStateRemoving
	case c.Type == packStateReady && strings.EqualFold(c.Status, "True"):
		return packStateReady
	}
	return packStatePending
}

// profilePackStatuses returns the status.packs entries of one profile,
// sorted by pack name.
func profilePackStatuses(cl *wire.SpectroCluster, profileUID string) []wire.ClusterPackStatus {
	var out []wire.ClusterPackStatus
	for _, p := range cl.Status.Packs {
		if p.ProfileUID == profileUID {
			out = append(out, p)
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

// flattenPackStatuses builds the packs attribute.
func flattenPackStatuses(statuses []wire.ClusterPackStatus) types.List {
	objType := types.ObjectType{AttrTypes: packStatusAttrTypes}
	elems := make([]attr.Value, 0, len(statuses))
	for _, s := range statuses {
		elems = append(elems, types.ObjectValueMust(packStatusAttrTypes, map[string]attr.Value{
			"name":    types.StringValue(s.Name),
			"state":   types.StringValue(packState(s.Condition)),
			"message": types.StringValue(s.Condition.Message),
		}))
	}
	return types.ListValueMust(objType, elems)
}

// expandAttachment builds the PATCH entry of an attachment. replaces is the
// UID of the attached profile it swaps out, if any. Palette replaces a pack's
// whole values with what packValues carries, so each override is merged onto
// the profile's values of that pack first; the entry carries the pack's tag
// and type.
func expandAttachment(ctx context.Context, m *addonProfileAttachmentResourceModel, profile *wire.ClusterProfile, replaces string, diags *diag.Diagnostics) wire.SpectroClusterProfileEntity {
	att := wire.SpectroClusterProfileEntity{UID: m.ProfileID.ValueString(), ReplaceWithProfile: replaces}
	values := map[string]string{}
	if !m.Values.IsNull() && !m.Values.IsUnknown() {
		diags.Append(m.Values.ElementsAs(ctx, &values, false)...)
	}
	packs := map[string]wire.PackRef{}
	if profile != nil {
		for _, p := range profileTemplate(profile).Packs {
			packs[p.Name] = p
		}
	}
	// Every pack of the profile is sent, with its own values where there is
	// no override, so that removing an override restores the profile's
	// values whatever Palette does with packs an entry does not list.
	for _, name := range slices.Sorted(maps.Keys(packs)) {
		p := packs[name]
		if _, ok := values[name]; ok {
			continue
		}
		att.PackValues = append(att.PackValues, wire.Pack{Name: name, Tag: p.Tag, Type: p.Type, Values: p.Values})
	}
	for _, name := range slices.Sorted(maps.Keys(values)) {
		p := packs[name]
		merged, err := mergeYAML(p.Values, values[name])
		if err != nil {
			diags.AddAttributeError(path.Root("values").AtMapKey(name), "Invalid values",
				fmt.Sprintf("Merging the values of pack %q onto the profile's: %s", name, err))
			continue
		}
		att.PackValues = append(att.PackValues, wire.Pack{Name: name, Tag: p.Tag, Type: p.Type, Values: merged})
	}
	sort.SliceStable(att.PackValues, func(i, j int) bool { return att.PackValues[i].Name < att.PackValues[j].Name })
	vars := map[string]string{}
	if !m.Variables.IsNull() && !m.Variables.IsUnknown() {
		diags.Append(m.Variables.ElementsAs(ctx, &vars, false)...)
	}
	for _, name := range slices.Sorted(maps.Keys(vars)) {
		att.Variables = append(att.Variables, wire.SpectroClusterVariable{Name: name, Value: vars[name]})
	}
	return att
}

// flattenAttachment copies an attached profile's pack values (whole, by
// pack name) into the model. The
// cluster shows each pack's whole values; the model holds the user's
// overrides. An override stays as written while the pack's values are the
// profile's with it merged (semantically); otherwise, and for a pack
// overridden outside Terraform, the model shows the pack's whole values, so
// that the plan puts the configured override back. profile nil: the pack
// values are compared with nothing and kept as the model has them. sent,
// when it has a pack (what this resource last sent, from private state),
// decides for that pack without the profile.
func flattenAttachment(m *addonProfileAttachmentResourceModel, packValues map[string]string, profile *wire.ClusterProfile, sent map[string]string) {
	prior := map[string]string{}
	if !m.Values.IsNull() && !m.Values.IsUnknown() {
		for k, v := range m.Values.Elements() {
			if sv, ok := v.(types.String); ok && !sv.IsNull() && !sv.IsUnknown() {
				prior[k] = sv.ValueString()
			}
		}
	}
	defaults := map[string]string{}
	if profile != nil {
		for _, p := range profileTemplate(profile).Packs {
			defaults[p.Name] = p.Values
		}
	}
	values := map[string]attr.Value{}
	for name, have := range packValues {
		def, known := defaults[name]
		override, overridden := prior[name]
		if digest, ok := sent[name]; ok {
			switch {
			case valuesDigest(have) != digest:
				values[name] = types.StringValue(have)
			case overridden:
				values[name] = types.StringValue(override)
			}
			continue
		}
		switch {
		case profile == nil:
			if overridden {
				values[name] = types.StringValue(override)
			}
		case overridden:
			want, err := mergeYAML(def, override)
			switch {
			case err != nil:
				// Values that do not parse as YAML cannot be compared.
				values[name] = types.StringValue(override)
			case yamlSemanticEqual(have, want):
				values[name] = types.StringValue(override)
			default:
				values[name] = types.StringValue(have)
			}
		case known && !yamlSemanticEqual(have, def) && strings.TrimSpace(have) != "":
			values[name] = types.StringValue(have)
		}
	}
	m.Values = keepSemanticYAML(m.Values, mapOrNull(values, m.Values))
}

// privateSentValues is the private-state key of what an attachment last
// sent: for each pack of the profile, a digest of the whole values the
// cluster should hold (the profile's, or the override merged onto them). A
// refresh compares the cluster's values with it, without reading the
// profile.
const privateSentValues = "values_sent"

// valuesDigest is a digest of a YAML document's data (formatting and key
// order do not matter).
func valuesDigest(doc string) string {
	b := []byte(doc)
	var v any
	if err := yaml.Unmarshal(b, &v); err == nil {
		if j, err := json.Marshal(v); err == nil {
			b = j
		}
	}
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}

// sentDigests returns, for each pack of the profile, the digest of the
// values the cluster holds once entry is applied.
func sentDigests(profile *wire.ClusterProfile, entry wire.SpectroClusterProfileEntity) map[string]string {
	out := map[string]string{}
	for _, p := range profileTemplate(profile).Packs {
		out[p.Name] = valuesDigest(p.Values)
	}
	for _, pv := range entry.PackValues {
		if pv.Values != "" {
			out[pv.Name] = valuesDigest(pv.Values)
		}
	}
	return out
}

// coversPacks reports whether sent has a digest for every pack of ap.
func coversPacks(sent map[string]string, packs []wire.PackRef) bool {
	for _, p := range packs {
		if _, ok := sent[p.Name]; !ok {
			return false
		}
	}
	return sent != nil
}

// flattenVariables copies the variables of one profile into the model.
// Palette lists every variable the profile defines, with an empty value
// where none is set: the model keeps the variables it sets, and of the
// others only those given a value outside Terraform.
func flattenVariables(m *addonProfileAttachmentResourceModel, all []wire.SpectroClusterVariables, profileUID string) {
	set := map[string]bool{}
	if !m.Variables.IsNull() && !m.Variables.IsUnknown() {
		for k := range m.Variables.Elements() {
			set[k] = true
		}
	}
	vars := map[string]attr.Value{}
	for _, cv := range all {
		if cv.ProfileUID != profileUID {
			continue
		}
		for _, v := range cv.Variables {
			if set[v.Name] || v.Value != "" {
				vars[v.Name] = types.StringValue(v.Value)
			}
		}
	}
	m.Variables = mapOrNull(vars, m.Variables)
}

// mapOrNull returns the elements as a map; no elements is null unless prior
// was a known empty map.
func mapOrNull(elems map[string]attr.Value, prior types.Map) types.Map {
	if len(elems) == 0 && (prior.IsNull() || prior.IsUnknown() || len(prior.Elements()) > 0) {
		return types.MapNull(types.StringType)
	}
	return types.MapValueMust(types.StringType, elems)
}
