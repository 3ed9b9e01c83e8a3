//! `projects.*`.

use super::Ctx;
use super::args::{self, Body};
use super::present::{self, name_regex, project_fields, project_json, string_list, tags_match};
use crate::error::ApiError;
use serde_json::{Map, Value, json};
use trove_store::{NewProject, ProjectUpdate};

/// Fields of a project kept in `extra` when a client sends them.
const EXTRA_FIELDS: &[&str] = &["tags", "system_tags", "user", "company"];

fn extras(b: &Body) -> Map<String, Value> {
    EXTRA_FIELDS
        .iter()
        .filter_map(|k| {
            b.get(*k)
                .filter(|v| !v.is_null())
                .map(|v| (k.to_string(), v.clone()))
        })
        .collect()
}

/// `projects.get_all`: anchored-regex `name`, `id` list, `parent`, `shallow_search`, `search_hidden`,
/// `tags`/`system_tags`, `order_by`, `page`/`page_size`, `only_fields`.
pub async fn get_all(ctx: &Ctx, b: &Body) -> Result<Value, ApiError> {
    let name = args::opt_str(b, "name")?
        .map(|n| name_regex(&n))
        .transpose()?;
    let ids = args::str_list(b, "id")?;
    let parents = args::str_list(b, "parent")?;
    let shallow = args::flag(b, "shallow_search");
    let hidden = args::flag(b, "search_hidden");
    let tags = args::str_list(b, "tags")?;
    let system_tags = args::str_list(b, "system_tags")?;
    let fields = present::only_fields(b)?;
    let all = ctx.state.store.list_projects().await?;
    let parent_names: Option<Vec<String>> = parents.as_ref().map(|ps| {
        all.iter()
            .filter(|p| ps.contains(&p.id))
            .map(|p| p.name.clone())
            .collect()
    });
    let mut out: Vec<Value> = all
        .iter()
        .filter(|p| name.as_ref().is_none_or(|r| r.is_match(&p.name)))
        .filter(|p| ids.as_ref().is_none_or(|ids| ids.contains(&p.id)))
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
            let st = string_list(j, "system_tags");
            (hidden || !st.iter().any(|t| t == "hidden"))
                && tags
                    .as_ref()
                    .is_none_or(|f| tags_match(&string_list(j, "tags"), f))
                && system_tags.as_ref().is_none_or(|f| tags_match(&st, f))
        })
        .collect();
    let order = args::str_list(b, "order_by")?.unwrap_or_else(|| vec!["name".into()]);
    present::order_by(&mut out, &order);
    let out = present::page(out, args::paging(b)?);
    let projects: Vec<Value> = out
        .into_iter()
        .map(|p| project_fields(p, fields.as_deref()))
        .collect();
    Ok(json!({ "projects": projects }))
}

/// `projects.create` → `{"id"}`.
pub async fn create(ctx: &Ctx, b: &Body) -> Result<Value, ApiError> {
    let name = args::req_str(b, "name")?;
    let name = name.trim().trim_matches('/').to_string();
    if name.is_empty() || name.split('/').any(|p| p.trim().is_empty()) {
        return Err(ApiError::validation(
            "project name must be non-empty, and so must each '/' part",
        ));
    }
    let mut extra = extras(b);
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
            description: args::opt_str(b, "description")?.unwrap_or_default(),
            default_output_destination: args::opt_str(b, "default_output_destination")?,
            extra,
        })
        .await?;
    Ok(json!({ "id": p.id }))
}

/// `projects.get_by_id` → `{"project"}`.
pub async fn get_by_id(ctx: &Ctx, b: &Body) -> Result<Value, ApiError> {
    let id = args::req_str(b, "project")?;
    let p = ctx
        .state
        .store
        .get_project(&id)
        .await?
        .ok_or_else(|| ApiError::invalid_project(&id))?;
    Ok(json!({ "project": project_json(&p) }))
}

/// `projects.update`: name, description, default_output_destination, tags, system_tags.
pub async fn update(ctx: &Ctx, b: &Body) -> Result<Value, ApiError> {
    let id = args::req_str(b, "project")?;
    if ctx.state.store.get_project(&id).await?.is_none() {
        return Err(ApiError::invalid_project(&id));
    }
    let dest = if b.contains_key("default_output_destination") {
        Some(args::opt_str(b, "default_output_destination")?)
    } else {
        None
    };
    let upd = ProjectUpdate {
        name: args::opt_str(b, "name")?,
        description: args::opt_str(b, "description")?,
        default_output_destination: dest,
        extra: extras(b),
    };
    let p = ctx.state.store.update_project(&id, upd).await?;
    let mut fields = project_json(&p);
    if let Value::Object(m) = &mut fields {
        m.retain(|k, _| b.contains_key(k) && k != "project");
    }
    Ok(json!({ "updated": 1, "fields": fields }))
}
