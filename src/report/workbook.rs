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
use rayon::iter::{IntoParallelIterator, ParallelIterator};
use rayon::slice::ParallelSliceMut;
use rust_xlsxwriter::{
    Chart, ChartType, ConditionalFormatCell, ConditionalFormatCellRule, ConditionalFormatFormula,
    DataValidation, Format, FormatAlign, FormatBorder, Table, TableColumn, TableStyle, Url,
    Workbook, Worksheet, XlsxError,
};
use rustc_hash::FxHashMap;
use std::io::{Seek, SeekFrom};
use std::path::{Path, PathBuf};

/// Data rows per sheet: Excel's 1,048,576 rows less the header.
pub const EXCEL_DATA_ROWS: usize = 1_048_575;

/// Sheet columns of every class sheet: the reviewer's first (what, where, the value, the
/// suggestion, the choice, why), the rest after. `Recommended` is what synclint recommends
/// (read only); `Action` is empty until a reviewer chooses one, and `fix` acts on nothing
/// else; `Update` holds the suggested value, so accepting it is one choice (EDIT). `fix` and
/// the tests find columns by header, never by position. Widths are the defaults; the columns
/// in [`FITTED`] are fitted to a sample of their content.
pub const COLUMNS: [(&str, f64); 15] = [
    ("Severity", 9.0),
    ("Object (DN)", 48.0),
    ("Attribute", 18.0),
    ("Value", 30.0),
    ("Suggested value", 30.0),
    ("Recommended", 22.0),
    ("Action", 10.0),
    ("Update", 30.0),
    ("Why", 70.0),
    ("Rule", 8.0),
    ("OU path", 30.0),
    ("Object class", 12.0),
    ("Group", 8.0),
    ("Conflicts with", 40.0),
    ("Source", 24.0),
];
const SEVERITY_COLUMN: u16 = 0;
const DN_COLUMN: u16 = 1;
const ACTION_COLUMN: u16 = 6;
const WHY_COLUMN: u16 = 8;
const GROUP_COLUMN: u16 = 12;
const CONFLICTS_COLUMN: u16 = 13;
/// The class sheets' columns whose long text wraps (within the column's width), so that
/// it shows whole on screen and in print rather than cut at the cell's edge.
const WRAPPED: [u8; 2] = [WHY_COLUMN as u8, CONFLICTS_COLUMN as u8];

/// The columns whose width follows their content: (column, narrowest, widest).
const FITTED: [(u16, f64, f64); 7] = [
    (1, 24.0, 80.0),
    (3, 12.0, 48.0),
    (4, 12.0, 40.0),
    (7, 12.0, 40.0),
    (10, 16.0, 48.0),
    (13, 16.0, 60.0),
    (14, 16.0, 48.0),
];

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
    section: Format,
    bold: Format,
    bold_top: Format,
    header: Format,
    link: Format,
    shaded: Format,
    number: Format,
    wrap: Format,
    /// Wrapped text, aligned as the cells beside it (the class sheets' [`WRAPPED`] columns).
    wrapped: Format,
    verdict_error: Format,
    verdict_warning: Format,
    verdict_info: Format,
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
            section: Format::new()
                .set_bold()
                .set_font_size(12)
                .set_font_color("1F4E79"),
            bold: Format::new().set_bold(),
            bold_top: Format::new().set_bold().set_align(FormatAlign::Top),
            wrap: Format::new().set_text_wrap().set_align(FormatAlign::Top),
            wrapped: Format::new().set_text_wrap(),
            verdict_error: Format::new()
                .set_bold()
                .set_background_color("FFC7CE")
                .set_font_color("9C0006"),
            verdict_warning: Format::new()
                .set_bold()
                .set_background_color("FFEB9C")
                .set_font_color("9C5700"),
            verdict_info: Format::new()
                .set_bold()
                .set_background_color("DDEBF7")
                .set_font_color("1F4E79"),
            header,
            link: Format::new()
                .set_font_color("0563C1")
                .set_underline(rust_xlsxwriter::FormatUnderline::Single),
            shaded: Format::new().set_background_color("DDEBF7"),
            // `_)` pads the number on the right by the width of ")": a count never sits
            // flush against the text in the next column.
            number: Format::new()
                .set_num_format("#,##0_)")
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
        let why_texts = why_texts(a, &tallies);
        let rows;
        (stats, rows) =
            build(a, &tallies, &ou_paths, &why_texts, &mut workbook, options).map_err(xlsx)?;
        context_sheet(&context_of(a, path, options), &mut workbook).map_err(xlsx)?;
        // rust_xlsxwriter writes the package with the class sheets' frames; their rows are
        // added while copying it to the output (see sheet_rows.rs for why).
        let mut skeleton = tempfile::tempfile_in(dir)?;
        workbook.save_to_writer(&mut skeleton).map_err(xlsx)?;
        skeleton.seek(SeekFrom::Start(0))?;
        sheet_rows::splice(
            skeleton,
            &rows,
            &labels(a, &tallies, &ou_paths, &why_texts),
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
    /// The rows (objects) of each rule's findings; [`Tallies::of`] leaves them empty and
    /// fills `objects_by_rule`.
    rows_by_rule: FxHashMap<&'static str, Vec<u32>>,
    /// Objects with findings per rule code (each object once).
    objects_by_rule: FxHashMap<&'static str, u64>,
    /// Findings per parent DN (a slice of the DN: no allocation per finding).
    by_parent: FxHashMap<&'a str, usize>,
    /// The notes borrowed from the rules' code (fixed texts), with the code of the rule that
    /// wrote them; a finding's own note is owned.
    notes: rustc_hash::FxHashSet<(&'static str, &'static str)>,
}

