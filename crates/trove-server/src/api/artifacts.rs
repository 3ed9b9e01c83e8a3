//! `tasks.add_or_update_artifacts` / `tasks.delete_artifacts`, deleting artifact bytes from this files
//! server, and trove's version history of registered artifacts (`tasks.add_artifact_version`,
//! `tasks.get_artifact_versions`).

use super::Ctx;
use super::args::{self, Body};
use super::tasks::load;
use crate::error::ApiError;
use object_store::ObjectStoreExt;
use serde_json::{Value, json};
use trove_core::{ArtifactRecord, ArtifactVersion, TaskStatus};
use trove_store::StoreError;
use trove_store::Task;

/// Parse an artifact list (key and type required; `mode` must be input or output).
pub fn parse_artifacts(list: &Value) -> Result<Vec<ArtifactRecord>, ApiError> {
    let Value::Array(items) = list else {
        return Err(ApiError::validation("'artifacts' must be a list"));
    };
    items
        .iter()
        .map(|a| {
            let r: ArtifactRecord = serde_json::from_value(a.clone()).map_err(|e| {
                ApiError::validation(format!("invalid artifact (key and type are required): {e}"))
            })?;
            if r.key.is_empty() {
                return Err(ApiError::validation("artifact key must not be empty"));
            }
            if r.mode != "output" && r.mode != "input" {
                return Err(ApiError::validation(format!(
                    "artifact mode must be input or output, got {:?}",
                    r.mode
                )));
            }
            Ok(r)
        })
        .collect()
}

/// Delete the bytes of artifacts whose URI points at this files server; returns how many were deleted.
pub async fn delete_files(ctx: &Ctx, arts: &[ArtifactRecord]) -> u64 {
    let mut n = 0;
    for uri in arts.iter().filter_map(|a| a.uri.as_deref()) {
        let Some(key) = ctx.state.key_of_uri(uri) else {
            continue;
        };
        match ctx.state.files.delete(&ctx.state.file_path(&key)).await {
            Ok(()) => n += 1,
            Err(e) => tracing::warn!(%uri, error = %e, "could not delete artifact file"),
        }
    }
    n
}

/// Statuses in which artifacts may change: `created`, or also `in_progress` with `force` (ClearML's
/// `get_task_for_update`).
fn check_artifact_status(t: &Task, force: bool) -> Result<(), ApiError> {
    let ok = t.status == TaskStatus::Created || (force && t.status == TaskStatus::InProgress);
    if ok {
        Ok(())
    } else {
        let exp = if force {
            "created/in_progress"
        } else {
            "created (or in_progress with force=true)"
        };
        Err(ApiError::invalid_status(t.status.as_str(), exp))
    }
}

/// `tasks.add_or_update_artifacts`: per-`(key, mode)` upsert; other artifacts are untouched.
pub async fn add_or_update_artifacts(ctx: &Ctx, b: &Body) -> Result<Value, ApiError> {
    let id = args::req_str(b, "task")?;
    let t = load(ctx, &id).await?;
    check_artifact_status(&t, args::flag(b, "force"))?;
    let list = b.get("artifacts").cloned().unwrap_or(Value::Null);
    let arts = parse_artifacts(&list)?;
    let n = ctx.state.store.upsert_artifacts(&id, &arts).await?;
    Ok(json!({ "updated": if n > 0 { 1 } else { 0 } }))
}

/// `tasks.delete_artifacts` → `{"deleted": n}`. trove extension: `delete_files: true` also deletes the
/// bytes when an artifact's URI points at this files server (`files_deleted` counts them).
pub async fn delete_artifacts(ctx: &Ctx, b: &Body) -> Result<Value, ApiError> {
    let id = args::req_str(b, "task")?;
    let t = load(ctx, &id).await?;
    check_artifact_status(&t, args::flag(b, "force"))?;
    let list = args::opt_arr(b, "artifacts")?.cloned().unwrap_or_default();
    let mut ids = Vec::new();
    for a in &list {
        let key = a
            .get("key")
            .and_then(|k| k.as_str())
            .filter(|k| !k.is_empty());
        let Some(key) = key else {
            return Err(ApiError::validation("each artifact id needs a 'key'"));
        };
        let mode = a.get("mode").and_then(|m| m.as_str()).unwrap_or("output");
        ids.push((key.to_string(), mode.to_string()));
    }
    let deleted = ctx.state.store.delete_artifacts(&id, &ids).await?;
    let files = if args::flag(b, "delete_files") {
        delete_files(ctx, &deleted).await
    } else {
        0
    };
    Ok(json!({ "deleted": deleted.len(), "files_deleted": files }))
}

/// trove extension `tasks.add_artifact_version {task, key, version}` → `{"added": 1}`. Versions must be added
/// in order (1, 2, …); a duplicate or a gap answers 409 (`result_subcode` 405, as other "already exists").
pub async fn add_artifact_version(ctx: &Ctx, b: &Body) -> Result<Value, ApiError> {
    let id = args::req_str(b, "task")?;
    let key = args::req_str(b, "key")?;
    let raw = b
        .get("version")
        .cloned()
        .filter(|v| !v.is_null())
        .ok_or_else(|| ApiError::validation("missing required field 'version'"))?;
    let version: ArtifactVersion = serde_json::from_value(raw).map_err(|e| {
        ApiError::validation(format!(
            "invalid 'version' (version, timestamp, hash, content_size and uri are required): {e}"
        ))
    })?;
    if version.version == 0 {
        return Err(ApiError::validation("artifact versions count from 1"));
    }
    load(ctx, &id).await?;
    match ctx.state.store.add_version(&id, &key, &version).await {
        Ok(()) => Ok(json!({ "added": 1 })),
        Err(StoreError::Conflict { what, name }) => Err(ApiError::new(
            409,
            405,
            format!("{what} already exists or is out of order: {name}"),
        )
        .with_data(json!({ "task": id, "key": key, "version": version.version }))),
        Err(e) => Err(e.into()),
    }
}

/// trove extension `tasks.get_artifact_versions {task, key}` → `{"versions": [...]}`, oldest first (empty for
/// an artifact that was never registered).
pub async fn get_artifact_versions(ctx: &Ctx, b: &Body) -> Result<Value, ApiError> {
    let id = args::req_str(b, "task")?;
    let key = args::req_str(b, "key")?;
    load(ctx, &id).await?;
    let versions = ctx.state.store.list_versions(&id, &key).await?;
    Ok(json!({ "versions": versions }))
}
