//! Builds the directory table from scanned records: the sink that keeps only what the rules need.

use super::sink::{NonEntry, RecordSink, Value};
use crate::cert::CertificateValue;
use crate::directory::attrs::{column_index, Attr, AttrShape};
use crate::directory::{Directory, Marks, ObjectFlags, ObjectKind, SourceRef};
use rustc_hash::FxHashMap;
use std::borrow::Cow;

/// A record the reader could not use.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct Rejection {
    /// Line where the record starts.
    pub record_line: u64,
    /// Line where the problem is.
    pub line: u64,
    pub reason: String,
}

impl Rejection {
    /// Moves the rejection `lines` lines further into the file: a block's lines are counted
    /// from its own start until the blocks before it are placed (see `blocks::Block`).
    pub fn move_down(&mut self, lines: u64) {
        self.record_line += lines;
        self.line += lines;
    }
}

/// What one block contributed besides its objects.
#[derive(Debug, Default)]
pub struct BlockStats {
    pub rejections: Vec<Rejection>,
    pub search_trailers: u64,
    pub records_without_dn: u64,
    pub lossy_values: u64,
    pub malformed_values: u64,
    /// Attribute name (lower case) → (name as first spelled, objects having it).
    pub attributes: Vec<(Box<[u8]>, String, u64)>,
    /// What a PowerShell CSV's rows showed (type names in place of values, `?`).
    pub powershell: super::powershell::Notes,
}

/// Attribute slot: the name's statistics and the extracted attribute, if any.
#[derive(Copy, Clone, Debug)]
pub struct Slot {
    index: u32,
    attr: Option<Attr>,
}

/// The values of the record being read, kept until the record proves valid.
#[derive(Default)]
struct Scratch {
    line: u64,
    dn: String,
    text: [(bool, String); crate::directory::TEXT_ATTRS.len()],
    proxies: Vec<String>,
    proxy_count: usize,
    class: (bool, String),
    int: [Option<i64>; crate::directory::INT_ATTRS.len()],
    boolean: [Option<bool>; crate::directory::BOOL_ATTRS.len()],
    count: [u32; crate::directory::COUNT_ATTRS.len()],
    guid: Option<[u8; 16]>,
    consistency_guid: bool,
    /// The 16-byte value of mS-DS-ConsistencyGuid, or the bytes of any other length.
    consistency_guid_value: Option<[u8; 16]>,
    odd_consistency_guid: Option<Box<[u8]>>,
    thumbnail: Option<u32>,
    flags: u8,
    /// objectSid in text form, when present (the flag), in a buffer reused across records.
    sid: (bool, String),
    /// Hashes of the member values.
    members: Vec<u64>,
    /// References outside the object's domain (see `Directory::foreign_refs`).
    foreign: Vec<(Attr, Box<str>)>,
    certificates: Vec<CertificateValue>,
    /// Values of the sparse attributes (the first `sparse_count` are this record's).
    sparse: Vec<(Attr, String)>,
    sparse_count: usize,
    /// The record's whenChanged / modifyTimeStamp.
    times: Vec<(crate::directory::TimeSource, i64)>,
    /// What its servicePrincipalName and nTSecurityDescriptor said ([`Marks`] bits).
    marks: u16,
    /// The length of the DN's domain part (a suffix of it), found at the record's first
    /// reference: an object has several, and finding it again for each doubled the
    /// `domain_part` calls (callgrind, 100k objects of the default shape: 367,670 for 183,835
    /// references; 191,642 with this).
    own_domain: Option<usize>,
}

impl Scratch {
    fn reset(&mut self) {
        self.dn.clear();
        self.text.iter_mut().for_each(|t| t.0 = false);
        self.proxy_count = 0;
        self.class.0 = false;
        self.int = Default::default();
        self.boolean = Default::default();
        self.count = Default::default();
        self.guid = None;
        self.consistency_guid = false;
        self.consistency_guid_value = None;
        self.odd_consistency_guid = None;
        self.thumbnail = None;
        self.flags = 0;
        self.certificates.clear();
        self.sparse_count = 0;
        self.times.clear();
        self.sid.0 = false;
        self.marks = 0;
        self.members.clear();
        self.foreign.clear();
        self.own_domain = None;
    }

