//! Events: `events.add_batch` (json-lines), `events.add`, `events.get_task_log`.

use super::context::Ctx;
use super::task_access::load;
use crate::error::ApiError;
use serde_json::{Map, Value, json};
use std::collections::{BTreeMap, HashMap};
use trove_protocol::endpoints::{
    AddBatchRequest, AddEventsResponse, Event as EventBody, GetTaskLogRequest, TaskLogResponse,
};
use trove_store::{Event, Task, TaskEdit};

/// `events.add`: one event, stored as `events.add_batch` stores each.
pub async fn add(ctx: &Ctx, ev: EventBody) -> Result<AddEventsResponse, ApiError> {
    add_events(ctx, vec![Value::Object(ev.0)]).await
}

/// `events.add_batch` (json-lines): see [`add_events`].
pub async fn add_batch(ctx: &Ctx, req: AddBatchRequest) -> Result<AddEventsResponse, ApiError> {
    add_events(ctx, req.requests.unwrap_or_default()).await
}

/// Store events of existing tasks; `last_iteration` follows the highest `iter` seen. Bad events are counted in
/// `errors`/`errors_info`, not fatal.
async fn add_events(ctx: &Ctx, items: Vec<Value>) -> Result<AddEventsResponse, ApiError> {
    let mut known: HashMap<String, Option<Task>> = HashMap::new();
    let mut events = Vec::new();
    let mut errors: BTreeMap<String, u64> = BTreeMap::new();
    let mut max_iter: HashMap<String, i64> = HashMap::new();
    for item in items {
        let Value::Object(mut ev) = item else {
            *errors
                .entry("event is not a JSON object".into())
                .or_default() += 1;
            continue;
        };
        ev.remove("method");
        let Some(task) = ev.get("task").and_then(|t| t.as_str()).map(String::from) else {
            *errors.entry("event has no task".into()).or_default() += 1;
            continue;
        };
        if !known.contains_key(&task) {
            let t = ctx.state.store.get_task(&task).await?;
            known.insert(task.clone(), t);
        }
        if known.get(&task).is_none_or(|t| t.is_none()) {
            *errors
                .entry(format!("Invalid task id: {task}"))
                .or_default() += 1;
            continue;
        }
        let kind = ev
            .get("type")
            .and_then(|t| t.as_str())
            .unwrap_or("log")
            .to_string();
        let timestamp = ev
            .get("timestamp")
            .and_then(|t| t.as_i64())
            .unwrap_or_else(trove_core::timefmt::now_millis);
        let iter = ev.get("iter").and_then(|t| t.as_i64());
        if let Some(i) = iter.filter(|_| kind != "log") {
            let m = max_iter.entry(task.clone()).or_insert(i);
            *m = (*m).max(i);
        }
        events.push(Event {
            task,
            kind,
            timestamp,
            iter,
            body: Value::Object(ev),
        });
    }
    let added = if events.is_empty() {
        0
    } else {
        ctx.state.store.add_events(&events).await?
    };
    for (task, it) in max_iter {
        let cur = known
            .get(&task)
            .and_then(|t| t.as_ref())
            .and_then(|t| t.doc.get("last_iteration"))
            .and_then(|v| v.as_i64())
            .unwrap_or(0);
        if it > cur {
            let mut doc = Map::new();
            doc.insert("last_iteration".into(), json!(it));
            ctx.state
                .store
                .edit_task(
                    &task,
                    TaskEdit {
                        doc,
                        ..Default::default()
                    },
                )
                .await?;
        }
    }
    Ok(AddEventsResponse {
        added: added as u64,
        errors: errors.values().sum(),
        errors_info: errors,
    })
}

/// `events.get_task_log {task, batch_size, scroll_id}`: console lines oldest first, paged by `scroll_id`.
pub async fn get_task_log(ctx: &Ctx, req: GetTaskLogRequest) -> Result<TaskLogResponse, ApiError> {
    load(ctx, &req.task).await?;
    let batch = req.batch_size.unwrap_or(500).clamp(1, 10_000);
    let offset = req
        .scroll_id
        .and_then(|s| s.parse::<u64>().ok())
        .unwrap_or(0);
    let events = ctx
        .state
        .store
        .list_events(&req.task, Some("log"), offset, batch)
        .await?;
    let returned = events.len() as u64;
    Ok(TaskLogResponse {
        events: events.into_iter().map(|e| e.body).collect(),
        returned,
        total: returned,
        scroll_id: (offset + returned).to_string(),
    })
}
