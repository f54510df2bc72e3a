//! The workbook read back: sheet names and order, headers, rows per sheet against the JSON
//! summary, links and data validation present, formula-looking values stored as strings,
//! and classes continuing on further sheets past the row limit.

use crate::sample;
use calamine::{open_workbook, Data, Reader, Xlsx};
use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::Command;
use synclint::report::schema::Column;
use synclint::report::workbook::{self, WorkbookOptions};

/// A class sheet's headers, in order.
fn columns() -> [&'static str; 15] {
    Column::CLASS_SHEET.map(Column::header)
}

/// Every worksheet's XML, by sheet name, straight from the package.
fn sheet_xml(path: &Path) -> Vec<(String, String)> {
    let file = std::fs::File::open(path).unwrap();
    let mut zip = zip::ZipArchive::new(file).unwrap();
    let mut workbook_xml = String::new();
    zip.by_name("xl/workbook.xml")
        .unwrap()
        .read_to_string(&mut workbook_xml)
        .unwrap();
    let names: Vec<String> = workbook_xml
        .split("<sheet ")
        .skip(1)
        .map(|s| {
            s.split("name=\"")
                .nth(1)
                .unwrap()
                .split('"')
                .next()
                .unwrap()
                .replace("&amp;", "&")
        })
        .collect();
    names
        .into_iter()
        .enumerate()
        .map(|(i, name)| {
            let mut xml = String::new();
            zip.by_name(&format!("xl/worksheets/sheet{}.xml", i + 1))
                .unwrap()
                .read_to_string(&mut xml)
                .unwrap();
            (name, xml)
        })
        .collect()
}

/// A sheet's first row, as text.
fn header_row(sheet: &calamine::Range<Data>) -> Vec<String> {
    let first = sheet.rows().next().expect("a header row");
    first.iter().map(|c| c.to_string()).collect()
}

/// The text of one part of the package.
fn part(xlsx: &Path, name: &str) -> String {
    let mut text = String::new();
    zip::ZipArchive::new(std::fs::File::open(xlsx).unwrap())
        .unwrap()
        .by_name(name)
        .unwrap()
        .read_to_string(&mut text)
        .unwrap();
    text
}

/// The XML after the first `marker` in a sheet's XML.
fn after<'x>(xml: &'x str, marker: &str, sheet: &str) -> &'x str {
    xml.split_once(marker)
        .unwrap_or_else(|| panic!("{sheet}: no {marker}"))
        .1
}

fn analyze(dir: &Path, inputs: &[PathBuf]) -> (PathBuf, serde_json::Value) {
    crate::analyze_to(dir, "report", inputs, &[])
}

