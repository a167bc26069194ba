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

// Run "go generate" to format example terraform files and generate the docs for the registry/website.
//go:generate terraform fmt -recursive ./examples/
//go:generate go run github.com/hashicorp/terraform-plugin-docs/cmd/tfplugindocs generate -provider-name palette

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
