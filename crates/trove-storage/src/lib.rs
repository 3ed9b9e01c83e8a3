//! Artifact bytes in any destination, for the trove SDK (upload, download) and server (its files storage root).
//!
//! A [`Destination`] is parsed from an output uri:
//!
//! | uri | backend |
//! |---|---|
//! | `/abs/dir`, `rel/dir`, `~/dir`, `file:///abs/dir` | local folder (normalised to `file:///abs/dir`) |
//! | `s3://bucket/prefix`, `s3://host:port/bucket/prefix` | S3 or S3-compatible (feature `s3`) |
//! | `gs://bucket/prefix` | Google Cloud Storage (feature `gcs`) |
//! | `azure://account/container/prefix`, `az://container/prefix`, `abfs://container@account.dfs.core.windows.net/prefix` | Azure Blob (feature `azure`) |
//! | `http(s)://host:port[/prefix]` | a trove or ClearML files server |
//!
//! Keys are relative paths built by [`trove_core::layout`]; the uri recorded for an artifact is
//! [`Destination::uri_for`]`(key)`, and [`download_uri`] / [`delete_uri`] open whichever destination holds a
//! recorded uri. Every transfer streams (bounded memory), computes SHA-256 and size in the same pass, and never
//! leaves a partial file under a final local name.
//!
//! Configuration (all optional) comes from `trove.toml`: `[storage]` for transfer tuning
//! ([`TransferOptions`]), `[s3]`, `[gcs]`, `[azure]` for cloud credentials (see the `cloud` module docs of
//! each). Cloud credentials are never looked up at a cloud's metadata address unless
//! `use_instance_credentials = true` is set.

mod atomic;
#[cfg(feature = "_cloud")]
mod cloud;
mod content_type;
mod destination;
mod error;
mod files_server;
mod local;
mod objects;
mod options;

pub use content_type::{UNKNOWN_CONTENT_TYPE, guess_content_type};
pub use destination::{Destination, delete_uri, download_uri, open_store};
pub use error::StorageError;
pub use files_server::TokenProvider;
pub use object_store;
pub use options::TransferOptions;

/// The result of a transfer: SHA-256 (lower-case hex) and size in bytes of exactly the bytes moved.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PutOutcome {
    /// Hex SHA-256 of the bytes.
    pub sha256: String,
    /// Number of bytes.
    pub size: u64,
}

/// A progress callback that ignores progress, for callers that do not show any.
pub fn no_progress(_bytes: u64) {}
