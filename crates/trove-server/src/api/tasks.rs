//! `tasks.*` on the task itself: create, read, list, edit, requirements, ping, delete. (Status changes are in
//! `status`, artifacts in `artifacts`, parameters in `hyperparams` / `configurations`.)

use super::cleanup::delete_files;
use super::context::Ctx;
use super::task_access::{full_doc, is_archived, load, object};
use super::task_query;
use crate::error::ApiError;
use serde_json::{Map, Value, json};
use trove_core::{ArtifactRecord, TaskStatus};
use trove_protocol::ResultCode;
use trove_protocol::endpoints::{
    Empty, IdResponse, SetRequirementsRequest, TaskFields, TaskRef, TaskResponse,
    TasksCreateRequest, TasksDeleteRequest, TasksDeleteResponse, TasksEditRequest,
    TasksGetAllRequest, TasksResponse, Updated, UpdatedFields, Urls, parse_artifacts,
};
use trove_store::{NewTask, ROOT_PROJECT, Task, TaskEdit};

/// Document fields of a create/edit: the given [`TaskFields`], `output_dest` folded into
/// `output.destination` (keeping the rest of the given or `existing_output`), and `execution.artifacts`
/// split off (returned separately, to upsert).
fn doc_from_request(
    fields: TaskFields,
    output_dest: Option<Value>,
    existing_output: Option<&Value>,
) -> Result<(Map<String, Value>, Vec<ArtifactRecord>), ApiError> {
    let mut doc = fields.into_doc();
    let mut artifacts = Vec::new();
    if let Some(Value::Object(exec)) = doc.get_mut("execution")
        && let Some(list) = exec.remove("artifacts")
    {
        artifacts = parse_artifacts(list)?;
    }
    if let Some(dest) = output_dest {
        let mut out = match doc.get("output").or(existing_output) {
            Some(Value::Object(o)) => o.clone(),
            _ => Map::new(),
        };
        out.insert("destination".into(), dest);
        doc.insert("output".into(), Value::Object(out));
    }
    Ok((doc, artifacts))
}

fn check_name(name: &str) -> Result<(), ApiError> {
    if name.chars().count() < 3 {
        return Err(ApiError::validation(
            "task name must have at least 3 characters",
        ));
    }
    Ok(())
}

/// ClearML's task types (clearml-server `TaskType`); `tasks.create` refuses others with 400/12.
pub const TASK_TYPES: &[&str] = &[
    "training",
    "testing",
    "inference",
    "data_processing",
    "application",
    "monitor",
    "controller",
    "report",
    "optimizer",
    "service",
    "qc",
    "custom",
];

fn check_type(kind: &str) -> Result<(), ApiError> {
    if TASK_TYPES.contains(&kind) {
        Ok(())
    } else {
        Err(ApiError::validation(format!(
            "invalid task type {kind:?}: use one of {}",
            TASK_TYPES.join(", ")
        )))
    }
}

/// The project a request names: an existing id (400/401 otherwise), or the root for none.
async fn project_or_root(ctx: &Ctx, project: Option<&str>) -> Result<String, ApiError> {
    match project {
        None | Some("") => Ok(ROOT_PROJECT.to_string()),
        Some(p) => {
            if ctx.state.store.get_project(p).await?.is_none() {
                return Err(ApiError::invalid_project(p));
            }
            Ok(p.to_string())
        }
    }
}

/// A task's `parent` must exist unless it names a deleted task (`__DELETED__<id>`); 400/101 otherwise.
async fn check_parent(ctx: &Ctx, parent: Option<&Value>) -> Result<(), ApiError> {
    if let Some(Value::String(p)) = parent
        && !p.is_empty()
        && !p.starts_with("__DELETED__")
        && ctx.state.store.get_task(p).await?.is_none()
    {
        return Err(ApiError::invalid_task(p).with_data(json!({ "parent": p })));
    }
    Ok(())
}

/// What `tasks.create` checks before creating: name, type, project, parent.
async fn validate_new(ctx: &Ctx, req: &TasksCreateRequest) -> Result<(String, String), ApiError> {
    check_name(&req.name)?;
    let kind = req.kind.clone().unwrap_or_else(|| "training".into());
    check_type(&kind)?;
    let project = project_or_root(ctx, Some(&req.project)).await?;
    check_parent(ctx, req.fields.parent.as_ref()).await?;
    Ok((kind, project))
}

/// `tasks.validate`: would `tasks.create` accept this task? (Models are not checked.)
pub async fn validate(ctx: &Ctx, req: TasksCreateRequest) -> Result<Empty, ApiError> {
    validate_new(ctx, &req).await?;
    Ok(Empty {})
}

