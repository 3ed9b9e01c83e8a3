//! The ARTIFACTS tab (grouped DATA AUDIT / OTHER, paginated, lazy previews) and the preview fragments.

use super::preview_load;
use super::{load_task, task_crumbs, task_header};
use crate::Shared;
use crate::bytes_source::is_local_uri;
use crate::error::{WebError, WebResult};
use crate::html::{self, escape, url_encode};
use axum::extract::{Path, Query, State};
use axum::response::Html;
use std::fmt::Write;
use trove_core::{ArtifactRecord, ArtifactVersion, UploadState};

/// Artifacts per page of the tab.
pub const ARTIFACTS_PER_PAGE: u64 = 100;
/// The type ClearML groups under DATA AUDIT.
pub const DATA_AUDIT: &str = "data-audit-table";

/// Query of the tab.
#[derive(serde::Deserialize)]
pub(crate) struct PageQuery {
    page: Option<u64>,
}

/// `GET /tasks/{id}/artifacts`.
pub(crate) async fn artifacts(
    State(state): State<Shared>,
    Path(id): Path<String>,
    Query(q): Query<PageQuery>,
) -> WebResult<Html<String>> {
    let task = load_task(&state, &id).await?;
    let (_, crumbs) = task_crumbs(&state, &task).await?;
    let total = state
        .store
        .count_artifacts(std::slice::from_ref(&task.id))
        .await?
        .first()
        .map_or(0, |c| c.1);
    let page = q.page.unwrap_or(1).max(1);
    let list = state
        .store
        .list_artifacts_page(
            &task.id,
            (page - 1) * ARTIFACTS_PER_PAGE,
            ARTIFACTS_PER_PAGE,
        )
        .await?;
    let (audit, other): (Vec<_>, Vec<_>) = list
        .iter()
        .enumerate()
        .partition(|(_, a)| a.kind == DATA_AUDIT);

    let mut body = task_header(&task, "artifacts", Some(total));
    if list.is_empty() {
        body.push_str(
            r#"<section class="card"><p class="muted">This task has no artifacts.</p></section>"#,
        );
        return Ok(Html(html::page(&task.name, &crumbs, &body)));
    }
    // left navigation, as ClearML's artifacts navbar
    body.push_str(r#"<div class="artlayout"><nav class="artnav">"#);
    for (title, group) in [("DATA AUDIT", &audit), ("OTHER", &other)] {
        if group.is_empty() {
            continue;
        }
        let _ = write!(body, "<h4>{title}</h4><ul>");
        for (i, a) in group.iter() {
            let _ = write!(body, r##"<li><a href="#a{i}">{}</a></li>"##, escape(&a.key));
        }
        body.push_str("</ul>");
    }
    body.push_str(r#"</nav><div class="artmain">"#);
    for (title, group) in [("DATA AUDIT", &audit), ("OTHER", &other)] {
        if group.is_empty() {
            continue;
        }
        let _ = write!(body, r#"<h2 class="group">{title}</h2>"#);
        for (i, a) in group.iter() {
            let versions = if a.kind == DATA_AUDIT {
                state.store.list_versions(&task.id, &a.key).await?
            } else {
                Vec::new()
            };
            body.push_str(&artifact_card(&task.id, *i, a, &versions));
        }
    }
    let base = format!("/tasks/{}/artifacts?", url_encode(&task.id));
    body.push_str(&html::pager(&base, page, ARTIFACTS_PER_PAGE, total));
    body.push_str("</div></div>");
    Ok(Html(html::page(
        &format!("{} · artifacts", task.name),
        &crumbs,
        &body,
    )))
}

/// The FILE PATH cell: a download link through `/files`, plus copy-to-clipboard for local paths.
fn path_cell(task: &str, a: &ArtifactRecord) -> String {
    let Some(uri) = a.uri.as_deref().filter(|u| !u.is_empty()) else {
        return r#"<span class="muted">—</span>"#.into();
    };
    let dl = html::file_href(task, &a.key, &a.mode, None, true);
    let ready = a.state == UploadState::Ready;
    let download = if ready {
        format!(
            r#"<a class="btn small" href="{}" download>download</a>"#,
            escape(&dl)
        )
    } else {
        String::new()
    };
    if is_local_uri(uri) {
        format!(
            r#"<code class="path">{u}</code><button type="button" class="btn small copy" data-copy="{u}">copy</button>{download}"#,
            u = escape(uri)
        )
    } else {
        format!(r#"<code class="path">{}</code>{download}"#, escape(uri))
    }
}

fn state_cell(a: &ArtifactRecord) -> String {
    let s = a.state.as_str();
    let mut out = format!(r#"<span class="badge up-{s}">{s}</span>"#);
    if let Some(e) = a.error.as_deref().filter(|e| !e.is_empty()) {
        let _ = write!(out, r#" <span class="errtext">{}</span>"#, escape(e));
    }
    out
}

/// One artifact's card.
pub(crate) fn artifact_card(
    task: &str,
    idx: usize,
    a: &ArtifactRecord,
    versions: &[ArtifactVersion],
) -> String {
    let mut out = format!(
        r#"<article class="card artifact" id="a{idx}"><header><h3>{key}</h3><span class="kind">{kind}</span>{mode}</header><div class="artbody"><div class="artinfo"><table class="kv"><tbody>"#,
        key = escape(&a.key),
        kind = escape(&a.kind),
        mode = if a.mode != "output" {
            format!(r#"<span class="kind">{}</span>"#, escape(&a.mode))
        } else {
            String::new()
        },
    );
    let _ = write!(
        out,
        "<tr><th>FILE PATH</th><td>{}</td></tr>",
        path_cell(task, a)
    );
    let _ = write!(
        out,
        "<tr><th>FILE SIZE</th><td>{}</td></tr>",
        escape(&html::size(a.content_size))
    );
    let _ = write!(
        out,
        r#"<tr><th>HASH</th><td class="mono hash">{}</td></tr>"#,
        escape(a.hash.as_deref().unwrap_or("—"))
    );
    for (k, v) in &a.display_data {
        let _ = write!(
            out,
            r#"<tr class="meta"><th>{}</th><td>{}</td></tr>"#,
            escape(&k.to_uppercase()),
            escape(v)
        );
    }
    let _ = write!(
        out,
        "<tr><th>UPLOADED</th><td>{}</td></tr>",
        html::time_secs(a.timestamp)
    );
    let _ = write!(out, "<tr><th>STATE</th><td>{}</td></tr>", state_cell(a));
    out.push_str("</tbody></table>");
    if !versions.is_empty() {
        out.push_str(r#"<details class="versions"><summary>"#);
        let _ = write!(
            out,
            "{} version{}</summary>",
            versions.len(),
            if versions.len() == 1 { "" } else { "s" }
        );
        out.push_str(r#"<table class="data"><thead><tr><th>version</th><th>uploaded</th><th>size</th><th>hash</th><th></th></tr></thead><tbody>"#);
        for v in versions.iter().rev() {
            let _ = write!(
                out,
                r##"<tr><td>{n}</td><td>{t}</td><td class="num">{s}</td><td class="mono" title="{h}">{hs}</td><td><a href="{dl}">download</a> · <a href="#" class="loadprev" data-src="{pv}">preview</a></td></tr>"##,
                n = v.version,
                t = html::time_secs(Some(v.timestamp)),
                s = escape(&html::size(Some(v.content_size))),
                h = escape(&v.hash),
                hs = escape(v.hash.get(..12).unwrap_or(&v.hash)),
                dl = escape(&html::file_href(
                    task,
                    &a.key,
                    &a.mode,
                    Some(v.version),
                    true
                )),
                pv = escape(&html::preview_href(task, &a.key, &a.mode, Some(v.version))),
            );
        }
        out.push_str("</tbody></table></details>");
    }
    let _ = write!(
        out,
        r#"</div><div class="preview" data-src="{}"><span class="muted small">preview loads when visible…</span></div></div></article>"#,
        escape(&html::preview_href(task, &a.key, &a.mode, None))
    );
    out
}

/// Query of a preview fragment.
#[derive(serde::Deserialize)]
pub(crate) struct PreviewQuery {
    mode: Option<String>,
    version: Option<u32>,
}

/// The record and the URI of `version` (or the current bytes).
pub(crate) async fn record_and_uri(
    state: &Shared,
    task: &str,
    key: &str,
    mode: Option<&str>,
    version: Option<u32>,
) -> WebResult<(ArtifactRecord, Option<ArtifactVersion>)> {
    let mode = mode.unwrap_or("output");
    let rec = state
        .store
        .get_artifact(task, key, mode)
        .await?
        .ok_or_else(|| WebError::NotFound(format!("artifact {key:?} ({mode}) of task {task}")))?;
    let Some(n) = version else {
        return Ok((rec, None));
    };
    let v = state
        .store
        .list_versions(task, key)
        .await?
        .into_iter()
        .find(|v| v.version == n)
        .ok_or_else(|| WebError::NotFound(format!("version {n} of artifact {key:?}")))?;
    Ok((rec, Some(v)))
}

/// `GET /preview/{task}/{key}`: the preview as an HTML fragment.
pub(crate) async fn preview_fragment(
    State(state): State<Shared>,
    Path((task, key)): Path<(String, String)>,
    Query(q): Query<PreviewQuery>,
) -> WebResult<Html<String>> {
    let (rec, version) = record_and_uri(&state, &task, &key, q.mode.as_deref(), q.version).await?;
    let mut out = String::new();
    if let Some(v) = &version {
        let _ = write!(out, r#"<p class="muted small">version {}</p>"#, v.version);
    }
    match rec.state {
        UploadState::Uploading if version.is_none() => {
            out.push_str(&html::notice(
                "warn",
                "The upload is still in progress; this is the preview recorded by the client.",
            ));
            out.push_str(
                &crate::preview::Preview::Text {
                    text: rec.preview().to_string(),
                    note: None,
                }
                .to_html(),
            );
            return Ok(Html(out));
        }
        UploadState::Failed if version.is_none() => {
            let msg = format!(
                "The upload failed: {}",
                rec.error.as_deref().unwrap_or("no reason recorded")
            );
            out.push_str(&html::notice("err", &msg));
            out.push_str(
                &crate::preview::Preview::Text {
                    text: rec.preview().to_string(),
                    note: None,
                }
                .to_html(),
            );
            return Ok(Html(out));
        }
        _ => {}
    }
    let uri = version
        .as_ref()
        .map(|v| v.uri.clone())
        .or_else(|| rec.uri.clone());
    let p = preview_load::compute(&state, &task, &rec, q.version, uri.as_deref()).await;
    out.push_str(&p.to_html());
    Ok(Html(out))
}
