package provider

import (
	"context"
	"maps"
	"net/url"

	"github.com/hashicorp/terraform-plugin-framework-timeouts/resource/timeouts"
	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-framework/types/basetypes"

	"github.com/terraform-palette/terraform-provider-palette/internal/kube"
	"github.com/terraform-palette/terraform-provider-palette/internal/wire"
)

var objectAsOptions = basetypes.ObjectAsOptions{}

// importedClusterPaletteModel is what Palette knows of an imported cluster,
// without secrets or cluster access: the model of the
// palette_imported_cluster data source, and the part of the resource's model
// that a read from Palette fills in.
type importedClusterPaletteModel struct {
	ID          types.String `tfsdk:"id"`
	Name        types.String `tfsdk:"name"`
	CloudType   types.String `tfsdk:"cloud_type"`
	ImportMode  types.String `tfsdk:"import_mode"`
	Description types.String `tfsdk:"description"`
	Labels      types.Map    `tfsdk:"labels"`
	Proxy       types.Object `tfsdk:"proxy"`

	State             types.String `tfsdk:"state"`
	Health            types.String `tfsdk:"health"`
	AgentVersion      types.String `tfsdk:"agent_version"`
	KubernetesVersion types.String `tfsdk:"kubernetes_version"`
	Region            types.String `tfsdk:"region"`
	InstanceTypes     types.List   `tfsdk:"instance_types"`
	NodeCount         types.Int64  `tfsdk:"node_count"`
	CloudConfigUID    types.String `tfsdk:"cloud_config_uid"`
}

// importedClusterResourceModel is the palette_imported_cluster resource's
// model: what Palette knows of the cluster, the access to the cluster and
// the resource's own settings.
type importedClusterResourceModel struct {
	importedClusterPaletteModel

	Kubernetes             types.Object   `tfsdk:"kubernetes"`
	KubeconfigWO           types.String   `tfsdk:"kubeconfig_wo"`
	KubeconfigWOVersion    types.Int64    `tfsdk:"kubeconfig_wo_version"`
	ProxyPasswordWO        types.String   `tfsdk:"proxy_password_wo"`
	ProxyPasswordWOVersion types.Int64    `tfsdk:"proxy_password_wo_version"`
	WaitFor                types.String   `tfsdk:"wait_for"`
	DeletionPolicy         types.String   `tfsdk:"deletion_policy"`
	Timeouts               timeouts.Value `tfsdk:"timeouts"`

	ManifestSHA256 types.String `tfsdk:"manifest_sha256"`
	ImportCommand  types.String `tfsdk:"import_command"`
	AgentInstalled types.Bool   `tfsdk:"agent_installed"`
}

type proxyModel struct {
	HTTPProxy            types.String `tfsdk:"http_proxy"`
	HTTPSProxy           types.String `tfsdk:"https_proxy"`
	NoProxy              types.String `tfsdk:"no_proxy"`
	CAHostPath           types.String `tfsdk:"ca_host_path"`
	CAContainerMountPath types.String `tfsdk:"ca_container_mount_path"`
}

type kubernetesAccessModel struct {
	ConfigPath           types.String `tfsdk:"config_path"`
	ConfigContext        types.String `tfsdk:"config_context"`
	Host                 types.String `tfsdk:"host"`
	ClusterCACertificate types.String `tfsdk:"cluster_ca_certificate"`
	TokenWO              types.String `tfsdk:"token_wo"`
	ClientCertificate    types.String `tfsdk:"client_certificate"`
	ClientKeyWO          types.String `tfsdk:"client_key_wo"`
	Insecure             types.Bool   `tfsdk:"insecure"`
	Exec                 types.Object `tfsdk:"exec"`
}

type execModel struct {
	APIVersion types.String `tfsdk:"api_version"`
	Command    types.String `tfsdk:"command"`
	Args       types.List   `tfsdk:"args"`
	Env        types.Map    `tfsdk:"env"`
	EnvWO      types.Map    `tfsdk:"env_wo"`
}

