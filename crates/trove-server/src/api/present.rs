//! How tasks and projects look on the wire (reference §7.5), `only_fields` projection, regex/tag filters and
//! ordering for the `get_all` endpoints.

use crate::error::ApiError;
use serde_json::{Map, Value, json};
use std::cmp::Ordering;
use trove_core::ArtifactRecord;
use trove_core::timefmt::iso_from_micros;
use trove_protocol::endpoints::StatusFields;
use trove_protocol::{ProjectDoc, TaskDoc};
use trove_store::{Project, Task};

/// An artifact record as ClearML returns it (display pairs sorted by key).
pub fn artifact_json(a: &ArtifactRecord) -> Value {
    let mut a = a.clone();
    a.display_data.sort();
    serde_json::to_value(&a).unwrap_or(Value::Null)
}

/// The full task object: ClearML's defaults, then the stored document, then the core fields.
/// `artifacts` fills `execution.artifacts` (sorted by key, then mode).
pub fn task_json(t: &Task, artifacts: Option<&[ArtifactRecord]>) -> TaskDoc {
    let mut m = Map::new();
    let defaults = json!({
        "comment": "", "tags": [], "system_tags": [], "parent": null, "user": "", "company": "",
        "script": {}, "output": {}, "models": {"input": [], "output": []}, "hyperparams": {},
        "configuration": {}, "runtime": {}, "container": {}, "last_iteration": 0,
    });
    if let Value::Object(d) = defaults {
        m.extend(d);
    }
    for (k, v) in &t.doc {
        m.insert(k.clone(), v.clone());
    }
    let mut execution = match m.remove("execution") {
        Some(Value::Object(e)) => e,
        _ => Map::new(),
    };
    execution.entry("parameters").or_insert_with(|| json!({}));
    let mut arts: Vec<&ArtifactRecord> = artifacts.unwrap_or_default().iter().collect();
    arts.sort_by(|a, b| (&a.key, &a.mode).cmp(&(&b.key, &b.mode)));
    execution.insert(
        "artifacts".into(),
        Value::Array(arts.into_iter().map(artifact_json).collect()),
    );
    m.insert("execution".into(), Value::Object(execution));
    let iso = |v: Option<i64>| {
        v.map(|x| Value::String(iso_from_micros(x)))
            .unwrap_or(Value::Null)
    };
    m.insert("id".into(), json!(t.id));
    m.insert("name".into(), json!(t.name));
    m.insert("project".into(), json!(t.project));
    m.insert("type".into(), json!(t.kind));
    m.insert("status".into(), json!(t.status.as_str()));
    m.insert("status_message".into(), json!(t.status_message));
    m.insert("status_reason".into(), json!(t.status_reason));
    m.insert("created".into(), iso(Some(t.created)));
    m.insert("started".into(), iso(t.started));
    m.insert("completed".into(), iso(t.completed));
    m.insert("last_update".into(), iso(Some(t.last_update)));
    m.insert("last_change".into(), iso(Some(t.last_update)));
    let changed = t.completed.or(t.started).unwrap_or(t.created);
    m.insert("status_changed".into(), iso(Some(changed)));
    TaskDoc(m)
}

/// The status fields of a task, as status changes report them.
pub fn status_fields(t: &Task) -> StatusFields {
    let iso = |v: Option<i64>| v.map(iso_from_micros);
    StatusFields {
        status: t.status.as_str().to_string(),
        status_reason: t.status_reason.clone(),
        status_message: t.status_message.clone(),
        status_changed: iso(Some(t.completed.or(t.started).unwrap_or(t.created))),
        last_update: iso(Some(t.last_update)),
        started: iso(t.started),
        completed: iso(t.completed),
    }
}

/// A project as ClearML returns it.
pub fn project_json(p: &Project) -> ProjectDoc {
    let mut m = Map::new();
    m.insert("tags".into(), json!([]));
    m.insert("system_tags".into(), json!([]));
    m.insert("user".into(), json!(""));
    m.insert("company".into(), json!(""));
    for (k, v) in &p.extra {
        m.insert(k.clone(), v.clone());
    }
    m.insert("id".into(), json!(p.id));
    m.insert("name".into(), json!(p.name));
    m.insert(
        "basename".into(),
        json!(p.name.rsplit('/').next().unwrap_or(&p.name)),
    );
    m.insert("description".into(), json!(p.description));
    m.insert(
        "default_output_destination".into(),
        json!(p.default_output_destination),
    );
    m.insert("created".into(), json!(iso_from_micros(p.created)));
    m.insert("last_update".into(), json!(iso_from_micros(p.last_update)));
    ProjectDoc(m)
}

/// True when a projection needs the artifacts loaded.
pub fn wants_artifacts(fields: Option<&[String]>) -> bool {
    fields.is_none_or(|f| {
        f.iter()
            .any(|x| x == "execution" || x.starts_with("execution.artifacts"))
    })
}

/// Keep only the given (dotted) fields, plus `id`.
pub fn project_fields(full: Map<String, Value>, fields: Option<&[String]>) -> Map<String, Value> {
    let Some(fields) = fields else { return full };
    let full = Value::Object(full);
    let mut out = Map::new();
    if let Some(id) = full.get("id") {
        out.insert("id".into(), id.clone());
    }
    for f in fields {
        let path: Vec<&str> = f.split('.').filter(|s| !s.is_empty()).collect();
        if path.is_empty() {
            continue;
        }
        let mut cur = &full;
        let mut found = true;
        for p in &path {
            match cur.get(*p) {
                Some(v) => cur = v,
                None => {
                    found = false;
                    break;
                }
            }
        }
        if found {
            set_path(&mut out, &path, cur.clone());
        }
    }
    out
}

