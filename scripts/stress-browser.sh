#!/usr/bin/env bash
# Opt-in stress run of the browser tests: `pnpm test:stress [runs]`.
#
# Runs the `browser` Vitest project RUNS times in a row (default 5, or STRESS_RUNS) while HOGS
# busy-loop processes (default 1, or STRESS_HOGS) keep that many cores busy, stops at the first
# failing run, and prints one summary line per run. A test that fails here is flaky, and a flaky
# test is a failing test (docs/testing.md). The hogs are killed however the script ends.
#
# Each run's output goes to .tmp/stress-browser/run-N.log (replaced by the next stress run); a
# failing run's log is printed. Each run gets its own empty TMPDIR (.tmp/stress-browser/tmp-N):
# whatever the tests (or the Chromium they start) leave there is listed, and fails the run, since
# tests must leave no temporary folders behind (tsx's compile cache, tsx-<uid>, is not counted).
set -uo pipefail
cd "$(dirname "$0")/.."

runs="${1:-${STRESS_RUNS:-5}}"
hogs="${STRESS_HOGS:-1}"
case "$runs$hogs" in *[!0-9]*) echo "usage: pnpm test:stress [runs]   (STRESS_RUNS, STRESS_HOGS: whole numbers)" >&2; exit 2 ;; esac
logs=.tmp/stress-browser
rm -rf "$logs" && mkdir -p "$logs"

hog_pids=()
stop_hogs() {
  for pid in "${hog_pids[@]}"; do kill "$pid" 2>/dev/null; done
  for pid in "${hog_pids[@]}"; do wait "$pid" 2>/dev/null; done
  hog_pids=()
}
trap stop_hogs EXIT
trap 'echo; echo "stress: interrupted"; exit 130' INT TERM

for _ in $(seq 1 "$hogs"); do
  node -e 'for (;;) {}' &
  hog_pids+=("$!")
done

echo "stress: browser project x$runs, $hogs CPU hog(s) (pids ${hog_pids[*]:-none}) on $(nproc) cores, node $(node --version)"
summary=()
passed=0
started=$(date +%s)
for run in $(seq 1 "$runs"); do
  t0=$(date +%s)
  tmp="$PWD/$logs/tmp-$run"
  mkdir -p "$tmp"
  TMPDIR="$tmp" NO_COLOR=1 FORCE_COLOR=0 pnpm exec vitest run --project browser >"$logs/run-$run.log" 2>&1
  status=$?
  secs=$(( $(date +%s) - t0 ))
  tests=$(grep -E '^ +Tests ' "$logs/run-$run.log" | tail -1 | sed -E 's/^ +Tests +//')
  # tsx keeps its compile cache in $TMPDIR/tsx-<uid> on purpose (shared, reused): not a leftover.
  left=$(cd "$tmp" && ls -A | grep -vE '^tsx-[0-9]+$' | tr '\n' ' ')
  if [ "$status" = 0 ] && [ -n "$left" ]; then outcome="FAILED (temporary files left behind)"; status=1
  elif [ "$status" = 0 ]; then outcome=passed
  else outcome="FAILED (exit $status)"; fi
  line="run $run: $outcome in ${secs}s — ${tests:-no test summary}; load $(cut -d' ' -f1-3 /proc/loadavg)"
  [ -n "$left" ] && line="$line; left in its TMPDIR: $left"
  summary+=("$line")
  echo "stress: $line"
  if [ "$status" != 0 ]; then
    echo
    echo "---- $logs/run-$run.log (last 120 lines) ----"
    tail -n 120 "$logs/run-$run.log"
    break
  fi
  rm -rf "$tmp"
  passed=$((passed + 1))
done

stop_hogs
echo
echo "stress summary: $passed/$runs runs passed in $(( $(date +%s) - started ))s with $hogs CPU hog(s)"
printf '  %s\n' "${summary[@]}"
[ "$passed" = "$runs" ]
