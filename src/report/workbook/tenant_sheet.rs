//! The Tenant matching sheet (`analyze --tenant`): one row per on-premises object whose
//! predicted outcome is not a plain creation: the object, the outcome, the cloud object it
//! meets (UPN, id, and the tenant input and line it came from), what it matched by, what Entra
//! will do and what to do before syncing, and what the prediction could not know.

use super::formats::{header, print_setup, Formats};
use super::EXCEL_DATA_ROWS;
use crate::analyze::Analysis;
use rust_xlsxwriter::{Workbook, XlsxError};

/// The sheet's name.
pub const TENANT_SHEET: &str = "Tenant matching";

use crate::report::tenant::{cells, COLUMNS};

/// Writes the sheet; returns its data rows (`None`: no tenant given, no sheet).
pub(super) fn tenant_sheet(
    a: &Analysis,
    workbook: &mut Workbook,
    f: &Formats,
) -> Result<Option<usize>, XlsxError> {
    let Some(p) = &a.tenant else {
        return Ok(None);
    };
    let ws = workbook.add_worksheet_with_constant_memory()?;
    ws.set_name(TENANT_SHEET)?;
    print_setup(ws, Some(0))?;
    for (i, (_, w)) in COLUMNS.iter().enumerate() {
        ws.set_column_width(i as u16, *w)?;
    }
    let names: Vec<&str> = COLUMNS.iter().map(|(n, _)| *n).collect();
    header(ws, 0, &names, f)?;
    ws.set_freeze_panes(1, 1)?;
    let rows = p.objects.len().min(EXCEL_DATA_ROWS);
    ws.autofilter(0, 0, rows.max(1) as u32, COLUMNS.len() as u16 - 1)?;
    for (i, o) in p.objects.iter().take(rows).enumerate() {
        let row = i as u32 + 1;
        let cells = cells(a, o);
        for (c, text) in cells.iter().enumerate() {
            ws.write_string(row, c as u16, text)?;
        }
    }
    Ok(Some(rows))
}
