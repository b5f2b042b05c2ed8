# shellcheck shell=bash
# Fixture image, loopback registry, label sweep (sourced, not run).

FIXTURE_DIR=$STATE/fixture

# The fixture id: changes when busybox or the recipe changes; the image carries it as a label.
fixture_id() {
  { sha256sum "$BUSYBOX" | cut -d' ' -f1; echo "$FIXTURE_RECIPE"; } | sha256sum | cut -c1-16
}

# A busybox rootfs tar, built once (byte-identical for the same busybox and recipe).
ensure_fixture_tar() {
  local id=$1 root applet
  [ -s "$FIXTURE_DIR/rootfs.tar" ] && [ "$(cat "$FIXTURE_DIR/id" 2>/dev/null)" = "$id" ] && return 0
  log "building the fixture rootfs"
  rm -rf "$FIXTURE_DIR"
  root=$FIXTURE_DIR/rootfs
  mkdir -p "$root"/{bin,etc,tmp,var,root,usr/bin,home}
  cp "$BUSYBOX" "$root/bin/busybox"
  for applet in $("$BUSYBOX" --list); do
    [ "$applet" = busybox ] || ln -s busybox "$root/bin/$applet"
  done
  ln -s ../../bin/busybox "$root/usr/bin/env"
  printf '%s\n' 'root:x:0:0:root:/root:/bin/sh' 'nobody:x:65534:65534:nobody:/nonexistent:/bin/false' \
    >"$root/etc/passwd"
  printf '%s\n' 'root:x:0:' 'nobody:x:65534:' >"$root/etc/group"
  chmod 1777 "$root/tmp"
  chmod 700 "$root/root"
  tar --sort=name --mtime=@0 --owner=0 --group=0 --numeric-owner -C "$root" -cf "$FIXTURE_DIR/rootfs.tar" . ||
    die "could not pack the fixture rootfs"
  rm -rf "$root"
  echo "$id" >"$FIXTURE_DIR/id"
}

# Import the fixture into one engine unless it already has this exact recipe. It carries the
# fixture label, never the test label, so the sweep leaves it.
ensure_fixture_image() {
  local e=$1 id=$2 have old out
  engine_vars "$e"
  have=$(dk "$e" image inspect -f "{{index .Config.Labels \"$FIXTURE_LABEL\"}}" "$IMAGE" 2>/dev/null || true)
  [ "$have" = "$id" ] && return 0
  old=$(dk "$e" image inspect -f '{{.Id}}' "$IMAGE" 2>/dev/null || true)
  log "$e: importing $IMAGE"
  out=$(dk "$e" import \
    --change 'CMD ["sh"]' \
    --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
    --change "LABEL $FIXTURE_LABEL=$id" \
    "$FIXTURE_DIR/rootfs.tar" "$IMAGE" 2>&1) || die_log "$E_LOG" "$e: docker import of the fixture failed: $out"
  [ -z "$old" ] || dk "$e" rmi "$old" >/dev/null 2>&1 || true
}

# check_run ENGINE WHAT EXPECTED ARGS...: docker run ARGS must print a line matching EXPECTED.
check_run() {
  local e=$1 what=$2 expect=$3 out; shift 3
  engine_vars "$e"
  out=$(dk "$e" run --rm --label "$LABEL=up-check" "$@" 2>&1) ||
    die_log "$E_LOG" "$e: $what: docker run failed: $out"
  grep -qE -- "$expect" <<<"$out" || die_log "$E_LOG" "$e: $what: expected /$expect/, got: $out"
}

