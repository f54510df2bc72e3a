//! Sysinternals AD Explorer snapshots (`.dat`): a binary copy of whole naming contexts.
//!
//! The layout is the one described by the MIT-licensed ADExplorerSnapshot.py project
//! (`adexpsnapshot/parser/structure.py`, `meta/adexplorersnapshot.bt`); this reader is our own.
//! All integers are little-endian.
//!
//! - A 0x43e-byte header: the signature `win-ad-ob\0`, a marker, the snapshot's FILETIME, a
//!   description and the server (260 UTF-16 units each), the object count, the attribute count
//!   and the 64-bit offset of the attribute table.
//! - Object records from 0x43e on, one after the other: `u32` record size, `u32` entry count,
//!   then per attribute an entry (`u32` index into the attribute table, `i32` offset of the
//!   values relative to the record's start). The offset may be negative: a snapshot stores
//!   identical values once, and later records point back at them, sometimes megabytes back.
//!   AD Explorer writes more records than the header's count (one more in the snapshots seen),
//!   so records are read up to the attribute table, or up to a record of size 0.
//! - At a value's offset: `u32` value count, then by ADSTYPE syntax: strings (DN, case-ignore,
//!   printable, numeric, object class) as `i32` offsets (relative to the count) of
//!   NUL-terminated UTF-16LE texts; octet strings as the `u32` lengths, then the bytes;
//!   booleans and integers as 4 bytes each; large integers as 8; UTC times as 16-byte
//!   SYSTEMTIMEs; security descriptors as a `u32` length and the bytes, each.
//! - The attribute table: a count, then per attribute its name (length in bytes, UTF-16LE),
//!   an unknown `i32`, the ADSTYPE, its schema DN, two GUIDs and 4 bytes. Classes and rights
//!   follow (not needed here).
//!
//! Values are handed to the sink as ldifde would write them: text as text, integers in
//! decimal, booleans as `TRUE`/`FALSE`, times as generalized time, binary as bytes.
//!
//! The file is memory-mapped, not read: records are found one after the other (4 bytes
//! each), then decoded in parallel batches, and pages already decoded are given back to the
//! system so that the resident size stays a window of the file, not the file.

use super::sink::{RecordSink, Value};
use super::table::TableSink;
use super::FileReport;
use crate::directory::Directory;
use std::collections::BTreeMap;
use std::fmt::{self, Write as _};
use std::sync::atomic::{AtomicUsize, Ordering};

/// The first bytes of every snapshot.
pub const SIGNATURE: &[u8] = b"win-ad-";
/// Where the object records start (the header's size).
pub const RECORDS_START: usize = 0x43e;

/// ADSTYPE values (ADSTYPEENUM, the syntax of each attribute in the table).
pub mod ads_type {
    pub const DN_STRING: u32 = 1;
    pub const CASE_EXACT_STRING: u32 = 2;
    pub const CASE_IGNORE_STRING: u32 = 3;
    pub const PRINTABLE_STRING: u32 = 4;
    pub const NUMERIC_STRING: u32 = 5;
    pub const BOOLEAN: u32 = 6;
    pub const INTEGER: u32 = 7;
    pub const OCTET_STRING: u32 = 8;
    pub const UTC_TIME: u32 = 9;
    pub const LARGE_INTEGER: u32 = 10;
    pub const OBJECT_CLASS: u32 = 12;
    pub const NT_SECURITY_DESCRIPTOR: u32 = 25;
}

/// Whether the bytes start like a snapshot.
pub fn is_snapshot(head: &[u8]) -> bool {
    head.starts_with(SIGNATURE)
}

/// Where and why reading stopped or a record was refused.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Damage {
    /// Byte offset in the file.
    pub offset: u64,
    pub reason: String,
}

impl fmt::Display for Damage {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "at byte {} (0x{:x}): {}",
            self.offset, self.offset, self.reason
        )
    }
}

fn damage(offset: usize, reason: impl Into<String>) -> Damage {
    Damage {
        offset: offset as u64,
        reason: reason.into(),
    }
}

fn u32_at(data: &[u8], at: usize) -> Option<u32> {
    let bytes = data.get(at..at.checked_add(4)?)?;
    Some(u32::from_le_bytes(bytes.try_into().ok()?))
}

fn i32_at(data: &[u8], at: usize) -> Option<i32> {
    u32_at(data, at).map(|v| v as i32)
}