#[test]
fn sheets_headers_rows_links_and_validation() {
    let dir = tempfile::tempdir().unwrap();
    let formula = dir.path().join("formula.ldf");
    std::fs::write(&formula, "dn: CN=Eve,OU=Staff,DC=contoso,DC=com\nobjectClass: user\ncn: Eve\nobjectGUID:: AAECAwQFBgcICQoLDA0ODw==\nsAMAccountName: eve\nuserPrincipalName: =HYPERLINK(\"http://x\")@contoso.com\nmailNickname: +cmd|' /C calc'!A0\n").unwrap();
    let inputs: Vec<PathBuf> = [
        "contoso.ldf",
        "fabrikam.csv",
        "ldapsearch.ldif",
        "broken.ldf",
    ]
    .iter()
    .map(|n| sample(n))
    .chain([formula])
    .collect();
    let (xlsx, summary) = analyze(dir.path(), &inputs);
    let mut wb: Xlsx<_> = open_workbook(&xlsx).unwrap();

    // Order: Summary, How to use this workbook, the classes that have findings (in class order), then the three lists.
    let by_class = summary["findings"]["by_class"].as_object().unwrap();
    let class_order = [
        "Duplicate",
        "Collision",
        "Character",
        "Format",
        "Suffix",
        "Length",
        "Blank",
        "Large object",
        "Advisory",
        "Readiness",
    ];
    let mut expected: Vec<String> = vec!["Summary".into(), workbook::HOW_TO_SHEET.into()];
    expected.extend(
        class_order
            .iter()
            .filter(|c| by_class[**c].as_u64().unwrap() > 0)
            .map(|c| c.to_string()),
    );
    expected.extend(["Domains", "Out of scope", "Input problems"].map(String::from));
    // Last, hidden: the analysis context that fix reads.
    expected.push(synclint::context::SHEET.into());
    assert_eq!(wb.sheet_names(), expected);
    let workbook_xml = part(&xlsx, "xl/workbook.xml");
    assert!(
        workbook_xml.contains(&format!(
            "<sheet name=\"{}\" sheetId=\"{}\" state=\"hidden\"",
            synclint::context::SHEET,
            expected.len()
        )),
        "{workbook_xml}"
    );
    assert!(
        expected.len() > 6,
        "the samples fill several classes: {expected:?}"
    );

    for class in class_order
        .iter()
        .filter(|c| by_class[**c].as_u64().unwrap() > 0)
    {
        let range = wb.worksheet_range(class).unwrap();
        let header = header_row(&range);
        assert_eq!(header, columns().map(String::from), "{class}");
        assert_eq!(
            (range.height() - 1) as u64,
            by_class[*class].as_u64().unwrap(),
            "{class}"
        );
    }
    let total: u64 = summary["findings"]["total"].as_u64().unwrap();
    let rows: usize = class_order
        .iter()
        .filter_map(|c| wb.worksheet_range(c).ok())
        .map(|r| r.height() - 1)
        .sum();
    assert_eq!(rows as u64, total);

    // Formula-looking values are strings, in the Value column and the Update column alike.
    let character = wb.worksheet_range("Character").unwrap();
    let cells: Vec<&Data> = character.rows().flat_map(|r| r.iter()).collect();
    assert!(cells.contains(&&Data::String(
        "=HYPERLINK(\"http://x\")@contoso.com".into()
    )));
    assert!(cells
        .iter()
        .any(|c| matches!(c, Data::String(s) if s.starts_with("+cmd|"))));

    // Out of scope and input problems: one row each.
    let out_of_scope = wb.worksheet_range("Out of scope").unwrap();
    assert_eq!(
        (out_of_scope.height() - 1) as u64,
        summary["objects"]["out_of_scope"].as_u64().unwrap()
    );
    let problems = wb.worksheet_range("Input problems").unwrap();
    assert_eq!(
        (problems.height() - 1) as u64,
        summary["objects"]["rejected"].as_u64().unwrap()
    );
    let domains = wb.worksheet_range("Domains").unwrap();
    assert!(domains.rows().any(
        |r| r[0] == Data::String("contoso.local".into()) && r[5].to_string().starts_with("no:")
    ));
    // Without --verified-domain the Verified column says so, and how to check.
    assert!(domains
        .rows()
        .skip(1)
        .all(|r| r[6] == Data::String("not checked: pass --verified-domain".into())));

    // The package itself: links on the Summary, the Action dropdown on every class sheet,
    // and not one formula cell anywhere.
    let xml = sheet_xml(&xlsx);
    let summary_xml = &xml[0].1;
    assert!(
        summary_xml.contains("<hyperlink ") && summary_xml.contains("location=\"'Character'!A1\""),
        "internal links"
    );
    // Labels repeated down the class sheets are shared strings: the table's counts match
    // the package, and every reference resolves to the right text (rule codes, severities).
    let mut shared = String::new();
    zip::ZipArchive::new(std::fs::File::open(&xlsx).unwrap())
        .unwrap()
        .by_name("xl/sharedStrings.xml")
        .unwrap()
        .read_to_string(&mut shared)
        .unwrap();
    let attribute = |name: &str| -> usize {
        let at = shared.find(&format!(" {name}=\"")).unwrap() + name.len() + 3;
        shared[at..].split('"').next().unwrap().parse().unwrap()
    };
    let references: usize = xml.iter().map(|(_, x)| x.matches(" t=\"s\"").count()).sum();
    assert_eq!(attribute("count"), references);
    assert_eq!(attribute("uniqueCount"), shared.matches("<si>").count());
    for class in class_order
        .iter()
        .filter(|c| by_class[**c].as_u64().unwrap() > 0)
    {
        let sheet = &xml.iter().find(|(n, _)| n == class).unwrap().1;
        let row2 = sheet.split("<row r=\"2\"").nth(1).unwrap();
        let (column, severity) = row_cells(row2)[0];
        assert!(
            column == 'A' && severity.starts_with(" t=\"s\">"),
            "{class}: shared severity"
        );
        let column = |name: &str| columns().iter().position(|c| *c == name).unwrap();
        let range = wb.worksheet_range(class).unwrap();
        for row in range.rows().skip(1) {
            let code = row[column("Rule")].to_string();
            let rule = synclint::rules::registry::RULES
                .iter()
                .find(|r| r.code == code)
                .unwrap_or_else(|| panic!("{class}: {code:?} is not a rule code"));
            assert_eq!(
                row[column("Severity")].to_string(),
                rule.severity.name(),
                "{class} {code}"
            );
            // Why always says what Entra will do, and the rule's code.
            let why = row[column("Why")].to_string();
            assert!(
                why.ends_with(&format!("In Entra: {}. [{code}]", rule.entra)),
                "{class}: {why}"
            );
        }
        // The reviewer's columns come first; Severity and the DN stay in view.
        assert_eq!(
            &columns()[..9].to_vec(),
            &[
                "Severity",
                "Object (DN)",
                "Attribute",
                "Value",
                "Suggested value",
                "Recommended",
                "Action",
                "Update",
                "Why"
            ]
        );
        assert!(
            sheet.contains("<pane xSplit=\"2\" ySplit=\"1\" topLeftCell=\"C2\" activePane=\"bottomRight\" state=\"frozen\"/>"),
            "{class}: frozen through the DN"
        );
        // Severity coloured by three conditional formats on column A.
        let colours = after(sheet, "<conditionalFormatting sqref=\"A2", class);
        for severity in ["error", "warning", "info"] {
            assert!(
                colours.contains(&format!("<formula>\"{severity}\"</formula>")),
                "{class}"
            );
        }
    }
    for (name, sheet) in &xml {
        assert!(
            !sheet.contains("<f>") && !sheet.contains("<f "),
            "{name} has a formula"
        );
        if class_order.contains(&name.as_str()) {
            assert!(
                sheet.contains("<dataValidation ") && sheet.contains("EDIT,REMOVE,COMPLETE,IGNORE"),
                "{name}"
            );
            assert!(sheet.contains("<pane "), "{name} has a frozen header");
        }
    }
}

#[test]
fn a_class_continues_on_further_sheets_and_groups_stay_together() {
    let dir = tempfile::tempdir().unwrap();
    let input = crate::planted_export(dir.path(), "gen.ldf", 4000, 3);
    let analysis = synclint::analyze::run(
        std::slice::from_ref(&input),
        &Default::default(),
        &Default::default(),
        Default::default(),
    );
    let suffix = analysis.by_class(synclint::findings::Class::Suffix).count();
    assert!(suffix > 1000, "{suffix}");
    let path = dir.path().join("split.xlsx");
    // 500 rows a sheet; above 200 rows autofilter replaces the table.
    let options = WorkbookOptions {
        rows_per_sheet: 500,
        table_rows: 200,
        ..WorkbookOptions::default()
    };
    let stats = workbook::write(&analysis, &path, &[input], &options).unwrap();
    let suffix_sheets: Vec<&(String, usize)> = stats
        .sheets
        .iter()
        .filter(|(n, _)| n.starts_with("Suffix"))
        .collect();
    assert_eq!(suffix_sheets.len(), suffix.div_ceil(500));
    assert_eq!(suffix_sheets[1].0, "Suffix (2)");
    assert_eq!(suffix_sheets.iter().map(|s| s.1).sum::<usize>(), suffix);
    let mut wb: Xlsx<_> = open_workbook(&path).unwrap();
    let names = wb.sheet_names();
    assert!(names.contains(&"Suffix (3)".to_string()));
    let second = wb.worksheet_range("Suffix (2)").unwrap();
    assert_eq!(second.height() - 1, 500);
    let xml = sheet_xml(&path);
    let (_, suffix_xml) = xml.iter().find(|(n, _)| n == "Suffix").unwrap();
    assert!(suffix_xml.contains("<autoFilter "));

    // Duplicate groups: every member of a group adjacent.
    let dup = wb.worksheet_range("Duplicate").unwrap();
    let group = columns().iter().position(|c| *c == "Group").unwrap();
    let groups: Vec<String> = dup.rows().skip(1).map(|r| r[group].to_string()).collect();
    let mut seen: Vec<&String> = Vec::new();
    for g in &groups {
        if seen.last() != Some(&g) {
            assert!(!seen.contains(&g), "group {g} split");
            seen.push(g);
        }
    }
    assert!(seen.len() > 3);
}

