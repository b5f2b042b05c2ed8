# shellcheck shell=bash disable=SC2034  # variables used by the files that source this one
# Shared settings and helpers for scripts/test-engines.sh (sourced, not run).

STATE=${DOCKER_ENGINE_TEST_DIR:-/tmp/docker-engine-test}
CACHE=$STATE/cache
TLS=$STATE/tls
REG=$STATE/registry
ENV_FILE=$STATE/env
LABEL=io.docker-engine.test
FIXTURE_LABEL=io.docker-engine.fixture
IMAGE=docker-engine-fixture:latest
# Bump when the fixture recipe changes: the image carries it in its fixture label.
FIXTURE_RECIPE=1
ENGINES=(v141 v151)
SID_DOCKER=${DOCKER_ENGINE_TEST_SID_DOCKER:-28.5.2+dfsg4-5}
SID_DIR=$CACHE/docker.io-sid
SID_ROOT=$SID_DIR/root
DOCKER=/usr/bin/docker            # bookworm's CLI (20.10), never a docker found first on PATH
SYS_PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin

# Our docker CLI calls must never reach a user's engine through the caller's environment.
unset DOCKER_HOST DOCKER_CONTEXT DOCKER_TLS_VERIFY DOCKER_CERT_PATH DOCKER_API_VERSION

log() { printf '==> %s\n' "$*" >&2; }
warn() { printf 'test-engines: warning: %s\n' "$*" >&2; }
die() { printf 'test-engines: FAILED: %s\n' "$*" >&2; exit 1; }
# die_log FILE MESSAGE: fail, showing the last lines of FILE.
die_log() {
  local file=$1; shift
  printf 'test-engines: FAILED: %s\n' "$*" >&2
  if [ -s "$file" ]; then
    printf -- '--- last lines of %s ---\n' "$file" >&2
    tail -n 30 "$file" >&2
    printf -- '---\n' >&2
  fi
  exit 1
}

# engine_vars NAME: sets E_* for one engine. Everything per engine is derived from its name.
engine_vars() {
  E=$1
  E_DIR=$STATE/$E
  E_SOCK=$E_DIR/docker.sock
  E_HOST=unix://$E_SOCK
  E_PIDFILE=$E_DIR/dockerd.pid
  E_LOG=$E_DIR/dockerd.log
  E_CONF=$E_DIR/daemon.json
  E_PORTFILE=$E_DIR/tls-port
  E_CTRD_DIR=$E_DIR/containerd
  E_CTRD_SOCK=$E_CTRD_DIR/containerd.sock
  E_CTRD_CONF=$E_CTRD_DIR/config.toml
  E_CTRD_PIDFILE=$E_CTRD_DIR/containerd.pid
  E_CTRD_LOG=$E_DIR/containerd.log
  case $E in
    v141)
      E_API=1.41
      E_DOCKERD=/usr/sbin/dockerd
      E_PROXY=/usr/sbin/docker-proxy
      E_PATH=$SYS_PATH
      E_BRIDGE=${DOCKER_ENGINE_TEST_V141_BRIDGE:-dei141}
      E_BRIDGE_ADDR=${DOCKER_ENGINE_TEST_V141_BRIDGE_ADDR:-172.28.0.1/16}
      E_POOL=${DOCKER_ENGINE_TEST_V141_POOL:-10.141.0.0/16}
      E_PORT_DEFAULT=23741
      # Swarm mode (tests/swarm.rs): its own manager and VXLAN ports and address pool, so
      # both engines can be single-node swarms at once.
      E_SWARM_PORT=23742
      E_DATA_PATH_PORT=23743
      E_SWARM_POOL=10.241.0.0/16
      ;;
    v151)
      E_API=1.51
      E_DOCKERD=$SID_ROOT/usr/sbin/dockerd
      E_PROXY=$SID_ROOT/usr/sbin/docker-proxy
      # Only sbin of the unpacked tree: its usr/bin/docker-init is a dangling symlink to
      # tini-static, so docker-init comes from bookworm's /usr/bin (tini-static).
      E_PATH=$SID_ROOT/usr/sbin:$SYS_PATH
      E_BRIDGE=${DOCKER_ENGINE_TEST_V151_BRIDGE:-dei151}
      E_BRIDGE_ADDR=${DOCKER_ENGINE_TEST_V151_BRIDGE_ADDR:-172.29.0.1/16}
      E_POOL=${DOCKER_ENGINE_TEST_V151_POOL:-10.151.0.0/16}
      E_PORT_DEFAULT=23751
      E_SWARM_PORT=23752
      E_DATA_PATH_PORT=23753
      E_SWARM_POOL=10.251.0.0/16
      ;;
    *) die "unknown engine '$E' (expected one of: ${ENGINES[*]})" ;;
  esac
}

