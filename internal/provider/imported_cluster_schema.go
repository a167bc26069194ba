package provider

import (
	"context"
	"fmt"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework-timeouts/resource/timeouts"
	"github.com/hashicorp/terraform-plugin-framework-validators/int64validator"
	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/attr"
	dsschema "github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringdefault"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-framework/types/basetypes"

	"github.com/terraform-palette/terraform-provider-palette/internal/wire"
)

// Terraform values of import_mode.
const (
	importModeReadOnly       = "read_only"
	importModeFullPermission = "full_permission"
)

// Values of wait_for.
const (
	waitForHealthy = "healthy"
	waitForRunning = "running"
	waitForNone    = "none"
)

// Values of deletion_policy.
const (
	deletionPolicyDeregister = "deregister"
	deletionPolicyForce      = "force"
	deletionPolicyAbandon    = "abandon"
)

func (r *importedClusterResource) Schema(ctx context.Context, _ resource.SchemaRequest, resp *resource.SchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "Imports an existing Kubernetes cluster into Palette. On create the cluster is registered " +
			"with the import API, the Palette agent is installed into the target cluster with server-side apply " +
			"(when cluster access is given), and the resource waits until Palette sees the cluster Running and Healthy. " +
			"Palette never deletes the cluster itself: destroying this resource removes the link and the agent.\n\n" +
			"Imported clusters have limits that come from Palette: only add-on profiles may be attached (see " +
			"`palette_addon_profile_attachment`), the kubeconfig cannot be downloaded from Palette, node pools are not " +
			"managed, and proxy settings need Full Permission mode.",
		Attributes: importedClusterResourceAttributes(map[string]schema.Attribute{
			// The arguments of what Palette knows of the cluster: each
			// description starts with the shared one (paletteDescription).
			"name": schema.StringAttribute{
				MarkdownDescription: continueDescription(paletteDescription("name"), ": a DNS-1123 label of at most 63 characters, unique in the project. ") +
					"Changing it imports the cluster again.",
				Required:      true,
				Validators:    []validator.String{dns1123LabelValidator{}},
				PlanModifiers: []planmodifier.String{stringplanmodifier.RequiresReplace()},
			},
			"cloud_type": schema.StringAttribute{
				MarkdownDescription: continueDescription(paletteDescription("cloud_type"), ": one of `") + strings.Join(wire.InfrastructureProviders, "`, `") +
					"`. Cloud-specific types need the cluster's nodes (or API groups) to show that platform; `generic` fits any cluster " +
					"and shows less metadata. Palette's API has no import path for `openshift` and `eks-anywhere`: those are " +
					"imported as `generic` in Palette and keep the configured value here. Defaults to `generic`. Changing it " +
					"imports the cluster again.",
				Optional: true,
				Computed: true,
				Default:  stringdefault.StaticString(wire.CloudTypeGeneric),
				Validators: []validator.String{
					stringvalidator.OneOf(wire.InfrastructureProviders...),
				},
				PlanModifiers: []planmodifier.String{cloudTypeRequiresReplace()},
			},
			"import_mode": schema.StringAttribute{
				MarkdownDescription: paletteDescription("import_mode") + " Defaults to `full_permission`, as in Palette. " +
					"`read_only` → `full_permission` is an in-place migration; the way back is a new import, because Palette has none.",
				Optional: true,
				Computed: true,
				Default:  stringdefault.StaticString(importModeFullPermission),
				Validators: []validator.String{
					stringvalidator.OneOf(importModeReadOnly, importModeFullPermission),
				},
				PlanModifiers: []planmodifier.String{importModeDowngradeRequiresReplace()},
			},
			"description": schema.StringAttribute{
				MarkdownDescription: continueDescription(paletteDescription("description"), ", at most 256 KiB (262,144 bytes): Palette keeps it ") +
					"as an annotation of the cluster, and Kubernetes-style metadata limits an object's annotations to 256 KiB in all.",
				Optional:   true,
				Validators: []validator.String{stringvalidator.LengthAtMost(maxDescriptionBytes)},
			},
			"labels": schema.MapAttribute{
				MarkdownDescription: paletteDescription("labels") + " Keys and values follow Kubernetes' label rules: a key is " +
					"an optional DNS subdomain prefix and `/`, then at most 63 letters, digits, `-`, `_` and `.` starting and ending " +
					"with a letter or digit (e.g. `team`, `example.com/owner`); a value is empty or at most 63 such characters.",
				ElementType: types.StringType,
				Optional:    true,
				Validators:  labelsValidators(),
			},
			"proxy": schema.SingleNestedAttribute{
				MarkdownDescription: paletteDescription("proxy") + " Only with `import_mode = \"full_permission\"` (a Palette rule). Changing them imports the cluster again. " +
					"Palette does not show a cluster's proxy again: after `terraform import` the configured proxy is recorded as it is, at the next apply.",
				Optional:      true,
				PlanModifiers: []planmodifier.Object{proxyRequiresReplace()},
				Attributes: map[string]schema.Attribute{
					"http_proxy":  proxyURLAttribute("http_proxy"),
					"https_proxy": proxyURLAttribute("https_proxy"),
					"no_proxy": schema.StringAttribute{
						Optional: true,
						MarkdownDescription: continueDescription(paletteDescription("proxy", "no_proxy"), ": host names, domains (`.svc` or `*.svc`), ") +
							"IP addresses and CIDRs (`10.0.0.0/8`), each with an optional port, or `*`, separated by commas (blanks around " +
							"the commas are allowed). Empty entries, control characters, quotes and semicolons are refused.",
						Validators: []validator.String{noProxyValidator()},
					},
					"ca_host_path":            caPathAttribute("ca_host_path", "ca_container_mount_path"),
					"ca_container_mount_path": caPathAttribute("ca_container_mount_path", "ca_host_path"),
				},
			},
			"proxy_password_wo": schema.StringAttribute{
				MarkdownDescription: "Password of the proxy's user, as a write-only attribute: never stored in the plan or state " +
					"(Terraform 1.11 or later). The user name stays in `proxy.http_proxy`/`proxy.https_proxy` (`http://alice@proxy.internal:3128`); " +
					"the provider adds the password to each proxy URL that names a user when it sends the import request. A password " +
					"inside a proxy URL is refused. Pair it with `proxy_password_wo_version`.",
				Optional:  true,
				Sensitive: true,
				WriteOnly: true,
				Validators: []validator.String{
					stringvalidator.AlsoRequires(path.MatchRoot("proxy")),
					stringvalidator.LengthAtLeast(1),
				},
			},
			"proxy_password_wo_version": schema.Int64Attribute{
				MarkdownDescription: "Version of `proxy_password_wo`; change it when the password changes. Palette cannot change an imported " +
					"cluster's proxy in place, so, like a change of `proxy`, a new version imports the cluster again (except when it is " +
					"first set to move a password out of a proxy URL, and right after `terraform import`).",
				Optional: true,
				Validators: []validator.Int64{
					int64validator.AlsoRequires(path.MatchRoot("proxy_password_wo")),
				},
				PlanModifiers: []planmodifier.Int64{proxyPasswordVersionRequiresReplace()},
			},
			"kubernetes": kubernetesAccessSchema(),
			"kubeconfig_wo": schema.StringAttribute{
				MarkdownDescription: "A whole kubeconfig (its content) for the target cluster, as a write-only attribute: never stored in " +
					"the plan or state (Terraform 1.11 or later). Pair it with `kubeconfig_wo_version` so that a new kubeconfig is noticed. " +
					"As it is not stored, refresh and destroy cannot reach the cluster through it.",
				Optional:  true,
				Sensitive: true,
				WriteOnly: true,
				Validators: []validator.String{
					stringvalidator.ConflictsWith(path.MatchRoot("kubernetes")),
					stringvalidator.LengthAtLeast(1),
				},
			},
			"kubeconfig_wo_version": schema.Int64Attribute{
				MarkdownDescription: "Version of `kubeconfig_wo`; change it when the kubeconfig changes.",
				Optional:            true,
				Validators: []validator.Int64{
					int64validator.AlsoRequires(path.MatchRoot("kubeconfig_wo")),
				},
			},
			"wait_for": schema.StringAttribute{
				MarkdownDescription: "What create and update wait for: `healthy` (the default: the agent registered and heartbeats arrive), " +
					"`running` (the agent registered), or `none`.",
				Optional:   true,
				Computed:   true,
				Default:    stringdefault.StaticString(waitForHealthy),
				Validators: []validator.String{stringvalidator.OneOf(waitForHealthy, waitForRunning, waitForNone)},
			},
			"deletion_policy": schema.StringAttribute{
				MarkdownDescription: "What destroy does: `deregister` (the default: Palette tells the agent to remove itself, and the " +
					"provider waits until it has and checks the cluster when it can reach it), `force` (Palette forgets the cluster at " +
					"once and the provider removes the agent's objects itself), or `abandon` (only forget it in Terraform). The cluster " +
					"itself, and anything that is not the agent's, is never touched.",
				Optional:   true,
				Computed:   true,
				Default:    stringdefault.StaticString(deletionPolicyDeregister),
				Validators: []validator.String{stringvalidator.OneOf(deletionPolicyDeregister, deletionPolicyForce, deletionPolicyAbandon)},
			},
			"timeouts": positiveDurationTimeouts(ctx, timeouts.Opts{Create: true, Update: true, Delete: true}),

			// Computed by the provider.
			"manifest_sha256": schema.StringAttribute{
				Computed:            true,
				MarkdownDescription: "SHA-256 of the import manifest the provider last applied (empty when it did not apply one).",
			},
			"import_command": schema.StringAttribute{
				Computed:  true,
				Sensitive: true,
				MarkdownDescription: "The `kubectl apply -f …` command that installs the agent, for people who install it themselves " +
					"(GitOps, air gap). It carries a token that authorises the manifest download.",
				PlanModifiers: []planmodifier.String{stringplanmodifier.UseStateForUnknown()},
			},
			"agent_installed": schema.BoolAttribute{
				Computed: true,
				MarkdownDescription: "Whether the agent's objects are present in the cluster, when the provider can reach it with " +
					"stored access (`kubernetes.config_path`, or `kubernetes.exec` without `env_wo`); null otherwise. When they are gone, the next plan reinstalls them.",
			},
		}),
	}
}

