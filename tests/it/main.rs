//! Integration tests: one binary, one module per capability.

mod adexplorer;
mod architecture;
mod bad_input;
mod cli;
mod devices;
mod differential;
mod dn;
mod engine_cases;
mod engines;
mod fix;
mod honest;
mod malformed;
mod powershell;
mod reader;
mod readiness;
mod real_shapes;
mod review;
mod roundtrip;
mod rule_cases;
mod rules;
mod tenant;
mod workbook;

use std::path::{Path, PathBuf};
use synclint::directory::Directory;
use synclint::ingest::{read_files, Ingest, ReadOptions};

pub fn sample(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("samples")
        .join(name)
}

pub fn read(paths: &[PathBuf]) -> Ingest {
    read_files(paths, &ReadOptions::default())
}

/// Writes `bytes` to a fresh temporary file with the given name.
/// A generated LDIF export with planted issues (`objects`, `seed`) written to `dir/name`.
pub fn planted_export(dir: &Path, name: &str, objects: u64, seed: u64) -> PathBuf {
    use synclint::generate::{generate, GenerateOptions};
    let mut bytes = Vec::new();
    generate(
        &GenerateOptions {
            objects,
            seed,
            planted: true,
            ..GenerateOptions::default()
        },
        &mut bytes,
    )
    .unwrap();
    let path = dir.join(name);
    std::fs::write(&path, bytes).unwrap();
    path
}

pub fn temp_file(dir: &tempfile::TempDir, name: &str, bytes: &[u8]) -> PathBuf {
    let path = dir.path().join(name);
    std::fs::write(&path, bytes).expect("write temp file");
    path
}

/// The row of the object with this DN.
pub fn row_of(dir: &Directory, dn: &str) -> usize {
    (0..dir.len())
        .find(|r| dir.dn.get(*r) == Some(dn))
        .unwrap_or_else(|| panic!("no object {dn}"))
}

/// Every file's reconciliation: read = parsed + rejected, and the table holds the parsed ones.
pub fn assert_reconciles(ingest: &Ingest) {
    let parsed: u64 = ingest.files.iter().map(|f| f.objects).sum();
    assert_eq!(parsed as usize, ingest.directory.len());
    assert_eq!(ingest.objects_read(), parsed + ingest.objects_rejected());
    for f in &ingest.files {
        assert_eq!(f.read(), f.objects + f.rejected);
        assert!(f.rejections.len() as u64 <= f.rejected);
    }
}

/// Runs `synclint analyze -q --fail-on never -o DIR/NAME.xlsx --json DIR/NAME.json EXTRA… INPUTS…`;
/// returns the workbook's path and the JSON summary.
pub fn analyze_to(
    dir: &Path,
    name: &str,
    inputs: &[PathBuf],
    extra: &[&str],
) -> (PathBuf, serde_json::Value) {
    let xlsx = dir.join(format!("{name}.xlsx"));
    let json = dir.join(format!("{name}.json"));
    let mut args: Vec<String> = ["analyze", "-q", "--fail-on", "never", "-o"]
        .map(String::from)
        .to_vec();
    args.push(xlsx.to_string_lossy().into_owned());
    args.push("--json".into());
    args.push(json.to_string_lossy().into_owned());
    args.extend(extra.iter().map(|a| a.to_string()));
    args.extend(inputs.iter().map(|p| p.to_string_lossy().into_owned()));
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_synclint"))
        .args(&args)
        .output()
        .expect("run synclint");
    assert_succeeded(&out);
    let summary = serde_json::from_slice(&std::fs::read(&json).expect("summary")).expect("JSON");
    (xlsx, summary)
}

/// A run of synclint must have succeeded; its standard error says why not.
pub fn assert_succeeded(out: &std::process::Output) {
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}
