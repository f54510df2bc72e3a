//! Closing the loop: analyze → review the workbook (here, programmatically) → fix → apply the
//! LDIF with a small test-only applier → re-analyze; the undo file restores the originals;
//! invalid, colliding and stale edits are refused; baselines report new and resolved findings.

use crate::review::{cell, finding_rows, review, FindingRow, Ldif};
use calamine::{open_workbook, Reader, Xlsx};
use std::collections::{BTreeSet, HashMap};
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use synclint::generate::writer::{csvde_file, powershell_file};
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

/// Applies `changes` to `original`, writes the result to `dir/fixed.ldf` and analyzes it with
/// `dir/before.json` as the baseline; returns the fixed export and the new summary.
fn apply_and_reanalyze(dir: &Path, original: &Ldif, changes: &str) -> (Ldif, serde_json::Value) {
    let mut fixed = original.clone();
    assert_eq!(fixed.apply(changes), operations(changes).len());
    let fixed_path = dir.join("fixed.ldf");
    std::fs::write(&fixed_path, fixed.render()).unwrap();
    let (_, after) = analyze(dir, "after", &fixed_path, Some(&dir.join("before.json")));
    (fixed, after)
}

/// Applying the undo file to `fixed` gives back every value of `original`, byte for byte.
fn assert_undo_restores(mut fixed: Ldif, undo: &Path, original: &Ldif) {
    fixed.apply(&std::fs::read_to_string(undo).unwrap());
    assert_eq!(fixed.values(), original.values());
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
    for code in ["SL101", "SL302", "SL401", "SL404", "SL901"] {
        assert!(rules.contains(&code), "{code} in {rules:?}");
    }

    // The reviewer accepts every suggestion and removes the onmicrosoft.com address.
    let reviewed = dir.path().join("reviewed.xlsx");
    review(&xlsx, &reviewed, |row| {
        Some(match (row.get("Rule"), row.get("Suggested value")) {
            ("SL404", _) => ("REMOVE".into(), String::new()),
            (_, s) if !s.is_empty() => ("EDIT".into(), s.to_string()),
            _ => ("COMPLETE".into(), String::new()),
        })
    });
    let changes = dir.path().join("changes.ldf");
    let undo = dir.path().join("undo.ldf");
    let out = synclint(&["fix", s(&reviewed), "-o", s(&changes), "--undo", s(&undo)]);
    crate::assert_succeeded(&out);
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
    let original = Ldif::parse(&fixture());
    let (fixed, after) = apply_and_reanalyze(dir.path(), &original, &text);
    assert_eq!(after["changes"]["new"], 0, "{}", after["items"]);
    assert_eq!(after["findings"]["total"], 0, "{}", after["items"]);
    assert_eq!(after["changes"]["resolved"], before["findings"]["total"]);

    // The undo file restores the original values.
    assert_undo_restores(fixed, &undo, &original);
}

#[test]
fn invalid_colliding_and_stale_edits_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let export = dir.path().join("export.ldf");
    std::fs::write(&export, fixture()).unwrap();
    let (xlsx, _) = analyze(dir.path(), "before", &export, None);
    let reviewed = dir.path().join("reviewed.xlsx");
    review(&xlsx, &reviewed, |row| match row.get("Rule") {
        "SL101" => Some(("EDIT".into(), "jane@contoso.com".into())), // collides with Jane's UPN
        "SL302" => Some(("EDIT".into(), "r d".into())),              // still invalid
        "SL401" => Some(("EDIT".into(), row.get("Suggested value").into())), // fine
        _ => None,
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
    assert!(err.contains("1 change to 1 object written"), "{err}");
    // Refused rows are summed up by reason and listed in a CSV beside the change file.
    assert!(err.contains("2 rows refused, listed in"), "{err}");
    let refused = std::fs::read_to_string(dir.path().join("changes-refused.csv")).unwrap();
    assert!(
        refused.starts_with("\u{feff}sheet,row,dn,attribute,value,action,update,refusal,reason\n"),
        "{refused}"
    );
    assert_eq!(refused.lines().count(), 3, "{refused}");
    assert!(
        refused.contains("new value would break a rule"),
        "{refused}"
    );
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
    assert_eq!(wb.sheet_names()[2], "Changes");
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

/// `synclint generate --objects 3000 --plant-issues` (the default seed) into `dir`.
fn planted(dir: &Path) -> PathBuf {
    let export = dir.join("planted.ldf");
    let out = synclint(&[
        "generate",
        "--objects",
        "3000",
        "--plant-issues",
        "-o",
        s(&export),
    ]);
    assert!(out.status.success());
    export
}

/// The modify operations (`replace:`, `add:`, `delete:` lines) of a change file.
fn operations(ldif: &str) -> Vec<String> {
    ldif.lines()
        .filter(|l| {
            l.starts_with("replace: ") || l.starts_with("add: ") || l.starts_with("delete: ")
        })
        .map(str::to_string)
        .collect()
}

#[test]
fn an_untouched_workbook_changes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let export = planted(dir.path());
    let (xlsx, summary) = analyze(dir.path(), "planted", &export, None);
    let total = summary["findings"]["total"].as_u64().unwrap();
    assert!(total > 2000, "{total}");

    // Action is empty on every row; Recommended says what synclint recommends; Update holds
    // the suggested value.
    let rows = finding_rows(&xlsx);
    assert_eq!(rows.len() as u64, total);
    let mut recommended: BTreeSet<&str> = BTreeSet::new();
    for r in &rows {
        assert_eq!(r.get("Action"), "", "{} row {}", r.sheet, r.line);
        assert_eq!(r.get("Update"), r.get("Suggested value"));
        assert!(
            synclint::findings::RECOMMENDATIONS.contains(&r.get("Recommended")),
            "{:?}",
            r.get("Recommended")
        );
        recommended.insert(r.get("Recommended"));
        if !r.get("Group").is_empty() {
            assert!(r.get("Recommended").starts_with("keep on one holder"));
        }
    }
    assert_eq!(
        recommended.len(),
        synclint::findings::RECOMMENDATIONS.len(),
        "the planted export needs every recommendation: {recommended:?}"
    );

    let changes = dir.path().join("changes.ldf");
    let undo = dir.path().join("undo.ldf");
    let out = synclint(&["fix", s(&xlsx), "-o", s(&changes), "--undo", s(&undo)]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{err}");
    assert!(
        err.contains(&format!(
            "no actions chosen in {} rows",
            synclint::text::count(total)
        )),
        "{err}"
    );
    let text = std::fs::read_to_string(&changes).unwrap();
    assert!(
        !text.contains("dn:") && operations(&text).is_empty(),
        "{text}"
    );
    assert!(!std::fs::read_to_string(&undo).unwrap().contains("dn:"));
}

/// The object's record in a change file: its comment lines and the record itself.
fn record_of<'a>(ldif: &'a str, dn: &str) -> &'a str {
    use base64::Engine;
    let b64 = base64::engine::general_purpose::STANDARD.encode(dn);
    ldif.split("\r\n\r\n")
        .find(|r| {
            r.lines()
                .any(|l| l == format!("dn: {dn}") || l == format!("dn:: {b64}"))
        })
        .unwrap_or_else(|| panic!("no record for {dn} in {ldif}"))
}

