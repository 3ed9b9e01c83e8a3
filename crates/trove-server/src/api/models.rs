//! `models.*`: create, read, list, edit/update. Metadata, frameworks, tags and moving are in `model_meta`;
//! publishing, deleting, the batch calls and `update_for_task` in `model_ops`; the task side (`tasks.add_or_update_model`,
//! `tasks.delete_models`) and the hooks of task deletion/reset/publishing in `task_models`.
//!
//! clearml-server's `services/models.py` and `bll/model` are the specification: fields, defaults, errors.

use super::context::Ctx;
use super::filters::ListQuery;
use super::ordering::order_by;
use super::present::{self, name_regex, project_fields};
use super::task_models::{self, DELETED_PREFIX};
use crate::error::ApiError;
use serde_json::{Map, Value, json};
use trove_core::timefmt::iso_from_micros;
use trove_protocol::endpoints::{
    MetadataItem, ModelCreatedResponse, ModelDoc, ModelFields, ModelRef, ModelResponse,
    ModelsCreateRequest, ModelsEditRequest, ModelsGetAllRequest, ModelsResponse, UpdatedFields,
    paging,
};
use trove_store::{Model, ModelEdit, ModelQuery, NewModel};

/// Fields whose change bumps a model's `last_update` (clearml-server's `last_update_fields`).
const LAST_UPDATE_FIELDS: [&str; 8] = [
    "uri",
    "framework",
    "design",
    "labels",
    "ready",
    "metadata",
    "system_tags",
    "tags",
];

/// Load a model or fail with 400/201.
pub async fn load_model(ctx: &Ctx, id: &str) -> Result<Model, ApiError> {
    ctx.state
        .store
        .get_model(id)
        .await?
        .ok_or_else(|| ApiError::invalid_model(id))
}

/// The model as ClearML returns it (`ui_cache` only when `with_ui_cache`).
pub fn model_json(m: &Model, with_ui_cache: bool) -> ModelDoc {
    let mut out = Map::new();
    let defaults = json!({
        "comment": "", "tags": [], "system_tags": [], "design": {}, "labels": {}, "metadata": {},
        "last_iteration": 0, "user": "", "company": "",
    });
    if let Value::Object(d) = defaults {
        out.extend(d);
    }
    for (k, v) in &m.doc {
        out.insert(k.clone(), v.clone());
    }
    if !with_ui_cache {
        out.remove("ui_cache");
    }
    out.insert("id".into(), json!(m.id));
    out.insert("name".into(), json!(m.name));
    for (k, v) in [
        ("project", &m.project),
        ("task", &m.task),
        ("parent", &m.parent),
        ("framework", &m.framework),
    ] {
        if let Some(v) = v {
            out.insert(k.into(), json!(v));
        }
    }
    out.insert("uri".into(), json!(m.uri));
    out.insert("ready".into(), json!(m.ready));
    out.insert("created".into(), json!(iso_from_micros(m.created)));
    out.insert("last_update".into(), json!(iso_from_micros(m.last_update)));
    out.insert("last_change".into(), json!(iso_from_micros(m.last_change)));
    ModelDoc(out)
}

/// Metadata items as stored: key → `{key, type, value}`.
pub fn metadata_map(items: &[MetadataItem]) -> Map<String, Value> {
    items
        .iter()
        .map(|i| {
            (
                i.key.clone(),
                json!({"key": i.key, "type": i.kind, "value": i.value}),
            )
        })
        .collect()
}

fn check_name(name: &str) -> Result<(), ApiError> {
    if name.trim().chars().count() < 3 {
        return Err(ApiError::validation(
            "model name must have at least 3 characters",
        ));
    }
    Ok(())
}

pub async fn check_project(ctx: &Ctx, project: &str) -> Result<(), ApiError> {
    if ctx.state.store.get_project(project).await?.is_none() {
        return Err(ApiError::invalid_project(project));
    }
    Ok(())
}

async fn check_task(ctx: &Ctx, task: &str) -> Result<(), ApiError> {
    if ctx.state.store.get_task(task).await?.is_none() {
        return Err(ApiError::invalid_task(task));
    }
    Ok(())
}

