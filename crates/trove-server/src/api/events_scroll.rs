//! The scrolled event readers: `events.get_task_events` (by iteration, exact `total`, what `Task.delete()` and
//! `get_all_reported_scalars` loop over) and `events.scalar_metrics_iter_raw`. Scroll ids are opaque: base64url
//! JSON of where the scroll stands.

use super::context::Ctx;
use super::events_read::{EVENT_TYPES, bodies, descending, filters, owner};
use crate::error::ApiError;
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value, json};
use std::collections::BTreeMap;
use trove_protocol::ResultCode;
use trove_protocol::endpoints::{
    ScalarRawRequest, ScalarRawResponse, TaskEventsRequest, TaskEventsResponse,
};
use trove_store::metrics::{EventCursor, EventQuery, MetricFilter, SCALAR_KIND, StoredEvent};

/// Where a scroll stands (the `scroll_id`, encoded).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
struct Scroll {
    kind: Option<String>,
    desc: bool,
    total: Option<u64>,
    metrics: Vec<(String, Vec<String>)>,
    /// Last event returned: (iteration, row id).
    after: Option<(Option<i64>, i64)>,
    /// A page came back empty: the scroll is exhausted.
    done: bool,
    batch: u64,
}

impl Scroll {
    fn encode(&self) -> String {
        URL_SAFE_NO_PAD.encode(serde_json::to_vec(self).unwrap_or_default())
    }

    fn decode(id: &str) -> Result<Self, ApiError> {
        URL_SAFE_NO_PAD
            .decode(id)
            .ok()
            .and_then(|b| serde_json::from_slice(&b).ok())
            .ok_or_else(|| {
                ApiError::new(
                    ResultCode::InvalidScrollId,
                    "Invalid scroll id: pass back the scroll_id of a previous answer, or none to start",
                )
                .with_data(json!({ "scroll_id": id }))
            })
    }

    fn metric_filters(&self) -> Vec<MetricFilter> {
        self.metrics
            .iter()
            .map(|(m, v)| MetricFilter {
                metric: m.clone(),
                variants: v.clone(),
            })
            .collect()
    }

    /// The next page after this scroll; moves the scroll past it.
    async fn next(&mut self, ctx: &Ctx, task: &str) -> Result<Vec<StoredEvent>, ApiError> {
        if self.done {
            return Ok(Vec::new());
        }
        let query = EventQuery {
            task: task.to_string(),
            kind: self.kind.clone(),
            metrics: self.metric_filters(),
            descending: self.desc,
            after: self.after.map(|(iter, id)| match iter {
                Some(iter) => EventCursor::Iter { iter, id },
                None => EventCursor::NoIter { id },
            }),
            limit: self.batch,
        };
        let page = ctx.state.store.scroll_events(&query).await?;
        match page.last() {
            Some(last) => self.after = Some((last.iter, last.id)),
            None => self.done = true,
        }
        Ok(page)
    }
}

/// `events.get_task_events`: events by iteration (`order`), `batch_size` at a time; `scroll_id` continues
/// (with the first call's type, order and metrics); `total` counts every match (unless `count_total: false`),
/// so `Task.delete()`'s loop (`while returned < total`) ends.
pub async fn get_task_events(
    ctx: &Ctx,
    req: TaskEventsRequest,
) -> Result<TaskEventsResponse, ApiError> {
    owner(ctx, &req.task, req.model_events).await?;
    let batch = req.batch_size.unwrap_or(500).clamp(1, 10_000);
    let mut scroll = match req.scroll_id.as_deref().filter(|s| !s.is_empty()) {
        Some(id) => Scroll::decode(id)?,
        None => {
            let kind = match req.event_type.as_deref() {
                None | Some("all") => None,
                Some(t) if EVENT_TYPES.contains(&t) => Some(t.to_string()),
                Some(t) => {
                    return Err(ApiError::validation(format!(
                        "event_type must be one of {EVENT_TYPES:?} or all, got {t:?}"
                    )));
                }
            };
            let metrics = filters(&req.metrics);
            let total = if req.count_total.unwrap_or(true) {
                Some(
                    ctx.state
                        .store
                        .count_matching_events(&req.task, kind.as_deref(), &metrics)
                        .await?,
                )
            } else {
                None
            };
            Scroll {
                kind,
                desc: descending(req.order.as_deref(), false)?,
                total,
                metrics: metrics
                    .into_iter()
                    .map(|m| (m.metric, m.variants))
                    .collect(),
                ..Scroll::default()
            }
        }
    };
    scroll.batch = batch;
    let page = scroll.next(ctx, &req.task).await?;
    Ok(TaskEventsResponse {
        returned: page.len() as u64,
        events: bodies(page),
        total: scroll.total,
        scroll_id: Some(scroll.encode()),
    })
}

