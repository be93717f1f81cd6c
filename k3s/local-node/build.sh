#!/usr/bin/env bash
# Builds local-node (etcd, kube-apiserver, kube-controller-manager, kube-scheduler, kubectl, kubelet
# and kube-proxy from the upstream Go modules pinned in go.mod/go.sum) once, into a cache folder
# keyed by what it is built from, and prints the binary's path as its last line. A second call
# finds it and returns at once. Go is needed, and the Go module proxy (GOPROXY) unless the module
# cache already holds every module. Nothing is downloaded from anywhere else.
#
# Usage: k3s/local-node/build.sh        (prints progress on stderr, the binary's path on stdout)
# Env:   XDG_CACHE_HOME   cache root (default ~/.cache); the binary goes to
#                         $XDG_CACHE_HOME/ttstack/local-node/<key>/local-node
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# The Kubernetes version compiled in (what `kubectl version` and the API server's /version say).
# It must be the version of k8s.io/kubernetes in go.mod: checked below.
K8S_VERSION=v1.36.4

say() { printf '[local-node build] %s\n' "$*" >&2; }
fail() { say "FAIL: $*"; exit 1; }
# shellcheck source=k3s/local-node/go-cache.sh disable=SC1091 # from the repository root it is followed
source "$(dirname "${BASH_SOURCE[0]}")/go-cache.sh"

build() {
  local cache=$1 start download_log
  cd "$HERE"
  start=$(date +%s)
  say "downloading modules (GOPROXY=$(go env GOPROXY))"
  if ! download_log=$(GOFLAGS=-mod=readonly go mod download 2>&1); then
    printf '%s\n' "$download_log" | tail -n 20 >&2
    fail "cannot download the Go modules: is the Go module proxy (GOPROXY=$(go env GOPROXY)) reachable from this machine?"
  fi
  say "modules ready in $(($(date +%s) - start)) s; building ${K8S_VERSION} (about 4.5 min on 2 cores with an empty Go build cache)"
  /usr/bin/time -f '%M' -o "$cache/.build-rss" \
    go build -mod=readonly -trimpath -ldflags="$ldflags" -o "$cache/local-node.tmp" . \
    || fail "go build failed (see above)"
  mv "$cache/local-node.tmp" "$cache/local-node"
}

require_go
if ! [[ $GO_VERSION =~ ^go1\.([0-9]+) ]] || ((BASH_REMATCH[1] < 26)); then
  fail "Go ${GO_VERSION} is too old: go.mod needs go 1.26.0 or newer (no toolchain is downloaded)."
fi
grep -Eq "^[[:space:]]*k8s.io/kubernetes ${K8S_VERSION//./\\.}\$" "$HERE/go.mod" \
  || fail "go.mod does not require k8s.io/kubernetes ${K8S_VERSION}: keep build.sh's K8S_VERSION and go.mod in step."

minor=${K8S_VERSION#v1.}
minor=${minor%%.*}
ldflags="-s -w"
for pkg in k8s.io/component-base/version k8s.io/client-go/pkg/version; do
  # Without these the server reports v0.0.0-master+$Format:%H$, which kubectl cannot parse.
  ldflags+=" -X ${pkg}.gitVersion=${K8S_VERSION} -X ${pkg}.gitMajor=1 -X ${pkg}.gitMinor=${minor}"
  ldflags+=" -X ${pkg}.gitTreeState=clean"
done
# The key: everything the binary is made from (module graph, source, link flags, Go version).
key=$( { cat "$HERE/go.mod" "$HERE/go.sum" "$HERE"/*.go; echo "$ldflags"; echo "$GO_VERSION"; } \
  | sha256sum | cut -c1-16)
cached_go_build local-node "$key" build local-node
