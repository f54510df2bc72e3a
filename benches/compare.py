#!/usr/bin/env python3
"""Duplicate detection by the tools a user might pick instead, against synclint's full analysis.

Usage: python3 benches/compare.py [CSVDE_FILE ...]
       Without a file, on a 1M-object planted csvde export of each shape (`synclint generate
       --shape`, seed 1, made once under target/bench-data, the same files the cargo benches
       read): default, sparse-wide (~240 mostly empty columns) and field (52 mostly empty
       columns, OUs, memberOf lists, X400 addresses, "Last, First" names).
       SYNCLINT_COMPARE_SHAPES=default,field picks shapes; SYNCLINT_COMPARE_OBJECTS the size;
       SYNCLINT_COMPARE_BINARY a synclint binary other than target/release/synclint;
       SYNCLINT_COMPARE_BINARIES=before=/path,after=/path several, measured in the same
       minutes (see below).
       SYNCLINT_COMPARE_RUNS=N (default 3): each tool runs N times; the best time is compared
       (every time is printed), so one slow run of any tool does not decide the ratio.
       The runs go in rounds: each round runs every synclint binary, then DuckDB, then pandas,
       so a machine that slows down for minutes slows every tool alike (on one such machine
       DuckDB's time moved 1.4x between two invocations six minutes apart). A table of every
       shape and binary against DuckDB ends the output.

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


def fresh_memory_speed(gib=3):
    """MB/s at which this machine gives a process fresh memory: a child writes `gib` GiB it has
    just allocated. On a virtual machine whose host backs guest memory only when it is first
    touched, and takes freed memory back (free page reporting), this is the host's speed, not
    the RAM's: on the machine of docs/performance.md's fourteenth sitting the first GiB came at
    about 1,200 MB/s and 4 GiB at 210-345 MB/s, and a full run's allocations and output
    writes then cost seconds of system time. Printed beside the load average so that a
    sitting's figures can be read against it (3 GiB: a full run's memory and its outputs)."""
    child = ("import time; t = time.perf_counter(); "
             f"x = b'\\1' * ({gib} << 30); print(time.perf_counter() - t)")
    seconds = float(subprocess.run([sys.executable, "-c", child], check=True, capture_output=True,
                                   text=True).stdout)
    return (gib << 30) / seconds / 1e6


def machine_state():
    """The load average and the fresh-memory speed, for the start and end of a sitting."""
    load = " ".join(f"{x:.2f}" for x in os.getloadavg())
    return f"load average {load}, fresh memory {fresh_memory_speed():,.0f} MB/s"


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
    return best([run() for _ in range(RUNS)])


def run_python(python, code, path):
    """`code` (DuckDB's or pandas's) on `path`, best of RUNS (shapes.py times DuckDB so)."""
    return best_of(lambda: python_once(python, code, path))


def python_once(python, code, path):
    out = subprocess.run([python, "-c", code, path], capture_output=True, text=True, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def best(results):
    """The result of the fastest run, with every run's seconds."""
    fastest = min(results, key=lambda r: r["seconds"])
    return {**fastest, "runs": [round(r["seconds"], 2) for r in results]}


# What each synclint binary is timed doing: the full analysis with its counts only, as the
# queries give theirs; the same writing the workbook; and the same with the JSON summary
# listing every finding too (which also gives the duplicate group counts compared here).
MODES = [
    ("analysis", "full analysis (every rule, collisions; counts)"),
    ("workbook", "the same + workbook"),
    ("json", "the same + workbook + JSON of every finding"),
]


def measure(python, path):
    """Every tool on `path`, RUNS rounds of: each synclint binary in each mode, DuckDB, pandas.
    Returns {(label, mode): best result} for synclint and {"duckdb": …, "pandas": …}."""
    bins = binaries()
    runs = {(label, mode): [] for label, _ in bins for mode, _ in MODES}
    runs["duckdb"], runs["pandas"] = [], []
    with tempfile.TemporaryDirectory() as tmp:
        summary = os.path.join(tmp, "summary.json")
        workbook = ["-o", os.path.join(tmp, "r.xlsx")]
        extra = {"analysis": ["--no-workbook"], "workbook": workbook, "json": [*workbook, "--json", summary]}
        for _ in range(RUNS):
            for label, exe in bins:
                for mode, _ in MODES:
                    t = time.perf_counter()
                    subprocess.run([exe, "analyze", "-q", "--fail-on", "never", *extra[mode], path], check=True)
                    result = {"seconds": time.perf_counter() - t}
                    if mode == "json":
                        with open(summary) as f:
                            s = json.load(f)
                        d = s["duplicates"]
                        result.update(upn=d["userPrincipalName"]["groups"], mail=d["mail"]["groups"],
                                      proxyAddresses=d["proxyAddresses"]["groups"], timings_ms=s["timings_ms"])
                    runs[(label, mode)].append(result)
            runs["duckdb"].append(python_once(python, DUCKDB, path))
            runs["pandas"].append(python_once(python, PANDAS, path))
    out = {key: best(results) for key, results in runs.items()}
    # Every mode shows the group counts of the JSON run (the other modes do not write them).
    for label, _ in bins:
        counts = {k: out[(label, "json")][k] for k in ("upn", "mail", "proxyAddresses")}
        for mode, _ in MODES:
            out[(label, mode)] = {**counts, **out[(label, mode)]}
    return out


