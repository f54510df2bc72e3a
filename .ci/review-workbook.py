#!/usr/bin/env python3
"""Plays the reviewer for CI: copies a synclint workbook, choosing actions by rule.

    review-workbook.py IN.xlsx OUT.xlsx SL101=EDIT SL404=REMOVE ...

On every class sheet (a sheet whose header has Rule, Action, Update and Suggested value), a
row whose rule is named gets that action (EDIT also copies the suggested value into Update);
every other row gets an empty Action and Update, so nothing is chosen that the arguments do
not name. Only the standard library: CI has python3 and nothing else.
"""
import re
import sys
import zipfile
import xml.etree.ElementTree as ET

MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
ET.register_namespace("", MAIN)
ET.register_namespace("r", REL)
Q = lambda tag: f"{{{MAIN}}}{tag}"


def column_of(ref):
    return re.match(r"[A-Z]+", ref).group(0)


def column_index(col):
    n = 0
    for ch in col:
        n = n * 26 + ord(ch) - 64
    return n


def column_letters(n):
    letters = ""
    while n:
        n, rest = divmod(n - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def placed(row):
    """The cells of `row` with their columns. A cell without a reference (`r`) is in the
    column after the previous cell, or column A if it is the row's first (ECMA-376 Part 1,
    18.3.1.4; MS-OI29500): synclint leaves it out on a cell that follows the previous one."""
    out, next_index = [], 1
    for cell in row:
        ref = cell.get("r")
        col = column_of(ref) if ref else column_letters(next_index)
        next_index = column_index(col) + 1
        out.append((col, cell))
    return out


def cell_text(cell, shared):
    kind = cell.get("t")
    if kind == "s":
        return shared[int(cell.find(Q("v")).text)]
    if kind == "inlineStr":
        return "".join(t.text or "" for t in cell.iter(Q("t")))
    v = cell.find(Q("v"))
    return v.text if v is not None and v.text else ""


def set_text(row, col, text):
    """Sets (or removes, for empty text) the cell of `row` in column `col`, keeping order."""
    # Every cell of an edited row gets its reference, so inserting one moves none.
    for c_col, c in placed(row):
        c.set("r", f"{c_col}{row.get('r')}")
    ref = f"{col}{row.get('r')}"
    cells = list(row)
    old = next((c for c in cells if c.get("r") == ref), None)
    style = old.get("s") if old is not None else None
    if old is not None:
        row.remove(old)
    if not text:
        return
    new = ET.Element(Q("c"), {"r": ref, "t": "inlineStr"})
    if style:
        new.set("s", style)
    ET.SubElement(ET.SubElement(new, Q("is")), Q("t")).text = text
    at = sum(1 for c in row if column_index(column_of(c.get("r"))) < column_index(col))
    row.insert(at, new)


def main():
    source, target, *choices = sys.argv[1:]
    chosen = dict(c.split("=", 1) for c in choices)
    changed = 0
    with zipfile.ZipFile(source) as zin, zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as zout:
        shared = []
        if "xl/sharedStrings.xml" in zin.namelist():
            root = ET.fromstring(zin.read("xl/sharedStrings.xml"))
            shared = ["".join(t.text or "" for t in si.iter(Q("t"))) for si in root.findall(Q("si"))]
        for item in zin.infolist():
            data = zin.read(item.filename)
            if re.fullmatch(r"xl/worksheets/sheet\d+\.xml", item.filename):
                root = ET.fromstring(data)
                rows = root.find(Q("sheetData")).findall(Q("row"))
                header = {cell_text(c, shared): col for col, c in placed(rows[0])} if rows else {}
                if all(h in header for h in ("Rule", "Action", "Update", "Suggested value")):
                    for row in rows[1:]:
                        texts = {col: cell_text(c, shared) for col, c in placed(row)}
                        action = chosen.get(texts.get(header["Rule"], ""), "")
                        update = texts.get(header["Suggested value"], "") if action == "EDIT" else ""
                        set_text(row, header["Action"], action)
                        set_text(row, header["Update"], update)
                        changed += bool(action)
                    data = ET.tostring(root, xml_declaration=True, encoding="UTF-8")
            zout.writestr(item, data)
    print(f"review-workbook: {changed} rows given an action", file=sys.stderr)
    if changed == 0:
        sys.exit("review-workbook: no row matched the chosen rules")


if __name__ == "__main__":
    main()
