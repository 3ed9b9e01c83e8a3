//! [`MetadataStore`] for [`SqlStore`]: every method delegates to the engine-neutral SQL in the sibling modules.

use crate::db::SqlStore;
use crate::{
    Credentials, Event, MetadataStore, NewProject, NewTask, Project, ProjectUpdate, Result,
    StatusChange, Task, TaskEdit, TaskQuery,
};
use async_trait::async_trait;
use trove_core::{ArtifactRecord, ArtifactVersion};

#[async_trait]
impl MetadataStore for SqlStore {
    fn engine(&self) -> &'static str {
        self.engine.name()
    }
    async fn create_project(&self, new: NewProject) -> Result<Project> {
        SqlStore::create_project(self, new).await
    }
    async fn ensure_project(&self, name: &str) -> Result<Project> {
        SqlStore::ensure_project(self, name).await
    }
    async fn get_project(&self, id: &str) -> Result<Option<Project>> {
        SqlStore::get_project(self, id).await
    }
    async fn list_projects(&self) -> Result<Vec<Project>> {
        SqlStore::list_projects(self).await
    }
    async fn update_project(&self, id: &str, update: ProjectUpdate) -> Result<Project> {
        SqlStore::update_project(self, id, update).await
    }
    async fn create_task(&self, new: NewTask) -> Result<Task> {
        SqlStore::create_task(self, new).await
    }
    async fn get_task(&self, id: &str) -> Result<Option<Task>> {
        SqlStore::get_task(self, id).await
    }
    async fn query_tasks(&self, query: &TaskQuery) -> Result<Vec<Task>> {
        SqlStore::query_tasks(self, query).await
    }
    async fn count_tasks(&self, query: &TaskQuery) -> Result<u64> {
        SqlStore::count_tasks(self, query).await
    }
    async fn edit_task(&self, id: &str, edit: TaskEdit) -> Result<Task> {
        SqlStore::edit_task(self, id, edit).await
    }
    async fn set_status(&self, id: &str, change: StatusChange) -> Result<Task> {
        SqlStore::set_status(self, id, change).await
    }
    async fn delete_task(&self, id: &str) -> Result<Vec<ArtifactRecord>> {
        SqlStore::delete_task(self, id).await
    }
    async fn upsert_artifacts(&self, task_id: &str, artifacts: &[ArtifactRecord]) -> Result<usize> {
        SqlStore::upsert_artifacts(self, task_id, artifacts).await
    }
    async fn list_artifacts(&self, task_id: &str) -> Result<Vec<ArtifactRecord>> {
        SqlStore::list_artifacts(self, task_id).await
    }
    async fn list_artifacts_page(
        &self,
        task_id: &str,
        offset: u64,
        limit: u64,
    ) -> Result<Vec<ArtifactRecord>> {
        SqlStore::list_artifacts_page(self, task_id, offset, limit).await
    }
    async fn get_artifact(
        &self,
        task_id: &str,
        key: &str,
        mode: &str,
    ) -> Result<Option<ArtifactRecord>> {
        SqlStore::get_artifact(self, task_id, key, mode).await
    }
    async fn delete_artifacts(
        &self,
        task_id: &str,
        ids: &[(String, String)],
    ) -> Result<Vec<ArtifactRecord>> {
        SqlStore::delete_artifacts(self, task_id, ids).await
    }
    async fn count_artifacts(&self, task_ids: &[String]) -> Result<Vec<(String, u64)>> {
        SqlStore::count_artifacts(self, task_ids).await
    }
    async fn add_version(&self, task_id: &str, key: &str, version: &ArtifactVersion) -> Result<()> {
        SqlStore::add_version(self, task_id, key, version).await
    }
    async fn list_versions(&self, task_id: &str, key: &str) -> Result<Vec<ArtifactVersion>> {
        SqlStore::list_versions(self, task_id, key).await
    }
    async fn add_events(&self, events: &[Event]) -> Result<usize> {
        SqlStore::add_events(self, events).await
    }
    async fn list_events(
        &self,
        task_id: &str,
        kind: Option<&str>,
        offset: u64,
        limit: u64,
    ) -> Result<Vec<Event>> {
        SqlStore::list_events(self, task_id, kind, offset, limit).await
    }
    async fn add_credentials(&self, access_key: &str, secret_hash: &str) -> Result<()> {
        SqlStore::add_credentials(self, access_key, secret_hash).await
    }
    async fn get_credentials(&self, access_key: &str) -> Result<Option<Credentials>> {
        SqlStore::get_credentials(self, access_key).await
    }
    async fn list_credentials(&self) -> Result<Vec<Credentials>> {
        SqlStore::list_credentials(self).await
    }
    async fn revoke_credentials(&self, access_key: &str) -> Result<bool> {
        SqlStore::revoke_credentials(self, access_key).await
    }
    async fn get_setting(&self, key: &str) -> Result<Option<String>> {
        SqlStore::get_setting(self, key).await
    }
    async fn init_setting(&self, key: &str, value: &str) -> Result<String> {
        SqlStore::init_setting(self, key, value).await
    }
    async fn list_settings(&self) -> Result<Vec<(String, String)>> {
        SqlStore::list_settings(self).await
    }
    async fn import_project(&self, project: &Project) -> Result<bool> {
        SqlStore::import_project(self, project).await
    }
    async fn import_task(&self, task: &Task) -> Result<bool> {
        SqlStore::import_task(self, task).await
    }
    async fn import_artifacts(&self, task_id: &str, artifacts: &[ArtifactRecord]) -> Result<usize> {
        SqlStore::import_artifacts(self, task_id, artifacts).await
    }
    async fn import_version(
        &self,
        task_id: &str,
        key: &str,
        version: &ArtifactVersion,
    ) -> Result<bool> {
        SqlStore::import_version(self, task_id, key, version).await
    }
    async fn import_credentials(&self, credentials: &Credentials) -> Result<bool> {
        SqlStore::import_credentials(self, credentials).await
    }
    async fn count_events(&self, task_id: &str) -> Result<u64> {
        SqlStore::count_events(self, task_id).await
    }
}
