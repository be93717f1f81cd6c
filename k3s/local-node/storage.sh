# shellcheck shell=bash
# Volumes on the real node of `cluster.sh up --node` as k3s provisions them (sourced by node.sh; uses
# its DIR, HERE, BIN, say, fail, node_ctr, docker_archive): the local-path provisioner k3s ships,
# built from its Go module (build-local-path.sh), packed into an image of its own, imported into
# the node's containerd and run in the cluster by k3s' own manifest (local-storage.yaml: the
# `local-path` StorageClass, default, WaitForFirstConsumer, reclaim Delete; a Deployment in
# kube-system; helper pods of the busybox image make and remove each volume's folder).
#
# Volumes live in the node's own folder, $DIR/node/storage (one folder per volume,
# pvc-<uid>_<namespace>_<claim>), never in a machine-wide path: `cluster.sh down` removes it with
# the node.

LOCAL_PATH_IMAGE=ttstack.local/local-path-provisioner:v0.0.30
STORAGE_READY_TIMEOUT=${LOCAL_NODE_STORAGE_READY_TIMEOUT:-180}

# The provisioner's image: one layer holding the static binary (CGO_ENABLED=0: nothing else is
# needed; the kubelet mounts its ServiceAccount token, CA and config). Cached by the binary's hash
# and the packing code; $1: the binary.
local_path_image() {
  local binary=$1 key cache work
  key=$( { sha256sum <"$binary"; declare -f docker_archive; echo "$LOCAL_PATH_IMAGE"; } | sha256sum | cut -c1-16)
  cache=${XDG_CACHE_HOME:-$HOME/.cache}/ttstack/local-path-image/$key
  if [[ ! -f $cache/image.tar ]]; then
    mkdir -p "$cache"
    work=$(mktemp -d)
    mkdir -p "$work/root/bin" "$work/root/tmp"
    chmod 1777 "$work/root/tmp"
    cp "$binary" "$work/root/bin/local-path-provisioner"
    docker_archive "$LOCAL_PATH_IMAGE" "$work/root" '["/bin/local-path-provisioner"]' "$cache/image.tar"
    rm -rf "$work"
    # Images of other keys were packed from other binaries.
    find "${cache%/*}" -mindepth 1 -maxdepth 1 -type d ! -name "$key" -exec rm -rf {} +
  fi
  node_ctr images import "$cache/image.tar" >/dev/null || fail "cannot import ${LOCAL_PATH_IMAGE}"
}

# After the node is Ready: the image, k3s' manifest with the node's storage folder, and a wait until
# the provisioner's controller has started (its informers synced through the API server: proof
# that the pod reaches it, which the Deployment's availability alone is not).
storage_up() {
  local t0 binary manifest storage=$DIR/node/storage pod deadline
  local kubectl=("$BIN" kubectl --kubeconfig "$DIR/admin.kubeconfig" -n kube-system)
  t0=$(date +%s)
  binary=$("$HERE/build-local-path.sh" | tail -n 1)
  [[ -x $binary ]] || fail "no local-path-provisioner binary at '${binary}'"
  local_path_image "$binary"
  manifest=$(<"$HERE/local-storage.yaml")
  # k3s substitutes the same placeholder with its default-local-storage-path.
  manifest=${manifest//'%{DEFAULT_LOCAL_STORAGE_PATH}%'/$storage}
  "${kubectl[@]}" apply -f - >/dev/null <<<"$manifest" || fail "cannot apply local-storage.yaml"
  echo "LOCAL_PATH_STORAGE=$storage
LOCAL_PATH_IMAGE=$LOCAL_PATH_IMAGE" >>"$DIR/env"
  deadline=$((SECONDS + STORAGE_READY_TIMEOUT))
  until "${kubectl[@]}" logs deployment/local-path-provisioner 2>/dev/null | grep -q 'Started provisioner controller'; do
    if ((SECONDS >= deadline)); then
      "${kubectl[@]}" get pods -l app=local-path-provisioner -o wide >&2 || true
      "${kubectl[@]}" logs deployment/local-path-provisioner --tail 30 >&2 || true
      fail "the local-path provisioner has not started within ${STORAGE_READY_TIMEOUT} s (logs: ${DIR}/node/pod-logs)"
    fi
    sleep 0.5
  done
  pod=$("${kubectl[@]}" get pods -l app=local-path-provisioner -o 'jsonpath={.items[0].metadata.name}')
  say "local-path provisioner (${pod}) started in $(($(date +%s) - t0)) s: StorageClass local-path, volumes in ${storage}"
}

# After the node's pods are stopped and their mounts gone: volumes whose claims were not deleted go
# with the node (no helper pod can run any more; the API objects go with etcd's data).
storage_down() {
  local storage=$DIR/node/storage count
  [[ -d $storage ]] || return 0
  count=$(find "$storage" -mindepth 1 -maxdepth 1 | wc -l)
  ((count == 0)) || say "removing ${count} volume folder(s) left in ${storage}"
  rm -rf "$storage"
}
