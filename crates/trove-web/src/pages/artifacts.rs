//! The ARTIFACTS tab (grouped DATA AUDIT / OTHER, paginated, lazy previews) and the preview fragments.

use super::preview_load;
use super::{TaskCrumbs, TaskHeader, load_task, task_crumbs, task_header};
use crate::Shared;
use crate::bytes_source::{self, is_local_uri};
use crate::error::{WebError, WebResult};
use crate::html::{self, Notice, Pager, Time, url_encode};
use crate::preview::{Preview, PreviewHtml};
use crate::render;
use crate::templates::filters;
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::response::{Html, Response};
use std::collections::HashMap;
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
    let mut groups = Vec::new();
    if !list.is_empty() {
        let (audit, other): (Vec<_>, Vec<_>) = list
            .iter()
            .enumerate()
            .partition(|(_, a)| a.kind == DATA_AUDIT);
        for (title, group) in [("DATA AUDIT", audit), ("OTHER", other)] {
            if group.is_empty() {
                continue;
            }
            let mut cards = Vec::new();
            for (i, a) in group {
                let versions = if a.kind == DATA_AUDIT {
                    state.store.list_versions(&task.id, &a.key).await?
                } else {
                    Vec::new()
                };
                cards.push(artifact_card(&task.id, i, a, &versions));
            }
            groups.push(Group { title, cards });
        }
    }
    let base = format!("/tasks/{}/artifacts?", url_encode(&task.id));
    render::page(&ArtifactsPage {
        name: task.name.clone(),
        crumbs,
        header: task_header(&task, "artifacts", Some(total)),
        groups,
        pager: html::pager(&base, page, ARTIFACTS_PER_PAGE, total),
    })
}

/// `templates/artifacts.html`: the ARTIFACTS tab.
#[derive(Template)]
#[template(path = "artifacts.html")]
struct ArtifactsPage {
    name: String,
    crumbs: TaskCrumbs,
    header: TaskHeader,
    /// DATA AUDIT and OTHER, those that have artifacts on this page.
    groups: Vec<Group>,
    pager: Pager,
}

/// A group of artifact cards.
struct Group {
    title: &'static str,
    cards: Vec<ArtifactCard>,
}

/// One artifact's card (`templates/artifact_card.html`).
#[derive(Template)]
#[template(path = "artifact_card.html")]
pub(crate) struct ArtifactCard {
    /// Position on the page: the card's id is `a{idx}`.
    idx: usize,
    key: String,
    kind: String,
    mode: String,
    /// Where the bytes are; `None` when nothing was uploaded.
    uri: Option<String>,
    /// The URI is a local path: it gets a copy button.
    local: bool,
    /// The download link, once the upload is complete.
    download: Option<String>,
    size: String,
    hash: String,
    /// Metadata rows: upper-case key, value.
    meta: Vec<(String, String)>,
    uploaded: Time,
    /// The upload state and its error.
    state: &'static str,
    error: Option<String>,
    /// Newest first.
    versions: Vec<VersionRow>,
    /// The preview fragment's link.
    preview: String,
}

/// One row of a registered frame's version table.
pub(crate) struct VersionRow {
    version: u32,
    uploaded: Time,
    size: String,
    hash: String,
    hash_short: String,
    download: String,
    preview: String,
}

