//! Cuts an input stream into blocks of whole records, so blocks can be parsed in parallel.
//!
//! The stream is read in fixed-size pieces (never the whole file), transcoded to UTF-8 when the
//! file is UTF-16 or Windows-1252, and cut at the last record boundary in the buffer:
//! an empty line for LDIF; for csvde a newline outside quotes, found from the parity of the
//! `"` count (RFC 4180 doubles embedded quotes, so parity is exact for well-formed rows).
//! A record that grows past `max_record` bytes, or a quote that never closes, is rejected with
//! its line number and skipped, so one broken record can't stall or exhaust the reader.

use super::encoding::Format;
use super::table::Rejection;
use memchr::{memchr, memchr2, memmem, memrchr, memrchr2};
use std::io::{self, Read};
use std::sync::Arc;

/// Size of one read from the input.
const READ_SIZE: usize = 4 << 20;

/// A run of whole records.
pub struct Block {
    /// Shared with the hashing thread when it hashes the blocks themselves (see
    /// [`BlockReader::start_digest`]); whoever is done with it last hands it back for reuse.
    pub data: Arc<Vec<u8>>,
    /// Line number (1-based) of the block's first line in the file, less the lines of the
    /// blocks before it: the reader counts only the lines it takes itself (a header, a record
    /// it skips). The scanners count a block's lines as they read it, and the merge, which
    /// takes the blocks in order, adds the earlier blocks' lines. A count of every block's
    /// newlines here, on the reader thread, was a pass over the whole input (`perf`: 2.7 % of
    /// the cycles of reading the 1M field LDIF file).
    pub first_line: u64,
    /// Records the reader itself had to skip before this block; their lines are counted as
    /// `first_line` is.
    pub rejections: Vec<Rejection>,
}

/// Reads blocks of whole records from a stream.
pub struct BlockReader<R> {
    input: R,
    decoder: Option<encoding_rs::Decoder>,
    raw: Vec<u8>,
    pending: Vec<u8>,
    eof: bool,
    format: Format,
    /// 1 + the newlines the reader took itself (see [`Block::first_line`]).
    next_line: u64,
    block_size: usize,
    want: usize,
    max_record: usize,
    rejections: Vec<Rejection>,
    /// Bytes taken from the input so far.
    pub bytes_read: u64,
    /// Characters the decoder replaced because the input was not valid in its encoding.
    pub replacements: u64,
    /// Buffers of parsed blocks, handed back for reuse: fresh multi-megabyte allocations cost
    /// page faults and zeroing in the kernel on every block.
    spare: Vec<Vec<u8>>,
    /// Digest of every byte taken from the input, when asked for (the workbook records it).
    digest: Option<Digest>,
    /// Shared byte counter for progress reporting.
    pub progress: Option<std::sync::Arc<std::sync::atomic::AtomicU64>>,
}

impl<R: Read> BlockReader<R> {
    /// `prefix` holds bytes already read from `input` (after any byte-order mark).
    pub fn new(
        input: R,
        prefix: &[u8],
        decoder: Option<encoding_rs::Decoder>,
        format: Format,
        block_size: usize,
        max_record: usize,
    ) -> BlockReader<R> {
        let mut reader = BlockReader {
            input,
            decoder,
            raw: Vec::new(),
            pending: Vec::with_capacity(block_size + READ_SIZE),
            eof: false,
            format,
            next_line: 1,
            block_size: block_size.max(1),
            want: block_size.max(1),
            max_record: max_record.max(1024),
            rejections: Vec::new(),
            bytes_read: 0,
            replacements: 0,
            spare: Vec::new(),
            digest: None,
            progress: None,
        };
        reader.push_input(prefix, false);
        reader
    }

    /// Has the reader work out the SHA-256 of its input. `sample` is what was read before the
    /// reader was made, of which `sample[bom_len..]` was given to it as its first text.
    ///
    /// Without transcoding, the hashing thread is handed each block itself (and a copy of the
    /// little the reader drops: a header, a skipped record), not a copy of every read: copying
    /// the reads was 7 % of a full run's samples on the 1M default LDIF file (`perf`).
    pub fn start_digest(&mut self, sample: &[u8], bom_len: usize) {
        self.digest = Some(if self.decoder.is_none() {
            let mut digest = DigestFeed::start(DIGEST_BLOCKS_IN_FLIGHT);
            digest.feed(&sample[..bom_len.min(sample.len())]);
            Digest::OfText(digest)
        } else {
            let mut digest = DigestFeed::start(DIGEST_PIECES_IN_FLIGHT);
            digest.feed(sample);
            Digest::OfReads(digest)
        });
    }

