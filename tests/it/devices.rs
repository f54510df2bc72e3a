//! Hybrid join and password readiness per object (SL1251–SL1399) on the cases
//! `synclint generate --plant-devices` writes: every case raises exactly the findings its
//! truth names (written by hand in generate/devices.rs, not computed by the rules), with
//! their severity, once; the clean cases raise none; and the findings do not depend on the
//! machine's clock.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use synclint::analyze;
use synclint::generate::{devices, generate, GenerateOptions};
use synclint::ingest::{Format, ReadOptions};
use synclint::rules::RuleOptions;
use synclint::scope::ScopeOptions;

/// Whether a rule code is one these cases' truth speaks for: the per-object readiness range
/// and the large-object rule that reports 16+ certificates.
fn judged(code: &str) -> bool {
    let n: u32 = code[2..].parse().unwrap_or(0);
    (1251..=1399).contains(&n) || code == "SL701"
}

fn export(dir: &Path, name: &str, objects: u64, format: Format) -> PathBuf {
    let mut bytes = Vec::new();
    generate(
        &GenerateOptions {
            objects,
            seed: 7,
            format,
            plant_devices: true,
            ..GenerateOptions::default()
        },
        &mut bytes,
    )
    .unwrap();
    let path = dir.join(name);
    std::fs::write(&path, bytes).unwrap();
    path
}

/// (DN → sorted (code, severity)) of the judged findings of an analysis.
fn findings_by_dn(path: &Path) -> BTreeMap<String, Vec<(String, String)>> {
    let analysis = analyze::run(
        &[path.to_path_buf()],
        &ReadOptions::default(),
        &ScopeOptions::default(),
        RuleOptions::default(),
    );
    let dir = &analysis.ingest.directory;
    let mut by_dn: BTreeMap<String, Vec<(String, String)>> = BTreeMap::new();
    for f in analysis.findings.iter().filter(|f| judged(f.rule.code)) {
        let dn = dir.dn.get(f.row as usize).unwrap_or("").to_string();
        by_dn
            .entry(dn)
            .or_default()
            .push((f.rule.code.to_string(), f.rule.severity.name().to_string()));
    }
    for v in by_dn.values_mut() {
        v.sort();
    }
    by_dn
}

fn truth() -> BTreeMap<String, (String, Vec<(String, String)>)> {
    devices::cases()
        .into_iter()
        .map(|c| {
            let mut expected: Vec<(String, String)> = c
                .expected
                .iter()
                .map(|(code, sev)| (code.to_string(), sev.to_string()))
                .collect();
            expected.sort();
            (c.object.dn.clone(), (c.what.to_string(), expected))
        })
        .collect()
}

