//! Metrics: events written with their keys (a non-log event replaces a stored one with the same key), each
//! task's `last_metrics` summary per (metric, variant), and the readers ClearML's `events.*` endpoints need
//! (scalar histograms, single values, latest plots, scrolls by iteration, console navigation by time).
//!
//! [`MetricStore::write_events`] applies a batch in one write transaction: the events, the `last_metrics` merge
//! (clearml-server's `_update_last_scalar_events_for_task` + `get_last_metric_updates`, see [`merge_batch`]), the
//! task's `last_iteration` (never lowered) and `last_update`.

use crate::Result;
use async_trait::async_trait;
use md5::{Digest, Md5};
use serde_json::Value;
use std::collections::{BTreeMap, HashMap};

/// The iteration of single values (`report_single_value`): clearml-server's `SINGLE_SCALAR_ITERATION`, -2^31.
pub const SINGLE_VALUE_ITERATION: i64 = -(1 << 31);
/// At most this many (metric, variant) pairs per task get a `last_metrics` entry (clearml-server's
/// `max_last_metrics`); later new pairs are not summarised (their events are still stored).
pub const MAX_LAST_METRICS: usize = 2000;
/// The `kind` of scalar events.
pub const SCALAR_KIND: &str = "training_stats_scalar";

/// `md5(name)` as lower-case hex: the keys of `last_metrics` (clearml-server's `hash_field_name`).
pub fn hash_name(name: &str) -> String {
    format!("{:x}", Md5::digest(name.as_bytes()))
}

/// One event to store, with the columns readers filter on already taken out of its body.
#[derive(Debug, Clone, PartialEq)]
pub struct NewEvent {
    /// The task it belongs to (the model, for a model event).
    pub task: String,
    /// `log`, `training_stats_scalar`, `plot`, `training_debug_image`, `training_stats_vector`.
    pub kind: String,
    /// Milliseconds since the epoch (client clock).
    pub timestamp: i64,
    /// Iteration, where given.
    pub iter: Option<i64>,
    /// Metric (title), `""` when absent.
    pub metric: String,
    /// Variant (series), `""` when absent.
    pub variant: String,
    /// The scalar value (scalar events only).
    pub value: Option<f64>,
    /// Replacement key: a stored event of the same task and kind with this key is replaced. `None` appends.
    pub key: Option<String>,
    /// The x-axis label a scalar came with (kept in `last_metrics`, not in the event).
    pub x_axis_label: Option<String>,
    /// The whole event as it is returned.
    pub body: Value,
}

/// A batch for [`MetricStore::write_events`].
#[derive(Debug, Clone, Default, PartialEq)]
pub struct EventBatch {
    /// The events, in the order they were sent (of several with one key, the last is kept).
    pub events: Vec<NewEvent>,
    /// Per task (or model), the highest iteration of the batch that counts for `last_iteration`; its
    /// `last_iteration` becomes the larger of this and its current value. Tasks named here must exist.
    pub iterations: BTreeMap<String, i64>,
}

/// One entry of a task's `last_metrics` (clearml-server's `MetricEvent` summary).
#[derive(Debug, Clone, PartialEq)]
pub struct LastMetric {
    /// Metric name.
    pub metric: String,
    /// Variant name.
    pub variant: String,
    /// The latest value (of the latest event of the latest batch).
    pub value: f64,
    /// Lowest value seen, and its iteration.
    pub min_value: f64,
    /// Iteration of `min_value`.
    pub min_value_iteration: i64,
    /// Highest value seen.
    pub max_value: f64,
    /// Iteration of `max_value`.
    pub max_value_iteration: i64,
    /// The value at the lowest iteration of the first batch.
    pub first_value: f64,
    /// Iteration of `first_value`.
    pub first_value_iteration: i64,
    /// Number of values summarised.
    pub count: i64,
    /// Running mean, rounded to 2 decimals at every batch.
    pub mean_value: f64,
    /// The x-axis label, when one was reported.
    pub x_axis_label: Option<String>,
}

/// `[{metric, variants}]` filters of the read endpoints: a metric with all its variants (empty list) or some.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct MetricFilter {
    /// Metric name.
    pub metric: String,
    /// Variant names; empty = all.
    pub variants: Vec<String>,
}

/// The x axis of a scalar histogram.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ScalarAxis {
    /// Iteration numbers.
    Iter,
    /// Milliseconds since the epoch.
    Timestamp,
}

/// One (metric, variant) of a scalar histogram: `(bucket key, mean value)` ascending by key.
#[derive(Debug, Clone, PartialEq)]
pub struct HistogramSeries {
    /// Metric name.
    pub metric: String,
    /// Variant name.
    pub variant: String,
    /// Bucket start (iteration or milliseconds) and the mean of the values in it.
    pub points: Vec<(i64, f64)>,
}

