//! The MODELS tab of a task (its input and output models: name, framework, weights location, published or
//! draft, created, tags, metadata, comment, the model's own scalars and last iteration) and a model's bytes (`/models/{id}/file`) and preview fragment
//! (`/models/{id}/preview`), read only when the weights lie inside the server's storage roots.

use super::artifacts::PreviewFragment;
use super::preview_load::{Kind, from_bytes_timed, kind_of};
use super::scalars::{self, ScalarRow};
use super::{TaskCrumbs, TaskHeader, load_task, task_crumbs, task_header};
use crate::Shared;
use crate::bytes_source::{self, is_local_uri};
use crate::error::{WebError, WebResult};
use crate::html::{self, Time, url_encode};
use crate::preview::Preview;
use crate::render;
use crate::templates::filters;
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::response::{Html, Response};
use serde_json::Value;
use std::collections::HashMap;
use trove_store::metrics::LastMetric;
use trove_store::{Model, ModelQuery, Task};

/// `templates/models.html`: the MODELS tab.
#[derive(Template)]
#[template(path = "models.html")]
struct ModelsPage {
    name: String,
    crumbs: TaskCrumbs,
    header: TaskHeader,
    /// INPUT MODELS and OUTPUT MODELS, those that have models.
    groups: Vec<Group>,
}

/// A titled list of model cards.
struct Group {
    title: &'static str,
    cards: Vec<ModelCard>,
}

/// One model's card (`templates/model_card.html`).
#[derive(Template)]
#[template(path = "model_card.html")]
struct ModelCard {
    /// Position on the page: the card's id is `m{idx}`.
    idx: usize,
    /// The task's name for the model (or the model's name).
    title: String,
    /// The model id the task refers to.
    id: String,
    /// The model, when the store has it.
    model: Option<ModelView>,
}

/// What a card shows of a stored model.
struct ModelView {
    id: String,
    name: String,
    framework: Option<String>,
    ready: bool,
    archived: bool,
    uri: Option<String>,
    local: bool,
    download: Option<String>,
    /// Why the bytes are not offered, when they are not.
    unreadable: Option<String>,
    created: Time,
    tags: Vec<String>,
    comment: Option<String>,
    /// `(key, type, value)`.
    metadata: Vec<(String, String, String)>,
    preview: Option<String>,
    /// The model's `last_iteration`, when it reported any.
    last_iteration: Option<i64>,
    /// Its own scalars (model events): last, lowest and highest values.
    scalars: Vec<ScalarRow>,
}

fn text(v: Option<&Value>) -> String {
    match v {
        Some(Value::String(s)) => s.clone(),
        Some(Value::Null) | None => String::new(),
        Some(other) => other.to_string(),
    }
}

fn view(state: &Shared, m: &Model, metrics: Vec<LastMetric>) -> ModelView {
    let uri = Some(m.uri.clone()).filter(|u| !u.is_empty());
    let readable = uri.as_deref().map(|u| bytes_source::resolve(state, u));
    let id = url_encode(&m.id);
    let (download, unreadable) = match &readable {
        Some(Ok(_)) => (Some(format!("/models/{id}/file?download")), None),
        Some(Err(e)) => (None, Some(e.to_string())),
        None => (None, None),
    };
    let metadata = m
        .doc
        .get("metadata")
        .and_then(Value::as_object)
        .map(|md| {
            md.iter()
                .map(|(k, item)| (k.clone(), text(item.get("type")), text(item.get("value"))))
                .collect()
        })
        .unwrap_or_default();
    ModelView {
        id: m.id.clone(),
        name: m.name.clone(),
        framework: m.framework.clone().filter(|f| !f.is_empty()),
        ready: m.ready,
        archived: m.doc_strings("system_tags").iter().any(|t| t == "archived"),
        local: uri.as_deref().is_some_and(is_local_uri),
        preview: uri.as_ref().map(|_| format!("/models/{id}/preview")),
        uri,
        download,
        unreadable,
        created: html::time_micros(Some(m.created)),
        tags: m.doc_strings("tags"),
        comment: Some(text(m.doc.get("comment"))).filter(|c| !c.is_empty()),
        metadata,
        last_iteration: m
            .doc
            .get("last_iteration")
            .and_then(Value::as_i64)
            .filter(|i| *i > 0),
        scalars: scalars::rows(metrics),
    }
}

/// `(task's name for it, model id)` of `models.<kind>` in the task document.
fn refs(task: &Task, kind: &str) -> Vec<(String, String)> {
    let Some(Value::Array(list)) = task.doc.get("models").and_then(|m| m.get(kind)) else {
        return Vec::new();
    };
    list.iter()
        .filter_map(|v| Some((text(v.get("name")), v.get("model")?.as_str()?.to_string())))
        .collect()
}

