#!/usr/bin/env bash
# Turns a fresh Amazon Linux 2023 or Ubuntu (22.04, 24.04) EC2 instance into a TTStack node:
#   1. the AWS CLI (for SSM Parameter Store), if missing;
#   2. the data volume (optional --data-device): formatted once, in /etc/fstab, mounted at --data-dir;
#   3. /etc/rancher/k3s/config.yaml (local-path volumes on the data volume, Traefik kept);
#   4. k3s, at the version pinned below, with its installer checked against a pinned SHA-256;
#   5. the Doppler service token: SSM Parameter Store (SecureString) -> Secret doppler-token, key
#      serviceToken, in the TTStack's namespace; the token never touches the disk;
#   6. auto-deploy manifests in /var/lib/rancher/k3s/server/manifests: a HelmChart for the operator chart,
#      then (once its CRD is Established) the namespace and the TTStack.
# Idempotent: a second run finds everything as wanted and changes nothing. Run it as root, by hand or as
# cloud-init user-data (k3s/README.md).
#
# Usage:
#   sudo k3s/setup-node.sh --operator-version 1.2.3 [--region eu-central-1] [--data-device /dev/nvme1n1]
#   k3s/setup-node.sh --dry-run --root /tmp/node --operator-version 1.2.3 --region eu-central-1
# --dry-run writes the files under --root (a scratch directory standing for /) and prints every command
# it would run as a "PLAN:" line instead of running it. Read-only probes (is k3s installed, at which
# version? is the volume formatted, mounted?) still run, so a dry run plans what a real run would do.
# Output lines: "WROTE <path>", "UNCHANGED <path>", "KEPT <path>", "PLAN: <command>", "==> <step>".
set -euo pipefail

# k3s release and the SHA-256 of its install.sh (the installer verifies the k3s binary it downloads
# against the release's own checksums). Upgrade both together: see k3s/README.md.
K3S_VERSION="v1.36.4+k3s1"
K3S_INSTALLER_SHA256="46177d4c99440b4c0311b67233823a8e8a2fc09693f6c89af1a7161e152fbfad"
K3S_INSTALLER_URL="https://raw.githubusercontent.com/k3s-io/k3s/${K3S_VERSION/+/%2B}/install.sh"

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
MANIFESTS_DIR=/var/lib/rancher/k3s/server/manifests
K3S_CONFIG=/etc/rancher/k3s/config.yaml
KUBECONFIG_PATH=/etc/rancher/k3s/k3s.yaml
CRD_NAME=ttstacks.ttstack.dev
TOKEN_SECRET=doppler-token
TOKEN_KEY=serviceToken
FIELD_MANAGER=ttstack-node-setup

DRY_RUN=false
ROOT=/
OPERATOR_VERSION=""
OPERATOR_CHART="oci://ghcr.io/tt-org/charts/tt-operator"
OPERATOR_NAMESPACE="ttstack-system"
REGION=${AWS_REGION:-}
TOKEN_PARAMETER="/tt/prd/doppler-service-token"
TTSTACK_FILE="$HERE/../examples/ttstack.yaml"
DATA_DEVICE=""
DATA_DIR=/data
DATA_LABEL=ttdata
WAIT_NODE_SECONDS=300
WAIT_CRD_SECONDS=600

CHANGED=0   # files written by this run

