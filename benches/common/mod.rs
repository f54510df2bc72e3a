//! Shared by the bench binaries: generated inputs and peak memory.

use std::path::{Path, PathBuf};
use synclint::generate::{generate, GenerateOptions, Shape};
use synclint::ingest::{Encoding, Format};

/// A generated export of `shape` under `dir` (never committed: target/ is ignored), made once
/// (seed 1, UTF-8), so every bench and `compare.py` reads the same bytes.
pub fn bench_file(
    dir: &Path,
    format: Format,
    objects: u64,
    planted: bool,
    shape: Shape,
) -> PathBuf {
    let ext = match format {
        Format::Ldif => "ldf",
        Format::Csvde | Format::PowershellCsv => "csv",
        Format::Adexplorer => "dat",
    };
    let tag = if planted { "-planted" } else { "" };
    let shape_tag = match shape {
        Shape::Default => String::new(),
        other => format!("-{}", other.name()),
    };
    let path = dir.join(format!("{}-{objects}{shape_tag}{tag}.{ext}", format.name()));
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
            shape,
            plant_devices: false,
            plant_readiness: false,
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

/// CPU time (user + system, all threads) this process has used, in seconds (0 where /proc
/// is missing): a stage's CPU time, unlike its wall time, hardly moves when other processes
/// share the cores.
#[allow(dead_code)] // used by one of the bench binaries only
pub fn cpu_seconds() -> f64 {
    let stat = std::fs::read_to_string("/proc/self/stat").unwrap_or_default();
    // Fields after the command name (which is in parentheses): utime and stime are the
    // 12th and 13th, in clock ticks (100 per second on Linux).
    let after = stat.rsplit_once(')').map_or("", |(_, rest)| rest);
    let ticks: u64 = after
        .split_whitespace()
        .skip(11)
        .take(2)
        .filter_map(|v| v.parse::<u64>().ok())
        .sum();
    ticks as f64 / 100.0
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

/// The export shapes to run: SYNCLINT_BENCH_SHAPES (e.g. `default,field`), else all of them:
/// a speed measured on one shape is not a speed on every export.
#[allow(dead_code)] // used by some of the bench binaries only
pub fn bench_shapes() -> Vec<Shape> {
    std::env::var("SYNCLINT_BENCH_SHAPES").map_or_else(
        |_| vec![Shape::Default, Shape::SparseWide, Shape::Field],
        |list| {
            list.split(',')
                .map(|s| clap::ValueEnum::from_str(s.trim(), true).expect("a shape name"))
                .collect()
        },
    )
}