/// A scalar reported with [`SINGLE_VALUE_ITERATION`].
#[derive(Debug, Clone, PartialEq)]
pub struct SingleValue {
    /// Its task.
    pub task: String,
    /// Metric (always `Summary` from the SDK).
    pub metric: String,
    /// The value's name.
    pub variant: String,
    /// The value.
    pub value: f64,
    /// When it was reported (ms).
    pub timestamp: i64,
}

/// The newest positive scalar of one (metric, variant) (`events.get_task_latest_scalar_values`).
#[derive(Debug, Clone, PartialEq)]
pub struct LatestScalar {
    /// Metric name.
    pub metric: String,
    /// Variant name.
    pub variant: String,
    /// Value at the highest iteration.
    pub value: f64,
    /// Newest timestamp of the variant's positive values (ms).
    pub timestamp: i64,
}

/// A stored event as read back: its row id (insertion order), iteration, timestamp and body.
#[derive(Debug, Clone, PartialEq)]
pub struct StoredEvent {
    /// Row id: increases with insertion (a replaced event keeps its id).
    pub id: i64,
    /// Iteration, where given.
    pub iter: Option<i64>,
    /// Milliseconds since the epoch.
    pub timestamp: i64,
    /// The event as stored.
    pub body: Value,
}

/// Where a scroll by iteration stopped: after this event.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EventCursor {
    /// After the event `id` at iteration `iter` (events with an iteration come first).
    Iter {
        /// Iteration of the last event returned.
        iter: i64,
        /// Its row id.
        id: i64,
    },
    /// Among the events without an iteration (they come last, by id), after row `id`.
    NoIter {
        /// Row id of the last event returned.
        id: i64,
    },
}

/// A page of a task's events ordered by iteration (then row id); events without an iteration come last.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct EventQuery {
    /// The task.
    pub task: String,
    /// Only this kind (`None`: all).
    pub kind: Option<String>,
    /// Only these metrics (empty: all).
    pub metrics: Vec<MetricFilter>,
    /// Highest iteration first.
    pub descending: bool,
    /// Continue after this event.
    pub after: Option<EventCursor>,
    /// At most this many (0: no limit).
    pub limit: u64,
}

/// Console navigation by time (`events.get_task_log` v2.9).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct LogQuery {
    /// The task.
    pub task: String,
    /// Only these metrics (empty: all).
    pub metrics: Vec<MetricFilter>,
    /// Newest first, older than `from_timestamp`; else oldest first, newer than it.
    pub earlier: bool,
    /// Where the previous page ended (ms); `None` starts from the newest (or oldest).
    pub from_timestamp: Option<i64>,
    /// Page size; events sharing the last event's timestamp are all included, so a page may be longer.
    pub limit: u64,
}

/// Which console lines `events.clear_task_log` deletes.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct LogDeletion {
    /// The task.
    pub task: String,
    /// Only lines older than this (ms).
    pub before_timestamp: Option<i64>,
    /// Only lines of these metrics (empty: any).
    pub include_metrics: Vec<String>,
    /// Not lines of these metrics.
    pub exclude_metrics: Vec<String>,
}

