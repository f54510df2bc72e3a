//! The "Connect → Cloud Sync" sheet (`--engine-diff`): the migration tool's readiness, then
//! every object whose outcome differs between the two engines.

use super::formats::{header, print_setup, section, Formats};
use super::EXCEL_DATA_ROWS;
use crate::analyze::Analysis;
use crate::engine_diff::{DiffKind, EngineDiff};
use rust_xlsxwriter::{Workbook, XlsxError};

pub(super) const SHEET: &str = "Connect → Cloud Sync";

/// Writes the sheet; returns the number of differences written.
pub(super) fn engine_sheet(
    a: &Analysis,
    diff: &EngineDiff,
    workbook: &mut Workbook,
    f: &Formats,
) -> Result<usize, XlsxError> {
    let ws = workbook.add_worksheet_with_constant_memory()?;
    ws.set_name(SHEET)?;
    for (i, w) in [64.0, 22.0, 30.0, 9.0, 80.0].iter().enumerate() {
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
    let mut row = section(
        ws,
        3,
        "Migration tool readiness",
        &["Check", "Found", "Documented limit", "Status"],
        f,
    )?;
    for item in &diff.readiness {
        ws.write_string(row, 0, item.check)?;
        ws.write_string(row, 1, &item.found)?;
        ws.write_string(row, 2, item.limit)?;
        let format = match item.status {
            "blocker" => &f.verdict_error,
            "not checked" => &f.verdict_warning,
            _ => &f.bold,
        };
        ws.write_string_with_format(row, 3, item.status, format)?;
        row += 1;
    }
    ws.write_string_with_format(row, 0, "Verdict", &f.bold)?;
    ws.write_string(row, 1, diff.verdict())?;
    row += 2;
    ws.write_string_with_format(row, 0, "Objects whose outcome differs", &f.section)?;
    row += 1;
    header(
        ws,
        row,
        &["Object (DN)", "Source", "Difference", "Rule", "Detail"],
        f,
    )?;
    let header_row = row;
    row += 1;
    let room = EXCEL_DATA_ROWS.saturating_sub(row as usize + 1);
    let dir = &a.ingest.directory;
    for d in diff.differences.iter().take(room) {
        ws.write_string(row, 0, a.shown_dn(dir.dn.get(d.row).unwrap_or("")))?;
        ws.write_string(row, 1, dir.source_label(d.row))?;
        ws.write_string(row, 2, d.kind.label())?;
        if let DiffKind::RuleOnlyUnder(_, r) = &d.kind {
            ws.write_string(row, 3, r.code)?;
        }
        ws.write_string(row, 4, a.shown_note(&d.detail))?;
        row += 1;
    }
    if diff.differences.len() > room {
        ws.write_string(
            row,
            0,
            format!(
                "{} more differences: the JSON summary (--json) lists every one",
                crate::text::count((diff.differences.len() - room) as u64)
            ),
        )?;
    }
    print_setup(ws, Some(header_row))?;
    Ok(diff.differences.len().min(room))
}
