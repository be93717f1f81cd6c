#!/usr/bin/env bash
# Builds Prometheus (prometheus and promtool) from its Go module, pinned below, once, into a cache
# folder keyed by what it is built from, and prints the prometheus binary's path as its last line
# (promtool and the default prometheus.yml are beside it). The image `images.sh prometheus` holds them: Debian's prometheus package
# is built without Kubernetes service discovery, which the operator's scrape config uses.
# It is its own module, like CoreDNS (build-coredns.sh, which this follows), but `go install
# MODULE@VERSION` refuses it: its go.mod has replace lines (k8s.io/klog -> klog-gokit) and exclude
# lines. So the module is downloaded (`go mod download`, into the Go module cache) and built with
# `go build` in its own folder, under its own go.mod and go.sum, as upstream builds it.
# As upstream's .promu.yml: tags netgo and stringlabels, and the version stamped into
# github.com/prometheus/common/version (Version, Revision, Branch, BuildUser, BuildDate: the tag's
# commit and its date, so the build is the same on every machine), so `prometheus --version` says
# 2.53.3. Not the builtinassets tag: the web UI's assets are compiled by npm upstream and the tests
# need none of it (the API, /-/ready and /metrics work without them; the UI pages answer with errors).
# CGO_ENABLED=0: static binaries, so the image needs nothing but them. Needs Go and the Go module
# proxy unless the module cache already holds every module.
#
# Usage: k3s/local-node/build-prometheus.sh   (progress on stderr, the prometheus binary's path on stdout)
# Env:   XDG_CACHE_HOME   cache root (default ~/.cache): $XDG_CACHE_HOME/ttstack/prometheus/<key>/prometheus
set -euo pipefail

# The operator's default image is prom/prometheus:v2.53.3 (PrometheusSpec); its Go module version is
# v0.53.3 (Prometheus 2.x modules are v0.x), its tag v2.53.3 is commit REVISION of DATE.
PROMETHEUS_MODULE=github.com/prometheus/prometheus
PROMETHEUS_MODULE_VERSION=v0.53.3
PROMETHEUS_VERSION=2.53.3
PROMETHEUS_REVISION=1491d29fb1e8f8acbab29fd54fd4ce9be2cbd7bc
PROMETHEUS_BUILD_DATE=20241105-12:15:36

say() { printf '[prometheus build] %s\n' "$*" >&2; }
fail() { say "FAIL: $*"; exit 1; }
# shellcheck source=k3s/local-node/go-cache.sh disable=SC1091 # from the repository root it is followed
source "$(dirname "${BASH_SOURCE[0]}")/go-cache.sh"

build() {
  local cache=$1 src
  say "building ${PROMETHEUS_MODULE}@${PROMETHEUS_MODULE_VERSION} (about 6.5 min and 1.8 GB on 2 cores with empty Go caches)"
  # The module's folder in the module cache (read-only: go build writes nothing there).
  src=$(cd "$cache" && go mod download -json "$PROMETHEUS_MODULE@$PROMETHEUS_MODULE_VERSION" \
    | sed -n 's/^[[:space:]]*"Dir": "\(.*\)",$/\1/p') \
    || fail "go mod download ${PROMETHEUS_MODULE}@${PROMETHEUS_MODULE_VERSION} failed (is the Go module proxy, GOPROXY=$(go env GOPROXY), reachable?)"
  [[ -f $src/go.mod && -f $src/go.sum ]] || fail "no module folder for ${PROMETHEUS_MODULE}@${PROMETHEUS_MODULE_VERSION} ('${src}')"
  rm -rf "$cache/bin.tmp"
  mkdir -p "$cache/bin.tmp"
  (cd "$src" && CGO_ENABLED=$cgo GOFLAGS=-mod=readonly /usr/bin/time -f '%M' -o "$cache/.build-rss" \
    go build -trimpath -tags "$tags" -ldflags="$ldflags" -o "$cache/bin.tmp/" ./cmd/prometheus ./cmd/promtool) \
    || fail "go build of ${PROMETHEUS_MODULE}@${PROMETHEUS_MODULE_VERSION} failed (is the Go module proxy, GOPROXY=$(go env GOPROXY), reachable?)"
  "$cache/bin.tmp/prometheus" --version 2>&1 | grep -q "version ${PROMETHEUS_VERSION} " \
    || fail "the built prometheus does not say version ${PROMETHEUS_VERSION}"
  # The official image's default config (documentation/examples/prometheus.yml), for images.sh.
  install -m 0644 "$src/documentation/examples/prometheus.yml" "$cache/prometheus.yml"
  mv "$cache/bin.tmp/promtool" "$cache/promtool"
  mv "$cache/bin.tmp/prometheus" "$cache/prometheus"
  rm -rf "$cache/bin.tmp"
}

require_go
v=github.com/prometheus/common/version
ldflags="-s -w -X ${v}.Version=${PROMETHEUS_VERSION} -X ${v}.Revision=${PROMETHEUS_REVISION} -X ${v}.Branch=HEAD"
ldflags+=" -X ${v}.BuildUser=ttstack@build-prometheus.sh -X ${v}.BuildDate=${PROMETHEUS_BUILD_DATE}"
tags=netgo,stringlabels
cgo=0
key=$(printf '%s\n' "$PROMETHEUS_MODULE@$PROMETHEUS_MODULE_VERSION" "$ldflags" "$tags" "CGO_ENABLED=$cgo" "$GO_VERSION" \
  | sha256sum | cut -c1-16)
cached_go_build prometheus "$key" build prometheus promtool prometheus.yml