#[test]
fn exactly_the_chosen_rows_change_and_resolve() {
    let dir = tempfile::tempdir().unwrap();
    let export = planted(dir.path());
    let (xlsx, before) = analyze(dir.path(), "before", &export, None);
    let rows = finding_rows(&xlsx);
    let first = |rule: &str, value_prefix: &str| -> FindingRow {
        rows.iter()
            .find(|r| {
                r.get("Rule") == rule
                    && r.get("Group").is_empty()
                    && r.get("Value").starts_with(value_prefix)
            })
            .unwrap_or_else(|| panic!("no {rule} row"))
            .clone()
    };
    // An accepted suggestion (EDIT with the prefilled Update), one proxy removed (a secondary
    // .local address nobody else holds), a value typed by the reviewer (a logon name).
    let accepted = first("SL302", "");
    assert!(!accepted.get("Update").is_empty());
    let removed = first("SL407", "smtp:");
    let typed = first("SL501", "");
    let typed_value = "oneil.typed";
    let chosen = [
        (accepted.clone(), "EDIT", accepted.get("Update").to_string()),
        (removed.clone(), "REMOVE", String::new()),
        (typed.clone(), "EDIT", typed_value.to_string()),
    ];
    let reviewed = dir.path().join("reviewed.xlsx");
    review(&xlsx, &reviewed, |row| {
        chosen
            .iter()
            .find(|(c, _, _)| c.sheet == row.sheet && c.line == row.line)
            .map(|(_, action, update)| (action.to_string(), update.clone()))
    });
    let changes = dir.path().join("changes.ldf");
    let undo = dir.path().join("undo.ldf");
    let out = synclint(&["fix", s(&reviewed), "-o", s(&changes), "--undo", s(&undo)]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{err}");
    assert!(err.contains("3 rows chosen of"), "{err}");
    assert!(err.contains("3 changes to"), "{err}");
    assert!(err.contains("users whose sign-in name changes: 1"), "{err}");
    let text = std::fs::read_to_string(&changes).unwrap();
    assert_eq!(operations(&text).len(), 3, "{text}");
    assert!(operations(&text).contains(&"replace: mailNickname".to_string()));
    assert!(operations(&text).contains(&"replace: sAMAccountName".to_string()));
    // The sign-in change is marked by a comment above its record; the others are not.
    let record = record_of(&text, typed.get("Object (DN)"));
    assert!(
        record.starts_with(
            "# sign-in name change (sAMAccountName): tell the user before importing\r\ndn: "
        ),
        "{record}"
    );
    if removed.get("Object (DN)") != typed.get("Object (DN)") {
        assert!(!record_of(&text, removed.get("Object (DN)")).contains('#'));
    }

    // Applied to the export, exactly those three findings are gone and nothing new appears.
    let original = Ldif::parse(&std::fs::read_to_string(&export).unwrap());
    let (fixed, after) = apply_and_reanalyze(dir.path(), &original, &text);
    assert_eq!(after["changes"]["new"], 0, "{}", after["changes"]);
    assert_eq!(after["changes"]["resolved"], 3, "{}", after["changes"]);
    let key = |i: &serde_json::Value| {
        (
            i["rule"].as_str().unwrap().to_string(),
            i["dn"].as_str().unwrap().to_string(),
            i["value"].as_str().unwrap().to_string(),
        )
    };
    let remaining: BTreeSet<_> = after["items"].as_array().unwrap().iter().map(key).collect();
    for (row, _, _) in &chosen {
        let k = (
            row.get("Rule").to_string(),
            row.get("Object (DN)").to_string(),
            row.get("Value").to_string(),
        );
        assert!(!remaining.contains(&k), "{k:?} still reported");
    }
    assert_eq!(
        after["findings"]["total"].as_u64().unwrap(),
        before["findings"]["total"].as_u64().unwrap() - 3
    );

    // The undo file restores the export.
    let mut restored = fixed.clone();
    restored.apply(&std::fs::read_to_string(&undo).unwrap());
    assert_eq!(restored.values(), original.values());
}

#[test]
fn a_duplicate_keeps_at_least_one_holder() {
    let dir = tempfile::tempdir().unwrap();
    let export = planted(dir.path());
    let (xlsx, _) = analyze(dir.path(), "planted", &export, None);
    let rows = finding_rows(&xlsx);
    // A duplicate SMTP address held only as a proxy (its group has no collision rows).
    let collision_groups: BTreeSet<&str> = rows
        .iter()
        .filter(|r| r.sheet == "Collision")
        .map(|r| r.get("Group"))
        .collect();
    let mut groups: HashMap<&str, Vec<&FindingRow>> = HashMap::new();
    for r in rows.iter().filter(|r| r.get("Rule") == "SL803") {
        if !collision_groups.contains(r.get("Group")) {
            groups.entry(r.get("Group")).or_default().push(r);
        }
    }
    let (group, members) = groups
        .iter()
        .max_by_key(|(g, m)| (m.len(), std::cmp::Reverse(*g)))
        .expect("a duplicate SMTP group");
    let holders: BTreeSet<&str> = members.iter().map(|r| r.get("Object (DN)")).collect();
    assert!(holders.len() >= 3, "{holders:?}");
    let value = members[0].get("Value").to_string();

    let fix_with = |keep: Option<&str>| -> (Output, String) {
        let reviewed = dir.path().join("reviewed.xlsx");
        review(&xlsx, &reviewed, |row| {
            (row.get("Rule") == "SL803"
                && row.get("Group") == *group
                && Some(row.get("Object (DN)")) != keep)
                .then(|| ("REMOVE".to_string(), String::new()))
        });
        let changes = dir.path().join("changes.ldf");
        let out = synclint(&["fix", s(&reviewed), "-o", s(&changes)]);
        (out, std::fs::read_to_string(&changes).unwrap_or_default())
    };

    // REMOVE on every holder: refused, the group named, nothing written.
    let (out, text) = fix_with(None);
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{err}");
    assert!(
        err.contains(&format!("{} rows refused", members.len()))
            && err.contains("no holder would keep a duplicate value"),
        "{err}"
    );
    assert!(
        err.contains(&format!("group {group}: "))
            && err.contains(&format!("is held by {} objects", holders.len())),
        "{err}"
    );
    assert!(operations(&text).is_empty(), "{text}");
    let refused = std::fs::read_to_string(dir.path().join("changes-refused.csv")).unwrap();
    assert_eq!(refused.lines().count(), members.len() + 1, "{refused}");
    assert!(refused.contains(&value));

    // REMOVE on all but one holder: accepted.
    let keep = holders.iter().next().copied();
    let (out, text) = fix_with(keep);
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{err}");
    assert!(!err.contains("refused"), "{err}");
    let removals = members
        .iter()
        .filter(|r| Some(r.get("Object (DN)")) != keep)
        .count();
    assert_eq!(
        operations(&text),
        vec!["delete: proxyAddresses".to_string(); removals]
    );
}

/// The fixture with `value` among both users' proxyAddresses (in place of John's onmicrosoft.com
/// address), written to `dir`.
fn export_sharing(dir: &Path, value: &str) -> PathBuf {
    let shared = format!("proxyAddresses: {value}\r\n");
    let text = fixture()
        .replace(
            "proxyAddresses: SMTP:jane@contoso.com\r\n",
            &format!("proxyAddresses: SMTP:jane@contoso.com\r\n{shared}"),
        )
        .replace(
            "proxyAddresses: smtp:john@contoso.onmicrosoft.com\r\n",
            &shared,
        );
    assert_eq!(text.matches(&shared).count(), 2, "{text}");
    let export = dir.join("export.ldf");
    std::fs::write(&export, &text).unwrap();
    export
}

#[test]
fn an_onmicrosoft_address_may_go_from_every_holder() {
    let dir = tempfile::tempdir().unwrap();
    // Two users share an address in Microsoft's namespace (set on-premises by mistake).
    let export = export_sharing(dir.path(), "smtp:shared@contoso.onmicrosoft.com");
    let (xlsx, _) = analyze(dir.path(), "before", &export, None);
    let reviewed = dir.path().join("reviewed.xlsx");
    review(&xlsx, &reviewed, |row| {
        (row.get("Value") == "smtp:shared@contoso.onmicrosoft.com")
            .then(|| ("REMOVE".to_string(), String::new()))
    });
    let changes = dir.path().join("changes.ldf");
    let out = synclint(&["fix", s(&reviewed), "-o", s(&changes)]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success() && !err.contains("refused"), "{err}");
    assert_eq!(
        operations(&std::fs::read_to_string(&changes).unwrap()),
        vec!["delete: proxyAddresses".to_string(); 2]
    );
}

/// A hybrid organisation's remote routing address syncs and mailbox moves need it: a duplicate
/// one may not go from every holder, as one in the tenant's initial domain may.
#[test]
fn a_coexistence_address_keeps_a_holder() {
    let dir = tempfile::tempdir().unwrap();
    let value = "smtp:shared@contoso.mail.onmicrosoft.com";
    let export = export_sharing(dir.path(), value);
    let (xlsx, _) = analyze(dir.path(), "before", &export, None);
    let rows = finding_rows(&xlsx);
    let rules: BTreeSet<&str> = rows
        .iter()
        .filter(|r| r.get("Value") == value)
        .map(|r| r.get("Rule"))
        .collect();
    assert_eq!(
        rules,
        BTreeSet::from(["SL803"]),
        "a duplicate, and no SL404 to remove it"
    );
    let reviewed = dir.path().join("reviewed.xlsx");
    review(&xlsx, &reviewed, |row| {
        (row.get("Value") == value).then(|| ("REMOVE".to_string(), String::new()))
    });
    let changes = dir.path().join("changes.ldf");
    let out = synclint(&["fix", s(&reviewed), "-o", s(&changes)]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        out.status.success() && err.contains("no holder would keep a duplicate value"),
        "{err}"
    );
    let written = std::fs::read_to_string(&changes).unwrap_or_default();
    assert!(operations(&written).is_empty(), "{written}");
}

/// Under the entra profile X400 values are not unique (Entra discards them): two reviewers'
/// edits may give two objects the same one, where any two SMTP addresses would collide.
#[test]
fn edits_may_give_two_objects_the_same_x400_address() {
    let dir = tempfile::tempdir().unwrap();
    let text = fixture()
        .replace(
            "proxyAddresses: SMTP:jane@contoso.com\r\n",
            "proxyAddresses: SMTP:jane@contoso.com\r\nproxyAddresses: X400:c=US;a= ;p=Contoso;s=Jane;\r\n",
        )
        .replace(
            "proxyAddresses: smtp:john@contoso.onmicrosoft.com\r\n",
            "proxyAddresses: smtp:john@contoso.onmicrosoft.com\r\nproxyAddresses: X400:c=US;a= ;p=Contoso;s=John;\r\n",
        );
    assert_eq!(text.matches("X400:").count(), 2, "{text}");
    let export = dir.path().join("export.ldf");
    std::fs::write(&export, &text).unwrap();
    let (xlsx, _) = analyze(dir.path(), "before", &export, None);
    let shared = "X400:c=US;a= ;p=Contoso;s=Staff;";
    let reviewed = dir.path().join("reviewed.xlsx");
    review(&xlsx, &reviewed, |row| {
        (row.get("Rule") == "SL405").then(|| ("EDIT".to_string(), shared.to_string()))
    });
    let changes = dir.path().join("changes.ldf");
    let out = synclint(&["fix", s(&reviewed), "-o", s(&changes)]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success() && !err.contains("refused"), "{err}");
    let written = std::fs::read_to_string(&changes).unwrap();
    assert_eq!(written.matches(shared).count(), 2, "{written}");
}

#[test]
fn fix_finds_the_exports_from_another_folder_and_export_takes_several_files() {
    let root = tempfile::tempdir().unwrap();
    let project = root.path().join("project");
    std::fs::create_dir_all(project.join("exports")).unwrap();
    std::fs::create_dir_all(project.join("reports")).unwrap();
    for name in ["contoso.ldf", "fabrikam.csv"] {
        std::fs::copy(crate::sample(name), project.join("exports").join(name)).unwrap();
    }
    // analyze run in the project folder, with relative paths.
    let out = Command::new(env!("CARGO_BIN_EXE_synclint"))
        .current_dir(&project)
        .args([
            "analyze",
            "-q",
            "--fail-on",
            "never",
            "-o",
            "reports/review.xlsx",
            "exports/contoso.ldf",
            "exports/fabrikam.csv",
        ])
        .output()
        .unwrap();
    crate::assert_succeeded(&out);
    // A reviewer's choice on each input, so both exports must be found and read.
    let xlsx = project.join("reports/review.xlsx");
    let rows = finding_rows(&xlsx);
    // The Onmicrosoft proxy removed from contoso.ldf, the suggested UPN accepted in fabrikam.csv.
    // Source names the file without its folders (the Summary gives the paths).
    let chosen = [("SL404", "contoso.ldf:"), ("SL101", "fabrikam.csv:")];
    for (rule, source) in chosen {
        assert!(
            rows.iter()
                .any(|r| r.get("Rule") == rule && r.get("Source").starts_with(source)),
            "{rule} from {source}"
        );
    }
    let reviewed = project.join("reports/reviewed.xlsx");
    review(&xlsx, &reviewed, |row| match row.get("Rule") {
        "SL404" => Some(("REMOVE".to_string(), String::new())),
        "SL101" => Some(("EDIT".to_string(), row.get("Update").to_string())),
        _ => None,
    });

    let elsewhere = root.path().join("elsewhere");
    std::fs::create_dir_all(&elsewhere).unwrap();
    let fix_in = |cwd: &Path, args: &[&str]| -> (Output, String) {
        let out = Command::new(env!("CARGO_BIN_EXE_synclint"))
            .current_dir(cwd)
            .arg("fix")
            .args(args)
            .output()
            .unwrap();
        let err = String::from_utf8_lossy(&out.stderr).into_owned();
        (out, err)
    };
    // From another folder: the exports are found where analyze read them.
    let (out, err) = fix_in(&elsewhere, &[s(&reviewed), "-o", "changes.ldf"]);
    assert!(out.status.success(), "{err}");
    assert!(err.contains("2 changes to 2 objects"), "{err}");

    // The project folder moved (or copied to another machine): found beside the workbook.
    let moved = root.path().join("moved");
    std::fs::rename(&project, &moved).unwrap();
    let reviewed = moved.join("reports/reviewed.xlsx");
    let (out, err) = fix_in(&elsewhere, &[s(&reviewed), "-o", "changes.ldf"]);
    assert!(out.status.success(), "{err}");
    assert!(err.contains("2 changes to 2 objects"), "{err}");

    // --export takes several files after one flag.
    let a = moved.join("exports/contoso.ldf");
    let b = moved.join("exports/fabrikam.csv");
    let (out, err) = fix_in(
        &elsewhere,
        &[s(&reviewed), "-o", "changes.ldf", "--export", s(&a), s(&b)],
    );
    assert!(out.status.success(), "{err}");
    assert!(err.contains("2 changes to 2 objects"), "{err}");
    // One export left out: its rows are refused with a hint, the other's change is written.
    let (out, err) = fix_in(
        &elsewhere,
        &[s(&reviewed), "-o", "changes.ldf", "--export", s(&a)],
    );
    assert!(out.status.success(), "{err}");
    assert!(err.contains("1 change to 1 object"), "{err}");
    assert!(
        err.contains("the analysis found it in exports/fabrikam.csv; give that export too"),
        "{err}"
    );
    // Recorded inputs nowhere to be found: the error names the file and the way out.
    std::fs::rename(&a, moved.join("exports/renamed.ldf")).unwrap();
    let (out, err) = fix_in(&elsewhere, &[s(&reviewed), "-o", "changes.ldf"]);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(
        err.contains("contoso.ldf") && err.contains("--export"),
        "{err}"
    );
}

#[test]
fn fix_uses_the_profile_of_the_analysis() {
    let dir = tempfile::tempdir().unwrap();
    let export = dir.path().join("export.ldf");
    std::fs::write(&export, fixture()).unwrap();
    let (xlsx, _) = crate::analyze_to(
        dir.path(),
        "dedicated",
        std::slice::from_ref(&export),
        &["--profile", "idfix-dedicated"],
    );
    // "łukasz" is a valid alias for IdFix Dedicated and an invalid one for Entra (SL301).
    let reviewed = dir.path().join("reviewed.xlsx");
    review(&xlsx, &reviewed, |row| {
        (row.get("Attribute") == "mailNickname").then(|| ("EDIT".to_string(), "łukasz".to_string()))
    });
    let changes = dir.path().join("changes.ldf");
    let out = synclint(&["fix", s(&reviewed), "-o", s(&changes)]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{err}");
    assert!(
        err.contains("1 change to 1 object") && !err.contains("refused"),
        "{err}"
    );
    assert_eq!(
        operations(&std::fs::read_to_string(&changes).unwrap()),
        ["replace: mailNickname"]
    );
    // Saying the same profile again is fine …
    let out = synclint(&[
        "fix",
        s(&reviewed),
        "-o",
        s(&changes),
        "--profile",
        "idfix-dedicated",
    ]);
    assert!(out.status.success());
    // … another one is refused, and nothing is written.
    std::fs::remove_file(&changes).unwrap();
    let out = synclint(&["fix", s(&reviewed), "-o", s(&changes), "--profile", "entra"]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(
        err.contains(
            "--profile entra contradicts the analysis, which ran with --profile idfix-dedicated"
        ),
        "{err}"
    );
    assert!(!changes.exists());
    // So is a verified domain the analysis did not have.
    let out = synclint(&[
        "fix",
        s(&reviewed),
        "-o",
        s(&changes),
        "--verified-domain",
        "contoso.com",
    ]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("--verified-domain contoso.com contradicts")
    );
}

#[test]
fn a_workbook_without_the_analysis_context_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let export = dir.path().join("export.ldf");
    std::fs::write(&export, fixture()).unwrap();
    let (xlsx, _) = analyze(dir.path(), "before", &export, None);
    // A copy without the hidden sheet, as an older synclint wrote it (Action prefilled).
    let mut input: Xlsx<_> = open_workbook(&xlsx).unwrap();
    let mut out = rust_xlsxwriter::Workbook::new();
    for name in input.sheet_names() {
        if name == synclint::context::SHEET {
            continue;
        }
        let range = input.worksheet_range(&name).unwrap();
        let ws = out.add_worksheet();
        ws.set_name(&name).unwrap();
        for (r, row) in range.rows().enumerate() {
            for (c, v) in row.iter().enumerate() {
                ws.write_string(r as u32, c as u16, cell(v)).unwrap();
            }
        }
    }
    let old = dir.path().join("old.xlsx");
    out.save(&old).unwrap();
    let changes = dir.path().join("changes.ldf");
    let out = synclint(&["fix", s(&old), "-o", s(&changes)]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("has no analysis context"));
    assert!(!changes.exists());

    // A redacted workbook's values are pseudonyms: fix says so instead of refusing every row.
    let (redacted, _) = crate::analyze_to(
        dir.path(),
        "redacted",
        std::slice::from_ref(&export),
        &["--redact"],
    );
    let out = synclint(&["fix", s(&redacted), "-o", s(&changes)]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("written with --redact"));
    assert!(!changes.exists());
}

/// fix refuses an edit a domain controller would refuse: a sAMAccountName ending with '.'
/// (Samba AD DC: "samldb: sAMAccountName ends with '.'", found by .ci/samba-loop.sh).
#[test]
fn an_edit_the_domain_controller_would_refuse_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let export = dir.path().join("export.ldf");
    std::fs::write(
        &export,
        fixture().replace("sAMAccountName: jdoe", "sAMAccountName: j'doe"),
    )
    .unwrap();
    let (xlsx, _) = analyze(dir.path(), "before", &export, None);
    let reviewed = dir.path().join("reviewed.xlsx");
    review(&xlsx, &reviewed, |row| {
        (row.get("Rule") == "SL501").then(|| ("EDIT".to_string(), "j.doe.".to_string()))
    });
    let changes = dir.path().join("changes.ldf");
    let out = synclint(&["fix", s(&reviewed), "-o", s(&changes), "--list"]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("\"j.doe.\" would break SL503"), "{err}");
    let text = std::fs::read_to_string(&changes).unwrap_or_default();
    assert!(!text.contains("sAMAccountName"), "{text}");
}

/// A domain controller refuses a sAMAccountName another object of the same domain holds,
/// ignoring case (Samba AD DC: "samldb: samAccountName '…' already in use!", found by
/// .ci/samba-loop.sh); fix refuses it too, and two edits to one name in one run. The same
/// name in another domain is fine.
#[test]
fn a_sam_account_name_in_use_in_the_domain_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let export = dir.path().join("export.ldf");
    let user = |dn: &str, sam: &str, guid: &str| {
        format!("dn: {dn}\r\nobjectClass: user\r\nobjectGUID:: {guid}\r\nsAMAccountName: {sam}\r\nuserPrincipalName: {sam}@contoso.com\r\n\r\n")
    };
    let text = fixture()
        .replace("sAMAccountName: jdoe", "sAMAccountName: j'doe")
        .replace("sAMAccountName: jroe", "sAMAccountName: j'roe")
        .trim_end()
        .to_string()
        + "\r\n\r\n"
        + &user(
            "CN=Holder,OU=Staff,DC=contoso,DC=com",
            "taken1",
            "ICEiIyQlJicoKSorLC0uLw==",
        )
        + &user(
            "CN=J Doe,OU=Staff,DC=fabrikam,DC=com",
            "jd2",
            "MDEyMzQ1Njc4OTo7PD0+Pw==",
        );
    std::fs::write(&export, text).unwrap();
    let (xlsx, _) = analyze(dir.path(), "before", &export, None);
    let choose = |john: &'static str, jane: &'static str| {
        move |row: &FindingRow| match (row.get("Rule"), row.get("Value")) {
            ("SL501", "j'doe") => Some(("EDIT".to_string(), john.to_string())),
            ("SL501", "j'roe") => Some(("EDIT".to_string(), jane.to_string())),
            _ => None,
        }
    };

    // John asks for the holder's name (other case): refused. Jane asks for a name only another
    // domain uses: written.
    let reviewed = dir.path().join("reviewed.xlsx");
    review(&xlsx, &reviewed, choose("TAKEN1", "jd2"));
    let changes = dir.path().join("changes.ldf");
    let out = synclint(&["fix", s(&reviewed), "-o", s(&changes), "--list"]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("\"TAKEN1\" is the sAMAccountName of CN=Holder,OU=Staff,DC=contoso,DC=com in the same domain"),
        "{err}"
    );
    let text = std::fs::read_to_string(&changes).unwrap();
    assert!(!text.contains("TAKEN1"), "{text}");
    assert!(text.contains("sAMAccountName: jd2\r\n"), "{text}");

    // Both ask for one new name: the second is refused.
    let reviewed = dir.path().join("reviewed2.xlsx");
    review(&xlsx, &reviewed, choose("jx", "JX"));
    let out = synclint(&["fix", s(&reviewed), "-o", s(&changes), "--list"]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("\"JX\" collides with the edit in"), "{err}");
    let text = std::fs::read_to_string(&changes).unwrap();
    assert!(
        text.contains("sAMAccountName: jx\r\n") && !text.contains("JX"),
        "{text}"
    );
}

