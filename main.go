// Command terraform-provider-palette is the Terraform provider that brings
// existing Kubernetes clusters under Palette management and manages add-on
// profiles on them.
package main

import (
	"context"
	"flag"
	"log"

	"github.com/hashicorp/terraform-plugin-framework/providerserver"

	"github.com/terraform-palette/terraform-provider-palette/internal/provider"
)

// Docs and example formatting: `make generate` (tools/docs holds tfplugindocs).

// version and commit are set by the release build (goreleaser ldflags).
var (
	version = "dev"
	commit  = ""
)

func main() {
	var debug bool
	flag.BoolVar(&debug, "debug", false, "set to true to run the provider with support for debuggers like delve")
	flag.Parse()

	if commit != "" {
		log.Printf("terraform-provider-palette %s (%s)", version, commit)
	}
	err := providerserver.Serve(context.Background(), provider.New(version), providerserver.ServeOpts{
		Address: "registry.terraform.io/terraform-palette/palette",
		Debug:   debug,
	})
	if err != nil {
		log.Fatal(err.Error())
	}
}
