package provider

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/terraform-palette/terraform-provider-palette/internal/palette"
	"github.com/terraform-palette/terraform-provider-palette/internal/wire"
)

var (
	_ datasource.DataSourceWithConfigure        = &clusterProfileDataSource{}
	_ datasource.DataSourceWithConfigValidators = &clusterProfileDataSource{}
)

// NewClusterProfileDataSource returns the palette_cluster_profile data source.
func NewClusterProfileDataSource() datasource.DataSource {
	return &clusterProfileDataSource{}
}

type clusterProfileDataSource struct {
	dataSourceBase
}

type clusterProfileDataSourceModel struct {
	ID        types.String `tfsdk:"id"`
	Name      types.String `tfsdk:"name"`
	Version   types.String `tfsdk:"version"`
	Type      types.String `tfsdk:"type"`
	CloudType types.String `tfsdk:"cloud_type"`
	Packs     types.List   `tfsdk:"packs"`
}

var profilePackAttrTypes = map[string]attr.Type{
	"name":   types.StringType,
	"tag":    types.StringType,
	"type":   types.StringType,
	"values": types.StringType,
}

func (d *clusterProfileDataSource) Metadata(_ context.Context, req datasource.MetadataRequest, resp *datasource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_cluster_profile"
}

func (d *clusterProfileDataSource) Schema(_ context.Context, _ datasource.SchemaRequest, resp *datasource.SchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "Looks a cluster profile up by `name` (and `version`: the newest version when omitted) or by `id`, " +
			"in the provider's project and in the tenant. A name (and version) that matches several profiles, such as a " +
			"project profile and a tenant profile of the same name, is an error: use `id`.",
		Attributes: map[string]schema.Attribute{
			"id":   lookupIDAttribute("UID of the profile version. Set it, or `name`."),
			"name": lookupNameAttribute("Name of the profile. Set it, or `id`."),
			"version": schema.StringAttribute{
				MarkdownDescription: "Version to look up with `name`; the newest (by semantic version) when omitted.",
				Optional:            true,
				Computed:            true,
				Validators:          []validator.String{stringvalidator.AlsoRequires(path.MatchRoot("name"))},
			},
			"type": schema.StringAttribute{
				MarkdownDescription: "Profile type: `add-on` (the only type imported clusters take), `cluster` (full), `infra` or `system`.",
				Computed:            true,
			},
			"cloud_type": schema.StringAttribute{Computed: true, MarkdownDescription: "Cloud type of the profile (`all` for add-on profiles)."},
			"packs": schema.ListNestedAttribute{
				MarkdownDescription: "The profile's packs.",
				Computed:            true,
				NestedObject: schema.NestedAttributeObject{Attributes: map[string]schema.Attribute{
					"name":   schema.StringAttribute{Computed: true, MarkdownDescription: "Pack name (the key of `values` in `palette_addon_profile_attachment`)."},
					"tag":    schema.StringAttribute{Computed: true, MarkdownDescription: "Pack version tag."},
					"type":   schema.StringAttribute{Computed: true, MarkdownDescription: "Pack type, e.g. `manifest`."},
					"values": schema.StringAttribute{Computed: true, MarkdownDescription: "Default values of the pack (YAML)."},
				}},
			},
		},
	}
}

func (d *clusterProfileDataSource) ConfigValidators(context.Context) []datasource.ConfigValidator {
	return lookupConfigValidators()
}

func (d *clusterProfileDataSource) Read(ctx context.Context, req datasource.ReadRequest, resp *datasource.ReadResponse) {
	var m clusterProfileDataSourceModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &m)...)
	if resp.Diagnostics.HasError() {
		return
	}
	c := d.data.client
	var prof *wire.ClusterProfile
	if known(m.ID) {
		p, err := c.GetProfile(ctx, m.ID.ValueString())
		if errors.Is(err, palette.ErrNotFound) {
			resp.Diagnostics.AddAttributeError(path.Root("id"), "Cluster profile not found",
				fmt.Sprintf("Palette has no cluster profile %s in this project or in the tenant.", m.ID.ValueString()))
			return
		}
		if err != nil {
			resp.Diagnostics.AddError("Error reading cluster profile", fmt.Sprintf("Profile %s: %s", m.ID.ValueString(), err))
			return
		}
		prof = p
	} else {
		name, version := m.Name.ValueString(), m.Version.ValueString()
		found, err := c.FindProfiles(ctx, name, version)
		if err != nil {
			resp.Diagnostics.AddError("Error looking up cluster profile", fmt.Sprintf("Profile %q: %s", name, err))
			return
		}
		p, err := pickProfile(found, name, version)
		if err != nil {
			resp.Diagnostics.AddAttributeError(path.Root("name"), profileLookupSummary(err), err.Error())
			return
		}
		prof = p
	}
	flattenProfile(&m, prof)
	resp.Diagnostics.Append(resp.State.Set(ctx, &m)...)
}

