#!/usr/bin/env python3
"""The whole per-shape table in one command: synclint against DuckDB on every export shape.

Usage: python3 benches/shapes.py            (writes the markdown table to stdout)
Environment:
  SYNCLINT_SHAPES_BINARIES  label=path,... synclint binaries to compare, run alternately
                            (default: synclint=target/release/synclint, built if missing), e.g.
                            before=/tmp/synclint-main,after=target/release/synclint
  SYNCLINT_SHAPES_OBJECTS   objects per export (default 1,000,000)
  SYNCLINT_SHAPES           shapes (default default,sparse-wide,field)
  SYNCLINT_SHAPES_DIR       where the exports are made once (default target/bench-data, the
                            files the cargo benches and compare.py read)
  SYNCLINT_SHAPES_RUNS      runs of each measurement, the best kept (default 1)

For each shape (`synclint generate --shape`, seed 1, planted issues) in csvde and LDIF, and each
binary, it measures with /usr/bin/time (wall time and peak RSS of the process):
  - read: `synclint inspect` (detect, parse every record; no rules), as MB/s of the file;
  - analysis: `synclint analyze --no-workbook` (read with SHA-256, scope, every rule,
    collisions, suggestions' re-check; counts only);
  - full: `synclint analyze -o report.xlsx --json summary.json` (the same, writing the workbook
    and the JSON of every finding);
and, on the csvde file, DuckDB's three duplicate queries (those of compare.py: UPN, mail, SMTP
proxies; DuckDB installed with pip into target/compare-venv). At 1M objects it takes about 10
minutes on a quiet 2-core machine with one binary. The load average and the speed of fresh
memory (compare.machine_state) are printed with the table.
"""
import json
import os
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import compare  # noqa: E402  (DuckDB's queries and its virtual environment)

ROOT = compare.ROOT
OBJECTS = int(os.environ.get("SYNCLINT_SHAPES_OBJECTS", "1000000"))
SHAPES = [s.strip() for s in os.environ.get("SYNCLINT_SHAPES", "default,sparse-wide,field").split(",") if s.strip()]
DIR = os.environ.get("SYNCLINT_SHAPES_DIR") or os.path.join(ROOT, "target", "bench-data")
RUNS = max(1, int(os.environ.get("SYNCLINT_SHAPES_RUNS", "1")))


def binaries():
    spec = os.environ.get("SYNCLINT_SHAPES_BINARIES")
    if not spec:
        path = os.path.join(ROOT, "target", "release", "synclint")
        if not os.path.exists(path):
            subprocess.run(["cargo", "build", "--release"], cwd=ROOT, check=True)
        return [("synclint", path)]
    out = []
    for item in spec.split(","):
        label, _, path = item.partition("=")
        out.append((label.strip(), os.path.abspath(path.strip())))
    return out


def export(shape, fmt, generator):
    """The planted export of `shape` in `fmt`, made once (named as benches/common names it)."""
    tag = "" if shape == "default" else f"-{shape}"
    ext = "csv" if fmt == "csvde" else "ldf"
    path = os.path.join(DIR, f"{fmt}-{OBJECTS}{tag}-planted.{ext}")
    if not os.path.exists(path):
        os.makedirs(DIR, exist_ok=True)
        part = path + ".part"
        subprocess.run([generator, "generate", "--objects", str(OBJECTS), "--seed", "1", "--format", fmt,
                        "--plant-issues", "--shape", shape, "-o", part], check=True, stdout=subprocess.DEVNULL)
        os.rename(part, path)
    return path


def timed(argv):
    """(wall seconds, peak RSS bytes) of one run of `argv`, from /usr/bin/time."""
    with tempfile.NamedTemporaryFile("r", suffix=".time") as report:
        subprocess.run(["/usr/bin/time", "-f", "%e %M", "-o", report.name, *argv], check=True,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        seconds, kib = report.read().split()[-2:]
    return float(seconds), int(kib) * 1024


def best(argv):
    runs = [timed(argv) for _ in range(RUNS)]
    return min(r[0] for r in runs), max(r[1] for r in runs)


def warm(path):
    with open(path, "rb") as f:
        while f.read(1 << 24):
            pass


def measure(binary, path, tmp):
    summary = os.path.join(tmp, "summary.json")
    read = best([binary, "inspect", path])
    analysis = best([binary, "analyze", "-q", "--fail-on", "never", "--no-workbook", path])
    full = best([binary, "analyze", "-q", "--fail-on", "never", "-o", os.path.join(tmp, "report.xlsx"),
                 "--json", summary, path])
    with open(summary) as f:
        s = json.load(f)
    findings = s["findings"]["total"]
    return {"read": read, "analysis": analysis, "full": full, "findings": findings}


def main():
    bins = binaries()
    python = compare.ensure_packages()
    print(f"at start: {compare.machine_state()}", flush=True)
    rows = []
    for shape in SHAPES:
        duck = None
        for fmt in ["csvde", "ldif"]:
            path = export(shape, fmt, bins[-1][1])
            size = os.path.getsize(path)
            warm(path)
            if fmt == "csvde":
                duck = compare.run_python(python, compare.DUCKDB, path)["seconds"]
            results = {}
            with tempfile.TemporaryDirectory() as tmp:
                # The binaries one after the other on each file, so a change of load falls on all.
                for label, binary in bins:
                    results[label] = measure(binary, path, tmp)
            for label, _ in bins:
                rows.append((shape, fmt, size, label, results[label], duck if fmt == "csvde" else None))
            print(f"  measured {shape} {fmt} (load {os.getloadavg()[0]:.2f})", file=sys.stderr, flush=True)
    print()
    print(f"{OBJECTS:,} objects a file; best of {RUNS}; DuckDB: its three duplicate queries on the csvde file.")
    print()
    print("| shape | format | file | binary | read (inspect) | analysis (no workbook) | full (workbook + JSON) | peak RSS (full) | RSS / file | findings | analysis / DuckDB | full / DuckDB |")
    print("|---|---|---|---|---|---|---|---|---|---|---|---|")
    for shape, fmt, size, label, r, duck in rows:
        mb = size / 1e6
        read_s = r["read"][0]
        ratio = (lambda t: f"{t / duck:.2f}x (DuckDB {duck:.2f} s)") if duck else (lambda t: "")
        print(f"| {shape} | {fmt} | {mb:,.0f} MB | {label} | {read_s:.2f} s ({mb / read_s:,.0f} MB/s) "
              f"| {r['analysis'][0]:.2f} s | {r['full'][0]:.2f} s | {r['full'][1] / 1e6:,.0f} MB "
              f"| {r['full'][1] / size:.2f} | {r['findings']:,} | {ratio(r['analysis'][0])} | {ratio(r['full'][0])} |")
    print()
    print(f"at end: {compare.machine_state()}")


if __name__ == "__main__":
    main()