check_fixture() {
  local e=$1 name=dei-up-check-httpd ip port out net
  engine_vars "$e"
  check_run "$e" "fixture shell" '^ok$' "$IMAGE" sh -c 'echo ok; id; wget --help 2>&1 | head -n 1'
  check_run "$e" "fixture as root" '^uid=0\(root\) gid=0\(root\)' "$IMAGE" id
  check_run "$e" "fixture as nobody" '^uid=65534\(nobody\) gid=65534\(nobody\)' --user nobody -w /tmp "$IMAGE" id
  # Two containers on the engine's bridge: httpd in one, wget from another; plus the
  # published port through the userland proxy.
  dk "$e" rm -f "$name" >/dev/null 2>&1 || true
  out=$(dk "$e" run -d --name "$name" --label "$LABEL=up-check" -p 127.0.0.1::8080 "$IMAGE" \
    sh -c 'mkdir -p /tmp/www && echo fixture-ok >/tmp/www/index.html && exec httpd -f -p 8080 -h /tmp/www' 2>&1) ||
    die_log "$E_LOG" "$e: could not start the httpd check container: $out"
  ip=$(dk "$e" inspect -f '{{.NetworkSettings.IPAddress}}' "$name") || die_log "$E_LOG" "$e: inspect $name failed"
  net=$(cidr_net "$E_BRIDGE_ADDR")
  [ "$(cidr_net "$ip/${net#*/}")" = "$net" ] || die "$e: container address $ip is not on $E_BRIDGE ($net)"
  check_run "$e" "container to container over $E_BRIDGE" '^fixture-ok$' "$IMAGE" \
    sh -c "for i in 1 2 3 4 5 6 7 8 9 10; do timeout 3 wget -q -O- http://$ip:8080/ && exit 0; sleep 0.3; done; exit 1"
  port=$(dk "$e" port "$name" 8080/tcp | head -n 1) || die_log "$E_LOG" "$e: docker port $name failed"
  out=$(curl -sS --max-time 5 --retry 5 --retry-connrefused --retry-delay 0 "http://$port/" 2>&1) || true
  [ "$out" = fixture-ok ] || die_log "$E_LOG" "$e: published port $port (userland proxy) answered: $out"
  dk "$e" rm -f "$name" >/dev/null
}

# ---- registry -------------------------------------------------------------------------------

registry_pid() { pid_from_file "$REG/registry.pid" "serve $REG/config.yml"; }

registry_answers() {
  local port=$1 code
  code=$(curl -s -o /dev/null -w '%{http_code}' --max-time 2 "http://127.0.0.1:$port/v2/" 2>/dev/null) || return 1
  [ "$code" = 401 ]
}

ensure_registry() {
  local port pid i
  mkdir -p "$REG/data"
  if [ ! -s "$REG/credentials" ]; then
    printf 'dei-test\n%s\n' "$(openssl rand -hex 16)" >"$REG/credentials"
    chmod 600 "$REG/credentials"
  fi
  REG_USER=$(sed -n 1p "$REG/credentials")
  REG_PASS=$(sed -n 2p "$REG/credentials")
  if pid=$(registry_pid) && port=$(cat "$REG/port" 2>/dev/null) && registry_answers "$port"; then
    log "registry: already up on 127.0.0.1:$port (pid $pid)"
    REG_PORT=$port
    return 0
  fi
  [ -z "${pid:-}" ] || stop_pid "$pid" registry 10
  REG_PORT=$(pick_port "$(cat "$REG/port" 2>/dev/null || true)" 25000)
  echo "$REG_PORT" >"$REG/port"
  printf '%s\n' "$REG_PASS" | htpasswd -B -i -c "$REG/htpasswd" "$REG_USER" >/dev/null 2>&1 ||
    die "htpasswd -B failed"
  cat >"$REG/config.yml" <<EOF
# written by scripts/test-engines.sh
version: 0.1
log:
  level: info
storage:
  filesystem:
    rootdirectory: $REG/data
  delete:
    enabled: true
http:
  addr: 127.0.0.1:$REG_PORT
  secret: $(openssl rand -hex 16)
auth:
  htpasswd:
    realm: docker-engine-test
    path: $REG/htpasswd
EOF
  log "registry: starting on 127.0.0.1:$REG_PORT"
  log_header registry "$REG/registry.log"
  pid=$(start_bg "$REG/registry.log" docker-registry serve "$REG/config.yml")
  echo "$pid" >"$REG/registry.pid"
  for ((i = 0; i < 150; i++)); do
    registry_answers "$REG_PORT" && return 0
    pid_alive "$pid" || die_log "$REG/registry.log" "docker-registry exited at start-up"
    sleep 0.1
  done
  die_log "$REG/registry.log" "registry did not answer on 127.0.0.1:$REG_PORT within 15s"
}

stop_registry() {
  local pid
  if pid=$(registry_pid); then stop_pid "$pid" registry 10; fi
  rm -f "$REG/registry.pid"
}

# Log in with the docker CLI, then push, remove, pull back and remove a tag of the fixture.
check_registry() {
  local e=$1 ref cfg out step
  engine_vars "$e"
  ref=127.0.0.1:$REG_PORT/docker-engine-fixture:up-check-$e
  cfg=$(mktemp -d)
  for step in login tag push rmi pull rmi2; do
    case $step in
      login) out=$(printf '%s\n' "$REG_PASS" | DOCKER_CONFIG=$cfg "$DOCKER" -H "$E_HOST" login -u "$REG_USER" --password-stdin "127.0.0.1:$REG_PORT" 2>&1) ;;
      tag) out=$(DOCKER_CONFIG=$cfg "$DOCKER" -H "$E_HOST" tag "$IMAGE" "$ref" 2>&1) ;;
      push) out=$(DOCKER_CONFIG=$cfg "$DOCKER" -H "$E_HOST" push "$ref" 2>&1) ;;
      rmi | rmi2) out=$(DOCKER_CONFIG=$cfg "$DOCKER" -H "$E_HOST" rmi "$ref" 2>&1) ;;
      pull) out=$(DOCKER_CONFIG=$cfg "$DOCKER" -H "$E_HOST" pull "$ref" 2>&1) ;;
    esac || { rm -rf "$cfg"; printf '%s\n' "$out" >>"$REG/registry.log"
      die_log "$REG/registry.log" "$e: docker $step against the registry 127.0.0.1:$REG_PORT failed: $out"; }
  done
  rm -rf "$cfg"
}

