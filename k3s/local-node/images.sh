#!/usr/bin/env bash
# Builds the local node's test images from Debian packages, without Docker and without any
# registry, as docker-archive tarballs for `ctr -n k8s.io images import`:
#   debootstrap --variant=minbase from the machine's own apt source (read from its apt configuration,
#   no mirror is named here) -> the machine's apt sources copied in, `apt-get install
#   --no-install-recommends` of the image's packages in a chroot -> the image's own set-up (users
#   with the uids the TTStack pods run as, thin entrypoints) -> one layer tar + config JSON +
#   manifest.json. The jar images (operator, app) are the jre image's layer plus one with the jar;
#   stand-ins is the same with a jar this script compiles (javac) from k3s/local-node/stand-ins/.
# Each image is cached under $XDG_CACHE_HOME/ttstack/images/<name>-<key>/ (key: the package list,
# this image's definition, the shared build steps, the Debian suite and architecture; for a jar
# image: the jar's sha256 (stand-ins: its sources' and the javac version) and the jre image's key); older keys
# of the same image are removed; a second call returns at once. One build per image at a time
# (flock); the second caller waits, then finds it.
#
# Usage: k3s/local-node/images.sh NAME...     (root; progress on stderr)
#        k3s/local-node/images.sh --list      (the image names)
# Prints one line per image on stdout: "<image reference> <archive path>", for example
#   ttstack.local/redis:7.0.15 /root/.cache/ttstack/images/redis-0123456789abcdef/image.tar
# Images: redis, postgres, jre, and on jre: operator and app (their jars built first by ./mvnw
# package) and stand-ins (fake Doppler, Slack receiver); prometheus (not Debian's: built from its Go
# module by build-prometheus.sh), alertmanager, postgres-exporter, redis-exporter; toolbox (an in-cluster client: curl, jq, redis-cli, psql/pg_restore); see the
# image_* functions.
# Needs: debootstrap, jq, sha256sum, flock, chroot, unshare (util-linux), javac + jar (stand-ins),
# Go (prometheus); run as root.
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO=$(cd "$HERE/../.." && pwd)
CACHE_ROOT=${XDG_CACHE_HOME:-$HOME/.cache}/ttstack/images
IMAGES=(redis postgres jre operator app stand-ins prometheus alertmanager postgres-exporter redis-exporter toolbox)

say() { printf '[images] %s\n' "$*" >&2; }
fail() { say "FAIL: $*"; exit 1; }

# ---- image definitions ------------------------------------------------------------------------
# Each image_NAME sets: PACKAGES (installed with --no-install-recommends), VERSION_OF (the package
# whose upstream version becomes the tag), CONFIG_JSON (jq program for the image config's "config"),
# and may define prepare_NAME (in the chroot before the install) and finish_NAME (after it). Every
# function of an image is part of its cache key, so editing one rebuilds that image only.

# Redis as the TTStack Redis pods run it: the operator's start/probe scripts need a POSIX shell,
# sed, tr, awk, timeout, hostname and redis-cli (all in minbase + redis-tools). The pods run as
# uid 999 / gid 1000 (RedisObjects), so the redis user is created with those ids first.
image_redis() {
  PACKAGES=(redis-server redis-tools)
  VERSION_OF=redis-server
  CONFIG_JSON='{Env: ["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"],
    User: "999:1000", WorkingDir: "/data", Cmd: ["redis-server"],
    ExposedPorts: {"6379/tcp": {}}}'
}
prepare_redis() {
  groupadd --system --gid 1000 redis
  useradd --system --uid 999 --gid 1000 --home-dir /var/lib/redis --shell /usr/sbin/nologin redis
}
finish_redis() {
  install -d -o 999 -g 1000 -m 0755 /data
}

