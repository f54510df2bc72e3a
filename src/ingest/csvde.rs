//! csvde scanner (export-formats.md §4.2): a header naming the attributes with a DN column,
//! RFC 4180 quoting (quoted CR/LF included), `;`-joined multi-values with the `\;` escape,
//! `X'hex'` binaries, and an empty field for an absent attribute.

use super::ldif::preview;
use super::sink::{RecordSink, Value};
use memchr::memchr;

/// The csvde header: column names and which one is the DN.
#[derive(Clone, Debug)]
pub struct CsvHeader {
    pub names: Vec<String>,
    pub dn_column: usize,
}

impl CsvHeader {
    /// Parses the header record (the file's first record, without BOM).
    pub fn parse(record: &[u8]) -> Result<CsvHeader, String> {
        let mut reader = csv::ReaderBuilder::new()
            .has_headers(false)
            .flexible(true)
            .from_reader(record);
        let mut row = csv::ByteRecord::new();
        match reader.read_byte_record(&mut row) {
            Ok(true) => {}
            _ => return Err("the file has no header line".into()),
        }
        let names: Vec<String> = row
            .iter()
            .map(|f| String::from_utf8_lossy(f).trim().to_string())
            .collect();
        let dn_column = names
            .iter()
            .position(|n| n.eq_ignore_ascii_case("DN") || n.eq_ignore_ascii_case("distinguishedName"))
            .ok_or_else(|| {
                format!(
                    "the header has no DN column (first fields: {})",
                    preview(record.split(|b| *b == b'\n').next().unwrap_or_default())
                )
            })?;
        Ok(CsvHeader { names, dn_column })
    }
}

/// Scans every row in `data` (whole rows only), whose first line is line `first_line`.
pub fn scan<S: RecordSink>(data: &[u8], first_line: u64, header: &CsvHeader, sink: &mut S) {
    let columns: Vec<(S::Key, bool, bool)> = header
        .names
        .iter()
        .map(|n| {
            let key = sink.resolve(n.as_bytes());
            (key, sink.multi_valued(key), sink.wants_values(key))
        })
        .collect();
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(data);
    let mut row = csv::ByteRecord::new();
    let mut unescaped = Vec::new();
    let mut hex = Vec::new();
    loop {
        match reader.read_byte_record(&mut row) {
            Ok(true) => {}
            Ok(false) => break,
            Err(e) => {
                // Reading from memory only fails on malformed input the csv crate refuses.
                let line = first_line + e.position().map_or(0, |p| p.line().saturating_sub(1));
                sink.reject(line, line, format!("unreadable CSV row: {e}"));
                continue;
            }
        }
        let line = first_line + row.position().map_or(0, |p| p.line().saturating_sub(1));
        if let Some(reason) = row_problem(&row, header) {
            sink.reject(line, line, reason);
            continue;
        }
        sink.begin(line, Value::Text(&row[header.dn_column]));
        for (i, field) in row.iter().enumerate() {
            if i == header.dn_column || field.is_empty() {
                continue;
            }
            let (key, multi, wants) = columns[i];
            if !wants {
                sink.present(key);
                continue;
            }
            if multi {
                for part in split_unescaped(field) {
                    sink.present(key);
                    let value = unescape(part, &mut unescaped);
                    sink.value(key, decode_hex(value, &mut hex), false);
                }
            } else {
                sink.present(key);
                let value = unescape(field, &mut unescaped);
                sink.value(key, decode_hex(value, &mut hex), false);
            }
        }
        sink.commit();
    }
}

fn row_problem(row: &csv::ByteRecord, header: &CsvHeader) -> Option<String> {
    if row.len() != header.names.len() {
        return Some(format!(
            "row has {} fields but the header has {} (an unquoted comma, or a truncated row?)",
            row.len(),
            header.names.len()
        ));
    }
    let dn = &row[header.dn_column];
    if dn.eq_ignore_ascii_case(header.names[header.dn_column].as_bytes())
        && row.iter().zip(&header.names).all(|(f, n)| f == n.as_bytes())
    {
        return Some("repeated header line (were two exports concatenated?)".into());
    }
    if dn.is_empty() {
        return Some("row has an empty DN".into());
    }
    if row.iter().any(|f| memchr(0, f).is_some()) {
        return Some("row contains a NUL byte".into());
    }
    None
}

/// Splits a multi-valued field on `;` that is not escaped as `\;`.
fn split_unescaped(field: &[u8]) -> impl Iterator<Item = &[u8]> {
    let mut rest = Some(field);
    std::iter::from_fn(move || {
        let current = rest?;
        let mut from = 0;
        loop {
            match memchr(b';', &current[from..]) {
                Some(i) if from + i > 0 && current[from + i - 1] == b'\\' => from += i + 1,
                Some(i) => {
                    rest = Some(&current[from + i + 1..]);
                    return Some(&current[..from + i]);
                }
                None => {
                    rest = None;
                    return Some(current);
                }
            }
        }
    })
}

/// Replaces `\;` by `;` (csvde's only documented escape), borrowing when there is none.
fn unescape<'a>(value: &'a [u8], buf: &'a mut Vec<u8>) -> &'a [u8] {
    if memchr::memmem::find(value, b"\\;").is_none() {
        return value;
    }
    buf.clear();
    let mut i = 0;
    while i < value.len() {
        if value[i] == b'\\' && value.get(i + 1) == Some(&b';') {
            buf.push(b';');
            i += 2;
        } else {
            buf.push(value[i]);
            i += 1;
        }
    }
    buf
}

/// `X'0b81…'` → the bytes; anything else is text.
fn decode_hex<'a>(value: &'a [u8], buf: &'a mut Vec<u8>) -> Value<'a> {
    let Some(inner) = value
        .strip_prefix(b"X'")
        .and_then(|v| v.strip_suffix(b"'"))
    else {
        return Value::Text(value);
    };
    if inner.len() % 2 != 0 || !inner.iter().all(u8::is_ascii_hexdigit) {
        return Value::Text(value);
    }
    buf.clear();
    buf.extend(inner.chunks_exact(2).map(|p| (hex_digit(p[0]) << 4) | hex_digit(p[1])));
    Value::Encoded(buf)
}

fn hex_digit(b: u8) -> u8 {
    match b {
        b'0'..=b'9' => b - b'0',
        b'a'..=b'f' => b - b'a' + 10,
        _ => b - b'A' + 10,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn split_respects_the_escape() {
        let parts: Vec<&[u8]> =
            split_unescaped(b"smtp:a@x.com;X400:c=us\\;a= \\;p=Test\\;;SIP:b@x.com").collect();
        assert_eq!(
            parts,
            [
                &b"smtp:a@x.com"[..],
                &b"X400:c=us\\;a= \\;p=Test\\;"[..],
                &b"SIP:b@x.com"[..]
            ]
        );
        let mut buf = Vec::new();
        assert_eq!(unescape(parts[1], &mut buf), b"X400:c=us;a= ;p=Test;");
    }

    #[test]
    fn hex_values_decode_and_malformed_hex_stays_text() {
        let mut buf = Vec::new();
        assert_eq!(decode_hex(b"X'0b81ff'", &mut buf), Value::Encoded(&[0x0b, 0x81, 0xff]));
        let mut buf = Vec::new();
        assert_eq!(decode_hex(b"X'0g'", &mut buf), Value::Text(b"X'0g'"));
    }
}
