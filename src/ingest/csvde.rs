//! csvde scanner (export-formats.md §4.2): a header naming the attributes with a DN column,
//! RFC 4180 quoting (quoted CR/LF included), `;`-joined multi-values with the `\;` escape,
//! `X'hex'` binaries, and an empty field for an absent attribute.

use super::delims::Delims;
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
        let names = header_names(record)?;
        let dn_column = names
            .iter()
            .position(|n| {
                n.eq_ignore_ascii_case("DN") || n.eq_ignore_ascii_case("distinguishedName")
            })
            .ok_or_else(|| {
                format!(
                    "the header has no DN column (first fields: {})",
                    preview(record.split(|b| *b == b'\n').next().unwrap_or_default())
                )
            })?;
        Ok(CsvHeader { names, dn_column })
    }
}

/// The column names of a header record, trimmed.
pub fn header_names(record: &[u8]) -> Result<Vec<String>, String> {
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(record);
    let mut row = csv::ByteRecord::new();
    match reader.read_byte_record(&mut row) {
        Ok(true) => {}
        _ => return Err("the file has no header line".into()),
    }
    Ok(row
        .iter()
        .map(|f| String::from_utf8_lossy(f).trim().to_string())
        .collect())
}

/// Scans every row in `data` (whole rows only), whose first line is line `first_line`; the
/// number of newlines in `data` (counted on the way: see [`super::blocks::Block::first_line`]).
pub fn scan<S: RecordSink>(data: &[u8], first_line: u64, header: &CsvHeader, sink: &mut S) -> u64 {
    let columns: Vec<Column<S::Key>> = header
        .names
        .iter()
        .map(|n| {
            let key = sink.resolve(n.as_bytes());
            Column {
                key,
                multi: sink.multi_valued(key),
                wants: sink.wants_values(key),
                content: sink.reads_content(key),
                typed: sink.typed_values(key),
                last_only: sink.last_value_only(key),
            }
        })
        .collect();
    let mut rows = RowScanner::new(data, first_line);
    // One NUL search over the block spares a search per row when (as usual) there is none.
    rows.check_nul = memchr(0, data).is_some();
    let utf8 = Value::block_is_utf8(data);
    let mut row = Row::default();
    let mut unescaped = Vec::new();
    // Objects having each column, reported once per block.
    let mut present = vec![0u64; columns.len()];
    let mut row_start = rows.pos;
    while let Some(line) = rows.next_row(&mut row) {
        // csvde's one escape is `\;`, and most rows have no backslash at all: one search of
        // the row spares a search of each of its values (callgrind, 100k objects of the
        // default shape: 3.1 million memchr calls, 10 % of reading; 7 % fewer instructions in
        // all with this).
        let escapes = data
            .get(row_start..rows.pos)
            .is_none_or(|bytes| memchr(b'\\', bytes).is_some());
        row_start = rows.pos;
        // The DN field, looked up once for the checks and the record.
        let dn = row.field(header.dn_column);
        if let Some(reason) = row_problem(&row, dn, header) {
            sink.reject(line, line, reason);
            continue;
        }
        // SAFETY (for every `Value::plain` below): fields, their `;` parts and their unescaped
        // forms are cut from `data` at ASCII bytes, and `utf8` says `data` is valid UTF-8.
        sink.begin(line, unsafe { Value::plain(dn, utf8) });
        // Only the fields that hold something: most of a wide export's are empty.
        for field in &row.fields {
            let i = field.column as usize;
            if i == header.dn_column {
                continue;
            }
            let Some(&Column {
                key,
                multi,
                wants,
                content,
                typed,
                last_only,
            }) = columns.get(i)
            else {
                continue;
            };
            present[i] += 1;
            if !wants {
                continue;
            }
            let field = row.text(field);
            if multi && last_only && utf8 {
                // Only the last part counts (objectClass's `top;person;…;user`): found from
                // the end, not split part by part (a memchr, a classify and a sink call a
                // part: 3 % of reading the 100k field csvde file). Invalid UTF-8 takes the
                // general path, where each part is counted as it is made lossy.
                let last = last_part(field);
                let value = unescape_in(escapes, last, &mut unescaped);
                sink.value(key, classify(value, utf8, content), false);
            } else if multi {
                // csvde itself escapes every `;` inside a value: a field with `\;` is split at
                // every other `;`. Without one, a typed value's bare `;` may be its own.
                // (A memchr over the backslashes: `memmem::find` built a searcher a field.)
                let bare = typed
                    && (!escapes
                        || !memchr::memchr_iter(b'\\', field)
                            .any(|at| field.get(at + 1) == Some(&b';')));
                let split_at = if bare {
                    ends_typed_value
                } else {
                    |_: &[u8], _: &[u8]| true
                };
                for part in split_unescaped(field, split_at) {
                    let value = unescape_in(escapes, part, &mut unescaped);
                    sink.value(key, classify(value, utf8, content), false);
                }
            } else {
                let value = unescape_in(escapes, field, &mut unescaped);
                sink.value(key, classify(value, utf8, content), false);
            }
        }
        sink.commit();
    }
    for (&Column { key, .. }, objects) in columns.iter().zip(present) {
        if objects > 0 {
            sink.present_in(key, objects);
        }
    }
    // A row ended by a lone CR counts as a line but holds no newline.
    rows.line - first_line - rows.lone_cr
}

