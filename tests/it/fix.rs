//! Closing the loop: analyze → review the workbook (here, programmatically) → fix → apply the
//! LDIF with a small test-only applier → re-analyze; the undo file restores the originals;
//! invalid, colliding and stale edits are refused; baselines report new and resolved findings.

use base64::Engine;
use calamine::{open_workbook, Data, Reader, Xlsx};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use synclint::generate::writer::{csvde_file, ExportObject};
use synclint::generate::GenerateOptions;
use synclint::ingest::Format;

/// samples/fixable.ldf: two users, one with a UPN, an alias and proxies to repair.
fn fixture() -> String {
    std::fs::read_to_string(crate::sample("fixable.ldf")).unwrap()
}

fn synclint(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_synclint"))
        .args(args)
        .output()
        .unwrap()
}

fn s(p: &Path) -> &str {
    p.to_str().unwrap()
}

fn decode(b64: &str) -> String {
    String::from_utf8(
        base64::engine::general_purpose::STANDARD
            .decode(b64)
            .unwrap(),
    )
    .unwrap()
}

/// A minimal LDIF model for the test applier: records of (attribute, value, base64?).
type Record = (String, Vec<(String, String, bool)>);

fn parse(text: &str) -> Vec<Record> {
    let text = text.replace("\r\n ", ""); // unfold continuation lines (RFC 2849)
    let mut out = Vec::new();
    for block in text.split("\r\n\r\n").filter(|b| !b.trim().is_empty()) {
        let mut dn = String::new();
        let mut attrs = Vec::new();
        for line in block.split("\r\n").filter(|l| !l.is_empty()) {
            let Some((name, rest)) = line.split_once(':') else {
                attrs.push((line.to_string(), String::new(), false)); // the `-` separator
                continue;
            };
            let (b64, value) = match rest.strip_prefix(':') {
                Some(v) => (true, v.trim().to_string()),
                None => (false, rest.trim_start().to_string()),
            };
            if name == "dn" {
                dn = if b64 { decode(&value) } else { value };
            } else {
                attrs.push((name.to_string(), value, b64));
            }
        }
        out.push((dn, attrs));
    }
    out
}

fn render(records: &[Record]) -> String {
    let mut out = String::new();
    for (dn, attrs) in records {
        out.push_str(&format!("dn: {dn}\r\n"));
        for (n, v, b64) in attrs {
            out.push_str(&format!("{n}:{} {v}\r\n", if *b64 { ":" } else { "" }));
        }
        out.push_str("\r\n");
    }
    out
}

/// The bytes of a stored value (base64-decoded if it was written so).
fn bytes_of(value: &str, b64: bool) -> Vec<u8> {
    if b64 {
        base64::engine::general_purpose::STANDARD
            .decode(value)
            .unwrap()
    } else {
        value.as_bytes().to_vec()
    }
}

/// Whether two values are equal for Active Directory, which compares text ignoring case.
fn same_ignoring_case(a: &[u8], b: &str) -> bool {
    String::from_utf8_lossy(a).to_lowercase() == b.to_lowercase()
}

/// Applies `changetype: modify` records (replace/add/delete with values) to `records`, as
/// Active Directory does: an `add:` of a value equal ignoring case to one the object holds
/// fails ("attribute or value exists"), and a `delete:` removes the value equal ignoring case;
/// here it must also be the very same bytes and the only match, or the test fails (Samba
/// accepts such an add, and its delete then removed the primary address it matched).
fn apply(records: &mut [Record], changes: &str) {
    for (dn, lines) in parse(changes) {
        let record = records
            .iter_mut()
            .find(|(d, _)| d.eq_ignore_ascii_case(&dn))
            .expect("record to modify");
        let mut mode = String::new();
        let mut target = String::new();
        for (name, value, b64) in lines {
            let value = if b64 { decode(&value) } else { value };
            match name.as_str() {
                "changetype" => assert_eq!(value, "modify"),
                "replace" | "add" | "delete" => {
                    mode = name.clone();
                    target = value;
                    if mode == "replace" {
                        record
                            .1
                            .retain(|(n, _, _)| !n.eq_ignore_ascii_case(&target));
                    }
                }
                "-" => {}
                attr => {
                    assert!(
                        attr.eq_ignore_ascii_case(&target),
                        "{attr} under {mode}: {target}"
                    );
                    let matching: Vec<usize> = (0..record.1.len())
                        .filter(|i| {
                            let (n, v, b64) = &record.1[*i];
                            n.eq_ignore_ascii_case(attr)
                                && same_ignoring_case(&bytes_of(v, *b64), &value)
                        })
                        .collect();
                    match mode.as_str() {
                        "replace" | "add" => {
                            assert!(
                                mode == "replace" || matching.is_empty(),
                                "{dn}: add of {value:?}: attribute or value exists"
                            );
                            let encoded = base64::engine::general_purpose::STANDARD.encode(&value);
                            record.1.push((attr.to_string(), encoded, true));
                        }
                        _ => {
                            assert_eq!(
                                matching.len(),
                                1,
                                "{dn}: delete of {value:?} matches {} values ignoring case",
                                matching.len()
                            );
                            let (_, v, b64) = record.1.remove(matching[0]);
                            assert_eq!(
                                bytes_of(&v, b64),
                                value.as_bytes(),
                                "{dn}: delete of {value:?} removed another value"
                            );
                        }
                    }
                }
            }
        }
    }
}