# PostgreSQL 15 (Debian's) with a thin entrypoint for the official image's POSTGRES_USER /
# POSTGRES_PASSWORD / POSTGRES_DB / PGDATA contract (postgres-entrypoint.sh beside this script).
# The pods run as uid/gid 70 (the official Alpine image's postgres user): initdb refuses a uid
# without a passwd entry, so the postgres user gets 70 before the package creates it. No default
# cluster is created at install time (the entrypoint makes it in PGDATA). The backup Job runs
# sh + pg_dump (+ find, sort, wc) from this image too.
image_postgres() {
  PACKAGES=(postgresql-15)
  VERSION_OF=postgresql-15
  CONFIG_JSON='{Env: ["PATH=/usr/lib/postgresql/15/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
      "PGDATA=/var/lib/postgresql/data", "LANG=C.UTF-8"],
    User: "70:70", Entrypoint: ["/usr/local/bin/postgres-entrypoint.sh"], Cmd: ["postgres"],
    StopSignal: "SIGINT", ExposedPorts: {"5432/tcp": {}}}'
}
prepare_postgres() {
  groupadd --system --gid 70 postgres
  useradd --system --uid 70 --gid 70 --home-dir /var/lib/postgresql --shell /bin/sh postgres
  mkdir -p /etc/postgresql-common/createcluster.d
  echo 'create_main_cluster = false' >/etc/postgresql-common/createcluster.d/ttstack.conf
}
finish_postgres() {
  install -d -o 70 -g 70 -m 0700 /var/lib/postgresql/data
  # The socket folder: 3777 as in the official image, so any uid can create its socket there.
  install -d -o 70 -g 70 -m 3777 /run/postgresql
  install -m 0755 /ttstack-files/postgres-entrypoint.sh /usr/local/bin/postgres-entrypoint.sh
}
# Files copied into the chroot as /ttstack-files/ (and part of the key).
files_postgres() { echo "$HERE/postgres-entrypoint.sh"; }
files_redis() { :; }

# The JRE the app and operator images run on (Debian's OpenJDK 17, headless), user 10001 as the
# project's Dockerfiles create it. No entrypoint: the images built on it (below) have theirs.
image_jre() {
  PACKAGES=(openjdk-17-jre-headless)
  VERSION_OF=openjdk-17-jre-headless
  CONFIG_JSON='{Env: ["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", "LANG=C.UTF-8",
      "JAVA_HOME=/usr/lib/jvm/java-17-openjdk-amd64"],
    User: "10001:10001", WorkingDir: "/app", Cmd: ["java", "-version"]}'
}
prepare_jre() {
  groupadd --gid 10001 ttstack
  useradd --uid 10001 --gid 10001 --no-create-home --home-dir /app --shell /usr/sbin/nologin ttstack
  # ca-certificates-java (a dependency) runs keytool; the man pages it links do not exist in minbase.
  mkdir -p /usr/share/man/man1
}
finish_jre() {
  install -d -o 0 -g 0 -m 0755 /app
}
files_jre() { :; }

