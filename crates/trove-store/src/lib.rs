//! The metadata store behind one trait, [`MetadataStore`]: projects, tasks, artifact records (upserted per
//! `(key, mode)`), registered-artifact versions, events (console lines, scalars), API credentials, server
//! settings, and models ([`ModelStore`], a supertrait). [`open`] picks the engine from a URL: `sqlite://path`
//! (the embedded default, WAL, busy timeout, safe for several processes) or `postgres://…` (for several
//! servers). Migrations run on open.
//!
//! [`copy_store`] copies one store into another keeping ids and timestamps (`trove migrate`).
//!
//! Both engines run the same SQL through one `sqlx::AnyPool` (`$n` placeholders); text keys compare byte-wise
//! on both (PostgreSQL columns use `COLLATE "C"`). Behaviour details callers can rely on:
//! - `limit` 0 means "no limit" everywhere (`TaskQuery`, `list_artifacts_page`, `list_events`).
//! - `set_status`: `started` is set on the first move to `in_progress`; `completed` on `completed`, `failed`,
//!   `stopped` (and on `published` if unset); moving back to `created` (a reset) clears both.
//! - Renaming a project moves its sub-projects (`old/x` → `new/x`) and creates missing parents; `null` values
//!   in `ProjectUpdate::extra` remove keys, like `TaskEdit::doc`.
//! - `upsert_artifacts` returns the number of entries given; duplicates of one `(key, mode)` in a call: last wins.
//! - `delete_artifacts` drops a key's versions once no artifact of that key (any mode) remains.
//! - `count_artifacts` returns one entry per distinct requested id, in request order, including zeros.
//! - `add_events` stores nothing and returns `NotFound` if any event names a missing task. It only appends;
//!   [`MetricStore::write_events`] (ClearML's write rules: keyed replacement, `last_metrics`, `last_iteration`)
//!   and the metric readers are in [`metrics`].
//! - Filters with an empty id/project/status list match nothing; a `TaskQuery::ids` list is bound as SQL
//!   parameters, so keep it under ~30,000 ids.

mod artifacts;
mod copy;
mod db;
mod event_reads;
mod events;
mod import;
mod metric_sql;
pub mod metrics;
mod migrate;
mod model;
mod models;
mod open;
mod projects;
mod store;
mod tasks;

pub use copy::{CopyReport, copy_store, is_empty_store};
pub use metrics::MetricStore;
pub use model::*;
pub use models::{Model, ModelEdit, ModelQuery, ModelStore, NewModel};
pub use open::{default_sqlite_url, open, open_at_schema};
pub use projects::ProjectDeletion;

use async_trait::async_trait;
use std::sync::Arc;
use trove_core::{ArtifactRecord, ArtifactVersion, TaskStatus};

/// Errors from the store.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The database could not be opened, migrated or queried.
    #[error("metadata store error ({context}): {source}")]
    Db {
        /// What was being done.
        context: String,
        /// The driver's error.
        #[source]
        source: sqlx::Error,
    },
    /// A row the call needs is missing.
    #[error("{what} not found: {id}")]
    NotFound {
        /// "task", "project", …
        what: &'static str,
        /// The id asked for.
        id: String,
    },
    /// A create would duplicate a unique name.
    #[error("{what} already exists: {name}")]
    Conflict {
        /// "project", "credentials", …
        what: &'static str,
        /// The duplicated name.
        name: String,
    },
    /// The task is not in a status that allows the change.
    #[error("invalid task status: expected one of {expected:?}, status={actual}")]
    InvalidStatus {
        /// Statuses that would have been accepted.
        expected: Vec<TaskStatus>,
        /// The task's status.
        actual: TaskStatus,
    },
    /// The URL names no supported engine.
    #[error("unsupported database URL {0:?}: use sqlite://PATH or postgres://…")]
    BadUrl(String),
    /// The URL names an engine this build of trove-store leaves out.
    #[error(
        "{engine} databases are not supported by this build: enable the `{feature}` feature of trove-store (or `embedded-{feature}` of trove)"
    )]
    EngineDisabled {
        /// The engine the URL names.
        engine: &'static str,
        /// The feature that brings it.
        feature: &'static str,
    },
    /// Stored data could not be decoded.
    #[error("corrupt stored data ({0})")]
    Corrupt(String),
}

/// Result alias.
pub type Result<T, E = StoreError> = std::result::Result<T, E>;

/// A shared handle to a store.
pub type SharedStore = Arc<dyn MetadataStore>;

