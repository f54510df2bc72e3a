//! Test helpers for the review loop, shared by every test that plays the reviewer: read the
//! finding rows of a workbook, write a reviewed copy with Action/Update set on chosen rows
//! (columns found by header, so they follow the workbook's layout), and a small LDIF model
//! that applies `changetype: modify` records to an export.
//!
//! The reviewed copy keeps every sheet and cell as text, and hides the analysis context sheet
//! again, as Excel or LibreOffice would keep it.

use base64::Engine;
use calamine::{open_workbook, Data, Reader, Xlsx};
use std::collections::{BTreeMap, HashMap};
use std::path::Path;

/// One finding row of a class sheet, its cells by header.
#[derive(Clone, Debug)]
pub struct FindingRow {
    pub sheet: String,
    /// 1-based, as Excel shows it.
    pub line: usize,
    pub cells: HashMap<String, String>,
}

impl FindingRow {
    /// The cell under `header` ("Rule", "Object (DN)", "Value", "Suggested value",
    /// "Recommended", "Action", "Update", "Group" …), empty when absent.
    pub fn get(&self, header: &str) -> &str {
        self.cells.get(header).map_or("", String::as_str)
    }
}

pub fn cell(c: &Data) -> String {
    match c {
        Data::Empty => String::new(),
        Data::String(s) => s.clone(),
        Data::Float(f) if f.fract() == 0.0 => format!("{}", *f as i64),
        other => other.to_string(),
    }
}

/// Whether a sheet with this header is a class sheet (one finding per row).
fn is_class_sheet(header: &[String]) -> bool {
    ["Rule", "Object (DN)", "Action", "Update"]
        .iter()
        .all(|h| header.iter().any(|x| x == h))
}

/// Every finding row of every class sheet, in sheet and row order.
pub fn finding_rows(workbook: &Path) -> Vec<FindingRow> {
    let mut input: Xlsx<_> = open_workbook(workbook).expect("open workbook");
    let mut out = Vec::new();
    for name in input.sheet_names() {
        let range = input.worksheet_range(&name).expect("sheet");
        let mut rows = range.rows();
        let header: Vec<String> = rows
            .next()
            .map(|r| r.iter().map(cell).collect())
            .unwrap_or_default();
        if !is_class_sheet(&header) {
            continue;
        }
        for (i, row) in rows.enumerate() {
            out.push(FindingRow {
                sheet: name.clone(),
                line: i + 2,
                cells: header.iter().cloned().zip(row.iter().map(cell)).collect(),
            });
        }
    }
    out
}

/// Copies `original` to `reviewed`, setting Action and Update where `choose` returns
/// `Some((action, update))`; other rows keep what they had.
pub fn review(
    original: &Path,
    reviewed: &Path,
    mut choose: impl FnMut(&FindingRow) -> Option<(String, String)>,
) {
    let mut input: Xlsx<_> = open_workbook(original).expect("open workbook");
    let mut out = rust_xlsxwriter::Workbook::new();
    for name in input.sheet_names() {
        let range = input.worksheet_range(&name).expect("sheet");
        let ws = out.add_worksheet();
        ws.set_name(&name).expect("sheet name");
        if name == synclint::context::SHEET {
            ws.set_hidden(true);
        }
        let mut rows = range.rows();
        let header: Vec<String> = rows
            .next()
            .map(|r| r.iter().map(cell).collect())
            .unwrap_or_default();
        let class_sheet = is_class_sheet(&header);
        let col = |n: &str| header.iter().position(|h| h == n).expect("column");
        for (c, h) in header.iter().enumerate() {
            ws.write_string(0, c as u16, h).expect("write");
        }
        for (r, row) in rows.enumerate() {
            let mut cells: Vec<String> = row.iter().map(cell).collect();
            cells.resize(header.len().max(cells.len()), String::new());
            if class_sheet {
                let finding = FindingRow {
                    sheet: name.clone(),
                    line: r + 2,
                    cells: header.iter().cloned().zip(cells.iter().cloned()).collect(),
                };
                if let Some((action, update)) = choose(&finding) {
                    cells[col("Action")] = action;
                    cells[col("Update")] = update;
                }
            }
            for (c, v) in cells.iter().enumerate() {
                if !v.is_empty() {
                    ws.write_string(r as u32 + 1, c as u16, v).expect("write");
                }
            }
        }
    }
    out.save(reviewed).expect("save reviewed workbook");
}

