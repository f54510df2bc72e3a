//! The Excel workbook: the consultant's hand-off (issue 4).
//!
//! Sheets, in order: Summary (run facts, classes and rules linked to their sheets, charts),
//! one sheet per issue class that has findings (continued on `<Class> (2)` … past Excel's
//! 1,048,576 rows), Domains, Out of scope, Input problems. rust_xlsxwriter builds every sheet
//! and the class sheets' frames (header, table or filter, validation, shading); the class
//! sheets' rows are rendered in parallel and spliced into its package by `sheet_rows`, which
//! is where the time went (5.0 s of 901,531 rows, now 0.64 s). Every value is written as a
//! string cell: nothing a directory holds can become a formula.

use super::sheet_rows::{self, RowWriter, SharedStrings, SheetRows};
use crate::analyze::Analysis;
use crate::context::AnalysisContext;
use crate::directory::{Attr, ObjectKind};
use crate::error::Error;
use crate::findings::{Action, Class, Finding, Severity, RECOMMENDATIONS};
use crate::output::write_file_atomically;
use crate::rules::domain::{suffix_status, SuffixStatus};
use crate::rules::proxy::{is_smtp, parse};
use crate::rules::registry::RULES;
use rayon::iter::{IntoParallelRefIterator, ParallelIterator};
use rayon::slice::ParallelSliceMut;
use rust_xlsxwriter::{
    Chart, ChartType, ConditionalFormatFormula, DataValidation, Format, FormatAlign, FormatBorder,
    Table, TableColumn, TableStyle, Url, Workbook, Worksheet, XlsxError,
};
use rustc_hash::FxHashMap;
use std::io::{Seek, SeekFrom};
use std::path::{Path, PathBuf};

/// Data rows per sheet: Excel's 1,048,576 rows less the header.
pub const EXCEL_DATA_ROWS: usize = 1_048_575;

/// Sheet columns of every class sheet. `Recommended` is what synclint recommends (read only);
/// `Action` is empty until a reviewer chooses one, and `fix` acts on nothing else; `Update`
/// holds the suggested value, so accepting it is one choice (EDIT).
pub const COLUMNS: [(&str, f64); 15] = [
    ("Rule", 8.0),
    ("Severity", 9.0),
    ("Object (DN)", 48.0),
    ("OU path", 36.0),
    ("Object class", 12.0),
    ("Attribute", 18.0),
    ("Value", 40.0),
    ("Suggested value", 36.0),
    ("Recommended", 26.0),
    ("Action", 10.0),
    ("Update", 36.0),
    ("Group", 8.0),
    ("Conflicts with", 48.0),
    ("Source", 28.0),
    ("Why", 60.0),
];
const ACTION_COLUMN: u16 = 9;

/// The actions the reviewer can pick (IdFix's, plus IGNORE).
pub const ACTIONS: [&str; 4] = ["EDIT", "REMOVE", "COMPLETE", "IGNORE"];

/// Workbook layout choices.
#[derive(Clone, Debug)]
pub struct WorkbookOptions {
    /// Data rows per class sheet before it continues on the next (tests use small values).
    pub rows_per_sheet: usize,
    /// Above this many rows a sheet gets an autofilter and banding instead of an Excel table:
    /// rust_xlsxwriter keeps a map entry per table cell (35 MB for 90,000 rows, measured),
    /// which would put the peak RSS of a small export above the export's size.
    pub table_rows: usize,
    /// Called with the number of finding rows written so far.
    pub progress: Option<std::sync::Arc<std::sync::atomic::AtomicU64>>,
    /// The analysis context recorded for `fix` (default: the analysis's rule options, no OU
    /// filter); its inputs are filled in from the analysis when empty.
    pub context: Option<AnalysisContext>,
}

impl Default for WorkbookOptions {
    fn default() -> Self {
        WorkbookOptions {
            rows_per_sheet: EXCEL_DATA_ROWS,
            table_rows: 20_000,
            progress: None,
            context: None,
        }
    }
}

/// What was written.
#[derive(Clone, Debug, Default)]
pub struct WorkbookStats {
    /// Sheet names in order, with their data rows.
    pub sheets: Vec<(String, usize)>,
}

/// The canonical OU path of a DN (`corp.contoso.com/Staff/Sales`), which sorts by location.
pub use crate::dn::ou_path;
use crate::dn::{canonical_name as ou_path_of_parent, parent as parent_dn};

/// The sheet names of a class with `rows` findings.
pub fn class_sheet_names(class: Class, rows: usize, per_sheet: usize) -> Vec<String> {
    let sheets = rows.div_ceil(per_sheet.max(1)).max(1);
    (0..sheets)
        .map(|i| {
            if i == 0 {
                class.name().to_string()
            } else {
                format!("{} ({})", class.name(), i + 1)
            }
        })
        .collect()
}

