//! The ClearML REST API subset: `/v<version>/<service>.<action>` and `/<service>.<action>`, GET (with a JSON
//! body) or POST, `application/json` or `application/json-lines` bodies, answered with the ClearML envelope.

pub mod args;
mod artifacts;
mod misc;
pub mod present;
mod projects;
mod status;
mod tasks;
mod tasks_extra;

use crate::auth::{API_VERSION, Identity};
use crate::error::{ApiError, Endpoint, envelope};
use crate::state::{LOGIN_BODY_LIMIT, SharedState, TokenFrom};
use axum::Router;
use axum::body::Body as HttpBody;
use axum::extract::{ConnectInfo, Extension, State};
use axum::http::{HeaderMap, Method, StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};
use serde_json::{Map, Value, json};
use std::net::{IpAddr, Ipv4Addr, SocketAddr};

/// Per-request context handed to endpoint handlers.
pub struct Ctx {
    /// Server state.
    pub state: SharedState,
    /// Who is calling.
    pub identity: Identity,
    /// Request headers (login reads Basic credentials from them).
    pub headers: HeaderMap,
    /// The client's address (login throttling).
    pub client: IpAddr,
}

/// The API router (one fallback handler parses the path; see [`dispatch`]).
pub fn router(state: SharedState) -> Router {
    Router::new().fallback(dispatch).with_state(state)
}

/// Split `/v2.23/tasks.get_all` into `("2.23", "tasks.get_all")`.
fn parse_path(path: &str) -> Option<(Option<String>, String)> {
    let mut segs: Vec<&str> = path.trim_matches('/').split('/').collect();
    if segs.first() == Some(&"api") {
        segs.remove(0);
    }
    let (version, name) = match segs.as_slice() {
        [v, name]
            if v.starts_with('v') && v[1..].chars().all(|c| c.is_ascii_digit() || c == '.') =>
        {
            (Some(v[1..].to_string()), *name)
        }
        [name] => (None, *name),
        _ => return None,
    };
    let (svc, act) = name.split_once('.')?;
    let ok = |s: &str| !s.is_empty() && s.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
    (ok(svc) && ok(act)).then(|| (version, name.to_string()))
}

fn actual_version(requested: &str) -> String {
    let num = |s: &str| -> (u32, u32) {
        let mut it = s.split('.').map(|x| x.parse::<u32>().unwrap_or(0));
        (it.next().unwrap_or(0), it.next().unwrap_or(0))
    };
    if num(requested) <= num(API_VERSION) {
        requested.to_string()
    } else {
        API_VERSION.to_string()
    }
}

