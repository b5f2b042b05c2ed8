# shellcheck shell=bash
# The third test engine: Debian's podman (4.3) as `podman system service` on a unix socket of
# its own, beside the two dockerds (sourced by test-engines.sh, not run).
#
# Hermetic like the dockerds: its own storage root and runroot, its own containers.conf,
# storage.conf and registries.conf (CONTAINERS_CONF, CONTAINERS_STORAGE_CONF and
# CONTAINERS_REGISTRIES_CONF, so nothing under /etc/containers or /usr/share/containers is
# read), its own tmp dir and network config dir, a default network of its own (bridge
# `deipod`, 172.30.0.0/16) and an address pool of its own (10.161.0.0/16) beside the
# dockerds' dei141/dei151 and 10.141/10.151 pools. What podman shares with any other podman
# on the machine by design: netavark's run dir /run/containers/networks (its IPAM database is
# machine-wide for rootful podman, keyed by network name: ours are named so that they cannot
# clash), the /run/netns directory, and containers/image's blob-info cache under
# /var/lib/containers/cache (digests seen per registry; podman 4.3 has no setting for it).
#
# Podman has no TLS listener. The Docker engines' TLS tests run against it through a TLS
# terminator (stunnel, from Debian) on 127.0.0.1 with the same server certificate and client CA
# as the dockerds, forwarding to the unix socket: the client's TLS is what those tests check,
# and a podman behind a TLS proxy is how podman is reached over TLS.

PODMAN=/usr/bin/podman

podman_vars() {
  P_DIR=$STATE/podman
  P_SOCK=$P_DIR/podman.sock
  P_HOST=unix://$P_SOCK
  P_PIDFILE=$P_DIR/podman.pid
  P_LOG=$P_DIR/podman.log
  P_CONF=$P_DIR/containers.conf
  P_STORAGE_CONF=$P_DIR/storage.conf
  P_REGISTRIES_CONF=$P_DIR/registries.conf
  P_ROOT=$P_DIR/root
  P_RUNROOT=$P_DIR/run
  P_TMP=$P_DIR/tmp
  P_NETCONF=$P_DIR/networks
  P_API=1.41
  # The default network (what Docker calls `bridge`): named and bridged apart from any other
  # podman's `podman`/`podman0`.
  P_NETWORK=${DOCKER_ENGINE_TEST_PODMAN_NETWORK:-deipod}
  P_BRIDGE=${DOCKER_ENGINE_TEST_PODMAN_BRIDGE:-deipod}
  P_BRIDGE_ADDR=${DOCKER_ENGINE_TEST_PODMAN_BRIDGE_ADDR:-172.30.0.1/16}
  P_POOL=${DOCKER_ENGINE_TEST_PODMAN_POOL:-10.161.0.0/16}
  P_PORTFILE=$P_DIR/tls-port
  P_PORT_DEFAULT=23761
  P_TLS_PIDFILE=$P_DIR/tls.pid
  P_TLS_CONF=$P_DIR/stunnel.conf
  P_TLS_LOG=$P_DIR/tls.log
}
podman_vars

# Every podman command of ours sees only our configuration.
P_ENV=(CONTAINERS_CONF="$P_CONF" CONTAINERS_STORAGE_CONF="$P_STORAGE_CONF"
  CONTAINERS_REGISTRIES_CONF="$P_REGISTRIES_CONF")
podman_env() { env "${P_ENV[@]}" "$@"; }

# pm ARGS...: the podman client, remote, talking to our service only.
pm() { podman_env "$PODMAN" --remote --url "$P_HOST" "$@"; }

# dkp ARGS...: bookworm's docker CLI against podman's compat API.
dkp() { DOCKER_CONFIG=$STATE/cli "$DOCKER" -H "$P_HOST" "$@"; }

podman_pid() { pid_from_file "$P_PIDFILE" "system service --time=0 $P_HOST"; }
podman_tls_pid() { pid_from_file "$P_TLS_PIDFILE" "stunnel4 $P_TLS_CONF"; }

