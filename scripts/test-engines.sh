#!/usr/bin/env bash
# Private Docker engines for the docker-engine test suite (root, Debian bookworm).
#
#   scripts/test-engines.sh up              install, start, verify; writes $DOCKER_ENGINE_TEST_DIR/env
#   scripts/test-engines.sh down            sweep, stop engines and registry, remove bridges and rules
#   scripts/test-engines.sh sweep           remove every object labelled io.docker-engine.test
#   scripts/test-engines.sh restart ENGINE  restart one engine (v141, v151 or podman), same flags; starts it if it was killed
#   scripts/test-engines.sh kill ENGINE     SIGKILL one engine's daemon (a crash; its containerd or conmons stay up)
#   scripts/test-engines.sh kill-registry   SIGKILL the loopback registry
#   scripts/test-engines.sh start-registry  start the registry again, same port and credentials
#   scripts/test-engines.sh status          which engines and the registry answer
#   scripts/test-engines.sh clean           down, then delete the state dir (keeps the .deb cache)
#
# Engines: v141 = bookworm's dockerd 20.10.24 (API 1.41); v151 = sid's dockerd 28.5.2 (API 1.51),
# unpacked from its .deb, never installed. Each has its own unix socket, TLS tcp listener on
# 127.0.0.1, containerd, data and exec roots, and pre-made bridge; a loopback registry with
# htpasswd auth serves both. podman = bookworm's podman 4.3 (`podman system service`, Docker API
# 1.41), with its own storage, config files, network and a TLS terminator in front of its socket
# (scripts/engines/podman.sh). Nothing here uses /var/run/docker.sock, docker0, podman's default
# storage or a daemon this script did not start. State: ${DOCKER_ENGINE_TEST_DIR:-/tmp/docker-engine-test}.
# shellcheck source-path=SCRIPTDIR
set -euo pipefail

SCRIPTS=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=engines/common.sh
. "$SCRIPTS/engines/common.sh"
# shellcheck source=engines/setup.sh
. "$SCRIPTS/engines/setup.sh"
# shellcheck source=engines/engine.sh
. "$SCRIPTS/engines/engine.sh"
# shellcheck source=engines/fixture.sh
. "$SCRIPTS/engines/fixture.sh"
# shellcheck source=engines/podman.sh
. "$SCRIPTS/engines/podman.sh"

# Any command failing outside an explicit check still says what failed, and where.
set -E
trap 'rc=$?; printf "test-engines: FAILED: \"%s\" exited %s (%s:%s)\n" "$BASH_COMMAND" "$rc" "${BASH_SOURCE[0]##*/}" "$LINENO" >&2' ERR

T0=$(date +%s.%N)
elapsed() { awk -v a="$T0" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }'; }

