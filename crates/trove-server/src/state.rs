//! The state shared by the three routers.

use crate::auth::{Claims, Identity, TokenKeys};
use crate::error::ApiError;
use crate::throttle::LoginThrottle;
use axum::http::HeaderMap;
use object_store::ObjectStore;
use object_store::path::Path as StorePath;
use std::sync::Arc;
use trove_protocol::ResultCode;
use trove_store::SharedStore;

/// Shared handle to the server state.
pub type SharedState = Arc<AppState>;

/// Size limits of request bodies.
#[derive(Debug, Clone)]
pub struct BodyLimits {
    /// Largest API body (bytes); `auth.login` takes at most [`LOGIN_BODY_LIMIT`].
    pub api: usize,
    /// Largest upload to the files server (bytes); `None` = no limit.
    pub upload: Option<u64>,
}

/// Most bytes `auth.login` reads of a body (it needs none: credentials come in a header).
pub const LOGIN_BODY_LIMIT: usize = 16 * 1024;

/// Where a request may carry its token.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum TokenFrom {
    /// Only `Authorization: Bearer`.
    Header,
    /// The header, else the `clearml_token_basic` cookie (browser downloads, JSON API calls).
    HeaderOrCookie,
}

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
    /// Body size limits.
    pub limits: BodyLimits,
    /// Failed-login counts (API and web).
    pub throttle: LoginThrottle,
}

impl AppState {
    /// The identity of a request: a valid server-signed, unexpired token of a key that is still active (checked
    /// in the store on every request, so a revoked key stops working at once on every server), or the
    /// anonymous identity when authentication is off. 401 otherwise.
    pub async fn authenticate(
        &self,
        headers: &HeaderMap,
        from: TokenFrom,
    ) -> Result<Identity, ApiError> {
        let token = match from {
            TokenFrom::Header => crate::auth::header_token(headers),
            TokenFrom::HeaderOrCookie => crate::auth::bearer_token(headers),
        };
        if self.no_auth {
            return Ok(token
                .and_then(|t| self.keys.verify(&t).ok())
                .map_or_else(Identity::anonymous, |c| c.identity));
        }
        let token = token.ok_or_else(|| {
            ApiError::new(ResultCode::NoCredentials, "Missing authentication: log in with auth.login and send 'Authorization: Bearer <token>'")
        })?;
        Ok(self.verify_active(&token).await?.identity)
    }

    /// Verify a token's signature and expiry, and that its key has not been revoked since.
    pub async fn verify_active(&self, token: &str) -> Result<Claims, ApiError> {
        let claims = self.keys.verify(token)?;
        if self.no_auth || self.key_is_active(&claims.identity.user).await? {
            Ok(claims)
        } else {
            tracing::info!(access_key = %claims.identity.user, "token of a revoked key refused");
            Err(ApiError::new(
                ResultCode::InvalidToken,
                "Invalid token: its access key has been revoked; log in with an active key",
            ))
        }
    }

    /// True while `access_key` exists and is not revoked.
    pub async fn key_is_active(&self, access_key: &str) -> Result<bool, ApiError> {
        Ok(self.store.get_credentials(access_key).await?.is_some())
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
