#!/usr/bin/env bash
# The whole test suite: starts the project's three test engines (Docker 20.10, API 1.41;
# Docker 28.5, API 1.51; Podman 4.3's Docker-compatible API, 1.41), runs the unit tests, the
# integration tests once per engine, the regeneration proof and the packaging check, then
# stops the engines and sweeps what the tests left (KEEP_ENGINES=1 leaves them running).
set -euo pipefail
cd "$(dirname "$0")/.."
state=${DOCKER_ENGINE_TEST_DIR:-/tmp/docker-engine-test}

scripts/test-engines.sh up
if [ -z "${KEEP_ENGINES:-}" ]; then
  trap 'scripts/test-engines.sh down' EXIT
else
  trap 'scripts/test-engines.sh sweep' EXIT
fi
# shellcheck disable=SC1091
source "$state/env"

echo "== unit tests (core, decoders, parsers; the generator's rules)"
cargo test --workspace --lib --features tls

# The examples are programs the tests drive (exec_it and dock in a real terminal); dock's
# own unit tests (its table formats, its JSON indentation) run here.
cargo build --examples --features tls
cargo test --features tls --examples
# The operation ledger: what the suite's clients call, per engine (tests/engine/common/ledger.rs).
rm -rf "$state/ledger"
# Built once, before the clock starts for the first engine.
cargo test --features tls --tests --no-run
took=()
for engine in $DOCKER_ENGINE_TEST_ENGINES; do
  echo "== integration tests on engine $engine"
  # Podman has no swarm mode and no plugins: tests/swarm.rs asserts how it refuses them,
  # and every other test asserts Podman's own answer where it differs (README.md, "Known
  # differences on Podman"). No test binary is left out on any engine.
  t0=$(date +%s)
  DOCKER_ENGINE_TEST_ENGINE=$engine cargo test --features tls --tests -- --test-threads "${TEST_THREADS:-4}"
  took+=("$engine $(($(date +%s) - t0)) s")
done
echo "== integration tests took:"
printf '   %s\n' "${took[@]}"

echo "== the operation ledger: every operation of the spec exercised on every engine"
cargo test --features tls --test ledger -- --nocapture

echo "== default features (no TLS): a TLS host is refused, naming the feature"
DOCKER_ENGINE_TEST_ENGINE=v151 cargo test --test engine tls_off

echo "== the schemars feature: every generated model implements JsonSchema"
cargo test --features schemars --test generated

echo "== doc tests (compiled, not run)"
cargo test --doc --features tls

echo "== regeneration: generated/ is reproducible, and older specs build the crate"
scripts/regen-check.sh
