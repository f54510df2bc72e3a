# The 1M check of issue 14 ("right on real directories"), reproducible:
#
#   synclint generate --objects 1000000 --escaped-names --plant-issues --format csvde -o esc.csv
#   python3 benches/escaped_names_oracle.py esc.csv plain.csv
#   synclint analyze --no-workbook --json esc.json esc.csv
#   synclint analyze --no-workbook --json plain.json plain.csv
#
# plain.csv holds the same objects under plain names (no DN escape anywhere) without the
# replication-conflict copies: any DN reader gets its scope right, so its duplicate and
# collision groups are the expected ones for esc.csv, whose out-of-scope count must exceed
# plain.csv's by the number of copies printed here. (Measured 2026-12-02: both 950,160
# analyzed; UPN 1,875 groups, mail 971, SMTP proxies 1,762, collisions 833; 3,085 copies.)
import csv, sys
csv.field_size_limit(1 << 30)
ous = [("Sales", "Sales\\, EMEA"), ("Engineering", "R\\+D"), ("Legal", "Legal \\<EU\\>"),
       ("Support", "Support\\; Tier 1"), ("Finance", "\\#Finance")]
# csvde writes every ';' in a value as '\;'
ous = [(d, e.replace(";", "\\;")) for d, e in ous]
src = open(sys.argv[1], newline="", encoding="utf-8")
dst = open(sys.argv[2], "w", newline="", encoding="utf-8")
r = csv.reader(src)
w = csv.writer(dst, lineterminator="\r\n")
header = next(r)
w.writerow(header)
dn = header.index("DN")
copies = kept = 0
for row in r:
    if "\\0ACNF:" in row[dn]:
        copies += 1
        continue
    out = []
    for f in row:
        if "OU=" in f or "\\, " in f:
            for d, e in ous:
                f = f.replace("OU=" + e + ",", "OU=" + d + ",")
            f = f.replace("\\, ", " ")
        out.append(f)
    w.writerow(out)
    kept += 1
print("copies", copies, "kept", kept)
