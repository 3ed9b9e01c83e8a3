//! The INFO and CONSOLE tabs of a task.

use super::cards::DestinationCard;
use super::{TaskCrumbs, TaskHeader, load_task, task_crumbs, task_header};
use crate::Shared;
use crate::error::WebResult;
use crate::html::{self, Notice, Time, url_encode};
use crate::render;
use crate::templates::filters;
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::HeaderMap;
use axum::response::Html;
use serde_json::Value;

/// Console lines per page.
pub const CONSOLE_PER_PAGE: u64 = 1000;
/// The task document sections INFO shows as tables, in order, with their titles.
const SECTIONS: [(&str, &str); 6] = [
    ("script", "SCRIPT"),
    ("runtime", "RUNTIME"),
    ("hyperparams", "HYPERPARAMETERS"),
    ("configuration", "CONFIGURATION"),
    ("output", "OUTPUT"),
    ("container", "CONTAINER"),
];

/// Flatten a JSON value into `(dotted key, text)` rows. ClearML parameter entries (`{"name", "value", …}`)
/// become one row with their value.
pub(crate) fn flatten(v: &Value, prefix: &str, out: &mut Vec<(String, String)>) {
    match v {
        Value::Object(m)
            if m.contains_key("value") && (m.contains_key("name") || m.contains_key("section")) =>
        {
            let mut text = scalar_text(&m["value"]);
            if let Some(Value::String(d)) = m.get("description").filter(|d| d.as_str() != Some(""))
            {
                text = format!("{text}  ({d})");
            }
            out.push((prefix.to_string(), text));
        }
        Value::Object(m) if !m.is_empty() => {
            for (k, v) in m {
                let key = if prefix.is_empty() {
                    k.clone()
                } else {
                    format!("{prefix}.{k}")
                };
                flatten(v, &key, out);
            }
        }
        other => out.push((prefix.to_string(), scalar_text(other))),
    }
}

fn scalar_text(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        Value::Null => String::new(),
        other => other.to_string(),
    }
}

/// A two-column table of `(key, value)` rows (`templates/kv_table.html`).
#[derive(Template)]
#[template(path = "kv_table.html")]
pub(crate) struct KvTable {
    /// `(key, value, long)`: long values go into a scrolling monospace block.
    rows: Vec<(String, String, bool)>,
}

/// A two-column table of `(key, value)` rows; long values go into a scrolling monospace block.
pub(crate) fn kv_table(rows: &[(String, String)]) -> KvTable {
    KvTable {
        rows: rows
            .iter()
            .map(|(k, v)| (k.clone(), v.clone(), v.contains('\n') || v.len() > 200))
            .collect(),
    }
}