/// Every operation trove needs from its metadata store. Both engines implement it with the same behaviour.
#[async_trait]
pub trait MetadataStore:
    ModelStore + MetricStore + ProjectDeletion + Send + Sync + 'static
{
    /// "sqlite" or "postgres".
    fn engine(&self) -> &'static str;

    // ---- projects
    /// Create a project (and its missing parents for `a/b/c`); `Conflict` if the name exists.
    async fn create_project(&self, new: NewProject) -> Result<Project>;
    /// The project with this exact name, creating it (and its parents) if missing.
    async fn ensure_project(&self, name: &str) -> Result<Project>;
    /// One project by id.
    async fn get_project(&self, id: &str) -> Result<Option<Project>>;
    /// All projects, ordered by name.
    async fn list_projects(&self) -> Result<Vec<Project>>;
    /// Change a project's fields; returns the updated project.
    async fn update_project(&self, id: &str, update: ProjectUpdate) -> Result<Project>;

    // ---- tasks
    /// Create a task in `created` status with a new 32-hex id.
    async fn create_task(&self, new: NewTask) -> Result<Task>;
    /// One task by id.
    async fn get_task(&self, id: &str) -> Result<Option<Task>>;
    /// Tasks matching `query`, newest `last_update` first.
    async fn query_tasks(&self, query: &TaskQuery) -> Result<Vec<Task>>;
    /// How many tasks match `query` (ignoring limit/offset).
    async fn count_tasks(&self, query: &TaskQuery) -> Result<u64>;
    /// Replace top-level fields of the task document (`script`, `runtime`, `output`, …; see [`Task::doc`]),
    /// and optionally rename it. Bumps `last_update`.
    async fn edit_task(&self, id: &str, edit: TaskEdit) -> Result<Task>;
    /// Change status. When `expected` is non-empty and the current status is not in it, fails with
    /// `InvalidStatus` and changes nothing. Sets `started`/`completed` times as the status implies.
    async fn set_status(&self, id: &str, change: StatusChange) -> Result<Task>;
    /// Delete a task with its artifacts, versions and events; returns the artifacts it had.
    async fn delete_task(&self, id: &str) -> Result<Vec<ArtifactRecord>>;

    // ---- artifacts
    /// Insert or replace each artifact by `(key, mode)` atomically per entry; others are untouched.
    /// Bumps the task's `last_update`. Returns how many were written.
    async fn upsert_artifacts(&self, task_id: &str, artifacts: &[ArtifactRecord]) -> Result<usize>;
    /// A task's artifacts sorted by key then mode.
    async fn list_artifacts(&self, task_id: &str) -> Result<Vec<ArtifactRecord>>;
    /// A page of a task's artifacts sorted by key (for tasks with very many).
    async fn list_artifacts_page(
        &self,
        task_id: &str,
        offset: u64,
        limit: u64,
    ) -> Result<Vec<ArtifactRecord>>;
    /// One artifact.
    async fn get_artifact(
        &self,
        task_id: &str,
        key: &str,
        mode: &str,
    ) -> Result<Option<ArtifactRecord>>;
    /// Delete artifacts by `(key, mode)`; returns the deleted records (with their versions' records dropped too).
    async fn delete_artifacts(
        &self,
        task_id: &str,
        ids: &[(String, String)],
    ) -> Result<Vec<ArtifactRecord>>;
    /// Number of artifacts per task id, for the given tasks.
    async fn count_artifacts(&self, task_ids: &[String]) -> Result<Vec<(String, u64)>>;

    // ---- versions of registered artifacts
    /// Append a version of an artifact (its `version` number must be the next one).
    async fn add_version(&self, task_id: &str, key: &str, version: &ArtifactVersion) -> Result<()>;
    /// All versions of an artifact, oldest first.
    async fn list_versions(&self, task_id: &str, key: &str) -> Result<Vec<ArtifactVersion>>;

    // ---- events
    /// Append events to a task; returns how many were stored.
    async fn add_events(&self, events: &[Event]) -> Result<usize>;
    /// A task's events of one type (`log`, `training_stats_scalar`, …, or all with `None`), in order.
    async fn list_events(
        &self,
        task_id: &str,
        kind: Option<&str>,
        offset: u64,
        limit: u64,
    ) -> Result<Vec<Event>>;

    // ---- credentials
    /// Store a key pair; the secret is stored as given (callers pass a hash). `Conflict` if the key exists.
    async fn add_credentials(&self, access_key: &str, secret_hash: &str) -> Result<()>;
    /// The secret hash of an active key.
    async fn get_credentials(&self, access_key: &str) -> Result<Option<Credentials>>;
    /// All keys (active and revoked).
    async fn list_credentials(&self) -> Result<Vec<Credentials>>;
    /// Revoke a key; false if there was none.
    async fn revoke_credentials(&self, access_key: &str) -> Result<bool>;

    // ---- settings
    /// A server setting (e.g. the token signing key).
    async fn get_setting(&self, key: &str) -> Result<Option<String>>;
    /// Set a setting only if absent; returns the value now stored (so racing servers agree).
    async fn init_setting(&self, key: &str, value: &str) -> Result<String>;
    /// Every setting, ordered by key.
    async fn list_settings(&self) -> Result<Vec<(String, String)>>;

    // ---- imports (copying one store into another, e.g. `trove migrate`): ids and timestamps are kept as
    // given, nothing else is bumped, and a row whose key already exists is left alone (so a copy can be re-run).
    /// Insert a project as it is (id, name, times, extra); false if its id exists. `Conflict` if another
    /// project already has its name.
    async fn import_project(&self, project: &Project) -> Result<bool>;
    /// Insert a task as it is (id, status, times, document); false if its id exists. `NotFound` if its
    /// project is missing.
    async fn import_task(&self, task: &Task) -> Result<bool>;
    /// Insert or replace a task's artifacts by `(key, mode)` without touching the task's `last_update`.
    async fn import_artifacts(&self, task_id: &str, artifacts: &[ArtifactRecord]) -> Result<usize>;
    /// Insert a version as it is; false if that version number exists.
    async fn import_version(
        &self,
        task_id: &str,
        key: &str,
        version: &ArtifactVersion,
    ) -> Result<bool>;
    /// Insert a key pair as it is (creation time, revoked flag); false if the access key exists.
    async fn import_credentials(&self, credentials: &Credentials) -> Result<bool>;
    /// How many events a task has (all types).
    async fn count_events(&self, task_id: &str) -> Result<u64>;
}
