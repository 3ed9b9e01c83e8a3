//! The web port: for now a page saying the server is up, and `/health`. The web UI will live here.

use crate::state::SharedState;
use axum::Router;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse};
use axum::routing::get;
use serde_json::json;

/// The web router.
pub fn router(state: SharedState) -> Router {
    Router::new()
        .route("/", get(index))
        .route("/health", get(health))
        .with_state(state)
}

async fn index() -> Html<&'static str> {
    Html(concat!(
        "<!doctype html><html><head><meta charset=\"utf-8\"><title>trove</title></head><body>",
        "<h1>trove server is up</h1>",
        "<p>The ClearML-compatible API and files server are running. A web UI will appear here.</p>",
        "<p><a href=\"/health\">/health</a></p></body></html>"
    ))
}

/// `200 {"status":"ok"}` when the metadata store answers, `503` otherwise.
async fn health(State(st): State<SharedState>) -> impl IntoResponse {
    match st
        .store
        .get_setting(crate::auth::TOKEN_SECRET_SETTING)
        .await
    {
        Ok(_) => (
            StatusCode::OK,
            axum::Json(json!({ "status": "ok", "engine": st.store.engine() })),
        ),
        Err(e) => (
            StatusCode::SERVICE_UNAVAILABLE,
            axum::Json(json!({ "status": "error", "error": e.to_string() })),
        ),
    }
}
