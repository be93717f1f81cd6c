#!/usr/bin/env bash
# Checks the YAML a TTStack node gets, as it is rendered, plus the examples:
#   1. k3s/setup-node.sh --dry-run into a scratch root (an Ubuntu node with a data volume): it must
#      succeed, and a second run must write nothing;
#   2. yamllint --strict on every YAML file it wrote (config.yaml, deploy.env is no YAML) and on the
#      objects k3s/apply-stack.sh applies at bring-up (--print-manifests: namespaces, HelmChart);
#   3. .ci/validate-manifests.mjs on those objects and on examples/*.yaml: built-in kinds against
#      kubernetes-models, TTStacks against the committed CRD's schema (HelmChart fields are checked by
#      K3sNodeSetupTest in the operator module).
# Usage: .ci/check-manifests.sh
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
root=$(mktemp -d)
trap 'rm -rf "$root"' EXIT
mkdir -p "$root/etc"
printf 'NAME="Ubuntu"\nID=ubuntu\nVERSION_ID="24.04"\n' >"$root/etc/os-release"
# The data volume as udev names it on a Nitro instance (a fake device file and its by-id link).
mkdir -p "$root/dev/disk/by-id"
: >"$root/dev/nvme1n1"
ln -s ../../nvme1n1 "$root/dev/disk/by-id/nvme-Amazon_Elastic_Block_Store_vol0123456789abcdef0"
args=(--dry-run --root "$root" --operator-version 1.0.0 --region eu-central-1 --data-volume vol-0123456789abcdef0)

bash k3s/setup-node.sh "${args[@]}" >"$root.first.log"
second=$(bash k3s/setup-node.sh "${args[@]}")
rm -f "$root.first.log"
if ! grep -qx 'done: 0 file(s) written' <<<"$second"; then
  printf '%s\n' "$second" >&2
  echo "FAIL: a second dry run of k3s/setup-node.sh wrote files" >&2
  exit 1
fi

bash k3s/apply-stack.sh --print-manifests --operator-version 1.0.0 --ttstack examples/ttstack.yaml \
  --region eu-central-1 >"$root/stack.yaml"
mapfile -t rendered < <(find "$root" -type f \( -name '*.yaml' -o -name '*.yml' \) | sort)
((${#rendered[@]} >= 2)) || { echo "FAIL: ${#rendered[@]} rendered YAML file(s), expected 2" >&2; exit 1; }
echo "yamllint --strict ${#rendered[@]} rendered file(s)"
yamllint --strict -c .yamllint "${rendered[@]}"

tools=$(bash .ci/npm-tools.sh)
node .ci/validate-manifests.mjs "$tools" crds/ttstacks.ttstack.dev-v1.yml \
  "$root/stack.yaml" examples/*.yaml
