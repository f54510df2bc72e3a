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
use std::sync::mpsc::{Receiver, SyncSender};
use std::sync::{Mutex, PoisonError};

/// The two ends between whoever cuts the items (a reader of blocks, a walker of records) and
/// [`parse_in_order`], with room for `n` items: at most `n` are between the [`Feeder`] and the
/// append (queued, being parsed, parsed and waiting, being appended).
pub fn channel<T>(n: usize) -> (Feeder<T>, Items<T>) {
    let (give, take) = std::sync::mpsc::sync_channel(n);
    for _ in 0..n {
        let _ = give.try_send(());
    }
    let (sender, receiver) = std::sync::mpsc::sync_channel(n);
    (
        Feeder {
            items: sender,
            credits: take,
            place: 0,
        },
        Items {
            items: receiver,
            credits: give,
        },
    )
}

/// Sends items to [`parse_in_order`] with their places, counted from 0 with no gaps, each
/// after a credit: [`Feeder::wait_for_room`] takes one, and the append gives one back for each
/// item appended.
pub struct Feeder<T> {
    items: SyncSender<(usize, T)>,
    credits: Receiver<()>,
    place: usize,
}

impl<T> Feeder<T> {
    /// Waits until there is room for one more item (before cutting it, so that no more than
    /// the room is ever held). False once the append has stopped (it broke, or a thread
    /// panicked): cut no more.
    pub fn wait_for_room(&self) -> bool {
        self.credits.recv().is_ok()
    }

    /// Sends the next item, after [`Feeder::wait_for_room`]; false when nothing takes items
    /// any more.
    pub fn send(&mut self, item: T) -> bool {
        let sent = self.items.send((self.place, item)).is_ok();
        self.place += 1;
        sent
    }
}

/// The receiving end of [`channel`], for [`parse_in_order`].
pub struct Items<T> {
    items: Receiver<(usize, T)>,
    credits: SyncSender<()>,
}

/// Parses every item the [`Feeder`] of `items` sends on up to `threads` threads of rayon's
/// pool, this one among them, and appends the results in the order of their places, each as
/// soon as the results before it are appended, giving the feeder a credit back for each.
/// Returns when the feeder is dropped and everything it sent is parsed. Once `append` breaks,
/// nothing more is appended and the feeder gets no more room. A panic in `parse` or `append`
/// stops the room too, and reaches the caller once the other threads have seen the feeder
/// dropped. `parse` and `append` must not use
/// rayon themselves: a thread waiting in a rayon call could take up another thread's loop
/// here and wait for an item on top of a frame that holds one.
///
/// The threads that parse also append, whichever holds the append at the time, so no thread
/// is kept for the append alone: the memory a block's table leaves behind is then freed into
/// the allocator's arenas that the later stages allocate from. A thread appending on its own
/// kept 25-45 MB more at the 1M field shape's peak (`MALLOC_ARENA_MAX=3` took it back).
pub fn parse_in_order<T, P>(
    items: Items<T>,
    threads: usize,
    parse: impl Fn(T) -> P + Sync,
    append: impl FnMut(P) -> ControlFlow<()> + Send,
) where
    T: Send,
    P: Send,
{
    let Items { items, credits } = items;
    let items = Mutex::new(items);
    let waiting = Mutex::new(Waiting {
        parsed: BTreeMap::new(),
        next: 0,
    });
    let appending = Mutex::new(Appending {
        append,
        credits: Some(credits),
    });
    let work = || {
        let _stop = StopOnPanic(&appending);
        loop {
            // The lock is held while waiting for the next item: it goes to one thread, and
            // the others wait for the lock.
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
                    appending.append(parsed);
                }
                drop(appending);
                let more = waiting.lock().is_ok_and(|w| w.parsed.contains_key(&w.next));
                if !more {
                    break;
                }
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
    /// Where a credit goes back for each result appended; `None` once the append has broken
    /// (what is parsed after that is dropped).
    credits: Option<SyncSender<()>>,
}

impl<F> Appending<F> {
    fn append<P>(&mut self, parsed: P)
    where
        F: FnMut(P) -> ControlFlow<()>,
    {
        let Some(credits) = &self.credits else { return };
        match (self.append)(parsed) {
            ControlFlow::Continue(()) => {
                let _ = credits.try_send(());
            }
            ControlFlow::Break(()) => self.credits = None,
        }
    }
}

/// On a panic in `parse` or `append`, stops the append and drops the credits. Without it the
/// sender of the items would wait for a credit forever, the other threads for its next item,
/// and `rayon::scope`, which waits for every thread before it passes a panic on, for them.
struct StopOnPanic<'a, F>(&'a Mutex<Appending<F>>);

