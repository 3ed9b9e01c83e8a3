//! `projects.*`: list (filters, projection, ordering, paging), create, read, update.

use super::context::Ctx;
use super::present::{self, name_regex, project_fields, project_json, tags_match};
use crate::error::ApiError;
use serde_json::json;
use trove_protocol::ProjectDoc;
use trove_protocol::endpoints::{
    IdResponse, ProjectRef, ProjectResponse, ProjectsCreateRequest, ProjectsGetAllRequest,
    ProjectsResponse, ProjectsUpdateRequest, UpdatedFields, paging,
};
use trove_store::{NewProject, ProjectUpdate};

/// `projects.get_all`: searched-regex `name`, `id` list, `parent`, `shallow_search`, `search_hidden`,
/// `tags`/`system_tags`, `order_by`, `page`/`page_size`, `only_fields`.
pub async fn get_all(ctx: &Ctx, req: ProjectsGetAllRequest) -> Result<ProjectsResponse, ApiError> {
    let name = req.name.as_deref().map(name_regex).transpose()?;
    let all = ctx.state.store.list_projects().await?;
    let parent_names: Option<Vec<String>> = req.parent.as_ref().map(|ps| {
        all.iter()
            .filter(|p| ps.contains(&p.id))
            .map(|p| p.name.clone())
            .collect()
    });
    let shallow = req.shallow_search;
    let mut out: Vec<ProjectDoc> = all
        .iter()
        .filter(|p| name.as_ref().is_none_or(|r| r.is_match(&p.name)))
        .filter(|p| req.id.as_ref().is_none_or(|ids| ids.contains(&p.id)))
        .filter(|p| match &parent_names {
            Some(names) => names.iter().any(|n| {
                p.name
                    .strip_prefix(n.as_str())
                    .and_then(|r| r.strip_prefix('/'))
                    .is_some_and(|r| !shallow || !r.contains('/'))
            }),
            None => !shallow || !p.name.contains('/'),
        })
        .map(project_json)
        .filter(|j| {
            let st = j.system_tags();
            (req.search_hidden || !st.iter().any(|t| t == "hidden"))
                && req.tags.as_ref().is_none_or(|f| tags_match(&j.tags(), f))
                && req.system_tags.as_ref().is_none_or(|f| tags_match(&st, f))
        })
        .collect();
    let order = req.order_by.clone().unwrap_or_else(|| vec!["name".into()]);
    present::order_by(&mut out, &order, |p| &p.0);
    let out = present::page(out, paging(req.page, req.page_size, req.size));
    let projects = out
        .into_iter()
        .map(|p| ProjectDoc(project_fields(p.0, req.only_fields.as_deref())))
        .collect();
    Ok(ProjectsResponse { projects })
}

/// `projects.create` → `{"id"}`; the caller is the default `user` and `company`.
pub async fn create(ctx: &Ctx, req: ProjectsCreateRequest) -> Result<IdResponse, ApiError> {
    let name = req.name.trim().trim_matches('/').to_string();
    if name.is_empty() || name.split('/').any(|p| p.trim().is_empty()) {
        return Err(ApiError::validation(
            "project name must be non-empty, and so must each '/' part",
        ));
    }
    let mut extra = req.extras();
    extra
        .entry("user")
        .or_insert_with(|| json!(ctx.identity.user));
    extra
        .entry("company")
        .or_insert_with(|| json!(ctx.identity.company));
    let p = ctx
        .state
        .store
        .create_project(NewProject {
            name,
            description: req.description.unwrap_or_default(),
            default_output_destination: req.default_output_destination,
            extra,
        })
        .await?;
    Ok(IdResponse { id: p.id })
}

/// `projects.get_by_id` → `{"project"}`.
pub async fn get_by_id(ctx: &Ctx, req: ProjectRef) -> Result<ProjectResponse, ApiError> {
    let p = ctx
        .state
        .store
        .get_project(&req.project)
        .await?
        .ok_or_else(|| ApiError::invalid_project(&req.project))?;
    Ok(ProjectResponse {
        project: project_json(&p),
    })
}

/// `projects.update`: name, description, default_output_destination (`null` clears it), tags, system_tags,
/// user, company. `fields` echoes the given fields as stored.
pub async fn update(ctx: &Ctx, req: ProjectsUpdateRequest) -> Result<UpdatedFields, ApiError> {
    let id = req.project.clone();
    if ctx.state.store.get_project(&id).await?.is_none() {
        return Err(ApiError::invalid_project(&id));
    }
    let extra = req.extras();
    let mut given: Vec<&str> = extra.keys().map(String::as_str).collect();
    for (k, set) in [
        ("name", req.name.is_some()),
        ("description", req.description.is_some()),
        (
            "default_output_destination",
            req.default_output_destination.is_some(),
        ),
    ] {
        if set {
            given.push(k);
        }
    }
    let given: Vec<String> = given.into_iter().map(str::to_string).collect();
    let upd = ProjectUpdate {
        name: req.name,
        description: req.description,
        default_output_destination: req.default_output_destination,
        extra,
    };
    let p = ctx.state.store.update_project(&id, upd).await?;
    let mut fields = project_json(&p).0;
    fields.retain(|k, _| given.contains(k));
    Ok(UpdatedFields { updated: 1, fields })
}
