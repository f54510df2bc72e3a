//! A minimal zip (OPC package) writer for the workbook: entries copied as they are from
//! rust_xlsxwriter's package, and entries whose deflate stream was compressed in parallel.
//!
//! Why not the zip crate's writer: it compresses an entry on one thread, and it has no way
//! to add an entry from raw deflate data. The big sheets are compressed pigz-style instead:
//! each chunk of rows is deflated on its own (ending on a byte boundary with a sync flush),
//! the pieces are concatenated, and one empty final block closes the stream; the CRC-32s of
//! the pieces are combined.
//!
//! Zip64, the shapes Excel accepts. Excel's reader is stricter than the zip format
//! (APPNOTE.TXT, <https://pkware.cachefly.net/webdocs/casestudies/APPNOTE.TXT>): reports of
//! workbooks it refuses or "repairs" (Apache Commons Compress COMPRESS-474 and COMPRESS-565,
//! <https://issues.apache.org/jira/browse/COMPRESS-565>, which added
//! `Zip64Mode.AlwaysWithCompatibility` for Excel and PowerShell's Expand-Archive; SharpCompress
//! pull request 601, "Excel and LibreOffice fail to open an XLSX … when using ZIP64") give the
//! rules followed here:
//! 1. No Zip64 record unless a value really does not fit its 32-bit field: an entry's local
//!    header reserves Zip64 sizes only when a bound of its sizes (computed before writing,
//!    since the header comes first) reaches 4 GiB; the bound of a sheet is the exact length
//!    of its fixed XML plus, per cell, the worst case of escaping its text (see
//!    `sheet_rows::cell_bound`), so a full 1,048,575-row sheet of ordinary findings stays far
//!    below it. The Zip64 end records are written only when the central directory's count,
//!    size or offset overflows.
//! 2. A Zip64 extra field holds only the values whose 32-bit field is 0xFFFFFFFF, in
//!    APPNOTE's order (size, compressed size, header offset; 4.5.3): in particular the
//!    central record carries the header offset in it only when the offset passes 4 GiB.
//! 3. The local Zip64 extra holds both sizes (APPNOTE 4.5.3), and an entry whose local header
//!    has a Zip64 extra has one in its central record too, with both sizes (COMPRESS-565).
//! 4. Local header and central record agree on version needed (45 when the entry uses Zip64
//!    or starts past 4 GiB, else 20), flags, method, CRC and sizes; no data descriptors.

use std::io::{self, Seek, SeekFrom, Write};

/// DOS date of 1980-01-01 (what rust_xlsxwriter stamps too: reproducible output).
const DOS_DATE: u16 = (1 << 5) | 1;
const MAX32: u64 = u32::MAX as u64;

/// The last block of a deflate stream made of sync-flushed pieces: an empty final block.
pub const FINAL_BLOCK: [u8; 2] = [0x03, 0x00];

/// An upper bound of the deflate stream of `plain` bytes compressed in `pieces` sync-flushed
/// pieces: zlib's (and zlib-rs's) `deflateBound` per piece (a block that would grow is
/// stored instead: 5 bytes per 16 KiB at worst), plus the flush and final blocks.
pub fn deflated_bound(plain: u64, pieces: u64) -> u64 {
    plain + (plain >> 12) + (plain >> 14) + (plain >> 25) + 13 * pieces + 16
}

struct Entry {
    name: String,
    method: u16,
    crc: u32,
    compressed: u64,
    size: u64,
    offset: u64,
    /// The local header has a Zip64 extra (sizes reserved or needed).
    local_zip64: bool,
}

impl Entry {
    /// The sizes go in the central record's Zip64 extra (rule 3 above).
    fn sizes_in_extra(&self) -> bool {
        self.local_zip64 || self.compressed >= MAX32 || self.size >= MAX32
    }

    fn offset_in_extra(&self) -> bool {
        self.offset >= MAX32
    }

    /// Version needed to extract, the same in the local header and the central record.
    fn version_needed(&self) -> u16 {
        if self.sizes_in_extra() || self.offset_in_extra() {
            45
        } else {
            20
        }
    }
}

/// Writes entries one after another, then the central directory.
pub struct PackageWriter<W: Write + Seek> {
    out: W,
    entries: Vec<Entry>,
    position: u64,
}

