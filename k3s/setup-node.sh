#!/usr/bin/env bash
# Turns a fresh Amazon Linux 2023 or Ubuntu (22.04, 24.04) EC2 instance into a TTStack node:
#   1. the AWS CLI (for SSM Parameter Store), if missing;
#   2. the data volume, found by its EBS volume id (--data-volume vol-...): never an instance-store
#      disk, formatted only when it holds nothing, in /etc/fstab by UUID, mounted at --data-dir; a
#      systemd drop-in makes k3s wait for that mount (no k3s, hence no empty database, without it);
#   3. /etc/rancher/k3s/config.yaml (local-path volumes on the data volume, Traefik kept);
#   4. k3s, at the version pinned below, with its installer checked against a pinned SHA-256;
#   5. /usr/local/sbin/ttstack-deploy (the node-side deploy) and its defaults /etc/ttstack/deploy.env;
#   6. the Kubernetes objects, by apply-stack.sh: namespaces, the Doppler token and the GHCR pull
#      credentials (SSM Parameter Store -> Secrets, never on disk), the operator's HelmChart
#      (server-side apply), the TTStack (created once). Nothing goes into k3s's auto-deploy folder,
#      which k3s re-applies at every start: the live objects are the source of truth.
# Idempotent: a second run finds everything as wanted and changes nothing (it never changes the live
# TTStack nor the live operator version). Run it as root, by hand or as cloud-init user-data
# (k3s/README.md).
#
# Usage:
#   sudo k3s/setup-node.sh --operator-version 1.2.3 [--region eu-central-1] [--data-volume vol-0123456789abcdef0]
#   k3s/setup-node.sh --dry-run --root /tmp/node --operator-version 1.2.3 --region eu-central-1
# --dry-run writes the files under --root (a scratch directory standing for /) and prints every command
# it would run as a "PLAN:" line instead of running it. Read-only probes (is k3s installed, at which
# version? which disk is the volume, is it formatted, mounted?) still run, so a dry run plans what a
# real run would do.
# Output lines: "WROTE <path>", "UNCHANGED <path>", "KEPT ...", "PLAN: <command>", "==> <step>".
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
K3S_DROPIN=/etc/systemd/system/k3s.service.d/10-ttstack-data-volume.conf
DEPLOY_TOOL=/usr/local/sbin/ttstack-deploy
DEPLOY_ENV=/etc/ttstack/deploy.env
# The by-id names Linux (udev) gives an EBS volume and an instance-store disk on Nitro instances. The
# EBS name ends with the NVMe serial, which is the volume id without its dash.
EBS_PREFIX=nvme-Amazon_Elastic_Block_Store_
INSTANCE_STORE_PREFIX=nvme-Amazon_EC2_NVMe_Instance_Storage_

DRY_RUN=false
ROOT=/
OPERATOR_VERSION=""
OPERATOR_CHART="oci://ghcr.io/tt-org/charts/tt-operator"
OPERATOR_NAMESPACE="ttstack-system"
REGION=${AWS_REGION:-}
TOKEN_PARAMETER="/tt/prd/doppler-service-token"
REGISTRY_PARAMETER="/tt/prd/ghcr-pull"
TTSTACK_FILE="$HERE/../examples/ttstack.yaml"
DATA_VOLUME=""
DATA_DEVICE=""
DATA_DIR=/data
DATA_LABEL=ttdata
WAIT_NODE_SECONDS=300
WAIT_DEVICE_SECONDS=120

CHANGED=0   # files written by this run

