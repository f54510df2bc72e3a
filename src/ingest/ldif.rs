//! LDIF scanner (RFC 2849 as written by ldifde and OpenLDAP's ldapsearch).
//!
//! Works on a block of whole records (see [`super::blocks`]) without copying lines, except to
//! join folded lines and to decode base64. Everything export-formats.md §4.3 and §4.7 lists is
//! accepted: `version:`, comments and their continuations, folding at any column, `::` base64,
//! `dn::`, `changetype: add`, attribute options, ldapsearch trailers, CRLF or LF, no final
//! newline, attribute names in any case.

use super::delims::Delims;
use super::sink::{NonEntry, RecordSink, Value};
use base64::Engine;
use memchr::memchr;

/// Scans every record in `data`, whose first line is line `first_line` of the file; the
/// number of newlines in `data` (counted on the way: see [`super::blocks::Block::first_line`]).
pub fn scan<S: RecordSink>(data: &[u8], first_line: u64, sink: &mut S) -> u64 {
    let mut scanner = Scanner {
        record: RecordState::default(),
        folded: Vec::new(),
        decoded: Vec::new(),
        follow: Vec::new(),
        known: rustc_hash::FxHashMap::default(),
        utf8: Value::block_is_utf8(data),
        nul: memchr(0, data).is_some(),
        lines: Delims::new(b'\n', b'\n', b'\n'),
        dn: Vec::new(),
    };
    let lines = scanner.run(data, first_line, sink);
    // Every line but an unterminated last one ends in a newline.
    lines - u64::from(data.last().is_some_and(|&b| b != b'\n'))
}

#[derive(Default)]
struct RecordState {
    /// Line of the record's first non-comment line (0 = no record open).
    start: u64,
    has_dn: bool,
    trailer: bool,
    dnless: bool,
    /// Index of the attribute line within the record.
    position: usize,
    /// Id of the previous attribute line's name (0: the line follows the DN), for the name
    /// cache.
    previous: u32,
    error: Option<(u64, String)>,
    /// The last line read before the record's `dn:` was a comment or held after one.
    after_comment: bool,
    /// Lines that came right after a comment, before any `dn:` (line number, text): see
    /// [`Scanner::hold`].
    held: Vec<(u64, Vec<u8>)>,
}

struct Scanner<K> {
    record: RecordState,
    folded: Vec<u8>,
    decoded: Vec<u8>,
    /// By the id of a name (0: the DN), the name that last came after it, with its key and id:
    /// exports write attributes in one order, so most lines skip the name check and lookup.
    /// (A cache by position within the record, before, missed every line after the first
    /// attribute an object lacked: half the lines of the default shape.)
    follow: Vec<Option<(Vec<u8>, K, u32)>>,
    /// Every name resolved in this block, by its exact bytes: its key and id (from 1).
    known: rustc_hash::FxHashMap<Vec<u8>, (K, u32)>,
    /// The whole block is valid UTF-8, so plain values need no check of their own.
    utf8: bool,
    /// The block holds a NUL byte somewhere (else no value needs a search for one).
    nul: bool,
    /// Line ends: lines are tens of bytes, shorter than a memchr call pays off on.
    lines: Delims,
    /// The open record's DN as written, for messages (a buffer reused across records).
    dn: Vec<u8>,
}