# Monitoring, from Debian's packages, with the entry points of the official images (the operator
# gives only args, so the Entrypoint is the binary; Debian names Alertmanager and the exporters
# prometheus-*). User nobody (65534), as the official images and the TTStack pods run them; the
# data folders (/prometheus, /alertmanager) owned by nobody, as the official images make them.
# Prometheus is not Debian's: its package is built without Kubernetes service discovery, which the
# operator's scrape config uses ("field kubernetes_sd_configs not found"). The prometheus image is
# the minbase root with Prometheus 2.53.3 (the operator's default image's version) built from its
# Go module by build-prometheus.sh (static): /bin/prometheus and /bin/promtool, the default
# /etc/prometheus/prometheus.yml, /etc/prometheus and /prometheus owned by nobody, Entrypoint and
# User as the official image (its Cmd without the console flags: the image has no console
# templates, and the operator passes its own args). No apt install; the key holds the binaries.
MONITORING_PATH='"PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"'
image_prometheus() {
  PROMETHEUS_BIN=$("$HERE/build-prometheus.sh" | tail -n 1) || fail "prometheus: build-prometheus.sh failed"
  TAG=$("$PROMETHEUS_BIN" --version 2>&1 | sed -n 's/^prometheus, version \([0-9.]*\) .*/\1/p')
  [[ -n $TAG ]] || fail "prometheus: no version from ${PROMETHEUS_BIN} --version"
  CONFIG_JSON='{Env: ['"$MONITORING_PATH"'], User: "65534:65534", WorkingDir: "/prometheus",
    Entrypoint: ["/bin/prometheus"], Cmd: ["--config.file=/etc/prometheus/prometheus.yml",
      "--storage.tsdb.path=/prometheus"], ExposedPorts: {"9090/tcp": {}}}'
}
files_prometheus() { printf '%s\n' "$PROMETHEUS_BIN" "${PROMETHEUS_BIN%/*}/promtool" "${PROMETHEUS_BIN%/*}/prometheus.yml"; }
finish_prometheus() {
  install -m 0755 /ttstack-files/prometheus /ttstack-files/promtool /bin/
  install -d -o 65534 -g 65534 -m 0755 /etc/prometheus /prometheus
  install -o 65534 -g 65534 -m 0644 /ttstack-files/prometheus.yml /etc/prometheus/prometheus.yml
}
image_alertmanager() {
  PACKAGES=(prometheus-alertmanager)
  VERSION_OF=prometheus-alertmanager
  CONFIG_JSON='{Env: ['"$MONITORING_PATH"'], User: "65534:65534", WorkingDir: "/alertmanager",
    Entrypoint: ["/usr/bin/prometheus-alertmanager"], Cmd: ["--config.file=/etc/prometheus/alertmanager.yml",
      "--storage.path=/alertmanager"], ExposedPorts: {"9093/tcp": {}}}'
}
finish_alertmanager() { install -d -o 65534 -g 65534 -m 0755 /alertmanager; }
image_postgres-exporter() {
  PACKAGES=(prometheus-postgres-exporter)
  VERSION_OF=prometheus-postgres-exporter
  CONFIG_JSON='{Env: ['"$MONITORING_PATH"'], User: "65534:65534",
    Entrypoint: ["/usr/bin/prometheus-postgres-exporter"], ExposedPorts: {"9187/tcp": {}}}'
}
image_redis-exporter() {
  PACKAGES=(prometheus-redis-exporter)
  VERSION_OF=prometheus-redis-exporter
  CONFIG_JSON='{Env: ['"$MONITORING_PATH"'], User: "65534:65534",
    Entrypoint: ["/usr/bin/prometheus-redis-exporter"], ExposedPorts: {"9121/tcp": {}}}'
}
# The e2e run's client inside the cluster (kubectl exec into its pod): HTTP (curl, jq), Redis
# Cluster (redis-cli --cluster check: MOVED answers name pod hostnames only a pod resolves) and
# PostgreSQL (psql, pg_restore --list of a backup). User 10002 with a passwd entry (psql and
# redis-cli look their user up); HOME=/tmp, the one folder a read-only root filesystem pod mounts.
# Its process waits for SIGTERM, so deleting the pod takes no grace period.
image_toolbox() {
  PACKAGES=(curl jq redis-tools postgresql-client-15 ca-certificates)
  VERSION_OF=postgresql-client-15
  CONFIG_JSON='{Env: ["PATH=/usr/lib/postgresql/15/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
      "HOME=/tmp", "LANG=C.UTF-8"],
    User: "10002:10002", WorkingDir: "/tmp",
    Entrypoint: ["/bin/sh", "-c", "trap \"exit 0\" TERM INT; sleep infinity & wait"]}'
}
prepare_toolbox() {
  groupadd --gid 10002 toolbox
  useradd --uid 10002 --gid 10002 --no-create-home --home-dir /tmp --shell /bin/sh toolbox
}

for _image in alertmanager postgres-exporter redis-exporter toolbox; do
  eval "files_${_image}() { :; }"
done
unset _image

