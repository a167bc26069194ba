#!/usr/bin/env bash
# Prints the path of Terraform ${TERRAFORM_VERSION:-v1.13.3} built from its Go
# module into a cache outside the repository (no download site is needed:
# only the Go module proxy). The module's zip lacks the state backends that
# are Go modules of their own (azurerm, consul, cos, gcs, kubernetes, oci,
# oss, pg, s3); they are dropped from the backend list before the build, and
# the local, remote, http, inmem and cloud backends stay.
#
# The acceptance tests of Terraform 1.12+ features (resource identity) use it
# through PALETTE_TEST_TERRAFORM_IDENTITY (see GNUmakefile).
set -euo pipefail
cache="${PALETTE_CACHE:-$HOME/.cache/terraform-provider-palette}"
version="${TERRAFORM_VERSION:-v1.13.3}"
bin="$cache/terraform/$version/terraform"
if [ -x "$bin" ]; then echo "$bin"; exit 0; fi

echo "build-terraform: building Terraform ${version} from the Go module proxy (a few minutes once)..." >&2
mkdir -p "$(dirname "$bin")"
dir=$(GOFLAGS=-mod=mod go mod download -json "github.com/hashicorp/terraform@${version}" | sed -n 's/^[[:space:]]*"Dir": "\(.*\)",$/\1/p')
[ -n "$dir" ] || { echo "build-terraform: could not download Terraform" >&2; exit 1; }
work=$(mktemp -d)
trap 'chmod -R u+w "$work"; rm -rf "$work"' EXIT
cp -r "$dir/." "$work/"
chmod -R u+w "$work"
init="$work/internal/backend/init/init.go"
for b in azure consul cos gcs kubernetes oci oss pg s3; do
  [ -d "$work/internal/backend/remote-state/$b" ] && continue
  alias=$(sed -n "s|^[[:space:]]*\(backend[A-Za-z0-9]*\) \"github.com/hashicorp/terraform/internal/backend/remote-state/$b\"$|\1|p" "$init")
  [ -n "$alias" ] || continue
  sed -i -e "/\"github.com\/hashicorp\/terraform\/internal\/backend\/remote-state\/$b\"/d" -e "/${alias}\.New()/d" "$init"
done
(cd "$work" && GOFLAGS=-mod=mod go build -trimpath -o "$bin.tmp" .) >&2
mv "$bin.tmp" "$bin"
echo "build-terraform: built $bin" >&2
echo "$bin"