preflight() {
  [ "$(id -u)" = 0 ] || die "must run as root"
  case $STATE in /*) ;; *) die "DOCKER_ENGINE_TEST_DIR must be an absolute path" ;; esac
  # Unix socket paths must stay under the 108-byte limit; the longest is containerd's ttrpc one.
  [ ${#STATE} -le 60 ] || die "DOCKER_ENGINE_TEST_DIR '$STATE' is too long for unix socket paths (max 60 chars)"
  mkdir -p "$STATE"
  exec 9>"$STATE/.lock"
  flock -w 300 9 || die "another test-engines.sh holds $STATE/.lock"
}

write_env() {
  local e tmp=$ENV_FILE.tmp
  {
    echo "# written by scripts/test-engines.sh up; source it"
    echo "export DOCKER_ENGINE_TEST_DIR=$STATE"
    echo "export DOCKER_ENGINE_TEST_ENGINES=\"${ENGINES[*]} podman\""
    for e in "${ENGINES[@]}"; do
      engine_vars "$e"
      local up=${E^^}
      echo "export DOCKER_ENGINE_TEST_${up}_HOST=$E_HOST"
      echo "export DOCKER_ENGINE_TEST_${up}_TLS_HOST=tcp://127.0.0.1:$(cat "$E_PORTFILE")"
      echo "export DOCKER_ENGINE_TEST_${up}_API_VERSION=$E_API"
      echo "export DOCKER_ENGINE_TEST_${up}_BRIDGE=$E_BRIDGE"
      echo "export DOCKER_ENGINE_TEST_${up}_BRIDGE_IP=${E_BRIDGE_ADDR%/*}"
      echo "export DOCKER_ENGINE_TEST_${up}_SWARM_PORT=$E_SWARM_PORT"
      echo "export DOCKER_ENGINE_TEST_${up}_DATA_PATH_PORT=$E_DATA_PATH_PORT"
      echo "export DOCKER_ENGINE_TEST_${up}_SWARM_POOL=$E_SWARM_POOL"
      echo "export DOCKER_ENGINE_TEST_${up}_POOL=$E_POOL"
    done
    podman_env_lines
    echo "export DOCKER_ENGINE_TEST_TLS_CERTS=$TLS/client"
    echo "export DOCKER_ENGINE_TEST_TLS_ROGUE=$TLS/rogue"
    echo "export DOCKER_ENGINE_TEST_IMAGE=$IMAGE"
    echo "export DOCKER_ENGINE_TEST_REGISTRY=127.0.0.1:$REG_PORT"
    echo "export DOCKER_ENGINE_TEST_REGISTRY_USER=$REG_USER"
    echo "export DOCKER_ENGINE_TEST_REGISTRY_PASSWORD=$REG_PASS"
    echo "export DOCKER_ENGINE_TEST_LABEL=$LABEL"
    echo "export DOCKER_ENGINE_TEST_DOCKER_CLI=$DOCKER"
  } >"$tmp"
  mv "$tmp" "$ENV_FILE"
}

cmd_up() {
  local e id
  preflight
  install_packages
  fetch_sid_docker
  ensure_tls
  for e in "${ENGINES[@]}"; do ensure_engine "$e"; done
  ensure_podman
  for e in "${ENGINES[@]}"; do check_tls "$e"; done
  check_podman_tls
  log "engines answer (unix and TLS) [$(elapsed)s]"
  id=$(fixture_id)
  ensure_fixture_tar "$id"
  for e in "${ENGINES[@]}"; do
    ensure_fixture_image "$e" "$id"
    check_fixture "$e"
  done
  ensure_podman_fixture "$id"
  check_podman_fixture
  log "fixture image runs on the three engines [$(elapsed)s]"
  ensure_registry
  for e in "${ENGINES[@]}"; do check_registry "$e"; done
  check_podman_registry
  log "registry 127.0.0.1:$REG_PORT: login, push, pull from the three engines [$(elapsed)s]"
  write_env
  log "up in $(elapsed)s"
  echo "$ENV_FILE"
}

cmd_down() {
  local e id
  preflight
  for e in "${ENGINES[@]}"; do
    engine_vars "$e"
    if dockerd_pid "$e" >/dev/null && ping_unix "$E_SOCK" >/dev/null; then
      sweep_engine "$e" || true
      # --live-restore keeps containers running past dockerd: stop them while it still answers.
      for id in $(dk "$e" ps -q || true); do dk "$e" kill "$id" >/dev/null 2>&1 || true; done
      dk "$e" network prune -f >/dev/null 2>&1 || true
    fi
    stop_dockerd "$e"
    stop_containerd "$e"
    unmount_leftovers "$e"
    delete_bridge "$e"
    remove_forward_rules "$e"
    rm -f "$E_SOCK"
  done
  down_podman
  stop_registry
  restore_ip_forward
  rm -f "$ENV_FILE"
  log "down in $(elapsed)s"
}

cmd_sweep() {
  local e
  preflight
  for e in "${ENGINES[@]}"; do sweep_engine "$e"; done
  sweep_podman
  log "swept in $(elapsed)s"
}

cmd_restart() {
  local e=${1:?usage: test-engines.sh restart ENGINE (${ENGINES[*]} podman)}
  preflight
  if [ "$e" = podman ]; then restart_podman; return; fi
  engine_vars "$e"
  restart_engine "$e"
}

cmd_kill() {
  local e=${1:?usage: test-engines.sh kill ENGINE (${ENGINES[*]} podman)} pid
  preflight
  if [ "$e" = podman ]; then
    pid=$(podman_pid) || die "engine podman is not running"
  else
    engine_vars "$e"
    pid=$(dockerd_pid "$e") || die "engine $e is not running"
  fi
  kill_and_wait "$pid" "$e: daemon"
}

cmd_kill_registry() {
  local pid
  preflight
  pid=$(registry_pid) || die "the registry is not running"
  kill_and_wait "$pid" registry
}

# SIGKILL a process the tests want gone at once (a daemon fault), and wait until it is.
kill_and_wait() {
  local pid=$1 what=$2 i
  kill -KILL "$pid"
  for ((i = 0; i < 100; i++)); do
    pid_alive "$pid" || { log "$what $pid killed"; return 0; }
    sleep 0.05
  done
  die "$what (pid $pid) still alive 5 s after SIGKILL"
}

cmd_start_registry() {
  preflight
  ensure_registry
}

cmd_status() {
  local e pid api port tls rc=0
  for e in "${ENGINES[@]}"; do
    engine_vars "$e"
    if pid=$(dockerd_pid "$e") && api=$(ping_unix "$E_SOCK"); then
      port=$(cat "$E_PORTFILE" 2>/dev/null || echo '?')
      tls=$(ping_tls "$port" "$TLS/client" 2>/dev/null | head -n 1)
      printf '%-8s up    pid %-7s API %-5s %s  tls tcp://127.0.0.1:%s %s\n' \
        "$e" "$pid" "$api" "$E_HOST" "$port" "$([ "$tls" = OK ] && echo ok || echo "FAILED ($tls)")"
      [ "$tls" = OK ] || rc=1
    else
      printf '%-8s down\n' "$e"
      rc=1
    fi
  done
  podman_status || rc=1
  if pid=$(registry_pid) && port=$(cat "$REG/port" 2>/dev/null) && registry_answers "$port"; then
    printf '%-8s up    pid %-7s 127.0.0.1:%s\n' registry "$pid" "$port"
  else
    printf '%-8s down\n' registry
    rc=1
  fi
  [ ! -r "$ENV_FILE" ] || printf 'env: %s\n' "$ENV_FILE"
  return $rc
}

cmd_clean() {
  local f
  cmd_down
  for f in "$STATE"/* "$STATE"/.lock; do
    [ "$f" = "$CACHE" ] || rm -rf "$f"
  done
  log "removed $STATE (kept $CACHE)"
}

case ${1:-} in
  up) cmd_up ;;
  down) cmd_down ;;
  sweep) cmd_sweep ;;
  restart) shift; cmd_restart "$@" ;;
  kill) shift; cmd_kill "$@" ;;
  kill-registry) cmd_kill_registry ;;
  start-registry) cmd_start_registry ;;
  status) cmd_status || exit $? ;;
  clean) cmd_clean ;;
  *) sed -n '2,12p' "$0" | sed 's/^# \{0,1\}//' >&2; exit 2 ;;
esac
