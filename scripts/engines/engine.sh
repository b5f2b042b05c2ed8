# shellcheck shell=bash
# One engine: its bridge and FORWARD rules, its own containerd, its dockerd (sourced, not run).

# iptables rules we add, one per line, as the argument list after -I/-D FORWARD.
forward_rules() {
  engine_vars "$1"
  # The default bridge, and (by subnet) every user-defined network the tests create on this
  # engine: they are allocated from E_POOL whatever their bridge is called.
  printf '%s\n' "-i $E_BRIDGE -o $E_BRIDGE -j ACCEPT" "-s $E_POOL -d $E_POOL -j ACCEPT"
}

# The rules added are recorded in $E_DIR/forward-rules, so that `down` removes exactly those
# (whatever overrides are set then).
add_forward_rules() {
  local rule
  engine_vars "$1"
  forward_rules "$1" >"$E_DIR/forward-rules.new"
  [ ! -s "$E_DIR/forward-rules" ] || cmp -s "$E_DIR/forward-rules" "$E_DIR/forward-rules.new" ||
    remove_forward_rules "$1"
  mv "$E_DIR/forward-rules.new" "$E_DIR/forward-rules"
  while read -r rule; do
    # shellcheck disable=SC2086 # a rule is a word list on purpose
    iptables -w -C FORWARD $rule 2>/dev/null || iptables -w -I FORWARD $rule ||
      die "iptables -I FORWARD $rule failed"
  done <"$E_DIR/forward-rules"
}

remove_forward_rules() {
  local rule n
  engine_vars "$1"
  [ -s "$E_DIR/forward-rules" ] || return 0
  command -v iptables >/dev/null || return 0
  while read -r rule; do
    for ((n = 0; n < 20; n++)); do
      # shellcheck disable=SC2086
      iptables -w -C FORWARD $rule 2>/dev/null || break
      # shellcheck disable=SC2086
      iptables -w -D FORWARD $rule || { warn "iptables -D FORWARD $rule failed"; break; }
    done
  done <"$E_DIR/forward-rules"
  rm -f "$E_DIR/forward-rules"
}

# A route that already covers our bridge subnet or pool (other than the default route, and
# other than our own bridge) means an address clash with some other network on this machine.
check_net_free() {
  local net=$1 what=$2 own_dev=$3 clash
  clash=$( { ip -4 -o route show match "${net%/*}"; ip -4 -o route show root "$net"; } 2>/dev/null |
    grep -v "^default" | grep -v " dev $own_dev " | sort -u | tr -s " \n" " " || true)
  [ -z "$clash" ] || die "$what $net overlaps an existing route: $clash (set ${4} to another range)"
}

# The bridge made is recorded in $E_DIR/bridge: `down` deletes only a bridge it made.
ensure_bridge() {
  engine_vars "$1"
  local var=DOCKER_ENGINE_TEST_${E^^} ports
  if ip link show "$E_BRIDGE" >/dev/null 2>&1; then
    # Stale from a killed run, or `down` not run: start from a clean bridge. One that is not
    # ours and has interfaces attached belongs to something live: leave it and say so.
    ports=$(ls "/sys/class/net/$E_BRIDGE/brif" 2>/dev/null || true)
    if [ "$(cat "$E_DIR/bridge" 2>/dev/null)" != "$E_BRIDGE" ] && [ -n "$ports" ]; then
      die "bridge $E_BRIDGE exists, is not recorded in $E_DIR/bridge, and has ports ($ports): another test-engines state dir? (set ${var}_BRIDGE)"
    fi
    ip link delete "$E_BRIDGE" type bridge || die "could not delete stale bridge $E_BRIDGE"
  fi
  check_net_free "$(cidr_net "$E_BRIDGE_ADDR")" "bridge subnet of $E" "$E_BRIDGE" "${var}_BRIDGE_ADDR"
  check_net_free "$E_POOL" "address pool of $E" "$E_BRIDGE" "${var}_POOL"
  ip link add "$E_BRIDGE" type bridge || die "ip link add $E_BRIDGE type bridge failed"
  echo "$E_BRIDGE" >"$E_DIR/bridge"
  ip addr add "$E_BRIDGE_ADDR" dev "$E_BRIDGE" || die "ip addr add $E_BRIDGE_ADDR dev $E_BRIDGE failed"
  ip link set "$E_BRIDGE" up || die "ip link set $E_BRIDGE up failed"
}