#[test]
fn outputs_never_overwrite_an_input() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("in.ldf");
    std::fs::copy(sample("contoso.ldf"), &input).unwrap();
    let before = std::fs::read(&input).unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_synclint"))
        .args([
            "analyze",
            "-q",
            input.to_str().unwrap(),
            "-o",
            input.to_str().unwrap(),
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("refusing to overwrite an input"));
    assert_eq!(std::fs::read(&input).unwrap(), before);
}

#[test]
fn a_redacted_workbook_keeps_the_findings_and_no_personal_value() {
    use synclint::directory::{Attr, ObjectKind};
    let dir = tempfile::tempdir().unwrap();
    let inputs: Vec<PathBuf> = [
        "contoso.ldf",
        "fabrikam.csv",
        "ldapsearch.ldif",
        "fabrikam-unicode.csv",
        "fixable.ldf",
    ]
    .iter()
    .map(|n| sample(n))
    .collect();
    let plain = analyze(dir.path(), &inputs).1;
    let redacted_dir = dir.path().join("redacted");
    std::fs::create_dir(&redacted_dir).unwrap();
    let csv_dir = redacted_dir.join("csv");
    let (xlsx, redacted) = crate::analyze_to(
        &redacted_dir,
        "report",
        &inputs,
        &["--redact", "--csv-dir", csv_dir.to_str().unwrap()],
    );
    let json = redacted_dir.join("report.json");
    assert_eq!(
        redacted["findings"]["by_rule"], plain["findings"]["by_rule"],
        "same findings per rule"
    );

    // The personal values of the inputs: names, account names, aliases, address local parts.
    let ingest = synclint::ingest::read_files(&inputs, &Default::default());
    let d = &ingest.directory;
    let mut personal: Vec<String> = Vec::new();
    for row in 0..d.len() {
        if !matches!(
            d.kind[row],
            ObjectKind::User | ObjectKind::InetOrgPerson | ObjectKind::Contact
        ) {
            continue;
        }
        for attr in [
            Attr::Cn,
            Attr::DisplayName,
            Attr::GivenName,
            Attr::Sn,
            Attr::SamAccountName,
            Attr::MailNickname,
        ] {
            personal.extend(d.text(attr, row).map(str::to_string));
        }
        let addresses = [
            d.text(Attr::UserPrincipalName, row),
            d.text(Attr::Mail, row),
        ]
        .into_iter()
        .flatten()
        .map(str::to_string)
        .chain(
            d.proxy_addresses
                .get(row)
                .map(|p| p.split_once(':').map_or(p, |(_, a)| a).to_string()),
        );
        personal.extend(addresses.filter_map(|a| a.split_once('@').map(|(l, _)| l.to_string())));
    }
    // Whole values of four characters or more (shorter ones prove nothing).
    let personal: std::collections::BTreeSet<String> = personal
        .iter()
        .map(|p| p.trim().to_lowercase())
        .filter(|p| p.chars().count() >= 4)
        .collect();
    assert!(
        personal.contains("ana garcía") && personal.contains("jo hn"),
        "{personal:?}"
    );

    let mut outputs: Vec<String> = vec![std::fs::read_to_string(&json).unwrap()];
    for entry in std::fs::read_dir(&csv_dir).unwrap() {
        outputs.push(std::fs::read_to_string(entry.unwrap().path()).unwrap());
    }
    let mut wb: Xlsx<_> = open_workbook(&xlsx).unwrap();
    for name in wb.sheet_names() {
        let range = wb.worksheet_range(&name).unwrap();
        outputs.extend(
            range
                .rows()
                .flat_map(|r| r.iter().map(|c| c.to_string()))
                .collect::<Vec<_>>(),
        );
    }
    // The check can fail: the unredacted run shows these values.
    let plain_text = plain.to_string().to_lowercase();
    assert!(
        personal
            .iter()
            .filter(|p| plain_text.contains(p.as_str()))
            .count()
            >= 3
    );
    let mut leaked: Vec<String> = Vec::new();
    for text in &outputs {
        let text = text.to_lowercase();
        leaked.extend(
            personal
                .iter()
                .filter(|p| text.contains(p.as_str()))
                .cloned(),
        );
    }
    leaked.sort();
    leaked.dedup();
    assert!(
        leaked.is_empty(),
        "personal values in the redacted outputs: {leaked:?}"
    );
}

#[test]
fn cell_text_round_trips_and_long_values_are_cut_to_a_cell() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("odd.ldf");
    let long = "é".repeat(40_000);
    std::fs::write(
        &input,
        format!(
            "dn: CN=Odd,OU=Staff,DC=contoso,DC=com\nobjectClass: user\ncn: Odd\n\
             objectGUID:: AAECAwQFBgcICQoLDA0ODw==\nsAMAccountName: odd\n\
             userPrincipalName: a_x0041_&<b>@contoso.local\nmailNickname: r&d<x>\n\
             displayName: {long}\n"
        ),
    )
    .unwrap();
    let (xlsx, summary) = analyze(dir.path(), std::slice::from_ref(&input));
    let mut wb: Xlsx<_> = open_workbook(&xlsx).unwrap();
    let mut values = Vec::new();
    for (name, rows) in summary["findings"]["by_class"].as_object().unwrap() {
        if rows.as_u64().unwrap() == 0 {
            continue;
        }
        let range = wb.worksheet_range(name).unwrap();
        let value = columns().iter().position(|c| *c == "Value").unwrap();
        values.extend(range.rows().skip(1).map(|r| r[value].to_string()));
    }
    // The escaped characters and a literal `_xHHHH_` read back as written.
    assert!(
        values.contains(&"a_x0041_&<b>@contoso.local".to_string()),
        "{values:?}"
    );
    assert!(values.contains(&"r&d<x>".to_string()), "{values:?}");
    // The 40,000-character displayName is cut to Excel's cell limit, visibly.
    let cut = values
        .iter()
        .find(|v| v.starts_with("éé"))
        .expect("the long displayName's finding");
    assert!(cut.ends_with(synclint::report::sheet_rows::TRUNCATED));
    assert!(cut.encode_utf16().count() <= synclint::report::sheet_rows::MAX_CELL_CHARS);
    assert!(cut.chars().count() > 32_000);
}