struct Formats {
    title: Format,
    bold: Format,
    header: Format,
    link: Format,
    shaded: Format,
    number: Format,
}

impl Formats {
    fn new() -> Formats {
        let header = Format::new()
            .set_bold()
            .set_background_color("1F4E79")
            .set_font_color("FFFFFF")
            .set_border_bottom(FormatBorder::Thin);
        Formats {
            title: Format::new().set_bold().set_font_size(16),
            bold: Format::new().set_bold(),
            header,
            link: Format::new()
                .set_font_color("0563C1")
                .set_underline(rust_xlsxwriter::FormatUnderline::Single),
            shaded: Format::new().set_background_color("DDEBF7"),
            number: Format::new()
                .set_num_format("#,##0")
                .set_align(FormatAlign::Right),
        }
    }
}

fn xlsx(e: XlsxError) -> std::io::Error {
    std::io::Error::other(e.to_string())
}

/// Writes the workbook to `path` (atomically; never over an input).
pub fn write(
    a: &Analysis,
    path: &Path,
    inputs: &[PathBuf],
    options: &WorkbookOptions,
) -> Result<WorkbookStats, Error> {
    let mut stats = WorkbookStats::default();
    let dir = crate::output::folder_of(path);
    write_file_atomically(path, inputs, |file| {
        let mut workbook = Workbook::new();
        // Deflate level 1: writing time is dominated by compression at the default 6, and the
        // file is only slightly larger.
        workbook.set_zip_compression_level(1);
        // Constant-memory sheets spill to temporary files: keep them beside the output.
        let _ = workbook.set_tempdir(dir);
        let tallies = Tallies::of(a);
        // Each OU path once, by parent DN: rows look theirs up instead of building it.
        let ou_paths: OuPaths = tallies
            .by_parent
            .keys()
            .map(|parent| (*parent, ou_path_of_parent(parent)))
            .collect();
        let rows;
        (stats, rows) = build(a, &tallies, &ou_paths, &mut workbook, options).map_err(xlsx)?;
        context_sheet(&context_of(a, path, options), &mut workbook).map_err(xlsx)?;
        // rust_xlsxwriter writes the package with the class sheets' frames; their rows are
        // added while copying it to the output (see sheet_rows.rs for why).
        let mut skeleton = tempfile::tempfile_in(dir)?;
        workbook.save_to_writer(&mut skeleton).map_err(xlsx)?;
        skeleton.seek(SeekFrom::Start(0))?;
        sheet_rows::splice(
            skeleton,
            &rows,
            &labels(a, &tallies, &ou_paths),
            file,
            options.progress.as_deref(),
        )
    })?;
    Ok(stats)
}

/// The context to record: the one given, with the analysis's inputs when it has none.
fn context_of(a: &Analysis, workbook: &Path, options: &WorkbookOptions) -> AnalysisContext {
    let mut context = options.context.clone().unwrap_or_else(|| {
        AnalysisContext::new(&a.options, &crate::scope::ScopeOptions::default())
    });
    context.redacted = a.redactor.is_some();
    if context.inputs.is_empty() {
        context.record_inputs(
            workbook,
            a.ingest
                .files
                .iter()
                .map(|f| (f.path.as_str(), f.sha256.as_deref().unwrap_or(""))),
        );
    }
    context
}

/// The hidden sheet `fix` reads the analysis context from (see `context.rs`), after every
/// other sheet.
fn context_sheet(context: &AnalysisContext, workbook: &mut Workbook) -> Result<(), XlsxError> {
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

/// The OU path of each parent DN that holds objects with findings.
type OuPaths<'a> = FxHashMap<&'a str, String>;

/// Counts over every finding that the Summary and the shared-string table need, taken in one
/// parallel pass.
#[derive(Default)]
struct Tallies<'a> {
    /// Findings per rule code.
    by_rule: FxHashMap<&'static str, usize>,
    /// Findings per parent DN (a slice of the DN: no allocation per finding).
    by_parent: FxHashMap<&'a str, usize>,
    /// The notes borrowed from the rules' code (fixed texts); a finding's own note is owned.
    notes: rustc_hash::FxHashSet<&'static str>,
}