impl<'a> Tallies<'a> {
    fn of(a: &'a Analysis) -> Tallies<'a> {
        let dir = &a.ingest.directory;
        a.findings
            .par_iter()
            .fold(Tallies::default, |mut t, f| {
                *t.by_rule.entry(f.rule.code).or_default() += 1;
                t.rows_by_rule.entry(f.rule.code).or_default().push(f.row);
                let dn = dir.dn.get(f.row as usize).unwrap_or("");
                *t.by_parent.entry(parent_dn(dn)).or_default() += 1;
                if let Some(std::borrow::Cow::Borrowed(note)) = &f.note {
                    t.notes.insert((f.rule.code, *note));
                }
                t
            })
            .reduce(Tallies::default, |mut t, u| {
                for (k, v) in u.by_rule {
                    *t.by_rule.entry(k).or_default() += v;
                }
                for (k, v) in u.rows_by_rule {
                    t.rows_by_rule.entry(k).or_default().extend(v);
                }
                for (k, v) in u.by_parent {
                    *t.by_parent.entry(k).or_default() += v;
                }
                t.notes.extend(u.notes);
                t
            })
            .finish()
    }

    /// Counts each rule's objects from its rows, then drops the rows.
    fn finish(mut self) -> Tallies<'a> {
        let rows = std::mem::take(&mut self.rows_by_rule);
        self.objects_by_rule = rows
            .into_par_iter()
            .map(|(code, mut rows)| {
                rows.sort_unstable();
                rows.dedup();
                (code, rows.len() as u64)
            })
            .collect();
        self
    }
}

/// The labels the big sheets repeat row after row, for the shared-string table: rule codes
/// and explanations, severities, actions, attribute names, object classes, the fixed notes
/// (such as why a suffix is not routable) and the OU paths of the objects with findings.
fn labels(
    a: &Analysis,
    tallies: &Tallies,
    ou_paths: &OuPaths,
    why_texts: &WhyTexts,
) -> SharedStrings {
    let mut notes: Vec<&str> = tallies.notes.iter().map(|(_, note)| *note).collect();
    notes.sort_unstable();
    notes.dedup();
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
    let mut whys: Vec<&str> = why_texts.values().map(String::as_str).collect();
    whys.sort_unstable();
    SharedStrings::new(
        fixed
            .chain(whys)
            .map(std::borrow::Cow::Borrowed)
            .chain(notes)
            .chain(ous.into_iter().map(std::borrow::Cow::Borrowed)),
    )
}

fn build<'a>(
    a: &'a Analysis,
    tallies: &Tallies,
    ou_paths: &'a OuPaths<'a>,
    why_texts: &'a WhyTexts,
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
    how_to_sheet(workbook, &f)?;
    stats.sheets.push((HOW_TO_SHEET.into(), 0));
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
            let widths = fitted_widths(a, ou_paths, &rest);
            let sheet = class_sheet(workbook, name, *class, take, &widths, options, &f)?;
            // Worksheet parts are numbered in the order sheets were added.
            let part = format!("xl/worksheets/sheet{}.xml", stats.sheets.len() + 1);
            rows.push(class_rows(a, ou_paths, why_texts, part, rest));
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