    /// The digest of all the input, once it is all read; `None` if no digest was asked for or
    /// hashing failed.
    pub fn finish_digest(&mut self) -> Option<String> {
        match self.digest.take()? {
            Digest::OfReads(digest) | Digest::OfText(digest) => digest.finish(),
        }
    }

    /// The decoded text read so far (at least the first read), for format detection.
    pub fn peek(&mut self, at_least: usize) -> io::Result<&[u8]> {
        while !self.eof && self.pending.len() < at_least {
            self.fill_once()?;
        }
        Ok(&self.pending[..self.pending.len().min(at_least)])
    }

    /// Reads the rest of the input without keeping it (its bytes still reach the digest and the
    /// progress count); whether all of the text left was blank (ASCII whitespace).
    pub fn read_rest(&mut self) -> io::Result<bool> {
        let mut blank = true;
        loop {
            blank &= self.pending.iter().all(u8::is_ascii_whitespace);
            self.dropping(self.pending.len());
            self.pending.clear();
            if self.eof {
                return Ok(blank);
            }
            self.fill_once()?;
        }
    }

    pub fn set_format(&mut self, format: Format) {
        self.format = format;
    }

    /// Removes the first record (the csvde header) and returns it.
    pub fn take_first_record(&mut self) -> io::Result<Vec<u8>> {
        loop {
            if let Some(end) = first_csv_row_end(&self.pending) {
                self.dropping(end);
                let header: Vec<u8> = self.pending.drain(..end).collect();
                self.next_line += bytecount::count(&header, b'\n') as u64;
                return Ok(header);
            }
            if self.eof || self.pending.len() > self.max_record {
                self.dropping(self.pending.len());
                let header = std::mem::take(&mut self.pending);
                self.next_line += bytecount::count(&header, b'\n') as u64;
                return Ok(header);
            }
            self.fill_once()?;
        }
    }

    /// The next block, or `None` at the end of the input.
    pub fn next_block(&mut self) -> io::Result<Option<Block>> {
        loop {
            while !self.eof && self.pending.len() < self.want {
                self.fill_once()?;
            }
            if self.pending.is_empty() {
                if self.eof {
                    return Ok(if self.rejections.is_empty() {
                        None
                    } else {
                        Some(self.emit(Vec::new()))
                    });
                }
                continue;
            }
            // At the end of the input a small remainder goes out whole; a csvde remainder with
            // an odd quote count holds an unterminated quote and takes the search below.
            let balanced = !self.eof
                || self.format == Format::Ldif
                || bytecount::count(&self.pending, b'"') % 2 == 0;
            if self.eof && balanced && self.pending.len() <= self.block_size {
                let data = std::mem::take(&mut self.pending);
                return Ok(Some(self.emit(data)));
            }
            match self.boundary() {
                Some(end) => {
                    self.take_back_hashed();
                    let mut rest = self.spare.pop().unwrap_or_default();
                    rest.clear();
                    rest.reserve(self.block_size + READ_SIZE);
                    rest.extend_from_slice(&self.pending[end..]);
                    let mut data = std::mem::replace(&mut self.pending, rest);
                    data.truncate(end);
                    return Ok(Some(self.emit(data)));
                }
                None if self.pending.len() >= self.max_record => self.oversize()?,
                None if self.eof && balanced => {
                    let data = std::mem::take(&mut self.pending);
                    return Ok(Some(self.emit(data)));
                }
                // The remainder starts at a row boundary, so its first line opened the quote.
                None if self.eof => self.drop_first_line(
                    "unterminated quoted field: its closing quote is missing, so it would run to \
                     the end of the file; this line was skipped"
                        .into(),
                ),
                None => self.want = self.pending.len() + self.block_size,
            }
        }
    }

    /// Returns a parsed block's buffer for reuse (kept if the hashing thread is done with it
    /// too; otherwise it comes back from there).
    pub fn recycle(&mut self, buffer: Arc<Vec<u8>>) {
        keep_spare(&mut self.spare, self.block_size, buffer);
    }

    /// Takes back the blocks the hashing thread is done with.
    fn take_back_hashed(&mut self) {
        if let Some(Digest::OfText(digest)) = &self.digest {
            for buffer in digest.finished() {
                keep_spare(&mut self.spare, self.block_size, buffer);
            }
        }
    }

