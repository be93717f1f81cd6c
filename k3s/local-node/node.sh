# shellcheck shell=bash
# The real node of `cluster.sh up --node` (sourced by cluster.sh; uses its DIR, BIN, NODE_NAME, say,
# fail, free_ports): containerd + runc + CNI plugins from Debian, the kubelet and kube-proxy of the
# local-node binary, a pod network on a bridge of its own. FACTS.md ("Real Kubernetes on this
# machine") has the recipe this follows and the traps it avoids.
#
# Network rules (the project's): pods and Services exist only on the bridge made here and the
# namespaces containerd makes; nothing they send can leave the machine:
#   - pods get no default route (CNI isGateway false; only the Service range routes via the bridge);
#   - `ip rule from POD_CIDR lookup TABLE`, a table with only the pod route and `unreachable default`
#     (kube-proxy inserts its chains above any iptables rule; it cannot jump ahead of routing);
#   - iptables DROP of pod-sourced traffic to anything outside the pod range (FORWARD and OUTPUT);
#   - the node's address (API server, kubelet, CoreDNS) takes packets from lo and the bridge only;
#   - the Service range is blackholed by cluster.sh; every image registry points at 127.0.0.1:1;
#   - CoreDNS answers cluster names only (NXDOMAIN for every other name, no forward).
# Forwarding is enabled on the bridge only (net.ipv4.conf.BRIDGE.forwarding), never machine-wide.
# Only one such node per machine: the bridge, the table and kube-proxy's chains are machine-wide.
#
# Everything it makes is recorded under $DIR/node and removed by node_down: processes (containers
# and shims included), mounts under $DIR, network namespaces, bridge, ip rule and table, iptables
# rules (kube-proxy's by `kube-proxy --cleanup`, the kubelet's KUBE-FIREWALL and canaries), cgroups,
# the folders of the machine it had to create (/run/netns, /run/containerd, /var/lib/kubelet,
# /var/lib/cni).

POD_CIDR=10.42.0.0/24
NODE_IP=10.42.0.1
BRIDGE=ttsnode0
ROUTE_TABLE=4216
CGROUP_ROOT=ttstack-local-node
FENCE_COMMENT=ttstack-local-node
INPUT_FENCE_CHAIN=TTSTACK-NODE-INPUT
PAUSE_IMAGE=ttstack.local/pause:3.10
BUSYBOX_IMAGE=ttstack.local/busybox:1.35
NODE_READY_TIMEOUT=${LOCAL_NODE_NODE_READY_TIMEOUT:-180}
# How long `up --node` waits for another node of this machine to go down (one at a time).
NODE_WAIT_TIMEOUT=${LOCAL_NODE_NODE_WAIT_TIMEOUT:-1800}
NODE_LOCK=/run/lock/ttstack-local-node.lock
# Who made the bridge: "<pid of that up> <its start> <owner pid> <its start> <LOCAL_NODE_DIR>" (see
# node_owner_alive). LOCAL_NODE_OWNER_PID: the process the node belongs to (a test JVM, e2e.sh);
# once it has exited, its node is leftovers even if the node's own processes still run.
NODE_OWNER=/run/lock/ttstack-local-node.owner
# Volumes as k3s provisions them (the local-path provisioner): storage_up, storage_down.
# shellcheck source=k3s/local-node/storage.sh disable=SC1091 # from the repository root it is followed
source "$HERE/storage.sh"

node_ctr() { ctr --address "$DIR/node/containerd/containerd.sock" -n k8s.io "$@"; }

# --- images: built here, never pulled --------------------------------------------------------------
# A docker-archive (what `ctr images import` reads) of one layer: $1 name, $2 layer folder,
# $3 entrypoint as a JSON array, $4 output file. Reproducible (fixed mtime, owner, order).
docker_archive() {
  local name=$1 root=$2 entrypoint=$3 out=$4 work diff_id config_sha
  work=$(mktemp -d)
  tar --sort=name --mtime=@0 --owner=0 --group=0 --numeric-owner -C "$root" -cf "$work/layer.tar" .
  diff_id=$(sha256sum "$work/layer.tar" | cut -d' ' -f1)
  printf '{"architecture":"amd64","os":"linux","config":{"Entrypoint":%s,"Env":["PATH=/bin"]},"rootfs":{"type":"layers","diff_ids":["sha256:%s"]}}' \
    "$entrypoint" "$diff_id" >"$work/config.json"
  config_sha=$(sha256sum "$work/config.json" | cut -d' ' -f1)
  mv "$work/config.json" "$work/$config_sha.json"
  printf '[{"Config":"%s.json","RepoTags":["%s"],"Layers":["layer.tar"]}]' "$config_sha" "$name" >"$work/manifest.json"
  tar --sort=name --mtime=@0 --owner=0 --group=0 --numeric-owner -C "$work" -cf "$out.tmp" \
    manifest.json "$config_sha.json" layer.tar
  mv "$out.tmp" "$out"
  rm -rf "$work"
}