/// An entry being written in pieces; finish it with [`PackageWriter::end_entry`].
pub struct OpenEntry {
    header_at: u64,
    large: bool,
    crc: crc32fast::Hasher,
    compressed: u64,
    size: u64,
}

impl<W: Write + Seek> PackageWriter<W> {
    pub fn new(mut out: W) -> io::Result<Self> {
        let position = out.stream_position()?;
        Ok(PackageWriter {
            out,
            entries: Vec::new(),
            position,
        })
    }

    fn put(&mut self, bytes: &[u8]) -> io::Result<()> {
        self.out.write_all(bytes)?;
        self.position += bytes.len() as u64;
        Ok(())
    }

    /// The local header of `e`: 32-bit sizes, or 0xFFFFFFFF and a Zip64 extra with both.
    fn local_header(&mut self, e: &Entry) -> io::Result<()> {
        let mut h = Vec::with_capacity(64 + e.name.len());
        h.extend_from_slice(&0x0403_4b50u32.to_le_bytes());
        h.extend_from_slice(&e.version_needed().to_le_bytes());
        h.extend_from_slice(&0u16.to_le_bytes()); // flags
        h.extend_from_slice(&e.method.to_le_bytes());
        h.extend_from_slice(&0u16.to_le_bytes()); // time
        h.extend_from_slice(&DOS_DATE.to_le_bytes());
        h.extend_from_slice(&e.crc.to_le_bytes());
        if e.local_zip64 {
            h.extend_from_slice(&u32::MAX.to_le_bytes());
            h.extend_from_slice(&u32::MAX.to_le_bytes());
        } else {
            h.extend_from_slice(&(e.compressed as u32).to_le_bytes());
            h.extend_from_slice(&(e.size as u32).to_le_bytes());
        }
        h.extend_from_slice(&(e.name.len() as u16).to_le_bytes());
        h.extend_from_slice(&(if e.local_zip64 { 20u16 } else { 0 }).to_le_bytes());
        h.extend_from_slice(e.name.as_bytes());
        if e.local_zip64 {
            h.extend_from_slice(&1u16.to_le_bytes());
            h.extend_from_slice(&16u16.to_le_bytes());
            h.extend_from_slice(&e.size.to_le_bytes());
            h.extend_from_slice(&e.compressed.to_le_bytes());
        }
        self.put(&h)
    }

    /// Adds an entry whose compressed bytes, CRC and sizes are known (a raw copy).
    pub fn copy_entry(
        &mut self,
        name: &str,
        method: u16,
        crc: u32,
        size: u64,
        data: &mut impl io::Read,
        compressed: u64,
    ) -> io::Result<()> {
        let entry = Entry {
            name: name.to_string(),
            method,
            crc,
            compressed,
            size,
            offset: self.position,
            local_zip64: compressed >= MAX32 || size >= MAX32,
        };
        self.local_header(&entry)?;
        let copied = io::copy(data, &mut self.out)?;
        if copied != compressed {
            return Err(io::Error::other(format!(
                "{name}: copied {copied} of {compressed} bytes"
            )));
        }
        self.position += copied;
        self.entries.push(entry);
        Ok(())
    }

    /// Starts a deflated entry written in pieces. `plain_bound` bounds the uncompressed bytes
    /// and `pieces` the number of pieces: Zip64 sizes are reserved in the local header only
    /// if the entry could reach 4 GiB (decided now, since the header comes first).
    pub fn begin_entry(
        &mut self,
        name: &str,
        plain_bound: u64,
        pieces: u64,
    ) -> io::Result<OpenEntry> {
        let header_at = self.position;
        let large = deflated_bound(plain_bound, pieces).max(plain_bound) >= MAX32;
        let entry = Entry {
            name: name.to_string(),
            method: 8,
            crc: 0,
            compressed: 0,
            size: 0,
            offset: header_at,
            local_zip64: large,
        };
        self.local_header(&entry)?;
        self.entries.push(entry);
        Ok(OpenEntry {
            header_at,
            large,
            crc: crc32fast::Hasher::new(),
            compressed: 0,
            size: 0,
        })
    }

