//! Hyper-parameters across a project's tasks (clearml-server `bll/project/project_queries.py`):
//! `projects.get_hyper_parameters` (the distinct `(section, name)` pairs) and
//! `projects.get_hyperparam_values` (the distinct values of one parameter).

use super::context::Ctx;
use super::present::name_regex;
use crate::error::ApiError;
use serde_json::{Map, Value, json};
use std::collections::BTreeSet;
use trove_protocol::endpoints::{
    HyperParametersRequest, HyperParametersResponse, HyperparamValuesRequest,
    HyperparamValuesResponse,
};
use trove_store::{Task, TaskQuery};

/// The tasks of `projects` (all when none), with their sub-projects' when asked.
async fn tasks_of(
    ctx: &Ctx,
    projects: Option<Vec<String>>,
    subprojects: bool,
) -> Result<Vec<Task>, ApiError> {
    let mut projects = projects.filter(|p| !p.is_empty());
    if let Some(ids) = &mut projects
        && subprojects
    {
        *ids = super::subprojects::expand_projects(ctx, ids).await?;
    }
    Ok(ctx
        .state
        .store
        .query_tasks(&TaskQuery {
            projects,
            ..Default::default()
        })
        .await?)
}

fn hyperparams(t: &Task) -> Map<String, Value> {
    match t.doc.get("hyperparams") {
        Some(Value::Object(m)) => m.clone(),
        _ => Map::new(),
    }
}

/// `projects.get_hyperparam_values` → `{total, values}` (distinct, sorted; `pattern` filters them).
pub async fn values(
    ctx: &Ctx,
    req: HyperparamValuesRequest,
) -> Result<HyperparamValuesResponse, ApiError> {
    let pattern = req.pattern.as_deref().map(name_regex).transpose()?;
    let mut values = BTreeSet::new();
    for t in tasks_of(ctx, req.projects, req.include_subprojects).await? {
        let hp = hyperparams(&t);
        let Some(v) = hp
            .get(&req.section)
            .and_then(|s| s.get(&req.name))
            .and_then(|p| p.get("value"))
        else {
            continue;
        };
        let v = match v {
            Value::String(s) => s.clone(),
            Value::Null => continue,
            other => other.to_string(),
        };
        if pattern.as_ref().is_none_or(|r| r.is_match(&v)) {
            values.insert(v);
        }
    }
    Ok(HyperparamValuesResponse {
        total: values.len() as u64,
        values: values.into_iter().collect(),
    })
}

/// `projects.get_hyper_parameters` → `{parameters: [{section, name}], total, remaining}`, sorted, paged.
pub async fn parameters(
    ctx: &Ctx,
    req: HyperParametersRequest,
) -> Result<HyperParametersResponse, ApiError> {
    let mut pairs = BTreeSet::new();
    let projects = req.project.map(|p| vec![p]);
    for t in tasks_of(ctx, projects, req.include_subprojects.unwrap_or(true)).await? {
        for (section, items) in hyperparams(&t) {
            if let Value::Object(items) = items {
                for name in items.keys() {
                    pairs.insert((section.clone(), name.clone()));
                }
            }
        }
    }
    let total = pairs.len() as u64;
    let size = req.page_size.unwrap_or(500).max(1) as usize;
    let skip = (req.page.unwrap_or(0) as usize).saturating_mul(size);
    let parameters: Vec<Map<String, Value>> = pairs
        .into_iter()
        .skip(skip)
        .take(size)
        .map(|(s, n)| {
            let mut m = Map::new();
            m.insert("section".into(), json!(s));
            m.insert("name".into(), json!(n));
            m
        })
        .collect();
    let remaining = total.saturating_sub((skip + parameters.len()) as u64);
    Ok(HyperParametersResponse {
        parameters,
        total,
        remaining,
    })
}