/// `tasks.create` → `{"id"}`; the caller is the task's `user` and `company`. Without a project the task sits
/// at the root (no `project` key).
pub async fn create(ctx: &Ctx, req: TasksCreateRequest) -> Result<IdResponse, ApiError> {
    let (kind, project) = validate_new(ctx, &req).await?;
    let (mut doc, artifacts) = doc_from_request(req.fields, req.output_dest, None)?;
    super::legacy::convert(&mut doc, None);
    super::legacy::convert_models(&mut doc);
    doc.insert("user".into(), json!(ctx.identity.user));
    doc.insert("company".into(), json!(ctx.identity.company));
    doc.entry("script").or_insert_with(|| json!({}));
    let t = ctx
        .state
        .store
        .create_task(NewTask {
            project,
            name: req.name,
            kind,
            doc,
        })
        .await?;
    if !artifacts.is_empty() {
        ctx.state.store.upsert_artifacts(&t.id, &artifacts).await?;
    }
    Ok(IdResponse { id: t.id })
}

/// `tasks.get_by_id` → `{"task"}`.
pub async fn get_by_id(ctx: &Ctx, req: TaskRef) -> Result<TaskResponse, ApiError> {
    let t = load(ctx, &req.task).await?;
    let mut task = full_doc(ctx, &t).await?;
    super::last_metrics::add_last_metrics(ctx, std::slice::from_mut(&mut task), None).await?;
    Ok(TaskResponse { task })
}

/// `tasks.get_all`: see `task_query`.
pub async fn get_all(ctx: &Ctx, req: TasksGetAllRequest) -> Result<TasksResponse, ApiError> {
    task_query::get_all(ctx, req, false).await
}

/// `tasks.get_all_ex`: as `get_all`, references as objects.
pub async fn get_all_ex(ctx: &Ctx, req: TasksGetAllRequest) -> Result<TasksResponse, ApiError> {
    task_query::get_all(ctx, req, true).await
}

/// Embedded documents whose top level `tasks.edit` merges into the stored one (clearml-server
/// `d = stored.to_dict(); d.update(value)`); every other field is replaced.
const MERGED_FIELDS: &[&str] = &["execution", "script", "output", "models", "container"];

/// `tasks.edit`: `force` allows non-created tasks; `execution`, `script`, `output`, `models` and `container`
/// are merged at their top level, other fields replaced; `execution.artifacts` replaces the task's artifact
/// list; `output_dest` sets `output.destination`.
pub async fn edit(ctx: &Ctx, req: TasksEditRequest) -> Result<UpdatedFields, ApiError> {
    let id = req.task;
    let t = load(ctx, &id).await?;
    if !req.force && t.status != TaskStatus::Created {
        return Err(ApiError::invalid_status(
            t.status.as_str(),
            "created (or send force=true)",
        ));
    }
    let replace_artifacts = matches!(
        &req.fields.execution,
        Some(Value::Object(e)) if e.contains_key("artifacts")
    );
    let (mut doc, artifacts) = doc_from_request(req.fields, req.output_dest, t.doc.get("output"))?;
    super::legacy::convert(&mut doc, Some(&t.doc));
    super::legacy::convert_models(&mut doc);
    for key in MERGED_FIELDS {
        if let Some(Value::Object(given)) = doc.get(*key) {
            let mut merged = object(t.doc.get(*key));
            merged.extend(given.clone());
            doc.insert(key.to_string(), Value::Object(merged));
        }
    }
    if let Some(n) = &req.name {
        check_name(n)?;
    }
    if let Some(k) = &req.kind {
        check_type(k)?;
    }
    let project = match &req.project {
        Some(p) => Some(project_or_root(ctx, Some(p)).await?),
        None => None,
    };
    let mut fields = doc.clone();
    let edit = TaskEdit {
        name: req.name,
        project,
        kind: req.kind,
        doc,
    };
    for (k, v) in [
        ("name", &edit.name),
        ("project", &edit.project),
        ("type", &edit.kind),
    ] {
        if let Some(v) = v {
            fields.insert(k.into(), json!(v));
        }
    }
    ctx.state.store.edit_task(&id, edit).await?;
    if replace_artifacts {
        let keep: std::collections::HashSet<(String, String)> = artifacts
            .iter()
            .map(|a| (a.key.clone(), a.mode.clone()))
            .collect();
        let gone: Vec<(String, String)> = ctx
            .state
            .store
            .list_artifacts(&id)
            .await?
            .into_iter()
            .map(|a| (a.key, a.mode))
            .filter(|k| !keep.contains(k))
            .collect();
        if !gone.is_empty() {
            ctx.state.store.delete_artifacts(&id, &gone).await?;
        }
    }
    if !artifacts.is_empty() {
        ctx.state.store.upsert_artifacts(&id, &artifacts).await?;
    }
    Ok(UpdatedFields { updated: 1, fields })
}