/// `templates/task_info.html`: the INFO tab.
#[derive(Template)]
#[template(path = "task_info.html")]
struct InfoPage {
    name: String,
    crumbs: TaskCrumbs,
    header: TaskHeader,
    general: KvTable,
    times: [(&'static str, Time); 4],
    destination: DestinationCard,
    /// Last values of the reported scalars.
    scalars: super::scalars::ScalarsCard,
    /// The task document's sections: title and table.
    sections: Vec<(&'static str, KvTable)>,
}

/// Query of the INFO tab.
#[derive(serde::Deserialize)]
pub(crate) struct InfoQuery {
    /// Set after the destination form saved.
    saved: Option<String>,
}

/// `GET /tasks/{id}`: the INFO tab.
pub(crate) async fn info(
    State(state): State<Shared>,
    Path(id): Path<String>,
    headers: HeaderMap,
    Query(q): Query<InfoQuery>,
) -> WebResult<Html<String>> {
    let notice = q
        .saved
        .map(|_| html::notice("ok", "Output destination saved."));
    render_info(&state, &headers, &id, notice, None)
        .await
        .map(Html)
}

/// The INFO tab; `notice` goes into the destination card, `typed` replaces the stored destination in its form
/// (to show a refused value again).
pub(crate) async fn render_info(
    state: &Shared,
    headers: &HeaderMap,
    id: &str,
    notice: Option<Notice>,
    typed: Option<&str>,
) -> WebResult<String> {
    let task = load_task(state, id).await?;
    let (project, crumbs) = task_crumbs(state, &task).await?;
    let project_default = project
        .as_ref()
        .and_then(|p| p.default_output_destination.clone());
    let n = state
        .store
        .count_artifacts(std::slice::from_ref(&task.id))
        .await?
        .first()
        .map_or(0, |c| c.1);
    let header = task_header(&task, "info", Some(n));
    let mut general = vec![
        ("status".to_string(), task.status.as_str().to_string()),
        ("type".to_string(), task.kind.clone()),
        (
            "project".to_string(),
            project
                .map(|p| p.name)
                .unwrap_or_else(|| task.project.clone()),
        ),
    ];
    for (k, v) in [
        ("status message", &task.status_message),
        ("status reason", &task.status_reason),
    ] {
        if !v.is_empty() {
            general.push((k.to_string(), v.clone()));
        }
    }
    if let Some(c) = task
        .doc
        .get("comment")
        .map(scalar_text)
        .filter(|c| !c.is_empty())
    {
        general.push(("comment".into(), c));
    }
    if let Some(Value::Array(tags)) = task
        .doc
        .get("tags")
        .filter(|t| t.as_array().is_some_and(|a| !a.is_empty()))
    {
        general.push((
            "tags".into(),
            tags.iter().map(scalar_text).collect::<Vec<_>>().join(", "),
        ));
    }
    let times = [
        ("created", html::time_micros(Some(task.created))),
        ("started", html::time_micros(task.started)),
        ("completed", html::time_micros(task.completed)),
        ("last update", html::time_micros(Some(task.last_update))),
    ];
    let destination = super::cards::task_destination_card(
        state,
        headers,
        &task,
        project_default.as_deref(),
        notice,
        typed,
    );
    let mut sections = Vec::new();
    for (field, title) in SECTIONS {
        let Some(v) = task.doc.get(field) else {
            continue;
        };
        let mut rows = Vec::new();
        flatten(v, "", &mut rows);
        rows.retain(|(k, v)| !(k.is_empty() && v.is_empty()));
        if rows.is_empty() {
            continue;
        }
        sections.push((title, kv_table(&rows)));
    }
    render::render(&InfoPage {
        name: task.name.clone(),
        crumbs,
        header,
        general: kv_table(&general),
        times,
        destination,
        scalars: super::scalars::scalars_card(state, &task.id).await?,
        sections,
    })
}

/// `templates/console.html`: the CONSOLE tab.
#[derive(Template)]
#[template(path = "console.html")]
struct ConsolePage {
    name: String,
    crumbs: TaskCrumbs,
    header: TaskHeader,
    lines: Vec<ConsoleLine>,
    /// The URL-encoded task id.
    tid: String,
    page: u64,
    /// Numbers of the first and last line shown.
    first: u64,
    last: u64,
    /// A later page may exist.
    more: bool,
}

/// One console line.
struct ConsoleLine {
    time: Time,
    level: String,
    msg: String,
}

/// Query of the console tab.
#[derive(serde::Deserialize)]
pub(crate) struct ConsoleQuery {
    page: Option<u64>,
}

/// `GET /tasks/{id}/console`: the task's `log` events.
pub(crate) async fn console(
    State(state): State<Shared>,
    Path(id): Path<String>,
    Query(q): Query<ConsoleQuery>,
) -> WebResult<Html<String>> {
    let task = load_task(&state, &id).await?;
    let (_, crumbs) = task_crumbs(&state, &task).await?;
    let page = q.page.unwrap_or(1).max(1);
    let events = state
        .store
        .list_events(
            &task.id,
            Some("log"),
            (page - 1) * CONSOLE_PER_PAGE,
            CONSOLE_PER_PAGE,
        )
        .await?;
    let lines = events
        .iter()
        .map(|e| {
            let ts = e
                .body
                .get("timestamp")
                .and_then(Value::as_i64)
                .unwrap_or(e.timestamp);
            ConsoleLine {
                time: html::time_micros(Some(ts.saturating_mul(1000))),
                level: e
                    .body
                    .get("level")
                    .map(scalar_text)
                    .unwrap_or_else(|| "info".into()),
                msg: e.body.get("msg").map(scalar_text).unwrap_or_default(),
            }
        })
        .collect::<Vec<_>>();
    let shown = lines.len() as u64;
    render::page(&ConsolePage {
        name: task.name.clone(),
        header: task_header(&task, "console", None),
        crumbs,
        lines,
        tid: url_encode(&task.id),
        page,
        first: (page - 1) * CONSOLE_PER_PAGE + 1,
        last: (page - 1) * CONSOLE_PER_PAGE + shown,
        more: shown == CONSOLE_PER_PAGE,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn flatten_handles_params_and_nesting() {
        let v = serde_json::json!({
            "Args": {"lr": {"section": "Args", "name": "lr", "value": "0.1", "type": "float", "description": ""}},
            "plain": {"a": 1, "b": [1, 2], "c": null}
        });
        let mut rows = Vec::new();
        flatten(&v, "", &mut rows);
        assert_eq!(
            rows,
            vec![
                ("Args.lr".to_string(), "0.1".to_string()),
                ("plain.a".into(), "1".into()),
                ("plain.b".into(), "[1,2]".into()),
                ("plain.c".into(), "".into())
            ]
        );
        let t = kv_table(&[("<k>".into(), "<v>".into())]).to_string();
        assert!(t.contains("&lt;k&gt;") && t.contains("&lt;v&gt;") && !t.contains("<v>"));
    }
}