fn u64_at(data: &[u8], at: usize) -> Option<u64> {
    let bytes = data.get(at..at.checked_add(8)?)?;
    Some(u64::from_le_bytes(bytes.try_into().ok()?))
}

/// `base + delta`, if it stays inside `0..limit`.
fn offset_by(base: usize, delta: i64, limit: usize) -> Option<usize> {
    let at = i64::try_from(base).ok()?.checked_add(delta)?;
    usize::try_from(at).ok().filter(|a| *a < limit)
}

/// The NUL-terminated UTF-16LE text at `at`, decoded into `out`: whether it was valid
/// (unpaired surrogates are replaced); `None` if no NUL ends it inside the file.
fn utf16_until_nul(data: &[u8], at: usize, out: &mut String) -> Option<bool> {
    let bytes = data.get(at..)?;
    let units = bytes.chunks_exact(2).position(|p| p == [0, 0])?;
    let text = &bytes[..2 * units];
    out.clear();
    out.reserve(units);
    // Most directory text is ASCII: no UTF-16 decoding for it (measured: decoding was a
    // fifth of the read time on a generated 1M-object snapshot).
    if text.chunks_exact(2).all(|p| p[1] == 0 && p[0] < 0x80) {
        out.extend(text.iter().step_by(2).map(|b| char::from(*b)));
        return Some(true);
    }
    let mut valid = true;
    let units = text
        .chunks_exact(2)
        .map(|p| u16::from_le_bytes([p[0], p[1]]));
    for c in char::decode_utf16(units) {
        out.push(c.unwrap_or_else(|_| {
            valid = false;
            char::REPLACEMENT_CHARACTER
        }));
    }
    Some(valid)
}

/// A fixed-size UTF-16 field of the header (NUL-padded).
fn utf16_field(data: &[u8], at: usize, units: usize) -> String {
    let end = (at + 2 * units).min(data.len());
    data.get(at..end)
        .map(|b| {
            let units: Vec<u16> = b
                .chunks_exact(2)
                .map(|p| u16::from_le_bytes([p[0], p[1]]))
                .take_while(|u| *u != 0)
                .collect();
            String::from_utf16_lossy(&units)
        })
        .unwrap_or_default()
}

/// The snapshot's header.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Header {
    /// When the snapshot was taken (FILETIME: 100 ns since 1601).
    pub filetime: u64,
    pub description: String,
    pub server: String,
    /// Objects according to the header (the file may hold more records).
    pub objects: u32,
    pub attributes: u32,
    /// Where the attribute table starts.
    pub table_offset: u64,
}

impl Header {
    pub fn parse(data: &[u8]) -> Result<Header, Damage> {
        if !is_snapshot(data) {
            return Err(damage(
                0,
                "not an AD Explorer snapshot (no win-ad- signature)",
            ));
        }
        if data.len() < RECORDS_START {
            return Err(damage(
                data.len(),
                format!("the file ends inside the {RECORDS_START}-byte header"),
            ));
        }
        let n = |at| u32_at(data, at).unwrap_or(0);
        Ok(Header {
            filetime: u64_at(data, 14).unwrap_or(0),
            description: utf16_field(data, 22, 260),
            server: utf16_field(data, 542, 260),
            objects: n(1062),
            attributes: n(1066),
            table_offset: u64::from(n(1070)) | (u64::from(n(1074)) << 32),
        })
    }
}

/// One attribute of the table.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Property {
    pub name: String,
    pub ads_type: u32,
}

