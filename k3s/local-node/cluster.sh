#!/usr/bin/env bash
# The local stand-in for the k3s node's control plane: etcd, kube-apiserver, kube-controller-manager
# and kube-scheduler, built from upstream Kubernetes (build.sh), started on 127.0.0.1 and free ports.
#
#   cluster.sh up       start it (idempotent: a running one is reused); builds first if needed.
#                       Prints the admin kubeconfig's path as its last line.
#   cluster.sh up --node
#                       the same plus a real node (node.sh: containerd, kubelet, kube-proxy, CoreDNS,
#                       a pod network on a bridge of its own); waits until the Node is Ready and
#                       CoreDNS answers.
#   cluster.sh down     stop every process it started and remove its route; keeps logs/ only. After
#                       --node also the node: pods, shims, mounts, namespaces, bridge, rules.
#   cluster.sh restart-node
#                       (after up --node) a node reboot: kubelet and containerd stopped, every
#                       container killed, both started again; waits until the Node is Ready.
#   cluster.sh reclaim  the leftovers of a local node whose owner exited without its down (a killed
#                       run): taken down, from any folder. up --node does it first, too.
#   cluster.sh status   what runs, and whether the API server answers /readyz. Exit 0 when ready.
#   cluster.sh env      (after up) the variables tests read: KUBECONFIG, LOCAL_NODE_BIN, ports...
#
# Env: LOCAL_NODE_DIR   where its state lives (certificates, data, logs, kubeconfigs); default
#                       k3s/local-node/.run (git-ignored). Tests use a folder under target/.
#      LOCAL_NODE_BIN   a prebuilt local-node binary (skips build.sh)
#      LOCAL_NODE_OWNER_PID
#                       (up --node) the process the node belongs to (tests give their own): once
#                       it has exited, the next up --node or reclaim takes the node down. Without
#                       it, a node is dead when no process names its folder any more.
#
# Part 1 of the test tier: without --node no kubelet runs, so pods stay Pending unless a test plays
# the kubelet (operator/src/test/.../kube/SimulatedKubelet). With --node (part 2) a real one runs:
# a Node that registers is given every pending pod of the cluster, so use --node only on a cluster
# whose every pod names an image imported into its containerd (node.sh; no pull can succeed).
# Nothing here listens beyond loopback — with --node, beyond loopback and the node's own bridge: the
# API server then binds the bridge's address (pods reach it through the kubernetes Service, as on
# k3s), fenced so that only the machine itself and its pods reach it. The Service range gets a
# blackhole route first, so that no address of it can route off this machine.
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
DIR=${LOCAL_NODE_DIR:-$HERE/.run}
# k3s' default Service range; blackholed while the cluster runs (see above).
SERVICE_CIDR=10.43.0.0/16
FIRST_SERVICE_IP=10.43.0.1
READY_TIMEOUT=${LOCAL_NODE_READY_TIMEOUT:-90}
COMPONENTS=(etcd kube-apiserver kube-controller-manager kube-scheduler)
# up --node: also a real node (node.sh), named so.
NODE=0
NODE_NAME=local-node
# Where the API server listens: loopback; with --node the node's bridge address (set in up).
API_HOST=127.0.0.1

say() { printf '[local-node] %s\n' "$*" >&2; }
fail() { say "FAIL: $*"; exit 1; }

pid_of() { [[ -f $DIR/pids/$1 ]] && cat "$DIR/pids/$1"; }
alive() { local pid; pid=$(pid_of "$1") && [[ -n $pid ]] && kill -0 "$pid" 2>/dev/null; }

