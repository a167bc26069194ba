package provider

import (
	"os"
	"path/filepath"
)

// ensureCLIConfigFile points TF_CLI_CONFIG_FILE at an empty file when it
// names one that does not exist: OpenTofu 1.12 then prints a warning on
// every command, `tofu version` included, which terraform-plugin-testing
// cannot parse. An existing file is left as it is.
func ensureCLIConfigFile() error {
	name := os.Getenv("TF_CLI_CONFIG_FILE")
	if name == "" {
		return nil
	}
	if _, err := os.Stat(name); err == nil {
		return nil
	}
	f := filepath.Join(os.TempDir(), "terraform-provider-palette-empty.tfrc")
	if err := os.WriteFile(f, nil, 0o600); err != nil {
		return err
	}
	return os.Setenv("TF_CLI_CONFIG_FILE", f)
}
