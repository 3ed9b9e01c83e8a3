//! The state shared by the three routers.

use crate::auth::{Identity, TokenKeys};
use crate::error::ApiError;
use axum::http::HeaderMap;
use object_store::ObjectStore;
use object_store::path::Path as StorePath;
use std::sync::Arc;
use trove_store::SharedStore;

/// Shared handle to the server state.
pub type SharedState = Arc<AppState>;

/// Everything a request handler needs.
pub struct AppState {
    /// Metadata (projects, tasks, artifact records, events, credentials).
    pub store: SharedStore,
    /// Where the files server keeps bytes (local folder by default; any object store).
    pub files: Arc<dyn ObjectStore>,
    /// Key prefix inside `files` (empty for the local default).
    pub files_prefix: StorePath,
    /// Token signing keys.
    pub keys: TokenKeys,
    /// Authentication off (`--no-auth`).
    pub no_auth: bool,
    /// Lifetime of issued tokens, seconds.
    pub token_ttl_secs: i64,
    /// Base URLs (no trailing `/`) under which artifact URIs point at this files server.
    pub files_urls: Vec<String>,
}

impl AppState {
    /// The identity of a request: a valid server-signed, unexpired bearer token (header or cookie), or the
    /// anonymous identity when authentication is off. 401 otherwise.
    pub fn authenticate(&self, headers: &HeaderMap) -> Result<Identity, ApiError> {
        if self.no_auth {
            return Ok(
                match crate::auth::bearer_token(headers).and_then(|t| self.keys.verify(&t).ok()) {
                    Some(c) => c.identity,
                    None => Identity::anonymous(),
                },
            );
        }
        let token = crate::auth::bearer_token(headers).ok_or_else(|| {
            ApiError::unauthorized(11, "Missing authentication: log in with auth.login and send 'Authorization: Bearer <token>'")
        })?;
        Ok(self.keys.verify(&token)?.identity)
    }

    /// The storage path of a confined relative key.
    pub fn file_path(&self, key: &str) -> StorePath {
        key.split('/')
            .fold(self.files_prefix.clone(), |p, part| p.join(part))
    }

    /// The files-server key an artifact URI points at, when it points at this server.
    pub fn key_of_uri(&self, uri: &str) -> Option<String> {
        let rest = self.files_urls.iter().find_map(|base| {
            uri.strip_prefix(base.as_str())
                .and_then(|r| r.strip_prefix('/'))
        })?;
        let rest = rest.split(['?', '#']).next().unwrap_or_default();
        let key = trove_core::layout::unquote(rest)?;
        trove_core::layout::is_confined(&key).then_some(key)
    }
}
