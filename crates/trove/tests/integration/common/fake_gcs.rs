//! A fake of Google Cloud Storage's XML API, honestly a fake: no emulator speaks the XML API that
//! object_store uses, so this in-test server implements the few calls a small-file round trip needs —
//! `PUT`, `GET`, `HEAD` and `DELETE` of `/<bucket>/<object>` with `Authorization: Bearer <token>` checked —
//! keeping objects in memory. No multipart (XML multipart uploads), no listing, no ranges, no versions.

use axum::body::{Body, Bytes};
use axum::extract::{Path, State};
use axum::http::{HeaderMap, Method, StatusCode, header};
use axum::response::Response;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};

/// One stored object.
#[derive(Debug, Clone)]
pub struct Object {
    /// Its bytes.
    pub bytes: Bytes,
    /// Its content type as sent.
    pub content_type: Option<String>,
    /// Generation number (one more per write).
    pub generation: u64,
}

/// The fake's state: objects by (bucket, name), and every request line seen.
#[derive(Default)]
pub struct FakeState {
    /// Objects by (bucket, object name).
    pub objects: Mutex<HashMap<(String, String), Object>>,
    /// `METHOD /bucket/object` of every request, in order.
    pub requests: Mutex<Vec<String>>,
    token: String,
    next_generation: Mutex<u64>,
}

/// A running fake on 127.0.0.1:`port` (stops with its runtime).
pub struct FakeGcs {
    /// Its port.
    pub port: u16,
    /// What it holds and saw.
    pub state: Arc<FakeState>,
}

impl FakeGcs {
    /// Start the fake on `rt`, accepting only `Authorization: Bearer <token>`.
    pub fn start(rt: &tokio::runtime::Runtime, token: &str) -> FakeGcs {
        let state = Arc::new(FakeState {
            token: token.to_string(),
            ..Default::default()
        });
        let listener = rt
            .block_on(tokio::net::TcpListener::bind("127.0.0.1:0"))
            .unwrap();
        let port = listener.local_addr().unwrap().port();
        let app = axum::Router::new()
            .route("/{bucket}/{*object}", axum::routing::any(object))
            .with_state(state.clone());
        rt.spawn(async move { axum::serve(listener, app).await });
        FakeGcs { port, state }
    }
}

fn xml_error(status: StatusCode, code: &str) -> Response {
    let mut r = Response::new(Body::from(format!(
        "<?xml version='1.0' encoding='UTF-8'?><Error><Code>{code}</Code><Message>fake GCS</Message></Error>"
    )));
    *r.status_mut() = status;
    r.headers_mut().insert(
        header::CONTENT_TYPE,
        "application/xml; charset=UTF-8".parse().unwrap(),
    );
    r
}

fn http_date() -> String {
    time::OffsetDateTime::now_utc()
        .format(time::macros::format_description!(
            "[weekday repr:short], [day] [month repr:short] [year] [hour]:[minute]:[second] GMT"
        ))
        .unwrap()
}

fn etag(o: &Object) -> String {
    format!("\"{}\"", &trove_core::sha256_hex(&o.bytes)[..32])
}

async fn object(
    State(s): State<Arc<FakeState>>,
    Path((bucket, name)): Path<(String, String)>,
    method: Method,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    s.requests
        .lock()
        .unwrap()
        .push(format!("{method} /{bucket}/{name}"));
    let auth = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok());
    if auth != Some(format!("Bearer {}", s.token).as_str()) {
        return xml_error(StatusCode::UNAUTHORIZED, "AuthenticationRequired");
    }
    let key = (bucket, name);
    let mut objects = s.objects.lock().unwrap();
    match method {
        Method::PUT => {
            let generation = {
                let mut g = s.next_generation.lock().unwrap();
                *g += 1;
                *g
            };
            let o = Object {
                bytes: body,
                content_type: headers
                    .get(header::CONTENT_TYPE)
                    .and_then(|v| v.to_str().ok())
                    .map(str::to_string),
                generation,
            };
            let mut r = Response::new(Body::empty());
            r.headers_mut()
                .insert(header::ETAG, etag(&o).parse().unwrap());
            r.headers_mut()
                .insert("x-goog-generation", generation.into());
            objects.insert(key, o);
            r
        }
        Method::GET | Method::HEAD => {
            let Some(o) = objects.get(&key) else {
                return xml_error(StatusCode::NOT_FOUND, "NoSuchKey");
            };
            let len = o.bytes.len();
            let mut r = Response::new(if method == Method::GET {
                Body::from(o.bytes.clone())
            } else {
                Body::empty()
            });
            let h = r.headers_mut();
            h.insert(header::CONTENT_LENGTH, len.into());
            h.insert(header::ETAG, etag(o).parse().unwrap());
            h.insert(header::LAST_MODIFIED, http_date().parse().unwrap());
            h.insert("x-goog-generation", o.generation.into());
            if let Some(ct) = &o.content_type {
                h.insert(header::CONTENT_TYPE, ct.parse().unwrap());
            }
            r
        }
        Method::DELETE => match objects.remove(&key) {
            Some(_) => {
                let mut r = Response::new(Body::empty());
                *r.status_mut() = StatusCode::NO_CONTENT;
                r
            }
            None => xml_error(StatusCode::NOT_FOUND, "NoSuchKey"),
        },
        _ => xml_error(StatusCode::NOT_IMPLEMENTED, "NotImplemented"),
    }
}
