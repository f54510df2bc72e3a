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
