//! Reading events back, as clearml-server's `services/events.py` answers: the console (`get_task_log`, v2.9
//! navigation), scalar histograms, single values, plots, metric names, latest values, and deleting events
//! (`clear_task_log`, `delete_for_task`). The scrolled readers (`get_task_events`, `scalar_metrics_iter_raw`)
//! are in `events_scroll`. Readers that take `model_events: true` read a model's events (the id names a
//! model: 400/201 when there is none).

use super::context::Ctx;
use super::task_access::load;
use crate::error::ApiError;
use serde_json::{Value, json};
use std::collections::{BTreeMap, BTreeSet, HashMap};
use trove_core::TaskStatus;
use trove_protocol::ResultCode;
use trove_protocol::endpoints::{
    ClearTaskLogRequest, DeleteForTaskRequest, Deleted, GetTaskLogRequest, HistogramSeries,
    LatestMetric, LatestScalarValuesResponse, LatestVariant, MetricVariantNames,
    MetricsAndVariantsResponse, MetricsFilter, MultiTaskMetricsResponse, ScalarHistogramRequest,
    ScalarHistogramResponse, SingleValue, SingleValueMetricsRequest, SingleValueMetricsResponse,
    TaskLogResponse, TaskMetricNames, TaskMetricNamesResponse, TaskMetricsRequest,
    TaskPlotsRequest, TaskPlotsResponse, TaskRef, TaskSingleValues, TasksMetricsRequest,
};
use trove_store::metrics::{
    LogDeletion, LogQuery, MetricFilter, SCALAR_KIND, ScalarAxis, StoredEvent,
};

/// Event types a reader may ask for (`all`, or absent, is every type).
pub(super) const EVENT_TYPES: [&str; 5] = [
    "training_stats_scalar",
    "training_stats_vector",
    "training_debug_image",
    "plot",
    "log",
];

/// Milliseconds since the epoch as Elasticsearch's `strict_date_time` in UTC (`2024-01-02T03:04:05.678Z`).
pub fn iso_millis(ms: i64) -> String {
    let (secs, milli) = (ms.div_euclid(1000), ms.rem_euclid(1000));
    let (days, sod) = (secs.div_euclid(86_400), secs.rem_euclid(86_400));
    // Howard Hinnant's days-to-civil.
    let z = days + 719_468;
    let (era, doe) = (z.div_euclid(146_097), z.rem_euclid(146_097));
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!(
        "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}.{milli:03}Z",
        sod / 3600,
        sod % 3600 / 60,
        sod % 60
    )
}

/// The task (with `model_events`, the model) a reader names must exist: 400/101 (400/201) otherwise.
/// Returns its name.
pub(super) async fn owner(ctx: &Ctx, id: &str, model_events: bool) -> Result<String, ApiError> {
    if model_events {
        Ok(super::models::load_model(ctx, id).await?.name)
    } else {
        Ok(load(ctx, id).await?.name)
    }
}

pub(super) fn filters(m: &MetricsFilter) -> Vec<MetricFilter> {
    m.iter()
        .flatten()
        .map(|m| MetricFilter {
            metric: m.metric.clone(),
            variants: m.variants.clone().unwrap_or_default(),
        })
        .collect()
}

pub(super) fn bodies(events: Vec<StoredEvent>) -> Vec<Value> {
    events.into_iter().map(|e| e.body).collect()
}

/// `asc`/`desc` → descending?; anything else is 400/12.
pub(super) fn descending(order: Option<&str>, default: bool) -> Result<bool, ApiError> {
    match order {
        None => Ok(default),
        Some("asc") => Ok(false),
        Some("desc") => Ok(true),
        Some(o) => Err(ApiError::validation(format!(
            "order must be \"asc\" or \"desc\", got {o:?}"
        ))),
    }
}

