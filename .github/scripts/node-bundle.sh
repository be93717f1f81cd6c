#!/usr/bin/env bash
# Builds the k3s node bundle attached to a GitHub Release (ttstack-node-<version>.tar.gz): the folders
# k3s/ and examples/ of SOURCE_DIR, with spec.app.version of examples/ttstack.yaml set to the release's
# own image tag, so that a node brought up from the bundle of release vX.Y.Z runs vX.Y.Z and not the
# version the examples happened to name when they were last edited.
# Only that one value changes (the line keeps its indentation and comment; spec.postgres.version and
# every other line stay as they are), and the result is checked: the bundle is not written unless
# spec.app.version was found exactly once and the file then names the tag exactly once.
# Usage: node-bundle.sh VERSION OUTPUT.tar.gz [SOURCE_DIR]
#   VERSION 1.2.3 or v1.2.3 (pre-release suffix allowed: 1.2.3-rc.1); the bundle names v1.2.3.
# Exit codes: 0 written; 2 bad arguments; 1 anything else (no spec.app.version found, check failed).
set -euo pipefail

fail() {
  echo "node-bundle.sh: $*" >&2
  exit 1
}
[[ $# -ge 2 && $# -le 3 ]] || { echo "usage: node-bundle.sh VERSION OUTPUT.tar.gz [SOURCE_DIR]" >&2; exit 2; }
[[ $1 =~ ^v?([0-9]+\.[0-9]+\.[0-9]+(-[0-9A-Za-z.-]+)?)$ ]] ||
  { echo "node-bundle.sh: '$1' is not a version such as 1.2.3 or v1.2.3" >&2; exit 2; }
tag="v${BASH_REMATCH[1]}"
output=$2
[[ $output == /* ]] || output="$PWD/$output" # tar runs in the staging folder
source_dir=${3:-.}
[[ -f $source_dir/examples/ttstack.yaml && -d $source_dir/k3s ]] ||
  fail "${source_dir} has no examples/ttstack.yaml or no k3s/"

stage=$(mktemp -d)
trap 'rm -rf "$stage"' EXIT
cp -R "$source_dir/k3s" "$source_dir/examples" "$stage/"
file="$stage/examples/ttstack.yaml"

# A small YAML walk, enough for this file (block style, spaces): "spec:" at column 0, its child "app:",
# and the first "version:" that is a direct child of app (the first key indentation inside it).
awk -v tag="$tag" '
  function indent(s) { match(s, /^ */); return RLENGTH }
  BEGIN { state = "top"; found = 0 }
  /^[ ]*(#.*)?$/ { print; next }                      # blank lines and comments
  {
    n = indent($0)
    if (state == "top") {
      if ($0 ~ /^spec:[ ]*(#.*)?$/) { state = "spec"; spec_child = -1 }
    } else if (state == "spec") {
      if (n == 0) { state = "done" }
      else {
        if (spec_child < 0) spec_child = n
        if (n == spec_child && $0 ~ /^ *app:[ ]*(#.*)?$/) { state = "app"; app_child = -1 }
      }
    } else if (state == "app") {
      if (n <= spec_child) { state = (n == 0) ? "done" : "spec" }
      else {
        if (app_child < 0) app_child = n
        if (n == app_child && $0 ~ /^ *version:/) {
          if (sub(/version:[ ]*("[^"]*"|[^ #]+)/, "version: \"" tag "\"") != 1) exit 3
          found++
        }
      }
    }
    print
  }
  END { if (found != 1) exit 4 }
' "$source_dir/examples/ttstack.yaml" >"$file" || fail "examples/ttstack.yaml: spec.app.version not found exactly once"

# The check the release relies on: the tag appears exactly once, as a version line.
count=$(grep -cE "^ +version: \"${tag//./\\.}\"( |$)" "$file" || true)
((count == 1)) || fail "examples/ttstack.yaml has ${count} lines 'version: \"${tag}\"' after the rewrite, not one"

tar -czf "$output" -C "$stage" k3s examples
echo "node bundle ${output}: k3s/ and examples/, examples/ttstack.yaml spec.app.version \"${tag}\""
