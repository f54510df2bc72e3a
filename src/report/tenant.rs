//! The tenant matching rows (`analyze --tenant`), shared by the workbook's Tenant matching
//! sheet and `tenant-matching.csv`: one row per on-premises object whose predicted outcome is
//! not a plain creation.

use crate::analyze::Analysis;
use crate::tenant::matching::ObjectPrediction;

/// The columns, in the CSV's order (the sheet lays them out its own way: tenant_sheet.rs).
pub const COLUMNS: [&str; 13] = [
    "Object (DN)",
    "Type",
    "Source anchor (immutableId)",
    "Outcome",
    "Matched by",
    "Value",
    "Cloud object",
    "Cloud object id",
    "Tenant input",
    "What Entra will do",
    "What to do before syncing",
    "Placeholder UPN / other objects",
    "Unknown (assumed)",
];

/// The cells of one object's row (redacted with `--redact`).
pub fn cells(a: &Analysis, o: &ObjectPrediction) -> [String; 13] {
    let dir = &a.ingest.directory;
    let tenant = a.options.tenant.as_deref();
    let r = o.row as usize;
    let dn = dir.dn.get(r).unwrap_or("");
    let target = o
        .target
        .and_then(|t| tenant.and_then(|tn| tn.objects.get(t as usize)));
    let anchor = crate::tenant::anchor_of(dir, r, a.options.engine)
        .map(|g| crate::tenant::immutable_id_text(&g))
        .unwrap_or_default();
    let extra = match (&o.placeholder, o.others.is_empty()) {
        (Some(placeholder), _) => a.shown_note(placeholder).into_owned(),
        (None, false) => o
            .others
            .iter()
            .filter_map(|r| dir.dn.get(*r as usize))
            .map(|dn| a.shown_dn(dn).into_owned())
            .collect::<Vec<_>>()
            .join(" | "),
        _ => String::new(),
    };
    [
        a.shown_dn(dn).into_owned(),
        dir.kind[r].name().to_string(),
        anchor,
        o.outcome.name().to_string(),
        o.by.map_or("", |b| b.name()).to_string(),
        a.shown_note(&o.value).into_owned(),
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
        match (target, tenant) {
            (Some(t), Some(tn)) => tn.source_of(t),
            _ => String::new(),
        },
        o.outcome.entra_does().to_string(),
        o.outcome.to_do().to_string(),
        extra,
        o.depends.join("; "),
    ]
}