# Stops the named processes together (each leads its own process group, setsid: SIGTERM to the group,
# up to 15 s, then SIGKILL, said): each takes about 2 s to shut down cleanly, and one after another
# made a down wait 2 s per process.
stop_process() {
  local name pid deadline left
  for name in "$@"; do
    pid=$(pid_of "$name") || continue
    if [[ -n $pid ]]; then kill -TERM -- "-$pid" 2>/dev/null || true; fi
  done
  deadline=$((SECONDS + 15))
  while ((SECONDS < deadline)); do
    left=0
    for name in "$@"; do if alive "$name"; then left=1; fi; done
    ((left)) || break
    sleep 0.1
  done
  for name in "$@"; do
    pid=$(pid_of "$name") || continue
    if alive "$name"; then
      say "${name} (pid ${pid}) did not stop within 15 s of SIGTERM: killing it"
      kill -KILL -- "-$pid" 2>/dev/null || true
    fi
    rm -f "$DIR/pids/$name"
  done
  return 0
}

# N free TCP ports on 127.0.0.1, chosen by the kernel (bound, then released).
free_ports() {
  python3 - "$1" <<'PY'
import socket, sys
socks = [socket.socket() for _ in range(int(sys.argv[1]))]
for s in socks:
    s.bind(("127.0.0.1", 0))
print(" ".join(str(s.getsockname()[1]) for s in socks))
PY
}

readyz() {
  [[ -f $DIR/env ]] || return 1
  local url
  url=$(sed -n 's/^APISERVER_URL=//p' "$DIR/env")
  curl -fsS --max-time 2 --cacert "$DIR/pki/ca.crt" "${url}/readyz" >/dev/null 2>&1
}

# --- certificates (openssl): a CA, the API server's serving cert, one client cert per user ----------
pki() {
  local p=$DIR/pki
  mkdir -p "$p"
  openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj "/CN=local-node-ca" \
    -keyout "$p/ca.key" -out "$p/ca.crt" 2>/dev/null
  cat >"$p/serving.ext" <<EOF
subjectAltName=IP:${API_HOST},IP:${FIRST_SERVICE_IP},DNS:localhost,DNS:kubernetes,DNS:kubernetes.default,DNS:kubernetes.default.svc,DNS:kubernetes.default.svc.cluster.local
extendedKeyUsage=serverAuth
EOF
  signed apiserver "/CN=kube-apiserver" "$p/serving.ext"
  printf 'extendedKeyUsage=clientAuth\n' >"$p/client.ext"
  signed admin "/O=system:masters/CN=local-node-admin" "$p/client.ext"
  signed controller-manager "/CN=system:kube-controller-manager" "$p/client.ext"
  signed scheduler "/CN=system:kube-scheduler" "$p/client.ext"
  if ((NODE)); then
    # The API server's client cert towards the kubelet (logs, exec), the node's and kube-proxy's.
    signed apiserver-kubelet-client "/O=system:masters/CN=kube-apiserver-kubelet-client" "$p/client.ext"
    signed kubelet "/O=system:nodes/CN=system:node:${NODE_NAME}" "$p/client.ext"
    signed kube-proxy "/CN=system:kube-proxy" "$p/client.ext"
    signed coredns "/CN=system:coredns" "$p/client.ext"
  fi
  # Service-account tokens: the API server signs with the private key and checks with the public one.
  openssl genrsa -out "$p/sa.key" 2048 2>/dev/null
  openssl rsa -in "$p/sa.key" -pubout -out "$p/sa.pub" 2>/dev/null
}

signed() {
  local name=$1 subject=$2 ext=$3 p=$DIR/pki
  openssl req -newkey rsa:2048 -nodes -subj "$subject" -keyout "$p/$name.key" -out "$p/$name.csr" 2>/dev/null
  openssl x509 -req -in "$p/$name.csr" -CA "$p/ca.crt" -CAkey "$p/ca.key" -CAcreateserial -days 2 \
    -extfile "$ext" -out "$p/$name.crt" 2>/dev/null
}

