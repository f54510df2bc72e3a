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

const COLUMNS: [(&str, f64); 13] = [
    ("Object (DN)", 48.0),
    ("Type", 10.0),
    ("Source anchor (immutableId)", 27.0),
    ("Outcome", 26.0),
    ("Matched by", 20.0),
    ("Value", 30.0),
    ("Cloud object", 30.0),
    ("Cloud object id", 38.0),
    ("Tenant input", 28.0),
    ("What Entra will do", 50.0),
    ("What to do before syncing", 60.0),
    ("Placeholder UPN / other objects", 34.0),
    ("Unknown (assumed)", 50.0),
];

/// Writes the sheet; returns its data rows (`None`: no tenant given, no sheet).
pub(super) fn tenant_sheet(
    a: &Analysis,
    workbook: &mut Workbook,
    f: &Formats,
) -> Result<Option<usize>, XlsxError> {
    let (Some(p), Some(tenant)) = (&a.tenant, a.options.tenant.as_deref()) else {
        return Ok(None);
    };
    let dir = &a.ingest.directory;
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
        let r = o.row as usize;
        let dn = dir.dn.get(r).unwrap_or("");
        let target = o.target.and_then(|t| tenant.objects.get(t as usize));
        let anchor = crate::tenant::anchor_of(dir, r)
            .map(|g| crate::tenant::immutable_id_text(&g))
            .unwrap_or_else(|| "unknown (ms-DS-ConsistencyGuid value not read)".into());
        let value = a.shown_note(&o.value);
        let extra = match (&o.placeholder, o.others.is_empty()) {
            (Some(placeholder), _) => placeholder.clone(),
            (None, false) => o
                .others
                .iter()
                .filter_map(|r| dir.dn.get(*r as usize))
                .map(|dn| a.shown_dn(dn).into_owned())
                .collect::<Vec<_>>()
                .join(" | "),
            _ => String::new(),
        };
        let cells: [String; 13] = [
            a.shown_dn(dn).into_owned(),
            dir.kind[r].name().to_string(),
            anchor,
            o.outcome.name().to_string(),
            o.by.map_or("", |b| b.name()).to_string(),
            value.into_owned(),
            target
                .and_then(|t| {
                    t.upn
                        .as_deref()
                        .or(t.mail.as_deref())
                        .or(t.display_name.as_deref())
                })
                .map(|v| a.shown_note(v).into_owned())
                .unwrap_or_default(),
            target.and_then(|t| t.id.clone()).unwrap_or_default(),
            target.map(|t| tenant.source_of(t)).unwrap_or_default(),
            o.outcome.entra_does().to_string(),
            o.outcome.to_do().to_string(),
            extra,
            o.depends.join("; "),
        ];
        for (c, text) in cells.iter().enumerate() {
            ws.write_string(row, c as u16, text)?;
        }
    }
    Ok(Some(rows))
}
