//! Login: a form that checks an access/secret key pair with the caller's verifier and sets an HttpOnly
//! cookie signed with HMAC-SHA256; a middleware that sends everyone without a valid cookie to `/login`.

use crate::Shared;
use crate::html::url_encode;
use axum::extract::{Form, Query, Request, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::{Html, IntoResponse, Redirect, Response};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use futures::future::BoxFuture;
use hmac::{Hmac, Mac};
use sha2::Sha256;
use std::future::Future;
use std::sync::Arc;

/// Name of the session cookie.
pub const COOKIE: &str = "trove_session";
/// How long a login lasts, seconds.
pub const SESSION_SECS: i64 = 12 * 3600;

/// Checks an `(access_key, secret_key)` pair; true when it may log in.
pub type Verifier = Arc<dyn Fn(String, String) -> BoxFuture<'static, bool> + Send + Sync>;

/// Whether pages need a login.
#[derive(Clone)]
pub enum WebAuth {
    /// No login: every page is open (`trove server --no-auth`, embedded mode).
    Disabled,
    /// Every page except `/login` and `/health` needs a session cookie.
    Enabled {
        /// Checks the key pair typed into the login form.
        verify: Verifier,
        /// Secret for signing session cookies (at least 32 random bytes; servers sharing sessions share it).
        cookie_key: Vec<u8>,
    },
}

impl WebAuth {
    /// Login required; `verify` is called with the typed access and secret keys, e.g. a closure that looks the
    /// key up in the store and compares the secret's hash.
    pub fn enabled<F, Fut>(cookie_key: impl Into<Vec<u8>>, verify: F) -> Self
    where
        F: Fn(String, String) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = bool> + Send + 'static,
    {
        let verify: Verifier = Arc::new(move |a, s| Box::pin(verify(a, s)));
        Self::Enabled {
            verify,
            cookie_key: cookie_key.into(),
        }
    }
}

impl std::fmt::Debug for WebAuth {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Self::Disabled => "WebAuth::Disabled",
            Self::Enabled { .. } => "WebAuth::Enabled",
        })
    }
}

pub(crate) fn mac(key: &[u8], payload: &str) -> Hmac<Sha256> {
    // HMAC accepts keys of any length, so this cannot fail.
    let mut m = <Hmac<Sha256> as Mac>::new_from_slice(key)
        .unwrap_or_else(|_| unreachable!("hmac takes any key"));
    m.update(payload.as_bytes());
    m
}

/// A signed session value for `access_key` that expires at `expires` (epoch seconds).
pub(crate) fn sign_session(key: &[u8], access_key: &str, expires: i64) -> String {
    let payload = format!("v1.{}.{expires}", URL_SAFE_NO_PAD.encode(access_key));
    let tag = hex::encode(mac(key, &payload).finalize().into_bytes());
    format!("{payload}.{tag}")
}

/// The access key of a valid, unexpired session value.
pub(crate) fn verify_session(key: &[u8], value: &str, now: i64) -> Option<String> {
    let (payload, tag) = value.rsplit_once('.')?;
    let tag = hex::decode(tag).ok()?;
    mac(key, payload).verify_slice(&tag).ok()?;
    let mut parts = payload.split('.');
    (parts.next()? == "v1").then_some(())?;
    let access = String::from_utf8(URL_SAFE_NO_PAD.decode(parts.next()?).ok()?).ok()?;
    let expires: i64 = parts.next()?.parse().ok()?;
    (parts.next().is_none() && expires > now).then_some(access)
}

pub(crate) fn cookie_value<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|kv| kv.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v)
}

/// The logged-in access key, if any (always `Some("")` when auth is disabled).
pub(crate) fn session_user(state: &Shared, headers: &HeaderMap) -> Option<String> {
    match &state.auth {
        WebAuth::Disabled => Some(String::new()),
        WebAuth::Enabled { cookie_key, .. } => verify_session(
            cookie_key,
            cookie_value(headers, COOKIE)?,
            trove_core::timefmt::now_secs(),
        ),
    }
}

/// Middleware: pass requests with a valid session, redirect the rest to `/login?next=…`.
pub(crate) async fn require_login(
    State(state): State<Shared>,
    req: Request,
    next: Next,
) -> Response {
    if session_user(&state, req.headers()).is_some() {
        return next.run(req).await;
    }
    let target = req.uri().path_and_query().map_or("/", |pq| pq.as_str());
    Redirect::to(&format!("/login?next={}", url_encode(target))).into_response()
}