    /// Keeps a DN-valued reference if it points outside the object's own domain.
    fn reference(&mut self, attr: Attr, value: &str) {
        let dn = &self.dn;
        let own_len = *self
            .own_domain
            .get_or_insert_with(|| crate::directory::domain_part(dn).len());
        let own = &self.dn[self.dn.len() - own_len..];
        let other_domain = !crate::directory::ends_in_domain(value, own) && {
            let theirs = crate::directory::domain_part(value);
            !theirs.is_empty() && !theirs.trim().eq_ignore_ascii_case(own.trim())
        };
        // A member from a trusted forest is a foreign security principal of the own domain,
        // kept for SL1116 (which reads it by its SID). Its first name is looked at before
        // the container is searched for: a memmem search of every value, with a searcher
        // made once, was 2.6 % of reading the 100k field csvde file (callgrind).
        let foreign_principal = crate::dn::foreign_principal_sid(value).is_some();
        if other_domain || foreign_principal {
            self.foreign.push((attr, value.trim().into()));
        }
    }
}

/// Builds a chunk of the directory from one block of one file.
pub struct TableSink {
    pub table: Directory,
    pub stats: BlockStats,
    file: u16,
    names: FxHashMap<Box<[u8]>, u32>,
    /// Per slot: (lower-case name, first spelling, objects having it, last record counted).
    slots: Vec<(Box<[u8]>, String, u64, u64)>,
    record: u64,
    open: bool,
    scratch: Scratch,
    hex: Vec<u8>,
    /// Whether `member` values are read ([`super::ReadOptions::member_values`]).
    member_values: bool,
}

impl TableSink {
    pub fn new(file: u16) -> TableSink {
        TableSink::with_room(file, None)
    }

    /// A sink whose table has room for what `size` held (the previous block's table).
    pub fn with_room(file: u16, size: Option<&crate::directory::TableSize>) -> TableSink {
        TableSink {
            table: size.map_or_else(Directory::default, Directory::with_room),
            stats: BlockStats::default(),
            file,
            names: FxHashMap::default(),
            slots: Vec::new(),
            record: 0,
            open: false,
            scratch: Scratch::default(),
            hex: Vec::new(),
            member_values: true,
        }
    }

    /// Whether to read `member` values (hashes, references into other domains) or only
    /// count them.
    pub fn member_values(mut self, read: bool) -> TableSink {
        self.member_values = read;
        self
    }

    /// Finishes the block: the table and the statistics.
    pub fn finish(mut self) -> (Directory, BlockStats) {
        self.stats.attributes = self
            .slots
            .into_iter()
            .filter(|s| s.2 > 0)
            .map(|(lower, name, count, _)| (lower, name, count))
            .collect();
        (self.table, self.stats)
    }

    fn text<'a>(&mut self, value: Value<'a>, bytes: &'a [u8]) -> Cow<'a, str> {
        if let Value::Str(s) = value {
            return Cow::Borrowed(s);
        }
        match std::str::from_utf8(bytes) {
            Ok(s) => Cow::Borrowed(s),
            Err(_) => {
                self.stats.lossy_values += 1;
                self.scratch.flags |= ObjectFlags::LOSSY_TEXT;
                String::from_utf8_lossy(bytes)
            }
        }
    }

