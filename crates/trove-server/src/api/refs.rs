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

/// Turn the references of task documents into objects.
pub async fn expand_task_refs(ctx: &Ctx, docs: &mut [TaskDoc]) -> Result<(), ApiError> {
    let projects = project_names(ctx).await?;
    let mut parents: HashMap<String, Option<String>> = HashMap::new();
    for d in docs.iter_mut() {
        let m = &mut d.0;
        if let Some(Value::String(p)) = m.get("project").cloned() {
            m.insert(
                "project".into(),
                object_ref(&p, projects.get(&p).map(String::as_str)),
            );
        }
        if let Some(Value::String(p)) = m.get("parent").cloned() {
            if !parents.contains_key(&p) {
                let name = ctx.state.store.get_task(&p).await?.map(|t| t.name);
                parents.insert(p.clone(), name);
            }
            let name = parents.get(&p).cloned().flatten();
            m.insert("parent".into(), object_ref(&p, name.as_deref()));
        }
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
    let mut names: HashMap<(bool, String), Option<String>> = HashMap::new();
    for d in docs.iter_mut() {
        let m = &mut d.0;
        if let Some(Value::String(p)) = m.get("project").cloned() {
            let r = object_ref(&p, projects.get(&p).map(String::as_str));
            m.insert("project".into(), r);
        }
        for (field, is_model) in [("task", false), ("parent", true)] {
            let Some(Value::String(id)) = m.get(field).cloned() else {
                continue;
            };
            let key = (is_model, id.clone());
            if !names.contains_key(&key) {
                let name = if is_model {
                    ctx.state.store.get_model(&id).await?.map(|x| x.name)
                } else {
                    ctx.state.store.get_task(&id).await?.map(|x| x.name)
                };
                names.insert(key.clone(), name);
            }
            let name = names.get(&key).cloned().flatten();
            m.insert(field.into(), object_ref(&id, name.as_deref()));
        }
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
