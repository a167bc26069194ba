package provider

import (
	"context"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
	"net/url"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework-validators/int64validator"
	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/booldefault"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/terraform-palette/terraform-provider-palette/internal/backup"
	"github.com/terraform-palette/terraform-provider-palette/internal/palette"
	"github.com/terraform-palette/terraform-provider-palette/internal/wire"
)

var (
	_ resource.ResourceWithConfigure      = &backupLocationResource{}
	_ resource.ResourceWithImportState    = &backupLocationResource{}
	_ resource.ResourceWithIdentity       = &backupLocationResource{}
	_ resource.ResourceWithValidateConfig = &backupLocationResource{}
)

// NewBackupLocationResource returns the palette_backup_location resource.
func NewBackupLocationResource() resource.Resource {
	return &backupLocationResource{}
}

type backupLocationResource struct {
	data *providerData
}

type backupLocationResourceModel struct {
	ID                 types.String `tfsdk:"id"`
	Name               types.String `tfsdk:"name"`
	Type               types.String `tfsdk:"type"`
	Bucket             types.String `tfsdk:"bucket"`
	Region             types.String `tfsdk:"region"`
	Endpoint           types.String `tfsdk:"endpoint"`
	ForcePathStyle     types.Bool   `tfsdk:"force_path_style"`
	CACertificate      types.String `tfsdk:"ca_certificate"`
	AccessKey          types.String `tfsdk:"access_key"`
	SecretKeyWO        types.String `tfsdk:"secret_key_wo"`
	SecretKeyWOVersion types.Int64  `tfsdk:"secret_key_wo_version"`
	IsDefault          types.Bool   `tfsdk:"is_default"`
}

func (r *backupLocationResource) Metadata(_ context.Context, req resource.MetadataRequest, resp *resource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_backup_location"
}

func (r *backupLocationResource) Configure(_ context.Context, req resource.ConfigureRequest, resp *resource.ConfigureResponse) {
	if pd := providerDataFrom(req.ProviderData, &resp.Diagnostics, "Resource"); pd != nil {
		r.data = pd
	}
}

