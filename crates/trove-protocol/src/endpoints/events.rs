//! `events.*`: writing events (`add_batch`, `add`), the console (`get_task_log`) and the `metrics` filter of
//! the readers (the other readers are in [`super::event_reads`]), as clearml-server's `services/events.py`
//! answers them. Events stay JSON objects: ClearML's event kinds (`log`, `training_stats_scalar`, `plot`, debug
//! images, …) each carry their own fields.

use crate::{CallError, Validate, lenient, require};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use std::collections::BTreeMap;

/// `events.add_batch`: `{"requests": [events]}` (a json-lines body becomes this list).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct AddBatchRequest {
    /// The events; bad ones are counted in the answer, not fatal (unless none is added: 400/131).
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

/// `{metric, variants}`: one entry of the `metrics` filter of the read endpoints (no variants: all).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct MetricVariants {
    /// Metric name (required).
    #[serde(deserialize_with = "lenient::string")]
    pub metric: String,
    /// Variant names; absent or empty = every variant.
    #[serde(
        deserialize_with = "lenient::opt_string_list",
        skip_serializing_if = "Option::is_none"
    )]
    pub variants: Option<Vec<String>>,
}

/// A `metrics` filter as sent (a list of [`MetricVariants`]).
pub type MetricsFilter = Option<Vec<MetricVariants>>;

pub(crate) fn check_metrics(metrics: &MetricsFilter) -> Result<(), CallError> {
    metrics
        .iter()
        .flatten()
        .try_for_each(|m| require("metrics.metric", &m.metric))
}

/// `events.get_task_log` (v2.9): console lines around a time.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct GetTaskLogRequest {
    /// Task id (required).
    #[serde(deserialize_with = "lenient::string")]
    pub task: String,
    /// Lines per answer (default 5000, at most 10 000).
    #[serde(
        deserialize_with = "lenient::opt_u64",
        skip_serializing_if = "Option::is_none"
    )]
    pub batch_size: Option<u64>,
    /// Newest first and older than `from_timestamp` (default true); false: oldest first, newer than it.
    #[serde(
        deserialize_with = "lenient::opt_flag",
        skip_serializing_if = "Option::is_none"
    )]
    pub navigate_earlier: Option<bool>,
    /// Timestamp (ms) of the last line of the previous page.
    #[serde(
        deserialize_with = "lenient::opt_u64",
        skip_serializing_if = "Option::is_none"
    )]
    pub from_timestamp: Option<u64>,
    /// `asc` / `desc`: the order of the answer's lines (default: the navigation's).
    #[serde(
        deserialize_with = "lenient::opt_string",
        skip_serializing_if = "Option::is_none"
    )]
    pub order: Option<String>,
    /// Only lines of these metrics.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub metrics: MetricsFilter,
}

impl Validate for GetTaskLogRequest {
    fn validate(&self) -> Result<(), CallError> {
        require("task", &self.task)?;
        check_metrics(&self.metrics)
    }
}

/// `{events, returned, total}` of `events.get_task_log`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct TaskLogResponse {
    /// Console events, in the requested order.
    pub events: Vec<Value>,
    /// How many this answer holds.
    pub returned: u64,
    /// How many console lines the task has (matching `metrics`).
    pub total: u64,
}