/// `GET /tasks/{id}/models`: the task's input models (from its document) and output models (its document's
/// and those whose creating task it is), newest last.
pub(crate) async fn models(
    State(state): State<Shared>,
    Path(id): Path<String>,
) -> WebResult<Html<String>> {
    let task = load_task(&state, &id).await?;
    let (_, crumbs) = task_crumbs(&state, &task).await?;
    let mut idx = 0;
    let mut groups = Vec::new();
    let mut outputs = refs(&task, "output");
    let query = ModelQuery {
        tasks: Some(vec![task.id.clone()]),
        ..Default::default()
    };
    let mut created = state.store.query_models(&query).await?;
    created.reverse();
    for m in &created {
        if !outputs.iter().any(|(_, id)| *id == m.id) {
            outputs.push((m.name.clone(), m.id.clone()));
        }
    }
    let inputs = refs(&task, "input");
    // Every model the page names, and their scalars, in one query each.
    let ids: Vec<String> = inputs
        .iter()
        .chain(&outputs)
        .map(|(_, id)| id.clone())
        .collect();
    let mut known: HashMap<String, Model> =
        created.into_iter().map(|m| (m.id.clone(), m)).collect();
    let missing: Vec<String> = ids
        .iter()
        .filter(|id| !known.contains_key(*id))
        .cloned()
        .collect();
    if !missing.is_empty() {
        let query = ModelQuery {
            ids: Some(missing),
            ..Default::default()
        };
        for m in state.store.query_models(&query).await? {
            known.insert(m.id.clone(), m);
        }
    }
    let metrics = state.store.last_metrics(&ids).await?;
    for (title, list) in [("INPUT MODELS", inputs), ("OUTPUT MODELS", outputs)] {
        let mut cards = Vec::new();
        for (name, model_id) in list {
            let model = known.get(&model_id);
            let own = metrics.get(&model_id).cloned().unwrap_or_default();
            idx += 1;
            cards.push(ModelCard {
                idx,
                title: if name.is_empty() {
                    model.map(|m| m.name.clone()).unwrap_or_default()
                } else {
                    name
                },
                id: model_id,
                model: model.map(|m| view(&state, m, own)),
            });
        }
        if !cards.is_empty() {
            groups.push(Group { title, cards });
        }
    }
    render::page(&ModelsPage {
        name: task.name.clone(),
        crumbs,
        header: task_header(&task, "models", None),
        groups,
    })
}

async fn load_model(state: &Shared, id: &str) -> WebResult<Model> {
    state
        .store
        .get_model(id)
        .await?
        .ok_or_else(|| WebError::NotFound(format!("model {id}")))
}

/// `GET /models/{id}/file[?download]`: the weights, streamed, when they lie inside the storage roots.
pub(crate) async fn model_file(
    State(state): State<Shared>,
    Path(id): Path<String>,
    Query(q): Query<HashMap<String, String>>,
) -> WebResult<Response> {
    let m = load_model(&state, &id).await?;
    if m.uri.is_empty() {
        return Err(WebError::NotFound(format!("weights of model {id}")));
    }
    let source = bytes_source::resolve(&state, &m.uri)?;
    crate::files::stream_bytes(&source, &m.uri, None, q.contains_key("download")).await
}

/// `GET /models/{id}/preview`: an HTML fragment previewing the weights file (tables, JSON, archives, arrays,
/// images as the ARTIFACTS tab does; other files: their size).
pub(crate) async fn model_preview(
    State(state): State<Shared>,
    Path(id): Path<String>,
) -> WebResult<Html<String>> {
    let m = load_model(&state, &id).await?;
    let note = |text: String, note: String| Preview::Text {
        text,
        note: Some(note),
    };
    if m.uri.is_empty() {
        let p = note(String::new(), "this model has no weights file".into());
        return render::page(&PreviewFragment::new(None, None, &p));
    }
    let preview = match bytes_source::resolve(&state, &m.uri) {
        Err(e) => note(String::new(), format!("{e}; the file is not read")),
        Ok(source) => match kind_of(&m.uri) {
            Kind::Image => Preview::Image {
                src: format!("/models/{}/file", url_encode(&m.id)),
            },
            Kind::Stored => match source.size().await {
                Ok(n) => note(
                    format!("{} ({n} bytes)", trove_core::preview::format_size_binary(n)),
                    "no preview for this kind of file: download it".into(),
                ),
                Err(e) => note(String::new(), e.to_string()),
            },
            kind => match from_bytes_timed(&source, kind, false).await {
                Ok(p) => p,
                Err(e) => note(String::new(), format!("cannot preview the file ({e})")),
            },
        },
    };
    render::page(&PreviewFragment::new(None, None, &preview))
}
