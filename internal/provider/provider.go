// Package provider implements the Palette Terraform provider: imported
// clusters, add-on profile attachments and the data sources around them.
package provider

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/hashicorp/terraform-plugin-framework-validators/int64validator"
	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/action"
	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/ephemeral"
	"github.com/hashicorp/terraform-plugin-framework/list"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/provider"
	"github.com/hashicorp/terraform-plugin-framework/provider/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/terraform-palette/terraform-provider-palette/internal/palette"
)

var (
	_ provider.Provider                       = &paletteProvider{}
	_ provider.ProviderWithEphemeralResources = &paletteProvider{}
	_ provider.ProviderWithActions            = &paletteProvider{}
	_ provider.ProviderWithListResources      = &paletteProvider{}
)

// Environment variables the provider reads when an attribute is not set.
// Spectro Cloud's own names are accepted too, for users who move over.
var (
	envHost       = []string{"PALETTE_HOST", "SPECTROCLOUD_HOST"}
	envAPIKey     = []string{"PALETTE_API_KEY", "SPECTROCLOUD_APIKEY"}
	envProjectUID = []string{"PALETTE_PROJECT_UID"}
	envProject    = []string{"PALETTE_PROJECT_NAME", "SPECTROCLOUD_PROJECT"}
	envCA         = []string{"PALETTE_CA_CERTIFICATE"}
	envInsecure   = []string{"PALETTE_INSECURE"}
	envRetries    = []string{"PALETTE_MAX_RETRIES", "SPECTROCLOUD_RETRY_ATTEMPTS"}
	envTimeout    = []string{"PALETTE_REQUEST_TIMEOUT"}
)

const defaultHost = "api.spectrocloud.com"

type paletteProvider struct {
	version string
}

type paletteProviderModel struct {
	Host           types.String `tfsdk:"host"`
	APIKey         types.String `tfsdk:"api_key"`
	ProjectUID     types.String `tfsdk:"project_uid"`
	ProjectName    types.String `tfsdk:"project_name"`
	CACertificate  types.String `tfsdk:"ca_certificate"`
	Insecure       types.Bool   `tfsdk:"insecure"`
	MaxRetries     types.Int64  `tfsdk:"max_retries"`
	RequestTimeout types.String `tfsdk:"request_timeout"`
}

// New returns a constructor of the provider at the given version.
func New(version string) func() provider.Provider {
	return func() provider.Provider {
		return &paletteProvider{version: version}
	}
}

func (p *paletteProvider) Metadata(_ context.Context, _ provider.MetadataRequest, resp *provider.MetadataResponse) {
	resp.TypeName = "palette"
	resp.Version = p.version
}

