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

command -v go >/dev/null 2>&1 || fail "Go is not installed (or not on PATH): install Go >= 1.26."
go_version=$(go env GOVERSION)
ldflags="-s -w -X main.VERSION=${LOCAL_PATH_VERSION}"
cgo=0
key=$(printf '%s\n' "$LOCAL_PATH_MODULE@$LOCAL_PATH_VERSION" "$ldflags" "CGO_ENABLED=$cgo" "$go_version" | sha256sum | cut -c1-16)
cache=${XDG_CACHE_HOME:-$HOME/.cache}/ttstack/local-path-provisioner/$key
binary=$cache/local-path-provisioner
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
  say "building ${LOCAL_PATH_MODULE}@${LOCAL_PATH_VERSION} (about 2 min on 2 cores with empty Go caches)"
  CGO_ENABLED=$cgo GOBIN=$cache/bin.tmp /usr/bin/time -f '%M' -o "$cache/.build-rss" \
    go install -trimpath -ldflags="$ldflags" "$LOCAL_PATH_MODULE@$LOCAL_PATH_VERSION" \
    || fail "go install ${LOCAL_PATH_MODULE}@${LOCAL_PATH_VERSION} failed (is the Go module proxy, GOPROXY=$(go env GOPROXY), reachable?)"
  mv "$cache/bin.tmp/local-path-provisioner" "$binary"
  rm -rf "$cache/bin.tmp"
  find "${cache%/*}" -mindepth 1 -maxdepth 1 -type d ! -name "$key" -exec rm -rf {} +
  say "built in $(($(date +%s) - start)) s, largest compiler process $(($(cat "$cache/.build-rss") / 1024)) MB"
fi
echo "$binary"
