//! trove: the Rust SDK for reporting artifacts, ClearML-compatible.
//!
//! ```no_run
//! // Records into $TROVE_HOME (default ~/.trove), or on the server trove.toml names.
//! use trove::Task;
//! let task = Task::init("examples", "artifacts example")?;
//! task.upload_artifact("dictionary", serde_json::json!({"a": 1}))?;
//! let value: serde_json::Value = task.artifact("dictionary")?.get()?;
//! task.close()?;
//! # Ok::<(), trove::TroveError>(())
//! ```
//!
//! - [`Trove`] is a client: the embedded store (a SQLite file in `$TROVE_HOME`, the default) or a
//!   `trove server` when `api_server` is configured. It opens ([`Trove::task`], [`Trove::find_task`]),
//!   creates ([`Trove::create_task`], [`Trove::task_builder`]) and lists ([`Trove::tasks`]) tasks.
//!   [`Task::init`] is the one-liner that makes a client from the environment.
//! - [`Task::upload_artifact`] serialises any supported object ([`IntoArtifact`]) in the caller's thread,
//!   publishes the record at once (state `uploading`) and uploads in a bounded background pool;
//!   [`UploadOptions`] chooses the format ([`FrameFormat`], [`ArrayFormat`], [`ImageFormat`]), metadata and
//!   more.
//! - [`Task::register_artifact`] watches a [`Tracked`] DataFrame and uploads a new version when it changes.
//! - [`Artifact::get`] and [`Artifact::local_copy`] read artifacts back through a hash-verified cache.
//!
//! The API at the crate root is blocking; [`nonblocking`] has the same types with `async` methods, for use
//! inside tokio. Heavy kinds and backends are cargo features (`frame`, `array`, `image`, `archive`, `json`,
//! `embedded-sqlite`, `embedded-postgres`, `remote`, `s3`, `gcs`, `azure`; all on by default): see the
//! crate's README.

#![warn(missing_docs)]

mod artifact;
mod backend;
mod blocking;
mod client;
mod context;
mod error;
#[cfg(feature = "frame")]
mod fingerprint;
mod kinds;
mod listing;
#[cfg(feature = "frame")]
mod monitor;
pub mod nonblocking;
mod options;
mod progress;
mod publish;
mod runtime;
#[cfg(all(feature = "frame", feature = "image"))]
pub mod samples;
#[cfg(feature = "frame")]
mod stats;
mod task;
#[cfg(feature = "frame")]
mod tracked;
mod upload;

/// The crates whose types the SDK takes, re-exported so versions always match.
#[cfg(feature = "image")]
pub use image;
#[cfg(feature = "array")]
pub use ndarray;
#[cfg(feature = "frame")]
pub use polars;

#[allow(deprecated)]
pub use blocking::client::list_tasks;
pub use blocking::{
    artifact::Artifact,
    client::{Trove, TroveBuilder},
    task::{Task, TaskBuilder},
};
pub use context::DestinationSource;
pub use error::{Result, TroveError};
#[cfg(feature = "frame")]
pub use fingerprint::fingerprint;
#[cfg(feature = "json")]
pub use kinds::Json;
pub use kinds::{
    ArrayFormat, Custom, Format, FrameFormat, FromArtifact, ImageFormat, IntoArtifact, KindError,
    Link, Text,
};
#[cfg(feature = "array")]
pub use kinds::{NpzArray, NpzElement};
pub use listing::TaskSummary;
#[cfg(feature = "frame")]
pub use monitor::DEFAULT_INTERVAL as DEFAULT_MONITOR_INTERVAL;
#[cfg(feature = "frame")]
pub use options::RegisterOptions;
pub use options::{DEFAULT_UPLOAD_RETRIES, UploadOptions};
#[cfg(feature = "frame")]
pub use tracked::{Tracked, Uniqueness};
pub use trove_core::{ArtifactRecord, ArtifactVersion, Config, TaskStatus, UploadState};