func (p *paletteProvider) Schema(_ context.Context, _ provider.SchemaRequest, resp *provider.SchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "The Palette provider imports existing Kubernetes clusters into " +
			"[Palette](https://www.spectrocloud.com/) (\"imported clusters\") and manages add-on profiles on them. " +
			"It talks to the Palette import API (Palette SaaS, self-hosted Palette, or the local `palette-local` server " +
			"of this repository) and installs the Palette agent into the target cluster itself with server-side apply.",
		Attributes: map[string]schema.Attribute{
			"host": schema.StringAttribute{
				MarkdownDescription: "Palette API host, e.g. `api.spectrocloud.com` (the default), `palette.example.com:8443` " +
					"or a URL such as `http://127.0.0.1:8080` for the local import API (only `http://` and `https://`). " +
					"Environment: `PALETTE_HOST`, `SPECTROCLOUD_HOST`.",
				Optional:   true,
				Validators: []validator.String{paletteHostValidator()},
			},
			"api_key": schema.StringAttribute{
				MarkdownDescription: "Palette API key. Environment: `PALETTE_API_KEY`, `SPECTROCLOUD_APIKEY`.",
				Optional:            true,
				Sensitive:           true,
			},
			"project_uid": schema.StringAttribute{
				MarkdownDescription: "UID of the project to work in. Environment: `PALETTE_PROJECT_UID`. " +
					"Conflicts with `project_name`. Without either, calls are tenant-scoped.",
				Optional: true,
				Validators: []validator.String{
					stringvalidator.ConflictsWith(path.MatchRoot("project_name")),
					paletteUIDValidator(),
				},
			},
			"project_name": schema.StringAttribute{
				MarkdownDescription: "Name of the project to work in, resolved to its UID at configure time. " +
					"Environment: `PALETTE_PROJECT_NAME`, `SPECTROCLOUD_PROJECT`.",
				Optional: true,
			},
			"ca_certificate": schema.StringAttribute{
				MarkdownDescription: "PEM-encoded CA certificate to trust for the Palette API (self-hosted Palette, or `palette-local --tls`). " +
					"Environment: `PALETTE_CA_CERTIFICATE`.",
				Optional: true,
			},
			"insecure": schema.BoolAttribute{
				MarkdownDescription: "Skip TLS verification of the Palette API. For tests only. Environment: `PALETTE_INSECURE`.",
				Optional:            true,
			},
			"max_retries": schema.Int64Attribute{
				MarkdownDescription: "How many times a request is retried on 429, 502, 503, 504 and connection resets (default 8). " +
					"Errors that retrying cannot fix (401, 403, a host that does not resolve, a DNS server that does not answer, a TLS " +
					"mismatch, a host that never answers) are not retried: they fail within one `request_timeout`. Environment: `PALETTE_MAX_RETRIES`, `SPECTROCLOUD_RETRY_ATTEMPTS`.",
				Optional:   true,
				Validators: []validator.Int64{int64validator.Between(0, 50)},
			},
			"request_timeout": schema.StringAttribute{
				MarkdownDescription: "Timeout of one HTTP attempt as a Go duration, e.g. `60s` (the default): a host that " +
					"accepts the connection and does not answer within it fails the request. Environment: `PALETTE_REQUEST_TIMEOUT`.",
				Optional:   true,
				Validators: []validator.String{durationValidator{}},
			},
		},
	}
}