# The container limits. Podman sets RLIMIT_NOFILE and RLIMIT_NPROC of every container to
# 1048576 unless containers.conf's `default_ulimits` sets them; a create that sets any ulimit
# drops those defaults, and what it does not set gets 1048576 again. runc sets the limits in
# the container's init, which inherits the service's hard limits, and raising a hard limit
# needs CAP_SYS_RESOURCE, which root lacks here (this VM's capability bounding set leaves it
# out). So any limit above the service's own hard limit fails the start, through the compat
# API as through `podman run`: "error setting rlimit type 7" (NOFILE, first in the spec) or
# "type 6" (NPROC). The hard RLIMIT_NOFILE is not the machine's: the service inherits it
# from whatever starts it (PID 1 has 32768, this project's shells 20000; reproduced with a
# service started under `prlimit --nofile=4096:8192` and nofile=10000 configured: type 7).
# So the values are the service's own hard limits, read when it starts, and start_podman
# checks them against /proc/PID/limits. NPROC: podman lowers its own to 32768 at start-up
# (setrlimit(RLIMIT_NPROC, 32K), where the hard limit allows), so the container's is
# min(hard, 32768). A container then gets what a dockerd's container gets: the daemon's
# limits, soft = hard.
podman_ulimits() {
  local nofile nproc
  nofile=$(ulimit -Hn)
  nproc=$(ulimit -Hu)
  [ "$nofile" = unlimited ] && nofile=$(cat /proc/sys/fs/nr_open)
  if [ "$nproc" = unlimited ] || [ "$nproc" -gt 32768 ]; then nproc=32768; fi
  P_NOFILE=$nofile
  P_NPROC=$nproc
}

write_podman_conf() {
  podman_ulimits
  mkdir -p "$P_ROOT" "$P_RUNROOT" "$P_TMP" "$P_NETCONF"
  cat >"$P_CONF" <<EOF
# written by scripts/test-engines.sh (scripts/engines/podman.sh)
[containers]
# The service's own hard limits (see podman_ulimits in scripts/engines/podman.sh).
default_ulimits = ["nofile=$P_NOFILE:$P_NOFILE", "nproc=$P_NPROC:$P_NPROC"]
# No journald here; k8s-file is what podman logs to without it.
log_driver = "k8s-file"

[network]
network_backend = "netavark"
network_config_dir = "$P_NETCONF"
default_network = "$P_NETWORK"
default_subnet = "$(cidr_net "$P_BRIDGE_ADDR")"
default_subnet_pools = [{"base" = "$P_POOL", "size" = 24}]

[engine]
# A forced remove of a running container stops it (stop signal, then SIGKILL after this
# long) where dockerd kills at once (README, "Known differences on Podman"); 10 s by default.
# The dockerds' --shutdown-timeout is 2 s too.
stop_timeout = 2
# No systemd here.
cgroup_manager = "cgroupfs"
events_logger = "file"
runtime = "runc"
tmp_dir = "$P_TMP"
image_copy_tmp_dir = "$P_TMP"
# conmon runs \`podman container cleanup\` when a container exits: the same configuration.
conmon_env_vars = [
  "PATH=$SYS_PATH",
  "CONTAINERS_CONF=$P_CONF",
  "CONTAINERS_STORAGE_CONF=$P_STORAGE_CONF",
  "CONTAINERS_REGISTRIES_CONF=$P_REGISTRIES_CONF",
]
EOF
  cat >"$P_STORAGE_CONF" <<EOF
# written by scripts/test-engines.sh (scripts/engines/podman.sh)
[storage]
driver = "overlay"
graphroot = "$P_ROOT"
runroot = "$P_RUNROOT"
EOF
  # No unqualified-search registries (nothing that needs the network); short names resolve
  # to docker.io in the compat API (compat_api_enforce_docker_hub), as in Docker. Registries
  # on 127.0.0.1 are plain HTTP, as dockerd takes them without configuration: the loopback
  # registry, and the relays on ephemeral ports tests/faults.rs puts in front of it; and
  # localhost, the name under which Podman's login check reaches a plain-HTTP registry (README,
  # "Known differences on Podman"). A location without a port matches every port of that host
  # (c/image matches the host as a prefix followed by ':'); `up` checks it with a push that
  # relies on it.
  cat >"$P_REGISTRIES_CONF" <<EOF
# written by scripts/test-engines.sh (scripts/engines/podman.sh)
unqualified-search-registries = []
short-name-mode = "disabled"

[[registry]]
location = "127.0.0.1"
insecure = true

[[registry]]
location = "localhost"
insecure = true
EOF
  # The default network as a file: its bridge is named ours (podman's built-in default would
  # be podman0), and `podman container cleanup` (run by conmon) finds it by name too.
  local net
  net=$(cidr_net "$P_BRIDGE_ADDR")
  cat >"$P_NETCONF/$P_NETWORK.json" <<EOF
{
  "name": "$P_NETWORK",
  "id": "$(printf '%s' "$P_NETWORK" | sha256sum | cut -c1-64)",
  "driver": "bridge",
  "network_interface": "$P_BRIDGE",
  "created": "2026-01-01T00:00:00Z",
  "subnets": [{ "subnet": "$net", "gateway": "${P_BRIDGE_ADDR%/*}" }],
  "ipv6_enabled": false,
  "internal": false,
  "dns_enabled": false,
  "ipam_options": { "driver": "host-local" }
}
EOF
}