// wireImportMode maps the Terraform value to the wire's.
func wireImportMode(tf string) string {
	if tf == importModeReadOnly {
		return wire.ImportModeReadOnly
	}
	return wire.ImportModeFullPermission
}

// tfImportMode maps the wire's value to Terraform's.
func tfImportMode(mode string) string {
	if mode == wire.ImportModeReadOnly {
		return importModeReadOnly
	}
	return importModeFullPermission
}

// expandProxy returns the wire proxy of a known proxy object, or nil, with
// password (proxy_password_wo; "" for none) added to each proxy URL that
// names a user (withPassword).
func expandProxy(ctx context.Context, obj types.Object, password string, diags *diag.Diagnostics) *wire.ClusterProxySpec {
	if obj.IsNull() || obj.IsUnknown() {
		return nil
	}
	var m proxyModel
	diags.Append(obj.As(ctx, &m, basetypes.ObjectAsOptions{})...)
	p := &wire.ClusterProxySpec{
		HTTPProxy:            m.HTTPProxy.ValueString(),
		HTTPSProxy:           m.HTTPSProxy.ValueString(),
		NoProxy:              m.NoProxy.ValueString(),
		CAHostPath:           m.CAHostPath.ValueString(),
		CAContainerMountPath: m.CAContainerMountPath.ValueString(),
	}
	if p.IsZero() {
		return nil
	}
	if password != "" {
		p.HTTPProxy = withPassword(p.HTTPProxy, password)
		p.HTTPSProxy = withPassword(p.HTTPSProxy, password)
	}
	return p
}

// withPassword adds password to a proxy URL that names a user
// (http://alice@proxy:3128 → http://alice:password@proxy:3128); any other
// value is returned as it is.
func withPassword(s, password string) string {
	u, err := url.Parse(s)
	if err != nil || u.User == nil || u.User.Username() == "" {
		return s
	}
	u.User = url.UserPassword(u.User.Username(), password)
	return u.String()
}

// proxyNamesUser tells whether a known proxy object has a proxy URL that
// names a user, the one proxy_password_wo is for; true when it cannot tell
// yet (a value unknown).
func proxyNamesUser(ctx context.Context, obj types.Object, diags *diag.Diagnostics) bool {
	if obj.IsNull() || obj.IsUnknown() {
		return true
	}
	var m proxyModel
	diags.Append(obj.As(ctx, &m, basetypes.ObjectAsOptions{})...)
	for _, v := range []types.String{m.HTTPProxy, m.HTTPSProxy} {
		if v.IsUnknown() {
			return true
		}
		if u, err := url.Parse(v.ValueString()); err == nil && u.User != nil && u.User.Username() != "" {
			return true
		}
	}
	return false
}

// clusterAccess builds the kube.Access from the kubernetes object and the
// write-only kubeconfig. known is false when any part is unknown (plan time).
// Values of write-only attributes are only present in configuration: from
// state, exec.env_wo is null (stateAccess).
func clusterAccess(ctx context.Context, k8s types.Object, kubeconfigWO types.String, diags *diag.Diagnostics) (a kube.Access, known bool) {
	if kubeconfigWO.IsUnknown() || k8s.IsUnknown() {
		return a, false
	}
	a.ConfigContent = kubeconfigWO.ValueString()
	if k8s.IsNull() {
		return a, true
	}
	var m kubernetesAccessModel
	diags.Append(k8s.As(ctx, &m, basetypes.ObjectAsOptions{UnhandledUnknownAsEmpty: false})...)
	if diags.HasError() {
		return a, false
	}
	for _, v := range []types.String{m.ConfigPath, m.ConfigContext, m.Host, m.ClusterCACertificate, m.TokenWO, m.ClientCertificate, m.ClientKeyWO} {
		if v.IsUnknown() {
			return a, false
		}
	}
	if m.Exec.IsUnknown() || m.Insecure.IsUnknown() {
		return a, false
	}
	a.ConfigPath = m.ConfigPath.ValueString()
	a.ConfigContext = m.ConfigContext.ValueString()
	a.Host = m.Host.ValueString()
	a.ClusterCACertificate = m.ClusterCACertificate.ValueString()
	a.Token = m.TokenWO.ValueString()
	a.ClientCertificate = m.ClientCertificate.ValueString()
	a.ClientKey = m.ClientKeyWO.ValueString()
	a.Insecure = m.Insecure.ValueBool()
	if !m.Exec.IsNull() {
		var e execModel
		diags.Append(m.Exec.As(ctx, &e, basetypes.ObjectAsOptions{})...)
		if e.Args.IsUnknown() || e.Env.IsUnknown() || e.EnvWO.IsUnknown() || e.Command.IsUnknown() || e.APIVersion.IsUnknown() {
			return a, false
		}
		ex := &kube.ExecConfig{APIVersion: e.APIVersion.ValueString(), Command: e.Command.ValueString()}
		diags.Append(e.Args.ElementsAs(ctx, &ex.Args, false)...)
		if !e.Env.IsNull() {
			diags.Append(e.Env.ElementsAs(ctx, &ex.Env, false)...)
		}
		if !e.EnvWO.IsNull() {
			wo := map[string]string{}
			diags.Append(e.EnvWO.ElementsAs(ctx, &wo, false)...)
			if ex.Env == nil {
				ex.Env = map[string]string{}
			}
			maps.Copy(ex.Env, wo)
		}
		a.Exec = ex
	}
	return a, !diags.HasError()
}