// Errors of pickProfile.
var (
	errProfileNotFound  = errors.New("cluster profile not found")
	errProfileAmbiguous = errors.New("cluster profile name is ambiguous")
)

func profileLookupSummary(err error) string {
	if errors.Is(err, errProfileAmbiguous) {
		return "Ambiguous cluster profile"
	}
	return "Cluster profile not found"
}

// pickProfile chooses among the profiles of a name: the one of the version
// given, or the newest by semantic version. Several matches of the chosen
// version (e.g. a project and a tenant profile) are ambiguous.
func pickProfile(found []wire.ClusterProfile, name, version string) (*wire.ClusterProfile, error) {
	var match []wire.ClusterProfile
	for _, p := range found {
		if p.Metadata.Name == name && (version == "" || p.EffectiveVersion() == version) {
			match = append(match, p)
		}
	}
	if len(match) == 0 {
		if version != "" {
			return nil, fmt.Errorf("%w: Palette has no cluster profile %q of version %q in this project or in the tenant", errProfileNotFound, name, version)
		}
		return nil, fmt.Errorf("%w: Palette has no cluster profile %q in this project or in the tenant", errProfileNotFound, name)
	}
	if version == "" {
		newest := match[0].EffectiveVersion()
		for _, p := range match[1:] {
			if compareVersions(p.EffectiveVersion(), newest) > 0 {
				newest = p.EffectiveVersion()
			}
		}
		version = newest
		var same []wire.ClusterProfile
		for _, p := range match {
			if p.EffectiveVersion() == newest {
				same = append(same, p)
			}
		}
		match = same
	}
	if len(match) > 1 {
		where := make([]string, 0, len(match))
		for _, p := range match {
			scope := p.Metadata.Annotations["scope"]
			if scope == "" {
				scope = "unknown scope"
			}
			where = append(where, fmt.Sprintf("%s (%s)", p.Metadata.UID, scope))
		}
		return nil, fmt.Errorf("%w: %d cluster profiles are named %q with version %q: %s. Set id instead of name",
			errProfileAmbiguous, len(match), name, version, strings.Join(where, ", "))
	}
	return &match[0], nil
}

// compareVersions compares two semantic versions (a leading "v" is ignored;
// numeric parts compare as numbers, a pre-release sorts before its release,
// anything unparsable compares as text).
func compareVersions(a, b string) int {
	ca, pa, _ := strings.Cut(strings.TrimPrefix(a, "v"), "-")
	cb, pb, _ := strings.Cut(strings.TrimPrefix(b, "v"), "-")
	ca, _, _ = strings.Cut(ca, "+")
	cb, _, _ = strings.Cut(cb, "+")
	xa, xb := strings.Split(ca, "."), strings.Split(cb, ".")
	for i := 0; i < max(len(xa), len(xb)); i++ {
		sa, sb := "0", "0"
		if i < len(xa) {
			sa = xa[i]
		}
		if i < len(xb) {
			sb = xb[i]
		}
		na, ea := strconv.ParseUint(sa, 10, 64)
		nb, eb := strconv.ParseUint(sb, 10, 64)
		switch {
		case ea == nil && eb == nil:
			if na != nb {
				if na < nb {
					return -1
				}
				return 1
			}
		case sa != sb:
			return strings.Compare(sa, sb)
		}
	}
	switch {
	case pa == pb:
		return 0
	case pa == "":
		return 1
	case pb == "":
		return -1
	}
	return strings.Compare(pa, pb)
}

func flattenProfile(m *clusterProfileDataSourceModel, p *wire.ClusterProfile) {
	tmpl := profileTemplate(p)
	m.ID = types.StringValue(p.Metadata.UID)
	m.Name = types.StringValue(p.Metadata.Name)
	m.Version = types.StringValue(p.EffectiveVersion())
	m.Type = types.StringValue(profileType(p))
	m.CloudType = types.StringValue(tmpl.CloudType)
	elems := make([]attr.Value, 0, len(tmpl.Packs))
	for _, pk := range tmpl.Packs {
		elems = append(elems, types.ObjectValueMust(profilePackAttrTypes, map[string]attr.Value{
			"name": types.StringValue(pk.Name), "tag": types.StringValue(pk.Tag),
			"type": types.StringValue(pk.Type), "values": types.StringValue(pk.Values),
		}))
	}
	m.Packs = types.ListValueMust(types.ObjectType{AttrTypes: profilePackAttrTypes}, elems)
}
