//! Closing the loop: analyze → review the workbook (here, programmatically) → fix → apply the
//! LDIF with a small test-only applier → re-analyze; the undo file restores the originals;
//! invalid, colliding and stale edits are refused; baselines report new and resolved findings.

use base64::Engine;
use calamine::{open_workbook, Data, Reader, Xlsx};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

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

/// Applies `changetype: modify` records (replace/add/delete with values) to `records`.
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
                    match mode.as_str() {
                        "replace" | "add" => record.1.push((attr.to_string(), value, false)),
                        _ => {
                            let before = record.1.len();
                            record
                                .1
                                .retain(|(n, v, _)| !(n.eq_ignore_ascii_case(attr) && *v == value));
                            assert_eq!(
                                record.1.len() + 1,
                                before,
                                "delete of a value that is not there: {value}"
                            );
                        }
                    }
                }
            }
        }
    }
}

/// Values of every record as attribute → sorted values, for comparison.
fn values(records: &[Record]) -> BTreeMap<String, BTreeMap<String, Vec<String>>> {
    records
        .iter()
        .map(|(dn, attrs)| {
            let mut m: BTreeMap<String, Vec<String>> = BTreeMap::new();
            for (n, v, _) in attrs {
                m.entry(n.to_lowercase()).or_default().push(v.clone());
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
    // (SL901 flags the same UPN as SL101: it is named in that row's note, not a row.)
    for code in ["SL101", "SL302", "SL401", "SL404"] {
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
    let mut fixed = original.clone();
    apply(&mut fixed, &text);
    let fixed_path = dir.path().join("fixed.ldf");
    std::fs::write(&fixed_path, render(&fixed)).unwrap();
    let (_, after) = analyze(
        dir.path(),
        "after",
        &fixed_path,
        Some(&dir.path().join("before.json")),
    );
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
