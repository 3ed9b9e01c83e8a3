//! The web port: the trove web UI (crate `trove-web`) mounted over this server's store and files storage,
//! plus `/health`.

use crate::state::SharedState;
use axum::Router;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::IntoResponse;
use axum::routing::get;
use serde_json::json;
use sha2::{Digest, Sha256};
use trove_web::{WebAuth, WebState};

/// The web router: the UI, with login unless the server runs `--no-auth`. The session-cookie key is derived
/// from the token signing secret, so every server sharing one database accepts the same cookies.
pub fn router(state: SharedState, config: trove_core::Config, signing_secret: &str) -> Router {
    let auth = if state.no_auth {
        WebAuth::Disabled
    } else {
        let store = state.store.clone();
        let key = Sha256::digest(format!("trove-web-cookie\0{signing_secret}").as_bytes()).to_vec();
        WebAuth::enabled(key, move |access: String, secret: String| {
            let store = store.clone();
            async move {
                crate::credentials::check(&store, &access, &secret)
                    .await
                    .unwrap_or(false)
            }
        })
    };
    let web = WebState {
        store: state.store.clone(),
        config,
        files: Some((state.files.clone(), state.files_prefix.clone())),
        files_public_url: state.files_urls.first().cloned(),
        auth,
    };
    Router::new()
        .route("/api/health", get(health))
        .with_state(state)
        .merge(trove_web::router(web))
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