    /// The first `end` bytes of the text are leaving other than in a block: the digest takes
    /// them here when it takes the text.
    fn dropping(&mut self, end: usize) {
        if let Some(Digest::OfText(digest)) = &mut self.digest {
            digest.feed(&self.pending[..end]);
        }
    }

    fn emit(&mut self, data: Vec<u8>) -> Block {
        let first_line = self.next_line;
        self.want = self.block_size;
        let data = Arc::new(data);
        if let Some(Digest::OfText(digest)) = &mut self.digest {
            if !data.is_empty() {
                digest.feed_shared(data.clone());
            }
        }
        Block {
            data,
            first_line,
            rejections: std::mem::take(&mut self.rejections),
        }
    }

    fn reject(&mut self, reason: String) {
        self.rejections.push(Rejection {
            record_line: self.next_line,
            line: self.next_line,
            reason,
        });
    }

    fn drop_first_line(&mut self, reason: String) {
        self.reject(reason);
        match memchr(b'\n', &self.pending) {
            Some(i) => {
                self.dropping(i + 1);
                self.pending.drain(..=i);
                self.next_line += 1;
            }
            None => {
                self.dropping(self.pending.len());
                self.pending.clear();
            }
        }
    }

    /// No record boundary within `max_record` bytes.
    fn oversize(&mut self) -> io::Result<()> {
        let limit = self.max_record;
        match self.format {
            Format::Csvde | Format::PowershellCsv if memchr(b'\n', &self.pending).is_some() => {
                // Every newline is inside quotes: the first line opened a quote that never closes.
                self.drop_first_line(format!(
                    "unterminated quoted field: no closing quote within {limit} bytes; this line \
                     was skipped"
                ));
                Ok(())
            }
            Format::Csvde | Format::PowershellCsv => {
                self.reject(format!(
                    "line longer than {limit} bytes (--max-record-bytes); skipped"
                ));
                self.skip_past(b"\n")
            }
            Format::Ldif | Format::Adexplorer => {
                self.reject(format!(
                    "record longer than {limit} bytes (--max-record-bytes); skipped to the next \
                     blank line"
                ));
                self.skip_past(b"\n\n")
            }
        }
    }

    /// Discards input up to and including the next `separator` (for LDIF, a blank line with
    /// either line ending), counting the lines it skips.
    fn skip_past(&mut self, separator: &[u8]) -> io::Result<()> {
        loop {
            let found = if separator == b"\n\n" {
                ldif_first_boundary(&self.pending)
            } else {
                memchr(b'\n', &self.pending).map(|i| i + 1)
            };
            if let Some(end) = found {
                self.next_line += bytecount::count(&self.pending[..end], b'\n') as u64;
                self.dropping(end);
                self.pending.drain(..end);
                return Ok(());
            }
            // Keep the last two bytes: a separator may straddle two reads.
            let keep = self.pending.len().min(2);
            let cut = self.pending.len() - keep;
            self.next_line += bytecount::count(&self.pending[..cut], b'\n') as u64;
            self.dropping(cut);
            self.pending.drain(..cut);
            if self.eof {
                self.next_line += bytecount::count(&self.pending, b'\n') as u64;
                self.dropping(self.pending.len());
                self.pending.clear();
                return Ok(());
            }
            self.fill_once()?;
        }
    }

    fn boundary(&self) -> Option<usize> {
        match self.format {
            Format::Ldif | Format::Adexplorer => ldif_last_boundary(&self.pending),
            Format::Csvde | Format::PowershellCsv => csv_last_boundary(&self.pending),
        }
    }

    fn fill_once(&mut self) -> io::Result<()> {
        if self.eof {
            return Ok(());
        }
        if self.decoder.is_none() {
            // UTF-8 needs no decoding: read straight into the pending buffer.
            // read_to_end fills spare capacity without zeroing it first; it stops short of
            // READ_SIZE only at the end of the input.
            let start = self.pending.len();
            let n = (&mut self.input)
                .take(READ_SIZE as u64)
                .read_to_end(&mut self.pending)?;
            self.bytes_read += n as u64;
            self.eof = n < READ_SIZE;
            self.observe(start, None);
            return Ok(());
        }
        let mut raw = std::mem::take(&mut self.raw);
        raw.resize(READ_SIZE, 0);
        let n = read_retrying(&mut self.input, &mut raw)?;
        self.bytes_read += n as u64;
        self.observe(0, Some(&raw[..n]));
        self.eof = n == 0;
        self.push_input(&raw[..n], self.eof);
        self.raw = raw;
        Ok(())
    }

