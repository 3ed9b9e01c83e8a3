//! `models.*` that reach beyond one model: publishing (`set_ready`, `publish_many`: the creating task is
//! published too), deleting (`delete`, `delete_many`: tasks' references are updated), archiving, and the legacy
//! `models.update_for_task` (API ≤ 2.13).

use super::context::Ctx;
use super::models::load_model;
use super::task_models::{self, DELETED_PREFIX, ModelItemKind, publish_task, raise_last_iteration};
use crate::error::ApiError;
use serde_json::{Map, Value, json};
use trove_core::TaskStatus;
use trove_protocol::endpoints::{
    BatchFailure, BatchRequest, BatchResponse, ModelCreatedResponse, ModelDeletedResponse,
    ModelFields, ModelsDeleteManyRequest, ModelsDeleteRequest, ModelsEditRequest,
    ModelsPublishManyRequest, ModelsSetReadyRequest, PublishedTask, SetReadyResponse,
    UpdateForTaskRequest,
};
use trove_protocol::{EndpointMeta, ResultCode};
use trove_store::{Model, ModelEdit, NewModel};

/// Publish a model: 400/203 if it is ready already. With `publish_task`, its creating task is published first
/// when it is not (the task's status must allow it unless `force_publish_task`: 400/110, and then nothing
/// changes). Returns (updated, the task published).
pub async fn publish_model(
    ctx: &Ctx,
    id: &str,
    publish_task_too: bool,
    force_publish_task: bool,
) -> Result<(u64, Option<PublishedTask>), ApiError> {
    let m = load_model(ctx, id).await?;
    if m.ready {
        return Err(ApiError::new(
            ResultCode::ModelIsReady,
            format!("Model is ready: model={id}"),
        )
        .with_data(json!({ "model": id })));
    }
    let mut published = None;
    if publish_task_too
        && let Some(task) = m.task.as_deref()
        && let Some(t) = ctx.state.store.get_task(task).await?
        && t.status != TaskStatus::Published
    {
        let data = publish_task(ctx, &t.id, force_publish_task).await?;
        published = Some(PublishedTask { id: t.id, data });
    }
    let edit = ModelEdit {
        ready: Some(true),
        touch: true,
        ..Default::default()
    };
    ctx.state.store.edit_model(id, edit).await?;
    Ok((1, published))
}

/// `models.set_ready {model, publish_task, force_publish_task}` → `{updated, published_task?}`.
pub async fn set_ready(
    ctx: &Ctx,
    req: ModelsSetReadyRequest,
) -> Result<SetReadyResponse, ApiError> {
    let (updated, published_task) =
        publish_model(ctx, &req.model, req.publish_task, req.force_publish_task).await?;
    Ok(SetReadyResponse {
        updated,
        published_task,
    })
}

/// Run `op` on every id; failures are collected per id as clearml-server's batch calls do.
async fn batch<F, Fut>(ids: &[String], mut op: F) -> BatchResponse
where
    F: FnMut(String) -> Fut,
    Fut: std::future::Future<Output = Result<Map<String, Value>, ApiError>>,
{
    let mut res = BatchResponse::default();
    for id in ids {
        match op(id.clone()).await {
            Ok(mut item) => {
                item.insert("id".into(), json!(id));
                res.succeeded.push(item);
            }
            Err(e) => res.failed.push(BatchFailure {
                id: id.clone(),
                error: (&e.error).into(),
            }),
        }
    }
    res
}

fn item(v: Value) -> Map<String, Value> {
    match v {
        Value::Object(m) => m,
        _ => Map::new(),
    }
}

/// `models.publish_many` → `{succeeded: [{id, updated, published_task}], failed}`.
pub async fn publish_many(
    ctx: &Ctx,
    req: ModelsPublishManyRequest,
) -> Result<BatchResponse, ApiError> {
    Ok(batch(&req.ids, |id| async move {
        let (updated, task) =
            publish_model(ctx, &id, req.publish_task, req.force_publish_task).await?;
        Ok(item(
            json!({"updated": updated > 0, "published_task": task}),
        ))
    })
    .await)
}