/// What the sink said of a column's attribute, asked once per block.
#[derive(Clone, Copy)]
struct Column<K> {
    key: K,
    multi: bool,
    wants: bool,
    content: bool,
    typed: bool,
    last_only: bool,
}

/// The part of a multi-valued field after its last unescaped `;` (the whole field without
/// one): the last part [`split_unescaped`] gives when every `;` ends a value.
fn last_part(field: &[u8]) -> &[u8] {
    let mut end = field.len();
    while let Some(at) = memchr::memrchr(b';', &field[..end]) {
        if at == 0 || field[at - 1] != b'\\' {
            return &field[at + 1..];
        }
        end = at;
    }
    field
}

/// One parsed row: how many fields it has, and the bounds of those that are not empty, into
/// the block or into `unquoted` for fields whose `""` escapes had to be undone.
#[derive(Default)]
struct Row<'a> {
    data: &'a [u8],
    /// Fields in the row, empty or not.
    count: usize,
    /// The fields that hold something, in column order.
    fields: Vec<Field>,
    unquoted: Vec<u8>,
    has_nul: bool,
}

/// A field that holds something.
#[derive(Clone, Copy)]
struct Field {
    column: u32,
    /// Its text is in `Row::unquoted` (not in the block).
    unquoted: bool,
    start: usize,
    end: usize,
}

impl<'a> Row<'a> {
    fn len(&self) -> usize {
        self.count
    }

    fn text(&self, field: &Field) -> &[u8] {
        if field.unquoted {
            &self.unquoted[field.start..field.end]
        } else {
            &self.data[field.start..field.end]
        }
    }

    /// Field `i` (empty if it is, or past the last).
    fn field(&self, i: usize) -> &[u8] {
        match self.fields.binary_search_by_key(&i, |f| f.column as usize) {
            Ok(at) => self.text(&self.fields[at]),
            Err(_) => &[],
        }
    }

    fn iter(&self) -> impl Iterator<Item = &[u8]> {
        (0..self.len()).map(|i| self.field(i))
    }
}

/// An RFC 4180 row splitter for csvde output, with the `csv` crate's reading of it (a field
/// is quoted only if it starts with `"`; `""` inside quotes is one `"`; text after a closing
/// quote is kept; blank lines are skipped; CR, LF and CRLF end rows). It jumps between
/// delimiters with memchr instead of stepping a state machine byte by byte: csv-core's
/// `read_record` was 25% of read time under perf, this scanner about a third of that.
/// tests/it/reader.rs checks it against the `csv` crate on every sample and on generated data.
struct RowScanner<'a> {
    data: &'a [u8],
    pos: usize,
    line: u64,
    /// Rows ended by a CR with no LF after it.
    lone_cr: u64,
    check_nul: bool,
    /// Ends of unquoted fields: a sparse export's rows are mostly empty fields, a comma each,
    /// and a memchr call per field was a quarter of reading one.
    delims: Delims,
}

