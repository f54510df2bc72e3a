//! Read-into-directory throughput on generated exports, with `cat FILE > /dev/null` as the floor.
//!
//! `cargo bench --bench read_throughput` generates 1M-object LDIF and csvde files (once, under
//! target/bench-data), then for each: times `cat`, and reads the file into the directory in a
//! child process with 1 and with 2 worker threads, reporting wall time, MB/s and the child's
//! peak RSS (VmHWM). Best of SYNCLINT_BENCH_RUNS (default 3) runs.
//! SYNCLINT_BENCH_OBJECTS changes the size.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Instant;
use synclint::generate::{generate, GenerateOptions};
use synclint::ingest::{read_files, Encoding, Format, ReadOptions};

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
    println!("| format | file size | cat > /dev/null | read, 1 thread | read, 2 threads | peak RSS (2 threads) | RSS / file |");
    println!("|---|---|---|---|---|---|---|");
    for format in [Format::Ldif, Format::Csvde] {
        let path = dir.join(format!(
            "{}-{objects}.{}",
            format.name(),
            if format == Format::Ldif { "ldf" } else { "csv" }
        ));
        if !path.exists() {
            let tmp = path.with_extension("part");
            let file = std::fs::File::create(&tmp).expect("create bench file");
            let options = GenerateOptions {
                objects,
                seed: 1,
                format,
                encoding: Encoding::Utf8,
                domains: 3,
            };
            generate(&options, file).expect("generate");
            std::fs::rename(&tmp, &path).expect("rename bench file");
        }
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
        println!(
            "| {} | {:.0} MB | {:.2} s ({:.0} MB/s) | {:.2} s ({:.0} MB/s) | {:.2} s ({:.0} MB/s) | {:.0} MB | {:.2} |",
            format.name(), mb, cat.0, mb / cat.0, one.0, mb / one.0, two.0, mb / two.0,
            two.1 as f64 / 1e6, two.1 as f64 / size
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
    let exe = std::env::current_exe().expect("bench executable");
    let out = Command::new(exe)
        .env(CHILD, format!("{threads}:{}", path.display()))
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
    let (threads, path) = spec.split_once(':').expect("threads:path");
    let threads: usize = threads.parse().expect("threads");
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()
        .expect("pool");
    let path = PathBuf::from(path);
    let start = Instant::now();
    let ingest = pool.install(|| read_files(&[path], &ReadOptions::default()));
    let secs = start.elapsed().as_secs_f64();
    assert_eq!(ingest.files[0].rejected, 0);
    assert!(!ingest.directory.is_empty());
    println!("{secs} {}", peak_rss_bytes());
}

/// Peak resident set size of this process (Linux: VmHWM in /proc/self/status).
fn peak_rss_bytes() -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<u64>().ok())
        .map_or(0, |kb| kb * 1024)
}
