#!/bin/sh
# Start-up gate of a TTStack Redis Cluster node: the container's entry point, run before redis-server.
#
# Why: a node that starts without its nodes.conf gets a new node id. If the cluster already exists,
# its old id stays in the other nodes' tables owning its slots, and its former replica full-syncs
# from the new, empty process at the same address and flushes its data (measured with 7.0.15). So:
#
#   nodes.conf present                      -> start redis-server at once (the normal case)
#   nodes.conf missing, no cluster known    -> start redis-server at once (first start, bootstrap)
#   nodes.conf missing, the cluster exists  -> GATE: redis-server is NOT started on the Redis port.
#       The node stays absent, so its replica is promoted (by the cluster or by the operator with
#       CLUSTER FAILOVER TAKEOVER). Meanwhile a throw-away redis-server listens on the gate port
#       (no cluster, no persistence, same password) holding the keys
#         ttstack:gate:state       closed
#         ttstack:gate:pod         this pod's name
#         ttstack:gate:reason      why the gate closed
#         ttstack:gate:data-files  present | absent   (an AOF/RDB without nodes.conf, or nothing)
#       The operator reads them and, once the former replica is promoted and the old node id
#       forgotten everywhere, sets ttstack:gate:release to "fresh". The gate then moves any old data
#       files aside (into ttstack-stale/ on the data volume; they are not the cluster's data any
#       more), stops the gate server and starts redis-server empty, to be joined as a new node.
#
# "The cluster exists" means: the marker file REDIS_CLUSTER_MARKER is non-empty (the operator
# writes it once the cluster is bootstrapped), or any peer in REDIS_PEERS reports
# cluster_known_nodes > 1.
#
# Environment (defaults are those of the TTStack pod):
#   REDIS_PASSWORD         required; becomes requirepass and masterauth (never on a command line)
#   POD_NAME               this pod's name (default: hostname)
#   REDIS_ANNOUNCE_HOSTNAME  cluster-announce-hostname (default: POD_NAME)
#   REDIS_BASE_CONF        the shared redis.conf, included first (default /etc/redis/redis.conf)
#   REDIS_DATA_DIR         AOF and nodes.conf (default /data)
#   REDIS_RUN_DIR          runtime config holding the password, memory-backed (default /run/redis)
#   REDIS_PORT             (default 6379)      REDIS_GATE_PORT   (default 6380)
#   REDIS_BIND             optional bind addresses for both servers
#   REDIS_PEERS            space-separated host:port of every node of the cluster (self included)
#   REDIS_CLUSTER_MARKER   optional file; non-empty means the cluster was created
#   REDIS_GATE_POLL_SECONDS  (default 1)       REDIS_PEER_TIMEOUT_SECONDS (default 2)
#   REDIS_SERVER_BIN, REDIS_CLI_BIN  (default redis-server, redis-cli from PATH)
set -eu

: "${REDIS_PASSWORD:?REDIS_PASSWORD must be set (from the stack Secret)}"
POD_NAME=${POD_NAME:-$(hostname)}
ANNOUNCE_HOSTNAME=${REDIS_ANNOUNCE_HOSTNAME:-$POD_NAME}
BASE_CONF=${REDIS_BASE_CONF:-/etc/redis/redis.conf}
DATA_DIR=${REDIS_DATA_DIR:-/data}
RUN_DIR=${REDIS_RUN_DIR:-/run/redis}
PORT=${REDIS_PORT:-6379}
GATE_PORT=${REDIS_GATE_PORT:-6380}
BIND=${REDIS_BIND:-}
PEERS=${REDIS_PEERS:-}
MARKER=${REDIS_CLUSTER_MARKER:-}
POLL=${REDIS_GATE_POLL_SECONDS:-1}
PEER_TIMEOUT=${REDIS_PEER_TIMEOUT_SECONDS:-2}
SERVER=${REDIS_SERVER_BIN:-redis-server}
CLI=${REDIS_CLI_BIN:-redis-cli}

# redis-cli reads the password from the environment: it never appears in a process list.
REDISCLI_AUTH=$REDIS_PASSWORD
export REDISCLI_AUTH

log() {
  printf '%s redis-start[%s]: %s\n' "$(date -u +%Y-%m-%dT%H:%M:%SZ)" "$POD_NAME" "$*" >&2
}

case $REDIS_PASSWORD in
  *"
"*) log "REDIS_PASSWORD must be a single line"; exit 64 ;;
esac

# The password as a double-quoted redis.conf string: backslash and double quote escaped.
quoted_password() {
  printf '"%s"' "$(printf '%s' "$REDIS_PASSWORD" | sed -e 's/\\/\\\\/g' -e 's/"/\\"/g')"
}

umask 077
mkdir -p "$RUN_DIR" "$DATA_DIR"
RUN_CONF=$RUN_DIR/redis.conf