/// The document part of `fields` (everything but the columns), as stored.
fn doc_fields(f: &ModelFields) -> Map<String, Value> {
    let mut doc = Map::new();
    if let Some(v) = &f.comment {
        doc.insert("comment".into(), json!(v));
    }
    for (k, v) in [("tags", &f.tags), ("system_tags", &f.system_tags)] {
        if let Some(v) = v {
            let mut v = v.clone();
            v.sort();
            v.dedup();
            doc.insert(k.into(), json!(v));
        }
    }
    for (k, v) in [
        ("design", &f.design),
        ("labels", &f.labels),
        ("ui_cache", &f.ui_cache),
    ] {
        if let Some(v) = v {
            doc.insert(k.into(), Value::Object(v.clone()));
        }
    }
    if let Some(md) = &f.metadata {
        doc.insert("metadata".into(), Value::Object(metadata_map(md)));
    }
    doc
}

/// `models.create` → `{id, created: true}`. The project must exist (400/401), and the task (400/101).
pub async fn create(ctx: &Ctx, req: ModelsCreateRequest) -> Result<ModelCreatedResponse, ApiError> {
    let f = req.fields;
    let name = f.name.clone().unwrap_or_default();
    check_name(&name)?;
    let project = f.project.clone().filter(|p| !p.is_empty());
    if let Some(p) = &project {
        check_project(ctx, p).await?;
    }
    let task = f.task.clone().filter(|t| !t.is_empty());
    if let Some(t) = &task {
        check_task(ctx, t).await?;
    }
    let mut doc = doc_fields(&f);
    doc.insert("user".into(), json!(ctx.identity.user));
    doc.insert("company".into(), json!(ctx.identity.company));
    let m = ctx
        .state
        .store
        .create_model(NewModel {
            name: name.trim().to_string(),
            project,
            task,
            parent: f.parent.clone().filter(|p| !p.is_empty()),
            uri: f.uri.clone().unwrap_or_default().trim().to_string(),
            framework: f.framework.clone(),
            ready: f.ready.unwrap_or(true),
            doc,
        })
        .await?;
    tracing::debug!(model = %m.id, "model created");
    Ok(ModelCreatedResponse {
        id: m.id,
        created: true,
        ..Default::default()
    })
}

/// `models.get_by_id` → `{model}` (400/201 for an unknown id).
pub async fn get_by_id(ctx: &Ctx, req: ModelRef) -> Result<ModelResponse, ApiError> {
    let m = load_model(ctx, &req.model).await?;
    let mut docs = [model_json(&m, false)];
    super::last_metrics::add_model_last_metrics(ctx, &mut docs, None).await?;
    let [model] = docs;
    Ok(ModelResponse { model })
}

/// A list filter: plain values go to SQL (an empty list is no filter, as in ClearML); anything with `-x`
/// or an operator is checked in the server.
fn sql_list(filter: &Option<Vec<String>>) -> Option<Vec<String>> {
    filter
        .as_ref()
        .filter(|l| {
            !l.is_empty()
                && l.iter()
                    .all(|v| !v.starts_with('-') && !v.starts_with("__$"))
        })
        .cloned()
}

/// A list filter in ClearML's query language (`None` and an empty list = no filter; bad operators 400/16).
fn list_query(field: &str, filter: &Option<Vec<String>>) -> Result<Option<ListQuery>, ApiError> {
    match filter {
        Some(f) if !f.is_empty() => ListQuery::parse_strings(field, f).map(Some),
        _ => Ok(None),
    }
}

/// True when `value` passes `query` (no query passes everything).
fn list_ok(value: Option<&str>, query: &Option<ListQuery>) -> bool {
    query
        .as_ref()
        .is_none_or(|q| q.matches(&value.map(str::to_string).into_iter().collect::<Vec<_>>()))
}

/// `models.get_all`: `id`, `project` (+ `include_subprojects`), `task`, `framework`, `uri`,
/// `parent`, `user`, `tags`, `system_tags` (ClearML's list-field query language, `api/filters.rs`),
/// `name` (regex), `ready`, `metadata.<key>.value`, `only_fields`, `order_by` (default `created`),
/// `page`/`page_size`; `include_stats` adds `stats.labels_count`.
pub async fn get_all(ctx: &Ctx, req: ModelsGetAllRequest) -> Result<ModelsResponse, ApiError> {
    list(ctx, req, false).await
}

