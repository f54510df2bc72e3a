//! The class sheets: one per issue class that has findings, a row per finding in the
//! [`Column::CLASS_SHEET`] columns. rust_xlsxwriter writes each sheet's frame (header, table or
//! filter, Action validation, severity colours, shading, panes, print setup); the rows are
//! rendered by [`class_rows`] and spliced in by `sheet_rows`.

use super::formats::{header, print_setup, table_columns, Formats};
use super::{parent_dn, OuPaths, Parents, Tallies, WorkbookOptions, ACTIONS};
use crate::analyze::Analysis;
use crate::directory::{Attr, ObjectKind};
use crate::dn::ou_path;
use crate::findings::{Class, Finding, RECOMMENDATIONS};
use crate::report::schema::{Column, Width};
use crate::report::sheet_rows::{self, Label, RowWriter, SharedStrings, SheetRows};
use crate::rules::registry::RULES;
use crate::view::Views;
use rust_xlsxwriter::{
    ConditionalFormatCell, ConditionalFormatCellRule, ConditionalFormatFormula, DataValidation,
    Table, TableStyle, Workbook, XlsxError,
};
use rustc_hash::FxHashMap;

/// The number of columns of a class sheet.
const COLUMNS: usize = Column::CLASS_SHEET.len();

/// The class sheets' columns whose long text wraps: the frame gives each a wrapping column
/// format, and `sheet_rows` puts its style on every cell and fits the rows' heights.
const WRAPPED: [u8; 2] = [Column::Why.at() as u8, Column::ConflictsWith.at() as u8];

/// The kinds of object whose class name is a shared label.
pub(super) const OBJECT_KINDS: [ObjectKind; 5] = [
    ObjectKind::User,
    ObjectKind::InetOrgPerson,
    ObjectKind::Computer,
    ObjectKind::Group,
    ObjectKind::Contact,
];

/// The position of a class-sheet column, as the row writer takes it.
const fn col(column: Column) -> u8 {
    column.at() as u8
}

/// The headers of a class sheet, in order.
pub fn headers() -> [&'static str; COLUMNS] {
    Column::CLASS_SHEET.map(Column::header)
}

/// The Why texts that repeat, by rule code and fixed note ("" for the rule's own
/// explanation): made once, and shared strings in the sheets.
pub(super) type WhyTexts = FxHashMap<(&'static str, &'static str), String>;