/// `events.scalar_metrics_iter_raw`: one metric's scalars (single values included) by iteration, unsampled,
/// `{variants: {variant: {y, <key>}}}`; `iso_time` lists timestamps, as clearml-server does.
pub async fn scalar_metrics_iter_raw(
    ctx: &Ctx,
    req: ScalarRawRequest,
) -> Result<ScalarRawResponse, ApiError> {
    owner(ctx, &req.task, req.model_events).await?;
    let key = req.key.as_deref().unwrap_or("iter");
    if !matches!(key, "iter" | "timestamp" | "iso_time") {
        return Err(ApiError::validation(format!(
            "key must be iter, timestamp or iso_time, got {key:?}"
        )));
    }
    let mut scroll = match req.scroll_id.as_deref().filter(|s| !s.is_empty()) {
        Some(id) => Scroll::decode(id)?,
        None => {
            let metric = filters(&Some(req.metric.iter().cloned().collect()));
            let total = if req.count_total {
                Some(
                    ctx.state
                        .store
                        .count_matching_events(&req.task, Some(SCALAR_KIND), &metric)
                        .await?,
                )
            } else {
                None
            };
            Scroll {
                kind: Some(SCALAR_KIND.into()),
                total,
                metrics: metric.into_iter().map(|m| (m.metric, m.variants)).collect(),
                batch: 10_000,
                ..Scroll::default()
            }
        }
    };
    scroll.batch = req
        .batch_size
        .filter(|b| *b > 0)
        .unwrap_or(scroll.batch)
        .clamp(1, 200_000);
    let page = scroll.next(ctx, &req.task).await?;
    let mut variants: BTreeMap<String, Map<String, Value>> = BTreeMap::new();
    for e in &page {
        let variant = e.body.get("variant").and_then(Value::as_str).unwrap_or("");
        let entry = variants.entry(variant.to_string()).or_insert_with(|| {
            let mut m = Map::new();
            m.insert("y".into(), json!([]));
            m.insert(key.into(), json!([]));
            m
        });
        let x = if key == "iter" {
            json!(e.iter)
        } else {
            json!(e.timestamp)
        };
        let y = e.body.get("value").cloned().unwrap_or(Value::Null);
        for (k, v) in [("y", y), (key, x)] {
            if let Some(Value::Array(a)) = entry.get_mut(k) {
                a.push(v);
            }
        }
    }
    Ok(ScalarRawResponse {
        returned: page.len() as u64,
        total: scroll.total,
        scroll_id: Some(scroll.encode()),
        variants,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scroll_ids_round_trip_and_bad_ones_are_1104() {
        let s = Scroll {
            kind: Some("plot".into()),
            total: Some(3),
            after: Some((None, 7)),
            ..Scroll::default()
        };
        assert_eq!(Scroll::decode(&s.encode()).unwrap(), s);
        // Empty, not base64, and `{}` (not a whole scroll).
        for bad in ["", "!!", "e30"] {
            let e = Scroll::decode(bad).unwrap_err();
            assert_eq!(e.code(), ResultCode::InvalidScrollId, "{bad}");
        }
    }
}
