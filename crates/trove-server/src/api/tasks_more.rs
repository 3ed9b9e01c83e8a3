//! Operations on whole tasks beyond create/edit (clearml-server semantics): `tasks.clone`, `tasks.update`,
//! `tasks.archive`, `tasks.get_types`, `tasks.move`.

use super::context::Ctx;
use super::legacy::{INPUT_MODEL_NAME, model_list};
use super::task_access::{load, load_all, object};
use super::tasks::TASK_TYPES;
use crate::error::ApiError;
use serde_json::{Map, Value, json};
use std::collections::BTreeSet;
use trove_protocol::endpoints::{
    ArchivedResponse, MoveResponse, TasksArchiveRequest, TasksCloneRequest, TasksCloneResponse,
    TasksGetTypesRequest, TasksMoveRequest, TasksUpdateRequest, TypesResponse, UpdatedFields,
    parse_artifacts,
};
use trove_store::{NewTask, ROOT_PROJECT, TaskEdit, TaskQuery};

/// The project a clone, move or update targets: an id (must exist), a name (found or created), or none.
async fn target_project(
    ctx: &Ctx,
    id: Option<&str>,
    name: Option<&str>,
) -> Result<Option<(String, String)>, ApiError> {
    if let Some(id) = id.filter(|s| !s.is_empty()) {
        let p = ctx
            .state
            .store
            .get_project(id)
            .await?
            .ok_or_else(|| ApiError::invalid_project(id))?;
        return Ok(Some((p.id, p.name)));
    }
    if let Some(name) = name.filter(|s| !s.trim().is_empty()) {
        let p = ctx.state.store.ensure_project(name.trim()).await?;
        return Ok(Some((p.id, p.name)));
    }
    Ok(None)
}

/// Every model in `ids` must exist: 400/201 naming the missing ones otherwise.
async fn check_models(ctx: &Ctx, ids: &[String]) -> Result<(), ApiError> {
    let mut missing = Vec::new();
    for id in ids {
        if ctx.state.store.get_model(id).await?.is_none() {
            missing.push(id.clone());
        }
    }
    if missing.is_empty() {
        return Ok(());
    }
    Err(ApiError::invalid_model(&missing.join(", ")).with_data(json!({ "models": missing })))
}

