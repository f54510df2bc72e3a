#!/usr/bin/env python3
"""Strict structural check of a workbook package (independent of synclint's writer).

Usage: zip_check.py WORKBOOK.xlsx [--no-zip64]

1. Python's zipfile opens it and testzip() inflates every entry and checks its CRC-32.
2. Every central record is compared with its local header: signature, version needed,
   flags, method, CRC, sizes (32-bit fields or the Zip64 extra), name; no data descriptors;
   entries are contiguous (no gap, no overlap) and the central directory follows the last.
3. Zip64 (APPNOTE 4.5.3, and the shapes Excel accepts, see src/report/package.rs): an extra
   holds exactly the fields whose 32-bit value is 0xFFFFFFFF; a local Zip64 extra holds both
   sizes and then the central record has one too; version needed is 45 exactly when Zip64 is
   used. --no-zip64 also requires that no Zip64 record exists at all.
"""
import struct
import sys
import zipfile

MAX32 = 0xFFFFFFFF


def fail(message):
    print(f"zip_check: FAIL: {message}")
    sys.exit(1)


def zip64_extra(extra):
    """The data of the Zip64 extra field (id 1) in an extra block, or None."""
    at = 0
    found = None
    while at + 4 <= len(extra):
        tag, size = struct.unpack_from("<HH", extra, at)
        if at + 4 + size > len(extra):
            fail(f"extra field overruns its block: {extra!r}")
        if tag == 1:
            if found is not None:
                fail("two Zip64 extra fields")
            found = extra[at + 4 : at + 4 + size]
        at += 4 + size
    if at != len(extra):
        fail(f"trailing bytes in an extra block: {extra!r}")
    return found


def main():
    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    no_zip64 = "--no-zip64" in sys.argv
    if len(args) != 1:
        print(__doc__)
        sys.exit(2)
    path = args[0]
    with zipfile.ZipFile(path) as z:
        bad = z.testzip()
        if bad is not None:
            fail(f"{bad}: CRC or inflate error")
        names = z.namelist()
    with open(path, "rb") as f:
        data = f.read()
    # End of central directory (synclint writes no archive comment).
    end = len(data) - 22
    sig, disk, cd_disk, n_disk, n, cd_size, cd_start, comment = struct.unpack_from("<IHHHHIIH", data, end)
    if sig != 0x06054B50 or comment != 0:
        fail("no end of central directory record at the end")
    zip64_end = end >= 20 and struct.unpack_from("<I", data, end - 20)[0] == 0x07064B50
    if zip64_end:
        (_, _, record_at, _) = struct.unpack_from("<IIQI", data, end - 20)
        (sig, _, _, _, _, _, n64, _, cd_size64, cd_start64) = struct.unpack_from("<IQHHIIQQQQ", data, record_at)
        if sig != 0x06064B50:
            fail("Zip64 locator without a Zip64 end record")
        if not (n == 0xFFFF or cd_size == MAX32 or cd_start == MAX32):
            fail("Zip64 end records although no field of the end record overflows")
        n = n64 if n == 0xFFFF else n
        cd_size = cd_size64 if cd_size == MAX32 else cd_size
        cd_start = cd_start64 if cd_start == MAX32 else cd_start
        cd_end = record_at
    else:
        if n == 0xFFFF or cd_size == MAX32 or cd_start == MAX32:
            fail("an overflowing end record field without Zip64 end records")
        cd_end = end
    if cd_start + cd_size != cd_end:
        fail(f"central directory {cd_start}+{cd_size} does not end at {cd_end}")
    at = cd_start
    expected_local = 0
    zip64_entries = 0
    for i in range(n):
        (sig, made, need, flags, method, _, _, crc, csize, usize, name_len, extra_len, comment_len,
         _, _, _, offset) = struct.unpack_from("<IHHHHHHIIIHHHHHII", data, at)
        if sig != 0x02014B50:
            fail(f"central record {i}: bad signature")
        name = data[at + 46 : at + 46 + name_len].decode("utf-8")
        extra = data[at + 46 + name_len : at + 46 + name_len + extra_len]
        at += 46 + name_len + extra_len + comment_len
        z64 = zip64_extra(extra)
        fields = [v for v in (usize, csize, offset) if v == MAX32]
        if z64 is None:
            if fields:
                fail(f"{name}: 0xFFFFFFFF in the central record without a Zip64 extra")
        else:
            zip64_entries += 1
            if len(z64) != 8 * len(fields):
                fail(f"{name}: central Zip64 extra has {len(z64)} bytes for {len(fields)} overflowing fields")
            values = list(struct.unpack_from("<" + "Q" * len(fields), z64))
            if usize == MAX32:
                usize = values.pop(0)
            if csize == MAX32:
                csize = values.pop(0)
            if offset == MAX32:
                offset = values.pop(0)
                if offset < MAX32:
                    fail(f"{name}: header offset in the Zip64 extra although it fits in 32 bits")
        uses_zip64 = z64 is not None
        if need != (45 if uses_zip64 else 20):
            fail(f"{name}: version needed {need} with Zip64 {uses_zip64}")
        if flags & 0x08:
            fail(f"{name}: data descriptor flag")
        if offset != expected_local:
            fail(f"{name}: local header at {offset}, expected {expected_local} (gap or overlap)")
        # The local header.
        (lsig, lneed, lflags, lmethod, _, _, lcrc, lcsize, lusize, lname_len, lextra_len) = struct.unpack_from(
            "<IHHHHHIIIHH", data, offset)
        if lsig != 0x04034B50:
            fail(f"{name}: bad local header signature")
        lname = data[offset + 30 : offset + 30 + lname_len].decode("utf-8")
        lextra = data[offset + 30 + lname_len : offset + 30 + lname_len + lextra_len]
        if (lneed, lflags, lmethod, lcrc, lname) != (need, flags, method, crc, name):
            fail(f"{name}: local header {(lneed, lflags, lmethod, lcrc, lname)} != central {(need, flags, method, crc, name)}")
        lz64 = zip64_extra(lextra)
        if lz64 is not None:
            if (lcsize, lusize) != (MAX32, MAX32) or len(lz64) != 16:
                fail(f"{name}: a local Zip64 extra must hold both sizes, with 0xFFFFFFFF in the header")
            lusize, lcsize = struct.unpack("<QQ", lz64)
            if z64 is None or len(z64) < 16:
                fail(f"{name}: Zip64 sizes in the local header but not in the central record")
        if (lcsize, lusize) != (csize, usize):
            fail(f"{name}: local sizes {(lcsize, lusize)} != central {(csize, usize)}")
        expected_local = offset + 30 + lname_len + lextra_len + csize
    if at != cd_end:
        fail("central directory size does not match its records")
    if expected_local != cd_start:
        fail(f"the last entry ends at {expected_local}, the central directory starts at {cd_start}")
    if n != len(names):
        fail(f"{n} central records, zipfile lists {len(names)}")
    if no_zip64 and (zip64_entries or zip64_end):
        fail(f"Zip64 records found: {zip64_entries} entries, end records {zip64_end}")
    print(f"zip_check: OK: {n} entries, {len(data)} bytes, Zip64 entries: {zip64_entries}, "
          f"Zip64 end records: {'yes' if zip64_end else 'no'}")


if __name__ == "__main__":
    main()
