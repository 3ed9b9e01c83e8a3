//! `/compare?tasks=a,b[,…]`: the tasks' artifacts side by side by key, differences highlighted.

use super::load_task;
use crate::Shared;
use crate::error::{WebError, WebResult};
use crate::html::{self, escape, url_encode};
use axum::extract::{RawQuery, State};
use axum::response::Html;
use std::collections::BTreeMap;
use std::fmt::Write;
use trove_core::ArtifactRecord;

/// Most tasks compared at once.
pub const MAX_TASKS: usize = 4;
/// Most rows shown.
pub const MAX_ROWS: usize = 5000;

/// Parsed query: task ids from `tasks=a,b` and/or repeated `t=a&t=b`, and `only=diff`.
pub(crate) fn parse_query(raw: &str) -> (Vec<String>, bool) {
    let mut ids = Vec::new();
    let mut only_diff = false;
    for pair in raw.split('&').filter(|p| !p.is_empty()) {
        let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
        let v = trove_core::layout::unquote(&v.replace('+', " ")).unwrap_or_default();
        match k {
            "tasks" | "t" => ids.extend(
                v.split(',')
                    .map(str::trim)
                    .filter(|s| !s.is_empty())
                    .map(String::from),
            ),
            "only" => only_diff = v == "diff",
            _ => {}
        }
    }
    let mut seen = std::collections::HashSet::new();
    ids.retain(|i| seen.insert(i.clone()));
    (ids, only_diff)
}

/// What differs between the versions of one key.
#[derive(Debug, Default, PartialEq)]
pub(crate) struct Diff {
    /// Absent in at least one task.
    pub missing: bool,
    /// Hashes differ.
    pub hash: bool,
    /// Sizes differ.
    pub size: bool,
    /// Metadata differs.
    pub meta: bool,
    /// Types differ.
    pub kind: bool,
}

impl Diff {
    fn any(&self) -> bool {
        self.missing || self.hash || self.size || self.meta || self.kind
    }
}

/// Compare one key across tasks.
pub(crate) fn diff(cells: &[Option<&ArtifactRecord>]) -> Diff {
    let present: Vec<&ArtifactRecord> = cells.iter().flatten().copied().collect();
    let differs =
        |f: &dyn Fn(&ArtifactRecord) -> String| present.windows(2).any(|w| f(w[0]) != f(w[1]));
    Diff {
        missing: present.len() != cells.len(),
        hash: differs(&|a| a.hash.clone().unwrap_or_default()),
        size: differs(&|a| a.content_size.map(|s| s.to_string()).unwrap_or_default()),
        meta: differs(&|a| format!("{:?}", a.metadata())),
        kind: differs(&|a| a.kind.clone()),
    }
}