usage() {
  sed -n '2,/^set -euo/p' "${BASH_SOURCE[0]}" | sed -e '$d' -e 's/^# \{0,1\}//'
  cat <<EOF
Options:
  --operator-version V   chart version of the operator at bring-up: 1.2.3 or v1.2.3 (required;
                         a live operator is kept: upgrades are ttstack-deploy's)
  --operator-chart REF   OCI reference of the chart       (default ${OPERATOR_CHART})
  --operator-namespace N namespace of the operator        (default ${OPERATOR_NAMESPACE})
  --ttstack FILE         the TTStack to deploy            (default examples/ttstack.yaml)
  --token-parameter P    SSM SecureString parameter holding the Doppler token
                                                          (default ${TOKEN_PARAMETER})
  --registry-parameter P SSM SecureString parameter holding USERNAME:TOKEN for ghcr.io
                                                          (default ${REGISTRY_PARAMETER})
  --no-registry-credentials  the GHCR packages are public: no pull Secret
  --region R             AWS region of the parameters     (default \$AWS_REGION, else the instance's)
  --data-volume VOL      EBS volume id of the data volume, e.g. vol-0123456789abcdef0
                         (default: none, volumes on the root disk)
  --data-device DEV      the same by device, e.g. /dev/nvme1n1: only if it is an EBS volume
  --data-dir DIR         where the data volume is mounted (default ${DATA_DIR})
  --dry-run              plan only: commands are printed, files go under --root
  --root DIR             with --dry-run: the directory standing for /
EOF
}

PROG=setup-node
[[ -f $HERE/lib.sh ]] || { echo "setup-node: no lib.sh next to setup-node.sh in ${HERE}: the node bundle is incomplete" >&2; exit 1; }
# shellcheck source-path=SCRIPTDIR source=lib.sh
source "$HERE/lib.sh"

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
      --registry-parameter) REGISTRY_PARAMETER=${2:?}; shift ;;
      --no-registry-credentials) REGISTRY_PARAMETER="" ;;
      --data-volume) DATA_VOLUME=${2:?}; shift ;;
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
  [[ $OPERATOR_VERSION =~ ^v?[0-9]+\.[0-9]+\.[0-9]+(-[0-9A-Za-z.-]+)?$ ]] ||
    die "--operator-version must be a version such as 1.2.3 or v1.2.3, got '${OPERATOR_VERSION}'"
  [[ $OPERATOR_NAMESPACE =~ ^[a-z0-9]([-a-z0-9]*[a-z0-9])?$ ]] || die "bad --operator-namespace '${OPERATOR_NAMESPACE}'"
  [[ $OPERATOR_CHART == oci://* ]] || die "--operator-chart must be an oci:// reference"
  [[ $TOKEN_PARAMETER =~ ^/?[A-Za-z0-9_.\/-]+$ ]] || die "bad --token-parameter '${TOKEN_PARAMETER}'"
  [[ -z $REGISTRY_PARAMETER || $REGISTRY_PARAMETER =~ ^/?[A-Za-z0-9_.\/-]+$ ]] ||
    die "bad --registry-parameter '${REGISTRY_PARAMETER}'"
  [[ -z $DATA_VOLUME || $DATA_VOLUME =~ ^vol-[0-9a-f]{8,17}$ ]] ||
    die "--data-volume must be an EBS volume id such as vol-0123456789abcdef0, got '${DATA_VOLUME}'"
  [[ -z $DATA_VOLUME || -z $DATA_DEVICE ]] || die "--data-volume or --data-device, not both"
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

# Sets TT_NAMESPACE and TT_NAME from the TTStack file.
read_ttstack() {
  ttstack_identity
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

# Sets DATA_DEVICE to the stable by-id name of the data volume and DATA_VOLUME to its EBS volume id,
# from --data-volume or --data-device. Refuses an instance-store disk (its data is gone at every stop)
# and anything that udev does not name as an EBS volume: the device name of a disk (/dev/nvme1n1) may
# change from one boot to the next, its volume id never does.
resolve_data_volume() {
  local by_id link name real serial="" instance_store=false
  by_id=$(rooted /dev/disk/by-id)
  if [[ -n $DATA_VOLUME ]]; then
    DATA_DEVICE="/dev/disk/by-id/${EBS_PREFIX}${DATA_VOLUME/-/}"
    # After an attach (cloud-init right after launch) udev may take a moment to make the link.
    local deadline=$((SECONDS + WAIT_DEVICE_SECONDS))
    until [[ -e $(rooted "$DATA_DEVICE") ]]; do
      if $DRY_RUN || ((SECONDS >= deadline)); then
        die "${DATA_VOLUME} is not attached to this instance: no ${DATA_DEVICE}"
      fi
      sleep 2
    done
  fi
  [[ -e $(rooted "$DATA_DEVICE") ]] || die "no device ${DATA_DEVICE}"
  real=$(readlink -f "$(rooted "$DATA_DEVICE")")
  if [[ -d $by_id ]]; then
    for link in "$by_id"/*; do
      name=${link##*/}
      [[ -L $link && $(readlink -f "$link") == "$real" ]] || continue
      case $name in
        "$INSTANCE_STORE_PREFIX"*) instance_store=true ;;
        "$EBS_PREFIX"vol*)
          [[ $name =~ ^${EBS_PREFIX}(vol[0-9a-f]+)(_[0-9]+)?$ ]] && serial=${BASH_REMATCH[1]} ;;
      esac
    done
  fi
  if $instance_store; then
    die "refusing ${DATA_DEVICE}: it is an instance-store disk (${INSTANCE_STORE_PREFIX}*), whose data is lost at every stop; nothing was formatted. Attach an EBS volume and pass --data-volume vol-..."
  fi
  [[ -n $serial ]] ||
    die "refusing ${DATA_DEVICE}: udev names it as no EBS volume (no /dev/disk/by-id/${EBS_PREFIX}vol...); nothing was formatted. Pass --data-volume vol-..."
  DATA_VOLUME="vol-${serial#vol}"
  DATA_DEVICE="/dev/disk/by-id/${EBS_PREFIX}${serial}"
  say "data volume: ${DATA_VOLUME} (${DATA_DEVICE} -> ${real#"${ROOT%/}"})"
}