/// `tasks.clone`: a new `created` task with the original's type, script, parameters, configuration,
/// container, `output.destination`, input models and non-output artifacts; `system_tags` lose `development`
/// and `archived`; the parent is the original's parent (unless deleted), else the original. An
/// `execution_overrides.model` becomes the only input model and must exist; `validate_references` also checks
/// the parent, the project and every input model.
pub async fn clone(ctx: &Ctx, req: TasksCloneRequest) -> Result<TasksCloneResponse, ApiError> {
    let t = load(ctx, &req.task).await?;
    let mut doc = t.doc.clone();
    for key in [
        "last_metrics",
        "last_iteration",
        "runtime",
        "last_worker",
        "active_duration",
        "published",
    ] {
        doc.remove(key);
    }
    if let Some(c) = req.new_task_comment {
        doc.insert("comment".into(), json!(c));
    }
    if let Some(tags) = req.new_task_tags.filter(|t| !t.is_empty()) {
        doc.insert("tags".into(), json!(tags));
    }
    let system_tags: Vec<String> = match req.new_task_system_tags.filter(|t| !t.is_empty()) {
        Some(st) => st,
        None => doc
            .get("system_tags")
            .and_then(Value::as_array)
            .map(|a| {
                a.iter()
                    .filter_map(Value::as_str)
                    .filter(|s| *s != "development" && *s != "archived")
                    .map(str::to_string)
                    .collect()
            })
            .unwrap_or_default(),
    };
    doc.insert("system_tags".into(), json!(system_tags));
    let original_parent = t
        .doc
        .get("parent")
        .and_then(Value::as_str)
        .filter(|p| !p.is_empty() && !p.starts_with("__DELETED__"))
        .map(str::to_string);
    let parent = req
        .new_task_parent
        .clone()
        .or(original_parent)
        .unwrap_or_else(|| t.id.clone());
    if (req.validate_references || req.new_task_parent.is_some())
        && ctx.state.store.get_task(&parent).await?.is_none()
    {
        return Err(ApiError::invalid_task(&parent));
    }
    doc.insert("parent".into(), json!(parent));
    let out = object(t.doc.get("output"));
    let mut output = Map::new();
    if let Some(d) = out.get("destination") {
        output.insert("destination".into(), d.clone());
    }
    doc.insert("output".into(), Value::Object(output));
    let mut models = object(t.doc.get("models"));
    models.insert("output".into(), json!([]));
    if let Some(h) = req.new_task_hyperparams.filter(|h| !h.is_empty()) {
        doc.insert("hyperparams".into(), Value::Object(h));
    }
    if let Some(c) = req.new_task_configuration.filter(|c| !c.is_empty()) {
        doc.insert("configuration".into(), Value::Object(c));
    }
    if let Some(c) = req.new_task_container.filter(|c| !c.is_empty()) {
        doc.insert("container".into(), Value::Object(c));
    }
    // Artifacts: the original's non-output ones, unless the overrides bring a list.
    let mut execution = object(t.doc.get("execution"));
    execution.remove("queue");
    let mut artifacts: Vec<trove_core::ArtifactRecord> = ctx
        .state
        .store
        .list_artifacts(&t.id)
        .await?
        .into_iter()
        .filter(|a| a.mode != "output")
        .collect();
    if let Some(mut over) = req.execution_overrides {
        // A model override becomes the copy's only input model, and is always checked.
        if let Some(Value::String(m)) = over.remove("model")
            && !m.is_empty()
        {
            models.insert("input".into(), model_list(INPUT_MODEL_NAME, &m));
            check_models(ctx, std::slice::from_ref(&m)).await?;
        }
        if let Some(list) = over.remove("artifacts") {
            artifacts = parse_artifacts(list)?;
        }
        if let Some(Value::Object(labels)) = over.get_mut("model_labels") {
            for v in labels.values_mut() {
                if let Some(f) = v.as_f64() {
                    *v = json!(f as i64);
                }
            }
        }
        execution.extend(over);
    }
    if req.validate_references {
        let input: Vec<String> = models
            .get("input")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .filter_map(|i| i.get("model").and_then(Value::as_str))
            .map(str::to_string)
            .collect();
        check_models(ctx, &input).await?;
    }
    doc.insert("models".into(), Value::Object(models));
    doc.insert("execution".into(), Value::Object(execution));
    doc.insert("user".into(), json!(ctx.identity.user));
    doc.insert("company".into(), json!(ctx.identity.company));
    let target = target_project(
        ctx,
        req.new_task_project.as_deref(),
        req.new_project_name.as_deref(),
    )
    .await?;
    let new_project = match (&target, req.new_task_project.as_deref()) {
        (Some((id, name)), None) => {
            let mut m = Map::new();
            m.insert("id".into(), json!(id));
            m.insert("name".into(), json!(name));
            Some(m)
        }
        _ => None,
    };
    let project = target.map_or(t.project.clone(), |(id, _)| id);
    let copy = ctx
        .state
        .store
        .create_task(NewTask {
            project,
            name: req.new_task_name.unwrap_or_else(|| t.name.clone()),
            kind: t.kind.clone(),
            doc,
        })
        .await?;
    if !artifacts.is_empty() {
        ctx.state
            .store
            .upsert_artifacts(&copy.id, &artifacts)
            .await?;
    }
    Ok(TasksCloneResponse {
        id: copy.id,
        new_project,
    })
}

