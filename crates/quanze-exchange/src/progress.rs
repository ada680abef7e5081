//! 进度 — how a long import or export tells a progress bar where it is.
//!
//! The library only reports; drawing is the caller's (the CLI uses indicatif, the web
//! nothing). Reports are coarse, every [`Progress::EVERY`] rows, so that a report costs
//! nothing next to the row it follows.

use std::fmt;
use std::sync::Arc;

/// Receives progress reports. Implementations must be cheap and must not panic.
pub trait Progress: Send + Sync {
    /// A stage begins: its label for people (zh-CN, e.g. `读取工作表“行政许可”（1/3）`) and
    /// its size in rows, or 0 when unknown.
    fn stage(&self, label: &str, total: u64);
    /// `done` rows of the current stage are finished.
    fn advance(&self, done: u64);
}

impl dyn Progress {
    /// Rows between two reports.
    pub const EVERY: u64 = 500;
}

/// A shared [`Progress`] that can sit in options structs.
#[derive(Clone)]
pub struct ProgressHandle(pub Arc<dyn Progress>);

impl fmt::Debug for ProgressHandle {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("ProgressHandle(..)")
    }
}

impl PartialEq for ProgressHandle {
    fn eq(&self, other: &ProgressHandle) -> bool {
        Arc::ptr_eq(&self.0, &other.0)
    }
}

impl Eq for ProgressHandle {}

/// Reports to an optional handle.
pub(crate) fn stage(p: Option<&ProgressHandle>, label: &str, total: u64) {
    if let Some(p) = p {
        p.0.stage(label, total);
    }
}

/// Reports `done` when it is a multiple of [`Progress::EVERY`] or the end.
pub(crate) fn advance(p: Option<&ProgressHandle>, done: u64, total: u64) {
    if let Some(p) = p
        && (done.is_multiple_of(<dyn Progress>::EVERY) || done == total)
    {
        p.0.advance(done);
    }
}
