//! Listing tasks ([`crate::Trove::tasks`], `trove ls`), from the embedded store or a server.

#[cfg(any(feature = "_embedded", feature = "remote"))]
use crate::error::Result;
use trove_core::TaskStatus;

/// One line of a task listing.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct TaskSummary {
    /// Task id.
    pub id: String,
    /// Task name.
    pub name: String,
    /// Project name.
    pub project_name: String,
    /// Status.
    pub status: TaskStatus,
    /// Last update, ISO-8601.
    pub last_update: String,
}

/// Tasks of `project` (or all), newest first, from a server.
#[cfg(feature = "remote")]
pub(crate) async fn list_remote(
    remote: &crate::backend::Remote,
    project: Option<&str>,
) -> Result<Vec<TaskSummary>> {
    use serde_json::json;
    let projects = remote
        .call("projects.get_all", json!({ "only_fields": ["id", "name"] }))
        .await?;
    let names: std::collections::HashMap<String, String> = projects["projects"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|p| {
            Some((
                p["id"].as_str()?.to_string(),
                p["name"].as_str()?.to_string(),
            ))
        })
        .collect();
    let mut body = json!({ "order_by": ["-last_update"], "only_fields": ["id", "name", "project", "status", "last_update"] });
    if let Some(p) = project {
        let ids: Vec<&String> = names
            .iter()
            .filter(|(_, n)| *n == p)
            .map(|(id, _)| id)
            .collect();
        body["project"] = json!(ids);
    }
    let tasks = remote.call("tasks.get_all", body).await?;
    Ok(tasks["tasks"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|t| TaskSummary {
            id: t["id"].as_str().unwrap_or_default().into(),
            name: t["name"].as_str().unwrap_or_default().into(),
            project_name: names
                .get(t["project"].as_str().unwrap_or_default())
                .cloned()
                .unwrap_or_default(),
            status: t["status"]
                .as_str()
                .and_then(|s| s.parse().ok())
                .unwrap_or(TaskStatus::Unknown),
            last_update: t["last_update"].as_str().unwrap_or_default().into(),
        })
        .collect())
}

/// Tasks of `project` (or all), newest first, from the embedded store.
#[cfg(feature = "_embedded")]
pub(crate) async fn list_embedded(
    embedded: &crate::backend::Embedded,
    project: Option<&str>,
) -> Result<Vec<TaskSummary>> {
    let store = embedded.store();
    let projects = store.list_projects().await?;
    let ids = project.map(|p| {
        projects
            .iter()
            .filter(|x| x.name == p)
            .map(|x| x.id.clone())
            .collect()
    });
    let q = trove_store::TaskQuery {
        projects: ids,
        ..Default::default()
    };
    let tasks = store.query_tasks(&q).await?;
    Ok(tasks
        .into_iter()
        .map(|t| TaskSummary {
            project_name: projects
                .iter()
                .find(|p| p.id == t.project)
                .map(|p| p.name.clone())
                .unwrap_or_default(),
            id: t.id,
            name: t.name,
            status: t.status,
            last_update: trove_core::timefmt::iso_from_micros(t.last_update),
        })
        .collect())
}
