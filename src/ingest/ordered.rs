//! Parsing blocks in parallel and appending them in file order, with no barrier between the
//! two: each of the pool's threads takes the next block as soon as it is free, and a parsed
//! block is appended as soon as the blocks before it are.
//!
//! Parsing batches of blocks with rayon and appending between batches (as `read_file` did
//! before) left a core idle at the end of every batch while the slowest block of it was
//! parsed: `perf sched` of `inspect` on the 1M default csvde file showed the two workers
//! asleep 286 ms and 164 ms of a 1.2 s read. Without the batches `inspect` was 12-16 % faster on each of
//! the six 1M files of `docs/performance.md`.

use std::collections::BTreeMap;
use std::ops::ControlFlow;
use std::sync::mpsc::Receiver;
use std::sync::Mutex;

/// Parses every item `items` yields (each with its place, counted from 0 with no gaps) on
/// `threads` threads of rayon's pool, this one among them, and appends the results in the
/// order of their places, each as soon as the results before it are appended. Returns when
/// `items` is closed and everything taken from it is parsed; once `append` breaks, nothing
/// more is appended (the caller then stops what feeds `items`).
///
/// The threads that parse also append, whichever holds the append at the time, so no thread
/// of its own does: the memory a block's table leaves behind is then freed into the
/// allocator's arenas that the later stages allocate from. A thread appending on its own
/// kept 25-45 MB more at the 1M field shape's peak (`MALLOC_ARENA_MAX=3` took it back).
pub fn parse_in_order<T, P>(
    items: Receiver<(usize, T)>,
    threads: usize,
    parse: impl Fn(T) -> P + Sync,
    append: impl FnMut(P) -> ControlFlow<()> + Send,
) where
    T: Send,
    P: Send,
{
    let items = Mutex::new(items);
    let waiting = Mutex::new(Waiting {
        parsed: BTreeMap::new(),
        next: 0,
    });
    let appending = Mutex::new(Appending {
        append,
        stopped: false,
    });
    let work = || loop {
        let next = match items.lock() {
            Ok(items) => items.recv(),
            Err(_) => break,
        };
        let Ok((place, item)) = next else { break };
        let parsed = parse(item);
        match waiting.lock() {
            Ok(mut waiting) => waiting.parsed.insert(place, parsed),
            Err(_) => break,
        };
        // Appends what is next in order, unless another thread is appending: that thread
        // looks again after it lets go, and so finds this result.
        while let Ok(mut appending) = appending.try_lock() {
            while let Some(parsed) = take_next(&waiting) {
                if !appending.stopped {
                    appending.stopped = (appending.append)(parsed).is_break();
                }
            }
            drop(appending);
            let more = waiting.lock().is_ok_and(|w| w.parsed.contains_key(&w.next));
            if !more {
                break;
            }
        }
    };
    rayon::scope(|pool| {
        for _ in 1..threads {
            pool.spawn(|_| work());
        }
        work();
    });
}

/// Results parsed and not yet appended, by place, and the place of the next to append.
struct Waiting<P> {
    parsed: BTreeMap<usize, P>,
    next: usize,
}

struct Appending<F> {
    append: F,
    /// `append` broke: what is parsed after that is dropped.
    stopped: bool,
}

fn take_next<P>(waiting: &Mutex<Waiting<P>>) -> Option<P> {
    let mut waiting = waiting.lock().ok()?;
    let next = waiting.next;
    let parsed = waiting.parsed.remove(&next)?;
    waiting.next += 1;
    Some(parsed)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Work that takes longer for some places than for others, so that later items are
    /// often parsed before earlier ones.
    fn uneven(place: usize) -> usize {
        let spins = (place.wrapping_mul(2_654_435_761) >> 7) % 20_000;
        std::hint::black_box((0..spins).fold(0, |acc, i| std::hint::black_box(acc ^ i)));
        place
    }

    fn fed(count: usize) -> Receiver<(usize, usize)> {
        let (sender, receiver) = std::sync::mpsc::channel();
        for place in 0..count {
            sender.send((place, place)).unwrap();
        }
        receiver
    }

    #[test]
    fn results_are_appended_in_order_on_any_number_of_threads() {
        for threads in [1, 2, 3, 8] {
            let pool = rayon::ThreadPoolBuilder::new()
                .num_threads(threads)
                .build()
                .unwrap();
            let mut appended = Vec::new();
            pool.install(|| {
                parse_in_order(fed(2000), threads, uneven, |place| {
                    appended.push(place);
                    ControlFlow::Continue(())
                })
            });
            assert_eq!(appended, (0..2000).collect::<Vec<_>>(), "{threads} threads");
        }
    }

    #[test]
    fn nothing_is_appended_after_append_breaks() {
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(4)
            .build()
            .unwrap();
        let mut appended = Vec::new();
        pool.install(|| {
            parse_in_order(fed(500), 4, uneven, |place| {
                appended.push(place);
                if place == 100 {
                    ControlFlow::Break(())
                } else {
                    ControlFlow::Continue(())
                }
            })
        });
        assert_eq!(appended, (0..=100).collect::<Vec<_>>());
    }
}
