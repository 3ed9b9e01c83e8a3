//! Writing events: `events.add_batch` (json-lines), `events.add`, with clearml-server's rules
//! (`bll/event/event_bll.py::add_events`): type validation, keyed replacement of non-log events, locked
//! (published) tasks refused unless `allow_locked`, `last_iteration` (monitor metrics excluded) and
//! `last_metrics`, all stored in one transaction. Model events (`model_event: true`, the id in `model` or
//! `task`) belong to a model: refused for a published model unless `allow_locked`, never `log`; they raise the
//! model's `last_iteration` and fill its `last_metrics`. The readers are in `events_read`.

use super::context::Ctx;
use crate::error::ApiError;
use md5::{Digest, Md5};
use serde_json::{Map, Value, json};
use std::collections::{BTreeMap, HashMap};
use trove_core::TaskStatus;
use trove_protocol::ResultCode;
use trove_protocol::endpoints::{AddBatchRequest, AddEventsResponse, Event as EventBody};
use trove_store::metrics::{EventBatch, NewEvent};

/// Event types clearml-server accepts.
const EVENT_TYPES: [&str; 5] = [
    "training_stats_scalar",
    "training_stats_vector",
    "training_debug_image",
    "plot",
    "log",
];
/// Metrics whose iterations do not move `last_iteration` (clearml-server's `ignore_iteration.metrics`).
const IGNORED_ITERATION_METRICS: [&str; 2] = [":monitor:machine", ":monitor:gpu"];
/// The fields of a non-log event's key, in order (clearml-server's `event_id_fields`).
const KEY_FIELDS: [&str; 5] = ["task", "iter", "metric", "variant", "key"];
/// Headers naming the reporting worker.
const WORKER_HEADERS: [&str; 2] = ["x-clearml-worker", "x-trains-worker"];

/// `events.add`: one event, with the rules of `events.add_batch`.
pub async fn add(ctx: &Ctx, ev: EventBody) -> Result<AddEventsResponse, ApiError> {
    add_events(ctx, vec![Value::Object(ev.0)]).await
}

/// `events.add_batch` (json-lines): an empty batch is 400/17.
pub async fn add_batch(ctx: &Ctx, req: AddBatchRequest) -> Result<AddEventsResponse, ApiError> {
    let items = req.requests.unwrap_or_default();
    if items.is_empty() {
        return Err(ApiError::new(
            ResultCode::BatchContainsNoItems,
            "batch request contains no items: send one event per line",
        ));
    }
    add_events(ctx, items).await
}

/// Part C's `tasks.reset` calls this: delete the task's events and `last_metrics` and set `last_iteration`
/// to 0, in one transaction. Returns how many events were deleted; 400/101 for an unknown task.
pub async fn on_task_reset(ctx: &Ctx, task_id: &str) -> Result<u64, ApiError> {
    Ok(ctx.state.store.reset_task_metrics(task_id).await?)
}

/// Python's `str()` of a key field, as clearml-server joins them.
fn py_str(v: &Value) -> String {
    match v {
        Value::Null => "None".into(),
        Value::Bool(true) => "True".into(),
        Value::Bool(false) => "False".into(),
        Value::String(s) => s.clone(),
        Value::Number(n) if n.is_f64() => {
            let f = n.as_f64().unwrap_or(0.0);
            if f.fract() == 0.0 && f.abs() < 1e16 {
                format!("{f:.1}")
            } else {
                f.to_string()
            }
        }
        other => other.to_string(),
    }
}

/// `md5("-".join(str(ev[f]) for f in KEY_FIELDS if f in ev))`.
fn event_key(ev: &Map<String, Value>) -> String {
    let parts: Vec<String> = KEY_FIELDS
        .iter()
        .filter_map(|f| ev.get(*f).map(py_str))
        .collect();
    format!("{:x}", Md5::digest(parts.join("-").as_bytes()))
}

/// An integer as Python's `int()` reads a number or a numeric string.
fn as_int(v: &Value) -> Option<i64> {
    match v {
        Value::Number(n) => n.as_i64().or_else(|| {
            n.as_f64()
                .filter(|f| f.is_finite() && f.abs() < 9.2e18)
                .map(|f| f.trunc() as i64)
        }),
        Value::String(s) => s.trim().parse().ok(),
        Value::Bool(b) => Some(i64::from(*b)),
        _ => None,
    }
}

/// `metric`/`variant` as stored: falsy values become `""`, anything else its text.
fn name_field(ev: &Map<String, Value>, k: &str) -> String {
    match ev.get(k) {
        None | Some(Value::Null) | Some(Value::Bool(false)) => String::new(),
        Some(Value::String(s)) => s.clone(),
        Some(Value::Number(n)) if n.as_f64() == Some(0.0) => String::new(),
        Some(other) => other.to_string(),
    }
}

/// Who an event belongs to: (model event?, task or model id).
type Owner = (bool, String);

