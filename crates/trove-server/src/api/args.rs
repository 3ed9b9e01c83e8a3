//! Reading request fields leniently, the way ClearML's server does: unknown keys are ignored, a single
//! string is accepted where a list is expected, `null` means absent.

use crate::error::ApiError;
use serde_json::{Map, Value};

/// A request body (always a JSON object by the time handlers see it).
pub type Body = Map<String, Value>;

/// A required non-empty string field.
pub fn req_str(b: &Body, key: &str) -> Result<String, ApiError> {
    match b.get(key) {
        Some(Value::String(s)) if !s.is_empty() => Ok(s.clone()),
        Some(Value::Null) | None => Err(ApiError::validation(format!(
            "missing required field '{key}'"
        ))
        .with_data(serde_json::json!({ "field": key }))),
        Some(other) => Err(ApiError::validation(format!(
            "field '{key}' must be a non-empty string, got {other}"
        ))),
    }
}

/// An optional string field (`null` = absent).
pub fn opt_str(b: &Body, key: &str) -> Result<Option<String>, ApiError> {
    match b.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => Ok(Some(s.clone())),
        Some(other) => Err(ApiError::validation(format!(
            "field '{key}' must be a string, got {other}"
        ))),
    }
}

/// An optional boolean (default `false`); accepts `"true"`/`"false"`/`1`/`0` as query parameters produce.
pub fn flag(b: &Body, key: &str) -> bool {
    match b.get(key) {
        Some(Value::Bool(v)) => *v,
        Some(Value::String(s)) => matches!(s.to_ascii_lowercase().as_str(), "true" | "1" | "yes"),
        Some(Value::Number(n)) => n.as_f64().is_some_and(|v| v != 0.0),
        _ => false,
    }
}

/// An optional boolean with a default.
pub fn flag_or(b: &Body, key: &str, default: bool) -> bool {
    match b.get(key) {
        None | Some(Value::Null) => default,
        _ => flag(b, key),
    }
}

/// An optional list of strings; a lone string counts as a one-element list.
pub fn str_list(b: &Body, key: &str) -> Result<Option<Vec<String>>, ApiError> {
    match b.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => Ok(Some(vec![s.clone()])),
        Some(Value::Array(a)) => a
            .iter()
            .map(|v| match v {
                Value::String(s) => Ok(s.clone()),
                other => Err(ApiError::validation(format!(
                    "field '{key}' must hold strings, got {other}"
                ))),
            })
            .collect::<Result<Vec<_>, _>>()
            .map(Some),
        Some(other) => Err(ApiError::validation(format!(
            "field '{key}' must be a list of strings, got {other}"
        ))),
    }
}

/// An optional non-negative integer (numbers or numeric strings).
pub fn opt_u64(b: &Body, key: &str) -> Result<Option<u64>, ApiError> {
    match b.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Number(n)) => n
            .as_u64()
            .or_else(|| n.as_f64().filter(|f| *f >= 0.0).map(|f| f as u64))
            .map(Some)
            .ok_or_else(|| {
                ApiError::validation(format!("field '{key}' must be a non-negative integer"))
            }),
        Some(Value::String(s)) => s.parse().map(Some).map_err(|_| {
            ApiError::validation(format!("field '{key}' must be a non-negative integer"))
        }),
        Some(other) => Err(ApiError::validation(format!(
            "field '{key}' must be an integer, got {other}"
        ))),
    }
}

/// An optional object field.
pub fn opt_obj<'a>(b: &'a Body, key: &str) -> Result<Option<&'a Body>, ApiError> {
    match b.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Object(o)) => Ok(Some(o)),
        Some(other) => Err(ApiError::validation(format!(
            "field '{key}' must be an object, got {other}"
        ))),
    }
}

/// An optional array field.
pub fn opt_arr<'a>(b: &'a Body, key: &str) -> Result<Option<&'a Vec<Value>>, ApiError> {
    match b.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Array(a)) => Ok(Some(a)),
        Some(other) => Err(ApiError::validation(format!(
            "field '{key}' must be a list, got {other}"
        ))),
    }
}

/// `page`/`page_size` → `(offset, limit)`; `limit == 0` means all.
pub fn paging(b: &Body) -> Result<(usize, usize), ApiError> {
    let page = opt_u64(b, "page")?;
    let size = opt_u64(b, "page_size")?.or(opt_u64(b, "size")?);
    Ok(match (page, size) {
        (_, None) | (_, Some(0)) => (0, 0),
        (p, Some(s)) => ((p.unwrap_or(0) * s) as usize, s as usize),
    })
}
