//! The ClearML files-server protocol (docs/clearml-compat.md §7.6): `POST /` multipart uploads where the field name is the
//! destination path, streamed chunk by chunk into the object store (a partial upload never appears under
//! its final name); `GET`/`HEAD /<path>` with `Content-Length`, single `Range` requests and `?download`;
//! `DELETE /<path>`; `POST /delete_many`; `GET /` → `OK`. Every route but `GET /` needs a token (downloads
//! also take it from the `clearml_token_basic` cookie; writes only from the `Authorization` header).
//!
//! Downloads are inert in a browser: `nosniff`, a `sandbox` CSP, and active types (HTML, SVG, XML, scripts)
//! sent as attachments, so an uploaded page cannot run on this origin.

use crate::error::ApiError;
use crate::state::{SharedState, TokenFrom};
use axum::Router;
use axum::body::Body;
use axum::extract::{DefaultBodyLimit, FromRequest, Multipart, Request, State};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use axum::response::{IntoResponse, Response};
use futures::StreamExt;
use object_store::{GetOptions, GetRange, ObjectStoreExt, WriteMultipart};
use serde_json::json;
use trove_protocol::ResultCode;

/// Upload parts are written to the store in chunks of this size.
pub const UPLOAD_CHUNK: usize = 5 * 1024 * 1024;
/// Chunks in flight per upload.
const UPLOAD_CONCURRENCY: usize = 4;

/// The files router (no body size cap).
pub fn router(state: SharedState) -> Router {
    Router::new()
        .fallback(handle)
        .layer(DefaultBodyLimit::disable())
        .with_state(state)
}

async fn handle(State(st): State<SharedState>, req: Request) -> Response {
    match route(st, req).await {
        Ok(r) => r,
        Err(e) => e.into_response(),
    }
}

async fn route(st: SharedState, req: Request) -> Result<Response, ApiError> {
    let method = req.method().clone();
    let path = req.uri().path().to_string();
    let query = req.uri().query().unwrap_or("").to_string();
    if path == "/" && matches!(method, Method::GET | Method::HEAD) {
        return Ok((StatusCode::OK, "OK").into_response());
    }
    let from = if matches!(method, Method::GET | Method::HEAD) {
        TokenFrom::HeaderOrCookie
    } else {
        TokenFrom::Header
    };
    st.authenticate(req.headers(), from).await?;
    match (method, path.as_str()) {
        (Method::POST, "/") => upload(st, req).await,
        (Method::POST, "/delete_many") => delete_many(st, req).await,
        (Method::GET, _) => download(st, &path, &query, req.headers(), false).await,
        (Method::HEAD, _) => download(st, &path, &query, req.headers(), true).await,
        (Method::DELETE, _) => delete_one(st, &path).await,
        (m, _) => Err(ApiError::new(
            ResultCode::MethodNotAllowed,
            format!("method {m} not allowed on the files server"),
        )),
    }
}

/// Percent-decode a URL path once and confine it (no `..`, absolute parts, backslashes or NUL).
pub fn key_from_url_path(path: &str) -> Result<String, ApiError> {
    let raw = path.strip_prefix('/').unwrap_or(path);
    let key = trove_core::layout::unquote(raw)
        .ok_or_else(|| ApiError::bad_request("malformed percent-encoding in path"))?;
    confine(&key)
}

fn confine(key: &str) -> Result<String, ApiError> {
    if trove_core::layout::is_confined(key) {
        Ok(key.to_string())
    } else {
        Err(ApiError::bad_request(format!(
            "invalid path {key:?}: it must stay inside the files root"
        )))
    }
}

async fn upload(st: SharedState, req: Request) -> Result<Response, ApiError> {
    let mut mp = Multipart::from_request(req, &()).await.map_err(|e| {
        ApiError::bad_request(format!("expected a multipart/form-data upload: {e}"))
    })?;
    let mut stored = Vec::new();
    while let Some(mut field) = mp
        .next_field()
        .await
        .map_err(|e| ApiError::bad_request(format!("malformed multipart body: {e}")))?
    {
        let name = field
            .name()
            .filter(|n| !n.is_empty())
            .or(field.file_name())
            .unwrap_or("")
            .to_string();
        let key = confine(name.trim_start_matches('/'))?;
        let path = st.file_path(&key);
        let upload = st.files.put_multipart(&path).await?;
        let mut w = WriteMultipart::new_with_chunk_size(upload, UPLOAD_CHUNK);
        let mut size: u64 = 0;
        let max = st.limits.upload;
        let result: Result<(), ApiError> =
            async {
                while let Some(chunk) = field.chunk().await.map_err(|e| {
                    ApiError::bad_request(format!("upload of {key:?} interrupted: {e}"))
                })? {
                    size += chunk.len() as u64;
                    if let Some(max) = max.filter(|m| size > *m) {
                        return Err(ApiError::new(
                            ResultCode::PayloadTooLarge,
                            format!(
                                "upload of {key:?} is larger than this server's limit of {max} bytes ([server] max_upload_mib)"
                            ),
                        ));
                    }
                    w.wait_for_capacity(UPLOAD_CONCURRENCY).await?;
                    w.write(&chunk);
                }
                Ok(())
            }
            .await;
        match result {
            Ok(()) => {
                w.finish().await?;
                tracing::debug!(%key, size, "stored upload");
                stored.push(key);
            }
            Err(e) => {
                if let Err(abort) = w.abort().await {
                    tracing::warn!(%key, error = %abort, "could not discard a partial upload");
                }
                return Err(e);
            }
        }
    }
    Ok((StatusCode::OK, axum::Json(stored)).into_response())
}

