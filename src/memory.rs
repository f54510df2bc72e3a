//! Memory readings from Linux's /proc (None elsewhere): the peak and current RSS for
//! `--timings` and the benchmarks, and the memory available before a run.

/// A `kB` field of a /proc file (`VmHWM:` in /proc/self/status …), in bytes.
fn proc_bytes(path: &str, field: &str) -> Option<u64> {
    std::fs::read_to_string(path)
        .ok()?
        .lines()
        .find_map(|l| l.strip_prefix(field))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<u64>().ok())
        .map(|kb| kb * 1024)
}

/// This process's peak resident set size (VmHWM).
pub fn peak_rss_bytes() -> Option<u64> {
    proc_bytes("/proc/self/status", "VmHWM:")
}

/// This process's current resident set size (VmRSS).
pub fn current_rss_bytes() -> Option<u64> {
    proc_bytes("/proc/self/status", "VmRSS:")
}

/// Memory the system can give without swapping (MemAvailable).
pub fn available_bytes() -> Option<u64> {
    proc_bytes("/proc/meminfo", "MemAvailable:")
}
