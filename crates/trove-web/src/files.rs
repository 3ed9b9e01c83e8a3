//! An artifact's or model's bytes streamed as an HTTP response (`/files/{task}/{key}` and
//! `/models/{id}/file` use it).
//!
//! Raster images and text are served inline (text as `text/plain`, so nothing stored can run as a page);
//! everything else, and everything with `?download`, as an attachment. A `sandbox` CSP applies to all of it.

use crate::bytes_source;
use crate::error::WebResult;
use axum::body::Body;
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};

/// Content types shown inline as themselves.
const INLINE_IMAGES: [&str; 4] = ["image/png", "image/jpeg", "image/gif", "image/webp"];

/// The last path segment of a URI, percent-decoded.
fn file_name(uri: &str) -> String {
    let path = uri.split(['?', '#']).next().unwrap_or(uri);
    let last = path.rsplit(['/', '\\']).next().unwrap_or(path);
    trove_core::layout::unquote(last).unwrap_or_else(|| last.to_string())
}

/// `Content-Disposition` with an ASCII fallback name and the exact UTF-8 name.
pub(crate) fn disposition(kind: &str, name: &str) -> String {
    let ascii: String = name
        .chars()
        .map(|c| {
            if c.is_ascii_graphic() && c != '"' && c != '\\' || c == ' ' {
                c
            } else {
                '_'
            }
        })
        .collect();
    format!(
        "{kind}; filename=\"{ascii}\"; filename*=UTF-8''{}",
        crate::html::url_encode(name)
    )
}

/// The bytes of `source` (stored at `uri`) as a response: raster images inline, text as `text/plain`, anything
/// else (or everything with `download`) as an attachment named after the URI's last segment; a `sandbox` CSP
/// on all of it. `recorded` is the content type the client recorded, if any (else guessed from the name).
pub(crate) async fn stream_bytes(
    source: &bytes_source::Source,
    uri: &str,
    recorded: Option<&str>,
    download: bool,
) -> WebResult<Response> {
    let (size, stream) = source.stream().await?;
    let name = file_name(uri);
    let guessed = mime_guess::from_path(&name)
        .first_raw()
        .unwrap_or("application/octet-stream");
    let ct = recorded
        .filter(|c| !c.is_empty())
        .unwrap_or(guessed)
        .to_ascii_lowercase();
    let (content_type, kind) = if download {
        ("application/octet-stream".to_string(), "attachment")
    } else if INLINE_IMAGES.contains(&ct.as_str()) {
        (ct, "inline")
    } else if ct.starts_with("text/") || ct == "application/json" || ct == "application/yaml" {
        ("text/plain; charset=utf-8".to_string(), "inline")
    } else {
        ("application/octet-stream".to_string(), "attachment")
    };
    let mut resp = Body::from_stream(stream).into_response();
    let h = resp.headers_mut();
    let hv = |s: &str| {
        HeaderValue::from_str(s)
            .unwrap_or_else(|_| HeaderValue::from_static("application/octet-stream"))
    };
    h.insert(header::CONTENT_TYPE, hv(&content_type));
    h.insert(header::CONTENT_LENGTH, HeaderValue::from(size));
    if let Ok(v) = HeaderValue::from_str(&disposition(kind, &name)) {
        h.insert(header::CONTENT_DISPOSITION, v);
    }
    h.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static("sandbox; default-src 'none'; img-src 'self'"),
    );
    h.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("private, no-cache"),
    );
    Ok(resp)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_and_disposition() {
        assert_eq!(
            file_name("http://h/a/Numpy%20Eye/Numpy%20Eye.npz?x"),
            "Numpy Eye.npz"
        );
        assert_eq!(file_name("file:///x/y/dancing.jpg"), "dancing.jpg");
        let d = disposition("attachment", "a\"b é.txt");
        assert_eq!(
            d,
            "attachment; filename=\"a_b _.txt\"; filename*=UTF-8''a%22b%20%C3%A9.txt"
        );
    }
}
