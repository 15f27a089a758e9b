#!/usr/bin/env bash
# Opt-in stress run of the browser tests: `pnpm test:stress [runs]`.
#
# Runs the `browser` Vitest project RUNS times in a row (default 5, or STRESS_RUNS) while HOGS
# busy-loop processes (default 1, or STRESS_HOGS) keep that many cores busy, stops at the first
# failing run, and prints one summary line per run. A test that fails here is flaky, and a flaky
# test is a failing test (docs/testing.md). The hogs are killed however the script ends.
#
# Each run's output goes to .tmp/stress-browser/run-N.log (replaced by the next stress run); a
# failing run's log is printed. At the end, temporary folders (alcove-*, playwright*) that appeared
# in the temp dir during the stress run, are still there and no running process names are
# reported as left behind (other processes on the machine may create some too).
set -uo pipefail
cd "$(dirname "$0")/.."

runs="${1:-${STRESS_RUNS:-5}}"
hogs="${STRESS_HOGS:-1}"
case "$runs$hogs" in *[!0-9]*) echo "usage: pnpm test:stress [runs]   (STRESS_RUNS, STRESS_HOGS: whole numbers)" >&2; exit 2 ;; esac
tmp="${TMPDIR:-/tmp}"
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
tmp_before=$(ls -1 "$tmp" | sort)
started=$(date +%s)
for run in $(seq 1 "$runs"); do
  t0=$(date +%s)
  NO_COLOR=1 FORCE_COLOR=0 pnpm exec vitest run --project browser >"$logs/run-$run.log" 2>&1
  status=$?
  secs=$(( $(date +%s) - t0 ))
  tests=$(grep -E '^ +Tests ' "$logs/run-$run.log" | tail -1 | sed -E 's/^ +Tests +//')
  line="run $run: $([ "$status" = 0 ] && echo passed || echo "FAILED (exit $status)") in ${secs}s — ${tests:-no test summary}; load $(cut -d' ' -f1-3 /proc/loadavg)"
  summary+=("$line")
  echo "stress: $line"
  if [ "$status" != 0 ]; then
    echo
    echo "---- $logs/run-$run.log (last 120 lines) ----"
    tail -n 120 "$logs/run-$run.log"
    break
  fi
  passed=$((passed + 1))
done

stop_hogs
sleep 5
left=()
for name in $(comm -13 <(echo "$tmp_before") <(ls -1 "$tmp" | sort) | grep -E '^(alcove-|playwright)'); do
  grep -qsF "$name" /proc/[0-9]*/cmdline && continue # still in use by a running process (someone else's test?)
  left+=("$tmp/$name")
done

echo
echo "stress summary: $passed/$runs runs passed in $(( $(date +%s) - started ))s with $hogs CPU hog(s)"
printf '  %s\n' "${summary[@]}"
if [ "${#left[@]}" -gt 0 ]; then
  echo "  left behind in $tmp (by these tests, or by other processes on the machine): ${left[*]}"
else
  echo "  no temporary folders left behind in $tmp"
fi
[ "$passed" = "$runs" ]
