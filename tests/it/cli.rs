//! The command line: inspect's JSON contract, exit codes, help with examples, generate.

use crate::sample;
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
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
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