/// A value: decoded text, or the base64 of a binary value (objectGUID), prefixed with
/// [`BINARY`].
fn decode(b64: &str) -> String {
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(b64)
        .expect("base64");
    String::from_utf8(bytes).unwrap_or_else(|_| format!("{BINARY}{b64}"))
}

/// The binary attributes of generated exports (csvde writes them in hex).
const BINARY_ATTRIBUTES: [&str; 4] = [
    "objectGUID",
    "objectSid",
    "userCertificate",
    "thumbnailPhoto",
];

/// Marks a binary value kept as base64.
const BINARY: &str = "\u{0}base64:";

/// An LDIF file as records of (DN, [(attribute, value)]), values decoded.
#[derive(Clone, Debug, Default)]
pub struct Ldif {
    pub records: Vec<(String, Vec<(String, String)>)>,
}

/// The logical lines of one record (unfolded, comments dropped), as (name, decoded value).
fn lines_of(block: &str) -> Vec<(String, String)> {
    let mut logical: Vec<String> = Vec::new();
    for line in block.lines() {
        if let Some(rest) = line.strip_prefix(' ') {
            if let Some(last) = logical.last_mut() {
                last.push_str(rest);
            }
        } else if !line.starts_with('#') && !line.is_empty() {
            logical.push(line.to_string());
        }
    }
    logical
        .into_iter()
        .map(|line| match line.split_once(':') {
            None => (line, String::new()), // the `-` separator
            Some((name, rest)) => match rest.strip_prefix(':') {
                Some(b64) => (name.to_string(), decode(b64.trim())),
                None => (name.to_string(), rest.trim_start().to_string()),
            },
        })
        .collect()
}

/// Splits LDIF text into record blocks (blank-line separated, any line ending).
fn blocks(text: &str) -> Vec<String> {
    let text = text.replace("\r\n", "\n");
    text.split("\n\n")
        .filter(|b| b.lines().any(|l| !l.is_empty() && !l.starts_with('#')))
        .map(str::to_string)
        .collect()
}

impl Ldif {
    pub fn parse(text: &str) -> Ldif {
        let mut records = Vec::new();
        for block in blocks(text) {
            let mut lines = lines_of(&block);
            let (name, dn) = lines.remove(0);
            assert_eq!(name, "dn", "a record starts with dn: {block}");
            records.push((dn, lines));
        }
        Ldif { records }
    }