/// A parsed single `Range: bytes=` header.
fn parse_range(h: &str) -> Option<GetRange> {
    let spec = h.trim().strip_prefix("bytes=")?;
    if spec.contains(',') {
        return None;
    }
    let (a, b) = spec.split_once('-')?;
    let (a, b) = (a.trim(), b.trim());
    match (a.is_empty(), b.is_empty()) {
        (true, false) => Some(GetRange::Suffix(b.parse().ok()?)),
        (false, true) => Some(GetRange::Offset(a.parse().ok()?)),
        (false, false) => {
            let (s, e): (u64, u64) = (a.parse().ok()?, b.parse().ok()?);
            (e >= s).then(|| GetRange::Bounded(s..e + 1))
        }
        (true, true) => None,
    }
}

/// The content type of a download and whether a browser may show it inline. Only passive types are inline;
/// HTML, SVG, XML, scripts and unknown types are attachments (`application/octet-stream` for the active
/// ones), so nothing uploaded runs as a page of this origin.
fn content_type(key: &str) -> (&'static str, bool) {
    let ext = key.rsplit('.').next().unwrap_or("").to_ascii_lowercase();
    match ext.as_str() {
        "json" => ("application/json", true),
        "csv" => ("text/csv; charset=utf-8", true),
        "txt" | "log" => ("text/plain; charset=utf-8", true),
        "yaml" | "yml" => ("text/plain; charset=utf-8", true),
        "png" => ("image/png", true),
        "jpg" | "jpeg" => ("image/jpeg", true),
        "gif" => ("image/gif", true),
        "webp" => ("image/webp", true),
        "zip" => ("application/zip", false),
        _ => ("application/octet-stream", false),
    }
}

async fn download(
    st: SharedState,
    path: &str,
    query: &str,
    headers: &HeaderMap,
    head: bool,
) -> Result<Response, ApiError> {
    let key = key_from_url_path(path)?;
    let loc = st.file_path(&key);
    let meta = st
        .files
        .head(&loc)
        .await
        .map_err(|e| not_found_or(e, &key))?;
    let total = meta.size;
    let range = headers
        .get(header::RANGE)
        .and_then(|v| v.to_str().ok())
        .and_then(parse_range);
    let (status, start, end) = match &range {
        None => (StatusCode::OK, 0, total),
        Some(r) => match r.as_range(total) {
            Ok(r) if r.start < total || total == 0 => (StatusCode::PARTIAL_CONTENT, r.start, r.end),
            _ => {
                let mut resp = ApiError::new(
                    ResultCode::RangeNotSatisfiable,
                    format!("range not satisfiable (size {total})"),
                )
                .into_response();
                if let Ok(v) = HeaderValue::from_str(&format!("bytes */{total}")) {
                    resp.headers_mut().insert(header::CONTENT_RANGE, v);
                }
                return Ok(resp);
            }
        },
    };
    let (ctype, inline) = content_type(&key);
    let mut b = Response::builder()
        .status(status)
        .header(header::CONTENT_TYPE, ctype)
        .header(header::CONTENT_LENGTH, end - start)
        .header(header::ACCEPT_RANGES, "bytes")
        .header(header::X_CONTENT_TYPE_OPTIONS, "nosniff")
        .header(
            header::CONTENT_SECURITY_POLICY,
            "sandbox; default-src 'none'; img-src 'self'; style-src 'unsafe-inline'",
        );
    if status == StatusCode::PARTIAL_CONTENT {
        b = b.header(
            header::CONTENT_RANGE,
            format!("bytes {start}-{}/{total}", end.saturating_sub(1)),
        );
    }
    if let Some(etag) = &meta.e_tag {
        b = b.header(header::ETAG, format!("\"{}\"", etag.trim_matches('"')));
    }
    if !inline
        || query
            .split('&')
            .any(|p| p == "download" || p.starts_with("download="))
    {
        let name = key.rsplit('/').next().unwrap_or(&key);
        let ascii: String = name
            .chars()
            .map(|c| {
                if c.is_ascii_graphic() && c != '"' && c != '\\' {
                    c
                } else {
                    '_'
                }
            })
            .collect();
        let cd = format!(
            "attachment; filename=\"{ascii}\"; filename*=UTF-8''{}",
            trove_core::layout::quote(name, "")
        );
        b = b.header(header::CONTENT_DISPOSITION, cd);
    }
    let body = if head || end == start {
        Body::empty()
    } else {
        let opts = GetOptions {
            range: Some(GetRange::Bounded(start..end)),
            ..Default::default()
        };
        let stream = st
            .files
            .get_opts(&loc, opts)
            .await?
            .into_stream()
            .map(|r| r.map_err(std::io::Error::other));
        Body::from_stream(stream)
    };
    b.body(body)
        .map_err(|e| ApiError::internal(format!("cannot build response: {e}")))
}