podman_healthy() {
  local api
  podman_pid >/dev/null || return 1
  api=$(ping_unix "$P_SOCK") && [ "$api" = "$P_API" ] || return 1
  podman_tls_pid >/dev/null || return 1
  [ "$(ping_tls "$(cat "$P_PORTFILE" 2>/dev/null)" "$TLS/client")" = OK ]
}

start_podman() {
  local pid api i
  [ -x "$PODMAN" ] || die "$PODMAN not found (was the package step skipped?)"
  write_podman_conf
  rm -f "$P_SOCK"
  log_header "podman system service" "$P_LOG"
  grep -h default_ulimits "$P_CONF" >>"$P_LOG"
  pid=$(start_bg "$P_LOG" env "${P_ENV[@]}" PATH="$SYS_PATH" "$PODMAN" --root "$P_ROOT" --runroot "$P_RUNROOT" \
    --log-level warning system service --time=0 "$P_HOST")
  echo "$pid" >"$P_PIDFILE"
  for ((i = 0; i < 300; i++)); do
    if api=$(ping_unix "$P_SOCK"); then
      [ "$api" = "$P_API" ] || die_log "$P_LOG" "podman answers with API-Version '$api', expected $P_API"
      check_podman_limits "$pid"
      return 0
    fi
    pid_alive "$pid" || die_log "$P_LOG" "podman system service exited at start-up"
    sleep 0.1
  done
  die_log "$P_LOG" "podman system service did not answer GET /_ping on $P_SOCK within 30s"
}

# The limits containers get must be within the service's own (see podman_ulimits).
check_podman_limits() {
  local pid=$1 nofile nproc
  nofile=$(awk '/^Max open files/ { print $5 }' "/proc/$pid/limits")
  nproc=$(awk '/^Max processes/ { print $4 }' "/proc/$pid/limits")
  [ "$nofile" = unlimited ] || [ "$nofile" -ge "$P_NOFILE" ] ||
    die "podman service's hard RLIMIT_NOFILE is $nofile, below the containers' $P_NOFILE"
  [ "$nproc" = unlimited ] || [ "$nproc" -ge "$P_NPROC" ] ||
    die "podman service's hard RLIMIT_NPROC is $nproc, below the containers' $P_NPROC"
}