#[test]
fn every_sheet_prints_landscape_one_page_wide_with_titles_and_a_footer() {
    let dir = tempfile::tempdir().unwrap();
    let inputs = [
        "contoso.ldf",
        "fabrikam.csv",
        "ldapsearch.ldif",
        "broken.ldf",
    ]
    .map(sample);
    let (xlsx, _) = analyze(dir.path(), &inputs);
    assert_every_sheet_prints_as_a_document(&xlsx);
}

/// Every sheet but the hidden context: landscape, one page wide, the footer, the margins,
/// and (but the Summary and How to use) its header row repeated on every page: row 1, or the
/// row its filter starts on when a block stands above the table (Connect → Cloud Sync).
fn assert_every_sheet_prints_as_a_document(xlsx: &Path) {
    let workbook_xml = part(xlsx, "xl/workbook.xml");
    let sheets = sheet_xml(xlsx);
    for (index, (name, xml)) in sheets.iter().enumerate() {
        if name == synclint::context::SHEET {
            continue; // hidden, never printed
        }
        assert!(
            xml.contains("<pageSetUpPr fitToPage=\"1\"/>"),
            "{name}: fit to page"
        );
        let setup = after(xml, "<pageSetup ", name);
        let setup = setup.split("/>").next().unwrap();
        assert!(
            setup.contains("orientation=\"landscape\""),
            "{name}: {setup}"
        );
        // One page wide (fitToWidth's default is 1), as many pages tall as needed; the
        // Summary at most two.
        let tall = if name == "Summary" { "2" } else { "0" };
        assert!(
            setup.contains(&format!("fitToHeight=\"{tall}\"")),
            "{name}: {setup}"
        );
        assert!(!setup.contains("fitToWidth=") || setup.contains("fitToWidth=\"1\""));
        assert!(
            xml.contains("<oddFooter>&amp;L&amp;A&amp;RPage &amp;P of &amp;N</oddFooter>"),
            "{name}: footer with the sheet name and page N of M"
        );
        assert!(
            xml.contains("<pageMargins left=\"0.4\" right=\"0.4\""),
            "{name}"
        );
        // Every sheet with a header row repeats it on every printed page.
        if name != "Summary" && name != workbook::HOW_TO_SHEET {
            let titles = after(
                &workbook_xml,
                &format!("<definedName name=\"_xlnm.Print_Titles\" localSheetId=\"{index}\">"),
                name,
            );
            let titles = titles.split("</definedName>").next().unwrap();
            let quoted = format!("'{}'!", name.replace('\'', "''"));
            let rows = titles
                .strip_prefix(&quoted)
                .or_else(|| titles.strip_prefix(&format!("{name}!")))
                .unwrap_or_else(|| panic!("{name}: print titles {titles}"));
            let (first, last) = rows.split_once(':').unwrap();
            assert_eq!(first, last, "{name}: one header row");
            let row: u32 = first.trim_start_matches('$').parse().unwrap();
            if row != 1 {
                assert!(
                    xml.contains(&format!("<autoFilter ref=\"A{row}:")),
                    "{name}: the repeated row {row} is the header of the sheet's filter"
                );
            }
        }
    }
}

/// One row of a sheet's XML: its number, height (points, if set) and cells (column letter,
/// xf index, text).
struct SheetRow {
    number: u32,
    height: Option<f64>,
    cells: Vec<(char, usize, String)>,
}

fn sheet_rows(xml: &str) -> Vec<SheetRow> {
    let unescape = |t: &str| {
        t.replace("&lt;", "<")
            .replace("&gt;", ">")
            .replace("&quot;", "\"")
            .replace("&apos;", "'")
            .replace("&amp;", "&")
    };
    xml.split("<row r=\"")
        .skip(1)
        .map(|row| {
            let row = row.split("</row>").next().unwrap();
            let tag = row.split('>').next().unwrap();
            let number = tag.split('"').next().unwrap().parse().unwrap();
            let height = tag
                .split(" ht=\"")
                .nth(1)
                .map(|h| h.split('"').next().unwrap().parse().unwrap());
            let cells = row_cells(row)
                .into_iter()
                .map(|(column, c)| {
                    let style = c
                        .split('>')
                        .next()
                        .unwrap()
                        .split(" s=\"")
                        .nth(1)
                        .map_or(0, |s| s.split('"').next().unwrap().parse().unwrap());
                    let text = c
                        .split_once("<t")
                        .and_then(|(_, t)| t.split_once('>'))
                        .map_or(String::new(), |(_, t)| {
                            unescape(t.split("</t>").next().unwrap())
                        });
                    (column, style, text)
                })
                .collect();
            SheetRow {
                number,
                height,
                cells,
            }
        })
        .collect()
}

/// A sheet's column widths (characters, as given: less rust_xlsxwriter's padding), by column
/// letter.
fn column_widths(xml: &str) -> std::collections::HashMap<char, f64> {
    let cols = after(xml, "<cols>", "sheet")
        .split("</cols>")
        .next()
        .unwrap();
    cols.split("<col ")
        .skip(1)
        .flat_map(|c| {
            let attr = |name: &str| -> f64 {
                c.split(&format!("{name}=\""))
                    .nth(1)
                    .unwrap()
                    .split('"')
                    .next()
                    .unwrap()
                    .parse()
                    .unwrap()
            };
            let width = (attr("width") - 0.7109375).round();
            // Neighbours of the same width share a <col>.
            (attr("min") as u8..=attr("max") as u8).map(move |n| ((b'A' + n - 1) as char, width))
        })
        .collect()
}

/// The rows of wrapped text are as tall as their text: a wrapped cell whose text is longer
/// than its column is wide makes its row taller than one line (15 points), with room for a
/// line per column width of text (the estimate `sheet_rows` fits the class sheets' rows with).
fn assert_rows_fit_their_wrapped_text(name: &str, rows: &[SheetRow], xfs: &[String], xml: &str) {
    let widths = column_widths(xml);
    let mut tall = 0;
    for row in rows {
        for (col, style, text) in &row.cells {
            if !xfs[*style].contains("wrapText=\"1\"") {
                continue;
            }
            let per_line = widths[col] - 1.0;
            let lines = text.chars().count() as f64 / per_line;
            if lines > 1.0 {
                tall += 1;
                let height = row.height.unwrap_or(15.0);
                assert!(
                    height >= 15.0 * lines.ceil().min(27.0),
                    "{name}: row {} is {height} points for {lines:.1} lines of {col}: {text}",
                    row.number
                );
            }
        }
    }
    assert!(tall > 0, "{name}: some text wraps");
}