usage() {
  sed -n '2,/^set -euo/p' "${BASH_SOURCE[0]}" | sed -e '$d' -e 's/^# \{0,1\}//'
  cat <<EOF
Options:
  --operator-version V   chart version of the operator (also its image tag)        (required)
  --operator-chart REF   OCI reference of the chart       (default ${OPERATOR_CHART})
  --operator-namespace N namespace of the operator        (default ${OPERATOR_NAMESPACE})
  --ttstack FILE         the TTStack to deploy            (default examples/ttstack.yaml)
  --token-parameter P    SSM SecureString parameter holding the Doppler token
                                                          (default ${TOKEN_PARAMETER})
  --region R             AWS region of that parameter     (default \$AWS_REGION, else the instance's)
  --data-device DEV      block device for volumes, e.g. /dev/nvme1n1 (default: none, root disk)
  --data-dir DIR         where the data volume is mounted (default ${DATA_DIR})
  --dry-run              plan only: commands are printed, files go under --root
  --root DIR             with --dry-run: the directory standing for /
EOF
}

say() { printf '%s\n' "$*"; }
die() { printf 'setup-node: %s\n' "$*" >&2; exit 1; }
step() { say "==> $*"; }

# The command as a shell would read it back.
quoted() {
  local out="" word
  for word in "$@"; do out+="${out:+ }$(printf '%q' "$word")"; done
  printf '%s' "$out"
}

# Runs a command, or prints it on a dry run.
run() {
  if $DRY_RUN; then
    say "PLAN: $(quoted "$@")"
  else
    "$@"
  fi
}

have() { command -v "$1" >/dev/null 2>&1; }

# Path of TARGET (an absolute path on the node) under ROOT.
rooted() { printf '%s%s' "${ROOT%/}" "$1"; }

# Writes CONTENT (and a final newline) to TARGET with MODE when the file differs, and says what it did.
# Sets WROTE to true or false.
put_file() {
  local target=$1 mode=$2 content=$3 path tmp
  path=$(rooted "$target")
  WROTE=false
  if [[ -f $path ]] && cmp -s "$path" <(printf '%s\n' "$content"); then
    if [[ $(stat -c %a "$path") == "${mode#0}" ]]; then
      say "UNCHANGED $target"
      return 0
    fi
    chmod "$mode" "$path"
    say "WROTE $target (mode ${mode})"
  else
    mkdir -p "$(dirname "$path")"
    tmp=$(mktemp "${path}.XXXXXX")
    printf '%s\n' "$content" >"$tmp"
    chmod "$mode" "$tmp"
    mv -f "$tmp" "$path"
    say "WROTE $target"
  fi
  WROTE=true
  CHANGED=$((CHANGED + 1))
}

# Creates directory TARGET (under ROOT) when missing.
put_dir() {
  local path
  path=$(rooted "$1")
  if [[ ! -d $path ]]; then
    mkdir -p "$path"
    say "WROTE $1/"
    CHANGED=$((CHANGED + 1))
  fi
}

# Prints TEMPLATE with each ${NAME} replaced by the VALUE of a NAME=VALUE argument; fails on a leftover.
render() {
  local template=$1 text pair key value
  shift
  text=$(<"$template")
  for pair in "$@"; do
    key=${pair%%=*}
    value=${pair#*=}
    text=${text//"\${${key}}"/"$value"}
  done
  if [[ $text =~ \$\{[A-Z_]+\} ]]; then
    die "${template}: no value for ${BASH_REMATCH[0]}"
  fi
  printf '%s' "$text"
}

# Retries COMMAND every 5 s until it succeeds or SECONDS pass; a dry run only prints it.
wait_for() {
  local what=$1 seconds=$2 deadline
  shift 2
  if $DRY_RUN; then
    say "PLAN: $(quoted "$@")   # retried for up to ${seconds} s: ${what}"
    return 0
  fi
  deadline=$((SECONDS + seconds))
  until "$@" >/dev/null 2>&1; do
    if ((SECONDS >= deadline)); then
      die "timed out after ${seconds} s waiting for ${what}"
    fi
    sleep 5
  done
  say "${what}: yes"
}

parse_args() {
  while (($# > 0)); do
    case $1 in
      --operator-version) OPERATOR_VERSION=${2:?}; shift ;;
      --operator-chart) OPERATOR_CHART=${2:?}; shift ;;
      --operator-namespace) OPERATOR_NAMESPACE=${2:?}; shift ;;
      --ttstack) TTSTACK_FILE=${2:?}; shift ;;
      --token-parameter) TOKEN_PARAMETER=${2:?}; shift ;;
      --region) REGION=${2:?}; shift ;;
      --data-device) DATA_DEVICE=${2:?}; shift ;;
      --data-dir) DATA_DIR=${2:?}; shift ;;
      --dry-run) DRY_RUN=true ;;
      --root) ROOT=${2:?}; shift ;;
      -h | --help) usage; exit 0 ;;
      *) die "unknown argument: $1 (see --help)" ;;
    esac
    shift
  done
  [[ -n $OPERATOR_VERSION ]] || die "--operator-version is required (the chart version to install)"
  [[ $OPERATOR_VERSION =~ ^[0-9]+\.[0-9]+\.[0-9]+(-[0-9A-Za-z.-]+)?$ ]] ||
    die "--operator-version must be a semantic version such as 1.2.3, got '${OPERATOR_VERSION}'"
  [[ $OPERATOR_NAMESPACE =~ ^[a-z0-9]([-a-z0-9]*[a-z0-9])?$ ]] || die "bad --operator-namespace '${OPERATOR_NAMESPACE}'"
  [[ $OPERATOR_CHART == oci://* ]] || die "--operator-chart must be an oci:// reference"
  [[ $TOKEN_PARAMETER =~ ^/?[A-Za-z0-9_.\/-]+$ ]] || die "bad --token-parameter '${TOKEN_PARAMETER}'"
  [[ $DATA_DIR =~ ^/[A-Za-z0-9_./-]+$ ]] || die "--data-dir must be an absolute path"
  [[ -z $DATA_DEVICE || $DATA_DEVICE =~ ^/dev/[A-Za-z0-9/_-]+$ ]] || die "bad --data-device '${DATA_DEVICE}'"
  [[ -f $TTSTACK_FILE ]] || die "no TTStack file at ${TTSTACK_FILE} (--ttstack)"
  TTSTACK_FILE=$(cd "$(dirname "$TTSTACK_FILE")" && pwd)/$(basename "$TTSTACK_FILE")
  if $DRY_RUN; then
    [[ $ROOT != / ]] || die "--dry-run needs --root DIR (a scratch directory standing for /)"
    mkdir -p "$ROOT"
    ROOT=$(cd "$ROOT" && pwd)
  else
    [[ $ROOT == / ]] || die "--root is only for --dry-run"
    ((EUID == 0)) || die "run as root (sudo), or use --dry-run --root DIR"
    export KUBECONFIG=$KUBECONFIG_PATH
    export PATH="/usr/local/bin:${PATH}"
  fi
}

# Sets OS_ID (amzn or ubuntu) from the node's /etc/os-release.
detect_os() {
  local release
  release=$(rooted /etc/os-release)
  [[ -f $release ]] || die "cannot tell the operating system: no ${release}"
  OS_ID=$(sed -n 's/^ID=//p' "$release" | tr -d "\"'")
  case $OS_ID in
    amzn | ubuntu) say "operating system: ${OS_ID}" ;;
    *) die "unsupported operating system '${OS_ID}': Amazon Linux 2023 or Ubuntu only" ;;
  esac
}

