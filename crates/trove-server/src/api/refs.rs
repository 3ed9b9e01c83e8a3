//! `*.get_all_ex` answers references as objects (clearml-server `get_many_with_join`): a task's `project`
//! becomes `{id, name}`, `parent` `{id, name}`, `user` `{id, name}`, `models.*[].model` `{id}`; a project's
//! `parent` (the project above it) `{id, name}`; a model's `project`, `task`, `parent` (model) and `user`
//! `{id, name}`. `get_all` and `get_by_id` keep plain ids.

use super::context::Ctx;
use crate::error::ApiError;
use serde_json::{Map, Value, json};
use std::collections::HashMap;
use trove_protocol::endpoints::ModelDoc;
use trove_protocol::{ProjectDoc, TaskDoc};
use trove_store::{ModelQuery, TaskQuery};

fn object_ref(id: &str, name: Option<&str>) -> Value {
    let mut m = Map::new();
    m.insert("id".into(), json!(id));
    if let Some(n) = name {
        m.insert("name".into(), json!(n));
    }
    Value::Object(m)
}

/// Every project's name by id.
async fn project_names(ctx: &Ctx) -> Result<HashMap<String, String>, ApiError> {
    Ok(ctx
        .state
        .store
        .list_projects()
        .await?
        .into_iter()
        .map(|p| (p.id, p.name))
        .collect())
}

/// The distinct string values of `field` in `docs`.
fn ids_of<'a>(docs: impl Iterator<Item = &'a Map<String, Value>>, field: &str) -> Vec<String> {
    let mut ids: Vec<String> = docs
        .filter_map(|m| m.get(field).and_then(Value::as_str).map(str::to_string))
        .collect();
    ids.sort();
    ids.dedup();
    ids
}

/// The names of the tasks among `ids` that exist, in one store query.
async fn task_names(ctx: &Ctx, ids: Vec<String>) -> Result<HashMap<String, String>, ApiError> {
    if ids.is_empty() {
        return Ok(HashMap::new());
    }
    let query = TaskQuery {
        ids: Some(ids),
        ..Default::default()
    };
    let tasks = ctx.state.store.query_tasks(&query).await?;
    Ok(tasks.into_iter().map(|t| (t.id, t.name)).collect())
}

/// The names of the models among `ids` that exist, in one store query.
async fn model_names(ctx: &Ctx, ids: Vec<String>) -> Result<HashMap<String, String>, ApiError> {
    if ids.is_empty() {
        return Ok(HashMap::new());
    }
    let query = ModelQuery {
        ids: Some(ids),
        ..Default::default()
    };
    let models = ctx.state.store.query_models(&query).await?;
    Ok(models.into_iter().map(|m| (m.id, m.name)).collect())
}

/// `{id, name}` for a string reference in `field` (name from `names`, left out when unknown).
fn expand(m: &mut Map<String, Value>, field: &str, names: &HashMap<String, String>) {
    if let Some(Value::String(id)) = m.get(field).cloned() {
        m.insert(
            field.into(),
            object_ref(&id, names.get(&id).map(String::as_str)),
        );
    }
}

/// Turn the references of task documents into objects.
pub async fn expand_task_refs(ctx: &Ctx, docs: &mut [TaskDoc]) -> Result<(), ApiError> {
    let projects = project_names(ctx).await?;
    let parents = task_names(ctx, ids_of(docs.iter().map(|d| &d.0), "parent")).await?;
    for d in docs.iter_mut() {
        let m = &mut d.0;
        expand(m, "project", &projects);
        expand(m, "parent", &parents);
        if let Some(Value::String(u)) = m.get("user").cloned() {
            m.insert("user".into(), object_ref(&u, Some(&u)));
        }
        if let Some(Value::Object(models)) = m.get_mut("models") {
            for list in models.values_mut() {
                let Value::Array(items) = list else { continue };
                for item in items {
                    if let Some(Value::String(id)) = item.get("model").cloned()
                        && let Some(o) = item.as_object_mut()
                    {
                        o.insert("model".into(), object_ref(&id, None));
                    }
                }
            }
        }
    }
    Ok(())
}

/// Turn the references of model documents into objects (a reference to a task or model that is gone keeps
/// only its id).
pub async fn expand_model_refs(ctx: &Ctx, docs: &mut [ModelDoc]) -> Result<(), ApiError> {
    let projects = project_names(ctx).await?;
    let tasks = task_names(ctx, ids_of(docs.iter().map(|d| &d.0), "task")).await?;
    let parents = model_names(ctx, ids_of(docs.iter().map(|d| &d.0), "parent")).await?;
    for d in docs.iter_mut() {
        let m = &mut d.0;
        expand(m, "project", &projects);
        expand(m, "task", &tasks);
        expand(m, "parent", &parents);
        if let Some(Value::String(u)) = m.get("user").cloned() {
            m.insert("user".into(), object_ref(&u, Some(&u)));
        }
    }
    Ok(())
}

/// Add `parent: {id, name}` (the project one level up) to project documents.
pub fn expand_project_refs(docs: &mut [ProjectDoc], by_name: &HashMap<String, String>) {
    for d in docs.iter_mut() {
        let Some(name) = d.0.get("name").and_then(Value::as_str).map(str::to_string) else {
            continue;
        };
        if let Some((parent, _)) = name.rsplit_once('/')
            && let Some(id) = by_name.get(parent)
        {
            d.0.insert("parent".into(), object_ref(id, Some(parent)));
        }
    }
}
