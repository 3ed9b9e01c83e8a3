//! `events.*` readers: scalar histograms, single values, plots, scrolls by iteration, raw scalars, metric
//! names, latest values, and deleting events (`clear_task_log`, `delete_for_task`).

use super::events::{MetricVariants, MetricsFilter, check_metrics};
use crate::{CallError, Validate, lenient, require, require_list};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use std::collections::BTreeMap;

/// `events.scalar_metrics_iter_histogram`: the task's scalars, down-sampled.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct ScalarHistogramRequest {
    /// Task id (required).
    #[serde(deserialize_with = "lenient::string")]
    pub task: String,
    /// At most this many points per series (default 2000, 1 to 6000).
    #[serde(
        deserialize_with = "lenient::opt_u64",
        skip_serializing_if = "Option::is_none"
    )]
    pub samples: Option<u64>,
    /// x axis: `iter` (default), `timestamp` (ms) or `iso_time`.
    #[serde(
        deserialize_with = "lenient::opt_string",
        skip_serializing_if = "Option::is_none"
    )]
    pub key: Option<String>,
    /// Only these metrics.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub metrics: MetricsFilter,
    /// Model events instead of task events.
    #[serde(
        deserialize_with = "lenient::flag",
        skip_serializing_if = "lenient::is_false"
    )]
    pub model_events: bool,
}

impl Validate for ScalarHistogramRequest {
    fn validate(&self) -> Result<(), CallError> {
        require("task", &self.task)?;
        check_metrics(&self.metrics)
    }
}

/// One series of a histogram: `{name, x, y, x_axis_label?}`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct HistogramSeries {
    /// The variant.
    pub name: String,
    /// Bucket keys: iterations, milliseconds, or ISO times (`2024-01-02T03:04:05.678Z`).
    pub x: Vec<Value>,
    /// Mean value per bucket.
    pub y: Vec<f64>,
    /// The label reported with the scalars, if any.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub x_axis_label: Option<String>,
}

/// `{metric: {variant: series}}`, names ascending; `{}` when the task has no scalars.
pub type ScalarHistogramResponse = BTreeMap<String, BTreeMap<String, HistogramSeries>>;

/// `events.get_task_single_value_metrics`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct SingleValueMetricsRequest {
    /// Task ids (at least one).
    #[serde(
        deserialize_with = "lenient::opt_string_list",
        skip_serializing_if = "Option::is_none"
    )]
    pub tasks: Option<Vec<String>>,
    /// Only these metrics.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub metrics: MetricsFilter,
    /// Model events instead of task events.
    #[serde(
        deserialize_with = "lenient::flag",
        skip_serializing_if = "lenient::is_false"
    )]
    pub model_events: bool,
}

impl Validate for SingleValueMetricsRequest {
    fn validate(&self) -> Result<(), CallError> {
        require_list("tasks", self.tasks.as_deref().unwrap_or_default())?;
        check_metrics(&self.metrics)
    }
}

/// One single value: `{metric, variant, value, timestamp}`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct SingleValue {
    /// Metric (`Summary` from the SDK).
    pub metric: String,
    /// The value's name.
    pub variant: String,
    /// The value.
    pub value: f64,
    /// When it was reported (ms).
    pub timestamp: i64,
}

/// A task's single values.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct TaskSingleValues {
    /// Task id.
    pub task: String,
    /// Task name.
    pub task_name: String,
    /// Its values.
    pub values: Vec<SingleValue>,
}

/// `{tasks}`: tasks without single values are left out.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct SingleValueMetricsResponse {
    /// One entry per requested task that has values.
    pub tasks: Vec<TaskSingleValues>,
}

/// `events.get_task_plots`: the newest plots of each (metric, variant).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct TaskPlotsRequest {
    /// Task id (required).
    #[serde(deserialize_with = "lenient::string")]
    pub task: String,
    /// Iterations per plot, newest first (default 1).
    #[serde(
        deserialize_with = "lenient::opt_u64",
        skip_serializing_if = "Option::is_none"
    )]
    pub iters: Option<u64>,
    /// Only these metrics.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub metrics: MetricsFilter,
    /// Accepted (the answer is always complete).
    #[serde(
        deserialize_with = "lenient::flag",
        skip_serializing_if = "lenient::is_false"
    )]
    pub no_scroll: bool,
    /// Model events instead of task events.
    #[serde(
        deserialize_with = "lenient::flag",
        skip_serializing_if = "lenient::is_false"
    )]
    pub model_events: bool,
}

impl Validate for TaskPlotsRequest {
    fn validate(&self) -> Result<(), CallError> {
        require("task", &self.task)?;
        check_metrics(&self.metrics)
    }
}