func kubernetesAccessSchema() schema.SingleNestedAttribute {
	return schema.SingleNestedAttribute{
		MarkdownDescription: "How the provider reaches the target cluster to install the agent. Without it (and without " +
			"`kubeconfig_wo`) the cluster is only registered, and `import_command` tells how to install the agent. " +
			"Credentials are never stored in state: the token, the client key and `exec.env_wo` are write-only. Refresh and destroy reuse only " +
			"`config_path`/`config_context` and an `exec` plugin without `env_wo`.",
		Optional: true,
		Attributes: map[string]schema.Attribute{
			"config_path": schema.StringAttribute{
				Optional: true,
				MarkdownDescription: "Path of a kubeconfig file (`~` is expanded): a regular file of at most 4 MiB. The files it names " +
					"(`certificate-authority`, `client-certificate`, `client-key`, `tokenFile`; relative to the kubeconfig) are read " +
					"with it, at plan time, and must be regular files of at most 1 MiB each: a device, a named pipe or a directory " +
					"fails the plan on this attribute. They are read once per provider run: a `tokenFile` rotated during a long " +
					"apply (a projected service account token) is not read again until the next run.",
			},
			"config_context": schema.StringAttribute{
				Optional:            true,
				MarkdownDescription: "Context of the kubeconfig to use (default: its current context).",
			},
			"host": schema.StringAttribute{
				Optional:            true,
				MarkdownDescription: "API server URL, e.g. the endpoint of an EKS, GKE or AKS cluster.",
			},
			"cluster_ca_certificate": schema.StringAttribute{
				Optional:            true,
				MarkdownDescription: "PEM-encoded CA certificate of the API server.",
			},
			"client_certificate": schema.StringAttribute{
				Optional: true,
				MarkdownDescription: "PEM client certificate for `host` (kind and other certificate-based clusters), with " +
					"`client_key_wo`. Not a secret: the key is.",
				Validators: []validator.String{
					stringvalidator.AlsoRequires(path.MatchRelative().AtParent().AtName("client_key_wo")),
					stringvalidator.AlsoRequires(path.MatchRelative().AtParent().AtName("host")),
				},
			},
			"client_key_wo": schema.StringAttribute{
				Optional:            true,
				Sensitive:           true,
				WriteOnly:           true,
				MarkdownDescription: "PEM private key of `client_certificate` (write-only: never stored; Terraform 1.11 or later).",
				Validators: []validator.String{
					stringvalidator.AlsoRequires(path.MatchRelative().AtParent().AtName("client_certificate")),
					stringvalidator.LengthAtLeast(1),
				},
			},
			"token_wo": schema.StringAttribute{
				Optional:            true,
				Sensitive:           true,
				WriteOnly:           true,
				MarkdownDescription: "Bearer token (write-only: never stored). Conflicts with `exec`, which gets the token itself.",
				Validators: []validator.String{
					stringvalidator.ConflictsWith(path.MatchRelative().AtParent().AtName("exec")),
				},
			},
			"insecure": schema.BoolAttribute{
				Optional:            true,
				MarkdownDescription: "Skip TLS verification of the API server.",
			},
			"exec": schema.SingleNestedAttribute{
				Optional: true,
				MarkdownDescription: "An exec credential plugin, as EKS (`aws eks get-token`), GKE (`gke-gcloud-auth-plugin`) and " +
					"AKS (`kubelogin`) users need. The provider runs it when a request to the cluster needs credentials, and kills it " +
					"(with the processes it started) when that request ends: at plan time within `request_timeout`. A plugin that " +
					"does not exit never outlives the plan.",
				Attributes: map[string]schema.Attribute{
					"api_version": schema.StringAttribute{Required: true, MarkdownDescription: "e.g. `client.authentication.k8s.io/v1beta1`."},
					"command":     schema.StringAttribute{Required: true, MarkdownDescription: "The plugin's command."},
					"args":        schema.ListAttribute{Optional: true, ElementType: types.StringType, MarkdownDescription: "Its arguments."},
					"env": schema.MapAttribute{
						Optional:    true,
						Sensitive:   true,
						ElementType: types.StringType,
						MarkdownDescription: "Extra environment variables that are not secrets. Sensitive (plans show `(sensitive value)`), " +
							"but kept in the state and in saved plans like every sensitive value: put a token or a key in `env_wo`.",
					},
					"env_wo": schema.MapAttribute{
						Optional:    true,
						Sensitive:   true,
						WriteOnly:   true,
						ElementType: types.StringType,
						MarkdownDescription: "Extra environment variables that are secrets (`SA_TOKEN`, `AWS_SECRET_ACCESS_KEY`), as a " +
							"write-only attribute: never stored in the plan or state (Terraform 1.11 or later). They take precedence over " +
							"`env`. As they are not stored, refresh and destroy do not run the plugin (as with `token_wo`): " +
							"`agent_installed` stays null, and each plan checks the agent with the configured values instead.",
					},
				},
			},
		},
	}
}