/// Printed or exported to PDF, every sheet reads as a document: landscape, one page wide (as
/// many tall as the rows need), narrow margins, the header row repeated on every page (when
/// the sheet has one) and a footer with the sheet's name and "Page N of M".
fn print_setup(ws: &mut Worksheet, header_row: Option<u32>) -> Result<(), XlsxError> {
    ws.set_landscape();
    ws.set_print_fit_to_pages(1, 0);
    // Inches: 0.4 left and right, 0.5 top and bottom, header and footer 0.25 from the edge.
    ws.set_margins(0.4, 0.4, 0.5, 0.6, 0.25, 0.25);
    ws.set_footer("&L&A&RPage &P of &N");
    if let Some(row) = header_row {
        ws.set_repeat_rows(row, row)?;
    }
    Ok(())
}

/// A titled table: the title in the section style, then the header row; returns the row
/// after the header.
fn section(
    ws: &mut Worksheet,
    row: u32,
    title: &str,
    columns: &[&str],
    f: &Formats,
) -> Result<u32, XlsxError> {
    ws.write_string_with_format(row, 0, title, &f.section)?;
    header(ws, row + 1, columns, f)?;
    Ok(row + 2)
}

fn link_to(sheet: &str) -> Url {
    Url::new(format!("internal:'{}'!A1", sheet.replace('\'', "''")))
}

