package provider

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/terraform-palette/terraform-provider-palette/internal/kube"
	"github.com/terraform-palette/terraform-provider-palette/internal/wire"
)

// creationFingerprintAnnotation is the annotation (metadata.annotations of
// the import request, v1ObjectMetaInputEntity; read back in v1ObjectMeta)
// in which a palette_imported_cluster records the fingerprint of the
// configuration that registered the cluster. It is the proof that lets a
// later apply of the same configuration take over a cluster an interrupted
// apply registered without recording it in state.
const creationFingerprintAnnotation = "terraform-provider-palette/creation-sha256"

// fingerprintVersion names the canonical form hashed below; a change of
// form changes the version, so that fingerprints of two forms never match.
const fingerprintVersion = "palette_imported_cluster/v1"

// creationFingerprintInput is the desired configuration of a cluster as
// its creation fingerprint sees it. Target is the identity of the target
// cluster (kube.Client.ClusterIdentity) when cluster access is configured,
// "" otherwise.
type creationFingerprintInput struct {
	Version     string                `json:"version"`
	Name        string                `json:"name"`
	CloudType   string                `json:"cloud_type"`
	ImportMode  string                `json:"import_mode"`
	Labels      map[string]string     `json:"labels"`
	Description string                `json:"description"`
	Proxy       wire.ClusterProxySpec `json:"proxy"`
	Target      string                `json:"target"`
}

// creationFingerprint is the SHA-256 (hex) of the canonical JSON of in:
// fields in a fixed order, map keys sorted (encoding/json), a null map as
// an empty one. Proxy passwords are left out: the fingerprint is stored in
// Palette for anyone who can read the cluster, and a hash of a short
// secret can be guessed back.
func creationFingerprint(in creationFingerprintInput) string {
	in.Version = fingerprintVersion
	if in.Labels == nil {
		in.Labels = map[string]string{}
	}
	in.Proxy.HTTPProxy = withoutPassword(in.Proxy.HTTPProxy)
	in.Proxy.HTTPSProxy = withoutPassword(in.Proxy.HTTPSProxy)
	b, err := json.Marshal(in)
	if err != nil {
		panic(fmt.Sprintf("creation fingerprint: %v", err)) // strings and maps of strings always marshal
	}
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}

// withoutPassword drops the password of a proxy URL's user information.
func withoutPassword(s string) string {
	if !strings.Contains(s, "@") {
		return s
	}
	if u, err := url.Parse(s); err == nil && u.User != nil {
		u.User = url.User(u.User.Username())
		return u.String()
	}
	// Not a URL: keep what follows the last "@" (the host).
	return s[strings.LastIndex(s, "@")+1:]
}

// planFingerprint is the creation fingerprint of a planned cluster for the
// target identity target; ok is false when a value it needs is unknown.
func planFingerprint(ctx context.Context, m *importedClusterResourceModel, target string, diags *diag.Diagnostics) (string, bool) {
	if !known(m.Name) || !known(m.CloudType) || !known(m.ImportMode) || m.Labels.IsUnknown() ||
		m.Description.IsUnknown() || m.Proxy.IsUnknown() {
		return "", false
	}
	labels := map[string]string{}
	if !m.Labels.IsNull() {
		for _, v := range m.Labels.Elements() {
			if v.IsUnknown() {
				return "", false
			}
		}
		diags.Append(m.Labels.ElementsAs(ctx, &labels, false)...)
	}
	if !m.Proxy.IsNull() {
		for _, v := range m.Proxy.Attributes() {
			if v.IsUnknown() {
				return "", false
			}
		}
	}
	in := creationFingerprintInput{
		Name:        m.Name.ValueString(),
		CloudType:   m.CloudType.ValueString(),
		ImportMode:  m.ImportMode.ValueString(),
		Labels:      labels,
		Description: m.Description.ValueString(),
		Target:      target,
	}
	if p := expandProxy(ctx, m.Proxy, "", diags); p != nil {
		in.Proxy = *p
	}
	if diags.HasError() {
		return "", false
	}
	return creationFingerprint(in), true
}

// clusterAnnotations are the annotations the provider writes to a cluster:
// the description and, when known, the creation fingerprint.
func clusterAnnotations(desc types.String, fingerprint string) map[string]string {
	out := map[string]string{}
	if !desc.IsNull() && !desc.IsUnknown() && desc.ValueString() != "" {
		out["description"] = desc.ValueString()
	}
	if fingerprint != "" {
		out[creationFingerprintAnnotation] = fingerprint
	}
	return out
}