// maxDescriptionBytes is the longest description: Palette keeps it as an
// annotation, and Kubernetes-style metadata allows 256 KiB of annotations
// (palette-local reads request bodies up to 1 MiB).
const maxDescriptionBytes = 256 << 10

// proxyURLAttribute is http_proxy or https_proxy: sensitive, as a proxy URL
// may name the proxy's user (its password is refused: proxy_password_wo).
func proxyURLAttribute(name string) schema.StringAttribute {
	return schema.StringAttribute{
		Optional:  true,
		Sensitive: true,
		MarkdownDescription: continueDescription(paletteDescription("proxy", name), ": an `http://` or `https://` URL with a host and an optional ") +
			"port, e.g. `http://proxy.internal:3128`, and an optional user name (`http://alice@proxy.internal:3128`). A password in " +
			"the URL (`user:password@`) is refused: it would be kept in the state (Palette never returns a cluster's proxy, so the " +
			"state is where the provider remembers it); set it in the write-only `proxy_password_wo`. Sensitive, as it names the user.",
		Validators: []validator.String{proxyURLValidator()},
	}
}

// caPathAttribute is ca_host_path or ca_container_mount_path: the absolute
// path of a file, that needs the other one.
func caPathAttribute(name, other string) schema.StringAttribute {
	return schema.StringAttribute{
		Optional: true,
		MarkdownDescription: paletteDescription("proxy", name) + " The path of a file, e.g. `/etc/ssl/certs/proxy-ca.pem`: " +
			"not ending in `/`, and not a system directory such as `/`, `/etc`, `/usr` or `/etc/ssl/certs`, which the mounted " +
			"file would hide. Needs `" + other + "`.",
		Validators: []validator.String{
			caFilePathValidator(),
			stringvalidator.AlsoRequires(path.MatchRelative().AtParent().AtName(other)),
		},
	}
}

