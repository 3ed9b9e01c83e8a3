//! Model metadata (`models.add_or_update_metadata`, `models.delete_metadata`, and the project-level
//! `projects.get_model_metadata_keys` / `get_model_metadata_values`), frameworks, tags and moving models.

use super::context::Ctx;
use super::models::{check_project, load_model, metadata_map};
use crate::error::ApiError;
use serde_json::Value;
use std::collections::BTreeSet;
use trove_protocol::ResultCode;
use trove_protocol::endpoints::{
    AddOrUpdateMetadataRequest, DeleteMetadataRequest, FrameworksResponse, GetFrameworksRequest,
    ModelMetadataKeysRequest, ModelMetadataKeysResponse, ModelMetadataValuesRequest,
    ModelMetadataValuesResponse, ModelsMoveRequest, ModelsUpdateTagsRequest, MovedResponse,
    Updated,
};
use trove_store::{Model, ModelEdit, ModelQuery, StoreError};

/// `models.add_or_update_metadata` → `{updated: 1}`: items replace those of the same key (or all metadata with
/// `replace_metadata`).
pub async fn add_or_update_metadata(
    ctx: &Ctx,
    req: AddOrUpdateMetadataRequest,
) -> Result<Updated, ApiError> {
    load_model(ctx, &req.model).await?;
    let items = metadata_map(&req.metadata);
    let mut edit = ModelEdit {
        touch: true,
        ..Default::default()
    };
    if req.replace_metadata {
        edit.doc.insert("metadata".into(), Value::Object(items));
    } else {
        edit.metadata_set = items;
    }
    ctx.state.store.edit_model(&req.model, edit).await?;
    Ok(Updated { updated: 1 })
}

/// `models.delete_metadata` → `{updated: 1}` (unknown keys are ignored).
pub async fn delete_metadata(ctx: &Ctx, req: DeleteMetadataRequest) -> Result<Updated, ApiError> {
    load_model(ctx, &req.model).await?;
    let edit = ModelEdit {
        metadata_remove: req.keys,
        touch: true,
        ..Default::default()
    };
    ctx.state.store.edit_model(&req.model, edit).await?;
    Ok(Updated { updated: 1 })
}

/// `models.get_frameworks {projects?}` → the distinct non-empty frameworks, sorted.
pub async fn get_frameworks(
    ctx: &Ctx,
    req: GetFrameworksRequest,
) -> Result<FrameworksResponse, ApiError> {
    let projects = req.projects.filter(|p| !p.is_empty());
    Ok(FrameworksResponse {
        frameworks: ctx
            .state
            .store
            .model_frameworks(projects.as_deref())
            .await?,
    })
}

/// `models.update_tags {ids, add_tags, remove_tags}` → `{updated}` (models changed, per operation).
pub async fn update_tags(ctx: &Ctx, req: ModelsUpdateTagsRequest) -> Result<Updated, ApiError> {
    if req.add_tags.is_empty() && req.remove_tags.is_empty() {
        return Err(ApiError::validation(
            "either add_tags or remove_tags should be provided",
        ));
    }
    let mut updated = 0;
    for (add, remove) in [
        (&req.add_tags, &Vec::new()),
        (&Vec::new(), &req.remove_tags),
    ] {
        if add.is_empty() && remove.is_empty() {
            continue;
        }
        for id in &req.ids {
            let edit = ModelEdit {
                add_tags: add.clone(),
                remove_tags: remove.clone(),
                touch: true,
                ..Default::default()
            };
            match ctx.state.store.edit_model(id, edit).await {
                Ok(_) => updated += 1,
                Err(StoreError::NotFound { .. }) => {}
                Err(e) => return Err(e.into()),
            }
        }
    }
    Ok(Updated { updated })
}

/// `models.move {ids, project | project_name}` → `{project_id}`; `project_name` is created when missing,
/// `project: null` leaves the models without a project.
pub async fn move_models(ctx: &Ctx, req: ModelsMoveRequest) -> Result<MovedResponse, ApiError> {
    let target = match (&req.project_name, &req.project) {
        (Some(name), _) if !name.is_empty() => Some(ctx.state.store.ensure_project(name).await?.id),
        (_, Some(Some(id))) => {
            check_project(ctx, id).await?;
            Some(id.clone())
        }
        (_, Some(None)) => None,
        _ => {
            return Err(ApiError::new(
                ResultCode::MissingRequiredFields,
                "project or project_name is required",
            ));
        }
    };
    for id in &req.ids {
        load_model(ctx, id).await?;
    }
    for id in &req.ids {
        let edit = ModelEdit {
            project: Some(target.clone()),
            ..Default::default()
        };
        ctx.state.store.edit_model(id, edit).await?;
    }
    Ok(MovedResponse { project_id: target })
}

/// The models a project filter of the metadata queries selects (clearml-server's `_get_project_constraint`):
/// with `include_subprojects`, the projects and their sub-projects (no projects: every model); without, exactly
/// those projects (no projects: models without a project).
async fn models_of(
    ctx: &Ctx,
    projects: Option<Vec<String>>,
    include_subprojects: bool,
) -> Result<Vec<Model>, ApiError> {
    let projects = projects.filter(|p| !p.is_empty());
    let all = ctx.state.store.query_models(&ModelQuery::default()).await?;
    let wanted = match (projects, include_subprojects) {
        (None, true) => return Ok(all),
        (None, false) => return Ok(all.into_iter().filter(|m| m.project.is_none()).collect()),
        (Some(p), true) => super::subprojects::expand_projects(ctx, &p).await?,
        (Some(p), false) => p,
    };
    Ok(all
        .into_iter()
        .filter(|m| m.project.as_ref().is_some_and(|p| wanted.contains(p)))
        .collect())
}

/// `projects.get_model_metadata_keys` → `{total, remaining, keys}` (sorted, paged).
pub async fn metadata_keys(
    ctx: &Ctx,
    req: ModelMetadataKeysRequest,
) -> Result<ModelMetadataKeysResponse, ApiError> {
    let (offset, limit) = req.window();
    let models = models_of(ctx, req.project.map(|p| vec![p]), req.include_subprojects).await?;
    let keys: BTreeSet<String> = models
        .iter()
        .filter_map(|m| m.doc.get("metadata").and_then(Value::as_object))
        .flat_map(|md| md.keys().cloned())
        .collect();
    let total = keys.len();
    let keys: Vec<String> = keys.into_iter().skip(offset).take(limit).collect();
    Ok(ModelMetadataKeysResponse {
        total: total as u64,
        remaining: total.saturating_sub(offset + keys.len()) as u64,
        keys,
    })
}

/// `projects.get_model_metadata_values {key}` → `{total, values}`: the distinct values, sorted, paged.
pub async fn metadata_values(
    ctx: &Ctx,
    req: ModelMetadataValuesRequest,
) -> Result<ModelMetadataValuesResponse, ApiError> {
    let (offset, limit) = req.window();
    let models = models_of(ctx, req.projects.clone(), req.include_subprojects).await?;
    let values: BTreeSet<String> = models
        .iter()
        .filter_map(|m| m.doc.get("metadata")?.get(&req.key)?.get("value")?.as_str())
        .map(str::to_string)
        .collect();
    Ok(ModelMetadataValuesResponse {
        total: values.len() as u64,
        values: values.into_iter().skip(offset).take(limit).collect(),
    })
}