/// The Summary: the verdict first (objects that will fail, be degraded, carry advisories),
/// findings by severity, objects per class, the problems that fired sorted by the objects
/// they affect; then the run's facts and inputs, where the findings are, and charts. Printed,
/// one page wide and at most two tall.
fn summary_sheet(
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
            "{} objects analyzed from {} input{} on {} UTC, {} profile. Objects below count once however many findings they have.",
            crate::cli::thousands(analyzed as usize),
            a.ingest.files.len(),
            if a.ingest.files.len() == 1 { "" } else { "s" },
            utc_now(),
            format!("{:?}", a.options.profile).to_lowercase(),
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
    row = section(
        ws,
        row,
        "Verdict",
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
fn bar_chart(title: &str, first: u32, last: u32) -> Chart {
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
fn integer_axis(chart: &mut Chart, most: u64) {
    chart.x_axis().set_num_format("#,##0").set_min(0);
    if most <= 10 {
        chart.x_axis().set_major_unit(1);
    }
}

/// The name of the sheet that explains the workbook (after the Summary).
pub const HOW_TO_SHEET: &str = "How to use this workbook";

/// What each column of a class sheet holds, by header.
const COLUMN_HELP: [(&str, &str); 15] = [
    ("Severity", "error: the object fails to sync or the value is dropped; warning: it syncs, renamed or degraded; info: nothing breaks. Coloured: red, amber, blue."),
    ("Object (DN)", "The object's distinguishedName, as in the export. Stays in view when you scroll right."),
    ("Attribute", "The attribute the problem is in."),
    ("Value", "The value as exported (spaces and invisible characters kept)."),
    ("Suggested value", "A value that passes every rule and collides with no other value, when synclint can derive one; empty otherwise."),
    ("Recommended", "What synclint recommends for the row (advice only: fix never reads it)."),
    ("Action", "Yours to choose: EDIT, REMOVE, COMPLETE or IGNORE (list below). Empty: nothing changes. fix acts on this column only."),
    ("Update", "The value EDIT writes. Filled with the suggested value; type another to use that instead."),
    ("Why", "What is wrong, what Entra will do with this value, and the rule's code (synclint rules CODE explains it in full)."),
    ("Rule", "The rule's code, e.g. SL101."),
    ("OU path", "Where the object sits (domain/OU/OU): filter on it to work one OU at a time."),
    ("Object class", "user, group, contact, computer, inetOrgPerson."),
    ("Group", "Duplicate and Collision sheets: the rows of one group share the value; groups are shaded in turn."),
    ("Conflicts with", "The other holders of a duplicate value, or what the value collides with."),
    ("Source", "The export file and line of the object."),
];

/// Writes the sheet that explains the sheets, the columns, the actions, duplicate groups and
/// the steps from review to import.
fn how_to_sheet(workbook: &mut Workbook, f: &Formats) -> Result<(), XlsxError> {
    let ws = workbook.add_worksheet();
    ws.set_name(HOW_TO_SHEET)?;
    ws.set_column_width(0, 26)?;
    ws.set_column_width(1, 110)?;
    ws.write_string_with_format(0, 0, "How to use this workbook", &f.title)?;
    let mut row = 2u32;
    let mut section =
        |ws: &mut Worksheet, title: &str, lines: &[(&str, &str)]| -> Result<(), XlsxError> {
            ws.write_string_with_format(row, 0, title, &f.section)?;
            row += 1;
            for (topic, text) in lines {
                ws.write_string_with_format(row, 0, *topic, &f.bold_top)?;
                ws.write_string_with_format(row, 1, *text, &f.wrap)?;
                // Row heights are not computed on opening: a line per 100 characters.
                let lines = text.chars().count().div_ceil(100).max(1);
                ws.set_row_height(row, 15.0 * lines as f64)?;
                row += 1;
            }
            row += 1;
            Ok(())
        };
    section(ws, "The sheets", &[
        ("Summary", "The verdict (objects that will fail to sync, be degraded, carry advisories), findings by severity, objects per class, the problems found sorted by the objects they affect, then the run's inputs and charts."),
        ("Class sheets", "One per kind of problem that was found: Duplicate, Collision, Character, Format, Suffix, Length, Blank, Large object, Advisory. One row per problem; a sheet continues on \"<Class> (2)\" past Excel's 1,048,576 rows."),
        ("Changes", "Only with --baseline: the findings that are new or resolved since the previous run."),
        ("Domains", "Every domain in UPNs, mail, proxyAddresses and targetAddress: objects per attribute, whether it can be used in Entra (routable) and whether it is verified in the tenant (from --verified-domain)."),
        ("Out of scope", "Objects that synchronization would not export (by class, system objects, --include-ou), with the reason: not checked."),
        ("Input problems", "Records that could not be read, with file and line: they are not analyzed."),
        ("Analysis context", "Hidden: the options and inputs of the analysis, which fix reads. Do not edit."),
    ])?;
    section(ws, "The columns of a class sheet", &COLUMN_HELP)?;
    section(ws, "Actions (column Action), and what fix does", &[
        ("(empty)", "Nothing changes. A workbook nobody touched gives a change file without records."),
        ("EDIT", "Writes Update to the value: replace: for a single-valued attribute (add: when it was missing); for one proxyAddresses value, delete: the old and add: the new in one record. fix refuses a value that breaks a rule or collides."),
        ("REMOVE", "Deletes the value: one proxyAddresses value, or the attribute."),
        ("COMPLETE", "Nothing changes: the row is done (for example an advisory read and accepted)."),
        ("IGNORE", "Nothing changes: the row is left as it is on purpose."),
    ])?;
    section(ws, "Reviewing a duplicate group", &[
        ("The group", "On the Duplicate and Collision sheets the rows of one group (same Group number, shaded together) hold the same value, or values that become the same in Entra."),
        ("Keep one", "Decide which object keeps the value. On every other row of the group choose REMOVE, or EDIT with a new value in Update. Leave the keeper's Action empty."),
        ("Safety", "fix refuses choices that take the value from every holder (a lost address), and edits that collide with another value or another edit."),
    ])?;
    section(ws, "From review to import", &[
        ("1. Choose", "Set Action on the rows to change; save the workbook (keep it .xlsx)."),
        ("2. fix", "synclint fix review.xlsx -o changes.ldf --undo undo.ldf: it prints the changes, the users whose sign-in name changes, and the refused rows by reason (all in changes-refused.csv)."),
        ("3. Try a few", "First choose Action on a few rows only (filter one test OU), run fix, and import that file: ldifde -i -k -f changes.ldf -j . (-k goes on past errors, -j . writes ldif.log). Check those objects and their users' sign-in."),
        ("4. The rest", "Clear the Action of the rows already imported, set the rest, run fix again and import that file."),
        ("5. Undo", "Keep undo.ldf: ldifde -i -k -f undo.ldf puts every changed value back."),
        ("6. Check", "Export again and run synclint analyze … --baseline with the previous JSON: the Changes sheet lists what was resolved."),
    ])?;
    print_setup(ws, None)?;
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

/// What the Why column says for a finding.
enum Why<'a> {
    /// The rule's explanation, what Entra will do and the code ([`rule_why`]).
    Rule,
    /// The finding's own note, then what Entra will do and the code.
    Note(&'a str),
}

/// The Why texts that repeat, by rule code and fixed note ("" for the rule's own
/// explanation): made once, and shared strings in the sheets.
type WhyTexts = FxHashMap<(&'static str, &'static str), String>;

fn why_texts(a: &Analysis, tallies: &Tallies) -> WhyTexts {
    let mut texts: WhyTexts = RULES
        .iter()
        .map(|r| ((r.code, ""), format!("{} {}", r.why, entra_and_code(r))))
        .collect();
    for (code, note) in &tallies.notes {
        if let Some(rule) = RULES.iter().find(|r| r.code == *code) {
            let text = format!("{}. {}", a.shown_note(note), entra_and_code(rule));
            texts.insert((*code, *note), text);
        }
    }
    texts
}

fn rule_why<'a>(texts: &'a WhyTexts, rule: &'static crate::rules::Rule) -> &'a str {
    texts.get(&(rule.code, "")).map_or(rule.why, String::as_str)
}

/// The most bytes [`entra_and_code`] adds to a cell ("In Entra: ", ". [", the code, "]").
fn entra_and_code_bound(rule: &crate::rules::Rule) -> u64 {
    sheet_rows::cell_bound(rule.entra) + 16 + rule.code.len() as u64
}

/// "In Entra: … [SL101]".
fn entra_and_code(rule: &crate::rules::Rule) -> String {
    format!("In Entra: {}. [{}]", rule.entra, rule.code)
}

/// Column widths for a class sheet's findings: the fitted columns follow the longest text
/// in a sample of up to 2,000 rows spread over the sheet (characters, plus a margin).
fn fitted_widths(a: &Analysis, ou_paths: &OuPaths, findings: &[&Finding]) -> [f64; COLUMNS.len()] {
    let mut widths = COLUMNS.map(|c| c.1);
    let mut longest = [0usize; COLUMNS.len()];
    let dir = &a.ingest.directory;
    let step = (findings.len() / 2_000).max(1);
    for f in findings.iter().step_by(step) {
        let r = f.row as usize;
        let dn = dir.dn.get(r).unwrap_or("");
        let chars = |s: &str| s.chars().count();
        let ou = ou_paths
            .get(parent_dn(dn))
            .map_or_else(|| chars(&ou_path(dn)), |p| chars(p));
        let suggested = f.suggested.as_deref().map_or(0, chars);
        let conflicts = if f.group.is_some() {
            f.note.as_deref().map_or(0, chars)
        } else {
            0
        };
        let (file, _) = dir.source_location(r);
        for (col, n) in [
            (1, chars(dn)),
            (3, chars(&f.value)),
            (4, suggested),
            (7, suggested),
            (10, ou),
            (13, conflicts),
            (14, chars(file) + 7),
        ] {
            longest[col] = longest[col].max(n);
        }
    }
    for (col, narrowest, widest) in FITTED {
        let col = col as usize;
        widths[col] = (longest[col] as f64 + 2.0).clamp(narrowest, widest);
    }
    widths
}

/// The frame of a class sheet with `rows` findings: header, table or filter, Action
/// validation, shading, frozen header. The rows come from [`class_rows`].
#[allow(clippy::too_many_arguments)]
fn class_sheet(
    workbook: &mut Workbook,
    name: &str,
    class: Class,
    rows: usize,
    widths: &[f64; COLUMNS.len()],
    options: &WorkbookOptions,
    f: &Formats,
) -> Result<usize, XlsxError> {
    let ws = workbook.add_worksheet_with_constant_memory()?;
    ws.set_name(name)?;
    let last_col = COLUMNS.len() as u16 - 1;
    let last_row = rows as u32;
    for (i, width) in widths.iter().enumerate() {
        ws.set_column_width(i as u16, *width)?;
    }
    // A column format: its xf index in the sheet's `<col style>` is what the spliced cells
    // carry (sheet_rows.rs), and text a reviewer types there wraps too.
    for col in WRAPPED {
        ws.set_column_format(u16::from(col), &f.wrapped)?;
    }
    // The severity and the DN stay in view while the reviewer scrolls to Action and Why.
    ws.set_freeze_panes(1, DN_COLUMN + 1)?;
    print_setup(ws, Some(0))?;
    // Printed: the reviewer's columns, Severity to Why (the rest is in the sheet).
    ws.set_print_area(0, 0, last_row.max(1), WHY_COLUMN)?;
    let grouped = matches!(class, Class::Duplicate | Class::Collision);
    if rows <= options.table_rows {
        let columns: Vec<TableColumn> = COLUMNS
            .iter()
            .map(|(n, _)| {
                TableColumn::new()
                    .set_header(*n)
                    .set_header_format(&f.header)
            })
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

    // Severity in colour: one conditional format per severity over the column (no format
    // per cell, so nothing per row at a million rows).
    for (severity, format) in [
        ("error", &f.verdict_error),
        ("warning", &f.verdict_warning),
        ("info", &f.verdict_info),
    ] {
        let colour = ConditionalFormatCell::new()
            .set_rule(ConditionalFormatCellRule::EqualTo(format!(
                "\"{severity}\""
            )))
            .set_format(format);
        ws.add_conditional_format(
            1,
            SEVERITY_COLUMN,
            last_row.max(1),
            SEVERITY_COLUMN,
            &colour,
        )?;
    }
    // Shading without per-cell formats: group sheets alternate by group id, large sheets
    // without a table alternate by row.
    let banded_by_hand = rows > options.table_rows;
    if grouped || banded_by_hand {
        let group_column = (b'A' + GROUP_COLUMN as u8) as char;
        let rule = if grouped {
            format!("=MOD(VALUE(${group_column}2),2)=1")
        } else {
            "=MOD(ROW(),2)=0".to_string()
        };
        let shading = ConditionalFormatFormula::new()
            .set_rule(rule.as_str())
            .set_format(&f.shaded);
        ws.add_conditional_format(1, 0, last_row.max(1), last_col, &shading)?;
    }
    Ok(rows)
}

/// The rows of a class sheet: one finding each, the 15 [`COLUMNS`]; Action is left empty.
fn class_rows<'a>(
    a: &'a Analysis,
    ou_paths: &'a OuPaths<'a>,
    why_texts: &'a WhyTexts,
    part: String,
    findings: Vec<&'a Finding>,
) -> SheetRows<'a> {
    let dir = &a.ingest.directory;
    // The bound that decides Zip64 (package.rs): every cell as `fill` writes it. The OU path
    // is no longer than the DN and has no more bytes to escape; redaction keeps lengths or
    // shortens them. Measured on 901,531 findings: 1.4 GB bound, 0.3 GB of XML.
    // The cells whose text is the rule's (severity, recommendation, Why, Rule), bounded once
    // per rule rather than scanned per row.
    let recommendation = RECOMMENDATIONS
        .iter()
        .map(|r| sheet_rows::cell_bound(r))
        .max()
        .unwrap_or(0);
    let rule_bound = |rule: &'static crate::rules::Rule| {
        sheet_rows::cell_bound(rule.severity.name())
            + recommendation
            + sheet_rows::cell_bound(rule_why(why_texts, rule))
            + entra_and_code_bound(rule)
            + sheet_rows::cell_bound(rule.code)
    };
    let by_rule: FxHashMap<&str, u64> = RULES.iter().map(|r| (r.code, rule_bound(r))).collect();
    let size_bound = sheet_rows::sheet_bound(&findings, |f, cell_bound| {
        let r = f.row as usize;
        let suggested = f.suggested.as_deref().map_or(0, cell_bound);
        let note = f.note.as_deref().map_or(0, cell_bound);
        let fixed = by_rule
            .get(f.rule.code)
            .copied()
            .unwrap_or_else(|| rule_bound(f.rule));
        sheet_rows::ROW_XML
            + 2 * cell_bound(dir.dn.get(r).unwrap_or(""))
            + cell_bound(dir.object_class.get(r).unwrap_or(""))
            + cell_bound(f.attribute.ldap_name())
            + cell_bound(&f.value)
            + 2 * suggested
            + (71 + 10) // group number
            + note
            + fixed
            + cell_bound(dir.source_location(r).0)
            + 21
    });
    let rows = findings.len();
    let fill = move |i: usize, w: &mut RowWriter| {
        let finding = findings[i];
        let r = finding.row as usize;
        let real_dn = dir.dn.get(r).unwrap_or("");
        let note = finding.note.as_deref().map(|n| a.shown_note(n));
        let (conflicts, why) = match (finding.group, note.as_deref()) {
            (Some(_), Some(note)) => (note, Why::Rule),
            (_, Some(note)) => ("", Why::Note(note)),
            _ => ("", Why::Rule),
        };
        let suggested = a.shown_value(
            finding.attribute.ldap_name(),
            finding.suggested.as_deref().unwrap_or(""),
        );
        let mut group = itoa::Buffer::new();
        let group = finding.group.map_or("", |g| group.format(g));
        w.label(0, finding.rule.severity.name());
        w.cell(1, &a.shown_dn(real_dn));
        w.label(2, finding.attribute.ldap_name());
        w.cell(
            3,
            &a.shown_value(finding.attribute.ldap_name(), &finding.value),
        );
        w.cell(4, &suggested);
        w.label(5, finding.recommendation());
        // Column 6, Action, is the reviewer's: empty.
        w.cell(7, &suggested);
        // Why: the rule's text (a shared label), or this finding's note followed by what
        // Entra will do and the rule's code.
        match (why, &finding.note) {
            (Why::Rule, _) => w.label(8, rule_why(why_texts, finding.rule)),
            // A fixed note: its text is made once (and shared).
            (Why::Note(note), Some(std::borrow::Cow::Borrowed(fixed))) => {
                match why_texts.get(&(finding.rule.code, *fixed)) {
                    Some(text) => w.label(8, text),
                    None => w.cell(8, &format!("{note}. {}", entra_and_code(finding.rule))),
                }
            }
            (Why::Note(note), _) => w.cell(8, &format!("{note}. {}", entra_and_code(finding.rule))),
        }
        w.label(9, finding.rule.code);
        match ou_paths.get(parent_dn(real_dn)) {
            Some(path) => w.label(10, path),
            None => w.label(10, &ou_path(real_dn)),
        }
        w.label(11, dir.object_class.get(r).unwrap_or(""));
        w.cell(12, group);
        w.cell(13, conflicts);
        let (file, line) = dir.source_location(r);
        w.location(14, file, line);
    };
    SheetRows {
        part,
        rows,
        fill: Box::new(fill),
        size_bound,
        wrapped: &WRAPPED,
    }
}

fn changes_sheet(
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
    print_setup(ws, Some(0))?;
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
    // Domain, routable reason and verified state in full: widths from the longest text.
    let longest_domain = domains
        .iter()
        .map(|(d, _)| d.chars().count())
        .max()
        .unwrap_or(0);
    let longest_reason = domains
        .iter()
        .map(|(d, _)| routable_text(d).chars().count())
        .max()
        .unwrap_or(0);
    for (i, w) in [
        (longest_domain as f64 + 2.0).clamp(20.0, 60.0),
        19.0,
        12.0,
        16.0,
        15.0,
        (longest_reason as f64 + 2.0).clamp(12.0, 100.0),
        38.0,
        28.0,
    ]
    .iter()
    .enumerate()
    {
        ws.set_column_width(i as u16, *w)?;
    }
    ws.set_freeze_panes(1, 0)?;
    let columns: Vec<TableColumn> = cols
        .iter()
        .map(|n| {
            TableColumn::new()
                .set_header(*n)
                .set_header_format(&f.header)
        })
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
        let routable = routable_text(domain);
        let verified = match &a.options.verified_domains {
            Some(v) if v.contains(domain) => "yes",
            Some(_) => "no: not among --verified-domain",
            None => "not checked: pass --verified-domain",
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

/// Whether a domain can be used in Entra, with the reason when not.
fn routable_text(domain: &str) -> String {
    match suffix_status(domain) {
        SuffixStatus::Routable => "yes".to_string(),
        SuffixStatus::SpecialUse(reason) => format!("no: {reason}"),
        SuffixStatus::NotDelegated => "no: not a delegated top-level domain".to_string(),
        SuffixStatus::Invalid => "no: not a valid domain".to_string(),
    }
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
            + cell_bound(dir.source_location(r).0)
            + 21
    });
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
        wrapped: &[],
    })
}

fn input_problems_sheet(
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