impl<'a> Tallies<'a> {
    fn of(a: &'a Analysis) -> Tallies<'a> {
        let dir = &a.ingest.directory;
        a.findings
            .par_iter()
            .fold(Tallies::default, |mut t, f| {
                *t.by_rule.entry(f.rule.code).or_default() += 1;
                let dn = dir.dn.get(f.row as usize).unwrap_or("");
                *t.by_parent.entry(parent_dn(dn)).or_default() += 1;
                if let Some(std::borrow::Cow::Borrowed(note)) = &f.note {
                    t.notes.insert(*note);
                }
                t
            })
            .reduce(Tallies::default, |mut t, u| {
                for (k, v) in u.by_rule {
                    *t.by_rule.entry(k).or_default() += v;
                }
                for (k, v) in u.by_parent {
                    *t.by_parent.entry(k).or_default() += v;
                }
                t.notes.extend(u.notes);
                t
            })
    }
}

/// The labels the big sheets repeat row after row, for the shared-string table: rule codes
/// and explanations, severities, actions, attribute names, object classes, the fixed notes
/// (such as why a suffix is not routable) and the OU paths of the objects with findings.
fn labels(a: &Analysis, tallies: &Tallies, ou_paths: &OuPaths) -> SharedStrings {
    let mut notes: Vec<&str> = tallies.notes.iter().copied().collect();
    notes.sort_unstable();
    let mut ous: Vec<&str> = ou_paths.values().map(String::as_str).collect();
    ous.sort_unstable();
    ous.dedup();
    let fixed = RULES
        .iter()
        .flat_map(|r| [r.code, r.why])
        .chain([Severity::Error, Severity::Warning, Severity::Info].map(Severity::name))
        .chain([Action::Edit, Action::Remove, Action::Complete].map(Action::name))
        .chain(ACTIONS)
        .chain(RECOMMENDATIONS)
        .chain(Attr::ALL.iter().map(|a| a.ldap_name()))
        .chain(
            [
                ObjectKind::User,
                ObjectKind::InetOrgPerson,
                ObjectKind::Computer,
                ObjectKind::Group,
                ObjectKind::Contact,
            ]
            .map(ObjectKind::name),
        );
    let notes = notes.into_iter().map(|n| a.shown_note(n));
    SharedStrings::new(
        fixed
            .map(std::borrow::Cow::Borrowed)
            .chain(notes)
            .chain(ous.into_iter().map(std::borrow::Cow::Borrowed)),
    )
}

fn build<'a>(
    a: &'a Analysis,
    tallies: &Tallies,
    ou_paths: &'a OuPaths<'a>,
    workbook: &mut Workbook,
    options: &WorkbookOptions,
) -> Result<(WorkbookStats, Vec<SheetRows<'a>>), XlsxError> {
    let f = Formats::new();
    let mut stats = WorkbookStats::default();
    let mut rows = Vec::new();
    // Plan the class sheets first: the Summary links to them. One pass sorts the findings
    // into their classes.
    let mut by_class: Vec<Vec<&Finding>> = vec![Vec::new(); Class::ALL.len()];
    for finding in &a.findings {
        by_class[class_index(finding.rule.class)].push(finding);
    }
    let mut plan: Vec<(Class, Vec<String>, usize)> = Vec::new();
    for class in Class::ALL {
        let n = by_class[class_index(class)].len();
        if n > 0 {
            plan.push((
                class,
                class_sheet_names(class, n, options.rows_per_sheet),
                n,
            ));
        }
    }
    summary_sheet(a, tallies, workbook, &plan, &f)?;
    stats.sheets.push(("Summary".into(), 0));
    if let Some(changes) = &a.changes {
        stats
            .sheets
            .push(("Changes".into(), changes_sheet(changes, workbook, &f)?));
    }
    for (class, names, n) in &plan {
        let mut findings = std::mem::take(&mut by_class[class_index(*class)]);
        // Members of a group stand together, in group order; other findings keep file order.
        if matches!(class, Class::Duplicate | Class::Collision) {
            findings.par_sort_by_key(|f| (f.group.unwrap_or(u32::MAX), f.row));
        }
        let mut rest = findings;
        for (i, name) in names.iter().enumerate() {
            let take = (*n - i * options.rows_per_sheet).min(options.rows_per_sheet);
            let tail = rest.split_off(take);
            let sheet = class_sheet(workbook, name, *class, take, options, &f)?;
            // Worksheet parts are numbered in the order sheets were added.
            let part = format!("xl/worksheets/sheet{}.xml", stats.sheets.len() + 1);
            rows.push(class_rows(a, ou_paths, part, rest));
            rest = tail;
            stats.sheets.push((name.clone(), sheet));
        }
    }
    stats
        .sheets
        .push(("Domains".into(), domains_sheet(a, workbook, &f)?));
    let part = format!("xl/worksheets/sheet{}.xml", stats.sheets.len() + 1);
    let out_of_scope = out_of_scope_sheet(a, workbook, part, &f)?;
    stats
        .sheets
        .push(("Out of scope".into(), out_of_scope.rows));
    rows.push(out_of_scope);
    stats.sheets.push((
        "Input problems".into(),
        input_problems_sheet(a, workbook, &f)?,
    ));
    Ok((stats, rows))
}

fn class_index(class: Class) -> usize {
    Class::ALL
        .iter()
        .position(|c| *c == class)
        .unwrap_or_default()
}

fn header(ws: &mut Worksheet, row: u32, names: &[&str], f: &Formats) -> Result<(), XlsxError> {
    header_at(ws, row, 0, names, f)
}

