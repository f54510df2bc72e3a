//! The Tenant matching sheet (`analyze --tenant`): one row per on-premises object whose
//! predicted outcome is not a plain creation: the object, the outcome, the cloud object it
//! meets (UPN, id, and the tenant input and line it came from), what it matched by, what Entra
//! will do and what to do before syncing, and what the prediction could not know.
//!
//! Laid out as the class sheets are: the columns a reviewer decides with first (and printed),
//! the evidence after; widths fitted to a sample of the rows; long text wrapped, each row as
//! tall as its text; the header and the object's DN frozen.

use super::formats::{end_fitted_rows, fitted, header, print_setup, sampled, Formats};
use super::EXCEL_DATA_ROWS;
use crate::analyze::Analysis;
use crate::report::schema::Width;
use crate::report::sheet_rows::wrapped_row_height;
use crate::report::tenant::{cells, COLUMNS};
use rust_xlsxwriter::{Workbook, XlsxError};

/// The sheet's name.
pub const TENANT_SHEET: &str = "Tenant matching";

/// The sheet's columns in order, by their header in [`COLUMNS`] (the CSV keeps that order),
/// with their width and whether their text wraps. The printed ones (up to [`PRINTED`]) all
/// wrap, so that a landscape page holds them at a readable size: a DN or a cloud UPN takes
/// two lines rather than the page's width.
const LAYOUT: [(&str, Width, bool); COLUMNS.len()] = [
    ("Object (DN)", fitted_width(24.0, 40.0), true),
    ("Outcome", fitted_width(12.0, 20.0), true),
    ("Matched by", fitted_width(12.0, 22.0), true),
    ("Value", fitted_width(12.0, 28.0), true),
    ("Cloud object", fitted_width(14.0, 30.0), true),
    ("What Entra will do", Width::Fixed(34.0), true),
    ("What to do before syncing", Width::Fixed(40.0), true),
    ("Type", fitted_width(8.0, 14.0), false),
    (
        "Source anchor (immutableId)",
        fitted_width(14.0, 30.0),
        false,
    ),
    ("Cloud object id", fitted_width(14.0, 38.0), false),
    ("Tenant input", fitted_width(14.0, 40.0), false),
    ("Placeholder UPN / other objects", Width::Fixed(40.0), true),
    ("Unknown (assumed)", Width::Fixed(50.0), true),
];

/// The last printed column: the object, its outcome, what it meets, what Entra will do and
/// what to do (the evidence after it is in the sheet).
const PRINTED: u16 = 6;

const fn fitted_width(narrowest: f64, widest: f64) -> Width {
    Width::Fitted { narrowest, widest }
}

/// For each sheet column, its place in [`COLUMNS`] (and so in a row's cells).
fn order() -> [usize; COLUMNS.len()] {
    LAYOUT.map(|(name, _, _)| {
        COLUMNS
            .iter()
            .position(|n| *n == name)
            .unwrap_or(usize::MAX)
    })
}

/// Writes the sheet; returns its data rows (`None`: no tenant given, no sheet).
pub(super) fn tenant_sheet(
    a: &Analysis,
    workbook: &mut Workbook,
    f: &Formats,
) -> Result<Option<usize>, XlsxError> {
    let Some(p) = &a.tenant else {
        return Ok(None);
    };
    let order = order();
    let rows = p.objects.len().min(EXCEL_DATA_ROWS);
    let objects = &p.objects[..rows];
    // Widths: the longest text of each column in a sample of the rows.
    let mut longest = [0usize; COLUMNS.len()];
    for i in sampled(rows) {
        let cells = cells(a, &objects[i]);
        for (col, at) in order.iter().enumerate() {
            let n = cells.get(*at).map_or(0, |c| c.chars().count());
            longest[col] = longest[col].max(n);
        }
    }
    let widths: Vec<f64> = LAYOUT
        .iter()
        .zip(longest)
        .map(|((name, width, _), n)| match *width {
            // Never narrower than the header: it does not wrap.
            Width::Fitted { narrowest, widest } => {
                fitted(n.max(name.chars().count()), narrowest, widest)
            }
            Width::Fixed(w) => w,
        })
        .collect();

    let ws = workbook.add_worksheet_with_constant_memory()?;
    ws.set_name(TENANT_SHEET)?;
    for (i, w) in widths.iter().enumerate() {
        ws.set_column_width(i as u16, *w)?;
    }
    let names = LAYOUT.map(|(n, _, _)| n);
    header(ws, 0, &names, f)?;
    // The header and the object stay in view while the reviewer scrolls to the evidence.
    ws.set_freeze_panes(1, 1)?;
    ws.autofilter(0, 0, rows.max(1) as u32, COLUMNS.len() as u16 - 1)?;
    print_setup(ws, Some(0))?;
    ws.set_print_area(0, 0, rows.max(1) as u32, PRINTED)?;
    for (i, o) in objects.iter().enumerate() {
        let row = i as u32 + 1;
        let cells = cells(a, o);
        let cell = |col: usize| cells.get(order[col]).map_or("", String::as_str);
        // Set before the row's cells: a constant-memory sheet writes a row out when the next
        // one starts.
        let wrapped = LAYOUT
            .iter()
            .enumerate()
            .filter(|(_, (_, _, wraps))| *wraps)
            .map(|(col, _)| (cell(col), widths[col]));
        ws.set_row_height(row, wrapped_row_height(wrapped))?;
        for (col, (_, _, wraps)) in LAYOUT.iter().enumerate() {
            let text = cell(col);
            if !text.is_empty() {
                let format = if *wraps { &f.wrap } else { &f.top };
                ws.write_string_with_format(row, col as u16, text, format)?;
            }
        }
    }
    end_fitted_rows(ws, rows as u32 + 1, f)?;
    Ok(Some(rows))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_sheet_shows_every_column_of_the_rows_once() {
        let mut order = order().to_vec();
        order.sort_unstable();
        assert_eq!(order, (0..COLUMNS.len()).collect::<Vec<_>>());
    }
}