/// `tasks.update`: name, comment, tags, system tags and project, in any status.
pub async fn update(ctx: &Ctx, req: TasksUpdateRequest) -> Result<UpdatedFields, ApiError> {
    load(ctx, &req.task).await?;
    let mut doc = Map::new();
    if let Some(c) = req.comment {
        doc.insert("comment".into(), json!(c));
    }
    if let Some(t) = req.tags {
        doc.insert("tags".into(), json!(t));
    }
    if let Some(t) = req.system_tags {
        doc.insert("system_tags".into(), json!(t));
    }
    let project = match req.project.as_deref() {
        Some(p) => Some(
            target_project(ctx, Some(p), None)
                .await?
                .map_or(ROOT_PROJECT.to_string(), |(id, _)| id),
        ),
        None => None,
    };
    if let Some(n) = &req.name
        && n.chars().count() < 3
    {
        return Err(ApiError::validation(
            "task name must have at least 3 characters",
        ));
    }
    let mut fields = doc.clone();
    if let Some(n) = &req.name {
        fields.insert("name".into(), json!(n));
    }
    if let Some(p) = &project {
        fields.insert("project".into(), json!(p));
    }
    ctx.state
        .store
        .edit_task(
            &req.task,
            TaskEdit {
                name: req.name,
                project,
                kind: None,
                doc,
            },
        )
        .await?;
    Ok(UpdatedFields { updated: 1, fields })
}

/// `tasks.archive`: adds the `archived` system tag (and the given status reason/message) to each task; an
/// unknown id is 400/101.
pub async fn archive(ctx: &Ctx, req: TasksArchiveRequest) -> Result<ArchivedResponse, ApiError> {
    let mut archived = 0;
    // Every id first: an unknown one changes nothing.
    for t in load_all(ctx, &req.tasks.unwrap_or_default()).await? {
        let id = t.id.clone();
        let mut tags: Vec<Value> = t
            .doc
            .get("system_tags")
            .and_then(Value::as_array)
            .cloned()
            .unwrap_or_default();
        if tags.iter().any(|s| s == "archived") {
            continue;
        }
        tags.push(json!("archived"));
        let mut doc = Map::new();
        doc.insert("system_tags".into(), Value::Array(tags));
        ctx.state
            .store
            .edit_task(
                &id,
                TaskEdit {
                    doc,
                    ..Default::default()
                },
            )
            .await?;
        if req.status_reason.is_some() || req.status_message.is_some() {
            let change = trove_store::StatusChange {
                status: t.status,
                message: req.status_message.clone().unwrap_or(t.status_message),
                reason: req.status_reason.clone().unwrap_or(t.status_reason),
                expected: Vec::new(),
            };
            ctx.state.store.set_status(&id, change).await?;
        }
        archived += 1;
    }
    Ok(ArchivedResponse { archived })
}

/// `tasks.get_types {projects?}`: the distinct ClearML types of the (non-hidden) tasks, sorted.
pub async fn get_types(ctx: &Ctx, req: TasksGetTypesRequest) -> Result<TypesResponse, ApiError> {
    let query = TaskQuery {
        projects: req.projects.filter(|p| !p.is_empty()),
        ..Default::default()
    };
    let types: BTreeSet<String> = ctx
        .state
        .store
        .query_tasks(&query)
        .await?
        .into_iter()
        .map(|t| t.kind)
        .filter(|k| TASK_TYPES.contains(&k.as_str()))
        .collect();
    Ok(TypesResponse {
        types: types.into_iter().collect(),
    })
}

/// `tasks.move {ids, project | project_name}`: moves the tasks (a name is found or created; neither = the
/// root) → `{project_id}`.
pub async fn move_tasks(ctx: &Ctx, req: TasksMoveRequest) -> Result<MoveResponse, ApiError> {
    let target = target_project(ctx, req.project.as_deref(), req.project_name.as_deref()).await?;
    let ids = req.ids.unwrap_or_default();
    for id in &ids {
        load(ctx, id).await?;
    }
    let project = target
        .as_ref()
        .map_or(ROOT_PROJECT.to_string(), |(id, _)| id.clone());
    for id in &ids {
        ctx.state
            .store
            .edit_task(
                id,
                TaskEdit {
                    project: Some(project.clone()),
                    ..Default::default()
                },
            )
            .await?;
    }
    Ok(MoveResponse {
        project_id: target.map(|(id, _)| id),
    })
}