    fn typed_value(&mut self, attr: Attr, shape: AttrShape, value: Value<'_>, hex: &mut Vec<u8>) {
        let bytes = value.bytes(hex);
        match shape {
            AttrShape::Text => {
                let i = column_index(attr);
                if !self.scratch.text[i].0 {
                    let text = self.text(value, bytes);
                    let slot = &mut self.scratch.text[i];
                    slot.0 = true;
                    slot.1.clear();
                    slot.1.push_str(&text);
                }
            }
            AttrShape::TextList => {
                let text = self.text(value, bytes);
                let s = &mut self.scratch;
                if s.proxy_count < s.proxies.len() {
                    s.proxies[s.proxy_count].clear();
                    s.proxies[s.proxy_count].push_str(&text);
                } else {
                    s.proxies.push(text.into_owned());
                }
                s.proxy_count += 1;
            }
            AttrShape::LastText => {
                let text = self.text(value, bytes);
                let class = &mut self.scratch.class;
                class.0 = true;
                class.1.clear();
                class.1.push_str(&text);
            }
            AttrShape::Integer => match parse_integer(bytes) {
                Some(v) => self.scratch.int[column_index(attr)] = Some(v),
                None => self.malformed(),
            },
            AttrShape::Boolean => {
                let t = bytes.trim_ascii();
                let v = if t.eq_ignore_ascii_case(b"TRUE") {
                    Some(true)
                } else if t.eq_ignore_ascii_case(b"FALSE") {
                    Some(false)
                } else {
                    None
                };
                match v {
                    Some(v) => self.scratch.boolean[column_index(attr)] = Some(v),
                    None => self.malformed(),
                }
            }
            AttrShape::Guid => match parse_guid(value, bytes) {
                Some(g) if attr == Attr::ObjectGuid => self.scratch.guid = Some(g),
                Some(g) => {
                    self.scratch.consistency_guid = true;
                    self.scratch.consistency_guid_value = Some(g);
                }
                // mS-DS-ConsistencyGuid may hold any bytes; it still anchors the object.
                None if attr == Attr::ConsistencyGuid && !bytes.is_empty() => {
                    self.scratch.consistency_guid = true;
                    self.scratch.odd_consistency_guid = Some(bytes.into());
                }
                None => self.malformed(),
            },
            AttrShape::Sid => {
                if !self.scratch.sid.0 {
                    // Written into the record's reused buffer: a string per object cost 2 %
                    // of reading a 1M-object export.
                    let sid = &mut self.scratch.sid;
                    sid.1.clear();
                    sid.0 = if value.is_encoded() {
                        write_sid_text(bytes, &mut sid.1)
                    } else {
                        match std::str::from_utf8(bytes).map(str::trim) {
                            Ok(t) if t.len() > 4 && t[..4].eq_ignore_ascii_case("S-1-") => {
                                sid.1.push_str(t);
                                true
                            }
                            _ => false,
                        }
                    };
                    if !self.scratch.sid.0 {
                        self.malformed();
                    }
                }
            }
            AttrShape::Reference => {
                let text = self.text(value, bytes);
                self.scratch.reference(attr, &text);
            }
            AttrShape::Sparse => {
                let text = self.text(value, bytes);
                let s = &mut self.scratch;
                if s.sparse_count < s.sparse.len() {
                    let slot = &mut s.sparse[s.sparse_count];
                    slot.0 = attr;
                    slot.1.clear();
                    slot.1.push_str(&text);
                } else {
                    s.sparse.push((attr, text.into_owned()));
                }
                s.sparse_count += 1;
            }
            AttrShape::Latest => {
                let source = if attr == Attr::ModifyTimeStamp {
                    crate::directory::TimeSource::ModifyTimeStamp
                } else {
                    crate::directory::TimeSource::WhenChanged
                };
                match std::str::from_utf8(bytes)
                    .ok()
                    .and_then(crate::time::parse_any)
                {
                    Some(t) => self.scratch.times.push((source, t)),
                    None => self.malformed(),
                }
            }
            AttrShape::Marks if attr == Attr::NtSecurityDescriptor => {
                if self.scratch.marks & Marks::SD != 0 {
                    return; // single-valued; a repeat changes nothing
                }
                self.scratch.marks |= match crate::sd::read(bytes) {
                    Ok(facts) => Marks::of_sd(&facts),
                    Err(_) => Marks::SD | Marks::SD_MALFORMED,
                };
                if self.scratch.marks & Marks::SD_MALFORMED != 0 {
                    self.malformed();
                }
            }
            AttrShape::Marks => {
                // servicePrincipalName: only whether the Seamless SSO service is named.
                self.scratch.marks |= Marks::SPN;
                if bytes
                    .trim_ascii()
                    .eq_ignore_ascii_case(crate::directory::SEAMLESS_SSO_SPN.as_bytes())
                {
                    self.scratch.marks |= Marks::SSO_SPN;
                }
            }
            AttrShape::Count | AttrShape::Size | AttrShape::Certificates => {}
        }
    }

    fn malformed(&mut self) {
        self.stats.malformed_values += 1;
        self.scratch.flags |= ObjectFlags::MALFORMED_VALUE;
    }
}

impl RecordSink for TableSink {
    type Key = Slot;

