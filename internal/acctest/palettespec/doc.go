// Package palettespec loads Palette's published API spec ("Palette APIs -
// 4.9", api/spec/palette-apis-spec.json in the Go module
// github.com/spectrocloud/palette-sdk-go) for the conformance tests. It is
// test machinery: no production package imports it.
package palettespec

import (
	// The module whose spec file is the contract; imported so that the
	// module is part of the build list and downloaded with the others.
	_ "github.com/spectrocloud/palette-sdk-go/api/models"
)