    /// Appends a piece: `deflated` is a sync-flushed deflate stream of `plain_len` bytes with
    /// CRC-32 `plain_crc`.
    pub fn write_piece(
        &mut self,
        open: &mut OpenEntry,
        deflated: &[u8],
        plain_crc: u32,
        plain_len: u64,
    ) -> io::Result<()> {
        self.put(deflated)?;
        open.crc.combine(&crc32fast::Hasher::new_with_initial_len(
            plain_crc, plain_len,
        ));
        open.compressed += deflated.len() as u64;
        open.size += plain_len;
        Ok(())
    }

    /// Closes the deflate stream and fills in the header.
    pub fn end_entry(&mut self, open: OpenEntry) -> io::Result<()> {
        self.put(&FINAL_BLOCK)?;
        let compressed = open.compressed + FINAL_BLOCK.len() as u64;
        if !open.large && (compressed >= MAX32 || open.size >= MAX32) {
            return Err(io::Error::other(
                "a sheet passed 4 GiB without Zip64 sizes reserved (its size bound was wrong)",
            ));
        }
        let crc = open.crc.finalize();
        let entry = self
            .entries
            .last_mut()
            .ok_or_else(|| io::Error::other("no entry open"))?;
        entry.crc = crc;
        entry.compressed = compressed;
        entry.size = open.size;
        // CRC at 14; 32-bit sizes at 18, or Zip64 sizes after the name.
        let name_len = entry.name.len() as u64;
        let mut fields = Vec::with_capacity(16);
        fields.extend_from_slice(&crc.to_le_bytes());
        if !open.large {
            fields.extend_from_slice(&(compressed as u32).to_le_bytes());
            fields.extend_from_slice(&(open.size as u32).to_le_bytes());
        }
        self.out.seek(SeekFrom::Start(open.header_at + 14))?;
        self.out.write_all(&fields)?;
        if open.large {
            self.out
                .seek(SeekFrom::Start(open.header_at + 30 + name_len + 4))?;
            self.out.write_all(&open.size.to_le_bytes())?;
            self.out.write_all(&compressed.to_le_bytes())?;
        }
        self.out.seek(SeekFrom::Start(self.position))?;
        Ok(())
    }

    /// Writes the central directory and the end records.
    pub fn finish(mut self) -> io::Result<W> {
        let cd_start = self.position;
        let entries = std::mem::take(&mut self.entries);
        for e in &entries {
            let (sizes, offset) = (e.sizes_in_extra(), e.offset_in_extra());
            let mut extra = Vec::new();
            if sizes || offset {
                // Only the fields whose 32-bit value below is 0xFFFFFFFF, in this order.
                let mut fields = Vec::new();
                if sizes {
                    fields.extend_from_slice(&e.size.to_le_bytes());
                    fields.extend_from_slice(&e.compressed.to_le_bytes());
                }
                if offset {
                    fields.extend_from_slice(&e.offset.to_le_bytes());
                }
                extra.extend_from_slice(&1u16.to_le_bytes());
                extra.extend_from_slice(&(fields.len() as u16).to_le_bytes());
                extra.extend_from_slice(&fields);
            }
            let version = e.version_needed();
            let mut h = Vec::with_capacity(64 + e.name.len());
            h.extend_from_slice(&0x0201_4b50u32.to_le_bytes());
            h.extend_from_slice(&version.to_le_bytes()); // made by (MS-DOS)
            h.extend_from_slice(&version.to_le_bytes()); // needed
            h.extend_from_slice(&0u16.to_le_bytes());
            h.extend_from_slice(&e.method.to_le_bytes());
            h.extend_from_slice(&0u16.to_le_bytes());
            h.extend_from_slice(&DOS_DATE.to_le_bytes());
            h.extend_from_slice(&e.crc.to_le_bytes());
            let size = |v: u64| if sizes { u32::MAX } else { v as u32 };
            h.extend_from_slice(&size(e.compressed).to_le_bytes());
            h.extend_from_slice(&size(e.size).to_le_bytes());
            h.extend_from_slice(&(e.name.len() as u16).to_le_bytes());
            h.extend_from_slice(&(extra.len() as u16).to_le_bytes());
            h.extend_from_slice(&[0; 6]); // comment length, disk, internal attributes
            h.extend_from_slice(&0u32.to_le_bytes()); // external attributes
            let at = if offset { u32::MAX } else { e.offset as u32 };
            h.extend_from_slice(&at.to_le_bytes());
            h.extend_from_slice(e.name.as_bytes());
            h.extend_from_slice(&extra);
            self.put(&h)?;
        }
        let cd_size = self.position - cd_start;
        let count = entries.len() as u64;
        let zip64 = count >= 0xFFFF || cd_start >= MAX32 || cd_size >= MAX32;
        if zip64 {
            let record_at = self.position;
            let mut r = Vec::with_capacity(76);
            r.extend_from_slice(&0x0606_4b50u32.to_le_bytes());
            r.extend_from_slice(&44u64.to_le_bytes());
            r.extend_from_slice(&45u16.to_le_bytes());
            r.extend_from_slice(&45u16.to_le_bytes());
            r.extend_from_slice(&[0; 8]); // this disk, disk of the directory
            r.extend_from_slice(&count.to_le_bytes());
            r.extend_from_slice(&count.to_le_bytes());
            r.extend_from_slice(&cd_size.to_le_bytes());
            r.extend_from_slice(&cd_start.to_le_bytes());
            r.extend_from_slice(&0x0706_4b50u32.to_le_bytes());
            r.extend_from_slice(&0u32.to_le_bytes());
            r.extend_from_slice(&record_at.to_le_bytes());
            r.extend_from_slice(&1u32.to_le_bytes());
            self.put(&r)?;
        }
        // Each field that overflows is 0xFFFF(FFFF) and read from the Zip64 record (4.4.1.4).
        let mut end = Vec::with_capacity(22);
        end.extend_from_slice(&0x0605_4b50u32.to_le_bytes());
        end.extend_from_slice(&[0; 4]);
        let short = u16::try_from(count).unwrap_or(u16::MAX);
        end.extend_from_slice(&short.to_le_bytes());
        end.extend_from_slice(&short.to_le_bytes());
        let narrow = |v: u64| if v >= MAX32 { u32::MAX } else { v as u32 };
        end.extend_from_slice(&narrow(cd_size).to_le_bytes());
        end.extend_from_slice(&narrow(cd_start).to_le_bytes());
        end.extend_from_slice(&0u16.to_le_bytes());
        self.put(&end)?;
        self.out.flush()?;
        Ok(self.out)
    }
}

