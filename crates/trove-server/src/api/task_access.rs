//! Reading and changing one task for an endpoint: load it (or 400/101), its full document with artifacts, the
//! "editable" rule, and replacing one document field.

use super::context::Ctx;
use super::present::task_json;
use crate::error::ApiError;
use serde_json::{Map, Value};
use trove_core::TaskStatus;
use trove_protocol::TaskDoc;
use trove_store::{Task, TaskEdit};

/// Load a task or fail with 400/101.
pub async fn load(ctx: &Ctx, id: &str) -> Result<Task, ApiError> {
    ctx.state
        .store
        .get_task(id)
        .await?
        .ok_or_else(|| ApiError::invalid_task(id))
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