fn header_at(
    ws: &mut Worksheet,
    row: u32,
    col: u16,
    names: &[&str],
    f: &Formats,
) -> Result<(), XlsxError> {
    for (i, name) in names.iter().enumerate() {
        ws.write_string_with_format(row, col + i as u16, *name, &f.header)?;
    }
    Ok(())
}

fn link_to(sheet: &str) -> Url {
    Url::new(format!("internal:'{}'!A1", sheet.replace('\'', "''")))
}

fn summary_sheet(
    a: &Analysis,
    tallies: &Tallies,
    workbook: &mut Workbook,
    plan: &[(Class, Vec<String>, usize)],
    f: &Formats,
) -> Result<(), XlsxError> {
    let ws = workbook.add_worksheet();
    ws.set_name("Summary")?;
    ws.set_column_width(0, 34)?;
    ws.set_column_width(1, 22)?;
    ws.set_column_width(2, 14)?;
    ws.set_column_width(3, 12)?;
    ws.set_column_width(4, 12)?;
    ws.set_column_width(5, 66)?;
    ws.set_column_width(6, 12)?;
    ws.write_string_with_format(
        0,
        0,
        "synclint report: directory synchronization readiness",
        &f.title,
    )?;
    let facts = [
        ("synclint version", env!("CARGO_PKG_VERSION").to_string()),
        ("Date (UTC)", utc_now()),
        ("Profile", format!("{:?}", a.options.profile).to_lowercase()),
        (
            "Verified domains",
            a.options.verified_domains.as_ref().map_or(
                "(none given: routable suffixes are assumed usable)".to_string(),
                |v| {
                    let mut d: Vec<&str> = v.iter().map(String::as_str).collect();
                    d.sort_unstable();
                    d.join(", ")
                },
            ),
        ),
    ];
    let mut facts = facts.to_vec();
    facts.push((
        "How to review",
        // Short enough to show in full before the OU table in column I.
        "Set Action on each row to change (EDIT writes Update, REMOVE deletes the value); an empty Action changes nothing; Recommended is only advice. Then: synclint fix".to_string(),
    ));
    if let Some(c) = &a.changes {
        facts.push((
            "Since baseline",
            format!(
                "{} new, {} resolved, {} unchanged ({})",
                c.new, c.resolved, c.unchanged, c.baseline
            ),
        ));
    }
    let mut row = 2;
    for (k, v) in facts {
        ws.write_string_with_format(row, 0, k, &f.bold)?;
        ws.write_string(row, 1, v)?;
        row += 1;
    }
    // What limits what was checked, before any figure.
    for w in &a.warnings {
        ws.write_string_with_format(row, 0, "Warning", &f.bold)?;
        ws.write_string(row, 1, a.shown_note(w))?;
        row += 1;
    }
    row += 1;
    let objects = [
        ("Objects read", a.ingest.objects_read()),
        ("Analyzed", a.scope.analyzed()),
        ("Out of scope", a.scope.out_of_scope()),
        ("Rejected (input problems)", a.ingest.objects_rejected()),
        ("Findings", a.findings.len() as u64),
    ];
    for (k, v) in objects {
        ws.write_string_with_format(row, 0, k, &f.bold)?;
        ws.write_number_with_format(row, 1, v as f64, &f.number)?;
        row += 1;
    }
    ws.write_url_with_text(row - 3, 2, link_to("Out of scope"), "see sheet")?;
    ws.write_url_with_text(row - 2, 2, link_to("Input problems"), "see sheet")?;

    row += 1;
    ws.write_string_with_format(row, 0, "Inputs", &f.bold)?;
    row += 1;
    header(
        ws,
        row,
        &[
            "File", "Format", "Encoding", "Objects", "Rejected", "SHA-256", "Bytes",
        ],
        f,
    )?;
    row += 1;
    for file in &a.ingest.files {
        ws.write_string(row, 0, &file.path)?;
        ws.write_string(row, 1, file.format.map_or("-", |x| x.name()))?;
        ws.write_string(row, 2, file.encoding.map_or("-", |x| x.name()))?;
        ws.write_number_with_format(row, 3, file.objects as f64, &f.number)?;
        ws.write_number_with_format(row, 4, file.rejected as f64, &f.number)?;
        ws.write_string(row, 5, file.sha256.as_deref().unwrap_or(""))?;
        ws.write_number_with_format(row, 6, file.bytes as f64, &f.number)?;
        row += 1;
    }

    row += 1;
    ws.write_string_with_format(row, 0, "Findings by class", &f.bold)?;
    row += 1;
    header(ws, row, &["Class", "Findings", "Sheet"], f)?;
    row += 1;
    let class_first = row;
    for class in Class::ALL {
        let n = plan
            .iter()
            .find(|(c, _, _)| *c == class)
            .map_or(0, |(_, _, n)| *n);
        ws.write_string(row, 0, class.name())?;
        ws.write_number_with_format(row, 1, n as f64, &f.number)?;
        if let Some((_, names, _)) = plan.iter().find(|(c, _, _)| *c == class) {
            ws.write_url_with_format(row, 2, link_to(&names[0]).set_text(&names[0]), &f.link)?;
        }
        row += 1;
    }
    let class_last = row - 1;

    row += 1;
    ws.write_string_with_format(row, 0, "Findings by rule", &f.bold)?;
    row += 1;
    header(
        ws,
        row,
        &[
            "Rule",
            "Class",
            "Severity",
            "Findings",
            "",
            "Outcome in Entra (synclint rules CODE explains)",
        ],
        f,
    )?;
    row += 1;
    for rule in RULES
        .iter()
        .filter(|r| r.profiles.contains(&a.options.profile))
    {
        let n = tallies.by_rule.get(rule.code).copied().unwrap_or(0);
        match plan.iter().find(|(c, _, _)| *c == rule.class) {
            Some((_, names, _)) => ws.write_url_with_format(
                row,
                0,
                link_to(&names[0]).set_text(format!("{} {}", rule.code, rule.slug)),
                &f.link,
            )?,
            None => ws.write_string(row, 0, format!("{} {}", rule.code, rule.slug))?,
        };
        ws.write_string(row, 1, rule.class.name())?;
        ws.write_string(row, 2, rule.severity.name())?;
        ws.write_number_with_format(row, 3, n as f64, &f.number)?;
        ws.write_string(row, 5, rule.entra)?;
        row += 1;
    }

    // Chart data: top OUs by findings and UPN suffixes, beside the tables.
    // Counted by parent DN, then by OU path (different DNs can share a path).
    let mut by_ou: FxHashMap<String, usize> = FxHashMap::default();
    for (parent, n) in &tallies.by_parent {
        *by_ou.entry(ou_path_of_parent(parent)).or_default() += n;
    }
    let mut top_ou: Vec<(String, usize)> = by_ou.into_iter().collect();
    top_ou.sort_by(|x, y| y.1.cmp(&x.1).then(x.0.cmp(&y.0)));
    top_ou.truncate(10);
    let suffixes = upn_suffixes(a);
    let data_col = 8u16;
    ws.set_column_width(data_col, 40)?;
    ws.set_column_width(data_col + 1, 12)?;
    ws.write_string_with_format(2, data_col, "Top OUs by findings", &f.bold)?;
    header_at(ws, 3, data_col, &["OU path", "Findings"], f)?;
    for (i, (ou, n)) in top_ou.iter().enumerate() {
        ws.write_string(
            4 + i as u32,
            data_col,
            if ou.is_empty() { "(root)" } else { ou },
        )?;
        ws.write_number_with_format(4 + i as u32, data_col + 1, *n as f64, &f.number)?;
    }
    let suffix_row = 16u32;
    ws.write_string_with_format(
        suffix_row,
        data_col,
        "UPN suffixes (analyzed users)",
        &f.bold,
    )?;
    header_at(ws, suffix_row + 1, data_col, &["Suffix", "Users"], f)?;
    for (i, (suffix, n)) in suffixes.iter().enumerate() {
        ws.write_string(suffix_row + 2 + i as u32, data_col, suffix)?;
        ws.write_number_with_format(
            suffix_row + 2 + i as u32,
            data_col + 1,
            *n as f64,
            &f.number,
        )?;
    }

    let mut chart = Chart::new(ChartType::Bar);
    chart.title().set_name("Findings per class");
    chart
        .add_series()
        .set_categories(("Summary", class_first, 0, class_last, 0))
        .set_values(("Summary", class_first, 1, class_last, 1));
    chart.legend().set_hidden();
    ws.insert_chart(2, 11, &chart)?;
    if !top_ou.is_empty() {
        let mut chart = Chart::new(ChartType::Bar);
        chart.title().set_name("Top 10 OUs by findings");
        let last = 4 + top_ou.len() as u32 - 1;
        chart
            .add_series()
            .set_categories(("Summary", 4, data_col, last, data_col))
            .set_values(("Summary", 4, data_col + 1, last, data_col + 1));
        chart.legend().set_hidden();
        ws.insert_chart(18, 11, &chart)?;
    }
    if !suffixes.is_empty() {
        let mut chart = Chart::new(ChartType::Pie);
        chart.title().set_name("UPN suffix distribution");
        let first = suffix_row + 2;
        let last = first + suffixes.len() as u32 - 1;
        chart
            .add_series()
            .set_categories(("Summary", first, data_col, last, data_col))
            .set_values(("Summary", first, data_col + 1, last, data_col + 1));
        ws.insert_chart(34, 11, &chart)?;
    }
    // Printed or exported to PDF: one page wide, landscape, charts included.
    ws.set_landscape();
    ws.set_print_fit_to_pages(1, 0);
    ws.set_active(true);
    Ok(())
}