func (r *backupLocationResource) Schema(_ context.Context, _ resource.SchemaRequest, resp *resource.SchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "A backup location of Palette (**Tenant Settings → Backup Locations**; `/v1/users/assets/locations/s3` " +
			"and `…/minio` in Palette's API): an S3 bucket, or a bucket of an S3-compatible server (MinIO, versitygw, Ceph) with its " +
			"endpoint, path-style addressing and CA certificate. Cluster backup policies and on-demand backups write to it.\n\n" +
			"The secret key is write-only (`secret_key_wo`, Terraform 1.11 or later): it is sent to Palette and never stored in the " +
			"plan or state, and Palette never shows it again. Change `secret_key_wo_version` when the key changes.\n\n" +
			"Import with the location's UID, or (Terraform 1.12 or later) an `import` block with `identity = { id }`; give " +
			"`secret_key_wo` in the configuration (the next apply sends it).",
		Attributes: map[string]schema.Attribute{
			"id": schema.StringAttribute{
				MarkdownDescription: "UID of the location.",
				Computed:            true,
				PlanModifiers:       []planmodifier.String{stringplanmodifier.UseStateForUnknown()},
			},
			"name": schema.StringAttribute{
				MarkdownDescription: "Name of the location, unique in the tenant.",
				Required:            true,
				Validators:          []validator.String{stringvalidator.LengthBetween(1, 128)},
			},
			"type": schema.StringAttribute{
				MarkdownDescription: "`s3` (AWS S3, or an S3-compatible `endpoint`) or `minio` (an S3-compatible server; needs " +
					"`endpoint`). Changing it replaces the location.",
				Required:      true,
				Validators:    []validator.String{stringvalidator.OneOf(wire.LocationTypeS3, wire.LocationTypeMinio)},
				PlanModifiers: []planmodifier.String{stringplanmodifier.RequiresReplace()},
			},
			"bucket": schema.StringAttribute{
				MarkdownDescription: "Name of the bucket (3 to 63 lowercase letters, digits, `.` and `-`). The bucket must exist.",
				Required:            true,
				Validators:          []validator.String{bucketNameRule},
			},
			"region": schema.StringAttribute{
				MarkdownDescription: "Region of the bucket (`us-east-1` for most S3-compatible servers).",
				Required:            true,
				Validators:          []validator.String{stringvalidator.LengthAtLeast(1)},
			},
			"endpoint": schema.StringAttribute{
				MarkdownDescription: "URL of the S3-compatible server (`https://minio.example.com:9000`); required with `type = \"minio\"`, " +
					"empty for AWS S3.",
				Optional:   true,
				Validators: []validator.String{endpointURLRule},
			},
			"force_path_style": schema.BoolAttribute{
				MarkdownDescription: "Address the bucket in the path (`https://host/bucket/key`) instead of the host name, as most " +
					"S3-compatible servers need. Default `false`.",
				Optional: true,
				Computed: true,
				Default:  booldefault.StaticBool(false),
			},
			"ca_certificate": schema.StringAttribute{
				MarkdownDescription: "PEM CA certificate(s) that sign the endpoint's TLS certificate.",
				Optional:            true,
				Validators:          []validator.String{pemCertificateRule},
			},
			"access_key": schema.StringAttribute{
				MarkdownDescription: "Access key ID of the credentials.",
				Required:            true,
				Validators:          []validator.String{stringvalidator.LengthAtLeast(1)},
			},
			"secret_key_wo": schema.StringAttribute{
				MarkdownDescription: "Secret access key of the credentials, as a write-only attribute: never stored in the plan or " +
					"state (Terraform 1.11 or later). Pair it with `secret_key_wo_version`.",
				Required:   true,
				Sensitive:  true,
				WriteOnly:  true,
				Validators: []validator.String{stringvalidator.LengthAtLeast(1)},
			},
			"secret_key_wo_version": schema.Int64Attribute{
				MarkdownDescription: "Version of `secret_key_wo`; change it when the secret key changes, so that the next apply " +
					"sends the new key.",
				Optional:   true,
				Validators: []validator.Int64{int64validator.AtLeast(0)},
			},
			"is_default": schema.BoolAttribute{
				MarkdownDescription: "Whether this is the tenant's default backup location. Default `false`.",
				Optional:            true,
				Computed:            true,
				Default:             booldefault.StaticBool(false),
			},
		},
	}
}

// bucketNameRule checks an S3 bucket name.
var bucketNameRule = stringRule{
	summary:     "Invalid bucket name",
	description: "must be an S3 bucket name",
	problem: func(s string) string {
		if err := backup.CheckBucketName(s); err != nil {
			return err.Error()
		}
		return ""
	},
}

// endpointURLRule checks an S3 endpoint: an http or https URL without a path.
var endpointURLRule = stringRule{
	summary:     "Invalid endpoint",
	description: "must be an http or https URL",
	problem: func(s string) string {
		u, err := url.Parse(s)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return fmt.Sprintf("%q is not an http or https URL", s)
		}
		if strings.Trim(u.Path, "/") != "" || u.RawQuery != "" || u.User != nil {
			return fmt.Sprintf("%q has a path, query or user: give the server's URL only (the bucket is `bucket`)", s)
		}
		return ""
	},
}

// pemCertificateRule checks one or more PEM certificates.
var pemCertificateRule = stringRule{
	summary:     "Invalid CA certificate",
	description: "must be PEM certificates",
	problem: func(s string) string {
		rest, n := []byte(s), 0
		for {
			var block *pem.Block
			block, rest = pem.Decode(rest)
			if block == nil {
				break
			}
			if _, err := x509.ParseCertificate(block.Bytes); block.Type != "CERTIFICATE" || err != nil {
				return fmt.Sprintf("PEM block %d is not a certificate", n+1)
			}
			n++
		}
		if n == 0 || strings.TrimSpace(string(rest)) != "" {
			return "not a PEM certificate (-----BEGIN CERTIFICATE----- …)"
		}
		return ""
	},
}