# The pause image: a static C program that waits for SIGTERM/SIGINT (what a sandbox's first process
# does), and reaps children. Cached by its source's hash.
PAUSE_SOURCE='#include <signal.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>
static void stop(int sig) { (void)sig; _exit(0); }
static void reap(int sig) { (void)sig; while (waitpid(-1, NULL, WNOHANG) > 0) {} }
int main(void) {
  signal(SIGTERM, stop);
  signal(SIGINT, stop);
  signal(SIGCHLD, reap);
  for (;;) pause();
}'

# The test image: Debian's busybox-static (its sh, nc, httpd, sleep; its wget segfaults: FACTS.md).
images() {
  local cache key work
  command -v gcc >/dev/null || fail "gcc is needed for the pause image (apt-get install gcc libc6-dev)"
  [[ -x /bin/busybox ]] || fail "busybox-static is needed for the test image (apt-get install busybox-static)"
  key=$( { printf '%s' "$PAUSE_SOURCE"; sha256sum /bin/busybox; declare -f docker_archive; gcc --version | head -n 1; } \
    | sha256sum | cut -c1-16)
  cache=${XDG_CACHE_HOME:-$HOME/.cache}/ttstack/local-node-images/$key
  if [[ ! -f $cache/pause.tar || ! -f $cache/busybox.tar ]]; then
    mkdir -p "$cache"
    work=$(mktemp -d)
    mkdir -p "$work/pause" "$work/busybox/bin" "$work/busybox/tmp"
    printf '%s\n' "$PAUSE_SOURCE" >"$work/pause.c"
    gcc -static -Os -s -o "$work/pause/pause" "$work/pause.c" || fail "cannot build the pause program"
    docker_archive "$PAUSE_IMAGE" "$work/pause" '["/pause"]' "$cache/pause.tar"
    cp /bin/busybox "$work/busybox/bin/busybox"
    local applet
    for applet in sh nc httpd sleep cat echo ls hostname ip wget env nslookup; do
      ln -s busybox "$work/busybox/bin/$applet"
    done
    chmod 1777 "$work/busybox/tmp"
    docker_archive "$BUSYBOX_IMAGE" "$work/busybox" '["/bin/sh"]' "$cache/busybox.tar"
    rm -rf "$work"
    # Images of other keys were built from other sources.
    find "${cache%/*}" -mindepth 1 -maxdepth 1 -type d ! -name "$key" -exec rm -rf {} +
  fi
  node_ctr images import "$cache/pause.tar" >/dev/null || fail "cannot import ${PAUSE_IMAGE}"
  node_ctr images import "$cache/busybox.tar" >/dev/null || fail "cannot import ${BUSYBOX_IMAGE}"
}

# --- one node per machine, and the leftovers of a dead one -----------------------------------------
# A process's start time (field 22 of /proc/PID/stat, after the command name, which may hold spaces):
# with the pid it names one process, not a later one that reuses the number.
proc_start() { [[ -r /proc/$1/stat ]] && sed -E 's/^.*\) //' "/proc/$1/stat" | cut -d' ' -f20; }

# The folder of the node that made the bridge (empty without a record).
node_owner_dir() { if [[ -f $NODE_OWNER ]]; then cut -d' ' -f5- "$NODE_OWNER"; fi; }

# Whether the node that made the bridge still lives. Its `up` still running, or: its owner's process
# when it named one, otherwise any process whose command line names its folder (etcd, the API server,
# containerd and the shims, the kubelet all do). No owner record: an older node; counted alive.
node_owner_alive() {
  local up up_start owner owner_start dir
  [[ -f $NODE_OWNER ]] || return 0
  read -r up up_start owner owner_start dir <"$NODE_OWNER" || return 0
  [[ -n $dir ]] || return 0
  [[ $(proc_start "$up") == "$up_start" ]] && return 0
  if [[ $owner != - ]]; then
    [[ $(proc_start "$owner") == "$owner_start" ]]
  else
    pgrep -f -- "$dir/" >/dev/null
  fi
}

