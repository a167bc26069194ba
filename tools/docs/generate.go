package docs

// Regenerates docs/ at the repository root (see generate.sh): the provider's
// schema read with the Terraform CLI of scripts/ensure-terraform.sh, then
//
//	tfplugindocs generate --provider-dir ../.. --provider-name palette \
//	  --providers-schema SCHEMA --rendered-website-dir docs
//
//go:generate ./generate.sh
