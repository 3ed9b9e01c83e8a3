//! Reading and changing one task for an endpoint: load it (or 400/101; several at once before a batch edit),
//! its full document with artifacts, the "editable" rule, and replacing one document field.

use super::context::Ctx;
use super::present::task_json;
use crate::error::ApiError;
use serde_json::{Map, Value, json};
use std::collections::HashMap;
use trove_core::TaskStatus;
use trove_protocol::TaskDoc;
use trove_store::{Task, TaskEdit, TaskQuery};

/// Load a task or fail with 400/101.
pub async fn load(ctx: &Ctx, id: &str) -> Result<Task, ApiError> {
    ctx.state
        .store
        .get_task(id)
        .await?
        .ok_or_else(|| ApiError::invalid_task(id))
}

/// Load every task of `ids` (in that order, repeats once) in one query, or fail with 400/101 naming the
/// missing ones before anything changes.
pub async fn load_all(ctx: &Ctx, ids: &[String]) -> Result<Vec<Task>, ApiError> {
    let mut wanted: Vec<String> = Vec::with_capacity(ids.len());
    for id in ids {
        if !wanted.contains(id) {
            wanted.push(id.clone());
        }
    }
    if wanted.is_empty() {
        return Ok(Vec::new());
    }
    let query = TaskQuery {
        ids: Some(wanted.clone()),
        ..Default::default()
    };
    let mut found: HashMap<String, Task> = ctx
        .state
        .store
        .query_tasks(&query)
        .await?
        .into_iter()
        .map(|t| (t.id.clone(), t))
        .collect();
    let missing: Vec<&String> = wanted
        .iter()
        .filter(|id| !found.contains_key(*id))
        .collect();
    if !missing.is_empty() {
        let list: Vec<&str> = missing.iter().map(|s| s.as_str()).collect();
        return Err(ApiError::invalid_task(&list.join(", ")).with_data(json!({ "ids": list })));
    }
    Ok(wanted.iter().filter_map(|id| found.remove(id)).collect())
}

/// The full task document, with its artifacts.
pub async fn full_doc(ctx: &Ctx, t: &Task) -> Result<TaskDoc, ApiError> {
    let arts = ctx.state.store.list_artifacts(&t.id).await?;
    Ok(task_json(t, Some(&arts)))
}

/// Hyper-parameters and configuration may change when the task is `created`, or with `force` also when
/// `queued` or `in_progress` (clearml-server `get_task_for_update`; 400/110 otherwise).
pub fn check_editable(t: &Task, force: bool) -> Result<(), ApiError> {
    let ok = t.status == TaskStatus::Created
        || (force && matches!(t.status, TaskStatus::Queued | TaskStatus::InProgress));
    if ok {
        Ok(())
    } else if force {
        Err(ApiError::invalid_status(
            t.status.as_str(),
            "created/queued/in_progress",
        ))
    } else {
        Err(ApiError::invalid_status(
            t.status.as_str(),
            "created (or queued/in_progress with force=true)",
        ))
    }
}

/// Whether a document's `system_tags` (a task's or model's `doc`, a project's `extra`) hold `tag`.
pub fn has_system_tag(doc: &Map<String, Value>, tag: &str) -> bool {
    doc.get("system_tags")
        .and_then(Value::as_array)
        .is_some_and(|a| a.iter().any(|s| s == tag))
}

/// Whether a document is archived (the `archived` system tag).
pub fn is_archived(doc: &Map<String, Value>) -> bool {
    has_system_tag(doc, "archived")
}

/// The object at `v`, or an empty one (a missing or non-object document field).
pub fn object(v: Option<&Value>) -> Map<String, Value> {
    match v {
        Some(Value::Object(m)) => m.clone(),
        _ => Map::new(),
    }
}

/// Replace one top-level field of a task's document.
pub async fn set_doc_field(
    ctx: &Ctx,
    id: &str,
    key: &str,
    v: Map<String, Value>,
) -> Result<Task, ApiError> {
    let mut doc = Map::new();
    doc.insert(key.into(), Value::Object(v));
    Ok(ctx
        .state
        .store
        .edit_task(
            id,
            TaskEdit {
                doc,
                ..Default::default()
            },
        )
        .await?)
}