stop_podman() {
  local pid
  if pid=$(podman_pid); then stop_pid "$pid" "podman system service" 30; fi
  rm -f "$P_PIDFILE"
}

# The TLS terminator: stunnel, client certificates from our CA only. (socat was tried first:
# it cannot resume a TLS session once a client certificate was verified, "session id context
# uninitialized", and it drops the connection after a half-close.)
start_podman_tls() {
  local pid port i
  port=$(pick_port "$(cat "$P_PORTFILE" 2>/dev/null || true)" "$P_PORT_DEFAULT")
  echo "$port" >"$P_PORTFILE"
  cat >"$P_TLS_CONF" <<EOF
; written by scripts/test-engines.sh (scripts/engines/podman.sh)
foreground = yes
pid =
debug = warning
[podman]
accept = 127.0.0.1:$port
connect = $P_SOCK
cert = $TLS/server/cert.pem
key = $TLS/server/key.pem
CAfile = $TLS/server/ca.pem
requireCert = yes
verifyChain = yes
sslVersionMin = TLSv1.2
EOF
  log_header "stunnel (TLS for podman) on 127.0.0.1:$port" "$P_TLS_LOG"
  pid=$(start_bg "$P_TLS_LOG" stunnel4 "$P_TLS_CONF")
  echo "$pid" >"$P_TLS_PIDFILE"
  for ((i = 0; i < 100; i++)); do
    [ "$(ping_tls "$port" "$TLS/client")" = OK ] && return 0
    pid_alive "$pid" || die_log "$P_TLS_LOG" "stunnel (TLS for podman) exited at start-up"
    sleep 0.1
  done
  die_log "$P_TLS_LOG" "stunnel (TLS for podman) did not answer on 127.0.0.1:$port within 10s"
}

stop_podman_tls() {
  local pid
  if pid=$(podman_tls_pid); then stop_pid "$pid" "stunnel (TLS for podman)" 5; fi
  rm -f "$P_TLS_PIDFILE"
}

check_podman_tls() { check_tls_port podman "$(cat "$P_PORTFILE")" "$P_TLS_LOG"; }

# Bring podman up (or leave it, if it is already up and healthy).
ensure_podman() {
  mkdir -p "$P_DIR"
  if podman_healthy; then
    log "podman: already up (pid $(podman_pid))"
    return 0
  fi
  log "podman: starting $PODMAN system service"
  stop_podman_tls
  if ! podman_pid >/dev/null; then
    # Nothing of ours runs: what a reboot would have wiped (runroot and tmp dir, which podman
    # expects on a tmpfs) goes, with any container process a killed service left.
    kill_podman_strays
    unmount_under "$P_DIR"
    remove_podman_orphans
    rm -rf "$P_RUNROOT" "$P_TMP"
    check_net_free "$(cidr_net "$P_BRIDGE_ADDR")" "bridge subnet of podman" "$P_BRIDGE" DOCKER_ENGINE_TEST_PODMAN_BRIDGE_ADDR
    check_net_free "$P_POOL" "address pool of podman" "$P_BRIDGE" DOCKER_ENGINE_TEST_PODMAN_POOL
    start_podman
  fi
  start_podman_tls
}

restart_podman() {
  local t0
  [ -r "$P_CONF" ] || die "podman was never started: run '$0 up' first"
  t0=$(date +%s.%N)
  stop_podman
  start_podman
  podman_tls_pid >/dev/null || start_podman_tls
  log "podman: restarted in $(awk -v a="$t0" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }')s"
}

