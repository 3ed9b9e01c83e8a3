//! The forms that change settings: a project's default output destination (`POST /projects/{id}/settings`)
//! and a task's own output destination on its INFO tab (`POST /tasks/{id}/output`, only while the task is not
//! completed). Both check the value first (see [`crate::destination::check`]); a refused value changes nothing
//! and comes back with the message. Both are guarded by [`crate::csrf`].

use super::load_task;
use super::projects::{TaskListQuery, render_project};
use super::task::render_info;
use crate::error::{WebError, WebResult};
use crate::html::{self, Notice, url_encode};
use crate::templates::filters;
use crate::{Shared, csrf, destination};
use askama::Template;
use axum::extract::{Form, Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{Html, IntoResponse, Redirect, Response};
use serde_json::Value;
use trove_core::TaskStatus;
use trove_protocol::{DestinationSource, TaskOutput};
use trove_store::{Project, ProjectUpdate, Task, TaskEdit};

/// The settings card of a project page (`templates/project_settings.html`).
#[derive(Template)]
#[template(path = "project_settings.html")]
pub(crate) struct ProjectSettings {
    notice: Option<Notice>,
    /// The URL-encoded project id.
    pid: String,
    csrf: csrf::HiddenInput,
    /// The value in the input: the stored destination, or the refused one typed.
    value: String,
    /// The stored destination, empty when none.
    current: String,
}

/// The settings card of a project page.
pub(crate) fn project_form(
    state: &Shared,
    headers: &HeaderMap,
    project: &Project,
    notice: Option<Notice>,
    typed: Option<&str>,
) -> ProjectSettings {
    let current = project.default_output_destination.as_deref().unwrap_or("");
    ProjectSettings {
        notice,
        pid: url_encode(&project.id),
        csrf: csrf::hidden_input(state, headers),
        value: typed.unwrap_or(current).to_string(),
        current: current.to_string(),
    }
}

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

/// A task's destination can change until it completes.
fn editable(task: &Task) -> bool {
    !matches!(task.status, TaskStatus::Completed | TaskStatus::Published)
}

/// The ARTIFACTS DESTINATION card of the INFO tab (`templates/destination_card.html`).
#[derive(Template)]
#[template(path = "destination_card.html")]
pub(crate) struct DestinationCard {
    notice: Option<Notice>,
    /// The recorded destination.
    destination: Option<String>,
    /// The files server, shown when no destination is recorded.
    files: Option<String>,
    /// Which level chose the destination.
    level: String,
    /// The level is inferred.
    inferred: bool,
    /// The form, while the task is not completed.
    form: Option<DestinationForm>,
}

/// The form of the destination card.
pub(crate) struct DestinationForm {
    /// The URL-encoded task id.
    tid: String,
    csrf: csrf::HiddenInput,
    value: String,
}

/// The ARTIFACTS DESTINATION card of the INFO tab: where the artifacts went, which level chose it, and the
/// form to change it while the task is not completed.
pub(crate) fn task_destination_card(
    state: &Shared,
    headers: &HeaderMap,
    task: &Task,
    project_default: Option<&str>,
    notice: Option<Notice>,
    typed: Option<&str>,
) -> DestinationCard {
    let ex = destination::explain(
        &state.config,
        state.files_public_url.as_deref(),
        task.doc.get("output"),
        project_default,
    );
    let form = editable(task).then(|| DestinationForm {
        tid: url_encode(&task.id),
        csrf: csrf::hidden_input(state, headers),
        value: typed
            .unwrap_or(ex.destination.as_deref().unwrap_or(""))
            .to_string(),
    });
    DestinationCard {
        notice,
        files: state.files_public_url.clone(),
        destination: ex.destination,
        level: ex.level,
        inferred: ex.inferred,
        form,
    }
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
