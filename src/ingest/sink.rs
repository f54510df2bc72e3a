//! The interface between the format scanners and whatever consumes records.
//!
//! Scanners ([`super::ldif`], [`super::csvde`]) know the syntax; sinks know what to keep.
//! The directory is built by [`super::table::TableSink`]; the differential test against
//! ldif-parser uses a sink that keeps every attribute.

/// `digits` decoded into `buf`. SIMD decoding first (faster-hex): userCertificate values are
/// kilobytes of hex, and the scalar loop below was half of the sink's time on an export with
/// certificates (86 of 178 ms at 200k objects). Digits it refuses (odd length, a stray
/// character) keep the lenient scalar decoding.
#[inline(never)]
fn decode_hex<'b>(digits: &[u8], buf: &'b mut Vec<u8>) -> &'b [u8] {
    buf.clear();
    buf.resize(digits.len() / 2, 0);
    if digits.len() % 2 != 0 || faster_hex::hex_decode(digits, buf).is_err() {
        buf.clear();
        buf.extend(
            digits
                .chunks_exact(2)
                .map(|p| (hex_digit(p[0]) << 4) | hex_digit(p[1])),
        );
    }
    buf
}

/// One attribute value as it appears in the export.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum Value<'a> {
    /// A plain value: text in the file's encoding, already transcoded to UTF-8 (it may still
    /// be invalid UTF-8 when the file claimed to be UTF-8 and was not).
    Text(&'a [u8]),
    /// A plain value already known to be valid UTF-8 (cut from a block that validated whole).
    Str(&'a str),
    /// A value the export encoded (LDIF `::` base64): raw bytes, text or binary.
    Encoded(&'a [u8]),
    /// csvde's `X'…'`: the hex digits, still encoded (validated, even length). Decoded only by
    /// a sink that needs the bytes: counting certificates or sizing a photo does not.
    Hex(&'a [u8]),
}

impl<'a> Value<'a> {
    /// A plain value cut from `block`: [`Value::Str`] when the block is valid UTF-8.
    ///
    /// # Safety
    /// When `block_is_utf8` is true, `bytes` must be valid UTF-8. Scanners guarantee it by
    /// cutting values out of a block that validated as UTF-8 only at ASCII bytes (delimiters,
    /// quotes, line ends, `\;` escapes, fold points), which can't fall inside a multi-byte
    /// character; joining such pieces keeps them valid.
    pub unsafe fn plain(bytes: &'a [u8], block_is_utf8: bool) -> Value<'a> {
        if block_is_utf8 {
            debug_assert!(std::str::from_utf8(bytes).is_ok());
            // SAFETY: the caller's contract above.
            Value::Str(unsafe { std::str::from_utf8_unchecked(bytes) })
        } else {
            Value::Text(bytes)
        }
    }

    /// Whether a whole block is valid UTF-8 (SIMD: cheaper than checking each value).
    pub fn block_is_utf8(block: &[u8]) -> bool {
        simdutf8::basic::from_utf8(block).is_ok()
    }

    /// The value's bytes; hex is decoded into `buf`.
    ///
    /// Inlined, with the decoding out of line: called for every value (2.2 million at 100k
    /// objects of the default shape), its calls were 71M instructions, 3.5 % of reading the
    /// csvde export; inlined, the reading takes 32M fewer (callgrind).
    #[inline]
    pub fn bytes<'b>(&self, buf: &'b mut Vec<u8>) -> &'b [u8]
    where
        'a: 'b,
    {
        match self {
            Value::Text(b) | Value::Encoded(b) => b,
            Value::Str(s) => s.as_bytes(),
            Value::Hex(digits) => decode_hex(digits, buf),
        }
    }

    /// The bytes as they stand (hex digits for [`Value::Hex`]).
    pub fn raw(&self) -> &'a [u8] {
        match self {
            Value::Text(b) | Value::Encoded(b) | Value::Hex(b) => b,
            Value::Str(s) => s.as_bytes(),
        }
    }

    /// Size in bytes of the value once decoded.
    pub fn decoded_len(&self) -> usize {
        match self {
            Value::Text(b) | Value::Encoded(b) => b.len(),
            Value::Str(s) => s.len(),
            Value::Hex(digits) => digits.len() / 2,
        }
    }

    /// Whether the export marked the value as encoded (binary or non-ASCII).
    pub fn is_encoded(&self) -> bool {
        !matches!(self, Value::Text(_) | Value::Str(_))
    }
}

fn hex_digit(b: u8) -> u8 {
    match b {
        b'0'..=b'9' => b - b'0',
        b'a'..=b'f' => b - b'a' + 10,
        _ => b.wrapping_sub(b'A').wrapping_add(10),
    }
}

/// Receives the records of one block, in file order.
pub trait RecordSink {
    /// A resolved attribute name; scanners resolve each distinct name as rarely as they can.
    type Key: Copy;

    /// Resolves an attribute name (without options such as `;range=0-1499`).
    fn resolve(&mut self, name: &[u8]) -> Self::Key;
    /// Whether csvde should split this attribute's field on unescaped `;`.
    fn multi_valued(&self, key: Self::Key) -> bool;
    /// Whether this attribute's values are typed addresses (`SMTP:…`, `X400:…`): csvde then
    /// splits a field without any `\;` only where a new address starts, since other tools
    /// write a value's own `;` bare (X400 addresses).
    fn typed_values(&self, _key: Self::Key) -> bool {
        false
    }
    /// Whether the sink keeps only an attribute's last value (objectClass's most specific
    /// class): csvde then hands over only the part after the field's last separator.
    fn last_value_only(&self, _key: Self::Key) -> bool {
        false
    }
    /// Whether the sink needs the values at all (else the scanner only reports presence).
    fn wants_values(&self, key: Self::Key) -> bool;
    /// Whether the sink reads the values' content, not only their number and decoded size: a
    /// scanner may then skip checking long binary values digit by digit (certificates).
    fn reads_content(&self, _key: Self::Key) -> bool {
        true
    }

    /// A record with a DN starts at `line`.
    fn begin(&mut self, line: u64, dn: Value<'_>);
    /// One value of the current record. `ranged` is set for `attr;range=lo-hi` names.
    fn value(&mut self, key: Self::Key, value: Value<'_>, ranged: bool);
    /// The current record holds the last part of a range-retrieved attribute
    /// (`member;range=1500-*`).
    fn range_end(&mut self, _key: Self::Key) {}
    /// The attribute is present in the current record (called once per value, values or not).
    fn present(&mut self, key: Self::Key);
    /// `objects` committed records of the block had the attribute (csvde counts per column
    /// instead of calling [`RecordSink::present`] for every field).
    fn present_in(&mut self, key: Self::Key, objects: u64);
    /// The current record is complete and valid.
    fn commit(&mut self);
    /// The record starting at `record_line` is rejected; `line` is where the problem is.
    fn reject(&mut self, record_line: u64, line: u64, reason: String);
    /// A record that holds no object (ldapsearch `search:`/`result:` trailers, DN-less records).
    fn non_entry(&mut self, line: u64, kind: NonEntry);
}

/// Records that are not objects and not errors.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum NonEntry {
    /// ldapsearch's `search: N` / `result: 0 Success` trailer.
    SearchTrailer,
    /// A record without `dn:` (for example a `ref:` referral).
    WithoutDn,
}