# Network of an address/prefix ("172.28.0.1/16" -> "172.28.0.0/16"); only /8, /16, /24 needed.
cidr_net() {
  local ip=${1%/*} len=${1#*/} a b c d
  IFS=. read -r a b c d <<<"$ip"
  : "$d"
  case $len in
    8) echo "$a.0.0.0/8" ;;
    16) echo "$a.$b.0.0/16" ;;
    24) echo "$a.$b.$c.0/24" ;;
    *) die "unsupported prefix length in $1 (use /8, /16 or /24)" ;;
  esac
}

# dk ENGINE ARGS...: bookworm's docker CLI pointed at one of our engines, with a private config.
dk() {
  local e=$1; shift
  DOCKER_CONFIG=$STATE/cli "$DOCKER" -H "unix://$STATE/$e/docker.sock" "$@"
}

# ping_unix SOCK: prints the API-Version header of GET /_ping; fails if the engine does not answer OK.
ping_unix() {
  local sock=$1 out
  [ -S "$sock" ] || return 1
  out=$(curl -sS --max-time 3 --unix-socket "$sock" -D - http://localhost/_ping 2>/dev/null) || return 1
  printf '%s' "$out" | tail -n 1 | grep -qx 'OK' || return 1
  printf '%s\n' "$out" | tr -d '\r' | awk -F': ' 'tolower($1) == "api-version" { print $2 }'
}

# ping_tls PORT CERTDIR: GET /_ping over TLS with the client certificate in CERTDIR.
ping_tls() {
  local port=$1 dir=$2
  curl -sS --max-time 5 --cacert "$TLS/client/ca.pem" --cert "$dir/cert.pem" --key "$dir/key.pem" \
    "https://127.0.0.1:$port/_ping" 2>&1
}

# pid_from_file FILE NEEDLE: the pid recorded in FILE, if that process is alive (not a zombie)
# and its command line contains NEEDLE (our own config/socket path: never a stranger's process).
pid_from_file() {
  local file=$1 needle=$2 pid state
  [ -r "$file" ] || return 1
  pid=$(tr -dc '0-9' <"$file")
  [ -n "$pid" ] && [ -r "/proc/$pid/cmdline" ] || return 1
  state=$(awk '{ print $3 }' "/proc/$pid/stat" 2>/dev/null) || return 1
  [ "$state" != Z ] || return 1
  tr '\0' ' ' <"/proc/$pid/cmdline" | grep -qF -- "$needle" || return 1
  echo "$pid"
}

pid_alive() {
  local state
  state=$(awk '{ print $3 }' "/proc/$1/stat" 2>/dev/null) || return 1
  [ "$state" != Z ]
}

# stop_pid PID WHAT SECONDS: SIGTERM, wait, then SIGKILL.
stop_pid() {
  local pid=$1 what=$2 secs=$3 i
  kill -TERM "$pid" 2>/dev/null || return 0
  for ((i = 0; i < secs * 10; i++)); do
    pid_alive "$pid" || return 0
    sleep 0.1
  done
  warn "$what (pid $pid) did not stop within ${secs}s of SIGTERM; sending SIGKILL"
  kill -KILL "$pid" 2>/dev/null || return 0
  for ((i = 0; i < 50; i++)); do
    pid_alive "$pid" || return 0
    sleep 0.1
  done
  die "$what (pid $pid) survived SIGKILL"
}

port_free() { [ -z "$(ss -Hltn "sport = :$1" 2>/dev/null)" ]; }

# pick_port PREFERRED...: the first free port among the candidates, then upward from the last.
pick_port() {
  local p i
  for p in "$@"; do
    [ -n "$p" ] && port_free "$p" && { echo "$p"; return 0; }
  done
  for ((i = 1; i <= 50; i++)); do
    port_free $((p + i)) && { echo $((p + i)); return 0; }
  done
  die "no free tcp port near $p on 127.0.0.1"
}

# start_bg LOG CMD...: start a daemon in its own session, detached from this script; prints its pid.
# (From a script without job control, the child is no process-group leader, so setsid execs in
# place and $! is the daemon itself.)
start_bg() {
  local logf=$1; shift
  setsid "$@" >>"$logf" 2>&1 </dev/null 9>&- &
  echo $!
}

log_header() { printf '\n===== %s %s =====\n' "$(date -Is)" "$1" >>"$2"; }
