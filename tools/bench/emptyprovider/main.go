// Command emptyprovider is a second floor for tools/bench: a
// terraform-plugin-framework provider with one resource that does nothing
// (no API, no plan rules). Its plan over 2N resources is what any plugin
// provider pays for the process boundary, gRPC and the framework; the bench
// compares the palette provider with it as well as with terraform_data,
// which Terraform serves from its own process. It also serves the palette
// provider's two schemas on resources that do nothing else
// (benchempty_imported_cluster, benchempty_addon_profile_attachment): the
// schema floor, what the framework and Terraform cost for those schemas.
package main

import (
	"context"
	"fmt"
	"log"
	"os"
	"sync/atomic"

	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/provider"
	"github.com/hashicorp/terraform-plugin-framework/providerserver"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-go/tftypes"

	palette "github.com/terraform-palette/terraform-provider-palette/internal/provider"
)

// Address is the provider's source address in the bench's dev_overrides.
const Address = "registry.terraform.io/terraform-palette/benchempty"

func main() {
	// The same log levels as the palette provider when Terraform shows no
	// provider log, so that the two floors compare like for like.
	if os.Getenv("TF_LOG") == "" && os.Getenv("TF_LOG_PROVIDER") == "" {
		for _, k := range []string{"TF_LOG_SDK", "TF_LOG_SDK_PROTO", "TF_LOG_SDK_FRAMEWORK", "TF_LOG_PROVIDER_BENCHEMPTY"} {
			_ = os.Setenv(k, "OFF")
		}
	}
	if err := providerserver.Serve(context.Background(), func() provider.Provider { return emptyProvider{} },
		providerserver.ServeOpts{Address: Address}); err != nil {
		log.Fatal(err.Error())
	}
}

type emptyProvider struct{}

func (emptyProvider) Metadata(_ context.Context, _ provider.MetadataRequest, resp *provider.MetadataResponse) {
	resp.TypeName = "benchempty"
}

func (emptyProvider) Schema(context.Context, provider.SchemaRequest, *provider.SchemaResponse) {}

func (emptyProvider) Configure(context.Context, provider.ConfigureRequest, *provider.ConfigureResponse) {
}

func (emptyProvider) Resources(ctx context.Context) []func() resource.Resource {
	out := []func() resource.Resource{func() resource.Resource { return thing{} }}
	for suffix, sch := range palette.ResourceSchemas(ctx) {
		out = append(out, func() resource.Resource { return schemaThing{suffix: suffix, schema: sch} })
	}
	return out
}

func (emptyProvider) DataSources(context.Context) []func() datasource.DataSource { return nil }

type thing struct{}

type thingModel struct {
	ID    types.String `tfsdk:"id"`
	Input types.String `tfsdk:"input"`
}

func (thing) Metadata(_ context.Context, req resource.MetadataRequest, resp *resource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_thing"
}

func (thing) Schema(_ context.Context, _ resource.SchemaRequest, resp *resource.SchemaResponse) {
	resp.Schema = schema.Schema{Attributes: map[string]schema.Attribute{
		"id": schema.StringAttribute{Computed: true,
			PlanModifiers: []planmodifier.String{stringplanmodifier.UseStateForUnknown()}},
		"input": schema.StringAttribute{Required: true},
	}}
}

func (thing) Create(ctx context.Context, req resource.CreateRequest, resp *resource.CreateResponse) {
	var m thingModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &m)...)
	m.ID = m.Input
	resp.Diagnostics.Append(resp.State.Set(ctx, &m)...)
}

func (thing) Read(context.Context, resource.ReadRequest, *resource.ReadResponse) {}

func (thing) Update(ctx context.Context, req resource.UpdateRequest, resp *resource.UpdateResponse) {
	var m thingModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &m)...)
	resp.Diagnostics.Append(resp.State.Set(ctx, &m)...)
}

func (thing) Delete(context.Context, resource.DeleteRequest, *resource.DeleteResponse) {}

// schemaThing is the schema floor: a resource with one of the palette
// provider's schemas (validators and plan modifiers included) and nothing
// else. Create and Update store the plan, with a made-up UID for an unknown
// id and null for any other unknown.
type schemaThing struct {
	suffix string
	schema schema.Schema
}

// uids makes the ids of created schemaThings: 24 hex digits, as the schemas'
// validators expect of a Palette UID.
var uids atomic.Int64

func (t schemaThing) Metadata(_ context.Context, req resource.MetadataRequest, resp *resource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_" + t.suffix
}

func (t schemaThing) Schema(_ context.Context, _ resource.SchemaRequest, resp *resource.SchemaResponse) {
	resp.Schema = t.schema
}

func known(plan tftypes.Value) (tftypes.Value, error) {
	return tftypes.Transform(plan, func(p *tftypes.AttributePath, v tftypes.Value) (tftypes.Value, error) {
		if v.IsKnown() {
			return v, nil
		}
		if p.Equal(tftypes.NewAttributePath().WithAttributeName("id")) {
			return tftypes.NewValue(tftypes.String, fmt.Sprintf("%024x", uids.Add(1))), nil
		}
		return tftypes.NewValue(v.Type(), nil), nil
	})
}

func (t schemaThing) Create(_ context.Context, req resource.CreateRequest, resp *resource.CreateResponse) {
	store(req.Plan.Raw, &resp.State, &resp.Diagnostics)
}

// store writes the plan, made known, to the state.
func store(plan tftypes.Value, state *tfsdk.State, diags *diag.Diagnostics) {
	raw, err := known(plan)
	if err != nil {
		diags.AddError("schema floor", err.Error())
		return
	}
	state.Raw = raw
}

func (schemaThing) Read(context.Context, resource.ReadRequest, *resource.ReadResponse) {}

func (t schemaThing) Update(_ context.Context, req resource.UpdateRequest, resp *resource.UpdateResponse) {
	store(req.Plan.Raw, &resp.State, &resp.Diagnostics)
}

func (schemaThing) Delete(context.Context, resource.DeleteRequest, *resource.DeleteResponse) {}
