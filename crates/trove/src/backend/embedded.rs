//! The embedded backend: the metadata store opened directly (SQLite in the trove home by default).

use super::{Backend, ProjectInfo, TaskInfo};
use crate::error::Result;
use async_trait::async_trait;
use trove_core::{ArtifactRecord, ArtifactVersion, TaskStatus};
use trove_protocol::{DestinationSource, TaskOutput};
use trove_store::{NewTask, SharedStore, StatusChange, TaskEdit, TaskQuery};

/// Metadata in a store this process opens itself.
pub struct Embedded {
    store: SharedStore,
    url: String,
}

impl Embedded {
    /// Open (creating on first use) the store at `url`.
    pub async fn open(url: &str) -> Result<Self> {
        Ok(Self {
            store: trove_store::open(url).await?,
            url: url.to_string(),
        })
    }

    /// The store itself (for listings).
    pub(crate) fn store(&self) -> &SharedStore {
        &self.store
    }

    async fn info(&self, t: trove_store::Task) -> Result<TaskInfo> {
        let project_name = match self.store.get_project(&t.project).await? {
            Some(p) => p.name,
            None => String::new(),
        };
        let output_destination = t
            .doc
            .get("output")
            .and_then(|o| o.get("destination"))
            .and_then(|d| d.as_str())
            .map(str::to_string);
        Ok(TaskInfo {
            id: t.id,
            name: t.name,
            project_id: t.project,
            project_name,
            status: t.status,
            output_destination,
        })
    }
}

#[async_trait]
impl Backend for Embedded {
    fn describe(&self) -> String {
        format!("embedded {}", self.url)
    }

    fn files_server(&self) -> Option<String> {
        None
    }

    async fn files_token(&self) -> Option<String> {
        None
    }

    fn token_provider(&self) -> Option<trove_storage::TokenProvider> {
        None
    }

    async fn ensure_project(&self, name: &str) -> Result<ProjectInfo> {
        let p = self.store.ensure_project(name).await?;
        Ok(ProjectInfo {
            id: p.id,
            name: p.name,
            default_output_destination: p.default_output_destination,
        })
    }

    async fn create_task(&self, project: &ProjectInfo, name: &str) -> Result<TaskInfo> {
        let mut doc = serde_json::Map::new();
        doc.insert("system_tags".into(), serde_json::json!(["development"]));
        doc.insert(
            "comment".into(),
            serde_json::json!("Created by the trove Rust SDK"),
        );
        let t = self
            .store
            .create_task(NewTask {
                project: project.id.clone(),
                name: name.into(),
                kind: "training".into(),
                doc,
            })
            .await?;
        let t = self
            .store
            .set_status(
                &t.id,
                StatusChange {
                    status: TaskStatus::InProgress,
                    message: String::new(),
                    reason: "started".into(),
                    expected: vec![],
                },
            )
            .await?;
        self.info(t).await
    }

    async fn get_task(&self, id: &str) -> Result<Option<TaskInfo>> {
        match self.store.get_task(id).await? {
            Some(t) => Ok(Some(self.info(t).await?)),
            None => Ok(None),
        }
    }

    async fn find_task(&self, project: &str, name: &str) -> Result<Option<TaskInfo>> {
        let projects = self.store.list_projects().await?;
        let Some(p) = projects.into_iter().find(|p| p.name == project) else {
            return Ok(None);
        };
        let q = TaskQuery {
            projects: Some(vec![p.id]),
            name: Some(name.to_string()),
            limit: 1,
            ..Default::default()
        };
        match self.store.query_tasks(&q).await?.into_iter().next() {
            Some(t) => Ok(Some(self.info(t).await?)),
            None => Ok(None),
        }
    }

    async fn set_output_destination(
        &self,
        task: &str,
        uri: &str,
        source: DestinationSource,
    ) -> Result<()> {
        let mut doc = serde_json::Map::new();
        doc.insert(
            "output".into(),
            serde_json::Value::Object(TaskOutput::chosen(uri, source).to_object()),
        );
        self.store
            .edit_task(
                task,
                TaskEdit {
                    doc,
                    ..Default::default()
                },
            )
            .await?;
        Ok(())
    }

    async fn set_status(&self, task: &str, status: TaskStatus, reason: &str) -> Result<()> {
        let change = StatusChange {
            status,
            message: String::new(),
            reason: reason.into(),
            expected: vec![],
        };
        self.store.set_status(task, change).await?;
        Ok(())
    }

    async fn upsert_artifacts(&self, task: &str, records: &[ArtifactRecord]) -> Result<()> {
        self.store.upsert_artifacts(task, records).await?;
        Ok(())
    }

    async fn list_artifacts(&self, task: &str) -> Result<Vec<ArtifactRecord>> {
        Ok(self.store.list_artifacts(task).await?)
    }

    async fn delete_artifacts(&self, task: &str, keys: &[String]) -> Result<Vec<ArtifactRecord>> {
        let ids: Vec<(String, String)> = keys
            .iter()
            .map(|k| (k.clone(), "output".to_string()))
            .collect();
        Ok(self.store.delete_artifacts(task, &ids).await?)
    }

    async fn add_version(&self, task: &str, key: &str, version: &ArtifactVersion) -> Result<()> {
        Ok(self.store.add_version(task, key, version).await?)
    }

    async fn list_versions(&self, task: &str, key: &str) -> Result<Vec<ArtifactVersion>> {
        Ok(self.store.list_versions(task, key).await?)
    }
}