# Jar images: the jre image plus one layer holding the jar (root-owned, read-only to the user), the
# ENTRYPOINT of the project's Dockerfile (operator/Dockerfile; app/Dockerfile runs the same jar
# unpacked by Spring Boot's layertools: here it runs as `java -jar`, with the same JAVA_TOOL_OPTIONS).
# The jar must be built first (./mvnw package); its sha256 is part of the key, and its first 12 hex
# digits are the tag (a new jar, a new tag: what a rollout needs).
image_operator() {
  BASE=jre
  JAR=$REPO/operator/target/ttstack-operator.jar
  CONFIG_JSON='{Entrypoint: ["java", "-XX:MaxRAMPercentage=50", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1",
      "-Xss512k", "-XX:+ExitOnOutOfMemoryError", "-Djava.io.tmpdir=/tmp", "-jar", "/app/ttstack-operator.jar"],
    Cmd: ["run"], ExposedPorts: {"8080/tcp": {}}}'
}
image_app() {
  BASE=jre
  JAR=$REPO/app/target/tt-app.jar
  CONFIG_JSON='{Env: ["JAVA_TOOL_OPTIONS=-XX:MaxRAMPercentage=75 -XX:InitialRAMPercentage=50 -XX:+ExitOnOutOfMemoryError -Xss512k -Djava.security.egd=file:/dev/urandom"],
    Entrypoint: ["java", "-jar", "/app/tt-app.jar"], ExposedPorts: {"8080/tcp": {}}}'
}
# The e2e run's stand-ins for Doppler and Slack (k3s/local-node/stand-ins/: JDK only, no
# dependency), compiled here by the machine's javac into one jar; the first argument picks the
# server (`fake-doppler` or `slack-receiver`). Its key is the sources' and the jre's, its tag the
# key's first 12 hex digits. The flags keep each server small (measured RSS about 45-60 MB: a
# 24 MB heap, C1 only, one compiler thread, small stacks, metaspace and code cache).
image_stand-ins() {
  BASE=jre
  SOURCES=$HERE/stand-ins
  JAR=stand-ins.jar
  CONFIG_JSON='{Entrypoint: ["java", "-XX:+UseSerialGC", "-Xms8m", "-Xmx24m", "-XX:TieredStopAtLevel=1",
      "-XX:CICompilerCount=1", "-Xss256k", "-XX:MaxMetaspaceSize=32m", "-XX:ReservedCodeCacheSize=16m",
      "-XX:MaxDirectMemorySize=8m", "-XX:+ExitOnOutOfMemoryError", "-Djava.io.tmpdir=/tmp",
      "-jar", "/app/stand-ins.jar"], ExposedPorts: {"8443/tcp": {}, "8080/tcp": {}}}'
}
# The stand-ins' sources, in a fixed order, for the key.
sources_of() { (cd "$1" && find . -type f -name '*.java' | LC_ALL=C sort); }
# Compiles SOURCES into WORK/JAR (Java 17 bytecode, warnings are errors); prints the jar's path.
compile_sources() {
  local work=$1
  mkdir -p "$work/classes"
  local files=()
  mapfile -t files < <(sources_of "$SOURCES")
  (cd "$SOURCES" && javac -Xlint:all -Werror --release 17 -encoding UTF-8 -d "$work/classes" "${files[@]}") >&2 \
    || fail "stand-ins: javac failed"
  jar --create --file "$work/$JAR" --main-class dev.ttstack.standins.Main -C "$work/classes" . >&2 \
    || fail "stand-ins: jar failed"
  echo "$work/$JAR"
}

# ---- shared build steps -----------------------------------------------------------------------

