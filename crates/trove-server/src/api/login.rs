//! `auth.login`: Basic credentials (or a still-valid bearer token) → a fresh signed token.

use super::context::Ctx;
use crate::auth::{self, Identity};
use crate::error::ApiError;
use serde_json::json;
use trove_protocol::ResultCode;
use trove_protocol::endpoints::{LoginRequest, LoginResponse};

/// `auth.login`: Basic `access_key:secret_key` (or a still-valid bearer token of an active key) → a fresh
/// signed token. `expiration_sec` (body or query) shortens the token's life; it never extends past the
/// configured TTL, and a token renewed from a bearer token never outlives the one it renews. Failed logins
/// are throttled per client address and per key ([`crate::throttle`]).
pub async fn login(ctx: &Ctx, req: LoginRequest) -> Result<LoginResponse, ApiError> {
    let st = &ctx.state;
    let now = trove_core::timefmt::now_secs();
    let basic = auth::basic_credentials(&ctx.headers)?;
    let (identity, not_after) = match basic {
        Some((key, _)) if st.no_auth => (Identity::for_key(&key), None),
        Some((key, secret)) => {
            if let Err(wait) = st.throttle.check(ctx.client, &key) {
                tracing::warn!(access_key = %key, client = %ctx.client, "login throttled");
                return Err(ApiError::new(
                    ResultCode::TooManyRequests,
                    format!(
                        "Too many failed logins: try again in {} s",
                        wait.as_secs() + 1
                    ),
                )
                .with_data(json!({ "retry_after": wait.as_secs() + 1 })));
            }
            let ok = crate::credentials::check(&st.store, &key, &secret)
                .await
                .map_err(|e| ApiError::internal(format!("cannot check credentials: {e}")))?;
            if !ok {
                st.throttle.failed(ctx.client, &key);
                tracing::warn!(access_key = %key, client = %ctx.client, "login refused: unknown key, revoked key or wrong secret");
                return Err(ApiError::new(
                    ResultCode::InvalidCredentials,
                    "Invalid credentials: unknown access key or wrong secret key",
                ));
            }
            (Identity::for_key(&key), None)
        }
        None => match auth::header_token(&ctx.headers) {
            Some(t) => match st.verify_active(&t).await {
                Ok(c) => (c.identity, Some(c.exp)),
                Err(_) if st.no_auth => (Identity::anonymous(), None),
                Err(e) => return Err(e),
            },
            None if st.no_auth => (Identity::anonymous(), None),
            None => {
                return Err(ApiError::new(
                    ResultCode::NoCredentials,
                    "Missing credentials: send 'Authorization: Basic base64(access_key:secret_key)'",
                ));
            }
        },
    };
    let ttl = match req.expiration_sec {
        Some(s) if s > 0 => (s.min(i64::MAX as u64) as i64).min(st.token_ttl_secs),
        _ => st.token_ttl_secs,
    };
    let exp = not_after.map_or(now + ttl, |limit| (now + ttl).min(limit));
    Ok(LoginResponse {
        token: st.keys.issue_until(identity, now, exp)?,
    })
}