impl<K: Copy> Scanner<K> {
    /// Reads every line of `data`; how many there were.
    fn run<S: RecordSink<Key = K>>(&mut self, data: &[u8], first_line: u64, sink: &mut S) -> u64 {
        let mut pos = 0usize;
        let before = first_line.saturating_sub(1);
        let mut line_no = before;
        while pos < data.len() {
            let (line, next) = physical_line(&mut self.lines, data, pos);
            pos = next;
            line_no += 1;
            if line.is_empty() {
                self.finish(sink);
                continue;
            }
            let this_line = line_no;
            let mut folded = false;
            if data.get(pos) == Some(&b' ') {
                folded = true;
                self.folded.clear();
                self.folded.extend_from_slice(line);
                while data.get(pos) == Some(&b' ') {
                    let (cont, next) = physical_line(&mut self.lines, data, pos);
                    pos = next;
                    line_no += 1;
                    self.folded.extend_from_slice(&cont[1..]);
                }
            }
            if line[0] == b'#' {
                self.record.after_comment = !self.record.has_dn;
                continue; // a comment, with its continuation lines
            }
            let joined = std::mem::take(&mut self.folded);
            let text = if folded { joined.as_slice() } else { line };
            let held = self.hold(text, this_line, sink);
            self.folded = joined;
            if held {
                continue;
            }
            if self.record.start == 0 {
                self.record.start = this_line;
            }
            if self.record.error.is_some() {
                continue; // the record is already rejected; read on to its end
            }
            if line[0] == b' ' {
                self.fail(
                    this_line,
                    "continuation line (starting with a space) with no line to continue".into(),
                );
                continue;
            }
            // attribute_line borrows the scanner, so the joined line is lent out and put back.
            let joined = std::mem::take(&mut self.folded);
            let text = if folded { joined.as_slice() } else { line };
            self.attribute_line(text, this_line, sink);
            self.folded = joined;
        }
        self.finish(sink);
        line_no - before
    }

    /// ldapsearch writes each entry's DN as a `# ` comment line before its `dn:` line. A DN
    /// holding a line feed — a replication-conflict name, `CN=x\0ACNF:<guid>`, which the
    /// comment shows unescaped — breaks that comment in two, and its second half looks like an
    /// attribute line before `dn:` (seen in ldapsearch's export of a Samba AD DC). So a line
    /// right after a comment and before any `dn:` is held: it is dropped as comment text if the
    /// `dn:` that follows holds a line feed, and read as usual otherwise (ldapsearch's own
    /// `search:`/`result:`/`ref:` records come right after a comment too). Returns whether the
    /// line was taken (held, or a `dn:` that settled the held lines).
    fn hold<S: RecordSink<Key = K>>(&mut self, text: &[u8], line: u64, sink: &mut S) -> bool {
        if !self.record.after_comment || self.record.has_dn || self.record.error.is_some() {
            return false;
        }
        match dn_has_line_feed(text) {
            None => {
                self.record.held.push((line, text.to_vec()));
                true
            }
            Some(true) => {
                self.record.held.clear();
                false
            }
            Some(false) => {
                self.replay_held(sink);
                false
            }
        }
    }

    /// Reads the held lines as the attribute lines they turned out to be.
    fn replay_held<S: RecordSink<Key = K>>(&mut self, sink: &mut S) {
        self.record.after_comment = false;
        for (line, text) in std::mem::take(&mut self.record.held) {
            if self.record.start == 0 {
                self.record.start = line;
            }
            if self.record.error.is_none() {
                self.attribute_line(&text, line, sink);
            }
        }
    }

    fn fail(&mut self, line: u64, reason: String) {
        if self.record.error.is_none() {
            self.record.error = Some((line, reason));
        }
    }