# conmon outlives the service (it is each container's parent, and lingers --exit-delay after an
# exec): kill those of our storage root, and their containers, when nothing of ours runs.
kill_podman_strays() {
  local p pid child
  for p in /proc/[0-9]*; do
    pid=${p#/proc/}
    [ "$(readlink "$p/exe" 2>/dev/null)" = /usr/bin/conmon ] || continue
    tr '\0' ' ' <"$p/cmdline" 2>/dev/null | grep -qF -- "-b $P_ROOT/" || continue
    for child in $(ps -o pid= --ppid "$pid" 2>/dev/null || true); do kill -KILL "$child" 2>/dev/null || true; done
    kill -KILL "$pid" 2>/dev/null || true
  done
}

# ---- fixture, registry ----------------------------------------------------------------------

# The same busybox rootfs as the dockerds', imported under the name a Docker client means by
# `docker-engine-fixture:latest` (docker.io/library/...; a plain `podman import` would name it
# localhost/...).
ensure_podman_fixture() {
  local id=$1 have out
  have=$(pm image inspect -f "{{index .Labels \"$FIXTURE_LABEL\"}}" "docker.io/library/$IMAGE" 2>/dev/null || true)
  [ "$have" = "$id" ] && return 0
  log "podman: importing $IMAGE"
  out=$(pm import \
    --change 'CMD ["sh"]' \
    --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
    --change "LABEL $FIXTURE_LABEL=$id" \
    "$FIXTURE_DIR/rootfs.tar" "docker.io/library/$IMAGE" 2>&1) ||
    die_log "$P_LOG" "podman: import of the fixture failed: $out"
  pm image prune -f >/dev/null 2>&1 || true
}

# podman_run WHAT EXPECTED ARGS...: `docker run ARGS` through podman's compat API.
podman_run() {
  local what=$1 expect=$2 out; shift 2
  out=$(dkp run --rm --label "$LABEL=up-check" "$@" 2>&1) ||
    die_log "$P_LOG" "podman: $what: docker run failed: $out"
  grep -qE -- "$expect" <<<"$out" || die_log "$P_LOG" "podman: $what: expected /$expect/, got: $out"
}

# The same checks as the dockerds' (check_fixture), through the compat API with the docker
# CLI, plus the container limits.
check_podman_fixture() {
  local name=dei-up-check-httpd ip port out net
  # The limits the running service was configured with.
  P_NOFILE=$(sed -n 's/^default_ulimits = \["nofile=\([0-9]*\):.*/\1/p' "$P_CONF")
  P_NPROC=$(sed -n 's/^default_ulimits = .*"nproc=\([0-9]*\):.*/\1/p' "$P_CONF")
  podman_run "fixture shell" '^ok$' "$IMAGE" sh -c 'echo ok; id; wget --help 2>&1 | head -n 1'
  podman_run "fixture as root" '^uid=0\(root\) gid=0\(root\)' "$IMAGE" id
  podman_run "fixture as nobody" '^uid=65534\(nobody\) gid=65534\(nobody\)' --user nobody -w /tmp "$IMAGE" id
  podman_run "container limits" "^$P_NOFILE $P_NOFILE $P_NPROC $P_NPROC\$" "$IMAGE" \
    sh -c 'echo $(ulimit -Sn) $(ulimit -Hn) $(ulimit -Su) $(ulimit -Hu)'
  dkp rm -f "$name" >/dev/null 2>&1 || true
  out=$(dkp run -d --name "$name" --label "$LABEL=up-check" -p 127.0.0.1::8080 "$IMAGE" \
    sh -c 'mkdir -p /tmp/www && echo fixture-ok >/tmp/www/index.html && exec httpd -f -p 8080 -h /tmp/www' 2>&1) ||
    die_log "$P_LOG" "podman: could not start the httpd check container: $out"
  ip=$(dkp inspect -f '{{.NetworkSettings.IPAddress}}' "$name") || die_log "$P_LOG" "podman: inspect $name failed"
  net=$(cidr_net "$P_BRIDGE_ADDR")
  [ "$(cidr_net "$ip/${net#*/}")" = "$net" ] || die "podman: container address $ip is not on $P_BRIDGE ($net)"
  podman_run "container to container over $P_BRIDGE" '^fixture-ok$' "$IMAGE" \
    sh -c "for i in 1 2 3 4 5 6 7 8 9 10; do timeout 3 wget -q -O- http://$ip:8080/ && exit 0; sleep 0.3; done; exit 1"
  port=$(dkp port "$name" 8080/tcp | head -n 1) || die_log "$P_LOG" "podman: docker port $name failed"
  out=$(curl -sS --max-time 5 --retry 5 --retry-connrefused --retry-delay 0 "http://$port/" 2>&1) || true
  [ "$out" = fixture-ok ] || die_log "$P_LOG" "podman: published port $port answered: $out"
  dkp rm -f "$name" >/dev/null
}

# Log in, push, remove, pull back and remove a tag of the fixture, with podman's own client
# (the docker CLI's login goes through /auth, which podman answers differently: see README).
check_podman_registry() {
  local ref dir auth out step
  ref=127.0.0.1:$REG_PORT/docker-engine-fixture:up-check-podman
  dir=$(mktemp -d)
  auth=$dir/auth.json
  for step in login tag push rmi pull rmi2; do
    case $step in
      login) out=$(printf '%s\n' "$REG_PASS" | pm login --authfile "$auth" --tls-verify=false -u "$REG_USER" --password-stdin "127.0.0.1:$REG_PORT" 2>&1) ;;
      tag) out=$(pm tag "docker.io/library/$IMAGE" "$ref" 2>&1) ;;
      push) out=$(pm push --authfile "$auth" "$ref" 2>&1) ;;
      rmi | rmi2) out=$(pm rmi "$ref" 2>&1) ;;
      pull) out=$(pm pull --authfile "$auth" "$ref" 2>&1) ;;
    esac || { rm -rf "$dir"; printf '%s\n' "$out" >>"$REG/registry.log"
      die_log "$REG/registry.log" "podman: $step against the registry 127.0.0.1:$REG_PORT failed: $out"; }
  done
  rm -rf "$dir"
}

