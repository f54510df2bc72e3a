//! The Excel workbook: the consultant's hand-off (issue 4).
//!
//! Sheets, in order: Summary (`summary.rs`), How to use this workbook (`how_to.rs`), Changes
//! with `--baseline`, one sheet per issue class that has findings (`class_sheet.rs`, continued
//! on `<Class> (2)` … past Excel's 1,048,576 rows), Domains (`domains.rs`), Out of scope and
//! Input problems (`other_sheets.rs`), and the hidden analysis context `fix` reads. This file
//! plans the sheets and writes the package: rust_xlsxwriter builds every sheet and the big
//! sheets' frames (header, table or filter, validation, shading); the big sheets' rows are
//! rendered in parallel and spliced into its package by `sheet_rows`, the only place that
//! knows rust_xlsxwriter's XML (5.0 s of 901,531 rows through rust_xlsxwriter, 0.64 s there).
//! Every value is written as a string cell: nothing a directory holds can become a formula.

mod class_sheet;
mod domains;
mod engine_sheet;
mod formats;
mod how_to;
mod other_sheets;
mod readiness;
mod summary;
mod tenant_sheet;

pub use how_to::HOW_TO_SHEET;
pub use tenant_sheet::TENANT_SHEET;

use super::sheet_rows::{self, SharedStrings, SheetRows};
use crate::analyze::Analysis;
use crate::context::{file_name, AnalysisContext};
use crate::directory::{Attr, ObjectKind};
use crate::dn::{canonical_name as ou_path_of_parent, parent as parent_dn};
use crate::error::Error;
use crate::findings::{Action, Class, Finding, Severity, RECOMMENDATIONS};
use crate::output::write_file_atomically;
use crate::rules::registry::RULES;
use class_sheet::{class_rows, class_sheet, fitted_widths, why_texts, RowCells, WhyTexts};
use domains::domains_sheet;
use formats::Formats;
use how_to::how_to_sheet;
use other_sheets::{changes_sheet, context_sheet, input_problems_sheet, out_of_scope_sheet};
use rayon::iter::ParallelIterator;
use rayon::slice::ParallelSliceMut;
use rust_xlsxwriter::{Workbook, XlsxError};
use rustc_hash::FxHashMap;
use std::io::{Seek, SeekFrom};
use std::path::{Path, PathBuf};
use summary::summary_sheet;

/// Data rows per sheet: Excel's 1,048,576 rows less the header.
pub const EXCEL_DATA_ROWS: usize = 1_048_575;

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

/// Where objects were read, as the sheets show it: the export's file name and the line.
/// The folders are left out (the Summary names every input with its path) unless another
/// input has the same file name. A scheduled job gives absolute paths, and the same path on
/// each of a million rows made Source the widest column: naming the file took 67 MB off the
/// 1M field shape's 1,277 MB of sheet XML (with the benchmarks' absolute path). Worked out
/// once per input: working it out per row was 0.34 core-seconds on 2.2 million findings.
pub(super) struct SourceNames<'a>(Vec<&'a str>);

