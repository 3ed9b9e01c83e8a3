//! The ClearML REST API subset: `/v<version>/<service>.<action>` and `/<service>.<action>`, GET (with a JSON
//! body) or POST, `application/json` or `application/json-lines` bodies, answered with the ClearML envelope.

mod artifacts;
mod cleanup;
mod configurations;
mod context;
mod dates;
mod events;
mod events_read;
mod events_scroll;
pub mod filters;
mod hyperparams;
mod last_metrics;
mod legacy;
mod login;
mod model_meta;
mod model_ops;
mod models;
pub mod ordering;
pub mod present;
mod project_models;
mod project_params;
mod project_stats;
mod project_tree;
mod projects;
mod projects_more;
mod refs;
mod routes;
mod server_info;
mod status;
mod subprojects;
mod tags;
mod task_access;
mod task_models;
mod task_query;
mod tasks;
mod tasks_more;
mod users;

pub use context::Ctx;

use crate::auth::Identity;
use crate::error::ApiError;
use crate::state::{LOGIN_BODY_LIMIT, SharedState, TokenFrom};
use axum::Router;
use axum::body::Body as HttpBody;
use axum::extract::{ConnectInfo, Extension, State};
use axum::http::{HeaderMap, Method, Uri, header};
use axum::response::{IntoResponse, Response};
use serde_json::{Map, Value};
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use trove_protocol::endpoints::{AuthLogin, EventsAddBatch};
use trove_protocol::{API_VERSION, Call, EndpointMeta, ResultCode, actual_version, parse_path};

/// The API router (one fallback handler parses the path; see [`dispatch`]).
pub fn router(state: SharedState) -> Router {
    Router::new().fallback(dispatch).with_state(state)
}

/// Parse a request body: empty = `{}`, json-lines = array of the lines, else one JSON value.
fn parse_body(bytes: &[u8], content_type: &str) -> Result<Value, ApiError> {
    let text = std::str::from_utf8(bytes)
        .map_err(|_| ApiError::bad_request("request body is not UTF-8"))?;
    if text.trim().is_empty() {
        return Ok(Value::Object(Map::new()));
    }
    if content_type.contains("json-lines")
        || content_type.contains("jsonl")
        || content_type.contains("ndjson")
    {
        let items = text
            .lines()
            .filter(|l| !l.trim().is_empty())
            .enumerate()
            .map(|(i, l)| {
                serde_json::from_str::<Value>(l).map_err(|e| {
                    ApiError::bad_request(format!("invalid JSON on line {}: {e}", i + 1))
                })
            })
            .collect::<Result<Vec<_>, _>>()?;
        return Ok(Value::Array(items));
    }
    serde_json::from_str(text).map_err(|e| ApiError::bad_request(format!("invalid JSON body: {e}")))
}

/// Query parameters merged into the body where the body lacks them (`auth.login?expiration_sec=60`).
fn merge_query(body: &mut Value, uri: &Uri) {
    let Some(q) = uri.query() else { return };
    let Value::Object(m) = body else { return };
    for pair in q.split('&').filter(|p| !p.is_empty()) {
        let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
        let dec = |s: &str| trove_core::layout::unquote(&s.replace('+', " "));
        let (Some(k), Some(v)) = (dec(k), dec(v)) else {
            continue;
        };
        if !m.contains_key(&k) {
            let val = serde_json::from_str::<Value>(&v).unwrap_or(Value::String(v));
            m.insert(k, val);
        }
    }
}

/// True for the JSON content types the API reads (`application/json`, json-lines).
fn is_json(content_type: &str) -> bool {
    let essence = content_type.split(';').next().unwrap_or("").trim();
    matches!(
        essence,
        "application/json"
            | "application/json-lines"
            | "application/jsonl"
            | "application/x-ndjson"
    )
}

/// The single API handler: authenticate (before reading the body), read a bounded body, run the endpoint,
/// wrap in the envelope.
pub async fn dispatch(
    State(state): State<SharedState>,
    client: Option<Extension<ConnectInfo<SocketAddr>>>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: HttpBody,
) -> Response {
    let Some(path) = parse_path(uri.path()) else {
        let mut e = ApiError::not_found(format!(
            "Unknown path {:?}: expected /v<version>/<service>.<action>",
            uri.path()
        ));
        e.endpoint = None;
        return e.into_response();
    };
    let requested = path.version.unwrap_or_else(|| API_VERSION.to_string());
    let ep = EndpointMeta {
        name: path.endpoint,
        actual_version: actual_version(&requested),
        requested_version: requested,
    };
    let client = client.map_or(IpAddr::V4(Ipv4Addr::UNSPECIFIED), |c| c.0.0.ip());
    match run(state, client, method, &uri, headers, body, &ep).await {
        Ok(response) => response,
        Err(mut e) => {
            e.endpoint = Some(Box::new(ep));
            e.into_response()
        }
    }
}

async fn run(
    state: SharedState,
    client: IpAddr,
    method: Method,
    uri: &Uri,
    headers: HeaderMap,
    body: HttpBody,
    ep: &EndpointMeta,
) -> Result<Response, ApiError> {
    let name = ep.name.as_str();
    if !matches!(method, Method::GET | Method::POST | Method::PUT) {
        return Err(ApiError::new(
            ResultCode::MethodNotAllowed,
            format!("method {method} not allowed: use GET or POST"),
        ));
    }
    let ct = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_ascii_lowercase();
    // Credentials first, body second: nobody without a valid token makes the server read more than a login's
    // few bytes. A token in a cookie counts only with a JSON body, which no other site can make a browser send.
    let (identity, limit) = if name == AuthLogin::NAME {
        (Identity::anonymous(), LOGIN_BODY_LIMIT)
    } else {
        let from = if is_json(&ct) {
            TokenFrom::HeaderOrCookie
        } else {
            TokenFrom::Header
        };
        (state.authenticate(&headers, from).await?, state.limits.api)
    };
    let bytes = axum::body::to_bytes(body, limit).await.map_err(|_| {
        ApiError::new(
            ResultCode::PayloadTooLarge,
            format!("request body unreadable, too slow or larger than {limit} bytes for {name}"),
        )
    })?;
    if !ct.is_empty() && !is_json(&ct) && !bytes.iter().all(u8::is_ascii_whitespace) {
        return Err(ApiError::new(
            ResultCode::UnsupportedMediaType,
            format!("unsupported content type {ct:?}: send the body as application/json"),
        ));
    }
    let mut value = parse_body(&bytes, &ct)?;
    merge_query(&mut value, uri);
    let ctx = Ctx {
        state,
        identity,
        headers,
        client,
    };
    // Endpoints that take a list (events batches) get it as `{"requests": [...]}`.
    let body: Map<String, Value> = match value {
        Value::Object(m) => m,
        Value::Array(a) if name == EventsAddBatch::NAME => {
            let mut m = Map::new();
            m.insert("requests".into(), Value::Array(a));
            m
        }
        other => {
            return Err(ApiError::bad_request(format!(
                "request body must be a JSON object, got {}",
                kind_of(&other)
            )));
        }
    };
    routes::call(&ctx, ep, body).await
}

fn kind_of(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "a list",
        Value::Object(_) => "an object",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn bodies_parse() {
        assert_eq!(parse_body(b"", "").unwrap(), json!({}));
        assert_eq!(
            parse_body(b"{\"a\":1}\n{\"b\":2}\n", "application/json-lines").unwrap(),
            json!([{"a":1},{"b":2}])
        );
        assert_eq!(
            parse_body(b"{oops", "application/json").unwrap_err().code(),
            ResultCode::BadRequest
        );
    }
}