    fn resolve(&mut self, name: &[u8]) -> Slot {
        let lower: Box<[u8]> = name.to_ascii_lowercase().into_boxed_slice();
        let next = self.slots.len() as u32;
        let index = *self.names.entry(lower.clone()).or_insert_with(|| {
            self.slots
                .push((lower, String::from_utf8_lossy(name).into_owned(), 0, 0));
            next
        });
        Slot {
            index,
            attr: Attr::from_name(name),
        }
    }

    fn multi_valued(&self, key: Slot) -> bool {
        key.attr.is_some_and(Attr::is_multi_valued)
    }

    fn typed_values(&self, key: Slot) -> bool {
        key.attr == Some(Attr::ProxyAddresses)
    }

    fn last_value_only(&self, key: Slot) -> bool {
        key.attr.is_some_and(|a| a.shape() == AttrShape::LastText)
    }

    fn wants_values(&self, key: Slot) -> bool {
        key.attr.is_some()
    }

    fn reads_content(&self, key: Slot) -> bool {
        key.attr.is_some_and(|a| {
            (a == Attr::Member && self.member_values)
                || !matches!(a.shape(), AttrShape::Count | AttrShape::Size)
        })
    }

    fn range_end(&mut self, _key: Slot) {
        self.scratch.flags |= ObjectFlags::RANGE_END;
    }

    fn begin(&mut self, line: u64, dn: Value<'_>) {
        self.scratch.reset();
        self.record += 1;
        self.open = true;
        self.scratch.line = line;
        let mut hex = std::mem::take(&mut self.hex);
        let bytes = dn.bytes(&mut hex);
        let dn = self.text(dn, bytes);
        let mut target = std::mem::take(&mut self.scratch.dn);
        target.push_str(&dn);
        self.scratch.dn = target;
        self.hex = hex;
    }

    fn present(&mut self, key: Slot) {
        let slot = &mut self.slots[key.index as usize];
        if slot.3 != self.record {
            slot.3 = self.record;
            slot.2 += 1;
        }
    }

    fn present_in(&mut self, key: Slot, objects: u64) {
        self.slots[key.index as usize].2 += objects;
    }

    fn value(&mut self, key: Slot, value: Value<'_>, ranged: bool) {
        let Some(attr) = key.attr else { return };
        let shape = attr.shape();
        match shape {
            AttrShape::Count => {
                let c = &mut self.scratch.count[column_index(attr)];
                *c = c.saturating_add(1);
                if ranged {
                    self.scratch.flags |= ObjectFlags::RANGED;
                }
                if attr == Attr::Member && self.member_values {
                    let mut hex = std::mem::take(&mut self.hex);
                    let bytes = value.bytes(&mut hex);
                    let text = self.text(value, bytes);
                    self.scratch.members.push(crate::directory::dn_hash(&text));
                    self.scratch.reference(attr, &text);
                    self.hex = hex;
                }
                return;
            }
            AttrShape::Certificates => {
                let c = &mut self.scratch.count[column_index(attr)];
                *c = c.saturating_add(1);
                let mut hex = std::mem::take(&mut self.hex);
                let der = value.bytes(&mut hex);
                self.scratch.certificates.push(crate::cert::read(der));
                self.hex = hex;
                return;
            }
            AttrShape::Size => {
                if self.scratch.thumbnail.is_none() {
                    let size = u32::try_from(value.decoded_len()).unwrap_or(u32::MAX);
                    self.scratch.thumbnail = Some(size);
                }
                return;
            }
            _ => {}
        }
        let mut hex = std::mem::take(&mut self.hex);
        self.typed_value(attr, shape, value, &mut hex);
        self.hex = hex;
    }