    fn attribute_line<S: RecordSink<Key = K>>(&mut self, text: &[u8], line: u64, sink: &mut S) {
        // Exports repeat one attribute order: when the line starts with the name the previous
        // record had at this position, followed by its colon, the name needs neither a check
        // nor a lookup. (Only attribute names are cached: never `dn`, `changetype` or a line
        // before the DN, which the general path below handles.)
        if self.record.has_dn {
            if let Some(Some((cached, key, id))) = self.follow.get(self.record.previous as usize) {
                let n = cached.len();
                if text.get(n) == Some(&b':') && same_bytes(&text[..n], cached) {
                    let (key, id) = (*key, *id);
                    match value_of(&text[n + 1..], &mut self.decoded, self.utf8, self.nul) {
                        Ok(value) => {
                            self.record.position += 1;
                            self.record.previous = id;
                            sink.present(key);
                            if sink.wants_values(key) {
                                sink.value(key, value, false);
                            }
                        }
                        Err(problem) => {
                            let reason = problem.reason(&text[..n]);
                            self.fail(line, reason);
                        }
                    }
                    return;
                }
            }
        }
        // One pass over the name finds the colon, checks the name's bytes and where its
        // options start (three searches per line before).
        let mut colon = 0;
        let mut semicolon = None;
        while let Some(&b) = text.get(colon) {
            if b == b':' || !is_description_byte(b) {
                break;
            }
            if b == b';' && semicolon.is_none() {
                semicolon = Some(colon);
            }
            colon += 1;
        }
        if text.get(colon) != Some(&b':') || colon == 0 {
            return match memchr(b':', text) {
                None => self.fail(
                    line,
                    format!("line has no ':' separator: {}", preview(text)),
                ),
                Some(at) => self.fail(
                    line,
                    format!("invalid attribute name {}", preview(&text[..at])),
                ),
            };
        }
        let description = &text[..colon];
        let (name, options) = match semicolon {
            Some(i) => (&description[..i], &description[i..]),
            None => (description, &b""[..]),
        };
        let value = match value_of(&text[colon + 1..], &mut self.decoded, self.utf8, self.nul) {
            Ok(value) => value,
            Err(problem) => return self.fail(line, problem.reason(description)),
        };

        if name.eq_ignore_ascii_case(b"dn") {
            if self.record.has_dn {
                return self.fail(
                    line,
                    "second 'dn:' line in one record (is a blank line missing between records?)"
                        .into(),
                );
            }
            if self.record.position > 0 {
                return self.fail(line, "'dn:' must be the first line of a record".into());
            }
            self.record.has_dn = true;
            self.record.dnless = false;
            self.dn.clear();
            self.dn.extend_from_slice(value.raw());
            sink.begin(self.record.start, value);
            return;
        }
        if !self.record.has_dn {
            if name.eq_ignore_ascii_case(b"version") {
                return; // `version: 1` before the first record
            }
            if name.eq_ignore_ascii_case(b"search") || name.eq_ignore_ascii_case(b"result") {
                self.record.trailer = true;
            } else {
                self.record.dnless = true;
            }
            self.record.position += 1;
            return;
        }
        if name.eq_ignore_ascii_case(b"changetype") {
            if !value.raw().eq_ignore_ascii_case(b"add") {
                let kind = String::from_utf8_lossy(value.raw()).into_owned();
                return self.fail(
                    line,
                    format!("'changetype: {kind}' is a change record, not an exported object"),
                );
            }
            return;
        }

        let (key, id) = resolve_cached(
            &mut self.follow,
            &mut self.known,
            self.record.previous,
            name,
            sink,
        );
        self.record.position += 1;
        self.record.previous = id;
        sink.present(key);
        if sink.wants_values(key) {
            let ranged = contains_ignore_case(options, b";range=");
            if ranged && options.trim_ascii_end().ends_with(b"-*") {
                sink.range_end(key);
            }
            sink.value(key, value, ranged);
        }
    }

    fn finish<S: RecordSink<Key = K>>(&mut self, sink: &mut S) {
        self.replay_held(sink);
        let record = std::mem::take(&mut self.record);
        if record.start == 0 {
            return; // only comments or blank lines
        }
        if let Some((line, reason)) = record.error {
            let reason = if record.has_dn {
                format!(
                    "{reason} (record dn: {})",
                    String::from_utf8_lossy(&self.dn)
                )
            } else {
                reason
            };
            sink.reject(record.start, line, reason);
        } else if record.has_dn {
            sink.commit();
        } else if record.trailer {
            sink.non_entry(record.start, NonEntry::SearchTrailer);
        } else if record.dnless {
            sink.non_entry(record.start, NonEntry::WithoutDn);
        }
        // A record that held only `version: 1` is nothing at all.
    }
}