pub(super) fn why_texts(a: &Analysis, tallies: &Tallies) -> WhyTexts {
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

pub(super) fn rule_why<'a>(texts: &'a WhyTexts, rule: &'static crate::rules::Rule) -> &'a str {
    texts.get(&(rule.code, "")).map_or(rule.why, String::as_str)
}

/// The most bytes [`entra_and_code`] adds to a cell ("In Entra: ", ". [", the code, "]").
pub(super) fn entra_and_code_bound(rule: &crate::rules::Rule) -> u64 {
    sheet_rows::cell_bound(rule.entra) + 16 + rule.code.len() as u64
}

/// "In Entra: … [SL101]".
pub(super) fn entra_and_code(rule: &crate::rules::Rule) -> String {
    format!("In Entra: {}. [{}]", rule.entra, rule.code)
}

/// Column widths for a class sheet's findings: the fitted columns follow the longest text
/// in a sample of up to 2,000 rows spread over the sheet (characters, plus a margin).
pub(super) fn fitted_widths(
    a: &Analysis,
    ou_paths: &OuPaths,
    findings: &[&Finding],
) -> [f64; COLUMNS] {
    let mut widths = [0.0; COLUMNS];
    let mut longest = [0usize; COLUMNS];
    let dir = &a.ingest.directory;
    let sources = super::SourceNames::of(dir);
    let step = (findings.len() / 2_000).max(1);
    for f in findings.iter().step_by(step) {
        let r = f.row as usize;
        let dn = dir.dn.get(r).unwrap_or("");
        let chars = |s: &str| s.chars().count();
        let ou = ou_paths
            .get(parent_dn(dn))
            .map_or_else(|| chars(&ou_path(dn)), |p| chars(p));
        let suggested = f.suggested().map_or(0, chars);
        let conflicts = if f.group().is_some() {
            chars(&a.findings.note(dir, f))
        } else {
            0
        };
        let (file, _) = sources.location(dir, r);
        for (col, n) in [
            (col(Column::Dn), chars(dn)),
            (col(Column::Value), chars(f.value(dir))),
            (col(Column::Suggested), suggested),
            (col(Column::Update), suggested),
            (col(Column::OuPath), ou),
            (col(Column::ConflictsWith), conflicts),
            (col(Column::Source), chars(file) + 7),
        ] {
            longest[usize::from(col)] = longest[usize::from(col)].max(n);
        }
    }
    for (col, column) in Column::CLASS_SHEET.iter().enumerate() {
        widths[col] = match column.width() {
            Width::Fixed(width) => width,
            // Never narrower than the header (it does not wrap): a column without values,
            // such as Suggested value on the Readiness sheet, still shows its name.
            Width::Fitted { narrowest, widest } => {
                let header = column.header().chars().count();
                (longest[col].max(header) as f64 + 2.0).clamp(narrowest, widest)
            }
        };
    }
    widths
}

/// The frame of a class sheet with `rows` findings: header, table or filter, Action
/// validation, shading, frozen header. The rows come from [`class_rows`].
#[allow(clippy::too_many_arguments)]
pub(super) fn class_sheet(
    workbook: &mut Workbook,
    name: &str,
    class: Class,
    rows: usize,
    widths: &[f64; COLUMNS],
    options: &WorkbookOptions,
    f: &Formats,
) -> Result<usize, XlsxError> {
    let ws = workbook.add_worksheet_with_constant_memory()?;
    ws.set_name(name)?;
    let last_col = COLUMNS as u16 - 1;
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
    ws.set_freeze_panes(1, Column::Dn.at() + 1)?;
    print_setup(ws, Some(0))?;
    // Printed: the reviewer's columns, Severity to Why (the rest is in the sheet).
    ws.set_print_area(0, 0, last_row.max(1), Column::Why.at())?;
    let grouped = matches!(class, Class::Duplicate | Class::Collision);
    if rows <= options.table_rows {
        let columns = table_columns(&headers(), f);
        // Grouped sheets shade by group instead of by row.
        let table = Table::new()
            .set_columns(&columns)
            .set_style(TableStyle::Medium2)
            .set_banded_rows(!grouped);
        // Over the header and one row: `sheet_rows::splice` stretches it to the last row
        // (see `SheetRows::table`).
        ws.add_table(0, 0, 1, last_col, &table)?;
    } else {
        header(ws, 0, &headers(), f)?;
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
        Column::Action.at(),
        last_row.max(1),
        Column::Action.at(),
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
            Column::Severity.at(),
            last_row.max(1),
            Column::Severity.at(),
            &colour,
        )?;
    }
    // Shading without per-cell formats: group sheets alternate by group id, large sheets
    // without a table alternate by row.
    let banded_by_hand = rows > options.table_rows;
    if grouped || banded_by_hand {
        let group_column = (b'A' + Column::Group.at() as u8) as char;
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

/// What the rows of the class sheets write from the rules and the tables made before the
/// rows: the shared labels, looked up once (a row then writes an index, without hashing a
/// 200-byte "Why" text per row), and each rule's "In Entra …" ending.
pub(super) struct RowCells<'a> {
    rules: FxHashMap<&'static str, RuleCells<'a>>,
    recommendations: [Label<'static>; RECOMMENDATIONS.len()],
    /// By parent number ([`Parents`]): its OU path's place in `ou_labels` (`u32::MAX`: none).
    ou_of_parent: Vec<u32>,
    parents: &'a Parents<'a>,
    ou_labels: Vec<Label<'a>>,
    /// By [`Attr`] (its place in [`Attr::ALL`]).
    attributes: Vec<Label<'static>>,
    /// The object classes of [`ObjectKind`]s, compared before hashing the text.
    object_classes: Vec<Label<'static>>,
    /// By rule code and fixed note.
    fixed_whys: FxHashMap<(&'static str, &'static str), Label<'a>>,
    /// By group number less one: the note its findings share, if it has one.
    group_notes: Vec<Option<Label<'a>>>,
}

struct RuleCells<'a> {
    severity: Label<'static>,
    code: Label<'static>,
    /// The rule's explanation, what Entra does, the code.
    why: Label<'a>,
    /// What follows a finding's own note in Why: ". In Entra: … [SL101]".
    after_note: String,
}

impl<'a> RowCells<'a> {
    pub(super) fn new(
        labels: &SharedStrings,
        ou_paths: &'a OuPaths<'a>,
        parents: &'a Parents<'a>,
        why_texts: &'a WhyTexts,
        group_notes: &'a [Option<String>],
    ) -> RowCells<'a> {
        RowCells {
            rules: RULES
                .iter()
                .map(|rule| {
                    let cells = RuleCells {
                        severity: labels.label(rule.severity.name()),
                        code: labels.label(rule.code),
                        why: labels.label(rule_why(why_texts, rule)),
                        after_note: format!(". {}", entra_and_code(rule)),
                    };
                    (rule.code, cells)
                })
                .collect(),
            recommendations: RECOMMENDATIONS.map(|r| labels.label(r)),
            ou_of_parent: {
                let place: FxHashMap<&str, u32> = ou_paths
                    .keys()
                    .enumerate()
                    .map(|(i, parent)| (*parent, i as u32))
                    .collect();
                parents
                    .dns
                    .iter()
                    .map(|dn| place.get(dn).copied().unwrap_or(u32::MAX))
                    .collect()
            },
            parents,
            ou_labels: ou_paths.values().map(|path| labels.label(path)).collect(),
            attributes: Attr::ALL
                .iter()
                .map(|a| labels.label(a.ldap_name()))
                .collect(),
            object_classes: OBJECT_KINDS
                .iter()
                .map(|k| labels.label(k.name()))
                .collect(),
            fixed_whys: why_texts
                .iter()
                .filter(|((_, note), _)| !note.is_empty())
                .map(|(key, text)| (*key, labels.label(text)))
                .collect(),
            group_notes: group_notes
                .iter()
                .map(|note| note.as_deref().map(|text| labels.label(text)))
                .collect(),
        }
    }

    /// The note group `id`'s findings share ([`crate::findings::FindingList::shares_note`]).
    fn group_note(&self, id: u32) -> Option<Label<'a>> {
        *self.group_notes.get((id as usize).checked_sub(1)?)?
    }

    fn attribute(&self, attribute: Attr) -> Option<Label<'static>> {
        self.attributes.get(attribute as usize).copied()
    }

    fn object_class(&self, class: &str) -> Option<Label<'static>> {
        self.object_classes
            .iter()
            .find(|label| label.text() == class)
            .copied()
    }

    /// The OU path of the object on `row`, as a place in `ou_labels` (`u32::MAX`: none).
    fn ou_path(&self, row: u32) -> u32 {
        let parent = self.parents.of_row(row);
        self.ou_of_parent
            .get(parent as usize)
            .copied()
            .unwrap_or(u32::MAX)
    }

    fn recommendation(&self, text: &'static str) -> Option<Label<'static>> {
        self.recommendations
            .iter()
            .find(|label| std::ptr::eq(label.text(), text) || label.text() == text)
            .copied()
    }
}

