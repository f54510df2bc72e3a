//! Integration tests: one binary, one module per capability.

mod bad_input;
mod cli;
mod differential;
mod fix;
mod malformed;
mod reader;
mod roundtrip;
mod rules;
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
