//! `/projects` (the project tree) and `/projects/{id}` (a project's tasks, filtered and paginated in SQL).

use crate::Shared;
use crate::error::{WebError, WebResult};
use crate::html::{self, escape, url_encode};
use axum::extract::{Path, Query, State};
use axum::http::HeaderMap;
use axum::response::Html;
use std::collections::{BTreeMap, HashMap};
use std::fmt::Write;
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
    let mut body = String::from(r#"<section class="card"><h1>Projects</h1>"#);
    if nodes.is_empty() {
        body.push_str(r#"<p class="muted">No projects yet. Run a script that creates a task.</p>"#);
    }
    body.push_str(r#"<ul class="tree">"#);
    for (name, v) in &nodes {
        let depth = name.matches('/').count();
        let leaf = name.rsplit('/').next().unwrap_or(name);
        let sub = total_under(name);
        let label = match v {
            Some((id, _)) => format!(
                r#"<a href="/projects/{}">{}</a>"#,
                url_encode(id),
                escape(leaf)
            ),
            None => format!(r#"<span class="muted">{}</span>"#, escape(leaf)),
        };
        let direct = v.as_ref().map_or(0, |(_, c)| *c);
        let counts = if sub != direct {
            format!(
                r#"<span class="count" title="tasks here / including sub-projects">{direct} / {sub}</span>"#
            )
        } else {
            format!(r#"<span class="count" title="tasks">{direct}</span>"#)
        };
        let _ = write!(
            body,
            r#"<li class="d{}">{label}{counts}</li>"#,
            depth.min(8)
        );
    }
    body.push_str("</ul></section>");
    Ok(Html(html::page(
        "Projects",
        r#"<span class="here">Projects</span>"#,
        &body,
    )))
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

/// The project page; `notice` (HTML) goes above the settings form, `typed` replaces the stored destination
/// in the form (to show a refused value again).
pub(crate) async fn render_project(
    state: &Shared,
    headers: &HeaderMap,
    id: &str,
    f: &TaskListQuery,
    notice: Option<String>,
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

    let mut body = format!(
        r#"<section class="card"><div class="row between"><h1>{}</h1><span class="muted">{total} task{}</span></div>"#,
        escape(&project.name),
        if total == 1 { "" } else { "s" }
    );
    if !project.description.is_empty() {
        let _ = write!(
            body,
            r#"<p class="muted">{}</p>"#,
            escape(&project.description)
        );
    }
    body.push_str(&super::settings::project_form(
        state,
        headers,
        &project,
        notice.as_deref(),
        typed,
    ));
    // filter form
    let _ = write!(
        body,
        r#"<form class="filters" method="get"><input type="search" name="q" placeholder="filter by name" value="{}"><select name="status"><option value="">any status</option>"#,
        escape(&f.q)
    );
    for s in TaskStatus::ALL {
        let sel = if status == Some(s) { " selected" } else { "" };
        let _ = write!(body, r#"<option value="{0}"{sel}>{0}</option>"#, s.as_str());
    }
    body.push_str(r#"</select><button type="submit">Filter</button></form>"#);

    body.push_str(
        r#"<form id="compare-form" method="get" action="/compare"><div class="row between"><span class="muted small">Tick two or more tasks to compare their artifacts.</span><button type="submit" id="compare-btn">Compare</button></div>
<table class="list"><thead><tr><th></th><th>name</th><th>status</th><th>created</th><th>last update</th><th class="num">artifacts</th></tr></thead><tbody>"#,
    );
    for t in &tasks {
        let tid = url_encode(&t.id);
        let _ = write!(
            body,
            r#"<tr><td><input type="checkbox" name="t" value="{idv}" aria-label="select"></td><td><a href="/tasks/{tid}">{name}</a></td><td>{st}</td><td>{created}</td><td>{updated}</td><td class="num"><a href="/tasks/{tid}/artifacts">{n}</a></td></tr>"#,
            idv = escape(&t.id),
            name = escape(&t.name),
            st = html::status_badge(t.status.as_str()),
            created = html::time_micros(Some(t.created)),
            updated = html::time_micros(Some(t.last_update)),
            n = art_counts.get(&t.id).copied().unwrap_or(0),
        );
    }
    if tasks.is_empty() {
        body.push_str(r#"<tr><td colspan="6" class="muted">No tasks match.</td></tr>"#);
    }
    body.push_str("</tbody></table></form>");
    let base = format!("?q={}&status={}&", url_encode(&f.q), url_encode(&f.status));
    body.push_str(&html::pager(&base, page, TASKS_PER_PAGE, total));
    body.push_str("</section>");
    let crumbs = format!(
        r#"<a href="/projects">Projects</a><span>›</span><span class="here">{}</span>"#,
        escape(&project.name)
    );
    Ok(html::page(&project.name, &crumbs, &body))
}
