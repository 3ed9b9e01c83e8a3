//! Copying everything from one store into another (`trove migrate`): projects, tasks (ids, times, documents),
//! artifacts, versions, events (with their metric columns and keys), `last_metrics`, models (with their model
//! events and `last_metrics`), credentials and
//! settings. Uses only [`MetadataStore`] methods, so it works between any two engines.

use crate::{MetadataStore, ModelQuery, Result, TaskQuery};
use std::collections::BTreeSet;

/// Tasks read per page from the source.
const TASK_PAGE: u64 = 500;
/// Artifacts read per page from the source.
const ARTIFACT_PAGE: u64 = 1000;
/// Events read per page from the source.
const EVENT_PAGE: u64 = 5000;
/// Models read per page from the source.
const MODEL_PAGE: u64 = 500;

/// What [`copy_store`] did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CopyReport {
    /// Projects inserted (existing ids are skipped).
    pub projects: u64,
    /// Tasks inserted.
    pub tasks: u64,
    /// Artifact records written.
    pub artifacts: u64,
    /// Versions inserted.
    pub versions: u64,
    /// Events appended.
    pub events: u64,
    /// Models inserted.
    pub models: u64,
    /// `last_metrics` entries inserted.
    pub last_metrics: u64,
    /// Key pairs inserted.
    pub credentials: u64,
    /// Settings inserted.
    pub settings: u64,
}

/// What a store holds, for checking whether a migration target is empty.
pub async fn is_empty_store(store: &dyn MetadataStore) -> Result<bool> {
    Ok(store.list_projects().await?.is_empty()
        && store.count_tasks(&TaskQuery::default()).await? == 0
        && store.count_models(&ModelQuery::default()).await? == 0
        && store.list_credentials().await?.is_empty())
}

/// Copy everything from `from` into `to`, keeping ids and timestamps. Re-running it copies only what is
/// missing: rows with existing keys are skipped, and a task's events are appended after the ones the target
/// already has (events are append-only, so a copy interrupted mid-task resumes where it stopped).
/// `progress` is called after each task with (tasks done, tasks total).
pub async fn copy_store(
    from: &dyn MetadataStore,
    to: &dyn MetadataStore,
    progress: &(dyn Fn(u64, u64) + Sync),
) -> Result<CopyReport> {
    let mut report = CopyReport::default();
    for (k, v) in from.list_settings().await? {
        if to.get_setting(&k).await?.is_none() {
            to.init_setting(&k, &v).await?;
            report.settings += 1;
        }
    }
    for c in from.list_credentials().await? {
        report.credentials += u64::from(to.import_credentials(&c).await?);
    }
    for p in from.list_projects().await? {
        report.projects += u64::from(to.import_project(&p).await?);
    }
    let total = from.count_tasks(&TaskQuery::default()).await?;
    let mut done = 0;
    let mut offset = 0;
    loop {
        let page = from
            .query_tasks(&TaskQuery {
                offset,
                limit: TASK_PAGE,
                ..Default::default()
            })
            .await?;
        if page.is_empty() {
            break;
        }
        offset += page.len() as u64;
        for task in &page {
            report.tasks += u64::from(to.import_task(task).await?);
            copy_task_children(from, to, &task.id, &mut report).await?;
            done += 1;
            progress(done, total);
        }
    }
    let mut offset = 0;
    loop {
        let page = from
            .query_models(&ModelQuery {
                offset,
                limit: MODEL_PAGE,
                ..Default::default()
            })
            .await?;
        if page.is_empty() {
            break;
        }
        offset += page.len() as u64;
        for m in &page {
            report.models += u64::from(to.import_model(m).await?);
            copy_events(from, to, &m.id, &mut report).await?;
        }
    }
    tracing::info!(?report, "store copied");
    Ok(report)
}

async fn copy_task_children(
    from: &dyn MetadataStore,
    to: &dyn MetadataStore,
    task: &str,
    report: &mut CopyReport,
) -> Result<()> {
    let mut keys = BTreeSet::new();
    let mut offset = 0;
    loop {
        let page = from
            .list_artifacts_page(task, offset, ARTIFACT_PAGE)
            .await?;
        if page.is_empty() {
            break;
        }
        offset += page.len() as u64;
        keys.extend(page.iter().map(|a| a.key.clone()));
        report.artifacts += to.import_artifacts(task, &page).await? as u64;
    }
    for key in keys {
        for v in from.list_versions(task, &key).await? {
            report.versions += u64::from(to.import_version(task, &key, &v).await?);
        }
    }
    copy_events(from, to, task, report).await
}

/// The events and `last_metrics` of a task or a model (model events).
async fn copy_events(
    from: &dyn MetadataStore,
    to: &dyn MetadataStore,
    task: &str,
    report: &mut CopyReport,
) -> Result<()> {
    let mut offset = to.count_events(task).await?;
    loop {
        let page = from.export_events(task, offset, EVENT_PAGE).await?;
        if page.is_empty() {
            break;
        }
        offset += page.len() as u64;
        report.events += to.import_events(&page).await? as u64;
    }
    let last = from.last_metrics(&[task.to_string()]).await?;
    if let Some(metrics) = last.get(task) {
        report.last_metrics += to.import_last_metrics(task, metrics).await? as u64;
    }
    Ok(())
}
