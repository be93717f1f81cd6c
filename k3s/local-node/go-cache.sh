# shellcheck shell=bash
# What build.sh, build-coredns.sh, build-local-path.sh and build-prometheus.sh share (sourced; the
# caller defines say and fail): a Go build made once into a cache folder keyed by what it is built
# from, one build at a time, older keys removed. Each script keeps what is its own: the pinned
# module, the key's inputs, how it is built.

# Sets GO_VERSION; fails with a clear message when there is no Go.
require_go() {
  command -v go >/dev/null 2>&1 \
    || fail "Go is not installed (or not on PATH). This test tier builds from Go modules: install Go >= 1.26 (the polyglot machine has it)."
  # shellcheck disable=SC2034 # read by the script that sources this
  GO_VERSION=$(go env GOVERSION)
}

# cached_go_build NAME KEY BUILD_FUNCTION FILE...
# Prints the path of the first FILE in $XDG_CACHE_HOME/ttstack/NAME/KEY (default ~/.cache), after
# building the FILEs there with `BUILD_FUNCTION CACHE_FOLDER` unless they are all there already.
# Tests and cluster.sh may ask together: the second caller waits for the lock, then finds them.
# BUILD_FUNCTION may leave the largest compiler process's RSS (KB) in CACHE_FOLDER/.build-rss.
cached_go_build() {
  local name=$1 key=$2 build=$3 cache start
  shift 3
  cache=${XDG_CACHE_HOME:-$HOME/.cache}/ttstack/$name/$key
  if ! cache_holds "$cache" "$@"; then
    mkdir -p "$cache"
    exec {lock}>"$cache/.lock"
    flock "$lock"
    if ! cache_holds "$cache" "$@"; then
      start=$(date +%s)
      "$build" "$cache"
      cache_holds "$cache" "$@" || fail "the build left no $* in ${cache}"
      # Builds of other keys were made from other sources: stale (tens to hundreds of MB each).
      find "${cache%/*}" -mindepth 1 -maxdepth 1 -type d ! -name "$key" -exec rm -rf {} +
      say "built in $(($(date +%s) - start)) s$([[ -s $cache/.build-rss ]] \
        && echo ", largest compiler process $(($(cat "$cache/.build-rss") / 1024)) MB"), $(($(stat -c %s "$cache/$1") / 1048576)) MB"
    fi
    exec {lock}>&-
  fi
  say "cached: ${cache}/$1"
  echo "$cache/$1"
}

# Whether CACHE holds every FILE, the first one executable.
cache_holds() {
  local cache=$1 file
  shift
  [[ -x $cache/$1 ]] || return 1
  for file; do [[ -e $cache/$file ]] || return 1; done
}

# go_install CACHE MODULE@VERSION LDFLAGS BINARY: `go install` of a module that builds as it is (no
# replace lines) into CACHE/BINARY. Its environment (CGO_ENABLED...) is the caller's.
go_install() {
  local cache=$1 target=$2 ldflags=$3 binary=$4
  GOBIN=$cache/bin.tmp /usr/bin/time -f '%M' -o "$cache/.build-rss" \
    go install -trimpath -ldflags="$ldflags" "$target" \
    || fail "go install ${target} failed (is the Go module proxy, GOPROXY=$(go env GOPROXY), reachable?)"
  mv "$cache/bin.tmp/$binary" "$cache/$binary"
  rm -rf "$cache/bin.tmp"
}
