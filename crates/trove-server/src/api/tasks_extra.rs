//! Hyper-parameters and configuration sections (kept in the task document), and events.

use super::Ctx;
use super::args::{self, Body};
use super::tasks::load;
use crate::error::ApiError;
use serde_json::{Map, Value, json};
use std::collections::{BTreeMap, HashMap};
use trove_core::TaskStatus;
use trove_store::{Event, Task, TaskEdit};

fn check_editable(t: &Task, b: &Body) -> Result<(), ApiError> {
    if t.status == TaskStatus::Created || args::flag(b, "force") {
        Ok(())
    } else {
        Err(ApiError::invalid_status(
            t.status.as_str(),
            "created (or send force=true)",
        ))
    }
}

fn obj(v: Option<&Value>) -> Map<String, Value> {
    match v {
        Some(Value::Object(m)) => m.clone(),
        _ => Map::new(),
    }
}

async fn put_doc(ctx: &Ctx, id: &str, key: &str, v: Map<String, Value>) -> Result<(), ApiError> {
    let mut doc = Map::new();
    doc.insert(key.into(), Value::Object(v));
    ctx.state
        .store
        .edit_task(
            id,
            TaskEdit {
                doc,
                ..Default::default()
            },
        )
        .await?;
    Ok(())
}

fn task_ids(b: &Body) -> Result<Vec<String>, ApiError> {
    args::str_list(b, "tasks")?
        .or(args::str_list(b, "task")?)
        .ok_or_else(|| ApiError::validation("missing required field 'tasks'"))
}

/// `tasks.get_hyper_params {tasks}` → `{"params": [{"task", "hyperparams": [...]}]}`.
pub async fn get_hyper_params(ctx: &Ctx, b: &Body) -> Result<Value, ApiError> {
    let mut params = Vec::new();
    for id in task_ids(b)? {
        let t = load(ctx, &id).await?;
        let mut list = Vec::new();
        for (section, items) in obj(t.doc.get("hyperparams")) {
            for (name, p) in obj(Some(&items)) {
                let mut p = obj(Some(&p));
                p.entry("section").or_insert_with(|| json!(section));
                p.entry("name").or_insert_with(|| json!(name));
                list.push(Value::Object(p));
            }
        }
        params.push(json!({ "task": id, "hyperparams": list }));
    }
    Ok(json!({ "params": params }))
}

/// `tasks.edit_hyper_params {task, hyperparams, replace_hyperparams: none|section|all, force}`.
pub async fn edit_hyper_params(ctx: &Ctx, b: &Body) -> Result<Value, ApiError> {
    let id = args::req_str(b, "task")?;
    let t = load(ctx, &id).await?;
    check_editable(&t, b)?;
    let replace = args::opt_str(b, "replace_hyperparams")?.unwrap_or_else(|| "none".into());
    let mut hp = if replace == "all" {
        Map::new()
    } else {
        obj(t.doc.get("hyperparams"))
    };
    let items = args::opt_arr(b, "hyperparams")?
        .cloned()
        .unwrap_or_default();
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
        let mut sec = obj(hp.get(&section));
        let mut item = obj(Some(&p));
        item.insert("section".into(), json!(section));
        sec.insert(name, Value::Object(item));
        hp.insert(section, Value::Object(sec));
    }
    put_doc(ctx, &id, "hyperparams", hp).await?;
    Ok(json!({ "updated": 1 }))
}

