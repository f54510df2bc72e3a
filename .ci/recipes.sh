#!/usr/bin/env bash
# CI: the scheduled-job recipes in docs/ — the Linux job script runs twice on a sample (the
# second run compares with the first), the systemd units pass `systemd-analyze verify`, and the
# PowerShell script is parsed when pwsh is installed (Debian, PyPI and npm offer no installable
# PowerShell, so on CI it is reviewed by hand instead).
set -euo pipefail
cd "$(dirname "$0")/.."
synclint=$(realpath "${CARGO_TARGET_DIR:-target}/release/synclint")
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

bash -n docs/synclint-nightly.sh
mkdir -p "$work/exports" "$work/runs"
cp samples/contoso.ldf "$work/exports/"
job() {
  SYNCLINT="$synclint" SYNCLINT_EXPORTS="$work/exports" SYNCLINT_RUNS="$work/runs" \
    SYNCLINT_ARGS="--verified-domain contoso.com --fail-on never" bash docs/synclint-nightly.sh
}
job
sleep 1 # run folders are named to the second
job
runs=("$work"/runs/*)
[ "${#runs[@]}" = 2 ] || { echo "recipes: expected 2 run folders, got ${#runs[@]}"; exit 1; }
python3 - "${runs[1]}/summary.json" <<'PY'
import json, sys
summary = json.load(open(sys.argv[1], encoding="utf-8"))
changes = summary["changes"]
assert changes and changes["new"] == 0 and changes["resolved"] == 0 and changes["unchanged"] > 0, changes
PY
test -s "${runs[1]}/report.xlsx" && test -s "${runs[1]}/findings/findings.csv"

if command -v systemd-analyze >/dev/null; then
  # verify wants ExecStart to exist: point it at the script in the repository.
  sed "s|/usr/local/bin/synclint-nightly.sh|$PWD/docs/synclint-nightly.sh|" docs/synclint-nightly.service \
    >"$work/synclint-nightly.service"
  cp docs/synclint-nightly.timer "$work/"
  systemd-analyze verify "$work/synclint-nightly.service" "$work/synclint-nightly.timer"
  echo "recipes: systemd units verified"
else
  echo "recipes: systemd-analyze not installed; units not verified"
fi

if command -v pwsh >/dev/null; then
  pwsh -NoProfile -Command '$errors = $null; [void][System.Management.Automation.Language.Parser]::ParseFile("docs/synclint-nightly.ps1", [ref]$null, [ref]$errors); if ($errors) { $errors; exit 1 }'
  echo "recipes: PowerShell script parsed"
else
  echo "recipes: pwsh not installed; docs/synclint-nightly.ps1 not parsed (reviewed by hand)"
fi
echo "recipes: nightly job ran twice, the second against the first's baseline"
