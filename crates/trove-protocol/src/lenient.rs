//! Reading request fields leniently, the way ClearML's server does, as serde `deserialize_with` helpers:
//! unknown keys are ignored (no `deny_unknown_fields` anywhere), `null` means absent, a lone string is accepted
//! where a list is expected, numbers may come as strings, and flags accept `"true"`/`"1"`/`1` as query
//! parameters produce. Request structs put `#[serde(default)]` on the container so missing fields default.
//!
//! Error messages name the problem, not the field: [`crate::decode_request`] prefixes the field's name.

use serde::de::Error as _;
use serde::{Deserialize, Deserializer};
use serde_json::{Map, Value};

fn value<'de, D: Deserializer<'de>>(d: D) -> Result<Value, D::Error> {
    Value::deserialize(d)
}

/// A string that should be non-empty (emptiness is checked by the request's
/// [`Validate`](crate::Validate)): `null` = `""`.
pub fn string<'de, D: Deserializer<'de>>(d: D) -> Result<String, D::Error> {
    match value(d)? {
        Value::Null => Ok(String::new()),
        Value::String(s) => Ok(s),
        other => Err(D::Error::custom(format!(
            "must be a non-empty string, got {other}"
        ))),
    }
}

/// An optional string (`null` = absent).
pub fn opt_string<'de, D: Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    match value(d)? {
        Value::Null => Ok(None),
        Value::String(s) => Ok(Some(s)),
        other => Err(D::Error::custom(format!("must be a string, got {other}"))),
    }
}

/// A field that may be cleared: absent = `None` (leave as is), `null` = `Some(None)` (clear), a string =
/// `Some(Some(..))`. Needs `#[serde(default)]`.
pub fn nullable_string<'de, D: Deserializer<'de>>(
    d: D,
) -> Result<Option<Option<String>>, D::Error> {
    opt_string(d).map(Some)
}

/// A string if it is one; anything else counts as absent.
pub fn lossy_opt_string<'de, D: Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    Ok(match value(d)? {
        Value::String(s) => Some(s),
        _ => None,
    })
}

/// An optional list of strings; a lone string is a one-element list (`null` = absent).
pub fn opt_string_list<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Vec<String>>, D::Error> {
    match value(d)? {
        Value::Null => Ok(None),
        Value::String(s) => Ok(Some(vec![s])),
        Value::Array(items) => items
            .into_iter()
            .map(|v| match v {
                Value::String(s) => Ok(s),
                other => Err(D::Error::custom(format!("must hold strings, got {other}"))),
            })
            .collect::<Result<Vec<_>, _>>()
            .map(Some),
        other => Err(D::Error::custom(format!(
            "must be a list of strings, got {other}"
        ))),
    }
}

/// An optional filter list (ClearML's list-field query language: values, `__$all`/`__$not`/… operators, `-x`
/// exclusions and `null` for "empty or missing"); a lone string or `null` item is kept (`null` = absent list).
pub fn opt_filter_list<'de, D: Deserializer<'de>>(
    d: D,
) -> Result<Option<Vec<Option<String>>>, D::Error> {
    match value(d)? {
        Value::Null => Ok(None),
        Value::String(s) => Ok(Some(vec![Some(s)])),
        Value::Array(items) => items
            .into_iter()
            .map(|v| match v {
                Value::Null => Ok(None),
                Value::String(s) => Ok(Some(s)),
                other => Err(D::Error::custom(format!(
                    "must hold strings or null, got {other}"
                ))),
            })
            .collect::<Result<Vec<_>, _>>()
            .map(Some),
        other => Err(D::Error::custom(format!(
            "must be a list of strings, got {other}"
        ))),
    }
}