/// Deflates `plain` at level 1 into a sync-flushed piece (no final block), appended to `out`.
pub fn deflate_piece(plain: &[u8], out: Vec<u8>) -> io::Result<Vec<u8>> {
    use flate2::{Compress, Compression};
    thread_local! {
        /// A compressor per thread, reset between pieces: a new one allocates and clears
        /// its window and hash tables (about 300 kB) for every chunk of rows.
        static COMPRESS: std::cell::RefCell<Option<Compress>> =
            const { std::cell::RefCell::new(None) };
    }
    COMPRESS.with(|cell| {
        let mut cell = cell.borrow_mut();
        let compress = cell.get_or_insert_with(|| Compress::new(Compression::new(1), false));
        // Reset, the stream starts afresh: its output is that of a new compressor.
        compress.reset();
        deflate_with(compress, plain, out)
    })
}

fn deflate_with(
    compress: &mut flate2::Compress,
    plain: &[u8],
    mut out: Vec<u8>,
) -> io::Result<Vec<u8>> {
    use flate2::FlushCompress;
    out.reserve(plain.len() / 4 + 4096);
    loop {
        if out.capacity() - out.len() < 4096 {
            out.reserve(out.capacity().max(1 << 16));
        }
        let consumed = compress.total_in() as usize;
        compress
            .compress_vec(&plain[consumed..], &mut out, FlushCompress::Sync)
            .map_err(io::Error::other)?;
        // The flush is complete once all input is taken and output space was left over.
        if compress.total_in() as usize == plain.len() && out.len() < out.capacity() {
            return Ok(out);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::{Cursor, Read};

    fn piece(plain: &[u8]) -> (Vec<u8>, u32) {
        (
            deflate_piece(plain, Vec::new()).unwrap(),
            crc32fast::hash(plain),
        )
    }

    #[test]
    fn pieces_make_one_entry_that_the_zip_crate_reads_back() {
        let mut w = PackageWriter::new(Cursor::new(Vec::new())).unwrap();
        let mut source = Cursor::new(b"stored bytes".to_vec());
        w.copy_entry(
            "a.txt",
            0,
            crc32fast::hash(b"stored bytes"),
            12,
            &mut source,
            12,
        )
        .unwrap();
        for large in [false, true] {
            let name = format!("sheet-{large}.xml");
            let bound = if large { u32::MAX as u64 } else { 200_010 };
            let mut open = w.begin_entry(&name, bound, 3).unwrap();
            let parts: [&[u8]; 3] = [b"<a>", &b"row ".repeat(50_000), b"</a>"];
            for p in parts {
                let (d, crc) = piece(p);
                w.write_piece(&mut open, &d, crc, p.len() as u64).unwrap();
            }
            w.end_entry(open).unwrap();
        }
        let bytes = w.finish().unwrap().into_inner();
        let mut zip = zip::ZipArchive::new(Cursor::new(bytes)).unwrap();
        assert_eq!(zip.len(), 3);
        let mut text = String::new();
        zip.by_name("a.txt")
            .unwrap()
            .read_to_string(&mut text)
            .unwrap();
        assert_eq!(text, "stored bytes");
        for large in [false, true] {
            let mut xml = String::new();
            zip.by_name(&format!("sheet-{large}.xml"))
                .unwrap()
                .read_to_string(&mut xml)
                .unwrap(); // the zip crate checks the CRC at the end
            assert_eq!(xml.len(), 3 + 4 * 50_000 + 4);
            assert!(xml.starts_with("<a>row row") && xml.ends_with("row </a>"));
        }
    }

    #[test]
    fn an_entry_without_reserved_zip64_refuses_to_pass_4_gib() {
        let mut w = PackageWriter::new(Cursor::new(Vec::new())).unwrap();
        let mut open = w.begin_entry("x", 1 << 20, 1).unwrap();
        // Claim a 5 GiB plain size (the check is on the sizes, not on real bytes).
        w.write_piece(&mut open, &[0x00, 0x00, 0x00, 0xff, 0xff], 0, 5 << 30)
            .unwrap();
        assert!(w.end_entry(open).is_err());
    }

    /// A central record: name, version needed, 32-bit compressed size, size and offset, extra.
    type Central = (String, u16, u32, u32, u32, Vec<u8>);

    /// The central records of a package, and whether Zip64 end records precede the end record.
    fn central(bytes: &[u8]) -> (Vec<Central>, bool) {
        let u16_at = |i: usize| u16::from_le_bytes([bytes[i], bytes[i + 1]]);
        let u32_at = |i: usize| u32::from_le_bytes(bytes[i..i + 4].try_into().unwrap());
        let end = bytes.len() - 22;
        assert_eq!(u32_at(end), 0x0605_4b50);
        let zip64_end = end >= 20 && u32_at(end - 20) == 0x0706_4b50;
        let mut at = u32_at(end + 16) as usize;
        let mut records = Vec::new();
        for _ in 0..u16_at(end + 10) {
            assert_eq!(u32_at(at), 0x0201_4b50);
            let (name_len, extra_len) = (u16_at(at + 28) as usize, u16_at(at + 30) as usize);
            let name = String::from_utf8(bytes[at + 46..at + 46 + name_len].to_vec()).unwrap();
            let extra = bytes[at + 46 + name_len..at + 46 + name_len + extra_len].to_vec();
            records.push((
                name,
                u16_at(at + 6),
                u32_at(at + 20),
                u32_at(at + 24),
                u32_at(at + 42),
                extra,
            ));
            at += 46 + name_len + extra_len;
        }
        (records, zip64_end)
    }

    #[test]
    fn zip64_only_where_needed_and_in_the_shapes_excel_reads() {
        let mut w = PackageWriter::new(Cursor::new(Vec::new())).unwrap();
        for (name, bound) in [("small.xml", 1_000u64), ("reserved.xml", 5 << 30)] {
            let mut open = w.begin_entry(name, bound, 1).unwrap();
            let (d, crc) = piece(b"<a/>");
            w.write_piece(&mut open, &d, crc, 4).unwrap();
            w.end_entry(open).unwrap();
        }
        let bytes = w.finish().unwrap().into_inner();
        let (records, zip64_end) = central(&bytes);
        assert!(!zip64_end, "no Zip64 end records for a small package");
        // An ordinary entry: no extra field anywhere, version 2.0.
        let (_, version, _, _, offset, extra) = &records[0];
        assert_eq!((*version, extra.len()), (20, 0));
        assert_eq!(
            &bytes[*offset as usize + 4..*offset as usize + 6],
            &20u16.to_le_bytes()
        );
        assert_eq!(&bytes[28..30], &0u16.to_le_bytes(), "no local extra");
        // Sizes reserved in the local header: the central record has them too, without the
        // header offset (which fits in 32 bits).
        let (_, version, compressed, size, offset, extra) = &records[1];
        assert_eq!((*version, *compressed, *size), (45, u32::MAX, u32::MAX));
        assert_eq!(extra.len(), 4 + 16);
        assert_eq!(&extra[..4], &[1, 0, 16, 0]);
        assert_eq!(u64::from_le_bytes(extra[4..12].try_into().unwrap()), 4);
        let local = *offset as usize;
        assert_eq!(&bytes[local + 4..local + 6], &45u16.to_le_bytes());
        assert_eq!(&bytes[local + 18..local + 26], &[0xff; 8]);
        let name_len = "reserved.xml".len();
        assert_eq!(
            &bytes[local + 30 + name_len..local + 30 + name_len + 4],
            &[1, 0, 16, 0]
        );
        assert_eq!(
            &bytes[local + 30 + name_len + 4..local + 30 + name_len + 20],
            &extra[4..20],
            "local and central sizes agree"
        );
        let mut zip = zip::ZipArchive::new(Cursor::new(bytes)).unwrap();
        let mut xml = String::new();
        zip.by_name("reserved.xml")
            .unwrap()
            .read_to_string(&mut xml)
            .unwrap();
        assert_eq!(xml, "<a/>");
    }

    #[test]
    fn an_entry_past_4_gib_has_only_its_offset_in_the_central_extra() {
        // A sparse file: the package starts 5 GiB in, as if after a big sheet.
        let mut file = tempfile::tempfile().unwrap();
        file.seek(SeekFrom::Start(5 << 30)).unwrap();
        let mut w = PackageWriter::new(file).unwrap();
        let mut open = w.begin_entry("late.xml", 100, 1).unwrap();
        let (d, crc) = piece(b"<b/>");
        w.write_piece(&mut open, &d, crc, 4).unwrap();
        w.end_entry(open).unwrap();
        let mut file = w.finish().unwrap();
        let len = file.seek(SeekFrom::End(0)).unwrap();
        let mut tail = Vec::new();
        file.seek(SeekFrom::Start(5 << 30)).unwrap();
        file.read_to_end(&mut tail).unwrap();
        assert_eq!(tail.len() as u64, len - (5 << 30));
        // The end records hold offsets past 4 GiB: read the central records from the Zip64 end.
        let zip64_end_at = tail.len() - 22 - 20 - 56;
        assert_eq!(
            &tail[zip64_end_at..zip64_end_at + 4],
            &0x0606_4b50u32.to_le_bytes()
        );
        let cd = u64::from_le_bytes(
            tail[zip64_end_at + 48..zip64_end_at + 56]
                .try_into()
                .unwrap(),
        );
        let at = (cd - (5 << 30)) as usize;
        assert_eq!(&tail[at..at + 4], &0x0201_4b50u32.to_le_bytes());
        assert_eq!(&tail[at + 6..at + 8], &45u16.to_le_bytes());
        assert_ne!(&tail[at + 20..at + 24], &[0xff; 4], "sizes stay 32-bit");
        assert_eq!(&tail[at + 42..at + 46], &[0xff; 4]);
        let name_len = "late.xml".len();
        let extra = &tail[at + 46 + name_len..at + 46 + name_len + 12];
        assert_eq!(&extra[..4], &[1, 0, 8, 0], "the offset alone");
        assert_eq!(
            u64::from_le_bytes(extra[4..12].try_into().unwrap()),
            5 << 30
        );
        assert_eq!(&tail[4..6], &45u16.to_le_bytes(), "local version agrees");
        assert_eq!(&tail[28..30], &0u16.to_le_bytes(), "no local extra");
        // The 32-bit end record marks what overflowed: not the count.
        let end = &tail[tail.len() - 22..];
        assert_eq!(&end[10..12], &1u16.to_le_bytes());
        assert_eq!(&end[16..20], &[0xff; 4]);
    }
}
