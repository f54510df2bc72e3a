#!/usr/bin/env python3
"""Pages per sheet of a workbook printed to PDF (by .ci/render-workbook).

Usage: pages_per_sheet.py REPORT.xlsx REPORT.pdf
Each page's footer starts with its sheet's name (synclint writes "&A" on the left), so the
text of the bottom 30 points of each page tells which sheet the page belongs to.
"""
import re
import subprocess
import sys
import zipfile
from collections import Counter


def run(*args):
    return subprocess.run(args, capture_output=True, text=True, check=True).stdout


def main():
    xlsx, pdf = sys.argv[1], sys.argv[2]
    workbook = zipfile.ZipFile(xlsx).read("xl/workbook.xml").decode()
    names = [n.replace("&amp;", "&").replace("&apos;", "'")
             for n in re.findall(r'<sheet name="([^"]*)"', workbook)]
    pages = int(re.search(r"^Pages:\s+(\d+)", run("pdfinfo", pdf), re.M).group(1))
    count = Counter()
    for p in range(1, pages + 1):
        info = run("pdfinfo", "-f", str(p), "-l", str(p), pdf)
        w, h = (float(v) for v in re.search(r"size:\s+([\d.]+) x ([\d.]+)", info).groups())
        footer = run("pdftotext", "-r", "72", "-x", "0", "-y", str(int(h) - 30), "-W", str(int(w)),
                     "-H", "30", "-f", str(p), "-l", str(p), pdf, "-")
        footer = " ".join(footer.split())
        matches = [n for n in names if footer.startswith(n)]
        count[max(matches, key=len) if matches else f"(page {p} without a sheet footer: {footer!r})"] += 1
    for name in names + [n for n in count if n not in names]:
        if count[name]:
            print(f"{count[name]:4} {name}")


if __name__ == "__main__":
    main()
