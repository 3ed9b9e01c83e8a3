//! The I/O runtime of the blocking API: one per blocking client ([`crate::Trove`]), owned by it and by
//! every handle made from it (tasks, artifacts), shut down when the last of them is dropped. Nothing here
//! is process-wide. The async API ([`crate::nonblocking`]) uses the caller's tokio runtime instead.

use crate::error::{Result, TroveError};
use std::future::Future;
use std::sync::Arc;
use tokio::runtime::{Handle, Runtime};

/// A tokio runtime owned by blocking handles.
pub(crate) struct OwnedRuntime {
    rt: Option<Runtime>,
    handle: Handle,
}

impl OwnedRuntime {
    /// Start a runtime with two I/O worker threads (`trove-io`). Fails inside async code: the blocking
    /// API would block the caller's executor.
    pub fn start() -> Result<Arc<Self>> {
        refuse_inside_async()?;
        let rt = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .thread_name("trove-io")
            .enable_all()
            .build()
            .map_err(TroveError::Runtime)?;
        let handle = rt.handle().clone();
        Ok(Arc::new(Self {
            rt: Some(rt),
            handle,
        }))
    }

    /// The handle background work is spawned on.
    pub fn handle(&self) -> &Handle {
        &self.handle
    }

    /// Run `fut` to completion on this runtime from blocking code; an error inside async code.
    pub fn block_on<F: Future>(&self, fut: F) -> Result<F::Output> {
        refuse_inside_async()?;
        Ok(self.handle.block_on(fut))
    }
}

/// [`TroveError::InsideAsync`] when called from inside a tokio runtime.
fn refuse_inside_async() -> Result<()> {
    if Handle::try_current().is_ok() {
        return Err(TroveError::InsideAsync);
    }
    Ok(())
}

impl std::fmt::Debug for OwnedRuntime {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("OwnedRuntime")
    }
}

impl Drop for OwnedRuntime {
    fn drop(&mut self) {
        if let Some(rt) = self.rt.take() {
            if Handle::try_current().is_ok() {
                // Dropped from async code (a runtime may not block there): stop without waiting.
                rt.shutdown_background();
            } else {
                drop(rt);
            }
        }
    }
}

/// Run CPU or blocking work (serialising, fingerprinting, parsing) on tokio's blocking pool. A panic in it
/// goes on in the caller, as it would in the blocking API; a cancelled job (the runtime shutting down) is an
/// error naming `action`.
pub(crate) async fn on_blocking_pool<T: Send + 'static>(
    action: &'static str,
    f: impl FnOnce() -> T + Send + 'static,
) -> Result<T> {
    match tokio::task::spawn_blocking(f).await {
        Ok(v) => Ok(v),
        Err(e) if e.is_panic() => std::panic::resume_unwind(e.into_panic()),
        Err(e) => Err(TroveError::Io {
            action,
            path: Default::default(),
            source: std::io::Error::other(e),
        }),
    }
}