    /// Feeds newly read bytes (`raw`, or `pending[start..]` when read straight into it) to
    /// the progress counter, and to the digest unless it takes the text as it leaves.
    fn observe(&mut self, start: usize, raw: Option<&[u8]>) {
        let bytes = raw.unwrap_or(&self.pending[start..]);
        if let Some(Digest::OfReads(digest)) = &mut self.digest {
            digest.feed(bytes);
        }
        if let Some(progress) = &self.progress {
            progress.fetch_add(bytes.len() as u64, std::sync::atomic::Ordering::Relaxed);
        }
    }

    fn push_input(&mut self, bytes: &[u8], last: bool) {
        let Some(decoder) = self.decoder.as_mut() else {
            self.pending.extend_from_slice(bytes);
            return;
        };
        let start = self.pending.len();
        let room = decoder
            .max_utf8_buffer_length(bytes.len())
            .unwrap_or(bytes.len() * 3 + 16);
        self.pending.resize(start + room, 0);
        let (_, _, written, replaced) =
            decoder.decode_to_utf8(bytes, &mut self.pending[start..], last);
        self.pending.truncate(start + written);
        if replaced {
            self.replacements +=
                memmem::find_iter(&self.pending[start..], "\u{FFFD}".as_bytes()).count() as u64;
        }
    }
}

/// Where the digest takes the input's bytes from.
enum Digest {
    /// Copies of the raw reads: the text is transcoded, so it is not the input's bytes.
    OfReads(DigestFeed),
    /// The text as it leaves the reader, in blocks (shared, not copied) or dropped: without
    /// transcoding the text is the input's own bytes.
    OfText(DigestFeed),
}

/// Keeps `buffer` for reuse if no one else holds it and it is worth keeping.
fn keep_spare(spare: &mut Vec<Vec<u8>>, block_size: usize, buffer: Arc<Vec<u8>>) {
    if let Ok(buffer) = Arc::try_unwrap(buffer) {
        if spare.len() < 4 && buffer.capacity() >= block_size {
            spare.push(buffer);
        }
    }
}

/// Size of the pieces of transcoded input copied for the hashing thread.
const DIGEST_PIECE: usize = 1 << 20;
/// Pieces on their way to the hashing thread before the reader waits for it. SHA-256 with the
/// CPU's SHA extensions runs at about 2 GB/s, faster than parsing, so the bound is reached only
/// when hashing is the slowest stage, and then the run could not end sooner anyway; it keeps
/// the pieces in flight to a few megabytes.
const DIGEST_PIECES_IN_FLIGHT: usize = 4;
/// Blocks waiting for the hashing thread before the reader waits for it. They are the blocks
/// being parsed too: a block is held longer only when hashing lags behind parsing.
const DIGEST_BLOCKS_IN_FLIGHT: usize = 2;

/// The SHA-256 of the input, computed on its own thread from the bytes the reader takes, in
/// file order: the file is read once, and hashing overlaps reading and parsing instead of
/// adding to the reader's work (on the reader thread, SHA-256 made the reader the bottleneck:
/// 10M objects, 17.7 GB LDIF, 50 s instead of 21 s).
pub struct DigestFeed {
    pieces: Option<std::sync::mpsc::SyncSender<Arc<Vec<u8>>>>,
    /// Pieces and blocks the hashing thread has finished with, for reuse.
    returned: std::sync::mpsc::Receiver<Arc<Vec<u8>>>,
    hashing: Option<std::thread::JoinHandle<String>>,
    /// Set when the feed is dropped unfinished (the file could not be read as this format, or
    /// reading failed): the hashing thread stops instead of hashing what is still queued.
    abandoned: std::sync::Arc<std::sync::atomic::AtomicBool>,
}

impl DigestFeed {
    /// Starts the hashing thread; at most `in_flight` pieces or blocks wait for it.
    pub fn start(in_flight: usize) -> DigestFeed {
        let (pieces, incoming) = std::sync::mpsc::sync_channel::<Arc<Vec<u8>>>(in_flight);
        let (give_back, returned) = std::sync::mpsc::channel();
        let abandoned = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
        let stop = abandoned.clone();
        let hashing = std::thread::spawn(move || {
            let mut hasher = <sha2::Sha256 as sha2::Digest>::new();
            for piece in incoming {
                if stop.load(std::sync::atomic::Ordering::Relaxed) {
                    break;
                }
                sha2::Digest::update(&mut hasher, piece.as_slice());
                let _ = give_back.send(piece);
            }
            crate::hex::lower_hex(&sha2::Digest::finalize(hasher))
        });
        DigestFeed {
            pieces: Some(pieces),
            returned,
            hashing: Some(hashing),
            abandoned,
        }
    }

