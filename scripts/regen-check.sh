#!/usr/bin/env bash
# Prove regeneration:
#
# 0. `cargo build --features regenerate` reproduces the committed generated/ byte for byte
#    (scripts/refresh-generated.sh --check);
# 1. the unchanged build.rs and codegen/ generate and compile a client from each older
#    Engine API spec that Debian ships (trixie: v1.45, bookworm: v1.41).
#
#   scripts/regen-check.sh [SUITE...]        default: trixie bookworm
#
# For each suite: fetch golang-github-docker-docker-dev's api/swagger.yaml with apt (no
# install), copy this crate to a scratch directory with that spec in spec/engine-api.yaml,
# and `cargo build --features regenerate` the library there, whole: generated core and
# hand-written layer.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
suites=("$@")
[ ${#suites[@]} -gt 0 ] || suites=(trixie bookworm)
work=${REGEN_DIR:-$root/target/regen}
export CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-$root/target}
mkdir -p "$work"
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
  cp -r "$root/Cargo.toml" "$root/build.rs" "$root/src" "$root/codegen" "$crate/"
  [ -f "$root/Cargo.lock" ] && cp "$root/Cargo.lock" "$crate/"
  # The scratch copy is its own package: rename it so its artifacts do not replace ours.
  sed -i 's/^name = "docker-engine"$/name = "docker-engine-regen"/' "$crate/Cargo.toml"
  cp "$spec" "$crate/spec/engine-api.yaml"
  # 1. The generated core with the transport it is bound to: must compile.
  cp "$crate/src/lib.rs" "$crate/lib-full.rs"
  cat >"$crate/src/lib.rs" <<'RS'
#![allow(dead_code, unused_imports, missing_docs)]
mod error;
mod operations;
pub mod raw;
pub mod transport;
mod version;
pub use error::{Error, Result};
pub use version::ApiVersion;
RS
  # Another spec: the committed generated/ does not match it, so build.rs must regenerate.
  if (cd "$crate" && cargo build --quiet --lib --features regenerate 2>"$work/build-$suite-core.log"); then
    # The OUT_DIR build.rs wrote last (rewriting a file leaves its directory's mtime alone).
    out=$(dirname "$(ls -t "$CARGO_TARGET_DIR"/debug/build/docker-engine-regen-*/out/engine.rs | head -n 1)")
    ops=$(grep -c '^    ("' "$out/operations.rs")
    echo "ok: API $version (Debian $suite): generated core compiles, $ops operations, $(wc -l <"$out/engine.rs") lines"
  else
    echo "FAILED: API $version (Debian $suite): generated core does not compile; see $work/build-$suite-core.log" >&2
    tail -n 30 "$work/build-$suite-core.log" >&2
    status=1
    continue
  fi
  # 2. The hand-written layer on top: reported, not required (old specs name some types
  #    differently; see the note in README's "API versions").
  mv "$crate/lib-full.rs" "$crate/src/lib.rs"
  touch "$crate/src/lib.rs"
  if (cd "$crate" && cargo build --quiet --lib --features regenerate 2>"$work/build-$suite-full.log"); then
    echo "ok: API $version (Debian $suite): the hand-written layer compiles on it unchanged"
  else
    n=$(grep -c '^error\[' "$work/build-$suite-full.log" || true)
    echo "note: API $version (Debian $suite): the hand-written layer needs $n change(s) for this spec:"
    grep -A3 '^error\[' "$work/build-$suite-full.log" | grep -E '^error|-->' | paste - - | sed 's/^/  /' | sort | uniq | head -n 20
  fi
done
exit $status
