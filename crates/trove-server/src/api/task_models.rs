//! The task side of models: a task's `models.input` / `models.output` lists (`[{name, model, updated}]` in the
//! task document), `tasks.add_or_update_model`, `tasks.delete_models`, and the hooks the task handlers call
//! when a task is deleted, reset or published ([`on_task_delete`], [`on_task_reset`], [`on_task_publish`]).

use super::context::Ctx;
use super::present::status_fields;
use super::task_access::{load, object, set_doc_field};
use crate::error::ApiError;
use serde_json::{Map, Value, json};
use trove_core::TaskStatus;
use trove_core::timefmt::now_iso;
use trove_protocol::ResultCode;
use trove_protocol::endpoints::{
    AddOrUpdateModelRequest, DeleteModelsRequest, Updated, UpdatedFields,
};
use trove_store::{Model, ModelEdit, ModelQuery, StatusChange, Task, TaskEdit};

/// What a deleted task or model reference becomes (`__DELETED__<id>`), as clearml-server writes it.
pub(crate) const DELETED_PREFIX: &str = "__DELETED__";

/// `models.input` or `models.output` of a task.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ModelItemKind {
    /// Models the task uses.
    Input,
    /// Models the task produced.
    Output,
}

impl ModelItemKind {
    /// `input` / `output`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Input => "input",
            Self::Output => "output",
        }
    }

    fn parse(s: &str) -> Self {
        if s == "input" {
            Self::Input
        } else {
            Self::Output
        }
    }
}

/// One `{name, model, updated}` entry of a task's model lists.
#[derive(Debug, Clone, PartialEq)]
pub struct TaskModelItem {
    /// The task's name for the model.
    pub name: String,
    /// The model's id (or `__DELETED__<id>`).
    pub model: String,
}

/// The entries of `models.<kind>` of a task, in order.
pub fn task_model_items(t: &Task, kind: ModelItemKind) -> Vec<TaskModelItem> {
    let Some(Value::Array(list)) = t.doc.get("models").and_then(|m| m.get(kind.as_str())) else {
        return Vec::new();
    };
    list.iter()
        .filter_map(|v| {
            Some(TaskModelItem {
                name: v
                    .get("name")
                    .and_then(Value::as_str)
                    .unwrap_or("")
                    .to_string(),
                model: v.get("model").and_then(Value::as_str)?.to_string(),
            })
        })
        .collect()
}

/// Rewrite `models.<kind>` of task `id` with `f` (the list as stored), keeping the other list.
async fn edit_model_list(
    ctx: &Ctx,
    t: &Task,
    kind: ModelItemKind,
    f: impl FnOnce(&mut Vec<Value>),
) -> Result<(), ApiError> {
    let mut models = object(t.doc.get("models"));
    let mut list = match models.remove(kind.as_str()) {
        Some(Value::Array(a)) => a,
        _ => Vec::new(),
    };
    f(&mut list);
    models.insert(kind.as_str().into(), Value::Array(list));
    for other in ["input", "output"] {
        models.entry(other).or_insert_with(|| json!([]));
    }
    set_doc_field(ctx, &t.id, "models", models).await?;
    Ok(())
}

fn is_model(v: &Value, id: &str) -> bool {
    v.get("model").and_then(Value::as_str) == Some(id)
}

/// Replace references to model `from` in `models.<kind>` of `t` by `to`.
pub async fn rename_model_ref(
    ctx: &Ctx,
    t: &Task,
    kind: ModelItemKind,
    from: &str,
    to: &str,
) -> Result<(), ApiError> {
    edit_model_list(ctx, t, kind, |list| {
        for v in list.iter_mut().filter(|v| is_model(v, from)) {
            if let Value::Object(o) = v {
                o.insert("model".into(), json!(to));
            }
        }
    })
    .await
}

/// Remove references to model `id` from `models.<kind>` of `t`.
pub async fn pull_model_ref(
    ctx: &Ctx,
    t: &Task,
    kind: ModelItemKind,
    id: &str,
) -> Result<(), ApiError> {
    edit_model_list(ctx, t, kind, |list| list.retain(|v| !is_model(v, id))).await
}

/// Make `model` the task's only output model (`{name: "Output Model", …}`), as `models.update_for_task`.
pub async fn set_output_model(ctx: &Ctx, task: &str, model: &str) -> Result<(), ApiError> {
    let t = load(ctx, task).await?;
    edit_model_list(ctx, &t, ModelItemKind::Output, |list| {
        *list = vec![json!({"name": "Output Model", "model": model, "updated": now_iso()})];
    })
    .await
}

/// Set `output.error` of a task.
pub async fn set_output_error(ctx: &Ctx, task: &str, msg: &str) -> Result<(), ApiError> {
    let t = load(ctx, task).await?;
    let mut output = object(t.doc.get("output"));
    output.insert("error".into(), json!(msg));
    set_doc_field(ctx, task, "output", output).await?;
    Ok(())
}