/// `GET /compare`.
pub(crate) async fn compare(
    State(state): State<Shared>,
    RawQuery(raw): RawQuery,
) -> WebResult<Html<String>> {
    let (ids, only_diff) = parse_query(raw.as_deref().unwrap_or(""));
    if ids.len() < 2 {
        return Err(WebError::BadRequest(
            "pick at least two tasks: /compare?tasks=<id>,<id>".into(),
        ));
    }
    if ids.len() > MAX_TASKS {
        return Err(WebError::BadRequest(format!(
            "compare at most {MAX_TASKS} tasks at once"
        )));
    }
    let mut tasks = Vec::new();
    let mut lists = Vec::new();
    for id in &ids {
        tasks.push(load_task(&state, id).await?);
        lists.push(state.store.list_artifacts(id).await?);
    }
    let mut rows: BTreeMap<(String, String), Vec<Option<&ArtifactRecord>>> = BTreeMap::new();
    for (i, list) in lists.iter().enumerate() {
        for a in list {
            rows.entry((a.key.clone(), a.mode.clone()))
                .or_insert_with(|| vec![None; ids.len()])[i] = Some(a);
        }
    }
    let diffs: Vec<Diff> = rows.values().map(|c| diff(c)).collect();
    let n_diff = diffs.iter().filter(|d| d.any()).count();

    let joined = ids
        .iter()
        .map(|i| url_encode(i))
        .collect::<Vec<_>>()
        .join(",");
    let mut body = format!(
        r#"<section class="card"><div class="row between"><h1>Compare artifacts</h1><span class="muted">{} keys · <span class="diffcount">{n_diff}</span> differ</span></div><p class="small">{}</p>"#,
        rows.len(),
        if only_diff {
            format!(r#"<a href="/compare?tasks={joined}">show all keys</a>"#)
        } else {
            format!(r#"<a href="/compare?tasks={joined}&only=diff">show only differences</a>"#)
        }
    );
    body.push_str(r#"<div class="tablewrap"><table class="compare"><thead><tr><th>artifact</th>"#);
    for t in &tasks {
        let _ = write!(
            body,
            r#"<th><a href="/tasks/{}/artifacts">{}</a> {}<div class="muted small mono">{}</div></th>"#,
            url_encode(&t.id),
            escape(&t.name),
            html::status_badge(t.status.as_str()),
            escape(&t.id)
        );
    }
    body.push_str("</tr></thead><tbody>");
    let mut shown = 0;
    for (((key, mode), cells), d) in rows.iter().zip(&diffs) {
        if only_diff && !d.any() {
            continue;
        }
        shown += 1;
        if shown > MAX_ROWS {
            let _ = write!(
                body,
                r#"<tr><td colspan="{}" class="muted">only the first {MAX_ROWS} keys are shown</td></tr>"#,
                ids.len() + 1
            );
            break;
        }
        let mode_tag = if mode != "output" {
            format!(r#" <span class="kind">{}</span>"#, escape(mode))
        } else {
            String::new()
        };
        let _ = write!(
            body,
            r#"<tr class="{}" data-key="{}"><th class="mono">{}{mode_tag}</th>"#,
            if d.any() { "diff" } else { "same" },
            escape(key),
            escape(key)
        );
        for (i, c) in cells.iter().enumerate() {
            let Some(a) = c else {
                body.push_str(r#"<td class="missing">missing</td>"#);
                continue;
            };
            let hl = |on: bool| if on { " hl" } else { "" };
            let mut meta = String::new();
            for (k, v) in &a.display_data {
                let _ = write!(
                    meta,
                    r#"<div><span class="muted">{}:</span> {}</div>"#,
                    escape(k),
                    escape(v)
                );
            }
            let _ = write!(
                body,
                r#"<td><div class="{kc}"><span class="kind">{kind}</span></div><div class="{sc}">{size}</div><div class="mono{hc}" title="{hash}">{hs}</div><div class="meta{mc}">{meta}</div><a class="small" href="{dl}">download</a></td>"#,
                kc = hl(d.kind).trim(),
                kind = escape(&a.kind),
                sc = hl(d.size).trim(),
                size = escape(&html::size(a.content_size)),
                hc = hl(d.hash),
                hash = escape(a.hash.as_deref().unwrap_or("")),
                hs = escape(a.hash.as_deref().map_or("—", |h| h.get(..12).unwrap_or(h))),
                mc = hl(d.meta),
                dl = escape(&html::file_href(&ids[i], key, mode, None, true)),
            );
        }
        body.push_str("</tr>");
    }
    if rows.is_empty() {
        let _ = write!(
            body,
            r#"<tr><td colspan="{}" class="muted">None of these tasks has artifacts.</td></tr>"#,
            ids.len() + 1
        );
    }
    body.push_str("</tbody></table></div></section>");
    Ok(Html(html::page(
        "Compare",
        r#"<a href="/projects">Projects</a><span>›</span><span class="here">Compare</span>"#,
        &body,
    )))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn query_forms() {
        assert_eq!(
            parse_query("tasks=a,b"),
            (vec!["a".into(), "b".into()], false)
        );
        assert_eq!(
            parse_query("t=a&t=b&t=a&only=diff"),
            (vec!["a".into(), "b".into()], true)
        );
        assert_eq!(
            parse_query("tasks=a%2Cb"),
            (vec!["a".into(), "b".into()], false)
        );
    }

    #[test]
    fn diffs() {
        let mut a = ArtifactRecord::new("k", "dict");
        a.hash = Some("h1".into());
        a.content_size = Some(3);
        let mut b = a.clone();
        assert!(!diff(&[Some(&a), Some(&b)]).any());
        b.hash = Some("h2".into());
        b.display_data = vec![("x".into(), "1".into())];
        let d = diff(&[Some(&a), Some(&b)]);
        assert!(d.hash && d.meta && !d.size && !d.missing);
        assert!(diff(&[Some(&a), None]).missing);
    }
}
