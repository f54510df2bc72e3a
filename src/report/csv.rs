//! CSV findings (`--csv-dir`): `findings.csv` plus one file per class.
//!
//! Spreadsheet safety: a cell that starts with `=`, `+`, `-`, `@`, a tab or a carriage return is
//! written with a leading `'`, so Excel and LibreOffice show it as text instead of evaluating
//! it as a formula (CSV injection). The value is otherwise unchanged.
//!
//! Files start with a UTF-8 byte order mark unless asked not to: without it Excel (on a
//! double-click) and Windows PowerShell 5.1's `Import-Csv` read UTF-8 as the ANSI code page and
//! garble every non-ASCII name (`ZoÃ«` for `Zoë`). Pipelines that dislike the mark turn it off
//! (`--csv-bom never`); Python's `utf-8-sig`, pandas and the csv crate skip it.

use crate::analyze::Analysis;
use crate::error::Error;
use crate::findings::{Class, Finding};
use crate::output::write_atomically;
use crate::report::schema::Column;
use crate::view::Views;
use std::borrow::Cow;
use std::io;
use std::path::{Path, PathBuf};

/// The CSV header: the names of [`Column::CSV`] (the columns, then `note`: what a
/// value conflicts with, why a suggestion was withheld).
pub fn header() -> [&'static str; Column::CSV.len()] {
    Column::CSV.map(Column::csv_name)
}

/// Neutralizes a cell a spreadsheet would read as a formula.
pub fn safe_cell(value: &str) -> Cow<'_, str> {
    match value.chars().next() {
        Some('=' | '+' | '-' | '@' | '\t' | '\r') => Cow::Owned(format!("'{value}")),
        _ => Cow::Borrowed(value),
    }
}

/// The file name of a class's CSV (`large-object.csv`).
pub fn class_file(class: Class) -> String {
    format!("{}.csv", class.name().to_lowercase().replace(' ', "-"))
}

/// The UTF-8 byte order mark.
pub const BOM: &[u8] = b"\xEF\xBB\xBF";

/// Writes `findings.csv` and one CSV per class into `dir` (created if needed), each starting
/// with a byte order mark if `bom`.
pub fn write_dir(
    a: &Analysis,
    dir: &Path,
    inputs: &[PathBuf],
    bom: bool,
) -> Result<Vec<PathBuf>, Error> {
    std::fs::create_dir_all(dir).map_err(|source| Error::Write {
        path: dir.to_path_buf(),
        source,
    })?;
    let mut written = Vec::new();
    let all = dir.join("findings.csv");
    write_atomically(&all, inputs, |w| write(a, a.findings.iter(), bom, w))?;
    written.push(all);
    for class in Class::ALL {
        let path = dir.join(class_file(class));
        write_atomically(&path, inputs, |w| write(a, a.by_class(class), bom, w))?;
        written.push(path);
    }
    if let Some(prediction) = &a.tenant {
        // With --tenant: each object's predicted outcome (the Tenant matching sheet's rows).
        let path = dir.join("tenant-matching.csv");
        write_atomically(&path, inputs, |w| {
            if bom {
                w.write_all(BOM)?;
            }
            let mut out = csv::Writer::from_writer(w);
            out.write_record(crate::report::tenant::COLUMNS)?;
            for o in &prediction.objects {
                let cells = crate::report::tenant::cells(a, o);
                out.write_record(cells.iter().map(|c| safe_cell(c).into_owned()))?;
            }
            out.flush()
        })?;
        written.push(path);
    }
    Ok(written)
}

fn write<'a>(
    a: &Analysis,
    findings: impl Iterator<Item = &'a Finding>,
    bom: bool,
    w: &mut dyn io::Write,
) -> io::Result<()> {
    if bom {
        w.write_all(BOM)?;
    }
    let mut out = csv::Writer::from_writer(w);
    out.write_record(header())?;
    let views = Views::new(&a.ingest.directory, &a.findings, a.redactor.as_ref());
    let mut group = itoa::Buffer::new();
    for f in findings {
        let view = views.of(f);
        let source = view.source_label();
        let note = views.note_of(f);
        let group = f.group().map_or("", |g| group.format(g));
        let fields = Column::CSV.map(|column| match column {
            Column::Rule => f.rule.code,
            Column::Class => f.rule.class.name(),
            Column::Severity => f.rule.severity.name(),
            Column::Dn => &view.dn,
            Column::ObjectClass => view.object_class,
            Column::Attribute => f.attribute.ldap_name(),
            Column::Value => &view.value,
            Column::Suggested => &view.suggested,
            Column::Recommended => f.recommendation(),
            Column::Group => group,
            Column::Source => &source,
            Column::Note => &note,
            // Workbook columns: the CSV has none of them (Column::CSV).
            _ => "",
        });
        out.write_record(fields.iter().map(|v| safe_cell(v)).map(|v| v.into_owned()))?;
    }
    out.flush()?;
    Ok(())
}
