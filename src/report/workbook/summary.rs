//! The Summary sheet: the verdict first, then findings by severity, objects per class, the
//! problems that fired, the run's facts and inputs, where the findings are, and charts.

use super::formats::{link_to, print_setup, section, Formats};
use super::{count_in_parallel, ou_path_of_parent, Counts, Tallies};
use crate::analyze::Analysis;
use crate::directory::{Attr, ObjectKind};
use crate::findings::{Class, Severity};
use crate::rules::registry::RULES;
use rust_xlsxwriter::{Chart, ChartType, Workbook, XlsxError};
use rustc_hash::FxHashMap;

/// The Summary: the verdict first (objects that will fail, be degraded, carry advisories),
/// findings by severity, objects per class, the problems that fired sorted by the objects
/// they affect; then the run's facts and inputs, where the findings are, and charts. Printed,
/// one page wide and at most two tall.
pub(super) fn summary_sheet(
    a: &Analysis,
    tallies: &Tallies,
    workbook: &mut Workbook,
    plan: &[(Class, Vec<String>, usize)],
    f: &Formats,
) -> Result<(), XlsxError> {
    let ws = workbook.add_worksheet();
    ws.set_name("Summary")?;
    for (col, width) in [(0, 46.0), (1, 12.0), (2, 12.0), (3, 14.0), (4, 92.0)] {
        ws.set_column_width(col, width)?;
    }
    let affected = a.objects_affected();
    let analyzed = a.scope.analyzed();
    ws.write_string_with_format(
        0,
        0,
        "synclint report: directory synchronization readiness",
        &f.title,
    )?;
    ws.write_string(
        1,
        0,
        format!(
            "{} objects analyzed from {} input{} on {} UTC, {} profile, for {} (--engine {}). Objects below count once however many findings they have.",
            crate::text::count(analyzed),
            a.ingest.files.len(),
            if a.ingest.files.len() == 1 { "" } else { "s" },
            utc_now(),
            format!("{:?}", a.options.profile).to_lowercase(),
            a.options.engine.title(),
            a.options.engine.name(),
        ),
    )?;

    // What limits what was checked, before any figure.
    let mut row = 3;
    for w in &a.warnings {
        ws.write_string_with_format(row, 0, "Warning", &f.verdict_warning)?;
        let text = a.shown_note(w);
        ws.merge_range(row, 1, row, 4, &text, &f.wrap)?;
        let lines = text.chars().count().div_ceil(120).max(1);
        ws.set_row_height(row, 15.0 * lines as f64)?;
        row += 1;
    }
    if !a.warnings.is_empty() {
        row += 1;
    }
    // The verdict.
    let verdict_title = format!("Verdict under {}", a.options.engine.title());
    row = section(
        ws,
        row,
        &verdict_title,
        &["", "Objects", "", "", "What happens in Entra"],
        f,
    )?;
    let clean =
        analyzed.saturating_sub(affected.will_fail + affected.degraded + affected.advisory_only);
    let verdict = [
        (
            "Will fail to sync (at least one error)",
            affected.will_fail,
            "The object is not exported, or the value is quarantined or dropped, until it is fixed.",
            &f.verdict_error,
        ),
        (
            "Will sync degraded (worst finding a warning)",
            affected.degraded,
            "The object syncs, but renamed, with a changed value, or without an address.",
            &f.verdict_warning,
        ),
        (
            "Advisories only (info)",
            affected.advisory_only,
            "Nothing breaks; worth a look before the first synchronization.",
            &f.verdict_info,
        ),
        (
            "No finding",
            clean,
            "Nothing found by the rules synclint runs.",
            &f.bold,
        ),
    ];
    for (label, n, meaning, format) in verdict {
        let format = if n > 0 { format } else { &f.bold };
        ws.write_string_with_format(row, 0, label, format)?;
        ws.write_number_with_format(row, 1, n as f64, &f.number)?;
        ws.write_string(row, 4, meaning)?;
        row += 1;
    }
    if let Some(p) = &a.tenant {
        // The predicted outcome in the tenant (`--tenant`), each outcome that occurs.
        row += 1;
        ws.write_url_with_format(
            row,
            0,
            super::formats::link_to(super::TENANT_SHEET).set_text("Predicted in the tenant"),
            &f.link,
        )?;
        row += 1;
        for outcome in crate::tenant::Outcome::ALL {
            let n = p.counts.get(outcome.name()).copied().unwrap_or(0);
            if n == 0 && outcome != crate::tenant::Outcome::Created {
                continue;
            }
            ws.write_string(row, 0, outcome.name())?;
            ws.write_number_with_format(row, 1, n as f64, &f.number)?;
            ws.write_string(row, 4, outcome.entra_does())?;
            row += 1;
        }
    }
    row += 1;
    row = super::readiness::readiness_block(ws, row, a, f)?;
    row -= 1;

    // Findings by severity.
    row += 1;
    row = section(
        ws,
        row,
        "Findings by severity",
        &["Severity", "Findings"],
        f,
    )?;
    let mut by_severity = [0u64; 3];
    for (code, n) in &tallies.by_rule {
        if let Some(rule) = RULES.iter().find(|r| r.code == *code) {
            by_severity[rule.severity as usize] += *n as u64;
        }
    }
    for severity in [Severity::Error, Severity::Warning, Severity::Info] {
        ws.write_string(row, 0, severity.name())?;
        ws.write_number_with_format(row, 1, by_severity[severity as usize] as f64, &f.number)?;
        row += 1;
    }
    ws.write_string_with_format(row, 0, "total", &f.bold)?;
    ws.write_number_with_format(row, 1, a.findings.len() as f64, &f.number)?;
    row += 1;

    // Objects affected per class, for the classes that have findings.
    row += 1;
    row = section(
        ws,
        row,
        "Objects affected per class",
        &["Class (sheet)", "Objects", "Findings"],
        f,
    )?;
    let class_first = row;
    for (class, names, n) in plan {
        ws.write_url_with_format(row, 0, link_to(&names[0]).set_text(class.name()), &f.link)?;
        let objects = affected.by_class.get(class.name()).copied().unwrap_or(0);
        ws.write_number_with_format(row, 1, objects as f64, &f.number)?;
        ws.write_number_with_format(row, 2, *n as f64, &f.number)?;
        row += 1;
    }
    if plan.is_empty() {
        ws.write_string(row, 0, "(no findings)")?;
        row += 1;
    }
    let class_last = row - 1;

    // The problems that fired, by objects affected.
    row += 1;
    row = section(
        ws,
        row,
        "Top problems, by objects affected",
        &[
            "Rule (sheet)",
            "Severity",
            "Objects",
            "Findings",
            "What Entra will do",
        ],
        f,
    )?;
    let mut fired: Vec<(&crate::rules::Rule, u64, usize)> = RULES
        .iter()
        .filter_map(|rule| {
            let n = tallies.by_rule.get(rule.code).copied().unwrap_or(0);
            let objects = tallies.objects_by_rule.get(rule.code).copied().unwrap_or(0);
            (n > 0).then_some((*rule, objects, n))
        })
        .collect();
    fired.sort_by(|x, y| {
        y.1.cmp(&x.1)
            .then(y.2.cmp(&x.2))
            .then(x.0.code.cmp(y.0.code))
    });
    for (rule, objects, n) in &fired {
        let text = format!("{} {}", rule.code, rule.slug);
        match plan.iter().find(|(c, _, _)| *c == rule.class) {
            Some((_, names, _)) => {
                ws.write_url_with_format(row, 0, link_to(&names[0]).set_text(text), &f.link)?
            }
            None => ws.write_string(row, 0, text)?,
        };
        ws.write_string(row, 1, rule.severity.name())?;
        ws.write_number_with_format(row, 2, *objects as f64, &f.number)?;
        ws.write_number_with_format(row, 3, *n as f64, &f.number)?;
        ws.write_string(row, 4, rule.entra)?;
        row += 1;
    }
    if fired.is_empty() {
        ws.write_string(row, 0, "(none)")?;
        row += 1;
    }
    row += 1;
    ws.write_string_with_format(row, 0, "How to review", &f.bold)?;
    ws.merge_range(
        row,
        1,
        row,
        4,
        "Set Action on the rows to change (EDIT writes Update, REMOVE deletes the value); an empty Action changes nothing; Recommended is only advice. Then: synclint fix. The sheet \"How to use this workbook\" explains every sheet, column and action.",
        &f.wrap,
    )?;
    ws.set_row_height(row, 30)?;
    row += 2;

    // The run: facts, objects, inputs.
    ws.write_string_with_format(row, 0, "The run", &f.section)?;
    row += 1;
    let mut facts = vec![
        ("synclint version", env!("CARGO_PKG_VERSION").to_string()),
        ("Profile", format!("{:?}", a.options.profile).to_lowercase()),
        (
            "Engine",
            format!(
                "{} (--engine {})",
                a.options.engine.title(),
                a.options.engine.name()
            ),
        ),
        (
            "Verified domains",
            a.options.verified_domains.as_ref().map_or(
                "not checked: pass --verified-domain (routable suffixes are assumed usable)"
                    .to_string(),
                |v| {
                    let mut d: Vec<&str> = v.iter().map(String::as_str).collect();
                    d.sort_unstable();
                    d.join(", ")
                },
            ),
        ),
    ];
    if let Some(c) = &a.changes {
        facts.push((
            "Since baseline",
            format!(
                "{} new, {} resolved, {} unchanged ({})",
                c.new, c.resolved, c.unchanged, c.baseline
            ),
        ));
    }
    for (k, v) in facts {
        ws.write_string_with_format(row, 0, k, &f.bold)?;
        ws.write_string(row, 1, v)?;
        row += 1;
    }
    let objects = [
        ("Objects read", a.ingest.objects_read(), None),
        ("Analyzed", analyzed, None),
        ("Out of scope", a.scope.out_of_scope(), Some("Out of scope")),
        (
            "Rejected (input problems)",
            a.ingest.objects_rejected(),
            Some("Input problems"),
        ),
        ("Findings", a.findings.len() as u64, None),
    ];
    for (k, v, sheet) in objects {
        ws.write_string_with_format(row, 0, k, &f.bold)?;
        ws.write_number_with_format(row, 1, v as f64, &f.number)?;
        if let Some(sheet) = sheet {
            ws.write_url_with_format(row, 2, link_to(sheet).set_text("see sheet"), &f.link)?;
        }
        row += 1;
    }
    row += 1;
    row = section(
        ws,
        row,
        "Inputs",
        &[
            "File",
            "Objects",
            "Rejected",
            "Bytes",
            "Format, encoding, SHA-256",
        ],
        f,
    )?;
    for file in &a.ingest.files {
        ws.write_string(row, 0, &file.path)?;
        ws.write_number_with_format(row, 1, file.objects as f64, &f.number)?;
        ws.write_number_with_format(row, 2, file.rejected as f64, &f.number)?;
        ws.write_number_with_format(row, 3, file.bytes as f64, &f.number)?;
        ws.write_string(
            row,
            4,
            format!(
                "{}, {}, {}",
                file.format.map_or("-", |x| x.name()),
                file.encoding.map_or("-", |x| x.name()),
                file.sha256.as_deref().unwrap_or("-")
            ),
        )?;
        row += 1;
    }

    // Where the findings are: top OUs and UPN suffixes, then the charts.
    // Counted by parent DN, then by OU path (different DNs can share a path).
    let mut by_ou: FxHashMap<String, usize> = FxHashMap::default();
    for (parent, n) in &tallies.by_parent {
        *by_ou.entry(ou_path_of_parent(parent)).or_default() += n;
    }
    let mut top_ou: Vec<(String, usize)> = by_ou.into_iter().collect();
    top_ou.sort_by(|x, y| y.1.cmp(&x.1).then(x.0.cmp(&y.0)));
    top_ou.truncate(10);
    let suffixes = upn_suffixes(a);
    row += 1;
    row = section(ws, row, "Top OUs by findings", &["OU path", "Findings"], f)?;
    let ou_first = row;
    for (ou, n) in &top_ou {
        ws.write_string(row, 0, if ou.is_empty() { "(root)" } else { ou })?;
        ws.write_number_with_format(row, 1, *n as f64, &f.number)?;
        row += 1;
    }
    let ou_last = row.saturating_sub(1);
    row += 1;
    row = section(
        ws,
        row,
        "UPN suffixes (analyzed users)",
        &["Suffix", "Users"],
        f,
    )?;
    let suffix_first = row;
    for (suffix, n) in &suffixes {
        ws.write_string(row, 0, suffix)?;
        ws.write_number_with_format(row, 1, *n as f64, &f.number)?;
        row += 1;
    }
    let suffix_last = row.saturating_sub(1);
    row += 1;

    // Three charts side by side below the tables, integer axes.
    let (width, height) = (420, 270);
    let mut x = 0;
    let most_per_class = plan
        .iter()
        .map(|(c, _, _)| affected.by_class.get(c.name()).copied().unwrap_or(0))
        .max()
        .unwrap_or(0);
    if !plan.is_empty() {
        let mut chart = bar_chart("Objects affected per class", class_first, class_last);
        integer_axis(&mut chart, most_per_class);
        chart.set_width(width).set_height(height);
        ws.insert_chart_with_offset(row, 0, &chart, x, 0)?;
        x += width + 10;
    }
    if !top_ou.is_empty() {
        let mut chart = bar_chart("Top OUs by findings", ou_first, ou_last);
        integer_axis(&mut chart, top_ou.first().map_or(0, |t| t.1 as u64));
        chart.set_width(width).set_height(height);
        ws.insert_chart_with_offset(row, 0, &chart, x, 0)?;
        x += width + 10;
    }
    if !suffixes.is_empty() {
        let mut chart = Chart::new(ChartType::Pie);
        chart.title().set_name("UPN suffixes");
        chart
            .add_series()
            .set_categories(("Summary", suffix_first, 0, suffix_last, 0))
            .set_values(("Summary", suffix_first, 1, suffix_last, 1));
        chart.set_width(width).set_height(height);
        ws.insert_chart_with_offset(row, 0, &chart, x, 0)?;
    }
    // Printed or exported to PDF: landscape, one page wide, at most two tall.
    print_setup(ws, None)?;
    ws.set_print_fit_to_pages(1, 2);
    ws.set_active(true);
    Ok(())
}