// storedAccess reports whether the access can be rebuilt from state alone
// (refresh and destroy see no write-only values): a kubeconfig path or an
// exec plugin. Of a configured access, an exec plugin given write-only
// environment variables (execEnvWO) is not stored; of an access read from
// state (stateAccess), such a plugin is left out.
func storedAccess(a kube.Access) bool {
	return a.ConfigPath != "" || a.Exec != nil
}

// privateExecEnvWO marks, in private state, a cluster whose exec plugin is
// given write-only environment variables (kubernetes.exec.env_wo): the state
// has the plugin but not its env_wo, so refresh and destroy do not run it.
const privateExecEnvWO = "exec_env_wo"

// execEnvWO tells whether a configuration's kubernetes object gives the
// exec plugin write-only environment variables.
func execEnvWO(ctx context.Context, k8s types.Object, diags *diag.Diagnostics) bool {
	if k8s.IsNull() || k8s.IsUnknown() {
		return false
	}
	var m kubernetesAccessModel
	diags.Append(k8s.As(ctx, &m, objectAsOptions)...)
	if m.Exec.IsNull() || m.Exec.IsUnknown() {
		return false
	}
	var e execModel
	diags.Append(m.Exec.As(ctx, &e, objectAsOptions)...)
	return !e.EnvWO.IsNull()
}

// privateGetter is the private state of a request (Read, Delete, ModifyPlan).
type privateGetter interface {
	GetKey(ctx context.Context, key string) ([]byte, diag.Diagnostics)
}

// stateAccess is the cluster access stored in state, for refresh and
// destroy. When the configuration it was saved from gave the exec plugin
// write-only variables, which the state does not have, the plugin is left
// out: run without them, it would fail or, worse, act with other
// credentials. The checks that need it are skipped then, as with token_wo.
func stateAccess(ctx context.Context, k8s types.Object, private privateGetter, diags *diag.Diagnostics) kube.Access {
	a, _ := clusterAccess(ctx, k8s, types.StringNull(), diags)
	flag, d := private.GetKey(ctx, privateExecEnvWO)
	diags.Append(d...)
	if string(flag) == "true" {
		a.Exec = nil
	}
	return a
}

// setExecEnvWO records in private state whether the configuration gives the
// exec plugin write-only environment variables.
func setExecEnvWO(ctx context.Context, private interface {
	SetKey(context.Context, string, []byte) diag.Diagnostics
}, on bool, diags *diag.Diagnostics) {
	var v []byte
	if on {
		v = []byte(`true`)
	}
	diags.Append(private.SetKey(ctx, privateExecEnvWO, v)...)
}

