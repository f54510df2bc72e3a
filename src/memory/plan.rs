//! The memory plan, decided before reading: about how much memory the inputs will need, how
//! much is available, and whether the directory's text columns spill to disk. A value: the
//! caller says what it decided (see [`MemoryPlan::warning`]).

use std::path::{Path, PathBuf};

/// When reading spills the directory's text columns to disk.
#[derive(Copy, Clone, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Spill {
    // `auto`: when the inputs likely need more memory than is available. (Not a doc
    // comment: clap would print it in `--help`.)
    Auto,
    Always,
    Never,
}

/// What [`MemoryPlan::new`] decided.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MemoryPlan {
    /// About the memory the inputs will need, in bytes.
    pub needed: u64,
    /// The memory available, where the system says (see [`super::available_bytes`]).
    pub available: Option<u64>,
    /// Where the text columns spill to, if they do.
    pub spill_dir: Option<PathBuf>,
    /// The allocator is to return large freed blocks at once ([`MemoryPlan::prepare_allocator`]).
    pub return_large_frees: bool,
}

/// From this much needed memory on, large freed blocks go back to the system at once
/// (`super::return_large_frees`). Measured with glibc (full runs, csvde of the default shape,
/// 2 cores): 1M objects (0.8 GB needed) 20-35 MB less peak for 2 % more time; 3M objects (2.4
/// GB needed) 2.36 → 2.22 GB for 2.3 % more time; 10M objects (8.1 GB needed) 7.91-8.19 →
/// 7.36-7.43 GB, the time within the disk's spread.
const RETURN_LARGE_FREES_FROM: u64 = 2_000_000_000;

/// Peak memory per input byte, measured (benches/scale.rs, 100k-10M objects): 0.43x an LDIF
/// export, 0.66x a csvde export (a UTF-16 file holds half as much text per byte); planned with
/// a margin as 1/2 and 7/10.
fn needed_for(path: &Path, bytes: u64) -> u64 {
    let ldif = path
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("ldf") || e.eq_ignore_ascii_case("ldif"));
    if ldif {
        bytes / 2
    } else {
        bytes * 7 / 10
    }
}

impl MemoryPlan {
    /// The plan for reading `files` (their sizes; unreadable ones count nothing) under
    /// `spill`, spilling to `spill_dir` if at all.
    pub fn new(files: &[PathBuf], spill: Spill, spill_dir: &Path) -> MemoryPlan {
        let needed = files
            .iter()
            .filter_map(|f| std::fs::metadata(f).ok().map(|m| needed_for(f, m.len())))
            .sum();
        MemoryPlan::decide(needed, super::available_bytes(), spill, spill_dir)
    }

    /// The plan for inputs needing `needed` bytes when `available` are.
    pub fn decide(
        needed: u64,
        available: Option<u64>,
        spill: Spill,
        spill_dir: &Path,
    ) -> MemoryPlan {
        let short = available.is_some_and(|a| needed > a);
        let spills = match spill {
            Spill::Always => true,
            Spill::Never => false,
            Spill::Auto => short,
        };
        MemoryPlan {
            needed,
            available,
            spill_dir: spills.then(|| spill_dir.to_path_buf()),
            return_large_frees: needed >= RETURN_LARGE_FREES_FROM,
        }
    }

    /// Sets the allocator up as planned, before the reading starts its threads; says whether
    /// it was changed.
    pub fn prepare_allocator(&self) -> bool {
        self.return_large_frees && super::return_large_frees()
    }

    /// What to tell the user when the inputs likely need more memory than is available, and
    /// what the plan does about it; `None` when memory suffices (or is not known).
    pub fn warning(&self) -> Option<String> {
        let available = self.available.filter(|a| self.needed > *a)?;
        let what = match &self.spill_dir {
            Some(dir) => format!(
                "the text columns go to temporary files in {} that the system can page out (slower; --spill-dir chooses the folder)",
                dir.display()
            ),
            None => "the system may stop synclint (--spill auto or always keeps the text columns in files it can page out)".into(),
        };
        Some(format!(
            "these inputs need about {:.1} GB of memory and {:.1} GB is available: {what}.",
            self.needed as f64 / 1e9,
            available as f64 / 1e9
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spills_when_short_or_told() {
        let dir = Path::new("/var/tmp");
        let gb = 1_000_000_000;
        let short = MemoryPlan::decide(3 * gb, Some(2 * gb), Spill::Auto, dir);
        assert_eq!(short.spill_dir.as_deref(), Some(dir));
        let warning = short.warning().expect("a warning");
        assert!(
            warning.starts_with("these inputs need about 3.0 GB of memory and 2.0 GB is available: the text columns go to temporary files in /var/tmp"),
            "{warning}"
        );
        let ample = MemoryPlan::decide(gb, Some(2 * gb), Spill::Auto, dir);
        assert_eq!((ample.warning(), ample.spill_dir), (None, None));
        let unknown = MemoryPlan::decide(3 * gb, None, Spill::Auto, dir);
        assert_eq!((unknown.warning(), unknown.spill_dir), (None, None));
        assert!(MemoryPlan::decide(0, None, Spill::Always, dir)
            .spill_dir
            .is_some());
        let refused = MemoryPlan::decide(3 * gb, Some(2 * gb), Spill::Never, dir);
        assert_eq!(refused.spill_dir, None);
        assert!(refused
            .warning()
            .is_some_and(|w| w.contains("the system may stop synclint")));
    }

    #[test]
    fn large_frees_are_returned_only_for_large_inputs() {
        let dir = Path::new("/var/tmp");
        let gb = 1_000_000_000;
        // 1M objects of csvde need about 0.8 GB, 3M about 2.4 GB.
        let small = MemoryPlan::decide(gb * 8 / 10, None, Spill::Auto, dir);
        assert!(!small.return_large_frees);
        assert!(!small.prepare_allocator());
        let large = MemoryPlan::decide(gb * 24 / 10, None, Spill::Auto, dir);
        assert!(large.return_large_frees);
        // glibc takes the setting; elsewhere there is none to take.
        assert_eq!(
            large.prepare_allocator(),
            cfg!(all(target_os = "linux", target_env = "gnu"))
        );
    }

    #[test]
    fn ldif_needs_less_per_byte_than_csvde() {
        assert_eq!(needed_for(Path::new("a.LDF"), 1000), 500);
        assert_eq!(needed_for(Path::new("a.ldif"), 1000), 500);
        assert_eq!(needed_for(Path::new("a.csv"), 1000), 700);
    }
}