impl<'a> SourceNames<'a> {
    pub(super) fn of(dir: &'a crate::directory::Directory) -> SourceNames<'a> {
        SourceNames(shown_names(&dir.sources))
    }

    /// The file (as shown) and line of the object of `row`.
    pub(super) fn location(&self, dir: &crate::directory::Directory, row: usize) -> (&'a str, u64) {
        let source = dir.source[row];
        let file = self.0.get(source.file as usize).copied().unwrap_or("");
        (file, source.line)
    }
}

/// Each path's file name, or the whole path where two paths have the same file name.
fn shown_names(paths: &[String]) -> Vec<&str> {
    paths
        .iter()
        .map(|path| {
            let name = file_name(path);
            let shared = paths.iter().filter(|p| file_name(p) == name).count() > 1;
            if shared {
                path.as_str()
            } else {
                name
            }
        })
        .collect()
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
        let parents = Parents::of(&a.ingest.directory);
        let tallies = Tallies::of(a, &parents);
        // Each OU path once, by parent DN: rows look theirs up instead of building it.
        let ou_paths: OuPaths = tallies
            .by_parent
            .keys()
            .map(|parent| (*parent, ou_path_of_parent(parent)))
            .collect();
        let why_texts = why_texts(a, &tallies);
        let group_notes = group_notes(a);
        let labels = labels(a, &tallies, &ou_paths, &why_texts, &group_notes);
        // The labels each class sheet row refers to, looked up once.
        let cells = RowCells::new(&labels, &ou_paths, &parents, &why_texts, &group_notes);
        let rows;
        (stats, rows) =
            build(a, &tallies, &ou_paths, &cells, &mut workbook, options).map_err(xlsx)?;
        context_sheet(&context_of(a, path, options), &mut workbook).map_err(xlsx)?;
        // rust_xlsxwriter writes the package with the class sheets' frames; their rows are
        // added while copying it to the output (see sheet_rows.rs for why).
        let mut skeleton = tempfile::tempfile_in(dir)?;
        workbook.save_to_writer(&mut skeleton).map_err(xlsx)?;
        skeleton.seek(SeekFrom::Start(0))?;
        sheet_rows::splice(skeleton, &rows, &labels, file, options.progress.as_deref())
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

/// The OU path of each parent DN that holds objects with findings.
type OuPaths<'a> = FxHashMap<&'a str, String>;

/// Every row's parent DN as a number, and the parent DNs by number: the tallies count
/// findings by it and the rows find their OU path by it. Taking the parent of each finding's
/// DN and hashing its text, as both did, read the DN of every finding: the duplicate groups'
/// findings come at random rows, and at the 1M field shape (2.2 million findings) the
/// tallies alone were 3.4 % of a full run's cycles, most of it waiting on those DNs.
struct Parents<'a> {
    of_row: Vec<u32>,
    dns: Vec<&'a str>,
}

impl<'a> Parents<'a> {
    /// Parents are told apart by their exact text, as the tallies keyed them before.
    fn of(dir: &'a crate::directory::Directory) -> Parents<'a> {
        let (of_row, dns) = crate::directory::number_dn_parts(
            dir,
            parent_dn,
            |dn| std::hash::BuildHasher::hash_one(&rustc_hash::FxBuildHasher, dn),
            |a, b| a == b,
            true,
        );
        Parents { of_row, dns }
    }

    /// The number of the parent of `row`.
    fn of_row(&self, row: u32) -> u32 {
        self.of_row.get(row as usize).copied().unwrap_or(u32::MAX)
    }

    /// The DN of parent number `id`.
    fn dn(&self, id: u32) -> &'a str {
        self.dns.get(id as usize).copied().unwrap_or("")
    }
}

/// Counts over every finding that the Summary and the shared-string table need, taken in one
/// parallel pass.
#[derive(Default)]
struct Tallies<'a> {
    /// Findings per rule code.
    by_rule: FxHashMap<&'static str, usize>,
    /// Objects with findings per rule code (each object once).
    objects_by_rule: FxHashMap<&'static str, u64>,
    /// Findings per parent DN (a slice of the DN: no allocation per finding).
    by_parent: FxHashMap<&'a str, usize>,
    /// The notes borrowed from the rules' code (fixed texts), with the code of the rule that
    /// wrote them; a finding's own note is owned.
    notes: rustc_hash::FxHashSet<(&'static str, &'static str)>,
}

/// [`Tallies`] while counting, keyed by address.
#[derive(Default)]
struct Counted {
    by_rule: FxHashMap<usize, (&'static crate::rules::Rule, usize)>,
    /// By parent number ([`Parents`]).
    by_parent: FxHashMap<u32, usize>,
    notes: FxHashMap<(usize, usize, usize), (&'static str, &'static str)>,
}

/// A rule's address: rules are statics, one per code.
fn rule_key(rule: &'static crate::rules::Rule) -> usize {
    rule as *const crate::rules::Rule as usize
}

impl<'a> Tallies<'a> {
    fn of(a: &'a Analysis, parents: &Parents<'a>) -> Tallies<'a> {
        // An object's findings, and the objects of an OU, mostly follow each other: each
        // fold counts a run of findings under the same parent before it looks the parent up
        // (one lookup per run rather than per finding).
        // Rules and fixed notes are counted by address (one multiply to hash) rather than by
        // text (a 100-byte note hashed and compared per finding), then keyed by text once.
        let counted = a
            .findings
            .par_iter()
            .fold(
                || (Counted::default(), u32::MAX, 0),
                |(mut t, mut parent, mut run), f| {
                    t.by_rule.entry(rule_key(f.rule)).or_insert((f.rule, 0)).1 += 1;
                    let this = parents.of_row(f.row);
                    if this != parent {
                        if run > 0 {
                            *t.by_parent.entry(parent).or_default() += run;
                        }
                        (parent, run) = (this, 0);
                    }
                    run += 1;
                    if let Some(note) = f.fixed_note() {
                        let key = (rule_key(f.rule), note.as_ptr() as usize, note.len());
                        t.notes.entry(key).or_insert((f.rule.code, note));
                    }
                    (t, parent, run)
                },
            )
            .map(|(mut t, parent, run)| {
                if run > 0 {
                    *t.by_parent.entry(parent).or_default() += run;
                }
                t
            })
            .reduce(Counted::default, |mut t, u| {
                for (k, (rule, v)) in u.by_rule {
                    t.by_rule.entry(k).or_insert((rule, 0)).1 += v;
                }
                for (k, v) in u.by_parent {
                    *t.by_parent.entry(k).or_default() += v;
                }
                t.notes.extend(u.notes);
                t
            });
        let mut tallies = Tallies {
            by_parent: counted
                .by_parent
                .into_iter()
                .map(|(id, n)| (parents.dn(id), n))
                .collect(),
            notes: counted.notes.into_values().collect(),
            ..Tallies::default()
        };
        for (rule, n) in counted.by_rule.into_values() {
            *tallies.by_rule.entry(rule.code).or_default() += n;
        }
        tallies.with_objects(a)
    }