kubeconfig() {
  local user=$1 port=$2 p=$DIR/pki
  cat >"$DIR/$user.kubeconfig" <<EOF
apiVersion: v1
kind: Config
clusters:
- name: local-node
  cluster:
    server: https://${API_HOST}:${port}
    certificate-authority: ${p}/ca.crt
users:
- name: ${user}
  user:
    client-certificate: ${p}/${user}.crt
    client-key: ${p}/${user}.key
contexts:
- name: local-node
  context: {cluster: local-node, user: ${user}, namespace: default}
current-context: local-node
EOF
}

# Starts one component in its own session (so down can stop its whole process group).
start() {
  local name=$1
  shift
  setsid "$BIN" "$name" "$@" >"$DIR/logs/$name.log" 2>&1 </dev/null &
  echo $! >"$DIR/pids/$name"
}

up() {
  if alive kube-apiserver && readyz && { ((!NODE)) || [[ -f $DIR/node/made ]]; }; then
    say "already running (${DIR})"
    echo "$DIR/admin.kubeconfig"
    return
  fi
  # Whatever is left of an earlier run (crashed test JVM, killed shell) goes first: this folder's,
  # and with --node a dead node's of another folder, whose bridge every node would wait for.
  down >/dev/null 2>&1 || true
  if ((NODE)); then
    # shellcheck source=k3s/local-node/node.sh disable=SC1091 # from the repository root it is followed
    source "$HERE/node.sh"
    node_reclaim_locked
  fi
  if [[ -n ${LOCAL_NODE_BIN:-} ]]; then
    BIN=$LOCAL_NODE_BIN
  else
    BIN=$("$HERE/build.sh" | tail -n 1)
  fi
  [[ -x $BIN ]] || fail "no local-node binary at '${BIN}'"
  command -v openssl >/dev/null || fail "openssl is needed for the certificates"
  local t0
  t0=$(date +%s)
  # A fresh cluster, fresh logs: the audit log must hold this cluster's requests only.
  rm -rf "$DIR/etcd" "$DIR/pki" "$DIR/pids" "$DIR/logs"
  mkdir -p "$DIR/logs" "$DIR/pids" "$DIR/etcd"
  chmod 700 "$DIR/etcd"
  if ((NODE)); then
    # The node's bridge first: the API server binds its address (pods reach it there).
    node_prepare
    API_HOST=$NODE_IP
  fi
  pki

  # The Service range could route off this machine (it has a default route): blackhole it first.
  if ! ip route show type blackhole | grep -q "^blackhole ${SERVICE_CIDR}"; then
    ip route add blackhole "$SERVICE_CIDR" || fail "cannot add 'ip route add blackhole ${SERVICE_CIDR}' (root is needed)"
  fi
  echo "$SERVICE_CIDR" >"$DIR/blackhole-route"

  local etcd_port etcd_peer api_port
  read -r etcd_port etcd_peer api_port < <(free_ports 3)
  cat >"$DIR/env" <<EOF
KUBECONFIG=$DIR/admin.kubeconfig
LOCAL_NODE_BIN=$BIN
LOCAL_NODE_DIR=$DIR
APISERVER_PORT=$api_port
APISERVER_HOST=$API_HOST
APISERVER_URL=https://$API_HOST:$api_port
ETCD_PORT=$etcd_port
AUDIT_LOG=$DIR/logs/audit.log
CA_CERT=$DIR/pki/ca.crt
SERVICE_CIDR=$SERVICE_CIDR
EOF
  kubeconfig admin "$api_port"
  kubeconfig controller-manager "$api_port"
  kubeconfig scheduler "$api_port"
  local node_flags=()
  if ((NODE)); then
    kubeconfig kubelet "$api_port"
    kubeconfig kube-proxy "$api_port"
    kubeconfig coredns "$api_port"
    node_flags=(--kubelet-client-certificate "$DIR/pki/apiserver-kubelet-client.crt"
      --kubelet-client-key "$DIR/pki/apiserver-kubelet-client.key")
  fi
  # Every request, at Metadata level (who, verb, resource, response code; never a body): the tests
  # count writes and prove RBAC from it. Secrets' bodies are never logged at this level.
  cat >"$DIR/audit-policy.yaml" <<'EOF'
apiVersion: audit.k8s.io/v1
kind: Policy
omitStages: [RequestReceived]
rules:
- level: Metadata
EOF

  # etcd: test data only, so no fsync (the disk of a 2-core CI machine is the slowest part).
  start etcd --name local-node --data-dir "$DIR/etcd" \
    --listen-client-urls "http://127.0.0.1:${etcd_port}" --advertise-client-urls "http://127.0.0.1:${etcd_port}" \
    --listen-peer-urls "http://127.0.0.1:${etcd_peer}" --initial-advertise-peer-urls "http://127.0.0.1:${etcd_peer}" \
    --initial-cluster "local-node=http://127.0.0.1:${etcd_peer}" --listen-metrics-urls "" \
    --unsafe-no-fsync --log-level warn
  local p=$DIR/pki
  # Without --node: 127.0.0.1, nothing outside loopback (the API server then cannot write the
  # kubernetes Service's endpoints, "may not be in the loopback range": no pod needs them). With
  # --node: the bridge's address, which the kubernetes Service's endpoints name (pods' in-cluster
  # clients reach 10.43.0.1:443, DNATed there by kube-proxy) and node.sh fences.
  start kube-apiserver --etcd-servers "http://127.0.0.1:${etcd_port}" \
    --bind-address "$API_HOST" --secure-port "$api_port" --advertise-address "$API_HOST" \
    --tls-cert-file "$p/apiserver.crt" --tls-private-key-file "$p/apiserver.key" --client-ca-file "$p/ca.crt" \
    --service-account-key-file "$p/sa.pub" --service-account-signing-key-file "$p/sa.key" \
    --service-account-issuer https://kubernetes.default.svc.cluster.local \
    --service-cluster-ip-range "$SERVICE_CIDR" \
    --authorization-mode Node,RBAC --enable-admission-plugins NodeRestriction,PodSecurity \
    --kubelet-preferred-address-types InternalIP \
    --audit-policy-file "$DIR/audit-policy.yaml" --audit-log-path "$DIR/logs/audit.log" \
    --audit-log-format json --audit-log-mode blocking --profiling=false ${node_flags[@]+"${node_flags[@]}"}
  local deadline=$((SECONDS + READY_TIMEOUT))
  until readyz; do
    alive kube-apiserver || { tail -n 30 "$DIR/logs/kube-apiserver.log" >&2; fail "kube-apiserver exited (log above: ${DIR}/logs)"; }
    ((SECONDS < deadline)) || fail "kube-apiserver not ready within ${READY_TIMEOUT} s (logs: ${DIR}/logs)"
    sleep 0.2
  done
  # The controllers a cluster runs, each with its own service account (as kubeadm and k3s do), but
  # not the node-lifecycle controller: with no kubelet, it would taint the test's Node and evict its pods.
  # A real node needs it: it lifts the not-ready taint the kubelet registers with once it is Ready.
  local controllers='*,-node-lifecycle-controller'
  ((NODE)) && controllers='*'
  start kube-controller-manager --kubeconfig "$DIR/controller-manager.kubeconfig" \
    --authentication-kubeconfig "$DIR/controller-manager.kubeconfig" \
    --authorization-kubeconfig "$DIR/controller-manager.kubeconfig" \
    --bind-address 127.0.0.1 --secure-port 0 --leader-elect=false \
    --use-service-account-credentials --controllers "$controllers" \
    --service-account-private-key-file "$p/sa.key" --root-ca-file "$p/ca.crt" \
    --service-cluster-ip-range "$SERVICE_CIDR" --profiling=false
  start kube-scheduler --kubeconfig "$DIR/scheduler.kubeconfig" \
    --authentication-kubeconfig "$DIR/scheduler.kubeconfig" --authorization-kubeconfig "$DIR/scheduler.kubeconfig" \
    --bind-address 127.0.0.1 --secure-port 0 --leader-elect=false --profiling=false
  local name
  for name in kube-controller-manager kube-scheduler; do
    alive "$name" || { tail -n 30 "$DIR/logs/$name.log" >&2; fail "$name exited (logs: ${DIR}/logs)"; }
  done
  say "ready in $(($(date +%s) - t0)) s: https://${API_HOST}:${api_port} (state and logs: ${DIR})"
  if ((NODE)); then
    node_up
  fi
  echo "$DIR/admin.kubeconfig"
}

