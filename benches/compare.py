#!/usr/bin/env python3
"""Duplicate detection by the tools a user might pick instead, against synclint's full analysis.

Usage: python3 benches/compare.py [CSVDE_FILE ...]
       Without a file, on a 1M-object planted csvde export of each shape (`synclint generate
       --shape`, seed 1, made once under target/bench-data, the same files the cargo benches
       read): default, sparse-wide (~240 mostly empty columns) and field (52 mostly empty
       columns, OUs, memberOf lists, X400 addresses, "Last, First" names).
       SYNCLINT_COMPARE_SHAPES=default,field picks shapes; SYNCLINT_COMPARE_OBJECTS the size;
       SYNCLINT_COMPARE_BINARY a synclint binary other than target/release/synclint.
       SYNCLINT_COMPARE_RUNS=N (default 3): each tool runs N times; the best time is compared
       (every time is printed), so one slow run of any tool does not decide the ratio.

Installs duckdb and pandas with pip (into a virtual environment under target/), then times on
the same csvde export:
  - DuckDB: duplicate userPrincipalName, mail and SMTP proxyAddresses (case-insensitive, prefix
    stripped, multi-values split on ';') - the queries alone;
  - pandas: the same three checks;
  - synclint, from the release binary: the full analysis (read with SHA-256, scope, every
    rule, cross-attribute collisions) with its counts only, as the queries give theirs
    (`--no-workbook`); the same writing the workbook; and the same with the JSON summary
    listing every finding too (which also gives the group counts compared here).
and prints each tool's time, its duplicate group counts and the ratio to synclint's analysis.
"""
import json
import os
import subprocess
import sys
import tempfile
import time
import venv

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
VENV = os.path.join(ROOT, "target", "compare-venv")


def ensure_packages():
    python = os.path.join(VENV, "bin", "python")
    if not os.path.exists(python):
        venv.create(VENV, with_pip=True)
    probe = subprocess.run([python, "-c", "import duckdb, pandas"], capture_output=True)
    if probe.returncode != 0:
        subprocess.run([python, "-m", "pip", "install", "-q", "duckdb", "pandas"], check=True)
    return python


DUCKDB = r"""
import duckdb, sys, time, json
path = sys.argv[1]
t = time.perf_counter()
con = duckdb.connect()
con.execute('SET enable_progress_bar = false')  # its bar goes to stdout once a query takes 2 s
con.execute(f"CREATE TABLE x AS SELECT DN, userPrincipalName AS upn, mail, proxyAddresses AS proxies FROM read_csv('{path}', header=true, all_varchar=true, quote='\"', escape='\"', max_line_size=100000000)")
def groups(sql):
    return con.execute(f"SELECT count(*) FROM ({sql})").fetchone()[0]
upn = groups("SELECT lower(upn) v FROM x WHERE upn IS NOT NULL AND upn <> '' GROUP BY v HAVING count(DISTINCT DN) > 1")
mail = groups("SELECT lower(mail) v FROM x WHERE mail IS NOT NULL AND mail <> '' GROUP BY v HAVING count(DISTINCT DN) > 1")
proxy = groups('''SELECT v FROM (SELECT DN, lower(p) AS p FROM x, unnest(string_split(proxies, ';')) AS u(p) WHERE proxies IS NOT NULL)
                  CROSS JOIN LATERAL (SELECT substr(p, 6) AS v) WHERE starts_with(p, 'smtp:') GROUP BY v HAVING count(DISTINCT DN) > 1''')
print(json.dumps({"seconds": time.perf_counter() - t, "upn": upn, "mail": mail, "proxyAddresses": proxy}))
"""

PANDAS = r"""
import pandas as pd, sys, time, json
path = sys.argv[1]
t = time.perf_counter()
df = pd.read_csv(path, dtype=str, usecols=["DN", "userPrincipalName", "mail", "proxyAddresses"], keep_default_na=False)
def groups(frame, column):
    s = frame[frame[column] != ""][["DN", column]].copy()
    s[column] = s[column].str.lower()
    n = s.drop_duplicates().groupby(column)["DN"].nunique()
    return int((n > 1).sum())
upn = groups(df, "userPrincipalName")
mail = groups(df, "mail")
p = df[df["proxyAddresses"] != ""][["DN", "proxyAddresses"]].copy()
p["proxyAddresses"] = p["proxyAddresses"].str.split(";")
p = p.explode("proxyAddresses")
p["proxyAddresses"] = p["proxyAddresses"].str.lower()
p = p[p["proxyAddresses"].str.startswith("smtp:")]
p["proxyAddresses"] = p["proxyAddresses"].str.slice(5)
proxy = groups(p, "proxyAddresses")
print(json.dumps({"seconds": time.perf_counter() - t, "upn": upn, "mail": mail, "proxyAddresses": proxy}))
"""


