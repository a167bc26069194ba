#!/usr/bin/env bash
# Prints the path of Terraform ${TERRAFORM_VERSION:-v1.16.4} built from its Go
# module into a cache outside the repository (no download site is needed:
# only the Go module proxy). The module's zip lacks the state backends that
# are Go modules of their own (azurerm, consul, cos, gcs, kubernetes, oci,
# oss, pg, s3); they are dropped from the backend list before the build, and
# the local, remote, http, inmem and cloud backends stay.
#
# The default version is the suite's CLI (scripts/ensure-terraform.sh) and
# the resource-identity test's (PALETTE_TEST_TERRAFORM_IDENTITY); `make
# test-tf111` builds the oldest supported one with TERRAFORM_VERSION=v1.11.4.
# Always name an exact version: the module proxy's @latest is not the newest
# release.
set -euo pipefail
cache="${PALETTE_CACHE:-$HOME/.cache/terraform-provider-palette}"
version="${TERRAFORM_VERSION:-v1.16.4}"
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
# Terraform 1.11.4's go.mod turns post-quantum key exchange off with
# `godebug tlskyber=0`, a setting Go 1.24 replaced with tlsmlkem (newer Go
# refuses to load that go.mod): the same intent, in today's name.
sed -i 's/^godebug tlskyber=0$/godebug tlsmlkem=0/' "$work/go.mod"
init="$work/internal/backend/init/init.go"
for b in azure consul cos gcs kubernetes oci oss pg s3; do
  [ -d "$work/internal/backend/remote-state/$b" ] && continue
  alias=$(sed -n "s|^[[:space:]]*\(backend[A-Za-z0-9]*\) \"github.com/hashicorp/terraform/internal/backend/remote-state/$b\"$|\1|p" "$init")
  [ -n "$alias" ] || continue
  sed -i -e "/\"github.com\/hashicorp\/terraform\/internal\/backend\/remote-state\/$b\"/d" -e "/${alias}\.New()/d" "$init"
done
# Should a version write its backend list differently, say so here rather
# than in a missing-module error of the build.
for b in azure consul cos gcs kubernetes oci oss pg s3; do
  [ -d "$work/internal/backend/remote-state/$b" ] && continue
  if grep -q "internal/backend/remote-state/$b\"" "$init"; then
    echo "build-terraform: could not drop the $b backend from $init (its layout changed in ${version}?)" >&2
    exit 1
  fi
done
# version.dev=no as in Terraform's release builds: `terraform version` says
# 1.16.4, not 1.16.4-dev (version checks see a release, not a prerelease).
(cd "$work" && GOFLAGS=-mod=mod go build -trimpath -ldflags "-X 'github.com/hashicorp/terraform/version.dev=no'" -o "$bin.tmp" .) >&2
mv "$bin.tmp" "$bin"
echo "build-terraform: built $bin" >&2
echo "$bin"
