//! The smaller sheets: Changes (with `--baseline`), Out of scope, Input problems, and the
//! hidden analysis context `fix` reads.

use super::formats::{header, print_setup, Formats};
use super::EXCEL_DATA_ROWS;
use crate::analyze::Analysis;
use crate::context::AnalysisContext;
use crate::report::sheet_rows::{self, RowWriter, SheetRows};
use rust_xlsxwriter::{Workbook, XlsxError};

/// The hidden sheet `fix` reads the analysis context from (see `context.rs`), after every
/// other sheet.
pub(super) fn context_sheet(
    context: &AnalysisContext,
    workbook: &mut Workbook,
) -> Result<(), XlsxError> {
    let ws = workbook.add_worksheet();
    ws.set_name(crate::context::SHEET)?;
    ws.set_hidden(true);
    ws.set_column_width(0, 24)?;
    for c in 1..5 {
        ws.set_column_width(c, 48)?;
    }
    for (r, row) in context.to_rows().iter().enumerate() {
        for (c, value) in row.iter().enumerate() {
            ws.write_string(r as u32, c as u16, value)?;
        }
    }
    Ok(())
}

pub(super) fn changes_sheet(
    changes: &crate::baseline::Changes,
    workbook: &mut Workbook,
    f: &Formats,
) -> Result<usize, XlsxError> {
    let ws = workbook.add_worksheet_with_constant_memory()?;
    ws.set_name("Changes")?;
    print_setup(ws, Some(0))?;
    for (i, w) in [10.0, 8.0, 56.0, 18.0, 48.0, 18.0].iter().enumerate() {
        ws.set_column_width(i as u16, *w)?;
    }
    ws.set_freeze_panes(1, 0)?;
    header(
        ws,
        0,
        &[
            "Status",
            "Rule",
            "Object (DN)",
            "Attribute",
            "Value",
            "Finding id",
        ],
        f,
    )?;
    let rows: Vec<(&str, &crate::baseline::Item)> = changes
        .new_items
        .iter()
        .map(|i| ("new", i))
        .chain(changes.resolved_items.iter().map(|i| ("resolved", i)))
        .take(EXCEL_DATA_ROWS)
        .collect();
    ws.autofilter(0, 0, rows.len().max(1) as u32, 5)?;
    for (n, (status, item)) in rows.iter().enumerate() {
        let row = n as u32 + 1;
        for (col, value) in [
            *status,
            &item.rule,
            &item.dn,
            &item.attribute,
            &item.value,
            &item.id,
        ]
        .iter()
        .enumerate()
        {
            ws.write_string(row, col as u16, *value)?;
        }
    }
    Ok(rows.len())
}

/// The Out of scope sheet's frame; its rows (one per object left out, with the reason)
/// are written like the class sheets'.
pub(super) fn out_of_scope_sheet<'a>(
    a: &'a Analysis,
    workbook: &mut Workbook,
    part: String,
    f: &Formats,
) -> Result<SheetRows<'a>, XlsxError> {
    let dir = &a.ingest.directory;
    let sources = super::SourceNames::of(dir);
    let mut rows: Vec<u32> = (0..dir.len() as u32)
        .filter(|r| !a.scope.in_scope(*r as usize))
        .collect();
    rows.truncate(EXCEL_DATA_ROWS);
    let ws = workbook.add_worksheet_with_constant_memory()?;
    ws.set_name("Out of scope")?;
    print_setup(ws, Some(0))?;
    for (i, w) in [56.0, 14.0, 70.0, 30.0].iter().enumerate() {
        ws.set_column_width(i as u16, *w)?;
    }
    ws.set_freeze_panes(1, 0)?;
    header(
        ws,
        0,
        &["Object (DN)", "Object class", "Reason", "Source"],
        f,
    )?;
    ws.autofilter(0, 0, rows.len().max(1) as u32, 3)?;
    let size_bound = sheet_rows::sheet_bound(&rows, |&r, cell_bound| {
        let r = r as usize;
        sheet_rows::ROW_XML
            + cell_bound(dir.dn.get(r).unwrap_or(""))
            + cell_bound(dir.object_class.get(r).unwrap_or(""))
            + cell_bound(a.scope.reason(r).unwrap_or(""))
            + cell_bound(sources.location(dir, r).0)
            + 21
    });
    let count = rows.len();
    let fill = move |i: usize, w: &mut RowWriter| {
        let r = rows[i] as usize;
        w.cell(0, &a.shown_dn(dir.dn.get(r).unwrap_or("")));
        w.label(1, dir.object_class.get(r).unwrap_or(""));
        w.cell(2, &a.shown_note(a.scope.reason(r).unwrap_or("")));
        let (file, line) = sources.location(dir, r);
        w.location(3, file, line);
    };
    Ok(SheetRows {
        part,
        rows: count,
        fill: Box::new(fill),
        size_bound,
        wrapped: &[],
        table: false,
    })
}

pub(super) fn input_problems_sheet(
    a: &Analysis,
    workbook: &mut Workbook,
    f: &Formats,
) -> Result<usize, XlsxError> {
    let ws = workbook.add_worksheet_with_constant_memory()?;
    ws.set_name("Input problems")?;
    print_setup(ws, Some(0))?;
    for (i, w) in [40.0, 10.0, 100.0].iter().enumerate() {
        ws.set_column_width(i as u16, *w)?;
    }
    ws.set_freeze_panes(1, 0)?;
    header(ws, 0, &["File", "Line", "Problem"], f)?;
    let mut row = 1u32;
    for file in &a.ingest.files {
        if let Some(error) = &file.error {
            ws.write_string(row, 0, &file.path)?;
            ws.write_string(row, 2, error)?;
            row += 1;
        }
        for r in &file.rejections {
            ws.write_string(row, 0, &file.path)?;
            ws.write_number(row, 1, r.line as f64)?;
            ws.write_string(row, 2, a.shown_note(&r.reason))?;
            row += 1;
        }
        let unlisted = file.rejected.saturating_sub(file.rejections.len() as u64);
        if unlisted > 0 {
            ws.write_string(row, 0, &file.path)?;
            ws.write_string(
                row,
                2,
                format!(
                    "… and {unlisted} more rejected records (only the first {} are listed)",
                    file.rejections.len()
                ),
            )?;
            row += 1;
        }
    }
    ws.autofilter(0, 0, row.max(2) - 1, 2)?;
    Ok(row as usize - 1)
}
