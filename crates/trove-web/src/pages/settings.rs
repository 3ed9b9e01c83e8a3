//! The forms that change settings: a project's default output destination (`POST /projects/{id}/settings`)
//! and a task's own output destination on its INFO tab (`POST /tasks/{id}/output`, only while the task is not
//! completed). Both check the value first (see [`crate::destination::check`]); a refused value changes nothing
//! and comes back with the message. Both are guarded by [`crate::csrf`].

use super::cards::editable;
use super::load_task;
use super::projects::{TaskListQuery, render_project};
use super::task::render_info;
use crate::error::{WebError, WebResult};
use crate::html::{self, url_encode};
use crate::{Shared, csrf, destination};
use axum::extract::{Form, Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{Html, IntoResponse, Redirect, Response};
use serde_json::Value;
use trove_protocol::{DestinationSource, TaskOutput};
use trove_store::{ProjectUpdate, TaskEdit};

/// Body of the project settings form.
#[derive(serde::Deserialize)]
pub(crate) struct ProjectSettingsForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    default_output_destination: String,
}

/// `POST /projects/{id}/settings`.
pub(crate) async fn project_settings(
    State(state): State<Shared>,
    Path(id): Path<String>,
    headers: HeaderMap,
    Form(f): Form<ProjectSettingsForm>,
) -> WebResult<Response> {
    csrf::check(&state, &headers, &f.csrf)?;
    if state.store.get_project(&id).await?.is_none() {
        return Err(WebError::NotFound(format!("project {id}")));
    }
    let raw = f.default_output_destination.trim();
    let value = if raw.is_empty() {
        None
    } else {
        match destination::check(
            &state.config,
            &state.roots,
            state.files_public_url.as_deref(),
            raw,
        )
        .await
        {
            Ok(a) => {
                tracing::info!(project = %id, destination = %a.value, checked = %a.checked,
                    "project default output destination set in the web UI");
                Some(a.value)
            }
            Err(msg) => {
                let notice = html::notice("err", &format!("Not saved. {msg}"));
                let page = render_project(
                    &state,
                    &headers,
                    &id,
                    &TaskListQuery::default(),
                    Some(notice),
                    Some(raw),
                )
                .await?;
                return Ok((StatusCode::UNPROCESSABLE_ENTITY, Html(page)).into_response());
            }
        }
    };
    state
        .store
        .update_project(
            &id,
            ProjectUpdate {
                default_output_destination: Some(value),
                ..Default::default()
            },
        )
        .await?;
    Ok(Redirect::to(&format!("/projects/{}?saved=destination", url_encode(&id))).into_response())
}

/// Body of the task destination form.
#[derive(serde::Deserialize)]
pub(crate) struct TaskOutputForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    destination: String,
}

/// `POST /tasks/{id}/output`.
pub(crate) async fn task_output(
    State(state): State<Shared>,
    Path(id): Path<String>,
    headers: HeaderMap,
    Form(f): Form<TaskOutputForm>,
) -> WebResult<Response> {
    csrf::check(&state, &headers, &f.csrf)?;
    let task = load_task(&state, &id).await?;
    let raw = f.destination.trim();
    if !editable(&task) {
        let msg = format!(
            "The task is {}; a finished task's destination cannot change.",
            task.status.as_str()
        );
        return refuse_task(&state, &headers, &id, raw, &msg).await;
    }
    let value = if raw.is_empty() {
        None
    } else {
        match destination::check(
            &state.config,
            &state.roots,
            state.files_public_url.as_deref(),
            raw,
        )
        .await
        {
            Ok(a) => Some(a.value),
            Err(msg) => return refuse_task(&state, &headers, &id, raw, &msg).await,
        }
    };
    let mut output = match task.doc.get("output") {
        Some(Value::Object(o)) => o.clone(),
        _ => serde_json::Map::new(),
    };
    // The web UI's destination is the task's own; clearing it clears both keys.
    TaskOutput {
        destination_source: value.as_ref().map(|_| DestinationSource::Task),
        destination: value.clone(),
    }
    .apply(&mut output);
    let mut doc = serde_json::Map::new();
    doc.insert("output".into(), Value::Object(output));
    state
        .store
        .edit_task(
            &id,
            TaskEdit {
                doc,
                ..Default::default()
            },
        )
        .await?;
    tracing::info!(task = %id, destination = ?value, "task output destination set in the web UI");
    Ok(Redirect::to(&format!("/tasks/{}?saved=destination", url_encode(&id))).into_response())
}

/// The INFO tab again, with the refusal message and the typed value (status 422).
async fn refuse_task(
    state: &Shared,
    headers: &HeaderMap,
    id: &str,
    typed: &str,
    msg: &str,
) -> WebResult<Response> {
    let notice = html::notice("err", &format!("Not saved. {msg}"));
    let page = render_info(state, headers, id, Some(notice), Some(typed)).await?;
    Ok((StatusCode::UNPROCESSABLE_ENTITY, Html(page)).into_response())
}
