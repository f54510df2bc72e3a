//! Progress on stderr for long runs: a bar per stage fed by a shared counter, drawn only when
//! stderr is a terminal (indicatif hides it otherwise) and not with `--quiet`.

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::Duration;

/// One stage being shown: work updates `counter`, a thread draws it.
pub struct Stage {
    pub counter: Arc<AtomicU64>,
    /// A second count shown beside the bar (objects, while the bar counts bytes).
    pub objects: Arc<AtomicU64>,
    stop: Arc<AtomicBool>,
    drawer: Option<JoinHandle<()>>,
    bar: ProgressBar,
}

impl Stage {
    /// Starts showing `message`, counting up to `total` (`bytes` formats it as a size).
    pub fn start(message: &str, total: u64, bytes: bool, quiet: bool) -> Stage {
        let target = if quiet {
            ProgressDrawTarget::hidden()
        } else {
            ProgressDrawTarget::stderr()
        };
        let bar = ProgressBar::with_draw_target(Some(total), target);
        let template = if bytes {
            "{msg:>10} [{bar:30}] {bytes}/{total_bytes} {bytes_per_sec} {prefix} objects, eta {eta}"
        } else {
            "{msg:>10} [{bar:30}] {human_pos}/{human_len} eta {eta}"
        };
        if let Ok(style) = ProgressStyle::with_template(template) {
            bar.set_style(style.progress_chars("=> "));
        }
        bar.set_message(message.to_string());
        let counter = Arc::new(AtomicU64::new(0));
        let objects = Arc::new(AtomicU64::new(0));
        let stop = Arc::new(AtomicBool::new(false));
        let drawer = (!bar.is_hidden()).then(|| {
            let (bar, counter, objects, stop) =
                (bar.clone(), counter.clone(), objects.clone(), stop.clone());
            std::thread::spawn(move || {
                while !stop.load(Ordering::Relaxed) {
                    bar.set_position(counter.load(Ordering::Relaxed));
                    bar.set_prefix(
                        indicatif::HumanCount(objects.load(Ordering::Relaxed)).to_string(),
                    );
                    std::thread::sleep(Duration::from_millis(100));
                }
            })
        });
        Stage {
            counter,
            objects,
            stop,
            drawer,
            bar,
        }
    }

    pub fn finish(mut self) {
        self.stop.store(true, Ordering::Relaxed);
        if let Some(t) = self.drawer.take() {
            let _ = t.join();
        }
        self.bar.finish_and_clear();
    }
}
