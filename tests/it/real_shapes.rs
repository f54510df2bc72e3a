//! Real directories' shapes (issue 14): names written `Last, First`, replication-conflict
//! copies, OUs with escaped characters, one row per problem.

use crate::rules::run;
use std::collections::HashMap;
use synclint::generate::{objects, ExportObject, GenerateOptions};

#[test]
fn no_two_findings_share_object_attribute_and_value() {
    let options = GenerateOptions {
        objects: 30_000,
        seed: 5,
        planted: true,
        ..GenerateOptions::default()
    };
    let generated: Vec<ExportObject> = objects(&options).collect();
    let r = run(&generated);
    let mut seen: HashMap<(u32, &str, &str), &str> = HashMap::new();
    let mut shared = Vec::new();
    for f in r.findings.iter() {
        if let Some(earlier) = seen.insert((f.row, f.attribute, &f.value), f.rule.code) {
            shared.push(format!(
                "{earlier}+{} {} {}",
                f.rule.code, f.attribute, f.value
            ));
        }
    }
    let mut kinds: Vec<String> = shared
        .iter()
        .map(|s| s.split(' ').next().unwrap().to_string())
        .collect();
    kinds.sort();
    kinds.dedup();
    assert!(
        shared.is_empty(),
        "{} shared rows {kinds:?}, e.g. {:?}",
        shared.len(),
        &shared[..shared.len().min(10)]
    );
    // The planted duplicates and collisions are there, each once.
    for code in ["SL801", "SL802", "SL803", "SL853"] {
        assert!(r.findings.iter().any(|f| f.rule.code == code), "{code}");
    }
    // A row that stands for several rules names the others.
    assert!(r
        .findings
        .iter()
        .any(|f| f.note.as_deref().is_some_and(|n| n.contains("also SL901"))));
}

/// Findings as comparable tuples: rule, DN, attribute, value, suggestion.
fn finding_rows(paths: &[std::path::PathBuf]) -> Vec<(String, String, String, String, String)> {
    let a = synclint::analyze::run(
        paths,
        &synclint::ingest::ReadOptions::default(),
        &synclint::scope::ScopeOptions::default(),
        synclint::rules::RuleOptions::default(),
    );
    assert!(a.ingest.failed_files().next().is_none());
    let dir = &a.ingest.directory;
    let mut rows: Vec<_> = a
        .findings
        .iter()
        .map(|f| {
            (
                f.rule.code.to_string(),
                dir.dn.get(f.row as usize).unwrap_or_default().to_string(),
                f.attribute.to_string(),
                f.value.clone(),
                f.suggested.clone().unwrap_or_default(),
            )
        })
        .collect();
    rows.sort();
    rows
}

#[test]
fn csvde_with_bare_semicolons_in_x400_values_finds_what_the_escaped_layout_finds() {
    let options = GenerateOptions {
        objects: 3_000,
        seed: 11,
        planted: true,
        ..GenerateOptions::default()
    };
    let mut generated: Vec<ExportObject> = objects(&options).collect();
    let mut x400 = 0;
    for (i, o) in generated.iter_mut().enumerate() {
        if !o.has("proxyAddresses") {
            continue;
        }
        let sn = o.last_text("sn").unwrap_or("Team").to_string();
        o.text(
            "proxyAddresses",
            format!("X400:c=US;a= ;p=Contoso;o=Exchange;s={sn};g=N{i};"),
        );
        x400 += 1;
        if i % 7 == 0 {
            // A value without a type prefix: reported as such in both layouts.
            o.text("proxyAddresses", format!("plain{i}@contoso.com"));
        }
    }
    assert!(x400 > 1_000);
    let escaped = synclint::generate::writer::csvde_file(&generated);
    assert!(escaped.contains("X400:c=US\\;a= \\;p=Contoso"));
    let bare = escaped.replace("\\;", ";");
    let dir = tempfile::tempdir().unwrap();
    let escaped_rows = finding_rows(&[crate::temp_file(&dir, "escaped.csv", escaped.as_bytes())]);
    let bare_rows = finding_rows(&[crate::temp_file(&dir, "bare.csv", bare.as_bytes())]);
    assert_eq!(escaped_rows.len(), bare_rows.len());
    assert!(escaped_rows == bare_rows, "the layouts disagree");
    // X400 values arrive whole (one SL405 legacy-type row each), no-prefix values as SL406.
    let count = |code: &str| escaped_rows.iter().filter(|r| r.0 == code).count();
    assert_eq!(count("SL405"), x400);
    assert!(count("SL406") > 100);
    assert!(!bare_rows
        .iter()
        .any(|r| r.3.starts_with("a= ") || r.3.starts_with("p=")));
}
