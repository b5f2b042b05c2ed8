#!/usr/bin/env bash
# Prove regeneration:
#
# 0. `cargo build --features regenerate` reproduces the committed generated/ byte for byte
#    (scripts/refresh-generated.sh --check);
# 1. with spec/engine-api.yaml replaced by an older Engine API spec that Debian ships
#    (trixie: v1.45, bookworm: v1.41) and nothing else changed, the library, the examples
#    and every test compile;
# 2. the integration suite built from that spec passes against both test engines (Docker
#    20.10 and 28.5; the client negotiates down to 1.41 on the older one): `--test engine`
#    and `--test swarm`. scripts/test.sh
#    runs this with the engines up; REGEN_RUN=0 only builds.
#
#   scripts/regen-check.sh [SUITE...]        default: trixie bookworm
#
# For each suite: fetch golang-github-docker-docker-dev's api/swagger.yaml with apt (no
# install), copy this crate to a scratch directory with that spec in spec/engine-api.yaml,
# build it there with `--features regenerate,tls`, and run `--test engine` on each engine.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
suites=("$@")
[ ${#suites[@]} -gt 0 ] || suites=(trixie bookworm)
work=${REGEN_DIR:-$root/target/regen}
export CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-$root/target}
mkdir -p "$work"
# Each suite's build is a whole second set of the crate's binaries (a few hundred MB): the
# one before is removed before the next is built, and the last at the end. The dependencies'
# artifacts stay shared.
clean_scratch() { (cd "$1" && cargo clean --quiet -p docker-engine-regen); }
status=0
echo "== generated/ is what the generator makes"
"$root/scripts/refresh-generated.sh" --check || status=1
for suite in "${suites[@]}"; do
  echo "== $suite"
  "$root/scripts/debian-fetch.sh" "$suite" golang-github-docker-docker-dev "$work/deb-$suite" >/dev/null
  spec="$work/deb-$suite/root/usr/share/gocode/src/github.com/docker/docker/api/swagger.yaml"
  version=$(sed -n 's/^  version: "\(.*\)"/\1/p' "$spec" | head -n 1)
  crate="$work/crate-$suite"
  rm -rf "$crate"
  mkdir -p "$crate/spec"
  cp -r "$root/Cargo.toml" "$root/build.rs" "$root/src" "$root/tests" "$root/examples" "$crate/"
  [ -f "$root/Cargo.lock" ] && cp "$root/Cargo.lock" "$crate/"
  # The scratch copy is its own package: rename it so its artifacts do not replace ours.
  sed -i 's/^name = "docker-engine"$/name = "docker-engine-regen"/' "$crate/Cargo.toml"
  sed -i 's/^members = .*/members = []/' "$crate/Cargo.toml"
  cp "$spec" "$crate/spec/engine-api.yaml"
  clean_scratch "$crate"
  # Another spec: the committed generated/ does not match it, so build.rs must regenerate.
  log="$work/build-$suite.log"
  if (cd "$crate" && cargo build --quiet --features regenerate,tls --lib --examples --tests 2>"$log"); then
    out=$(dirname "$(ls -t "$CARGO_TARGET_DIR"/debug/build/docker-engine-regen-*/out/engine.rs | head -n 1)")
    ops=$(grep -c '^    ("' "$out/operations.rs")
    echo "ok: API $version (Debian $suite): $ops operations generated; library, examples and tests compile unchanged"
  else
    n=$(grep -c '^error' "$log" || true)
    echo "FAILED: API $version (Debian $suite): $n error(s) building the crate from this spec; see $log" >&2
    grep -A3 '^error' "$log" | grep -E '^error|-->' | paste - - | sed 's/^/  /' | sort | uniq | head -n 30 >&2
    status=1
    continue
  fi
  [ "${REGEN_RUN:-1}" = 1 ] || continue
  if [ -z "${DOCKER_ENGINE_TEST_ENGINES:-}" ]; then
    echo "FAILED: API $version (Debian $suite): no test engines to run the suite on (start them: scripts/test-engines.sh up; source its env) or set REGEN_RUN=0" >&2
    status=1
    continue
  fi
  for engine in $DOCKER_ENGINE_TEST_ENGINES; do
    var="DOCKER_ENGINE_TEST_${engine^^}_API_VERSION"
    speaks=${!var}
    # Each suite starts on swept engines: nothing the last suite left (on Podman, the bridge
    # of a network removed by id while a container was on it) holds a subnet it picks.
    if ! "$root/scripts/test-engines.sh" sweep >"$work/sweep-$suite-$engine.log" 2>&1; then
      echo "FAILED: API $version (Debian $suite): sweeping the engines before the suite on $engine failed; see $work/sweep-$suite-$engine.log" >&2
      tail -n 20 "$work/sweep-$suite-$engine.log" >&2
      status=1
      continue
    fi
    if (cd "$crate" && DOCKER_ENGINE_TEST_ENGINE=$engine cargo test --quiet --features regenerate,tls --test engine --test swarm -- --test-threads "${TEST_THREADS:-4}" >"$work/test-$suite-$engine.log" 2>&1); then
      echo "ok: API $version (Debian $suite): $(grep -o '[0-9]* passed; [0-9]* failed' "$work/test-$suite-$engine.log" | paste -sd, | sed 's/,/, /g') on engine $engine (API $speaks)"
    else
      echo "FAILED: API $version (Debian $suite): the suite failed on engine $engine; see $work/test-$suite-$engine.log" >&2
      # The log stays on the machine that ran it: print the failures with their messages.
      grep -E -A4 '^test .* FAILED|panicked' "$work/test-$suite-$engine.log" | head -n 60 >&2
      status=1
    fi
  done
done
[ -z "${crate:-}" ] || clean_scratch "$crate"
# The scratch copies' examples were written to the shared examples directory under the same
# names (dock, exec_it): put this crate's back, so the dock tests run this crate's dock.
cargo build --quiet --manifest-path "$root/Cargo.toml" --features tls --examples
exit $status
