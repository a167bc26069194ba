package manifest_test

import (
	"fmt"
	"strings"

	"github.com/terraform-palette/terraform-provider-palette/internal/manifest"
)

func ExampleRender() {
	out, err := manifest.Render(manifest.Params{
		ClusterUID:  "6491d4a94c39ad82d3cc30ae",
		APIEndpoint: "http://127.0.0.1:8080",
		ImportMode:  "read-only",
		AgentToken:  "token",
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(strings.Count(string(out), "\n---\n")+1, "documents")
	// Output: 12 documents
}