/// A storage error as an answer that names the requested key, never the storage's own path.
fn not_found_or(e: object_store::Error, key: &str) -> ApiError {
    match e {
        object_store::Error::NotFound { .. } => {
            ApiError::not_found(format!("file not found: {key}"))
        }
        other => ApiError::from(other),
    }
}

async fn delete_one(st: SharedState, path: &str) -> Result<Response, ApiError> {
    let key = key_from_url_path(path)?;
    let loc = st.file_path(&key);
    st.files
        .head(&loc)
        .await
        .map_err(|e| not_found_or(e, &key))?;
    st.files.delete(&loc).await?;
    Ok((StatusCode::OK, axum::Json(json!(key))).into_response())
}

async fn delete_many(st: SharedState, req: Request) -> Result<Response, ApiError> {
    let bytes = axum::body::to_bytes(req.into_body(), 16 * 1024 * 1024)
        .await
        .map_err(|e| ApiError::bad_request(format!("unreadable body: {e}")))?;
    let v: serde_json::Value = serde_json::from_slice(&bytes)
        .map_err(|e| ApiError::bad_request(format!("invalid JSON body: {e}")))?;
    let files = v
        .get("files")
        .and_then(|f| f.as_array())
        .ok_or_else(|| ApiError::bad_request("expected {\"files\": [paths]}"))?;
    let mut deleted = serde_json::Map::new();
    let mut errors = serde_json::Map::new();
    for f in files {
        let Some(p) = f.as_str() else {
            errors.insert(f.to_string(), json!("not a string"));
            continue;
        };
        let key = match confine(p.trim_start_matches('/')) {
            Ok(k) => k,
            Err(e) => {
                errors.insert(p.to_string(), json!(e.msg()));
                continue;
            }
        };
        let loc = st.file_path(&key);
        match st.files.head(&loc).await {
            Ok(_) => match st.files.delete(&loc).await {
                Ok(()) => {
                    deleted.insert(p.to_string(), json!(true));
                }
                Err(e) => {
                    errors.insert(p.to_string(), json!(ApiError::from(e).msg()));
                }
            },
            Err(object_store::Error::NotFound { .. }) => {
                errors.insert(p.to_string(), json!("not found"));
            }
            Err(e) => {
                errors.insert(p.to_string(), json!(ApiError::from(e).msg()));
            }
        }
    }
    Ok((
        StatusCode::OK,
        axum::Json(json!({ "deleted": deleted, "errors": errors })),
    )
        .into_response())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ranges_parse() {
        assert_eq!(parse_range("bytes=0-9"), Some(GetRange::Bounded(0..10)));
        assert_eq!(parse_range("bytes=5-"), Some(GetRange::Offset(5)));
        assert_eq!(parse_range("bytes=-3"), Some(GetRange::Suffix(3)));
        assert_eq!(parse_range("bytes=9-2"), None);
        assert_eq!(parse_range("bytes=0-1,3-4"), None);
        assert_eq!(parse_range("items=0-1"), None);
    }

    #[test]
    fn url_paths_are_confined() {
        assert_eq!(key_from_url_path("/a/b%20c.txt").unwrap(), "a/b c.txt");
        for bad in [
            "/../x",
            "/a/%2e%2e/x",
            "/%2Fetc/passwd",
            "/a\\b",
            "/a/%00",
            "/",
            "/a//b",
            "/%zz",
        ] {
            assert!(key_from_url_path(bad).is_err(), "{bad}");
        }
    }
}