/// The attribute table at `at`, as far as it can be read: the attributes and, if it is
/// damaged or cut, where.
pub fn parse_properties(data: &[u8], at: usize) -> (Vec<Property>, Option<Damage>) {
    let mut properties = Vec::new();
    let Some(count) = u32_at(data, at) else {
        return (
            properties,
            Some(damage(
                data.len(),
                format!(
                    "the file ends before its attribute table (at byte {at} according to the header)"
                ),
            )),
        );
    };
    let mut pos = at + 4;
    for i in 0..count {
        let cut = |pos: usize| {
            damage(
                pos,
                format!(
                    "attribute table damaged or cut at its attribute {} of {count}",
                    i + 1
                ),
            )
        };
        let Some(len) = u32_at(data, pos).map(|l| l as usize) else {
            return (properties, Some(cut(pos)));
        };
        let name_at = pos + 4;
        let Some(name_end) = name_at.checked_add(len).filter(|e| *e <= data.len()) else {
            return (properties, Some(cut(pos)));
        };
        let name = utf16_field(data, name_at, len / 2);
        pos = name_end;
        let (Some(ads_type), Some(dn_len)) = (u32_at(data, pos + 4), u32_at(data, pos + 8)) else {
            return (properties, Some(cut(pos)));
        };
        pos = match (pos + 12)
            .checked_add(dn_len as usize)
            .and_then(|p| p.checked_add(36))
            .filter(|e| *e <= data.len())
        {
            Some(p) => p,
            None => return (properties, Some(cut(pos))),
        };
        if name.is_empty() || !name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-') {
            return (
                properties,
                Some(damage(
                    name_at,
                    format!("attribute {} has no valid name", i + 1),
                )),
            );
        }
        properties.push(Property { name, ads_type });
    }
    (properties, None)
}

/// A parsed snapshot: header and attribute table over the file's bytes.
pub struct Snapshot<'a> {
    data: &'a [u8],
    pub header: Header,
    pub properties: Vec<Property>,
    /// Where the records end (the attribute table, or the file's end if that is unknown).
    records_end: usize,
    /// The attribute table's damage, if any (records can still be read with what it gave).
    pub table_damage: Option<Damage>,
    /// The distinguishedName attribute's index in the table.
    dn_index: Option<usize>,
}

/// One object record: its number (from 1) and where it starts.
#[derive(Copy, Clone, Debug)]
pub struct RecordAt {
    pub number: u64,
    pub offset: usize,
}