// ValidateConfig: a MinIO location needs its endpoint.
func (r *backupLocationResource) ValidateConfig(ctx context.Context, req resource.ValidateConfigRequest, resp *resource.ValidateConfigResponse) {
	m, ok := getModel[backupLocationResourceModel](ctx, req.Config, &resp.Diagnostics)
	if !ok {
		return
	}
	if m.Type.ValueString() == wire.LocationTypeMinio && m.Endpoint.IsNull() {
		resp.Diagnostics.AddAttributeError(path.Root("endpoint"), "Missing endpoint",
			"endpoint: a location of type \"minio\" needs the URL of its server (https://host:port).")
	}
}

// input is the location as Palette takes it, with the secret key of the
// configuration.
func (m *backupLocationResourceModel) input(secretKey string) wire.UserAssetsLocationS3 {
	pathStyle := m.ForcePathStyle.ValueBool()
	return wire.UserAssetsLocationS3{
		Metadata: wire.ObjectMetaInputEntity{Name: m.Name.ValueString()},
		Spec: &wire.UserAssetsLocationS3Spec{Type: m.Type.ValueString(), IsDefault: m.IsDefault.ValueBool(),
			Config: &wire.S3StorageConfig{
				BucketName: m.Bucket.ValueString(), Region: m.Region.ValueString(), S3URL: m.Endpoint.ValueString(),
				S3ForcePathStyle: &pathStyle, CaCert: m.CACertificate.ValueString(),
				Credentials: &wire.AwsCloudAccount{AccessKey: m.AccessKey.ValueString(), SecretKey: secretKey, CredentialType: "secret"},
			}},
	}
}

// flatten sets the model from Palette's location (which has no secret key).
func (m *backupLocationResourceModel) flatten(l *wire.UserAssetsLocationS3) {
	m.Name = types.StringValue(l.Metadata.Name)
	if l.Spec == nil || l.Spec.Config == nil {
		return
	}
	c := l.Spec.Config
	m.IsDefault = types.BoolValue(l.Spec.IsDefault)
	m.Bucket, m.Region = types.StringValue(c.BucketName), types.StringValue(c.Region)
	m.Endpoint, m.CACertificate = optionalString(c.S3URL), optionalString(c.CaCert)
	m.ForcePathStyle = types.BoolValue(c.S3ForcePathStyle != nil && *c.S3ForcePathStyle)
	if c.Credentials != nil {
		m.AccessKey = types.StringValue(c.Credentials.AccessKey)
	}
}

// secretKey reads secret_key_wo from the configuration.
func secretKeyFrom(ctx context.Context, cfg tfsdk.Config, diags *diag.Diagnostics) string {
	var v types.String
	diags.Append(cfg.GetAttribute(ctx, path.Root("secret_key_wo"), &v)...)
	return v.ValueString()
}

func (r *backupLocationResource) Create(ctx context.Context, req resource.CreateRequest, resp *resource.CreateResponse) {
	plan, ok := getModel[backupLocationResourceModel](ctx, req.Plan, &resp.Diagnostics)
	secret := secretKeyFrom(ctx, req.Config, &resp.Diagnostics)
	if !ok || resp.Diagnostics.HasError() {
		return
	}
	typ := plan.Type.ValueString()
	uid, err := r.data.client.CreateBackupLocation(ctx, typ, plan.input(secret))
	if err != nil {
		resp.Diagnostics.AddError("Error creating backup location", fmt.Sprintf("Location %q: %s", plan.Name.ValueString(), err))
		return
	}
	plan.ID = types.StringValue(uid)
	resp.Diagnostics.Append(resp.State.Set(ctx, &plan)...)
	setIdentity(ctx, resp.Identity, &resp.Diagnostics, map[string]string{"id": uid})
}

func (r *backupLocationResource) Read(ctx context.Context, req resource.ReadRequest, resp *resource.ReadResponse) {
	state, ok := getModel[backupLocationResourceModel](ctx, req.State, &resp.Diagnostics)
	if !ok {
		return
	}
	uid := state.ID.ValueString()
	setIdentity(ctx, resp.Identity, &resp.Diagnostics, map[string]string{"id": uid})
	typ := state.Type.ValueString()
	if typ == "" { // just imported: the type is found in the list
		found, err := r.findType(ctx, uid)
		if err != nil {
			r.readFailed(ctx, resp, uid, err)
			return
		}
		typ, state.Type = found, types.StringValue(found)
	}
	l, err := r.data.client.GetBackupLocation(ctx, typ, uid)
	if err != nil {
		r.readFailed(ctx, resp, uid, err)
		return
	}
	prior := state
	state.flatten(l)
	resp.Diagnostics.Append(setIfChanged(ctx, &resp.State, &prior, &state)...)
}

