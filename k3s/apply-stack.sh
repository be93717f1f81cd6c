#!/usr/bin/env bash
# The Kubernetes part of a TTStack node's setup (setup-node.sh calls it once k3s answers):
#   1. the namespaces of the operator and of the TTStack;
#   2. the Doppler service token: SSM Parameter Store (SecureString) -> Secret doppler-token, key
#      serviceToken, in the TTStack's namespace;
#   3. the GHCR pull credentials: SSM Parameter Store (SecureString, USERNAME:TOKEN) -> a
#      kubernetes.io/dockerconfigjson Secret ghcr-pull in kube-system (the Helm controller pulls the
#      OCI chart with it), in the operator's namespace (the operator's image) and in the TTStack's
#      namespace (the app's image); --no-registry-credentials for public packages;
#   4. the operator's HelmChart kube-system/tt-operator, by server-side apply. When it already exists,
#      its live spec.version is kept: after bring-up, upgrades are ttstack-deploy's job;
#   5. the TTStack, created only when it does not exist yet: a re-run never changes the live TTStack;
#   6. manifests an earlier setup-node.sh left in k3s's auto-deploy folder (tt-operator.yaml,
#      ttstack.yaml), which k3s re-applies at every start and so undid every deploy: their objects are
#      ensured (created only if absent, never re-applied over the live ones), then the files removed.
# Nothing is written into the auto-deploy folder: after bring-up the live objects are the only source
# of truth, and a k3s restart changes nothing.
#
# Secrets go from the AWS CLI's stdout through shell variables (memory) into kubectl's stdin: never a
# file, never an argument (argv is world-readable in /proc). A bad or empty value stops the run before
# any Secret is replaced; messages never show a value.
#
# Usage:
#   k3s/apply-stack.sh --operator-version 1.2.3 --ttstack examples/ttstack.yaml --region eu-central-1
#   k3s/apply-stack.sh --dry-run ...   (prints every command as a "PLAN:" line, runs none)
# Environment: KUBECTL (default kubectl), AWS (default aws), KUBECONFIG (kubectl's).
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
KUBECTL=${KUBECTL:-kubectl}
AWS=${AWS:-aws}
FIELD_MANAGER=ttstack-node-setup
CRD_NAME=ttstacks.ttstack.dev
TOKEN_SECRET=doppler-token
TOKEN_KEY=serviceToken
PULL_SECRET=ghcr-pull
REGISTRY=ghcr.io
HELMCHART_NAMESPACE=kube-system
HELMCHART_NAME=tt-operator
OLD_MANIFESTS=(tt-operator.yaml ttstack.yaml)

DRY_RUN=false
PRINT=false
OPERATOR_VERSION=""
OPERATOR_CHART="oci://ghcr.io/tt-org/charts/tt-operator"
OPERATOR_NAMESPACE="ttstack-system"
REGION=${AWS_REGION:-}
TOKEN_PARAMETER="/tt/prd/doppler-service-token"
REGISTRY_PARAMETER="/tt/prd/ghcr-pull"
TTSTACK_FILE=""
MANIFESTS_DIR=""
WAIT_CRD_SECONDS=600

usage() {
  sed -n '2,/^set -euo/p' "${BASH_SOURCE[0]}" | sed -e '$d' -e 's/^# \{0,1\}//'
  cat <<EOF
Options:
  --operator-version V       chart version of the operator: 1.2.3 or v1.2.3      (required)
  --ttstack FILE             the TTStack to create when there is none            (required)
  --operator-chart REF       OCI reference of the chart   (default ${OPERATOR_CHART})
  --operator-namespace N     namespace of the operator    (default ${OPERATOR_NAMESPACE})
  --region R                 AWS region of the parameters (default \$AWS_REGION)  (required)
  --token-parameter P        SecureString with the Doppler token (default ${TOKEN_PARAMETER})
  --registry-parameter P     SecureString USERNAME:TOKEN for ${REGISTRY} (default ${REGISTRY_PARAMETER})
  --no-registry-credentials  the packages are public: no pull Secret
  --manifests-dir DIR        k3s's auto-deploy folder, cleared of the files old setups wrote there
  --dry-run                  print the commands instead of running them
  --print-manifests          print the namespaces and the HelmChart a bring-up applies (no Secrets,
                             nothing run); for checks of the rendered YAML
EOF
}

