//! Memory figures: this process's peak and current use (for `--timings` and the benchmarks)
//! and the memory available before a run (to plan spilling), from what each operating system
//! offers: Linux's /proc and cgroups ([`linux`]), Windows' memory status and job objects
//! ([`windows`]). Elsewhere (macOS) there are no figures: nothing spills unless asked. The
//! plan made from them before a run is a [`MemoryPlan`].

mod plan;
pub use plan::{MemoryPlan, Spill};

#[cfg(target_os = "linux")]
mod linux;
#[cfg(target_os = "linux")]
use linux as os;

#[cfg(windows)]
mod windows;
#[cfg(windows)]
use windows as os;

#[cfg(not(any(target_os = "linux", windows)))]
mod os {
    pub fn peak_rss_bytes() -> Option<u64> {
        None
    }
    pub fn current_rss_bytes() -> Option<u64> {
        None
    }
    pub fn available_bytes() -> Option<u64> {
        None
    }
    pub fn return_large_frees() -> bool {
        false
    }
}

/// This process's peak resident set size (Linux VmHWM, Windows peak working set).
pub fn peak_rss_bytes() -> Option<u64> {
    os::peak_rss_bytes()
}

/// This process's current resident set size (Linux VmRSS, Windows working set).
pub fn current_rss_bytes() -> Option<u64> {
    os::current_rss_bytes()
}

/// Memory this process can get without swapping or hitting a limit set on it (a Linux cgroup,
/// a Windows job object).
pub(crate) fn available_bytes() -> Option<u64> {
    os::available_bytes()
}

/// Has the allocator return large freed blocks to the system at once (glibc on Linux; elsewhere
/// nothing to set, and `false`). Whether it is asked for is the [`MemoryPlan`]'s to decide.
pub(crate) fn return_large_frees() -> bool {
    os::return_large_frees()
}

/// The smaller of two figures, or whichever is known.
#[cfg(any(target_os = "linux", windows, test))]
pub(crate) fn tighter(a: Option<u64>, b: Option<u64>) -> Option<u64> {
    match (a, b) {
        (Some(a), Some(b)) => Some(a.min(b)),
        (a, b) => a.or(b),
    }
}

/// Room left under the tightest of `limits` when `used` bytes already count against each
/// (a Windows job object limits a process's and the whole job's committed memory). None
/// without a limit.
#[cfg(any(windows, test))]
pub(crate) fn room_under(limits: &[Option<u64>], used: u64) -> Option<u64> {
    limits
        .iter()
        .flatten()
        .map(|limit| limit.saturating_sub(used))
        .min()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_tightest_figure_wins() {
        assert_eq!(tighter(Some(8), Some(3)), Some(3));
        assert_eq!(tighter(None, Some(3)), Some(3));
        assert_eq!(tighter(Some(8), None), Some(8));
        assert_eq!(tighter(None, None), None);
        // A job limited to 1 GB per process and 600 MB for the job, 100 MB committed.
        let (gb, mb) = (1 << 30, 1 << 20);
        assert_eq!(
            room_under(&[Some(gb), Some(600 * mb)], 100 * mb),
            Some(500 * mb)
        );
        assert_eq!(room_under(&[None, Some(gb)], 2 * gb), Some(0));
        assert_eq!(room_under(&[None, None], 100), None);
    }
}