# ---- sweep, down ----------------------------------------------------------------------------

# Remove every object carrying the test label (and build leftovers) from podman.
sweep_podman() {
  local ids fixture pass left
  ping_unix "$P_SOCK" >/dev/null || { warn "podman: not answering, nothing swept"; return 0; }
  ids=$(pm ps -aq --filter "label=$LABEL") || die_log "$P_LOG" "podman: listing containers failed"
  # shellcheck disable=SC2086
  [ -z "$ids" ] || pm rm -f -v -t 0 $ids >/dev/null || warn "podman: some containers could not be removed"
  # A failed build leaves a buildah working container, which only --external lists.
  ids=$(pm ps -aq --external --filter status=unknown 2>/dev/null || true)
  # shellcheck disable=SC2086
  [ -z "$ids" ] || pm rm -f $ids >/dev/null 2>&1 || true
  ids=$(pm network ls -q --filter "label=$LABEL") || die_log "$P_LOG" "podman: listing networks failed"
  # shellcheck disable=SC2086
  [ -z "$ids" ] || pm network rm -f $ids >/dev/null || warn "podman: some networks could not be removed"
  ids=$(pm volume ls -q --filter "label=$LABEL") || die_log "$P_LOG" "podman: listing volumes failed"
  # shellcheck disable=SC2086
  [ -z "$ids" ] || pm volume rm -f $ids >/dev/null || warn "podman: some volumes could not be removed"
  ids=$(pm secret ls --format '{{.Name}}' 2>/dev/null | grep '^dei-' || true)
  # shellcheck disable=SC2086
  [ -z "$ids" ] || pm secret rm $ids >/dev/null || warn "podman: some secrets could not be removed"
  fixture=$(pm image inspect -f '{{.Id}}' "docker.io/library/$IMAGE" 2>/dev/null || true)
  for ((pass = 0; pass < 5; pass++)); do
    ids=$(pm images -q --no-trunc --filter "label=$LABEL" | sed 's/^sha256://' | sort -u |
      { grep -vxF "${fixture:-none}" || true; }) || die_log "$P_LOG" "podman: listing images failed"
    [ -n "$ids" ] || break
    # shellcheck disable=SC2086
    pm rmi -f $ids >/dev/null 2>&1 || true
  done
  pm image prune -f >/dev/null || warn "podman: image prune failed"
  # Volumes made from a mount's options carry no label on Podman (it drops them): by name.
  ids=$(pm volume ls --format '{{.Name}}' 2>/dev/null | grep '^dei-' || true)
  # shellcheck disable=SC2086
  [ -z "$ids" ] || pm volume rm -f $ids >/dev/null || warn "podman: some volumes could not be removed"
  remove_podman_orphans
  left=$( { pm ps -aq --filter "label=$LABEL"; pm network ls -q --filter "label=$LABEL"
    pm volume ls -q --filter "label=$LABEL"
    pm images -q --no-trunc --filter "label=$LABEL" | sed 's/^sha256://' | grep -vxF "${fixture:-none}"; } 2>&1 || true)
  [ -z "$left" ] || die_log "$P_LOG" "podman: sweep left labelled objects behind: $(echo "$left" | tr '\n' ' ')"
}

