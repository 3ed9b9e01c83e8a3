//! Configuration objects, kept in the task document as `configuration.<name>`: `tasks.get_configurations`,
//! `tasks.get_configuration_names`, `tasks.edit_configuration`, `tasks.delete_configuration`.

use super::context::Ctx;
use super::task_access::{check_editable, load, object, set_doc_field};
use crate::error::ApiError;
use serde_json::{Map, Value, json};
use trove_protocol::endpoints::{
    ConfigurationNamesRequest, ConfigurationNamesResponse, ConfigurationsResponse,
    DeleteConfigurationRequest, Deleted, EditConfigurationRequest, GetConfigurationsRequest,
    TaskConfigurationNames, TaskConfigurations, Updated,
};

/// `tasks.get_configurations {tasks, names?}` → `{"configurations": [{"task", "configurations": [...]}]}`.
pub async fn get(
    ctx: &Ctx,
    req: GetConfigurationsRequest,
) -> Result<ConfigurationsResponse, ApiError> {
    let mut out = Vec::new();
    for id in req.ids() {
        let t = load(ctx, &id).await?;
        let mut list: Vec<(String, Map<String, Value>)> = object(t.doc.get("configuration"))
            .into_iter()
            .filter(|(n, _)| req.names.as_ref().is_none_or(|ns| ns.contains(n)))
            .map(|(n, v)| {
                let mut c = object(Some(&v));
                c.entry("name").or_insert_with(|| json!(n));
                (n, c)
            })
            .collect();
        list.sort_by(|a, b| a.0.cmp(&b.0));
        let list = list.into_iter().map(|(_, c)| c).collect();
        out.push(TaskConfigurations {
            task: id,
            configurations: list,
        });
    }
    Ok(ConfigurationsResponse {
        configurations: out,
    })
}

/// `tasks.get_configuration_names {tasks, skip_empty}` → `{"configurations": [{"task", "names"}]}`, names
/// sorted; `skip_empty` (default true) leaves out items whose value is empty.
pub async fn names(
    ctx: &Ctx,
    req: ConfigurationNamesRequest,
) -> Result<ConfigurationNamesResponse, ApiError> {
    let skip_empty = req.skip_empty.unwrap_or(true);
    let mut out = Vec::new();
    for id in req.ids() {
        let t = load(ctx, &id).await?;
        let mut names: Vec<String> = object(t.doc.get("configuration"))
            .into_iter()
            .filter(|(_, v)| {
                !skip_empty
                    || match v.get("value") {
                        None | Some(Value::Null) => false,
                        Some(Value::String(s)) => !s.is_empty(),
                        Some(_) => true,
                    }
            })
            .map(|(n, _)| n)
            .collect();
        names.sort();
        out.push(TaskConfigurationNames { task: id, names });
    }
    Ok(ConfigurationNamesResponse {
        configurations: out,
    })
}

/// `tasks.edit_configuration {task, configuration: [{name, value, type, description}], replace_configuration}`.
pub async fn edit(ctx: &Ctx, req: EditConfigurationRequest) -> Result<Updated, ApiError> {
    let t = load(ctx, &req.task).await?;
    check_editable(&t, req.force)?;
    let mut conf = if req.replace_configuration {
        Map::new()
    } else {
        object(t.doc.get("configuration"))
    };
    for c in req.configuration.unwrap_or_default() {
        let name = c
            .get("name")
            .and_then(|s| s.as_str())
            .ok_or_else(|| ApiError::validation("each configuration item needs a 'name'"))?
            .to_string();
        conf.insert(name, c);
    }
    set_doc_field(ctx, &req.task, "configuration", conf).await?;
    Ok(Updated { updated: 1 })
}

/// `tasks.delete_configuration {task, configuration: [names]}`.
pub async fn delete(ctx: &Ctx, req: DeleteConfigurationRequest) -> Result<Deleted, ApiError> {
    let t = load(ctx, &req.task).await?;
    check_editable(&t, req.force)?;
    let mut conf = object(t.doc.get("configuration"));
    let mut deleted = 0;
    for n in req.configuration.unwrap_or_default() {
        if conf.remove(&n).is_some() {
            deleted += 1;
        }
    }
    set_doc_field(ctx, &req.task, "configuration", conf).await?;
    Ok(Deleted { deleted })
}
