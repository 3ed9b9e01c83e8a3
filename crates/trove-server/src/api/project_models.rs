//! The model side of project operations (clearml-server `bll/project/project_cleanup.py` and
//! `project_bll.py`): counting a project's models for `projects.validate_delete` and `check_own_contents`,
//! deleting or disassociating them with `projects.delete`, and moving them with `projects.merge`.

use super::context::Ctx;
use super::task_access::is_archived;
use super::task_models::{self, DELETED_PREFIX, ModelItemKind};
use crate::error::ApiError;
use trove_core::TaskStatus;
use trove_store::{Model, ModelEdit, ModelQuery};

/// Every model in the projects `ids` (none when `ids` is empty).
pub async fn models_in(ctx: &Ctx, ids: &[String]) -> Result<Vec<Model>, ApiError> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let query = ModelQuery {
        projects: Some(ids.to_vec()),
        ..Default::default()
    };
    Ok(ctx.state.store.query_models(&query).await?)
}

/// What `projects.delete {delete_contents: true}` did to the projects' models.
#[derive(Debug, Default)]
pub struct DeletedModels {
    /// How many models were deleted.
    pub deleted: u64,
    /// Their distinct, non-empty uris, sorted (for `urls.model_urls`).
    pub urls: Vec<String>,
}

/// Delete every model in `projects` (clearml-server's `_delete_models`). Tasks outside those projects that
/// use one as input now reference `__DELETED__<id>`; a creating task outside them keeps the reference renamed
/// the same way when it is published, and loses it otherwise.
pub async fn delete_models(ctx: &Ctx, projects: &[String]) -> Result<DeletedModels, ApiError> {
    let mut out = DeletedModels::default();
    for m in models_in(ctx, projects).await? {
        let gone = format!("{DELETED_PREFIX}{}", m.id);
        for t in task_models::tasks_using_input(ctx, &m.id).await? {
            if !projects.contains(&t.project) {
                task_models::rename_model_ref(ctx, &t, ModelItemKind::Input, &m.id, &gone).await?;
            }
        }
        if let Some(task) = m.task.as_deref()
            && let Some(t) = ctx.state.store.get_task(task).await?
            && !projects.contains(&t.project)
        {
            if t.status == TaskStatus::Published {
                task_models::rename_model_ref(ctx, &t, ModelItemKind::Output, &m.id, &gone).await?;
            } else {
                task_models::pull_model_ref(ctx, &t, ModelItemKind::Output, &m.id).await?;
            }
        }
        if ctx.state.store.delete_model(&m.id).await? {
            out.deleted += 1;
        }
        if !m.uri.is_empty() && !out.urls.contains(&m.uri) {
            out.urls.push(m.uri);
        }
    }
    out.urls.sort();
    Ok(out)
}

/// Models outside `projects` created by one of `tasks` (about to be deleted) lose their `task`.
pub async fn orphan_models_of(
    ctx: &Ctx,
    tasks: &[String],
    projects: &[String],
) -> Result<(), ApiError> {
    if tasks.is_empty() {
        return Ok(());
    }
    let query = ModelQuery {
        tasks: Some(tasks.to_vec()),
        ..Default::default()
    };
    for m in ctx.state.store.query_models(&query).await? {
        if !m.project.as_ref().is_some_and(|p| projects.contains(p)) {
            let edit = ModelEdit {
                task: Some(None),
                touch: true,
                ..Default::default()
            };
            ctx.state.store.edit_model(&m.id, edit).await?;
        }
    }
    Ok(())
}

/// Move every model of `projects` to `to` (`None`: no project). Returns how many of them were not archived.
pub async fn move_models(
    ctx: &Ctx,
    projects: &[String],
    to: Option<&str>,
) -> Result<u64, ApiError> {
    let mut active = 0;
    for m in models_in(ctx, projects).await? {
        let edit = ModelEdit {
            project: Some(to.map(str::to_string)),
            touch: true,
            ..Default::default()
        };
        ctx.state.store.edit_model(&m.id, edit).await?;
        active += u64::from(!is_archived(&m.doc));
    }
    Ok(active)
}
