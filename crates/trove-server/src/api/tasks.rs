//! `tasks.*`: create, read, edit, status changes, delete, artifacts.

use super::Ctx;
use super::args::{self, Body};
use super::artifacts::{delete_files, parse_artifacts};
use super::present::{self, name_regex, project_fields, string_list, tags_match, task_json};
use crate::error::ApiError;
use serde_json::{Map, Value, json};
use trove_core::{ArtifactRecord, TaskStatus};
use trove_store::{NewTask, Task, TaskEdit, TaskQuery};

/// Task document fields a client may set with `tasks.create` / `tasks.edit` (others are ignored).
const DOC_FIELDS: &[&str] = &[
    "comment",
    "tags",
    "system_tags",
    "parent",
    "script",
    "execution",
    "output",
    "models",
    "hyperparams",
    "configuration",
    "runtime",
    "container",
    "input",
];

/// Load a task or fail with 400/101.
pub async fn load(ctx: &Ctx, id: &str) -> Result<Task, ApiError> {
    ctx.state
        .store
        .get_task(id)
        .await?
        .ok_or_else(|| ApiError::invalid_task(id))
}

/// The full task JSON, with its artifacts.
pub async fn full_json(ctx: &Ctx, t: &Task) -> Result<Value, ApiError> {
    let arts = ctx.state.store.list_artifacts(&t.id).await?;
    Ok(task_json(t, Some(&arts)))
}

/// Document fields from a create/edit body: whitelisted fields, `output_dest` folded into
/// `output.destination`, and `execution.artifacts` split off (returned separately, to upsert).
fn doc_from_body(
    b: &Body,
    existing_output: Option<&Value>,
) -> Result<(Map<String, Value>, Vec<ArtifactRecord>), ApiError> {
    let mut doc = Map::new();
    for k in DOC_FIELDS {
        if let Some(v) = b.get(*k) {
            doc.insert(k.to_string(), v.clone());
        }
    }
    let mut artifacts = Vec::new();
    if let Some(Value::Object(exec)) = doc.get_mut("execution")
        && let Some(list) = exec.remove("artifacts")
    {
        artifacts = parse_artifacts(&list)?;
    }
    if let Some(dest) = b.get("output_dest").filter(|v| !v.is_null()) {
        let mut out = match doc.get("output").or(existing_output) {
            Some(Value::Object(o)) => o.clone(),
            _ => Map::new(),
        };
        out.insert("destination".into(), dest.clone());
        doc.insert("output".into(), Value::Object(out));
    }
    Ok((doc, artifacts))
}

/// `tasks.create` → `{"id"}`.
pub async fn create(ctx: &Ctx, b: &Body) -> Result<Value, ApiError> {
    let name = args::req_str(b, "name")?;
    if name.chars().count() < 3 {
        return Err(ApiError::validation(
            "task name must have at least 3 characters",
        ));
    }
    let project = args::req_str(b, "project")?;
    if ctx.state.store.get_project(&project).await?.is_none() {
        return Err(ApiError::invalid_project(&project));
    }
    let (mut doc, artifacts) = doc_from_body(b, None)?;
    doc.insert("user".into(), json!(ctx.identity.user));
    doc.insert("company".into(), json!(ctx.identity.company));
    let kind = args::opt_str(b, "type")?.unwrap_or_else(|| "training".into());
    let t = ctx
        .state
        .store
        .create_task(NewTask {
            project,
            name,
            kind,
            doc,
        })
        .await?;
    if !artifacts.is_empty() {
        ctx.state.store.upsert_artifacts(&t.id, &artifacts).await?;
    }
    Ok(json!({ "id": t.id }))
}

/// `tasks.get_by_id` → `{"task"}`.
pub async fn get_by_id(ctx: &Ctx, b: &Body) -> Result<Value, ApiError> {
    let id = args::req_str(b, "task")?;
    let t = load(ctx, &id).await?;
    Ok(json!({ "task": full_json(ctx, &t).await? }))
}

