//! `tasks.add_or_update_artifacts` / `tasks.delete_artifacts`, and trove's version history of registered
//! artifacts (`tasks.add_artifact_version`, `tasks.get_artifact_versions`).

use super::cleanup::delete_files;
use super::context::Ctx;
use super::task_access::load;
use crate::error::ApiError;
use serde_json::json;
use trove_core::TaskStatus;
use trove_protocol::ResultCode;
use trove_protocol::endpoints::{
    AddArtifactVersionRequest, AddOrUpdateArtifactsRequest, AddedResponse, ArtifactRef,
    DeleteArtifactsRequest, DeleteArtifactsResponse, Updated, VersionsResponse,
};
use trove_store::{StoreError, Task};

/// Statuses in which artifacts may change: `created`, `queued` or `in_progress`, with or without `force`
/// (clearml-server always passes `force=True` to `get_task_for_update` for artifacts).
fn check_artifact_status(t: &Task, _force: bool) -> Result<(), ApiError> {
    if matches!(
        t.status,
        TaskStatus::Created | TaskStatus::Queued | TaskStatus::InProgress
    ) {
        Ok(())
    } else {
        Err(ApiError::invalid_status(
            t.status.as_str(),
            "created/queued/in_progress",
        ))
    }
}

/// `tasks.add_or_update_artifacts`: per-`(key, mode)` upsert; other artifacts are untouched.
pub async fn add_or_update(
    ctx: &Ctx,
    req: AddOrUpdateArtifactsRequest,
) -> Result<Updated, ApiError> {
    let t = load(ctx, &req.task).await?;
    check_artifact_status(&t, req.force)?;
    let arts = req.artifacts.unwrap_or_default();
    let n = ctx.state.store.upsert_artifacts(&req.task, &arts).await?;
    Ok(Updated {
        updated: u64::from(n > 0),
    })
}

/// `tasks.delete_artifacts` → `{"deleted": n}`. trove extension: `delete_files: true` also deletes the
/// bytes when an artifact's URI points at this files server (`files_deleted` counts them).
pub async fn delete(
    ctx: &Ctx,
    req: DeleteArtifactsRequest,
) -> Result<DeleteArtifactsResponse, ApiError> {
    let t = load(ctx, &req.task).await?;
    check_artifact_status(&t, req.force)?;
    let ids: Vec<(String, String)> = req
        .artifacts
        .iter()
        .map(|a| (a.key.clone(), a.mode().to_string()))
        .collect();
    let deleted = ctx.state.store.delete_artifacts(&req.task, &ids).await?;
    let files_deleted = if req.delete_files {
        delete_files(ctx, &deleted).await
    } else {
        0
    };
    Ok(DeleteArtifactsResponse {
        deleted: deleted.len() as u64,
        files_deleted,
    })
}

/// trove extension `tasks.add_artifact_version {task, key, version}` → `{"added": 1}`. Versions must be added
/// in order (1, 2, …); a duplicate or a gap answers 409/801.
pub async fn add_version(
    ctx: &Ctx,
    req: AddArtifactVersionRequest,
) -> Result<AddedResponse, ApiError> {
    let Some(version) = req.version else {
        return Err(ApiError::validation("missing required field 'version'"));
    };
    load(ctx, &req.task).await?;
    match ctx
        .state
        .store
        .add_version(&req.task, &req.key, &version)
        .await
    {
        Ok(()) => Ok(AddedResponse { added: 1 }),
        Err(StoreError::Conflict { what, name }) => Err(ApiError::new(
            ResultCode::ArtifactVersionConflict,
            format!("{what} already exists or is out of order: {name}"),
        )
        .with_data(json!({ "task": req.task, "key": req.key, "version": version.version }))),
        Err(e) => Err(e.into()),
    }
}

/// trove extension `tasks.get_artifact_versions {task, key}` → `{"versions": [...]}`, oldest first (empty for
/// an artifact that was never registered).
pub async fn get_versions(ctx: &Ctx, req: ArtifactRef) -> Result<VersionsResponse, ApiError> {
    load(ctx, &req.task).await?;
    let versions = ctx.state.store.list_versions(&req.task, &req.key).await?;
    Ok(VersionsResponse { versions })
}
