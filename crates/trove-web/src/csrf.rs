//! The CSRF guard of the UI's forms. Login cookies are `SameSite=Lax`, so other sites cannot POST with them in
//! current browsers; on top of that every form carries a token bound to the session (an HMAC of the session
//! cookie under the cookie key), and a request whose `Origin` (or `Sec-Fetch-Site`) says it came from another
//! site is refused even with a valid token.

use crate::auth::{COOKIE, WebAuth, cookie_value, mac};
use crate::error::WebError;
use crate::{Shared, WebState};
use axum::http::{HeaderMap, header};
use hmac::Mac;
use std::sync::OnceLock;

/// Name of the hidden form field carrying the token.
pub(crate) const FIELD: &str = "csrf";

/// Key for servers without login: random per process (a restart invalidates open forms, nothing else).
fn anonymous_key() -> &'static [u8] {
    static KEY: OnceLock<String> = OnceLock::new();
    KEY.get_or_init(|| format!("{}{}", trove_core::ids::new_id(), trove_core::ids::new_id()))
        .as_bytes()
}

fn key_and_session<'a>(state: &'a WebState, headers: &'a HeaderMap) -> (&'a [u8], &'a str) {
    match &state.auth {
        WebAuth::Disabled => (anonymous_key(), ""),
        WebAuth::Enabled { cookie_key, .. } => (
            cookie_key.as_slice(),
            cookie_value(headers, COOKIE).unwrap_or(""),
        ),
    }
}

/// The token for forms shown to the caller of this request.
pub(crate) fn token(state: &Shared, headers: &HeaderMap) -> String {
    let (key, session) = key_and_session(state, headers);
    hex::encode(
        mac(key, &format!("csrf\0{session}"))
            .finalize()
            .into_bytes(),
    )
}

/// The hidden input to put in every POST form (`templates/csrf.html`); embed it with `{{ csrf|fragment }}`.
#[derive(askama::Template)]
#[template(path = "csrf.html")]
pub(crate) struct HiddenInput {
    /// The field name, [`FIELD`].
    name: &'static str,
    /// The token from [`token`].
    token: String,
}

/// The hidden input to put in every POST form.
pub(crate) fn hidden_input(state: &Shared, headers: &HeaderMap) -> HiddenInput {
    HiddenInput {
        name: FIELD,
        token: token(state, headers),
    }
}

/// Refuse cross-site requests and requests without this session's token.
pub(crate) fn check(state: &Shared, headers: &HeaderMap, submitted: &str) -> Result<(), WebError> {
    same_origin(headers)?;
    let (key, session) = key_and_session(state, headers);
    let ok = hex::decode(submitted.trim()).ok().is_some_and(|tag| {
        mac(key, &format!("csrf\0{session}"))
            .verify_slice(&tag)
            .is_ok()
    });
    if ok {
        Ok(())
    } else {
        tracing::info!("web form refused: missing or wrong CSRF token");
        Err(WebError::Forbidden(
            "the form's security token is missing or expired; reload the page and submit again"
                .into(),
        ))
    }
}

/// `Origin` must name this host when present; `Sec-Fetch-Site: cross-site` is refused.
fn same_origin(headers: &HeaderMap) -> Result<(), WebError> {
    let text = |name: &str| headers.get(name).and_then(|v| v.to_str().ok());
    if text("sec-fetch-site") == Some("cross-site") {
        return Err(WebError::Forbidden(
            "the form was sent from another site".into(),
        ));
    }
    let Some(origin) = headers.get(header::ORIGIN).and_then(|v| v.to_str().ok()) else {
        return Ok(());
    };
    let host = headers
        .get(header::HOST)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    let origin_host = origin
        .strip_prefix("http://")
        .or_else(|| origin.strip_prefix("https://"));
    if host.is_empty() || origin_host != Some(host) {
        return Err(WebError::Forbidden(format!(
            "the form was sent from another origin ({origin})"
        )));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    #[test]
    fn origin_must_match_host() {
        let mut h = HeaderMap::new();
        h.insert(header::HOST, HeaderValue::from_static("127.0.0.1:8080"));
        assert!(same_origin(&h).is_ok(), "no Origin: the token decides");
        h.insert(
            header::ORIGIN,
            HeaderValue::from_static("http://127.0.0.1:8080"),
        );
        assert!(same_origin(&h).is_ok());
        h.insert(
            header::ORIGIN,
            HeaderValue::from_static("http://evil.example"),
        );
        assert!(same_origin(&h).is_err());
        h.insert(header::ORIGIN, HeaderValue::from_static("null"));
        assert!(same_origin(&h).is_err());
    }
}
