//! Configuration objects, kept in the task document as `configuration.<name>`: `tasks.get_configurations`,
//! `tasks.get_configuration_names`, `tasks.edit_configuration`, `tasks.delete_configuration`.

use super::context::Ctx;
use super::task_access::{check_editable, load, object, set_doc_field};
use crate::error::ApiError;
use serde_json::{Map, json};
use trove_protocol::endpoints::{
    ConfigurationNamesResponse, ConfigurationsResponse, DeleteConfigurationRequest, Deleted,
    EditConfigurationRequest, GetConfigurationsRequest, TaskConfigurationNames, TaskConfigurations,
    TaskIds, Updated,
};

/// `tasks.get_configurations {tasks, names?}` → `{"configurations": [{"task", "configurations": [...]}]}`.
pub async fn get(
    ctx: &Ctx,
    req: GetConfigurationsRequest,
) -> Result<ConfigurationsResponse, ApiError> {
    let mut out = Vec::new();
    for id in req.ids() {
        let t = load(ctx, &id).await?;
        let list = object(t.doc.get("configuration"))
            .into_iter()
            .filter(|(n, _)| req.names.as_ref().is_none_or(|ns| ns.contains(n)))
            .map(|(n, v)| {
                let mut c = object(Some(&v));
                c.entry("name").or_insert_with(|| json!(n));
                c
            })
            .collect();
        out.push(TaskConfigurations {
            task: id,
            configurations: list,
        });
    }
    Ok(ConfigurationsResponse {
        configurations: out,
    })
}

/// `tasks.get_configuration_names {tasks}` → `{"configurations": [{"task", "names"}]}`.
pub async fn names(ctx: &Ctx, req: TaskIds) -> Result<ConfigurationNamesResponse, ApiError> {
    let mut out = Vec::new();
    for id in req.ids() {
        let t = load(ctx, &id).await?;
        let names = object(t.doc.get("configuration")).keys().cloned().collect();
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