/// `models.get_all_ex`: as [`get_all`], with references as objects (`project`, `task`, `parent`, `user`:
/// `{id, name}`).
pub async fn get_all_ex(ctx: &Ctx, req: ModelsGetAllRequest) -> Result<ModelsResponse, ApiError> {
    list(ctx, req, true).await
}

async fn list(ctx: &Ctx, req: ModelsGetAllRequest, ex: bool) -> Result<ModelsResponse, ApiError> {
    let mut projects = sql_list(&req.project);
    let mut expanded = false;
    if req.include_subprojects
        && let Some(p) = &projects
    {
        projects = Some(super::subprojects::expand_projects(ctx, p).await?);
        expanded = true;
    }
    let query = ModelQuery {
        ids: sql_list(&req.id),
        projects,
        tasks: sql_list(&req.task),
        uris: sql_list(&req.uri),
        frameworks: sql_list(&req.framework),
        ready: req.ready,
        ..Default::default()
    };
    let name = req.name.as_deref().map(name_regex).transpose()?;
    let (ids, projects_q, tasks_q) = (
        list_query("id", &req.id)?,
        // Plain project ids with their sub-projects are filtered in SQL only.
        if expanded {
            None
        } else {
            list_query("project", &req.project)?
        },
        list_query("task", &req.task)?,
    );
    let (frameworks, uris, parents, users) = (
        list_query("framework", &req.framework)?,
        list_query("uri", &req.uri)?,
        list_query("parent", &req.parent)?,
        list_query("user", &req.user)?,
    );
    let tags = list_query("tags", &req.tags)?;
    let system_tags = list_query("system_tags", &req.system_tags)?;
    let metadata = req.metadata_filters();
    let fields = req.only_fields.as_deref();
    let with_ui_cache = fields.is_some_and(|f| f.iter().any(|x| x.starts_with("ui_cache")));
    let mut out = Vec::new();
    for m in ctx.state.store.query_models(&query).await? {
        let md = m.doc.get("metadata");
        let user = m.doc.get("user").and_then(Value::as_str);
        let ok = name.as_ref().is_none_or(|r| r.is_match(&m.name))
            && list_ok(Some(&m.id), &ids)
            && list_ok(m.project.as_deref(), &projects_q)
            && list_ok(m.task.as_deref(), &tasks_q)
            && list_ok(m.framework.as_deref(), &frameworks)
            && list_ok(Some(&m.uri), &uris)
            && list_ok(m.parent.as_deref(), &parents)
            && list_ok(user, &users)
            && tags
                .as_ref()
                .is_none_or(|q| q.matches(&m.doc_strings("tags")))
            && system_tags
                .as_ref()
                .is_none_or(|q| q.matches(&m.doc_strings("system_tags")))
            && metadata.iter().all(|(k, values)| {
                md.and_then(|md| md.get(k))
                    .and_then(|i| i.get("value"))
                    .and_then(Value::as_str)
                    .is_some_and(|v| values.iter().any(|x| x == v))
            });
        if !ok {
            continue;
        }
        let mut doc = model_json(&m, with_ui_cache);
        if req.include_stats {
            let n = m
                .doc
                .get("labels")
                .and_then(Value::as_object)
                .map_or(0, Map::len);
            doc.0.insert("stats".into(), json!({ "labels_count": n }));
        }
        out.push(doc);
    }
    let order = req
        .order_by
        .clone()
        .unwrap_or_else(|| vec!["created".into()]);
    // Ordering by a reported metric needs the metrics before sorting; otherwise only the page gets them.
    let by_metric = order
        .iter()
        .any(|o| o.trim_start_matches('-').starts_with("last_metrics"));
    if by_metric {
        super::last_metrics::add_model_last_metrics(ctx, &mut out, None).await?;
    }
    order_by(&mut out, &order, |d| &d.0);
    let mut page = present::page(out, paging(req.page, req.page_size, req.size));
    if !by_metric {
        super::last_metrics::add_model_last_metrics(ctx, &mut page, fields).await?;
    }
    if ex {
        super::refs::expand_model_refs(ctx, &mut page).await?;
    }
    Ok(ModelsResponse {
        models: page
            .into_iter()
            .map(|d| ModelDoc(project_fields(d.0, fields)))
            .collect(),
    })
}

