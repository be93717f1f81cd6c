#!/usr/bin/env bash
# Installs the npm tools of CI (.ci/npm/package.json, every version pinned by .ci/npm/package-lock.json)
# into .ci/tools/npm, which git ignores. Does nothing when that exact lock file is already installed, so
# it is cheap to call from every script that needs the tools.
# Usage: .ci/npm-tools.sh      (prints the directory whose node_modules/ holds the tools)
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")"
dir=tools/npm
if [[ -f $dir/package-lock.json && -d $dir/node_modules ]] && cmp -s npm/package-lock.json "$dir/package-lock.json" &&
  cmp -s npm/package.json "$dir/package.json"; then
  printf '%s\n' "$PWD/$dir"
  exit 0
fi
rm -rf "$dir"
mkdir -p "$dir"
cp npm/package.json npm/package-lock.json "$dir/"
# --ignore-scripts: none of these packages needs an install script, and none gets to run one.
npm ci --prefix "$dir" --ignore-scripts --no-audit --no-fund --loglevel=error >&2
printf '%s\n' "$PWD/$dir"
