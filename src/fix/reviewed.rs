//! Reads a reviewed workbook back (calamine): the analysis context from its hidden sheet
//! and, from every class sheet, the rows with their Action and Update. Columns are found by
//! their header, so a reviewer who reorders or adds columns does not break it.

use crate::context::{self, AnalysisContext};
use crate::error::Error;
use crate::report::schema::Column;
use calamine::{open_workbook, Data, Range, Reader, Xlsx};
use std::path::Path;

/// One finding row as the reviewer left it.
#[derive(Clone, Debug)]
pub struct ReviewedRow {
    pub sheet: String,
    /// 1-based row number in the sheet, as Excel shows it.
    pub line: usize,
    pub rule: String,
    pub dn: String,
    pub attribute: String,
    pub value: String,
    /// Upper-cased: EDIT, REMOVE, COMPLETE, IGNORE or empty.
    pub action: String,
    pub update: String,
    /// The duplicate or collision group, if any.
    pub group: String,
    /// Where the analysis found the object (`file:line`).
    pub source: String,
}

/// The reviewed workbook's content.
#[derive(Clone, Debug, Default)]
pub struct Reviewed {
    /// What the analysis ran with; `None` in a workbook without the context sheet (written
    /// by an older synclint, whose Action column was prefilled), or `Err` with why
    /// the sheet can't be read.
    pub context: Option<Result<AnalysisContext, String>>,
    pub rows: Vec<ReviewedRow>,
}

fn text(cell: Option<&Data>) -> String {
    match cell {
        Some(Data::String(s)) => s.clone(),
        Some(Data::Empty) | None => String::new(),
        Some(Data::Float(f)) if f.fract() == 0.0 => format!("{}", *f as i64),
        Some(other) => other.to_string(),
    }
}

/// Reads the workbook at `path`.
pub fn read(path: &Path) -> Result<Reviewed, Error> {
    let error = |reason: String| Error::Workbook {
        path: path.to_path_buf(),
        reason,
    };
    let workbook: Xlsx<_> =
        open_workbook(path).map_err(|e: calamine::XlsxError| error(e.to_string()))?;
    read_workbook(workbook, path)
}

/// Reads a workbook held in memory (the fuzz target's entry point).
pub fn read_bytes(bytes: &[u8]) -> Result<Reviewed, Error> {
    let path = Path::new("(memory)");
    let workbook = Xlsx::new(std::io::Cursor::new(bytes)).map_err(|e| Error::Workbook {
        path: path.to_path_buf(),
        reason: e.to_string(),
    })?;
    read_workbook(workbook, path)
}

fn read_workbook<RS: std::io::Read + std::io::Seek>(
    mut workbook: Xlsx<RS>,
    path: &Path,
) -> Result<Reviewed, Error> {
    let error = |reason: String| Error::Workbook {
        path: path.to_path_buf(),
        reason,
    };
    let mut reviewed = Reviewed::default();
    for name in workbook.sheet_names() {
        let range = workbook
            .worksheet_range(&name)
            .map_err(|e| error(format!("sheet {name}: {e}")))?;
        if name == context::SHEET {
            let rows: Vec<Vec<String>> = range
                .rows()
                .map(|r| r.iter().map(|c| text(Some(c))).collect())
                .collect();
            reviewed.context = Some(AnalysisContext::from_rows(&rows));
        } else {
            rows(&name, &range, &mut reviewed.rows);
        }
    }
    Ok(reviewed)
}

/// Finding rows of a class sheet (a sheet whose header has the class-sheet columns).
fn rows(sheet: &str, range: &Range<Data>, out: &mut Vec<ReviewedRow>) {
    let mut iter = range.rows();
    let Some(header) = iter.next() else { return };
    let header: Vec<String> = header.iter().map(|c| text(Some(c))).collect();
    let col = |name: &str| header.iter().position(|h| h == name);
    let needed = [
        Column::Rule,
        Column::Dn,
        Column::Attribute,
        Column::Value,
        Column::Action,
        Column::Update,
    ];
    let Some(idx) = needed
        .iter()
        .map(|c| col(c.header()))
        .collect::<Option<Vec<usize>>>()
    else {
        return; // not a class sheet
    };
    let group = col(Column::Group.header());
    let source = col(Column::Source.header());
    let start = range.start().map_or(0, |(r, _)| r as usize);
    for (i, row) in iter.enumerate() {
        let get = |c: usize| text(row.get(c));
        out.push(ReviewedRow {
            sheet: sheet.to_string(),
            line: start + i + 2,
            rule: get(idx[0]),
            dn: get(idx[1]),
            attribute: get(idx[2]),
            value: get(idx[3]),
            action: get(idx[4]).trim().to_ascii_uppercase(),
            update: get(idx[5]),
            group: group.map(get).unwrap_or_default(),
            source: source.map(get).unwrap_or_default(),
        });
    }
}