/// The domain part of an address.
fn domain_of(address: &str) -> Option<&str> {
    address.rsplit_once('@').map(|(_, d)| d)
}

/// Counts over every row in parallel chunks with `count(row, counts)`, then merges the maps.
fn count_in_parallel<'a, const N: usize>(
    rows: usize,
    count: impl Fn(usize, &mut FxHashMap<&'a str, [u64; N]>) + Sync,
) -> FxHashMap<&'a str, [u64; N]> {
    use rayon::prelude::*;
    (0..rows)
        .into_par_iter()
        .fold(FxHashMap::default, |mut counts, row| {
            count(row, &mut counts);
            counts
        })
        .reduce(FxHashMap::default, |mut all, part| {
            for (key, n) in part {
                let total = all.entry(key).or_insert([0; N]);
                for (t, c) in total.iter_mut().zip(n) {
                    *t += c;
                }
            }
            all
        })
}

/// The ten most common UPN suffixes of analyzed users, then "(other)".
fn upn_suffixes(a: &Analysis) -> Vec<(String, usize)> {
    let dir = &a.ingest.directory;
    // Counted by the suffix as written (a slice, no allocation per user), case folded after.
    let raw = count_in_parallel(dir.len(), |row, counts: &mut FxHashMap<&str, [u64; 1]>| {
        if !a.scope.in_scope(row)
            || !matches!(dir.kind[row], ObjectKind::User | ObjectKind::InetOrgPerson)
        {
            return;
        }
        let suffix = dir
            .text(Attr::UserPrincipalName, row)
            .and_then(|u| u.rsplit_once('@'))
            .map_or("(no UPN)", |(_, d)| d);
        counts.entry(suffix).or_default()[0] += 1;
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

/// The frame of a class sheet with `rows` findings: header, table or filter, Action
/// validation, shading, frozen header. The rows come from [`class_rows`].
fn class_sheet(
    workbook: &mut Workbook,
    name: &str,
    class: Class,
    rows: usize,
    options: &WorkbookOptions,
    f: &Formats,
) -> Result<usize, XlsxError> {
    let ws = workbook.add_worksheet_with_constant_memory()?;
    ws.set_name(name)?;
    let last_col = COLUMNS.len() as u16 - 1;
    let last_row = rows as u32;
    for (i, (_, width)) in COLUMNS.iter().enumerate() {
        ws.set_column_width(i as u16, *width)?;
    }
    // The rule, severity and DN stay in view while the reviewer scrolls to Action.
    ws.set_freeze_panes(1, 3)?;
    let grouped = matches!(class, Class::Duplicate | Class::Collision);
    if rows <= options.table_rows {
        let columns: Vec<TableColumn> = COLUMNS
            .iter()
            .map(|(n, _)| TableColumn::new().set_header(*n))
            .collect();
        // Grouped sheets shade by group instead of by row.
        let table = Table::new()
            .set_columns(&columns)
            .set_style(TableStyle::Medium2)
            .set_banded_rows(!grouped);
        ws.add_table(0, 0, last_row.max(1), last_col, &table)?;
    } else {
        header(ws, 0, &COLUMNS.map(|c| c.0), f)?;
        ws.autofilter(0, 0, last_row, last_col)?;
    }
    let validation = DataValidation::new()
        .allow_list_strings(&ACTIONS)?
        .set_input_title("Action")?
        .set_input_message(
            "Empty: nothing changes. EDIT writes Update; REMOVE deletes the value; COMPLETE or IGNORE change nothing.",
        )?;
    ws.add_data_validation(
        1,
        ACTION_COLUMN,
        last_row.max(1),
        ACTION_COLUMN,
        &validation,
    )?;

    // Shading without per-cell formats: group sheets alternate by group id (column L), large
    // sheets without a table alternate by row.
    let banded_by_hand = rows > options.table_rows;
    if grouped || banded_by_hand {
        let rule = if grouped {
            "=MOD(VALUE($L2),2)=1"
        } else {
            "=MOD(ROW(),2)=0"
        };
        let shading = ConditionalFormatFormula::new()
            .set_rule(rule)
            .set_format(&f.shaded);
        ws.add_conditional_format(1, 0, last_row.max(1), last_col, &shading)?;
    }
    Ok(rows)
}

/// The rows of a class sheet: one finding each, the 15 [`COLUMNS`]; Action is left empty.
fn class_rows<'a>(
    a: &'a Analysis,
    ou_paths: &'a OuPaths<'a>,
    part: String,
    findings: Vec<&'a Finding>,
) -> SheetRows<'a> {
    let dir = &a.ingest.directory;
    // Each cell escapes to at most 7 bytes a byte (a control character as `_x001F_`).
    let size_bound = findings
        .par_iter()
        .map(|f| {
            let dn = dir.dn.get(f.row as usize).map_or(0, str::len);
            let text = 2 * dn
                + f.value.len()
                + 2 * f.suggested.as_ref().map_or(0, String::len)
                + f.note.as_ref().map_or(0, |n| n.len())
                + f.rule.why.len()
                + dir.object_class.get(f.row as usize).map_or(0, str::len)
                + f.attribute.len()
                + dir.source_label_len(f.row as usize);
            7 * text as u64 + 1024
        })
        .sum();
    let rows = findings.len();
    let fill = move |i: usize, w: &mut RowWriter| {
        let finding = findings[i];
        let r = finding.row as usize;
        let real_dn = dir.dn.get(r).unwrap_or("");
        let note = finding.note.as_deref().map(|n| a.shown_note(n));
        let (conflicts, why) = match (finding.group, note.as_deref()) {
            (Some(_), Some(note)) => (note, finding.rule.why),
            (_, Some(note)) => ("", note),
            _ => ("", finding.rule.why),
        };
        let suggested = a.shown_value(
            finding.attribute,
            finding.suggested.as_deref().unwrap_or(""),
        );
        let mut group = itoa::Buffer::new();
        let group = finding.group.map_or("", |g| group.format(g));
        w.label(0, finding.rule.code);
        w.label(1, finding.rule.severity.name());
        w.cell(2, &a.shown_dn(real_dn));
        match ou_paths.get(parent_dn(real_dn)) {
            Some(path) => w.label(3, path),
            None => w.label(3, &ou_path(real_dn)),
        }
        w.label(4, dir.object_class.get(r).unwrap_or(""));
        w.label(5, finding.attribute);
        w.cell(6, &a.shown_value(finding.attribute, &finding.value));
        w.cell(7, &suggested);
        w.label(8, finding.recommendation());
        // Column 9, Action, is the reviewer's: empty.
        w.cell(10, &suggested);
        w.cell(11, group);
        w.cell(12, conflicts);
        let (file, line) = dir.source_location(r);
        w.location(13, file, line);
        w.label(14, why);
    };
    SheetRows {
        part,
        rows,
        fill: Box::new(fill),
        size_bound,
    }
}

fn changes_sheet(
    changes: &crate::baseline::Changes,
    workbook: &mut Workbook,
    f: &Formats,
) -> Result<usize, XlsxError> {
    let ws = workbook.add_worksheet_with_constant_memory()?;
    ws.set_name("Changes")?;
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

fn domains_sheet(a: &Analysis, workbook: &mut Workbook, f: &Formats) -> Result<usize, XlsxError> {
    let dir = &a.ingest.directory;
    // domain → objects per attribute: UPN, mail, proxyAddresses, targetAddress. Counted by
    // the domain as written (slices of the directory) in parallel, case folded after: an
    // allocation per value cost seconds at 10M objects.
    let raw = count_in_parallel(dir.len(), |row, seen: &mut FxHashMap<&str, [u64; 4]>| {
        if !a.scope.in_scope(row) {
            return;
        }
        if let Some(d) = dir.text(Attr::UserPrincipalName, row).and_then(domain_of) {
            seen.entry(d).or_default()[0] += 1;
        }
        if let Some(d) = dir.text(Attr::Mail, row).and_then(domain_of) {
            seen.entry(d).or_default()[1] += 1;
        }
        for p in dir.proxy_addresses.get(row) {
            if let Some(d) = parse(p)
                .filter(|(t, _)| is_smtp(t))
                .and_then(|(_, a)| domain_of(a))
            {
                seen.entry(d).or_default()[2] += 1;
            }
        }
        if let Some(d) = dir
            .text(Attr::TargetAddress, row)
            .and_then(parse)
            .filter(|(t, _)| is_smtp(t))
            .and_then(|(_, a)| domain_of(a))
        {
            seen.entry(d).or_default()[3] += 1;
        }
    });
    let mut seen: FxHashMap<String, [u64; 4]> = FxHashMap::default();
    for (domain, counts) in raw {
        let total = seen.entry(domain.to_lowercase()).or_default();
        for (t, c) in total.iter_mut().zip(counts) {
            *t += c;
        }
    }
    let mut domains: Vec<(String, [u64; 4])> = seen.into_iter().collect();
    domains.sort_by(|x, y| x.0.cmp(&y.0));
    let ws = workbook.add_worksheet_with_constant_memory()?;
    ws.set_name("Domains")?;
    let cols = [
        "Domain",
        "userPrincipalName",
        "mail",
        "proxyAddresses",
        "targetAddress",
        "Routable",
        "Verified",
        "Suggested mapping",
    ];
    for (i, w) in [36.0, 18.0, 12.0, 16.0, 14.0, 52.0, 12.0, 28.0]
        .iter()
        .enumerate()
    {
        ws.set_column_width(i as u16, *w)?;
    }
    ws.set_freeze_panes(1, 0)?;
    let columns: Vec<TableColumn> = cols
        .iter()
        .map(|n| TableColumn::new().set_header(*n))
        .collect();
    ws.add_table(
        0,
        0,
        domains.len().max(1) as u32,
        cols.len() as u16 - 1,
        &Table::new()
            .set_columns(&columns)
            .set_style(TableStyle::Medium2),
    )?;
    for (i, (domain, n)) in domains.iter().enumerate() {
        let row = i as u32 + 1;
        let routable = match suffix_status(domain) {
            SuffixStatus::Routable => "yes".to_string(),
            SuffixStatus::SpecialUse(reason) => format!("no: {reason}"),
            SuffixStatus::NotDelegated => "no: not a delegated top-level domain".to_string(),
            SuffixStatus::Invalid => "no: not a valid domain".to_string(),
        };
        let verified = match &a.options.verified_domains {
            Some(v) if v.contains(domain) => "yes",
            Some(_) => "no",
            None => "unknown",
        };
        let mapping = a
            .options
            .suffix_map
            .iter()
            .find(|(old, _)| old == domain)
            .map_or("", |(_, new)| new.as_str());
        ws.write_string(row, 0, domain)?;
        for (j, v) in n.iter().enumerate() {
            ws.write_number_with_format(row, j as u16 + 1, *v as f64, &f.number)?;
        }
        ws.write_string(row, 5, routable)?;
        ws.write_string(row, 6, verified)?;
        ws.write_string(row, 7, mapping)?;
    }
    Ok(domains.len())
}

/// The Out of scope sheet's frame; its rows (one per object left out, with the reason)
/// are written like the class sheets'.
fn out_of_scope_sheet<'a>(
    a: &'a Analysis,
    workbook: &mut Workbook,
    part: String,
    f: &Formats,
) -> Result<SheetRows<'a>, XlsxError> {
    let dir = &a.ingest.directory;
    let mut rows: Vec<u32> = (0..dir.len() as u32)
        .filter(|r| !a.scope.in_scope(*r as usize))
        .collect();
    rows.truncate(EXCEL_DATA_ROWS);
    let ws = workbook.add_worksheet_with_constant_memory()?;
    ws.set_name("Out of scope")?;
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
    let size_bound = rows
        .iter()
        .map(|&r| {
            let r = r as usize;
            let text = dir.dn.get(r).map_or(0, str::len)
                + dir.object_class.get(r).map_or(0, str::len)
                + a.scope.reason(r).map_or(0, str::len)
                + dir.source_label_len(r);
            7 * text as u64 + 256
        })
        .sum();
    let count = rows.len();
    let fill = move |i: usize, w: &mut RowWriter| {
        let r = rows[i] as usize;
        w.cell(0, &a.shown_dn(dir.dn.get(r).unwrap_or("")));
        w.label(1, dir.object_class.get(r).unwrap_or(""));
        w.cell(2, &a.shown_note(a.scope.reason(r).unwrap_or("")));
        let (file, line) = dir.source_location(r);
        w.location(3, file, line);
    };
    Ok(SheetRows {
        part,
        rows: count,
        fill: Box::new(fill),
        size_bound,
    })
}

