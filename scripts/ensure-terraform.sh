#!/usr/bin/env bash
# Prints the path of a Terraform-compatible CLI, installing one when missing.
# Order: $TF_ACC_TERRAFORM_PATH, then Terraform ${TERRAFORM_VERSION:-v1.16.4}
# built from its Go module (scripts/build-terraform.sh) into a cache outside
# the repository. A `terraform` on PATH is not used: whatever version a
# machine happens to have must not silently become the suite's CLI (set
# TF_ACC_TERRAFORM_PATH="$(command -v terraform)" to use it on purpose).
# With TF=tofu it always uses (or builds) OpenTofu.
set -euo pipefail
cache="${PALETTE_CACHE:-$HOME/.cache/terraform-provider-palette}"
tofu_version="${TOFU_VERSION:-v1.12.6}"
want="${TF:-terraform}"

if [ "$want" != "tofu" ]; then
  if [ -n "${TF_ACC_TERRAFORM_PATH:-}" ]; then
    # An explicit CLI wins; a wrong path is an error, not a quiet fallback.
    [ -x "${TF_ACC_TERRAFORM_PATH}" ] || { echo "ensure-terraform: TF_ACC_TERRAFORM_PATH=${TF_ACC_TERRAFORM_PATH} is not an executable" >&2; exit 1; }
    echo "$TF_ACC_TERRAFORM_PATH"; exit 0
  fi
  # Terraform built from its Go module (the same build the resource-identity
  # test uses; TERRAFORM_VERSION picks another version).
  exec "$(dirname "$0")/build-terraform.sh"
fi

bin="$cache/tofu/$tofu_version/tofu"
if [ -x "$bin" ]; then echo "$bin"; exit 0; fi
if command -v tofu >/dev/null 2>&1 && [ "$want" = "tofu" ]; then command -v tofu; exit 0; fi

echo "ensure-terraform: building OpenTofu ${tofu_version} from the Go module proxy (about 6 minutes cold)..." >&2
mkdir -p "$cache/tofu/$tofu_version"
dir=$(GOFLAGS=-mod=mod go mod download -json "github.com/opentofu/opentofu@${tofu_version}" | sed -n 's/^[[:space:]]*"Dir": "\(.*\)",$/\1/p')
[ -n "$dir" ] || { echo "ensure-terraform: could not download OpenTofu" >&2; exit 1; }
work=$(mktemp -d)
trap 'chmod -R u+w "$work"; rm -rf "$work"' EXIT
cp -r "$dir/." "$work/"
chmod -R u+w "$work"
(cd "$work" && GOFLAGS=-mod=mod go build -trimpath -o "$bin.tmp" ./cmd/tofu) >&2
mv "$bin.tmp" "$bin"
echo "ensure-terraform: built $bin" >&2
echo "$bin"
