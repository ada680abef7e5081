//! The progress bar of long imports and exports: a bar with rows done and rows in all while
//! the rows of a sheet are read or written, a spinner with the stage's name while the size is
//! not known (opening a workbook, compressing it, the database write). Drawn on stderr, and
//! hidden when stderr is not a terminal, so scripts see only the results on stdout.

use std::sync::Arc;
use std::time::Duration;

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use quanze_exchange::{Progress, ProgressHandle};

/// A [`Progress`] drawn with indicatif.
pub struct Bar {
    bar: ProgressBar,
}

impl Bar {
    /// A bar on stderr (drawn only on a terminal).
    pub fn new() -> Bar {
        let bar = ProgressBar::with_draw_target(None, ProgressDrawTarget::stderr());
        bar.enable_steady_tick(Duration::from_millis(120));
        Bar { bar }
    }

    /// A handle for import and export options.
    pub fn handle(self: &Arc<Bar>) -> ProgressHandle {
        ProgressHandle(Arc::clone(self) as Arc<dyn Progress>)
    }

    /// Clears the bar.
    pub fn finish(&self) {
        self.bar.finish_and_clear();
    }
}

impl Progress for Bar {
    fn stage(&self, label: &str, total: u64) {
        let style = if total > 0 {
            ProgressStyle::with_template("{msg} [{bar:40.cyan/blue}] {pos}/{len} 行 {elapsed}")
        } else {
            ProgressStyle::with_template("{spinner} {msg} {elapsed}")
        };
        if let Ok(style) = style {
            self.bar.set_style(style.progress_chars("=> "));
        }
        self.bar.set_length(total);
        self.bar.set_position(0);
        self.bar.set_message(label.to_owned());
    }

    fn advance(&self, done: u64) {
        self.bar.set_position(done);
    }
}
