//! Listing tasks (for `trove ls`).

use crate::error::Result;
use crate::runtime::block_on;
use trove_core::{Config, TaskStatus};
use trove_protocol::endpoints::{
    ProjectsGetAll, ProjectsGetAllRequest, TasksGetAll, TasksGetAllRequest,
};

/// One line of a task listing.
#[derive(Debug, Clone)]
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

/// Tasks of `project` (or all), newest first, from the embedded store or the configured server.
pub fn list_tasks(config: &Config, project: Option<&str>) -> Result<Vec<TaskSummary>> {
    let config = config.clone();
    let project = project.map(str::to_string);
    block_on(async move {
        match &config.api_server {
            Some(api) => {
                let remote = crate::backend::Remote::new(
                    api,
                    config.files_server.as_deref(),
                    config.access_key.as_deref().unwrap_or_default(),
                    config.secret_key.as_deref().unwrap_or_default(),
                )?;
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
                if let Some(p) = &project {
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
            None => {
                let store = trove_store::open(&config.db_url()).await?;
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
        }
    })?
}