/// Only same-site absolute paths are followed after login.
fn safe_next(next: Option<&str>) -> String {
    match next {
        Some(n) if n.starts_with('/') && !n.starts_with("//") && !n.contains('\\') => n.to_string(),
        _ => "/projects".to_string(),
    }
}

#[derive(serde::Deserialize)]
pub(crate) struct NextQuery {
    next: Option<String>,
}

fn login_page(next: &str, error: Option<&str>) -> String {
    use crate::templates::filters;
    use askama::Template;

    /// `templates/login.html`.
    #[derive(Template)]
    #[template(path = "login.html")]
    struct LoginPage<'a> {
        next: &'a str,
        notice: Option<crate::html::Notice>,
    }
    let page = LoginPage {
        next,
        notice: error.map(|e| crate::html::notice("err", e)),
    };
    page.render().unwrap_or_else(|e| {
        tracing::warn!(error = %e, "the login page could not be rendered");
        "the login page could not be rendered".to_string()
    })
}

/// `GET /login`.
pub(crate) async fn login_form(
    State(state): State<Shared>,
    Query(q): Query<NextQuery>,
) -> Response {
    if matches!(state.auth, WebAuth::Disabled) {
        return Redirect::to(&safe_next(q.next.as_deref())).into_response();
    }
    Html(login_page(&safe_next(q.next.as_deref()), None)).into_response()
}

#[derive(serde::Deserialize)]
pub(crate) struct LoginForm {
    access_key: String,
    secret_key: String,
    next: Option<String>,
}

/// `POST /login`.
pub(crate) async fn login_submit(
    State(state): State<Shared>,
    Form(f): Form<LoginForm>,
) -> Response {
    let next = safe_next(f.next.as_deref());
    let WebAuth::Enabled { verify, cookie_key } = &state.auth else {
        return Redirect::to(&next).into_response();
    };
    let access = f.access_key.trim().to_string();
    if access.is_empty() || !verify(access.clone(), f.secret_key).await {
        tracing::info!(access_key = %access, "web login refused");
        let page = login_page(&next, Some("Wrong access key or secret key."));
        return (StatusCode::UNAUTHORIZED, Html(page)).into_response();
    }
    let expires = trove_core::timefmt::now_secs() + SESSION_SECS;
    let cookie = format!(
        "{COOKIE}={}; Path=/; HttpOnly; SameSite=Lax; Max-Age={SESSION_SECS}",
        sign_session(cookie_key, &access, expires)
    );
    let mut resp = Redirect::to(&next).into_response();
    if let Ok(v) = HeaderValue::from_str(&cookie) {
        resp.headers_mut().insert(header::SET_COOKIE, v);
    }
    resp
}

/// `GET|POST /logout`: clear the cookie.
pub(crate) async fn logout() -> Response {
    let mut resp = Redirect::to("/login").into_response();
    resp.headers_mut().insert(
        header::SET_COOKIE,
        HeaderValue::from_static("trove_session=; Path=/; HttpOnly; SameSite=Lax; Max-Age=0"),
    );
    resp
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn session_round_trip_and_tampering() {
        let key = b"0123456789abcdef0123456789abcdef";
        let v = sign_session(key, "AK.with.dots", 2_000);
        assert_eq!(
            verify_session(key, &v, 1_000).as_deref(),
            Some("AK.with.dots")
        );
        assert_eq!(verify_session(key, &v, 2_000), None, "expired");
        assert_eq!(verify_session(b"other key", &v, 1_000), None, "wrong key");
        let forged = v.replace(".2000.", ".9000.");
        assert_eq!(verify_session(key, &forged, 1_000), None, "changed expiry");
        assert_eq!(verify_session(key, "garbage", 1_000), None);
    }

    #[test]
    fn next_is_confined_to_this_site() {
        assert_eq!(safe_next(Some("/tasks/x?a=1")), "/tasks/x?a=1");
        assert_eq!(safe_next(Some("//evil.example")), "/projects");
        assert_eq!(safe_next(Some("https://evil.example")), "/projects");
        assert_eq!(safe_next(None), "/projects");
    }
}