/// A boolean flag: `true`/`false`, the strings `"true"`/`"1"`/`"yes"` (any case), a non-zero number; anything
/// else (including `null`) is `false`.
pub fn flag<'de, D: Deserializer<'de>>(d: D) -> Result<bool, D::Error> {
    Ok(match value(d)? {
        Value::Bool(b) => b,
        Value::String(s) => matches!(s.to_ascii_lowercase().as_str(), "true" | "1" | "yes"),
        Value::Number(n) => n.as_f64().is_some_and(|v| v != 0.0),
        _ => false,
    })
}

/// An optional flag (`null` = absent); a given value reads as [`flag`] does.
pub fn opt_flag<'de, D: Deserializer<'de>>(d: D) -> Result<Option<bool>, D::Error> {
    match value(d)? {
        Value::Null => Ok(None),
        Value::Bool(b) => Ok(Some(b)),
        Value::String(s) => Ok(Some(matches!(
            s.to_ascii_lowercase().as_str(),
            "true" | "1" | "yes"
        ))),
        Value::Number(n) => Ok(Some(n.as_f64().is_some_and(|v| v != 0.0))),
        other => Err(D::Error::custom(format!("must be a boolean, got {other}"))),
    }
}

/// An optional integer (may be negative): a number (a fractional one is truncated) or a numeric string.
pub fn opt_i64<'de, D: Deserializer<'de>>(d: D) -> Result<Option<i64>, D::Error> {
    let bad = || D::Error::custom("must be an integer");
    match value(d)? {
        Value::Null => Ok(None),
        Value::Number(n) => n
            .as_i64()
            .or_else(|| n.as_f64().filter(|f| f.is_finite()).map(|f| f as i64))
            .map(Some)
            .ok_or_else(bad),
        Value::String(s) => s.trim().parse().map(Some).map_err(|_| bad()),
        other => Err(D::Error::custom(format!("must be an integer, got {other}"))),
    }
}

/// An optional non-negative integer: a number (a fractional one is truncated) or a numeric string.
pub fn opt_u64<'de, D: Deserializer<'de>>(d: D) -> Result<Option<u64>, D::Error> {
    let bad = || D::Error::custom("must be a non-negative integer");
    match value(d)? {
        Value::Null => Ok(None),
        Value::Number(n) => n
            .as_u64()
            .or_else(|| n.as_f64().filter(|f| *f >= 0.0).map(|f| f as u64))
            .map(Some)
            .ok_or_else(bad),
        Value::String(s) => s.trim().parse().map(Some).map_err(|_| bad()),
        other => Err(D::Error::custom(format!("must be an integer, got {other}"))),
    }
}

/// An optional object (`null` = absent).
pub fn opt_object<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Map<String, Value>>, D::Error> {
    match value(d)? {
        Value::Null => Ok(None),
        Value::Object(m) => Ok(Some(m)),
        other => Err(D::Error::custom(format!("must be an object, got {other}"))),
    }
}

/// An optional list of any values (`null` = absent).
pub fn opt_list<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Vec<Value>>, D::Error> {
    match value(d)? {
        Value::Null => Ok(None),
        Value::Array(a) => Ok(Some(a)),
        other => Err(D::Error::custom(format!("must be a list, got {other}"))),
    }
}

/// A list of strings; a lone string is a list of one, `null` or absent an empty list.
pub fn string_list<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<String>, D::Error> {
    Ok(opt_string_list(d)?.unwrap_or_default())
}

/// A list of `T` (`null` = empty); for strings use [`string_list`], which also takes a lone string.
pub fn list<'de, D: Deserializer<'de>, T: Deserialize<'de>>(d: D) -> Result<Vec<T>, D::Error> {
    Ok(Option::<Vec<T>>::deserialize(d)?.unwrap_or_default())
}

/// Any value, where a given `null` counts as given (`Some(Value::Null)`): document fields of a task are
/// stored as sent. Needs `#[serde(default)]` so that an absent key stays `None`.
pub fn present<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Value>, D::Error> {
    value(d).map(Some)
}

/// `skip_serializing_if` helper for flags: requests leave `false` out.
pub fn is_false(b: &bool) -> bool {
    !*b
}