#[test]
fn the_tenant_engine_and_readiness_sheets_are_laid_out_and_print_as_the_class_sheets() {
    use synclint::generate::tenant::{generate_tenant, SHARED_FILES};
    use synclint::generate::{generate, GenerateOptions};
    let dir = tempfile::tempdir().unwrap();
    let options = GenerateOptions {
        objects: 1500,
        seed: 5,
        planted: true,
        plant_devices: true,
        ..GenerateOptions::default()
    };
    let mut bytes = Vec::new();
    generate(&options, &mut bytes).unwrap();
    let export = dir.path().join("directory.ldf");
    std::fs::write(&export, bytes).unwrap();
    let tenant = dir.path().join("tenant");
    generate_tenant(&options, 150, &tenant).unwrap();
    let mut extra = vec!["--tenant".to_string()];
    extra.extend(
        std::iter::once("graph-users.json")
            .chain(SHARED_FILES)
            .map(|f| tenant.join(f).to_string_lossy().into_owned()),
    );
    // A flag after the tenant's files ends them: the export that follows is an input.
    extra.push("--engine-diff".into());
    let extra: Vec<&str> = extra.iter().map(String::as_str).collect();
    let (xlsx, summary) = crate::analyze_to(dir.path(), "report", &[export], &extra);
    let sheets = sheet_xml(&xlsx);
    let names: Vec<&str> = sheets.iter().map(|(n, _)| n.as_str()).collect();
    for sheet in ["Readiness", workbook::TENANT_SHEET, "Connect → Cloud Sync"] {
        assert!(names.contains(&sheet), "{sheet} in {names:?}");
    }
    assert_every_sheet_prints_as_a_document(&xlsx);
    // Rows given heights row by row: each row once (Excel reports a repeated row as damage).
    for (name, xml) in &sheets {
        let numbers: Vec<u32> = sheet_rows(xml).iter().map(|r| r.number).collect();
        assert!(
            numbers.windows(2).all(|w| w[0] < w[1]),
            "{name}: {numbers:?}"
        );
    }
    let workbook_xml = part(&xlsx, "xl/workbook.xml");
    let xfs = cell_xfs(&part(&xlsx, "xl/styles.xml"));
    let sheet = |name: &str| {
        let index = names.iter().position(|n| *n == name).unwrap();
        (index, sheets[index].1.as_str())
    };

    // Tenant matching: the reviewer's columns first, and printed; the header and the DN
    // frozen; every printed cell wraps, its row fitted; the rows are the JSON's.
    let (index, xml) = sheet(workbook::TENANT_SHEET);
    let rows = sheet_rows(xml);
    let header: Vec<&str> = rows[0].cells.iter().map(|c| c.2.as_str()).collect();
    assert_eq!(
        header[..7],
        [
            "Object (DN)",
            "Outcome",
            "Matched by",
            "Value",
            "Cloud object",
            "What Entra will do",
            "What to do before syncing"
        ]
    );
    let mut all = header.clone();
    all.sort_unstable();
    let mut csv = synclint::report::tenant::COLUMNS.to_vec();
    csv.sort_unstable();
    assert_eq!(all, csv, "every column of the CSV, once");
    assert!(
        xml.contains("<pane xSplit=\"1\" ySplit=\"1\" topLeftCell=\"B2\""),
        "header and DN frozen"
    );
    // The rows with an object (a blank styled cell may end the sheet: formats.rs).
    let rows: Vec<SheetRow> = rows
        .into_iter()
        .filter(|r| r.cells.iter().any(|c| !c.2.is_empty()))
        .collect();
    let data = rows.len() - 1;
    let outcomes = summary["tenant"]["outcomes"].as_object().unwrap();
    let predicted: u64 = outcomes
        .iter()
        .filter(|(o, _)| *o != "created")
        .map(|(_, n)| n.as_u64().unwrap())
        .sum();
    assert_eq!(data as u64, predicted);
    assert!(
        workbook_xml.contains(&format!(
            "<definedName name=\"_xlnm.Print_Area\" localSheetId=\"{index}\">'Tenant matching'!$A$1:$G${}</definedName>",
            data + 1
        )),
        "printed: Object to What to do"
    );
    for row in &rows[1..] {
        for (col, style, text) in &row.cells {
            if *col <= 'G' {
                assert!(
                    xfs[*style].contains("wrapText=\"1\""),
                    "{col}{}: {text}",
                    row.number
                );
            }
        }
    }
    let widths = column_widths(xml);
    let printed: f64 = ('A'..='G').map(|c| widths[&c]).sum();
    // About 70 % of the page at 11 points: small enough to read (the old sheet, 13 columns
    // one page wide, needed 450 widths).
    assert!(printed <= 240.0, "printed width {printed}");
    assert_rows_fit_their_wrapped_text(workbook::TENANT_SHEET, &rows[1..], &xfs, xml);

    // Connect → Cloud Sync: the differences' header is repeated and filtered (checked above);
    // Detail wraps, its rows fitted; one row per difference the JSON lists.
    let (_, xml) = sheet("Connect → Cloud Sync");
    let rows = sheet_rows(xml);
    let header = rows
        .iter()
        .position(|r| r.cells.first().is_some_and(|c| c.2 == "Object (DN)"))
        .unwrap();
    let differences: Vec<&SheetRow> = rows[header + 1..]
        .iter()
        .filter(|r| r.cells.iter().any(|c| !c.2.is_empty()))
        .collect();
    assert_eq!(
        differences.len(),
        summary["engine_diff"]["differences"]
            .as_array()
            .unwrap()
            .len()
    );
    assert!(differences.len() > 10);
    for row in &differences {
        let detail = row.cells.iter().find(|c| c.0 == 'C').unwrap();
        assert!(xfs[detail.1].contains("wrapText=\"1\""), "{}", row.number);
    }
    assert_rows_fit_their_wrapped_text("Connect → Cloud Sync", &rows[header + 1..], &xfs, xml);
}