// Attribute types of the nested objects, for building values.
var (
	proxyAttrTypes = map[string]attr.Type{
		"http_proxy": types.StringType, "https_proxy": types.StringType, "no_proxy": types.StringType,
		"ca_host_path": types.StringType, "ca_container_mount_path": types.StringType,
	}
)

// What Palette knows of an imported cluster (importedClusterPaletteModel)
// is shown by the palette_imported_cluster resource and data source alike.
// The two are built with different framework schema packages; the table
// below is the one home of what they share: each attribute's type,
// description and sensitivity. The computed attributes of both schemas are
// built from it; the resource's arguments (argument) are defined in its
// schema, with the shared description first and then how they are set.
// TestImportedClusterSchemas_sharedAttributes fails when the two drift.

// paletteAttribute is one attribute of what Palette knows of a cluster.
type paletteAttribute struct {
	typ attr.Type // of a nested object: its object type
	// description says what Palette's value is: both schemas' descriptions
	// start with it (a schema may follow it with what is particular to it,
	// in another sentence, or in the first after a colon or a comma:
	// continueDescription).
	description string
	sensitive   bool
	nested      map[string]paletteAttribute
	// argument: the resource takes it from the configuration.
	argument bool
}

// importedClusterPaletteAttributes are the attributes of
// importedClusterPaletteModel, by name.
var importedClusterPaletteAttributes = map[string]paletteAttribute{
	"id":          {typ: types.StringType, description: "UID of the imported cluster in Palette."},
	"name":        {typ: types.StringType, argument: true, description: "Name of the cluster in Palette."},
	"cloud_type":  {typ: types.StringType, argument: true, description: "Infrastructure provider of the cluster."},
	"description": {typ: types.StringType, argument: true, description: "Description of the cluster in Palette."},
	"import_mode": {typ: types.StringType, argument: true, description: "`full_permission` (full management and add-on profiles) " +
		"or `read_only` (visibility only: no Day-2 operations, no add-on profiles, no proxy settings)."},
	"labels": {typ: types.MapType{ElemType: types.StringType}, argument: true, description: "Labels (tags) of the cluster in Palette."},
	"proxy": {typ: types.ObjectType{AttrTypes: proxyAttrTypes}, argument: true, description: "HTTP proxy settings for the agent.",
		nested: map[string]paletteAttribute{
			"http_proxy":              {typ: types.StringType, sensitive: true, description: "Value of `HTTP_PROXY` for the agent."},
			"https_proxy":             {typ: types.StringType, sensitive: true, description: "Value of `HTTPS_PROXY` for the agent."},
			"no_proxy":                {typ: types.StringType, description: "Value of `NO_PROXY` for the agent."},
			"ca_host_path":            {typ: types.StringType, description: "Absolute path, on the nodes, of the proxy's CA certificate."},
			"ca_container_mount_path": {typ: types.StringType, description: "Absolute path where the CA certificate is mounted in the agent's containers."},
		}},

	"state":              {typ: types.StringType, description: "Palette's state of the cluster: `Pending`, `Importing`, `Running`, `Deleting` or `Error`."},
	"health":             {typ: types.StringType, description: "Health from the agent's heartbeats: `Healthy`, `UnHealthy` or `Unknown`."},
	"agent_version":      {typ: types.StringType, description: "Version of the agent running in the cluster."},
	"kubernetes_version": {typ: types.StringType, description: "Kubernetes version the agent reported (cloud-specific clusters only)."},
	"region":             {typ: types.StringType, description: "Region of the nodes (`topology.kubernetes.io/region`)."},
	"instance_types":     {typ: types.ListType{ElemType: types.StringType}, description: "Instance types of the nodes (`node.kubernetes.io/instance-type`)."},
	"node_count":         {typ: types.Int64Type, description: "Number of nodes the agent reported (cloud-specific clusters only)."},
	"cloud_config_uid":   {typ: types.StringType, description: "UID of the cluster's cloud config in Palette (cloud-specific clusters)."},
}