delete_bridge() {
  engine_vars "$1"
  local br
  br=$(cat "$E_DIR/bridge" 2>/dev/null) || return 0
  if ip link show "$br" >/dev/null 2>&1; then
    ip link delete "$br" type bridge || { warn "could not delete bridge $br"; return 0; }
  fi
  rm -f "$E_DIR/bridge"
}

containerd_pid() { engine_vars "$1"; pid_from_file "$E_CTRD_PIDFILE" "--config $E_CTRD_CONF"; }
dockerd_pid() { engine_vars "$1"; pid_from_file "$E_PIDFILE" "--pidfile $E_PIDFILE"; }

# Our own containerd per engine. dockerd only spawns a private ("managed") containerd when
# /run/containerd/containerd.sock does not exist; where a system containerd runs it silently
# uses that one (shared with the user's engine). Starting our own and passing --containerd
# keeps the two engines and any user engine apart in every case.
start_containerd() {
  local e=$1 pid i
  engine_vars "$e"
  if pid=$(containerd_pid "$e") && ctr --address "$E_CTRD_SOCK" version >/dev/null 2>&1; then
    return 0
  fi
  [ -z "${pid:-}" ] || stop_pid "$pid" "containerd of $e" 10
  mkdir -p "$E_CTRD_DIR"
  cat >"$E_CTRD_CONF" <<EOF
# written by scripts/test-engines.sh
version = 2
root = "$E_CTRD_DIR/root"
state = "$E_CTRD_DIR/state"
oom_score = -500
disabled_plugins = ["io.containerd.grpc.v1.cri"]

[grpc]
  address = "$E_CTRD_SOCK"

[ttrpc]
  address = "$E_CTRD_SOCK.ttrpc"

[debug]
  address = ""
  level = "warn"

[metrics]
  address = ""
EOF
  rm -f "$E_CTRD_SOCK" "$E_CTRD_SOCK.ttrpc"
  log_header "containerd for $e" "$E_CTRD_LOG"
  pid=$(PATH=$E_PATH start_bg "$E_CTRD_LOG" containerd --config "$E_CTRD_CONF")
  echo "$pid" >"$E_CTRD_PIDFILE"
  for ((i = 0; i < 200; i++)); do
    ctr --address "$E_CTRD_SOCK" version >/dev/null 2>&1 && return 0
    pid_alive "$pid" || die_log "$E_CTRD_LOG" "containerd for $e exited at start-up"
    sleep 0.1
  done
  die_log "$E_CTRD_LOG" "containerd for $e did not answer on $E_CTRD_SOCK within 20s"
}

# Kill every task left in our containerd (containers of a dockerd that died, or kept running
# by a dockerd that was killed), then stop containerd itself.
stop_containerd() {
  local e=$1 pid id
  engine_vars "$e"
  if pid=$(containerd_pid "$e"); then
    for id in $(ctr --address "$E_CTRD_SOCK" -n moby tasks ls -q 2>/dev/null || true); do
      ctr --address "$E_CTRD_SOCK" -n moby tasks kill -s SIGKILL "$id" >/dev/null 2>&1 || true
    done
    for id in $(ctr --address "$E_CTRD_SOCK" -n moby tasks ls -q 2>/dev/null || true); do
      ctr --address "$E_CTRD_SOCK" -n moby tasks delete -f "$id" >/dev/null 2>&1 ||
        warn "could not delete containerd task $id of $e"
    done
    stop_pid "$pid" "containerd of $e" 15
  fi
  rm -f "$E_CTRD_PIDFILE"
  kill_stray_shims "$e"
}