/// Values of every record as attribute → sorted values (their bytes), for comparison.
fn values(records: &[Record]) -> BTreeMap<String, BTreeMap<String, Vec<Vec<u8>>>> {
    records
        .iter()
        .map(|(dn, attrs)| {
            let mut m: BTreeMap<String, Vec<Vec<u8>>> = BTreeMap::new();
            for (n, v, b64) in attrs {
                m.entry(n.to_lowercase())
                    .or_default()
                    .push(bytes_of(v, *b64));
            }
            m.values_mut().for_each(|v| v.sort());
            (dn.clone(), m)
        })
        .collect()
}

fn cell(c: &Data) -> String {
    match c {
        Data::Empty => String::new(),
        Data::String(s) => s.clone(),
        Data::Float(f) if f.fract() == 0.0 => format!("{}", *f as i64),
        other => other.to_string(),
    }
}

/// The reviewer: copies the workbook, setting Action and Update on class sheets with `review`
/// (given rule, value, suggested value; returns the action and the update).
fn review(original: &Path, reviewed: &Path, review: impl Fn(&str, &str, &str) -> (String, String)) {
    let mut input: Xlsx<_> = open_workbook(original).unwrap();
    let mut out = rust_xlsxwriter::Workbook::new();
    for name in input.sheet_names() {
        let range = input.worksheet_range(&name).unwrap();
        let ws = out.add_worksheet();
        ws.set_name(&name).unwrap();
        let mut rows = range.rows();
        let header: Vec<String> = rows
            .next()
            .map(|r| r.iter().map(cell).collect())
            .unwrap_or_default();
        let col = |n: &str| header.iter().position(|h| h == n);
        let class_sheet = col("Action").is_some() && col("Update").is_some();
        for (c, h) in header.iter().enumerate() {
            ws.write_string(0, c as u16, h).unwrap();
        }
        for (r, row) in rows.enumerate() {
            let mut cells: Vec<String> = row.iter().map(cell).collect();
            if class_sheet {
                let (a, u) = (col("Action").unwrap(), col("Update").unwrap());
                let (action, update) = review(
                    &cells[col("Rule").unwrap()],
                    &cells[col("Value").unwrap()],
                    &cells[col("Suggested value").unwrap()],
                );
                cells[a] = action;
                cells[u] = update;
            }
            for (c, v) in cells.iter().enumerate() {
                if !v.is_empty() {
                    ws.write_string(r as u32 + 1, c as u16, v).unwrap();
                }
            }
        }
    }
    out.save(reviewed).unwrap();
}

fn analyze(
    dir: &Path,
    name: &str,
    input: &Path,
    baseline: Option<&Path>,
) -> (PathBuf, serde_json::Value) {
    let extra: Vec<&str> = baseline.map_or(vec![], |b| vec!["--baseline", s(b)]);
    crate::analyze_to(dir, name, &[input.to_path_buf()], &extra)
}

/// `synclint fix REVIEWED -o CHANGES --undo UNDO --strict EXTRA…`
fn fix_strict(reviewed: &Path, changes: &Path, undo: &Path, extra: &[&str]) -> Output {
    let mut args = vec![
        "fix",
        s(reviewed),
        "-o",
        s(changes),
        "--undo",
        s(undo),
        "--strict",
    ];
    args.extend(extra);
    synclint(&args)
}