// flattenCluster copies what Palette says into the model. Palette does not
// show a cluster's proxy again, so the model keeps its own; an openshift or
// eks-anywhere cluster (imported through the generic path) reads back as
// what the configuration says.
func flattenCluster(ctx context.Context, m *importedClusterResourceModel, v *clusterView, diags *diag.Diagnostics) {
	c := v.cluster
	m.ID = types.StringValue(c.Metadata.UID)
	m.Name = types.StringValue(c.Metadata.Name)
	if !known(m.CloudType) || wire.ImportCloudType(m.CloudType.ValueString()) != c.Spec.CloudType {
		m.CloudType = types.StringValue(c.Spec.CloudType)
	}
	if v.modeKnown || !known(m.ImportMode) {
		m.ImportMode = types.StringValue(tfImportMode(v.importMode))
	}
	if d := c.Metadata.Annotations["description"]; d != "" {
		m.Description = types.StringValue(d)
	} else if !m.Description.IsNull() && m.Description.ValueString() == "" {
		m.Description = types.StringValue("")
	} else {
		m.Description = types.StringNull()
	}
	if len(c.Metadata.Labels) > 0 {
		lv, d := types.MapValueFrom(ctx, types.StringType, c.Metadata.Labels)
		diags.Append(d...)
		m.Labels = lv
	} else if m.Labels.IsNull() || m.Labels.IsUnknown() {
		m.Labels = types.MapNull(types.StringType)
	} else {
		m.Labels = types.MapValueMust(types.StringType, map[string]attr.Value{})
	}
	if m.Proxy.IsUnknown() {
		m.Proxy = types.ObjectNull(proxyAttrTypes)
	}
	m.State = types.StringValue(c.Status.State)
	m.CloudConfigUID = types.StringValue("")
	if c.Spec.CloudConfigRef != nil {
		m.CloudConfigUID = types.StringValue(c.Spec.CloudConfigRef.UID)
	}
	m.ImportCommand = types.StringValue("")
	if c.Status.ClusterImport != nil {
		m.ImportCommand = types.StringValue(c.Status.ClusterImport.ImportLink)
	}

	health := v.health.State
	if health == "" {
		health = wire.HealthUnknown
	}
	agentVersion, k8sVersion, region := v.health.AgentVersion, v.kubernetesVersion, v.region
	if !v.facts && region == "" {
		region = m.Region.ValueString()
	}
	instanceTypes := v.instanceTypes
	nodeCount := int64(v.nodeCount)
	if !v.facts {
		k8sVersion = m.KubernetesVersion.ValueString()
		if !m.InstanceTypes.IsNull() && !m.InstanceTypes.IsUnknown() {
			diags.Append(m.InstanceTypes.ElementsAs(ctx, &instanceTypes, false)...)
		}
	}
	if c.Spec.CloudType == wire.CloudTypeGeneric {
		// Palette shows less of a generic cluster than of a cloud-specific
		// one: its region and instance types, but no Kubernetes version or
		// node count (the attributes' docs: "cloud-specific clusters only").
		k8sVersion, nodeCount = "", 0
	}
	m.Health = types.StringValue(health)
	m.AgentVersion = types.StringValue(agentVersion)
	m.KubernetesVersion = types.StringValue(k8sVersion)
	m.Region = types.StringValue(region)
	if instanceTypes == nil {
		instanceTypes = []string{}
	}
	lv, d := types.ListValueFrom(ctx, types.StringType, instanceTypes)
	diags.Append(d...)
	m.InstanceTypes = lv
	m.NodeCount = types.Int64Value(nodeCount)
	if m.ManifestSHA256.IsNull() || m.ManifestSHA256.IsUnknown() {
		m.ManifestSHA256 = types.StringValue("")
	}
	if m.AgentInstalled.IsUnknown() {
		m.AgentInstalled = types.BoolNull()
	}
	if m.WaitFor.IsNull() || m.WaitFor.IsUnknown() {
		m.WaitFor = types.StringValue(waitForHealthy)
	}
	if m.DeletionPolicy.IsNull() || m.DeletionPolicy.IsUnknown() {
		m.DeletionPolicy = types.StringValue(deletionPolicyDeregister)
	}
}