/// Set or clear the `archived` system tag.
async fn set_archived(ctx: &Ctx, id: &str, archived: bool) -> Result<(), ApiError> {
    let tag = vec!["archived".to_string()];
    let edit = if archived {
        ModelEdit {
            add_system_tags: tag,
            ..Default::default()
        }
    } else {
        ModelEdit {
            remove_system_tags: tag,
            ..Default::default()
        }
    };
    ctx.state.store.edit_model(id, edit).await?;
    Ok(())
}

/// `models.archive_many` → `{succeeded: [{id, archived: true}], failed}`.
pub async fn archive_many(ctx: &Ctx, req: BatchRequest) -> Result<BatchResponse, ApiError> {
    Ok(batch(&req.ids, |id| async move {
        set_archived(ctx, &id, true).await?;
        Ok(item(json!({"archived": true})))
    })
    .await)
}

/// `models.unarchive_many` → `{succeeded: [{id, unarchived: true}], failed}`.
pub async fn unarchive_many(ctx: &Ctx, req: BatchRequest) -> Result<BatchResponse, ApiError> {
    Ok(batch(&req.ids, |id| async move {
        set_archived(ctx, &id, false).await?;
        Ok(item(json!({"unarchived": true})))
    })
    .await)
}

/// Delete a model (clearml-server's `ModelBLL.delete_model`): tasks using it as input need `force` (400/205)
/// and then reference `__DELETED__<id>`; a published creating task needs `force` (400/206) and then its output
/// reference becomes `__DELETED__<id>` with `output.error` set; an unpublished creating task just loses the
/// model from its outputs. Returns the deleted model.
pub async fn delete_model(ctx: &Ctx, id: &str, force: bool) -> Result<(bool, Model), ApiError> {
    let m = load_model(ctx, id).await?;
    let deleted_ref = format!("{DELETED_PREFIX}{id}");
    let users = task_models::tasks_using_input(ctx, id).await?;
    if !users.is_empty() && !force {
        return Err(ApiError::new(
            ResultCode::ModelInUse,
            format!("Model is used by tasks as input, use force=True to delete: model={id}"),
        )
        .with_data(json!({ "model": id, "num_tasks": users.len() })));
    }
    let creator = match m.task.as_deref() {
        Some(t) => ctx.state.store.get_task(t).await?,
        None => None,
    };
    if let Some(t) = &creator
        && t.status == TaskStatus::Published
        && !force
    {
        return Err(ApiError::new(
            ResultCode::ModelCreatingTaskExists,
            format!("Task that created this model exists and is published, use force=True to delete: task={}", t.id),
        )
        .with_data(json!({ "task": t.id, "model": id })));
    }
    for t in &users {
        task_models::rename_model_ref(ctx, t, ModelItemKind::Input, id, &deleted_ref).await?;
    }
    if let Some(t) = creator {
        if t.status == TaskStatus::Published {
            task_models::rename_model_ref(ctx, &t, ModelItemKind::Output, id, &deleted_ref).await?;
            let when = trove_core::timefmt::now_iso();
            task_models::set_output_error(ctx, &t.id, &format!("model deleted on {when}")).await?;
        } else {
            task_models::pull_model_ref(ctx, &t, ModelItemKind::Output, id).await?;
        }
    }
    let deleted = ctx.state.store.delete_model(id).await?;
    tracing::debug!(model = id, deleted, "model deleted");
    Ok((deleted, m))
}

/// `models.delete {model, force}` → `{deleted, url}` (the weights' uri, for the client to delete).
pub async fn delete(ctx: &Ctx, req: ModelsDeleteRequest) -> Result<ModelDeletedResponse, ApiError> {
    let (deleted, m) = delete_model(ctx, &req.model, req.force).await?;
    Ok(ModelDeletedResponse {
        deleted,
        url: Some(m.uri),
    })
}

/// `models.delete_many` → `{succeeded: [{id, deleted, url}], failed}`.
pub async fn delete_many(
    ctx: &Ctx,
    req: ModelsDeleteManyRequest,
) -> Result<BatchResponse, ApiError> {
    Ok(batch(&req.ids, |id| async move {
        let (deleted, m) = delete_model(ctx, &id, req.force).await?;
        Ok(item(json!({"deleted": deleted, "url": m.uri})))
    })
    .await)
}

