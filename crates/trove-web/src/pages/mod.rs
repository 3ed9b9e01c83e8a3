//! Page handlers and what they share: loading a task, the task tab bar, static assets, security headers.

pub(crate) mod artifacts;
pub(crate) mod compare;
mod preview_load;
pub(crate) mod projects;
pub(crate) mod settings;
pub(crate) mod task;

use crate::Shared;
use crate::error::{WebError, WebResult};
use crate::html::{escape, url_encode};
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

/// Breadcrumbs for a task: projects › each project level › task.
pub(crate) async fn task_crumbs(
    state: &Shared,
    task: &Task,
) -> WebResult<(Option<Project>, String)> {
    let project = state.store.get_project(&task.project).await?;
    let mut c = String::from(r#"<a href="/projects">Projects</a>"#);
    if let Some(p) = &project {
        c.push_str(&format!(
            r#"<span>›</span><a href="/projects/{}">{}</a>"#,
            url_encode(&p.id),
            escape(&p.name)
        ));
    }
    c.push_str(&format!(
        r#"<span>›</span><span class="here">{}</span>"#,
        escape(&task.name)
    ));
    Ok((project, c))
}

/// The header of a task page with its tab bar; `active` is `info`, `artifacts` or `console`.
pub(crate) fn task_header(task: &Task, active: &str, artifact_count: Option<u64>) -> String {
    let id = url_encode(&task.id);
    let tab = |name: &str, label: &str, href: String| {
        let cls = if name == active {
            " class=\"active\""
        } else {
            ""
        };
        format!(r#"<a{cls} href="{href}">{label}</a>"#)
    };
    let count = artifact_count
        .map(|n| format!(" <span class=\"count\">{n}</span>"))
        .unwrap_or_default();
    format!(
        r#"<section class="taskhead"><div><h1>{name}</h1><div class="muted small mono">{idtxt}</div></div>{status}</section>
<nav class="tabs">{info}{arts}{console}</nav>"#,
        name = escape(&task.name),
        idtxt = escape(&task.id),
        status = crate::html::status_badge(task.status.as_str()),
        info = tab("info", "INFO", format!("/tasks/{id}")),
        arts = tab(
            "artifacts",
            &format!("ARTIFACTS{count}"),
            format!("/tasks/{id}/artifacts")
        ),
        console = tab("console", "CONSOLE", format!("/tasks/{id}/console")),
    )
}