# Stop podman: its containers first (through podman, so that netavark takes down their
# networking: bridges, iptables rules, aardvark-dns entries), then the service and the TLS
# terminator, then whatever a killed service left.
down_podman() {
  local nets n br
  if podman_pid >/dev/null && ping_unix "$P_SOCK" >/dev/null; then
    sweep_podman || true
    pm stop -a -t 0 >/dev/null 2>&1 || true
    nets=$(pm network ls -q 2>/dev/null | grep -vx "$P_NETWORK" || true)
    for n in $nets; do
      br=$(pm network inspect -f '{{.NetworkInterface}}' "$n" 2>/dev/null || true)
      pm network rm -f "$n" >/dev/null 2>&1 || true
      [ -z "$br" ] || ! ip link show "$br" >/dev/null 2>&1 || ip link delete "$br" type bridge 2>/dev/null || true
    done
  fi
  stop_podman
  stop_podman_tls
  kill_podman_strays
  unmount_under "$P_DIR"
  remove_podman_orphans
  rm -f "$P_SOCK"
}

# netavark takes a network's bridge and iptables rules down when its last container goes.
# What escapes it: a network Podman removed while a container was on it (it does so when the
# network is named by its id: README, "Known differences on Podman") keeps its bridge and
# rules after that container is gone; so do the networks of containers a killed service
# left. Remove the bridges on our pool (or our default network's subnet) that no network of
# ours names, with what is attached to them and their rules; never anything outside those
# subnets, which another podman on this machine may use.
remove_podman_orphans() {
  local live=" " names=" " n dev cidr
  if ping_unix "$P_SOCK" >/dev/null; then
    for n in $(pm network ls --format '{{.Name}}' 2>/dev/null); do
      names+="$n "
      live+="$(pm network inspect -f '{{.NetworkInterface}}' "$n" 2>/dev/null) "
    done
  fi
  ip -o -4 addr show 2>/dev/null | awk '{ print $2, $4 }' | while read -r dev cidr; do
    podman_subnet "$cidr" || continue
    [[ $live == *" $dev "* ]] && continue
    [ -d "/sys/class/net/$dev/bridge" ] || continue
    # Its containers' veths can outlive them too (their network namespace is not always
    # freed at once): no container of ours is on a network that is gone.
    for n in $(ls "/sys/class/net/$dev/brif" 2>/dev/null); do ip link delete "$n" 2>/dev/null || true; done
    ip link delete "$dev" type bridge 2>/dev/null || warn "could not delete stale bridge $dev"
    remove_podman_rules "$(cidr_net "$cidr")"
  done
  remove_podman_dns_orphans "$names"
}