# The Debian suite and the first apt URI that serves it, from the machine's apt configuration.
read_apt_source() {
  # shellcheck source=/dev/null
  SUITE=$(. /etc/os-release && echo "${VERSION_CODENAME:-}")
  [[ -n $SUITE ]] || fail "no VERSION_CODENAME in /etc/os-release"
  ARCH=$(dpkg --print-architecture)
  MIRROR=""
  local f
  for f in /etc/apt/sources.list.d/*.sources; do
    [[ -f $f ]] || continue
    # deb822 stanzas: the URIs of a "Types: deb" stanza whose Suites include the suite itself.
    MIRROR=$(awk -v suite="$SUITE" '
      BEGIN { RS = ""; FS = "\n" }
      {
        uri = ""; deb = 0; has = 0
        for (i = 1; i <= NF; i++) {
          if ($i ~ /^Types:/ && $i ~ /[[:space:]]deb([[:space:]]|$)/) deb = 1
          if ($i ~ /^URIs:/) { split($i, u, /[[:space:]]+/); uri = u[2] }
          if ($i ~ /^Suites:/) { n = split($i, s, /[[:space:]]+/); for (j = 2; j <= n; j++) if (s[j] == suite) has = 1 }
        }
        if (deb && has && uri != "") { print uri; exit }
      }' "$f")
    [[ -z $MIRROR ]] || break
  done
  if [[ -z $MIRROR && -f /etc/apt/sources.list ]]; then
    MIRROR=$(awk -v suite="$SUITE" '$1 == "deb" {
        i = 2; if ($i ~ /^\[/) { while ($i !~ /\]$/) i++; i++ }
        if ($(i + 1) == suite) { print $i; exit } }' /etc/apt/sources.list)
  fi
  [[ -n $MIRROR ]] || fail "no apt source for ${SUITE} in /etc/apt/sources.list.d/*.sources or /etc/apt/sources.list"
}

# Runs a command in the chroot, in a mount namespace of its own (its /proc, /dev and /sys mounts
# vanish with it, even when the build fails).
in_root() {
  local root=$1
  shift
  # shellcheck disable=SC2016 # expanded by the inner sh
  unshare --mount --fork -- sh -c '
    root=$1; shift
    mount -t proc proc "$root/proc" && mount --rbind /dev "$root/dev" && mount --rbind /sys "$root/sys"
    exec chroot "$root" "$@"' sh "$root" env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin DEBIAN_FRONTEND=noninteractive \
    LANG=C.UTF-8 HOME=/root "$@"
}

# The minbase root filesystem every package image starts from, debootstrapped once per suite and
# architecture and kept as a tar in the cache (its key: suite, architecture and this function);
# prints the tar's path. Other bases' folders are removed.
base_rootfs() {
  local key dir
  key=$( { echo "${SUITE} ${ARCH}"; declare -f base_rootfs; } | sha256sum | cut -c1-16)
  dir=$CACHE_ROOT/base-${key}
  if [[ ! -s $dir/rootfs.tar ]]; then
    exec 8>"$CACHE_ROOT/.base.lock"
    flock 8
    if [[ ! -s $dir/rootfs.tar ]]; then
      local tmp start
      tmp=$(mktemp -d "${CACHE_ROOT}/.build-base.XXXXXX")
      start=$(date +%s)
      say "base: debootstrap --variant=minbase ${SUITE} (${ARCH})"
      if ! debootstrap --variant=minbase --arch="$ARCH" "$SUITE" "$tmp/root" "$MIRROR" >"$tmp/debootstrap.log" 2>&1; then
        tail -n 30 "$tmp/debootstrap.log" >&2
        rm -rf "$tmp"
        fail "debootstrap failed"
      fi
      tar --create --file="$tmp/rootfs.tar" --directory="$tmp/root" --numeric-owner --xattrs --one-file-system .
      mkdir -p "$dir"
      mv "$tmp/rootfs.tar" "$dir/rootfs.tar"
      rm -rf "$tmp"
      find "$CACHE_ROOT" -mindepth 1 -maxdepth 1 -type d -name 'base-*' ! -name "base-${key}" -exec rm -rf {} +
      say "base: debootstrapped in $(($(date +%s) - start)) s"
    fi
    exec 8>&-
  fi
  echo "$dir/rootfs.tar"
}

# Builds image NAME into folder OUT: OUT/image.tar and OUT/ref.
build_image() {
  local name=$1 out=$2 work root
  work=$(mktemp -d "${CACHE_ROOT}/.build-${name}.XXXXXX")
  # Cleared on any exit: a half-made root is never reused.
  # shellcheck disable=SC2064
  trap "rm -rf '$work'" EXIT
  root=$work/root
  local base
  base=$(base_rootfs)
  say "${name}: root filesystem from ${base}"
  mkdir -p "$root"
  tar --extract --file="$base" --directory="$root" --numeric-owner --same-permissions --xattrs

  # The machine's apt sources (security updates included), removed again before packing.
  rm -f "$root/etc/apt/sources.list"
  cp -a /etc/apt/sources.list.d/. "$root/etc/apt/sources.list.d/"
  [[ ! -f /etc/apt/sources.list ]] || cp /etc/apt/sources.list "$root/etc/apt/sources.list"
  cp /etc/resolv.conf "$root/etc/resolv.conf"
  # No service is started inside the chroot.
  printf '#!/bin/sh\nexit 101\n' >"$root/usr/sbin/policy-rc.d"
  chmod 0755 "$root/usr/sbin/policy-rc.d"
  mkdir -p "$root/ttstack-files"
  local f
  while IFS= read -r f; do
    [[ -z $f ]] || cp "$f" "$root/ttstack-files/"
  done < <("files_${name}")

  if declare -F "prepare_${name}" >/dev/null; then
    in_root "$root" sh -euc "$(declare -f "prepare_${name}"); prepare_${name}"
  fi
  # An image without packages (prometheus: a binary built here) installs nothing.
  if [[ ${#PACKAGES[@]} -gt 0 ]]; then
    say "${name}: apt-get install --no-install-recommends ${PACKAGES[*]}"
    in_root "$root" sh -euc 'apt-get update -qq && apt-get install -y -qq --no-install-recommends "$@" >/dev/null' \
      sh "${PACKAGES[@]}" >"$work/apt.log" 2>&1 \
      || { tail -n 30 "$work/apt.log" >&2; fail "${name}: apt-get install failed"; }
  fi
  if declare -F "finish_${name}" >/dev/null; then
    in_root "$root" sh -euc "$(declare -f "finish_${name}"); finish_${name}"
  fi
  local version=$TAG
  if [[ -z $version ]]; then
    # shellcheck disable=SC2016 # a dpkg-query format, not a shell expansion
    version=$(in_root "$root" dpkg-query -W -f '${Version}' "$VERSION_OF")
    # Upstream part only: 5:7.0.15-1~deb12u1 -> 7.0.15, 15.10-0+deb12u1 -> 15.10.
    version=${version#*:}
    version=${version%%-*}
    version=${version%%+*}
  fi

  # What a container does not need or must not inherit from the build.
  rm -rf "$root/ttstack-files" "$root/usr/sbin/policy-rc.d" "$root"/var/lib/apt/lists/* \
    "$root"/var/cache/apt/*.bin "$root"/var/cache/apt/archives/*.deb "$root"/var/log/* \
    "$root"/etc/apt/sources.list.d/* "$root/etc/apt/sources.list" "$root/etc/machine-id"
  : >"$root/etc/resolv.conf"
  find "$root/dev" "$root/proc" "$root/sys" "$root/tmp" -mindepth 1 -delete
  chmod 1777 "$root/tmp"

  say "${name}: packing"
  local layer=$work/layer.tar
  tar --create --file="$layer" --directory="$root" --numeric-owner --xattrs --sort=name \
    --mtime='@0' --one-file-system .
  local diff_id config_file config_id created
  diff_id=sha256:$(sha256sum "$layer" | cut -d' ' -f1)
  created=$(date -u +%Y-%m-%dT%H:%M:%SZ)
  config_file=$work/config.json
  jq -n -c --arg arch "$ARCH" --arg diff "$diff_id" --arg created "$created" \
    --arg comment "ttstack images.sh: debootstrap ${SUITE} + ${PACKAGES[*]:-$(files_"${name}" | xargs -n 1 basename | xargs)}" \
    "{architecture: \$arch, os: \"linux\", created: \$created,
      config: ${CONFIG_JSON},
      rootfs: {type: \"layers\", diff_ids: [\$diff]},
      history: [{created: \$created, created_by: \$comment}]}" >"$config_file"
  config_id=$(sha256sum "$config_file" | cut -d' ' -f1)
  local ref="ttstack.local/${name}:${version}" pack=$work/archive
  mkdir -p "$pack/${diff_id#sha256:}"
  mv "$layer" "$pack/${diff_id#sha256:}/layer.tar"
  mv "$config_file" "$pack/${config_id}.json"
  jq -n -c --arg config "${config_id}.json" --arg ref "$ref" --arg layer "${diff_id#sha256:}/layer.tar" \
    '[{Config: $config, RepoTags: [$ref], Layers: [$layer]}]' >"$pack/manifest.json"
  tar --create --file="$work/image.tar" --directory="$pack" --sort=name --mtime='@0' \
    --owner=0 --group=0 --numeric-owner manifest.json "${config_id}.json" "${diff_id#sha256:}"
  mkdir -p "$out"
  mv "$work/image.tar" "$out/image.tar"
  echo "$ref" >"$out/ref.tmp"
  mv "$out/ref.tmp" "$out/ref" # last: its presence means the image is complete
  rm -rf "$work"
  trap - EXIT
}

# Builds jar image NAME into OUT: the layers and config of BASE_ARCHIVE plus one layer with the jar.
build_jar_image() {
  local name=$1 out=$2 work
  work=$(mktemp -d "${CACHE_ROOT}/.build-${name}.XXXXXX")
  # shellcheck disable=SC2064
  trap "rm -rf '$work'" EXIT
  mkdir -p "$work/archive" "$work/layer/app"
  tar -xf "$BASE_ARCHIVE" -C "$work/archive"
  local base_config base_layers
  base_config=$work/archive/$(jq -r '.[0].Config' "$work/archive/manifest.json")
  base_layers=$(jq -c '.[0].Layers' "$work/archive/manifest.json")
  [[ -z $SOURCES ]] || JAR=$(compile_sources "$work")
  cp "$JAR" "$work/layer/app/${JAR##*/}"
  chmod 0644 "$work/layer/app/${JAR##*/}"
  chmod 0755 "$work/layer/app"
  local layer=$work/layer.tar diff_id
  tar --create --file="$layer" --directory="$work/layer" --sort=name --mtime='@0' --owner=0 --group=0 \
    --numeric-owner app
  diff_id=sha256:$(sha256sum "$layer" | cut -d' ' -f1)
  mkdir -p "$work/archive/${diff_id#sha256:}"
  mv "$layer" "$work/archive/${diff_id#sha256:}/layer.tar"
  local created config_file=$work/config.json config_id
  created=$(date -u +%Y-%m-%dT%H:%M:%SZ)
  # The base's config with this image's fields; Env is joined (the base's PATH stays), not replaced.
  jq -c --arg diff "$diff_id" --arg created "$created" --arg comment "ttstack images.sh: ${JAR##*/} on ${BASE}" \
    "(${CONFIG_JSON}) as \$own | .created = \$created
      | .config = (.config + (\$own | del(.Env)) + {Env: ((.config.Env // []) + (\$own.Env // []))})
      | .rootfs.diff_ids += [\$diff] | .history += [{created: \$created, created_by: \$comment}]" \
    "$base_config" >"$config_file"
  rm -f "$base_config" "$work/archive/manifest.json"
  config_id=$(sha256sum "$config_file" | cut -d' ' -f1)
  mv "$config_file" "$work/archive/${config_id}.json"
  local ref="ttstack.local/${name}:${TAG:-${JAR_SHA:0:12}}"
  jq -n -c --arg config "${config_id}.json" --arg ref "$ref" --argjson base "$base_layers" \
    --arg layer "${diff_id#sha256:}/layer.tar" \
    '[{Config: $config, RepoTags: [$ref], Layers: ($base + [$layer])}]' >"$work/archive/manifest.json"
  tar --create --file="$work/image.tar" --directory="$work/archive" --sort=name --mtime='@0' \
    --owner=0 --group=0 --numeric-owner .
  mkdir -p "$out"
  mv "$work/image.tar" "$out/image.tar"
  echo "$ref" >"$out/ref.tmp"
  mv "$out/ref.tmp" "$out/ref"
  rm -rf "$work"
  trap - EXIT
}

image_key() {
  local name=$1
  {
    echo "$name ${PACKAGES[*]:-} ${VERSION_OF} ${SUITE} ${ARCH}"
    echo "$CONFIG_JSON"
    declare -f "image_${name}" "prepare_${name}" "finish_${name}" "files_${name}" 2>/dev/null || true
    if [[ -n $BASE ]]; then
      # The base archive's path names the base's own key.
      echo "$BASE_ARCHIVE $JAR_SHA"
      declare -f build_jar_image
      [[ -z $SOURCES ]] || declare -f sources_of compile_sources
    else
      declare -f read_apt_source base_rootfs in_root build_image
      local f
      while IFS= read -r f; do
        [[ -z $f ]] || cat "$f"
      done < <("files_${name}")
    fi
  } | sha256sum | cut -c1-16
}

one_image() {
  local name=$1
  declare -F "image_${name}" >/dev/null || fail "unknown image '${name}' (images: ${IMAGES[*]})"
  BASE="" PACKAGES=() VERSION_OF="" SOURCES="" TAG=""
  "image_${name}"
  if [[ -n $BASE && -n $SOURCES ]]; then
    local tool
    for tool in javac jar; do
      command -v "$tool" >/dev/null 2>&1 || fail "${tool} is not installed (a JDK 17)"
    done
    # The jar is compiled in the build; its key: every source file (names and contents) and the
    # compiler that makes its bytecode.
    JAR_SHA=$( {
      javac -version 2>&1
      local f
      while IFS= read -r f; do
        echo "$f"
        cat "$SOURCES/$f"
      done < <(sources_of "$SOURCES")
    } | sha256sum | cut -d' ' -f1)
  elif [[ -n $BASE ]]; then
    [[ -f $JAR ]] || fail "${name}: ${JAR} does not exist: build it first (./mvnw -B package)"
    JAR_SHA=$(sha256sum "$JAR" | cut -d' ' -f1)
  fi
  if [[ -n $BASE ]]; then
    # The base first (at once when cached), by this script itself: its own variables, its own lock.
    local base_line
    base_line=$("${BASH_SOURCE[0]}" "$BASE" | tail -n 1) || fail "${name}: the ${BASE} image failed"
    BASE_ARCHIVE=${base_line#* }
  fi
  local key out
  key=$(image_key "$name")
  out=$CACHE_ROOT/${name}-${key}
  # A compiled jar has no sha256 of its own before the build: the image is tagged by its key.
  [[ -z $SOURCES ]] || TAG=${key:0:12}
  if [[ -s $out/ref ]]; then
    say "${name}: cached (${out})"
    echo "$(cat "$out/ref") $out/image.tar"
    return
  fi
  mkdir -p "$CACHE_ROOT"
  exec 9>"$CACHE_ROOT/.${name}.lock"
  flock 9
  if [[ -s $out/ref ]]; then
    say "${name}: cached (${out}, built by another caller meanwhile)"
  else
    # Left by a build that was killed (under this lock nobody else builds this image).
    find "$CACHE_ROOT" -mindepth 1 -maxdepth 1 -type d -name ".build-${name}.*" -exec rm -rf {} +
    local start
    start=$(date +%s)
    if [[ -n $BASE ]]; then
      build_jar_image "$name" "$out"
    else
      [[ $(id -u) == 0 ]] || fail "building an image needs root (debootstrap, chroot)"
      local tool
      for tool in debootstrap jq unshare chroot flock; do
        command -v "$tool" >/dev/null 2>&1 || fail "${tool} is not installed (.ci/run installs it)"
      done
      build_image "$name" "$out"
    fi
    # Archives of other keys were built from other definitions: stale.
    # (Exactly <name>-<16 hex digits>: redis-* alone would also match redis-exporter-*.)
    local hex16='[0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f]'
    hex16+=$hex16
    find "$CACHE_ROOT" -mindepth 1 -maxdepth 1 -type d -name "${name}-${hex16}" ! -name "${name}-${key}" \
      -exec rm -rf {} +
    say "${name}: built $(cat "$out/ref") in $(($(date +%s) - start)) s," \
      "archive $(($(stat -c %s "$out/image.tar") / 1048576)) MB"
  fi
  exec 9>&-
  echo "$(cat "$out/ref") $out/image.tar"
}

if [[ $# -eq 0 ]]; then
  sed -n '2,/^set -euo/p' "${BASH_SOURCE[0]}" | sed -e '$d' -e 's/^# \{0,1\}//' >&2
  exit 64
fi
if [[ $1 == --list ]]; then
  printf '%s\n' "${IMAGES[@]}"
  exit 0
fi
read_apt_source
for image in "$@"; do
  one_image "$image"
done
