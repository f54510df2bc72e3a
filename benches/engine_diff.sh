#!/bin/sh
# `--engine-diff` against one engine (issue 19: "running both engines costs at most 1.3x one
# engine at 1,000,000 objects"): `synclint analyze` on one export, with `--json` and `-o`,
# alternating one engine and `--engine-diff`, ROUNDS times; prints each run's wall time and
# CPU time (user+sys, from perf stat's task-clock, else /usr/bin/time) and the ratios of the
# medians. CPU time is what to compare on a shared machine; wall time is noisy there.
#
#   benches/engine_diff.sh [EXPORT] [ROUNDS] [ENGINE]
#   default: target/bench-data/csvde-1000000-planted.csv, 3 rounds, connect
#   (synclint generate --objects 1000000 --plant-issues --format csvde -o EXPORT makes one)
set -eu
cd "$(dirname "$0")/.."
export_file=${1:-target/bench-data/csvde-1000000-planted.csv}
rounds=${2:-3}
engine=${3:-connect}
[ -f "$export_file" ] || { echo "no $export_file"; exit 2; }
bin=${SYNCLINT_BIN:-target/release/synclint}
[ -n "${SYNCLINT_BIN:-}" ] || cargo build --release -q
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
run() {  # $1 = label, rest = extra options; prints "label wall cpu"
  label=$1; shift
  start=$(date +%s.%N)
  if perf stat -x, -e task-clock -o "$out/stat" true 2>/dev/null; then
    perf stat -x, -e task-clock -o "$out/stat" "$bin" analyze -q --fail-on never \
      --json "$out/s.json" -o "$out/w.xlsx" --engine "$engine" "$@" "$export_file" 2>/dev/null
    cpu=$(awk -F, '/task-clock/ {printf "%.2f", $1/1000}' "$out/stat")
  else
    /usr/bin/time -f "%U %S" -o "$out/time" "$bin" analyze -q --fail-on never \
      --json "$out/s.json" -o "$out/w.xlsx" --engine "$engine" "$@" "$export_file" 2>/dev/null
    cpu=$(awk '{printf "%.2f", $1+$2}' "$out/time")
  fi
  wall=$(echo "$(date +%s.%N) - $start" | bc)
  printf '%s %.2f %s\n' "$label" "$wall" "$cpu" | tee -a "$out/runs"
}
echo "input: $export_file, engine: $engine, $rounds rounds (label, wall s, CPU s)"
i=0
while [ "$i" -lt "$rounds" ]; do
  run one
  run diff --engine-diff
  i=$((i + 1))
done
median() { grep "^$1 " "$out/runs" | awk -v c="$2" '{print $c}' | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
ow=$(median one 2); oc=$(median one 3); dw=$(median diff 2); dc=$(median diff 3)
echo "median one engine: wall $ow s, CPU $oc s; --engine-diff: wall $dw s, CPU $dc s"
echo "ratio --engine-diff / one engine: wall $(echo "scale=3; $dw / $ow" | bc), CPU $(echo "scale=3; $dc / $oc" | bc)"
