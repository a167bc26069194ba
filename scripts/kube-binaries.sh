#!/bin/sh
# Builds (once) etcd, kube-apiserver and kube-controller-manager v1.33.13 into
# ${PALETTE_KUBE_CACHE:-~/.cache/terraform-provider-palette/kube/v1.33.13}.
set -eu
cd "$(dirname "$0")/.."
exec go run ./tools/kube-local build
