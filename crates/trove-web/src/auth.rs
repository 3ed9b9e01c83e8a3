//! Login: a form that checks an access/secret key pair with the server's [`KeyChecker`] (which also
//! throttles failed attempts) and sets an HttpOnly cookie signed with HMAC-SHA256; a middleware that sends
//! everyone without a valid session to `/login`, and ends sessions whose key has been revoked at once.

use crate::Shared;
use crate::html::url_encode;
use axum::extract::{ConnectInfo, Extension, Form, Query, Request, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::{Html, IntoResponse, Redirect, Response};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use futures::future::BoxFuture;
use hmac::{Hmac, Mac};
use sha2::Sha256;
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::sync::Arc;

/// Name of the session cookie.
pub const COOKIE: &str = "trove_session";
/// How long a login lasts by default, seconds.
pub const SESSION_SECS: i64 = 12 * 3600;

/// The answer to a login attempt.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LoginVerdict {
    /// The pair names an active key with that secret.
    Accepted,
    /// Unknown key, revoked key or wrong secret.
    Refused,
    /// Too many failed attempts from this client or for this key: try again later.
    Throttled {
        /// Seconds to wait.
        retry_after_secs: u64,
    },
    /// The credentials could not be checked (the store failed).
    Unavailable,
}

/// Checks logins and whether a logged-in key is still active; the server implements it over its credentials
/// store and login throttle.
pub trait KeyChecker: Send + Sync + 'static {
    /// Check a typed `(access_key, secret_key)` pair sent from `client`.
    fn login(
        &self,
        access: String,
        secret: String,
        client: IpAddr,
    ) -> BoxFuture<'static, LoginVerdict>;
    /// True while `access` exists and is not revoked (asked on every request of a session).
    fn is_active(&self, access: String) -> BoxFuture<'static, bool>;
}

/// Whether pages need a login.
#[derive(Clone)]
pub enum WebAuth {
    /// No login: every page is open (`trove server --no-auth`, embedded mode).
    Disabled,
    /// Every page except `/login` and `/health` needs a session cookie of an active key.
    Enabled {
        /// Checks logins and sessions.
        checker: Arc<dyn KeyChecker>,
        /// Secret for signing session cookies (at least 32 random bytes; servers sharing sessions share it).
        cookie_key: Vec<u8>,
        /// How long a login lasts, seconds.
        session_ttl_secs: i64,
        /// `Some(true)`: always mark the cookie `Secure`; `Some(false)`: never; `None`: when the request came
        /// through https (`X-Forwarded-Proto: https` from a reverse proxy).
        secure_cookies: Option<bool>,
    },
}

impl WebAuth {
    /// Login required, checked by `checker`; sessions last [`SESSION_SECS`] unless
    /// [`WebAuth::session_ttl`] says otherwise.
    pub fn enabled(cookie_key: impl Into<Vec<u8>>, checker: Arc<dyn KeyChecker>) -> Self {
        Self::Enabled {
            checker,
            cookie_key: cookie_key.into(),
            session_ttl_secs: SESSION_SECS,
            secure_cookies: None,
        }
    }

    /// Set how long a login lasts (at least a minute).
    pub fn session_ttl(mut self, secs: i64) -> Self {
        if let Self::Enabled {
            session_ttl_secs, ..
        } = &mut self
        {
            *session_ttl_secs = secs.max(60);
        }
        self
    }