fn assert_cases(found: &BTreeMap<String, Vec<(String, String)>>) {
    let mut wrong = Vec::new();
    for (dn, (what, expected)) in truth() {
        let got = found.get(&dn).cloned().unwrap_or_default();
        if got != expected {
            wrong.push(format!("{what} ({dn}): expected {expected:?}, got {got:?}"));
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

#[test]
fn every_planted_case_is_reported_once_with_its_severity_and_clean_ones_not_at_all() {
    let dir = tempfile::tempdir().unwrap();
    let cases = truth();
    // Totals, counted from the truth alone.
    let expected_total: usize = cases.values().map(|(_, e)| e.len()).sum();
    let clean = cases.values().filter(|(_, e)| e.is_empty()).count();
    assert!(
        expected_total >= 25 && clean >= 15,
        "{expected_total} {clean}"
    );
    for format in [Format::Ldif, Format::Csvde] {
        // Only the cases: every judged finding of the whole export is one the truth names.
        let path = export(dir.path(), &format!("only.{}", format.name()), 0, format);
        let found = findings_by_dn(&path);
        assert_cases(&found);
        let total: usize = found.values().map(Vec::len).sum();
        assert_eq!(total, expected_total, "{}", format.name());
        assert!(found.keys().all(|dn| cases.contains_key(dn)));
    }
    // Among 2,000 generated objects (other domains, random certificates), the cases still
    // raise exactly their truth.
    let path = export(dir.path(), "mixed.ldf", 2000, Format::Ldif);
    assert_cases(&findings_by_dn(&path));
}

#[test]
fn the_json_holds_the_cases_findings_and_the_features_they_serve() {
    let dir = tempfile::tempdir().unwrap();
    let path = export(dir.path(), "cases.ldf", 0, Format::Ldif);
    let (_, summary) = crate::analyze_to(dir.path(), "cases", std::slice::from_ref(&path), &[]);
    let rules_of = |summary: &serde_json::Value| -> Vec<String> {
        summary["items"]
            .as_array()
            .expect("items")
            .iter()
            .filter_map(|i| i["rule"].as_str().map(String::from))
            .collect()
    };
    let on = rules_of(&summary);
    for code in ["SL1251", "SL1256", "SL1301", "SL1304", "SL1351"] {
        assert!(on.iter().any(|r| r == code), "{code} not in the JSON items");
    }
    let features: Vec<&str> = summary["readiness"]["features"]
        .as_array()
        .expect("readiness features")
        .iter()
        .filter_map(|f| f["feature"].as_str())
        .collect();
    for feature in ["hybrid_join", "password_hash_sync", "password_writeback"] {
        assert!(features.contains(&feature), "{feature}: {features:?}");
    }
    // With --no-readiness none of them is reported; the large-object rule still is.
    let (_, off) = crate::analyze_to(dir.path(), "off", &[path], &["--no-readiness"]);
    let off_rules = rules_of(&off);
    assert!(
        off_rules.iter().all(|r| !judged(r) || r == "SL701"),
        "{off_rules:?}"
    );
    assert!(off_rules.iter().any(|r| r == "SL701"));
    assert!(off["readiness"].is_null());
}

/// The findings of a run of the binary, as the JSON lists them, without the run's own time.
fn json_findings(dir: &Path, name: &str, input: &Path, faketime: Option<&str>) -> String {
    let json = dir.join(format!("{name}.json"));
    let mut command = match faketime {
        Some(date) => {
            let mut c = std::process::Command::new("faketime");
            c.arg(date).arg(env!("CARGO_BIN_EXE_synclint"));
            c
        }
        None => std::process::Command::new(env!("CARGO_BIN_EXE_synclint")),
    };
    let out = command
        .args([
            "analyze",
            "-q",
            "--fail-on",
            "never",
            "--no-workbook",
            "--json",
        ])
        .arg(&json)
        .arg(input)
        .output()
        .expect("run synclint");
    crate::assert_succeeded(&out);
    let summary: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&json).unwrap()).unwrap();
    let mut kept = serde_json::Map::new();
    for key in ["findings", "items", "readiness"] {
        if let Some(v) = summary.get(key) {
            kept.insert(key.to_string(), v.clone());
        }
    }
    assert!(!kept.is_empty(), "no findings in the JSON: {summary}");
    serde_json::Value::Object(kept).to_string()
}

#[test]
fn the_same_export_on_two_machine_dates_gives_the_same_findings() {
    let dir = tempfile::tempdir().unwrap();
    let path = export(dir.path(), "dates.ldf", 300, Format::Ldif);
    let have_faketime = std::process::Command::new("faketime")
        .arg("2020-01-01")
        .arg("true")
        .status()
        .is_ok_and(|s| s.success());
    if have_faketime {
        // A month apart, and years apart, on the machine's clock.
        let a = json_findings(dir.path(), "a", &path, Some("2027-01-15 08:00:00"));
        let b = json_findings(dir.path(), "b", &path, Some("2027-02-15 08:00:00"));
        let c = json_findings(dir.path(), "c", &path, Some("2031-06-01 08:00:00"));
        assert_eq!(a, b);
        assert_eq!(a, c);
        // The time-relative cases are in it (measured from the export's 2026-11-30).
        assert!(a.contains("SL1256") && a.contains("SL1302") && a.contains("SL1303"));
    } else {
        eprintln!("faketime is not installed: the machine-date runs are skipped; the source check below still runs");
        let a = json_findings(dir.path(), "a", &path, None);
        assert!(a.contains("SL1256") && a.contains("SL1302") && a.contains("SL1303"));
    }
    // And no readiness or certificate code reads the clock at all.
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = vec![root.join("cert.rs")];
    for entry in std::fs::read_dir(root.join("rules/readiness")).unwrap() {
        files.push(entry.unwrap().path());
    }
    for file in files {
        let text = std::fs::read_to_string(&file).unwrap();
        for clock in [
            "SystemTime::now",
            "Timestamp::now",
            "Zoned::now",
            "Utc::now",
        ] {
            assert!(
                !text.contains(clock),
                "{} reads the clock ({clock})",
                file.display()
            );
        }
    }
}

#[test]
fn what_the_inputs_lack_is_not_checked_never_passed() {
    let dir = tempfile::tempdir().unwrap();
    let full = export(dir.path(), "full.ldf", 0, Format::Ldif);
    // The same cases without their domain heads and without any time.
    let text = std::fs::read_to_string(&full)
        .unwrap()
        .replace("\r\n", "\n");
    let kept: Vec<&str> = text
        .split("\n\n")
        .filter(|record| !record.contains("objectClass: domainDNS"))
        .collect();
    let stripped: String = kept
        .join("\n\n")
        .lines()
        .filter(|l| !l.starts_with("whenChanged:"))
        .map(|l| format!("{l}\n"))
        .collect();
    let lacking = dir.path().join("lacking.ldf");
    std::fs::write(&lacking, stripped).unwrap();
    let (_, summary) = crate::analyze_to(dir.path(), "lacking", &[lacking], &[]);
    let not_checked: Vec<(String, String)> = summary["readiness"]["features"]
        .as_array()
        .expect("features")
        .iter()
        .flat_map(|f| f["not_checked"].as_array().cloned().unwrap_or_default())
        .flat_map(|n| {
            let why = n["why"].as_str().unwrap_or("").to_string();
            n["rules"]
                .as_array()
                .cloned()
                .unwrap_or_default()
                .into_iter()
                .map(move |r| (r.as_str().unwrap_or("").to_string(), why.clone()))
        })
        .collect();
    for code in ["SL1256", "SL1259", "SL1302", "SL1303", "SL1351"] {
        assert!(
            not_checked.iter().any(|(r, _)| r == code),
            "{code} not said to be unchecked: {not_checked:?}"
        );
    }
    // And none of those time- or policy-bound findings is reported.
    let rules: Vec<&str> = summary["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|i| i["rule"].as_str())
        .collect();
    for code in ["SL1256", "SL1259", "SL1302", "SL1303", "SL1351"] {
        assert!(!rules.contains(&code), "{code} reported without its data");
    }
    // What needs neither still is.
    for code in ["SL1251", "SL1257", "SL1301", "SL1304"] {
        assert!(rules.contains(&code), "{code} missing");
    }
}
