//! The "Connect → Cloud Sync" sheet (`--engine-diff`): the migration tool's readiness, then
//! every object whose outcome differs between the two engines.
//!
//! Laid out as the class sheets are: widths fitted to a sample of the rows, long text wrapped
//! and each row as tall as its text, the differences' header repeated on every printed page
//! and filterable. No pane is frozen: the header sits below the readiness block, and freezing
//! through it would keep a dozen rows on screen.

use super::formats::{end_fitted_rows, fitted, header, print_setup, sampled, section, Formats};
use super::EXCEL_DATA_ROWS;
use crate::analyze::Analysis;
use crate::engine_diff::{DiffKind, EngineDiff};
use crate::report::sheet_rows::wrapped_row_height;
use rust_xlsxwriter::{Workbook, XlsxError};

pub(super) const SHEET: &str = "Connect → Cloud Sync";

/// The differences' columns. The readiness block above shares them: Check, Status, Found
/// (wrapped, in Detail's column), Documented limit.
const HEADERS: [&str; 5] = ["Object (DN)", "Difference", "Detail", "Source", "Rule"];

/// The readiness block's columns.
const READINESS_HEADERS: [&str; 4] = ["Check", "Status", "Found", "Documented limit"];

/// Detail's width (characters): its text wraps.
const DETAIL_WIDTH: f64 = 56.0;

/// Writes the sheet; returns the number of differences written.
pub(super) fn engine_sheet(
    a: &Analysis,
    diff: &EngineDiff,
    workbook: &mut Workbook,
    f: &Formats,
) -> Result<usize, XlsxError> {
    let dir = &a.ingest.directory;
    // The title, the summary line, the readiness block (title, header, checks, verdict) and
    // the differences' title and header come first; the sheet's last row is kept for the
    // line that says how many more the JSON lists.
    let first_row = 9 + diff.readiness.len();
    let room = EXCEL_DATA_ROWS.saturating_sub(first_row);
    let shown = &diff.differences[..diff.differences.len().min(room)];
    let dn = |row: usize| a.shown_dn(dir.dn.get(row).unwrap_or(""));
    let sources = super::SourceNames::of(dir);
    let source = |row: usize| {
        let (file, line) = sources.location(dir, row);
        format!("{file}:{line}")
    };

    // Widths: the longest text of each column, over the readiness block and a sample of the
    // differences.
    let chars = |s: &str| s.chars().count();
    let mut longest = HEADERS.map(chars);
    for (col, name) in READINESS_HEADERS.iter().enumerate() {
        longest[col] = longest[col].max(chars(name));
    }
    for item in &diff.readiness {
        longest[0] = longest[0].max(chars(item.check));
        longest[1] = longest[1].max(chars(item.status));
        longest[3] = longest[3].max(chars(item.limit));
    }
    for i in sampled(shown.len()) {
        let d = &shown[i];
        longest[0] = longest[0].max(chars(&dn(d.row)));
        longest[1] = longest[1].max(chars(&d.kind.label()));
        longest[3] = longest[3].max(chars(&source(d.row)));
    }
    let widths = [
        fitted(longest[0], 30.0, 64.0),
        fitted(longest[1], 14.0, 34.0),
        DETAIL_WIDTH,
        fitted(longest[3], 10.0, 30.0),
        fitted(longest[4], 8.0, 10.0),
    ];

    let ws = workbook.add_worksheet_with_constant_memory()?;
    ws.set_name(SHEET)?;
    for (i, w) in widths.iter().enumerate() {
        ws.set_column_width(i as u16, *w)?;
    }
    ws.write_string_with_format(
        0,
        0,
        "Connect → Cloud Sync: what changes when this directory moves to Entra Cloud Sync",
        &f.title,
    )?;
    ws.write_string(
        1,
        0,
        format!(
            "Both engines' models on the same inputs: {} objects in scope under Connect, {} under Cloud Sync; {} differences.",
            crate::text::count(diff.in_scope.0),
            crate::text::count(diff.in_scope.1),
            crate::text::count(diff.differences.len() as u64),
        ),
    )?;
    let mut row = section(ws, 3, "Migration tool readiness", &READINESS_HEADERS, f)?;
    for item in &diff.readiness {
        ws.set_row_height(
            row,
            wrapped_row_height([(item.check, widths[0]), (item.found.as_str(), widths[2])]),
        )?;
        ws.write_string_with_format(row, 0, item.check, &f.wrap)?;
        let status = match item.status {
            "blocker" => &f.verdict_error,
            "not checked" => &f.verdict_warning,
            _ => &f.bold,
        };
        ws.write_string_with_format(row, 1, item.status, status)?;
        ws.write_string_with_format(row, 2, &item.found, &f.wrap)?;
        ws.write_string_with_format(row, 3, item.limit, &f.top)?;
        row += 1;
    }
    ws.write_string_with_format(row, 0, "Verdict", &f.bold)?;
    ws.write_string_with_format(row, 1, diff.verdict(), &f.bold)?;
    row += 2;
    ws.write_string_with_format(row, 0, "Objects whose outcome differs", &f.section)?;
    row += 1;
    header(ws, row, &HEADERS, f)?;
    let header_row = row;
    row += 1;
    for d in shown {
        let detail = a.shown_note(&d.detail);
        ws.set_row_height(row, wrapped_row_height([(&*detail, DETAIL_WIDTH)]))?;
        ws.write_string_with_format(row, 0, dn(d.row), &f.top)?;
        ws.write_string_with_format(row, 1, d.kind.label(), &f.top)?;
        ws.write_string_with_format(row, 2, &*detail, &f.wrap)?;
        ws.write_string_with_format(row, 3, source(d.row), &f.top)?;
        if let DiffKind::RuleOnlyUnder(_, r) = &d.kind {
            ws.write_string_with_format(row, 4, r.code, &f.top)?;
        }
        row += 1;
    }
    ws.autofilter(header_row, 0, (row - 1).max(header_row + 1), 4)?;
    if diff.differences.len() > shown.len() {
        ws.write_string(
            row,
            0,
            format!(
                "{} more differences: the JSON summary (--json) lists every one",
                crate::text::count((diff.differences.len() - shown.len()) as u64)
            ),
        )?;
    } else {
        end_fitted_rows(ws, row, f)?;
    }
    print_setup(ws, Some(header_row))?;
    Ok(shown.len())
}