// paletteDescription is the shared description of an attribute of
// importedClusterPaletteAttributes, or of one nested in it (proxy,
// http_proxy).
func paletteDescription(name string, nested ...string) string {
	a, ok := importedClusterPaletteAttributes[name]
	for _, n := range nested {
		a, ok = a.nested[n]
	}
	if !ok {
		panic("no attribute " + strings.Join(append([]string{name}, nested...), "."))
	}
	return a.description
}

// continueDescription continues the first sentence of a shared description
// with rest (", …" or ": …"), for what is particular to one schema.
func continueDescription(shared, rest string) string {
	return strings.TrimSuffix(shared, ".") + rest
}

// importedClusterResourceAttributes are the resource's attributes: its own
// (arguments, and what only the resource computes), and those of the table
// that are not arguments, computed. Those that do not change once known
// keep their state value in plans.
func importedClusterResourceAttributes(own map[string]schema.Attribute) map[string]schema.Attribute {
	for name, a := range importedClusterPaletteAttributes {
		if a.argument {
			continue
		}
		at := a.resourceAttribute()
		if s, ok := at.(schema.StringAttribute); ok && (name == "id" || name == "cloud_config_uid") {
			s.PlanModifiers = []planmodifier.String{stringplanmodifier.UseStateForUnknown()}
			at = s
		}
		own[name] = at
	}
	return own
}