# Prints the fstab line for DATA_DIR, if any.
fstab_entry() {
  local fstab
  fstab=$(rooted /etc/fstab)
  [[ -f $fstab ]] || return 0
  awk -v dir="$DATA_DIR" '$1 !~ /^#/ && $2 == dir { print; exit }' "$fstab"
}

# Sets FSTAB_CHANGED.
prepare_data_volume() {
  step "data volume"
  FSTAB_CHANGED=false
  if [[ -z $DATA_VOLUME && -z $DATA_DEVICE ]]; then
    say "no --data-volume: volumes live under ${DATA_DIR} on the root disk"
    put_dir "$DATA_DIR/local-path"
    return
  fi
  resolve_data_volume
  local fs_type uuid listed
  fs_type=$(blkid -o value -s TYPE "$DATA_DEVICE" 2>/dev/null || true)
  listed=$(fstab_entry)
  if [[ -z $fs_type ]]; then
    # A partition table is not "empty": that disk holds something (the root disk has one).
    [[ -z $(blkid -o value -s PTTYPE "$DATA_DEVICE" 2>/dev/null || true) ]] ||
      die "refusing ${DATA_DEVICE}: it holds a partition table; nothing was formatted"
    # The filesystem gets its UUID from here, so that the fstab entry names it before it exists;
    # one already in fstab for DATA_DIR is reused (a re-run after an interrupted first run).
    uuid=""
    [[ $listed =~ ^UUID=([0-9a-f-]{36})[[:space:]] ]] && uuid=${BASH_REMATCH[1]}
    [[ -n $uuid ]] || uuid=$(</proc/sys/kernel/random/uuid)
    run mkfs.ext4 -q -L "$DATA_LABEL" -U "$uuid" "$DATA_DEVICE"
    fs_type=ext4
  else
    uuid=$(blkid -o value -s UUID "$DATA_DEVICE" 2>/dev/null || true)
    [[ -n $uuid ]] || die "${DATA_DEVICE} has a ${fs_type} filesystem without a UUID"
    say "${DATA_DEVICE}: ${fs_type} filesystem already there (kept)"
  fi
  # nofail: the instance still boots (and can be repaired over SSM) if the volume is missing; k3s
  # does not start then (RequiresMountsFor in its drop-in), so nothing runs on an empty root disk.
  local entry="UUID=${uuid} ${DATA_DIR} ${fs_type} defaults,nofail 0 2" fstab current
  fstab=$(rooted /etc/fstab)
  current=""
  [[ -f $fstab ]] && current=$(<"$fstab")
  if [[ $listed == "$entry" ]]; then
    say "UNCHANGED /etc/fstab (${DATA_DIR} already listed)"
  else
    # Any other line for DATA_DIR (an older setup mounted by LABEL=) is replaced by this one.
    current=$(awk -v dir="$DATA_DIR" '!($1 !~ /^#/ && $2 == dir)' <<<"$current")
    put_file /etc/fstab 0644 "${current:+${current}$'\n'}${entry}"
    FSTAB_CHANGED=true
  fi
  put_dir "$DATA_DIR"
  if mountpoint -q "$(rooted "$DATA_DIR")"; then
    say "${DATA_DIR}: mounted"
  else
    run mount "$DATA_DIR"
  fi
  put_dir "$DATA_DIR/local-path"
}