/// Metric events and summaries. Both engines implement it with the same behaviour.
#[async_trait]
pub trait MetricStore: Send + Sync {
    /// Store a batch in one write transaction: insert events (replacing by key), merge each scalar with a
    /// value into `last_metrics`, raise `last_iteration`, bump `last_update` of every task named. An event's
    /// `task` may name a model instead (model events): then the model's `last_update` and document
    /// `last_iteration` change, and its `last_metrics` are read with [`MetricStore::last_metrics`] like a
    /// task's. Returns how many events were stored (replacements count). `NotFound` (nothing stored) if an
    /// id is neither a task nor a model.
    async fn write_events(&self, batch: &EventBatch) -> Result<usize>;
    /// `last_metrics` entries per task id (tasks without any are absent), ordered by metric then variant.
    async fn last_metrics(&self, task_ids: &[String]) -> Result<HashMap<String, Vec<LastMetric>>>;
    /// Scalar histogram of a task (single values left out): per (metric, variant), ascending, buckets of
    /// `interval = max(1, ceil((max - min + 1) / samples))` keys when the variant has `samples` values or
    /// more (else one per key), each with the mean of its values.
    async fn scalar_histogram(
        &self,
        task: &str,
        axis: ScalarAxis,
        samples: u64,
        metrics: &[MetricFilter],
    ) -> Result<Vec<HistogramSeries>>;
    /// Single values of the tasks, by task, metric, variant.
    async fn single_values(
        &self,
        task_ids: &[String],
        metrics: &[MetricFilter],
    ) -> Result<Vec<SingleValue>>;
    /// Plot events of a task: per (metric, variant) ascending, those of the `iters` highest iterations,
    /// highest first.
    async fn latest_plots(
        &self,
        task: &str,
        iters: u64,
        metrics: &[MetricFilter],
    ) -> Result<Vec<StoredEvent>>;
    /// A page of events ordered by iteration (see [`EventQuery`]).
    async fn scroll_events(&self, query: &EventQuery) -> Result<Vec<StoredEvent>>;
    /// How many events of a task match a kind (`None`: all) and metric filter.
    async fn count_matching_events(
        &self,
        task: &str,
        kind: Option<&str>,
        metrics: &[MetricFilter],
    ) -> Result<u64>;
    /// A page of console (`log`) events (see [`LogQuery`]), in navigation order.
    async fn log_events(&self, query: &LogQuery) -> Result<Vec<StoredEvent>>;
    /// Distinct (metric, variant) pairs of a task's events of one kind, ascending.
    async fn metrics_and_variants(&self, task: &str, kind: &str) -> Result<Vec<(String, String)>>;
    /// Per (metric, variant), the positive scalar at the highest iteration (clearml-server's `value > 0`).
    async fn latest_scalars(&self, task: &str) -> Result<Vec<LatestScalar>>;
    /// The highest iteration of any of the task's events.
    async fn max_event_iteration(&self, task: &str) -> Result<Option<i64>>;
    /// Delete console lines; returns how many.
    async fn delete_log_events(&self, deletion: &LogDeletion) -> Result<u64>;
    /// Delete every event of a task (its `last_metrics` stay); returns how many.
    async fn delete_task_events(&self, task: &str) -> Result<u64>;
    /// A task's reset: delete its events and `last_metrics`, set `last_iteration` to 0, in one transaction.
    /// Returns how many events were deleted; `NotFound` if the task is missing.
    async fn reset_task_metrics(&self, task: &str) -> Result<u64>;
    /// Copying (`trove migrate`): a task's events with every column, by row id.
    async fn export_events(&self, task: &str, offset: u64, limit: u64) -> Result<Vec<NewEvent>>;
    /// Copying: insert events as given (an existing key is left alone); returns how many were inserted. The
    /// owner (task or model) is not checked: import it first, as `copy_store` does.
    async fn import_events(&self, events: &[NewEvent]) -> Result<usize>;
    /// Copying: insert `last_metrics` entries as given (existing ones are left alone); the owner is not
    /// checked.
    async fn import_last_metrics(&self, task: &str, metrics: &[LastMetric]) -> Result<usize>;
}

/// What one batch says about one (metric, variant): clearml-server's per-batch `last_event`.
#[derive(Debug, Clone, PartialEq)]
pub struct BatchSummary {
    /// Values in the batch.
    pub count: i64,
    /// Their sum.
    pub total: f64,
    /// Value of the latest event by (iteration, timestamp); a later event wins ties.
    pub value: f64,
    latest: (i64, i64),
    /// Label of the latest event that had one.
    pub x_axis_label: Option<String>,
    /// Value at the lowest iteration (first wins ties), and that iteration.
    pub first: (f64, i64),
    /// Lowest value (first wins ties) and its iteration.
    pub min: (f64, i64),
    /// Highest value (first wins ties) and its iteration.
    pub max: (f64, i64),
}

/// Summarise a batch's scalars with a value per (task, metric, variant), in event order.
pub fn summarise(events: &[NewEvent]) -> BTreeMap<(String, String, String), BatchSummary> {
    let mut out: BTreeMap<(String, String, String), BatchSummary> = BTreeMap::new();
    for e in events.iter().filter(|e| e.kind == SCALAR_KIND) {
        let Some(value) = e.value else { continue };
        let iter = e.iter.unwrap_or(0);
        let key = (e.task.clone(), e.metric.clone(), e.variant.clone());
        match out.get_mut(&key) {
            None => {
                out.insert(
                    key,
                    BatchSummary {
                        count: 1,
                        total: value,
                        value,
                        latest: (iter, e.timestamp),
                        x_axis_label: e.x_axis_label.clone(),
                        first: (value, iter),
                        min: (value, iter),
                        max: (value, iter),
                    },
                );
            }
            Some(s) => {
                s.count += 1;
                s.total += value;
                if (iter, e.timestamp) >= s.latest {
                    s.value = value;
                    s.latest = (iter, e.timestamp);
                    if e.x_axis_label.is_some() {
                        s.x_axis_label.clone_from(&e.x_axis_label);
                    }
                }
                if iter < s.first.1 {
                    s.first = (value, iter);
                }
                if value < s.min.0 {
                    s.min = (value, iter);
                }
                if value > s.max.0 {
                    s.max = (value, iter);
                }
            }
        }
    }
    out
}

