//! The sheet that explains the workbook: the sheets, the columns, the actions, reviewing a
//! duplicate group, and the steps from review to import.

use super::formats::{print_setup, Formats};
use crate::report::schema::Column;
use rust_xlsxwriter::{Workbook, Worksheet, XlsxError};

/// The name of the sheet that explains the workbook (after the Summary).
pub const HOW_TO_SHEET: &str = "How to use this workbook";

/// Writes the sheet that explains the sheets, the columns, the actions, duplicate groups and
/// the steps from review to import.
pub(super) fn how_to_sheet(workbook: &mut Workbook, f: &Formats) -> Result<(), XlsxError> {
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
        ("Class sheets", "One per kind of problem that was found: Duplicate, Collision, Character, Format, Suffix, Length, Blank, Large object, Advisory, Readiness (sign-in and device readiness). One row per problem; a sheet continues on \"<Class> (2)\" past Excel's 1,048,576 rows."),
        ("Changes", "Only with --baseline: the findings that are new or resolved since the previous run."),
        ("Tenant matching", "Only with --tenant: one row per object whose match with the tenant is not a plain creation: the outcome, what it matched by, the cloud object it meets, what Entra will do and what to do before syncing; then the evidence (type, source anchor, cloud object id, tenant input and line, what could not be known)."),
        ("Connect → Cloud Sync", "Only with --engine-diff: the migration tool's readiness checks and verdict, then every object whose outcome differs between Connect Sync and Cloud Sync, with why."),
        ("Domains", "Every domain in UPNs, mail, proxyAddresses and targetAddress: objects per attribute, whether it can be used in Entra (routable) and whether it is verified in the tenant (from --verified-domain)."),
        ("Out of scope", "Objects that synchronization would not export (by class, system objects, --include-ou), with the reason: not checked."),
        ("Input problems", "Records that could not be read, with file and line: they are not analyzed."),
        ("Analysis context", "Hidden: the options and inputs of the analysis, which fix reads. Do not edit."),
    ])?;
    let columns = Column::CLASS_SHEET.map(|c| (c.header(), c.help()));
    section(ws, "The columns of a class sheet", &columns)?;
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
