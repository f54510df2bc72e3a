//! Progress on stderr for long runs: a bar per stage fed by the stage's counters, drawn only
//! when stderr is a terminal (indicatif hides it otherwise) and not with `--quiet`.

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::Duration;
use synclint::progress::{Counters, Observer, Stage};

/// Draws the pipeline's stages as bars ([`Observer`]).
pub struct Bars {
    quiet: bool,
    shown: Option<Shown>,
}

/// One stage being shown: the work updates the counters, a thread draws them.
struct Shown {
    stop: Arc<AtomicBool>,
    drawer: Option<JoinHandle<()>>,
    bar: ProgressBar,
}

impl Bars {
    pub fn new(quiet: bool) -> Bars {
        Bars { quiet, shown: None }
    }
}

impl Observer for Bars {
    fn started(&mut self, stage: Stage, total: u64, counters: &Counters) {
        self.finished(stage);
        let target = if self.quiet {
            ProgressDrawTarget::hidden()
        } else {
            ProgressDrawTarget::stderr()
        };
        let bar = ProgressBar::with_draw_target(Some(total), target);
        let template = if stage.counts_bytes() {
            "{msg:>10} [{bar:30}] {bytes}/{total_bytes} {bytes_per_sec} {prefix} objects, eta {eta}"
        } else {
            "{msg:>10} [{bar:30}] {human_pos}/{human_len} eta {eta}"
        };
        if let Ok(style) = ProgressStyle::with_template(template) {
            bar.set_style(style.progress_chars("=> "));
        }
        bar.set_message(stage.label());
        let stop = Arc::new(AtomicBool::new(false));
        let drawer = (!bar.is_hidden()).then(|| {
            let (bar, counters, stop) = (bar.clone(), counters.clone(), stop.clone());
            std::thread::spawn(move || {
                while !stop.load(Ordering::Relaxed) {
                    bar.set_position(counters.done.load(Ordering::Relaxed));
                    bar.set_prefix(
                        indicatif::HumanCount(counters.objects.load(Ordering::Relaxed)).to_string(),
                    );
                    std::thread::sleep(Duration::from_millis(100));
                }
            })
        });
        self.shown = Some(Shown { stop, drawer, bar });
    }

    fn finished(&mut self, _: Stage) {
        if let Some(mut shown) = self.shown.take() {
            shown.stop.store(true, Ordering::Relaxed);
            if let Some(t) = shown.drawer.take() {
                let _ = t.join();
            }
            shown.bar.finish_and_clear();
        }
    }
}
