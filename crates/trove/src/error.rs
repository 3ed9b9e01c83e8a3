//! The SDK's error type: every variant says what failed and, where it can, how to fix it.

use std::path::PathBuf;

/// Errors from the trove SDK. Every variant says what failed and, where it can, how to fix it.
///
/// Non-exhaustive: match the variants you handle and keep a `_` arm.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum TroveError {
    /// Configuration could not be read.
    #[error(transparent)]
    Config(#[from] trove_core::ConfigError),
    /// The metadata store failed.
    #[cfg(feature = "_embedded")]
    #[error(transparent)]
    Store(#[from] trove_store::StoreError),
    /// Storage (local folder, bucket, files server) failed.
    #[error(transparent)]
    Storage(#[from] trove_storage::StorageError),
    /// Serialising or reading an artifact failed.
    #[error(transparent)]
    Kind(#[from] crate::kinds::KindError),
    /// The trove/ClearML API answered with an error.
    #[error("API call {endpoint} failed: {message}")]
    Api {
        /// The endpoint, e.g. `tasks.create`.
        endpoint: String,
        /// The server's message or the transport error.
        message: String,
    },
    /// An artifact name is unusable.
    #[error("invalid artifact name {name:?}: {reason}")]
    InvalidName {
        /// The name given.
        name: String,
        /// Why it is refused.
        reason: String,
    },
    /// The name is a registered (watched) artifact.
    #[error("artifact {0:?} is registered (watched); unregister it first or pick another name")]
    Registered(String),
    /// No such task.
    #[error("task not found: {0}")]
    TaskNotFound(String),
    /// No such artifact on the task.
    #[error("artifact {name:?} not found on task {task}")]
    ArtifactNotFound {
        /// The task id.
        task: String,
        /// The artifact name.
        name: String,
    },
    /// The artifact has no bytes to fetch (a link to a store trove cannot read, or a failed upload).
    #[error("artifact {name:?} has no readable bytes: {reason}")]
    NotReadable {
        /// The artifact name.
        name: String,
        /// Why.
        reason: String,
    },
    /// Downloaded bytes do not match the recorded hash.
    #[error(
        "hash mismatch for {uri}: recorded {expected}, got {actual}; the stored file was changed or corrupted"
    )]
    HashMismatch {
        /// Where the bytes came from.
        uri: String,
        /// The recorded hash.
        expected: String,
        /// The hash of what was read.
        actual: String,
    },
    /// Background uploads failed.
    #[error("{} artifact upload(s) failed: {}", .0.len(), .0.iter().map(|(n, e)| format!("{n}: {e}")).collect::<Vec<_>>().join("; "))]
    UploadsFailed(Vec<(String, String)>),
    /// The blocking API ([`crate::Task`], [`crate::Trove`]) was called from inside an async runtime.
    #[error(
        "the blocking trove API was called from async code; use trove::nonblocking (the same API, async) or tokio::task::spawn_blocking"
    )]
    InsideAsync,
    /// The async API ([`crate::nonblocking`]) was used outside a tokio runtime.
    #[error(
        "trove::nonblocking needs a tokio runtime; call it from tokio, or use the blocking API (trove::Trove, trove::Task)"
    )]
    NoRuntime,
    /// The blocking API could not start its I/O runtime.
    #[error("cannot start trove's I/O runtime: {0}")]
    Runtime(#[source] std::io::Error),
    /// The configuration asks for a backend this build of trove leaves out.
    #[error("{what} needs the `{feature}` feature of the trove crate; enable it in Cargo.toml")]
    BackendDisabled {
        /// What the configuration asks for.
        what: &'static str,
        /// The feature that provides it.
        feature: &'static str,
    },
    /// The task was already closed.
    #[error("task {0} is closed")]
    Closed(String),
    /// A local file operation failed.
    #[error("{action} {path}: {source}")]
    Io {
        /// What was being done.
        action: &'static str,
        /// The path.
        path: PathBuf,
        /// The OS error.
        source: std::io::Error,
    },
}

/// Result alias for the SDK.
pub type Result<T, E = TroveError> = std::result::Result<T, E>;

pub(crate) fn io_err(
    action: &'static str,
    path: impl Into<PathBuf>,
) -> impl FnOnce(std::io::Error) -> TroveError {
    let path = path.into();
    move |source| TroveError::Io {
        action,
        path,
        source,
    }
}
