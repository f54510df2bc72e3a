//! Progress of a run, for whoever shows it. The pipeline tells an [`Observer`] when each long
//! stage starts (with the units it counts up to and the counters it will update) and when it
//! ends; the work itself only bumps relaxed atomic counters, so watching costs it nothing.
//! The command line draws bars from them; tests and benches watch nothing ([`Silent`]).

use std::sync::atomic::AtomicU64;
use std::sync::Arc;

/// A long stage of a run.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum Stage {
    /// Reading the inputs: counts bytes (and objects beside them).
    Reading,
    /// Scope, rules, collisions and suggestions: not counted.
    Rules,
    /// Writing the workbook: counts findings written.
    Workbook,
}

impl Stage {
    /// The stage as a progress display names it.
    pub fn label(self) -> &'static str {
        match self {
            Stage::Reading => "reading",
            Stage::Rules => "rules",
            Stage::Workbook => "workbook",
        }
    }

    /// Whether the stage counts bytes (else items).
    pub fn counts_bytes(self) -> bool {
        self == Stage::Reading
    }
}

/// What a stage counts as it works, readable from another thread.
#[derive(Clone, Debug, Default)]
pub struct Counters {
    /// Units done, up to the total the stage started with.
    pub done: Arc<AtomicU64>,
    /// Objects parsed (or rejected) so far, shown beside the bytes while reading.
    pub objects: Arc<AtomicU64>,
}

/// Watches a run's stages.
pub trait Observer {
    /// `stage` starts, counting up to `total` in `counters`.
    fn started(&mut self, stage: Stage, total: u64, counters: &Counters);
    /// `stage` is done.
    fn finished(&mut self, stage: Stage);
}

/// Watches nothing.
pub(crate) struct Silent;

impl Observer for Silent {
    fn started(&mut self, _: Stage, _: u64, _: &Counters) {}
    fn finished(&mut self, _: Stage) {}
}