    /// Counts each rule's objects (each object once however many findings it has there): a
    /// bit per object for each rule that fired, set in parallel, then counted. Collecting
    /// each rule's rows and sorting them took 4 MB and a sort of a million rows.
    fn with_objects(mut self, a: &Analysis) -> Tallies<'a> {
        use std::sync::atomic::{AtomicU64, Ordering};
        let words = a.ingest.directory.len().div_ceil(64);
        let slots: FxHashMap<&'static str, usize> = self
            .by_rule
            .keys()
            .enumerate()
            .map(|(slot, code)| (*code, slot * words))
            .collect();
        let bits: Vec<AtomicU64> = (0..slots.len() * words)
            .map(|_| AtomicU64::new(0))
            .collect();
        // By the rule's address: hashing its code per finding took a tenth of this pass.
        let by_address: FxHashMap<usize, usize> = RULES
            .iter()
            .filter_map(|rule| Some((rule_key(rule), *slots.get(rule.code)?)))
            .collect();
        a.findings.par_iter().for_each(|f| {
            let slot = by_address
                .get(&rule_key(f.rule))
                .or_else(|| slots.get(f.rule.code));
            if let Some(slot) = slot {
                let row = f.row as usize;
                if let Some(word) = bits.get(slot + row / 64) {
                    word.fetch_or(1 << (row % 64), Ordering::Relaxed);
                }
            }
        });
        self.objects_by_rule = slots
            .into_iter()
            .map(|(code, slot)| {
                let objects = bits[slot..slot + words]
                    .iter()
                    .map(|w| u64::from(w.load(Ordering::Relaxed).count_ones()))
                    .sum();
                (code, objects)
            })
            .collect();
        self
    }
}

/// By group number less one: the note most findings of a big group show as they are shown
/// ([`crate::findings::FindingList::shares_note`]), written once in the shared-string table.
/// On the 1M field shape, 590,000 rows of the Duplicate sheet each spelled out ten DNs
/// (about 1 kB a row, half of the workbook's XML).
type GroupNotes = Vec<Option<String>>;

fn group_notes(a: &Analysis) -> GroupNotes {
    use rayon::prelude::*;
    let dir = &a.ingest.directory;
    let ids: Vec<u32> = a.findings.group_ids().collect();
    ids.into_par_iter()
        .map(|id| {
            let note = a.findings.shared_note(dir, id)?;
            Some(a.shown_note(&note).into_owned())
        })
        .collect()
}

/// The labels the big sheets repeat row after row, for the shared-string table: rule codes
/// and explanations, severities, actions, attribute names, object classes, the fixed notes
/// (such as why a suffix is not routable), the OU paths of the objects with findings and the
/// notes that big groups share.
fn labels(
    a: &Analysis,
    tallies: &Tallies,
    ou_paths: &OuPaths,
    why_texts: &WhyTexts,
    group_notes: &GroupNotes,
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
        .chain(class_sheet::OBJECT_KINDS.map(ObjectKind::name));
    let notes = notes.into_iter().map(|n| a.shown_note(n));
    let mut whys: Vec<&str> = why_texts.values().map(String::as_str).collect();
    whys.sort_unstable();
    SharedStrings::new(
        fixed
            .chain(whys)
            .map(std::borrow::Cow::Borrowed)
            .chain(notes)
            .chain(ous.into_iter().map(std::borrow::Cow::Borrowed))
            .chain(
                group_notes
                    .iter()
                    .flatten()
                    .map(|n| std::borrow::Cow::Borrowed(n.as_str())),
            ),
    )
}

