//! Shared by the bench binaries: generated inputs and peak memory.

use std::path::{Path, PathBuf};
use synclint::generate::{generate, GenerateOptions};
use synclint::ingest::{Encoding, Format};

/// A generated export under `dir`, made once (seed 1, UTF-8).
pub fn bench_file(dir: &Path, format: Format, objects: u64, planted: bool) -> PathBuf {
    let ext = match format {
        Format::Ldif => "ldf",
        Format::Csvde | Format::PowershellCsv => "csv",
        Format::Adexplorer => "dat",
    };
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
            escaped_names: false,
        };
        if format == Format::Adexplorer {
            synclint::generate::snapshot::generate(&options, file).expect("generate");
        } else {
            generate(&options, file).expect("generate");
        }
        std::fs::rename(&tmp, &path).expect("rename bench file");
    }
    path
}

/// Peak resident set size of this process (0 where /proc is missing).
#[allow(dead_code)] // used by one of the bench binaries only
pub fn peak_rss_bytes() -> u64 {
    synclint::memory::peak_rss_bytes().unwrap_or(0)
}

/// Current resident set size (0 where /proc is missing).
#[allow(dead_code)] // used by one of the bench binaries only
pub fn current_rss_bytes() -> u64 {
    synclint::memory::current_rss_bytes().unwrap_or(0)
}

/// The formats to run: SYNCLINT_BENCH_FORMATS (names as `--format` takes them, e.g.
/// `powershell-csv,csvde`), else `default`.
#[allow(dead_code)] // used by some of the bench binaries only
pub fn bench_formats(default: &[Format]) -> Vec<Format> {
    std::env::var("SYNCLINT_BENCH_FORMATS").map_or_else(
        |_| default.to_vec(),
        |list| {
            list.split(',')
                .map(|f| clap::ValueEnum::from_str(f.trim(), true).expect("a format name"))
                .collect()
        },
    )
}