# A node whose owner died without its down (a killed CI run, a crashed machine session) keeps the
# machine-wide bridge, and with it every later node would wait: its down is run here instead. When
# its folder is gone too (a removed checkout), the fixed names say what it made: the records are
# written again for node_down to undo, then the folder goes again. Returns 1 when nothing was dead.
node_reclaim() {
  local dir made=""
  ip link show "$BRIDGE" >/dev/null 2>&1 || return 1
  node_owner_alive && return 1
  dir=$(node_owner_dir)
  say "bridge ${BRIDGE} belongs to a node whose owner has exited (${dir}): taking its leftovers down"
  if [[ ! -f $dir/node/made ]]; then
    # Nothing records its processes then: whatever still runs with its folder in its command line.
    pkill -KILL -f -- "$dir/" 2>/dev/null || true
    made=$dir
    while [[ ! -e ${made%/*} ]]; do made=${made%/*}; done
    mkdir -p "$dir/node" "$dir/pids" "$dir/logs"
    touch "$dir/node/made" "$dir/node/cgroups"
    echo "$BRIDGE" >"$dir/node/bridge"
    echo "$ROUTE_TABLE" >"$dir/node/route-table"
    echo "$POD_CIDR" >"$dir/node/ip-rule"
    printf '%s\n' FORWARD OUTPUT >"$dir/node/iptables-fences"
    echo "$INPUT_FENCE_CHAIN" >"$dir/node/input-fence"
    [[ -e $made ]] || made=""
  fi
  LOCAL_NODE_DIR=$dir "$HERE/cluster.sh" down >&2 || say "down of ${dir} failed"
  [[ -z $made ]] || rm -rf "$made"
  ! ip link show "$BRIDGE" >/dev/null 2>&1 || fail "bridge ${BRIDGE} still exists after the down of ${dir}"
}

# node_reclaim under the node lock (cluster.sh reclaim, and up --node before it touches its folder).
node_reclaim_locked() {
  local lock
  exec {lock}>"$NODE_LOCK"
  flock "$lock"
  node_reclaim || true
  exec {lock}>&-
}

# --- the pod network -------------------------------------------------------------------------------
network_up() {
  local n=$DIR/node deadline=$((SECONDS + NODE_WAIT_TIMEOUT)) said=0 owner=- owner_start=-
  # One node per machine: a second `up --node` (another checkout's tests, a run by hand) waits for
  # the first one's down, bounded; the check and the bridge's creation are one step under a lock.
  # A dead one's leftovers are taken down first (node_reclaim).
  if [[ -n ${LOCAL_NODE_OWNER_PID:-} ]]; then
    owner=$LOCAL_NODE_OWNER_PID
    owner_start=$(proc_start "$owner") || fail "LOCAL_NODE_OWNER_PID=${owner}: no such process"
  fi
  exec {lock}>"$NODE_LOCK"
  flock "$lock"
  while ip link show "$BRIDGE" >/dev/null 2>&1; do
    # (Our own folder's leftovers were taken down before up touched it: never here.)
    if [[ $(node_owner_dir) != "$DIR" ]] && node_reclaim; then continue; fi
    flock -u "$lock"
    ((said)) || { say "bridge ${BRIDGE} exists: another local node runs on this machine; waiting for its down (at most ${NODE_WAIT_TIMEOUT} s)"; said=1; }
    ((SECONDS < deadline)) || fail "bridge ${BRIDGE} still exists after ${NODE_WAIT_TIMEOUT} s: another local node runs on this machine (one at a time), or a crashed one's leftovers (cluster.sh down in its LOCAL_NODE_DIR)"
    sleep 2
    flock "$lock"
  done
  # Recorded before each change, so that node_down undoes exactly what was made.
  printf '%s %s %s %s %s\n' "$$" "$(proc_start $$)" "$owner" "$owner_start" "$DIR" >"$NODE_OWNER"
  ip link add "$BRIDGE" type bridge && echo "$BRIDGE" >"$n/bridge"
  exec {lock}>&-
  # No IPv6 on it: nothing is fenced for v6.
  sysctl -qw "net.ipv6.conf.${BRIDGE}.disable_ipv6=1" 2>/dev/null || true
  ip addr add "${NODE_IP}/${POD_CIDR#*/}" dev "$BRIDGE"
  ip link set "$BRIDGE" up
  # Forwarding on the bridge only (pod -> ClusterIP -> pod is DNATed and routed back out of it).
  sysctl -qw "net.ipv4.conf.${BRIDGE}.forwarding=1"
  ip route add unreachable default table "$ROUTE_TABLE"
  ip route add "$POD_CIDR" dev "$BRIDGE" table "$ROUTE_TABLE"
  echo "$ROUTE_TABLE" >"$n/route-table"
  ip rule add from "$POD_CIDR" lookup "$ROUTE_TABLE" priority "$ROUTE_TABLE"
  echo "$POD_CIDR" >"$n/ip-rule"
  # The OUTPUT rule counts one 40-byte packet per start: the kernel's IGMP report to 224.0.0.22 on the
  # bridge as it comes up (link-local multicast, TTL 1; seen with a LOG rule). Pods send nothing there.
  local chain
  for chain in FORWARD OUTPUT; do
    iptables -I "$chain" -s "$POD_CIDR" ! -d "$POD_CIDR" -m comment --comment "$FENCE_COMMENT" -j DROP
    echo "$chain" >>"$n/iptables-fences"
  done
  # The node's address serves the API server, the kubelet and CoreDNS: only this machine (lo) and
  # its pods (the bridge) reach it, never a packet that came in on another interface.
  # (A chain: one rule cannot say "neither lo nor the bridge".)
  echo "$INPUT_FENCE_CHAIN" >"$n/input-fence"
  iptables -N "$INPUT_FENCE_CHAIN"
  iptables -A "$INPUT_FENCE_CHAIN" -i lo -j RETURN
  iptables -A "$INPUT_FENCE_CHAIN" -i "$BRIDGE" -j RETURN
  iptables -A "$INPUT_FENCE_CHAIN" -j DROP
  iptables -I INPUT -d "${NODE_IP}/32" -m comment --comment "$FENCE_COMMENT" -j "$INPUT_FENCE_CHAIN"

  mkdir -p "$n/cni/net.d" "$n/cni/ipam"
  cat >"$n/cni/net.d/10-ttstack.conflist" <<EOF
{
  "cniVersion": "0.4.0",
  "name": "ttstack-local-node",
  "plugins": [{
    "type": "bridge",
    "bridge": "${BRIDGE}",
    "isGateway": false,
    "isDefaultGateway": false,
    "ipMasq": false,
    "hairpinMode": true,
    "ipam": {
      "type": "host-local",
      "dataDir": "${n}/cni/ipam",
      "ranges": [[{"subnet": "${POD_CIDR}", "rangeStart": "${POD_CIDR%.*}.10", "gateway": "${NODE_IP}"}]],
      "routes": [{"dst": "${SERVICE_CIDR}", "gw": "${NODE_IP}"}]
    }
  }]
}
EOF
}

network_down() {
  local n=$DIR/node chain
  if [[ -f $n/input-fence ]]; then
    while iptables -D INPUT -d "${NODE_IP}/32" -m comment --comment "$FENCE_COMMENT" -j "$INPUT_FENCE_CHAIN" 2>/dev/null; do :; done
    iptables -F "$INPUT_FENCE_CHAIN" 2>/dev/null || true
    iptables -X "$INPUT_FENCE_CHAIN" 2>/dev/null || true
    rm -f "$n/input-fence"
  fi
  if [[ -f $n/iptables-fences ]]; then
    while read -r chain; do
      iptables -D "$chain" -s "$POD_CIDR" ! -d "$POD_CIDR" -m comment --comment "$FENCE_COMMENT" -j DROP 2>/dev/null || true
    done <"$n/iptables-fences"
    rm -f "$n/iptables-fences"
  fi
  if [[ -f $n/ip-rule ]]; then
    while ip rule del from "$POD_CIDR" lookup "$ROUTE_TABLE" 2>/dev/null; do :; done
    rm -f "$n/ip-rule"
  fi
  if [[ -f $n/route-table ]]; then
    ip route flush table "$ROUTE_TABLE" 2>/dev/null || true
    rm -f "$n/route-table"
  fi
  if [[ -f $n/bridge ]]; then
    ip link del "$BRIDGE" 2>/dev/null || true
    rm -f "$n/bridge"
    # The owner record is the bridge's: it goes with it (the next node writes its own).
    if [[ $(node_owner_dir) == "$DIR" ]]; then rm -f "$NODE_OWNER"; fi
  fi
}

# The KUBE-* chains of the kubelet (KUBE-FIREWALL, canaries) and whatever kube-proxy --cleanup left,
# with the jumps to them from the built-in chains. Only one node runs per machine (see above).
kube_chains_down() {
  local cmd table chain number
  for cmd in iptables ip6tables; do
    command -v "$cmd" >/dev/null || continue
    for table in filter nat mangle; do
      for chain in INPUT OUTPUT FORWARD PREROUTING POSTROUTING; do
        # Rule numbers of jumps to KUBE-* chains, highest first (deleting shifts the ones below).
        for number in $("$cmd" -w -t "$table" -L "$chain" -n --line-numbers 2>/dev/null \
          | awk '$2 ~ /^KUBE-/ { print $1 }' | sort -rn); do
          "$cmd" -w -t "$table" -D "$chain" "$number"
        done
      done
      for chain in $("$cmd" -w -t "$table" -S 2>/dev/null | awk '$1 == "-N" && $2 ~ /^KUBE-/ { print $2 }'); do
        "$cmd" -w -t "$table" -F "$chain"
      done
      for chain in $("$cmd" -w -t "$table" -S 2>/dev/null | awk '$1 == "-N" && $2 ~ /^KUBE-/ { print $2 }'); do
        "$cmd" -w -t "$table" -X "$chain"
      done
    done
  done
}

# --- cgroups: everything the kubelet makes lives under one folder per hierarchy --------------------
cgroup_dirs() {
  local mnt
  while read -r _ mnt type _; do
    [[ $type == cgroup || $type == cgroup2 ]] && echo "$mnt/$CGROUP_ROOT"
  done </proc/mounts
}

cgroups_up() {
  local dir parent
  for dir in $(cgroup_dirs); do
    mkdir -p "$dir"
    parent=${dir%/*}
    # A new v1 cpuset starts empty, and its children inherit that: give it the parent's.
    if [[ -f $dir/cpuset.cpus ]]; then
      cat "$parent/cpuset.cpus" >"$dir/cpuset.cpus"
      cat "$parent/cpuset.mems" >"$dir/cpuset.mems"
    fi
  done
  touch "$DIR/node/cgroups"
}

cgroups_down() {
  local dir
  [[ -f $DIR/node/cgroups ]] || return 0
  for dir in $(cgroup_dirs); do
    # Deepest first; a cgroup folder is removed by rmdir only.
    if [[ -d $dir ]]; then
      find "$dir" -depth -type d -exec rmdir {} + 2>/dev/null || say "cannot remove cgroup ${dir}: processes left in it?"
    fi
  done
  rm -f "$DIR/node/cgroups"
}

# --- processes -------------------------------------------------------------------------------------
node_start() {
  local name=$1
  shift
  setsid "$@" >"$DIR/logs/$name.log" 2>&1 </dev/null &
  echo $! >"$DIR/pids/$name"
}

# Every process of this node that is no longer a child of ours: containers (in the kubelet's cgroups,
# all under CGROUP_ROOT; their /proc/PID/root reads "/" from here) and containerd's shims (their
# command line names our socket).
node_processes() {
  local dir proc
  for dir in $(cgroup_dirs); do
    [[ -d $dir ]] && find "$dir" -name cgroup.procs -exec cat {} + 2>/dev/null
  done
  for proc in /proc/[0-9]*; do
    if tr '\0' ' ' 2>/dev/null <"$proc/cmdline" | grep -qF -- "$DIR/node/containerd/"; then
      echo "${proc#/proc/}"
    fi
  done
}

# Before the control plane starts (cluster.sh up): the node's folder and its network, whose bridge
# address the API server binds.
node_prepare() {
  local n=$DIR/node tool
  for tool in containerd containerd-shim-runc-v2 runc ctr iptables; do
    command -v "$tool" >/dev/null || fail "${tool} is needed for --node (apt-get install containerd runc containernetworking-plugins iptables)"
  done
  [[ -x /usr/lib/cni/bridge && -x /usr/lib/cni/host-local ]] || fail "the CNI plugins are needed for --node (apt-get install containernetworking-plugins)"
  rm -rf "$n"
  mkdir -p "$n/containerd/certs.d/_default" "$n/kubelet" "$n/pod-logs"
  touch "$n/made"
  # Folders of the machine that containerd or the CNI plugins create when missing: removed on down
  # only if this node made them.
  local dir
  # (/var/lib/kubelet: its device-plugin socket has a fixed path. /var/lib/cni: containerd's CNI
  # library keeps its result cache there, a path its configuration does not expose.)
  for dir in /run/netns /run/containerd /var/lib/kubelet /var/lib/cni; do
    [[ -e $dir ]] || echo "$dir" >>"$n/made-dirs"
  done
  # The shims' sockets already there (containerd puts them in the machine-wide /run/containerd/s/):
  # down removes only those that came after and that nothing listens on any more.
  ls /run/containerd/s 2>/dev/null >"$n/shim-sockets-before" || true
  network_up
}

containerd_start() {
  local n=$DIR/node deadline=$((SECONDS + 60))
  node_start containerd containerd --config "$n/containerd/config.toml"
  until node_ctr version >/dev/null 2>&1; do
    alive containerd || { tail -n 30 "$DIR/logs/containerd.log" >&2; fail "containerd exited (logs: ${DIR}/logs)"; }
    ((SECONDS < deadline)) || fail "containerd not answering within 60 s (logs: ${DIR}/logs)"
    sleep 0.2
  done
}

kubelet_start() {
  local n=$DIR/node
  node_start kubelet "$BIN" kubelet --config "$n/kubelet/config.yaml" --kubeconfig "$DIR/kubelet.kubeconfig" \
    --root-dir "$n/kubelet" --cert-dir "$n/kubelet/pki" --node-ip "$NODE_IP" --hostname-override "$NODE_NAME"
}

# Until the Node reports Ready (bounded by NODE_READY_TIMEOUT); fails when a node process exits.
node_ready_wait() {
  local deadline=$((SECONDS + NODE_READY_TIMEOUT)) tool
  until [[ $("$BIN" kubectl --kubeconfig "$DIR/admin.kubeconfig" get node "$NODE_NAME" \
    -o 'jsonpath={.status.conditions[?(@.type=="Ready")].status}' 2>/dev/null) == True ]]; do
    for tool in containerd kubelet kube-proxy coredns; do
      alive "$tool" || { tail -n 30 "$DIR/logs/$tool.log" >&2; fail "${tool} exited (logs: ${DIR}/logs)"; }
    done
    ((SECONDS < deadline)) || fail "Node ${NODE_NAME} not Ready within ${NODE_READY_TIMEOUT} s (logs: ${DIR}/logs)"
    sleep 0.5
  done
}

# A reboot of the node's runtime (cluster.sh restart-node): the kubelet stopped, every container and
# shim killed as a power cut would, containerd stopped; then containerd and the kubelet start again
# on the same state, and the kubelet recreates every pod (new sandboxes, new pod IPs). The control
# plane, kube-proxy and CoreDNS keep running (they are not the node's runtime).
node_restart() {
  local t0 pid deadline
  t0=$(date +%s)
  [[ -f $DIR/node/made ]] || fail "no node runs in ${DIR}"
  BIN=$(sed -n 's/^LOCAL_NODE_BIN=//p' "$DIR/env")
  stop_process kubelet
  for pid in $(node_processes); do kill -KILL "$pid" 2>/dev/null || true; done
  stop_process containerd
  deadline=$((SECONDS + 15))
  while [[ -n $(node_processes) ]] && ((SECONDS < deadline)); do
    for pid in $(node_processes); do kill -KILL "$pid" 2>/dev/null || true; done
    sleep 0.1
  done
  containerd_start
  kubelet_start
  node_ready_wait
  say "node ${NODE_NAME} restarted: Ready again in $(($(date +%s) - t0)) s"
}

node_up() {
  local n=$DIR/node t0
  t0=$(date +%s)
  local tool
  cgroups_up

  # containerd: its own root, state and socket; no pulls (every registry is a closed loopback port).
  printf 'server = "http://127.0.0.1:1"\n' >"$n/containerd/certs.d/_default/hosts.toml"
  cat >"$n/containerd/config.toml" <<EOF
version = 2
root = "$n/containerd/root"
state = "$n/containerd/state"
[grpc]
  address = "$n/containerd/containerd.sock"
[ttrpc]
  address = "$n/containerd/containerd.sock.ttrpc"
[debug]
  address = ""
[metrics]
  address = ""
[plugins."io.containerd.internal.v1.opt"]
  path = "$n/containerd/opt"
[plugins."io.containerd.grpc.v1.cri"]
  sandbox_image = "${PAUSE_IMAGE}"
  # This machine lacks CAP_SYS_RESOURCE: without it every sandbox fails (FACTS.md).
  restrict_oom_score_adj = true
  stream_server_address = "127.0.0.1"
  stream_server_port = "0"
  enable_selinux = false
  [plugins."io.containerd.grpc.v1.cri".containerd]
    snapshotter = "overlayfs"
    default_runtime_name = "runc"
    [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc]
      runtime_type = "io.containerd.runc.v2"
      # runc's state under our folder, not the machine-wide /run/containerd/runc (which another
      # containerd of this machine may use, and where killed containers would leave their state).
      [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc.options]
        Root = "$n/containerd/runc"
  [plugins."io.containerd.grpc.v1.cri".cni]
    bin_dir = "/usr/lib/cni"
    conf_dir = "$n/cni/net.d"
  [plugins."io.containerd.grpc.v1.cri".registry]
    config_path = "$n/containerd/certs.d"
EOF
  containerd_start
  images

  # The kubelet: on the bridge's address (the API server reaches it there: InternalIP), the cgroup-v1
  # opt-in of this machine, no swap check, cgroups under one folder, every path under $DIR.
  local kubelet_port healthz_port proxy_healthz proxy_metrics dns_ready
  read -r kubelet_port healthz_port proxy_healthz proxy_metrics dns_ready < <(free_ports 5)
  # No resolver of the machine in pods: only cluster names resolve there (CoreDNS below).
  printf 'options ndots:1\n' >"$n/kubelet/resolv.conf"
  cat >"$n/kubelet/config.yaml" <<EOF
apiVersion: kubelet.config.k8s.io/v1beta1
kind: KubeletConfiguration
failCgroupV1: false
cgroupDriver: cgroupfs
cgroupRoot: /${CGROUP_ROOT}
failSwapOn: false
containerRuntimeEndpoint: unix://$n/containerd/containerd.sock
address: ${NODE_IP}
port: ${kubelet_port}
readOnlyPort: 0
healthzBindAddress: 127.0.0.1
healthzPort: ${healthz_port}
authentication:
  anonymous: {enabled: false}
  webhook: {enabled: false}
  x509: {clientCAFile: $DIR/pki/ca.crt}
# Only holders of a certificate of this cluster's CA get past authentication (the API server).
authorization: {mode: AlwaysAllow}
resolvConf: $n/kubelet/resolv.conf
# Cluster DNS: CoreDNS on the node's address (no kube-dns Service needed, FACTS.md).
clusterDNS: [${NODE_IP}]
clusterDomain: cluster.local
podLogsDir: $n/pod-logs
volumePluginDir: $n/kubelet/volume-plugins
staticPodPath: ""
# Imported images are the only ones there are: never collect them.
imageGCHighThresholdPercent: 100
imageGCLowThresholdPercent: 99
evictionHard: {memory.available: "50Mi", nodefs.available: "1%", imagefs.available: "1%"}
serializeImagePulls: false
EOF
  kubelet_start
  # kube-proxy: iptables mode, its servers on loopback, no machine-wide sysctl (conntrack left as it
  # is, no localhost NodePorts: route_localnet stays 0), NodePorts on the node's address only.
  node_start kube-proxy "$BIN" kube-proxy --kubeconfig "$DIR/kube-proxy.kubeconfig" --proxy-mode iptables \
    --hostname-override "$NODE_NAME" --cluster-cidr "$POD_CIDR" --nodeport-addresses "${NODE_IP}/32" \
    --iptables-localhost-nodeports=false --conntrack-max-per-core 0 \
    --conntrack-tcp-timeout-established 0 --conntrack-tcp-timeout-close-wait 0 \
    --healthz-bind-address "127.0.0.1:${proxy_healthz}" --metrics-bind-address "127.0.0.1:${proxy_metrics}" \
    --profiling=false
  coredns_up "$dns_ready"
  echo "NODE_NAME=$NODE_NAME
NODE_IP=$NODE_IP
POD_CIDR=$POD_CIDR
NODE_BRIDGE=$BRIDGE
CONTAINERD_ADDRESS=$n/containerd/containerd.sock
PAUSE_IMAGE=$PAUSE_IMAGE
BUSYBOX_IMAGE=$BUSYBOX_IMAGE" >>"$DIR/env"

  local deadline=$((SECONDS + NODE_READY_TIMEOUT))
  node_ready_wait
  # Pods can be created once the namespace's default ServiceAccount exists (made just after start).
  until "$BIN" kubectl --kubeconfig "$DIR/admin.kubeconfig" -n default get serviceaccount default >/dev/null 2>&1; do
    ((SECONDS < deadline)) || fail "no default ServiceAccount within ${NODE_READY_TIMEOUT} s (logs: ${DIR}/logs)"
    sleep 0.5
  done
  # CoreDNS answers once its kubernetes plugin has synced with the API server.
  until curl -fsS --max-time 2 "http://127.0.0.1:${dns_ready}/ready" >/dev/null 2>&1; do
    alive coredns || { tail -n 30 "$DIR/logs/coredns.log" >&2; fail "coredns exited (logs: ${DIR}/logs)"; }
    ((SECONDS < deadline)) || fail "CoreDNS not ready within ${NODE_READY_TIMEOUT} s (logs: ${DIR}/logs)"
    sleep 0.5
  done
  say "node ${NODE_NAME} Ready in $(($(date +%s) - t0)) s (${NODE_IP} on ${BRIDGE}, pods ${POD_CIDR})"
  storage_up
}

# CoreDNS (build-coredns.sh) on the node's address, port 53: cluster names from the API server,
# NXDOMAIN for every other name (no forward: it never asks a resolver of the machine). $1: the port
# of its /ready on loopback.
coredns_up() {
  local ready_port=$1 coredns n=$DIR/node
  coredns=$("$HERE/build-coredns.sh" | tail -n 1)
  [[ -x $coredns ]] || fail "no coredns binary at '${coredns}'"
  # Its identity and what it reads (k3s' system:coredns role).
  "$BIN" kubectl --kubeconfig "$DIR/admin.kubeconfig" apply -f - >/dev/null <<'YAML' || fail "cannot create the coredns RBAC"
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: "system:coredns"}
rules:
- apiGroups: [""]
  resources: [endpoints, services, pods, namespaces]
  verbs: [list, watch]
- apiGroups: [discovery.k8s.io]
  resources: [endpointslices]
  verbs: [list, watch]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {name: "system:coredns"}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: "system:coredns"}
subjects:
- {apiGroup: rbac.authorization.k8s.io, kind: User, name: "system:coredns"}
YAML
  cat >"$n/Corefile" <<COREFILE
cluster.local:53 in-addr.arpa:53 {
  bind ${NODE_IP}
  errors
  ready 127.0.0.1:${ready_port}
  kubernetes cluster.local in-addr.arpa {
    kubeconfig $DIR/coredns.kubeconfig local-node
  }
}
.:53 {
  bind ${NODE_IP}
  template ANY ANY {
    rcode NXDOMAIN
  }
}
COREFILE
  node_start coredns "$coredns" -conf "$n/Corefile"
}

node_down() {
  local n=$DIR/node pid ns
  # The kubelet before the containers (it would restart them), kube-proxy and CoreDNS with it.
  stop_process kubelet kube-proxy coredns
  # Pods' network namespaces: those of our containers, and any left with an address of ours.
  local namespaces=()
  for pid in $(node_processes); do
    ns=$(ip netns identify "$pid" 2>/dev/null) && [[ -n $ns ]] && namespaces+=("$ns")
  done
  for ns in $(ip netns list 2>/dev/null | cut -d' ' -f1); do
    ip -n "$ns" -4 addr show 2>/dev/null | grep -qF "inet ${POD_CIDR%.*}." && namespaces+=("$ns")
  done
  # Containers through containerd while it runs: each shim then deletes its task and exits cleanly,
  # removing its socket (in the machine-wide /run/containerd/s/, containerd 1.6 fixes that path).
  local id
  if alive containerd; then
    for id in $(node_ctr tasks ls -q 2>/dev/null); do
      node_ctr tasks rm -f "$id" >/dev/null 2>&1 || true
    done
  fi
  # Whatever is left (containerd gone, a shim that did not exit): killed. Containerd would not stop
  # them (they outlive it by design).
  for pid in $(node_processes); do kill -KILL "$pid" 2>/dev/null || true; done
  stop_process containerd
  local deadline=$((SECONDS + 15))
  while [[ -n $(node_processes) ]] && ((SECONDS < deadline)); do
    for pid in $(node_processes); do kill -KILL "$pid" 2>/dev/null || true; done
    sleep 0.1
  done
  # A shim killed above could not remove its socket: those that appeared since up and that no
  # process listens on are stale (seen: one left after a CI run's down, where /run/containerd was
  # the machine's already). A socket that is listened on is some other containerd's: kept.
  local sock
  for sock in /run/containerd/s/*; do
    [[ -S $sock && -f $n/shim-sockets-before ]] || continue
    grep -qxF "${sock##*/}" "$n/shim-sockets-before" 2>/dev/null && continue
    awk '{ print $8 }' /proc/net/unix | grep -qxF "$sock" && continue
    rm -f "$sock"
  done
  # And a sandbox's namespace whose network was torn down (no pod address left) but not removed, as a
  # node reboot (restart-node) can leave: containerd's name, no process in it, no link but lo.
  for ns in $(ip netns list 2>/dev/null | cut -d' ' -f1); do
    [[ $ns == cni-* && -z $(ip netns pids "$ns" 2>/dev/null) ]] || continue
    ip -n "$ns" -o link show 2>/dev/null | grep -qv ': lo:' || namespaces+=("$ns")
  done
  for ns in ${namespaces[@]+"${namespaces[@]}"}; do ip netns delete "$ns" 2>/dev/null || true; done
  # kube-proxy's chains (it leaves them on exit, by design).
  if [[ -n ${BIN:-} || -f $DIR/env ]]; then
    local bin=${BIN:-$(sed -n 's/^LOCAL_NODE_BIN=//p' "$DIR/env")}
    if [[ -x $bin ]]; then
      "$bin" kube-proxy --cleanup >"$DIR/logs/kube-proxy-cleanup.log" 2>&1 || true
    fi
  fi
  kube_chains_down
  # Mounts under $DIR (overlay root filesystems, shm, pod volumes), deepest first.
  local mnt
  while read -r mnt; do
    umount "$mnt" 2>/dev/null || umount -l "$mnt" 2>/dev/null || true
  done < <(awk -v d="$DIR/" 'index($5, d) == 1 { print $5 }' /proc/self/mountinfo | sort -r)
  storage_down
  cgroups_down
  say "node down"
}

# After the control plane has stopped (it listens on the bridge's address: removed under a running
# API server, its shutdown hangs until killed): the network, the machine's folders, the node's folder.
node_network_down() {
  local n=$DIR/node dir
  network_down
  if [[ -f $n/made-dirs ]]; then
    while read -r dir; do rm -rf "$dir"; done <"$n/made-dirs"
  fi
  rm -rf "$n"
}
