//! What `projects.get_all_ex` adds on request (clearml-server `bll/project/project_bll.py`): `include_stats`
//! → `stats.{active|archived}` (`status_count`, `total_runtime` in seconds, `completed_tasks_24h`,
//! `total_tasks`, over the project and its sub-projects) and `sub_projects [{id, name}]`;
//! `include_dataset_stats` → `dataset_stats {file_count, total_size}` from the newest non-archived task with
//! a `runtime` (or `null`); `check_own_contents` → `own_tasks` (non-archived tasks in the project itself) and
//! `own_models` (non-archived models in it).

use super::context::Ctx;
use super::project_models;
use super::task_access::{has_system_tag, is_archived};
use crate::error::ApiError;
use serde_json::{Map, Value, json};
use trove_core::TaskStatus;
use trove_core::timefmt::now_micros;
use trove_protocol::ProjectDoc;
use trove_protocol::endpoints::ProjectsGetAllRequest;
use trove_store::{Project, Task, TaskQuery};

const DAY_MICROS: i64 = 24 * 3600 * 1_000_000;

fn archived(t: &Task) -> bool {
    is_archived(&t.doc)
}

/// The ids of `project` and every project below it.
fn with_children<'a>(all: &'a [Project], project: &'a Project) -> Vec<&'a Project> {
    let prefix = format!("{}/", project.name);
    all.iter()
        .filter(|p| p.id == project.id || p.name.starts_with(&prefix))
        .collect()
}

fn stats_of(tasks: &[&Task]) -> Value {
    let mut status_count = Map::new();
    for s in TaskStatus::ALL {
        status_count.insert(s.as_str().into(), json!(0));
    }
    let now = now_micros();
    let mut runtime = 0i64;
    let mut completed_24h = 0u64;
    for t in tasks {
        if let Some(Value::Number(n)) = status_count.get(t.status.as_str()) {
            let n = n.as_u64().unwrap_or(0) + 1;
            status_count.insert(t.status.as_str().into(), json!(n));
        }
        if let (Some(s), Some(c)) = (t.started, t.completed) {
            runtime += (c - s).max(0);
        }
        if t.completed.is_some_and(|c| now - c < DAY_MICROS)
            && matches!(
                t.status,
                TaskStatus::Completed
                    | TaskStatus::Stopped
                    | TaskStatus::Published
                    | TaskStatus::Closed
                    | TaskStatus::Failed
            )
        {
            completed_24h += 1;
        }
    }
    json!({
        "status_count": status_count,
        "total_runtime": (runtime as f64 / 1_000_000.0).round() as i64,
        "completed_tasks_24h": completed_24h,
        "total_tasks": tasks.len(),
    })
}

/// Add the requested extras to the answered project documents.
pub async fn add(
    ctx: &Ctx,
    req: &ProjectsGetAllRequest,
    all: &[Project],
    docs: &mut [ProjectDoc],
) -> Result<(), ApiError> {
    if !(req.include_stats || req.include_dataset_stats || req.check_own_contents) {
        return Ok(());
    }
    let tasks = ctx.state.store.query_tasks(&TaskQuery::default()).await?;
    let archived_state = req.stats_for_state.as_deref() == Some("archived");
    for d in docs.iter_mut() {
        let Some(p) =
            d.0.get("id")
                .and_then(Value::as_str)
                .and_then(|id| all.iter().find(|p| p.id == id))
        else {
            continue;
        };
        let family = with_children(all, p);
        let in_family = |t: &&Task| {
            family.iter().any(|f| f.id == t.project) && !has_system_tag(&t.doc, "hidden")
        };
        if req.include_stats {
            let selected: Vec<&Task> = tasks
                .iter()
                .filter(in_family)
                .filter(|t| archived(t) == archived_state)
                .collect();
            let key = if archived_state { "archived" } else { "active" };
            let mut stats = Map::new();
            stats.insert(key.into(), stats_of(&selected));
            d.0.insert("stats".into(), Value::Object(stats));
            let subs: Vec<Value> = family
                .iter()
                .filter(|f| f.id != p.id)
                .filter(|f| req.search_hidden || !has_system_tag(&f.extra, "hidden"))
                .map(|f| json!({"id": f.id, "name": f.name}))
                .collect();
            d.0.insert("sub_projects".into(), Value::Array(subs));
        }
        if req.include_dataset_stats {
            let newest = tasks
                .iter()
                .filter(|t| t.project == p.id && !archived(t))
                .filter(|t| {
                    t.doc
                        .get("runtime")
                        .and_then(Value::as_object)
                        .is_some_and(|r| !r.is_empty())
                })
                .max_by_key(|t| t.last_update);
            let stats = newest.map_or(Value::Null, |t| {
                let r = &t.doc["runtime"];
                json!({
                    "file_count": r.get("ds_file_count").cloned().unwrap_or(json!(0)),
                    "total_size": r.get("ds_total_size").cloned().unwrap_or(json!(0)),
                })
            });
            d.0.insert("dataset_stats".into(), stats);
        }
        if req.check_own_contents {
            let own = tasks
                .iter()
                .filter(|t| t.project == p.id && !archived(t))
                .count();
            d.0.insert("own_tasks".into(), json!(own));
            let own_models = project_models::models_in(ctx, std::slice::from_ref(&p.id))
                .await?
                .iter()
                .filter(|m| !is_archived(&m.doc))
                .count();
            d.0.insert("own_models".into(), json!(own_models));
        }
    }
    Ok(())
}