down() {
  local name pid deadline node=0
  if [[ -f $DIR/node/made ]]; then
    node=1
    # shellcheck source=k3s/local-node/node.sh disable=SC1091 # from the repository root it is followed
    source "$HERE/node.sh"
    node_down
  fi
  # Clients first, the API server next, etcd last: each one's shutdown is then quick and clean.
  stop_process kube-scheduler kube-controller-manager
  stop_process kube-apiserver
  stop_process etcd
  # Before the bridge goes: a node waiting for it (network_up) adds its route only after that.
  if [[ -f $DIR/blackhole-route ]]; then
    # Another local control plane of this machine (a second checkout's tests) may still rely on it.
    if ! pgrep -f 'local-node kube-apiserver' >/dev/null; then
      ip route del blackhole "$(cat "$DIR/blackhole-route")" 2>/dev/null || true
    fi
    rm -f "$DIR/blackhole-route"
  fi
  ((node)) && node_network_down
  # Processes a test's simulated kubelet started (Redis containers run in their pod's folder under
  # $DIR/kubelet) and left behind when its JVM was killed outright.
  local proc cwd
  for proc in /proc/[0-9]*; do
    cwd=$(readlink "$proc/cwd" 2>/dev/null) || continue
    if [[ $cwd == "$DIR/kubelet/"* ]]; then
      kill -KILL "${proc#/proc/}" 2>/dev/null || true
    fi
  done
  # Data and keys are throwaway; the logs stay for whoever looks into a failure.
  rm -rf "$DIR/etcd" "$DIR/pki" "$DIR/env" "$DIR"/*.kubeconfig
  say "down (logs kept in ${DIR}/logs)"
}

status() {
  local name rc=0 components=("${COMPONENTS[@]}")
  [[ -f $DIR/node/made ]] && components+=(containerd kubelet kube-proxy coredns)
  for name in "${components[@]}"; do
    if alive "$name"; then
      printf '%-24s running (pid %s)\n' "$name" "$(pid_of "$name")"
    else
      printf '%-24s stopped\n' "$name"
      rc=1
    fi
  done
  if readyz; then
    printf '%-24s ready; KUBECONFIG=%s\n' "/readyz" "$DIR/admin.kubeconfig"
  else
    printf '%-24s not answering\n' "/readyz"
    rc=1
  fi
  return $rc
}

case ${1:-} in
  up)
    case ${2:-} in
      --node) NODE=1 ;;
      "") ;;
      *) echo "usage: $0 up [--node]" >&2; exit 2 ;;
    esac
    up
    ;;
  down) down ;;
  restart-node)
    [[ -f $DIR/node/made ]] || fail "no node runs in ${DIR} (cluster.sh up --node first)"
    # shellcheck source=k3s/local-node/node.sh disable=SC1091 # from the repository root it is followed
    source "$HERE/node.sh"
    node_restart
    ;;
  reclaim)
    # A local node whose owner has exited without its down (node.sh: node_reclaim): taken down.
    # shellcheck source=k3s/local-node/node.sh disable=SC1091 # from the repository root it is followed
    source "$HERE/node.sh"
    node_reclaim_locked
    ;;
  status) status ;;
  env) [[ -f $DIR/env ]] || fail "not up (${DIR})"; cat "$DIR/env" ;;
  *) echo "usage: $0 up [--node]|down|restart-node|reclaim|status|env" >&2; exit 2 ;;
esac