/// Applies `changes` to `original`, writes the result as DIR/fixed.ldf and analyzes it against
/// DIR/before.json; returns the changed records and the new summary.
fn apply_and_analyze(
    dir: &Path,
    original: &[Record],
    changes: &str,
) -> (Vec<Record>, serde_json::Value) {
    let mut fixed = original.to_vec();
    apply(&mut fixed, changes);
    let fixed_path = dir.join("fixed.ldf");
    std::fs::write(&fixed_path, render(&fixed)).unwrap();
    let (_, after) = analyze(dir, "after", &fixed_path, Some(&dir.join("before.json")));
    (fixed, after)
}

#[test]
fn review_fix_apply_reanalyze_and_undo() {
    let dir = tempfile::tempdir().unwrap();
    let export = dir.path().join("export.ldf");
    std::fs::write(&export, fixture()).unwrap();
    let (xlsx, before) = analyze(dir.path(), "before", &export, None);
    let rules: Vec<&str> = before["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["rule"].as_str().unwrap())
        .collect();
    for code in ["SL101", "SL302", "SL401", "SL404", "SL901"] {
        assert!(rules.contains(&code), "{code} in {rules:?}");
    }

    // The reviewer accepts every suggestion and removes the onmicrosoft.com address.
    let reviewed = dir.path().join("reviewed.xlsx");
    review(&xlsx, &reviewed, |rule, _, suggested| {
        match (rule, suggested) {
            ("SL404", _) => ("REMOVE".into(), String::new()),
            (_, s) if !s.is_empty() => ("EDIT".into(), s.to_string()),
            _ => ("COMPLETE".into(), String::new()),
        }
    });
    let changes = dir.path().join("changes.ldf");
    let undo = dir.path().join("undo.ldf");
    let out = synclint(&["fix", s(&reviewed), "-o", s(&changes), "--undo", s(&undo)]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = std::fs::read_to_string(&changes).unwrap();
    assert!(text.contains("changetype: modify\r\n"));
    assert!(
        text.contains("replace: userPrincipalName\r\nuserPrincipalName: john@contoso.com\r\n-\r\n"),
        "{text}"
    );
    assert!(text.contains("delete: proxyAddresses\r\nproxyAddresses: smtp:john doe@contoso.com\r\n-\r\nadd: proxyAddresses\r\nproxyAddresses: smtp:johndoe@contoso.com\r\n-\r\n"), "{text}");
    assert!(text.contains(
        "delete: proxyAddresses\r\nproxyAddresses: smtp:john@contoso.onmicrosoft.com\r\n-\r\n"
    ));

    // Apply to the original export and analyze again: the targeted findings are gone, none new.
    let original = parse(&fixture());
    let (fixed, after) = apply_and_analyze(dir.path(), &original, &text);
    assert_eq!(after["changes"]["new"], 0, "{}", after["items"]);
    assert_eq!(after["findings"]["total"], 0, "{}", after["items"]);
    assert_eq!(after["changes"]["resolved"], before["findings"]["total"]);

    // The undo file restores the original values.
    let mut restored = fixed.clone();
    apply(&mut restored, &std::fs::read_to_string(&undo).unwrap());
    assert_eq!(values(&restored), values(&original));
}

#[test]
fn invalid_colliding_and_stale_edits_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let export = dir.path().join("export.ldf");
    std::fs::write(&export, fixture()).unwrap();
    let (xlsx, _) = analyze(dir.path(), "before", &export, None);
    let reviewed = dir.path().join("reviewed.xlsx");
    review(&xlsx, &reviewed, |rule, _, suggested| match rule {
        "SL101" => ("EDIT".into(), "jane@contoso.com".into()), // collides with Jane's UPN
        "SL302" => ("EDIT".into(), "r d".into()),              // still invalid
        "SL401" => ("EDIT".into(), suggested.to_string()),     // fine
        _ => (String::new(), String::new()),
    });
    let changes = dir.path().join("changes.ldf");
    let out = synclint(&["fix", s(&reviewed), "-o", s(&changes)]);
    assert!(out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("\"jane@contoso.com\" collides with an existing value of CN=Jane Roe"),
        "{err}"
    );
    assert!(err.contains("\"r d\" would break SL301"), "{err}");
    assert!(err.contains("1 changes to 1 objects"), "{err}");
    let text = std::fs::read_to_string(&changes).unwrap();
    assert!(!text.contains("userPrincipalName") && !text.contains("mailNickname"));

    // --strict: nothing written, exit 1.
    let strict = dir.path().join("strict.ldf");
    let out = synclint(&["fix", s(&reviewed), "-o", s(&strict), "--strict"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(!strict.exists());

    // The export changed after the workbook was made: refused without --export …
    let changed = fixture().replace("smtp:john doe@contoso.com", "smtp:john.doe@contoso.com");
    std::fs::write(&export, &changed).unwrap();
    let out = synclint(&["fix", s(&reviewed), "-o", s(&changes)]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("changed since the workbook was made"));
    // … and with it, the edit whose original value is gone is refused.
    let out = synclint(&[
        "fix",
        s(&reviewed),
        "-o",
        s(&changes),
        "--export",
        s(&export),
    ]);
    assert!(out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr)
        .contains("\"smtp:john doe@contoso.com\" is no longer in the export"));
}

#[test]
fn a_second_export_reports_exactly_its_changes() {
    let dir = tempfile::tempdir().unwrap();
    let first = dir.path().join("first.ldf");
    std::fs::write(&first, fixture()).unwrap();
    let (_, before) = analyze(dir.path(), "first", &first, None);
    // Known changes: the alias is fixed (SL302 resolved); Jane gets a bad proxy (SL401 new).
    let second = dir.path().join("second.ldf");
    let text = fixture()
        .replace("mailNickname: r&d", "mailNickname: rd")
        .replace(
        "proxyAddresses: SMTP:jane@contoso.com\r\n",
        "proxyAddresses: SMTP:jane@contoso.com\r\nproxyAddresses: smtp:jane roe@contoso.com\r\n",
    );
    std::fs::write(&second, text).unwrap();
    let (xlsx, after) = analyze(
        dir.path(),
        "second",
        &second,
        Some(&dir.path().join("first.json")),
    );
    assert_eq!(after["changes"]["new"], 1);
    assert_eq!(after["changes"]["resolved"], 1);
    assert_eq!(
        after["changes"]["unchanged"].as_u64().unwrap(),
        before["findings"]["total"].as_u64().unwrap() - 1
    );
    let mut wb: Xlsx<_> = open_workbook(&xlsx).unwrap();
    assert_eq!(wb.sheet_names()[1], "Changes");
    let changes = wb.worksheet_range("Changes").unwrap();
    let rows: Vec<(String, String)> = changes
        .rows()
        .skip(1)
        .map(|r| (cell(&r[0]), cell(&r[1])))
        .collect();
    assert_eq!(
        rows,
        [
            ("new".to_string(), "SL401".to_string()),
            ("resolved".to_string(), "SL302".to_string())
        ]
    );
}

/// The SG-Legal-ReadOnly shape: a primary address and a secondary that differs from it only
/// by a colon. The corrected secondary is the primary ignoring case, so the recommendation is
/// REMOVE: an EDIT to it is refused (Active Directory would refuse the add, and the undo's
/// delete would match the primary), a REMOVE deletes the exact value and its undo restores it.
#[test]
fn a_corrected_value_the_object_already_holds_is_removed_never_added() {
    let dir = tempfile::tempdir().unwrap();
    let export = dir.path().join("export.ldf");
    let group = "dn: CN=SG-Legal-ReadOnly,OU=Groups,DC=contoso,DC=com\r\n\
        objectClass: top\r\nobjectClass: group\r\ncn: SG-Legal-ReadOnly\r\n\
        objectGUID:: ICEiIyQlJicoKSorLC0uLw==\r\nsAMAccountName: SG-Legal-ReadOnly\r\n\
        mail: sg-legal-readonly@contoso.com\r\nmailNickname: sg-legal-readonly\r\n\
        proxyAddresses: SMTP:sg-legal-readonly@contoso.com\r\n\
        proxyAddresses: smtp:sg-legal:-readonly@contoso.com\r\n\
        proxyAddresses: smtp:sg legal@contoso.com\r\n\
        proxyAddresses: smtp:SG LEGAL@contoso.com\r\n\r\n";
    let text = format!("{}{group}", fixture());
    std::fs::write(&export, &text).unwrap();
    let (xlsx, before) = analyze(dir.path(), "before", &export, None);
    let colon = "smtp:sg-legal:-readonly@contoso.com";
    let item = before["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["value"] == colon)
        .expect("the colon address is reported");
    assert_eq!(item["rule"], "SL402");

    // Typing the corrected address as an EDIT is refused, with what to do instead; so is a
    // change to one of two values that are equal ignoring case.
    let reviewed = dir.path().join("edit.xlsx");
    review(&xlsx, &reviewed, |rule, value, suggested| {
        assert!(
            value != colon || suggested.is_empty(),
            "no suggestion may duplicate the primary: {suggested}"
        );
        match (rule, value) {
            ("SL402", _) => ("EDIT".into(), "smtp:sg-legal-readonly@contoso.com".into()),
            ("SL401", "smtp:sg legal@contoso.com") => ("REMOVE".into(), String::new()),
            _ => (String::new(), String::new()),
        }
    });
    let changes = dir.path().join("edit.ldf");
    let out = synclint(&["fix", s(&reviewed), "-o", s(&changes)]);
    assert!(out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("the object already holds \"SMTP:sg-legal-readonly@contoso.com\", equal to \"smtp:sg-legal-readonly@contoso.com\" ignoring case")
            && err.contains("REMOVE \"smtp:sg-legal:-readonly@contoso.com\" instead"),
        "{err}"
    );
    assert!(
        err.contains("the object also holds \"smtp:SG LEGAL@contoso.com\", equal to \"smtp:sg legal@contoso.com\" ignoring case"),
        "{err}"
    );
    assert!(!std::fs::read_to_string(&changes)
        .unwrap()
        .contains("proxyAddresses"));

    // REMOVE, as recommended: the exact value goes, and the undo puts back the exact value.
    let reviewed = dir.path().join("remove.xlsx");
    review(&xlsx, &reviewed, |rule, _, _| match rule {
        "SL402" => ("REMOVE".into(), String::new()),
        _ => (String::new(), String::new()),
    });
    let undo = dir.path().join("undo.ldf");
    let out = fix_strict(&reviewed, &changes, &undo, &[]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let change_text = std::fs::read_to_string(&changes).unwrap();
    assert!(
        change_text.contains("delete: proxyAddresses\r\nproxyAddresses: smtp:sg-legal:-readonly@contoso.com\r\n-\r\n"),
        "{change_text}"
    );
    let original = parse(&text);
    let (fixed, after) = apply_and_analyze(dir.path(), &original, &change_text);
    assert_eq!(after["changes"]["new"], 0, "{}", after["items"]);
    assert_eq!(after["changes"]["resolved"], 1);
    let mut restored = fixed;
    apply(&mut restored, &std::fs::read_to_string(&undo).unwrap());
    assert_eq!(values(&restored), values(&original));
}

/// Issue 14, point 7: the profile that decides whether a rule runs decides it for `fix` too.
/// `$` is valid in a UPN for IdFix Dedicated (which analyze follows under that profile), so
/// fix accepts it there and refuses it under Entra's rules.
#[test]
fn fix_validates_under_the_profile_analyze_used() {
    let dir = tempfile::tempdir().unwrap();
    let export = dir.path().join("export.ldf");
    std::fs::write(&export, fixture()).unwrap();
    let (xlsx, _) = analyze(dir.path(), "before", &export, None);
    let reviewed = dir.path().join("reviewed.xlsx");
    review(&xlsx, &reviewed, |rule, _, _| match rule {
        "SL101" => ("EDIT".into(), "jo$hn@contoso.com".into()),
        _ => (String::new(), String::new()),
    });
    let changes = dir.path().join("changes.ldf");
    let out = synclint(&["fix", s(&reviewed), "-o", s(&changes)]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("\"jo$hn@contoso.com\" would break SL101"),
        "{err}"
    );
    let out = synclint(&[
        "fix",
        s(&reviewed),
        "-o",
        s(&changes),
        "--profile",
        "idfix-dedicated",
        "--strict",
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(std::fs::read_to_string(&changes)
        .unwrap()
        .contains("userPrincipalName: jo$hn@contoso.com\r\n"));
    // And analyze under that profile has nothing to say about the new UPN.
    let mut fixed = parse(&fixture());
    apply(&mut fixed, &std::fs::read_to_string(&changes).unwrap());
    let fixed_path = dir.path().join("fixed.ldf");
    std::fs::write(&fixed_path, render(&fixed)).unwrap();
    let (_, after) = crate::analyze_to(
        dir.path(),
        "after",
        &[fixed_path],
        &["--profile", "idfix-dedicated"],
    );
    let upn_findings: Vec<&serde_json::Value> = after["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|i| i["attribute"] == "userPrincipalName")
        .collect();
    assert!(upn_findings.is_empty(), "{upn_findings:?}");
}

/// Binary attributes of the generated exports (written as hex by csvde).
const BINARY: [&str; 4] = [
    "objectGUID",
    "objectSid",
    "userCertificate",
    "thumbnailPhoto",
];

/// The records as export objects, to write them in csvde's format.
fn objects(records: &[Record]) -> Vec<ExportObject> {
    records
        .iter()
        .map(|(dn, attrs)| {
            let mut o = ExportObject::new(dn.clone());
            for (n, v, b64) in attrs.iter().filter(|(n, _, _)| n != "changetype") {
                let bytes = bytes_of(v, *b64);
                if BINARY.iter().any(|b| b.eq_ignore_ascii_case(n)) {
                    o.binary(n, bytes);
                } else {
                    o.text(n, String::from_utf8(bytes).unwrap());
                }
            }
            o
        })
        .collect()
}

/// Issue 23's loop on a generated export with planted problems: every suggestion accepted,
/// `fix --strict` (nothing refused), the change file applied as Active Directory would,
/// re-analyzed against the first run: no new finding; the undo file then restores every value
/// byte for byte.
fn every_suggestion_applied(format: Format, extra: &[&str]) {
    let dir = tempfile::tempdir().unwrap();
    let generate = |format: Format| {
        let options = GenerateOptions {
            objects: 3000,
            planted: true,
            format,
            ..GenerateOptions::default()
        };
        let mut bytes = Vec::new();
        synclint::generate::generate(&options, &mut bytes).unwrap();
        String::from_utf8(bytes).unwrap()
    };
    let name = |stem: &str| match format {
        Format::Ldif => format!("{stem}.ldf"),
        Format::Csvde => format!("{stem}.csv"),
    };
    let export = dir.path().join(name("export"));
    std::fs::write(&export, generate(format)).unwrap();
    let (xlsx, before) =
        crate::analyze_to(dir.path(), "before", std::slice::from_ref(&export), extra);
    let reviewed = dir.path().join("reviewed.xlsx");
    review(&xlsx, &reviewed, |_, _, suggested| {
        if suggested.is_empty() {
            (String::new(), String::new())
        } else {
            ("EDIT".into(), suggested.to_string())
        }
    });
    let changes = dir.path().join("changes.ldf");
    let undo = dir.path().join("undo.ldf");
    let out = fix_strict(&reviewed, &changes, &undo, extra);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let change_text = std::fs::read_to_string(&changes).unwrap();
    let edits = change_text.matches("changetype: modify").count();
    assert!(edits >= 50, "{edits} objects changed");

    // The same objects in LDIF, changed as Active Directory would, written back in the
    // export's format and analyzed against the first run.
    let original = parse(&generate(Format::Ldif));
    let mut fixed = original.clone();
    apply(&mut fixed, &change_text);
    let fixed_path = dir.path().join(name("fixed"));
    let fixed_text = match format {
        Format::Ldif => render(&fixed),
        Format::Csvde => csvde_file(&objects(&fixed)),
    };
    std::fs::write(&fixed_path, fixed_text).unwrap();
    let baseline = dir.path().join("before.json");
    let mut args = extra.to_vec();
    args.extend(["--baseline", s(&baseline)]);
    let (_, after) = crate::analyze_to(dir.path(), "after", &[fixed_path], &args);
    let new: Vec<&serde_json::Value> = after["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|i| {
            !before["items"]
                .as_array()
                .unwrap()
                .iter()
                .any(|b| b["id"] == i["id"])
        })
        .collect();
    assert_eq!(after["changes"]["new"], 0, "{new:#?}");
    let suggested =
        before["items"].as_array().unwrap().len() - after["items"].as_array().unwrap().len();
    assert!(suggested >= 50, "{suggested} findings resolved");

    let mut restored = fixed;
    apply(&mut restored, &std::fs::read_to_string(&undo).unwrap());
    assert_eq!(values(&restored), values(&original));
}

#[test]
fn every_suggestion_applied_to_a_planted_ldif_export_raises_nothing_new() {
    every_suggestion_applied(Format::Ldif, &[]);
}

#[test]
fn every_suggestion_applied_to_a_planted_csvde_export_raises_nothing_new() {
    every_suggestion_applied(Format::Csvde, &[]);
}

/// With a suffix map, most users get UPN, mail and proxy suggestions at once.
#[test]
fn every_suggestion_applied_with_a_suffix_map_raises_nothing_new() {
    every_suggestion_applied(
        Format::Ldif,
        &["--suffix-map", "fabrikam.local=fabrikam.com"],
    );
}