    /// Applies `changetype: modify` records (replace/add/delete with values) as Active
    /// Directory does, comparing values ignoring case: an `add:` of a value equal to one the
    /// object holds fails ("attribute or value exists"), and so does a `delete:` of a value
    /// that is not there. A `delete:` must also match exactly one value, byte for byte: where AD
    /// would remove another value that merely equals it ignoring case (Samba accepted such an
    /// add, and the undo's delete then removed the primary address), the test fails.
    pub fn apply(&mut self, changes: &str) -> usize {
        let mut operations = 0;
        for block in blocks(changes) {
            let mut lines = lines_of(&block).into_iter();
            let (_, dn) = lines.next().expect("dn");
            let record = self
                .records
                .iter_mut()
                .find(|(d, _)| d.eq_ignore_ascii_case(&dn))
                .unwrap_or_else(|| panic!("no record {dn} to modify"));
            let (mut mode, mut target) = (String::new(), String::new());
            for (name, value) in lines {
                match name.as_str() {
                    "changetype" => assert_eq!(value, "modify"),
                    "replace" | "add" | "delete" => {
                        operations += 1;
                        mode = name.clone();
                        target = value;
                        if mode == "replace" {
                            record.1.retain(|(n, _)| !n.eq_ignore_ascii_case(&target));
                        }
                    }
                    "-" => {}
                    attr => {
                        assert!(
                            attr.eq_ignore_ascii_case(&target),
                            "{attr} under {mode}: {target}"
                        );
                        let same: Vec<usize> = (0..record.1.len())
                            .filter(|i| {
                                let (n, v) = &record.1[*i];
                                n.eq_ignore_ascii_case(attr)
                                    && v.to_lowercase() == value.to_lowercase()
                            })
                            .collect();
                        if mode == "delete" {
                            assert_eq!(
                                same.len(),
                                1,
                                "{dn}: delete of {value:?} matches {} values ignoring case",
                                same.len()
                            );
                            let (_, removed) = record.1.remove(same[0]);
                            assert_eq!(
                                removed, value,
                                "{dn}: delete of {value:?} removed another value"
                            );
                        } else {
                            assert!(
                                mode == "replace" || same.is_empty(),
                                "{dn}: add of {value:?}: attribute or value exists"
                            );
                            record.1.push((attr.to_string(), value));
                        }
                    }
                }
            }
        }
        operations
    }

    /// The records as LDIF (base64 where a value is not plain ASCII).
    pub fn render(&self) -> String {
        let mut out = String::new();
        let line = |out: &mut String, name: &str, value: &str| {
            if let Some(b64) = value.strip_prefix(BINARY) {
                out.push_str(&format!("{name}:: {b64}\n"));
                return;
            }
            let safe = value.bytes().all(|b| (0x20..0x7f).contains(&b))
                && !value.starts_with([' ', ':', '<'])
                && !value.ends_with(' ');
            if safe {
                out.push_str(&format!("{name}: {value}\n"));
            } else {
                let b64 = base64::engine::general_purpose::STANDARD.encode(value);
                out.push_str(&format!("{name}:: {b64}\n"));
            }
        };
        for (dn, attrs) in &self.records {
            line(&mut out, "dn", dn);
            for (n, v) in attrs {
                line(&mut out, n, v);
            }
            out.push('\n');
        }
        out
    }

    /// The records as export objects (binary values as bytes), to write them in another
    /// format.
    pub fn export_objects(&self) -> Vec<synclint::generate::ExportObject> {
        self.records
            .iter()
            .map(|(dn, attrs)| {
                let mut o = synclint::generate::ExportObject::new(dn.clone());
                for (n, v) in attrs.iter().filter(|(n, _)| n != "changetype") {
                    // A binary value that happened to be valid UTF-8 was decoded as text.
                    let binary = BINARY_ATTRIBUTES.iter().any(|b| b.eq_ignore_ascii_case(n));
                    match v.strip_prefix(BINARY) {
                        Some(b64) => o.binary(
                            n,
                            base64::engine::general_purpose::STANDARD
                                .decode(b64)
                                .expect("base64"),
                        ),
                        None if binary => o.binary(n, v.as_bytes().to_vec()),
                        None => o.text(n, v.clone()),
                    };
                }
                o
            })
            .collect()
    }

    /// Every record's values as attribute → sorted values, for comparison.
    pub fn values(&self) -> BTreeMap<String, BTreeMap<String, Vec<String>>> {
        self.records
            .iter()
            .map(|(dn, attrs)| {
                let mut m: BTreeMap<String, Vec<String>> = BTreeMap::new();
                for (n, v) in attrs {
                    m.entry(n.to_lowercase()).or_default().push(v.clone());
                }
                m.values_mut().for_each(|v| v.sort());
                (dn.clone(), m)
            })
            .collect()
    }
}