/// Resolves a name (after the name with id `previous`) through the cache of names that
/// follow each other, then the block's map of names, then the sink; the key and the name's id.
#[allow(clippy::type_complexity)]
fn resolve_cached<S: RecordSink>(
    follow: &mut Vec<Option<(Vec<u8>, S::Key, u32)>>,
    known: &mut rustc_hash::FxHashMap<Vec<u8>, (S::Key, u32)>,
    previous: u32,
    name: &[u8],
    sink: &mut S,
) -> (S::Key, u32) {
    let previous = previous as usize;
    if let Some(Some((cached, key, id))) = follow.get(previous) {
        if same_bytes(cached, name) {
            return (*key, *id);
        }
    }
    let (key, id) = match known.get(name) {
        Some(&found) => found,
        None => {
            let found = (sink.resolve(name), known.len() as u32 + 1);
            known.insert(name.to_vec(), found);
            found
        }
    };
    // Ids are bounded by the distinct names of the block; a file with thousands of them
    // keeps the cache for the first ones only.
    if previous < 4096 {
        if follow.len() <= previous {
            follow.resize_with(previous + 1, || None);
        }
        match &mut follow[previous] {
            Some((cached, k, i)) => {
                cached.clear();
                cached.extend_from_slice(name);
                (*k, *i) = (key, id);
            }
            slot @ None => *slot = Some((name.to_vec(), key, id)),
        }
    }
    (key, id)
}

/// Why a value could not be read.
enum ValueProblem {
    Base64(base64::DecodeError),
    Url,
    Nul,
}

impl ValueProblem {
    fn reason(&self, description: &[u8]) -> String {
        let name = String::from_utf8_lossy(description);
        match self {
            ValueProblem::Base64(e) => format!("invalid base64 in {name}: {e}"),
            ValueProblem::Url => {
                "URL value (':<') is not supported in an export; export the value inline".into()
            }
            ValueProblem::Nul => format!("NUL byte in the value of {name}"),
        }
    }
}

/// The value after an attribute's colon: `:: base64` (decoded into `decoded`), `:< URL`
/// (refused), or plain text. `utf8`: the block is valid UTF-8; `nul`: it holds a NUL byte.
fn value_of<'a>(
    rest: &'a [u8],
    decoded: &'a mut Vec<u8>,
    utf8: bool,
    nul: bool,
) -> Result<Value<'a>, ValueProblem> {
    match rest.first() {
        Some(b':') => {
            let encoded = trim_spaces(&rest[1..]);
            decoded.clear();
            base64::engine::general_purpose::STANDARD
                .decode_vec(encoded, decoded)
                .map_err(ValueProblem::Base64)?;
            Ok(Value::Encoded(decoded))
        }
        Some(b'<') => Err(ValueProblem::Url),
        _ => {
            let plain = skip_leading_spaces(rest);
            if nul && memchr(0, plain).is_some() {
                return Err(ValueProblem::Nul);
            }
            // SAFETY: `plain` is a line of the block, or lines joined at fold points, cut
            // after the ASCII `:` and spaces; `utf8` says the block is valid UTF-8, and a fold
            // inside a multi-byte character would have made it invalid.
            Ok(unsafe { Value::plain(plain, utf8) })
        }
    }
}

/// Whether two attribute names are the same bytes. Names are short: word loads (the last one
/// overlapping) compare them without a call to `memcmp` (a fifth of the name cache's time
/// before).
#[inline]
fn same_bytes(a: &[u8], b: &[u8]) -> bool {
    let n = a.len();
    if n != b.len() {
        return false;
    }
    let word = |s: &[u8], at: usize| u64::from_le_bytes(s[at..at + 8].try_into().unwrap_or([0; 8]));
    let half = |s: &[u8], at: usize| u32::from_le_bytes(s[at..at + 4].try_into().unwrap_or([0; 4]));
    match n {
        8.. => {
            let mut at = 0;
            while at + 8 < n {
                if word(a, at) != word(b, at) {
                    return false;
                }
                at += 8;
            }
            word(a, n - 8) == word(b, n - 8)
        }
        4..=7 => half(a, 0) == half(b, 0) && half(a, n - 4) == half(b, n - 4),
        _ => a == b,
    }
}

