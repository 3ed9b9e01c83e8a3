//! The web port: the trove web UI (crate `trove-web`) mounted over this server's store and storage roots,
//! plus `/api/health`. Web logins are checked like API logins: the same credentials, the same throttle, and
//! every page request checks that the session's key is still active.

use crate::ServeOptions;
use crate::state::SharedState;
use axum::Router;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::IntoResponse;
use axum::routing::get;
use futures::future::BoxFuture;
use serde_json::json;
use sha2::{Digest, Sha256};
use std::net::IpAddr;
use std::sync::Arc;
use trove_storage::StorageRoots;
use trove_web::{KeyChecker, LoginVerdict, WebAuth, WebState};

/// Checks web logins against the server's credentials, with the server's login throttle.
struct ServerKeys(SharedState);

impl KeyChecker for ServerKeys {
    fn login(
        &self,
        access: String,
        secret: String,
        client: IpAddr,
    ) -> BoxFuture<'static, LoginVerdict> {
        let st = self.0.clone();
        Box::pin(async move {
            if let Err(wait) = st.throttle.check(client, &access) {
                tracing::warn!(access_key = %access, %client, "web login throttled");
                return LoginVerdict::Throttled {
                    retry_after_secs: wait.as_secs() + 1,
                };
            }
            match crate::credentials::check(&st.store, &access, &secret).await {
                Ok(true) => LoginVerdict::Accepted,
                Ok(false) => {
                    st.throttle.failed(client, &access);
                    LoginVerdict::Refused
                }
                Err(e) => {
                    tracing::error!(error = %e, "cannot check web login credentials");
                    LoginVerdict::Unavailable
                }
            }
        })
    }

    fn is_active(&self, access: String) -> BoxFuture<'static, bool> {
        let st = self.0.clone();
        Box::pin(async move { st.key_is_active(&access).await.unwrap_or(false) })
    }
}

/// The web router: the UI, with login unless the server runs `--no-auth`. The session-cookie key is derived
/// from the token signing secret, so every server sharing one database accepts the same cookies.
pub fn router(
    state: SharedState,
    opts: &ServeOptions,
    roots: StorageRoots,
    signing_secret: &str,
) -> Router {
    let auth = if state.no_auth {
        WebAuth::Disabled
    } else {
        let key = Sha256::digest(format!("trove-web-cookie\0{signing_secret}").as_bytes()).to_vec();
        WebAuth::enabled(key, Arc::new(ServerKeys(state.clone())))
            .session_ttl(opts.session_ttl_secs)
            .secure_cookies(opts.config.server.secure_cookies)
    };
    let web = WebState {
        store: state.store.clone(),
        config: opts.config.clone(),
        roots: Arc::new(roots),
        files_public_url: state.files_urls.first().cloned(),
        auth,
    };
    Router::new()
        .route("/api/health", get(health))
        .with_state(state)
        .merge(trove_web::router(web))
}

/// `200 {"status":"ok"}` when the metadata store answers, `503` otherwise (the cause goes to the log).
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
        Err(e) => {
            tracing::error!(error = %e, "health check: the metadata store does not answer");
            (
                StatusCode::SERVICE_UNAVAILABLE,
                axum::Json(
                    json!({ "status": "error", "error": "the metadata store does not answer" }),
                ),
            )
        }
    }
}
