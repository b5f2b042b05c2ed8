#!/usr/bin/env bash
# Run the quick tour (examples/tour.rs). With DOCKER_HOST set, against that engine (set
# TOUR_IMAGE to an image it has); without, against the project's own test engine (API 1.51),
# started here if it is not running, with its busybox fixture image.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ -z "${DOCKER_HOST:-}" ]; then
  state=${DOCKER_ENGINE_TEST_DIR:-/tmp/docker-engine-test}
  if ! scripts/test-engines.sh status >/dev/null 2>&1; then
    scripts/test-engines.sh up
  fi
  # shellcheck disable=SC1091
  source "$state/env"
  export DOCKER_HOST=$DOCKER_ENGINE_TEST_V151_HOST
  export TOUR_IMAGE=${TOUR_IMAGE:-$DOCKER_ENGINE_TEST_IMAGE}
  # `up` leaves the fixture in the loopback registry under this tag.
  export TOUR_PULL=${TOUR_PULL:-$DOCKER_ENGINE_TEST_REGISTRY/docker-engine-fixture:up-check-v151}
  export TOUR_REGISTRY_USER=$DOCKER_ENGINE_TEST_REGISTRY_USER TOUR_REGISTRY_PASSWORD=$DOCKER_ENGINE_TEST_REGISTRY_PASSWORD
  echo "(no DOCKER_HOST: using the project's test engine at $DOCKER_HOST)"
fi
exec cargo run --quiet --features tls --example tour