    fn commit(&mut self) {
        if !self.open {
            return;
        }
        self.open = false;
        let s = &self.scratch;
        let t = &mut self.table;
        let row = t.len();
        for (attr, value) in &s.sparse[..s.sparse_count] {
            t.extra.push(row, *attr, value);
        }
        for (source, time) in &s.times {
            t.extra.note_time(*source, *time);
        }
        if s.marks != 0 {
            t.extra.mark(row, Marks(s.marks));
        }
        t.source.push(SourceRef {
            file: self.file,
            line: s.line,
        });
        t.dn.push(Some(&s.dn));
        let class = s.class.0.then_some(s.class.1.as_str());
        t.object_class.push(class);
        t.kind
            .push(class.map_or(ObjectKind::Other, ObjectKind::from_class));
        for (column, (present, value)) in t.text.iter_mut().zip(&s.text) {
            column.push(present.then_some(value.as_str()));
        }
        for p in &s.proxies[..s.proxy_count] {
            t.proxy_addresses.push_value(p);
        }
        t.proxy_addresses.end_row();
        for (column, v) in t.int.iter_mut().zip(s.int) {
            column.push(v);
        }
        for (column, v) in t.boolean.iter_mut().zip(s.boolean) {
            column.push(v);
        }
        for (column, v) in t.count.iter_mut().zip(s.count) {
            column.push(v);
        }
        t.object_guid.push(s.guid);
        t.has_consistency_guid.push(s.consistency_guid);
        t.consistency_guid.push(s.consistency_guid_value);
        if let (None, Some(odd)) = (s.consistency_guid_value, &s.odd_consistency_guid) {
            t.odd_consistency_guids
                .push((t.kind.len() - 1, odd.clone()));
        }
        t.thumbnail_photo_bytes.push(s.thumbnail);
        t.flags.push(ObjectFlags(s.flags));
        t.object_sid.push(s.sid.0.then_some(s.sid.1.as_str()));
        t.members.push_row(&s.members);
        let row = t.kind.len() - 1;
        t.foreign_refs
            .extend(s.foreign.iter().map(|(a, dn)| (row, *a, dn.clone())));
        for c in self.scratch.certificates.drain(..) {
            t.certificates.push(row, c);
        }
    }

    fn reject(&mut self, record_line: u64, line: u64, reason: String) {
        self.open = false;
        self.stats.rejections.push(Rejection {
            record_line,
            line,
            reason,
        });
    }

    fn non_entry(&mut self, _line: u64, kind: NonEntry) {
        match kind {
            NonEntry::SearchTrailer => self.stats.search_trailers += 1,
            NonEntry::WithoutDn => self.stats.records_without_dn += 1,
        }
    }
}

/// A binary SID (revision, sub-authority count, 48-bit authority, 32-bit little-endian
/// sub-authorities) in its text form `S-1-5-21-…`, or `None` when the bytes are not one.
pub fn sid_text(bytes: &[u8]) -> Option<String> {
    let mut text = String::new();
    write_sid_text(bytes, &mut text).then_some(text)
}

/// [`sid_text`] appended to `out`; `false` (and `out` unchanged) when the bytes are not a SID.
fn write_sid_text(bytes: &[u8], out: &mut String) -> bool {
    let (Some(&revision), Some(&count)) = (bytes.first(), bytes.get(1)) else {
        return false;
    };
    if revision != 1 || bytes.len() != 8 + 4 * count as usize {
        return false;
    }
    let authority = bytes[2..8]
        .iter()
        .fold(0u64, |a, b| (a << 8) | u64::from(*b));
    let mut number = itoa::Buffer::new();
    out.push_str("S-1-");
    out.push_str(number.format(authority));
    for part in bytes[8..].chunks_exact(4) {
        out.push('-');
        out.push_str(number.format(u32::from_le_bytes([part[0], part[1], part[2], part[3]])));
    }
    true
}

/// Decimal (AD's form) or `0x` hexadecimal; values above i64 (unsigned 64-bit) are malformed.
fn parse_integer(bytes: &[u8]) -> Option<i64> {
    // The usual value: up to 18 decimal digits, maybe negative (no overflow possible). The
    // general parse below cost ~240 instructions a value, a fifth of the sink's time.
    let (negative, digits) = match bytes {
        [b'-', rest @ ..] => (true, rest),
        _ => (false, bytes),
    };
    if (1..=18).contains(&digits.len()) && digits.iter().all(u8::is_ascii_digit) {
        let v = digits
            .iter()
            .fold(0i64, |v, d| v * 10 + i64::from(d - b'0'));
        return Some(if negative { -v } else { v });
    }
    let t = std::str::from_utf8(bytes.trim_ascii()).ok()?;
    if let Some(hex) = t.strip_prefix("0x").or_else(|| t.strip_prefix("0X")) {
        return i64::from_str_radix(hex, 16).ok();
    }
    t.parse::<i64>().ok()
}

