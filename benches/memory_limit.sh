#!/bin/sh
# Graceful degradation past available memory (issue 6): runs `synclint analyze` on one export
# under cgroup memory limits below what it needs, with spilling off and on, and prints a table.
#
#   sudo benches/memory_limit.sh [EXPORT] [LIMIT_MB ...]
#   default: target/bench-data/csvde-1000000-planted.csv, limits 600 520 450
#
# Needs root and a cgroup memory controller (v1 at /sys/fs/cgroup/memory or v2 at
# /sys/fs/cgroup). Without spilling, a run over its limit is killed by the kernel (rc 137);
# with `--spill always` (what `auto` picks when it sees the limit) it completes, slower.
set -eu
cd "$(dirname "$0")/.."
export_file=${1:-target/bench-data/csvde-1000000-planted.csv}
[ $# -gt 0 ] && shift
limits=${*:-600 520 450}
[ -f "$export_file" ] || { echo "no $export_file (cargo bench --bench scale generates the bench data)"; exit 2; }
cargo build --release -q
bin=target/release/synclint
out=$(mktemp -d)
trap 'rm -rf "$out"; [ -n "${cg:-}" ] && rmdir "$cg" 2>/dev/null; true' EXIT

if [ -d /sys/fs/cgroup/memory ]; then
  cg=/sys/fs/cgroup/memory/synclint-bench; mkdir -p "$cg"
  set_limit() {  # memsw must stay >= mem: try both orders
    b=$(( $1 * 1048576 ))
    echo "$b" > "$cg/memory.limit_in_bytes" 2>/dev/null || true
    echo "$b" > "$cg/memory.memsw.limit_in_bytes" 2>/dev/null || true
    echo "$b" > "$cg/memory.limit_in_bytes"
  }
else
  cg=/sys/fs/cgroup/synclint-bench; mkdir -p "$cg"
  set_limit() { echo $(( $1 * 1048576 )) > "$cg/memory.max"; echo 0 > "$cg/memory.swap.max" 2>/dev/null || true; }
fi

unlimited=$( { /usr/bin/time -f "%e %M" "$bin" analyze -q --fail-on never --spill never -o "$out/r.xlsx" "$export_file" >/dev/null; } 2>&1 | tail -1)
echo "export: $export_file ($(( $(stat -c %s "$export_file") / 1048576 )) MB); unlimited: $(echo "$unlimited" | awk '{printf "%.2f s, peak RSS %d MB", $1, $2/1024}')"
echo "| memory limit | --spill never | --spill always |"
echo "|---|---|---|"
for limit in $limits; do
  set_limit "$limit"
  row="| $limit MB"
  for spill in never always; do
    start=$(date +%s.%N)
    if sh -c 'echo $$ > "$1/cgroup.procs"; shift; exec "$@"' sh "$cg" \
        "$bin" analyze -q --fail-on never --spill "$spill" --spill-dir "$out" -o "$out/r.xlsx" "$export_file" >/dev/null 2>&1; then
      row="$row | completed in $(awk -v a="$start" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }') s"
    else
      row="$row | stopped (exit $?)"
    fi
  done
  echo "$row |"
done
