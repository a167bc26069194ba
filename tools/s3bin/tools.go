//go:build tools

// Package s3bin pins versitygw, the S3-compatible server (a Go S3 gateway on a
// directory) that the acceptance tests, tools/kube-local and the demo run on
// loopback as the backup location of palette-local's agent. It is a nested
// module so that the main module's `./...` never includes its dependencies;
// internal/acctest/s3local builds it into ~/.cache/terraform-provider-palette.
package s3bin

import (
	_ "github.com/versity/versitygw/cmd/versitygw"
)
