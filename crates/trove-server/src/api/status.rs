//! Status changes: ClearML's state machine, `tasks.started|completed|stopped|failed|publish|close`,
//! `tasks.stop` (watchdog-aware, reference §7.3) and `tasks.reset`.

use super::context::Ctx;
use super::present::status_fields;
use super::task_access::{has_system_tag, load, object};
use crate::error::ApiError;
use serde_json::{Map, Value, json};
use trove_core::TaskStatus;
use trove_protocol::endpoints::{
    StatusChangeRequest, StatusChangeResponse, TasksResetRequest, TasksResetResponse, Urls,
};
use trove_store::{StatusChange, Task, TaskEdit};

/// ClearML's status state machine ([`TaskStatus::may_change_to`]); a same-status change is allowed.
pub fn transition_allowed(from: TaskStatus, to: TaskStatus) -> bool {
    from.may_change_to(to)
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
    let mut published = None;
    if to == TaskStatus::Completed {
        published = Some(0);
        if req.publish {
            t = set_status(ctx, id, TaskStatus::Published, req.force, reason, message).await?;
            published = Some(1);
        }
    }
    if t.status == TaskStatus::Published && req.publish_model != Some(false) {
        super::task_models::on_task_publish(ctx, id).await?;
    }
    Ok(StatusChangeResponse {
        updated: 1,
        fields: status_fields(&t),
        published,
    })
}

/// `tasks.stop`: a request to stop (clearml-server's rule). A running task that a worker reports for
/// (`last_worker` set, updated within 10 minutes) and that is not a development task stays `in_progress`
/// with message "stopping" for the worker to act on; any other task becomes `stopped` with message
/// "Stopped by <user>" (no "worker" in it, so the SDK's watchdog aborts the process).
pub async fn stop(ctx: &Ctx, req: StatusChangeRequest) -> Result<StatusChangeResponse, ApiError> {
    let id = req.task;
    let force = req.force;
    let reason = req.status_reason.unwrap_or_default();
    let t = load(ctx, &id).await?;
    let dev = has_system_tag(&t.doc, "development");
    let stale = trove_core::timefmt::now_micros() - t.last_update > 600 * 1_000_000;
    let worker = t
        .doc
        .get("last_worker")
        .and_then(|v| v.as_str())
        .is_some_and(|w| !w.is_empty());
    let t = if t.status == TaskStatus::InProgress && worker && !dev && !stale {
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
        published: None,
    })
}

/// `tasks.reset`: back to `created` (a published task needs `force`, 400/110 otherwise); output artifacts,
/// `runtime`, output models, `last_metrics`, `last_iteration` and `output.result/error` are cleared;
/// `clear_all` also clears `execution` (input artifacts stay) and `script`. `urls` only with
/// `return_file_urls`.
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
    let cleanup = super::task_models::on_task_reset(ctx, &t, force, true).await?;
    let t = set_status(
        ctx,
        &id,
        TaskStatus::Created,
        force,
        "reset".into(),
        "reset".into(),
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
    // The task's events and last metrics go (as `events.delete_for_task`, whose answer `events` is).
    let events_deleted = super::events::on_task_reset(ctx, &id).await?;
    let mut models = object(t.doc.get("models"));
    models.insert("output".into(), json!([]));
    let mut output = object(t.doc.get("output"));
    output.remove("result");
    output.remove("error");
    let mut doc = Map::new();
    doc.insert("runtime".into(), json!({}));
    doc.insert("models".into(), Value::Object(models));
    doc.insert("output".into(), Value::Object(output));
    doc.insert("last_metrics".into(), json!({}));
    doc.insert("last_iteration".into(), json!(0));
    if req.clear_all {
        doc.insert("execution".into(), json!({}));
        doc.insert("script".into(), Value::Null);
    }
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
        deleted_models: cleanup.deleted_models,
        fields: status_fields(&t),
        dequeued: Map::new(),
        events: json!({ "deleted": events_deleted })
            .as_object()
            .cloned()
            .unwrap_or_default(),
        urls: req.return_file_urls.then(|| Urls {
            artifact_urls: super::tasks::output_urls(&deleted),
            model_urls: cleanup.model_urls,
            ..Urls::default()
        }),
    })
}