/// Raise a task's `last_iteration` to at least `iteration` (a missing task is ignored, as clearml-server does).
pub async fn raise_last_iteration(ctx: &Ctx, task: &str, iteration: i64) -> Result<(), ApiError> {
    let Some(t) = ctx.state.store.get_task(task).await? else {
        return Ok(());
    };
    let cur = t.doc.get("last_iteration").and_then(Value::as_i64);
    if cur.is_some_and(|c| c >= iteration) {
        return Ok(());
    }
    let mut doc = Map::new();
    doc.insert("last_iteration".into(), json!(iteration));
    ctx.state
        .store
        .edit_task(
            task,
            TaskEdit {
                doc,
                ..Default::default()
            },
        )
        .await?;
    Ok(())
}

/// Tasks that use model `id` as an input.
pub async fn tasks_using_input(ctx: &Ctx, id: &str) -> Result<Vec<Task>, ApiError> {
    let found = ctx.state.store.tasks_mentioning(id).await?;
    Ok(found
        .into_iter()
        .filter(|t| {
            task_model_items(t, ModelItemKind::Input)
                .iter()
                .any(|i| i.model == id)
        })
        .collect())
}

/// Publish task `id` (its status must allow it unless `force`: 400/110); `{updated, fields}` of the change.
pub async fn publish_task(ctx: &Ctx, id: &str, force: bool) -> Result<UpdatedFields, ApiError> {
    let t = load(ctx, id).await?;
    if !force && !t.status.may_change_to(TaskStatus::Published) {
        return Err(ApiError::invalid_status(
            t.status.as_str(),
            "a status that can become published",
        ));
    }
    let expected = if force {
        Vec::new()
    } else {
        TaskStatus::ALL
            .into_iter()
            .filter(|s| s.may_change_to(TaskStatus::Published))
            .collect()
    };
    let t = ctx
        .state
        .store
        .set_status(
            id,
            StatusChange {
                status: TaskStatus::Published,
                message: String::new(),
                reason: String::new(),
                expected,
            },
        )
        .await?;
    let fields = match serde_json::to_value(status_fields(&t)) {
        Ok(Value::Object(m)) => m,
        _ => Map::new(),
    };
    Ok(UpdatedFields { updated: 1, fields })
}

/// The statuses in which a task's model lists may change (`created`, `queued`, `in_progress`; `force` is
/// implied, as in clearml-server).
fn check_models_status(t: &Task) -> Result<(), ApiError> {
    match t.status {
        TaskStatus::Created | TaskStatus::Queued | TaskStatus::InProgress => Ok(()),
        s => Err(ApiError::invalid_status(
            s.as_str(),
            "created/queued/in_progress",
        )),
    }
}

/// `tasks.add_or_update_model {task, name, model, type, iteration?}` → `{updated: 1}`: the entry named `name`
/// in `models.<type>` is replaced, or appended. The model id is not checked (as in clearml-server).
pub async fn add_or_update_model(
    ctx: &Ctx,
    req: AddOrUpdateModelRequest,
) -> Result<Updated, ApiError> {
    let t = load(ctx, &req.task).await?;
    check_models_status(&t)?;
    let item = json!({"name": req.name, "model": req.model, "updated": now_iso()});
    edit_model_list(ctx, &t, ModelItemKind::parse(&req.kind), |list| match list
        .iter_mut()
        .find(|v| v.get("name").and_then(Value::as_str) == Some(req.name.as_str()))
    {
        Some(v) => *v = item,
        None => list.push(item),
    })
    .await?;
    if let Some(it) = req.iteration {
        raise_last_iteration(ctx, &t.id, it).await?;
    }
    Ok(Updated { updated: 1 })
}

/// `tasks.delete_models {task, models: [{name, type}]}` → `{updated: 1}`; unknown names are ignored.
pub async fn delete_models(ctx: &Ctx, req: DeleteModelsRequest) -> Result<Updated, ApiError> {
    let t = load(ctx, &req.task).await?;
    check_models_status(&t)?;
    let mut models = object(t.doc.get("models"));
    for kind in ["input", "output"] {
        let names: Vec<&str> = req
            .models
            .iter()
            .filter(|m| m.kind == kind)
            .map(|m| m.name.as_str())
            .collect();
        let mut list = match models.remove(kind) {
            Some(Value::Array(a)) => a,
            _ => Vec::new(),
        };
        list.retain(|v| !names.contains(&v.get("name").and_then(Value::as_str).unwrap_or("")));
        models.insert(kind.into(), Value::Array(list));
    }
    set_doc_field(ctx, &t.id, "models", models).await?;
    Ok(Updated { updated: 1 })
}

