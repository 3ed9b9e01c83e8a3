//! Date and range filters of `get_all` requests (clearml-server `get_range_field_query` and the datetime
//! syntax): `field: ">=2024-01-01T10:00:00"` or `[">=a", "<=b"]` (each condition must hold), `field: [min, max]`
//! (inclusive, either may be `null`; a `null` min also matches a missing value), and `_any_` / `_all_:
//! {datetime, fields}` (the condition on any / all of the fields). Times without a zone are UTC. Only the
//! date fields of a task are read this way: `created`, `started`, `completed`, `last_update`, `last_change`,
//! `status_changed`, `published`, `last_metrics_update` (others are ignored, as unknown fields always were).

use crate::error::ApiError;
use serde_json::{Map, Value};
use trove_core::timefmt::micros_from_iso;

const DATE_FIELDS: &[&str] = &[
    "created",
    "started",
    "completed",
    "last_update",
    "last_change",
    "status_changed",
    "published",
    "last_metrics_update",
];

/// Parse a client time (ISO-8601; no zone = UTC; a date alone = midnight).
fn parse_time(s: &str) -> Result<i64, ApiError> {
    let s = s.trim();
    let full = if s.len() == 10 {
        format!("{s}T00:00:00Z")
    } else if s.ends_with('Z')
        || (s.len() > 19
            && s.get(s.len() - 6..)
                .is_some_and(|tail| tail.contains(['+', '-'])))
    {
        s.to_string()
    } else {
        format!("{s}Z")
    };
    micros_from_iso(&full.replacen(' ', "T", 1))
        .ok_or_else(|| ApiError::validation(format!("invalid date {s:?}: use ISO-8601")))
}

/// One condition on a time: `(op, micros)`; `op` is `>=`, `>`, `<=`, `<` or `=`.
type Cond = (String, i64);

fn parse_cond(s: &str) -> Result<Cond, ApiError> {
    for op in [">=", "<=", ">", "<", "="] {
        if let Some(rest) = s.strip_prefix(op) {
            return Ok((op.to_string(), parse_time(rest)?));
        }
    }
    Ok(("=".into(), parse_time(s)?))
}

/// Conditions that must all hold, or a range.
#[derive(Debug, Clone)]
enum Test {
    Conds(Vec<Cond>),
    Range { min: Option<i64>, max: Option<i64> },
}

impl Test {
    fn parse(field: &str, v: &Value) -> Result<Option<Self>, ApiError> {
        Ok(Some(match v {
            Value::String(s) => Test::Conds(vec![parse_cond(s)?]),
            Value::Array(items) => {
                let has_op = items
                    .iter()
                    .any(|i| i.as_str().is_some_and(|s| s.starts_with(['<', '>', '='])));
                if has_op {
                    let conds = items
                        .iter()
                        .filter_map(Value::as_str)
                        .map(parse_cond)
                        .collect::<Result<_, _>>()?;
                    Test::Conds(conds)
                } else if items.len() == 2 {
                    let t = |v: &Value| v.as_str().map(parse_time).transpose();
                    let (min, max) = (t(&items[0])?, t(&items[1])?);
                    if min.is_none() && max.is_none() {
                        return Err(ApiError::validation(format!(
                            "at least one of min or max values should be provided for field {field}"
                        )));
                    }
                    Test::Range { min, max }
                } else {
                    return Err(ApiError::validation(format!(
                        "min and max values should be specified for range field {field}"
                    )));
                }
            }
            _ => return Ok(None),
        }))
    }

    fn holds(&self, t: Option<i64>) -> bool {
        match self {
            Test::Conds(conds) => t.is_some_and(|t| {
                conds.iter().all(|(op, v)| match op.as_str() {
                    ">=" => t >= *v,
                    ">" => t > *v,
                    "<=" => t <= *v,
                    "<" => t < *v,
                    _ => t == *v,
                })
            }),
            Test::Range { min, max } => match t {
                None => min.is_none(),
                Some(t) => min.is_none_or(|m| t >= m) && max.is_none_or(|m| t <= m),
            },
        }
    }
}

/// The date filters of one request.
#[derive(Debug, Clone, Default)]
pub struct DateFilters {
    each: Vec<(String, Test)>,
    any: Option<(Test, Vec<String>)>,
    all: Option<(Test, Vec<String>)>,
}

fn time_of(doc: &Map<String, Value>, field: &str) -> Option<i64> {
    doc.get(field)
        .and_then(Value::as_str)
        .and_then(micros_from_iso)
}

impl DateFilters {
    /// Read the date filters among a request's other fields.
    pub fn parse(other: &Map<String, Value>) -> Result<Self, ApiError> {
        let mut f = DateFilters::default();
        for field in DATE_FIELDS {
            if let Some(v) = other.get(*field)
                && let Some(t) = Test::parse(field, v)?
            {
                f.each.push((field.to_string(), t));
            }
        }
        for (key, slot) in [("_any_", &mut f.any), ("_all_", &mut f.all)] {
            let Some(Value::Object(spec)) = other.get(key) else {
                continue;
            };
            let fields: Vec<String> = spec
                .get("fields")
                .and_then(Value::as_array)
                .map(|a| {
                    a.iter()
                        .filter_map(|v| v.as_str().map(str::to_string))
                        .collect()
                })
                .unwrap_or_default();
            if let Some(v) = spec.get("datetime")
                && let Some(t) = Test::parse(key, v)?
            {
                *slot = Some((t, fields));
            }
        }
        Ok(f)
    }

    /// True if a task document passes every date filter.
    pub fn matches(&self, doc: &Map<String, Value>) -> bool {
        self.each.iter().all(|(f, t)| t.holds(time_of(doc, f)))
            && self
                .any
                .as_ref()
                .is_none_or(|(t, fs)| fs.iter().any(|f| t.holds(time_of(doc, f))))
            && self
                .all
                .as_ref()
                .is_none_or(|(t, fs)| fs.iter().all(|f| t.holds(time_of(doc, f))))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_without_zone_are_utc() {
        assert_eq!(
            parse_time("2024-01-02T03:04:05.123456").unwrap(),
            parse_time("2024-01-02T03:04:05.123456+00:00").unwrap()
        );
        assert!(parse_time("2024-01-02").is_ok());
        assert!(parse_time("yesterday").is_err());
    }
}
