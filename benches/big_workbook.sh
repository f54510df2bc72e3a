#!/usr/bin/env bash
# The workbook at size: a generated export with about a million findings, analyzed into a
# workbook, then checked by readers that are not synclint's:
#   - benches/zip_check.py: Python's zipfile inflates every entry (CRC), and every local
#     header is compared with its central record; no Zip64 record may appear (--no-zip64),
#     since no entry or offset reaches 4 GiB;
#   - LibreOffice (headless) converts every sheet to CSV, and the rows of each class sheet
#     (with its continuations) and of Out of scope are counted against the JSON summary.
# Needs soffice (libreoffice-calc-nogui) and python3; about 6 GB of disk, 6 GB of memory
# (LibreOffice) and 15-30 minutes on 2 cores.
# Usage: benches/big_workbook.sh [OBJECTS] (default 1150000: about 1.04M findings)
set -euo pipefail
cd "$(dirname "$0")/.."
objects=${1:-1150000}
dir=${SYNCLINT_BIG_DIR:-target/big-workbook}
mkdir -p "$dir"
cargo build --release -q
bin=target/release/synclint
export_file="$dir/export-$objects.csv"
if [ ! -s "$export_file" ]; then
  "$bin" generate --objects "$objects" --plant-issues --format csvde -o "$export_file"
fi
rm -f "$dir/report.xlsx" "$dir/report.json"
start=$(date +%s.%N)
"$bin" analyze -q --timings --fail-on never --json "$dir/report.json" -o "$dir/report.xlsx" "$export_file"
echo "analyze: $(echo "$(date +%s.%N) - $start" | bc) s wall; workbook $(stat -c %s "$dir/report.xlsx") bytes"
python3 benches/zip_check.py --no-zip64 "$dir/report.xlsx"

csv="$dir/csv"
rm -rf "$csv" && mkdir -p "$csv"
# Token 12 = -1: every sheet to its own file, report-<Sheet>.csv (LibreOffice 7.2 and later).
soffice --headless --convert-to 'csv:Text - txt - csv (StarCalc):44,34,76,1,,0,false,true,false,false,false,-1' \
  --outdir "$csv" "$dir/report.xlsx" >/dev/null
python3 - "$dir/report.json" "$csv" <<'PY'
import csv, glob, json, os, re, sys
summary = json.load(open(sys.argv[1]))
csv.field_size_limit(1 << 30)
rows = {}
for path in glob.glob(os.path.join(sys.argv[2], "report-*.csv")):
    sheet = os.path.basename(path)[len("report-"):-len(".csv")]
    with open(path, newline="", encoding="utf-8") as f:
        rows[sheet] = sum(1 for _ in csv.reader(f)) - 1
def sheet_rows(name):
    return sum(n for s, n in rows.items() if s == name or re.fullmatch(re.escape(name) + r" \(\d+\)", s))
ok = True
total = 0
for cls, expected in summary["findings"]["by_class"].items():
    got = sheet_rows(cls) if expected else 0
    total += got
    print(f"{cls:14} JSON {expected:>9,}  LibreOffice rows {got:>9,}  {'ok' if got == expected else 'MISMATCH'}")
    ok &= got == expected
print(f"{'findings':14} JSON {summary['findings']['total']:>9,}  LibreOffice rows {total:>9,}")
ok &= total == summary["findings"]["total"]
oos = summary["objects"]["out_of_scope"]
got = rows.get("Out of scope", -1)
print(f"{'Out of scope':14} JSON {oos:>9,}  LibreOffice rows {got:>9,}  {'ok' if got == oos else 'MISMATCH'}")
ok &= got == oos
sys.exit(0 if ok else 1)
PY
echo "big workbook: all checks passed"
