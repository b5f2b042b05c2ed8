# shellcheck shell=bash
# Packages, sid's dockerd, TLS material (sourced, not run).

# Bookworm packages. docker.io brings containerd, runc and tini (docker-init) with it.
PACKAGES=(docker.io containerd runc tini busybox-static docker-registry apache2-utils openssl
  iproute2 iptables curl ca-certificates util-linux procps tmux
  podman conmon catatonit netavark aardvark-dns stunnel4 openssh-server openssh-client)
# tmux: tests drive the exec_it example in a real terminal.
# podman: the third engine (scripts/engines/podman.sh), with catatonit (its init for
# HostConfig.Init), netavark and aardvark-dns for its networks (DNS on user-defined ones, as
# dockerd's) and stunnel as the TLS terminator in front of it. openssh-server/-client: ssh://
# hosts (tests/ssh.rs).

pkg_installed() { dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q 'install ok installed'; }

BUSYBOX=/bin/busybox

install_packages() {
  local p missing=() policy=/usr/sbin/policy-rc.d backup=""
  for p in "${PACKAGES[@]}"; do
    pkg_installed "$p" && continue
    if [ "$p" = busybox-static ] && pkg_installed busybox; then
      # busybox-static would replace the user's busybox: take the static binary out of the
      # .deb instead (the fixture needs only that file).
      continue
    fi
    missing+=("$p")
  done
  if [ ${#missing[@]} -gt 0 ]; then
    log "installing: ${missing[*]}"
    # No service may start during the install (docker.io, containerd and docker-registry
    # ship services): our engines are private, and a user's running daemons are left as they are.
    if [ -e "$policy" ] && { "$policy" docker start >/dev/null 2>&1; [ $? -eq 101 ]; }; then
      :  # an existing policy already denies starts
    else
      if [ -e "$policy" ]; then
        backup=$policy.docker-engine-test.$$
        mv "$policy" "$backup"
      fi
      printf '#!/bin/sh\n# temporary, from docker-engine scripts/test-engines.sh\nexit 101\n' >"$policy"
      chmod 755 "$policy"
    fi
    local rc=0
    {
      DEBIAN_FRONTEND=noninteractive apt-get update -qq &&
        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
          -o Dpkg::Options::=--force-confdef -o Dpkg::Options::=--force-confold "${missing[@]}"
    } >"$STATE/apt.log" 2>&1 || rc=$?
    if grep -q 'temporary, from docker-engine' "$policy" 2>/dev/null; then
      rm -f "$policy"
      [ -z "$backup" ] || mv "$backup" "$policy"
    fi
    [ $rc -eq 0 ] || die_log "$STATE/apt.log" "apt-get install ${missing[*]} failed"
  fi
  if ! pkg_installed busybox-static; then
    BUSYBOX=$CACHE/busybox-static/root/bin/busybox
    if [ ! -x "$BUSYBOX" ]; then
      log "fetching busybox-static (not installed: it would replace busybox)"
      "$SCRIPTS/debian-fetch.sh" bookworm busybox-static "$CACHE/busybox-static" >"$STATE/fetch.log" 2>&1 ||
        die_log "$STATE/fetch.log" "debian-fetch.sh bookworm busybox-static failed"
    fi
  fi
  for p in /usr/sbin/dockerd /usr/sbin/docker-proxy "$DOCKER" /usr/bin/containerd /usr/sbin/runc \
    /usr/bin/docker-init /usr/bin/docker-registry /usr/bin/htpasswd "$BUSYBOX" \
    /usr/bin/podman /usr/bin/conmon /usr/libexec/podman/catatonit /usr/lib/podman/netavark \
    /usr/lib/podman/aardvark-dns /usr/bin/stunnel4 /usr/sbin/sshd /usr/bin/ssh; do
    [ -x "$p" ] || die "$p missing after the package step"
  done
}

# sid's docker.io, unpacked (never installed), cached in $CACHE.
fetch_sid_docker() {
  local deb
  for deb in "$SID_DIR"/docker.io_*.deb; do break; done
  if [ -f "$deb" ] && [ -x "$SID_ROOT/usr/sbin/dockerd" ] &&
    [ "$(dpkg-deb -f "$deb" Version 2>/dev/null)" = "$SID_DOCKER" ]; then
    return 0
  fi
  log "fetching docker.io $SID_DOCKER from sid"
  rm -rf "$SID_DIR"
  mkdir -p "$SID_DIR"
  "$SCRIPTS/debian-fetch.sh" sid "docker.io=$SID_DOCKER" "$SID_DIR" >"$STATE/fetch.log" 2>&1 ||
    die_log "$STATE/fetch.log" "debian-fetch.sh sid docker.io=$SID_DOCKER failed (set DOCKER_ENGINE_TEST_SID_DOCKER to the version sid has now)"
  [ -x "$SID_ROOT/usr/sbin/dockerd" ] || die "sid docker.io .deb has no usr/sbin/dockerd"
}

# ---- TLS ------------------------------------------------------------------------------------

tls_valid() {
  local f
  for f in ca/ca.pem server/cert.pem server/key.pem client/ca.pem client/cert.pem client/key.pem \
    rogue/ca.pem rogue/cert.pem rogue/key.pem; do
    [ -s "$TLS/$f" ] || return 1
  done
  for f in ca/ca.pem server/cert.pem client/cert.pem rogue/cert.pem; do
    openssl x509 -checkend 172800 -noout -in "$TLS/$f" >/dev/null 2>&1 || return 1
  done
  for f in server client rogue; do
    [ "$(openssl x509 -noout -pubkey -in "$TLS/$f/cert.pem" 2>/dev/null)" = \
      "$(openssl pkey -pubout -in "$TLS/$f/key.pem" 2>/dev/null)" ] || return 1
  done
}

# make_ca DIR CN
make_ca() {
  mkdir -p "$1"
  openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$1/ca-key.pem" &&
    openssl req -new -x509 -key "$1/ca-key.pem" -subj "/CN=$2" -days 30 \
      -config "$TLS/openssl.cnf" -extensions v3_ca -out "$1/ca.pem"
}

# make_cert CADIR DIR CN EXTENSIONS: DIR gets ca.pem, cert.pem, key.pem (DOCKER_CERT_PATH layout).
make_cert() {
  mkdir -p "$2"
  openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$2/key.pem" &&
    openssl req -new -key "$2/key.pem" -subj "/CN=$3" -config "$TLS/openssl.cnf" -out "$2/csr.pem" &&
    openssl x509 -req -in "$2/csr.pem" -CA "$1/ca.pem" -CAkey "$1/ca-key.pem" \
      -set_serial "0x7$(openssl rand -hex 15)" -days 30 \
      -extfile "$TLS/openssl.cnf" -extensions "$4" -out "$2/cert.pem" &&
    cp "$1/ca.pem" "$2/ca.pem" && rm -f "$2/csr.pem"
}

ensure_tls() {
  tls_valid && return 0
  log "generating TLS material in $TLS"
  rm -rf "$TLS"
  mkdir -p "$TLS"
  chmod 700 "$TLS"
  cat >"$TLS/openssl.cnf" <<'EOF'
[req]
distinguished_name = dn
[dn]
[v3_ca]
basicConstraints = critical,CA:TRUE
keyUsage = critical,keyCertSign,cRLSign
subjectKeyIdentifier = hash
[server]
basicConstraints = critical,CA:FALSE
keyUsage = critical,digitalSignature
extendedKeyUsage = serverAuth
subjectAltName = IP:127.0.0.1,DNS:localhost
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
[client]
basicConstraints = critical,CA:FALSE
keyUsage = critical,digitalSignature
extendedKeyUsage = clientAuth
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
EOF
  {
    make_ca "$TLS/ca" "docker-engine test CA" &&
      make_cert "$TLS/ca" "$TLS/server" localhost server &&
      make_cert "$TLS/ca" "$TLS/client" docker-engine-test-client client &&
      make_ca "$TLS/rogue-ca" "docker-engine rogue CA" &&
      make_cert "$TLS/rogue-ca" "$TLS/rogue" docker-engine-rogue-client client
  } >"$STATE/tls.log" 2>&1 || die_log "$STATE/tls.log" "openssl failed while generating TLS material"
  chmod 600 "$TLS"/*/*key.pem
  tls_valid || die "generated TLS material does not verify"
}