    /// Hands a copy of `bytes`, the next bytes of the input, to the hashing thread.
    pub fn feed(&mut self, bytes: &[u8]) {
        for chunk in bytes.chunks(DIGEST_PIECE) {
            let mut piece = self
                .returned
                .try_recv()
                .ok()
                .and_then(|piece| Arc::try_unwrap(piece).ok())
                .unwrap_or_else(|| Vec::with_capacity(DIGEST_PIECE));
            piece.clear();
            piece.extend_from_slice(chunk);
            self.feed_shared(Arc::new(piece));
        }
    }

    /// Hands `bytes`, the next bytes of the input, to the hashing thread as they are; they come
    /// back from [`DigestFeed::finished`].
    pub fn feed_shared(&mut self, bytes: Arc<Vec<u8>>) {
        let Some(pieces) = &self.pieces else { return };
        if pieces.send(bytes).is_err() {
            // The hashing thread is gone (it panicked): `finish` reports no digest.
            self.pieces = None;
        }
    }

    /// What the hashing thread is done with so far.
    pub fn finished(&self) -> impl Iterator<Item = Arc<Vec<u8>>> + '_ {
        self.returned.try_iter()
    }

    /// The digest of everything fed, in lower-case hex; `None` if the hashing thread failed.
    pub fn finish(mut self) -> Option<String> {
        let complete = self.pieces.take().is_some();
        let digest = self.hashing.take()?.join().ok();
        digest.filter(|_| complete)
    }
}

impl Drop for DigestFeed {
    fn drop(&mut self) {
        // After `finish` there is nothing left to stop; otherwise the digest of a partial read
        // is worthless, and hashing the pieces still queued would only take a core from parsing.
        self.abandoned
            .store(true, std::sync::atomic::Ordering::Relaxed);
    }
}

/// End of the last blank line (`\n\n` or `\n\r\n`) in `buf`. Walks back line by line: records
/// are short, so this touches only the tail of the buffer.
fn ldif_last_boundary(buf: &[u8]) -> Option<usize> {
    let mut end = buf.len();
    while let Some(i) = memrchr(b'\n', &buf[..end]) {
        // `i` ends a line; the line before it ends at the previous newline.
        match buf[..i] {
            [.., b'\n'] => return Some(i + 1),
            [.., b'\n', b'\r'] => return Some(i + 1),
            _ => end = i,
        }
    }
    None
}

fn read_retrying(input: &mut impl Read, buf: &mut [u8]) -> io::Result<usize> {
    loop {
        match input.read(buf) {
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            other => return other,
        }
    }
}

/// End of the first blank line in `buf`.
fn ldif_first_boundary(buf: &[u8]) -> Option<usize> {
    let lf = memmem::find(buf, b"\n\n").map(|i| i + 2);
    let crlf = memmem::find(buf, b"\n\r\n").map(|i| i + 3);
    match (lf, crlf) {
        (Some(a), Some(b)) => Some(a.min(b)),
        (a, b) => a.or(b),
    }
}

/// End of the last line of `buf` that ends outside quotes. `buf` starts outside quotes.
fn csv_last_boundary(buf: &[u8]) -> Option<usize> {
    let mut quotes_before = bytecount::count(buf, b'"');
    let mut end = buf.len();
    while let Some(i) = memrchr2(b'"', b'\n', &buf[..end]) {
        if buf[i] == b'"' {
            quotes_before -= 1;
        } else if quotes_before % 2 == 0 {
            return Some(i + 1);
        }
        end = i;
    }
    None
}

/// End of the first row of `buf` (a newline outside quotes).
fn first_csv_row_end(buf: &[u8]) -> Option<usize> {
    let mut quoted = false;
    let mut pos = 0;
    while let Some(i) = memchr2(b'"', b'\n', &buf[pos..]) {
        let at = pos + i;
        if buf[at] == b'"' {
            quoted = !quoted;
        } else if !quoted {
            return Some(at + 1);
        }
        pos = at + 1;
    }
    None
}

