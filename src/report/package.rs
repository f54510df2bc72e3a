//! A minimal zip (OPC package) writer for the workbook: entries copied as they are from
//! rust_xlsxwriter's package, and entries whose deflate stream was compressed in parallel.
//!
//! Why not the zip crate's writer: it compresses an entry on one thread, and it has no way
//! to add an entry from raw deflate data. The big sheets are compressed pigz-style instead:
//! each chunk of rows is deflated on its own (ending on a byte boundary with a sync flush),
//! the pieces are concatenated, and one empty final block closes the stream; the CRC-32s of
//! the pieces are combined. Zip64 fields are written where sizes or offsets need them.

use std::io::{self, Seek, SeekFrom, Write};

/// DOS date of 1980-01-01 (what rust_xlsxwriter stamps too: reproducible output).
const DOS_DATE: u16 = (1 << 5) | 1;
const MAX32: u64 = u32::MAX as u64;

/// The last block of a deflate stream made of sync-flushed pieces: an empty final block.
pub const FINAL_BLOCK: [u8; 2] = [0x03, 0x00];

struct Entry {
    name: String,
    method: u16,
    crc: u32,
    compressed: u64,
    size: u64,
    offset: u64,
}

impl Entry {
    fn zip64(&self) -> bool {
        self.compressed >= MAX32 || self.size >= MAX32 || self.offset >= MAX32
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

    fn local_header(&mut self, e: &Entry, large: bool) -> io::Result<()> {
        let mut h = Vec::with_capacity(64 + e.name.len());
        h.extend_from_slice(&0x0403_4b50u32.to_le_bytes());
        h.extend_from_slice(&(if large { 45u16 } else { 20 }).to_le_bytes());
        h.extend_from_slice(&0u16.to_le_bytes()); // flags
        h.extend_from_slice(&e.method.to_le_bytes());
        h.extend_from_slice(&0u16.to_le_bytes()); // time
        h.extend_from_slice(&DOS_DATE.to_le_bytes());
        h.extend_from_slice(&e.crc.to_le_bytes());
        if large {
            h.extend_from_slice(&u32::MAX.to_le_bytes());
            h.extend_from_slice(&u32::MAX.to_le_bytes());
        } else {
            h.extend_from_slice(&(e.compressed as u32).to_le_bytes());
            h.extend_from_slice(&(e.size as u32).to_le_bytes());
        }
        h.extend_from_slice(&(e.name.len() as u16).to_le_bytes());
        h.extend_from_slice(&(if large { 20u16 } else { 0 }).to_le_bytes());
        h.extend_from_slice(e.name.as_bytes());
        if large {
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
        };
        let large = compressed >= MAX32 || size >= MAX32;
        self.local_header(&entry, large)?;
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

    /// Starts a deflated entry written in pieces. `large` reserves Zip64 sizes (needed when
    /// the entry may reach 4 GiB; decided before writing, since the header comes first).
    pub fn begin_entry(&mut self, name: &str, large: bool) -> io::Result<OpenEntry> {
        let header_at = self.position;
        let entry = Entry {
            name: name.to_string(),
            method: 8,
            crc: 0,
            compressed: 0,
            size: 0,
            offset: header_at,
        };
        self.local_header(&entry, large)?;
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
                "a sheet passed 4 GiB without Zip64 sizes reserved",
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
            let zip64 = e.zip64();
            let mut extra = Vec::new();
            if zip64 {
                // Every 32-bit field below is then 0xFFFFFFFF, so all three are here, in order.
                let mut fields = Vec::new();
                fields.extend_from_slice(&e.size.to_le_bytes());
                fields.extend_from_slice(&e.compressed.to_le_bytes());
                fields.extend_from_slice(&e.offset.to_le_bytes());
                extra.extend_from_slice(&1u16.to_le_bytes());
                extra.extend_from_slice(&(fields.len() as u16).to_le_bytes());
                extra.extend_from_slice(&fields);
            }
            let mut h = Vec::with_capacity(64 + e.name.len());
            h.extend_from_slice(&0x0201_4b50u32.to_le_bytes());
            h.extend_from_slice(&(if zip64 { 45u16 } else { 20 }).to_le_bytes()); // made by
            h.extend_from_slice(&(if zip64 { 45u16 } else { 20 }).to_le_bytes()); // needed
            h.extend_from_slice(&0u16.to_le_bytes());
            h.extend_from_slice(&e.method.to_le_bytes());
            h.extend_from_slice(&0u16.to_le_bytes());
            h.extend_from_slice(&DOS_DATE.to_le_bytes());
            h.extend_from_slice(&e.crc.to_le_bytes());
            let narrow = |v: u64| if zip64 { u32::MAX } else { v as u32 };
            h.extend_from_slice(&narrow(e.compressed).to_le_bytes());
            h.extend_from_slice(&narrow(e.size).to_le_bytes());
            h.extend_from_slice(&(e.name.len() as u16).to_le_bytes());
            h.extend_from_slice(&(extra.len() as u16).to_le_bytes());
            h.extend_from_slice(&[0; 6]); // comment length, disk, internal attributes
            h.extend_from_slice(&0u32.to_le_bytes()); // external attributes
            h.extend_from_slice(&narrow(e.offset).to_le_bytes());
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
        let mut end = Vec::with_capacity(22);
        end.extend_from_slice(&0x0605_4b50u32.to_le_bytes());
        end.extend_from_slice(&[0; 4]);
        let short = |v: u64| if zip64 { 0xFFFF } else { v as u16 };
        end.extend_from_slice(&short(count).to_le_bytes());
        end.extend_from_slice(&short(count).to_le_bytes());
        let narrow = |v: u64| if zip64 { u32::MAX } else { v as u32 };
        end.extend_from_slice(&narrow(cd_size).to_le_bytes());
        end.extend_from_slice(&narrow(cd_start).to_le_bytes());
        end.extend_from_slice(&0u16.to_le_bytes());
        self.put(&end)?;
        self.out.flush()?;
        Ok(self.out)
    }
}

/// Deflates `plain` at level 1 into a sync-flushed piece (no final block), appended to `out`.
pub fn deflate_piece(plain: &[u8], mut out: Vec<u8>) -> io::Result<Vec<u8>> {
    use flate2::{Compress, Compression, FlushCompress};
    let mut compress = Compress::new(Compression::new(1), false);
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
            let mut open = w.begin_entry(&name, large).unwrap();
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
        let mut open = w.begin_entry("x", false).unwrap();
        // Claim a 5 GiB plain size (the check is on the sizes, not on real bytes).
        w.write_piece(&mut open, &[0x00, 0x00, 0x00, 0xff, 0xff], 0, 5 << 30)
            .unwrap();
        assert!(w.end_entry(open).is_err());
    }
}
