//! `tasks.*` on the task itself: create, read, list, edit, requirements, ping, delete. (Status changes are in
//! `status`, artifacts in `artifacts`, parameters in `hyperparams` / `configurations`.)

use super::cleanup::delete_files;
use super::context::Ctx;
use super::present::{self, name_regex, project_fields, tags_match, task_json};
use super::task_access::{full_doc, load, object};
use crate::error::ApiError;
use serde_json::{Map, Value, json};
use trove_core::{ArtifactRecord, TaskStatus};
use trove_protocol::TaskDoc;
use trove_protocol::endpoints::{
    Empty, IdResponse, SetRequirementsRequest, TaskFields, TaskRef, TaskResponse,
    TasksCreateRequest, TasksDeleteRequest, TasksDeleteResponse, TasksEditRequest,
    TasksGetAllRequest, TasksResponse, Updated, UpdatedFields, Urls, paging, parse_artifacts,
};
use trove_store::{NewTask, TaskEdit, TaskQuery};

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

/// `tasks.create` → `{"id"}`; the caller is the task's `user` and `company`.
pub async fn create(ctx: &Ctx, req: TasksCreateRequest) -> Result<IdResponse, ApiError> {
    check_name(&req.name)?;
    if ctx.state.store.get_project(&req.project).await?.is_none() {
        return Err(ApiError::invalid_project(&req.project));
    }
    let (mut doc, artifacts) = doc_from_request(req.fields, req.output_dest, None)?;
    doc.insert("user".into(), json!(ctx.identity.user));
    doc.insert("company".into(), json!(ctx.identity.company));
    let t = ctx
        .state
        .store
        .create_task(NewTask {
            project: req.project,
            name: req.name,
            kind: req.kind.unwrap_or_else(|| "training".into()),
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

/// `tasks.get_all`: `id`, `name` (regex), `project`, `status`, `type`, `parent`, `tags`, `system_tags`,
/// `search_hidden`, `only_fields` (dotted), `order_by`, `page`/`page_size`.
pub async fn get_all(ctx: &Ctx, req: TasksGetAllRequest) -> Result<TasksResponse, ApiError> {
    let statuses = req
        .status
        .as_ref()
        .map(|l| {
            l.iter()
                .map(|s| s.parse::<TaskStatus>().map_err(ApiError::validation))
                .collect::<Result<Vec<_>, _>>()
        })
        .transpose()?;
    let query = TaskQuery {
        ids: req.id.clone(),
        projects: req.project.clone(),
        statuses,
        ..Default::default()
    };
    let name = req.name.as_deref().map(name_regex).transpose()?;
    let fields = req.only_fields.as_deref();
    let with_artifacts = present::wants_artifacts(fields);
    let tasks = ctx.state.store.query_tasks(&query).await?;
    let mut out = Vec::new();
    for t in tasks {
        if name.as_ref().is_some_and(|r| !r.is_match(&t.name))
            || req.kind.as_ref().is_some_and(|ty| !ty.contains(&t.kind))
        {
            continue;
        }
        let j = task_json(&t, None);
        let st = j.system_tags();
        if (!req.search_hidden && st.iter().any(|s| s == "hidden"))
            || req
                .parent
                .as_ref()
                .is_some_and(|p| j.parent() != Some(p.as_str()))
            || req.tags.as_ref().is_some_and(|f| !tags_match(&j.tags(), f))
            || req
                .system_tags
                .as_ref()
                .is_some_and(|f| !tags_match(&st, f))
        {
            continue;
        }
        out.push((t, j));
    }
    let order = req
        .order_by
        .clone()
        .unwrap_or_else(|| vec!["-last_update".into()]);
    present::order_by(&mut out, &order, |(_, j)| &j.0);
    let page = present::page(out, paging(req.page, req.page_size, req.size));
    let mut result = Vec::with_capacity(page.len());
    for (t, j) in page {
        let j = if with_artifacts {
            full_doc(ctx, &t).await?
        } else {
            j
        };
        result.push(TaskDoc(project_fields(j.0, fields)));
    }
    super::last_metrics::add_last_metrics(ctx, &mut result, fields).await?;
    Ok(TasksResponse { tasks: result })
}

/// `tasks.edit`: each given top-level field replaces the stored one (`force` allows non-created tasks);
/// `output_dest` sets `output.destination`; `execution.artifacts` are upserted per `(key, mode)`.
pub async fn edit(ctx: &Ctx, req: TasksEditRequest) -> Result<UpdatedFields, ApiError> {
    let id = req.task;
    let t = load(ctx, &id).await?;
    if !req.force && t.status != TaskStatus::Created {
        return Err(ApiError::invalid_status(
            t.status.as_str(),
            "created (or send force=true)",
        ));
    }
    let (doc, artifacts) = doc_from_request(req.fields, req.output_dest, t.doc.get("output"))?;
    if let Some(n) = &req.name {
        check_name(n)?;
    }
    if let Some(p) = &req.project
        && ctx.state.store.get_project(p).await?.is_none()
    {
        return Err(ApiError::invalid_project(p));
    }
    let mut fields = doc.clone();
    let edit = TaskEdit {
        name: req.name,
        project: req.project,
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

/// `tasks.delete`: `force` is needed for an `in_progress` task. trove extension: `delete_files: true` also
/// deletes artifact bytes stored on this files server.
pub async fn delete(ctx: &Ctx, req: TasksDeleteRequest) -> Result<TasksDeleteResponse, ApiError> {
    let t = load(ctx, &req.task).await?;
    if t.status == TaskStatus::InProgress && !req.force {
        return Err(ApiError::invalid_status(
            "in_progress",
            "not in_progress (or send force=true)",
        ));
    }
    let arts = ctx.state.store.delete_task(&req.task).await?;
    let files_deleted = if req.delete_files {
        delete_files(ctx, &arts).await
    } else {
        0
    };
    Ok(TasksDeleteResponse {
        deleted: 1,
        updated_children: 0,
        updated_models: 0,
        files_deleted,
        urls: Urls {
            artifact_urls: arts.iter().filter_map(|a| a.uri.clone()).collect(),
            ..Urls::default()
        },
    })
}