fn set_path(m: &mut Map<String, Value>, path: &[&str], v: Value) {
    if path.len() == 1 {
        m.insert(path[0].to_string(), v);
        return;
    }
    let entry = m.entry(path[0].to_string()).or_insert_with(|| json!({}));
    if !entry.is_object() {
        *entry = json!({});
    }
    if let Value::Object(inner) = entry {
        set_path(inner, &path[1..], v);
    }
}

/// Compile a ClearML name filter (a Python regex, searched, case-sensitive). Python's `re.escape` escapes
/// characters Rust's parser rejects as escapes (e.g. `\ `), so those are unescaped first.
pub fn name_regex(pattern: &str) -> Result<regex::Regex, ApiError> {
    let mut out = String::with_capacity(pattern.len());
    let mut chars = pattern.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '\\' {
            match chars.next() {
                Some(n) if n.is_ascii_alphanumeric() || n == '<' || n == '>' => {
                    out.push('\\');
                    out.push(n);
                }
                Some(n) => out.push_str(&regex::escape(&n.to_string())),
                None => out.push_str("\\\\"),
            }
        } else {
            out.push(c);
        }
    }
    regex::Regex::new(&out)
        .map_err(|e| ApiError::validation(format!("invalid name pattern {pattern:?}: {e}")))
}

/// ClearML tag filter: plain entries must match one of the tags (any), `-x` entries must not match.
pub fn tags_match(have: &[String], filter: &[String]) -> bool {
    let mut include = Vec::new();
    let mut exclude = Vec::new();
    for f in filter {
        if f.starts_with("__$") {
            continue;
        }
        match f.strip_prefix('-') {
            Some(x) => exclude.push(x),
            None => include.push(f.as_str()),
        }
    }
    (include.is_empty() || include.iter().any(|i| have.iter().any(|h| h == i)))
        && exclude.iter().all(|e| have.iter().all(|h| h != e))
}

/// Sort documents by ClearML `order_by` entries (`-field` descending, dotted paths allowed); `doc` gives
/// each item's document.
pub fn order_by<T>(items: &mut [T], order: &[String], doc: impl Fn(&T) -> &Map<String, Value>) {
    if order.is_empty() {
        return;
    }
    items.sort_by(|a, b| {
        let (a, b) = (doc(a), doc(b));
        for o in order {
            let (desc, field) = match o.strip_prefix('-') {
                Some(f) => (true, f),
                None => (false, o.trim_start_matches('+')),
            };
            let get = |m: &Map<String, Value>| {
                let mut parts = field.split('.');
                let first = m.get(parts.next()?)?;
                parts.try_fold(first, |cur, p| cur.get(p)).cloned()
            };
            let c = cmp_json(get(a).as_ref(), get(b).as_ref());
            let c = if desc { c.reverse() } else { c };
            if c != Ordering::Equal {
                return c;
            }
        }
        Ordering::Equal
    });
}

fn cmp_json(a: Option<&Value>, b: Option<&Value>) -> Ordering {
    match (a, b) {
        (Some(Value::Number(x)), Some(Value::Number(y))) => x
            .as_f64()
            .unwrap_or(0.0)
            .partial_cmp(&y.as_f64().unwrap_or(0.0))
            .unwrap_or(Ordering::Equal),
        (Some(Value::String(x)), Some(Value::String(y))) => x.cmp(y),
        (None | Some(Value::Null), None | Some(Value::Null)) => Ordering::Equal,
        (None | Some(Value::Null), _) => Ordering::Less,
        (_, None | Some(Value::Null)) => Ordering::Greater,
        (Some(x), Some(y)) => x.to_string().cmp(&y.to_string()),
    }
}

/// Apply `(offset, limit)` paging (`limit == 0` = all).
pub fn page<T>(items: Vec<T>, (offset, limit): (usize, usize)) -> Vec<T> {
    let it = items.into_iter().skip(offset);
    if limit == 0 {
        it.collect()
    } else {
        it.take(limit).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn python_escaped_names_compile_and_anchor() {
        let r = name_regex("^Artifacts\\ example$").unwrap();
        assert!(r.is_match("Artifacts example"));
        assert!(!r.is_match("Artifacts example 2"));
        let r = name_regex("^a\\-b\\#c\\&d\\~e$").unwrap();
        assert!(r.is_match("a-b#c&d~e"));
        assert!(name_regex("(unclosed").is_err());
        assert!(name_regex("exam").unwrap().is_match("my examples"));
        assert!(!name_regex("^Exam").unwrap().is_match("examples"));
    }

    #[test]
    fn projection_keeps_nested_paths_and_id() {
        let full =
            json!({"id":"1","status":"x","execution":{"artifacts":[1],"parameters":{}},"name":"n"});
        let full = full.as_object().cloned().unwrap();
        let p = project_fields(
            full,
            Some(&[
                "execution.artifacts".into(),
                "status".into(),
                "nope.x".into(),
            ]),
        );
        assert_eq!(
            Value::Object(p),
            json!({"id":"1","status":"x","execution":{"artifacts":[1]}})
        );
    }

    #[test]
    fn tag_filters_include_and_exclude() {
        let have = vec!["a".to_string(), "archived".to_string()];
        assert!(tags_match(&have, &["a".into()]));
        assert!(!tags_match(&have, &["-archived".into()]));
        assert!(tags_match(&have, &["zz".into(), "a".into()]));
        assert!(!tags_match(&have, &["zz".into()]));
    }
}
