//! The command line: inspect's JSON contract, exit codes, help with examples, generate.

use crate::sample;
use std::path::PathBuf;
use std::process::Command;

fn synclint(args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_synclint"))
        .args(args)
        .output()
        .expect("run synclint")
}

#[test]
fn inspect_json_has_the_promised_fields() {
    let contoso = sample("contoso.ldf");
    let broken = sample("broken.ldf");
    let out = synclint(&[
        "inspect",
        "--json",
        contoso.to_str().unwrap(),
        broken.to_str().unwrap(),
    ]);
    crate::assert_succeeded(&out);
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(json["objects_read"], 11);
    assert_eq!(json["objects_rejected"], 5);
    let files = json["files"].as_array().unwrap();
    assert_eq!(files[0]["format"], "ldif");
    assert_eq!(files[0]["encoding"], "utf-8");
    assert_eq!(files[0]["objects"], 4);
    assert_eq!(files[1]["rejected"], 5);
    let first = files[1]["rejections"][0].as_str().unwrap();
    assert!(first.ends_with("broken.ldf:7: invalid base64 in objectGUID: Invalid symbol 42, offset 3. (record dn: CN=Bad Base64,DC=x,DC=com)"), "{first}");
    assert_eq!(files[0]["objects_by_class"]["user"], 2);
    assert_eq!(json["attributes"]["proxyAddresses"], 4);
    let warnings = files[1]["warnings"].as_array().unwrap();
    assert!(warnings
        .iter()
        .any(|w| w.as_str().unwrap().contains("no object has proxyAddresses")));
}