/// A GUID from its 16 raw bytes (as exported) or from its text form
/// `d08f810b-a35c-49a8-…` (some tools print it), returned in AD's on-the-wire byte order.
pub fn parse_guid(value: Value<'_>, bytes: &[u8]) -> Option<[u8; 16]> {
    if let (true, Ok(raw)) = (value.is_encoded(), <[u8; 16]>::try_from(bytes)) {
        return Some(raw);
    }
    let text = std::str::from_utf8(bytes).ok()?.trim();
    let text = text
        .strip_prefix('{')
        .and_then(|t| t.strip_suffix('}'))
        .unwrap_or(text);
    let hex: String = text.chars().filter(|c| *c != '-').collect();
    if hex.len() != 32 || text.len() != 36 {
        return None;
    }
    let mut canonical = [0u8; 16];
    for (i, b) in canonical.iter_mut().enumerate() {
        *b = u8::from_str_radix(hex.get(2 * i..2 * i + 2)?, 16).ok()?;
    }
    // Text form is big-endian for Data1..Data3; the wire form is little-endian.
    let mut wire = canonical;
    wire[0..4].reverse();
    wire[4..6].reverse();
    wire[6..8].reverse();
    Some(wire)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn guid_text_and_wire_forms_round_trip() {
        // export-formats.md §4.2: X'0b818fd0…' is GUID d08f810b-…
        let text = b"d08f810b-a35c-49a8-8a3c-1b2c3d4e5f60";
        let wire = parse_guid(Value::Text(text), text).unwrap();
        assert_eq!(&wire[..4], &[0x0b, 0x81, 0x8f, 0xd0]);
        assert_eq!(
            crate::hex::format_guid(&wire),
            "d08f810b-a35c-49a8-8a3c-1b2c3d4e5f60"
        );
        assert_eq!(parse_guid(Value::Encoded(&wire), &wire), Some(wire));
        assert_eq!(parse_guid(Value::Text(b"not a guid"), b"not a guid"), None);
    }

    #[test]
    fn sids_in_text_form() {
        let mut sid = vec![1, 5, 0, 0, 0, 0, 0, 5, 21, 0, 0, 0];
        for sub in [1_u32, 2, 3, 1104] {
            sid.extend(sub.to_le_bytes());
        }
        assert_eq!(sid_text(&sid).as_deref(), Some("S-1-5-21-1-2-3-1104"));
        assert_eq!(sid_text(&sid[..10]), None);
        assert_eq!(
            sid_text(&[1, 1, 0, 0, 0, 0, 0, 5, 18, 0, 0, 0]).as_deref(),
            Some("S-1-5-18")
        );
    }

    #[test]
    fn integers_accept_signed_decimal_and_hex() {
        assert_eq!(parse_integer(b"-2147483646"), Some(-2147483646));
        assert_eq!(parse_integer(b"0x1000"), Some(4096));
        assert_eq!(parse_integer(b"9223372036854775807"), Some(i64::MAX));
        assert_eq!(parse_integer(b"twelve"), None);
        assert_eq!(parse_integer(b"512"), Some(512));
        assert_eq!(parse_integer(b" 66048 "), Some(66048));
        assert_eq!(parse_integer(b"+7"), Some(7));
        assert_eq!(parse_integer(b"-"), None);
        assert_eq!(parse_integer(b""), None);
        assert_eq!(
            parse_integer(b"999999999999999999"),
            Some(999_999_999_999_999_999)
        );
        assert_eq!(parse_integer(b"-9223372036854775808"), Some(i64::MIN));
        assert_eq!(parse_integer(b"9223372036854775808"), None);
        assert_eq!(parse_integer(b"12a"), None);
    }

    /// The fast path and the general parse agree on every short decimal.
    #[test]
    fn the_integer_fast_path_agrees_with_the_general_parse() {
        for text in [
            "0",
            "-0",
            "1",
            "-1",
            "007",
            "123456789012345678",
            "-123456789012345678",
        ] {
            assert_eq!(
                parse_integer(text.as_bytes()),
                text.parse::<i64>().ok(),
                "{text}"
            );
        }
    }
}
