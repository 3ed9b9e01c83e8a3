//! Transfer progress: the caller's callback (if any) plus throttled `tracing` debug events.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Instant;

/// A progress callback given by the caller: cumulative bytes transferred so far.
pub(crate) type ProgressFn = Arc<dyn Fn(u64) + Send + Sync>;

/// A caller's progress callback, cloneable and printable (so options holding one can derive `Debug`).
#[derive(Clone)]
pub(crate) struct ProgressHook(pub ProgressFn);

impl std::fmt::Debug for ProgressHook {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("ProgressHook(..)")
    }
}

/// At most one debug event per this many milliseconds (the first and last byte counts always).
const EVERY_MS: u64 = 500;

/// Forwards every report to the caller's callback and logs one `debug` event at most every 500 ms.
pub(crate) struct Reporter<'a> {
    action: &'static str,
    artifact: &'a str,
    total: Option<u64>,
    hook: Option<&'a (dyn Fn(u64) + Send + Sync)>,
    start: Instant,
    /// Milliseconds since `start` of the last event, plus one (0 = none yet).
    last: AtomicU64,
}

impl<'a> Reporter<'a> {
    /// A reporter for `action` (`"upload"`, `"download"`) of `artifact`, whose size is `total` if known.
    pub(crate) fn new(
        action: &'static str,
        artifact: &'a str,
        total: Option<u64>,
        hook: Option<&'a (dyn Fn(u64) + Send + Sync)>,
    ) -> Self {
        Self {
            action,
            artifact,
            total,
            hook,
            start: Instant::now(),
            last: AtomicU64::new(0),
        }
    }

    /// Report `bytes` transferred so far.
    pub(crate) fn report(&self, bytes: u64) {
        if let Some(h) = self.hook {
            h(bytes);
        }
        let now = self.start.elapsed().as_millis() as u64 + 1;
        let last = self.last.load(Ordering::Relaxed);
        let done = self.total == Some(bytes);
        if (last == 0 || now >= last + EVERY_MS || done)
            && self
                .last
                .compare_exchange(last, now, Ordering::Relaxed, Ordering::Relaxed)
                .is_ok()
        {
            tracing::debug!(
                action = self.action,
                artifact = self.artifact,
                bytes,
                total = self.total,
                "transfer progress"
            );
        }
    }
}