impl<'a> Snapshot<'a> {
    pub fn parse(data: &'a [u8]) -> Result<Snapshot<'a>, Damage> {
        let header = Header::parse(data)?;
        let table = usize::try_from(header.table_offset).unwrap_or(usize::MAX);
        if table < RECORDS_START {
            return Err(damage(
                1070,
                format!("the header's attribute table offset {table} is inside the header"),
            ));
        }
        let (properties, table_damage) = parse_properties(data, table);
        let dn_index = properties
            .iter()
            .position(|p| p.name.eq_ignore_ascii_case("distinguishedName"));
        if properties.is_empty() || (dn_index.is_none() && table_damage.is_some()) {
            let mut d = table_damage.unwrap_or_else(|| damage(table, "empty attribute table"));
            // Say how much is there: the records are intact up to the cut, but without the
            // table that names every attribute none of them can be read.
            let intact = Records {
                snapshot: &Snapshot {
                    data,
                    header: header.clone(),
                    properties: Vec::new(),
                    records_end: table.min(data.len()),
                    table_damage: None,
                    dn_index: None,
                },
                next: RECORDS_START,
                number: 0,
                done: false,
            }
            .take_while(Result::is_ok)
            .count();
            d.reason.push_str(&format!(
                "; without the attribute table (which names every attribute) none of the {intact} intact object records can be read"
            ));
            return Err(d);
        }
        Ok(Snapshot {
            dn_index,
            data,
            header,
            properties,
            records_end: table.min(data.len()),
            table_damage,
        })
    }

    /// Walks the record chain from the first record: each record's start, in order, then
    /// `Err` where the chain is broken (a size that cannot be right), if it is.
    pub fn records(&self) -> Records<'_, 'a> {
        Records {
            snapshot: self,
            next: RECORDS_START,
            number: 0,
            done: false,
        }
    }

    /// Decodes one record into the sink (one `begin`…`commit`, or one `reject`); returns the
    /// number of texts that were not valid UTF-16 (decoded with U+FFFD).
    pub fn decode<S: RecordSink>(
        &self,
        record: RecordAt,
        scratch: &mut Decoder<S::Key>,
        sink: &mut S,
    ) -> u64 {
        let mut lossy = 0;
        match self.decode_values(record, scratch, sink, &mut lossy) {
            Ok(()) => sink.commit(),
            Err(d) => sink.reject(
                record.number,
                record.number,
                format!("record {}: {d}", record.number),
            ),
        }
        lossy
    }

    fn decode_values<S: RecordSink>(
        &self,
        record: RecordAt,
        scratch: &mut Decoder<S::Key>,
        sink: &mut S,
        lossy: &mut u64,
    ) -> Result<(), Damage> {
        let Decoder { keys, dn, text } = scratch;
        let data = self.data;
        let start = record.offset;
        let size = u32_at(data, start).unwrap_or(0) as usize;
        let entries = u32_at(data, start + 4).unwrap_or(0) as usize;
        // The entries must fit in the record (the record chain checked the record's size).
        entries
            .checked_mul(8)
            .and_then(|n| n.checked_add(start + 8))
            .filter(|e| *e <= start + size)
            .ok_or_else(|| {
                damage(
                    start + 4,
                    format!("{entries} attributes do not fit in the record"),
                )
            })?;
        let dn_index = self.dn_index;
        let entry = |i: usize| {
            let at = start + 8 + 8 * i;
            (
                u32_at(data, at).unwrap_or(u32::MAX) as usize,
                i64::from(i32_at(data, at + 4).unwrap_or(0)),
                at,
            )
        };
        // The DN first: the sink opens the record with it.
        let mut found = false;
        for i in 0..entries {
            let (index, delta, at) = entry(i);
            if Some(index) == dn_index {
                self.for_each_value(start, delta, ads_type::DN_STRING, at, text, |v| {
                    if let (false, Decoded::Text(t, _)) = (found, v) {
                        dn.clear();
                        dn.push_str(t);
                        found = true;
                    }
                })?;
            }
        }
        if !found {
            return Err(damage(start, "the record has no distinguishedName"));
        }
        sink.begin(record.number, Value::Str(dn));
        let mut digits = itoa::Buffer::new();
        for i in 0..entries {
            let (index, delta, at) = entry(i);
            let Some(property) = self.properties.get(index) else {
                if self.table_damage.is_some() && index < self.header.attributes as usize {
                    // Named in the part of the attribute table that is lost.
                    continue;
                }
                return Err(damage(
                    at,
                    format!(
                        "attribute index {index} is not in the attribute table ({} attributes)",
                        self.properties.len()
                    ),
                ));
            };
            let key = match keys.get_mut(index) {
                Some(Some(k)) => *k,
                Some(slot) => *slot.insert(sink.resolve(property.name.as_bytes())),
                None => sink.resolve(property.name.as_bytes()),
            };
            if !sink.wants_values(key) {
                sink.present(key);
                continue;
            }
            self.for_each_value(start, delta, property.ads_type, at, text, |value| {
                sink.present(key);
                let value = match value {
                    Decoded::Text(t, valid) => {
                        *lossy += u64::from(!valid);
                        Value::Str(t)
                    }
                    Decoded::Int(v) => Value::Str(digits.format(v)),
                    Decoded::Bool(b) => Value::Str(if b { "TRUE" } else { "FALSE" }),
                    Decoded::Bytes(b) => Value::Encoded(b),
                    Decoded::Time(t) => Value::Str(t),
                    Decoded::Unread => return,
                };
                sink.value(key, value, false);
            })?;
        }
        Ok(())
    }

    /// Each value of one attribute, `delta` from the record's start, of the given syntax, in
    /// order (texts are decoded into `text`). `entry_at` is the entry's own offset (for
    /// messages).
    pub fn for_each_value(
        &self,
        start: usize,
        delta: i64,
        syntax: u32,
        entry_at: usize,
        text: &mut String,
        mut each: impl FnMut(Decoded<'_>),
    ) -> Result<(), Damage> {
        let data = self.data;
        let at = offset_by(start, delta, data.len()).ok_or_else(|| {
            damage(
                entry_at,
                format!("value offset {delta} points outside the file"),
            )
        })?;
        let count = u32_at(data, at).ok_or_else(|| damage(at, "value count cut"))? as usize;
        let first = at + 4;
        let room = data.len() - first.min(data.len());
        // Every value takes at least 4 bytes of the block (an offset, a length or a number).
        if count.saturating_mul(4) > room {
            return Err(damage(at, format!("{count} values cannot fit in the file")));
        }
        let cut = |at: usize| damage(at, "value cut by the end of the file");
        use ads_type::*;
        match syntax {
            DN_STRING | CASE_EXACT_STRING | CASE_IGNORE_STRING | PRINTABLE_STRING
            | NUMERIC_STRING | OBJECT_CLASS => {
                for v in 0..count {
                    let rel = i64::from(i32_at(data, first + 4 * v).ok_or_else(|| cut(first))?);
                    let text_at = offset_by(at, rel, data.len()).ok_or_else(|| {
                        damage(
                            first + 4 * v,
                            format!("text offset {rel} points outside the file"),
                        )
                    })?;
                    let valid = utf16_until_nul(data, text_at, text)
                        .ok_or_else(|| damage(text_at, "text without its terminating NUL"))?;
                    each(Decoded::Text(text, valid));
                }
            }
            OCTET_STRING => {
                let mut pos = first + 4 * count;
                for v in 0..count {
                    let len = u32_at(data, first + 4 * v).ok_or_else(|| cut(first))? as usize;
                    let bytes = pos
                        .checked_add(len)
                        .and_then(|end| data.get(pos..end))
                        .ok_or_else(|| damage(pos, format!("binary value of {len} bytes cut")))?;
                    each(Decoded::Bytes(bytes));
                    pos += len;
                }
            }
            BOOLEAN | INTEGER => {
                for v in 0..count {
                    let n = u32_at(data, first + 4 * v).ok_or_else(|| cut(first))?;
                    each(if syntax == BOOLEAN {
                        Decoded::Bool(n != 0)
                    } else {
                        // ldifde writes INTEGER syntax signed (groupType -2147483646).
                        Decoded::Int(i64::from(n as i32))
                    });
                }
            }
            LARGE_INTEGER => {
                for v in 0..count {
                    let n = u64_at(data, first + 8 * v).ok_or_else(|| cut(first))?;
                    each(Decoded::Int(n as i64));
                }
            }
            UTC_TIME => {
                for v in 0..count {
                    let t = data
                        .get(first + 16 * v..first + 16 * v + 16)
                        .ok_or_else(|| cut(first))?;
                    let w = |i: usize| u16::from_le_bytes([t[2 * i], t[2 * i + 1]]);
                    // SYSTEMTIME: year, month, day of week, day, hour, minute, second, ms.
                    text.clear();
                    let _ = write!(
                        text,
                        "{:04}{:02}{:02}{:02}{:02}{:02}.0Z",
                        w(0),
                        w(1),
                        w(3),
                        w(4),
                        w(5),
                        w(6)
                    );
                    each(Decoded::Time(text));
                }
            }
            NT_SECURITY_DESCRIPTOR => {
                let mut pos = first;
                for _ in 0..count {
                    let len = u32_at(data, pos).ok_or_else(|| cut(pos))? as usize;
                    let bytes = (pos + 4)
                        .checked_add(len)
                        .and_then(|end| data.get(pos + 4..end))
                        .ok_or_else(|| {
                            damage(pos, format!("security descriptor of {len} bytes cut"))
                        })?;
                    each(Decoded::Bytes(bytes));
                    pos += 4 + len;
                }
            }
            // DN-with-string and the other syntaxes: present, values not read (no rule
            // reads an attribute of those syntaxes).
            _ => (0..count).for_each(|_| each(Decoded::Unread)),
        }
        Ok(())
    }
}

/// A decoded value.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Decoded<'v> {
    /// Text, and whether it was valid UTF-16.
    Text(&'v str, bool),
    Int(i64),
    Bool(bool),
    Bytes(&'v [u8]),
    /// Generalized time, as ldifde writes it.
    Time(&'v str),
    /// A syntax this reader does not decode.
    Unread,
}

/// What decoding keeps from one record to the next: each attribute's resolved sink key, and
/// buffers for the DN and the current text.
pub struct Decoder<K> {
    keys: Vec<Option<K>>,
    dn: String,
    text: String,
}

impl<K> Decoder<K> {
    pub fn new(snapshot: &Snapshot<'_>) -> Decoder<K> {
        Decoder {
            keys: (0..snapshot.properties.len()).map(|_| None).collect(),
            dn: String::new(),
            text: String::new(),
        }
    }
}

/// The record chain (see [`Snapshot::records`]).
pub struct Records<'s, 'a> {
    snapshot: &'s Snapshot<'a>,
    next: usize,
    number: u64,
    done: bool,
}

impl Iterator for Records<'_, '_> {
    type Item = Result<RecordAt, Damage>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.done {
            return None;
        }
        let at = self.next;
        let end = self.snapshot.records_end;
        if at + 4 > end {
            self.done = true;
            let truncated = (end as u64) < self.snapshot.header.table_offset;
            return truncated.then(|| Err(damage(end, "the file ends inside the object records")));
        }
        let size = u32_at(self.snapshot.data, at).unwrap_or(0) as usize;
        if size == 0 {
            // AD Explorer ends the records with a size of 0 before the attribute table.
            self.done = true;
            return None;
        }
        let entries = u32_at(self.snapshot.data, at + 4).unwrap_or(u32::MAX) as usize;
        let fits = at + size <= end;
        let table_fits = entries
            .checked_mul(8)
            .and_then(|n| n.checked_add(8))
            .is_some_and(|n| n <= size);
        if !fits || !table_fits {
            self.done = true;
            return Some(Err(damage(
                at,
                if table_fits && at + size > self.snapshot.data.len() {
                    format!(
                        "the file ends inside record {} ({size} bytes)",
                        self.number + 1
                    )
                } else {
                    format!(
                        "record {} has an impossible size ({size} bytes, {entries} attributes) before the attribute table at byte {end}",
                        self.number + 1
                    )
                },
            )));
        }
        self.number += 1;
        self.next = at + size;
        Some(Ok(RecordAt {
            number: self.number,
            offset: at,
        }))
    }
}

/// Records decoded per parallel task.
const CHUNK_RECORDS: usize = 2048;

/// Chunks a thread between the walk and the append, at most. Four were no faster (`inspect`
/// of the 1M snapshot 1.528 s against 1.518 s).
const CHUNKS_IN_FLIGHT: usize = 2;

/// What reading a snapshot's bytes gave besides the table chunks.
#[derive(Debug, Default)]
pub struct Outcome {
    pub header: Option<Header>,
    /// Records found (the header's count may be lower).
    pub records: u64,
    /// Where reading stopped early, if it did.
    pub stopped: Option<Damage>,
    /// Attributes whose syntax this reader does not decode (name → ADSTYPE).
    pub unread_syntaxes: BTreeMap<String, u32>,
}

/// Reads a snapshot's bytes into `directory`, with the file's statistics in `report`
/// (objects, rejections, attributes). `release` is told which leading part of the bytes
/// has been decoded (the caller may give those pages back). Never panics on any input.
pub fn read_bytes(
    data: &[u8],
    file: u16,
    directory: &mut Directory,
    report: &mut FileReport,
    objects_progress: Option<&std::sync::atomic::AtomicU64>,
    mut release: impl FnMut(usize) + Send,
) -> Outcome {
    let mut outcome = Outcome::default();
    let snapshot = match Snapshot::parse(data) {
        Ok(s) => s,
        Err(d) => {
            outcome.stopped = Some(d);
            return outcome;
        }
    };
    outcome.header = Some(snapshot.header.clone());
    // The snapshot's own time: what readiness checks measure ages from.
    if let Some(t) = i64::try_from(snapshot.header.filetime)
        .ok()
        .and_then(crate::time::from_filetime)
    {
        directory
            .extra
            .note_time(crate::directory::TimeSource::Snapshot, t);
    }
    for p in &snapshot.properties {
        if !matches!(p.ads_type, 1..=10 | 12 | 25) {
            outcome.unread_syntaxes.insert(p.name.clone(), p.ads_type);
        }
    }
    // A walking thread cuts the record chain into chunks while the pool's threads decode
    // them and append them in order ([`super::ordered`]). Decoding batches of chunks with
    // rayon and appending between batches left a core idle at the end of each batch:
    // `inspect` of a 1M-object snapshot (1.33 GB, default shape) took 1.727 ± 0.027 s that
    // way and 1.521 ± 0.007 s this way, the full run's peak unchanged (712 MB).
    let threads = rayon::current_num_threads().max(1);
    let in_flight = threads * CHUNKS_IN_FLIGHT;
    let mut attributes: BTreeMap<Box<[u8]>, (String, u64)> = BTreeMap::new();
    let (records, stopped) = std::thread::scope(|scope| {
        let (mut feeder, items) = super::ordered::channel(in_flight);
        let mut walk = snapshot.records();
        let header_objects = u64::from(snapshot.header.objects);
        let walker = scope.spawn(move || {
            let mut stopped = None;
            let mut records = 0u64;
            let mut chunk = Vec::with_capacity(CHUNK_RECORDS);
            // No room: the append stopped (a panic).
            let mut send = |chunk| feeder.wait_for_room() && feeder.send(chunk);
            for r in walk.by_ref() {
                match r {
                    Ok(r) => {
                        records += 1;
                        chunk.push(r);
                        if chunk.len() == CHUNK_RECORDS
                            && !send(std::mem::replace(
                                &mut chunk,
                                Vec::with_capacity(CHUNK_RECORDS),
                            ))
                        {
                            return (records, stopped);
                        }
                    }
                    // The walk ends at a broken chain: the records before it are decoded.
                    Err(d) => stopped = Some(d),
                }
            }
            if !chunk.is_empty() {
                send(chunk);
            }
            // A record size of 0 ends the chain; before the header's count of objects it is
            // damage (a zeroed stretch of the file), not the end: the objects after it would
            // otherwise be left out without a word. AD Explorer's own header counts one
            // object fewer than its records (the sample of tests/data/adexplorer).
            if stopped.is_none() && records < header_objects {
                stopped = Some(damage(
                    walk.next,
                    format!(
                        "the object records end after {records} of the {header_objects} \
                         the header counts (a record size of 0)"
                    ),
                ));
            }
            (records, stopped)
        });
        super::ordered::parse_in_order(
            items,
            threads,
            |chunk: Vec<RecordAt>| {
                let mut sink = TableSink::new(file);
                let mut decoder = Decoder::new(&snapshot);
                let lossy: u64 = chunk
                    .iter()
                    .map(|r| snapshot.decode(*r, &mut decoder, &mut sink))
                    .sum();
                let (table, mut stats) = sink.finish();
                stats.lossy_values += lossy;
                if let Some(p) = objects_progress {
                    p.fetch_add(chunk.len() as u64, std::sync::atomic::Ordering::Relaxed);
                }
                (table, stats, chunk.first().map_or(0, |r| r.offset))
            },
            |(table, stats, lowest)| {
                directory.append(table);
                report.add_rejections(stats.rejections);
                report.lossy_values += stats.lossy_values;
                report.malformed_values += stats.malformed_values;
                for (lower, name, count) in stats.attributes {
                    attributes.entry(lower).or_insert((name, 0)).1 += count;
                }
                // The chunks after this one start after it: what lies before it is decoded
                // (a record pointing back at a shared value reads it from the page cache).
                release(lowest);
                std::ops::ControlFlow::Continue(())
            },
        );
        // A panic on the walking thread is a bug, not a shorter snapshot: it is passed on.
        walker
            .join()
            .unwrap_or_else(|panic| std::panic::resume_unwind(panic))
    });
    outcome.records = records;
    outcome.stopped = stopped;
    report.attributes = attributes.into_values().collect();
    if outcome.stopped.is_none() {
        outcome.stopped = snapshot.table_damage.clone();
    }
    outcome
}

/// Reads a snapshot file: memory-mapped, decoded in parallel, with what was kept and where
/// reading stopped (if it did) in `report`.
pub fn read_file(
    path: &std::path::Path,
    file_index: u16,
    options: &super::ReadOptions,
    directory: &mut Directory,
    report: &mut FileReport,
) -> Result<(), crate::error::Error> {
    use crate::error::Error;
    report.format = Some(super::Format::Adexplorer);
    let first_row = directory.len();
    let file = std::fs::File::open(path).map_err(|source| Error::Open {
        path: path.to_path_buf(),
        source,
    })?;
    let len = file.metadata().map(|m| m.len()).unwrap_or(0);
    // SAFETY: the mapping is read-only and private to this process. Another program
    // truncating the file while it is read could fault the process (SIGBUS); that is the
    // documented limit of any memory-mapped reader, and inputs are copies a person made.
    let map = if len == 0 {
        None
    } else {
        Some(
            unsafe { memmap2::Mmap::map(&file) }.map_err(|source| Error::Read {
                path: path.to_path_buf(),
                source,
            })?,
        )
    };
    let data: &[u8] = map.as_deref().unwrap_or(&[]);
    // How far the decoder has gone (everything once it has stopped), for the hashing thread.
    let parsed = AtomicUsize::new(0);
    let outcome = std::thread::scope(|scope| {
        let hash = options
            .sha256
            .then(|| scope.spawn(|| hash_mapped(data, &parsed, map.as_ref())));
        let hasher = hash.as_ref().map(|h| h.thread().clone());
        let mut released = 0usize;
        let outcome = read_bytes(
            data,
            file_index,
            directory,
            report,
            options.objects_progress.as_deref(),
            |upto| {
                if let Some(progress) = &options.progress {
                    progress.fetch_add(
                        (upto - released.min(upto)) as u64,
                        std::sync::atomic::Ordering::Relaxed,
                    );
                }
                released = released.max(upto);
                parsed.fetch_max(upto, Ordering::Release);
                if let Some(hasher) = &hasher {
                    hasher.unpark();
                }
                #[cfg(unix)]
                if let Some(map) = &map {
                    give_back(map, upto);
                }
            },
        );
        parsed.store(usize::MAX, Ordering::Release);
        if let Some(hasher) = &hasher {
            hasher.unpark();
        }
        if let Some(progress) = &options.progress {
            let rest = data.len() - released.min(data.len());
            progress.fetch_add(rest as u64, std::sync::atomic::Ordering::Relaxed);
        }
        report.sha256 = hash.and_then(|h| h.join().ok());
        outcome
    });
    report.bytes = len;
    if let Some(header) = &outcome.header {
        if outcome.records > u64::from(header.objects) + 1 {
            report.warnings.push(format!(
                "{}: {} object records, {} more than the snapshot's header counts",
                report.path,
                outcome.records,
                outcome.records - u64::from(header.objects)
            ));
        }
    }
    if !outcome.unread_syntaxes.is_empty() {
        let names: Vec<String> = outcome
            .unread_syntaxes
            .iter()
            .filter(|(name, _)| report.attributes.iter().any(|(n, _)| n == *name))
            .map(|(name, t)| format!("{name} (ADSTYPE {t})"))
            .collect();
        if !names.is_empty() {
            report.warnings.push(format!(
                "{}: values of {} counted but not read (a syntax no check needs)",
                report.path,
                names.join(", ")
            ));
        }
    }
    match outcome.stopped {
        Some(d) => Err(Error::Snapshot {
            path: path.to_path_buf(),
            damage: match directory.len() - first_row {
                0 => d.to_string(),
                kept => format!("{d}; the {kept} objects read before it are kept"),
            },
        }),
        None => Ok(()),
    }
}

/// How far the hashing thread may run ahead of the decoder: the pages in between stay mapped
/// in this process until both have passed them.
const HASH_AHEAD: usize = 64 << 20;

/// The SHA-256 of the mapped file `data`, hashed from the mapping itself (the file is read
/// once), in 1 MiB pieces. The hash keeps at most [`HASH_AHEAD`] bytes ahead of the decoder
/// (`parsed`), so that the pages it touches first are still mapped when the decoder reaches them
/// instead of adding the whole file to the resident size; it never makes the decoder wait. When
/// the hash is behind, it touches again pages the decoder has given back (from the page cache),
/// and gives back those the decoder has passed.
fn hash_mapped(data: &[u8], parsed: &AtomicUsize, map: Option<&memmap2::Mmap>) -> String {
    let mut hasher = <sha2::Sha256 as sha2::Digest>::new();
    let mut hashed = 0;
    for piece in data.chunks(1 << 20) {
        while hashed > parsed.load(Ordering::Acquire).saturating_add(HASH_AHEAD) {
            std::thread::park_timeout(std::time::Duration::from_millis(50));
        }
        sha2::Digest::update(&mut hasher, piece);
        hashed += piece.len();
        let passed = parsed.load(Ordering::Acquire);
        #[cfg(unix)]
        if let Some(map) = map {
            if hashed <= passed {
                // Behind the decoder: what both have passed. Ahead, the decoder gives the
                // pages back itself as it passes them.
                give_back(map, hashed);
            }
        }
        #[cfg(not(unix))]
        let _ = (map, passed);
    }
    crate::hex::lower_hex(&sha2::Digest::finalize(hasher))
}

/// Gives the pages before `upto` back to the system: they stay in the page cache (a later
/// record pointing back at a shared value faults them in again), but stop counting in this
/// process's resident size, which otherwise grows to the whole file.
#[cfg(unix)]
fn give_back(map: &memmap2::Mmap, upto: usize) {
    const PAGE: usize = 1 << 16;
    let upto = upto / PAGE * PAGE;
    if upto > 0 {
        // SAFETY: the mapping is a read-only file mapping: MADV_DONTNEED drops the pages from
        // this process only, and the next access reads the same bytes from the file again.
        let _ = unsafe { map.unchecked_advise_range(memmap2::UncheckedAdvice::DontNeed, 0, upto) };
    }
}