fn build<'a>(
    a: &'a Analysis,
    tallies: &Tallies,
    ou_paths: &'a OuPaths<'a>,
    cells: &'a RowCells<'a>,
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
            findings.par_sort_by_key(|f| (f.group().unwrap_or(u32::MAX), f.row));
        }
        let mut rest = findings;
        for (i, name) in names.iter().enumerate() {
            let take = (*n - i * options.rows_per_sheet).min(options.rows_per_sheet);
            let tail = rest.split_off(take);
            let widths = fitted_widths(a, ou_paths, &rest);
            let sheet = class_sheet(workbook, name, *class, take, &widths, options, &f)?;
            // Worksheet parts are numbered in the order sheets were added.
            let part = format!("xl/worksheets/sheet{}.xml", stats.sheets.len() + 1);
            let mut sheet_rows = class_rows(a, cells, part, rest);
            // The frame's table (class_sheet) covers the header and one row.
            sheet_rows.table = take <= options.table_rows;
            rows.push(sheet_rows);
            rest = tail;
            stats.sheets.push((name.clone(), sheet));
        }
    }
    if let Some(n) = tenant_sheet::tenant_sheet(a, workbook, &f)? {
        stats.sheets.push((TENANT_SHEET.into(), n));
    }
    if let Some(diff) = &a.engine_diff {
        stats.sheets.push((
            engine_sheet::SHEET.into(),
            engine_sheet::engine_sheet(a, diff, workbook, &f)?,
        ));
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

/// Counts by key, per column `0..N`. Keys mostly come in runs (an object's UPN, mail and
/// addresses share a domain, neighbouring objects too): a run is counted apart and added to
/// the map when the key changes, one hash lookup per run instead of per value.
pub(super) struct Counts<'a, const N: usize> {
    map: FxHashMap<&'a str, [u64; N]>,
    run: (&'a str, [u64; N]),
}

impl<'a, const N: usize> Counts<'a, N> {
    fn new() -> Counts<'a, N> {
        Counts {
            map: FxHashMap::default(),
            run: ("", [0; N]),
        }
    }

    /// Counts `key` once in column `i`.
    pub(super) fn add(&mut self, key: &'a str, i: usize) {
        if key != self.run.0 {
            self.flush();
            self.run.0 = key;
        }
        self.run.1[i] += 1;
    }

    fn flush(&mut self) {
        if self.run.1 != [0; N] {
            let total = self.map.entry(self.run.0).or_insert([0; N]);
            for (t, c) in total.iter_mut().zip(self.run.1) {
                *t += c;
            }
            self.run.1 = [0; N];
        }
    }

    fn into_map(mut self) -> FxHashMap<&'a str, [u64; N]> {
        self.flush();
        self.map
    }
}

/// Counts over every row in parallel chunks with `count(row, counts)`, then merges the maps.
fn count_in_parallel<'a, const N: usize>(
    rows: usize,
    count: impl Fn(usize, &mut Counts<'a, N>) + Sync,
) -> FxHashMap<&'a str, [u64; N]> {
    use rayon::prelude::*;
    (0..rows)
        .into_par_iter()
        .fold(Counts::new, |mut counts, row| {
            count(row, &mut counts);
            counts
        })
        .map(Counts::into_map)
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn source_names_drop_folders_unless_two_inputs_share_a_name() {
        let paths = |list: &[&str]| list.iter().map(|p| p.to_string()).collect::<Vec<_>>();
        let given = paths(&[
            r"C:\exports\contoso.csv",
            "/srv/exports/fabrikam.ldf",
            r"\\server\share\tailspin.csv",
            "plain.csv",
        ]);
        assert_eq!(
            shown_names(&given),
            ["contoso.csv", "fabrikam.ldf", "tailspin.csv", "plain.csv"]
        );
        let shared = paths(&["north/export.ldf", r"south\export.ldf", "other.ldf"]);
        assert_eq!(
            shown_names(&shared),
            ["north/export.ldf", r"south\export.ldf", "other.ldf"]
        );
    }

    /// Rows far apart get one number for one parent; an escaped comma is part of the name,
    /// not the parent.
    #[test]
    fn parents_are_numbered_once_across_parts() {
        let mut dir = crate::directory::Directory::default();
        let sales = "OU=Sales,DC=x,DC=com";
        let escaped = "OU=R\\, D,DC=x,DC=com";
        for row in 0..150_000 {
            let dn = match row % 3 {
                0 => format!("CN=U{row},{sales}"),
                1 => format!("CN=Smith\\, J{row},{escaped}"),
                _ => format!("CN=C{row},OU=Part{},DC=x,DC=com", row / 65_536),
            };
            dir.dn.push(Some(&dn));
        }
        let parents = Parents::of(&dir);
        assert_eq!(parents.of_row.len(), 150_000);
        for row in [0u32, 3, 65_535, 65_536, 65_538, 149_997] {
            let id = parents.of_row(row);
            assert_eq!(
                parents.dn(id),
                crate::dn::parent(dir.dn.get(row as usize).unwrap())
            );
        }
        assert_eq!(parents.dn(parents.of_row(0)), sales);
        assert_eq!(parents.of_row(0), parents.of_row(149_997));
        assert_eq!(parents.dn(parents.of_row(1)), escaped);
        assert_eq!(parents.of_row(1), parents.of_row(131_071));
        // Sales, the escaped OU and Part0, Part1, Part2: each DN once.
        assert_eq!(parents.dns.len(), 5);
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
}