/// Parse a request body: empty = `{}`, json-lines = array of the lines, else one JSON value.
fn parse_body(bytes: &[u8], content_type: &str) -> Result<Value, ApiError> {
    let text = std::str::from_utf8(bytes)
        .map_err(|_| ApiError::bad_request("request body is not UTF-8"))?;
    if text.trim().is_empty() {
        return Ok(json!({}));
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
    let Some((version, name)) = parse_path(uri.path()) else {
        let mut e = ApiError::not_found(format!(
            "Unknown path {:?}: expected /v<version>/<service>.<action>",
            uri.path()
        ));
        e.endpoint = None;
        return e.into_response();
    };
    let requested = version.unwrap_or_else(|| API_VERSION.to_string());
    let ep = Endpoint {
        name: name.clone(),
        actual_version: actual_version(&requested),
        requested_version: requested,
    };
    let client = client.map_or(IpAddr::V4(Ipv4Addr::UNSPECIFIED), |c| c.0.0.ip());
    match run(state, client, method, &uri, headers, body, &name).await {
        Ok(data) => {
            let env = envelope(&ep, 200, 0, "OK", json!({}), data);
            (StatusCode::OK, axum::Json(env)).into_response()
        }
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
    name: &str,
) -> Result<Value, ApiError> {
    if !matches!(method, Method::GET | Method::POST | Method::PUT) {
        return Err(ApiError::new(
            405,
            0,
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
    let (identity, limit) = if name == "auth.login" {
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
            413,
            0,
            format!("request body unreadable, too slow or larger than {limit} bytes for {name}"),
        )
    })?;
    if !ct.is_empty() && !is_json(&ct) && !bytes.iter().all(u8::is_ascii_whitespace) {
        return Err(ApiError::new(
            415,
            0,
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
        Value::Array(a) if name.starts_with("events.add_batch") => {
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
    call(&ctx, name, body).await
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

async fn call(ctx: &Ctx, name: &str, b: args::Body) -> Result<Value, ApiError> {
    match name {
        "auth.login" => misc::login(ctx, &b).await,
        "users.get_current_user" => misc::current_user(ctx),
        "server.info" => Ok(misc::server_info()),
        "debug.ping" => Ok(json!({ "msg": "trove server is up" })),
        "projects.get_all" | "projects.get_all_ex" => projects::get_all(ctx, &b).await,
        "projects.create" => projects::create(ctx, &b).await,
        "projects.get_by_id" => projects::get_by_id(ctx, &b).await,
        "projects.update" => projects::update(ctx, &b).await,
        "tasks.create" => tasks::create(ctx, &b).await,
        "tasks.get_by_id" => tasks::get_by_id(ctx, &b).await,
        "tasks.get_all" | "tasks.get_all_ex" => tasks::get_all(ctx, &b).await,
        "tasks.edit" => tasks::edit(ctx, &b).await,
        "tasks.set_requirements" => tasks::set_requirements(ctx, &b).await,
        "tasks.ping" => tasks::ping(ctx, &b).await,
        "tasks.started" | "tasks.completed" | "tasks.stopped" | "tasks.failed"
        | "tasks.publish" | "tasks.close" => status::change_status(ctx, name, &b).await,
        "tasks.stop" => status::stop(ctx, &b).await,
        "tasks.reset" => status::reset(ctx, &b).await,
        "tasks.delete" => tasks::delete(ctx, &b).await,
        "tasks.add_or_update_artifacts" => artifacts::add_or_update_artifacts(ctx, &b).await,
        "tasks.delete_artifacts" => artifacts::delete_artifacts(ctx, &b).await,
        "tasks.add_artifact_version" => artifacts::add_artifact_version(ctx, &b).await,
        "tasks.get_artifact_versions" => artifacts::get_artifact_versions(ctx, &b).await,
        "tasks.get_hyper_params" => tasks_extra::get_hyper_params(ctx, &b).await,
        "tasks.edit_hyper_params" => tasks_extra::edit_hyper_params(ctx, &b).await,
        "tasks.delete_hyper_params" => tasks_extra::delete_hyper_params(ctx, &b).await,
        "tasks.get_configurations" => tasks_extra::get_configurations(ctx, &b).await,
        "tasks.get_configuration_names" => tasks_extra::get_configuration_names(ctx, &b).await,
        "tasks.edit_configuration" => tasks_extra::edit_configuration(ctx, &b).await,
        "tasks.delete_configuration" => tasks_extra::delete_configuration(ctx, &b).await,
        "events.add_batch" => tasks_extra::add_events(ctx, &b).await,
        "events.add" => {
            let mut m = args::Body::new();
            m.insert("requests".into(), Value::Array(vec![Value::Object(b)]));
            tasks_extra::add_events(ctx, &m).await
        }
        "events.get_task_log" => tasks_extra::get_task_log(ctx, &b).await,
        _ => Err(ApiError::not_found(format!(
            "Unknown endpoint {name:?}: trove implements the ClearML subset listed in its README"
        ))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_parse() {
        assert_eq!(
            parse_path("/v2.23/tasks.get_all"),
            Some((Some("2.23".into()), "tasks.get_all".into()))
        );
        assert_eq!(parse_path("/auth.login"), Some((None, "auth.login".into())));
        assert_eq!(parse_path("/v2.23/a/tasks.x"), None);
        assert_eq!(parse_path("/tasks"), None);
        assert_eq!(parse_path("/../x.y"), None);
        assert_eq!(actual_version("2.9"), "2.9");
        assert_eq!(actual_version("2.31"), "2.23");
    }

    #[test]
    fn bodies_parse() {
        assert_eq!(parse_body(b"", "").unwrap(), json!({}));
        assert_eq!(
            parse_body(b"{\"a\":1}\n{\"b\":2}\n", "application/json-lines").unwrap(),
            json!([{"a":1},{"b":2}])
        );
        assert_eq!(
            parse_body(b"{oops", "application/json").unwrap_err().code,
            400
        );
    }
}