/// `events.get_task_log` (v2.9): `navigate_earlier` (default) = the newest lines older than `from_timestamp`,
/// newest first; else the oldest newer than it, oldest first; `order` flips the answer when it differs from
/// the navigation's. Lines sharing the last one's timestamp all come in the same page. `total` = all the
/// task's console lines (matching `metrics`).
pub async fn get_task_log(ctx: &Ctx, req: GetTaskLogRequest) -> Result<TaskLogResponse, ApiError> {
    load(ctx, &req.task).await?;
    let earlier = req.navigate_earlier.unwrap_or(true);
    let desc = descending(req.order.as_deref(), earlier)?;
    let metrics = filters(&req.metrics);
    let query = LogQuery {
        task: req.task.clone(),
        metrics: metrics.clone(),
        earlier,
        from_timestamp: req
            .from_timestamp
            .filter(|t| *t > 0)
            .map(|t| i64::try_from(t).unwrap_or(i64::MAX)),
        limit: req.batch_size.unwrap_or(5000).clamp(1, 10_000),
    };
    let mut events = ctx.state.store.log_events(&query).await?;
    if desc != earlier {
        events.reverse();
    }
    let total = ctx
        .state
        .store
        .count_matching_events(&req.task, Some("log"), &metrics)
        .await?;
    Ok(TaskLogResponse {
        returned: events.len() as u64,
        events: bodies(events),
        total,
    })
}

/// `events.scalar_metrics_iter_histogram`: per metric and variant (single values left out), at most about
/// `samples` points, each the mean of its bucket; `x_axis_label` from `last_metrics`.
pub async fn scalar_metrics_iter_histogram(
    ctx: &Ctx,
    req: ScalarHistogramRequest,
) -> Result<ScalarHistogramResponse, ApiError> {
    owner(ctx, &req.task, req.model_events).await?;
    let samples = req.samples.unwrap_or(2000);
    if !(1..=6000).contains(&samples) {
        return Err(ApiError::validation(format!(
            "samples must be between 1 and 6000, got {samples}"
        )));
    }
    let (axis, iso) = match req.key.as_deref() {
        None | Some("iter") => (ScalarAxis::Iter, false),
        Some("timestamp") => (ScalarAxis::Timestamp, false),
        Some("iso_time") => (ScalarAxis::Timestamp, true),
        Some(k) => {
            return Err(ApiError::validation(format!(
                "key must be iter, timestamp or iso_time, got {k:?}"
            )));
        }
    };
    let store = &ctx.state.store;
    let series = store
        .scalar_histogram(&req.task, axis, samples, &filters(&req.metrics))
        .await?;
    let mut labels: HashMap<(String, String), String> = HashMap::new();
    if !series.is_empty() {
        for m in store
            .last_metrics(std::slice::from_ref(&req.task))
            .await?
            .remove(&req.task)
            .unwrap_or_default()
        {
            if let Some(l) = m.x_axis_label {
                labels.insert((m.metric, m.variant), l);
            }
        }
    }
    let mut out = ScalarHistogramResponse::new();
    for s in series {
        let x_axis_label = labels.remove(&(s.metric.clone(), s.variant.clone()));
        let (x, y) = s
            .points
            .iter()
            .map(|(k, v)| (if iso { json!(iso_millis(*k)) } else { json!(k) }, *v))
            .unzip();
        out.entry(s.metric).or_default().insert(
            s.variant.clone(),
            HistogramSeries {
                name: s.variant,
                x,
                y,
                x_axis_label,
            },
        );
    }
    Ok(out)
}

/// The requested task (with `model_events`, model) ids without repeats, with their names; any unknown id is
/// 400/101 (400/201), naming them all.
async fn known_owners(
    ctx: &Ctx,
    requested: Vec<String>,
    model_events: bool,
) -> Result<(Vec<String>, HashMap<String, String>), ApiError> {
    let mut ids: Vec<String> = Vec::new();
    for id in requested {
        if !ids.contains(&id) {
            ids.push(id);
        }
    }
    let mut names = HashMap::new();
    let mut missing = Vec::new();
    for id in &ids {
        let name = if model_events {
            ctx.state.store.get_model(id).await?.map(|m| m.name)
        } else {
            ctx.state.store.get_task(id).await?.map(|t| t.name)
        };
        match name {
            Some(n) => {
                names.insert(id.clone(), n);
            }
            None => missing.push(id.clone()),
        }
    }
    if !missing.is_empty() {
        let e = if model_events {
            ApiError::invalid_model(&missing.join(", "))
        } else {
            ApiError::invalid_task(&missing.join(", "))
        };
        return Err(e.with_data(json!({ "ids": missing })));
    }
    Ok((ids, names))
}