/// The rows of a class sheet: one finding each, the [`Column::CLASS_SHEET`] columns; Action
/// is left empty.
pub(super) fn class_rows<'a>(
    a: &'a Analysis,
    cells: &'a RowCells<'a>,
    part: String,
    findings: Vec<&'a Finding>,
) -> SheetRows<'a> {
    let dir = &a.ingest.directory;
    let sources = super::SourceNames::of(dir);
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
        let why = cells
            .rules
            .get(rule.code)
            .map_or(rule.why, |c| c.why.text());
        sheet_rows::cell_bound(rule.severity.name())
            + recommendation
            + sheet_rows::cell_bound(why)
            + entra_and_code_bound(rule)
            + sheet_rows::cell_bound(rule.code)
    };
    let by_rule: FxHashMap<&str, u64> = RULES.iter().map(|r| (r.code, rule_bound(r))).collect();
    let size_bound = sheet_rows::sheet_bound(&findings, |f, cell_bound| {
        let r = f.row as usize;
        let suggested = f.suggested().map_or(0, cell_bound);
        // A group's note is written only with its row: bounded by its length, every byte
        // taken as growing the most (as `cell_bound_unscanned`).
        let note = match f.group() {
            Some(_) => 71 + 7 * a.findings.note_len_bound(dir, f) as u64,
            None => f.own_note().map_or(0, cell_bound),
        };
        let fixed = by_rule
            .get(f.rule.code)
            .copied()
            .unwrap_or_else(|| rule_bound(f.rule));
        sheet_rows::ROW_XML
            + 2 * cell_bound(dir.dn.get(r).unwrap_or(""))
            + cell_bound(dir.object_class.get(r).unwrap_or(""))
            + cell_bound(f.attribute.ldap_name())
            + cell_bound(f.value(dir))
            + 2 * suggested
            + (71 + 10) // group number
            + note
            + fixed
            + cell_bound(sources.location(dir, r).0)
            + 21
    });
    let rows = findings.len();
    let views = Views::new(dir, &a.findings, a.redactor.as_ref());
    let fill = move |i: usize, w: &mut RowWriter| {
        let finding = findings[i];
        let view = views.of(finding);
        let rule = cells.rules.get(finding.rule.code);
        // A finding of a group notes what it conflicts with; another finding's note says
        // what is wrong, and goes in Why before what Entra will do.
        let shared_note = a
            .findings
            .shares_note(finding)
            .and_then(|id| cells.group_note(id));
        let shown_note = match shared_note {
            Some(_) => std::borrow::Cow::Borrowed(""),
            None => views.note_of(finding),
        };
        let (conflicts, note) = match finding.group() {
            Some(_) => (&*shown_note, ""),
            None => ("", &*shown_note),
        };
        let mut group = itoa::Buffer::new();
        let group = finding.group().map_or("", |g| group.format(g));
        match rule {
            Some(rule) => w.shared(col(Column::Severity), rule.severity),
            None => w.label(col(Column::Severity), finding.rule.severity.name()),
        }
        w.cell(col(Column::Dn), &view.dn);
        match cells.attribute(finding.attribute) {
            Some(label) => w.shared(col(Column::Attribute), label),
            None => w.label(col(Column::Attribute), finding.attribute.ldap_name()),
        }
        w.cell(col(Column::Value), &view.value);
        w.cell(col(Column::Suggested), &view.suggested);
        match cells.recommendation(finding.recommendation()) {
            Some(label) => w.shared(col(Column::Recommended), label),
            None => w.label(col(Column::Recommended), finding.recommendation()),
        }
        // Action is the reviewer's: empty.
        w.cell(col(Column::Update), &view.suggested);
        // Why: the rule's text (a shared label), or this finding's note followed by what
        // Entra will do and the rule's code; a fixed note's text is made once (and shared).
        let fixed = match finding.fixed_note() {
            Some(fixed) if !note.is_empty() => cells.fixed_whys.get(&(finding.rule.code, fixed)),
            _ => None,
        };
        match (rule, fixed) {
            (_, Some(label)) => w.shared(col(Column::Why), *label),
            (Some(rule), None) if note.is_empty() => w.shared(col(Column::Why), rule.why),
            (Some(rule), None) => w.cell_joined(col(Column::Why), note, &rule.after_note),
            (None, None) if note.is_empty() => w.label(col(Column::Why), finding.rule.why),
            (None, None) => w.cell_joined(
                col(Column::Why),
                note,
                &format!(". {}", entra_and_code(finding.rule)),
            ),
        }
        match rule {
            Some(rule) => w.shared(col(Column::Rule), rule.code),
            None => w.label(col(Column::Rule), finding.rule.code),
        }
        let ou = cells.ou_path(finding.row);
        match cells.ou_labels.get(ou as usize) {
            Some(path) => w.shared(col(Column::OuPath), *path),
            None => w.label(col(Column::OuPath), &view.ou_path()),
        }
        match cells.object_class(view.object_class) {
            Some(label) => w.shared(col(Column::ObjectClass), label),
            None => w.label(col(Column::ObjectClass), view.object_class),
        }
        w.cell(col(Column::Group), group);
        match shared_note {
            Some(label) => w.shared(col(Column::ConflictsWith), label),
            None => w.cell(col(Column::ConflictsWith), conflicts),
        }
        let (file, line) = sources.location(dir, finding.row as usize);
        w.location(col(Column::Source), file, line);
    };
    SheetRows {
        part,
        rows,
        fill: Box::new(fill),
        size_bound,
        wrapped: &WRAPPED,
        table: false,
    }
}