fn input_problems_sheet(
    a: &Analysis,
    workbook: &mut Workbook,
    f: &Formats,
) -> Result<usize, XlsxError> {
    let ws = workbook.add_worksheet_with_constant_memory()?;
    ws.set_name("Input problems")?;
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

/// The current UTC date and time, ISO 8601 (no time-zone crate needed for UTC).
fn utc_now() -> String {
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    let days = (secs / 86_400) as i64;
    let (h, m, s) = (secs % 86_400 / 3600, secs % 3600 / 60, secs % 60);
    // Howard Hinnant's civil_from_days.
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!("{year:04}-{month:02}-{d:02} {h:02}:{m:02}:{s:02}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ou_paths_are_canonical_and_sortable() {
        assert_eq!(
            ou_path("CN=Ana,OU=Sales,OU=Staff,DC=corp,DC=contoso,DC=com"),
            "corp.contoso.com/Staff/Sales"
        );
        assert_eq!(
            ou_path("CN=Smith\\, John,OU=Staff,DC=x,DC=com"),
            "x.com/Staff"
        );
        assert_eq!(ou_path("CN=a"), "");
    }

    #[test]
    fn sheets_split_past_the_row_limit() {
        assert_eq!(
            class_sheet_names(Class::Format, 2_100_000, EXCEL_DATA_ROWS),
            ["Format", "Format (2)", "Format (3)"]
        );
        assert_eq!(
            class_sheet_names(Class::LargeObject, 10, 5),
            ["Large object", "Large object (2)"]
        );
    }

    #[test]
    fn utc_date_has_the_iso_shape() {
        let now = utc_now();
        assert_eq!(now.len(), 19);
        assert!(now.starts_with("20"));
    }
}