use trove_protocol::version::version_above;

/// `models.update_for_task` (API ≤ 2.13, else 301/1): with `uri`, update the task's last output model or
/// create one from the task (project, framework, labels, design, parent = first input model); with
/// `override_model_id`, make that model the task's output. The task must be `created` or `in_progress`.
pub async fn update_for_task(
    ctx: &Ctx,
    req: UpdateForTaskRequest,
    ep: &EndpointMeta,
) -> Result<ModelCreatedResponse, ApiError> {
    if version_above(&ep.requested_version, 2, 13) {
        return Err(ApiError::new(
            ResultCode::MovedNotSupported,
            "models.update_for_task is not supported above API 2.13: use tasks.add_or_update_model",
        ));
    }
    let uri = req.uri.clone().filter(|u| !u.is_empty());
    let over = req.override_model_id.clone().filter(|u| !u.is_empty());
    if uri.is_some() == over.is_some() {
        return Err(ApiError::new(
            ResultCode::MissingRequiredFields,
            "exactly one of 'uri' and 'override_model_id' is required",
        )
        .with_data(json!({ "fields": ["uri", "override_model_id"] })));
    }
    let t = super::task_access::load(ctx, &req.task).await?;
    if !matches!(t.status, TaskStatus::Created | TaskStatus::InProgress) {
        return Err(ApiError::invalid_status(
            t.status.as_str(),
            "created/in_progress",
        ));
    }
    let model = if let Some(id) = over {
        ctx.state
            .store
            .get_model(&id)
            .await?
            .ok_or_else(|| ApiError::invalid_model(&id))?
    } else {
        let name = req.name.clone().unwrap_or_else(|| t.name.clone());
        let comment = req
            .comment
            .clone()
            .unwrap_or_else(|| format!("Created by task `{}` ({})", t.name, t.id));
        let models = task_models::task_model_items(&t, ModelItemKind::Output);
        if let Some(last) = models.last() {
            // An existing output model is updated (and the task's outputs stay as they are).
            let id = last.model.clone();
            let edit = ModelsEditRequest {
                model: id.clone(),
                fields: ModelFields {
                    uri,
                    name: Some(name),
                    comment: Some(comment),
                    task: Some(t.id.clone()),
                    ..Default::default()
                },
                iteration: req.iteration,
            };
            let res = super::models::edit(ctx, edit).await?;
            return Ok(ModelCreatedResponse {
                id,
                created: false,
                updated: Some(res.updated),
                fields: Some(res.fields),
            });
        }
        let exec = t.doc.get("execution").cloned().unwrap_or(Value::Null);
        let mut doc = Map::new();
        doc.insert("comment".into(), json!(comment));
        for (k, from) in [("labels", "model_labels"), ("design", "model_desc")] {
            if let Some(Value::Object(v)) = exec.get(from) {
                doc.insert(k.into(), Value::Object(v.clone()));
            }
        }
        doc.insert("user".into(), json!(ctx.identity.user));
        doc.insert("company".into(), json!(ctx.identity.company));
        let inputs = task_models::task_model_items(&t, ModelItemKind::Input);
        ctx.state
            .store
            .create_model(NewModel {
                name,
                project: Some(t.project.clone()),
                task: Some(t.id.clone()),
                parent: inputs.first().map(|i| i.model.clone()),
                uri: uri.unwrap_or_default(),
                framework: exec
                    .get("framework")
                    .and_then(Value::as_str)
                    .map(str::to_string),
                ready: t.status == TaskStatus::Published,
                doc,
            })
            .await?
    };
    task_models::set_output_model(ctx, &t.id, &model.id).await?;
    if let Some(it) = req.iteration {
        raise_last_iteration(ctx, &t.id, it).await?;
    }
    Ok(ModelCreatedResponse {
        id: model.id,
        created: true,
        ..Default::default()
    })
}

#[cfg(test)]
mod tests {
    #[test]
    fn versions_compare_numerically() {
        use super::version_above;
        assert!(version_above("2.14", 2, 13));
        assert!(version_above("999.0", 2, 13));
        assert!(!version_above("2.13", 2, 13));
        assert!(!version_above("2.9", 2, 13));
    }
}