# ---- sweep ----------------------------------------------------------------------------------

# Remove every object carrying the test label (and build leftovers) from one running engine.
sweep_engine() {
  local e=$1 ids id fixture pass left
  engine_vars "$e"
  ping_unix "$E_SOCK" >/dev/null || { warn "$e: not answering, nothing swept"; return 0; }
  # A swarm a killed test run left (tests/swarm.rs leaves its own at the end), and the
  # plugins of tests/swarm.rs, which carry no label: their names start with the prefix.
  if [ "$(dk "$e" info --format '{{.Swarm.LocalNodeState}}' 2>/dev/null)" != inactive ]; then
    dk "$e" swarm leave --force >/dev/null 2>&1 || warn "$e: could not leave its swarm"
  fi
  # tests/swarm.rs makes its own docker_gwbridge (bridge ${E_BRIDGE}gw); leaving keeps it.
  if dk "$e" network inspect docker_gwbridge >/dev/null 2>&1; then
    dk "$e" network rm docker_gwbridge >/dev/null || warn "$e: could not remove docker_gwbridge"
  fi
  ids=$(dk "$e" plugin ls --format '{{.Name}}' 2>/dev/null | grep "dei-plugin" || true)
  # shellcheck disable=SC2086
  [ -z "$ids" ] || dk "$e" plugin rm -f $ids >/dev/null || warn "$e: some plugins could not be removed"
  ids=$(dk "$e" ps -aq --filter "label=$LABEL") || die_log "$E_LOG" "$e: listing containers failed"
  # shellcheck disable=SC2086
  [ -z "$ids" ] || dk "$e" rm -f -v $ids >/dev/null || warn "$e: some containers could not be removed"
  # Intermediate containers of failed builds: stopped, made from an untagged image id.
  ids=$(dk "$e" ps -a --filter status=exited --filter status=created --format '{{.ID}} {{.Image}}' |
    awk '$2 ~ /^(sha256:)?[0-9a-f]+$/ && length($2) >= 12 { print $1 }') ||
    die_log "$E_LOG" "$e: listing stopped containers failed"
  # shellcheck disable=SC2086
  [ -z "$ids" ] || dk "$e" rm -f -v $ids >/dev/null || warn "$e: some build leftovers could not be removed"
  ids=$(dk "$e" network ls -q --filter "label=$LABEL") || die_log "$E_LOG" "$e: listing networks failed"
  # shellcheck disable=SC2086
  [ -z "$ids" ] || dk "$e" network rm $ids >/dev/null || warn "$e: some networks could not be removed"
  ids=$(dk "$e" volume ls -q --filter "label=$LABEL") || die_log "$E_LOG" "$e: listing volumes failed"
  # shellcheck disable=SC2086
  [ -z "$ids" ] || dk "$e" volume rm -f $ids >/dev/null || warn "$e: some volumes could not be removed"
  fixture=$(dk "$e" image inspect -f '{{.Id}}' "$IMAGE" 2>/dev/null || true)
  # Children before parents: repeat while something is left.
  for ((pass = 0; pass < 5; pass++)); do
    ids=$(dk "$e" images -q --no-trunc --filter "label=$LABEL" | sort -u | { grep -vxF "${fixture:-none}" || true; }) ||
      die_log "$E_LOG" "$e: listing images failed"
    [ -n "$ids" ] || break
    for id in $ids; do dk "$e" rmi -f "$id" >/dev/null 2>&1 || true; done
  done
  # Dangling layers of failed builds.
  dk "$e" image prune -f >/dev/null || warn "$e: image prune failed"
  left=$( { dk "$e" ps -aq --filter "label=$LABEL"; dk "$e" network ls -q --filter "label=$LABEL"
    dk "$e" volume ls -q --filter "label=$LABEL"
    dk "$e" images -q --no-trunc --filter "label=$LABEL" | grep -vxF "${fixture:-none}"; } 2>&1 || true)
  [ -z "$left" ] || die_log "$E_LOG" "$e: sweep left labelled objects behind: $(echo "$left" | tr '\n' ' ')"
}