# The runtime config: the shared file plus what is per pod or secret. CONFIG REWRITE (password
# rotation) rewrites this file, never the read-only shared one.
write_runtime_conf() {
  {
    printf 'include %s\n' "$BASE_CONF"
    printf 'port %s\n' "$PORT"
    printf 'dir %s\n' "$DATA_DIR"
    if [ -n "$BIND" ]; then
      printf 'bind %s\n' "$BIND"
    fi
    printf 'cluster-announce-hostname %s\n' "$ANNOUNCE_HOSTNAME"
    printf 'requirepass %s\n' "$(quoted_password)"
    printf 'masterauth %s\n' "$(quoted_password)"
  } >"$RUN_CONF.tmp"
  mv "$RUN_CONF.tmp" "$RUN_CONF"
}

data_files_present() {
  [ -e "$DATA_DIR/appendonlydir" ] || [ -e "$DATA_DIR/dump.rdb" ] || [ -e "$DATA_DIR/appendonly.aof" ]
}

# Sets REASON and returns 0 when the cluster exists.
cluster_exists() {
  if [ -n "$MARKER" ] && [ -s "$MARKER" ]; then
    REASON="nodes.conf is missing and the marker $MARKER says the cluster was created"
    return 0
  fi
  for peer in $PEERS; do
    host=${peer%:*}
    port=${peer##*:}
    known=$(timeout "$PEER_TIMEOUT" "$CLI" -h "$host" -p "$port" cluster info 2>/dev/null \
      | tr -d '\r' | sed -n 's/^cluster_known_nodes://p') || known=""
    case $known in
      '' | *[!0-9]*) ;;
      *)
        if [ "$known" -gt 1 ]; then
          REASON="nodes.conf is missing and peer $peer knows $known nodes: the cluster exists"
          return 0
        fi
        ;;
    esac
  done
  return 1
}

gate_cli() {
  "$CLI" -p "$GATE_PORT" "$@"
}

GATE_PID=""
stop_gate() {
  if [ -n "$GATE_PID" ]; then
    gate_cli shutdown nosave >/dev/null 2>&1 || kill "$GATE_PID" 2>/dev/null || true
    wait "$GATE_PID" 2>/dev/null || true
    GATE_PID=""
  fi
}

move_data_aside() {
  stale=$DATA_DIR/ttstack-stale
  rm -rf "$stale"
  mkdir -p "$stale"
  for f in appendonlydir dump.rdb appendonly.aof; do
    if [ -e "$DATA_DIR/$f" ]; then
      mv "$DATA_DIR/$f" "$stale/"
    fi
  done
  log "old data files moved to $stale"
}

run_gate() {
  gate_dir=$RUN_DIR/gate
  mkdir -p "$gate_dir"
  {
    printf 'port %s\n' "$GATE_PORT"
    if [ -n "$BIND" ]; then
      printf 'bind %s\n' "$BIND"
    fi
    printf 'dir %s\n' "$gate_dir"
    printf 'save ""\nappendonly no\ncluster-enabled no\ndaemonize no\n'
    printf 'requirepass %s\n' "$(quoted_password)"
  } >"$gate_dir/gate.conf"
  trap 'stop_gate; exit 143' TERM INT
  "$SERVER" "$gate_dir/gate.conf" &
  GATE_PID=$!

  tries=0
  until gate_cli ping 2>/dev/null | grep -q PONG; do
    tries=$((tries + 1))
    if [ "$tries" -ge 100 ] || ! kill -0 "$GATE_PID" 2>/dev/null; then
      log "the gate server on port $GATE_PORT did not start"
      stop_gate
      exit 1
    fi
    sleep 0.1
  done
  if data_files_present; then files=present; else files=absent; fi
  gate_cli mset ttstack:gate:state closed ttstack:gate:pod "$POD_NAME" \
    ttstack:gate:reason "$REASON" ttstack:gate:data-files "$files" >/dev/null
  log "GATE CLOSED: $REASON (data files $files); waiting for the operator on port $GATE_PORT"

  while :; do
    release=$(gate_cli get ttstack:gate:release 2>/dev/null | tr -d '\r') || release=""
    case $release in
      fresh) break ;;
    esac
    if ! kill -0 "$GATE_PID" 2>/dev/null; then
      log "the gate server exited; restarting the container"
      exit 1
    fi
    sleep "$POLL"
  done
  log "gate released by the operator: starting as a new, empty node"
  stop_gate
  trap - TERM INT
  if data_files_present; then
    move_data_aside
  fi
}

write_runtime_conf
if [ -s "$DATA_DIR/nodes.conf" ]; then
  log "nodes.conf present: starting redis-server"
elif cluster_exists; then
  run_gate
else
  log "nodes.conf missing and no cluster known: starting redis-server as a new node"
fi
exec "$SERVER" "$RUN_CONF"