func (r *backupLocationResource) readFailed(ctx context.Context, resp *resource.ReadResponse, uid string, err error) {
	if errors.Is(err, palette.ErrNotFound) {
		resp.Diagnostics.AddWarning("Backup location is gone",
			fmt.Sprintf("Palette no longer has backup location %s: it is removed from the state, and the next apply creates it again.", uid))
		resp.State.RemoveResource(ctx)
		return
	}
	resp.Diagnostics.AddError("Error reading backup location", fmt.Sprintf("Location %s: %s", uid, err))
}

// findType finds the type of a location in the list of locations.
func (r *backupLocationResource) findType(ctx context.Context, uid string) (string, error) {
	all, err := r.data.client.ListBackupLocations(ctx)
	if err != nil {
		return "", err
	}
	for _, l := range all {
		if l.Metadata.UID == uid {
			if l.Spec.Type != wire.LocationTypeS3 && l.Spec.Type != wire.LocationTypeMinio {
				return "", fmt.Errorf("location %s is of type %q: this resource manages s3 and minio locations", uid, l.Spec.Type)
			}
			return l.Spec.Type, nil
		}
	}
	return "", fmt.Errorf("location %s: %w", uid, palette.ErrNotFound)
}

func (r *backupLocationResource) Update(ctx context.Context, req resource.UpdateRequest, resp *resource.UpdateResponse) {
	plan, ok := getModel[backupLocationResourceModel](ctx, req.Plan, &resp.Diagnostics)
	state, ok2 := getModel[backupLocationResourceModel](ctx, req.State, &resp.Diagnostics)
	secret := secretKeyFrom(ctx, req.Config, &resp.Diagnostics)
	if !ok || !ok2 || resp.Diagnostics.HasError() {
		return
	}
	uid := state.ID.ValueString()
	plan.ID = state.ID
	if err := r.data.client.UpdateBackupLocation(ctx, plan.Type.ValueString(), uid, plan.input(secret)); err != nil {
		resp.Diagnostics.AddError("Error updating backup location", fmt.Sprintf("Location %s: %s", uid, err))
		return // the state keeps what Palette had before
	}
	resp.Diagnostics.Append(resp.State.Set(ctx, &plan)...)
	setIdentity(ctx, resp.Identity, &resp.Diagnostics, map[string]string{"id": uid})
}

func (r *backupLocationResource) Delete(ctx context.Context, req resource.DeleteRequest, resp *resource.DeleteResponse) {
	state, ok := getModel[backupLocationResourceModel](ctx, req.State, &resp.Diagnostics)
	if !ok {
		return
	}
	uid := state.ID.ValueString()
	if err := r.data.client.DeleteBackupLocation(ctx, uid); err != nil && !errors.Is(err, palette.ErrNotFound) {
		resp.Diagnostics.AddError("Error deleting backup location", fmt.Sprintf("Location %s: %s", uid, err))
	}
}

// ImportState takes the location's UID or the identity { id }.
func (r *backupLocationResource) ImportState(ctx context.Context, req resource.ImportStateRequest, resp *resource.ImportStateResponse) {
	uid := req.ID
	if uid == "" {
		uid = identityString(ctx, req.Identity, "id", &resp.Diagnostics)
	}
	if resp.Diagnostics.HasError() {
		return
	}
	if !uidRegexp.MatchString(uid) {
		resp.Diagnostics.AddError("Invalid import ID", fmt.Sprintf("%q is not a Palette UID (24 hexadecimal digits).", uid))
		return
	}
	resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("id"), uid)...)
}

func (r *backupLocationResource) IdentitySchema(_ context.Context, _ resource.IdentitySchemaRequest, resp *resource.IdentitySchemaResponse) {
	resp.IdentitySchema = identitySchema(map[string]string{"id": "UID of the backup location."})
}