/// `synclint fix REVIEWED -o CHANGES --undo UNDO --strict`, which must succeed (nothing
/// refused); returns the change file.
fn fix_strict(reviewed: &Path, changes: &Path, undo: &Path) -> String {
    let out = synclint(&[
        "fix",
        s(reviewed),
        "-o",
        s(changes),
        "--undo",
        s(undo),
        "--strict",
    ]);
    crate::assert_succeeded(&out);
    std::fs::read_to_string(changes).unwrap()
}

/// Issue 23, the SG-Legal-ReadOnly shape: a primary address and a secondary that differs from
/// it only by a colon. The corrected secondary is the primary ignoring case, so there is no
/// suggestion and the recommendation is REMOVE: an EDIT to it is refused (Active Directory
/// would refuse the add, and the undo's delete would match the primary), a REMOVE deletes the
/// exact value and its undo restores it.
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
    let row = finding_rows(&xlsx)
        .into_iter()
        .find(|r| r.get("Value") == colon)
        .unwrap();
    assert_eq!(
        (row.get("Suggested value"), row.get("Recommended")),
        ("", "REMOVE")
    );

    // Typing the corrected address as an EDIT is refused, with what to do instead; so is a
    // change to one of two values that are equal ignoring case.
    let reviewed = dir.path().join("edit.xlsx");
    review(&xlsx, &reviewed, |row| {
        match (row.get("Rule"), row.get("Value")) {
            ("SL402", _) => Some(("EDIT".into(), "smtp:sg-legal-readonly@contoso.com".into())),
            ("SL401", "smtp:sg legal@contoso.com") => Some(("REMOVE".into(), String::new())),
            _ => None,
        }
    });
    let changes = dir.path().join("edit.ldf");
    let out = synclint(&["fix", s(&reviewed), "-o", s(&changes)]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{err}");
    assert!(
        err.contains("the object already holds \"SMTP:sg-legal-readonly@contoso.com\", equal to \"smtp:sg-legal-readonly@contoso.com\" ignoring case")
            && err.contains("REMOVE \"smtp:sg-legal:-readonly@contoso.com\" instead"),
        "{err}"
    );
    assert!(
        err.contains("the object also holds \"smtp:SG LEGAL@contoso.com\", equal to \"smtp:sg legal@contoso.com\" ignoring case"),
        "{err}"
    );
    assert!(operations(&std::fs::read_to_string(&changes).unwrap_or_default()).is_empty());

    // REMOVE, as recommended: the exact value goes, and the undo puts back the exact value.
    let reviewed = dir.path().join("remove.xlsx");
    review(&xlsx, &reviewed, |row| {
        (row.get("Rule") == "SL402").then(|| ("REMOVE".to_string(), String::new()))
    });
    let undo = dir.path().join("undo.ldf");
    let change_text = fix_strict(&reviewed, &changes, &undo);
    assert!(
        change_text.contains("delete: proxyAddresses\r\nproxyAddresses: smtp:sg-legal:-readonly@contoso.com\r\n-\r\n"),
        "{change_text}"
    );
    let original = Ldif::parse(&text);
    let (fixed, after) = apply_and_reanalyze(dir.path(), &original, &change_text);
    assert_eq!(after["changes"]["new"], 0, "{}", after["items"]);
    assert_eq!(after["changes"]["resolved"], 1);
    assert_undo_restores(fixed, &undo, &original);
}

