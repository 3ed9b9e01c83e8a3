//! `/compare?tasks=a,b[,…]`: the tasks' artifacts side by side by key, differences highlighted.

use super::load_task;
use crate::Shared;
use crate::error::{WebError, WebResult};
use crate::html::{self, Badge, url_encode};
use crate::render;
use crate::templates::filters;
use askama::Template;
use axum::extract::{RawQuery, State};
use axum::response::Html;
use std::collections::BTreeMap;
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
    let shown: Vec<Row> = rows
        .iter()
        .zip(&diffs)
        .filter(|(_, d)| !only_diff || d.any())
        .take(MAX_ROWS + 1)
        .map(|(((key, mode), cells), d)| Row {
            differs: d.any(),
            kind_hl: d.kind,
            size_hl: d.size,
            hash_hl: d.hash,
            meta_hl: d.meta,
            cells: cells
                .iter()
                .zip(&ids)
                .map(|(c, id)| c.map(|a| cell(id, key, mode, a)))
                .collect(),
            key: key.clone(),
            mode: mode.clone(),
        })
        .collect();
    let truncated = shown.len() > MAX_ROWS;
    let mut shown = shown;
    shown.truncate(MAX_ROWS);
    render::page(&ComparePage {
        keys: rows.len(),
        n_diff,
        only_diff,
        joined,
        tasks: tasks
            .iter()
            .map(|t| TaskColumn {
                href_id: url_encode(&t.id),
                name: t.name.clone(),
                badge: html::status_badge(t.status.as_str()),
                id: t.id.clone(),
            })
            .collect(),
        rows: shown,
        truncated,
        max_rows: MAX_ROWS,
        empty: rows.is_empty(),
    })
}

/// One task's artifact in a row.
fn cell(task: &str, key: &str, mode: &str, a: &ArtifactRecord) -> Cell {
    Cell {
        kind: a.kind.clone(),
        size: html::size(a.content_size),
        hash: a.hash.clone().unwrap_or_default(),
        hash_short: a
            .hash
            .as_deref()
            .map_or("—", |h| h.get(..12).unwrap_or(h))
            .to_string(),
        meta: a.display_data.clone(),
        download: html::file_href(task, key, mode, None, true),
    }
}

/// `templates/compare.html`.
#[derive(Template)]
#[template(path = "compare.html")]
struct ComparePage {
    /// Keys in all tasks together.
    keys: usize,
    /// Keys that differ.
    n_diff: usize,
    only_diff: bool,
    /// The URL-encoded task ids, comma-separated.
    joined: String,
    tasks: Vec<TaskColumn>,
    rows: Vec<Row>,
    /// More than [`MAX_ROWS`] rows would be shown.
    truncated: bool,
    max_rows: usize,
    /// No task has artifacts.
    empty: bool,
}

/// A task's column head.
struct TaskColumn {
    /// The URL-encoded id.
    href_id: String,
    name: String,
    badge: Badge,
    id: String,
}

/// One key's row: what differs, and each task's artifact (`None`: missing).
struct Row {
    key: String,
    mode: String,
    differs: bool,
    kind_hl: bool,
    size_hl: bool,
    hash_hl: bool,
    meta_hl: bool,
    cells: Vec<Option<Cell>>,
}

/// One task's artifact in a row.
struct Cell {
    kind: String,
    size: String,
    hash: String,
    hash_short: String,
    /// Metadata: key, value.
    meta: Vec<(String, String)>,
    download: String,
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