SHAPES = [x.strip() for x in os.environ.get("SYNCLINT_COMPARE_SHAPES", "default,sparse-wide,field").split(",") if x.strip()]
OBJECTS = int(os.environ.get("SYNCLINT_COMPARE_OBJECTS", "1000000"))


def binary():
    """SYNCLINT_COMPARE_BINARY, else the release build (built if missing)."""
    path = os.environ.get("SYNCLINT_COMPARE_BINARY") or os.path.join(ROOT, "target", "release", "synclint")
    if not os.path.exists(path):
        subprocess.run(["cargo", "build", "--release"], cwd=ROOT, check=True)
    return path


def binaries():
    """(label, path) of each synclint binary: SYNCLINT_COMPARE_BINARIES (label=path,...), else
    one, labelled synclint."""
    spec = os.environ.get("SYNCLINT_COMPARE_BINARIES", "").strip()
    if not spec:
        return [("synclint", binary())]
    out = []
    for item in spec.split(","):
        label, sep, path = item.partition("=")
        if not sep or not os.path.exists(path.strip()):
            sys.exit(f"SYNCLINT_COMPARE_BINARIES: {item!r} is not label=path of an existing binary")
        out.append((label.strip(), path.strip()))
    return out


def shape_file(shape):
    """The planted csvde export of `shape`, generated once (named as benches/common names it)."""
    tag = "" if shape == "default" else f"-{shape}"
    path = os.path.join(ROOT, "target", "bench-data", f"csvde-{OBJECTS}{tag}-planted.csv")
    if not os.path.exists(path):
        os.makedirs(os.path.dirname(path), exist_ok=True)
        subprocess.run([binaries()[0][1], "generate", "--objects", str(OBJECTS), "--seed", "1", "--format", "csvde",
                        "--plant-issues", "--shape", shape, "-o", path], check=True)
    return path


def compare(python, path, label):
    """Measures every tool on `path`, prints its table; returns the summary rows."""
    size = os.path.getsize(path) / 1e6
    print(f"\n{label}: {path} ({size:.0f} MB)")
    # Warm the page cache so no tool pays for the first read from disk.
    with open(path, "rb") as f:
        while f.read(1 << 24):
            pass
    out = measure(python, path)
    bins = binaries()
    results = {}
    for name, _ in bins:
        prefix = "synclint" if len(bins) == 1 else f"synclint {name}"
        for mode, what in MODES:
            results[f"{prefix}: {what}"] = out[(name, mode)]
    results["DuckDB (3 duplicate queries)"] = out["duckdb"]
    results["pandas (3 duplicate checks)"] = out["pandas"]
    base = out[(bins[0][0], "analysis")]["seconds"]
    print(f"| shape | tool | best of {RUNS} (s) | every run (s) | vs synclint's analysis | UPN groups | mail groups | SMTP proxy groups |")
    print(f"|---|---|---|---|---|---|---|---|")
    for name, r in results.items():
        runs = " ".join(f"{x:.2f}" for x in r["runs"])
        print(f"| {label} | {name} | {r['seconds']:.2f} | {runs} | {r['seconds'] / base:.2f}x | {r['upn']} | {r['mail']} | {r['proxyAddresses']} |")
    for name, _ in bins:
        print(f"synclint stages of {name}'s fastest JSON run (ms): {out[(name, 'json')]['timings_ms']}")
    duck = out["duckdb"]["seconds"]
    rows = []
    for name, _ in bins:
        a, w, j = (out[(name, mode)]["seconds"] for mode, _ in MODES)
        rows.append(f"| {label} | {name} | {a:.2f} s | {w:.2f} s | {j:.2f} s | {duck:.2f} s | {a / duck:.2f}x | "
                    f"{j / duck:.2f}x | {out['pandas']['seconds']:.2f} s |")
    return rows


def main():
    python = ensure_packages()
    print(f"at start: {machine_state()}", flush=True)
    rows = []
    if len(sys.argv) > 1:
        for path in sys.argv[1:]:
            rows += compare(python, os.path.abspath(path), os.path.basename(path))
    else:
        for shape in SHAPES:
            rows += compare(python, shape_file(shape), shape)
    print(f"at end: {machine_state()}")
    print(f"\nEvery shape, best of {RUNS} (full: with workbook and JSON):\n")
    print("| shape | binary | analysis | + workbook | + workbook + JSON | DuckDB | analysis / DuckDB | full / DuckDB | pandas |")
    print("|---|---|---|---|---|---|---|---|---|")
    print("\n".join(rows))


if __name__ == "__main__":
    main()