impl<'a> RowScanner<'a> {
    fn new(data: &'a [u8], first_line: u64) -> RowScanner<'a> {
        RowScanner {
            data,
            pos: 0,
            line: first_line,
            lone_cr: 0,
            check_nul: true,
            delims: Delims::new(b',', b'\n', b'\r'),
        }
    }

    /// Fills `row` with the next row and returns the line it starts on.
    fn next_row(&mut self, row: &mut Row<'a>) -> Option<u64> {
        let data = self.data;
        // Skip blank lines.
        while let Some(&b) = data.get(self.pos) {
            match b {
                b'\n' => self.line += 1,
                b'\r' => {}
                _ => break,
            }
            self.pos += 1;
        }
        if self.pos >= data.len() {
            return None;
        }
        let start_line = self.line;
        let row_start = self.pos;
        row.data = data;
        row.fields.clear();
        row.unquoted.clear();
        // Fields are counted, and only those that hold something kept: a wide export's row
        // is mostly commas, each an empty field, passed over here sixteen at a time.
        let mut column: u32 = 0;
        loop {
            let (unquoted, start, end) = match data.get(self.pos) {
                Some(b',') => {
                    // A run of empty fields, each followed by its comma.
                    let run = super::delims::run_of(b',', data, self.pos);
                    column += run as u32;
                    self.pos += run;
                    continue;
                }
                Some(b'"') => self.quoted_field(row),
                _ => {
                    let s = self.pos;
                    let e = self.delims.next(data, s);
                    self.pos = e;
                    (false, s, e)
                }
            };
            if start != end {
                row.fields.push(Field {
                    column,
                    unquoted,
                    start,
                    end,
                });
            }
            column += 1;
            match data.get(self.pos) {
                Some(b',') => self.pos += 1,
                Some(b'\r') => {
                    self.pos += 1;
                    if data.get(self.pos) == Some(&b'\n') {
                        self.pos += 1;
                    } else {
                        self.lone_cr += 1;
                    }
                    self.line += 1;
                    break;
                }
                Some(b'\n') => {
                    self.pos += 1;
                    self.line += 1;
                    break;
                }
                _ => break,
            }
        }
        row.count = column as usize;
        row.has_nul = self.check_nul && memchr(0, &data[row_start..self.pos]).is_some();
        Some(start_line)
    }

    fn quoted_field(&mut self, row: &mut Row<'a>) -> (bool, usize, usize) {
        let data = self.data;
        let start = self.pos + 1;
        let mut scan = start; // where the next search starts
        let mut seg = start; // start of the part not yet copied (after a `""`)
        let mut copied: Option<usize> = None; // start of this field in row.unquoted
        loop {
            // One search finds both the closing quote and any quoted newline (for line numbers).
            let Some(at) = memchr::memchr2(b'"', b'\n', &data[scan..]).map(|i| scan + i) else {
                // No closing quote (only possible at the end of the input).
                self.pos = data.len();
                return match copied {
                    Some(u) => {
                        row.unquoted.extend_from_slice(&data[seg..]);
                        (true, u, row.unquoted.len())
                    }
                    None => (false, start, data.len()),
                };
            };
            if data[at] == b'\n' {
                self.line += 1;
                scan = at + 1;
                continue;
            }
            if data.get(at + 1) == Some(&b'"') {
                copied.get_or_insert(row.unquoted.len());
                row.unquoted.extend_from_slice(&data[seg..=at]);
                seg = at + 2;
                scan = at + 2;
                continue;
            }
            // Closing quote; anything up to the next delimiter is kept as written.
            let tail_end = match data.get(at + 1) {
                None | Some(b',' | b'\n' | b'\r') => at + 1,
                Some(_) => memchr::memchr3(b',', b'\n', b'\r', &data[at + 1..])
                    .map_or(data.len(), |i| at + 1 + i),
            };
            self.pos = tail_end;
            let tail = &data[at + 1..tail_end];
            return match copied {
                None if tail.is_empty() => (false, start, at),
                None => {
                    let u = row.unquoted.len();
                    row.unquoted.extend_from_slice(&data[start..at]);
                    row.unquoted.extend_from_slice(tail);
                    (true, u, row.unquoted.len())
                }
                Some(u) => {
                    row.unquoted.extend_from_slice(&data[seg..at]);
                    row.unquoted.extend_from_slice(tail);
                    (true, u, row.unquoted.len())
                }
            };
        }
    }
}

/// Why `row` (whose DN field is `dn`) is rejected, if it is.
fn row_problem(row: &Row<'_>, dn: &[u8], header: &CsvHeader) -> Option<String> {
    if row.len() != header.names.len() {
        return Some(format!(
            "row has {} fields but the header has {} (an unquoted comma, or a truncated row?)",
            row.len(),
            header.names.len()
        ));
    }
    // A DN holds `=`, so a DN field spelled like the DN column's name is a header line (also
    // when the header's other names were mapped, as PowerShell's are).
    if dn.eq_ignore_ascii_case(header.names[header.dn_column].as_bytes()) {
        return Some("repeated header line (were two exports concatenated?)".into());
    }
    if dn.is_empty() {
        return Some("row has an empty DN".into());
    }
    if row.has_nul {
        return Some("row contains a NUL byte".into());
    }
    None
}

/// Splits rows with the `csv` crate: the reference the hot-path scanner is tested against.
pub fn rows_with_csv_crate(data: &[u8]) -> Vec<(u64, Vec<Vec<u8>>)> {
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(data);
    let mut out = Vec::new();
    let mut record = csv::ByteRecord::new();
    while let Ok(true) = reader.read_byte_record(&mut record) {
        let line = record.position().map_or(0, |p| p.line());
        out.push((line, record.iter().map(<[u8]>::to_vec).collect()));
    }
    out
}

/// Splits rows with the hot-path scanner (same shape as [`rows_with_csv_crate`]).
pub fn rows_with_scanner(data: &[u8]) -> Vec<(u64, Vec<Vec<u8>>)> {
    let mut rows = RowScanner::new(data, 1);
    let mut row = Row::default();
    let mut out = Vec::new();
    while let Some(line) = rows.next_row(&mut row) {
        out.push((line, row.iter().map(<[u8]>::to_vec).collect()));
    }
    out
}

/// The length of a value's type prefix (`SMTP`, `x500`: up to 16 letters, digits or `-`
/// before a `:`), if it has one.
fn type_prefix(s: &[u8]) -> Option<usize> {
    let name = s
        .iter()
        .take_while(|b| b.is_ascii_alphanumeric() || **b == b'-')
        .count();
    ((1..=16).contains(&name) && s.get(name) == Some(&b':')).then_some(name)
}

/// Whether a bare `;` between `value` (so far) and `rest` ends the value: unless the value is
/// a typed non-SMTP address (X400 …, whose syntax uses `;`; an SMTP address can't hold one)
/// and `rest` starts neither a new typed value nor an address without a type (`a@b`, no `=`
/// before the next `;`, which the no-prefix rule reports). X400 elements (`a= `, `p=Org`)
/// and the end after a final `;` stay in the value.
fn ends_typed_value(value: &[u8], rest: &[u8]) -> bool {
    let own_semicolons =
        type_prefix(value).is_some_and(|n| !value[..n].eq_ignore_ascii_case(b"smtp"));
    if !own_semicolons || type_prefix(rest).is_some() {
        return true;
    }
    let part = &rest[..memchr(b';', rest).unwrap_or(rest.len())];
    memchr(b'@', part).is_some() && memchr(b'=', part).is_none()
}

/// Splits a multi-valued field on `;` that is not escaped as `\;` and where `split_at` says
/// the value before it (so far) ends there, given the text after it.
fn split_unescaped(
    field: &[u8],
    split_at: fn(&[u8], &[u8]) -> bool,
) -> impl Iterator<Item = &[u8]> {
    let mut rest = Some(field);
    std::iter::from_fn(move || {
        let current = rest?;
        let mut from = 0;
        loop {
            match memchr(b';', &current[from..]) {
                Some(i) if from + i > 0 && current[from + i - 1] == b'\\' => from += i + 1,
                Some(i) if !split_at(&current[..from + i], &current[from + i + 1..]) => {
                    from += i + 1
                }
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

/// [`unescape`] for a value of a row that has a backslash (`escapes`); any other is as it is.
fn unescape_in<'a>(escapes: bool, value: &'a [u8], buf: &'a mut Vec<u8>) -> &'a [u8] {
    if escapes {
        unescape(value, buf)
    } else {
        value
    }
}

/// Replaces `\;` by `;` (csvde's only documented escape), borrowing when there is none.
fn unescape<'a>(value: &'a [u8], buf: &'a mut Vec<u8>) -> &'a [u8] {
    if memchr(b'\\', value).is_none() {
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

/// `X'0b81…'` → hex (left encoded); anything else is text. `utf8`: see [`Value::plain`].
/// A csvde field as a value: `X'…'` with an even number of hex digits is binary. The digits
/// are checked only when the content will be read (`check_digits`); a value that is only
/// counted or measured (userCertificate, thumbnailPhoto: kilobytes each) is taken on its frame.
fn classify(value: &[u8], utf8: bool, check_digits: bool) -> Value<'_> {
    match value.strip_prefix(b"X'").and_then(|v| v.strip_suffix(b"'")) {
        Some(inner)
            if inner.len() % 2 == 0
                // SIMD check (faster-hex): a certificate is kilobytes of digits, and checking
                // them byte by byte was half of this scanner's own time on the default shape.
                && (!check_digits || faster_hex::hex_check(inner)) =>
        {
            Value::Hex(inner)
        }
        // SAFETY: only called with values cut from a block that `utf8` vouches for.
        _ => unsafe { Value::plain(value, utf8) },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scanner_agrees_with_the_csv_crate_on_tricky_rows() {
        let cases: [&[u8]; 8] = [
            b"a,b,c\r\nd,e,f\r\n",
            b"\"q,1\",\"say \"\"hi\"\"\",x\n\n\ny,\"\",\n",
            b"\"multi\r\nline\",z\r\nlast,row",
            b"\"abc\"def,g\nh\"i,j\n",
            b"\"unterminated,k\nl,m\n",
            b",,\n,\n",
            b"only\rcr\rline,x\r",
            b"\"\"\"\"\"\",\"a\"\"\"b\n",
        ];
        // The csv crate's line numbers are off after CRLF, so only the fields are compared.
        let fields =
            |rows: Vec<(u64, Vec<Vec<u8>>)>| rows.into_iter().map(|r| r.1).collect::<Vec<_>>();
        for case in cases {
            assert_eq!(
                fields(rows_with_scanner(case)),
                fields(rows_with_csv_crate(case)),
                "{}",
                String::from_utf8_lossy(case)
            );
        }
        let lines: Vec<u64> = rows_with_scanner(cases[2]).iter().map(|r| r.0).collect();
        assert_eq!(lines, [1, 3]);
        let lines: Vec<u64> = rows_with_scanner(cases[1]).iter().map(|r| r.0).collect();
        assert_eq!(lines, [1, 4]);
    }

    /// The merge places each block's lines by the newlines `scan` counts on the way, so that
    /// count must be the block's newlines, whatever ends its rows.
    #[test]
    fn scan_counts_the_newlines_it_passes() {
        let header = CsvHeader::parse(b"DN,cn,proxyAddresses\r\n").expect("header");
        let cases: [&[u8]; 10] = [
            b"\"CN=a,DC=x\",a,smtp:a@x.com\r\n\"CN=b,DC=x\",b,\r\n",
            b"\"CN=a,DC=x\",\"multi\nline\nvalue\",x\n\n\n\"CN=b,DC=x\",b,\n",
            b"\"CN=a,DC=x\",\"multi\r\nline\",z\r\n\"CN=b,DC=x\",last,row",
            b"\"CN=a,DC=x\",a\rb\rc\r",
            b"\"CN=a,DC=x\",\"unterminated,k\nl,m\n",
            b"\n\r\n\r\n",
            b"\"CN=a,DC=x\"\"tail\nnext,\"CN=b,DC=x\",b,c,d,e\n",
            b"\"CN=a\\;b,DC=x\",a,smtp:a@x.com;X400:c=us\\;a= \\;\n",
            b"\"CN=a,DC=x\",a,b\r\r\n\r\"CN=b,DC=x\",b,\n",
            b"",
        ];
        super::super::blocks::assert_scan_counts_newlines(&cases, |case, first_line, sink| {
            scan(case, first_line, &header, sink)
        });
    }

    #[test]
    fn last_part_is_the_splits_last() {
        // Every field of up to six bytes over `;`, `\\` and `a`: the part found from the end
        // is the last the split gives.
        let alphabet = [b';', b'\\', b'a'];
        let mut fields: Vec<Vec<u8>> = vec![Vec::new()];
        for _ in 0..6 {
            let longer: Vec<Vec<u8>> = fields
                .iter()
                .flat_map(|f| alphabet.iter().map(move |b| [&f[..], &[*b]].concat()))
                .collect();
            fields.extend(longer);
        }
        for field in &fields {
            let last = split_unescaped(field, |_, _| true).last();
            assert_eq!(
                Some(last_part(field)),
                last,
                "{:?}",
                String::from_utf8_lossy(field)
            );
        }
        assert_eq!(last_part(b"top;person;organizationalPerson;user"), b"user");
        assert_eq!(last_part(b"top;a\\;b"), b"a\\;b");
    }

    #[test]
    fn split_respects_the_escape() {
        let parts: Vec<&[u8]> = split_unescaped(
            b"smtp:a@x.com;X400:c=us\\;a= \\;p=Test\\;;SIP:b@x.com",
            |_, _| true,
        )
        .collect();
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
        // The same values written bare, as other tools do: a `;` belongs to the value unless
        // a new address starts after it.
        let bare: Vec<&[u8]> = split_unescaped(
            b"smtp:a@x.com;junk;X400:c=us;a= ;p=Test;;SIP:b@x.com;plain@x.com;X400:c=de;o=X;",
            ends_typed_value,
        )
        .collect();
        assert_eq!(
            bare,
            [
                &b"smtp:a@x.com"[..],
                b"junk",
                b"X400:c=us;a= ;p=Test;",
                b"SIP:b@x.com",
                b"plain@x.com",
                b"X400:c=de;o=X;",
            ]
        );
    }

    #[test]
    fn hex_values_decode_and_malformed_hex_stays_text() {
        let mut buf = Vec::new();
        let hex = classify(b"X'0b81FF'", true, true);
        assert_eq!(hex, Value::Hex(b"0b81FF"));
        assert_eq!(hex.bytes(&mut buf), &[0x0b, 0x81, 0xff]);
        assert_eq!(hex.decoded_len(), 3);
        assert_eq!(classify(b"X'0g'", false, true), Value::Text(b"X'0g'"));
        assert_eq!(classify(b"X'0'", true, true), Value::Str("X'0'"));
        // Only measured: the frame is enough, the digits are not checked.
        assert_eq!(classify(b"X'0g'", false, false).decoded_len(), 1);
        assert_eq!(classify(b"X'0'", true, false), Value::Str("X'0'"));
    }
}
