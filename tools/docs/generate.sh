#!/usr/bin/env bash
# Regenerates docs/ at the repository root with tfplugindocs, from templates/,
# examples/ and the provider's schema.
#
# The schema is read with the Terraform CLI of scripts/ensure-terraform.sh
# (Terraform or OpenTofu) through a dev_overrides CLI config, then handed to
# tfplugindocs with --providers-schema: tfplugindocs never looks for, nor
# downloads, a terraform binary itself.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
tf=$("$root/scripts/ensure-terraform.sh")

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/bin" "$work/ws" "$work/path"

echo "docs: building the provider" >&2
(cd "$root" && go build -o "$work/bin/terraform-provider-palette" .)

cat >"$work/terraformrc" <<RC
provider_installation {
  dev_overrides {
    "terraform-palette/palette" = "$work/bin"
  }
  direct {}
}
RC
cat >"$work/ws/main.tf" <<'TF'
terraform {
  required_providers {
    palette = {
      source = "terraform-palette/palette"
    }
  }
}
TF

echo "docs: reading the provider schema with $tf" >&2
(cd "$work/ws" && TF_CLI_CONFIG_FILE="$work/terraformrc" TF_IN_AUTOMATION=1 "$tf" providers schema -json) >"$work/raw.json" 2>"$work/schema.log" || {
  cat "$work/schema.log" >&2
  exit 1
}
# tfplugindocs looks the schema up as "palette" (or registry.terraform.io/hashicorp/palette).
sed -E 's#"registry\.(terraform\.io|opentofu\.org)/terraform-palette/palette"#"palette"#' "$work/raw.json" >"$work/schema.json"
grep -q '"palette":{' "$work/schema.json" || { echo "docs: no palette provider in the schema output" >&2; exit 1; }

# Belt and braces: should tfplugindocs ever look for a CLI, it finds ours.
ln -s "$tf" "$work/path/terraform"

cd "$here"
PATH="$work/path:$PATH" go run github.com/hashicorp/terraform-plugin-docs/cmd/tfplugindocs generate \
  --provider-dir "$root" \
  --provider-name palette \
  --rendered-provider-name Palette \
  --providers-schema "$work/schema.json" \
  --website-source-dir templates \
  --rendered-website-dir docs \
  --examples-dir examples
