//! Linux: /proc for this process's memory, /proc/meminfo for the system's, and the cgroup's
//! limit (a container or a systemd unit with a memory limit stops a process at the limit,
//! however much RAM the machine has).

use std::path::{Path, PathBuf};

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

/// Memory this process can get without swapping or hitting its cgroup's limit.
pub fn available_bytes() -> Option<u64> {
    let system = proc_bytes("/proc/meminfo", "MemAvailable:");
    let cgroup = std::fs::read_to_string("/proc/self/cgroup")
        .ok()
        .and_then(|c| cgroup_available(&c, Path::new("/sys/fs/cgroup")));
    super::tighter(system, cgroup)
}

/// Room left under the memory limit of the cgroup named in `self_cgroup` (the text of
/// /proc/self/cgroup), with cgroup filesystems under `root`: the limit less what is in use,
/// not counting inactive file pages (the kernel drops those first). None without a limit.
pub fn cgroup_available(self_cgroup: &str, root: &Path) -> Option<u64> {
    let number =
        |path: PathBuf| -> Option<u64> { std::fs::read_to_string(path).ok()?.trim().parse().ok() };
    let stat = |path: PathBuf, field: &str| -> Option<u64> {
        std::fs::read_to_string(path).ok()?.lines().find_map(|l| {
            let (name, value) = l.split_once(' ')?;
            (name == field).then(|| value.trim().parse().ok())?
        })
    };
    for line in self_cgroup.lines() {
        let mut parts = line.splitn(3, ':');
        let (Some(_), Some(controllers), Some(path)) = (parts.next(), parts.next(), parts.next())
        else {
            continue;
        };
        let path = path.trim_start_matches('/');
        if controllers.split(',').any(|c| c == "memory") {
            // cgroup v1: the effective limit includes the ancestors' (hierarchical).
            let dir = root.join("memory").join(path);
            let limit = stat(dir.join("memory.stat"), "hierarchical_memory_limit")
                .or_else(|| number(dir.join("memory.limit_in_bytes")))?;
            if limit >= 1 << 60 {
                return None; // "unlimited" is a huge number in v1
            }
            let usage = number(dir.join("memory.usage_in_bytes")).unwrap_or(0);
            let inactive = stat(dir.join("memory.stat"), "total_inactive_file").unwrap_or(0);
            return Some(limit.saturating_sub(usage.saturating_sub(inactive)));
        }
        if controllers.is_empty() {
            // cgroup v2: the tightest memory.max from this group up to the root.
            let mut best: Option<u64> = None;
            let mut dir = root.join(path);
            loop {
                if let Some(limit) = number(dir.join("memory.max")) {
                    let usage = number(dir.join("memory.current")).unwrap_or(0);
                    let inactive = stat(dir.join("memory.stat"), "inactive_file").unwrap_or(0);
                    let room = limit.saturating_sub(usage.saturating_sub(inactive));
                    best = Some(best.map_or(room, |b| b.min(room)));
                }
                if dir == root || !dir.pop() || !dir.starts_with(root) {
                    break;
                }
            }
            return best;
        }
    }
    None
}

/// Has glibc's malloc give every allocation of [`LARGE_BLOCK`] or more a mapping of its own,
/// returned to the system when it is freed. By default glibc raises that threshold (up to 32
/// MiB) each time such a block is freed, and later blocks come from its arenas, which keep what
/// is freed there. Setting it also stops the raising. When it pays, measured:
/// [`super::MemoryPlan`] (`RETURN_LARGE_FREES_FROM`).
#[cfg(target_env = "gnu")]
pub fn return_large_frees() -> bool {
    // SAFETY: mallopt only sets one of malloc's parameters, under glibc's own lock; no
    // memory is handed over.
    unsafe { libc::mallopt(libc::M_MMAP_THRESHOLD, LARGE_BLOCK) == 1 }
}

/// What counts as a large block. 4 MiB and not glibc's own 128 KiB: the tables of the blocks
/// being parsed (a few hundred KiB a column, one table per 4 MiB of input, freed once
/// appended) then come from the arenas and are used again, where each had mappings of its own
/// to fault in and zero. 10M objects, full runs in alternating pairs: csvde 27.6 and 28.5 s
/// against 27.3 and 27.5 s, LDIF 40.4 and 39.0 s against 38.6 and 38.4 s; 11 % fewer page
/// faults (2.00-2.09M against 1.83-1.89M); peak 30-47 MB higher (5,532 MB against
/// 5,561-5,578 MB).
#[cfg(target_env = "gnu")]
const LARGE_BLOCK: libc::c_int = 4 << 20;

#[cfg(not(target_env = "gnu"))]
pub fn return_large_frees() -> bool {
    false
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cgroup_limits_are_read_in_both_versions() {
        let root = tempfile::tempdir().expect("temp dir");
        let write = |path: &str, text: &str| {
            let path = root.path().join(path);
            std::fs::create_dir_all(path.parent().expect("parent")).expect("dir");
            std::fs::write(path, text).expect("write");
        };
        // v1: 600 MB limit, 500 MB used of which 100 MB inactive file pages -> 200 MB free.
        write(
            "memory/batch/memory.stat",
            "cache 1\nhierarchical_memory_limit 629145600\ntotal_inactive_file 104857600\n",
        );
        write("memory/batch/memory.usage_in_bytes", "524288000\n");
        let v1 = "4:memory:/batch\n3:cpuset:/\n";
        assert_eq!(cgroup_available(v1, root.path()), Some(209_715_200));
        // v1 without a limit.
        write(
            "memory/free/memory.stat",
            "hierarchical_memory_limit 9223372036854771712\n",
        );
        assert_eq!(cgroup_available("4:memory:/free\n", root.path()), None);

        // v2: the parent's 1 GB limit is tighter than the child's "max".
        write("a/memory.max", "1073741824\n");
        write("a/memory.current", "100\n");
        write("a/memory.stat", "anon 100\ninactive_file 0\n");
        write("a/b/memory.max", "max\n");
        write("a/b/memory.current", "100\n");
        assert_eq!(
            cgroup_available("0::/a/b\n", root.path()),
            Some(1_073_741_724)
        );
        assert_eq!(cgroup_available("0::/elsewhere\n", root.path()), None);
        assert_eq!(cgroup_available("", root.path()), None);
    }
}