func (p *paletteProvider) Configure(ctx context.Context, req provider.ConfigureRequest, resp *provider.ConfigureResponse) {
	var cfg paletteProviderModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &cfg)...)
	if resp.Diagnostics.HasError() {
		return
	}

	unknown := func(v interface{ IsUnknown() bool }, attr, what string) {
		if v.IsUnknown() {
			resp.Diagnostics.AddAttributeError(path.Root(attr), "Unknown Palette "+what,
				"The provider cannot be configured with an unknown "+what+" (a value known only after apply). "+
					"Set it statically, or through an environment variable.")
		}
	}
	unknown(cfg.Host, "host", "host")
	unknown(cfg.APIKey, "api_key", "API key")
	unknown(cfg.ProjectUID, "project_uid", "project UID")
	unknown(cfg.ProjectName, "project_name", "project name")
	unknown(cfg.CACertificate, "ca_certificate", "CA certificate")
	if resp.Diagnostics.HasError() {
		return
	}

	host := stringOrEnv(cfg.Host, envHost...)
	if host == "" {
		host = defaultHost
	}
	if err := palette.CheckHost(host); err != nil { // from the environment: the attribute's validator saw none
		resp.Diagnostics.AddAttributeError(path.Root("host"), "Invalid Palette host", err.Error())
	}
	apiKey := stringOrEnv(cfg.APIKey, envAPIKey...)
	if apiKey == "" {
		resp.Diagnostics.AddAttributeError(path.Root("api_key"), "Missing Palette API key",
			"The provider needs a Palette API key. Set the api_key attribute, or the PALETTE_API_KEY "+
				"(or SPECTROCLOUD_APIKEY) environment variable.")
	}
	projectUID := stringOrEnv(cfg.ProjectUID, envProjectUID...)
	projectName := stringOrEnv(cfg.ProjectName, envProject...)
	if cfg.ProjectUID.ValueString() != "" {
		projectName = "" // an explicit UID wins over a name from the environment
	}
	timeout := palette.DefaultRequestTimeout
	if s := stringOrEnv(cfg.RequestTimeout, envTimeout...); s != "" {
		d, err := time.ParseDuration(s)
		if err != nil || d <= 0 {
			resp.Diagnostics.AddAttributeError(path.Root("request_timeout"), "Invalid request timeout",
				fmt.Sprintf("%q (from request_timeout or PALETTE_REQUEST_TIMEOUT) is not a positive Go duration such as \"60s\".", s))
		}
		timeout = d
	}
	maxRetries := palette.DefaultMaxRetries
	if !cfg.MaxRetries.IsNull() {
		maxRetries = int(cfg.MaxRetries.ValueInt64())
	} else if s := stringOrEnv(types.StringNull(), envRetries...); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 0 || n > 50 {
			resp.Diagnostics.AddAttributeError(path.Root("max_retries"), "Invalid max_retries",
				fmt.Sprintf("%q (from PALETTE_MAX_RETRIES or SPECTROCLOUD_RETRY_ATTEMPTS) is not a number from 0 to 50.", s))
		}
		maxRetries = n
	}
	insecure := cfg.Insecure.ValueBool()
	if cfg.Insecure.IsNull() {
		if s := stringOrEnv(types.StringNull(), envInsecure...); s != "" {
			b, err := strconv.ParseBool(s)
			if err != nil {
				resp.Diagnostics.AddAttributeError(path.Root("insecure"), "Invalid insecure",
					fmt.Sprintf("PALETTE_INSECURE = %q is not a boolean (true or false).", s))
			}
			insecure = b
		}
	}
	if resp.Diagnostics.HasError() {
		return
	}

	ctx = tflog.MaskFieldValuesWithFieldKeys(ctx, "api_key", "ApiKey")
	ctx = tflog.MaskAllFieldValuesStrings(ctx, apiKey)
	client, err := palette.NewClient(palette.Config{
		Host:             host,
		APIKey:           apiKey,
		ProjectUID:       projectUID,
		CACertificatePEM: stringOrEnv(cfg.CACertificate, envCA...),
		Insecure:         insecure,
		MaxRetries:       clientRetries(maxRetries),
		RequestTimeout:   timeout,
		UserAgent:        fmt.Sprintf("terraform-provider-palette/%s", p.version),
	})
	if err != nil {
		resp.Diagnostics.AddError("Error configuring the Palette client", err.Error())
		return
	}
	client, ok := checkAPIAccess(ctx, client, host, projectUID, projectName, &resp.Diagnostics)
	if !ok {
		return
	}
	tflog.Debug(ctx, "configured Palette client", map[string]any{"host": client.BaseURL(), "project_uid": projectUID})

	data := newProviderData(client, p.version)
	resp.ResourceData = data
	resp.DataSourceData = data
	resp.EphemeralResourceData = data
	resp.ActionData = data
	resp.ListResourceData = data
}

func (p *paletteProvider) Resources(_ context.Context) []func() resource.Resource {
	return []func() resource.Resource{
		NewImportedClusterResource,
		NewAddonProfileAttachmentResource,
		NewClusterNamespaceResource,
		NewClusterRoleBindingResource,
		NewClusterComplianceScanScheduleResource,
		NewBackupLocationResource,
		NewClusterBackupPolicyResource,
	}
}

// Actions are the provider's actions (Terraform 1.14 or later): on-demand
// compliance scans, backups and restores.
func (p *paletteProvider) Actions(_ context.Context) []func() action.Action {
	return []func() action.Action{
		NewClusterComplianceScanAction,
		NewClusterBackupAction,
		NewClusterRestoreAction,
	}
}

// ListResources are the resources `terraform query` lists (Terraform 1.14
// or later), each under its resource's type name.
func (p *paletteProvider) ListResources(_ context.Context) []func() list.ListResource {
	return []func() list.ListResource{
		NewImportedClusterListResource,
		NewAddonProfileAttachmentListResource,
		NewClusterNamespaceListResource,
		NewClusterRoleBindingListResource,
	}
}

func (p *paletteProvider) EphemeralResources(_ context.Context) []func() ephemeral.EphemeralResource {
	return []func() ephemeral.EphemeralResource{
		NewImportManifestEphemeralResource,
	}
}

func (p *paletteProvider) DataSources(_ context.Context) []func() datasource.DataSource {
	return []func() datasource.DataSource{
		NewClusterProfileDataSource,
		NewImportedClusterDataSource,
		NewClusterComplianceScanReportDataSource,
		NewImportedClustersDataSource,
		NewImportManifestDataSource,
		NewClusterBackupsDataSource,
	}
}