# Prints metadata.KEY of the TTStack file (a top-level "metadata:" block, two-space indented keys).
ttstack_meta() {
  awk -v key="$1" '
    /^metadata:/ { inside = 1; next }
    inside && /^[^ #]/ { inside = 0 }
    inside && $1 == key ":" { gsub(/["\047]/, "", $2); print $2; exit }
  ' "$TTSTACK_FILE"
}

# Sets TT_NAMESPACE and TT_NAME from the TTStack file.
read_ttstack() {
  grep -q '^kind: TTStack' "$TTSTACK_FILE" || die "${TTSTACK_FILE} holds no 'kind: TTStack'"
  TT_NAMESPACE=$(ttstack_meta namespace)
  TT_NAME=$(ttstack_meta name)
  [[ -n $TT_NAMESPACE ]] || die "${TTSTACK_FILE}: metadata.namespace must be set (the token Secret goes there)"
  [[ -n $TT_NAME ]] || die "${TTSTACK_FILE}: metadata.name must be set"
  say "TTStack: ${TT_NAMESPACE}/${TT_NAME} from ${TTSTACK_FILE}"
}

resolve_region() {
  if [[ -n $REGION ]]; then
    return
  fi
  if $DRY_RUN; then
    REGION="<region of the instance>"
    say "PLAN: read the region from the instance metadata service (IMDSv2)"
    return
  fi
  local token
  token=$(curl -sSf -X PUT http://169.254.169.254/latest/api/token -H 'X-aws-ec2-metadata-token-ttl-seconds: 60')
  REGION=$(curl -sSf -H "X-aws-ec2-metadata-token: ${token}" http://169.254.169.254/latest/meta-data/placement/region)
  [[ -n $REGION ]] || die "no region from the instance metadata: pass --region"
}

install_prerequisites() {
  step "prerequisites"
  if have aws; then
    say "aws cli: present"
  elif [[ $OS_ID == amzn ]]; then
    run dnf install -y awscli-2
  else
    run snap install aws-cli --classic
  fi
}

prepare_data_volume() {
  step "data volume"
  if [[ -z $DATA_DEVICE ]]; then
    say "no --data-device: volumes live under ${DATA_DIR} on the root disk"
    put_dir "$DATA_DIR/local-path"
    return
  fi
  local fs_type uuid source
  fs_type=$(blkid -o value -s TYPE "$DATA_DEVICE" 2>/dev/null || true)
  if [[ -z $fs_type ]]; then
    run mkfs.ext4 -q -L "$DATA_LABEL" "$DATA_DEVICE"
    fs_type=ext4
    source="LABEL=${DATA_LABEL}"
  else
    uuid=$(blkid -o value -s UUID "$DATA_DEVICE" 2>/dev/null || true)
    [[ -n $uuid ]] || die "${DATA_DEVICE} has a ${fs_type} filesystem without a UUID"
    say "${DATA_DEVICE}: ${fs_type} filesystem already there (kept)"
    source="UUID=${uuid}"
  fi
  # nofail: the instance still boots (and can be repaired over SSM) if the volume is missing.
  local entry="${source} ${DATA_DIR} ${fs_type} defaults,nofail 0 2" fstab current
  fstab=$(rooted /etc/fstab)
  current=""
  [[ -f $fstab ]] && current=$(<"$fstab")
  if grep -qE "^[^#[:space:]]+[[:space:]]+${DATA_DIR}[[:space:]]" <<<"$current"; then
    say "UNCHANGED /etc/fstab (${DATA_DIR} already listed)"
  else
    put_file /etc/fstab 0644 "${current:+${current}$'\n'}${entry}"
  fi
  put_dir "$DATA_DIR"
  if mountpoint -q "$(rooted "$DATA_DIR")"; then
    say "${DATA_DIR}: mounted"
  else
    run mount "$DATA_DIR"
  fi
  put_dir "$DATA_DIR/local-path"
}

# Sets CONFIG_CHANGED when config.yaml was (re)written.
write_k3s_config() {
  step "k3s configuration"
  put_file "$K3S_CONFIG" 0600 "$(render "$HERE/config.yaml" "DATA_DIR=${DATA_DIR}")"
  CONFIG_CHANGED=$WROTE
}

installed_k3s_version() {
  if have k3s; then
    k3s --version 2>/dev/null | awk 'NR == 1 { print $3 }'
  fi
}

install_k3s() {
  step "k3s ${K3S_VERSION}"
  local current
  current=$(installed_k3s_version)
  if [[ $current == "$K3S_VERSION" ]]; then
    say "k3s ${K3S_VERSION}: installed"
    if $CONFIG_CHANGED; then
      run systemctl restart k3s
    fi
    return
  fi
  [[ -z $current ]] || say "k3s ${current} installed: upgrading to ${K3S_VERSION}"
  # SELinux is permissive on Amazon Linux 2023 and its k3s-selinux RPM repository does not cover it.
  local -a env=(INSTALL_K3S_VERSION="$K3S_VERSION")
  [[ $OS_ID != amzn ]] || env+=(INSTALL_K3S_SKIP_SELINUX_RPM=true)
  if $DRY_RUN; then
    say "PLAN: curl -sfL -o <installer> $(quoted "$K3S_INSTALLER_URL")"
    say "PLAN: verify sha256 ${K3S_INSTALLER_SHA256} <installer>"
    say "PLAN: $(quoted env "${env[@]}") sh <installer> server"
    return
  fi
  local installer
  installer=$(mktemp /tmp/k3s-install.XXXXXX)
  # shellcheck disable=SC2064 # expand now: the file name is known now
  trap "rm -f '${installer}'" EXIT
  curl -sfL --proto '=https' -o "$installer" "$K3S_INSTALLER_URL"
  echo "${K3S_INSTALLER_SHA256}  ${installer}" | sha256sum -c --quiet - ||
    die "the k3s installer at ${K3S_INSTALLER_URL} does not match its pinned SHA-256; nothing was run"
  env "${env[@]}" sh "$installer" server
}

wait_for_node() {
  step "node"
  wait_for "the API server to answer" "$WAIT_NODE_SECONDS" kubectl get --raw=/readyz
  wait_for "the node to be Ready" "$WAIT_NODE_SECONDS" kubectl wait --for=condition=Ready node --all --timeout=10s
}

# Namespace, then the Doppler token from SSM Parameter Store into the Secret. The token goes from the
# AWS CLI's stdout through a shell variable (memory) into kubectl's stdin: never a file, never argv.
# It is read into a variable first, not piped straight on, so that a failing or empty read stops here
# instead of replacing a good Secret with an empty one.
sync_token() {
  step "Doppler token (SSM ${TOKEN_PARAMETER} -> Secret ${TT_NAMESPACE}/${TOKEN_SECRET})"
  local -a make_ns=(kubectl create namespace "$TT_NAMESPACE" --dry-run=client -o yaml)
  local -a apply=(kubectl apply --server-side --field-manager="$FIELD_MANAGER" -f -)
  local -a get=(aws ssm get-parameter --region "$REGION" --name "$TOKEN_PARAMETER" --with-decryption
    --query Parameter.Value --output text)
  local -a make_secret=(kubectl -n "$TT_NAMESPACE" create secret generic "$TOKEN_SECRET"
    "--from-file=${TOKEN_KEY}=/dev/stdin" --dry-run=client -o yaml)
  if $DRY_RUN; then
    say "PLAN: $(quoted "${make_ns[@]}") | $(quoted "${apply[@]}")"
    say "PLAN: $(quoted "${get[@]}") | $(quoted "${make_secret[@]}") | $(quoted "${apply[@]}")"
    return
  fi
  "${make_ns[@]}" | "${apply[@]}"
  local token
  token=$("${get[@]}") || die "could not read ${TOKEN_PARAMETER} from SSM Parameter Store (IAM role? region ${REGION}?)"
  [[ -n $token && $token != None ]] || die "${TOKEN_PARAMETER} is empty"
  printf '%s' "$token" | "${make_secret[@]}" | "${apply[@]}"
  unset token
}

write_operator_chart() {
  step "operator chart ${OPERATOR_CHART}:${OPERATOR_VERSION}"
  put_file "$MANIFESTS_DIR/tt-operator.yaml" 0600 "$(render "$HERE/manifests/tt-operator-helmchart.yaml" \
    "OPERATOR_CHART=${OPERATOR_CHART}" "OPERATOR_VERSION=${OPERATOR_VERSION}" \
    "OPERATOR_NAMESPACE=${OPERATOR_NAMESPACE}")"
  wait_for "the CRD ${CRD_NAME} (installed by the chart) to be Established" "$WAIT_CRD_SECONDS" \
    kubectl wait --for=condition=Established "crd/${CRD_NAME}" --timeout=10s
}

# Written once. After bring-up the live TTStack is the source of truth: deploys patch
# spec.app.version in the cluster, and k3s re-applies a manifest only when its file changes, so a
# rewrite here would roll the app back to the file's version.
write_ttstack() {
  step "TTStack ${TT_NAMESPACE}/${TT_NAME}"
  local target="$MANIFESTS_DIR/ttstack.yaml"
  if [[ -f $(rooted "$target") ]]; then
    say "KEPT $target (written at bring-up; change the live object: kubectl -n ${TT_NAMESPACE} edit tts ${TT_NAME})"
    return
  fi
  put_file "$target" 0600 "$(render "$HERE/manifests/namespace.yaml" "TT_NAMESPACE=${TT_NAMESPACE}")
---
$(<"$TTSTACK_FILE")"
}

main() {
  parse_args "$@"
  if $DRY_RUN; then
    say "DRY RUN: files under ${ROOT}, commands printed, not run"
  fi
  detect_os
  read_ttstack
  resolve_region
  install_prerequisites
  prepare_data_volume
  write_k3s_config
  install_k3s
  wait_for_node
  sync_token
  write_operator_chart
  write_ttstack
  say "done: ${CHANGED} file(s) written"
}

main "$@"
