//! `/projects` (the project tree) and `/projects/{id}` (a project's tasks, filtered and paginated in SQL).

use crate::Shared;
use crate::error::{WebError, WebResult};
use crate::html::{self, Badge, Notice, Pager, Time, url_encode};
use crate::render;
use crate::templates::filters;
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::HeaderMap;
use axum::response::Html;
use std::collections::{BTreeMap, HashMap};
use trove_core::TaskStatus;
use trove_store::TaskQuery;

/// Tasks per page of a project's task list.
pub const TASKS_PER_PAGE: u64 = 50;

/// `GET /projects`.
pub(crate) async fn projects(State(state): State<Shared>) -> WebResult<Html<String>> {
    let list = state.store.list_projects().await?;
    let mut counts: HashMap<String, u64> = HashMap::new();
    for p in &list {
        let q = TaskQuery {
            projects: Some(vec![p.id.clone()]),
            ..Default::default()
        };
        counts.insert(p.id.clone(), state.store.count_tasks(&q).await?);
    }
    // name -> (id, direct count); parents that are not projects themselves appear without an id.
    let mut nodes: BTreeMap<String, Option<(String, u64)>> = BTreeMap::new();
    for p in &list {
        let parts: Vec<&str> = p.name.split('/').collect();
        for i in 1..parts.len() {
            nodes.entry(parts[..i].join("/")).or_insert(None);
        }
        nodes.insert(
            p.name.clone(),
            Some((p.id.clone(), counts.get(&p.id).copied().unwrap_or(0))),
        );
    }
    let total_under = |name: &str| -> u64 {
        let prefix = format!("{name}/");
        nodes
            .iter()
            .filter(|(n, _)| n.as_str() == name || n.starts_with(&prefix))
            .filter_map(|(_, v)| v.as_ref().map(|(_, c)| *c))
            .sum()
    };
    let nodes = nodes
        .iter()
        .map(|(name, v)| {
            let direct = v.as_ref().map_or(0, |(_, c)| *c);
            TreeNode {
                depth: name.matches('/').count().min(8),
                leaf: name.rsplit('/').next().unwrap_or(name).to_string(),
                id: v.as_ref().map(|(id, _)| url_encode(id)),
                direct,
                sub: total_under(name),
            }
        })
        .collect();
    render::page(&ProjectsPage { nodes })
}

/// `templates/projects.html`: the project tree.
#[derive(Template)]
#[template(path = "projects.html")]
struct ProjectsPage {
    nodes: Vec<TreeNode>,
}

/// One line of the project tree.
struct TreeNode {
    /// Nesting level (at most 8).
    depth: usize,
    /// The last part of the name.
    leaf: String,
    /// The URL-encoded project id; `None` for a parent that is not a project itself.
    id: Option<String>,
    /// Tasks in this project.
    direct: u64,
    /// Tasks in this project and its sub-projects.
    sub: u64,
}

/// Query of the task list.
#[derive(serde::Deserialize, Default)]
pub(crate) struct TaskListQuery {
    /// Name substring.
    #[serde(default)]
    q: String,
    /// One status, or empty for all.
    #[serde(default)]
    status: String,
    /// 1-based page.
    page: Option<u64>,
    /// Set after the settings form saved.
    saved: Option<String>,
}

/// `GET /projects/{id}`.
pub(crate) async fn project_tasks(
    State(state): State<Shared>,
    Path(id): Path<String>,
    headers: HeaderMap,
    Query(f): Query<TaskListQuery>,
) -> WebResult<Html<String>> {
    let notice = if f.saved.is_some() {
        Some(html::notice("ok", "Default output destination saved."))
    } else {
        None
    };
    render_project(&state, &headers, &id, &f, notice, None)
        .await
        .map(Html)
}

/// `templates/project.html`: a project's tasks.
#[derive(Template)]
#[template(path = "project.html")]
struct ProjectPage {
    name: String,
    description: String,
    total: u64,
    settings: super::cards::ProjectSettings,
    /// The name filter.
    q: String,
    /// Every status, and whether it is the one filtered on.
    statuses: Vec<(&'static str, bool)>,
    tasks: Vec<TaskRow>,
    pager: Pager,
}

/// One row of the task list.
struct TaskRow {
    id: String,
    /// The URL-encoded id.
    href_id: String,
    name: String,
    badge: Badge,
    created: Time,
    updated: Time,
    artifacts: u64,
}

/// The project page; `notice` goes above the settings form, `typed` replaces the stored destination in the
/// form (to show a refused value again).
pub(crate) async fn render_project(
    state: &Shared,
    headers: &HeaderMap,
    id: &str,
    f: &TaskListQuery,
    notice: Option<Notice>,
    typed: Option<&str>,
) -> WebResult<String> {
    let project = state
        .store
        .get_project(id)
        .await?
        .ok_or_else(|| WebError::NotFound(format!("project {id}")))?;
    let status: Option<TaskStatus> = match f.status.as_str() {
        "" => None,
        s => Some(s.parse().map_err(WebError::BadRequest)?),
    };
    let page = f.page.unwrap_or(1).max(1);
    let mut query = TaskQuery {
        projects: Some(vec![project.id.clone()]),
        statuses: status.map(|s| vec![s]),
        name_contains: (!f.q.trim().is_empty()).then(|| f.q.trim().to_string()),
        ..Default::default()
    };
    let total = state.store.count_tasks(&query).await?;
    query.offset = (page - 1) * TASKS_PER_PAGE;
    query.limit = TASKS_PER_PAGE;
    let tasks = state.store.query_tasks(&query).await?;
    let ids: Vec<String> = tasks.iter().map(|t| t.id.clone()).collect();
    let art_counts: HashMap<String, u64> = state
        .store
        .count_artifacts(&ids)
        .await?
        .into_iter()
        .collect();

    let settings = super::cards::project_form(state, headers, &project, notice, typed);
    let base = format!("?q={}&status={}&", url_encode(&f.q), url_encode(&f.status));
    render::render(&ProjectPage {
        name: project.name,
        description: project.description,
        total,
        settings,
        q: f.q.clone(),
        statuses: TaskStatus::ALL
            .iter()
            .map(|s| (s.as_str(), status == Some(*s)))
            .collect(),
        tasks: tasks
            .iter()
            .map(|t| TaskRow {
                id: t.id.clone(),
                href_id: url_encode(&t.id),
                name: t.name.clone(),
                badge: html::status_badge(t.status.as_str()),
                created: html::time_micros(Some(t.created)),
                updated: html::time_micros(Some(t.last_update)),
                artifacts: art_counts.get(&t.id).copied().unwrap_or(0),
            })
            .collect(),
        pager: html::pager(&base, page, TASKS_PER_PAGE, total),
    })
}
