#!/usr/bin/env bash
# Builds the release archives a user downloads instead of installing Rust:
#   dist/synclint-VERSION-x86_64-linux.tar.gz    synclint, README.md, LICENSE, docs/, SHA256SUMS
#   dist/synclint-VERSION-x86_64-windows.zip     synclint.exe, README.md, LICENSE, docs/, SHA256SUMS
#   dist/SHA256SUMS                               the archives' own checksums
# Each archive's SHA256SUMS covers the files inside it (check with `sha256sum -c SHA256SUMS`, or
# on Windows `Get-FileHash synclint.exe`). Binaries are stripped of the debug line tables the
# release profile keeps for profiling. The Linux binary links glibc dynamically: it needs the
# newest glibc symbol version it uses (printed at the end; 2.34 when built on Debian 12, so
# Ubuntu 22.04, Debian 12, RHEL 9 or newer); the Windows one needs Windows 10 or later.
# Needs: the Rust toolchain, Debian's gcc-mingw-w64-x86-64 (the Windows linker), python3.
# Usage: scripts/dist.sh [OUT_DIR]   (default dist/)
set -euo pipefail
cd "$(dirname "$0")/.."
out=$(realpath -m "${1:-dist}")
version=$(sed -n 's/^version = "\(.*\)"$/\1/p' Cargo.toml | head -n1)
target_dir=$(realpath -m "${CARGO_TARGET_DIR:-target}")

rustup target add x86_64-pc-windows-gnu >/dev/null 2>&1 || true
export CARGO_TARGET_X86_64_PC_WINDOWS_GNU_LINKER=${CARGO_TARGET_X86_64_PC_WINDOWS_GNU_LINKER:-x86_64-w64-mingw32-gcc}
cargo build --release --locked
cargo build --release --locked --target x86_64-pc-windows-gnu

stage=$(mktemp -d)
trap 'rm -rf "$stage"' EXIT
mkdir -p "$out"

# pack NAME BINARY STRIP: stages NAME/ with the binary and the documents, writes its sums.
pack() {
  local name=$1 binary=$2 strip=$3 dir="$stage/$1"
  mkdir -p "$dir/docs"
  "$strip" --strip-debug -o "$dir/$(basename "$binary")" "$binary"
  cp README.md LICENSE "$dir/"
  # Every document README.md links to (.ci/windows.sh checks that each link resolves).
  cp docs/rules.md docs/architecture.md docs/performance.md docs/summary.png \
    docs/synclint-nightly.ps1 docs/synclint-nightly.sh docs/synclint-nightly.service \
    docs/synclint-nightly.timer docs/scheduled-jobs.md "$dir/docs/"
  # The Wine test's stand-in DLL must never ship (see .ci/bcryptprimitives-shim.c).
  if find "$dir" -iname 'bcryptprimitives*' | grep -q .; then
    echo "dist: refusing to ship the test-only bcryptprimitives shim" >&2
    exit 1
  fi
  (cd "$dir" && find . -type f ! -name SHA256SUMS | sed 's|^\./||' | LC_ALL=C sort | xargs -d '\n' sha256sum >SHA256SUMS)
}

linux="synclint-$version-x86_64-linux"
pack "$linux" "$target_dir/release/synclint" strip
tar -C "$stage" -czf "$out/$linux.tar.gz" --owner=0 --group=0 "$linux"

windows="synclint-$version-x86_64-windows"
pack "$windows" "$target_dir/x86_64-pc-windows-gnu/release/synclint.exe" x86_64-w64-mingw32-strip
# Windows users open a zip; python's zipfile (deflated) avoids needing the zip tool.
python3 - "$stage" "$windows" "$out/$windows.zip" <<'PY'
import os, sys, zipfile
stage, name, target = sys.argv[1:]
with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as z:
    for folder, _, files in sorted(os.walk(os.path.join(stage, name))):
        for f in sorted(files):
            path = os.path.join(folder, f)
            z.write(path, os.path.relpath(path, stage))
PY

(cd "$out" && sha256sum "$linux.tar.gz" "$windows.zip" >SHA256SUMS)
echo "dist: $("$target_dir/release/synclint" --version); the Linux binary needs" \
  "$(objdump -T "$target_dir/release/synclint" | grep -o 'GLIBC_[0-9.]*' | sort -uV | tail -n1) or newer"
ls -l "$out"
