// Package manifest renders the import manifest (docs/palette-api.md) from typed
// Kubernetes objects, and finds an installed agent in a cluster. The local
// import API serves the manifest; the agent relies on the names and RBAC it
// lays down. The package is the one home of every object name, label and
// selector of the agent install (names.go), and the objects and names are
// those of a real Palette import manifest, so that the lookup (installed.go)
// finds a real install as well as a local one.
package manifest

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"strconv"

	"github.com/terraform-palette/terraform-provider-palette/internal/wire"
	"sigs.k8s.io/yaml"
)

// DefaultAgentImage is the agent image used when Params.AgentImage is empty;
// the tag is Params.AgentVersion (or "latest").
const DefaultAgentImage = "ghcr.io/terraform-palette/cluster-management-agent-lite"

// FieldManagerAgent is the server-side apply field manager the agent uses
// for pack objects.
const FieldManagerAgent = "palette-agent"

// ProxyCAVolumeName is the volume of the proxy CA inside the Deployments.
const ProxyCAVolumeName = "proxy-ca"

// Params are what a manifest is rendered from.
type Params struct {
	ClusterUID string
	// APIEndpoint is the base URL the agent calls (e.g. http://127.0.0.1:8080).
	APIEndpoint string
	// ImportMode is palette.ImportModeReadOnly or palette.ImportModeFullPermission.
	ImportMode string
	Proxy      *wire.ClusterProxySpec
	// AgentToken is the agent's credential, written into the secret
	// AgentCredentialSecret.
	AgentToken string
	// AgentImage is the agent container image.
	AgentImage string
	// AgentVersion is the agent image tag (DefaultAgentVersion when empty)
	// and names the version ConfigMaps.
	AgentVersion string
	// CACertificate (PEM) the agent trusts for APIEndpoint, and whether it skips verification.
	CACertificate      string
	InsecureSkipVerify bool
}

// ErrInvalidParams is wrapped by every validation error of Render.
var ErrInvalidParams = errors.New("invalid manifest parameters")

var uidPattern = regexp.MustCompile(`^[0-9a-z]{1,40}$`)

// Validate checks the parameters Render needs.
func (p Params) Validate() error {
	switch {
	case !uidPattern.MatchString(p.ClusterUID):
		return fmt.Errorf("%w: cluster UID %q is not a lowercase alphanumeric UID", ErrInvalidParams, p.ClusterUID)
	case p.APIEndpoint == "":
		return fmt.Errorf("%w: API endpoint is empty", ErrInvalidParams)
	case p.AgentToken == "":
		return fmt.Errorf("%w: agent token is empty", ErrInvalidParams)
	case p.ImportMode != wire.ImportModeReadOnly && p.ImportMode != wire.ImportModeFullPermission:
		return fmt.Errorf("%w: import mode %q is neither %q nor empty", ErrInvalidParams, p.ImportMode, wire.ImportModeReadOnly)
	case p.ImportMode == wire.ImportModeReadOnly && !p.Proxy.IsZero():
		return fmt.Errorf("%w: proxy settings are not supported in read-only mode", ErrInvalidParams)
	}
	return nil
}

// Namespace returns the agent namespace of the cluster.
func (p Params) Namespace() string { return AgentNamespace(p.ClusterUID) }

// Render returns the multi-document YAML manifest, objects in apply order.
// The output is deterministic for the same Params.
func Render(p Params) ([]byte, error) {
	objs, err := Objects(p)
	if err != nil {
		return nil, err
	}
	var buf bytes.Buffer
	for i, o := range objs {
		doc, err := marshalClean(o)
		if err != nil {
			return nil, fmt.Errorf("marshalling object %d of the import manifest: %w", i, err)
		}
		if i > 0 {
			buf.WriteString("---\n")
		}
		buf.Write(doc)
	}
	return buf.Bytes(), nil
}

// marshalClean turns a typed object into YAML without the zero-valued noise
// typed objects carry (creationTimestamp: null, status: {}).
func marshalClean(o any) ([]byte, error) {
	j, err := json.Marshal(o)
	if err != nil {
		return nil, fmt.Errorf("encoding JSON: %w", err)
	}
	var m map[string]any
	if err := json.Unmarshal(j, &m); err != nil {
		return nil, fmt.Errorf("decoding JSON: %w", err)
	}
	clean(m)
	out, err := yaml.Marshal(m)
	if err != nil {
		return nil, fmt.Errorf("encoding YAML: %w", err)
	}
	return out, nil
}

func clean(v any) {
	switch t := v.(type) {
	case map[string]any:
		for k, val := range t {
			switch {
			case k == "creationTimestamp" && val == nil:
				delete(t, k)
			case (k == "status" || k == "spec" || k == "resources" || k == "strategy") && isEmptyMap(val):
				delete(t, k)
			default:
				clean(val)
			}
		}
	case []any:
		for _, e := range t {
			clean(e)
		}
	}
}

func isEmptyMap(v any) bool {
	m, ok := v.(map[string]any)
	return ok && len(m) == 0
}

func boolString(b bool) string { return strconv.FormatBool(b) }
