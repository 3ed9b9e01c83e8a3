//! The INFO and CONSOLE tabs of a task.

use super::{load_task, task_crumbs, task_header};
use crate::Shared;
use crate::error::WebResult;
use crate::html::{self, escape, url_encode};
use axum::extract::{Path, Query, State};
use axum::http::HeaderMap;
use axum::response::Html;
use serde_json::Value;
use std::fmt::Write;

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

/// A two-column table of `(key, value)` rows; long values go into a scrolling monospace block.
pub(crate) fn kv_table(rows: &[(String, String)]) -> String {
    let mut out = String::from(r#"<table class="kv"><tbody>"#);
    for (k, v) in rows {
        let value = if v.contains('\n') || v.len() > 200 {
            format!(r#"<pre class="mono scroll">{}</pre>"#, escape(v))
        } else {
            escape(v)
        };
        let _ = write!(out, r#"<tr><th>{}</th><td>{value}</td></tr>"#, escape(k));
    }
    out.push_str("</tbody></table>");
    out
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

/// The INFO tab; `notice` (HTML) goes into the destination card, `typed` replaces the stored destination in
/// its form (to show a refused value again).
pub(crate) async fn render_info(
    state: &Shared,
    headers: &HeaderMap,
    id: &str,
    notice: Option<String>,
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
    let mut body = task_header(&task, "info", Some(n));
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
    let _ = write!(
        body,
        r#"<section class="card"><h2>GENERAL</h2>{}"#,
        kv_table(&general)
    );
    // times are rendered as <time> markup, so they get their own rows outside kv_table's escaping
    let _ = write!(
        body,
        r#"<table class="kv"><tbody><tr><th>created</th><td>{}</td></tr><tr><th>started</th><td>{}</td></tr><tr><th>completed</th><td>{}</td></tr><tr><th>last update</th><td>{}</td></tr></tbody></table></section>"#,
        html::time_micros(Some(task.created)),
        html::time_micros(task.started),
        html::time_micros(task.completed),
        html::time_micros(Some(task.last_update)),
    );
    body.push_str(&super::settings::task_destination_card(
        state,
        headers,
        &task,
        project_default.as_deref(),
        notice.as_deref(),
        typed,
    ));
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
        let _ = write!(
            body,
            r#"<section class="card"><h2>{title}</h2>{}</section>"#,
            kv_table(&rows)
        );
    }
    Ok(html::page(&task.name, &crumbs, &body))
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
    let mut body = task_header(&task, "console", None);
    body.push_str(r#"<section class="card"><div class="console">"#);
    if events.is_empty() {
        body.push_str(r#"<p class="muted">No console output.</p>"#);
    }
    for e in &events {
        let msg = e.body.get("msg").map(scalar_text).unwrap_or_default();
        let level = e
            .body
            .get("level")
            .map(scalar_text)
            .unwrap_or_else(|| "info".into());
        let ts = e
            .body
            .get("timestamp")
            .and_then(Value::as_i64)
            .unwrap_or(e.timestamp);
        let _ = write!(
            body,
            r#"<div class="line lv-{lv}"><span class="ts">{t}</span><span class="lv">{lv}</span><span class="msg">{m}</span></div>"#,
            t = html::time_micros(Some(ts.saturating_mul(1000))),
            lv = escape(&level),
            m = escape(&msg),
        );
    }
    body.push_str("</div>");
    let tid = url_encode(&task.id);
    body.push_str(r#"<nav class="pager">"#);
    if page > 1 {
        let _ = write!(
            body,
            r#"<a href="/tasks/{tid}/console?page={}">‹ earlier</a>"#,
            page - 1
        );
    }
    let _ = write!(
        body,
        "<span>lines {}–{}</span>",
        (page - 1) * CONSOLE_PER_PAGE + 1,
        (page - 1) * CONSOLE_PER_PAGE + events.len() as u64
    );
    if events.len() as u64 == CONSOLE_PER_PAGE {
        let _ = write!(
            body,
            r#"<a href="/tasks/{tid}/console?page={}">later ›</a>"#,
            page + 1
        );
    }
    body.push_str("</nav></section>");
    Ok(Html(html::page(
        &format!("{} · console", task.name),
        &crumbs,
        &body,
    )))
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
        let t = kv_table(&[("<k>".into(), "<v>".into())]);
        assert!(t.contains("&lt;k&gt;") && t.contains("&lt;v&gt;") && !t.contains("<v>"));
    }
}