/// `tasks.delete_hyper_params {task, hyperparams: [{section, name?}], force}`.
pub async fn delete_hyper_params(ctx: &Ctx, b: &Body) -> Result<Value, ApiError> {
    let id = args::req_str(b, "task")?;
    let t = load(ctx, &id).await?;
    check_editable(&t, b)?;
    let mut hp = obj(t.doc.get("hyperparams"));
    let mut deleted = 0;
    for p in args::opt_arr(b, "hyperparams")?
        .cloned()
        .unwrap_or_default()
    {
        let Some(section) = p.get("section").and_then(|s| s.as_str()) else {
            continue;
        };
        match p.get("name").and_then(|s| s.as_str()) {
            Some(name) => {
                let mut sec = obj(hp.get(section));
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
    put_doc(ctx, &id, "hyperparams", hp).await?;
    Ok(json!({ "deleted": deleted }))
}

/// `tasks.get_configurations {tasks, names?}` → `{"configurations": [{"task", "configurations": [...]}]}`.
pub async fn get_configurations(ctx: &Ctx, b: &Body) -> Result<Value, ApiError> {
    let names = args::str_list(b, "names")?;
    let mut out = Vec::new();
    for id in task_ids(b)? {
        let t = load(ctx, &id).await?;
        let list: Vec<Value> = obj(t.doc.get("configuration"))
            .into_iter()
            .filter(|(n, _)| names.as_ref().is_none_or(|ns| ns.contains(n)))
            .map(|(n, v)| {
                let mut c = obj(Some(&v));
                c.entry("name").or_insert_with(|| json!(n));
                Value::Object(c)
            })
            .collect();
        out.push(json!({ "task": id, "configurations": list }));
    }
    Ok(json!({ "configurations": out }))
}

/// `tasks.get_configuration_names {tasks}` → `{"configurations": [{"task", "names"}]}`.
pub async fn get_configuration_names(ctx: &Ctx, b: &Body) -> Result<Value, ApiError> {
    let mut out = Vec::new();
    for id in task_ids(b)? {
        let t = load(ctx, &id).await?;
        let names: Vec<String> = obj(t.doc.get("configuration")).keys().cloned().collect();
        out.push(json!({ "task": id, "names": names }));
    }
    Ok(json!({ "configurations": out }))
}

/// `tasks.edit_configuration {task, configuration: [{name, value, type, description}], replace_configuration}`.
pub async fn edit_configuration(ctx: &Ctx, b: &Body) -> Result<Value, ApiError> {
    let id = args::req_str(b, "task")?;
    let t = load(ctx, &id).await?;
    check_editable(&t, b)?;
    let mut conf = if args::flag(b, "replace_configuration") {
        Map::new()
    } else {
        obj(t.doc.get("configuration"))
    };
    for c in args::opt_arr(b, "configuration")?
        .cloned()
        .unwrap_or_default()
    {
        let name = c
            .get("name")
            .and_then(|s| s.as_str())
            .ok_or_else(|| ApiError::validation("each configuration item needs a 'name'"))?
            .to_string();
        conf.insert(name, c);
    }
    put_doc(ctx, &id, "configuration", conf).await?;
    Ok(json!({ "updated": 1 }))
}

/// `tasks.delete_configuration {task, configuration: [names]}`.
pub async fn delete_configuration(ctx: &Ctx, b: &Body) -> Result<Value, ApiError> {
    let id = args::req_str(b, "task")?;
    let t = load(ctx, &id).await?;
    check_editable(&t, b)?;
    let mut conf = obj(t.doc.get("configuration"));
    let mut deleted = 0;
    for n in args::str_list(b, "configuration")?.unwrap_or_default() {
        if conf.remove(&n).is_some() {
            deleted += 1;
        }
    }
    put_doc(ctx, &id, "configuration", conf).await?;
    Ok(json!({ "deleted": deleted }))
}

/// `events.add_batch` (json-lines) and `events.add`: store events of existing tasks; `last_iteration`
/// follows the highest `iter` seen. Bad events are counted in `errors`/`errors_info`, not fatal.
pub async fn add_events(ctx: &Ctx, b: &Body) -> Result<Value, ApiError> {
    let items = args::opt_arr(b, "requests")?.cloned().unwrap_or_default();
    let mut known: HashMap<String, Option<Task>> = HashMap::new();
    let mut events = Vec::new();
    let mut errors: BTreeMap<String, u64> = BTreeMap::new();
    let mut max_iter: HashMap<String, i64> = HashMap::new();
    for item in items {
        let Value::Object(mut ev) = item else {
            *errors
                .entry("event is not a JSON object".into())
                .or_default() += 1;
            continue;
        };
        ev.remove("method");
        let Some(task) = ev.get("task").and_then(|t| t.as_str()).map(String::from) else {
            *errors.entry("event has no task".into()).or_default() += 1;
            continue;
        };
        if !known.contains_key(&task) {
            let t = ctx.state.store.get_task(&task).await?;
            known.insert(task.clone(), t);
        }
        if known.get(&task).is_none_or(|t| t.is_none()) {
            *errors
                .entry(format!("Invalid task id: {task}"))
                .or_default() += 1;
            continue;
        }
        let kind = ev
            .get("type")
            .and_then(|t| t.as_str())
            .unwrap_or("log")
            .to_string();
        let timestamp = ev
            .get("timestamp")
            .and_then(|t| t.as_i64())
            .unwrap_or_else(trove_core::timefmt::now_millis);
        let iter = ev.get("iter").and_then(|t| t.as_i64());
        if let Some(i) = iter.filter(|_| kind != "log") {
            let m = max_iter.entry(task.clone()).or_insert(i);
            *m = (*m).max(i);
        }
        events.push(Event {
            task,
            kind,
            timestamp,
            iter,
            body: Value::Object(ev),
        });
    }
    let added = if events.is_empty() {
        0
    } else {
        ctx.state.store.add_events(&events).await?
    };
    for (task, it) in max_iter {
        let cur = known
            .get(&task)
            .and_then(|t| t.as_ref())
            .and_then(|t| t.doc.get("last_iteration"))
            .and_then(|v| v.as_i64())
            .unwrap_or(0);
        if it > cur {
            let mut doc = Map::new();
            doc.insert("last_iteration".into(), json!(it));
            ctx.state
                .store
                .edit_task(
                    &task,
                    TaskEdit {
                        doc,
                        ..Default::default()
                    },
                )
                .await?;
        }
    }
    let n_err: u64 = errors.values().sum();
    Ok(json!({ "added": added, "errors": n_err, "errors_info": errors }))
}

/// `events.get_task_log {task, batch_size, scroll_id}`: console lines oldest first, paged by `scroll_id`.
pub async fn get_task_log(ctx: &Ctx, b: &Body) -> Result<Value, ApiError> {
    let id = args::req_str(b, "task")?;
    load(ctx, &id).await?;
    let batch = args::opt_u64(b, "batch_size")?
        .unwrap_or(500)
        .clamp(1, 10_000);
    let offset = args::opt_str(b, "scroll_id")?
        .and_then(|s| s.parse::<u64>().ok())
        .unwrap_or(0);
    let events = ctx
        .state
        .store
        .list_events(&id, Some("log"), offset, batch)
        .await?;
    let returned = events.len() as u64;
    let list: Vec<Value> = events.into_iter().map(|e| e.body).collect();
    Ok(
        json!({ "events": list, "returned": returned, "total": returned, "scroll_id": (offset + returned).to_string() }),
    )
}