#[test]
fn unreadable_input_exits_2_and_help_has_examples() {
    let out = synclint(&["inspect", "/nonexistent/export.ldf"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("cannot open"));
    let help = synclint(&["inspect", "--help"]);
    assert!(String::from_utf8_lossy(&help.stdout).contains("Examples:"));
    let usage = synclint(&["inspect"]);
    assert_eq!(usage.status.code(), Some(2));
}

#[test]
fn generate_is_seeded_and_readable() {
    let dir = tempfile::tempdir().unwrap();
    let a = dir.path().join("a.csv");
    let b = dir.path().join("b.csv");
    for path in [&a, &b] {
        let out = synclint(&[
            "generate",
            "--objects",
            "500",
            "--format",
            "csvde",
            "--encoding",
            "utf-16le",
            "--seed",
            "3",
            "-o",
            path.to_str().unwrap(),
        ]);
        assert!(out.status.success());
    }
    assert_eq!(std::fs::read(&a).unwrap(), std::fs::read(&b).unwrap());
    let out = synclint(&["inspect", "--json", a.to_str().unwrap()]);
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(json["files"][0]["objects"], 500);
    assert_eq!(json["files"][0]["encoding"], "utf-16le");
    assert_eq!(json["files"][0]["rejected"], 0);
}

#[test]
fn analyze_writes_the_summary_and_csvs_and_sets_the_exit_status() {
    let dir = tempfile::tempdir().unwrap();
    let json = dir.path().join("summary.json");
    let csv_dir = dir.path().join("findings");
    let inputs = [
        "contoso.ldf",
        "fabrikam.csv",
        "ldapsearch.ldif",
        "fabrikam-unicode.csv",
        "ansi.csv",
        "broken.ldf",
    ];
    let paths: Vec<String> = inputs
        .iter()
        .map(|n| sample(n).to_string_lossy().into_owned())
        .collect();
    let xlsx = dir.path().join("report.xlsx");
    let mut args = vec![
        "analyze",
        "-o",
        xlsx.to_str().unwrap(),
        "--json",
        json.to_str().unwrap(),
        "--csv-dir",
        csv_dir.to_str().unwrap(),
    ];
    args.extend(paths.iter().map(String::as_str));
    let out = synclint(&args);
    assert_eq!(
        out.status.code(),
        Some(1),
        "errors were found: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(String::from_utf8_lossy(&out.stderr).contains("findings"));
    let s: serde_json::Value = serde_json::from_slice(&std::fs::read(&json).unwrap()).unwrap();
    let o = &s["objects"];
    let n = |v: &serde_json::Value| v.as_u64().unwrap();
    assert_eq!(
        n(&o["read"]),
        n(&o["analyzed"]) + n(&o["out_of_scope"]) + n(&o["rejected"])
    );
    assert_eq!(n(&o["rejected"]), 5);
    let total = n(&s["findings"]["total"]);
    let by_class: u64 = s["findings"]["by_class"]
        .as_object()
        .unwrap()
        .values()
        .map(n)
        .sum();
    let by_rule: u64 = s["findings"]["by_rule"]
        .as_object()
        .unwrap()
        .values()
        .map(n)
        .sum();
    let by_severity: u64 = s["findings"]["by_severity"]
        .as_object()
        .unwrap()
        .values()
        .map(n)
        .sum();
    assert_eq!((by_class, by_rule, by_severity), (total, total, total));
    for key in [
        "userPrincipalName",
        "mail",
        "proxyAddresses",
        "proxyAddressesOther",
        "targetAddress",
        "mailNickname",
        "sAMAccountName",
    ] {
        assert!(s["duplicates"][key]["groups"].is_u64(), "{key}");
        assert!(s["duplicates"][key]["objects"].is_u64(), "{key}");
    }
    assert!(s["collisions"]["groups"].is_u64());

    // findings.csv has a row per finding; the class files split it.
    let rows = |p: &std::path::Path| csv::Reader::from_path(p).unwrap().records().count() as u64;
    assert_eq!(rows(&csv_dir.join("findings.csv")), total);
    let split: u64 = [
        "duplicate",
        "collision",
        "character",
        "format",
        "suffix",
        "length",
        "blank",
        "large-object",
        "advisory",
        "readiness",
    ]
    .iter()
    .map(|c| rows(&csv_dir.join(format!("{c}.csv"))))
    .sum();
    assert_eq!(split, total);
    let header = csv::Reader::from_path(csv_dir.join("findings.csv"))
        .unwrap()
        .headers()
        .unwrap()
        .clone();
    assert_eq!(&header[0], "rule");
    assert_eq!(&header[10], "source");
    let grace = std::fs::read_to_string(csv_dir.join("character.csv")).unwrap();
    assert!(
        // The primary SMTP address is the suggested UPN.
        grace.contains("grace hopper@fabrikam.com,grace.hopper@fabrikam.com,EDIT"),
        "{grace}"
    );
    assert!(grace.contains("samples/fabrikam.csv:3") || grace.contains("fabrikam.csv:3"));

    // --fail-on never: exit 0 with the same findings.
    let mut args = vec![
        "analyze",
        "--fail-on",
        "never",
        "-o",
        xlsx.to_str().unwrap(),
    ];
    args.extend(paths.iter().map(String::as_str));
    assert_eq!(synclint(&args).status.code(), Some(0));
}

#[test]
fn csv_cells_never_start_a_formula() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("formula.ldf");
    std::fs::write(&input, "dn: CN=Eve,OU=Staff,DC=contoso,DC=com\nobjectClass: user\ncn: Eve\nobjectGUID:: AAECAwQFBgcICQoLDA0ODw==\nsAMAccountName: eve\nuserPrincipalName: =HYPERLINK(\"x\")@contoso.com\n").unwrap();
    let out_dir = dir.path().join("out");
    let xlsx = dir.path().join("formula.xlsx");
    let out = synclint(&[
        "analyze",
        input.to_str().unwrap(),
        "-o",
        xlsx.to_str().unwrap(),
        "--csv-dir",
        out_dir.to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(1));
    let text = std::fs::read_to_string(out_dir.join("findings.csv")).unwrap();
    assert!(text.contains("'=HYPERLINK"), "{text}");
    assert!(!text.contains(",=HYPERLINK"));
}

/// Findings CSVs start with a UTF-8 byte order mark (Excel and Windows PowerShell 5.1 then
/// read `Łukasz` right), and without it on `--csv-bom never`; the rest is the same bytes.
#[test]
fn csv_files_start_with_a_bom_unless_told_not_to() {
    let dir = tempfile::tempdir().unwrap();
    let input = crate::sample("fabrikam-unicode.csv");
    let write = |name: &str, extra: &[&str]| {
        let out = dir.path().join(name);
        let mut args = vec![
            "analyze",
            "--no-workbook",
            "--fail-on",
            "never",
            "--csv-dir",
            out.to_str().unwrap(),
        ];
        args.extend_from_slice(extra);
        args.push(input.to_str().unwrap());
        assert_eq!(synclint(&args).status.code(), Some(0));
        out
    };
    let default = write("default", &[]);
    let never = write("never", &["--csv-bom", "never"]);
    for file in ["findings.csv", "character.csv", "duplicate.csv"] {
        let with = std::fs::read(default.join(file)).unwrap();
        let without = std::fs::read(never.join(file)).unwrap();
        assert!(with.starts_with(b"\xEF\xBB\xBFrule,"), "{file}");
        assert!(without.starts_with(b"rule,"), "{file}");
        assert_eq!(&with[3..], &without[..], "{file}");
    }
    let text = String::from_utf8(std::fs::read(never.join("findings.csv")).unwrap()).unwrap();
    assert!(text.contains("CN=Łukasz Kowalski"), "{text}");
    // Readers that know the mark skip it: the csv crate sees the same header.
    let header = csv::Reader::from_path(default.join("findings.csv"))
        .unwrap()
        .headers()
        .unwrap()
        .clone();
    assert_eq!(&header[0], "rule");
}

/// The -l list comes from the rule registry: `rules --attributes` prints it, `help export`
/// puts it in every command line, and `inspect` points there when an export lacks attributes.
#[test]
fn the_export_help_gives_the_registry_attribute_list() {
    let list = synclint::rules::registry::export_attributes().join(",");
    let out = synclint(&["rules", "--attributes"]);
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(String::from_utf8_lossy(&out.stdout).trim_end(), list);
    for args in [
        &["help", "export"][..],
        &["export", "--domain", "corp.fabrikam.com"],
    ] {
        let out = synclint(args);
        assert_eq!(out.status.code(), Some(0), "{args:?}");
        let text = String::from_utf8_lossy(&out.stdout);
        assert!(text.contains(&format!("-l \"{list}\"")), "{text}");
        assert!(text.contains("csvde  -u -f ") && text.contains("ldifde -u -f "));
        assert!(text.contains("-p subtree") && text.contains("-t 3268"));
    }
    let out = synclint(&["export", "--domain", "corp.fabrikam.com"]);
    assert!(String::from_utf8_lossy(&out.stdout).contains("-d \"DC=corp,DC=fabrikam,DC=com\""));
    // samples/ansi.csv has no objectGUID column.
    let out = synclint(&["inspect", crate::sample("ansi.csv").to_str().unwrap()]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("no object has objectGUID"), "{text}");
    assert!(text.contains("`synclint help export`"), "{text}");
}

#[test]
fn rules_lists_and_explains() {
    let out = synclint(&["rules"]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("SL101") && text.contains("SL853"));
    let out = synclint(&["rules", "SL853"]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("object-type-mismatch") && text.contains("Sources:\n  Understanding errors during Microsoft Entra synchronization <https://learn.microsoft.com/"));
    assert_eq!(synclint(&["rules", "SL999"]).status.code(), Some(2));
}

/// `--spill always` keeps the text columns in mapped temporary files: the analysis must be
/// the same, finding for finding, and nothing may be left in the spill folder.
#[test]
fn a_spilled_run_finds_exactly_what_an_in_memory_run_finds() {
    let dir = tempfile::tempdir().unwrap();
    let export = dir.path().join("planted.ldf");
    let out = synclint(&[
        "generate",
        "--objects",
        "30000",
        "--plant-issues",
        "-o",
        export.to_str().unwrap(),
    ]);
    crate::assert_succeeded(&out);
    let spill = dir.path().join("spill");
    std::fs::create_dir(&spill).unwrap();
    let inputs = [export, sample("contoso.ldf"), sample("fabrikam.csv")];
    let (_, in_memory) = crate::analyze_to(dir.path(), "memory", &inputs, &["--spill", "never"]);
    let (xlsx, spilled) = crate::analyze_to(
        dir.path(),
        "spilled",
        &inputs,
        &["--spill", "always", "--spill-dir", spill.to_str().unwrap()],
    );
    let comparable = |mut summary: serde_json::Value| {
        summary.as_object_mut().unwrap().remove("timings_ms");
        summary
    };
    let (in_memory, spilled) = (comparable(in_memory), comparable(spilled));
    assert!(spilled["items"].as_array().unwrap().len() > 20_000);
    assert!(
        spilled["duplicates"]["userPrincipalName"]["groups"]
            .as_u64()
            .unwrap()
            > 0
    );
    assert_eq!(in_memory, spilled);
    assert!(xlsx.exists());
    assert_eq!(
        std::fs::read_dir(&spill).unwrap().count(),
        0,
        "spill files are unnamed"
    );
}

/// `--no-workbook` (the nightly job's mode) writes the summary and nothing else.
#[test]
fn no_workbook_writes_only_what_was_asked() {
    let dir = tempfile::tempdir().unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_synclint"))
        .current_dir(dir.path())
        .args([
            "analyze",
            "--no-workbook",
            "--json",
            "tonight.json",
            "--fail-on",
            "never",
        ])
        .arg(sample("contoso.ldf"))
        .output()
        .unwrap();
    crate::assert_succeeded(&out);
    let names: Vec<String> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(names, ["tonight.json"]);
    let summary: serde_json::Value =
        serde_json::from_slice(&std::fs::read(dir.path().join("tonight.json")).unwrap()).unwrap();
    assert!(summary["findings"]["total"].as_u64().unwrap() > 0);
    assert!(String::from_utf8_lossy(&out.stderr).contains("; no workbook"));
    // It contradicts -o.
    let both = synclint(&["analyze", "--no-workbook", "-o", "x.xlsx", "y.ldf"]);
    assert_eq!(both.status.code(), Some(2));
}

/// Outputs hold personal data: they are created with what the umask allows, never widened
/// (they used to be forced to 0644) and never narrowed.
#[cfg(unix)]
#[test]
fn outputs_follow_the_umask() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    for (umask, mode) in [("077", 0o600), ("027", 0o640), ("002", 0o664)] {
        let out = dir.path().join(umask);
        std::fs::create_dir(&out).unwrap();
        let script = format!(
            "umask {umask} && \"$0\" analyze -q --fail-on never -o report.xlsx --json summary.json --csv-dir csv \"$1\" && \"$0\" fix report.xlsx -o changes.ldf --undo undo.ldf"
        );
        let status = std::process::Command::new("sh")
            .current_dir(&out)
            .arg("-c")
            .arg(script)
            .arg(env!("CARGO_BIN_EXE_synclint"))
            .arg(sample("contoso.ldf"))
            .output()
            .unwrap();
        assert!(
            status.status.success(),
            "{}",
            String::from_utf8_lossy(&status.stderr)
        );
        let mut files: Vec<PathBuf> = std::fs::read_dir(&out)
            .unwrap()
            .chain(std::fs::read_dir(out.join("csv")).unwrap())
            .map(|e| e.unwrap().path())
            .filter(|p| p.is_file())
            .collect();
        files.sort();
        assert_eq!(files.len(), 5 + 11, "{files:?}");
        for f in files {
            let got = std::fs::metadata(&f).unwrap().permissions().mode() & 0o777;
            assert_eq!(got, mode, "{} under umask {umask}: {got:o}", f.display());
        }
    }
}

#[test]
fn an_output_that_cannot_be_written_is_named_once_with_its_cause() {
    let dir = tempfile::tempdir().unwrap();
    let json = dir.path().join("no-such-folder").join("summary.json");
    let contoso = sample("contoso.ldf");
    let out = synclint(&[
        "analyze",
        contoso.to_str().unwrap(),
        "--no-workbook",
        "-q",
        "--json",
        json.to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    let line = stderr
        .lines()
        .find(|l| l.contains("cannot write"))
        .unwrap_or_else(|| panic!("no write error in {stderr}"));
    assert!(line.contains("summary.json: cannot write: "), "{line}");
    // The cause is said once, not again for each error in the chain.
    let cause = line.rsplit("cannot write: ").next().unwrap_or_default();
    let first = cause.split(" (os error").next().unwrap_or_default();
    assert!(!first.is_empty(), "{line}");
    assert_eq!(line.matches(first).count(), 1, "{line}");
    assert!(!json.exists());
}

/// With a workbook and two threads, the JSON's items are written into the JSON's own file
/// while the workbook is written, after room for the figures: the JSON reads the same as the
/// one written after the workbook on one thread, nothing but whitespace differs around the
/// items, and no temporary file stays behind.
#[test]
fn the_json_written_beside_the_workbook_reads_as_the_one_written_after_it() {
    let dir = tempfile::tempdir().unwrap();
    let input = crate::planted_export(dir.path(), "gen.ldf", 3000, 7);
    let mut texts = Vec::new();
    for threads in ["2", "1"] {
        let json = dir.path().join(format!("summary-{threads}.json"));
        let xlsx = dir.path().join(format!("report-{threads}.xlsx"));
        let out = synclint(&[
            "analyze",
            "-q",
            "--fail-on",
            "never",
            "--threads",
            threads,
            "-o",
            xlsx.to_str().unwrap(),
            "--json",
            json.to_str().unwrap(),
            input.to_str().unwrap(),
        ]);
        crate::assert_succeeded(&out);
        texts.push(std::fs::read_to_string(&json).unwrap());
    }
    let parsed: Vec<serde_json::Value> = texts
        .iter()
        .map(|t| {
            let mut v: serde_json::Value = serde_json::from_str(t).unwrap();
            v["timings_ms"] = serde_json::Value::Null;
            v
        })
        .collect();
    assert!(parsed[0]["items"].as_array().unwrap().len() > 1000);
    assert_eq!(parsed[0], parsed[1]);
    // Byte for byte once the timings and the spaces that pad the figures are left out.
    let comparable = |t: &str| -> String {
        let (head, items) = t.split_once("\"items\": [").unwrap();
        let (before, timings) = head.split_once("\"timings_ms\": {").unwrap();
        let after = timings.split_once('}').unwrap().1;
        format!("{before}{after}{}", items.trim_start_matches(' '))
    };
    assert_eq!(comparable(&texts[0]), comparable(&texts[1]));
    // The two ways were taken: room was left only on two threads.
    assert!(texts[0].contains("\"items\": [ "));
    assert!(!texts[1].contains("\"items\": [ "));
    let left: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .filter_map(|e| e.ok())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".tmp"))
        .collect();
    assert!(left.is_empty(), "{left:?}");
}
