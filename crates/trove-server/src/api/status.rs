//! Status changes: ClearML's state machine, `tasks.started|completed|stopped|failed|publish|close`,
//! `tasks.stop` (watchdog-aware, reference §7.3) and `tasks.reset`.

use super::context::Ctx;
use super::present::status_fields;
use super::task_access::{load, object};
use crate::error::ApiError;
use serde_json::{Map, Value, json};
use trove_core::TaskStatus;
use trove_protocol::endpoints::{
    StatusChangeRequest, StatusChangeResponse, TasksResetRequest, TasksResetResponse, Urls,
};
use trove_store::{StatusChange, Task, TaskEdit};

/// ClearML's status state machine (`apiserver/bll/task/utils.py`); a same-status change is allowed.
pub fn transition_allowed(from: TaskStatus, to: TaskStatus) -> bool {
    use TaskStatus::*;
    if from == to {
        return true;
    }
    let allowed: &[TaskStatus] = match from {
        Created => &[Queued, InProgress],
        Queued => &[Created, InProgress],
        InProgress => &[Stopped, Failed, Created, Completed],
        Stopped => &[
            Closed, Created, Failed, InProgress, Published, Publishing, Completed,
        ],
        Closed => &[Created, Failed, Published, Publishing, Stopped],
        Failed => &[Created, Stopped, Published],
        Publishing => &[Published],
        Published => &[],
        Completed => &[Published, InProgress, Created],
        Unknown => &[],
    };
    allowed.contains(&to)
}

/// Statuses from which `to` may be reached (the `expected` set for an atomic change).
fn sources_of(to: TaskStatus) -> Vec<TaskStatus> {
    TaskStatus::ALL
        .into_iter()
        .filter(|s| transition_allowed(*s, to))
        .collect()
}

/// Change a task's status atomically; `force` skips the state machine.
async fn set_status(
    ctx: &Ctx,
    id: &str,
    to: TaskStatus,
    force: bool,
    reason: String,
    message: String,
) -> Result<Task, ApiError> {
    let t = load(ctx, id).await?;
    if !force && !transition_allowed(t.status, to) {
        return Err(ApiError::invalid_status(
            t.status.as_str(),
            &format!("a status that can become {to}"),
        )
        .with_data(json!({ "current_status": t.status.as_str(), "new_status": to.as_str() })));
    }
    let expected = if force { Vec::new() } else { sources_of(to) };
    let change = StatusChange {
        status: to,
        message,
        reason,
        expected,
    };
    Ok(ctx.state.store.set_status(id, change).await?)
}

/// `tasks.started|completed|stopped|failed|publish|close`: change to `to` (`publish: true` on
/// `tasks.completed` publishes right after).
pub async fn change(
    ctx: &Ctx,
    req: StatusChangeRequest,
    to: TaskStatus,
) -> Result<StatusChangeResponse, ApiError> {
    let id = &req.task;
    let reason = req.status_reason.unwrap_or_default();
    let message = req.status_message.unwrap_or_default();
    let mut t = set_status(ctx, id, to, req.force, reason.clone(), message.clone()).await?;
    if to == TaskStatus::Completed && req.publish {
        t = set_status(ctx, id, TaskStatus::Published, req.force, reason, message).await?;
    }
    Ok(StatusChangeResponse {
        updated: 1,
        fields: status_fields(&t),
    })
}

/// `tasks.stop`: a request to stop. A development task (run by the SDK, not an agent) or one not updated
/// for 10 minutes becomes `stopped` with message "Stopped by <user>" (no "worker" in it, so the SDK's
/// watchdog aborts the process); any other running task stays `in_progress` with message "stopping",
/// which the watchdog also honours.
pub async fn stop(ctx: &Ctx, req: StatusChangeRequest) -> Result<StatusChangeResponse, ApiError> {
    let id = req.task;
    let force = req.force;
    let reason = req.status_reason.unwrap_or_default();
    let t = load(ctx, &id).await?;
    let dev = t
        .doc
        .get("system_tags")
        .and_then(|v| v.as_array())
        .is_some_and(|a| a.iter().any(|s| s == "development"));
    let stale = trove_core::timefmt::now_micros() - t.last_update > 600 * 1_000_000;
    let t = if t.status == TaskStatus::InProgress && !dev && !stale {
        set_status(
            ctx,
            &id,
            TaskStatus::InProgress,
            force,
            reason,
            "stopping".into(),
        )
        .await?
    } else {
        let msg = format!("Stopped by {}", ctx.identity.user_name);
        set_status(ctx, &id, TaskStatus::Stopped, force, reason, msg).await?
    };
    Ok(StatusChangeResponse {
        updated: 1,
        fields: status_fields(&t),
    })
}

/// `tasks.reset`: back to `created`; output artifacts, `runtime` and output models are cleared.
pub async fn reset(ctx: &Ctx, req: TasksResetRequest) -> Result<TasksResetResponse, ApiError> {
    let id = req.task;
    let force = req.force;
    let t = load(ctx, &id).await?;
    if t.status == TaskStatus::Published && !force {
        return Err(ApiError::invalid_status(
            "published",
            "not published (or send force=true)",
        ));
    }
    let t = set_status(
        ctx,
        &id,
        TaskStatus::Created,
        force,
        String::new(),
        String::new(),
    )
    .await?;
    let outputs: Vec<(String, String)> = ctx
        .state
        .store
        .list_artifacts(&id)
        .await?
        .into_iter()
        .filter(|a| a.mode == "output")
        .map(|a| (a.key, a.mode))
        .collect();
    let deleted = ctx.state.store.delete_artifacts(&id, &outputs).await?;
    super::events::on_task_reset(ctx, &id).await?;
    let mut models = object(t.doc.get("models"));
    models.insert("output".into(), json!([]));
    let mut doc = Map::new();
    doc.insert("runtime".into(), json!({}));
    doc.insert("models".into(), Value::Object(models));
    let t = ctx
        .state
        .store
        .edit_task(
            &id,
            TaskEdit {
                doc,
                ..Default::default()
            },
        )
        .await?;
    Ok(TasksResetResponse {
        updated: 1,
        deleted_models: 0,
        fields: status_fields(&t),
        urls: Urls {
            artifact_urls: deleted.iter().filter_map(|a| a.uri.clone()).collect(),
            ..Urls::default()
        },
    })
}
