//! End to end at scale: `synclint analyze` (workbook included) on generated exports of each
//! size in both formats, with each stage's wall time (`--timings`), the process's wall time,
//! its peak RSS, and `cat FILE > /dev/null` timed in the same run as the floor.
//!
//!     cargo bench --bench scale                                   # 100k and 1M
//!     SYNCLINT_BENCH_SIZES=100000,1000000,10000000 cargo bench --bench scale
//!
//! Inputs are generated once under target/bench-data (seed 1, 3 domains, no planted issues;
//! the generator's .local and other non-routable suffixes give ~0.9 findings per object).
//! 10M objects take 17.7 GB (LDIF) + 11.6 GB (csvde) of disk and a few minutes to generate.
//! Each configuration runs SYNCLINT_BENCH_RUNS times (default 2); the fastest run is shown.
//! SYNCLINT_BENCH_FORMATS=powershell-csv (or a list) picks the formats (default ldif,csvde);
//! SYNCLINT_BENCH_SHAPES=default,sparse-wide,field (the default: all) the export shapes
//! (see `synclint generate --shape`). SYNCLINT_BENCH_BINARIES=before=/path,after=/path runs
//! several synclint binaries one after the other on each file (a row each), so that a
//! before/after comparison shares one sitting; the default is the one this bench was built with.

mod common;

use common::{bench_file, bench_formats, bench_shapes};
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::Instant;
use synclint::ingest::Format;

struct Run {
    wall: f64,
    stages: Vec<(String, f64)>,
    peak_mb: u64,
    findings: String,
}

fn main() {
    let sizes: Vec<u64> = std::env::var("SYNCLINT_BENCH_SIZES")
        .unwrap_or_else(|_| "100000,1000000".into())
        .split(',')
        .filter_map(|s| s.trim().parse().ok())
        .collect();
    let runs: usize = std::env::var("SYNCLINT_BENCH_RUNS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(2);
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("target/bench-data");
    std::fs::create_dir_all(&dir).expect("bench data directory");
    let out = dir.join("scale-report.xlsx");
    let binaries = binaries();
    println!("| shape | format | objects | binary | file | cat (floor) | read | scope | rules | collisions | suggest | workbook | end to end | peak RSS | RSS / file | findings |");
    println!("|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|");
    for &objects in &sizes {
        for (shape, format) in bench_shapes().into_iter().flat_map(|shape| {
            bench_formats(&[Format::Ldif, Format::Csvde])
                .into_iter()
                .map(move |format| (shape, format))
        }) {
            let path = bench_file(&dir, format, objects, false, shape);
            let bytes = std::fs::metadata(&path).map(|m| m.len()).unwrap_or(0);
            let cat = time_cat(&path);
            // Runs alternate between the binaries, so a change of load falls on each.
            let mut all: Vec<Vec<Run>> = binaries.iter().map(|_| Vec::new()).collect();
            for _ in 0..runs.max(1) {
                for (i, (_, binary)) in binaries.iter().enumerate() {
                    all[i].push(analyze(binary, &path, &out));
                }
            }
            for ((label, _), runs) in binaries.iter().zip(all) {
                let best = runs
                    .into_iter()
                    .min_by(|a, b| a.wall.total_cmp(&b.wall))
                    .expect("a run");
                let stage = |name: &str| {
                    best.stages
                        .iter()
                        .find(|(n, _)| n == name)
                        .map_or("-".to_string(), |(_, t)| format!("{t:.2} s"))
                };
                println!(
                "| {} | {} | {} | {} | {:.2} GB | {:.2} s | {} | {} | {} | {} | {} | {} | **{:.2} s** | {} MB | {:.2} | {} |",
                shape.name(),
                format.name(),
                objects,
                label,
                bytes as f64 / 1e9,
                cat,
                stage("read"),
                stage("scope"),
                stage("rules"),
                stage("collisions"),
                stage("suggest"),
                stage("workbook"),
                best.wall,
                best.peak_mb,
                (best.peak_mb as f64 * 1048576.0) / bytes.max(1) as f64,
                best.findings,
            );
            }
        }
    }
    let _ = std::fs::remove_file(&out);
}

/// `cat FILE > /dev/null`, timed.
fn time_cat(path: &Path) -> f64 {
    let t = Instant::now();
    let status = Command::new("cat")
        .arg(path)
        .stdout(Stdio::null())
        .status()
        .expect("run cat");
    assert!(status.success());
    t.elapsed().as_secs_f64()
}

/// The binaries to measure, as (label, path): SYNCLINT_BENCH_BINARIES, else this build's.
fn binaries() -> Vec<(String, std::path::PathBuf)> {
    match std::env::var("SYNCLINT_BENCH_BINARIES") {
        Ok(spec) if !spec.trim().is_empty() => spec
            .split(',')
            .map(|item| match item.split_once('=') {
                Some((label, path)) => (label.trim().to_string(), path.trim().into()),
                None => (item.trim().to_string(), item.trim().into()),
            })
            .collect(),
        _ => vec![("synclint".into(), env!("CARGO_BIN_EXE_synclint").into())],
    }
}

fn analyze(binary: &Path, path: &Path, out: &Path) -> Run {
    let t = Instant::now();
    let output = Command::new(binary)
        .args(["analyze", "-q", "--timings", "--fail-on", "never", "-o"])
        .arg(out)
        .arg(path)
        .output()
        .expect("run synclint");
    let wall = t.elapsed().as_secs_f64();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "{stderr}");
    let mut stages = Vec::new();
    let mut peak_mb = 0;
    let mut findings = String::new();
    for line in stderr.lines() {
        let words: Vec<&str> = line.split_whitespace().collect();
        match words.as_slice() {
            ["synclint:", "time", name, secs, "s"] => {
                stages.push((name.to_string(), secs.parse().unwrap_or(f64::NAN)))
            }
            ["synclint:", "peak", "memory", mb, "MB"] => peak_mb = mb.parse().unwrap_or(0),
            _ => {
                if let Some(i) = words.iter().position(|w| *w == "findings") {
                    findings = words[i - 1].to_string();
                }
            }
        }
    }
    Run {
        wall,
        stages,
        peak_mb,
        findings,
    }
}