// clientRetries maps max_retries to palette.Config.MaxRetries, where 0
// means the default and a negative number means none.
func clientRetries(n int) int {
	if n == 0 {
		return -1
	}
	return n
}

// checkAPIAccess makes the one call of a configure: the project list. It
// proves the API key (a 401 fails the plan on api_key, naming the host),
// resolves project_name, and checks that project_uid is a project the key
// can see. A key allowed to work in a project but not to list projects
// (403) is accepted as it is when the project is given by UID.
func checkAPIAccess(ctx context.Context, client *palette.Client, host, projectUID, projectName string, diags *diag.Diagnostics) (*palette.Client, bool) {
	projects, err := client.ListProjects(ctx)
	switch {
	case errors.Is(err, palette.ErrUnauthorized):
		diags.AddAttributeError(path.Root("api_key"), "Palette refused the API key",
			fmt.Sprintf("%s did not accept the API key (from api_key, PALETTE_API_KEY or SPECTROCLOUD_APIKEY): %s", host, err))
		return nil, false
	case errors.Is(err, palette.ErrForbidden) && projectName == "":
		return client, checkProjectScope(ctx, client, host, projectUID, diags)
	case err != nil:
		attr := "host"
		if projectName != "" {
			attr = "project_name"
		}
		diags.AddAttributeError(path.Root(attr), "Cannot use the Palette API",
			fmt.Sprintf("Checking the API key and project at %s failed: %s", host, err))
		return nil, false
	}
	if projectUID == "" && projectName == "" {
		return client, true
	}
	var known []string
	for _, p := range projects {
		switch {
		case projectUID != "" && p.UID == projectUID:
			return client, true
		case projectUID == "" && p.Name == projectName:
			return client.WithProject(p.UID), true
		}
		known = append(known, p.Name)
	}
	if projectUID != "" {
		diags.AddAttributeError(path.Root("project_uid"), "Palette project not found",
			fmt.Sprintf("%s has no project %s that this API key can use (it sees: %s).", host, projectUID, strings.Join(known, ", ")))
	} else {
		diags.AddAttributeError(path.Root("project_name"), "Error resolving the Palette project",
			fmt.Sprintf("Could not find the project %q at %s (this API key sees: %s).", projectName, host, strings.Join(known, ", ")))
	}
	return nil, false
}

// projectProbeName is the cluster name checkProjectScope asks Palette about:
// whether it is taken does not matter, only whether the key may ask.
const projectProbeName = "terraform-provider-palette-probe"

// checkProjectScope checks, for a key that may not list projects, that it
// may work in project_uid: one cheap call scoped to the project (GET
// /v1/spectroclusters/validate/name). A key of another project is refused
// there (403), and the plan fails on project_uid instead of the apply.
func checkProjectScope(ctx context.Context, client *palette.Client, host, projectUID string, diags *diag.Diagnostics) bool {
	if projectUID == "" {
		tflog.Debug(ctx, "the API key may not list projects; no project to check", map[string]any{"host": host})
		return true
	}
	err := client.ValidateClusterName(ctx, projectProbeName)
	if errors.Is(err, palette.ErrForbidden) || errors.Is(err, palette.ErrUnauthorized) {
		diags.AddAttributeError(path.Root("project_uid"), "The API key cannot use this Palette project",
			fmt.Sprintf("%s refused the API key in project %s: %s. The key may belong to another project (use a key of "+
				"this project, or the project_uid of the key's project), or its role may lack the permission to read clusters "+
				"in it, which every resource of this provider needs.", host, projectUID, err))
		return false
	}
	if err != nil && !errors.Is(err, palette.ErrConflict) {
		tflog.Debug(ctx, "checking the project scope failed; the key is not refused for it", map[string]any{"host": host, "error": err.Error()})
	}
	return true
}

// stringOrEnv returns the attribute's value, or the first non-empty variable.
func stringOrEnv(v types.String, vars ...string) string {
	if !v.IsNull() && !v.IsUnknown() && v.ValueString() != "" {
		return v.ValueString()
	}
	for _, name := range vars {
		if s := strings.TrimSpace(os.Getenv(name)); s != "" {
			return s
		}
	}
	return ""
}