/// What deleting or resetting a task did to its models.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ModelCleanup {
    /// Draft output models deleted.
    pub deleted_models: u64,
    /// Published output models whose `task` now reads `__DELETED__<task id>` (deletion) or was cleared (reset).
    pub updated_models: u64,
    /// The uris of the deleted models (for `urls.model_urls`), sorted.
    pub model_urls: Vec<String>,
}

/// The task's output models: those whose `task` is it, and those in its `models.output`; split into
/// (published, draft), each id once.
async fn output_models(ctx: &Ctx, t: &Task) -> Result<(Vec<Model>, Vec<Model>), ApiError> {
    let query = ModelQuery {
        tasks: Some(vec![t.id.clone()]),
        ..Default::default()
    };
    let mut all = ctx.state.store.query_models(&query).await?;
    for item in task_model_items(t, ModelItemKind::Output) {
        if !all.iter().any(|m| m.id == item.model)
            && let Some(m) = ctx.state.store.get_model(&item.model).await?
        {
            all.push(m);
        }
    }
    Ok(all.into_iter().partition(|m| m.ready))
}

/// The model side of deleting (`update_children`) or resetting a task (clearml-server's `cleanup_task`).
async fn cleanup(
    ctx: &Ctx,
    t: &Task,
    force: bool,
    delete_output_models: bool,
    deleting: bool,
) -> Result<ModelCleanup, ApiError> {
    let (published, drafts) = output_models(ctx, t).await?;
    if !force && !published.is_empty() {
        return Err(ApiError::new(
            ResultCode::TaskCannotBeDeleted,
            format!(
                "Task cannot be deleted: it has published output models, use force=True: task={}",
                t.id
            ),
        )
        .with_data(json!({ "task": t.id, "models": published.len() })));
    }
    let mut in_use = Vec::new();
    for m in &drafts {
        if !tasks_using_input(ctx, &m.id).await?.is_empty() {
            in_use.push(m.id.clone());
        }
    }
    let mut out = ModelCleanup::default();
    let clear_task = || ModelEdit {
        task: Some(None),
        ..Default::default()
    };
    for m in drafts.iter().filter(|m| !in_use.contains(&m.id)) {
        if !m.uri.is_empty() && !out.model_urls.contains(&m.uri) {
            out.model_urls.push(m.uri.clone());
        }
    }
    if delete_output_models {
        for m in drafts.iter().filter(|m| !in_use.contains(&m.id)) {
            if ctx.state.store.delete_model(&m.id).await? {
                out.deleted_models += 1;
            }
        }
        for id in &in_use {
            ctx.state.store.edit_model(id, clear_task()).await?;
        }
    }
    for m in &published {
        let edit = if deleting {
            ModelEdit {
                task: Some(Some(format!("{DELETED_PREFIX}{}", t.id))),
                ..Default::default()
            }
        } else {
            clear_task()
        };
        ctx.state.store.edit_model(&m.id, edit).await?;
        if deleting {
            out.updated_models += 1;
        }
    }
    out.model_urls.sort();
    Ok(out)
}

/// Hook for `tasks.delete` (call it before the task is deleted): without `force`, a task with published output
/// models cannot be deleted (400/123, nothing changes). Otherwise its draft output models not used as input by
/// other tasks are deleted (with `delete_output_models`; their uris are returned), and its published ones are
/// kept with `task: "__DELETED__<task id>"`.
pub async fn on_task_delete(
    ctx: &Ctx,
    task: &Task,
    force: bool,
    delete_output_models: bool,
) -> Result<ModelCleanup, ApiError> {
    cleanup(ctx, task, force, delete_output_models, true).await
}

/// Hook for `tasks.reset` (call it before `models.output` is cleared): as [`on_task_delete`], except that
/// published output models only lose their `task`. The caller clears `models.output`.
pub async fn on_task_reset(
    ctx: &Ctx,
    task: &Task,
    force: bool,
    delete_output_models: bool,
) -> Result<ModelCleanup, ApiError> {
    cleanup(ctx, task, force, delete_output_models, false).await
}

/// Hook for `tasks.publish {publish_model: true}` (and `tasks.completed {publish: true}`): the task's last
/// output model is published if it is not yet. Returns whether a model was published.
pub async fn on_task_publish(ctx: &Ctx, task_id: &str) -> Result<bool, ApiError> {
    let t = load(ctx, task_id).await?;
    let Some(last) = task_model_items(&t, ModelItemKind::Output).pop() else {
        return Ok(false);
    };
    match ctx.state.store.get_model(&last.model).await? {
        Some(m) if !m.ready => {
            let edit = ModelEdit {
                ready: Some(true),
                touch: true,
                ..Default::default()
            };
            ctx.state.store.edit_model(&m.id, edit).await?;
            Ok(true)
        }
        _ => Ok(false),
    }
}
