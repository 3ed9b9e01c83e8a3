//! Guards in front of every port, before any handler runs:
//!
//! * **Host** (DNS rebinding): when authentication is off (or `[server] allowed_hosts` is set), a request must
//!   be addressed to a loopback name, the bound address, a configured public URL's host or an allowed host.
//!   Otherwise a web page on `evil.example` whose name is re-pointed at 127.0.0.1 could read and change
//!   everything through the visitor's browser.
//! * **Cross-site browser requests** (API and files ports): a request a browser marks as coming from
//!   another site or origin (`Sec-Fetch-Site: cross-site|same-site`, or an `Origin` other than the request's
//!   own host) is refused. SDKs send neither header; only a page in a browser does, and no page of another
//!   origin has any business calling these ports (the web UI renders on the server).

use crate::error::ApiError;
use axum::extract::{Request, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use std::sync::Arc;
use trove_protocol::ResultCode;

/// What the guard of one port checks.
#[derive(Debug, Clone)]
pub struct Guard {
    /// Host names (lower case, no port, IPv6 without brackets) a request may name; `None` = any.
    pub hosts: Option<Vec<String>>,
    /// Refuse cross-site and cross-origin browser requests.
    pub refuse_cross_site: bool,
    /// Answer refusals as API envelopes (API and files ports) rather than plain text (web port).
    pub envelope: bool,
}

/// Loopback names every server answers to.
pub const LOOPBACK_NAMES: [&str; 3] = ["localhost", "127.0.0.1", "::1"];

/// The host name of a `Host` header or URL authority: lower case, port and IPv6 brackets removed.
pub fn host_name(authority: &str) -> String {
    let a = authority.trim().to_ascii_lowercase();
    let a = a
        .rsplit_once('@')
        .map_or(a.as_str(), |(_, h)| h)
        .to_string();
    if let Some(rest) = a.strip_prefix('[') {
        return rest.split(']').next().unwrap_or_default().to_string();
    }
    match a.rsplit_once(':') {
        Some((h, port)) if port.chars().all(|c| c.is_ascii_digit()) => h.to_string(),
        _ => a,
    }
}

/// The host name of a URL (`http://name:port/...` → `name`).
pub fn url_host(url: &str) -> Option<String> {
    let rest = url.split_once("://")?.1;
    let authority = rest.split(['/', '?', '#']).next()?;
    (!authority.is_empty()).then(|| host_name(authority))
}

fn refuse(g: &Guard, msg: String) -> Response {
    tracing::info!(reason = %msg, "request refused by the guard");
    if g.envelope {
        ApiError::new(ResultCode::Forbidden, msg).into_response()
    } else {
        (StatusCode::FORBIDDEN, msg).into_response()
    }
}

fn text<'a>(h: &'a HeaderMap, name: &str) -> Option<&'a str> {
    h.get(name).and_then(|v| v.to_str().ok())
}

/// Why the request must be refused, if it must.
pub fn verdict(g: &Guard, h: &HeaderMap) -> Option<String> {
    let host = text(h, header::HOST.as_str()).unwrap_or_default();
    if let Some(allowed) = &g.hosts {
        let name = host_name(host);
        if !allowed.contains(&name) {
            return Some(format!(
                "requests addressed to host {host:?} are refused (this server answers to {}); add the name to [server] allowed_hosts if it is yours",
                allowed.join(", ")
            ));
        }
    }
    if g.refuse_cross_site {
        if let Some(site @ ("cross-site" | "same-site")) = text(h, "sec-fetch-site") {
            return Some(format!(
                "browser requests from other sites are refused (Sec-Fetch-Site: {site})"
            ));
        }
        if let Some(origin) = text(h, header::ORIGIN.as_str()) {
            let own = origin
                .split_once("://")
                .map(|(_, a)| a.trim_end_matches('/'));
            if own.is_none_or(|a| !a.eq_ignore_ascii_case(host)) {
                return Some(format!(
                    "browser requests from another origin ({origin}) are refused"
                ));
            }
        }
    }
    None
}

/// The middleware: refuse what [`verdict`] refuses, pass the rest.
pub async fn check(State(g): State<Arc<Guard>>, req: Request, next: Next) -> Response {
    match verdict(&g, req.headers()) {
        Some(msg) => refuse(&g, msg),
        None => next.run(req).await,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    fn headers(pairs: &[(&'static str, &'static str)]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for (k, v) in pairs {
            h.insert(*k, HeaderValue::from_static(v));
        }
        h
    }

    #[test]
    fn host_names_parse() {
        assert_eq!(host_name("LocalHost:8080"), "localhost");
        assert_eq!(host_name("[::1]:8008"), "::1");
        assert_eq!(host_name("example.com"), "example.com");
        assert_eq!(
            url_host("https://files.example.com:443/x").as_deref(),
            Some("files.example.com")
        );
    }

    #[test]
    fn hosts_and_origins() {
        let g = Guard {
            hosts: Some(LOOPBACK_NAMES.iter().map(|s| s.to_string()).collect()),
            refuse_cross_site: true,
            envelope: true,
        };
        assert!(verdict(&g, &headers(&[("host", "127.0.0.1:8008")])).is_none());
        assert!(verdict(&g, &headers(&[("host", "[::1]:8008")])).is_none());
        assert!(verdict(&g, &headers(&[("host", "rebind.evil.example:8008")])).is_some());
        assert!(verdict(&g, &headers(&[])).is_some(), "no Host at all");
        let same = headers(&[
            ("host", "localhost:8008"),
            ("origin", "http://localhost:8008"),
        ]);
        assert!(verdict(&g, &same).is_none());
        for bad in [
            headers(&[
                ("host", "localhost:8008"),
                ("origin", "http://evil.example"),
            ]),
            headers(&[("host", "localhost:8008"), ("origin", "null")]),
            headers(&[("host", "localhost:8008"), ("sec-fetch-site", "cross-site")]),
            headers(&[("host", "localhost:8008"), ("sec-fetch-site", "same-site")]),
        ] {
            assert!(verdict(&g, &bad).is_some(), "{bad:?}");
        }
        let open = Guard {
            hosts: None,
            refuse_cross_site: false,
            envelope: false,
        };
        assert!(verdict(&open, &headers(&[("host", "anything")])).is_none());
    }
}