/// Checks a scanner's side of [`Block::first_line`]: for each case, at a few first lines, the
/// count `scan` returns is the case's newlines.
#[cfg(test)]
pub(super) fn assert_scan_counts_newlines(
    cases: &[&[u8]],
    scan: impl Fn(&[u8], u64, &mut super::table::TableSink) -> u64,
) {
    for case in cases {
        for first_line in [1, 2, 1000] {
            let mut sink = super::table::TableSink::new(0);
            assert_eq!(
                scan(case, first_line, &mut sink),
                bytecount::count(case, b'\n') as u64,
                "{}",
                String::from_utf8_lossy(case)
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The blocks, with their lines placed as the merge places them: the newlines of the
    /// blocks before each added to its own and its rejections' lines.
    fn blocks(input: &[u8], format: Format, block: usize, max: usize) -> Vec<Block> {
        let mut r = BlockReader::new(input, b"", None, format, block, max);
        let mut out = Vec::new();
        let mut before = 0;
        while let Some(mut b) = r.next_block().unwrap() {
            b.first_line += before;
            for rejection in &mut b.rejections {
                rejection.move_down(before);
            }
            before += bytecount::count(&b.data, b'\n') as u64;
            out.push(b);
        }
        out
    }

    #[test]
    fn ldif_blocks_end_on_blank_lines_and_keep_line_numbers() {
        let input = b"dn: a\r\ncn: a\r\n\r\ndn: b\ncn: b\n\ndn: c\ncn: c";
        let out = blocks(input, Format::Ldif, 1, 1 << 20);
        let joined: Vec<u8> = out.iter().flat_map(|b| b.data.iter().copied()).collect();
        assert_eq!(joined, input);
        assert!(out.len() >= 2);
        let mut offset = 0;
        for b in &out {
            let text = String::from_utf8_lossy(&b.data);
            assert!(
                text.starts_with("dn: "),
                "block starts mid-record: {text:?}"
            );
            let expected = 1 + bytecount::count(&input[..offset], b'\n') as u64;
            assert_eq!(b.first_line, expected);
            offset += b.data.len();
        }
    }

    #[test]
    fn csv_blocks_never_cut_inside_quotes() {
        let input = b"\"CN=a,DC=x\",\"multi\nline\"\n\"CN=b,DC=x\",b\n";
        for size in 1..input.len() {
            let out = blocks(input, Format::Csvde, size, 1 << 20);
            for b in &out {
                assert_eq!(bytecount::count(&b.data, b'"') % 2, 0);
            }
            let lines: Vec<u64> = out.iter().map(|b| b.first_line).collect();
            assert_eq!(lines[0], 1);
            if out.len() > 1 {
                assert_eq!(lines[1], 3);
            }
        }
    }

    #[test]
    fn unterminated_quote_at_the_end_skips_one_line() {
        let input = b"\"CN=a,DC=x\",a\n\"CN=b,DC=x,b\n\"CN=c,DC=x\",c\n";
        let out = blocks(input, Format::Csvde, 4, 1 << 20);
        let rejected: Vec<&Rejection> = out.iter().flat_map(|b| &b.rejections).collect();
        assert_eq!(rejected.len(), 1);
        assert_eq!(rejected[0].line, 2);
        let data: Vec<u8> = out.iter().flat_map(|b| b.data.iter().copied()).collect();
        assert_eq!(data, b"\"CN=a,DC=x\",a\n\"CN=c,DC=x\",c\n");
    }

    #[test]
    fn oversized_ldif_record_is_rejected_and_skipped() {
        let mut input = b"dn: a\ncn: a\n\ndn: huge\ndescription: ".to_vec();
        // Longer than one read, so the limit is met before the record ends.
        input.extend(std::iter::repeat_n(b'x', READ_SIZE + 100));
        input.extend_from_slice(b"\n\ndn: c\ncn: c\n");
        let out = blocks(&input, Format::Ldif, 64 << 10, 1 << 20);
        let rejected: Vec<&Rejection> = out.iter().flat_map(|b| &b.rejections).collect();
        assert_eq!(rejected.len(), 1);
        assert_eq!(rejected[0].line, 4);
        let last = out.iter().rev().find(|b| !b.data.is_empty()).unwrap();
        assert_eq!(last.data.as_slice(), b"dn: c\ncn: c\n");
        assert_eq!(last.first_line, 7);
    }
}
