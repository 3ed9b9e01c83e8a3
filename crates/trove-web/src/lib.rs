//! trove's web UI: server-rendered HTML pages over the metadata store and the artifact bytes.
//!
//! [`router`] returns an axum router the server mounts on its web port. Pages:
//!
//! | path | page |
//! |---|---|
//! | `/` | redirect to `/projects` |
//! | `/projects` | project tree (nested `a/b` names) with task counts |
//! | `/projects/{id}` | the project's tasks, filter by name and status, paginated in SQL, pick two to compare; settings |
//! | `POST /projects/{id}/settings` | set the project's default output destination (checked, CSRF-guarded) |
//! | `/tasks/{id}` | INFO tab: status, times, where the artifacts went and why, the task document's fields |
//! | `POST /tasks/{id}/output` | set the task's output destination while it is not completed |
//! | `/tasks/{id}/artifacts` | ARTIFACTS tab: DATA AUDIT and OTHER groups, 100 per page, lazy previews |
//! | `/tasks/{id}/models` | MODELS tab: input and output models (framework, weights, published, tags, metadata) |
//! | `/tasks/{id}/console` | CONSOLE tab: `log` events |
//! | `/models/{id}/file[?download]` | a model's weights, streamed (only inside the storage roots) |
//! | `/models/{id}/preview` | an HTML fragment: the weights file's preview |
//! | `/compare?tasks=a,b` | artifacts side by side by key, differences highlighted |
//! | `/files/{task}/{key}[?version=n][&mode=input][&download]` | the artifact's bytes, streamed |
//! | `/preview/{task}/{key}[?version=n][&mode=input]` | an HTML fragment: the artifact's preview |
//! | `/login`, `/logout` | session cookie (unless [`WebAuth::Disabled`]) |
//! | `/health` | `ok` |
//! | `/static/{file}` | the embedded stylesheet and script |
//!
//! Pages are askama templates (`templates/*.html`) that escape every value they show. Pages send a
//! Content-Security-Policy that allows no inline script, so even an escaping mistake cannot run injected code.

mod auth;
mod bytes_source;
mod csrf;
mod destination;
mod error;
mod files;
pub mod html;
mod pages;
pub mod preview;
mod render;
mod templates;

pub use auth::{KeyChecker, LoginVerdict, WebAuth};
pub use error::WebError;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::routing::{get, post};
use std::sync::Arc;
use trove_storage::StorageRoots;
use trove_store::SharedStore;

/// Largest form body the UI accepts (logins and destination forms are a few hundred bytes).
pub const MAX_FORM_BYTES: usize = 64 * 1024;

/// Everything the web UI needs; build one and pass it to [`router`].
#[derive(Clone)]
pub struct WebState {
    /// The metadata store (projects, tasks, artifact records, events).
    pub store: SharedStore,
    /// The configuration (cloud storage credentials for write tests of destinations inside `roots`).
    pub config: trove_core::Config,
    /// The only storage the UI reads artifact bytes from (and write-tests destinations in): the server's files
    /// storage under its public URLs, and the folders and buckets the administrator allowed. A record naming
    /// anything else is shown, never read.
    pub roots: Arc<StorageRoots>,
    /// The files server's base URL as recorded in artifact URIs, e.g. `http://127.0.0.1:8081` (no trailing `/`
    /// needed).
    pub files_public_url: Option<String>,
    /// Login requirement.
    pub auth: WebAuth,
}

/// The web UI's routes over `state`; see the crate documentation for the paths.
pub fn router(state: WebState) -> Router {
    let state = Arc::new(state);
    let protected = Router::new()
        .route("/", get(pages::root))
        .route("/projects", get(pages::projects::projects))
        .route("/projects/{id}", get(pages::projects::project_tasks))
        .route(
            "/projects/{id}/settings",
            post(pages::settings::project_settings),
        )
        .route("/tasks/{id}", get(pages::task::info))
        .route("/tasks/{id}/output", post(pages::settings::task_output))
        .route("/tasks/{id}/artifacts", get(pages::artifacts::artifacts))
        .route("/tasks/{id}/console", get(pages::task::console))
        .route("/tasks/{id}/models", get(pages::models::models))
        .route("/models/{id}/file", get(pages::models::model_file))
        .route("/models/{id}/preview", get(pages::models::model_preview))
        .route("/compare", get(pages::compare::compare))
        .route("/files/{task}/{*key}", get(pages::artifacts::serve_file))
        .route(
            "/preview/{task}/{*key}",
            get(pages::artifacts::preview_fragment),
        )
        .route_layer(axum::middleware::from_fn_with_state(
            state.clone(),
            auth::require_login,
        ));
    Router::new()
        .merge(protected)
        .route("/login", get(auth::login_form).post(auth::login_submit))
        .route("/logout", get(auth::logout).post(auth::logout))
        .route("/health", get(|| async { "ok" }))
        .route("/static/{file}", get(pages::static_file))
        .route(
            "/favicon.ico",
            get(|| async { axum::response::Redirect::permanent("/static/favicon.svg") }),
        )
        .fallback(pages::not_found)
        .layer(DefaultBodyLimit::max(MAX_FORM_BYTES))
        .layer(axum::middleware::from_fn(pages::security_headers))
        .with_state(state)
}

/// Shared handle to the state inside handlers.
pub(crate) type Shared = Arc<WebState>;