# Shims outlive a killed containerd, and keep their containers running: kill the containers'
# init processes, then the shims. Only shims serving our own containerd socket are touched.
kill_stray_shims() {
  engine_vars "$1"
  local p pid child
  for p in /proc/[0-9]*; do
    pid=${p#/proc/}
    [ "$(readlink "$p/exe" 2>/dev/null)" = /usr/bin/containerd-shim-runc-v2 ] || continue
    tr '\0' ' ' <"$p/cmdline" 2>/dev/null | grep -qF -- "-address $E_CTRD_SOCK " || continue
    warn "$E: killing stray containerd shim $pid and its container"
    for child in $(ps -o pid= --ppid "$pid" 2>/dev/null || true); do kill -KILL "$child" 2>/dev/null || true; done
    kill -KILL "$pid" 2>/dev/null || true
  done
}

dockerd_args() {
  engine_vars "$1"
  local port=$2
  DOCKERD_ARGS=(
    --config-file "$E_CONF"
    --host "unix://$E_SOCK"
    --host "tcp://127.0.0.1:$port"
    --tlsverify
    --tlscacert "$TLS/server/ca.pem"
    --tlscert "$TLS/server/cert.pem"
    --tlskey "$TLS/server/key.pem"
    --containerd "$E_CTRD_SOCK"
    --data-root "$E_DIR/data"
    --exec-root "$E_DIR/exec"
    --pidfile "$E_PIDFILE"
    --bridge "$E_BRIDGE"
    --iptables=false
    --ip6tables=false
    --default-address-pool "base=$E_POOL,size=24"
    --userland-proxy-path "$E_PROXY"
    # No --live-restore: swarm mode refuses it (tests/swarm.rs makes each engine a
    # one-node swarm). A restart stops the containers, after this long.
    --shutdown-timeout 2
  )
}

# start_dockerd ENGINE PORT: start and wait for /_ping (60 s), checking the API version.
start_dockerd() {
  local e=$1 port=$2 pid api i
  engine_vars "$e"
  [ -x "$E_DOCKERD" ] || die "$E_DOCKERD not found (was the package step skipped?)"
  dockerd_args "$e" "$port"
  # A config file of our own: the default /etc/docker/daemon.json is the user's. 20.10 keeps
  # its identity key in /etc/docker/key.json unless told otherwise (28.x ignores the key).
  if [ "$e" = v141 ]; then
    printf '{ "deprecated-key-path": "%s" }\n' "$E_DIR/key.json" >"$E_CONF"
  else
    echo '{}' >"$E_CONF"
  fi
  rm -f "$E_SOCK"
  log_header "dockerd $e: $E_DOCKERD ${DOCKERD_ARGS[*]}" "$E_LOG"
  pid=$(PATH=$E_PATH start_bg "$E_LOG" "$E_DOCKERD" "${DOCKERD_ARGS[@]}")
  for ((i = 0; i < 600; i++)); do
    if api=$(ping_unix "$E_SOCK"); then
      [ "$api" = "$E_API" ] || die_log "$E_LOG" "engine $e answers with API-Version '$api', expected $E_API"
      return 0
    fi
    pid_alive "$pid" || die_log "$E_LOG" "dockerd $e ($E_DOCKERD) exited at start-up"
    sleep 0.1
  done
  die_log "$E_LOG" "dockerd $e did not answer GET /_ping on $E_SOCK within 60s"
}

stop_dockerd() {
  local e=$1 pid
  engine_vars "$e"
  if pid=$(dockerd_pid "$e"); then
    stop_pid "$pid" "dockerd $e" 30
  fi
  rm -f "$E_PIDFILE"
}

# Unmount whatever a killed engine left mounted under its directory (overlay, shm, netns).
unmount_leftovers() {
  engine_vars "$1"
  unmount_under "$E_DIR"
}

# unmount_under DIR: everything mounted below DIR, the deepest first.
unmount_under() {
  local m
  awk -v d="$1/" 'index($5, d) == 1 { print $5 }' /proc/self/mountinfo | sort -r |
    while read -r m; do
      umount -l "$m" 2>/dev/null || warn "could not unmount $m"
    done
}

engine_healthy() {
  local e=$1 port api
  engine_vars "$e"
  dockerd_pid "$e" >/dev/null || return 1
  containerd_pid "$e" >/dev/null || return 1
  api=$(ping_unix "$E_SOCK") && [ "$api" = "$E_API" ] || return 1
  ip link show "$E_BRIDGE" >/dev/null 2>&1 || return 1
  port=$(cat "$E_PORTFILE" 2>/dev/null) || return 1
  [ "$(ping_tls "$port" "$TLS/client")" = OK ]
}

# Bring one engine up (or leave it, if it is already up and healthy).
ensure_engine() {
  local e=$1 port
  engine_vars "$e"
  mkdir -p "$E_DIR"
  if engine_healthy "$e"; then
    log "$e: already up (pid $(dockerd_pid "$e"))"
    add_forward_rules "$e"
    return 0
  fi
  log "$e: starting $E_DOCKERD"
  stop_dockerd "$e"
  # A dockerd that is gone leaves nothing for containerd to serve: start from scratch.
  stop_containerd "$e"
  unmount_leftovers "$e"
  ensure_bridge "$e"
  add_forward_rules "$e"
  # dockerd turns net.ipv4.ip_forward on (as any Docker install does; with it off, both
  # engines warn "IPv4 forwarding is disabled" on every create); `down` puts it back.
  [ -s "$STATE/ip_forward.orig" ] || cat /proc/sys/net/ipv4/ip_forward >"$STATE/ip_forward.orig"
  port=$(pick_port "$(cat "$E_PORTFILE" 2>/dev/null || true)" "$E_PORT_DEFAULT")
  echo "$port" >"$E_PORTFILE"
  start_containerd "$e"
  start_dockerd "$e" "$port"
}

# Verify the TLS listener: answers with our client certificate, refuses none or a rogue one.
check_tls() {
  engine_vars "$1"
  check_tls_port "$1" "$(cat "$E_PORTFILE")" "$E_LOG"
}

# check_tls_port NAME PORT LOG: the same checks on one TLS port (LOG is shown on failure).
check_tls_port() {
  local e=$1 port=$2 logf=$3 out
  out=$(ping_tls "$port" "$TLS/client")
  [ "$out" = OK ] || die_log "$logf" "$e: GET /_ping over TLS on 127.0.0.1:$port with the client certificate: $out"
  if out=$(curl -sS --max-time 5 --cacert "$TLS/client/ca.pem" "https://127.0.0.1:$port/_ping" 2>&1) && [ "$out" = OK ]; then
    die "$e: TLS port 127.0.0.1:$port answered a client without a certificate"
  fi
  if out=$(ping_tls "$port" "$TLS/rogue") && [ "$out" = OK ]; then
    die "$e: TLS port 127.0.0.1:$port answered a client certificate from the rogue CA"
  fi
}

restart_engine() {
  local e=$1 port t0
  engine_vars "$e"
  [ -r "$E_PORTFILE" ] || die "engine $e was never started: run '$0 up' first"
  port=$(cat "$E_PORTFILE")
  t0=$(date +%s.%N)
  stop_dockerd "$e"
  start_containerd "$e"   # no-op unless it died too
  ip link show "$E_BRIDGE" >/dev/null 2>&1 || ensure_bridge "$e"
  start_dockerd "$e" "$port"
  log "$e: restarted in $(awk -v a="$t0" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }')s"
}

# After both engines are down: put net.ipv4.ip_forward back as `up` found it, unless some
# other dockerd (a user's) now runs and needs it.
restore_ip_forward() {
  local orig
  orig=$(cat "$STATE/ip_forward.orig" 2>/dev/null || true)
  rm -f "$STATE/ip_forward.orig"
  [ "$orig" = 0 ] && [ "$(cat /proc/sys/net/ipv4/ip_forward)" = 1 ] || return 0
  local pid
  for pid in $(pgrep -x dockerd || true); do
    pid_alive "$pid" || continue  # our own, just stopped, not yet reaped
    warn "leaving net.ipv4.ip_forward=1: another dockerd (pid $pid) runs on this machine"
    return 0
  done
  echo 0 >/proc/sys/net/ipv4/ip_forward || warn "could not restore net.ipv4.ip_forward=0"
}
