//! The Summary's readiness block: one line per feature (Seamless SSO, hybrid join, password
//! hash sync, password writeback, other onboarding items) with its verdict, the worst finding
//! in words and what could not be checked. The findings themselves are on the Readiness sheet.

use super::formats::{section, Formats};
use crate::analyze::Analysis;
use crate::rules::readiness::Verdict;
use rust_xlsxwriter::{Worksheet, XlsxError};

/// Writes the block from `row`; returns the next free row.
pub(super) fn readiness_block(
    ws: &mut Worksheet,
    mut row: u32,
    a: &Analysis,
    f: &Formats,
) -> Result<u32, XlsxError> {
    let Some(report) = &a.readiness else {
        return Ok(row);
    };
    row = section(
        ws,
        row,
        "Sign-in and device readiness",
        &[
            "Feature",
            "Verdict",
            "Findings",
            "",
            "What was found (details on the Readiness sheet)",
        ],
        f,
    )?;
    for status in &report.features {
        let format = match status.verdict {
            Verdict::NotReady => &f.verdict_error,
            Verdict::ReadyWithWarnings | Verdict::NotChecked => &f.verdict_warning,
            Verdict::Ready => &f.bold,
        };
        ws.write_string_with_format(row, 0, status.feature.name(), format)?;
        // The verdict column is narrow (12): a long verdict wraps rather than being cut.
        ws.write_string_with_format(row, 1, status.verdict_shown(), &f.wrap)?;
        let n = status.errors + status.warnings + status.advice;
        ws.write_number_with_format(row, 2, n as f64, &f.number)?;
        // The feature's line without its name and verdict (they have their columns).
        let line = status.line();
        let prefix = format!("{}: {}", status.feature.name(), status.verdict_shown());
        let detail = line
            .strip_prefix(&prefix)
            .unwrap_or(&line)
            .trim_start_matches([' ', '—', ';', ':'])
            .to_string();
        let detail = if detail.is_empty() {
            "nothing found by the checks that ran".to_string()
        } else {
            a.shown_note(&detail).into_owned()
        };
        ws.write_string_with_format(row, 4, &detail, &f.wrap)?;
        let lines = detail
            .chars()
            .count()
            .div_ceil(90)
            .max(status.verdict_shown().chars().count().div_ceil(11))
            .max(1);
        ws.set_row_height(row, 15.0 * lines as f64)?;
        row += 1;
    }
    let measured = report.as_of_shown.as_deref().map_or_else(
        || crate::rules::readiness::NO_EXPORT_TIME.to_string(),
        |t| format!("ages measured from {t}"),
    );
    let forests: Vec<String> = report
        .forests
        .iter()
        .map(|f| {
            format!(
                "{}{}",
                f.name,
                if f.configuration_partition {
                    " (configuration partition read)"
                } else {
                    " (no configuration partition)"
                }
            )
        })
        .collect();
    let context = format!(
        "{measured}; forests: {}",
        if forests.is_empty() {
            "none seen".to_string()
        } else {
            forests.join(", ")
        }
    );
    // Wrapped: a long line would widen the printed page and shrink the whole Summary.
    ws.write_string_with_format(row, 4, &context, &f.wrap)?;
    let lines = context.chars().count().div_ceil(90).max(1);
    ws.set_row_height(row, 15.0 * lines as f64)?;
    Ok(row + 2)
}