/// The [`ModelEdit`] and the answer's `fields` for an edit/update request (validated: task and project exist,
/// labels are integers).
async fn edit_of(ctx: &Ctx, f: &ModelFields) -> Result<(ModelEdit, Map<String, Value>), ApiError> {
    let mut fields = doc_fields(f);
    let mut edit = ModelEdit::default();
    if let Some(labels) = &f.labels
        && let Some((k, _)) = labels.iter().find(|(_, v)| !(v.is_i64() || v.is_u64()))
    {
        return Err(
            ApiError::validation(format!("labels values must be integers (label {k:?})"))
                .with_data(json!({ "label": k })),
        );
    }
    // No length check here: clearml-server validates names on create only (its edit is an update that skips
    // document validation), and the SDK renames models to short names such as "om".
    if let Some(n) = &f.name {
        edit.name = Some(n.trim().to_string());
        fields.insert("name".into(), json!(n.trim()));
    }
    if let Some(uri) = &f.uri {
        edit.uri = Some(uri.trim().to_string());
        fields.insert("uri".into(), json!(uri.trim()));
        // A new uri is new weights: ClearML clears the UI cache.
        fields
            .entry("ui_cache")
            .or_insert_with(|| Value::Object(Map::new()));
    }
    if let Some(fw) = &f.framework {
        edit.framework = Some(Some(fw.clone()));
        fields.insert("framework".into(), json!(fw));
    }
    if let Some(ready) = f.ready {
        edit.ready = Some(ready);
        fields.insert("ready".into(), json!(ready));
    }
    if let Some(p) = &f.project {
        if !p.is_empty() {
            check_project(ctx, p).await?;
        }
        edit.project = Some(Some(p.clone()).filter(|p| !p.is_empty()));
        fields.insert("project".into(), json!(p));
    }
    // A `__DELETED__…` task is ignored, as clearml-server does.
    if let Some(t) = f.task.as_ref().filter(|t| !t.starts_with(DELETED_PREFIX)) {
        check_task(ctx, t).await?;
        edit.task = Some(Some(t.clone()));
        fields.insert("task".into(), json!(t));
    }
    if let Some(p) = &f.parent {
        edit.parent = Some(Some(p.clone()).filter(|p| !p.is_empty()));
        fields.insert("parent".into(), json!(p));
    }
    edit.touch = LAST_UPDATE_FIELDS.iter().any(|k| fields.contains_key(*k));
    for (k, v) in &fields {
        if matches!(
            k.as_str(),
            "comment" | "tags" | "system_tags" | "design" | "labels" | "ui_cache" | "metadata"
        ) {
            edit.doc.insert(k.clone(), v.clone());
        }
    }
    Ok((edit, fields))
}

/// `models.edit` / `models.update` → `{updated, fields}`: each given field replaces the stored one (a new
/// `uri` clears `ui_cache`); `iteration` raises `last_iteration` of the given task or the model's own task.
pub async fn edit(ctx: &Ctx, req: ModelsEditRequest) -> Result<UpdatedFields, ApiError> {
    let m = load_model(ctx, &req.model).await?;
    let (edit, mut fields) = edit_of(ctx, &req.fields).await?;
    if let Some(it) = req.iteration {
        let task = edit
            .task
            .clone()
            .flatten()
            .or_else(|| m.task.clone())
            .filter(|t| !t.starts_with(DELETED_PREFIX));
        if let Some(t) = task {
            task_models::raise_last_iteration(ctx, &t, it).await?;
        }
    }
    if fields.is_empty() {
        return Ok(UpdatedFields { updated: 0, fields });
    }
    let touch = edit.touch;
    let m = ctx.state.store.edit_model(&m.id, edit).await?;
    fields.insert("last_change".into(), json!(iso_from_micros(m.last_change)));
    if touch {
        fields.insert("last_update".into(), json!(iso_from_micros(m.last_update)));
    }
    Ok(UpdatedFields { updated: 1, fields })
}
