#!/usr/bin/env bash
# Side-by-side benchmarks of docker-engine and bollard 0.21 (curl as the floor) on the
# project's Docker 28.5 test engine. Root, Debian bookworm; see benches/README.md.
#
#   scripts/bench.sh      engines up, build the harness (release), wait for a quiet machine,
#                         run W1-W6 and W8, then W7 (compile cost), write benches/RESULTS.md
#                         and print it
#
# Environment:
#   BENCH_ONLY=W1,W3b     run only these workloads (W7 is "W7")
#   BENCH_REPS=N          repetitions per client for every workload (default: per workload, >= 3)
#   BENCH_W7_REPS=N       clean builds per crate for W7 (default 1; each followed by 3 rebuilds)
#   BENCH_QUIET_WAIT=S    how long to wait for a quiet machine before measuring anyway (1800)
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
export CARGO_TARGET_DIR=$ROOT/target/bench
HARNESS=$CARGO_TARGET_DIR/release/bench-harness
RESULTS=$ROOT/benches/RESULTS.md
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
log() { printf '==> %s\n' "$*" >&2; }

wants() { [ -z "${BENCH_ONLY:-}" ] || [[ ",${BENCH_ONLY^^}," == *",${1^^},"* ]]; }

# Busy fraction of all CPUs over 3 s, in percent, from /proc/stat.
cpu_busy() {
  local a b
  a=$(head -1 /proc/stat); sleep 3; b=$(head -1 /proc/stat)
  awk -v a="$a" -v b="$b" 'BEGIN {
    n = split(a, x); split(b, y); t = 0
    for (i = 2; i <= n; i++) t += y[i] - x[i]
    idle = (y[5] - x[5]) + (y[6] - x[6])
    printf "%d", t ? 100 * (t - idle) / t : 0 }'
}

# rustc and cargo processes that this script did not start (another engineer's build).
foreign_compilers() {
  local pid p n=0
  for pid in $(pgrep -x 'rustc|cargo'); do
    p=$pid
    # Walk up the parents; a process that exits meanwhile is not counted.
    while [ -n "$p" ] && [ "$p" -gt 1 ] && [ "$p" != $$ ]; do
      p=$(ps -o ppid= -p "$p" 2>/dev/null | tr -d ' ')
    done
    [ "$p" = 1 ] || [ "$p" = 0 ] && n=$((n + 1))
  done
  echo "$n"
}

# While measuring, note every 5 s whether a foreign compiler runs: "samples busy-samples".
monitor() {
  local out=$1 total=0 busy=0
  while :; do
    total=$((total + 1)); [ "$(foreign_compilers)" -eq 0 ] || busy=$((busy + 1))
    echo "$total $busy" >"$out"; sleep 5
  done
}
monitored() {
  local rc=0 m total busy
  monitor "$WORK/monitor" & m=$!
  "$@" || rc=$?
  kill "$m"; wait "$m" 2>/dev/null || true
  [ -s "$WORK/monitor" ] || echo "0 0" >"$WORK/monitor"
  read -r total busy <"$WORK/monitor"
  if [ "$busy" -eq 0 ]; then echo "; no foreign compiler in $total checks while measuring" >"$WORK/monitor.txt"
  else echo "; **a foreign compiler ran in $busy of $total checks while measuring: numbers are suspect**" >"$WORK/monitor.txt"; fi
  return "$rc"
}

# Wait until no compiler runs and the CPUs are nearly idle: numbers taken on a busy machine
# are worthless. Prints what it saw, for RESULTS.md.
wait_quiet() {
  local waited=0 limit=${BENCH_QUIET_WAIT:-1800} busy others
  while :; do
    others=$(foreign_compilers)
    busy=$(cpu_busy)
    if [ "$others" -eq 0 ] && [ "$busy" -le 10 ]; then
      echo "quiet: no rustc or cargo running, CPUs ${busy}% busy, load $(cut -d' ' -f1-3 /proc/loadavg)"
      return
    fi
    if [ "$waited" -ge "$limit" ]; then
      echo "**BUSY** after waiting ${waited}s: ${others} rustc/cargo processes, CPUs ${busy}% busy; numbers are suspect"
      return
    fi
    log "machine busy (${others} rustc/cargo, CPUs ${busy}% busy): waiting"
    sleep 20; waited=$((waited + 23))
  done
}

