//! Reshaping the project tree (clearml-server `ProjectBLL.move_project` / `merge_project`): `projects.move`
//! and `projects.merge`. Renames go through the store, which moves sub-projects along with their parent.

use super::context::Ctx;
use super::project_models;
use super::task_access::is_archived;
use crate::error::ApiError;
use trove_protocol::ResultCode;
use trove_protocol::endpoints::{
    ProjectsMergeRequest, ProjectsMergeResponse, ProjectsMoveRequest, ProjectsMoveResponse,
};
use trove_store::{Project, ProjectUpdate, TaskEdit, TaskQuery};

fn basename(p: &Project) -> &str {
    p.name.rsplit('/').next().unwrap_or(&p.name)
}

fn parent_name(name: &str) -> Option<&str> {
    name.rsplit_once('/').map(|(p, _)| p)
}

async fn project(ctx: &Ctx, id: &str) -> Result<Project, ApiError> {
    ctx.state
        .store
        .get_project(id)
        .await?
        .ok_or_else(|| ApiError::invalid_project(id))
}

async fn rename(ctx: &Ctx, id: &str, name: String) -> Result<(), ApiError> {
    let update = ProjectUpdate {
        name: Some(name),
        ..Default::default()
    };
    ctx.state.store.update_project(id, update).await?;
    Ok(())
}

/// `projects.move`: under `new_location` (created if missing) → `{moved}` (the project and its sub-projects).
pub async fn move_project(
    ctx: &Ctx,
    req: ProjectsMoveRequest,
) -> Result<ProjectsMoveResponse, ApiError> {
    let p = project(ctx, &req.project).await?;
    let location: String = req
        .new_location
        .unwrap_or_default()
        .split('/')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .collect::<Vec<_>>()
        .join("/");
    if parent_name(&p.name).unwrap_or("") == location {
        return Err(ApiError::new(
            ResultCode::ProjectSourceAndDestinationAreTheSame,
            format!("project {:?} is already under {location:?}", p.name),
        ));
    }
    if location == p.name || location.starts_with(&format!("{}/", p.name)) {
        return Err(ApiError::new(
            ResultCode::ProjectCannotBeMovedUnderItself,
            format!("cannot move {:?} under {location:?}", p.name),
        ));
    }
    let prefix = format!("{}/", p.name);
    let children = ctx
        .state
        .store
        .list_projects()
        .await?
        .iter()
        .filter(|c| c.name.starts_with(&prefix))
        .count() as u64;
    let new_name = if location.is_empty() {
        basename(&p).to_string()
    } else {
        format!("{location}/{}", basename(&p))
    };
    rename(ctx, &p.id, new_name).await?;
    Ok(ProjectsMoveResponse {
        moved: 1 + children,
    })
}

/// `projects.merge`: the source's tasks, models and direct sub-projects go into the destination, then the
/// source is deleted → `{moved_entities, moved_projects}` (entities: the non-archived tasks and models).
pub async fn merge(
    ctx: &Ctx,
    req: ProjectsMergeRequest,
) -> Result<ProjectsMergeResponse, ApiError> {
    if req.project == req.destination_project {
        return Err(ApiError::new(
            ResultCode::ProjectSourceAndDestinationAreTheSame,
            "a project cannot be merged into itself",
        ));
    }
    let source = project(ctx, &req.project).await?;
    let dest = project(ctx, &req.destination_project).await?;
    if dest.name.starts_with(&format!("{}/", source.name)) {
        return Err(ApiError::new(
            ResultCode::ProjectCannotBeMergedIntoItsChild,
            format!("cannot merge {:?} into {:?}", source.name, dest.name),
        ));
    }
    let tasks = ctx
        .state
        .store
        .query_tasks(&TaskQuery {
            projects: Some(vec![source.id.clone()]),
            ..Default::default()
        })
        .await?;
    let mut moved_entities = 0;
    for t in &tasks {
        let archived = is_archived(&t.doc);
        let edit = TaskEdit {
            project: Some(dest.id.clone()),
            ..Default::default()
        };
        ctx.state.store.edit_task(&t.id, edit).await?;
        moved_entities += u64::from(!archived);
    }
    moved_entities +=
        project_models::move_models(ctx, std::slice::from_ref(&source.id), Some(&dest.id)).await?;
    let prefix = format!("{}/", source.name);
    let direct: Vec<Project> = ctx
        .state
        .store
        .list_projects()
        .await?
        .into_iter()
        .filter(|c| {
            c.name
                .strip_prefix(&prefix)
                .is_some_and(|rest| !rest.contains('/'))
        })
        .collect();
    for child in &direct {
        rename(ctx, &child.id, format!("{}/{}", dest.name, basename(child))).await?;
    }
    ctx.state.store.delete_project(&source.id).await?;
    Ok(ProjectsMergeResponse {
        moved_entities,
        moved_projects: direct.len() as u64,
    })
}