/// One artifact's card.
pub(crate) fn artifact_card(
    task: &str,
    idx: usize,
    a: &ArtifactRecord,
    versions: &[ArtifactVersion],
) -> ArtifactCard {
    let uri = a.uri.clone().filter(|u| !u.is_empty());
    ArtifactCard {
        idx,
        key: a.key.clone(),
        kind: a.kind.clone(),
        mode: a.mode.clone(),
        local: uri.as_deref().is_some_and(is_local_uri),
        download: (uri.is_some() && a.state == UploadState::Ready)
            .then(|| html::file_href(task, &a.key, &a.mode, None, true)),
        uri,
        size: html::size(a.content_size),
        hash: a.hash.clone().unwrap_or_else(|| "—".into()),
        meta: a
            .display_data
            .iter()
            .map(|(k, v)| (k.to_uppercase(), v.clone()))
            .collect(),
        uploaded: html::time_secs(a.timestamp),
        state: a.state.as_str(),
        error: a.error.clone().filter(|e| !e.is_empty()),
        versions: versions
            .iter()
            .rev()
            .map(|v| VersionRow {
                version: v.version,
                uploaded: html::time_secs(Some(v.timestamp)),
                size: html::size(Some(v.content_size)),
                hash: v.hash.clone(),
                hash_short: v.hash.get(..12).unwrap_or(&v.hash).to_string(),
                download: html::file_href(task, &a.key, &a.mode, Some(v.version), true),
                preview: html::preview_href(task, &a.key, &a.mode, Some(v.version)),
            })
            .collect(),
        preview: html::preview_href(task, &a.key, &a.mode, None),
    }
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
    let stored = || Preview::Text {
        text: rec.preview().to_string(),
        note: None,
    };
    let (notice, preview) = match rec.state {
        UploadState::Uploading if version.is_none() => (
            Some(html::notice(
                "warn",
                "The upload is still in progress; this is the preview recorded by the client.",
            )),
            stored(),
        ),
        UploadState::Failed if version.is_none() => {
            let msg = format!(
                "The upload failed: {}",
                rec.error.as_deref().unwrap_or("no reason recorded")
            );
            (Some(html::notice("err", &msg)), stored())
        }
        _ => {
            let uri = version
                .as_ref()
                .map(|v| v.uri.clone())
                .or_else(|| rec.uri.clone());
            let p = preview_load::compute(&state, &task, &rec, q.version, uri.as_deref()).await;
            (None, p)
        }
    };
    render::page(&PreviewFragment::new(
        version.map(|v| v.version),
        notice,
        &preview,
    ))
}

/// `templates/preview_fragment.html`: the fragment the ARTIFACTS tab loads into a card.
#[derive(Template)]
#[template(path = "preview_fragment.html")]
pub(crate) struct PreviewFragment<'a> {
    /// The version shown, when not the current bytes.
    version: Option<u32>,
    notice: Option<Notice>,
    preview: PreviewHtml<'a>,
}

impl<'a> PreviewFragment<'a> {
    /// The fragment for `preview` (of `version`, when not the current bytes), with an optional notice on top.
    pub(crate) fn new(version: Option<u32>, notice: Option<Notice>, preview: &'a Preview) -> Self {
        Self {
            version,
            notice,
            preview: PreviewHtml::new(preview),
        }
    }
}

/// `GET /files/{task}/{key}[?version=n][&mode=input][&download]`.
pub(crate) async fn serve_file(
    State(state): State<Shared>,
    Path((task, key)): Path<(String, String)>,
    Query(q): Query<HashMap<String, String>>,
) -> WebResult<Response> {
    let version =
        match q.get("version") {
            Some(v) => Some(v.parse::<u32>().map_err(|_| {
                WebError::BadRequest(format!("version must be a number, got {v:?}"))
            })?),
            None => None,
        };
    let (rec, ver) = record_and_uri(
        &state,
        &task,
        &key,
        q.get("mode").map(String::as_str),
        version,
    )
    .await?;
    let uri = match &ver {
        Some(v) => v.uri.clone(),
        None => rec
            .uri
            .clone()
            .filter(|u| !u.is_empty())
            .ok_or_else(|| WebError::NotFound(format!("bytes of artifact {key:?}")))?,
    };
    let source = bytes_source::resolve(&state, &uri)?;
    let recorded = rec
        .type_data
        .content_type
        .as_deref()
        .filter(|_| ver.is_none());
    crate::files::stream_bytes(&source, &uri, recorded, q.contains_key("download")).await
}