# aardvark-dns (the DNS of user-defined networks) keeps one file per network in netavark's
# run dir, shared by every podman on the machine; a network gone as above leaves its file.
# Remove the files of the suite's networks (named dei-...) that no network of ours names,
# then let aardvark-dns reload, or stop it when no network of any podman is left to serve.
remove_podman_dns_orphans() {
  local names=$1 dir=/run/containers/networks/aardvark-dns f removed= pid
  for f in "$dir"/dei-*; do
    [ -f "$f" ] || continue
    [[ $names == *" ${f##*/} "* ]] && continue
    rm -f "$f" && removed=1
  done
  [ -n "$removed" ] || return 0
  pid=$(pid_from_file "$dir/aardvark.pid" "aardvark-dns --config $dir") || return 0
  if compgen -G "$dir/*" | grep -qv '/aardvark.pid$'; then
    kill -HUP "$pid" 2>/dev/null || true
  else
    stop_pid "$pid" aardvark-dns 5
  fi
}

# Whether an address/prefix is on our pool (a /16) or our default network's subnet.
podman_subnet() {
  [ "$(cidr_net "${1%/*}/16")" = "$P_POOL" ] ||
    [ "$(cidr_net "${1%/*}/${P_BRIDGE_ADDR#*/}")" = "$(cidr_net "$P_BRIDGE_ADDR")" ]
}

# remove_podman_rules NET: netavark's rules for one subnet (FORWARD, and the nat chain its
# masquerade goes through).
remove_podman_rules() {
  local net=$1 rule chain
  command -v iptables >/dev/null || return 0
  iptables -w -S NETAVARK_FORWARD 2>/dev/null | grep -E -- "^-A .* -[sd] ${net//./\\.} " |
    while read -r rule; do
      # shellcheck disable=SC2086 # a rule is a word list on purpose
      iptables -w ${rule/-A/-D} 2>/dev/null || true
    done
  iptables -w -t nat -S POSTROUTING 2>/dev/null | grep -E -- "^-A .* -s ${net//./\\.} -j NETAVARK-" |
    while read -r rule; do
      chain=${rule##* -j }
      # shellcheck disable=SC2086
      iptables -w -t nat ${rule/-A/-D} 2>/dev/null || true
      iptables -w -t nat -F "$chain" 2>/dev/null || true
      iptables -w -t nat -X "$chain" 2>/dev/null || true
    done
}

# Lines for the env file.
podman_env_lines() {
  echo "export DOCKER_ENGINE_TEST_PODMAN_HOST=$P_HOST"
  echo "export DOCKER_ENGINE_TEST_PODMAN_TLS_HOST=tcp://127.0.0.1:$(cat "$P_PORTFILE")"
  echo "export DOCKER_ENGINE_TEST_PODMAN_API_VERSION=$P_API"
  echo "export DOCKER_ENGINE_TEST_PODMAN_BRIDGE=$P_BRIDGE"
  echo "export DOCKER_ENGINE_TEST_PODMAN_BRIDGE_IP=${P_BRIDGE_ADDR%/*}"
  echo "export DOCKER_ENGINE_TEST_PODMAN_POOL=$P_POOL"
  echo "export DOCKER_ENGINE_TEST_PODMAN_NETWORK=$P_NETWORK"
}

podman_status() {
  local pid api port tls
  if pid=$(podman_pid) && api=$(ping_unix "$P_SOCK"); then
    port=$(cat "$P_PORTFILE" 2>/dev/null || echo '?')
    tls=$(ping_tls "$port" "$TLS/client" 2>/dev/null | head -n 1)
    printf '%-8s up    pid %-7s API %-5s %s  tls tcp://127.0.0.1:%s %s\n' \
      podman "$pid" "$api" "$P_HOST" "$port" "$([ "$tls" = OK ] && echo "ok (stunnel)" || echo "FAILED ($tls)")"
    [ "$tls" = OK ]
  else
    printf '%-8s down\n' podman
    return 1
  fi
}
