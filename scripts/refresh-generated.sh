#!/usr/bin/env bash
# Refresh the reviewed copy in generated/ from what build.rs generates.
set -euo pipefail
cd "$(dirname "$0")/.."
DOCKER_ENGINE_BLESS=1 cargo test --quiet --test generated generated_copy_is_fresh
git status --short generated/