/// Issue 14, point 7: the profile that decides whether a rule runs decides it for `fix` too.
/// `$` is valid in a UPN for IdFix Dedicated, so under that profile analyze reports nothing
/// about it and fix accepts it as an edit; under Entra's rules fix refuses it (SL101).
#[test]
fn fix_validates_a_new_value_under_the_rules_the_profile_runs() {
    let dir = tempfile::tempdir().unwrap();
    let export = dir.path().join("export.ldf");
    // A period before the '@' is a format error (SL103) under both profiles.
    let text = fixture().replace(
        "userPrincipalName: jo hn@contoso.com",
        "userPrincipalName: john.@contoso.com",
    );
    std::fs::write(&export, &text).unwrap();
    for (profile, accepted) in [("idfix-dedicated", true), ("entra", false)] {
        let (xlsx, _) = crate::analyze_to(
            dir.path(),
            profile,
            std::slice::from_ref(&export),
            &["--profile", profile],
        );
        let reviewed = dir.path().join(format!("{profile}-reviewed.xlsx"));
        review(&xlsx, &reviewed, |row| {
            (row.get("Rule") == "SL103").then(|| ("EDIT".to_string(), "jo$hn@contoso.com".into()))
        });
        let changes = dir.path().join(format!("{profile}.ldf"));
        let out = synclint(&["fix", s(&reviewed), "-o", s(&changes)]);
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(out.status.success(), "{err}");
        assert_eq!(
            err.contains("\"jo$hn@contoso.com\" would break SL101"),
            !accepted,
            "{profile}: {err}"
        );
        let written = std::fs::read_to_string(&changes).unwrap_or_default();
        assert_eq!(
            written.contains("userPrincipalName: jo$hn@contoso.com\r\n"),
            accepted,
            "{profile}: {written}"
        );
        if accepted {
            // And analyze under that profile has nothing to say about the new UPN.
            let mut fixed = Ldif::parse(&text);
            fixed.apply(&written);
            let fixed_path = dir.path().join("fixed.ldf");
            std::fs::write(&fixed_path, fixed.render()).unwrap();
            let (_, after) =
                crate::analyze_to(dir.path(), "after", &[fixed_path], &["--profile", profile]);
            let upn: Vec<&serde_json::Value> = after["items"]
                .as_array()
                .unwrap()
                .iter()
                .filter(|i| i["attribute"] == "userPrincipalName")
                .collect();
            assert!(upn.is_empty(), "{upn:?}");
        }
    }
}