/// The line starting at `pos` without its line ending, and where the next line starts.
fn physical_line<'a>(lines: &mut Delims, data: &'a [u8], pos: usize) -> (&'a [u8], usize) {
    let end = lines.next(data, pos);
    let (mut line, next) = (&data[pos..end], (end + 1).min(data.len()));
    if let [head @ .., b'\r'] = line {
        line = head;
    }
    (line, next)
}

/// For a `dn:` or `dn::` line, whether the DN holds a line feed (escaped `\0A`, or a raw one in
/// base64); `None` for any other line.
fn dn_has_line_feed(text: &[u8]) -> Option<bool> {
    let colon = memchr(b':', text)?;
    if !text[..colon].eq_ignore_ascii_case(b"dn") {
        return None;
    }
    let rest = &text[colon + 1..];
    Some(match rest.strip_prefix(b":") {
        Some(encoded) => base64::engine::general_purpose::STANDARD
            .decode(trim_spaces(encoded))
            .is_ok_and(|dn| dn.contains(&b'\n') || contains_ignore_case(&dn, b"\\0a")),
        None => contains_ignore_case(rest, b"\\0a"),
    })
}

/// `*` ends the last part of a range-retrieved attribute (`member;range=1500-*`, MS-ADTS
/// 3.1.1.3.1.3.3), which ldapsearch writes as the option.
fn is_description_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || matches!(b, b'-' | b';' | b'=' | b'.' | b'_' | b'*')
}

fn trim_spaces(b: &[u8]) -> &[u8] {
    let start = b.iter().position(|c| *c != b' ').unwrap_or(b.len());
    let end = b.iter().rposition(|c| *c != b' ').map_or(start, |i| i + 1);
    &b[start..end.max(start)]
}

fn skip_leading_spaces(b: &[u8]) -> &[u8] {
    let start = b.iter().position(|c| *c != b' ').unwrap_or(b.len());
    &b[start..]
}

fn contains_ignore_case(haystack: &[u8], needle: &[u8]) -> bool {
    haystack
        .windows(needle.len())
        .any(|w| w.eq_ignore_ascii_case(needle))
}

/// A short printable excerpt of a line for messages.
pub(crate) fn preview(b: &[u8]) -> String {
    let text = String::from_utf8_lossy(&b[..b.len().min(60)]);
    let mut out: String = text
        .chars()
        .map(|c| if c.is_control() { '\u{FFFD}' } else { c })
        .collect();
    if b.len() > 60 {
        out.push('…');
    }
    format!("\"{out}\"")
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The merge places each block's lines by the newlines `scan` counts on the way, so that
    /// count must be the block's newlines: folded lines, comments, CRLF, no final newline.
    #[test]
    fn scan_counts_the_newlines_it_passes() {
        let cases: [&[u8]; 8] = [
            b"dn: CN=a,DC=x\ncn: a\n\ndn: CN=b,DC=x\ncn: b\n",
            b"dn: CN=a,DC=x\r\ncn: a\r\n\r\ndn: CN=b,DC=x\r\ncn: b",
            b"# comment\n continued\ndn: CN=a,DC=x\ndescription: long\n  folded\n value\n\n",
            b"version: 1\n\ndn: CN=a,DC=x\nbroken line\ncn: a\n\n\n\n",
            b"dn:: Q049YSxEQz14\nobjectGUID:: AAECAwQFBgcICQoLDA0ODw==\n",
            b"\n\n\n",
            b" continuation first\ndn: CN=a,DC=x\n",
            b"",
        ];
        super::super::blocks::assert_scan_counts_newlines(&cases, |case, first_line, sink| {
            scan(case, first_line, sink)
        });
    }
}
