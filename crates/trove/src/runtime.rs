//! The SDK is a blocking API over async storage and HTTP: one tokio runtime per process runs the I/O and
//! the background uploads.

use crate::error::{Result, TroveError};
use std::future::Future;
use std::sync::OnceLock;
use tokio::runtime::{Handle, Runtime};

static RUNTIME: OnceLock<Runtime> = OnceLock::new();

/// The process-wide runtime (created on first use, two worker threads).
pub(crate) fn handle() -> Handle {
    RUNTIME
        .get_or_init(|| {
            tokio::runtime::Builder::new_multi_thread()
                .worker_threads(2)
                .thread_name("trove-io")
                .enable_all()
                .build()
                .unwrap_or_else(|e| panic!("trove cannot start its I/O runtime: {e}"))
        })
        .handle()
        .clone()
}

/// Run a future to completion from blocking code. Fails (instead of panicking) inside an async context.
pub(crate) fn block_on<F: Future>(fut: F) -> Result<F::Output> {
    if Handle::try_current().is_ok() {
        return Err(TroveError::InsideAsync);
    }
    Ok(handle().block_on(fut))
}