#[test]
fn the_summary_verdict_counts_objects_as_the_json_items_do() {
    use std::collections::HashMap;
    use synclint::findings::Severity;
    let dir = tempfile::tempdir().unwrap();
    let input = crate::planted_export(dir.path(), "planted.ldf", 3000, 5);
    let (xlsx, summary) = analyze(dir.path(), &[input]);

    // Independently of the writer: each object's worst severity from the JSON items.
    let mut worst: HashMap<String, Severity> = HashMap::new();
    let mut classes: HashMap<&str, std::collections::HashSet<String>> = HashMap::new();
    for item in summary["items"].as_array().unwrap() {
        let code = item["rule"].as_str().unwrap();
        let rule = synclint::rules::registry::RULES
            .iter()
            .find(|r| r.code == code)
            .unwrap();
        let dn = item["dn"].as_str().unwrap().to_string();
        // Readiness findings are about features (Seamless SSO …), not the object's sync:
        // they count in their class only.
        if rule.class != synclint::findings::Class::Readiness {
            let w = worst.entry(dn.clone()).or_insert(rule.severity);
            *w = (*w).max(rule.severity);
        }
        classes.entry(rule.class.name()).or_default().insert(dn);
    }
    let count = |s: Severity| worst.values().filter(|w| **w == s).count() as u64;
    let (fail, degraded, advisory) = (
        count(Severity::Error),
        count(Severity::Warning),
        count(Severity::Info),
    );
    assert!(fail > 100 && degraded > 10, "{fail} {degraded}");
    let affected = &summary["objects_affected"];
    assert_eq!(affected["will_fail"].as_u64(), Some(fail));
    assert_eq!(affected["degraded"].as_u64(), Some(degraded));
    assert_eq!(affected["advisory_only"].as_u64(), Some(advisory));
    for (class, dns) in &classes {
        assert_eq!(
            affected["by_class"][class].as_u64(),
            Some(dns.len() as u64),
            "{class}"
        );
    }

    // The Summary sheet leads with the same numbers.
    let mut wb: Xlsx<_> = open_workbook(&xlsx).unwrap();
    let sheet = wb.worksheet_range("Summary").unwrap();
    let rows: Vec<Vec<String>> = sheet
        .rows()
        .map(|r| r.iter().map(|c| c.to_string()).collect())
        .collect();
    let value = |label: &str| -> (usize, u64) {
        let at = rows
            .iter()
            .position(|r| r[0] == label)
            .unwrap_or_else(|| panic!("no row {label:?}"));
        (at, rows[at][1].parse().unwrap())
    };
    let (fail_row, n) = value("Will fail to sync (at least one error)");
    assert_eq!(n, fail);
    assert!(fail_row < 8, "the verdict is on top, row {fail_row}");
    assert_eq!(
        value("Will sync degraded (worst finding a warning)").1,
        degraded
    );
    assert_eq!(value("Advisories only (info)").1, advisory);
    // Top problems: only rules that fired, by objects affected.
    let top = rows
        .iter()
        .position(|r| r[0] == "Top problems, by objects affected")
        .unwrap();
    let fired: Vec<&Vec<String>> = rows[top + 2..]
        .iter()
        .take_while(|r| !r[0].is_empty())
        .collect();
    let by_rule = summary["findings"]["by_rule"].as_object().unwrap();
    assert_eq!(
        fired.len(),
        by_rule.values().filter(|n| n.as_u64() > Some(0)).count()
    );
    let objects: Vec<u64> = fired.iter().map(|r| r[2].parse().unwrap()).collect();
    assert!(objects.windows(2).all(|w| w[0] >= w[1]), "{objects:?}");
    for r in &fired {
        let code = r[0].split(' ').next().unwrap();
        assert_eq!(by_rule[code].as_u64().unwrap().to_string(), r[3], "{code}");
        let rule = synclint::rules::registry::RULES
            .iter()
            .find(|x| x.code == code)
            .unwrap();
        assert_eq!(r[4], rule.entra, "what Entra will do");
    }
}

/// The cells of one row's XML (from after `<row` to its end), each with its column letter
/// and its markup from after `<c`. A cell without a reference (`r`) is in the column after
/// the previous cell, column A if it is the row's first (MS-OI29500 on ECMA-376 Part 1,
/// §18.3.1.4, which leaves it optional).
fn row_cells(row: &str) -> Vec<(char, &str)> {
    let row = row.split("</row>").next().unwrap();
    let mut next = b'A';
    row.split("<c")
        .skip(1)
        .filter(|c| c.starts_with([' ', '>', '/']))
        .map(|c| {
            let tag = c.split('>').next().unwrap();
            let column = match tag.split(" r=\"").nth(1) {
                Some(reference) => reference.as_bytes()[0],
                None => next,
            };
            next = column + 1;
            (column as char, c)
        })
        .collect()
}

/// The cell formats (`<xf>` of `<cellXfs>`) of a package's styles.xml, by xf index.
fn cell_xfs(styles: &str) -> Vec<String> {
    let xfs = after(styles, "<cellXfs", "styles.xml");
    let xfs = xfs.split("</cellXfs>").next().unwrap();
    xfs.split("<xf ").skip(1).map(str::to_string).collect()
}

/// The `s` (xf index) of every data cell (row 2 on) in column `col` of a sheet's XML.
fn data_cell_styles(xml: &str, col: char) -> Vec<Option<usize>> {
    xml.split("<row ")
        .skip(2)
        .flat_map(row_cells)
        .filter(|(letter, _)| *letter == col)
        .map(|(_, c)| {
            let tag = c.split('>').next().unwrap();
            tag.split(" s=\"")
                .nth(1)
                .map(|s| s.split('"').next().unwrap().parse().unwrap())
        })
        .collect()
}

