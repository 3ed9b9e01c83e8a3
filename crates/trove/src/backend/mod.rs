//! Where task metadata goes: the embedded store (a SQLite file in the trove home, the default) or a
//! `trove server` (or ClearML-compatible server) over its HTTP API. Both behave the same to the SDK.

// Without a backend feature nothing implements or calls the trait; the client refuses to build.
#![cfg_attr(not(any(feature = "_embedded", feature = "remote")), allow(dead_code))]

#[cfg(feature = "_embedded")]
mod embedded;
#[cfg(feature = "remote")]
mod remote;

#[cfg(feature = "_embedded")]
pub use embedded::Embedded;
#[cfg(feature = "remote")]
pub use remote::Remote;

use crate::error::Result;
use async_trait::async_trait;
use trove_core::{ArtifactRecord, ArtifactVersion, TaskStatus};
use trove_protocol::DestinationSource;

/// What the SDK knows of a task it opened.
#[derive(Debug, Clone)]
pub struct TaskInfo {
    /// 32-hex id.
    pub id: String,
    /// Task name.
    pub name: String,
    /// Project id.
    pub project_id: String,
    /// Project name.
    pub project_name: String,
    /// Status.
    pub status: TaskStatus,
    /// `output.destination` recorded on the task, if any.
    pub output_destination: Option<String>,
}

/// A project with the destination its settings name.
#[derive(Debug, Clone)]
pub struct ProjectInfo {
    /// 32-hex id.
    pub id: String,
    /// Full name.
    pub name: String,
    /// The project's default output destination.
    pub default_output_destination: Option<String>,
}

/// The metadata operations the SDK needs.
#[async_trait]
pub trait Backend: Send + Sync + 'static {
    /// Human-readable description for logs ("embedded sqlite://…", "server http://…").
    fn describe(&self) -> String;
    /// The files server to upload to when no destination is configured (remote mode only).
    fn files_server(&self) -> Option<String>;
    /// A bearer token for the files server, if it needs one.
    async fn files_token(&self) -> Option<String>;
    /// A synchronous source of that token for uploads (refreshed as the API client logs in again).
    fn token_provider(&self) -> Option<trove_storage::TokenProvider>;
    /// The project with this name, created (with parents) if missing.
    async fn ensure_project(&self, name: &str) -> Result<ProjectInfo>;
    /// Create a task in a project and mark it started.
    async fn create_task(&self, project: &ProjectInfo, name: &str) -> Result<TaskInfo>;
    /// A task by id.
    async fn get_task(&self, id: &str) -> Result<Option<TaskInfo>>;
    /// The newest task of that name in that project.
    async fn find_task(&self, project: &str, name: &str) -> Result<Option<TaskInfo>>;
    /// Record the task's output destination (`output.destination`) and which precedence level chose it
    /// (`output.destination_source`, the label the web UI shows; see [`trove_protocol::TaskOutput`]).
    async fn set_output_destination(
        &self,
        task: &str,
        uri: &str,
        source: DestinationSource,
    ) -> Result<()>;
    /// Change the task's status.
    async fn set_status(&self, task: &str, status: TaskStatus, reason: &str) -> Result<()>;
    /// Upsert artifact records by `(key, mode)`.
    async fn upsert_artifacts(&self, task: &str, records: &[ArtifactRecord]) -> Result<()>;
    /// All artifact records of a task.
    async fn list_artifacts(&self, task: &str) -> Result<Vec<ArtifactRecord>>;
    /// Delete artifact records; returns what was deleted.
    async fn delete_artifacts(&self, task: &str, keys: &[String]) -> Result<Vec<ArtifactRecord>>;
    /// Append a version of a registered artifact.
    #[cfg_attr(not(feature = "frame"), allow(dead_code))]
    async fn add_version(&self, task: &str, key: &str, version: &ArtifactVersion) -> Result<()>;
    /// Versions of an artifact, oldest first.
    async fn list_versions(&self, task: &str, key: &str) -> Result<Vec<ArtifactVersion>>;
}
