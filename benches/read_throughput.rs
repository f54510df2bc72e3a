//! Read-into-directory throughput on generated exports, with `cat FILE > /dev/null` as the floor.
//!
//! `cargo bench --bench read_throughput` generates 1M-object LDIF, csvde, PowerShell
//! Export-Csv and AD Explorer snapshot files (once, under target/bench-data), then for each: times `cat`, and reads the file into the directory in a
//! child process with 1 and with 2 worker threads, reporting wall time, MB/s and the child's
//! peak RSS (VmHWM). Best of SYNCLINT_BENCH_RUNS (default 3) runs.
//! SYNCLINT_BENCH_OBJECTS changes the size; SYNCLINT_BENCH_FORMATS (e.g. `powershell-csv,csvde`)
//! the formats; SYNCLINT_BENCH_SHAPES (e.g. `default,sparse-wide,field`, the default: all)
//! the export shapes (see `synclint generate --shape`).

mod common;

use common::{bench_file, bench_formats, bench_shapes, peak_rss_bytes};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Instant;
use synclint::generate::Shape;
use synclint::ingest::{read_files, Format, ReadOptions};

const CHILD: &str = "SYNCLINT_BENCH_CHILD";

fn main() {
    if let Ok(spec) = std::env::var(CHILD) {
        return child(&spec);
    }
    let objects: u64 = env_or("SYNCLINT_BENCH_OBJECTS", 1_000_000);
    let runs: usize = env_or("SYNCLINT_BENCH_RUNS", 3);
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("target/bench-data");
    std::fs::create_dir_all(&dir).expect("bench data directory");
    println!(
        "objects: {objects}, runs: {runs} (best), cores: {}",
        std::thread::available_parallelism().map_or(0, |n| n.get())
    );
    let mut rows = Vec::new();
    let mut oracle = None;
    let mut oracle_size = 0.0;
    println!("| shape | format | file size | cat > /dev/null | read, 1 thread | read, 2 threads | peak RSS (2 threads) | RSS / file |");
    println!("|---|---|---|---|---|---|---|---|");
    let formats = bench_formats(&[
        Format::Ldif,
        Format::Csvde,
        Format::PowershellCsv,
        Format::Adexplorer,
    ]);
    for (shape, format) in bench_shapes()
        .into_iter()
        .flat_map(|shape| formats.iter().map(move |&format| (shape, format)))
    {
        let path = bench_file(&dir, format, objects, false, shape);
        let size = std::fs::metadata(&path).expect("bench file").len() as f64;
        let mb = size / 1e6;
        let cat = best(runs, || {
            let start = Instant::now();
            let status = Command::new("cat")
                .arg(&path)
                .stdout(Stdio::null())
                .status()
                .expect("cat");
            assert!(status.success());
            (start.elapsed().as_secs_f64(), 0)
        });
        let one = best(runs, || run_child(&path, 1));
        let two = best(runs, || run_child(&path, 2));
        rows.push(format!(
            "| {} | {} | {:.0} MB | {:.2} s ({:.0} MB/s) | {:.2} s ({:.0} MB/s) | {:.2} s ({:.0} MB/s) | {:.0} MB | {:.2} |",
            shape.name(), format.name(), mb, cat.0, mb / cat.0, one.0, mb / one.0, two.0, mb / two.0,
            two.1 as f64 / 1e6, two.1 as f64 / size
        ));
        if format == Format::Ldif && shape == Shape::Default {
            oracle = Some(run_child_mode(&path, 2, "ldif-parser"));
            oracle_size = size;
        }
    }
    for row in rows {
        println!("{row}");
    }
    if let Some((secs, rss)) = oracle {
        println!();
        println!(
            "ldif-parser on the same LDIF (whole file as &str, split at blank lines, chunks parsed with rayon, 2 threads): {:.2} s ({:.0} MB/s), peak RSS {:.0} MB ({:.2}x the file)",
            secs, oracle_size / 1e6 / secs, rss as f64 / 1e6, rss as f64 / oracle_size
        );
    }
}

fn env_or<T: std::str::FromStr>(name: &str, default: T) -> T {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn best(runs: usize, mut f: impl FnMut() -> (f64, u64)) -> (f64, u64) {
    (0..runs.max(1))
        .map(|_| f())
        .fold((f64::MAX, 0), |acc, r| if r.0 < acc.0 { r } else { acc })
}

/// Runs one read in a child process, so its peak RSS is the read's alone.
fn run_child(path: &Path, threads: usize) -> (f64, u64) {
    run_child_mode(path, threads, "synclint")
}

fn run_child_mode(path: &Path, threads: usize, reader: &str) -> (f64, u64) {
    let exe = std::env::current_exe().expect("bench executable");
    let out = Command::new(exe)
        .env(CHILD, format!("{reader}:{threads}:{}", path.display()))
        .output()
        .expect("run bench child");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8_lossy(&out.stdout);
    let mut parts = text.split_whitespace();
    let secs: f64 = parts
        .next()
        .and_then(|s| s.parse().ok())
        .expect("child time");
    let rss: u64 = parts
        .next()
        .and_then(|s| s.parse().ok())
        .expect("child rss");
    (secs, rss)
}

fn child(spec: &str) {
    let (reader, rest) = spec.split_once(':').expect("reader:threads:path");
    let (threads, path) = rest.split_once(':').expect("threads:path");
    let threads: usize = threads.parse().expect("threads");
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()
        .expect("pool");
    let path = PathBuf::from(path);
    let start = Instant::now();
    if reader == "ldif-parser" {
        let entries = pool.install(|| ldif_parser_read(&path));
        let secs = start.elapsed().as_secs_f64();
        assert!(entries > 0);
        println!("{secs} {}", peak_rss_bytes());
        return;
    }
    let ingest = pool.install(|| read_files(&[path], &ReadOptions::default()));
    let secs = start.elapsed().as_secs_f64();
    assert_eq!(ingest.files[0].rejected, 0);
    assert!(!ingest.directory.is_empty());
    println!("{secs} {}", peak_rss_bytes());
}

/// ldif-parser takes one `&str` and stops at 1,000,000 entries per call: the file is read whole,
/// cut at blank lines into 64 MB pieces, and the pieces are parsed in parallel, keeping every entry.
fn ldif_parser_read(path: &Path) -> usize {
    use rayon::prelude::*;
    let text = std::fs::read_to_string(path).expect("UTF-8 LDIF");
    let mut pieces = Vec::new();
    let mut start = 0;
    while start < text.len() {
        let mut end = (start + (64 << 20)).min(text.len());
        if end < text.len() {
            end = text[end..]
                .find("\r\n\r\n")
                .map_or(text.len(), |i| end + i + 4);
        }
        pieces.push(&text[start..end]);
        start = end;
    }
    let parsed: Vec<Vec<ldif_parser::LdifEntry>> = pieces
        .par_iter()
        .map(|p| ldif_parser::LdifParser::parse(p).expect("ldif-parser parses generated LDIF"))
        .collect();
    parsed.iter().map(Vec::len).sum()
}