/// A bar chart of the Summary's rows `first..=last`: labels in column A, counts in B.
pub(super) fn bar_chart(title: &str, first: u32, last: u32) -> Chart {
    let mut chart = Chart::new(ChartType::Bar);
    chart.title().set_name(title);
    chart
        .add_series()
        .set_categories(("Summary", first, 0, last, 0))
        .set_values(("Summary", first, 1, last, 1));
    chart.legend().set_hidden();
    chart
}

/// The value axis of a bar chart in whole numbers: a step of 1 for small counts (Excel's
/// automatic axis shows 0, 0.5, 1 … otherwise).
pub(super) fn integer_axis(chart: &mut Chart, most: u64) {
    chart.x_axis().set_num_format("#,##0").set_min(0);
    if most <= 10 {
        chart.x_axis().set_major_unit(1);
    }
}

/// The ten most common UPN suffixes of analyzed users, then "(other)".
pub(super) fn upn_suffixes(a: &Analysis) -> Vec<(String, usize)> {
    let dir = &a.ingest.directory;
    // Counted by the suffix as written (a slice, no allocation per user), case folded after.
    let raw = count_in_parallel(dir.len(), |row, counts: &mut Counts<1>| {
        if !a.scope.in_scope(row)
            || !matches!(dir.kind[row], ObjectKind::User | ObjectKind::InetOrgPerson)
        {
            return;
        }
        let suffix = dir
            .text(Attr::UserPrincipalName, row)
            .and_then(|u| u.rsplit_once('@'))
            .map_or("(no UPN)", |(_, d)| d);
        counts.add(suffix, 0);
    });
    let mut counts: FxHashMap<String, usize> = FxHashMap::default();
    for (suffix, [n]) in raw {
        let key = if suffix == "(no UPN)" {
            suffix.to_string()
        } else {
            suffix.to_lowercase()
        };
        *counts.entry(key).or_default() += n as usize;
    }
    let mut all: Vec<(String, usize)> = counts.into_iter().collect();
    all.sort_by(|x, y| y.1.cmp(&x.1).then(x.0.cmp(&y.0)));
    if all.len() > 10 {
        let other: usize = all[10..].iter().map(|x| x.1).sum();
        all.truncate(10);
        all.push(("(other)".into(), other));
    }
    all
}

/// The current UTC date and time, ISO 8601 without the `T` (`2026-12-02 09:30:20`).
pub(super) fn utc_now() -> String {
    jiff::Timestamp::now()
        .strftime("%Y-%m-%d %H:%M:%S")
        .to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn utc_date_has_the_iso_shape() {
        let now = utc_now();
        assert_eq!(now.len(), 19);
        assert!(now.starts_with("20"));
    }
}
