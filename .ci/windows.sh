#!/usr/bin/env bash
# CI, the other platforms: clippy (-D warnings) for Windows MSVC and both macOS targets, a
# cross-build of synclint.exe (x86_64-pc-windows-gnu, Debian's mingw), and runs of that .exe
# under Wine on the samples whose results must equal the Linux build's: inspect, analyze
# (workbook, JSON, CSV, --baseline, --spill always) and fix on a reviewed workbook. Inputs and
# outputs are named the ways Windows users name them: drive letters, backslashes, a UNC share,
# non-ASCII folder names, paths longer than 260 characters.
# Called from .ci/run after the Linux tests (it reuses target/release/synclint); needs root for
# apt-get, as CI has.
set -euo pipefail
cd "$(dirname "$0")/.."
started=$SECONDS
step() { echo "== windows: $* ($((SECONDS - started)) s so far)"; }

step "packages (mingw-w64, wine64)"
missing=()
command -v x86_64-w64-mingw32-gcc >/dev/null || missing+=(gcc-mingw-w64-x86-64)
[ -x /usr/lib/wine/wine64 ] || missing+=(wine64)
if ((${#missing[@]})); then
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
rustup target add x86_64-pc-windows-gnu x86_64-pc-windows-msvc x86_64-apple-darwin aarch64-apple-darwin

step "clippy for x86_64-pc-windows-msvc, x86_64-apple-darwin, aarch64-apple-darwin"
for target in x86_64-pc-windows-msvc x86_64-apple-darwin aarch64-apple-darwin; do
  cargo clippy -q --release --target "$target" -- -D warnings
done

step "Linux binary (the tests built it already)"
cargo build -q --release
step "cross-build synclint.exe"
export CARGO_TARGET_X86_64_PC_WINDOWS_GNU_LINKER=x86_64-w64-mingw32-gcc
cargo build -q --release --target x86_64-pc-windows-gnu
target_dir=$(realpath "${CARGO_TARGET_DIR:-target}")
linux="$target_dir/release/synclint"

work=$(mktemp -d)
export WINEPREFIX="$work/wine" WINEDEBUG=-all
# One wineserver for the whole script. Left to itself it exits a few seconds after each run,
# and a run that starts just then loses it: in a loop of the missing-folder run below on 2
# busy cores, 4 of about 370 runs failed that way (three "wine client error:0: recvmsg:
# Connection reset by peer", exit 1; one segmentation fault, exit 139, as CI saw on f49e8db).
# With the server kept (-p), 0 of 400 failed.
mkdir -p "$WINEPREFIX"
/usr/lib/wine/wineserver -p
cleanup() {
  /usr/lib/wine/wineserver -k 2>/dev/null || true # this prefix's server only
  rm -rf "$work"
}
trap cleanup EXIT
mkdir -p "$work/bin"
cp "$target_dir/x86_64-pc-windows-gnu/release/synclint.exe" "$work/bin/"
# TEST-ONLY stand-in for a DLL that Debian's Wine 8.0 lacks (see the C file): it lives only in
# this throw-away folder and is never part of a release.
x86_64-w64-mingw32-gcc -shared -O2 -o "$work/bin/bcryptprimitives.dll" .ci/bcryptprimitives-shim.c -ladvapi32
win() { /usr/lib/wine/wine64 "$work/bin/synclint.exe" "$@"; }
# Z:\ is / under Wine.
winpath() { local p="Z:$1"; printf '%s' "${p//\//\\}"; }

step "Wine prefix"
win --version >/dev/null 2>&1 || true # the first run creates the prefix (and may complain)
win --version
# \\server\share is $work (Wine resolves UNC names under dosdevices/unc).
mkdir -p "$WINEPREFIX/dosdevices/unc/server"
ln -s "$work" "$WINEPREFIX/dosdevices/unc/server/share"
unc='\\server\share'

# The samples in a folder with a non-ASCII name; output folders past Windows' old 260-character
# limit.
in="$work/in/Zoë Łukasz"
mkdir -p "$in" "$work/linux" "$work/windows"
cp samples/*.ldf samples/*.csv samples/*.ldif "$in/"
long="$work/out"
for i in 01 02 03 04 05 06 07 08 09 10; do long="$long/a-long-folder-name-for-the-path-test-$i"; done
mkdir -p "$long"
[ "$(winpath "$long" | wc -c)" -gt 300 ]

names=(contoso.ldf fabrikam.csv ldapsearch.ldif broken.ldf fabrikam-unicode.csv ansi.csv)
unix_inputs=()
for n in "${names[@]}"; do unix_inputs+=("$in/$n"); done
# Each input named another way: a UNC share, a drive letter with backslashes, a drive letter
# with forward slashes, a path relative to the current folder with backslashes.
win_inputs=(
  "$unc\\in\\Zoë Łukasz\\contoso.ldf"
  "$(winpath "$in/fabrikam.csv")"
  "Z:$in/ldapsearch.ldif"
  "in\\Zoë Łukasz\\broken.ldf"
  "$unc\\in\\Zoë Łukasz\\fabrikam-unicode.csv"
  "$(winpath "$in/ansi.csv")"
)
same=(
  --path "$in/" "<in>/"
  --path "$unc\\in\\Zoë Łukasz\\" "<in>/"
  --path "$(winpath "$in")\\" "<in>/"
  --path "Z:$in/" "<in>/"
  --path "in\\Zoë Łukasz\\" "<in>/"
)
# Runs `cmd...`, keeping its exit status in $status (set -e would stop at 1).
run() { status=0; "$@" || status=$?; }

step "inspect"
run "$linux" inspect --json "${unix_inputs[@]}" >"$work/linux/inspect.json"
linux_status=$status
(cd "$work" && run win inspect --json "${win_inputs[@]}" >"$work/windows/inspect.json" && echo $status >"$work/status")
[ "$linux_status" = "$(cat "$work/status")" ] || { echo "inspect: exit $linux_status on Linux, $(cat "$work/status") on Windows"; exit 1; }
python3 .ci/same-results.py "${same[@]}" "$work/linux/inspect.json" "$work/windows/inspect.json"
"$linux" inspect "${unix_inputs[@]}" >"$work/linux/inspect.txt" || true
(cd "$work" && win inspect "${win_inputs[@]}" >"$work/windows/inspect.txt") || true
python3 .ci/same-results.py "${same[@]}" "$work/linux/inspect.txt" "$work/windows/inspect.txt"

step "analyze: workbook, JSON, CSV"
run "$linux" analyze -q -o "$work/linux/report.xlsx" --json "$work/linux/summary.json" \
  --csv-dir "$work/linux/findings" "${unix_inputs[@]}"
linux_status=$status
(cd "$work" && run win analyze -q -o "$(winpath "$long")\\report.xlsx" --json "$unc\\windows\\summary.json" \
  --csv-dir "$(winpath "$long")\\findings" "${win_inputs[@]}" && echo $status >"$work/status")
[ "$linux_status" = "$(cat "$work/status")" ] || { echo "analyze: exit $linux_status on Linux, $(cat "$work/status") on Windows"; exit 1; }
test -s "$long/report.xlsx"
python3 .ci/same-results.py "${same[@]}" "$work/linux/summary.json" "$work/windows/summary.json"
python3 .ci/same-results.py "${same[@]}" "$work/linux/findings" "$long/findings"
head -c 3 "$long/findings/findings.csv" | od -An -tx1 | grep -q 'ef bb bf'

step "analyze --baseline (the Linux run's summary)"
(cd "$work" && win analyze -q --no-workbook --fail-on never --json "$unc\\windows\\changes.json" \
  --baseline "$(winpath "$work/linux/summary.json")" "${win_inputs[@]}")
python3 - "$work/windows/changes.json" <<'EOF'
import json, sys
changes = json.load(open(sys.argv[1], encoding="utf-8"))["changes"]
assert changes["new"] == 0 and changes["resolved"] == 0 and changes["unchanged"] > 0, changes
EOF

step "generate, then analyze --spill always (temporary files gone afterwards)"
"$linux" generate --objects 20000 --plant-issues --format csvde --seed 13 -o "$work/linux/big.csv"
win generate --objects 20000 --plant-issues --format csvde --seed 13 -o "$(winpath "$work/windows/big.csv")"
cmp "$work/linux/big.csv" "$work/windows/big.csv"
mkdir -p "$work/spill"
run "$linux" analyze -q --no-workbook --spill never --json "$work/linux/big.json" --csv-dir "$work/linux/big" "$work/linux/big.csv"
linux_status=$status
run win analyze -q --no-workbook --spill always --spill-dir "$(winpath "$work/spill")" \
  --json "$(winpath "$work/windows/big.json")" --csv-dir "$(winpath "$work/windows/big")" "$(winpath "$work/windows/big.csv")"
[ "$linux_status" = "$status" ] || { echo "spilled analyze: exit $linux_status on Linux, $status on Windows"; exit 1; }
python3 .ci/same-results.py --path "$work/linux/" "<dir>/" --path "$(winpath "$work/windows")\\" "<dir>/" \
  "$work/linux/big.json" "$work/windows/big.json"
python3 .ci/same-results.py --path "$work/linux/" "<dir>/" --path "$(winpath "$work/windows")\\" "<dir>/" \
  "$work/linux/big" "$work/windows/big"
[ -z "$(ls -A "$work/spill")" ] || { echo "spill files left behind: $(ls -A "$work/spill")"; exit 1; }
# A run that fails after spilling (its workbook folder does not exist) leaves nothing either.
run win analyze -q --spill always --spill-dir "$(winpath "$work/spill")" \
  -o "$(winpath "$work/no-such-folder")\\report.xlsx" "$(winpath "$work/windows/big.csv")"
[ "$status" = 2 ] || { echo "analyze into a missing folder: exit $status, expected 2"; exit 1; }
[ -z "$(ls -A "$work/spill")" ] || { echo "spill files left behind after an error: $(ls -A "$work/spill")"; exit 1; }

step "fix on a reviewed workbook (inputs recorded as a UNC path)"
(cd "$work" && win analyze -q --fail-on never -o "$unc\\windows\\fixable.xlsx" "$unc\\in\\Zoë Łukasz\\fixable.ldf")
python3 .ci/review-workbook.py "$work/windows/fixable.xlsx" "$work/reviewed.xlsx" SL101=EDIT SL401=EDIT SL404=REMOVE
(cd "$work" && win fix "$unc\\reviewed.xlsx" -o "$(winpath "$long")\\changes.ldf" --undo "$unc\\windows\\undo.ldf")
"$linux" fix "$work/reviewed.xlsx" --export "$in/fixable.ldf" -o "$work/linux/changes.ldf" --undo "$work/linux/undo.ldf"
cmp "$work/linux/changes.ldf" "$long/changes.ldf"
cmp "$work/linux/undo.ldf" "$work/windows/undo.ldf"
grep -q '^replace: userPrincipalName' "$long/changes.ldf"

step "release archives (scripts/dist.sh): contents, and both binaries start"
scripts/dist.sh "$work/dist" >/dev/null
version=$(sed -n 's/^version = "\(.*\)"$/\1/p' Cargo.toml | head -n1)
mkdir -p "$work/unpacked"
tar -C "$work/unpacked" -xzf "$work/dist/synclint-$version-x86_64-linux.tar.gz"
python3 -m zipfile -e "$work/dist/synclint-$version-x86_64-windows.zip" "$work/unpacked"
(cd "$work/dist" && sha256sum -c --quiet SHA256SUMS)
for d in "$work/unpacked"/*; do
  (cd "$d" && sha256sum -c --quiet SHA256SUMS && test -s README.md && test -s LICENSE && test -s docs/synclint-nightly.ps1)
  ! find "$d" -iname 'bcryptprimitives*' | grep -q . || { echo "the test-only DLL is in $d"; exit 1; }
  for doc in $(grep -o '](docs/[^)#]*' README.md | sed 's/^](//' | sort -u); do
    test -s "$d/$doc" || { echo "README.md links $doc, which $d lacks"; exit 1; }
  done
done
"$work/unpacked/synclint-$version-x86_64-linux/synclint" --version | grep -q "^synclint $version (commit "
cp "$work/bin/bcryptprimitives.dll" "$work/unpacked/synclint-$version-x86_64-windows/" # Wine only
win_version=$(/usr/lib/wine/wine64 "$work/unpacked/synclint-$version-x86_64-windows/synclint.exe" --version)
[ "$win_version" = "$("$linux" --version)" ] || { echo "versions differ: $win_version"; exit 1; }
ls -l "$work/dist"

step "scheduled-job recipes"
bash .ci/recipes.sh

step "done in $((SECONDS - started)) s"
