// Package manifest renders the import manifest (contract 3.2) from typed
// Kubernetes objects. The local import API serves it; the agent relies on the
// names and RBAC it lays down.
package manifest

import "github.com/terraform-palette/terraform-provider-palette/internal/palette"

// Params are what a manifest is rendered from.
type Params struct {
	ClusterUID string
	// APIEndpoint is the base URL the agent calls (e.g. http://127.0.0.1:8080).
	APIEndpoint string
	// ImportMode is palette.ImportModeReadOnly or palette.ImportModeFullPermission.
	ImportMode string
	Proxy      *palette.Proxy
	// AgentToken is the agent's credential, written into the credential secret.
	AgentToken string
	// AgentImage is the agent container image.
	AgentImage   string
	AgentVersion string
	// CACertificate (PEM) the agent trusts for APIEndpoint, and whether it skips verification.
	CACertificate      string
	InsecureSkipVerify bool
}

// Render returns the multi-document YAML manifest.
// (Stub: the implementation is being written in this package.)
func Render(p Params) ([]byte, error) { panic("manifest.Render: not implemented yet") }