/// Issue 23's loop on a generated export with planted problems: every suggestion accepted,
/// `fix --strict` (nothing refused), the change file applied as Active Directory would,
/// re-analyzed against the first run: no new finding; the undo file then restores every value
/// byte for byte.
pub fn every_suggestion_applied(format: Format, extra: &[&str]) {
    let dir = tempfile::tempdir().unwrap();
    let generate = |format: Format| {
        let options = GenerateOptions {
            objects: 3000,
            planted: true,
            format,
            ..GenerateOptions::default()
        };
        let mut bytes = std::io::Cursor::new(Vec::new());
        match format {
            Format::Adexplorer => {
                synclint::generate::snapshot::generate(&options, &mut bytes).unwrap();
            }
            _ => {
                synclint::generate::generate(&options, &mut bytes).unwrap();
            }
        }
        bytes.into_inner()
    };
    let name = |stem: &str| match format {
        Format::Ldif => format!("{stem}.ldf"),
        Format::Csvde | Format::PowershellCsv => format!("{stem}.csv"),
        Format::Adexplorer => format!("{stem}.dat"),
    };
    let export = dir.path().join(name("export"));
    std::fs::write(&export, generate(format)).unwrap();
    let (xlsx, before) =
        crate::analyze_to(dir.path(), "before", std::slice::from_ref(&export), extra);
    let reviewed = dir.path().join("reviewed.xlsx");
    let mut accepted = 0;
    review(&xlsx, &reviewed, |row| {
        let suggested = row.get("Suggested value");
        accepted += usize::from(!suggested.is_empty());
        (!suggested.is_empty()).then(|| ("EDIT".to_string(), suggested.to_string()))
    });
    assert!(accepted >= 80, "{accepted} suggestions");
    let changes = dir.path().join("changes.ldf");
    let undo = dir.path().join("undo.ldf");
    let change_text = fix_strict(&reviewed, &changes, &undo);

    // The same objects in LDIF, changed as Active Directory would, written back in the
    // export's format and analyzed against the first run.
    let original = Ldif::parse(&String::from_utf8(generate(Format::Ldif)).unwrap());
    let mut fixed = original.clone();
    assert_eq!(fixed.apply(&change_text), operations(&change_text).len());
    let fixed_path = dir.path().join(name("fixed"));
    let fixed_text = match format {
        Format::Ldif => fixed.render().into_bytes(),
        Format::Csvde => csvde_file(&fixed.export_objects()).into_bytes(),
        Format::PowershellCsv => {
            powershell_file(&fixed.export_objects(), &Default::default()).into_bytes()
        }
        Format::Adexplorer => synclint::generate::snapshot::file(&fixed.export_objects()).unwrap(),
    };
    std::fs::write(&fixed_path, fixed_text).unwrap();
    let baseline = dir.path().join("before.json");
    let mut args = extra.to_vec();
    args.extend(["--baseline", s(&baseline)]);
    let (_, after) = crate::analyze_to(dir.path(), "after", &[fixed_path], &args);
    let before_ids: BTreeSet<&str> = before["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["id"].as_str().unwrap())
        .collect();
    let new: Vec<&serde_json::Value> = after["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|i| !before_ids.contains(i["id"].as_str().unwrap()))
        .collect();
    println!(
        "{format:?} {extra:?}: {accepted} suggestions accepted, {} modify operations; after: {}",
        operations(&change_text).len(),
        after["changes"]
    );
    assert_eq!(after["changes"]["new"], 0, "{new:#?}");
    assert!(
        after["changes"]["resolved"].as_u64().unwrap() >= accepted as u64 / 2,
        "{}",
        after["changes"]
    );

    assert_undo_restores(fixed, &undo, &original);
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