/// The event types an `event_type` names (`all` or none: every type); anything else is 400/12.
fn kinds(event_type: Option<&str>) -> Result<Vec<&'static str>, ApiError> {
    match event_type {
        None | Some("all") => Ok(EVENT_TYPES.to_vec()),
        Some(t) => EVENT_TYPES
            .iter()
            .find(|k| **k == t)
            .map(|k| vec![*k])
            .ok_or_else(|| {
                ApiError::validation(format!(
                    "event_type must be one of {EVENT_TYPES:?} or all, got {t:?}"
                ))
            }),
    }
}

/// `events.get_task_metrics`: per task, the metrics of its events of `event_type` (required).
pub async fn get_task_metrics(
    ctx: &Ctx,
    req: TasksMetricsRequest,
) -> Result<TaskMetricNamesResponse, ApiError> {
    let Some(event_type) = req.event_type.as_deref() else {
        return Err(ApiError::validation("missing required field 'event_type'"));
    };
    let kinds = kinds(Some(event_type))?;
    let (ids, _) = known_owners(ctx, req.tasks.unwrap_or_default(), req.model_events).await?;
    let mut metrics = Vec::with_capacity(ids.len());
    for task in ids {
        let mut names = BTreeSet::new();
        for kind in &kinds {
            for (m, _) in ctx.state.store.metrics_and_variants(&task, kind).await? {
                names.insert(m);
            }
        }
        metrics.push(TaskMetricNames {
            task,
            metrics: names.into_iter().collect(),
        });
    }
    Ok(TaskMetricNamesResponse { metrics })
}

/// `events.get_multi_task_metrics`: the metrics and variants of all the tasks' events (of `event_type`).
pub async fn get_multi_task_metrics(
    ctx: &Ctx,
    req: TasksMetricsRequest,
) -> Result<MultiTaskMetricsResponse, ApiError> {
    let kinds = kinds(req.event_type.as_deref())?;
    let (ids, _) = known_owners(ctx, req.tasks.unwrap_or_default(), req.model_events).await?;
    let mut all: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for task in &ids {
        for kind in &kinds {
            for (m, v) in ctx.state.store.metrics_and_variants(task, kind).await? {
                all.entry(m).or_default().insert(v);
            }
        }
    }
    let metrics = all
        .into_iter()
        .map(|(metric, v)| MetricVariantNames {
            metric,
            variants: v.into_iter().collect(),
        })
        .collect();
    Ok(MultiTaskMetricsResponse { metrics })
}

/// `events.get_task_single_value_metrics`: each task's values reported with `report_single_value`; tasks
/// without any are left out; any unknown id is 400/101.
pub async fn get_task_single_value_metrics(
    ctx: &Ctx,
    req: SingleValueMetricsRequest,
) -> Result<SingleValueMetricsResponse, ApiError> {
    let (ids, mut names) =
        known_owners(ctx, req.tasks.unwrap_or_default(), req.model_events).await?;
    let values = ctx
        .state
        .store
        .single_values(&ids, &filters(&req.metrics))
        .await?;
    let mut by_task: HashMap<String, Vec<SingleValue>> = HashMap::new();
    for v in values {
        by_task.entry(v.task).or_default().push(SingleValue {
            metric: v.metric,
            variant: v.variant,
            value: v.value,
            timestamp: v.timestamp,
        });
    }
    let tasks = ids
        .into_iter()
        .filter_map(|id| {
            let values = by_task.remove(&id)?;
            Some(TaskSingleValues {
                task_name: names.remove(&id).unwrap_or_default(),
                task: id,
                values,
            })
        })
        .collect();
    Ok(SingleValueMetricsResponse { tasks })
}

/// `events.get_task_plots`: per metric and variant (ascending), the plots of its `iters` newest iterations.
pub async fn get_task_plots(
    ctx: &Ctx,
    req: TaskPlotsRequest,
) -> Result<TaskPlotsResponse, ApiError> {
    owner(ctx, &req.task, req.model_events).await?;
    let iters = req.iters.unwrap_or(1).max(1);
    let plots = ctx
        .state
        .store
        .latest_plots(&req.task, iters, &filters(&req.metrics))
        .await?;
    let n = plots.len() as u64;
    Ok(TaskPlotsResponse {
        plots: bodies(plots),
        returned: n,
        total: n,
        scroll_id: None,
    })
}

