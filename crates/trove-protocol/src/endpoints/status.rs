//! Status changes: `tasks.started|completed|stopped|failed|publish|close`, `tasks.stop`, `tasks.reset`.

use super::Urls;
use crate::{CallError, Validate, lenient, require};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

/// A status change: `tasks.started`, `completed`, `stopped`, `failed`, `publish`, `close` and `stop`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct StatusChangeRequest {
    /// Task id (required).
    #[serde(deserialize_with = "lenient::string")]
    pub task: String,
    /// Skip ClearML's status state machine.
    #[serde(
        deserialize_with = "lenient::flag",
        skip_serializing_if = "lenient::is_false"
    )]
    pub force: bool,
    /// Why (`status_reason`).
    #[serde(
        deserialize_with = "lenient::opt_string",
        skip_serializing_if = "Option::is_none"
    )]
    pub status_reason: Option<String>,
    /// Free text (`status_message`).
    #[serde(
        deserialize_with = "lenient::opt_string",
        skip_serializing_if = "Option::is_none"
    )]
    pub status_message: Option<String>,
    /// `tasks.completed` only: publish right after.
    #[serde(
        deserialize_with = "lenient::flag",
        skip_serializing_if = "lenient::is_false"
    )]
    pub publish: bool,
    /// `tasks.publish`: also publish the task's output model (absent = true).
    #[serde(
        deserialize_with = "lenient::opt_flag",
        skip_serializing_if = "Option::is_none"
    )]
    pub publish_model: Option<bool>,
}

impl StatusChangeRequest {
    /// A forced change of `task` with a reason, as the trove SDK sends it.
    pub fn forced(task: &str, reason: &str) -> Self {
        Self {
            task: task.to_string(),
            force: true,
            status_reason: Some(reason.to_string()),
            ..Self::default()
        }
    }
}

impl Validate for StatusChangeRequest {
    fn validate(&self) -> Result<(), CallError> {
        require("task", &self.task)
    }
}

/// The status fields a change reports (ISO-8601 times; `started`/`completed` are `null` until then).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct StatusFields {
    /// The new status.
    pub status: String,
    /// Why.
    pub status_reason: String,
    /// Free text.
    pub status_message: String,
    /// When the status last changed.
    pub status_changed: Option<String>,
    /// Last update.
    pub last_update: Option<String>,
    /// When the task started.
    pub started: Option<String>,
    /// When the task completed.
    pub completed: Option<String>,
}

/// `{updated, fields}` of a status change.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct StatusChangeResponse {
    /// 1.
    pub updated: u64,
    /// The task's status fields after the change.
    pub fields: StatusFields,
    /// `tasks.completed` only: 1 when the task was also published, else 0.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub published: Option<u64>,
}

/// `tasks.reset {task, force, clear_all, return_file_urls, delete_output_models}`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct TasksResetRequest {
    /// Task id (required).
    #[serde(deserialize_with = "lenient::string")]
    pub task: String,
    /// Needed for a published task; skips the state machine.
    #[serde(
        deserialize_with = "lenient::flag",
        skip_serializing_if = "lenient::is_false"
    )]
    pub force: bool,
    /// Also clear `execution` (except input artifacts) and `script`.
    #[serde(
        deserialize_with = "lenient::flag",
        skip_serializing_if = "lenient::is_false"
    )]
    pub clear_all: bool,
    /// Answer the URLs of the dropped output artifacts (and models) in `urls`.
    #[serde(
        deserialize_with = "lenient::flag",
        skip_serializing_if = "lenient::is_false"
    )]
    pub return_file_urls: bool,
    /// Delete the task's draft output models (default true, as ClearML).
    #[serde(
        deserialize_with = "lenient::opt_flag",
        skip_serializing_if = "Option::is_none"
    )]
    pub delete_output_models: Option<bool>,
}

impl Validate for TasksResetRequest {
    fn validate(&self) -> Result<(), CallError> {
        require("task", &self.task)
    }
}

/// The answer of `tasks.reset`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct TasksResetResponse {
    /// 1.
    pub updated: u64,
    /// Output models deleted (trove: 0).
    pub deleted_models: u64,
    /// The task's status fields after the reset.
    pub fields: StatusFields,
    /// Queue removal (trove has no queues: `{}`).
    pub dequeued: Map<String, Value>,
    /// Events deleted (`{}` unless the events hook reports).
    pub events: Map<String, Value>,
    /// What the dropped output artifacts pointed to (only with `return_file_urls`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub urls: Option<Urls>,
}