fn is_model_event(ev: &Map<String, Value>) -> bool {
    ev.get("model_event")
        .is_some_and(|m| m.as_bool() == Some(true))
}

/// What a task or model allows: unknown, open, or locked (publishing/published task, published model).
#[derive(Clone, Copy, PartialEq)]
enum Access {
    Missing,
    Open,
    Locked,
}

/// Validate and normalise each event as clearml-server does, then store the valid ones in one transaction.
/// Refused events are counted in `errors_info` by reason; none added is 400/131 with those counts.
async fn add_events(ctx: &Ctx, items: Vec<Value>) -> Result<AddEventsResponse, ApiError> {
    // Pass 1: each task's (model's) allow_locked must be consistent within the batch, and an id is either a
    // task's or a model's.
    let mut allow: HashMap<Owner, bool> = HashMap::new();
    for ev in items.iter().filter_map(Value::as_object) {
        let model = is_model_event(ev);
        let id_field = if model && ev.get("model").is_some() {
            "model"
        } else {
            "task"
        };
        let Some(id) = ev.get(id_field).filter(|t| !t.is_null()).map(py_str) else {
            continue;
        };
        if id.is_empty() {
            continue;
        }
        let locked_ok = ev
            .get("allow_locked")
            .is_some_and(|v| v.as_bool() == Some(true));
        if *allow.entry((model, id.clone())).or_insert(locked_ok) != locked_ok {
            return Err(ApiError::validation(format!(
                "Inconsistent allow_locked setting in the passed events for {id}"
            )));
        }
    }
    let both: Vec<&str> = allow
        .keys()
        .filter(|(model, id)| *model && allow.contains_key(&(false, id.clone())))
        .map(|(_, id)| id.as_str())
        .collect();
    if !both.is_empty() {
        return Err(
            ApiError::validation("Inconsistent model_event setting in the passed events")
                .with_data(json!({ "tasks": both })),
        );
    }
    let mut access: HashMap<Owner, Access> = HashMap::new();
    for (model, id) in allow.keys() {
        let a = if *model {
            match ctx.state.store.get_model(id).await? {
                None => Access::Missing,
                Some(m) if m.ready => Access::Locked,
                Some(_) => Access::Open,
            }
        } else {
            match ctx.state.store.get_task(id).await? {
                None => Access::Missing,
                Some(t) if matches!(t.status, TaskStatus::Published | TaskStatus::Publishing) => {
                    Access::Locked
                }
                Some(_) => Access::Open,
            }
        };
        access.insert((*model, id.clone()), a);
    }
    let worker = WORKER_HEADERS
        .iter()
        .find_map(|h| ctx.headers.get(*h).and_then(|v| v.to_str().ok()))
        .unwrap_or("<unknown>")
        .to_string();
    let now_iso = iso_now_millis();
    let mut errors: BTreeMap<String, u64> = BTreeMap::new();
    let mut batch = EventBatch::default();
    for item in items {
        match normalise(item, &access, &allow, &worker, &now_iso) {
            Ok(ev) => {
                if let Some(iter) = ev.iter
                    && !IGNORED_ITERATION_METRICS.contains(&ev.metric.as_str())
                {
                    let m = batch.iterations.entry(ev.task.clone()).or_insert(0);
                    *m = (*m).max(iter);
                }
                batch.events.push(ev);
            }
            Err(reason) => *errors.entry(reason).or_default() += 1,
        }
    }
    let added = if batch.events.is_empty() {
        0
    } else {
        ctx.state.store.write_events(&batch).await?;
        batch.events.len() as u64
    };
    if added == 0 {
        let data = serde_json::to_value(&errors).unwrap_or_default();
        return Err(ApiError::new(
            ResultCode::EventsNotAdded,
            format!("events not added: {}", describe(&errors)),
        )
        .with_data(data));
    }
    Ok(AddEventsResponse {
        added,
        errors: errors.values().sum(),
        errors_info: errors,
    })
}

fn describe(errors: &BTreeMap<String, u64>) -> String {
    if errors.is_empty() {
        return "no events".into();
    }
    let parts: Vec<String> = errors.iter().map(|(k, n)| format!("{k} ({n})")).collect();
    parts.join(", ")
}

