//! Shared by the bench binaries: generated inputs and peak memory.

use std::path::{Path, PathBuf};
use synclint::generate::{generate, GenerateOptions};
use synclint::ingest::{Encoding, Format};

/// A generated export under `dir`, made once (seed 1, UTF-8).
pub fn bench_file(dir: &Path, format: Format, objects: u64, planted: bool) -> PathBuf {
    let ext = if format == Format::Ldif { "ldf" } else { "csv" };
    let tag = if planted { "-planted" } else { "" };
    let path = dir.join(format!("{}-{objects}{tag}.{ext}", format.name()));
    if !path.exists() {
        let tmp = path.with_extension("part");
        let file = std::fs::File::create(&tmp).expect("create bench file");
        let options = GenerateOptions {
            objects,
            seed: 1,
            format,
            encoding: Encoding::Utf8,
            domains: 3,
            planted,
        };
        generate(&options, file).expect("generate");
        std::fs::rename(&tmp, &path).expect("rename bench file");
    }
    path
}

/// Peak resident set size of this process (Linux: VmHWM in /proc/self/status).
#[allow(dead_code)] // used by one of the bench binaries only
pub fn peak_rss_bytes() -> u64 {
    status_bytes("VmHWM:")
}

/// Current resident set size (VmRSS).
#[allow(dead_code)] // used by one of the bench binaries only
pub fn current_rss_bytes() -> u64 {
    status_bytes("VmRSS:")
}

fn status_bytes(field: &str) -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find_map(|l| l.strip_prefix(field))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<u64>().ok())
        .map_or(0, |kb| kb * 1024)
}