impl<F> Drop for StopOnPanic<'_, F> {
    fn drop(&mut self) {
        if std::thread::panicking() {
            let mut appending = self.0.lock().unwrap_or_else(PoisonError::into_inner);
            appending.credits = None;
        }
    }
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

    /// Runs `parse_in_order` on `threads` threads over the places 0, 1, 2 … sent by a thread
    /// that takes a credit before each, as `read_file`'s reader does; returns what the call
    /// gave (or its panic), what was appended, and how many items the sender sent. Fails the
    /// test if it has not returned within a minute.
    fn run(
        threads: usize,
        items: usize,
        parse: impl Fn(usize) -> usize + Sync + Send + 'static,
        mut append: impl FnMut(usize) -> ControlFlow<()> + Send + 'static,
    ) -> (std::thread::Result<()>, Vec<usize>, usize) {
        let (done, finished) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            let pool = rayon::ThreadPoolBuilder::new()
                .num_threads(threads)
                .build()
                .unwrap();
            let (mut feeder, receiving) = channel(threads * 2);
            let feeder = std::thread::spawn(move || {
                let mut sent = 0;
                while sent < items && feeder.wait_for_room() {
                    if !feeder.send(sent) {
                        break;
                    }
                    sent += 1;
                }
                sent
            });
            let mut appended = Vec::new();
            let outcome = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                pool.install(|| {
                    parse_in_order(receiving, threads, parse, |place| {
                        appended.push(place);
                        append(place)
                    })
                })
            }));
            let sent = feeder.join().unwrap();
            let _ = done.send((outcome, appended, sent));
        });
        finished
            .recv_timeout(std::time::Duration::from_secs(60))
            .expect("parse_in_order returned within a minute")
    }

    #[test]
    fn results_are_appended_in_order_on_any_number_of_threads() {
        for threads in [1, 2, 3, 8] {
            let (outcome, appended, sent) =
                run(threads, 2000, uneven, |_| ControlFlow::Continue(()));
            assert!(outcome.is_ok());
            assert_eq!(sent, 2000);
            assert_eq!(appended, (0..2000).collect::<Vec<_>>(), "{threads} threads");
        }
    }

    #[test]
    fn nothing_is_appended_after_append_breaks_and_the_sender_stops() {
        for threads in [1, 4] {
            let (outcome, appended, sent) = run(threads, 100_000, uneven, |place| {
                if place == 100 {
                    ControlFlow::Break(())
                } else {
                    ControlFlow::Continue(())
                }
            });
            assert!(outcome.is_ok());
            assert_eq!(appended, (0..=100).collect::<Vec<_>>(), "{threads} threads");
            // It may cut what its credits allow after the break, no more.
            assert!(sent <= 101 + threads * 2, "{threads} threads: {sent} sent");
        }
    }

    #[test]
    fn a_panic_stops_the_sender_and_reaches_the_caller() {
        for threads in [1, 2, 4] {
            let in_parse = run(
                threads,
                100_000,
                |place| {
                    assert_ne!(place, 50, "a parse that panics");
                    uneven(place)
                },
                |_| ControlFlow::Continue(()),
            );
            let in_append = run(threads, 100_000, uneven, |place| {
                assert_ne!(place, 50, "an append that panics");
                ControlFlow::Continue(())
            });
            for (what, (outcome, appended, sent)) in [("parse", in_parse), ("append", in_append)] {
                assert!(outcome.is_err(), "{what}, {threads} threads");
                assert!(appended.len() <= 51, "{what}, {threads} threads");
                assert!(sent < 100_000, "{what}, {threads} threads: {sent} sent");
            }
        }
    }
}
