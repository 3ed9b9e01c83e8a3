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
    use trove_protocol::endpoints::{
        ProjectsGetAll, ProjectsGetAllRequest, TasksGetAll, TasksGetAllRequest,
    };
    let projects = remote
        .call::<ProjectsGetAll>(&ProjectsGetAllRequest {
            only_fields: Some(vec!["id".into(), "name".into()]),
            ..ProjectsGetAllRequest::default()
        })
        .await?;
    let names: std::collections::HashMap<String, String> = projects
        .projects
        .iter()
        .filter_map(|p| Some((p.id()?.to_string(), p.name()?.to_string())))
        .collect();
    let mut query = TasksGetAllRequest {
        order_by: Some(vec!["-last_update".into()]),
        only_fields: Some(
            ["id", "name", "project", "status", "last_update"]
                .map(String::from)
                .to_vec(),
        ),
        ..TasksGetAllRequest::default()
    };
    if let Some(p) = project {
        query.project = Some(
            names
                .iter()
                .filter(|(_, n)| *n == p)
                .map(|(id, _)| id.clone())
                .collect(),
        );
    }
    let tasks = remote.call::<TasksGetAll>(&query).await?;
    Ok(tasks
        .tasks
        .iter()
        .map(|t| TaskSummary {
            id: t.id().unwrap_or_default().into(),
            name: t.name().unwrap_or_default().into(),
            project_name: names
                .get(t.project().unwrap_or_default())
                .cloned()
                .unwrap_or_default(),
            status: t.status(),
            last_update: t.last_update().unwrap_or_default().into(),
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