#[test]
fn long_text_columns_of_class_sheets_wrap() {
    use synclint::findings::Class;
    let dir = tempfile::tempdir().unwrap();
    // Planted duplicates fill Conflicts with; above 200 rows autofilter replaces the table.
    let input = crate::planted_export(dir.path(), "gen.ldf", 3000, 3);
    let analysis = synclint::analyze::run(
        std::slice::from_ref(&input),
        &Default::default(),
        &Default::default(),
        Default::default(),
    );
    let xlsx = dir.path().join("wrap.xlsx");
    let options = WorkbookOptions {
        table_rows: 200,
        ..WorkbookOptions::default()
    };
    workbook::write(&analysis, &xlsx, &[input], &options).unwrap();
    let xfs = cell_xfs(&part(&xlsx, "xl/styles.xml"));
    let class_names: Vec<&str> = Class::ALL.iter().map(|c| c.name()).collect();
    let why = columns().iter().position(|c| *c == "Why").unwrap();
    let conflicts = columns()
        .iter()
        .position(|c| *c == "Conflicts with")
        .unwrap();
    let mut seen = [0usize; 2];
    let mut tall_rows = 0;
    for (name, xml) in sheet_xml(&xlsx) {
        if !class_names.iter().any(|c| name.starts_with(c)) {
            continue;
        }
        // Rows whose wrapped text takes more lines are as tall as their lines (LibreOffice
        // does not fit row heights on opening a package).
        for row in xml.split("<row r=\"").skip(2) {
            let tag = row.split('>').next().unwrap();
            if let Some(ht) = tag.split(" ht=\"").nth(1) {
                let ht: u32 = ht.split('"').next().unwrap().parse().unwrap();
                assert!(ht % 15 == 0 && ht > 15, "{name}: {tag}");
                tall_rows += 1;
            }
        }
        for (i, col) in [why, conflicts].into_iter().enumerate() {
            let letter = (b'A' + col as u8) as char;
            // The column's own format wraps too (text a reviewer types there).
            let col_tag = format!("<col min=\"{}\" max=\"{}\"", col + 1, col + 1);
            let col_style: usize = after(&xml, &col_tag, &name)
                .split("/>")
                .next()
                .and_then(|t| t.split(" style=\"").nth(1))
                .and_then(|s| s.split('"').next())
                .unwrap_or_else(|| panic!("{name}: column {letter} has no style"))
                .parse()
                .unwrap();
            for style in data_cell_styles(&xml, letter) {
                let style =
                    style.unwrap_or_else(|| panic!("{name}: a {letter} cell without style"));
                assert_eq!(style, col_style, "{name}: column {letter}");
                let xf = &xfs[style];
                assert!(xf.contains("wrapText=\"1\""), "{name}: xf {style} is {xf}");
                assert!(
                    xf.contains("applyAlignment=\"1\""),
                    "{name}: xf {style} is {xf}"
                );
                seen[i] += 1;
            }
        }
    }
    let findings = analysis.findings.len();
    assert_eq!(seen[0], findings, "a Why cell per finding");
    assert!(seen[1] > 10, "Conflicts with cells: {seen:?}");
    assert!(tall_rows > 0);
}

/// A class sheet with an Excel table: the table (added over the header and one row, then
/// stretched when the rows are spliced) spans the header and every row, its filter too, on
/// every table-sized class sheet; larger sheets have none.
#[test]
fn class_sheet_tables_span_every_row() {
    let dir = tempfile::tempdir().unwrap();
    let input = crate::planted_export(dir.path(), "gen.ldf", 4000, 3);
    let analysis = synclint::analyze::run(
        std::slice::from_ref(&input),
        &Default::default(),
        &Default::default(),
        Default::default(),
    );
    let path = dir.path().join("tables.xlsx");
    let options = WorkbookOptions {
        table_rows: 600,
        ..WorkbookOptions::default()
    };
    let stats = workbook::write(&analysis, &path, &[input], &options).unwrap();
    let mut zip = zip::ZipArchive::new(std::fs::File::open(&path).unwrap()).unwrap();
    let mut part = |name: &str| {
        let mut xml = String::new();
        zip.by_name(name).ok()?.read_to_string(&mut xml).unwrap();
        Some(xml)
    };
    let last_col = (b'A' + Column::CLASS_SHEET.len() as u8 - 1) as char;
    let (mut with_table, mut without) = (0, 0);
    let mut class_sheets = Vec::new();
    for (i, (name, rows)) in stats.sheets.iter().enumerate() {
        let is_class = synclint::findings::Class::ALL
            .iter()
            .any(|c| name == c.name() || name.starts_with(&format!("{} (", c.name())));
        if !is_class {
            continue;
        }
        class_sheets.push((name.clone(), *rows));
        let rels = part(&format!("xl/worksheets/_rels/sheet{}.xml.rels", i + 1));
        let table = rels.as_deref().and_then(|rels| {
            let target = rels
                .split("Target=\"../tables/")
                .nth(1)?
                .split('"')
                .next()?;
            part(&format!("xl/tables/{target}"))
        });
        match table {
            Some(table) => {
                assert!(*rows <= 600, "{name}: {rows} rows with a table");
                let range = format!("ref=\"A1:{last_col}{}\"", rows.max(&1) + 1);
                assert_eq!(table.matches(&range).count(), 2, "{name}: {table}");
                with_table += 1;
            }
            None => {
                assert!(*rows > 600, "{name}: {rows} rows without a table");
                without += 1;
            }
        }
    }
    assert!(with_table >= 2 && without >= 1, "{with_table} {without}");
    // Excel's reader side: every row reads back under the header.
    let mut wb: Xlsx<_> = open_workbook(&path).unwrap();
    for (name, rows) in &class_sheets {
        let range = wb.worksheet_range(name).unwrap();
        assert_eq!(range.height(), rows + 1, "{name}");
    }
    let tables = wb.load_tables();
    assert!(tables.is_ok(), "{tables:?}");
}

