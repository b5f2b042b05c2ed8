#!/usr/bin/env bash
# Regenerate generated/ from spec/engine-api.yaml: runs build.rs with the `regenerate`
# feature and copies what it wrote to $OUT_DIR (engine.rs, operations.rs, openapi.json,
# rules.log) to generated/, byte for byte.
#
#   scripts/refresh-generated.sh           refresh generated/
#   scripts/refresh-generated.sh --check   change nothing; fail (and show the diff) when
#                                          generated/ is not what the generator makes
#
# Only the build script has to succeed: the library is type-checked too, but a spec bump
# that breaks the hand-written layer still refreshes generated/ (and says so).
set -euo pipefail
cd "$(dirname "$0")/.."
check=
[ "${1:-}" = "--check" ] && check=1
files=(engine.rs operations.rs openapi.json rules.log)

log=$(mktemp)
trap 'rm -f "$log"' EXIT
lib_ok=1
cargo check --lib --features regenerate --message-format=json >"$log" 2>/dev/null || lib_ok=
# The build-script-executed message of this package names its OUT_DIR.
out=$(grep '"reason":"build-script-executed"' "$log" |
  grep -E '"package_id":"[^"]*docker-engine[#@ ]' |
  sed -n 's/.*"out_dir":"\([^"]*\)".*/\1/p' | tail -n 1)
if [ -z "$out" ] || [ ! -f "$out/engine.rs" ]; then
  echo "refresh-generated: build.rs did not generate; its error:" >&2
  cargo check --lib --features regenerate 2>&1 | grep -v '^ *\(Compiling\|Checking\)' | tail -n 20 >&2
  exit 1
fi

status=0
for f in "${files[@]}"; do
  if [ -n "$check" ]; then
    if ! cmp -s "$out/$f" "generated/$f"; then
      echo "generated/$f differs from what \`cargo build --features regenerate\` generates:" >&2
      diff -u "generated/$f" "$out/$f" | head -n 40 >&2 || true
      status=1
    fi
  else
    cp "$out/$f" "generated/$f"
  fi
done
if [ -n "$check" ]; then
  [ $status -eq 0 ] && echo "ok: generated/ is exactly what \`cargo build --features regenerate\` generates"
  exit $status
fi
git status --short generated/ 2>/dev/null || true
[ -n "$lib_ok" ] || echo "note: generated/ refreshed, but the library does not compile on it: see \`cargo check --lib\`" >&2
