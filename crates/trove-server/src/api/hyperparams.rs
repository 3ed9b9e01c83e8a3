//! Hyper-parameters, kept in the task document as `hyperparams.<section>.<name>`: `tasks.get_hyper_params`,
//! `tasks.edit_hyper_params`, `tasks.delete_hyper_params`. Changes whose items all belong to the `properties`
//! section (any case; stored as `properties`) are allowed in every status without `force` (clearml-server
//! `bll/task/hyperparams.py`); others follow `check_editable`.

use super::context::Ctx;
use super::task_access::{check_editable, load, object, set_doc_field};
use crate::error::ApiError;
use serde_json::{Map, Value, json};
use trove_protocol::endpoints::{
    DeleteHyperParamsRequest, Deleted, EditHyperParamsRequest, HyperParamsResponse,
    TaskHyperParams, TaskIds, Updated,
};

/// `tasks.get_hyper_params {tasks}` → `{"params": [{"task", "hyperparams": [...]}]}`.
pub async fn get(ctx: &Ctx, req: TaskIds) -> Result<HyperParamsResponse, ApiError> {
    let mut params = Vec::new();
    for id in req.ids() {
        let t = load(ctx, &id).await?;
        let mut list: Vec<Map<String, Value>> = Vec::new();
        for (section, items) in object(t.doc.get("hyperparams")) {
            for (name, p) in object(Some(&items)) {
                let mut p = object(Some(&p));
                p.entry("section").or_insert_with(|| json!(section));
                p.entry("name").or_insert_with(|| json!(name));
                list.push(p);
            }
        }
        let key = |p: &Map<String, Value>, k: &str| {
            p.get(k).and_then(Value::as_str).unwrap_or("").to_string()
        };
        list.sort_by_key(|p| (key(p, "section"), key(p, "name")));
        params.push(TaskHyperParams {
            task: id,
            hyperparams: list,
        });
    }
    Ok(HyperParamsResponse { params })
}

/// `tasks.edit_hyper_params {task, hyperparams, replace_hyperparams: none|section|all, force}`.
pub async fn edit(ctx: &Ctx, req: EditHyperParamsRequest) -> Result<Updated, ApiError> {
    let t = load(ctx, &req.task).await?;
    let mut items = req.hyperparams.unwrap_or_default();
    if !only_properties(&mut items) {
        check_editable(&t, req.force)?;
    }
    let replace = req.replace_hyperparams.as_deref().unwrap_or("none");
    let mut hp = if replace == "all" {
        Map::new()
    } else {
        object(t.doc.get("hyperparams"))
    };
    if replace == "section" {
        for p in &items {
            if let Some(s) = p.get("section").and_then(|s| s.as_str()) {
                hp.insert(s.to_string(), json!({}));
            }
        }
    }
    for p in items {
        let section = p
            .get("section")
            .and_then(|s| s.as_str())
            .unwrap_or("General")
            .to_string();
        let name = p
            .get("name")
            .and_then(|s| s.as_str())
            .ok_or_else(|| ApiError::validation("each hyper-parameter needs a 'name'"))?
            .to_string();
        let mut sec = object(hp.get(&section));
        let mut item = object(Some(&p));
        item.insert("section".into(), json!(section));
        sec.insert(name, Value::Object(item));
        hp.insert(section, Value::Object(sec));
    }
    set_doc_field(ctx, &req.task, "hyperparams", hp).await?;
    Ok(Updated { updated: 1 })
}

/// `tasks.delete_hyper_params {task, hyperparams: [{section, name?}], force}`.
pub async fn delete(ctx: &Ctx, req: DeleteHyperParamsRequest) -> Result<Deleted, ApiError> {
    let t = load(ctx, &req.task).await?;
    let mut items = req.hyperparams.unwrap_or_default();
    if !only_properties(&mut items) {
        check_editable(&t, req.force)?;
    }
    let mut hp = object(t.doc.get("hyperparams"));
    let mut deleted = 0;
    for p in items {
        let Some(section) = p.get("section").and_then(|s| s.as_str()) else {
            continue;
        };
        match p.get("name").and_then(|s| s.as_str()) {
            Some(name) => {
                let mut sec = object(hp.get(section));
                if sec.remove(name).is_some() {
                    deleted += 1;
                }
                hp.insert(section.to_string(), Value::Object(sec));
            }
            None => {
                if hp.remove(section).is_some() {
                    deleted += 1;
                }
            }
        }
    }
    set_doc_field(ctx, &req.task, "hyperparams", hp).await?;
    Ok(Deleted { deleted })
}

/// The section whose parameters may change in any status.
const PROPERTIES: &str = "properties";

/// True if every item is in the `properties` section (any case); those items' section becomes `properties`.
fn only_properties(items: &mut [Value]) -> bool {
    let all = !items.is_empty()
        && items.iter().all(|p| {
            p.get("section")
                .and_then(Value::as_str)
                .is_some_and(|s| s.eq_ignore_ascii_case(PROPERTIES))
        });
    if all {
        for p in items.iter_mut() {
            if let Some(o) = p.as_object_mut() {
                o.insert("section".into(), json!(PROPERTIES));
            }
        }
    }
    all
}