/// `{plots, returned, total, scroll_id}` of `events.get_task_plots` (`scroll_id` is always `null`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct TaskPlotsResponse {
    /// Plot events as stored (`plot_str` holds the plotly JSON text).
    pub plots: Vec<Value>,
    /// How many.
    pub returned: u64,
    /// As `returned`.
    pub total: u64,
    /// Always `null`: the answer holds everything.
    pub scroll_id: Option<String>,
}

/// `events.get_task_events`: a task's events by iteration, scrolled.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct TaskEventsRequest {
    /// Task id (required).
    #[serde(deserialize_with = "lenient::string")]
    pub task: String,
    /// `log`, `training_stats_scalar`, `training_stats_vector`, `training_debug_image`, `plot` or `all`.
    #[serde(
        deserialize_with = "lenient::opt_string",
        skip_serializing_if = "Option::is_none"
    )]
    pub event_type: Option<String>,
    /// `asc` (default) or `desc` by iteration.
    #[serde(
        deserialize_with = "lenient::opt_string",
        skip_serializing_if = "Option::is_none"
    )]
    pub order: Option<String>,
    /// Events per answer (default 500, at most 10 000).
    #[serde(
        deserialize_with = "lenient::opt_u64",
        skip_serializing_if = "Option::is_none"
    )]
    pub batch_size: Option<u64>,
    /// The previous answer's `scroll_id`: continue after it.
    #[serde(
        deserialize_with = "lenient::opt_string",
        skip_serializing_if = "Option::is_none"
    )]
    pub scroll_id: Option<String>,
    /// Only these metrics.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub metrics: MetricsFilter,
    /// Count every matching event into `total` (default true).
    #[serde(
        deserialize_with = "lenient::opt_flag",
        skip_serializing_if = "Option::is_none"
    )]
    pub count_total: Option<bool>,
    /// Model events instead of task events.
    #[serde(
        deserialize_with = "lenient::flag",
        skip_serializing_if = "lenient::is_false"
    )]
    pub model_events: bool,
}

impl Validate for TaskEventsRequest {
    fn validate(&self) -> Result<(), CallError> {
        require("task", &self.task)?;
        check_metrics(&self.metrics)
    }
}

/// `{events, returned, total, scroll_id}` of `events.get_task_events`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct TaskEventsResponse {
    /// Events as stored.
    pub events: Vec<Value>,
    /// How many this answer holds.
    pub returned: u64,
    /// How many match (exact), or `null` when not counted.
    pub total: Option<u64>,
    /// Pass back to continue; an exhausted scroll answers no events.
    pub scroll_id: Option<String>,
}

/// `events.scalar_metrics_iter_raw`: one metric's scalars, unsampled, scrolled.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct ScalarRawRequest {
    /// Task id (required).
    #[serde(deserialize_with = "lenient::string")]
    pub task: String,
    /// The metric (and variants) to read (required).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub metric: Option<MetricVariants>,
    /// Events per answer (default 10 000).
    #[serde(
        deserialize_with = "lenient::opt_u64",
        skip_serializing_if = "Option::is_none"
    )]
    pub batch_size: Option<u64>,
    /// x axis: `iter` (default), `timestamp` or `iso_time`.
    #[serde(
        deserialize_with = "lenient::opt_string",
        skip_serializing_if = "Option::is_none"
    )]
    pub key: Option<String>,
    /// Count the matching events into `total` (default false).
    #[serde(
        deserialize_with = "lenient::flag",
        skip_serializing_if = "lenient::is_false"
    )]
    pub count_total: bool,
    /// The previous answer's `scroll_id`.
    #[serde(
        deserialize_with = "lenient::opt_string",
        skip_serializing_if = "Option::is_none"
    )]
    pub scroll_id: Option<String>,
    /// Model events instead of task events.
    #[serde(
        deserialize_with = "lenient::flag",
        skip_serializing_if = "lenient::is_false"
    )]
    pub model_events: bool,
}

impl Validate for ScalarRawRequest {
    fn validate(&self) -> Result<(), CallError> {
        require("task", &self.task)?;
        match &self.metric {
            Some(m) => require("metric.metric", &m.metric),
            None => Err(CallError::missing_field("metric")),
        }
    }
}

/// `{returned, total, scroll_id, variants: {variant: {<key>: [...], y: [...]}}}`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct ScalarRawResponse {
    /// Events in this answer.
    pub returned: u64,
    /// Matching events, when counted.
    pub total: Option<u64>,
    /// Pass back to continue.
    pub scroll_id: Option<String>,
    /// Per variant, the x values (under the key's name) and `y`.
    pub variants: BTreeMap<String, Map<String, Value>>,
}

/// `events.get_scalar_metrics_and_variants` → `{metrics: {metric: [variants]}}`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct MetricsAndVariantsResponse {
    /// Variant names per metric, ascending.
    pub metrics: BTreeMap<String, Vec<String>>,
}

