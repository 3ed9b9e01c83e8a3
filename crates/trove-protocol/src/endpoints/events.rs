//! `events.add_batch`, `events.add`, `events.get_task_log`. Events stay JSON objects: ClearML's event kinds
//! (`log`, `training_stats_scalar`, plots, debug images, …) each carry their own fields.

use crate::{CallError, Validate, lenient, require};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use std::collections::BTreeMap;

/// `events.add_batch`: `{"requests": [events]}` (a json-lines body becomes this list).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct AddBatchRequest {
    /// The events; bad ones are counted in the answer, not fatal.
    #[serde(
        deserialize_with = "lenient::opt_list",
        skip_serializing_if = "Option::is_none"
    )]
    pub requests: Option<Vec<Value>>,
}

impl Validate for AddBatchRequest {}

/// One event (`events.add`): `task`, `type`, `timestamp`, `iter`, and the kind's own fields.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Event(pub Map<String, Value>);

impl Validate for Event {}

/// `{added, errors, errors_info}` of `events.add_batch` / `events.add`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct AddEventsResponse {
    /// Events stored.
    pub added: u64,
    /// Events refused.
    pub errors: u64,
    /// Why, with counts.
    pub errors_info: BTreeMap<String, u64>,
}

/// `events.get_task_log {task, batch_size, scroll_id}`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct GetTaskLogRequest {
    /// Task id (required).
    #[serde(deserialize_with = "lenient::string")]
    pub task: String,
    /// Lines per answer (default 500, 1 to 10 000).
    #[serde(
        deserialize_with = "lenient::opt_u64",
        skip_serializing_if = "Option::is_none"
    )]
    pub batch_size: Option<u64>,
    /// Where the previous answer ended.
    #[serde(
        deserialize_with = "lenient::opt_string",
        skip_serializing_if = "Option::is_none"
    )]
    pub scroll_id: Option<String>,
}

impl Validate for GetTaskLogRequest {
    fn validate(&self) -> Result<(), CallError> {
        require("task", &self.task)
    }
}

/// `{events, returned, total, scroll_id}` of `events.get_task_log`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct TaskLogResponse {
    /// Console events, oldest first.
    pub events: Vec<Value>,
    /// How many this answer holds.
    pub returned: u64,
    /// How many in this batch (trove: as `returned`).
    pub total: u64,
    /// Pass back to continue.
    pub scroll_id: String,
}