    /// Set when the session cookie is marked `Secure` (see [`WebAuth::Enabled`]).
    pub fn secure_cookies(mut self, secure: Option<bool>) -> Self {
        if let Self::Enabled { secure_cookies, .. } = &mut self {
            *secure_cookies = secure;
        }
        self
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

/// The access key of the request's signed, unexpired session cookie (always `Some("")` when auth is
/// disabled). Whether the key is still active is checked by [`require_login`].
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

/// Middleware: pass requests with a valid session of an active key, redirect the rest to `/login?next=…`.
pub(crate) async fn require_login(
    State(state): State<Shared>,
    req: Request,
    next: Next,
) -> Response {
    let active = match (&state.auth, session_user(&state, req.headers())) {
        (WebAuth::Disabled, _) => true,
        (WebAuth::Enabled { checker, .. }, Some(access)) => {
            let ok = checker.is_active(access.clone()).await;
            if !ok {
                tracing::info!(access_key = %access, "web session of a revoked key ended");
            }
            ok
        }
        (_, None) => false,
    };
    if active {
        return next.run(req).await;
    }
    let target = req.uri().path_and_query().map_or("/", |pq| pq.as_str());
    let mut resp = Redirect::to(&format!("/login?next={}", url_encode(target))).into_response();
    if cookie_value(req.headers(), COOKIE).is_some() {
        resp.headers_mut()
            .insert(header::SET_COOKIE, HeaderValue::from_static(CLEAR_COOKIE));
    }
    resp
}

const CLEAR_COOKIE: &str = "trove_session=; Path=/; HttpOnly; SameSite=Lax; Max-Age=0";

/// Only same-site absolute paths are followed after login: `/` then a character that starts a path segment,
/// and nothing a browser would drop or reinterpret (whitespace and control characters, which browsers strip
/// from URLs, so `/\t/evil.example` would become `//evil.example`; backslashes, which they read as `/`).
fn safe_next(next: Option<&str>) -> String {
    match next {
        Some(n)
            if n.starts_with('/')
                && !n.starts_with("//")
                && n.chars().all(|c| c.is_ascii_graphic())
                && !n.contains('\\') =>
        {
            n.to_string()
        }
        _ => "/projects".to_string(),
    }
}

/// True when the session cookie must carry `Secure`.
fn secure(setting: Option<bool>, headers: &HeaderMap) -> bool {
    setting.unwrap_or_else(|| {
        headers
            .get("x-forwarded-proto")
            .and_then(|v| v.to_str().ok())
            .is_some_and(|p| p.trim().eq_ignore_ascii_case("https"))
    })
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
    client: Option<Extension<ConnectInfo<SocketAddr>>>,
    headers: HeaderMap,
    Form(f): Form<LoginForm>,
) -> Response {
    let next = safe_next(f.next.as_deref());
    let WebAuth::Enabled {
        checker,
        cookie_key,
        session_ttl_secs,
        secure_cookies,
    } = &state.auth
    else {
        return Redirect::to(&next).into_response();
    };
    let client = client.map_or(IpAddr::V4(Ipv4Addr::UNSPECIFIED), |c| c.0.0.ip());
    let access = f.access_key.trim().to_string();
    let verdict = if access.is_empty() {
        LoginVerdict::Refused
    } else {
        checker.login(access.clone(), f.secret_key, client).await
    };
    let (status, msg) = match verdict {
        LoginVerdict::Accepted => {
            let ttl = *session_ttl_secs;
            let expires = trove_core::timefmt::now_secs() + ttl;
            let secure = if secure(*secure_cookies, &headers) {
                "; Secure"
            } else {
                ""
            };
            let cookie = format!(
                "{COOKIE}={}; Path=/; HttpOnly; SameSite=Lax; Max-Age={ttl}{secure}",
                sign_session(cookie_key, &access, expires)
            );
            let mut resp = Redirect::to(&next).into_response();
            if let Ok(v) = HeaderValue::from_str(&cookie) {
                resp.headers_mut().insert(header::SET_COOKIE, v);
            }
            return resp;
        }
        LoginVerdict::Refused => (
            StatusCode::UNAUTHORIZED,
            "Wrong access key or secret key.".to_string(),
        ),
        LoginVerdict::Throttled { retry_after_secs } => (
            StatusCode::TOO_MANY_REQUESTS,
            format!("Too many failed logins. Try again in {retry_after_secs} s."),
        ),
        LoginVerdict::Unavailable => (
            StatusCode::SERVICE_UNAVAILABLE,
            "The server cannot check credentials right now. Try again later.".to_string(),
        ),
    };
    tracing::info!(access_key = %access, %client, ?verdict, "web login refused");
    (status, Html(login_page(&next, Some(&msg)))).into_response()
}

/// `GET|POST /logout`: clear the cookie.
pub(crate) async fn logout() -> Response {
    let mut resp = Redirect::to("/login").into_response();
    resp.headers_mut()
        .insert(header::SET_COOKIE, HeaderValue::from_static(CLEAR_COOKIE));
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
        for evil in [
            "/\t/evil.example",
            "/\n/evil.example",
            "/ /evil.example",
            "/\\evil.example",
            "/\\/evil.example",
            "/\u{3000}/evil.example",
        ] {
            assert_eq!(safe_next(Some(evil)), "/projects", "{evil:?}");
        }
        let mut h = HeaderMap::new();
        assert!(!secure(None, &h));
        assert!(secure(Some(true), &h));
        h.insert("x-forwarded-proto", HeaderValue::from_static("https"));
        assert!(secure(None, &h));
        assert!(!secure(Some(false), &h));
    }
}
