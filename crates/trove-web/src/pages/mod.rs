//! Page handlers and what they share: loading a task, the task tab bar, static assets, security headers.

pub(crate) mod artifacts;
mod cards;
pub(crate) mod compare;
pub(crate) mod models;
mod preview_load;
pub(crate) mod projects;
mod scalars;
pub(crate) mod settings;
pub(crate) mod task;

use crate::Shared;
use crate::error::{WebError, WebResult};
use crate::html::url_encode;
use crate::templates::filters;
use askama::Template;
use axum::extract::{Path, Request};
use axum::http::{HeaderValue, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Redirect, Response};
use trove_store::{Project, Task};

const STYLE: &str = include_str!("../../assets/style.css");
const SCRIPT: &str = include_str!("../../assets/app.js");
const FAVICON: &str = include_str!("../../assets/favicon.svg");

/// `GET /`.
pub(crate) async fn root() -> Redirect {
    Redirect::to("/projects")
}

/// `GET /static/{file}`: the embedded assets.
pub(crate) async fn static_file(Path(file): Path<String>) -> Response {
    let (body, ct) = match file.as_str() {
        "style.css" => (STYLE, "text/css; charset=utf-8"),
        "app.js" => (SCRIPT, "text/javascript; charset=utf-8"),
        "favicon.svg" => (FAVICON, "image/svg+xml"),
        _ => return not_found().await.into_response(),
    };
    (
        [
            (header::CONTENT_TYPE, ct),
            (header::CACHE_CONTROL, "public, max-age=300"),
        ],
        body,
    )
        .into_response()
}

/// Unknown paths.
pub(crate) async fn not_found() -> WebError {
    WebError::NotFound("page".into())
}

/// Adds headers that keep injected content inert: no inline scripts, no framing, no MIME sniffing.
pub(crate) async fn security_headers(req: Request, next: Next) -> Response {
    let mut resp = next.run(req).await;
    let h = resp.headers_mut();
    h.entry(header::CONTENT_SECURITY_POLICY).or_insert(HeaderValue::from_static(
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; object-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'",
    ));
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    h.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    h.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("same-origin"),
    );
    resp
}

/// The task with this id, or 404.
pub(crate) async fn load_task(state: &Shared, id: &str) -> WebResult<Task> {
    state
        .store
        .get_task(id)
        .await?
        .ok_or_else(|| WebError::NotFound(format!("task {id}")))
}

/// Breadcrumbs for a task: projects › the project › task (`templates/task_crumbs.html`).
#[derive(Template)]
#[template(path = "task_crumbs.html")]
pub(crate) struct TaskCrumbs {
    /// The project's URL-encoded id and name, when the project exists.
    project: Option<(String, String)>,
    /// The task's name.
    task: String,
}

/// Breadcrumbs for a task: projects › the project › task.
pub(crate) async fn task_crumbs(
    state: &Shared,
    task: &Task,
) -> WebResult<(Option<Project>, TaskCrumbs)> {
    let project = state.store.get_project(&task.project).await?;
    let crumbs = TaskCrumbs {
        project: project
            .as_ref()
            .map(|p| (url_encode(&p.id), p.name.clone())),
        task: task.name.clone(),
    };
    Ok((project, crumbs))
}

/// The header of a task page with its tab bar (`templates/task_header.html`).
#[derive(Template)]
#[template(path = "task_header.html")]
pub(crate) struct TaskHeader {
    name: String,
    id: String,
    badge: crate::html::Badge,
    /// `(tab, label, link)` of each tab.
    tabs: [(&'static str, &'static str, String); 4],
    /// The active tab.
    active: &'static str,
    /// The artifact count shown on the ARTIFACTS tab.
    count: Option<u64>,
}

/// The header of a task page with its tab bar; `active` is `info`, `artifacts`, `models` or `console`.
pub(crate) fn task_header(
    task: &Task,
    active: &'static str,
    artifact_count: Option<u64>,
) -> TaskHeader {
    let id = url_encode(&task.id);
    TaskHeader {
        name: task.name.clone(),
        id: task.id.clone(),
        badge: crate::html::status_badge(task.status.as_str()),
        tabs: [
            ("info", "INFO", format!("/tasks/{id}")),
            ("artifacts", "ARTIFACTS", format!("/tasks/{id}/artifacts")),
            ("models", "MODELS", format!("/tasks/{id}/models")),
            ("console", "CONSOLE", format!("/tasks/{id}/console")),
        ],
        active,
        count: artifact_count,
    }
}
