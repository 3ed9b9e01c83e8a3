//! The two destination cards the settings forms post from: a project's SETTINGS card and the ARTIFACTS
//! DESTINATION card of a task's INFO tab. Rendering only; the pages that show them (`projects`, `task`) and
//! the handlers that change them (`settings`) use this module, which uses none of them.

use crate::html::{Notice, url_encode};
use crate::templates::filters;
use crate::{Shared, csrf, destination};
use askama::Template;
use axum::http::HeaderMap;
use trove_core::TaskStatus;
use trove_store::{Project, Task};

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

/// A task's destination can change until it completes.
pub(crate) fn editable(task: &Task) -> bool {
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
