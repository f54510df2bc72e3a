#!/usr/bin/env python3
"""Checks that two runs of synclint (the Linux and the Windows build) produced the same results.

    same-results.py [--path OLD NEW]... A B

A and B are files or folders (compared file by file, same names). Before comparing, every
OLD (a folder as one run was given it) becomes NEW in both, so inputs named by different paths
compare equal; JSON files also lose their `timings_ms`. Everything else must be identical,
byte for byte for text files (CSV byte order marks and line ends included).
"""
import json
import os
import sys


def normalize(text, paths):
    for old, new in sorted(paths, key=lambda p: -len(p[0])):
        text = text.replace(old, new)
    return text


def load(path, paths):
    with open(path, "rb") as f:
        raw = f.read()
    text = normalize(raw.decode("utf-8"), paths)
    if path.endswith(".json"):
        value = json.loads(text.removeprefix("\ufeff"))
        if isinstance(value, dict):
            value.pop("timings_ms", None)
        return value
    return text


def files(root):
    if os.path.isfile(root):
        return [""]
    return sorted(
        os.path.relpath(os.path.join(d, f), root) for d, _, fs in os.walk(root) for f in fs
    )


def main():
    args = sys.argv[1:]
    paths = []
    while args and args[0] == "--path":
        # JSON escapes backslashes: replace both spellings.
        old, new = args[1], args[2]
        paths.append((old, new))
        paths.append((json.dumps(old, ensure_ascii=False)[1:-1], new))
        args = args[3:]
    a, b = args
    names_a, names_b = files(a), files(b)
    if names_a != names_b:
        sys.exit(f"same-results: different files:\n  {names_a}\n  {names_b}")
    for name in names_a:
        fa, fb = (os.path.join(a, name), os.path.join(b, name)) if name else (a, b)
        va, vb = load(fa, paths), load(fb, paths)
        if va != vb:
            sa = json.dumps(va, indent=1, ensure_ascii=False) if not isinstance(va, str) else va
            sb = json.dumps(vb, indent=1, ensure_ascii=False) if not isinstance(vb, str) else vb
            for i, (la, lb) in enumerate(zip(sa.splitlines(), sb.splitlines())):
                if la != lb:
                    sys.exit(f"same-results: {fa} and {fb} differ at line {i + 1}:\n  {la!r}\n  {lb!r}")
            sys.exit(f"same-results: {fa} and {fb} differ in length")
    print(f"same results: {len(names_a)} file(s) under {a} and {b}")


if __name__ == "__main__":
    main()
