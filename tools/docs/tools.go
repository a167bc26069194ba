//go:build tools

// Package docs pins tfplugindocs, which generates the provider's
// documentation under docs/ from templates/ and examples/. It is a nested
// module so that the main module does not carry tfplugindocs' dependencies.
package docs

import (
	_ "github.com/hashicorp/terraform-plugin-docs/cmd/tfplugindocs"
)