RUNS = max(1, int(os.environ.get("SYNCLINT_COMPARE_RUNS", "3")))


def best_of(run):
    """Runs `run` RUNS times; the result of the fastest run, with every run's seconds."""
    results = [run() for _ in range(RUNS)]
    best = min(results, key=lambda r: r["seconds"])
    return {**best, "runs": [round(r["seconds"], 2) for r in results]}


def run_python(python, code, path):
    def once():
        out = subprocess.run([python, "-c", code, path], capture_output=True, text=True, check=True)
        return json.loads(out.stdout.strip().splitlines()[-1])

    return best_of(once)


def run_synclint(path):
    """The full analysis (workbook included) timed on its own, then again with the JSON summary
    listing every finding, which also gives the duplicate group counts to compare."""
    synclint = binary()
    with tempfile.TemporaryDirectory() as tmp:
        summary = os.path.join(tmp, "summary.json")

        def once(extra):
            def run():
                t = time.perf_counter()
                subprocess.run([synclint, "analyze", "-q", "--fail-on", "never", *extra, path], check=True)
                return {"seconds": time.perf_counter() - t}

            return run

        workbook = ["-o", os.path.join(tmp, "r.xlsx")]
        analysis = best_of(once(["--no-workbook"]))
        workbook_only = best_of(once(workbook))
        with_json = best_of(once([*workbook, "--json", summary]))
        with open(summary) as f:
            s = json.load(f)
    d = s["duplicates"]
    counts = {"upn": d["userPrincipalName"]["groups"], "mail": d["mail"]["groups"], "proxyAddresses": d["proxyAddresses"]["groups"]}
    return (
        {**analysis, **counts},
        {**workbook_only, **counts},
        {**with_json, **counts, "timings_ms": s["timings_ms"]},
    )


SHAPES = [x.strip() for x in os.environ.get("SYNCLINT_COMPARE_SHAPES", "default,sparse-wide,field").split(",") if x.strip()]
OBJECTS = int(os.environ.get("SYNCLINT_COMPARE_OBJECTS", "1000000"))


def binary():
    """SYNCLINT_COMPARE_BINARY, else the release build (built if missing)."""
    path = os.environ.get("SYNCLINT_COMPARE_BINARY") or os.path.join(ROOT, "target", "release", "synclint")
    if not os.path.exists(path):
        subprocess.run(["cargo", "build", "--release"], cwd=ROOT, check=True)
    return path


def shape_file(shape):
    """The planted csvde export of `shape`, generated once (named as benches/common names it)."""
    tag = "" if shape == "default" else f"-{shape}"
    path = os.path.join(ROOT, "target", "bench-data", f"csvde-{OBJECTS}{tag}-planted.csv")
    if not os.path.exists(path):
        os.makedirs(os.path.dirname(path), exist_ok=True)
        subprocess.run([binary(), "generate", "--objects", str(OBJECTS), "--seed", "1", "--format", "csvde",
                        "--plant-issues", "--shape", shape, "-o", path], check=True)
    return path


def compare(python, path, label):
    size = os.path.getsize(path) / 1e6
    print(f"\n{label}: {path} ({size:.0f} MB)")
    # Warm the page cache so no tool pays for the first read from disk.
    with open(path, "rb") as f:
        while f.read(1 << 24):
            pass
    analysis, full, with_json = run_synclint(path)
    results = {
        "synclint: full analysis (every rule, collisions; counts)": analysis,
        "synclint: the same + workbook": full,
        "synclint: the same + workbook + JSON of every finding": with_json,
    }
    results["DuckDB (3 duplicate queries)"] = run_python(python, DUCKDB, path)
    results["pandas (3 duplicate checks)"] = run_python(python, PANDAS, path)
    base = analysis["seconds"]
    print(f"| shape | tool | best of {RUNS} (s) | every run (s) | vs synclint's analysis | UPN groups | mail groups | SMTP proxy groups |")
    print(f"|---|---|---|---|---|---|---|---|")
    for name, r in results.items():
        runs = " ".join(f"{x:.2f}" for x in r["runs"])
        print(f"| {label} | {name} | {r['seconds']:.2f} | {runs} | {r['seconds'] / base:.2f}x | {r['upn']} | {r['mail']} | {r['proxyAddresses']} |")
    print(f"synclint stages of the last JSON run (ms): {with_json['timings_ms']}")


def main():
    python = ensure_packages()
    print(f"load average at start: {os.getloadavg()}")
    if len(sys.argv) > 1:
        for path in sys.argv[1:]:
            compare(python, os.path.abspath(path), os.path.basename(path))
    else:
        for shape in SHAPES:
            compare(python, shape_file(shape), shape)
    print(f"load average at end: {os.getloadavg()}")


if __name__ == "__main__":
    main()