/// Merge a batch's summary into the stored entry (clearml-server's `get_last_metric_updates`): `value` and
/// `x_axis_label` (when the batch has one) overwrite, `min`/`max` move only past the stored ones, `first`
/// stays once set, `mean = round((mean·count + total) / (count + n), 2)` (half to even, as MongoDB's `$round`).
pub fn merge_batch(
    stored: Option<&LastMetric>,
    metric: &str,
    variant: &str,
    b: &BatchSummary,
) -> LastMetric {
    let Some(s) = stored else {
        return LastMetric {
            metric: metric.to_string(),
            variant: variant.to_string(),
            value: b.value,
            min_value: b.min.0,
            min_value_iteration: b.min.1,
            max_value: b.max.0,
            max_value_iteration: b.max.1,
            first_value: b.first.0,
            first_value_iteration: b.first.1,
            count: b.count,
            mean_value: round2(b.total / b.count as f64),
            x_axis_label: b.x_axis_label.clone(),
        };
    };
    let count = s.count + b.count;
    let (min_value, min_value_iteration) = if b.min.0 < s.min_value {
        b.min
    } else {
        (s.min_value, s.min_value_iteration)
    };
    let (max_value, max_value_iteration) = if b.max.0 > s.max_value {
        b.max
    } else {
        (s.max_value, s.max_value_iteration)
    };
    LastMetric {
        metric: metric.to_string(),
        variant: variant.to_string(),
        value: b.value,
        min_value,
        min_value_iteration,
        max_value,
        max_value_iteration,
        first_value: s.first_value,
        first_value_iteration: s.first_value_iteration,
        count,
        mean_value: round2((s.mean_value * s.count as f64 + b.total) / count as f64),
        x_axis_label: b.x_axis_label.clone().or_else(|| s.x_axis_label.clone()),
    }
}

fn round2(x: f64) -> f64 {
    (x * 100.0).round_ties_even() / 100.0
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scalar(iter: i64, ts: i64, value: f64) -> NewEvent {
        NewEvent {
            task: "t".into(),
            kind: SCALAR_KIND.into(),
            timestamp: ts,
            iter: Some(iter),
            metric: "loss".into(),
            variant: "train".into(),
            value: Some(value),
            key: None,
            x_axis_label: None,
            body: Value::Null,
        }
    }

    #[test]
    fn hashes_are_clearml_keys() {
        assert_eq!(hash_name("loss"), "81513effdf5790b79549208838404407");
        assert_eq!(hash_name("train"), "61b3a8faa9c1091806675c230a9abe64");
        assert_eq!(hash_name("Summary"), "290612199861c31d1036b185b4e69b75");
        assert_eq!(hash_name(""), "d41d8cd98f00b204e9800998ecf8427e");
    }

    #[test]
    fn batches_merge_as_clearml_server() {
        let a = summarise(
            &(0..50)
                .map(|i| scalar(i, 1000 + i, i as f64))
                .collect::<Vec<_>>(),
        );
        let key = ("t".to_string(), "loss".to_string(), "train".to_string());
        let first = merge_batch(None, "loss", "train", &a[&key]);
        assert_eq!((first.count, first.mean_value), (50, 24.5));
        let b = summarise(
            &(50..100)
                .map(|i| scalar(i, 1000 + i, i as f64))
                .collect::<Vec<_>>(),
        );
        let m = merge_batch(Some(&first), "loss", "train", &b[&key]);
        assert_eq!(
            (m.value, m.max_value, m.max_value_iteration),
            (99.0, 99.0, 99)
        );
        assert_eq!((m.min_value, m.min_value_iteration), (0.0, 0));
        assert_eq!((m.first_value, m.first_value_iteration), (0.0, 0));
        assert_eq!((m.count, m.mean_value), (100, 49.5));
        // An older batch arriving later still sets `value`; min/max/first keep the stored extremes.
        let late = summarise(&[scalar(3, 1, 50.0)]);
        let m2 = merge_batch(Some(&m), "loss", "train", &late[&key]);
        assert_eq!((m2.value, m2.first_value, m2.count), (50.0, 0.0, 101));
        assert_eq!(m2.mean_value, 49.5);
    }

    #[test]
    fn latest_is_by_iteration_then_timestamp() {
        let s = summarise(&[scalar(5, 10, 1.0), scalar(4, 99, 2.0), scalar(5, 10, 3.0)]);
        let b = s.values().next().unwrap();
        assert_eq!(
            (b.value, b.count, b.first, b.min, b.max),
            (3.0, 3, (2.0, 4), (1.0, 5), (3.0, 5))
        );
    }

    #[test]
    fn mean_rounds_half_to_even() {
        assert_eq!(round2(0.125), 0.12);
        assert_eq!(round2(2.0 / 3.0), 0.67);
    }
}
