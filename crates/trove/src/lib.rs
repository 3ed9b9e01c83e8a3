//! trove: the Rust SDK for reporting artifacts, ClearML-compatible.
//!
//! ```no_run
//! use trove::Task;
//! let task = Task::init("examples", "artifacts example")?;
//! task.upload_artifact("dictionary", serde_json::json!({"a": 1}))?;
//! let value: serde_json::Value = task.artifact("dictionary")?.get()?;
//! task.close()?;
//! # Ok::<(), trove::TroveError>(())
//! ```
//!
//! - [`Task`] opens or creates a task: in the embedded store (a SQLite file in `$TROVE_HOME`, the default) or
//!   on a `trove server` when `api_server` is configured.
//! - [`Task::upload_artifact`] serialises any supported object ([`kinds`]) in the caller's thread, publishes
//!   the record at once (state `uploading`) and uploads in a bounded background pool.
//! - [`Task::register_artifact`] watches a [`Tracked`] DataFrame and uploads a new version when it changes.
//! - [`Artifact::get`] and [`Artifact::get_local_copy`] read artifacts back through a hash-verified cache.

mod artifact;
mod backend;
mod context;
mod error;
mod fingerprint;
pub mod kinds;
mod listing;
mod monitor;
mod progress;
mod publish;
mod registered;
mod runtime;
pub mod samples;
mod stats;
mod task;
mod tracked;
mod upload;

/// The crates whose types the SDK takes, re-exported so versions always match.
pub use {image, ndarray, polars};

pub use artifact::Artifact;
pub use backend::{ProjectInfo, TaskInfo};
pub use context::DestinationSource;
pub use error::{Result, TroveError};
pub use fingerprint::fingerprint;
pub use kinds::{FromArtifact, IntoArtifact};
pub use listing::{TaskSummary, list_tasks};
pub use monitor::DEFAULT_INTERVAL as DEFAULT_MONITOR_INTERVAL;
pub use registered::RegisterOptions;
pub use task::{Task, TaskBuilder};
pub use tracked::{Tracked, Uniqueness};
pub use trove_core::{ArtifactRecord, ArtifactVersion, Config, TaskStatus, UploadState};
pub use upload::{Custom, DEFAULT_UPLOAD_RETRIES, UploadOptions};