/// `{task, model_events}` of `events.get_scalar_metrics_and_variants`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct TaskMetricsRequest {
    /// Task id (required).
    #[serde(deserialize_with = "lenient::string")]
    pub task: String,
    /// Model events instead of task events.
    #[serde(
        deserialize_with = "lenient::flag",
        skip_serializing_if = "lenient::is_false"
    )]
    pub model_events: bool,
}

impl Validate for TaskMetricsRequest {
    fn validate(&self) -> Result<(), CallError> {
        require("task", &self.task)
    }
}

/// The latest positive value of one variant.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct LatestVariant {
    /// Variant name.
    pub name: String,
    /// Value at the highest iteration.
    pub last_value: f64,
    /// As `last_value` (clearml-server's field of the same name).
    pub last_10_value: f64,
}

/// One metric's latest values.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct LatestMetric {
    /// Metric name.
    pub name: String,
    /// Its variants.
    pub variants: Vec<LatestVariant>,
}

/// `events.get_task_latest_scalar_values` → `{metrics, last_iter, name, status, last_timestamp}`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct LatestScalarValuesResponse {
    /// Per metric, per variant, the value at the highest iteration (positive values only).
    pub metrics: Vec<LatestMetric>,
    /// Highest iteration of any event (0 without events).
    pub last_iter: i64,
    /// Task name.
    pub name: String,
    /// Task status.
    pub status: String,
    /// Newest timestamp of those values (ms).
    pub last_timestamp: i64,
}

/// `events.clear_task_log`: delete console lines.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct ClearTaskLogRequest {
    /// Task id (required).
    #[serde(deserialize_with = "lenient::string")]
    pub task: String,
    /// Only lines older than this many seconds.
    #[serde(
        deserialize_with = "lenient::opt_u64",
        skip_serializing_if = "Option::is_none"
    )]
    pub threshold_sec: Option<u64>,
    /// Also for a published task.
    #[serde(
        deserialize_with = "lenient::flag",
        skip_serializing_if = "lenient::is_false"
    )]
    pub allow_locked: bool,
    /// Keep the lines of these metrics.
    #[serde(
        deserialize_with = "lenient::opt_string_list",
        skip_serializing_if = "Option::is_none"
    )]
    pub exclude_metrics: Option<Vec<String>>,
    /// Only the lines of these metrics.
    #[serde(
        deserialize_with = "lenient::opt_string_list",
        skip_serializing_if = "Option::is_none"
    )]
    pub include_metrics: Option<Vec<String>>,
}

impl Validate for ClearTaskLogRequest {
    fn validate(&self) -> Result<(), CallError> {
        require("task", &self.task)
    }
}

/// `events.delete_for_task`: delete every event of a task.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct DeleteForTaskRequest {
    /// Task id (required).
    #[serde(deserialize_with = "lenient::string")]
    pub task: String,
    /// Also for a published task.
    #[serde(
        deserialize_with = "lenient::flag",
        skip_serializing_if = "lenient::is_false"
    )]
    pub allow_locked: bool,
}

impl Validate for DeleteForTaskRequest {
    fn validate(&self) -> Result<(), CallError> {
        require("task", &self.task)
    }
}

/// `events.get_task_metrics` (`event_type` required) / `events.get_multi_task_metrics` (all types by default).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct TasksMetricsRequest {
    /// Task ids (at least one).
    #[serde(
        deserialize_with = "lenient::opt_string_list",
        skip_serializing_if = "Option::is_none"
    )]
    pub tasks: Option<Vec<String>>,
    /// Only events of this type (`all`: every type).
    #[serde(
        deserialize_with = "lenient::opt_string",
        skip_serializing_if = "Option::is_none"
    )]
    pub event_type: Option<String>,
    /// Model events instead of task events.
    #[serde(
        deserialize_with = "lenient::flag",
        skip_serializing_if = "lenient::is_false"
    )]
    pub model_events: bool,
}

impl Validate for TasksMetricsRequest {
    fn validate(&self) -> Result<(), CallError> {
        require_list("tasks", self.tasks.as_deref().unwrap_or_default())?;
        Ok(())
    }
}

/// A task's metric names.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct TaskMetricNames {
    /// Task id.
    pub task: String,
    /// Its metrics, ascending.
    pub metrics: Vec<String>,
}

/// `{metrics: [{task, metrics}]}` of `events.get_task_metrics`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct TaskMetricNamesResponse {
    /// One entry per requested task.
    pub metrics: Vec<TaskMetricNames>,
}

/// A metric and its variants.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct MetricVariantNames {
    /// Metric name.
    pub metric: String,
    /// Its variants, ascending.
    pub variants: Vec<String>,
}

/// `{metrics: [{metric, variants}]}` of `events.get_multi_task_metrics`, by metric.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct MultiTaskMetricsResponse {
    /// The metrics of all the tasks together.
    pub metrics: Vec<MetricVariantNames>,
}
