#!/usr/bin/env bash
# Soak (examples/soak.rs): 64 tasks share one client against the project's Docker 28.5 test
# engine (API 1.51) for 10 minutes, then a verdict: no unexpected error, fds and RSS flat
# after warm-up. Starts the test engines if they are not running. Not part of CI.
#
#   scripts/soak.sh                                   # --tasks 64 --seconds 600 --sample 10
#   scripts/soak.sh --tasks 8 --seconds 60 --sample 5 # arguments go to the example
#
# Output is also written to $SOAK_LOG (default /tmp/docker-engine-soak-<date>.log).
set -euo pipefail
cd "$(dirname "$0")/.."
state=${DOCKER_ENGINE_TEST_DIR:-/tmp/docker-engine-test}
if ! scripts/test-engines.sh status >/dev/null 2>&1; then
  scripts/test-engines.sh up
fi
# shellcheck disable=SC1091
source "$state/env"
export DOCKER_HOST=$DOCKER_ENGINE_TEST_V151_HOST
unset DOCKER_TLS_VERIFY DOCKER_CERT_PATH DOCKER_API_VERSION
log=${SOAK_LOG:-/tmp/docker-engine-soak-$(date -u +%Y%m%dT%H%M%SZ).log}
echo "soak: DOCKER_HOST=$DOCKER_HOST, commit $(git rev-parse --short HEAD 2>/dev/null || echo '?'), log $log"
# On Ctrl-C the soak finishes its rounds, cleans up and prints its summary: tee ignores
# the signal so that it keeps writing to the end.
set +e
cargo run --release --features tls --example soak -- "$@" 2>&1 | (trap '' INT; tee "$log")
rc=${PIPESTATUS[0]}
set -e
echo "soak: exit $rc; log $log"
exit "$rc"