/// `tasks.set_requirements`: stores `script.requirements` (creating `script` if missing).
pub async fn set_requirements(ctx: &Ctx, req: SetRequirementsRequest) -> Result<Updated, ApiError> {
    let t = load(ctx, &req.task).await?;
    let mut script = object(t.doc.get("script"));
    script.insert(
        "requirements".into(),
        Value::Object(req.requirements.unwrap_or_default()),
    );
    let mut doc = Map::new();
    doc.insert("script".into(), Value::Object(script));
    ctx.state
        .store
        .edit_task(
            &req.task,
            TaskEdit {
                doc,
                ..Default::default()
            },
        )
        .await?;
    Ok(Updated { updated: 1 })
}

/// `tasks.ping`: the task is alive (bumps `last_update`).
pub async fn ping(ctx: &Ctx, req: TaskRef) -> Result<Empty, ApiError> {
    load(ctx, &req.task).await?;
    ctx.state
        .store
        .edit_task(&req.task, TaskEdit::default())
        .await?;
    Ok(Empty {})
}

/// The tasks whose `parent` is `id` (found among the documents that mention it, not by reading every task).
pub async fn children_of(ctx: &Ctx, id: &str) -> Result<Vec<Task>, ApiError> {
    Ok(ctx
        .state
        .store
        .tasks_mentioning(id)
        .await?
        .into_iter()
        .filter(|t| t.doc.get("parent").and_then(Value::as_str) == Some(id))
        .collect())
}

/// `tasks.delete` (clearml-server `delete_task`): without `force`, a task that is neither `created` nor
/// archived, or that has published children, answers 400/123. Children's `parent` becomes
/// `__DELETED__<id>`. `urls` (with `return_file_urls`) lists the output artifacts' URIs. trove extension:
/// `delete_files: true` also deletes artifact bytes stored on this files server.
pub async fn delete(ctx: &Ctx, req: TasksDeleteRequest) -> Result<TasksDeleteResponse, ApiError> {
    let t = load(ctx, &req.task).await?;
    let cannot = |why: &str| {
        ApiError::new(
            ResultCode::TaskCannotBeDeleted,
            format!("task {} cannot be deleted {why}, use force=true", t.id),
        )
        .with_data(json!({ "task": t.id, "current": t.status.as_str() }))
    };
    if !req.force && t.status != TaskStatus::Created && !is_archived(&t.doc) {
        return Err(cannot("due to its status"));
    }
    let children = children_of(ctx, &t.id).await?;
    if !req.force && children.iter().any(|c| c.status == TaskStatus::Published) {
        return Err(cannot("while it has published children"));
    }
    // Models first: 400/123 for published output models without force, before anything changes.
    let models = super::task_models::on_task_delete(
        ctx,
        &t,
        req.force,
        req.delete_output_models.unwrap_or(true),
    )
    .await?;
    let deleted_parent = format!("__DELETED__{}", t.id);
    for c in &children {
        let mut doc = Map::new();
        doc.insert("parent".into(), json!(deleted_parent));
        ctx.state
            .store
            .edit_task(
                &c.id,
                TaskEdit {
                    doc,
                    ..Default::default()
                },
            )
            .await?;
    }
    let arts = ctx.state.store.delete_task(&req.task).await?;
    let files_deleted = if req.delete_files {
        delete_files(ctx, &arts).await
    } else {
        0
    };
    let urls = req.return_file_urls.then(|| Urls {
        artifact_urls: output_urls(&arts),
        model_urls: models.model_urls,
        ..Urls::default()
    });
    Ok(TasksDeleteResponse {
        deleted: true,
        updated_children: children.len() as u64,
        updated_models: models.updated_models,
        events: Map::new(),
        files_deleted,
        urls,
    })
}

/// The distinct URIs of output artifacts.
pub fn output_urls(arts: &[ArtifactRecord]) -> Vec<String> {
    let mut urls: Vec<String> = arts
        .iter()
        .filter(|a| a.mode == "output")
        .filter_map(|a| a.uri.clone())
        .collect();
    urls.sort();
    urls.dedup();
    urls
}