// Phases of a Terraform run in which resources claim what they may hold
// alone. Terraform plans the creation of each resource instance once per
// graph walk (ModifyPlan with no prior state) and creates it once (Create),
// so within one phase a second claim of a key comes from another resource.
const (
	phasePlan  = "plan"
	phaseApply = "apply"
)

// ownershipClaims is what the resources of one provider configuration (one
// Terraform graph walk: providerData is made by each Configure) claim to
// hold alone: the physical cluster an imported cluster is installed in, the
// name it registers, the (cluster, profile) pair an attachment attaches.
// Two resources of one configuration claiming the same key would overwrite
// each other; the second one is refused, naming the first.
type ownershipClaims struct {
	mu     sync.Mutex
	claims map[string]string // phase + key → claimant
}

// anonymousClaims numbers the claims made without a claimant's name: any
// second claim of their key conflicts.
var anonymousClaims atomic.Int64

// ownership returns the claims of the provider's run.
func (pd *providerData) ownership() *ownershipClaims {
	pd.claimsOnce.Do(func() { pd.claims = &ownershipClaims{claims: map[string]string{}} })
	return pd.claims
}

// claim records that claimant holds key in phase. It returns the earlier
// claimant and true when another one holds it already: a claim with the
// same non-empty claimant is the same resource's (a resource named after
// its Palette name), while a claim with claimant "" is always a new one.
func (o *ownershipClaims) claim(phase, key, claimant string) (other string, conflict bool) {
	if claimant == "" {
		claimant = "\x00" + strconv.FormatInt(anonymousClaims.Add(1), 10)
	}
	k := phase + "\x00" + key
	o.mu.Lock()
	defer o.mu.Unlock()
	if prev, ok := o.claims[k]; ok && prev != claimant {
		if strings.HasPrefix(prev, "\x00") {
			prev = ""
		}
		return prev, true
	}
	o.claims[k] = claimant
	return "", false
}

// Keys of claims.
func targetClaimKey(identity string) string { return "target-cluster/" + identity }
func nameClaimKey(name string) string       { return "cluster-name/" + name }
func attachmentClaimKey(clusterUID, profileUID string) string {
	return "attachment/" + attachmentID(clusterUID, profileUID)
}

// accessAttr is the attribute that gave the cluster access.
func accessAttr(access kube.Access) path.Path {
	if access.ConfigContent != "" {
		return path.Root("kubeconfig_wo")
	}
	return path.Root("kubernetes")
}

// targetIdentity reads the identity of the cluster access reaches; "" when
// no access is configured.
func (pd *providerData) targetIdentity(ctx context.Context, access kube.Access) (string, error) {
	if access.IsZero() {
		return "", nil
	}
	kc, err := pd.newKube(access)
	if err != nil {
		return "", err
	}
	return kc.ClusterIdentity(ctx)
}

// claimTarget claims, in phase, the physical cluster identity for the
// resource named name; it reports a conflict on the access attribute.
func (pd *providerData) claimTarget(phase, identity, name string, access kube.Access, diags *diag.Diagnostics) {
	if identity == "" {
		return
	}
	if other, conflict := pd.ownership().claim(phase, targetClaimKey(identity), name); conflict {
		targetImportedTwice(access, other, identity).addTo(diags)
	}
}

// claimForCreate makes the claims of a Create in this provider run (the
// name, and the target cluster when access is configured) and returns the
// creation fingerprint to register the cluster with. Errors go to diags.
func (r *importedClusterResource) claimForCreate(ctx context.Context, plan *importedClusterResourceModel, access kube.Access, diags *diag.Diagnostics) string {
	name := plan.Name.ValueString()
	if _, conflict := r.data.ownership().claim(phaseApply, nameClaimKey(name), ""); conflict {
		nameRegisteredTwice(name).addTo(diags)
		return ""
	}
	identity, err := r.data.targetIdentity(ctx, access)
	if err != nil {
		targetUnidentified(access, err).addTo(diags)
		return ""
	}
	r.data.claimTarget(phaseApply, identity, name, access, diags)
	if diags.HasError() {
		return ""
	}
	fp, ok := planFingerprint(ctx, plan, identity, diags)
	if !ok && !diags.HasError() {
		diags.AddError("Error importing cluster", "The planned values are not all known at apply time.")
	}
	return fp
}
