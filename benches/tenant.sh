#!/usr/bin/env bash
# What tenant matching (`analyze --tenant`) adds to an analysis: a generated directory and
# the tenant planted around it, analyzed with and without the tenant inputs, alternating,
# ROUNDS rounds each (wall and user CPU from /usr/bin/time), then `perf stat -e instructions`
# of each (the figure that does not depend on the other load of a shared machine), and the
# tenant stage's own CPU (SYNCLINT_TENANT_TIMES: indexing, then matching every object).
# Outputs: no workbook, the JSON summary (the same for both runs).
# Usage: benches/tenant.sh [OBJECTS] [TENANT_OBJECTS] [ROUNDS]
#   (default 1000000 300000 3; inputs kept in $SYNCLINT_TENANT_BENCH_DIR, default
#   target/tenant-bench: about 1.7 GB; delete it afterwards)
set -euo pipefail
cd "$(dirname "$0")/.."
objects=${1:-1000000}
cloud=${2:-300000}
rounds=${3:-3}
dir=${SYNCLINT_TENANT_BENCH_DIR:-target/tenant-bench}
cargo build --release -q
bin=target/release/synclint
mkdir -p "$dir"
export_file="$dir/export-$objects.csv"
tenant="$dir/tenant-$objects-$cloud"
if [ ! -s "$export_file" ] || [ ! -s "$tenant/truth.json" ]; then
  "$bin" generate --objects "$objects" --plant-issues --format csvde -o "$export_file" \
    --tenant "$tenant" --tenant-objects "$cloud"
fi
# The richest users file, the groups and contacts, and what the matching reads besides.
files=("$tenant/graph-users.json" "$tenant/groups.json" "$tenant/contacts.json"
  "$tenant/features.json" "$tenant/roles.json")
echo "inputs: $(du -h "$export_file" | cut -f1) export ($objects objects); tenant: $(cat "${files[@]}" | wc -c) bytes"
plain=("$bin" analyze -q --fail-on never --no-workbook --json "$dir/plain.json" "$export_file")
with=("$bin" analyze -q --fail-on never --no-workbook --json "$dir/tenant.json" "$export_file" --tenant "${files[@]}")
for i in $(seq "$rounds"); do
  /usr/bin/time -f "round $i plain:  %e s wall, %U s user, %S s sys, %M KB" "${plain[@]}" 2>&1 >/dev/null | grep '^round'
  /usr/bin/time -f "round $i tenant: %e s wall, %U s user, %S s sys, %M KB" "${with[@]}" 2>&1 >/dev/null | grep '^round'
done
if command -v perf >/dev/null; then
  for run in plain with; do
    declare -n cmd=$run
    perf stat -x, -e instructions,task-clock "${cmd[@]}" 2>&1 >/dev/null \
      | awk -F, -v run="$run" '/instructions|task-clock/ {printf "perf %-6s %s %s\n", run, $1, $3}'
  done
fi
SYNCLINT_TENANT_TIMES=1 "${with[@]}" --timings 2>&1 | grep -E '^tenant: index|time (read|tenant|total)'