/// Fifteen users holding one mail address: past the ten holders a note names, rows show the
/// same note, written once in the shared-string table; each row still reads as the finding's
/// own note, redacted or not.
#[test]
fn a_big_group_shares_its_note_and_every_row_reads_its_own() {
    let dir = tempfile::tempdir().unwrap();
    let mut ldif = String::new();
    for i in 0..15 {
        ldif.push_str(&format!(
            "dn: CN=Holder Number{i},OU=Staff,DC=corp,DC=contoso,DC=com\n\
             objectClass: user\nobjectGUID:: {guid}\nuserAccountControl: 512\n\
             sAMAccountName: holder{i}\nuserPrincipalName: holder{i}@contoso.com\n\
             mail: shared.box@contoso.com\n\n",
            guid = base64_guid(i),
        ));
    }
    let input = crate::temp_file(&dir, "group.ldf", ldif.as_bytes());
    let analysis = synclint::analyze::run(
        std::slice::from_ref(&input),
        &Default::default(),
        &Default::default(),
        Default::default(),
    );
    let d = &analysis.ingest.directory;
    let mail: Vec<&synclint::findings::Finding> = analysis
        .findings
        .iter()
        .filter(|f| f.group().is_some() && f.attribute == synclint::directory::Attr::Mail)
        .collect();
    assert_eq!(mail.len(), 15);
    // The first ten holders are named in the others' notes; the last five share one.
    let shared: Vec<_> = mail
        .iter()
        .filter(|f| analysis.findings.shares_note(f).is_some())
        .collect();
    assert_eq!(shared.len(), 5);
    let id = mail[0].group().unwrap();
    let text = analysis.findings.shared_note(d, id).unwrap();
    assert!(
        text.ends_with(&format!(" and 4 more objects (group {id})")),
        "{text}"
    );
    for f in &shared {
        assert_eq!(analysis.findings.note(d, f), text);
    }

    let (xlsx, _) = analyze(dir.path(), std::slice::from_ref(&input));
    let mut wb: Xlsx<_> = open_workbook(&xlsx).unwrap();
    let sheet = wb.worksheet_range("Duplicate").unwrap();
    let header = header_row(&sheet);
    let at = |column: Column| header.iter().position(|h| h == column.header()).unwrap();
    let (dn, attribute, conflicts) = (
        at(Column::Dn),
        at(Column::Attribute),
        at(Column::ConflictsWith),
    );
    let mut checked = 0;
    for row in sheet.rows().skip(1).filter(|r| r[attribute] == "mail") {
        let f = mail
            .iter()
            .find(|f| d.dn.get(f.row as usize) == Some(row[dn].to_string().as_str()))
            .unwrap();
        assert_eq!(row[conflicts].to_string(), analysis.findings.note(d, f));
        checked += 1;
    }
    assert_eq!(checked, 15);
    // Written once: in the shared strings, and in no row's inline text.
    let escaped = text.replace('&', "&amp;");
    assert_eq!(
        part(&xlsx, "xl/sharedStrings.xml")
            .matches(&escaped)
            .count(),
        1
    );
    let xml = sheet_xml(&xlsx);
    let (_, duplicate) = xml.iter().find(|(n, _)| n == "Duplicate").unwrap();
    assert!(!duplicate.contains(&escaped));
    // The ten named holders' notes each leave out their own DN: written inline.
    assert_eq!(duplicate.matches(" and 4 more objects").count(), 10);

    // Redacted: the shared note is the redacted one, the same on the five rows.
    let redacted_dir = dir.path().join("redacted");
    std::fs::create_dir(&redacted_dir).unwrap();
    let (xlsx, _) = crate::analyze_to(
        &redacted_dir,
        "report",
        std::slice::from_ref(&input),
        &["--redact"],
    );
    let mut wb: Xlsx<_> = open_workbook(&xlsx).unwrap();
    let sheet = wb.worksheet_range("Duplicate").unwrap();
    let notes: Vec<String> = sheet
        .rows()
        .skip(1)
        .filter(|r| r[attribute] == "mail")
        .map(|r| r[conflicts].to_string())
        .collect();
    assert_eq!(notes.len(), 15);
    let last = notes.last().unwrap();
    assert_eq!(notes.iter().filter(|n| *n == last).count(), 5);
    assert!(
        last.ends_with(&format!(" and 4 more objects (group {id})")),
        "{last}"
    );
    assert!(
        notes.iter().all(|n| !n.contains("Holder Number")),
        "{notes:?}"
    );
}

/// A distinct objectGUID for user `i`, base64.
fn base64_guid(i: u8) -> String {
    use base64::Engine;
    base64::engine::general_purpose::STANDARD.encode([i; 16])
}

#[test]
fn source_names_the_file_unless_two_inputs_share_its_name() {
    let root = tempfile::tempdir().unwrap();
    let run = |inputs: &[(&str, &str)], xlsx: &str, out_of_scope_rows: bool| {
        for (sample_name, path) in inputs {
            let to = root.path().join(path);
            std::fs::create_dir_all(to.parent().unwrap()).unwrap();
            std::fs::copy(sample(sample_name), to).unwrap();
        }
        let out = Command::new(env!("CARGO_BIN_EXE_synclint"))
            .current_dir(root.path())
            .args(["analyze", "-q", "--fail-on", "never", "-o", xlsx])
            .args(inputs.iter().map(|(_, path)| path))
            .output()
            .unwrap();
        crate::assert_succeeded(&out);
        let path = root.path().join(xlsx);
        let mut sources: Vec<String> = crate::review::finding_rows(&path)
            .iter()
            .map(|r| r.get("Source").to_string())
            .collect();
        // Out of scope names the file the same way (fabrikam.csv has an object out of scope).
        let mut wb: Xlsx<_> = open_workbook(&path).unwrap();
        let out_of_scope = wb.worksheet_range("Out of scope").unwrap();
        let header: Vec<String> = out_of_scope
            .rows()
            .next()
            .unwrap()
            .iter()
            .map(|c| c.to_string())
            .collect();
        let source = header.iter().position(|h| h == "Source").unwrap();
        let before = sources.len();
        sources.extend(out_of_scope.rows().skip(1).map(|r| r[source].to_string()));
        assert_eq!(
            sources.len() > before,
            out_of_scope_rows,
            "objects out of scope"
        );
        let mut files: Vec<String> = sources
            .iter()
            .map(|s| s.rsplit_once(':').unwrap().0.to_string())
            .collect();
        files.sort();
        files.dedup();
        files
    };
    // Different names: the name alone, without the folders given on the command line.
    assert_eq!(
        run(
            &[
                ("contoso.ldf", "exports/contoso.ldf"),
                ("fabrikam.csv", "other/fabrikam.csv")
            ],
            "names.xlsx",
            true
        ),
        ["contoso.ldf", "fabrikam.csv"]
    );
    // The same name in two folders: each keeps its path, or the rows could not be told apart.
    assert_eq!(
        run(
            &[
                ("contoso.ldf", "north/export.ldf"),
                ("fixable.ldf", "south/export.ldf")
            ],
            "paths.xlsx",
            false
        ),
        ["north/export.ldf", "south/export.ldf"]
    );
}
