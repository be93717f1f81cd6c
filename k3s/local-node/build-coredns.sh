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

command -v go >/dev/null 2>&1 || fail "Go is not installed (or not on PATH): install Go >= 1.26."
go_version=$(go env GOVERSION)
ldflags="-s -w"
key=$(printf '%s\n' "$COREDNS_MODULE@$COREDNS_VERSION" "$ldflags" "$go_version" | sha256sum | cut -c1-16)
cache=${XDG_CACHE_HOME:-$HOME/.cache}/ttstack/coredns/$key
binary=$cache/coredns
if [[ -x $binary ]]; then
  say "cached: ${binary}"
  echo "$binary"
  exit 0
fi
mkdir -p "$cache"
exec 9>"$cache/.lock"
flock 9
if [[ ! -x $binary ]]; then
  start=$(date +%s)
  say "building ${COREDNS_MODULE}@${COREDNS_VERSION} (about 4.5 min and 1.4 GB on 2 cores with empty Go caches)"
  GOBIN=$cache/bin.tmp /usr/bin/time -f '%M' -o "$cache/.build-rss" \
    go install -trimpath -ldflags="$ldflags" "$COREDNS_MODULE@$COREDNS_VERSION" \
    || fail "go install ${COREDNS_MODULE}@${COREDNS_VERSION} failed (is the Go module proxy, GOPROXY=$(go env GOPROXY), reachable?)"
  mv "$cache/bin.tmp/coredns" "$binary"
  rm -rf "$cache/bin.tmp"
  find "${cache%/*}" -mindepth 1 -maxdepth 1 -type d ! -name "$key" -exec rm -rf {} +
  say "built in $(($(date +%s) - start)) s, largest compiler process $(($(cat "$cache/.build-rss") / 1024)) MB"
fi
echo "$binary"