log "test engines"
"$ROOT/scripts/test-engines.sh" up >&2
# shellcheck disable=SC1091
. /tmp/docker-engine-test/env

log "building the harness (release, $CARGO_TARGET_DIR)"
cargo build --release --quiet --manifest-path "$ROOT/benches/harness/Cargo.toml"

run_args=()
[ -n "${BENCH_ONLY:-}" ] && run_args+=(--only "$BENCH_ONLY")
[ -n "${BENCH_REPS:-}" ] && run_args+=(--reps "$BENCH_REPS")
: >"$WORK/run.md"
: >"$WORK/w7.md"
quiet_run=skipped quiet_w7=skipped
if [ -z "${BENCH_ONLY:-}" ] || echo "${BENCH_ONLY^^}" | tr , '\n' | grep -qvx W7; then
  quiet_run=$(wait_quiet)
  log "$quiet_run"
  log "W1-W6, W8"
  monitored "$HARNESS" run "${run_args[@]}" >"$WORK/run.md"
  quiet_run+=$(cat "$WORK/monitor.txt")
fi
if wants W7; then
  quiet_w7=$(wait_quiet)
  log "$quiet_w7"
  log "W7 (clean builds take minutes)"
  monitored "$HARNESS" compile --reps "${BENCH_W7_REPS:-1}" >"$WORK/w7.md"
  quiet_w7+=$(cat "$WORK/monitor.txt")
fi

engine=$(docker -H "$DOCKER_ENGINE_TEST_V151_HOST" version \
  --format '{{.Server.Version}} (API {{.Server.APIVersion}})')
bollard=$(grep -A1 '^name = "bollard"$' "$ROOT/benches/harness/Cargo.lock" | sed -n 's/version = "\(.*\)"/\1/p')
commit=$(git -C "$ROOT" rev-parse --short HEAD)
git -C "$ROOT" diff --quiet HEAD -- src Cargo.toml build.rs || commit="$commit + uncommitted changes"
# Hand-written profile notes survive a re-run: everything from "## Profile notes" on.
notes=$(sed -n '/^## Profile notes/,$p' "$RESULTS" 2>/dev/null || true)

{
  echo "# Benchmark results"
  echo
  echo "Written by \`scripts/bench.sh\` on $(date -u '+%Y-%m-%d %H:%M UTC'); see benches/README.md for what each workload measures."
  echo
  echo "| machine | |"
  echo "|---|---|"
  echo "| CPU | $(nproc) x $(sed -n 's/^model name\s*: //p' /proc/cpuinfo | head -1) |"
  echo "| memory | $(free -g | awk '/^Mem:/ { print $2 }') GiB |"
  echo "| kernel | $(uname -r) |"
  echo "| rustc | $(rustc -V) |"
  echo "| engine | Docker $engine, json-file logs, unix socket |"
  echo "| clients | docker-engine $commit; bollard $bollard (default features); curl $(curl -V | head -1 | cut -d' ' -f2) |"
  echo "| before W1-W8 | $quiet_run |"
  echo "| before W7 | $quiet_w7 |"
  echo "| bench.sh wall time | ${SECONDS} s |"
  echo
  echo "Each cell: median (min–max) over the runs; runs alternate between the clients. The ratio is"
  echo "docker-engine's median over bollard's; *met* compares docker-engine's median with the target"
  echo "(the issue's numbers, or DESIGN.md section 8's \"at or ahead of bollard\" where it names none)."
  echo
  cat "$WORK/run.md"
  echo
  cat "$WORK/w7.md"
  if [ -n "$notes" ]; then echo; echo "$notes"; fi
} >"$RESULTS"
cat "$RESULTS"