/// One event: checked and normalised (type, task, timestamp, worker, iteration, metric/variant, key), or the
/// reason it is refused, worded as clearml-server words it.
fn normalise(
    item: Value,
    access: &HashMap<Owner, Access>,
    allow: &HashMap<Owner, bool>,
    worker: &str,
    now_iso: &str,
) -> Result<NewEvent, String> {
    let Value::Object(mut ev) = item else {
        return Err("Event must be a JSON object".into());
    };
    ev.remove("method");
    let model = is_model_event(&ev);
    if model && let Some(m) = ev.remove("model") {
        ev.insert("task".into(), m);
    }
    ev.remove("allow_locked");
    let x_axis_label = ev.remove("x_axis_label");
    let kind = match ev.get("type") {
        None | Some(Value::Null) => return Err("Event must have a 'type' field".into()),
        Some(t) => py_str(t).replace(' ', "_"),
    };
    if !EVENT_TYPES.contains(&kind.as_str()) {
        return Err(format!("Invalid event type {kind}"));
    }
    if model && kind == "log" {
        return Err("Task log events are not supported for models".into());
    }
    let Some(task) = ev.get("task").filter(|t| !t.is_null()).map(py_str) else {
        return Err("Event must have a 'task' field".into());
    };
    let owner = (model, task.clone());
    let valid = match access.get(&owner) {
        Some(Access::Open) => true,
        Some(Access::Locked) => allow.get(&owner) == Some(&true),
        _ => false,
    };
    if !valid {
        let what = if model { "model" } else { "task" };
        return Err(format!("Invalid {what} id {task}"));
    }
    ev.insert("task".into(), Value::String(task.clone()));
    ev.insert("type".into(), Value::String(kind.clone()));
    ev.insert("model_event".into(), Value::Bool(model));
    ev.insert("@timestamp".into(), Value::String(now_iso.to_string()));
    if let Some(ts) = ev.remove("ts") {
        ev.insert("timestamp".into(), ts);
    }
    let timestamp = match ev.get("timestamp").and_then(as_int) {
        Some(t) => t,
        None => {
            let t = trove_core::timefmt::now_millis();
            ev.insert("timestamp".into(), Value::from(t));
            t
        }
    };
    ev.entry("worker")
        .or_insert_with(|| Value::String(worker.to_string()));
    let iter = match ev.get("iter") {
        None | Some(Value::Null) => None,
        Some(v) => match as_int(v) {
            Some(i) => {
                ev.insert("iter".into(), Value::from(i));
                Some(i)
            }
            None if v.is_number() => {
                return Err(format!("Iteration number should not exceed {}", i64::MAX));
            }
            None => return Err("Iteration must be an integer".into()),
        },
    };
    if let Some(v) = ev.remove("values") {
        ev.insert("value".into(), v);
    }
    let metric = name_field(&ev, "metric");
    let variant = name_field(&ev, "variant");
    ev.insert("metric".into(), Value::String(metric.clone()));
    ev.insert("variant".into(), Value::String(variant.clone()));
    let key = (kind != "log").then(|| event_key(&ev));
    let value = (kind == "training_stats_scalar")
        .then(|| ev.get("value").and_then(Value::as_f64))
        .flatten();
    if kind == "plot" {
        let len = ev
            .get("plot_str")
            .and_then(Value::as_str)
            .map_or(0, |s| s.chars().count());
        ev.insert("plot_len".into(), Value::from(len));
    }
    Ok(NewEvent {
        task,
        kind,
        timestamp,
        iter,
        metric,
        variant,
        value,
        key,
        x_axis_label: x_axis_label.filter(|l| !l.is_null()).map(|l| py_str(&l)),
        body: Value::Object(ev),
    })
}

/// Now as Elasticsearch's `strict_date_time` in UTC (`2024-01-02T03:04:05.678Z`).
fn iso_now_millis() -> String {
    super::events_read::iso_millis(trove_core::timefmt::now_millis())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn keys_match_clearml_server() {
        // hashlib.md5("t-5-loss-train".encode()).hexdigest()
        let ev = json!({"task": "t", "iter": 5, "metric": "loss", "variant": "train", "value": 1});
        assert_eq!(
            event_key(ev.as_object().unwrap()),
            format!("{:x}", Md5::digest(b"t-5-loss-train"))
        );
        let a = event_key(
            json!({"task": "t", "iter": 5, "metric": "m", "variant": "v"})
                .as_object()
                .unwrap(),
        );
        let b = event_key(
            json!({"variant": "v", "metric": "m", "iter": 5, "task": "t"})
                .as_object()
                .unwrap(),
        );
        assert_eq!(a, b, "field order in the event does not matter");
        assert_eq!(a, format!("{:x}", Md5::digest(b"t-5-m-v")));
        let img = event_key(
            json!({"task": "t", "iter": 5, "metric": "m", "variant": "v", "key": "k"})
                .as_object()
                .unwrap(),
        );
        assert_eq!(img, format!("{:x}", Md5::digest(b"t-5-m-v-k")));
        let no_iter = event_key(
            json!({"task": "t", "iter": null, "metric": "m", "variant": ""})
                .as_object()
                .unwrap(),
        );
        assert_eq!(no_iter, format!("{:x}", Md5::digest(b"t-None-m-")));
    }

    #[test]
    fn python_str_of_values() {
        assert_eq!(py_str(&json!(3.0)), "3.0");
        assert_eq!(py_str(&json!(0.5)), "0.5");
        assert_eq!(py_str(&json!(-2147483648i64)), "-2147483648");
        assert_eq!(as_int(&json!("12")), Some(12));
        assert_eq!(as_int(&json!(7.9)), Some(7));
        assert_eq!(as_int(&json!("x")), None);
    }
}
