#!/usr/bin/env bash
# Nightly synclint run on Linux (systemd timer or cron): analyzes the newest export in
# $SYNCLINT_EXPORTS against the previous run, keeps dated outputs, exits with synclint's status
# (0 nothing at or above --fail-on, 1 findings at or above it, 2 unreadable input or misuse).
# The export itself is made on Windows (csvde/ldifde, see `synclint help export`) and copied
# here, or made with ldapsearch against a domain controller; this job only analyzes.
#
# Settings (environment, e.g. from the systemd unit or /etc/default/synclint):
#   SYNCLINT_EXPORTS   folder holding the exports (*.csv, *.ldf, *.ldif); the newest is used
#   SYNCLINT_RUNS      where dated run folders go           (default /var/lib/synclint/runs)
#   SYNCLINT_ARGS      extra analyze options, e.g. "--verified-domain contoso.com --fail-on warning"
#   SYNCLINT_KEEP_DAYS run folders older than this are deleted (default 30)
#   SYNCLINT           the synclint binary                  (default: synclint on PATH)
set -euo pipefail
exports=${SYNCLINT_EXPORTS:?set SYNCLINT_EXPORTS to the folder holding the exports}
runs=${SYNCLINT_RUNS:-/var/lib/synclint/runs}
keep_days=${SYNCLINT_KEEP_DAYS:-30}
synclint=${SYNCLINT:-synclint}

export_file=$(find "$exports" -maxdepth 1 -type f \( -name '*.csv' -o -name '*.ldf' -o -name '*.ldif' \) \
  -printf '%T@ %p\n' | sort -n | tail -n1 | cut -d' ' -f2-)
if [ -z "$export_file" ]; then
  echo "synclint-nightly: no export in $exports" >&2
  exit 2
fi

stamp=$(date +%Y-%m-%d_%H%M%S)
run="$runs/$stamp"
mkdir -p "$run"
# The newest earlier run with a summary is the baseline.
previous=$(find "$runs" -mindepth 2 -maxdepth 2 -name summary.json -printf '%h\n' | sort | grep -v "^$run\$" | tail -n1 || true)
baseline=()
[ -n "$previous" ] && baseline=(--baseline "$previous/summary.json")

status=0
# shellcheck disable=SC2086 # SYNCLINT_ARGS holds several options on purpose
"$synclint" analyze "$export_file" --quiet -o "$run/report.xlsx" --json "$run/summary.json" \
  --csv-dir "$run/findings" "${baseline[@]}" ${SYNCLINT_ARGS:-} || status=$?
echo "synclint-nightly: $export_file analyzed, exit status $status, outputs in $run"

find "$runs" -mindepth 1 -maxdepth 1 -type d -name '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]_[0-9][0-9][0-9][0-9][0-9][0-9]' \
  -mtime +"$keep_days" -exec rm -rf {} +
exit "$status"
