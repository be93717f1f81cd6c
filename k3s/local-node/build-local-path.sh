#!/usr/bin/env bash
# Builds the local-path provisioner (what k3s ships to provision PersistentVolumes on its node's
# disk; `cluster.sh up --node` runs it in the cluster as k3s does, storage.sh) from its Go module,
# pinned below, once, into a cache folder keyed by what it is built from, and prints the binary's
# path as its last line. It is its own module (`go install MODULE@VERSION`, no replace lines), like
# CoreDNS (build-coredns.sh, which this follows). Built with CGO_ENABLED=0: a static binary, so its
# image needs nothing but the binary (storage.sh). Needs Go and the Go module proxy unless the module
# cache already holds every module.
#
# Usage: k3s/local-node/build-local-path.sh   (progress on stderr, the binary's path on stdout)
# Env:   XDG_CACHE_HOME   cache root (default ~/.cache):
#                         $XDG_CACHE_HOME/ttstack/local-path-provisioner/<key>/local-path-provisioner
set -euo pipefail

# The version checked on this machine (FACTS.md, "CoreDNS and local-path"); the image storage.sh
# packs is tagged with it.
LOCAL_PATH_MODULE=github.com/rancher/local-path-provisioner
LOCAL_PATH_VERSION=v0.0.30

say() { printf '[local-path build] %s\n' "$*" >&2; }
fail() { say "FAIL: $*"; exit 1; }
# shellcheck source=k3s/local-node/go-cache.sh disable=SC1091 # from the repository root it is followed
source "$(dirname "${BASH_SOURCE[0]}")/go-cache.sh"

build() {
  say "building ${LOCAL_PATH_MODULE}@${LOCAL_PATH_VERSION} (about 2 min on 2 cores with empty Go caches)"
  CGO_ENABLED=$cgo go_install "$1" "$LOCAL_PATH_MODULE@$LOCAL_PATH_VERSION" "$ldflags" local-path-provisioner
}

require_go
ldflags="-s -w -X main.VERSION=${LOCAL_PATH_VERSION}"
cgo=0
key=$(printf '%s\n' "$LOCAL_PATH_MODULE@$LOCAL_PATH_VERSION" "$ldflags" "CGO_ENABLED=$cgo" "$GO_VERSION" | sha256sum | cut -c1-16)
cached_go_build local-path-provisioner "$key" build local-path-provisioner
