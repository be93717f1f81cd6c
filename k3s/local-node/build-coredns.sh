#!/usr/bin/env bash
# Builds CoreDNS (the cluster DNS of `cluster.sh up --node`) from its Go module, pinned below, once,
# into a cache folder keyed by what it is built from, and prints the binary's path as its last line.
# It is its own module (`go install MODULE@VERSION`, no replace lines): its dependency graph is not
# the one of Kubernetes v1.36 in go.mod, so it cannot be a subcommand of local-node. Needs Go and
# the Go module proxy unless the module cache already holds every module.
#
# Usage: k3s/local-node/build-coredns.sh   (progress on stderr, the binary's path on stdout)
# Env:   XDG_CACHE_HOME   cache root (default ~/.cache): $XDG_CACHE_HOME/ttstack/coredns/<key>/coredns
set -euo pipefail

# The version checked on this machine (FACTS.md, "CoreDNS and local-path").
COREDNS_MODULE=github.com/coredns/coredns
COREDNS_VERSION=v1.15.0

say() { printf '[coredns build] %s\n' "$*" >&2; }
fail() { say "FAIL: $*"; exit 1; }
# shellcheck source=k3s/local-node/go-cache.sh disable=SC1091 # from the repository root it is followed
source "$(dirname "${BASH_SOURCE[0]}")/go-cache.sh"

build() {
  say "building ${COREDNS_MODULE}@${COREDNS_VERSION} (about 4.5 min and 1.4 GB on 2 cores with empty Go caches)"
  go_install "$1" "$COREDNS_MODULE@$COREDNS_VERSION" "$ldflags" coredns
}

require_go
ldflags="-s -w"
key=$(printf '%s\n' "$COREDNS_MODULE@$COREDNS_VERSION" "$ldflags" "$GO_VERSION" | sha256sum | cut -c1-16)
cached_go_build coredns "$key" build coredns
