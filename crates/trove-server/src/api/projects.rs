//! `projects.*`: list (filters, projection, ordering, paging, `_ex` statistics), create, read, update.

use super::context::Ctx;
use super::filters::{ListFilter, ListQuery};
use super::ordering::order_by;
use super::present::{self, name_regex, project_fields, project_json};
use super::{project_stats, refs};
use crate::error::ApiError;
use serde_json::json;
use std::collections::HashMap;
use trove_protocol::ProjectDoc;
use trove_protocol::ResultCode;
use trove_protocol::endpoints::{
    IdResponse, ProjectRef, ProjectResponse, ProjectsCreateRequest, ProjectsGetAllRequest,
    ProjectsResponse, ProjectsUpdateRequest, UpdatedFields, paging,
};
use trove_store::{NewProject, ProjectUpdate};

/// `projects.get_all` (`ex: false`) and `get_all_ex` (`ex: true`): searched-regex `name` and `basename`,
/// `id` list (ids bypass the hidden filter; an empty list is no filter), `parent`, `shallow_search`,
/// `search_hidden`, `tags`/`system_tags` (query language), `filters`, `order_by`, `page`/`page_size`,
/// `only_fields`; `_ex` adds `parent` objects and, when asked, `stats`, `sub_projects`, `dataset_stats`,
/// `own_tasks`.
pub async fn get_all(
    ctx: &Ctx,
    req: ProjectsGetAllRequest,
    ex: bool,
) -> Result<ProjectsResponse, ApiError> {
    let name = req.name.as_deref().map(name_regex).transpose()?;
    let basename = req.basename.as_deref().map(name_regex).transpose()?;
    let mut queries = Vec::new();
    for (field, terms) in [("tags", &req.tags), ("system_tags", &req.system_tags)] {
        if let Some(t) = terms {
            queries.push(ListQuery::parse(field, t)?);
        }
    }
    let filters = req
        .filters
        .as_ref()
        .map(ListFilter::parse_all)
        .transpose()?
        .unwrap_or_default();
    let ids = req.id.as_ref().filter(|ids| !ids.is_empty());
    let all = ctx.state.store.list_projects().await?;
    let parent_names: Option<Vec<String>> = req.parent.as_ref().map(|ps| {
        all.iter()
            .filter(|p| ps.contains(&p.id))
            .map(|p| p.name.clone())
            .collect()
    });
    let shallow = req.shallow_search;
    let hide = !req.search_hidden && ids.is_none();
    let mut out: Vec<ProjectDoc> = all
        .iter()
        .filter(|p| name.as_ref().is_none_or(|r| r.is_match(&p.name)))
        .filter(|p| ids.is_none_or(|ids| ids.contains(&p.id)))
        .filter(|p| match &parent_names {
            Some(names) => names.iter().any(|n| {
                p.name
                    .strip_prefix(n.as_str())
                    .and_then(|r| r.strip_prefix('/'))
                    .is_some_and(|r| !shallow || !r.contains('/'))
            }),
            None => ids.is_some() || !shallow || !p.name.contains('/'),
        })
        .map(project_json)
        .filter(|j| {
            basename.as_ref().is_none_or(|r| {
                r.is_match(j.0.get("basename").and_then(|b| b.as_str()).unwrap_or(""))
            }) && (!hide || !j.system_tags().iter().any(|t| t == "hidden"))
                && queries.iter().all(|q| q.matches_doc(&j.0))
                && filters.iter().all(|f| f.matches_doc(&j.0))
        })
        .collect();
    let order = req.order_by.clone().unwrap_or_else(|| vec!["name".into()]);
    order_by(&mut out, &order, |p| &p.0);
    let mut out = present::page(out, paging(req.page, req.page_size, req.size));
    if ex {
        let by_name: HashMap<String, String> =
            all.iter().map(|p| (p.name.clone(), p.id.clone())).collect();
        refs::expand_project_refs(&mut out, &by_name);
        project_stats::add(ctx, &req, &all, &mut out).await?;
    }
    let projects = out
        .into_iter()
        .map(|p| ProjectDoc(project_fields(p.0, req.only_fields.as_deref())))
        .collect();
    Ok(ProjectsResponse { projects })
}

/// `projects.get_all`.
pub async fn get_all_plain(
    ctx: &Ctx,
    req: ProjectsGetAllRequest,
) -> Result<ProjectsResponse, ApiError> {
    get_all(ctx, req, false).await
}

/// `projects.get_all_ex`.
pub async fn get_all_ex(
    ctx: &Ctx,
    req: ProjectsGetAllRequest,
) -> Result<ProjectsResponse, ApiError> {
    get_all(ctx, req, true).await
}

/// A project name as clearml-server normalises it (trimmed, no empty `/` parts): 400/407 when nothing
/// remains.
fn valid_name(name: &str) -> Result<String, ApiError> {
    let parts: Vec<&str> = name
        .split('/')
        .map(str::trim)
        .filter(|p| !p.is_empty())
        .collect();
    if parts.is_empty() {
        return Err(ApiError::new(
            ResultCode::InvalidProjectName,
            format!("invalid project name {name:?}: give a non-empty name (a/b for sub-projects)"),
        ));
    }
    Ok(parts.join("/"))
}

/// `projects.create` → `{"id"}`; the caller is the default `user` and `company`.
pub async fn create(ctx: &Ctx, req: ProjectsCreateRequest) -> Result<IdResponse, ApiError> {
    let name = valid_name(&req.name)?;
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
    let Some(current) = ctx.state.store.get_project(&id).await? else {
        return Err(ApiError::invalid_project(&id));
    };
    let mut req = req;
    if let Some(n) = &req.name {
        let n = valid_name(n)?;
        let parent = |s: &str| s.rsplit_once('/').map(|(p, _)| p.to_string());
        if parent(&n) != parent(&current.name) {
            return Err(ApiError::new(
                ResultCode::CannotUpdateProjectLocation,
                format!(
                    "cannot rename {:?} to {n:?}: a rename keeps the parent (use projects.move)",
                    current.name
                ),
            ));
        }
        req.name = Some(n);
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