// importedClusterDataSourceAttributes are the attributes of the table in
// the data source's schema types, all computed; notes follow an attribute's
// description with what is particular to the data source.
func importedClusterDataSourceAttributes(notes map[string]string) map[string]dsschema.Attribute {
	out := make(map[string]dsschema.Attribute, len(importedClusterPaletteAttributes))
	for name, a := range importedClusterPaletteAttributes {
		if n := notes[name]; n != "" {
			a.description += " " + n
		}
		out[name] = a.dataSourceAttribute()
	}
	return out
}

// resourceAttribute is a computed attribute of the resource's schema (the
// resource's arguments — proxy, labels — are its own: only plain computed
// types come here).
func (a paletteAttribute) resourceAttribute() schema.Attribute {
	switch t := a.typ.(type) {
	case basetypes.StringType:
		return schema.StringAttribute{Computed: true, Sensitive: a.sensitive, MarkdownDescription: a.description}
	case basetypes.Int64Type:
		return schema.Int64Attribute{Computed: true, Sensitive: a.sensitive, MarkdownDescription: a.description}
	case basetypes.ListType:
		return schema.ListAttribute{Computed: true, Sensitive: a.sensitive, MarkdownDescription: a.description, ElementType: t.ElemType}
	}
	panic(fmt.Sprintf("no resource schema attribute for type %s", a.typ))
}

// dataSourceAttribute is a computed attribute of the data source's schema.
func (a paletteAttribute) dataSourceAttribute() dsschema.Attribute {
	if a.nested != nil {
		attrs := make(map[string]dsschema.Attribute, len(a.nested))
		for n, na := range a.nested {
			attrs[n] = na.dataSourceAttribute()
		}
		return dsschema.SingleNestedAttribute{Computed: true, Sensitive: a.sensitive, MarkdownDescription: a.description, Attributes: attrs}
	}
	switch t := a.typ.(type) {
	case basetypes.StringType:
		return dsschema.StringAttribute{Computed: true, Sensitive: a.sensitive, MarkdownDescription: a.description}
	case basetypes.Int64Type:
		return dsschema.Int64Attribute{Computed: true, Sensitive: a.sensitive, MarkdownDescription: a.description}
	case basetypes.ListType:
		return dsschema.ListAttribute{Computed: true, Sensitive: a.sensitive, MarkdownDescription: a.description, ElementType: t.ElemType}
	case basetypes.MapType:
		return dsschema.MapAttribute{Computed: true, Sensitive: a.sensitive, MarkdownDescription: a.description, ElementType: t.ElemType}
	}
	panic(fmt.Sprintf("no data source schema attribute for type %s", a.typ))
}