/// `tasks.get_all`: `id`, `name` (regex), `project`, `status`, `type`, `parent`, `tags`, `system_tags`,
/// `search_hidden`, `only_fields` (dotted), `order_by`, `page`/`page_size`.
pub async fn get_all(ctx: &Ctx, b: &Body) -> Result<Value, ApiError> {
    let statuses = args::str_list(b, "status")?
        .map(|l| {
            l.iter()
                .map(|s| s.parse::<TaskStatus>().map_err(ApiError::validation))
                .collect::<Result<Vec<_>, _>>()
        })
        .transpose()?;
    let query = TaskQuery {
        ids: args::str_list(b, "id")?,
        projects: args::str_list(b, "project")?,
        statuses,
        ..Default::default()
    };
    let name = args::opt_str(b, "name")?
        .map(|n| name_regex(&n))
        .transpose()?;
    let types = args::str_list(b, "type")?;
    let parent = args::opt_str(b, "parent")?;
    let tags = args::str_list(b, "tags")?;
    let system_tags = args::str_list(b, "system_tags")?;
    let hidden = args::flag(b, "search_hidden");
    let fields = present::only_fields(b)?;
    let with_artifacts = present::wants_artifacts(fields.as_deref());
    let tasks = ctx.state.store.query_tasks(&query).await?;
    let mut out = Vec::new();
    for t in tasks {
        if name.as_ref().is_some_and(|r| !r.is_match(&t.name))
            || types.as_ref().is_some_and(|ty| !ty.contains(&t.kind))
        {
            continue;
        }
        let j = task_json(&t, None);
        let st = string_list(&j, "system_tags");
        if (!hidden && st.iter().any(|s| s == "hidden"))
            || parent
                .as_ref()
                .is_some_and(|p| j.get("parent").and_then(|v| v.as_str()) != Some(p.as_str()))
            || tags
                .as_ref()
                .is_some_and(|f| !tags_match(&string_list(&j, "tags"), f))
            || system_tags.as_ref().is_some_and(|f| !tags_match(&st, f))
        {
            continue;
        }
        out.push((t, j));
    }
    let order = args::str_list(b, "order_by")?.unwrap_or_else(|| vec!["-last_update".into()]);
    let mut jsons: Vec<Value> = out.iter().map(|(_, j)| j.clone()).collect();
    present::order_by(&mut jsons, &order);
    let page = present::page(jsons, args::paging(b)?);
    let mut result = Vec::with_capacity(page.len());
    for j in page {
        let j = if with_artifacts {
            let id = j
                .get("id")
                .and_then(|v| v.as_str())
                .unwrap_or_default()
                .to_string();
            match out.iter().find(|(t, _)| t.id == id) {
                Some((t, _)) => full_json(ctx, t).await?,
                None => j,
            }
        } else {
            j
        };
        result.push(project_fields(j, fields.as_deref()));
    }
    Ok(json!({ "tasks": result }))
}

/// `tasks.edit`: each given top-level field replaces the stored one (`force` allows non-created tasks);
/// `output_dest` sets `output.destination`; `execution.artifacts` are upserted per `(key, mode)`.
pub async fn edit(ctx: &Ctx, b: &Body) -> Result<Value, ApiError> {
    let id = args::req_str(b, "task")?;
    let t = load(ctx, &id).await?;
    if !args::flag(b, "force") && t.status != TaskStatus::Created {
        return Err(ApiError::invalid_status(
            t.status.as_str(),
            "created (or send force=true)",
        ));
    }
    let (doc, artifacts) = doc_from_body(b, t.doc.get("output"))?;
    let name = args::opt_str(b, "name")?;
    if name.as_ref().is_some_and(|n| n.chars().count() < 3) {
        return Err(ApiError::validation(
            "task name must have at least 3 characters",
        ));
    }
    let project = args::opt_str(b, "project")?;
    if let Some(p) = &project
        && ctx.state.store.get_project(p).await?.is_none()
    {
        return Err(ApiError::invalid_project(p));
    }
    let mut fields = doc.clone();
    let edit = TaskEdit {
        name,
        project,
        kind: args::opt_str(b, "type")?,
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
    Ok(json!({ "updated": 1, "fields": fields }))
}

/// `tasks.set_requirements`: stores `script.requirements` (creating `script` if missing).
pub async fn set_requirements(ctx: &Ctx, b: &Body) -> Result<Value, ApiError> {
    let id = args::req_str(b, "task")?;
    let t = load(ctx, &id).await?;
    let req = args::opt_obj(b, "requirements")?
        .cloned()
        .unwrap_or_default();
    let mut script = match t.doc.get("script") {
        Some(Value::Object(s)) => s.clone(),
        _ => Map::new(),
    };
    script.insert("requirements".into(), Value::Object(req));
    let mut doc = Map::new();
    doc.insert("script".into(), Value::Object(script));
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
    Ok(json!({ "updated": 1 }))
}

/// `tasks.ping`: the task is alive (bumps `last_update`).
pub async fn ping(ctx: &Ctx, b: &Body) -> Result<Value, ApiError> {
    let id = args::req_str(b, "task")?;
    load(ctx, &id).await?;
    ctx.state.store.edit_task(&id, TaskEdit::default()).await?;
    Ok(json!({}))
}

/// `tasks.delete`: `force` is needed for an `in_progress` task. trove extension: `delete_files: true` also
/// deletes artifact bytes stored on this files server.
pub async fn delete(ctx: &Ctx, b: &Body) -> Result<Value, ApiError> {
    let id = args::req_str(b, "task")?;
    let t = load(ctx, &id).await?;
    if t.status == TaskStatus::InProgress && !args::flag(b, "force") {
        return Err(ApiError::invalid_status(
            "in_progress",
            "not in_progress (or send force=true)",
        ));
    }
    let arts = ctx.state.store.delete_task(&id).await?;
    let files_deleted = if args::flag(b, "delete_files") {
        delete_files(ctx, &arts).await
    } else {
        0
    };
    let urls: Vec<String> = arts.iter().filter_map(|a| a.uri.clone()).collect();
    Ok(json!({
        "deleted": 1, "updated_children": 0, "updated_models": 0, "files_deleted": files_deleted,
        "urls": { "artifact_urls": urls, "model_urls": [], "event_urls": [] },
    }))
}