# The k3s unit drop-in: k3s starts only after the data volume is mounted at DATA_DIR, and not at all
# when the mount fails. Written BEFORE the k3s install, which starts k3s. Sets DROPIN_CHANGED.
write_k3s_dropin() {
  DROPIN_CHANGED=false
  [[ -n $DATA_VOLUME ]] || return 0
  step "k3s waits for ${DATA_DIR}"
  put_file "$K3S_DROPIN" 0644 "$(render "$HERE/systemd/k3s-data-volume.conf" "DATA_DIR=${DATA_DIR}" "DATA_VOLUME=${DATA_VOLUME}")"
  DROPIN_CHANGED=$WROTE
  if $DROPIN_CHANGED || $FSTAB_CHANGED; then
    # systemd re-reads fstab (data.mount) and the drop-in.
    run systemctl daemon-reload
  fi
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

# The node-side deploy (run through the SSM document by the deploy workflow) and its defaults.
install_deploy_tool() {
  step "node-side deploy ${DEPLOY_TOOL}"
  put_file "$DEPLOY_TOOL" 0755 "$(<"$HERE/ttstack-deploy.sh")"
  put_file "$DEPLOY_ENV" 0644 "# Defaults of ${DEPLOY_TOOL}, written by setup-node.sh. No secrets.
TTSTACK_NAMESPACE=${TT_NAMESPACE}
TTSTACK_NAME=${TT_NAME}
OPERATOR_NAMESPACE=${OPERATOR_NAMESPACE}
HELMCHART_NAMESPACE=kube-system
HELMCHART_NAME=tt-operator"
}

# Namespaces, Secrets, HelmChart, TTStack: apply-stack.sh (see there), on a dry run as a plan. Extra
# arguments go to it (--print-manifests: check its arguments and the TTStack before anything is done).
apply_stack() {
  local -a args=(--operator-version "$OPERATOR_VERSION" --operator-chart "$OPERATOR_CHART"
    --operator-namespace "$OPERATOR_NAMESPACE" --ttstack "$TTSTACK_FILE" --region "$REGION"
    --token-parameter "$TOKEN_PARAMETER" --manifests-dir "$(rooted "$MANIFESTS_DIR")")
  if [[ -n $REGISTRY_PARAMETER ]]; then
    args+=(--registry-parameter "$REGISTRY_PARAMETER")
  else
    args+=(--no-registry-credentials)
  fi
  ! $DRY_RUN || args+=(--dry-run)
  KUBECTL=kubectl AWS=aws bash "$HERE/apply-stack.sh" "${args[@]}" "$@"
}

main() {
  parse_args "$@"
  # Checked before anything changes: without them the node could be set up but never deployed to.
  local part
  for part in apply-stack.sh ttstack-deploy.sh; do
    [[ -f $HERE/$part ]] || die "no ${part} next to setup-node.sh in ${HERE}: the node bundle is incomplete (use the whole k3s/ folder of one release)"
  done
  if $DRY_RUN; then
    say "DRY RUN: files under ${ROOT}, commands printed, not run"
  fi
  detect_os
  read_ttstack
  resolve_region
  # Refuse a TTStack or an option apply-stack.sh would refuse now, before k3s is installed.
  apply_stack --print-manifests >/dev/null || exit 1
  install_prerequisites
  prepare_data_volume
  write_k3s_dropin
  write_k3s_config
  install_k3s
  install_deploy_tool
  wait_for_node
  apply_stack
  say "done: ${CHANGED} file(s) written"
}

main "$@"