/// `events.get_scalar_metrics_and_variants` → `{metrics: {metric: [variants]}}`.
pub async fn get_scalar_metrics_and_variants(
    ctx: &Ctx,
    req: TaskMetricsRequest,
) -> Result<MetricsAndVariantsResponse, ApiError> {
    owner(ctx, &req.task, req.model_events).await?;
    let mut metrics: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for (m, v) in ctx
        .state
        .store
        .metrics_and_variants(&req.task, SCALAR_KIND)
        .await?
    {
        metrics.entry(m).or_default().push(v);
    }
    Ok(MetricsAndVariantsResponse { metrics })
}

/// `events.get_task_latest_scalar_values`: per metric and variant, the positive value at the highest
/// iteration; `last_iter` = the highest iteration of any event.
pub async fn get_task_latest_scalar_values(
    ctx: &Ctx,
    req: TaskRef,
) -> Result<LatestScalarValuesResponse, ApiError> {
    let t = load(ctx, &req.task).await?;
    let store = &ctx.state.store;
    let mut metrics: Vec<LatestMetric> = Vec::new();
    let mut last_timestamp = 0;
    for l in store.latest_scalars(&req.task).await? {
        last_timestamp = last_timestamp.max(l.timestamp);
        if metrics.last().is_none_or(|m| m.name != l.metric) {
            metrics.push(LatestMetric {
                name: l.metric.clone(),
                variants: Vec::new(),
            });
        }
        if let Some(m) = metrics.last_mut() {
            m.variants.push(LatestVariant {
                name: l.variant,
                last_value: l.value,
                last_10_value: l.value,
            });
        }
    }
    Ok(LatestScalarValuesResponse {
        metrics,
        last_iter: store.max_event_iteration(&req.task).await?.unwrap_or(0),
        name: t.name,
        status: t.status.as_str().to_string(),
        last_timestamp,
    })
}

/// The task exists and is not published (unless `allow_locked`): 400/101 otherwise, as clearml-server.
async fn writable(ctx: &Ctx, task: &str, allow_locked: bool) -> Result<(), ApiError> {
    let t = load(ctx, task).await?;
    if !allow_locked && matches!(t.status, TaskStatus::Published | TaskStatus::Publishing) {
        return Err(ApiError::new(
            ResultCode::InvalidTaskId,
            format!("Cannot update events for a published task {task} (send allow_locked: true)"),
        ));
    }
    Ok(())
}

/// `events.clear_task_log`: delete console lines (older than `threshold_sec`, of `include_metrics`, not of
/// `exclude_metrics`) → `{deleted}`.
pub async fn clear_task_log(ctx: &Ctx, req: ClearTaskLogRequest) -> Result<Deleted, ApiError> {
    writable(ctx, &req.task, req.allow_locked).await?;
    let before = req.threshold_sec.filter(|s| *s > 0).map(|s| {
        trove_core::timefmt::now_millis()
            .saturating_sub(i64::try_from(s).unwrap_or(i64::MAX).saturating_mul(1000))
    });
    let deleted = ctx
        .state
        .store
        .delete_log_events(&LogDeletion {
            task: req.task,
            before_timestamp: before,
            include_metrics: req.include_metrics.unwrap_or_default(),
            exclude_metrics: req.exclude_metrics.unwrap_or_default(),
        })
        .await?;
    Ok(Deleted { deleted })
}

/// `events.delete_for_task`: delete every event of the task (its `last_metrics` stay) → `{deleted}`.
pub async fn delete_for_task(ctx: &Ctx, req: DeleteForTaskRequest) -> Result<Deleted, ApiError> {
    writable(ctx, &req.task, req.allow_locked).await?;
    let deleted = ctx.state.store.delete_task_events(&req.task).await?;
    Ok(Deleted { deleted })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn iso_times_are_strict_date_time() {
        assert_eq!(iso_millis(0), "1970-01-01T00:00:00.000Z");
        assert_eq!(iso_millis(1_704_164_645_678), "2024-01-02T03:04:05.678Z");
        assert_eq!(iso_millis(-1), "1969-12-31T23:59:59.999Z");
        assert_eq!(iso_millis(951_825_600_000), "2000-02-29T12:00:00.000Z");
    }
}
