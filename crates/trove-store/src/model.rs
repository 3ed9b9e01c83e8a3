//! Rows the store hands out and the inputs it takes.

use serde::{Deserialize, Serialize};
use trove_core::TaskStatus;

/// The id of the reserved root project (migration 4): a task whose `project` is this has no project (ClearML
/// allows tasks at the root). The store never lists or returns this row; clients see no `project` key.
pub const ROOT_PROJECT: &str = "";

/// A project. Nested projects are plain names with `/` (`examples/sub proj`), as in ClearML.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Project {
    /// 32-hex id.
    pub id: String,
    /// Full name, `/`-separated for sub-projects.
    pub name: String,
    /// Free text.
    pub description: String,
    /// Where this project's artifacts go unless code says otherwise.
    pub default_output_destination: Option<String>,
    /// Creation time, microseconds since the epoch.
    pub created: i64,
    /// Last change, microseconds since the epoch.
    pub last_update: i64,
    /// Tags, system tags and other fields a client sent, kept as JSON.
    pub extra: serde_json::Map<String, serde_json::Value>,
}

/// Input of [`crate::MetadataStore::create_project`].
#[derive(Debug, Clone, Default)]
pub struct NewProject {
    /// Full name.
    pub name: String,
    /// Free text.
    pub description: String,
    /// Default output destination.
    pub default_output_destination: Option<String>,
    /// Other fields to keep.
    pub extra: serde_json::Map<String, serde_json::Value>,
}

/// Changes to a project; `None` leaves a field alone.
#[derive(Debug, Clone, Default)]
pub struct ProjectUpdate {
    /// New name.
    pub name: Option<String>,
    /// New description.
    pub description: Option<String>,
    /// New default destination; `Some(None)` clears it.
    pub default_output_destination: Option<Option<String>>,
    /// Fields merged into `extra`.
    pub extra: serde_json::Map<String, serde_json::Value>,
}

/// A task (experiment).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Task {
    /// 32-hex id.
    pub id: String,
    /// Project id ([`ROOT_PROJECT`] for a task without a project).
    pub project: String,
    /// Task name.
    pub name: String,
    /// Task type, e.g. `training`.
    pub kind: String,
    /// Status.
    pub status: TaskStatus,
    /// Status message (the abort watchdog reads it).
    pub status_message: String,
    /// Status reason.
    pub status_reason: String,
    /// Microseconds since the epoch.
    pub created: i64,
    /// When it went `in_progress`.
    pub started: Option<i64>,
    /// When it ended (completed, failed, stopped).
    pub completed: Option<i64>,
    /// Last change of anything, including artifacts.
    pub last_update: i64,
    /// Every other ClearML task field as sent by clients: `comment`, `tags`, `system_tags`, `script`,
    /// `runtime`, `hyperparams`, `configuration`, `output`, `models`, `execution` (without `artifacts`,
    /// which live in their own table), `container`, `parent`, …
    pub doc: serde_json::Map<String, serde_json::Value>,
}

/// Input of [`crate::MetadataStore::create_task`].
#[derive(Debug, Clone, Default)]
pub struct NewTask {
    /// Project id (must exist; [`ROOT_PROJECT`] for none).
    pub project: String,
    /// Task name.
    pub name: String,
    /// Task type; empty means `training`.
    pub kind: String,
    /// Other fields.
    pub doc: serde_json::Map<String, serde_json::Value>,
}

/// Which tasks [`crate::MetadataStore::query_tasks`] returns.
#[derive(Debug, Clone, Default)]
pub struct TaskQuery {
    /// Only these ids.
    pub ids: Option<Vec<String>>,
    /// Only tasks in these projects.
    pub projects: Option<Vec<String>>,
    /// Only these statuses.
    pub statuses: Option<Vec<TaskStatus>>,
    /// Exact name.
    pub name: Option<String>,
    /// Case-insensitive substring of the name.
    pub name_contains: Option<String>,
    /// Skip this many.
    pub offset: u64,
    /// At most this many (0 = no limit).
    pub limit: u64,
}

/// Input of [`crate::MetadataStore::edit_task`].
#[derive(Debug, Clone, Default)]
pub struct TaskEdit {
    /// New name.
    pub name: Option<String>,
    /// Move to another project (id; [`ROOT_PROJECT`] for none).
    pub project: Option<String>,
    /// New type.
    pub kind: Option<String>,
    /// Top-level document fields to replace (a `null` value removes the field).
    pub doc: serde_json::Map<String, serde_json::Value>,
}

/// Input of [`crate::MetadataStore::set_status`].
#[derive(Debug, Clone)]
pub struct StatusChange {
    /// The new status.
    pub status: TaskStatus,
    /// New status message.
    pub message: String,
    /// New status reason.
    pub reason: String,
    /// Allowed current statuses; empty = any.
    pub expected: Vec<TaskStatus>,
}

/// One event of a task (a console line, a scalar, …): the JSON the client sent, with its indexable parts.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Event {
    /// The task it belongs to.
    pub task: String,
    /// `log`, `training_stats_scalar`, …
    pub kind: String,
    /// Milliseconds since the epoch (client clock).
    pub timestamp: i64,
    /// Iteration, where given.
    pub iter: Option<i64>,
    /// The whole event as sent.
    pub body: serde_json::Value,
}

/// An API key pair (the secret only as a hash).
#[derive(Debug, Clone, PartialEq)]
pub struct Credentials {
    /// The access key.
    pub access_key: String,
    /// Hash of the secret key.
    pub secret_hash: String,
    /// Creation time, microseconds.
    pub created: i64,
    /// Revoked keys are refused.
    pub revoked: bool,
}
