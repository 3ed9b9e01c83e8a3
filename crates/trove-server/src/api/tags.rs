//! Tags: `projects.get_project_tags` (the projects' own), `projects.get_task_tags` and
//! `projects.get_model_tags` (their and their sub-projects' tasks' or models'), each
//! distinct and sorted, narrowed by `filter: {tags?, system_tags?}` (the list-field query language); and
//! `tasks.update_tags {ids, add_tags, remove_tags}`.

use super::context::Ctx;
use super::filters::ListQuery;
use super::models::model_json;
use super::present::{project_json, task_json};
use super::subprojects::expand_projects;
use super::task_access::load_all;
use crate::error::ApiError;
use serde_json::{Map, Value, json};
use std::collections::BTreeSet;
use trove_protocol::endpoints::{GetTagsRequest, TagsResponse, UpdateTagsRequest, Updated};
use trove_store::{ModelQuery, TaskEdit, TaskQuery};

fn filter_queries(filter: Option<&Map<String, Value>>) -> Result<Vec<ListQuery>, ApiError> {
    let mut out = Vec::new();
    for field in ["tags", "system_tags"] {
        let Some(v) = filter.and_then(|f| f.get(field)) else {
            continue;
        };
        let terms: Vec<Option<String>> = match v {
            Value::Array(items) => items
                .iter()
                .map(|i| i.as_str().map(str::to_string))
                .collect(),
            Value::String(s) => vec![Some(s.clone())],
            _ => {
                return Err(ApiError::validation(format!(
                    "filter.{field} must be a list"
                )));
            }
        };
        out.push(ListQuery::parse(field, &terms)?);
    }
    Ok(out)
}

fn strings(doc: &Map<String, Value>, key: &str) -> Vec<String> {
    doc.get(key)
        .and_then(Value::as_array)
        .map(|a| {
            a.iter()
                .filter_map(|v| v.as_str().map(str::to_string))
                .collect()
        })
        .unwrap_or_default()
}

/// Collect the tags of the documents that pass the filter.
fn collect<'a>(
    docs: impl Iterator<Item = &'a Map<String, Value>>,
    queries: &[ListQuery],
    include_system: bool,
) -> TagsResponse {
    let (mut tags, mut system) = (BTreeSet::new(), BTreeSet::new());
    for d in docs.filter(|d| queries.iter().all(|q| q.matches_doc(d))) {
        tags.extend(strings(d, "tags"));
        if include_system {
            system.extend(strings(d, "system_tags"));
        }
    }
    TagsResponse {
        tags: tags.into_iter().collect(),
        system_tags: system.into_iter().collect(),
    }
}

/// `projects.get_project_tags`.
pub async fn project_tags(ctx: &Ctx, req: GetTagsRequest) -> Result<TagsResponse, ApiError> {
    let queries = filter_queries(req.filter.as_ref())?;
    let ids = req.projects.filter(|p| !p.is_empty());
    let docs: Vec<Map<String, Value>> = ctx
        .state
        .store
        .list_projects()
        .await?
        .iter()
        .filter(|p| ids.as_ref().is_none_or(|ids| ids.contains(&p.id)))
        .map(|p| project_json(p).0)
        .collect();
    Ok(collect(docs.iter(), &queries, req.include_system))
}

/// The requested projects and their sub-projects (`None`: every project).
async fn family(ctx: &Ctx, projects: Option<Vec<String>>) -> Result<Option<Vec<String>>, ApiError> {
    match projects.filter(|p| !p.is_empty()) {
        Some(ids) => Ok(Some(expand_projects(ctx, &ids).await?)),
        None => Ok(None),
    }
}

/// `projects.get_task_tags`.
pub async fn task_tags(ctx: &Ctx, req: GetTagsRequest) -> Result<TagsResponse, ApiError> {
    let queries = filter_queries(req.filter.as_ref())?;
    let query = TaskQuery {
        projects: family(ctx, req.projects).await?,
        ..Default::default()
    };
    let docs: Vec<Map<String, Value>> = ctx
        .state
        .store
        .query_tasks(&query)
        .await?
        .iter()
        .map(|t| task_json(t, None).0)
        .collect();
    Ok(collect(docs.iter(), &queries, req.include_system))
}

/// `projects.get_model_tags`.
pub async fn model_tags(ctx: &Ctx, req: GetTagsRequest) -> Result<TagsResponse, ApiError> {
    let queries = filter_queries(req.filter.as_ref())?;
    let query = ModelQuery {
        projects: family(ctx, req.projects).await?,
        ..Default::default()
    };
    let docs: Vec<Map<String, Value>> = ctx
        .state
        .store
        .query_models(&query)
        .await?
        .iter()
        .map(|m| model_json(m, false).0)
        .collect();
    Ok(collect(docs.iter(), &queries, req.include_system))
}

/// `tasks.update_tags`: adds and removes tags of each task (any status) → `{updated}`.
pub async fn update_tags(ctx: &Ctx, req: UpdateTagsRequest) -> Result<Updated, ApiError> {
    let add = req.add_tags.unwrap_or_default();
    let remove = req.remove_tags.unwrap_or_default();
    let mut updated = 0;
    // Every id first: an unknown one changes nothing.
    for t in load_all(ctx, &req.ids.unwrap_or_default()).await? {
        let id = t.id.clone();
        let mut tags = strings(&t.doc, "tags");
        let before = tags.clone();
        tags.retain(|x| !remove.contains(x));
        for a in &add {
            if !tags.contains(a) {
                tags.push(a.clone());
            }
        }
        if tags == before {
            continue;
        }
        let mut doc = Map::new();
        doc.insert("tags".into(), json!(tags));
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
        updated += 1;
    }
    Ok(Updated { updated })
}