PROG=apply-stack
# shellcheck source-path=SCRIPTDIR source=lib.sh
source "$HERE/lib.sh"

kc() { "$KUBECTL" "$@"; }

parse_args() {
  while (($# > 0)); do
    case $1 in
      --operator-version) OPERATOR_VERSION=${2:?}; shift ;;
      --operator-chart) OPERATOR_CHART=${2:?}; shift ;;
      --operator-namespace) OPERATOR_NAMESPACE=${2:?}; shift ;;
      --ttstack) TTSTACK_FILE=${2:?}; shift ;;
      --region) REGION=${2:?}; shift ;;
      --token-parameter) TOKEN_PARAMETER=${2:?}; shift ;;
      --registry-parameter) REGISTRY_PARAMETER=${2:?}; shift ;;
      --no-registry-credentials) REGISTRY_PARAMETER="" ;;
      --manifests-dir) MANIFESTS_DIR=${2:?}; shift ;;
      --dry-run) DRY_RUN=true ;;
      --print-manifests) PRINT=true ;;
      -h | --help) usage; exit 0 ;;
      *) die "unknown argument: $1 (see --help)" ;;
    esac
    shift
  done
  [[ -n $OPERATOR_VERSION ]] || die "--operator-version is required (the chart version to install)"
  [[ $OPERATOR_VERSION =~ ^v?[0-9]+\.[0-9]+\.[0-9]+(-[0-9A-Za-z.-]+)?$ ]] ||
    die "--operator-version must be a version such as 1.2.3 or v1.2.3, got '${OPERATOR_VERSION}'"
  # Helm chart versions are SemVer without the "v" of the image tags.
  CHART_VERSION=${OPERATOR_VERSION#v}
  [[ $OPERATOR_NAMESPACE =~ ^[a-z0-9]([-a-z0-9]*[a-z0-9])?$ ]] || die "bad --operator-namespace '${OPERATOR_NAMESPACE}'"
  [[ $OPERATOR_CHART == oci://* ]] || die "--operator-chart must be an oci:// reference"
  [[ $TOKEN_PARAMETER =~ ^/?[A-Za-z0-9_.\/-]+$ ]] || die "bad --token-parameter '${TOKEN_PARAMETER}'"
  [[ -z $REGISTRY_PARAMETER || $REGISTRY_PARAMETER =~ ^/?[A-Za-z0-9_.\/-]+$ ]] ||
    die "bad --registry-parameter '${REGISTRY_PARAMETER}'"
  [[ -n $REGION ]] || die "--region is required (or AWS_REGION)"
  # (a dry run of setup-node.sh says "<region of the instance>")
  local region_pattern='^[a-z0-9<> -]+$'
  [[ $REGION =~ $region_pattern ]] || die "bad --region '${REGION}'"
  [[ -n $TTSTACK_FILE && -f $TTSTACK_FILE ]] || die "no TTStack file at '${TTSTACK_FILE}' (--ttstack)"
  [[ -z $MANIFESTS_DIR || $MANIFESTS_DIR == /* ]] || die "--manifests-dir must be an absolute path"
}

# Prints spec.app.imagePullSecret of the TTStack file (block style, as in examples/), or nothing.
ttstack_pull_secret() {
  awk '
    /^[^ #]/ { spec = ($0 ~ /^spec:/); app = 0; next }
    spec && /^  [^ #]/ { app = ($0 ~ /^  app:/); next }
    spec && app && $1 == "imagePullSecret:" { gsub(/["\047]/, "", $2); print $2; exit }
  ' "$TTSTACK_FILE"
}

read_ttstack() {
  ttstack_identity
  if [[ -n $REGISTRY_PARAMETER ]]; then
    local named
    named=$(ttstack_pull_secret)
    [[ $named == "$PULL_SECRET" ]] ||
      die "${TTSTACK_FILE}: spec.app.imagePullSecret must be ${PULL_SECRET} (the Secret this script fills from ${REGISTRY_PARAMETER}), got '${named}'; or pass --no-registry-credentials for public packages"
  fi
  say "TTStack: ${TT_NAMESPACE}/${TT_NAME} from ${TTSTACK_FILE}"
}

namespace_manifest() { render "$HERE/manifests/namespace.yaml" "NAMESPACE=$1"; }

# Server-side apply of stdin. With --force-conflicts (the Secrets only: SSM Parameter Store is their
# source of truth) a Secret made by hand, e.g. "kubectl create secret docker-registry ghcr-pull" as the
# README of the old setup said, is taken over instead of failing on a conflict.
apply_ssa() { kc apply --server-side --field-manager="$FIELD_MANAGER" "$@" -f -; }

ensure_namespaces() {
  step "namespaces ${OPERATOR_NAMESPACE}, ${TT_NAMESPACE}"
  local ns
  for ns in "$OPERATOR_NAMESPACE" "$TT_NAMESPACE"; do
    if $DRY_RUN; then
      say "PLAN: <namespace ${ns}> | $(quoted "$KUBECTL" apply --server-side --field-manager="$FIELD_MANAGER" -f -)"
    else
      namespace_manifest "$ns" | apply_ssa
    fi
  done
}

# Prints the value of SecureString parameter $1 (decrypted), or fails with a message without it.
read_parameter() {
  local value
  value=$("$AWS" ssm get-parameter --region "$REGION" --name "$1" --with-decryption \
    --query Parameter.Value --output text) ||
    die "could not read $1 from SSM Parameter Store (IAM role? region ${REGION}?)"
  [[ -n $value && $value != None ]] || die "$1 is empty"
  printf '%s' "$value"
}

# Prints a Secret NAME in NAMESPACE of TYPE with one data KEY whose value is read from stdin (raw).
# base64 reads the value on its stdin; printf is a shell builtin: nothing here reaches an argv.
secret_manifest() {
  local name=$1 namespace=$2 type=$3 key=$4 encoded
  encoded=$(base64 -w0)
  printf '{"apiVersion":"v1","kind":"Secret","type":"%s","metadata":{"name":"%s","namespace":"%s","labels":{"app.kubernetes.io/part-of":"ttstack","app.kubernetes.io/managed-by":"ttstack-node-setup"}},"data":{"%s":"%s"}}\n' \
    "$type" "$name" "$namespace" "$key" "$encoded"
}

sync_token() {
  step "Doppler token (SSM ${TOKEN_PARAMETER} -> Secret ${TT_NAMESPACE}/${TOKEN_SECRET})"
  if $DRY_RUN; then
    say "PLAN: $(quoted "$AWS" ssm get-parameter --region "$REGION" --name "$TOKEN_PARAMETER" --with-decryption --query Parameter.Value --output text)" \
      "| <Secret ${TT_NAMESPACE}/${TOKEN_SECRET} key ${TOKEN_KEY}> | $(quoted "$KUBECTL" apply --server-side --field-manager="$FIELD_MANAGER" --force-conflicts -f -)"
    return
  fi
  local token
  token=$(read_parameter "$TOKEN_PARAMETER")
  printf '%s' "$token" | secret_manifest "$TOKEN_SECRET" "$TT_NAMESPACE" Opaque "$TOKEN_KEY" | apply_ssa --force-conflicts
  unset token
}

# The pull Secret in the three namespaces that pull from GHCR. No registries.yaml: that would hold the
# token in the clear on the node's disk.
sync_pull_secret() {
  local namespaces=("$HELMCHART_NAMESPACE" "$OPERATOR_NAMESPACE" "$TT_NAMESPACE")
  if [[ -z $REGISTRY_PARAMETER ]]; then
    step "registry credentials: none (--no-registry-credentials: the packages on ${REGISTRY} are public)"
    return
  fi
  step "registry credentials (SSM ${REGISTRY_PARAMETER} -> Secret ${PULL_SECRET} in ${namespaces[*]})"
  if $DRY_RUN; then
    say "PLAN: $(quoted "$AWS" ssm get-parameter --region "$REGION" --name "$REGISTRY_PARAMETER" --with-decryption --query Parameter.Value --output text)" \
      "| <kubernetes.io/dockerconfigjson for ${REGISTRY}>"
    local ns
    for ns in "${namespaces[@]}"; do
      say "PLAN: <Secret ${ns}/${PULL_SECRET}> | $(quoted "$KUBECTL" apply --server-side --field-manager="$FIELD_MANAGER" --force-conflicts -f -)"
    done
    return
  fi
  local value user token auth config ns
  value=$(read_parameter "$REGISTRY_PARAMETER")
  user=${value%%:*}
  token=${value#*:}
  # GitHub user names are letters, digits and single hyphens; GitHub tokens (ghp_..., github_pat_...)
  # letters, digits and underscores. Anything else is refused (and cannot break the JSON below).
  if [[ $value != *:* || ! $user =~ ^[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?$ || ! $token =~ ^[A-Za-z0-9_]+$ ]]; then
    unset value user token
    die "${REGISTRY_PARAMETER} must hold USERNAME:TOKEN (a GitHub user name, a colon, a token of letters, digits and _); its value is not shown"
  fi
  auth=$(printf '%s:%s' "$user" "$token" | base64 -w0)
  config=$(printf '{"auths":{"%s":{"username":"%s","password":"%s","auth":"%s"}}}' "$REGISTRY" "$user" "$token" "$auth")
  unset value token auth
  for ns in "${namespaces[@]}"; do
    printf '%s' "$config" | secret_manifest "$PULL_SECRET" "$ns" kubernetes.io/dockerconfigjson .dockerconfigjson |
      apply_ssa --force-conflicts
  done
  unset config
}

helmchart_manifest() {
  local registry=""
  if [[ -n $REGISTRY_PARAMETER ]]; then
    registry="  # The Helm controller pulls the OCI chart with this Secret (in kube-system) ...
  dockerRegistrySecret:
    name: ${PULL_SECRET}
  # ... and the operator's pods pull its image with the same Secret in their namespace.
  valuesContent: |-
    imagePullSecrets:
      - name: ${PULL_SECRET}"
  fi
  local text
  text=$(render "$HERE/manifests/tt-operator-helmchart.yaml" "OPERATOR_CHART=${OPERATOR_CHART}" \
    "OPERATOR_VERSION=$1" "OPERATOR_NAMESPACE=${OPERATOR_NAMESPACE}")
  # The marker line of the template becomes the registry fields, or goes.
  text=$(sed '/^  # @registry-fields:/d' <<<"$text")
  if [[ -n $registry ]]; then
    text+=$'\n'"$registry"
  fi
  printf '%s\n' "$text"
}

# Server-side apply of the HelmChart. A live spec.version (set by a deploy) is applied back as it is:
# the same value never conflicts with the deploy's ownership, and the operator is not rolled back.
apply_helmchart() {
  step "operator HelmChart ${HELMCHART_NAMESPACE}/${HELMCHART_NAME} (${OPERATOR_CHART})"
  local -a get=("$KUBECTL" -n "$HELMCHART_NAMESPACE" get helmcharts.helm.cattle.io "$HELMCHART_NAME"
    --ignore-not-found -o 'jsonpath={.spec.version}')
  local -a wait=("$KUBECTL" wait --for=condition=Established "crd/${CRD_NAME}" --timeout=10s)
  if $DRY_RUN; then
    say "PLAN: $(quoted "${get[@]}")   # a live version is kept; else ${CHART_VERSION}"
    say "PLAN: <HelmChart version ${CHART_VERSION}> | $(quoted "$KUBECTL" apply --server-side --field-manager="$FIELD_MANAGER" -f -)"
    say "PLAN: $(quoted "${wait[@]}")   # retried for up to ${WAIT_CRD_SECONDS} s: the CRD ${CRD_NAME} (installed by the chart) to be Established"
    return
  fi
  local live version
  live=$("${get[@]}") || die "could not read the HelmChart ${HELMCHART_NAMESPACE}/${HELMCHART_NAME}"
  version=$CHART_VERSION
  if [[ -n $live ]]; then
    version=$live
    if [[ $live == "$CHART_VERSION" ]]; then
      say "HelmChart: version ${live} (live)"
    else
      say "KEPT HelmChart version ${live} (live; --operator-version ${OPERATOR_VERSION} is for a bring-up: upgrade with ttstack-deploy --operator-version)"
    fi
  fi
  helmchart_manifest "$version" | apply_ssa
  local deadline=$((SECONDS + WAIT_CRD_SECONDS))
  until "${wait[@]}" >/dev/null 2>&1; do
    ((SECONDS < deadline)) || die "timed out after ${WAIT_CRD_SECONDS} s waiting for the CRD ${CRD_NAME} (installed by the chart): kubectl -n ${HELMCHART_NAMESPACE} get jobs,pods"
    sleep 5
  done
  say "CRD ${CRD_NAME}: Established"
}

# Creates the TTStack of FILE when there is none yet; prints what it did.
create_ttstack_once() {
  local file=$1
  local -a get=("$KUBECTL" -n "$TT_NAMESPACE" get ttstacks.ttstack.dev "$TT_NAME" --ignore-not-found -o name)
  local -a create=("$KUBECTL" create -f "$file")
  if $DRY_RUN; then
    say "PLAN: $(quoted "${get[@]}")"
    say "PLAN: $(quoted "${create[@]}")   # only when the get found none"
    return
  fi
  local found
  found=$("${get[@]}") || die "could not read the TTStack ${TT_NAMESPACE}/${TT_NAME}"
  if [[ -n $found ]]; then
    say "KEPT TTStack ${TT_NAMESPACE}/${TT_NAME} (live; change it with kubectl or ttstack-deploy)"
  else
    "${create[@]}"
  fi
}

# Creates the objects of FILE that do not exist; the existing ones are left as they are.
create_missing() {
  local file=$1 out
  if $DRY_RUN; then
    say "PLAN: $(quoted "$KUBECTL" create -f "$file")   # AlreadyExists is fine: live objects are kept"
    return
  fi
  if out=$("$KUBECTL" create -f "$file" 2>&1); then
    say "$out"
  elif grep -v '(AlreadyExists)' <<<"$out" | grep -q .; then
    die "could not create the objects of ${file}: ${out}"
  else
    say "KEPT the objects of ${file} (live)"
  fi
}

apply_ttstack() {
  step "TTStack ${TT_NAMESPACE}/${TT_NAME}"
  create_ttstack_once "$TTSTACK_FILE"
}

# Files an earlier setup-node.sh wrote into k3s's auto-deploy folder. Their objects exist (k3s applied
# them) and the live ones are newer: ensure them as above (the HelmChart was applied with its live
# version, the TTStack is created only if absent), then remove the files so that no k3s start
# re-applies them. k3s does not delete objects when a manifest file is deleted.
remove_old_manifests() {
  [[ -n $MANIFESTS_DIR ]] || return 0
  local name file
  for name in "${OLD_MANIFESTS[@]}"; do
    file="${MANIFESTS_DIR%/}/${name}"
    [[ -e $file ]] || continue
    step "old auto-deploy manifest ${file}"
    # tt-operator.yaml: its HelmChart was applied above. ttstack.yaml (a namespace and a TTStack):
    # what is missing of it is created, what exists is left as it is.
    [[ $name != ttstack.yaml ]] || create_missing "$file"
    if $DRY_RUN; then
      say "PLAN: $(quoted rm -f "$file")"
    else
      rm -f "$file"
      say "REMOVED ${file} (k3s re-applied it at every start)"
    fi
  done
}

print_manifests() {
  printf -- '---\n'
  namespace_manifest "$OPERATOR_NAMESPACE"
  printf -- '---\n'
  namespace_manifest "$TT_NAMESPACE"
  printf -- '---\n'
  helmchart_manifest "$CHART_VERSION"
}

main() {
  parse_args "$@"
  if $PRINT; then
    read_ttstack >/dev/null
    print_manifests
    return
  fi
  read_ttstack
  ensure_namespaces
  sync_token
  sync_pull_secret
  apply_helmchart
  apply_ttstack
  remove_old_manifests
}

main "$@"
