//! How tasks and projects look on the wire (reference §7.5), `only_fields` projection and regex name filters
//! for the `get_all` endpoints (list filters are in `filters`, ordering in `ordering`).

use crate::error::ApiError;
use serde_json::{Map, Value, json};
use trove_core::ArtifactRecord;
use trove_core::timefmt::iso_from_micros;
use trove_protocol::endpoints::StatusFields;
use trove_protocol::{ProjectDoc, TaskDoc};
use trove_store::{Project, ROOT_PROJECT, Task};

/// An artifact record as ClearML returns it (display pairs sorted by key).
pub fn artifact_json(a: &ArtifactRecord) -> Value {
    let mut a = a.clone();
    a.display_data.sort();
    serde_json::to_value(&a).unwrap_or(Value::Null)
}

/// The full task object: ClearML's defaults, then the stored document, then the core fields. `script` has no
/// default (`tasks.create` stores `{}`; `tasks.reset {clear_all}` removes it, as clearml-server does).
/// `artifacts` fills `execution.artifacts` (sorted by key, then mode).
pub fn task_json(t: &Task, artifacts: Option<&[ArtifactRecord]>) -> TaskDoc {
    let mut m = Map::new();
    let defaults = json!({
        "comment": "", "tags": [], "system_tags": [], "parent": null, "user": "", "company": "",
        "output": {}, "models": {"input": [], "output": []}, "hyperparams": {},
        "configuration": {}, "runtime": {}, "container": {}, "last_iteration": 0,
        "last_metrics": {},
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
    if t.project == ROOT_PROJECT {
        // A task without a project has no `project` key (ClearML: `task.get("project") is None`).
        m.remove("project");
    } else {
        m.insert("project".into(), json!(t.project));
    }
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
        f.iter().all(|x| x.starts_with('-'))
            || f.iter()
                .any(|x| x == "execution" || x.starts_with("execution.artifacts"))
    })
}

/// The segments of a dotted field path; `%2E` in a segment stands for a `.` inside a key (ClearML escapes
/// section names such as `sec.tion1` that way).
pub fn path_segments(path: &str) -> Vec<String> {
    path.split('.')
        .filter(|s| !s.is_empty())
        .map(|s| s.replace("%2E", ".").replace("%2e", "."))
        .collect()
}

/// The value at a dotted path, if any.
pub fn value_at<'a>(doc: &'a Map<String, Value>, path: &str) -> Option<&'a Value> {
    let segs = path_segments(path);
    let (first, rest) = segs.split_first()?;
    rest.iter()
        .try_fold(doc.get(first.as_str())?, |cur, p| cur.get(p.as_str()))
}

/// Project a document as MongoDB does: with `fields` given, keep only those (dotted) fields plus `id`; an
/// entry `-field` drops that field instead (all entries `-x` = everything but those). A dotted path whose
/// parent exists as an object but lacks the leaf still yields the parent (`runtime.version` on a task without
/// a version gives `runtime: {}`).
pub fn project_fields(full: Map<String, Value>, fields: Option<&[String]>) -> Map<String, Value> {
    let Some(fields) = fields else { return full };
    let (exclude, include): (Vec<&String>, Vec<&String>) =
        fields.iter().partition(|f| f.starts_with('-'));
    let mut out = if include.is_empty() {
        full.clone()
    } else {
        let mut out = Map::new();
        if let Some(id) = full.get("id") {
            out.insert("id".into(), id.clone());
        }
        for f in include {
            copy_path(&full, &mut out, &path_segments(f));
        }
        out
    };
    for f in exclude {
        remove_path(&mut out, &path_segments(&f[1..]));
    }
    out
}

/// Copy `path` from `from` into `to`, creating the parents that exist in `from` as objects.
fn copy_path(from: &Map<String, Value>, to: &mut Map<String, Value>, path: &[String]) {
    let Some((first, rest)) = path.split_first() else {
        return;
    };
    let Some(v) = from.get(first) else { return };
    if rest.is_empty() {
        to.insert(first.clone(), v.clone());
        return;
    }
    let Value::Object(inner_from) = v else { return };
    let entry = to.entry(first.clone()).or_insert_with(|| json!({}));
    if let Value::Object(inner_to) = entry {
        copy_path(inner_from, inner_to, rest);
    }
}

fn remove_path(m: &mut Map<String, Value>, path: &[String]) {
    match path {
        [] => {}
        [leaf] => {
            m.remove(leaf);
        }
        [first, rest @ ..] => {
            if let Some(Value::Object(inner)) = m.get_mut(first) {
                remove_path(inner, rest);
            }
        }
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
    fn projection_keeps_parents_and_excludes() {
        let full =
            json!({"id":"1","runtime":{},"hyperparams":{"sec.tion1":{"a":1},"b":{}},"name":"n"});
        let full = full.as_object().cloned().unwrap();
        let p = project_fields(full.clone(), Some(&["runtime.version".into()]));
        assert_eq!(Value::Object(p), json!({"id":"1","runtime":{}}));
        let p = project_fields(full.clone(), Some(&["hyperparams.sec%2Etion1".into()]));
        assert_eq!(
            Value::Object(p),
            json!({"id":"1","hyperparams":{"sec.tion1":{"a":1}}})
        );
        let p = project_fields(full, Some(&["-name".into(), "-hyperparams".into()]));
        assert_eq!(Value::Object(p), json!({"id":"1","runtime":{}}));
    }
}
